// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PCI serial discovery (libvmm/src/pci_serial.c) against the emulated
 * configuration space (intrinsics/mock/dev_pci.c).
 */
#include <string.h>

#include "flank/mock_pci.h"
#include "flank/vmm_pci_serial.h"
#include "flank_test.h"
#include "mock_fixture.h"

static struct mock_pci *pci;

static int setup(void **state)
{
	mock_fixture_setup(state);
	pci = mock_pci_create();
	assert_non_null(pci);
	return 0;
}

static int teardown(void **state)
{
	mock_pci_destroy(pci);
	pci = NULL;
	return mock_fixture_teardown(state);
}

static struct mock_pci_function uart_fn(uint8_t prog_if, uint32_t bar0)
{
	struct mock_pci_function f;
	memset(&f, 0, sizeof(f));
	f.vendor = 0x1415; /* Oxford Semiconductor */
	f.device = 0xC158;
	f.class_code = 0x07;
	f.subclass = 0x00;
	f.prog_if = prog_if;
	f.command = 0x0001;
	f.bar[0] = bar0;
	return f;
}

static struct mock_pci_function other_fn(uint8_t cls, uint8_t sub)
{
	struct mock_pci_function f;
	memset(&f, 0, sizeof(f));
	f.vendor = 0x8086;
	f.device = 0x100E;
	f.class_code = cls;
	f.subclass = sub;
	f.bar[0] = 0xFEB00000;
	f.bar[1] = 0xC001;
	return f;
}

/* Without mechanism #1 (nothing at 0xCF8) the scan says so. */
static void test_pci_serial_no_mechanism(void **state)
{
	struct vmm_pci_serial out;
	(void)state;
	mock_pci_destroy(pci);
	pci = NULL;
	assert_int_equal(vmm_pci_serial_find(&out, 255),
			 VMM_PCI_SERIAL_NO_MECHANISM);
	assert_int_equal(vmm_pci_serial_find(NULL, 255),
			 VMM_PCI_SERIAL_BAD_ARGUMENT);
}

/* Zero devices: NONE, after looking at every bus and device. */
static void test_pci_serial_zero_devices(void **state)
{
	struct vmm_pci_serial out;
	(void)state;
	assert_int_equal(vmm_pci_serial_find(&out, 255), VMM_PCI_SERIAL_NONE);
	assert_int_equal(out.functions, 0);
	assert_int_equal(out.uarts, 0);
	/* One vendor read per bus/device: function 0 absent, no others. */
	assert_int_equal(mock_pci_config_reads(pci), 256u * 32u);
}

/* One UART with an I/O BAR: found, with its port and location. */
static void test_pci_serial_one_device(void **state)
{
	struct vmm_pci_serial out;
	struct mock_pci_function f = uart_fn(0x02, 0xE001);
	(void)state;
	assert_int_equal(mock_pci_add(pci, 2, 3, 0, &f), 0);
	assert_int_equal(vmm_pci_serial_find(&out, 255), VMM_PCI_SERIAL_FOUND);
	assert_int_equal(out.bus, 2);
	assert_int_equal(out.dev, 3);
	assert_int_equal(out.fn, 0);
	assert_int_equal(out.io_port, 0xE000);
	assert_int_equal(out.bar, 0);
	assert_int_equal(out.vendor, 0x1415);
	assert_int_equal(out.device, 0xC158);
	assert_int_equal(out.prog_if, 0x02);
	assert_false(out.io_enabled_now);
	assert_int_equal(out.uarts, 1);
}

/*
 * Several devices: a network card, an MMIO-only UART, a single-function
 * device whose (unreachable) function 1 looks like a UART, and a
 * multi-function card whose function 2 is a UART behind a 64-bit MMIO BAR
 * and an I/O BAR. The scan skips the first three and takes function 2's
 * I/O BAR, enabling I/O decoding that was off.
 */
static void test_pci_serial_several_devices(void **state)
{
	struct vmm_pci_serial out;
	struct mock_pci_function net = other_fn(0x02, 0x00);
	struct mock_pci_function mmio = uart_fn(0x02, 0xFEA00000);
	struct mock_pci_function single = other_fn(0x06, 0x01);
	struct mock_pci_function hidden = uart_fn(0x02, 0xD001);
	struct mock_pci_function multi0 = other_fn(0x0C, 0x03);
	struct mock_pci_function card = uart_fn(0x02, 0xFD000004);
	(void)state;

	multi0.header_type = 0x80;
	card.bar[1] = 0x1; /* upper half of the 64-bit BAR, not I/O */
	card.bar[2] = 0x0; /* unimplemented */
	card.bar[3] = 0xB001;
	card.command = 0x0002; /* memory on, I/O off */
	assert_int_equal(mock_pci_add(pci, 0, 1, 0, &net), 0);
	assert_int_equal(mock_pci_add(pci, 0, 2, 0, &mmio), 0);
	assert_int_equal(mock_pci_add(pci, 0, 4, 0, &single), 0);
	assert_int_equal(mock_pci_add(pci, 0, 4, 1, &hidden), 0);
	assert_int_equal(mock_pci_add(pci, 0, 5, 0, &multi0), 0);
	assert_int_equal(mock_pci_add(pci, 0, 5, 2, &card), 0);
	assert_int_equal(mock_pci_add(pci, 0, 5, 2, &card), -1);

	assert_int_equal(vmm_pci_serial_find(&out, 255), VMM_PCI_SERIAL_FOUND);
	assert_int_equal(out.dev, 5);
	assert_int_equal(out.fn, 2);
	assert_int_equal(out.bar, 3);
	assert_int_equal(out.io_port, 0xB000);
	assert_true(out.io_enabled_now);
	assert_int_equal(mock_pci_command(pci, 0, 5, 2), 0x0003);
	assert_int_equal(out.functions,
			 5); /* net, mmio, single, multi0, card */
	assert_int_equal(out.uarts, 2);
	assert_int_equal(out.mmio_only, 1);
	assert_int_equal(out.mmio_base, 0);
}

