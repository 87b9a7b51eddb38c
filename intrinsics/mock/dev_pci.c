// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The emulated PCI configuration space (see flank/mock_pci.h): mechanism #1
 * as the PCI Local Bus Specification 3.0, 3.2.2.3.2 describes it, and the
 * type 0 header layout of 6.1.
 */
#include <stdlib.h>

#include "flank/mock.h"
#include "flank/mock_pci.h"

#define PORT_ADDRESS 0xCF8u
#define ADDR_ENABLE 0x80000000u
/* Bits 30:24 are reserved and bits 1:0 are 0 in mechanism #1. */
#define ADDR_WRITABLE 0x80FFFFFCu

struct pci_fn {
	uint8_t bus, dev, fn;
	struct mock_pci_function f;
};

struct mock_pci {
	uint32_t address;
	unsigned count;
	struct pci_fn fn[MOCK_PCI_MAX_FUNCTIONS];
	uint64_t reads, ignored_writes;
};

static struct pci_fn *lookup(struct mock_pci *pci, uint32_t addr)
{
	uint8_t bus = (uint8_t)(addr >> 16), dev = (addr >> 11) & 31u,
		fn = (addr >> 8) & 7u;

	for (unsigned i = 0; i < pci->count; i++)
		if (pci->fn[i].bus == bus && pci->fn[i].dev == dev &&
		    pci->fn[i].fn == fn)
			return &pci->fn[i];
	return NULL;
}

/* The dword at @p reg (a multiple of 4) of a function's header. */
static uint32_t header_dword(const struct mock_pci_function *f, unsigned reg)
{
	switch (reg) {
	case 0x00:
		return f->vendor | ((uint32_t)f->device << 16);
	case 0x04:
		return f->command; /* Status reads 0. */
	case 0x08:
		return ((uint32_t)f->class_code << 24) |
		       ((uint32_t)f->subclass << 16) |
		       ((uint32_t)f->prog_if << 8); /* Revision 0. */
	case 0x0C:
		return (uint32_t)f->header_type << 16;
	default:
		if (reg >= 0x10 && reg < 0x28)
			return f->bar[(reg - 0x10) / 4];
		return 0;
	}
}

static uint32_t pci_read(void *ctx, uint16_t port, unsigned size)
{
	struct mock_pci *pci = ctx;
	unsigned off = port & 3u;
	struct pci_fn *f;

	if (port < PORT_ADDRESS + 4u)
		return size == 4 && port == PORT_ADDRESS ? pci->address
							 : 0xFFFFFFFFu;
	pci->reads++;
	if ((pci->address & ADDR_ENABLE) == 0)
		return 0xFFFFFFFFu;
	f = lookup(pci, pci->address);
	if (f == NULL)
		return 0xFFFFFFFFu; /* Master abort. */
	return header_dword(&f->f, pci->address & 0xFCu) >> (8u * off);
}

static void pci_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
	struct mock_pci *pci = ctx;
	struct pci_fn *f;

	if (port < PORT_ADDRESS + 4u) {
		/* Only dword accesses to 0xCF8 reach the address register. */
		if (size == 4 && port == PORT_ADDRESS)
			pci->address = value & ADDR_WRITABLE;
		return;
	}
	if ((pci->address & ADDR_ENABLE) == 0)
		return;
	f = lookup(pci, pci->address);
	if (f == NULL)
		return;
	if ((pci->address & 0xFCu) == 0x04 && port == PORT_ADDRESS + 4u &&
	    size >= 2)
		f->f.command = (uint16_t)value;
	else
		pci->ignored_writes++;
}

struct mock_pci *mock_pci_create(void)
{
	struct mock_pci *pci = calloc(1, sizeof(*pci));

	if (pci == NULL)
		return NULL;
	if (mock_io_register(PORT_ADDRESS, 8, pci_read, pci_write, pci) != 0) {
		free(pci);
		return NULL;
	}
	return pci;
}

void mock_pci_destroy(struct mock_pci *pci)
{
	if (pci == NULL)
		return;
	mock_io_unregister(PORT_ADDRESS);
	free(pci);
}

int mock_pci_add(struct mock_pci *pci, uint8_t bus, uint8_t dev, uint8_t fn,
		 const struct mock_pci_function *f)
{
	uint32_t addr = ((uint32_t)bus << 16) | ((uint32_t)dev << 11) |
			((uint32_t)fn << 8);

	if (dev >= 32 || fn >= 8 || pci->count == MOCK_PCI_MAX_FUNCTIONS ||
	    lookup(pci, addr) != NULL)
		return -1;
	pci->fn[pci->count].bus = bus;
	pci->fn[pci->count].dev = dev;
	pci->fn[pci->count].fn = fn;
	pci->fn[pci->count].f = *f;
	pci->count++;
	return 0;
}

uint16_t mock_pci_command(const struct mock_pci *pci, uint8_t bus, uint8_t dev,
			  uint8_t fn)
{
	for (unsigned i = 0; i < pci->count; i++)
		if (pci->fn[i].bus == bus && pci->fn[i].dev == dev &&
		    pci->fn[i].fn == fn)
			return pci->fn[i].f.command;
	return 0xFFFF;
}

uint64_t mock_pci_config_reads(const struct mock_pci *pci)
{
	return pci->reads;
}

uint64_t mock_pci_ignored_writes(const struct mock_pci *pci)
{
	return pci->ignored_writes;
}
