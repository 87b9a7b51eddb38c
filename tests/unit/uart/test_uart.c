// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The 16550 driver (libvmm/src/uart16550.c) and the console's serial mirror
 * (libvmm/src/console.c) against the modelled 16550 of the emulator.
 */
#include <stdlib.h>
#include <string.h>

#include "flank/mock_uart16550.h"
#include "flank/vmm_console.h"
#include "flank/vmm_uart.h"
#include "flank_test.h"
#include "mock_fixture.h"

static struct mock_uart *dev;

static int setup(void **state)
{
	mock_fixture_setup(state);
	dev = mock_uart_create(VMM_UART_COM1);
	assert_non_null(dev);
	return 0;
}

static int teardown(void **state)
{
	vmm_console_detach();
	mock_uart_destroy(dev);
	dev = NULL;
	return mock_fixture_teardown(state);
}

static void assert_wire(const char *want)
{
	size_t len;
	const uint8_t *tx = mock_uart_tx(dev, &len);
	assert_int_equal(len, strlen(want));
	if (len > 0)
		assert_memory_equal(tx, want, len);
}

static struct mock_uart_state dev_state(void)
{
	struct mock_uart_state s;
	mock_uart_get_state(dev, &s);
	return s;
}

/* Init programs 8N1, the divisor, FIFO on and cleared, interrupts off. */
static void test_uart_init_programs_registers(void **state)
{
	struct vmm_uart u;
	(void)state;
	assert_int_equal(vmm_uart_init(&u, VMM_UART_COM1, 115200), VMM_UART_OK);
	struct mock_uart_state s = dev_state();
	assert_true(u.enabled);
	assert_true(u.fifo);
	assert_int_equal(s.ier, 0);
	assert_int_equal(s.lcr, 0x03);
	assert_int_equal(s.divisor, 1);
	assert_true(s.fifo_enabled);
	assert_int_equal(s.fcr, 0xC7);
	assert_int_equal(s.mcr, 0x03); /* DTR, RTS; OUT2 (IRQ gate) off */
	assert_wire("");
}

/* The divisor is 115200 / baud for every rate that divides 115200. */
static void test_uart_divisors(void **state)
{
	static const struct {
		uint32_t baud;
		uint16_t div;
	} cases[] = {{115200, 1}, {57600, 2}, {38400, 3}, {19200, 6},
		     {9600, 12},  {2400, 48}, {300, 384}, {50, 2304}};
	struct vmm_uart u;
	(void)state;
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(cases); i++) {
		assert_int_equal(
			vmm_uart_init(&u, VMM_UART_COM1, cases[i].baud),
			VMM_UART_OK);
		assert_int_equal(dev_state().divisor, cases[i].div);
		assert_int_equal(dev_state().lcr, 0x03);
	}
}

/* Bad arguments are refused before a single OUT reaches the port. */
static void test_uart_bad_arguments(void **state)
{
	struct vmm_uart u;
	(void)state;
	mock_trace_clear();
	assert_int_equal(vmm_uart_init(NULL, VMM_UART_COM1, 115200),
			 VMM_UART_BAD_ARGUMENT);
	assert_int_equal(vmm_uart_init(&u, 0, 115200), VMM_UART_BAD_ARGUMENT);
	assert_int_equal(vmm_uart_init(&u, 0xFFF9, 115200),
			 VMM_UART_BAD_ARGUMENT);
	static const uint32_t bad[] = {0, 7, 1000, 230400, 115201};
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(bad); i++)
		assert_int_equal(vmm_uart_init(&u, VMM_UART_COM1, bad[i]),
				 VMM_UART_BAD_BAUD);
	assert_false(u.enabled);
	assert_int_equal(mock_call_count(MOCK_OP_OUT), 0);
	assert_int_equal(vmm_uart_write(&u, "x", 1), 0);
	assert_int_equal(vmm_uart_write(NULL, "x", 1), 0);
	assert_wire("");
}

