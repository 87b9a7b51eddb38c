// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The serial settings of the platform table (flank/image_abi.h): checked
 * at init before anything changes, then the UART is found (a PCI card when
 * asked, else or failing that the legacy port), programmed and attached to
 * the console next to the debug ring. A UART that is not there is not an
 * error: the VMM logs why and keeps logging to the ring only, because
 * serial output is a debugging aid that must never stop the VMM loading.
 */
#include "flank/vmm_console.h"
#include "flank/vmm_pci_serial.h"
#include "flank/vmm_uart.h"
#include "vmm_internal.h"

/* The UART the console mirrors to; lives from init to fini. */
static struct vmm_uart serial_uart;

int vmm_serial_check(const struct flank_platform *p)
{
	uint32_t baud = p->serial_baud;

	if ((p->serial_flags & ~FLANK_SERIAL_PCI) != 0)
		return VMM_ERR_SERIAL_CONFIG;
	if (p->serial_port > 0xFFF8u)
		return VMM_ERR_SERIAL_CONFIG;
	/* The 16550 divides 1.8432 MHz / 16 = 115200 by an integer. */
	if (baud != 0 &&
	    (baud > VMM_UART_BASE_BAUD || VMM_UART_BASE_BAUD % baud != 0))
		return VMM_ERR_SERIAL_CONFIG;
	return VMM_OK;
}

/* Logs what the PCI scan found (after the attach, so it is on the wire). */
static void log_pci(enum vmm_pci_serial_status st,
		    const struct vmm_pci_serial *found, uint16_t port)
{
	if (st == VMM_PCI_SERIAL_FOUND)
		vmm_logf(FLANK_LOG_INFO,
			 "serial: PCI UART %02x:%02x.%x (%04x:%04x), I/O BAR "
			 "%u%s",
			 found->bus, found->dev, found->fn, found->vendor,
			 found->device, found->bar,
			 found->io_enabled_now ? ", I/O decoding turned on"
					       : "");
	else
		/* Ring records hold 104 bytes: the verdict first. */
		vmm_logf(FLANK_LOG_WARN, "serial: no PCI UART, %s: %s",
			 port != 0 ? "using serial_port" : "serial off",
			 vmm_pci_serial_status_str(st));
}

void vmm_serial_start(struct vmm_ring *ring, const struct flank_platform *p)
{
	uint32_t baud = p->serial_baud ? p->serial_baud : VMM_UART_DEFAULT_BAUD;
	bool pci = (p->serial_flags & FLANK_SERIAL_PCI) != 0;
	enum vmm_pci_serial_status pst = VMM_PCI_SERIAL_NONE;
	struct vmm_pci_serial found;
	uint16_t port = p->serial_port;
	enum vmm_uart_status st;

	vmm_zero(&serial_uart, sizeof(serial_uart));
	vmm_zero(&found, sizeof(found));
	if (pci) {
		pst = vmm_pci_serial_find(&found, 255);
		if (pst == VMM_PCI_SERIAL_FOUND)
			port = found.io_port;
	}
	st = port != 0 ? vmm_uart_init(&serial_uart, port, baud)
		       : VMM_UART_NOT_FOUND;
	if (st == VMM_UART_OK)
		vmm_console_attach(ring, &serial_uart);
	/* The first lines on the wire say what it is. */
	if (pci)
		log_pci(pst, &found, port);
	if (st == VMM_UART_OK)
		vmm_logf(FLANK_LOG_INFO,
			 "serial: 16550 at port 0x%x, %u baud 8N1%s", port,
			 baud, serial_uart.fifo ? ", FIFO on" : ", no FIFO");
	else if (port != 0)
		vmm_logf(FLANK_LOG_WARN, "serial: port 0x%x not used: %s", port,
			 vmm_uart_status_str(st));
}

void vmm_serial_stop(void)
{
	vmm_zero(&serial_uart, sizeof(serial_uart));
}

const struct vmm_uart *vmm_serial_uart(void)
{
	return serial_uart.enabled ? &serial_uart : NULL;
}
