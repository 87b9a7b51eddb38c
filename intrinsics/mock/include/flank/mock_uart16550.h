/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file mock_uart16550.h
 * A modelled 16550 UART on the emulator's port-I/O hooks (tests only).
 *
 * It models the registers a driver programs: THR/RBR, IER, IIR/FCR, LCR,
 * MCR, LSR, MSR, SCR, and the divisor latch DLL/DLM behind LCR.DLAB. Bytes
 * written to THR are "transmitted" and recorded, in order. A test can make
 * the transmitter busy (LSR.THRE clear), permanently or for a number of LSR
 * polls, to drive a driver's bounded wait; bytes written while the FIFO is
 * full are lost (overrun), as on the chip.
 *
 * Line status is honoured and checked: every LSR read that shows THRE
 * grants the driver a FIFO's worth of writes (16 bytes with FIFOs on, else
 * 1); a THR write without such credit is counted as a line-status
 * violation, so a test can assert the driver never writes blindly.
 *
 * Only byte accesses are meaningful; wider ones act on the low byte.
 * Create the UART after mock_init() (which clears every hook).
 */
#ifndef FLANK_MOCK_UART16550_H
#define FLANK_MOCK_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mock_uart;

/**
 * Creates a UART at ports [@p base, @p base + 8) in its power-on state
 * (LCR = 0, IER = 0, FIFOs off, divisor 0, THRE set). Returns NULL if the
 * ports are taken.
 */
struct mock_uart *mock_uart_create(uint16_t base);

/** Unregisters and frees the UART (NULL is ignored). */
void mock_uart_destroy(struct mock_uart *uart);

/** Bytes transmitted so far, and their number in *@p len. */
const uint8_t *mock_uart_tx(const struct mock_uart *uart, size_t *len);

/** Forgets the transmitted bytes and the counters. */
void mock_uart_tx_clear(struct mock_uart *uart);

/**
 * Holds the transmitter busy (@p on: THRE reads clear, written bytes wait
 * in the FIFO) or releases it (pending bytes go out).
 */
void mock_uart_hold_busy(struct mock_uart *uart, bool on);

/**
 * Holds the transmitter busy once @p bytes more bytes went onto the wire
 * (a line that stalls mid-message, e.g. hardware flow control).
 */
void mock_uart_hold_busy_after(struct mock_uart *uart, size_t bytes);

/** Makes the next @p polls LSR reads show THRE clear, then free again. */
void mock_uart_busy_polls(struct mock_uart *uart, unsigned polls);

/** Models a 16450: no FIFO (FCR ignored, IIR[7:6] = 00). */
void mock_uart_set_no_fifo(struct mock_uart *uart, bool no_fifo);

/** Register values and counters for assertions. */
struct mock_uart_state {
	uint8_t ier, lcr, mcr, scr, fcr;
	uint16_t divisor;     /**< DLM:DLL. */
	bool fifo_enabled;    /**< FCR bit 0 was set (and FIFOs exist). */
	uint64_t lsr_reads;   /**< LSR polls. */
	uint64_t overruns;    /**< Bytes lost to a full FIFO. */
	uint64_t violations;  /**< THR writes without THRE credit. */
	uint64_t thr_writes;  /**< All THR writes. */
	uint64_t bad_line_tx; /**< Bytes sent while LCR was not 8N1. */
};

/** Current registers and counters. */
void mock_uart_get_state(const struct mock_uart *uart,
			 struct mock_uart_state *out);

#endif /* FLANK_MOCK_UART16550_H */
