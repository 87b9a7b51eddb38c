// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Port I/O of the emulated VT-x with device hooks (SDM Vol. 2A IN, Vol. 2B
 * OUT), its VM exits through unconditional I/O exiting and the I/O bitmaps
 * (SDM Vol. 3C 26.1.3, 25.6.4, Table 28-5), and INVD, WBINVD, HLT, PAUSE
 * (Vol. 2A; Vol. 3C 26.1.2, 26.1.3).
 */
#include <string.h>

#include "flank_test.h"
#include "guest_helper.h"

struct dev {
	unsigned reads, writes;
	uint16_t last_port;
	unsigned last_size;
	uint32_t last_value;
};

static uint32_t dev_rd(void *ctx, uint16_t port, unsigned size)
{
	struct dev *d = ctx;
	d->reads++;
	d->last_port = port;
	d->last_size = size;
	return 0xA5A5A5A5u ^ port;
}

static void dev_wr(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
	struct dev *d = ctx;
	d->writes++;
	d->last_port = port;
	d->last_size = size;
	d->last_value = value;
}

static void set_cpl_iopl(unsigned cpl, unsigned iopl)
{
	struct mock_cpu_regs r;
	mock_cpu_get_regs(0, &r);
	r.cpl = cpl;
	r.rflags = (r.rflags & ~X86_RFLAGS_IOPL) | ((uint64_t)iopl << 12);
	mock_cpu_set_regs(0, &r);
}

/* Registration refuses empty ranges, ranges past port 0xFFFF, overlaps
 * and more than the table holds; unregistering frees the range. */
static void test_mock_io_register_rules(void **state)
{
	struct dev d = {0};
	(void)state;
	assert_int_equal(mock_io_register(0x100, 0, dev_rd, dev_wr, &d), -1);
	assert_int_equal(mock_io_register(0xFFFF, 2, dev_rd, dev_wr, &d), -1);
	assert_int_equal(mock_io_register(0xFFFF, 1, dev_rd, dev_wr, &d), 0);
	assert_int_equal(mock_io_register(0x100, 4, dev_rd, dev_wr, &d), 0);
	assert_int_equal(mock_io_register(0x0FE, 4, dev_rd, dev_wr, &d), -1);
	assert_int_equal(mock_io_register(0x103, 1, dev_rd, dev_wr, &d), -1);
	assert_int_equal(mock_io_register(0x104, 1, dev_rd, dev_wr, &d), 0);
	unsigned n = 3;
	while (mock_io_register((uint16_t)(0x1000 + n), 1, NULL, NULL, NULL) ==
	       0)
		n++;
	assert_int_equal(n, 32);
	mock_io_unregister(0x1234); /* not registered: nothing happens */
	mock_io_unregister(0x100);
	assert_int_equal(mock_io_register(0x100, 4, dev_rd, dev_wr, &d), 0);
}

/* IN/OUT of each width reach the hook with port and size; an unclaimed
 * port reads all ones and drops writes; a hook without a read or write
 * function behaves like nothing on the bus for that direction. */
static void test_mock_io_widths_and_bus(void **state)
{
	struct dev d = {0};
	(void)state;
	assert_int_equal(mock_io_register(0xCF8, 8, dev_rd, dev_wr, &d), 0);
	assert_int_equal(cpu_inb(0xCF9), (0xA5A5A5A5u ^ 0xCF9) & 0xFF);
	assert_int_equal(d.last_size, 1);
	assert_int_equal(cpu_inw(0xCFA), (0xA5A5A5A5u ^ 0xCFA) & 0xFFFF);
	assert_int_equal(d.last_size, 2);
	assert_int_equal(cpu_inl(0xCFC), 0xA5A5A5A5u ^ 0xCFC);
	assert_int_equal(d.last_size, 4);
	cpu_outw(0xCFC, 0xBEEF);
	assert_int_equal(d.last_value, 0xBEEF);
	assert_int_equal(d.last_size, 2);
	cpu_outl(0xCF8, 0x80000010u);
	assert_int_equal(d.last_value, 0x80000010u);
	assert_int_equal(d.last_size, 4);
	cpu_outb(0xCFF, 7);
	assert_int_equal(d.last_port, 0xCFF);
	assert_int_equal(d.writes, 3);
	assert_int_equal(d.reads, 3);
	assert_int_equal(cpu_inl(0x80), 0xFFFFFFFFu);
	cpu_outb(0x80, 1);
	assert_int_equal(mock_io_register(0x60, 1, NULL, NULL, NULL), 0);
	assert_int_equal(cpu_inb(0x60), 0xFF);
	cpu_outb(0x60, 1);
	assert_int_equal(mock_call_count(MOCK_OP_IN), 5);
	assert_int_equal(mock_call_count(MOCK_OP_OUT), 5);
}