/* Only MMIO BARs: a distinct status, naming the device and its BAR. */
static void test_pci_serial_mmio_only(void **state)
{
	struct vmm_pci_serial out;
	struct mock_pci_function a = uart_fn(0x02, 0);
	struct mock_pci_function b = uart_fn(0x06, 0xFE900000);
	(void)state;
	a.bar[1] = 0x0000000C | 0xC0000000u; /* 64-bit prefetchable */
	a.bar[2] = 0x12;
	a.bar[4] = 0x0001; /* I/O BAR without a port: unassigned */
	assert_int_equal(mock_pci_add(pci, 1, 0, 0, &a), 0);
	assert_int_equal(mock_pci_add(pci, 1, 1, 0, &b), 0);
	assert_int_equal(vmm_pci_serial_find(&out, 255),
			 VMM_PCI_SERIAL_MMIO_ONLY);
	assert_int_equal(out.bus, 1);
	assert_int_equal(out.dev, 0);
	assert_int_equal(out.bar, 1);
	assert_int_equal(out.mmio_base, 0x12C0000000ull);
	assert_int_equal(out.uarts, 2);
	assert_int_equal(out.mmio_only, 2);
	assert_int_equal(out.io_port, 0);
	assert_non_null(strstr(
		vmm_pci_serial_status_str(VMM_PCI_SERIAL_MMIO_ONLY), "MMIO"));
}

/*
 * What is accepted: class 07 subclass 00 with prog-if 02..06 in a type 0
 * header; 8250/16450 interfaces, multiport cards and bridges are not.
 */
static void test_pci_serial_acceptance(void **state)
{
	static const struct {
		uint8_t sub, pif, hdr;
		bool ok;
	} cases[] = {
		{0x00, 0x00, 0, false}, {0x00, 0x01, 0, false},
		{0x00, 0x02, 0, true},	{0x00, 0x03, 0, true},
		{0x00, 0x06, 0, true},	{0x00, 0x07, 0, false},
		{0x02, 0x02, 0, false}, {0x80, 0x02, 0, false},
		{0x00, 0x02, 1, false},
	};
	(void)state;
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(cases); i++) {
		struct vmm_pci_serial out;
		struct mock_pci_function f = uart_fn(cases[i].pif, 0x3001);
		f.subclass = cases[i].sub;
		f.header_type = cases[i].hdr;
		assert_int_equal(mock_pci_add(pci, (uint8_t)i, 0, 0, &f), 0);
		assert_int_equal(vmm_pci_serial_find(&out, (uint8_t)i),
				 cases[i].ok ? VMM_PCI_SERIAL_FOUND
					     : VMM_PCI_SERIAL_NONE);
		if (cases[i].ok) {
			assert_int_equal(out.bus, i);
			/* Remove it: the next case starts without a UART. */
			mock_pci_destroy(pci);
			pci = mock_pci_create();
		}
	}
}

/* The bus limit bounds the scan. */
static void test_pci_serial_bus_limit(void **state)
{
	struct vmm_pci_serial out;
	struct mock_pci_function f = uart_fn(0x02, 0x4001);
	(void)state;
	assert_int_equal(mock_pci_add(pci, 3, 31, 0, &f), 0);
	assert_int_equal(vmm_pci_serial_find(&out, 2), VMM_PCI_SERIAL_NONE);
	assert_int_equal(vmm_pci_serial_find(&out, 3), VMM_PCI_SERIAL_FOUND);
	assert_int_equal(out.dev, 31);
}

/* The scan leaves 0xCF8 as it found it. */
static void test_pci_serial_restores_address(void **state)
{
	struct vmm_pci_serial out;
	(void)state;
	cpu_outl(VMM_PCI_CONFIG_ADDRESS, 0x80001234u);
	(void)vmm_pci_serial_find(&out, 0);
	assert_int_equal(cpu_inl(VMM_PCI_CONFIG_ADDRESS), 0x80001234u);
}

/* Every status has its own text. */
static void test_pci_serial_status_strings(void **state)
{
	(void)state;
	for (int a = 0; a <= VMM_PCI_SERIAL_BAD_ARGUMENT; a++)
		for (int b = a + 1; b <= VMM_PCI_SERIAL_BAD_ARGUMENT; b++)
			assert_string_not_equal(vmm_pci_serial_status_str(a),
						vmm_pci_serial_status_str(b));
	assert_string_equal(vmm_pci_serial_status_str(42),
			    "unknown PCI serial status");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_pci_serial_no_mechanism),
		T(test_pci_serial_zero_devices),
		T(test_pci_serial_one_device),
		T(test_pci_serial_several_devices),
		T(test_pci_serial_mmio_only),
		T(test_pci_serial_acceptance),
		T(test_pci_serial_bus_limit),
		T(test_pci_serial_restores_address),
		T(test_pci_serial_status_strings),
	};
#undef T
	return FLANK_RUN_TESTS(tests);
}
