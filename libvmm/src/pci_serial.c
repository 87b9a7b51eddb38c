// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * PCI serial discovery (see flank/vmm_pci_serial.h). Configuration-space
 * layout from the PCI Local Bus Specification 3.0, 6.1 (type 0 header):
 * vendor/device at 0x00, command at 0x04, class/subclass/prog-if at
 * 0x08..0x0B, header type at 0x0E, BARs at 0x10..0x24 (6.2.5.1: bit 0 = 1
 * for I/O space; memory BARs with type 10b take two dwords).
 */
#include <stdbool.h>
#include <stdint.h>

#include "flank/intrinsics.h"
#include "flank/vmm_pci_serial.h"

#define CFG_ENABLE 0x80000000u
#define CFG_VENDOR_DEVICE 0x00u
#define CFG_COMMAND 0x04u
#define CFG_CLASS 0x08u
#define CFG_HEADER 0x0Cu
#define CFG_BAR0 0x10u
#define CMD_IO 0x0001u
#define HDR_MULTI 0x80u
#define HDR_TYPE_MASK 0x7Fu
#define CLASS_COMM 0x07u
#define SUBCLASS_SERIAL 0x00u
#define PROGIF_16550 0x02u
#define PROGIF_16950 0x06u
#define BAR_IO 0x1u
#define BAR_MEM_TYPE_MASK 0x6u
#define BAR_MEM_64 0x4u

const char *vmm_pci_serial_status_str(enum vmm_pci_serial_status status)
{
	switch (status) {
	case VMM_PCI_SERIAL_FOUND:
		return "found a 16550-compatible PCI serial port with an I/O "
		       "BAR";
	case VMM_PCI_SERIAL_NONE:
		return "no 16550-compatible PCI serial port (class 07, "
		       "subclass 00, prog-if 02..06) found: fit one, or use "
		       "COM1";
	case VMM_PCI_SERIAL_MMIO_ONLY:
		return "the PCI serial port found has only memory (MMIO) BARs; "
		       "Flank drives UARTs through I/O ports only: use a card "
		       "with an I/O BAR";
	case VMM_PCI_SERIAL_NO_MECHANISM:
		return "PCI configuration mechanism #1 (ports 0xCF8/0xCFC) "
		       "does not respond: no PCI serial discovery";
	case VMM_PCI_SERIAL_BAD_ARGUMENT:
		return "bad argument to the PCI serial scan";
	}
	return "unknown PCI serial status";
}

static uint32_t cfg_address(uint8_t bus, uint8_t dev, uint8_t fn,
			    uint8_t offset)
{
	return CFG_ENABLE | ((uint32_t)bus << 16) | ((uint32_t)dev << 11) |
	       ((uint32_t)fn << 8) | (offset & 0xFCu);
}

static uint32_t cfg_read(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t offset)
{
	cpu_outl(VMM_PCI_CONFIG_ADDRESS, cfg_address(bus, dev, fn, offset));
	return cpu_inl(VMM_PCI_CONFIG_DATA);
}

static void cfg_write(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t offset,
		      uint32_t value)
{
	cpu_outl(VMM_PCI_CONFIG_ADDRESS, cfg_address(bus, dev, fn, offset));
	cpu_outl(VMM_PCI_CONFIG_DATA, value);
}

/* Mechanism #1 is there if 0xCF8 holds what was written to it. */
static bool mechanism1_present(void)
{
	cpu_outl(VMM_PCI_CONFIG_ADDRESS, CFG_ENABLE);
	return cpu_inl(VMM_PCI_CONFIG_ADDRESS) == CFG_ENABLE;
}

static bool accepted_uart(uint32_t class_reg)
{
	uint8_t cls = (uint8_t)(class_reg >> 24);
	uint8_t sub = (uint8_t)(class_reg >> 16);
	uint8_t pif = (uint8_t)(class_reg >> 8);

	return cls == CLASS_COMM && sub == SUBCLASS_SERIAL &&
	       pif >= PROGIF_16550 && pif <= PROGIF_16950;
}

/*
 * Looks at the BARs of an accepted UART. Returns true and fills the I/O
 * port if one is an I/O BAR with a port assigned; otherwise remembers the
 * first MMIO BAR in @p mmio / @p mmio_bar (bar index 6 = none).
 */
