// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Serial output at load time: the serial settings of struct flank_platform
 * (serial_port, serial_baud, serial_flags) on the emulated machine, whose
 * 16550s (intrinsics/mock/dev_uart16550.c) record every byte sent and
 * whose PCI configuration space (dev_pci.c) holds the cards a test adds.
 */
#include <stdlib.h>

#include "flank/mock_pci.h"
#include "flank/mock_uart16550.h"
#include "flank/vmm_console.h"
#include "flank/vmm_uart.h"
#include "libvmm_fixture.h"

#define PCI_UART_PORT 0xE000u

static struct mock_uart *com1;
static struct mock_pci *pci;

/* One CPU, COM1 present, the platform filled but not bound yet. */
static int setup(void **state)
{
	(void)state;
	fixture_reset();
	assert_int_equal(mock_init("skylake", 1), 0);
	mock_set_exception_handler(fixture_exception);
	mock_set_exit_handlers(vmm_exit_handler, vmm_exit_resume_failed);
	test_platform_init(&tp);
	com1 = mock_uart_create(VMM_UART_COM1);
	assert_non_null(com1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mock_uart_destroy(com1);
	com1 = NULL;
	mock_pci_destroy(pci);
	pci = NULL;
	fixture_down();
	return 0;
}

/* What @p dev sent so far, as a string (a fresh static copy). */
static const char *wire(const struct mock_uart *dev)
{
	static char text[65536];
	size_t len = 0;
	const uint8_t *tx = mock_uart_tx(dev, &len);

	assert_true(len < sizeof(text));
	memcpy(text, tx, len);
	text[len] = '\0';
	return text;
}

static size_t wire_len(const struct mock_uart *dev)
{
	size_t len = 0;

	(void)mock_uart_tx(dev, &len);
	return len;
}

static struct mock_uart_state regs(const struct mock_uart *dev)
{
	struct mock_uart_state s;

	mock_uart_get_state(dev, &s);
	return s;
}

/* Off (port 0, no flags): the UART is never touched, lines stay in the
 * ring and the host log. */
static void test_vmm_serial_off(void **state)
{
	(void)state;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	vmm_logf(FLANK_LOG_INFO, "only in the ring %d", 1);
	assert_int_equal(wire_len(com1), 0);
	assert_int_equal(regs(com1).lsr_reads, 0);
	assert_int_equal(regs(com1).lcr, 0);
	assert_null(vmm_serial_uart());
	assert_true(test_platform_log_has(&tp, "only in the ring 1"));
}

/* COM1 at the default baud: programmed 8N1, divisor 1, and every log line
 * (the first says what the port is) reaches the wire as the ring shows
 * it; after fini nothing more is sent. */
static void test_vmm_serial_com1(void **state)
{
	struct mock_uart_state s;
	uint64_t pos = 0;
	char ring[512];

	(void)state;
	tp.p.serial_port = VMM_UART_COM1;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	s = regs(com1);
	assert_int_equal(s.lcr, UART_LCR_8N1);
	assert_int_equal(s.divisor, 1);
	assert_int_equal(s.ier, 0);
	assert_true(s.fifo_enabled);
	assert_non_null(strstr(wire(com1), "info: serial: 16550 at port 0x3f8, "
					   "115200 baud 8N1, FIFO on\r\n"));
	vmm_logf(FLANK_LOG_ERROR, "to the wire %d", 42);
	assert_non_null(strstr(wire(com1), "error: to the wire 42\r\n"));
	/* The same text as the ring reader (flankctl dump) shows. */
	assert_true(vmm_console_ring_read(&pos, ring, sizeof(ring)) > 0);
	assert_non_null(strstr(ring, "error: to the wire 42"));
	assert_int_equal(s.violations, 0);
	assert_non_null(vmm_serial_uart());

	assert_int_equal(vmm_fini(), VMM_OK);
	mock_uart_tx_clear(com1);
	vmm_logf(FLANK_LOG_ERROR, "after fini");
	assert_int_equal(wire_len(com1), 0);
	assert_null(vmm_serial_uart());
}

/* A start on a configured port is visible on the wire (whatever start
 * logs goes there too), and serial_baud sets the divisor. */
static void test_vmm_serial_baud_and_start(void **state)
{
	uint32_t failed = 0;
	size_t before;

	(void)state;
	tp.p.serial_port = VMM_UART_COM1;
	tp.p.serial_baud = 9600;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_int_equal(regs(com1).divisor, 12);
	assert_non_null(strstr(wire(com1), "9600 baud"));
	before = wire_len(com1);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	vmm_logf(FLANK_LOG_WARN, "after a start and a stop");
	assert_true(wire_len(com1) > before);
	assert_non_null(strstr(wire(com1), "warn: after a start and a stop"));
}

/* A port where nothing answers: init succeeds, says why in the log, and
 * nothing is sent anywhere. */
static void test_vmm_serial_no_uart(void **state)
{
	(void)state;
	tp.p.serial_port = VMM_UART_COM2;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_true(test_platform_log_has(&tp, "serial: port 0x2f8 not used"));
	assert_null(vmm_serial_uart());
	vmm_logf(FLANK_LOG_INFO, "nowhere");
	assert_int_equal(wire_len(com1), 0);
}

/* Invalid settings are refused before anything changes: state stays
 * UNLOADED, no port is touched. */
static void test_vmm_serial_bad_settings(void **state)
{
	static const struct {
		uint16_t port, flags;
		uint32_t baud;
	} bad[] = {
		{VMM_UART_COM1, 0, 1000},   /* does not divide 115200 */
		{VMM_UART_COM1, 0, 230400}, /* faster than the base clock */
		{VMM_UART_COM1, 0x2, 0},    /* unknown flag */
		{0, 0x8000, 0},		    /* unknown flag, serial off */
		{0xFFF9, 0, 0},		    /* no room for 8 registers */
	};

	(void)state;
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(bad); i++) {
		tp.p.serial_port = bad[i].port;
		tp.p.serial_flags = bad[i].flags;
		tp.p.serial_baud = bad[i].baud;
		assert_int_equal(vmm_init(&tp.p), VMM_ERR_SERIAL_CONFIG);
		assert_int_equal(vmm_state(), FLANK_STATE_UNLOADED);
	}
	assert_int_equal(regs(com1).lsr_reads, 0);
	assert_int_equal(regs(com1).lcr, 0);
	assert_non_null(strstr(vmm_status_str(VMM_ERR_SERIAL_CONFIG),
			       "serial_baud must divide 115200"));
	/* A baud that serial-off ignores is still checked: a typo shows. */
	tp.p.serial_port = 0;
	tp.p.serial_flags = 0;
	tp.p.serial_baud = 7;
	assert_int_equal(vmm_init(&tp.p), VMM_ERR_SERIAL_CONFIG);
}

