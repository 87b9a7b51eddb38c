// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Polled 16550 UART transmit (see flank/vmm_uart.h). Register semantics
 * follow the National Semiconductor PC16550D data sheet: with LCR.DLAB set,
 * offsets 0 and 1 are the divisor latch; in FIFO mode LSR.THRE means the
 * whole transmit FIFO is empty, so 16 bytes may follow one THRE poll.
 *
 * Runs in VMX root, also from exit and NMI paths: no allocation, no lock
 * (the caller serialises per UART, see console.c), and every wait bounded.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/intrinsics.h"
#include "flank/vmm_uart.h"

const char *vmm_uart_status_str(enum vmm_uart_status status)
{
	switch (status) {
	case VMM_UART_OK:
		return "UART ready";
	case VMM_UART_BAD_ARGUMENT:
		return "bad UART argument: the I/O port must be 1..0xFFF8";
	case VMM_UART_BAD_BAUD:
		return "unsupported baud rate: use one that divides 115200 "
		       "(115200, 57600, 38400, 19200, 9600, ...)";
	case VMM_UART_NOT_FOUND:
		return "no UART answers at this I/O port: check the port "
		       "(COM1 is 0x3F8) or use a PCI serial card";
	}
	return "unknown UART status";
}

static uint8_t uart_in(const struct vmm_uart *uart, unsigned reg)
{
	return cpu_inb((uint16_t)(uart->port + reg));
}

static void uart_out(const struct vmm_uart *uart, unsigned reg, uint8_t v)
{
	cpu_outb((uint16_t)(uart->port + reg), v);
}

/*
 * A UART is there if LSR does not float to 0xFF (an undriven ISA bus reads
 * all ones) and the scratch register keeps two complementary patterns.
 */
static bool uart_present(const struct vmm_uart *uart)
{
	if (uart_in(uart, UART_LSR) == 0xFF)
		return false;
	uart_out(uart, UART_SCR, 0x5A);
	if (uart_in(uart, UART_SCR) != 0x5A)
		return false;
	uart_out(uart, UART_SCR, 0xA5);
	return uart_in(uart, UART_SCR) == 0xA5;
}

enum vmm_uart_status vmm_uart_init(struct vmm_uart *uart, uint16_t port,
				   uint32_t baud)
{
	uint32_t divisor;

	if (uart == NULL)
		return VMM_UART_BAD_ARGUMENT;
	uart->enabled = false;
	uart->fifo = false;
	uart->sent = 0;
	uart->dropped = 0;
	uart->timeouts = 0;
	uart->spin_limit = VMM_UART_DEFAULT_SPIN_LIMIT;
	uart->port = port;
	uart->baud = baud;
	if (port == 0 || port > 0xFFF8u)
		return VMM_UART_BAD_ARGUMENT;
	if (baud == 0 || baud > VMM_UART_BASE_BAUD ||
	    VMM_UART_BASE_BAUD % baud != 0)
		return VMM_UART_BAD_BAUD;
	if (!uart_present(uart))
		return VMM_UART_NOT_FOUND;

	divisor = VMM_UART_BASE_BAUD / baud;
	/* DLAB off first so that offset 1 is IER: interrupts off. */
	uart_out(uart, UART_LCR, UART_LCR_8N1);
	uart_out(uart, UART_IER, 0);
	uart_out(uart, UART_LCR, UART_LCR_DLAB | UART_LCR_8N1);
	uart_out(uart, UART_DLL, (uint8_t)(divisor & 0xFFu));
	uart_out(uart, UART_DLM, (uint8_t)(divisor >> 8));
	uart_out(uart, UART_LCR, UART_LCR_8N1);
	uart_out(uart, UART_IIR_FCR,
		 UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX |
			 UART_FCR_TRIGGER_14);
	/* OUT2 stays 0: on PCs it gates the UART's IRQ line. */
	uart_out(uart, UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
	/* A 16450 has no FIFO: IIR[7:6] stays 00 and one byte per poll. */
	uart->fifo = (uart_in(uart, UART_IIR_FCR) & UART_IIR_FIFO_ON) ==
		     UART_IIR_FIFO_ON;
	uart->enabled = true;
	return VMM_UART_OK;
}

/* Polls LSR until THRE, at most spin_limit times. */
static bool wait_thre(const struct vmm_uart *uart)
{
	for (uint32_t i = 0; i < uart->spin_limit; i++) {
		if ((uart_in(uart, UART_LSR) & UART_LSR_THRE) != 0)
			return true;
		cpu_pause();
	}
	return false;
}

size_t vmm_uart_write(struct vmm_uart *uart, const char *s, size_t len)
{
	unsigned room = 0; /* Bytes the FIFO takes without another poll. */
	size_t i;

	if (uart == NULL || !uart->enabled || s == NULL)
		return 0;

	for (i = 0; i < len; i++) {
		uint8_t out[2];
		unsigned n = 0;

		if (s[i] == '\n')
			out[n++] = '\r';
		out[n++] = (uint8_t)s[i];
		for (unsigned k = 0; k < n; k++) {
			if (room == 0) {
				if (!wait_thre(uart)) {
					uart->timeouts++;
					uart->dropped += len - i;
					return i;
				}
				room = uart->fifo ? UART_FIFO_SIZE : 1u;
			}
			uart_out(uart, UART_RBR_THR, out[k]);
			uart->sent++;
			room--;
		}
	}
	return i;
}