/* An empty port (bus floats to 0xFF) is reported, and output stays off. */
static void test_uart_not_found(void **state)
{
	struct vmm_uart u;
	(void)state;
	assert_int_equal(vmm_uart_init(&u, VMM_UART_COM2, 115200),
			 VMM_UART_NOT_FOUND);
	assert_false(u.enabled);
	assert_int_equal(vmm_uart_write(&u, "lost", 4), 0);
}

/* A device that is not a UART (no scratch register) is not taken for one. */
static uint32_t zero_read(void *ctx, uint16_t port, unsigned size)
{
	(void)ctx, (void)port, (void)size;
	return 0;
}

static void ignore_write(void *ctx, uint16_t port, unsigned size, uint32_t v)
{
	(void)ctx, (void)port, (void)size, (void)v;
}

static void test_uart_not_a_uart(void **state)
{
	struct vmm_uart u;
	(void)state;
	assert_int_equal(
		mock_io_register(0x2E8, 8, zero_read, ignore_write, NULL), 0);
	assert_int_equal(vmm_uart_init(&u, VMM_UART_COM4, 115200),
			 VMM_UART_NOT_FOUND);
	assert_false(u.enabled);
	mock_io_unregister(0x2E8);
}

/*
 * Bytes go out in order, "\n" as "\r\n", with one LSR poll per 16 bytes
 * (FIFO) and never a THR write without THRE credit.
 */
static void test_uart_transmit_honours_line_status(void **state)
{
	struct vmm_uart u;
	char msg[101];
	(void)state;
	assert_int_equal(vmm_uart_init(&u, VMM_UART_COM1, 115200), VMM_UART_OK);
	mock_uart_tx_clear(dev);
	assert_int_equal(vmm_uart_write(&u, "hi\nyou", 6), 6);
	assert_wire("hi\r\nyou");
	assert_int_equal(u.sent, 7);
	assert_int_equal(dev_state().lsr_reads, 1);

	mock_uart_tx_clear(dev);
	for (size_t i = 0; i < 100; i++)
		msg[i] = (char)('a' + i % 26);
	msg[100] = '\0';
	assert_int_equal(vmm_uart_write(&u, msg, 100), 100);
	assert_wire(msg);
	struct mock_uart_state s = dev_state();
	assert_int_equal(s.lsr_reads, 7); /* ceil(100 / 16) */
	assert_int_equal(s.violations, 0);
	assert_int_equal(s.overruns, 0);
	assert_int_equal(s.bad_line_tx, 0);
	assert_int_equal(u.dropped, 0);
}

/* A 16450 (no FIFO) gets one byte per THRE poll. */
static void test_uart_no_fifo_one_byte_per_poll(void **state)
{
	struct vmm_uart u;
	(void)state;
	mock_uart_set_no_fifo(dev, true);
	assert_int_equal(vmm_uart_init(&u, VMM_UART_COM1, 9600), VMM_UART_OK);
	assert_false(u.fifo);
	mock_uart_tx_clear(dev);
	assert_int_equal(vmm_uart_write(&u, "abcde", 5), 5);
	assert_wire("abcde");
	assert_int_equal(dev_state().lsr_reads, 5);
	assert_int_equal(dev_state().violations, 0);
}

/* A transmitter busy for a while is waited for, within the bound. */
static void test_uart_busy_then_free(void **state)
{
	struct vmm_uart u;
	(void)state;
	assert_int_equal(vmm_uart_init(&u, VMM_UART_COM1, 115200), VMM_UART_OK);
	mock_uart_tx_clear(dev);
	mock_uart_busy_polls(dev, 50);
	assert_int_equal(vmm_uart_write(&u, "abc", 3), 3);
	assert_wire("abc");
	assert_int_equal(dev_state().lsr_reads, 51);
	assert_int_equal(u.timeouts, 0);
	assert_int_equal(dev_state().violations, 0);
}