/* IN/OUT at CPL > IOPL raise #GP(0) (SDM Vol. 2A IN, Vol. 2B OUT; the TSS
 * I/O permission bitmap is not modelled, see io.c); CPL <= IOPL works. */
static void test_mock_io_iopl(void **state)
{
	struct dev d = {0};
	(void)state;
	assert_int_equal(mock_io_register(0x3F8, 8, dev_rd, dev_wr, &d), 0);
	set_cpl_iopl(3, 0);
	mock_expect_exception(MOCK_OP_IN, X86_VEC_GP);
	(void)cpu_inb(0x3F8);
	assert_string_equal(mock_last_exception_rule(), "IN.gp_iopl");
	mock_expect_exception(MOCK_OP_OUT, X86_VEC_GP);
	cpu_outb(0x3F8, 1);
	assert_string_equal(mock_last_exception_rule(), "OUT.gp_iopl");
	assert_int_equal(d.reads + d.writes, 0);
	set_cpl_iopl(3, 3);
	(void)cpu_inb(0x3F8);
	cpu_outb(0x3F8, 1);
	assert_int_equal(d.reads + d.writes, 2);
	set_cpl_iopl(0, 0);
}

/* Unconditional I/O exiting: every IN/OUT exits with reason 30 and the
 * qualification of Table 28-5 (size - 1, direction, port); IN takes the
 * value the VMM put in RAX, truncated to the access size. */
static void test_mock_io_unconditional_exit(void **state)
{
	struct dev d = {0};
	(void)state;
	assert_int_equal(mock_io_register(0x3F8, 8, dev_rd, dev_wr, &d), 0);
	guest_proc_set(CPU_UNCOND_IO_EXITING);
	guest_enter();
	guest_set_rax(0x12345678u);
	assert_int_equal(cpu_inw(0x3F9), 0x5678);
	assert_int_equal(glog.reason, EXIT_REASON_IO_INSTRUCTION);
	assert_true(glog.qual == ((0x3F9ull << 16) | 8u | 1u));
	assert_int_equal(glog.len, 2);
	assert_int_equal(cpu_inb(0x3F8), 0x78);
	assert_true(glog.qual == ((0x3F8ull << 16) | 8u));
	assert_int_equal(glog.len, 1);
	cpu_outl(0x3FC, 0xCAFEBABEu);
	assert_true(glog.qual == ((0x3FCull << 16) | 3u));
	assert_true(glog.gprs.rax == 0xCAFEBABEu);
	assert_true(glog.gprs.rdx == 0x3FC);
	assert_int_equal(glog.exits, 3);
	assert_int_equal(d.reads + d.writes, 0);
}

/* I/O bitmaps take precedence over unconditional exiting: a port exits
 * iff one of the bits of the bytes it touches is set, bitmap A for ports
 * below 0x8000 and B above; an access that wraps past 0xFFFF always exits
 * (SDM Vol. 3C 26.1.3, 25.6.4). */
static void test_mock_io_bitmaps(void **state)
{
	struct dev d = {0};
	paddr_t a_pa, b_pa;
	uint8_t *a = mock_test_page_alloc(&a_pa);
	uint8_t *b = mock_test_page_alloc(&b_pa);
	(void)state;
	assert_int_equal(mock_io_register(0x3F8, 8, dev_rd, dev_wr, &d), 0);
	assert_int_equal(mock_io_register(0x8000, 4, dev_rd, dev_wr, &d), 0);
	a[0x3F9 / 8] |= 1u << (0x3F9 % 8);
	b[0x8002 / 8 - 0x1000] |= 1u << (0x8002 % 8);
	mock_test_write(VMCS_IO_BITMAP_A, pa_addr(a_pa));
	mock_test_write(VMCS_IO_BITMAP_B, pa_addr(b_pa));
	guest_proc_set(CPU_USE_IO_BITMAPS | CPU_UNCOND_IO_EXITING);
	guest_enter();
	(void)cpu_inb(0x3F8); /* bit clear: the device answers */
	assert_int_equal(glog.exits, 0);
	assert_int_equal(d.reads, 1);
	(void)cpu_inw(0x3F8); /* covers 0x3F9: exits */
	assert_int_equal(glog.exits, 1);
	(void)cpu_inb(0x8000);
	assert_int_equal(glog.exits, 1);
	cpu_outl(0x8000, 1); /* covers 0x8002 in bitmap B */
	assert_int_equal(glog.exits, 2);
	(void)cpu_inw(0xFFFF); /* wraps around */
	assert_int_equal(glog.exits, 3);
	assert_int_equal(d.reads, 2);
	mock_test_page_free(a);
	mock_test_page_free(b);
}

