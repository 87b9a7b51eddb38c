/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file vmm_pci_serial.h
 * Finding a 16550-compatible UART on a PCI or PCIe card, for machines
 * without legacy COM ports.
 *
 * Configuration space is read through configuration mechanism #1 (address
 * to port 0xCF8, data at 0xCFC; PCI Local Bus Specification 3.0, 3.2.2.3.2),
 * which every x86 chipset with PCI provides, PCIe included (the first 256
 * bytes of each function's space). The scan visits every bus, device and
 * function; functions 1..7 only when function 0's header type has bit 7
 * (multi-function) set.
 *
 * Accepted: header type 0, class 0x07 (simple communication controller),
 * subclass 0x00 (serial), programming interface 0x02 (16550-compatible) or
 * 0x03..0x06 (16650, 16750, 16850, 16950: supersets that reset into
 * 16550-compatible mode). Not accepted: 0x00/0x01 (8250/16450 generic),
 * subclass 0x02 (multiport cards, whose BAR layout is vendor-specific) and
 * 0x80 (other). The UART is at the first I/O BAR (bit 0 = 1); a UART whose
 * BARs are all memory (MMIO) is reported, not used: the VMM's serial
 * driver speaks port I/O only.
 *
 * Concurrency: 0xCF8/0xCFC is one shared register pair. Run the scan once,
 * at VMM init on one CPU while nothing else (Linux's own config accesses
 * included) uses the pair; it restores 0xCF8 when done.
 */
#ifndef FLANK_VMM_PCI_SERIAL_H
#define FLANK_VMM_PCI_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

/** PCI configuration mechanism #1: address port. */
#define VMM_PCI_CONFIG_ADDRESS 0xCF8u
/** PCI configuration mechanism #1: data port. */
#define VMM_PCI_CONFIG_DATA 0xCFCu

/** Outcome of vmm_pci_serial_find(). */
enum vmm_pci_serial_status {
	VMM_PCI_SERIAL_FOUND = 0,	 /**< A UART with an I/O BAR. */
	VMM_PCI_SERIAL_NONE = 1,	 /**< No 16550-compatible UART. */
	VMM_PCI_SERIAL_MMIO_ONLY = 2,	 /**< UART(s) with only MMIO BARs. */
	VMM_PCI_SERIAL_NO_MECHANISM = 3, /**< 0xCF8 does not hold an address. */
	VMM_PCI_SERIAL_BAD_ARGUMENT = 4, /**< NULL result pointer. */
};

/** Human text of a status, saying what to do about it. */
const char *vmm_pci_serial_status_str(enum vmm_pci_serial_status status);

/** What the scan found. */
struct vmm_pci_serial {
	/**
	 * Bus, device and function of the chosen UART (FOUND), or of the
	 * first MMIO-only one (MMIO_ONLY). @{
	 */
	uint8_t bus, dev, fn;
	/** @} */
	uint8_t prog_if; /**< Programming interface (0x02: 16550). */
	/** Vendor and device id from configuration space. @{ */
	uint16_t vendor, device;
	/** @} */
	uint8_t bar;	     /**< Index of the BAR used (or the MMIO BAR). */
	bool io_enabled_now; /**< The scan set COMMAND.IO (it was off). */
	uint16_t io_port;    /**< Base port of the UART (FOUND). */
	uint64_t mmio_base;  /**< First MMIO BAR (MMIO_ONLY). */
	/* Totals over the whole scan, for the log. */
	uint32_t functions; /**< Functions present. */
	uint32_t uarts;	    /**< Accepted UART functions. */
	uint32_t mmio_only; /**< Of those, with no I/O BAR. */
};

/**
 * Scans buses 0..@p last_bus (255 for all) for an accepted UART and fills
 * @p out. The first UART with an I/O BAR wins. If its I/O decoding is off
 * (COMMAND bit 0) the scan turns it on, since the card is dedicated to the
 * VMM's output, and says so in io_enabled_now.
 */
enum vmm_pci_serial_status vmm_pci_serial_find(struct vmm_pci_serial *out,
					       uint8_t last_bus);

#endif /* FLANK_VMM_PCI_SERIAL_H */