/*
 * A transmitter that stays busy costs one bounded wait (spin_limit polls)
 * per call, not per byte; the bytes are dropped and counted; once it is
 * free again output resumes.
 */
static void test_uart_busy_timeout_drops_and_counts(void **state)
{
	struct vmm_uart u;
	(void)state;
	assert_int_equal(vmm_uart_init(&u, VMM_UART_COM1, 115200), VMM_UART_OK);
	u.spin_limit = 100;
	mock_uart_tx_clear(dev);
	mock_uart_hold_busy(dev, true);
	assert_int_equal(vmm_uart_write(&u, "hello", 5), 0);
	assert_int_equal(dev_state().lsr_reads, 100);
	assert_int_equal(mock_call_count(MOCK_OP_PAUSE) >= 100, 1);
	assert_int_equal(u.timeouts, 1);
	assert_int_equal(u.dropped, 5);
	assert_int_equal(u.sent, 0);
	assert_wire("");
	mock_uart_hold_busy(dev, false);
	assert_int_equal(vmm_uart_write(&u, "ok", 2), 2);
	assert_wire("ok");
	assert_int_equal(dev_state().violations, 0);
}

/* A line that stalls mid-message: what was sent stays, the rest counted. */
static void test_uart_stall_mid_message(void **state)
{
	struct vmm_uart u;
	(void)state;
	assert_int_equal(vmm_uart_init(&u, VMM_UART_COM1, 115200), VMM_UART_OK);
	u.spin_limit = 10;
	mock_uart_tx_clear(dev);
	mock_uart_hold_busy_after(dev, 16);
	assert_int_equal(vmm_uart_write(&u, "0123456789abcdefXYZW", 20), 16);
	assert_wire("0123456789abcdef");
	assert_int_equal(u.dropped, 4);
	assert_int_equal(u.timeouts, 1);
	assert_int_equal(dev_state().overruns, 0);
	assert_int_equal(dev_state().violations, 0);
}

/* Status strings exist for every value and differ. */
static void test_uart_status_strings(void **state)
{
	(void)state;
	for (int a = 0; a <= VMM_UART_NOT_FOUND; a++)
		for (int b = a + 1; b <= VMM_UART_NOT_FOUND; b++)
			assert_string_not_equal(vmm_uart_status_str(a),
						vmm_uart_status_str(b));
	assert_string_equal(vmm_uart_status_str(99), "unknown UART status");
}

