/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file vmm_uart.h
 * Polled 16550 UART output for the VMM (COM1 by default).
 *
 * Transmit only, polled: the VMM runs in VMX root with interrupts off, so
 * the UART's interrupts stay disabled (IER = 0, MCR.OUT2 = 0). The FIFO is
 * enabled so that one "transmitter holding register empty" (THRE) poll lets
 * up to 16 bytes go. The wait for THRE is bounded (spin_limit polls): a
 * missing cable, a stuck UART or flow control never hangs a CPU; bytes that
 * could not be sent are counted in @c dropped.
 *
 * Line settings: 8 data bits, no parity, 1 stop bit (8N1); the baud rate
 * divides the 1.8432 MHz / 16 = 115200 base (divisor = 115200 / baud).
 */
#ifndef FLANK_VMM_UART_H
#define FLANK_VMM_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Legacy COM port bases. @{ */
#define VMM_UART_COM1 0x3F8u
#define VMM_UART_COM2 0x2F8u
#define VMM_UART_COM3 0x3E8u
#define VMM_UART_COM4 0x2E8u
/** @} */

/** The 16550's base clock divided by 16: the fastest baud rate. */
#define VMM_UART_BASE_BAUD 115200u
/** Baud rate used unless configured otherwise. */
#define VMM_UART_DEFAULT_BAUD 115200u

/** LSR polls before a byte is given up (each poll is an IN plus PAUSE). */
#define VMM_UART_DEFAULT_SPIN_LIMIT 100000u

/* Register offsets from the base port (PC16550D data sheet). */
#define UART_RBR_THR 0u /**< Receive buffer / transmit holding (DLAB=0). */
#define UART_IER 1u	/**< Interrupt enable (DLAB=0). */
#define UART_DLL 0u	/**< Divisor latch low (DLAB=1). */
#define UART_DLM 1u	/**< Divisor latch high (DLAB=1). */
#define UART_IIR_FCR 2u /**< Interrupt identification / FIFO control. */
#define UART_LCR 3u	/**< Line control. */
#define UART_MCR 4u	/**< Modem control. */
#define UART_LSR 5u	/**< Line status. */
#define UART_MSR 6u	/**< Modem status. */
#define UART_SCR 7u	/**< Scratch. */

#define UART_LCR_8N1 0x03u	  /**< LCR: 8 data bits, no parity, 1 stop. */
#define UART_LCR_DLAB 0x80u	  /**< LCR: divisor latch access. */
#define UART_FCR_ENABLE 0x01u	  /**< FCR: enable the FIFOs. */
#define UART_FCR_CLEAR_RX 0x02u	  /**< FCR: clear the receive FIFO. */
#define UART_FCR_CLEAR_TX 0x04u	  /**< FCR: clear the transmit FIFO. */
#define UART_FCR_TRIGGER_14 0xC0u /**< FCR: receive trigger at 14 bytes. */
#define UART_IIR_FIFO_ON 0xC0u	  /**< IIR[7:6] = 11: FIFOs enabled. */
#define UART_MCR_DTR 0x01u	  /**< MCR: data terminal ready. */
#define UART_MCR_RTS 0x02u	  /**< MCR: request to send. */
#define UART_MCR_OUT2 0x08u	  /**< MCR: OUT2, gates the IRQ on PCs. */
#define UART_MCR_LOOP 0x10u	  /**< MCR: loopback mode. */
#define UART_LSR_DR 0x01u	  /**< LSR: a received byte is ready. */
#define UART_LSR_THRE 0x20u	  /**< LSR: transmit holding register empty. */
#define UART_LSR_TEMT 0x40u	  /**< LSR: transmitter completely empty. */
#define UART_FIFO_SIZE 16u	  /**< Bytes a 16550's transmit FIFO holds. */

/** Outcome of vmm_uart_init(). */
enum vmm_uart_status {
	VMM_UART_OK = 0,
	VMM_UART_BAD_ARGUMENT = 1, /**< NULL, or port 0 / above 0xFFF8. */
	/** Baud is 0, above 115200, or does not divide 115200. */
	VMM_UART_BAD_BAUD = 2,
	/** Nothing answers at the port (LSR reads 0xFF or scratch fails). */
	VMM_UART_NOT_FOUND = 3,
};

/** Human text of a vmm_uart_status. */
const char *vmm_uart_status_str(enum vmm_uart_status status);

/** One UART. Fill it with vmm_uart_init(); the caller owns the memory. */
struct vmm_uart {
	uint16_t port;	     /**< Base I/O port. */
	uint32_t baud;	     /**< Configured rate. */
	uint32_t spin_limit; /**< LSR polls per THRE wait. */
	bool enabled;	     /**< Set by a successful init. */
	bool fifo;	     /**< IIR reported the FIFO enabled (16550A). */
	uint64_t sent;	     /**< Bytes written to THR. */
	uint64_t dropped;    /**< Bytes given up after a THRE timeout. */
	uint64_t timeouts;   /**< THRE waits that ran out. */
};

/**
 * Programs the UART at @p port: interrupts off, 8N1, divisor
 * 115200 / @p baud, FIFO on and cleared, DTR and RTS on, OUT2 off. Checks
 * first that a UART answers there. On failure @p uart stays disabled and
 * nothing is written to the port except for the presence probe.
 */
enum vmm_uart_status vmm_uart_init(struct vmm_uart *uart, uint16_t port,
				   uint32_t baud);

/**
 * Writes @p len bytes. Waits at most spin_limit LSR polls for THRE per
 * FIFO load; after one timeout the rest of this call is dropped without
 * waiting (counted in dropped), so one call never costs more than one
 * timeout. A "\n" is sent as "\r\n" for terminals. Returns the bytes of
 * @p s that were sent; 0 if the UART is NULL or disabled.
 */
size_t vmm_uart_write(struct vmm_uart *uart, const char *s, size_t len);

#endif /* FLANK_VMM_UART_H */
