/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file vmm_console.h
 * The VMM's log output: every line goes into the debug ring and, when a
 * UART is attached, is mirrored to the serial port as the same text the
 * ring reader shows ("[pos] cpuN level: text").
 *
 * One console per image (module state), bound once at init:
 *   vmm_console_attach(ring, uart);     // either may be NULL
 * then from anywhere, VMX root and NMI paths included:
 *   vmm_console_printf(cpu, FLANK_LOG_ERROR, "VMLAUNCH failed: %s", name);
 * and the image entry table's ring_read is vmm_console_ring_read (same
 * signature as struct flank_image_entry.ring_read).
 *
 * The ring never waits (see debug_ring.c). The serial mirror is one shared
 * UART, so lines from different CPUs are kept whole by an owner word taken
 * with a compare-and-swap: a CPU that finds it taken by itself (an NMI
 * that interrupted its own serial output) skips the mirror at once, and a
 * CPU that finds it taken by another CPU polls at most
 * VMM_CONSOLE_SERIAL_TRIES times and then skips. Skipped lines are counted
 * (vmm_console_serial_skipped()) and are still in the ring. No wait is
 * unbounded and no CPU ever waits for itself.
 */
#ifndef FLANK_VMM_CONSOLE_H
#define FLANK_VMM_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "flank/image_abi.h"
#include "flank/vmm_format.h"
#include "flank/vmm_ring.h"
#include "flank/vmm_uart.h"

/** Polls of the serial owner word before a line skips the serial mirror. */
#define VMM_CONSOLE_SERIAL_TRIES 200000u

/**
 * Binds the ring and the UART (either may be NULL; a UART must have been
 * initialised with vmm_uart_init()). Call before any CPU logs, and detach
 * before the memory of either goes away.
 */
void vmm_console_attach(struct vmm_ring *ring, struct vmm_uart *uart);

/** Unbinds both; later writes are dropped. */
void vmm_console_detach(void);

/** The attached ring, or NULL. */
struct vmm_ring *vmm_console_ring(void);

/**
 * Writes one line (without newline) from CPU @p cpu. Returns its ring
 * position, or UINT64_MAX if no ring is attached or the record was dropped.
 */
uint64_t vmm_console_write(uint32_t cpu, enum flank_log_level level,
			   const char *line);

/** Formats (flank/vmm_format.h) and writes one line. */
uint64_t vmm_console_printf(uint32_t cpu, enum flank_log_level level,
			    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** vmm_console_printf() with a vmm_va_list. */
uint64_t vmm_console_vprintf(uint32_t cpu, enum flank_log_level level,
			     const char *fmt, vmm_va_list ap);

/**
 * The image entry's ring_read: vmm_ring_read_text() on the attached ring
 * (0 if none).
 */
size_t vmm_console_ring_read(uint64_t *pos, char *buf, size_t len);

/** Lines that skipped the serial mirror because the UART was busy. */
uint64_t vmm_console_serial_skipped(void);

#endif /* FLANK_VMM_CONSOLE_H */