static bool find_io_bar(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t *port,
			uint8_t *io_bar, uint64_t *mmio, uint8_t *mmio_bar)
{
	*mmio_bar = 6;
	for (uint8_t i = 0; i < 6; i++) {
		uint32_t bar =
			cfg_read(bus, dev, fn, (uint8_t)(CFG_BAR0 + 4u * i));

		if ((bar & BAR_IO) != 0) {
			uint32_t base = bar & 0xFFFCu;
			/* Port 0 is an unassigned BAR; ports near 0xFFFF
			 * leave no room for the 8 registers. */
			if (base != 0 && base <= 0xFFF8u) {
				*port = (uint16_t)base;
				*io_bar = i;
				return true;
			}
			continue;
		}
		if (bar == 0)
			continue; /* Unimplemented BAR. */
		uint64_t addr = bar & ~0xFull;
		bool is64 = (bar & BAR_MEM_TYPE_MASK) == BAR_MEM_64;
		if (is64 && i < 5) {
			addr |= (uint64_t)cfg_read(
					bus, dev, fn,
					(uint8_t)(CFG_BAR0 + 4u * (i + 1u)))
				<< 32;
		}
		if (*mmio_bar == 6) {
			*mmio = addr;
			*mmio_bar = i;
		}
		if (is64)
			i++; /* The upper half is not a BAR of its own. */
	}
	return false;
}

/*
 * Examines one present function. Returns true when it is the UART to use
 * (out is filled and the scan stops).
 */
static bool examine(struct vmm_pci_serial *out, uint8_t bus, uint8_t dev,
		    uint8_t fn, uint32_t id, uint8_t header)
{
	uint32_t class_reg = cfg_read(bus, dev, fn, CFG_CLASS);
	uint16_t port = 0;
	uint8_t io_bar = 0, mmio_bar = 6;
	uint64_t mmio = 0;

	out->functions++;
	if ((header & HDR_TYPE_MASK) != 0 || !accepted_uart(class_reg))
		return false;
	out->uarts++;
	if (!find_io_bar(bus, dev, fn, &port, &io_bar, &mmio, &mmio_bar)) {
		if (out->mmio_only++ == 0) {
			out->bus = bus;
			out->dev = dev;
			out->fn = fn;
			out->vendor = (uint16_t)id;
			out->device = (uint16_t)(id >> 16);
			out->prog_if = (uint8_t)(class_reg >> 8);
			out->bar = mmio_bar;
			out->mmio_base = mmio;
		}
		return false;
	}

	out->bus = bus;
	out->dev = dev;
	out->fn = fn;
	out->vendor = (uint16_t)id;
	out->device = (uint16_t)(id >> 16);
	out->prog_if = (uint8_t)(class_reg >> 8);
	out->bar = io_bar;
	out->io_port = port;
	out->mmio_base = 0;
	uint32_t cmd = cfg_read(bus, dev, fn, CFG_COMMAND);
	if ((cmd & CMD_IO) == 0) {
		/* Write back the command half only: status bits are RW1C. */
		cfg_write(bus, dev, fn, CFG_COMMAND, (cmd & 0xFFFFu) | CMD_IO);
		out->io_enabled_now = true;
	}
	return true;
}

enum vmm_pci_serial_status vmm_pci_serial_find(struct vmm_pci_serial *out,
					       uint8_t last_bus)
{
	enum vmm_pci_serial_status st = VMM_PCI_SERIAL_NONE;
	uint32_t saved;

	if (out == NULL)
		return VMM_PCI_SERIAL_BAD_ARGUMENT;
	out->bus = out->dev = out->fn = out->prog_if = out->bar = 0;
	out->vendor = out->device = out->io_port = 0;
	out->io_enabled_now = false;
	out->mmio_base = 0;
	out->functions = out->uarts = out->mmio_only = 0;

	saved = cpu_inl(VMM_PCI_CONFIG_ADDRESS);
	if (!mechanism1_present()) {
		cpu_outl(VMM_PCI_CONFIG_ADDRESS, saved);
		return VMM_PCI_SERIAL_NO_MECHANISM;
	}

	for (uint32_t bus = 0; bus <= last_bus; bus++) {
		for (uint8_t dev = 0; dev < 32; dev++) {
			uint8_t nfn = 1;
			for (uint8_t fn = 0; fn < nfn; fn++) {
				uint32_t id = cfg_read((uint8_t)bus, dev, fn,
						       CFG_VENDOR_DEVICE);
				if ((id & 0xFFFFu) == 0xFFFFu)
					continue; /* No such function. */
				uint8_t header =
					(uint8_t)(cfg_read((uint8_t)bus, dev,
							   fn, CFG_HEADER) >>
						  16);
				if (fn == 0 && (header & HDR_MULTI) != 0)
					nfn = 8;
				if (examine(out, (uint8_t)bus, dev, fn, id,
					    header)) {
					st = VMM_PCI_SERIAL_FOUND;
					goto out_restore;
				}
			}
		}
	}
	if (out->mmio_only > 0)
		st = VMM_PCI_SERIAL_MMIO_ONLY;
out_restore:
	cpu_outl(VMM_PCI_CONFIG_ADDRESS, saved);
	return st;
}
