// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The console: debug ring plus serial mirror (see flank/vmm_console.h for
 * the locking argument). Nothing here allocates: the ring and the UART are
 * memory the caller owns, a line is formatted into a bounded stack buffer.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/intrinsics.h"
#include "flank/vmm_console.h"

static struct {
	struct vmm_ring *ring;
	struct vmm_uart *uart;
	/* 0 = serial free, else CPU number + 1 of the CPU sending a line. */
	uint32_t serial_owner;
	uint64_t serial_skipped;
} console;

void vmm_console_attach(struct vmm_ring *ring, struct vmm_uart *uart)
{
	console.ring = ring;
	console.uart = uart;
	console.serial_owner = 0;
	console.serial_skipped = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void vmm_console_detach(void)
{
	vmm_console_attach(NULL, NULL);
}

struct vmm_ring *vmm_console_ring(void)
{
	return console.ring;
}

uint64_t vmm_console_serial_skipped(void)
{
	return __atomic_load_n(&console.serial_skipped, __ATOMIC_RELAXED);
}

/* Takes the serial owner word for @p cpu; bounded, never waits for self. */
static bool serial_take(uint32_t cpu)
{
	uint32_t me = cpu + 1u;

	for (uint32_t i = 0; i < VMM_CONSOLE_SERIAL_TRIES; i++) {
		uint32_t expected = 0;
		if (__atomic_compare_exchange_n(
			    &console.serial_owner, &expected, me, false,
			    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
		if (expected == me)
			return false; /* We interrupted ourselves. */
		cpu_pause();
	}
	return false;
}

/* Sends the line of ring record @p pos to the UART, if one is attached. */
static void serial_mirror(uint32_t cpu, uint64_t pos)
{
	struct vmm_uart *uart = console.uart;
	char text[VMM_RING_LINE_MAX];
	uint64_t p = pos;
	size_t n;

	if (uart == NULL || !uart->enabled)
		return;
	/* The record as a reader renders it, so serial and dump agree. */
	n = vmm_ring_read_text(console.ring, &p, text, sizeof(text));
	if (n == 0 || p != pos + 1u)
		return; /* Already overwritten: the ring reports the loss. */
	if (!serial_take(cpu)) {
		__atomic_fetch_add(&console.serial_skipped, 1u,
				   __ATOMIC_RELAXED);
		return;
	}
	(void)vmm_uart_write(uart, text, n);
	__atomic_store_n(&console.serial_owner, 0u, __ATOMIC_RELEASE);
}

uint64_t vmm_console_write(uint32_t cpu, enum flank_log_level level,
			   const char *line)
{
	size_t len = 0;
	uint64_t pos;

	if (console.ring == NULL || line == NULL)
		return UINT64_MAX;
	while (line[len] != '\0' && len <= VMM_RING_TEXT_MAX)
		len++;
	pos = vmm_ring_write(console.ring, cpu, level, line, len);
	if (pos != UINT64_MAX)
		serial_mirror(cpu, pos);
	return pos;
}

uint64_t vmm_console_vprintf(uint32_t cpu, enum flank_log_level level,
			     const char *fmt, vmm_va_list ap)
{
	uint64_t pos;

	if (console.ring == NULL)
		return UINT64_MAX;
	pos = vmm_ring_vprintf(console.ring, cpu, level, fmt, ap);
	if (pos != UINT64_MAX)
		serial_mirror(cpu, pos);
	return pos;
}

uint64_t vmm_console_printf(uint32_t cpu, enum flank_log_level level,
			    const char *fmt, ...)
{
	vmm_va_list ap;
	uint64_t pos;

	vmm_va_start(ap, fmt);
	pos = vmm_console_vprintf(cpu, level, fmt, ap);
	vmm_va_end(ap);
	return pos;
}

size_t vmm_console_ring_read(uint64_t *pos, char *buf, size_t len)
{
	return vmm_ring_read_text(console.ring, pos, buf, len);
}
