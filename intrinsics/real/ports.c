// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Real backend: port I/O (the serial port and PCI configuration space).
 * "Nd": ports 0-255 as an immediate, others in DX. "memory": device
 * accesses are ordered with the surrounding memory accesses.
 */
#include "real_internal.h"

uint8_t cpu_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

uint16_t cpu_inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %w1, %w0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

uint32_t cpu_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %w1, %k0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

void cpu_outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %b0, %w1" : : "a"(value), "Nd"(port) : "memory");
}

void cpu_outw(uint16_t port, uint16_t value)
{
	__asm__ volatile("outw %w0, %w1" : : "a"(value), "Nd"(port) : "memory");
}

void cpu_outl(uint16_t port, uint32_t value)
{
	__asm__ volatile("outl %k0, %w1" : : "a"(value), "Nd"(port) : "memory");
}
