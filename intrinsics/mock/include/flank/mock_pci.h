/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file mock_pci.h
 * An emulated PCI configuration space behind configuration mechanism #1
 * (ports 0xCF8 address, 0xCFC..0xCFF data), on the emulator's port-I/O
 * hooks (tests only).
 *
 * Functions are added with their type 0 header fields; everything else of
 * their 256-byte space reads 0. Reads of absent functions return all ones,
 * as a master abort does. The address register holds what is written to it
 * (bits 30:24 and 1:0 read as 0); data accesses with the enable bit (31)
 * clear read all ones and are dropped. Only the command register is
 * writable (other writes are counted and ignored, BARs included: sizing is
 * not modelled). Create it after mock_init(), which clears every hook.
 */
#ifndef FLANK_MOCK_PCI_H
#define FLANK_MOCK_PCI_H

#include <stdint.h>

/** The type 0 header fields of one function. */
struct mock_pci_function {
	uint16_t vendor, device;
	uint16_t command;
	uint8_t class_code, subclass, prog_if;
	uint8_t header_type; /**< Bit 7: multi-function (on function 0). */
	uint32_t bar[6];
};

struct mock_pci;

/** Creates an empty configuration space at 0xCF8..0xCFF; NULL if taken. */
struct mock_pci *mock_pci_create(void);

/** Unregisters and frees it (NULL is ignored). */
void mock_pci_destroy(struct mock_pci *pci);

/**
 * Adds function @p bus:@p dev.@p fn (dev < 32, fn < 8). Returns 0, or -1
 * for a bad location, a duplicate, or no room (MOCK_PCI_MAX_FUNCTIONS).
 */
#define MOCK_PCI_MAX_FUNCTIONS 64u
int mock_pci_add(struct mock_pci *pci, uint8_t bus, uint8_t dev, uint8_t fn,
		 const struct mock_pci_function *f);

/** The command register of a function (0xFFFF if absent). */
uint16_t mock_pci_command(const struct mock_pci *pci, uint8_t bus, uint8_t dev,
			  uint8_t fn);

/** Data-port reads so far and ignored (read-only) writes. */
uint64_t mock_pci_config_reads(const struct mock_pci *pci);
uint64_t mock_pci_ignored_writes(const struct mock_pci *pci);

#endif /* FLANK_MOCK_PCI_H */