/* Without I/O exiting controls the guest's IN/OUT reach the device. */
static void test_mock_io_guest_no_exit(void **state)
{
	struct dev d = {0};
	(void)state;
	assert_int_equal(mock_io_register(0x3F8, 8, dev_rd, dev_wr, &d), 0);
	guest_enter();
	cpu_outb(0x3F8, 0x41);
	assert_int_equal(d.last_value, 0x41);
	assert_int_equal(glog.exits, 0);
}

/* The #GP for CPL > IOPL has priority over the I/O VM exit (SDM Vol. 3C
 * 26.1.1: faults based on privilege level and I/O permission). */
static void test_mock_io_gp_before_exit(void **state)
{
	(void)state;
	guest_proc_set(CPU_UNCOND_IO_EXITING);
	guest_enter();
	mock_guest_set_cpl(0, 3);
	mock_expect_exception(MOCK_OP_IN, X86_VEC_GP);
	(void)cpu_inb(0x3F8);
	assert_string_equal(mock_last_exception_rule(), "IN.gp_iopl");
	assert_int_equal(glog.exits, 0);
	mock_guest_set_cpl(0, 0);
	(void)cpu_inb(0x3F8);
	assert_int_equal(glog.exits, 1);
}

/* INVD, WBINVD and HLT are privileged: #GP(0) at CPL > 0 (SDM Vol. 2A). */
static void test_mock_io_privileged_cpl(void **state)
{
	(void)state;
	set_cpl_iopl(3, 3);
	mock_expect_exception(MOCK_OP_INVD, X86_VEC_GP);
	cpu_invd();
	assert_string_equal(mock_last_exception_rule(), "INVD.gp_cpl");
	mock_expect_exception(MOCK_OP_WBINVD, X86_VEC_GP);
	cpu_wbinvd();
	assert_string_equal(mock_last_exception_rule(), "WBINVD.gp_cpl");
	mock_expect_exception(MOCK_OP_HLT, X86_VEC_GP);
	cpu_halt();
	assert_string_equal(mock_last_exception_rule(), "HLT.gp_cpl");
	set_cpl_iopl(0, 0);
	cpu_invd();
	cpu_wbinvd();
	cpu_halt();
	cpu_pause();
	assert_int_equal(mock_call_count(MOCK_OP_HLT), 2);
	assert_int_equal(mock_call_count(MOCK_OP_PAUSE), 1);
}

/* In non-root INVD always exits (13); WBINVD (54), HLT (12) and PAUSE
 * (40) exit only with their controls (SDM Vol. 3C 26.1.2, 26.1.3). */
static void test_mock_io_cache_idle_exits(void **state)
{
	(void)state;
	guest_enter();
	cpu_wbinvd();
	cpu_halt();
	cpu_pause();
	assert_int_equal(glog.exits, 0);
	cpu_invd();
	assert_int_equal(glog.reason, EXIT_REASON_INVD);
	assert_int_equal(glog.len, 2);
	assert_int_equal(glog.exits, 1);
}

static void test_mock_io_cache_idle_exits_enabled(void **state)
{
	(void)state;
	guest_proc_set(CPU_HLT_EXITING | CPU_PAUSE_EXITING);
	guest_proc2_set(SEC_WBINVD_EXITING);
	guest_enter();
	cpu_wbinvd();
	assert_int_equal(glog.reason, EXIT_REASON_WBINVD);
	cpu_halt();
	assert_int_equal(glog.reason, EXIT_REASON_HLT);
	assert_int_equal(glog.len, 1);
	cpu_pause();
	assert_int_equal(glog.reason, EXIT_REASON_PAUSE);
	assert_int_equal(glog.len, 2);
	assert_int_equal(glog.exits, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(n) cmocka_unit_test_setup_teardown(n, guest_setup, guest_teardown)
		T(test_mock_io_register_rules),
		T(test_mock_io_widths_and_bus),
		T(test_mock_io_iopl),
		T(test_mock_io_unconditional_exit),
		T(test_mock_io_bitmaps),
		T(test_mock_io_guest_no_exit),
		T(test_mock_io_gp_before_exit),
		T(test_mock_io_privileged_cpl),
		T(test_mock_io_cache_idle_exits),
		T(test_mock_io_cache_idle_exits_enabled),
#undef T
	};
	return FLANK_RUN_TESTS(tests);
}
