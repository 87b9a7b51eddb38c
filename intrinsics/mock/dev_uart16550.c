// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The modelled 16550 UART (see flank/mock_uart16550.h). Register map and
 * semantics from the National Semiconductor PC16550D data sheet: DLAB
 * (LCR bit 7) switches offsets 0/1 to the divisor latch; FCR bit 0 enables
 * the 16-byte FIFOs, bits 1/2 clear them; in FIFO mode LSR.THRE means the
 * transmit FIFO is empty and LSR.TEMT that the shift register is too.
 */
#include <stdlib.h>
#include <string.h>

#include "flank/mock.h"
#include "flank/mock_uart16550.h"

/* Register offsets (the same as the driver's, restated: tests only). */
enum { R_DATA = 0, R_IER, R_IIR_FCR, R_LCR, R_MCR, R_LSR, R_MSR, R_SCR };

#define LSR_THRE 0x20u
#define LSR_TEMT 0x40u
#define LCR_DLAB 0x80u
#define FIFO_SIZE 16u

struct mock_uart {
	uint16_t base;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool fifo_enabled, no_fifo;
	bool hold;
	bool hold_after_armed;
	size_t hold_after; /* Wire length at which to start holding. */
	unsigned busy_polls;
	unsigned credit; /* THR writes allowed by the last THRE seen. */
	uint8_t fifo[FIFO_SIZE];
	unsigned pending;
	uint8_t *tx;
	size_t tx_len, tx_cap;
	struct mock_uart_state counters;
};

static void wire_put(struct mock_uart *u, uint8_t b)
{
	if (u->tx_len == u->tx_cap) {
		size_t cap = u->tx_cap ? u->tx_cap * 2u : 256u;
		uint8_t *n = realloc(u->tx, cap);
		if (n == NULL)
			abort(); /* the model cannot go on without memory */
		u->tx = n;
		u->tx_cap = cap;
	}
	u->tx[u->tx_len++] = b;
	if (u->hold_after_armed && u->tx_len >= u->hold_after) {
		u->hold_after_armed = false;
		u->hold = true;
	}
}

static bool busy(const struct mock_uart *u)
{
	return u->hold || u->busy_polls > 0;
}

/* The transmitter is free: everything queued goes onto the wire. */
static void drain(struct mock_uart *u)
{
	for (unsigned i = 0; i < u->pending; i++)
		wire_put(u, u->fifo[i]);
	u->pending = 0;
}

static unsigned capacity(const struct mock_uart *u)
{
	return u->fifo_enabled ? FIFO_SIZE : 1u;
}

static uint8_t read_lsr(struct mock_uart *u)
{
	u->counters.lsr_reads++;
	if (u->busy_polls > 0) {
		u->busy_polls--;
		return 0; /* THRE and TEMT clear: still shifting out. */
	}
	if (u->hold)
		return 0;
	drain(u);
	u->credit = capacity(u);
	return LSR_THRE | LSR_TEMT;
}

static void write_thr(struct mock_uart *u, uint8_t b)
{
	u->counters.thr_writes++;
	if (u->credit == 0)
		u->counters.violations++;
	else
		u->credit--;
	if (u->lcr != 0x03u)
		u->counters.bad_line_tx++;
	if (!busy(u)) {
		wire_put(u, b);
		return;
	}
	if (u->pending == capacity(u)) {
		u->counters.overruns++;
		return;
	}
	u->fifo[u->pending++] = b;
}

static uint32_t uart_read(void *ctx, uint16_t port, unsigned size)
{
	struct mock_uart *u = ctx;
	bool dlab = (u->lcr & LCR_DLAB) != 0;

	(void)size;
	switch (port - u->base) {
	case R_DATA:
		return dlab ? u->dll : 0; /* Nothing is ever received. */
	case R_IER:
		return dlab ? u->dlm : u->ier;
	case R_IIR_FCR:
		/* Bit 0 set: no interrupt pending; 7:6 = 11 with FIFOs on. */
		return 0x01u | (u->fifo_enabled ? 0xC0u : 0u);
	case R_LCR:
		return u->lcr;
	case R_MCR:
		return u->mcr;
	case R_LSR:
		return read_lsr(u);
	case R_MSR:
		return 0xB0u; /* DCD, DSR, CTS: a null-modem peer is there. */
	default:
		return u->scr;
	}
}

static void uart_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
	struct mock_uart *u = ctx;
	bool dlab = (u->lcr & LCR_DLAB) != 0;
	uint8_t v = (uint8_t)value;

	(void)size;
	switch (port - u->base) {
	case R_DATA:
		if (dlab)
			u->dll = v;
		else
			write_thr(u, v);
		break;
	case R_IER:
		if (dlab)
			u->dlm = v;
		else
			u->ier = v & 0x0Fu;
		break;
	case R_IIR_FCR:
		u->fcr = v;
		if (u->no_fifo)
			break;
		u->fifo_enabled = (v & 0x01u) != 0;
		if ((v & 0x04u) != 0)
			u->pending = 0; /* Clear transmit FIFO. */
		break;
	case R_LCR:
		u->lcr = v;
		break;
	case R_MCR:
		u->mcr = v & 0x1Fu;
		break;
	case R_SCR:
		u->scr = v;
		break;
	default:
		break; /* LSR/MSR writes are factory test only. */
	}
}

struct mock_uart *mock_uart_create(uint16_t base)
{
	struct mock_uart *u = calloc(1, sizeof(*u));

	if (u == NULL)
		return NULL;
	u->base = base;
	u->credit = 0;
	if (mock_io_register(base, 8, uart_read, uart_write, u) != 0) {
		free(u);
		return NULL;
	}
	return u;
}

void mock_uart_destroy(struct mock_uart *uart)
{
	if (uart == NULL)
		return;
	mock_io_unregister(uart->base);
	free(uart->tx);
	free(uart);
}

const uint8_t *mock_uart_tx(const struct mock_uart *uart, size_t *len)
{
	*len = uart->tx_len;
	return uart->tx;
}

void mock_uart_tx_clear(struct mock_uart *uart)
{
	uart->tx_len = 0;
	memset(&uart->counters, 0, sizeof(uart->counters));
}

void mock_uart_hold_busy(struct mock_uart *uart, bool on)
{
	uart->hold = on;
	if (!busy(uart))
		drain(uart);
}

void mock_uart_hold_busy_after(struct mock_uart *uart, size_t bytes)
{
	uart->hold_after_armed = true;
	uart->hold_after = uart->tx_len + bytes;
}

void mock_uart_busy_polls(struct mock_uart *uart, unsigned polls)
{
	uart->busy_polls = polls;
}

void mock_uart_set_no_fifo(struct mock_uart *uart, bool no_fifo)
{
	uart->no_fifo = no_fifo;
	if (no_fifo)
		uart->fifo_enabled = false;
}

void mock_uart_get_state(const struct mock_uart *uart,
			 struct mock_uart_state *out)
{
	*out = uart->counters;
	out->ier = uart->ier;
	out->lcr = uart->lcr;
	out->mcr = uart->mcr;
	out->scr = uart->scr;
	out->fcr = uart->fcr;
	out->divisor = (uint16_t)(uart->dll | (uart->dlm << 8));
	out->fifo_enabled = uart->fifo_enabled;
}