/* Every console line lands in the ring and, identically, on the wire. */
static void test_uart_console_mirrors_ring(void **state)
{
	struct vmm_uart u;
	size_t size = (size_t)17 * VMM_RING_SLOT_SIZE;
	void *mem = aligned_alloc(64, size);
	char buf[256];
	uint64_t pos = 0;
	(void)state;
	assert_int_equal(vmm_uart_init(&u, VMM_UART_COM1, 115200), VMM_UART_OK);
	mock_uart_tx_clear(dev);
	vmm_console_attach(vmm_ring_init(mem, size), &u);
	assert_int_equal(vmm_console_printf(2, FLANK_LOG_INFO, "hello %d", 7),
			 0);
	assert_int_equal(vmm_console_write(0, FLANK_LOG_ERROR, "bad"), 1);
	size_t n = vmm_console_ring_read(&pos, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	assert_string_equal(buf,
			    "[0] cpu2 info: hello 7\n[1] cpu0 error: bad\n");
	assert_wire("[0] cpu2 info: hello 7\r\n[1] cpu0 error: bad\r\n");
	assert_int_equal(vmm_console_serial_skipped(), 0);
	/* Without a UART the ring still gets everything. */
	vmm_console_attach(vmm_console_ring(), NULL);
	assert_int_equal(vmm_console_write(0, FLANK_LOG_DEBUG, "quiet"), 2);
	assert_int_equal(vmm_console_write(0, FLANK_LOG_DEBUG, NULL),
			 UINT64_MAX);
	assert_wire("[0] cpu2 info: hello 7\r\n[1] cpu0 error: bad\r\n");
	vmm_console_detach();
	assert_int_equal(vmm_console_write(0, FLANK_LOG_DEBUG, "gone"),
			 UINT64_MAX);
	assert_int_equal(vmm_console_printf(0, FLANK_LOG_DEBUG, "gone"),
			 UINT64_MAX);
	assert_int_equal(vmm_console_ring_read(&pos, buf, sizeof(buf)), 0);
	free(mem);
}

/*
 * An "NMI" that logs while its own CPU is in the middle of a serial line
 * (modelled: the UART's LSR read logs again) must not wait for itself: its
 * line goes to the ring, skips the serial port and is counted. A line from
 * another CPU waits a bounded time and then skips too.
 */
static struct vmm_uart nest_uart;
static unsigned nest_depth;
static uint32_t nest_cpu;
static uint8_t nest_scr;

static void nest_write(void *ctx, uint16_t port, unsigned size, uint32_t v)
{
	(void)ctx, (void)size;
	if (port - 0x2F8 == UART_SCR)
		nest_scr = (uint8_t)v;
}

static uint32_t nest_read(void *ctx, uint16_t port, unsigned size)
{
	(void)ctx, (void)size;
	if (port - 0x2F8 == UART_LSR) {
		if (nest_depth++ == 0)
			vmm_console_printf(nest_cpu, FLANK_LOG_WARN, "nmi");
		return UART_LSR_THRE;
	}
	if (port - 0x2F8 == UART_SCR)
		return nest_scr;
	return 0;
}

static void test_uart_console_never_waits_for_itself(void **state)
{
	size_t size = (size_t)17 * VMM_RING_SLOT_SIZE;
	void *mem = aligned_alloc(64, size);
	struct vmm_ring *ring = vmm_ring_init(mem, size);
	struct vmm_ring_record rec;
	uint64_t pos = 0, lost;
	(void)state;
	assert_int_equal(
		mock_io_register(0x2F8, 8, nest_read, nest_write, NULL), 0);
	nest_depth = 1; /* no nesting during init's probe */
	assert_int_equal(vmm_uart_init(&nest_uart, 0x2F8, 115200), VMM_UART_OK);
	vmm_console_attach(ring, &nest_uart);

	nest_depth = 0;
	nest_cpu = 0; /* the same CPU */
	vmm_console_write(0, FLANK_LOG_INFO, "outer");
	assert_int_equal(vmm_console_serial_skipped(), 1);
	assert_int_equal(vmm_ring_read(ring, &pos, &rec, &lost),
			 VMM_RING_READ_RECORD);
	assert_string_equal(rec.text, "outer");
	assert_int_equal(vmm_ring_read(ring, &pos, &rec, &lost),
			 VMM_RING_READ_RECORD);
	assert_string_equal(rec.text, "nmi");

	nest_depth = 0;
	nest_cpu = 1; /* another CPU: bounded wait, then skip */
	mock_trace_clear();
	vmm_console_write(0, FLANK_LOG_INFO, "outer2");
	assert_int_equal(vmm_console_serial_skipped(), 2);
	assert_true(mock_call_count(MOCK_OP_PAUSE) >= VMM_CONSOLE_SERIAL_TRIES);
	mock_io_unregister(0x2F8);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_uart_init_programs_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uart_divisors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_uart_bad_arguments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_uart_not_found, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_uart_not_a_uart, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_uart_transmit_honours_line_status, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_uart_no_fifo_one_byte_per_poll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uart_busy_then_free, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_uart_busy_timeout_drops_and_counts, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_uart_stall_mid_message,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_uart_status_strings, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_uart_console_mirrors_ring,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_uart_console_never_waits_for_itself, setup,
			teardown),
	};
	return FLANK_RUN_TESTS(tests);
}