/* A PCI card with a 16550 at an I/O BAR */
static void add_pci_uart(void)
{
	struct mock_pci_function f;

	memset(&f, 0, sizeof(f));
	f.vendor = 0x1415;
	f.device = 0xC158;
	f.class_code = 0x07;
	f.subclass = 0x00;
	f.prog_if = 0x02;
	f.command = 0x0001;
	f.bar[0] = PCI_UART_PORT | 1u;
	assert_int_equal(mock_pci_add(pci, 0, 3, 0, &f), 0);
}

/* serial_pci: the PCI UART wins over serial_port, and lines go there. */
static void test_vmm_serial_pci(void **state)
{
	struct mock_uart *card;

	(void)state;
	pci = mock_pci_create();
	assert_non_null(pci);
	add_pci_uart();
	card = mock_uart_create(PCI_UART_PORT);
	assert_non_null(card);
	tp.p.serial_port = VMM_UART_COM1;
	tp.p.serial_flags = FLANK_SERIAL_PCI;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_non_null(strstr(wire(card), "serial: PCI UART 00:03.0 "
					   "(1415:c158), I/O BAR 0\r\n"));
	assert_non_null(strstr(wire(card), "serial: 16550 at port 0xe000"));
	vmm_logf(FLANK_LOG_INFO, "over the card");
	assert_non_null(strstr(wire(card), "info: over the card\r\n"));
	assert_int_equal(wire_len(com1), 0);
	assert_int_equal(vmm_fini(), VMM_OK);
	mock_uart_destroy(card);
}

/* serial_pci without a card: falls back to serial_port, saying so; with
 * serial_port 0 as well, no serial at all. */
static void test_vmm_serial_pci_fallback(void **state)
{
	(void)state;
	pci = mock_pci_create(); /* Mechanism #1, no devices. */
	assert_non_null(pci);
	tp.p.serial_port = VMM_UART_COM1;
	tp.p.serial_flags = FLANK_SERIAL_PCI;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_non_null(strstr(wire(com1), "warn: serial: no PCI UART, using "
					   "serial_port: no 16550-compatible"));
	assert_non_null(strstr(wire(com1), "serial: 16550 at port 0x3f8"));
	assert_int_equal(vmm_fini(), VMM_OK);

	mock_uart_tx_clear(com1);
	tp.p.serial_port = 0;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_null(vmm_serial_uart());
	assert_true(
		test_platform_log_has(&tp, "serial: no PCI UART, serial off"));
	vmm_logf(FLANK_LOG_INFO, "nowhere");
	assert_int_equal(wire_len(com1), 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vmm_serial_off),
		T(test_vmm_serial_com1),
		T(test_vmm_serial_baud_and_start),
		T(test_vmm_serial_no_uart),
		T(test_vmm_serial_bad_settings),
		T(test_vmm_serial_pci),
		T(test_vmm_serial_pci_fallback),
	};

	(void)fixture_up; /* Devices must exist before init: setup() here. */
	return FLANK_RUN_TESTS(tests);
}
