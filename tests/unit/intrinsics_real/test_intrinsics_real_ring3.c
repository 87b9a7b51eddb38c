// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the real backend's intrinsics whose answers only the real
 * CPU gives in ring 3: RFLAGS' fixed bits, the selectors the kernel loaded,
 * LAR/LSL/VERW on Linux's GDT, SGDT/SIDT/SLDT/STR, the RSB fill. Compared against the kernel's
 * view of this process (signal context, sched_getcpu()) and inline assembly
 * written differently from the backend's (memory operands).
 *
 * No Valgrind twin (NO_MEMCHECK): Valgrind runs the code on its synthetic
 * CPU, which has no LAR/LSL/SLDT/STR (SIGILL), reports CS as 0, leaves
 * SGDT/SIDT output undefined and omits RFLAGS bit 1, so a twin would test
 * Valgrind, not the backend; these tests allocate nothing.
 *
 * SGDT/SIDT/SLDT/STR in ring 3: this CPU has UMIP, and Linux (6.x) then
 * emulates the four instructions for 64-bit processes too, returning fixed
 * dummy values (GDT base 0xfffffffffffe0000, IDT base 0xffffffffffff0000,
 * limits 0, LDTR 0, TR 0x40) and logging a rate-limited "cannot be used by
 * applications" line; without UMIP they return the real per-CPU values. The
 * tests therefore assert only what holds in both cases: the backend agrees
 * with an independent encoding run on the same CPU (the thread is pinned),
 * the bases lie in the kernel half, LDTR is 0 and TR is the kernel's TSS
 * selector (GDT entry 8, 0x40).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "flank/intrinsics.h"
#include "flank_test.h"

/* Linux x86-64 GDT layout (arch/x86/include/asm/segment.h). */
#define LINUX_USER_DS 0x2Bu
#define LINUX_USER_CS 0x33u
#define LINUX_TSS_SEL 0x40u
#define LINUX_CPUNODE_SEL 0x7Bu

/* Pins the calling thread to the CPU it runs on; returns that CPU. */
static int pin_to_current_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	assert_true(cpu >= 0);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	assert_int_equal(sched_setaffinity(0, sizeof(set), &set), 0);
	assert_int_equal(sched_getcpu(), cpu);
	return cpu;
}

/* RFLAGS in user mode: bit 1 is always 1, IF is set, VM and IOPL are 0. */
static void test_intrinsics_real_rflags(void **state)
{
	uint64_t f;

	(void)state;
	f = cpu_read_rflags();
	assert_true(f & X86_RFLAGS_FIXED1);
	assert_true(f & X86_RFLAGS_IF);
	assert_false(f & X86_RFLAGS_VM);
	assert_int_equal(f & X86_RFLAGS_IOPL, 0);
}

/* Segment selectors as the kernel saved them in a signal context. */
static volatile uint64_t kernel_csgsfs;
static volatile uint64_t kernel_ucflags;

static void record_context(int sig, siginfo_t *si, void *ucv)
{
	const ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	kernel_csgsfs = (uint64_t)uc->uc_mcontext.gregs[REG_CSGSFS];
	kernel_ucflags = uc->uc_flags;
}

/*
 * CS and SS equal what the kernel saved for this process (its signal
 * context), with RPL 3; CS is Linux's 64-bit user code selector.
 */
static void test_intrinsics_real_selectors_cs_ss(void **state)
{
	struct sigaction sa, old;
	uint16_t cs = cpu_read_cs(), ss = cpu_read_ss();

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = record_context;
	sa.sa_flags = SA_SIGINFO;
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);

	/* REG_CSGSFS packs CS, GS, FS and (UC_SIGCONTEXT_SS) SS, 16 bits each. */
	assert_int_equal(cs, kernel_csgsfs & 0xFFFF);
	assert_int_equal(cs & 3, 3);
	assert_int_equal(cs, LINUX_USER_CS);
	assert_int_equal(ss & 3, 3);
	if (kernel_ucflags & 0x2) /* UC_SIGCONTEXT_SS */
		assert_int_equal(ss, (kernel_csgsfs >> 48) & 0xFFFF);
	assert_int_equal(ss, LINUX_USER_DS);
	assert_int_equal(cpu_read_gs(), (kernel_csgsfs >> 16) & 0xFFFF);
	assert_int_equal(cpu_read_fs(), (kernel_csgsfs >> 32) & 0xFFFF);
}

/* LAR, memory-operand form (an encoding the backend does not use). */
static bool lar_mem(uint16_t sel, uint32_t *ar)
{
	bool ok;

	__asm__ volatile("lar %2, %0" : "=r"(*ar), "=@ccz"(ok) : "m"(sel));
	return ok;
}

/* LSL, memory-operand form. */
static bool lsl_mem(uint16_t sel, uint32_t *limit)
{
	bool ok;

	__asm__ volatile("lsl %2, %0" : "=r"(*limit), "=@ccz"(ok) : "m"(sel));
	return ok;
}

/*
 * LAR on the user code and data selectors: the independent encoding agrees,
 * and the rights are those of a present DPL-3 64-bit code segment and a
 * present DPL-3 writable data segment (SDM Vol. 2A LAR, Vol. 3A 3.4.5).
 */
static void test_intrinsics_real_lar_user(void **state)
{
	uint32_t ar = 0, ref = 0;

	(void)state;
	assert_true(cpu_lar(LINUX_USER_CS, &ar));
	assert_true(lar_mem(LINUX_USER_CS, &ref));
	assert_int_equal(ar, ref);
	assert_true(ar & BIT32(11));	       /* code */
	assert_true(ar & BIT32(12));	       /* S: code/data */
	assert_int_equal((ar >> 13) & 3, 3);   /* DPL 3 */
	assert_true(ar & BIT32(15));	       /* P */
	assert_true(ar & BIT32(21));	       /* L: 64-bit */
	assert_int_equal(ar & 0xFF0000FFu, 0); /* LAR masks these bits */

	assert_true(cpu_lar(LINUX_USER_DS, &ar));
	assert_true(lar_mem(LINUX_USER_DS, &ref));
	assert_int_equal(ar, ref);
	assert_false(ar & BIT32(11)); /* data */
	assert_true(ar & BIT32(9));   /* writable */
	assert_int_equal((ar >> 13) & 3, 3);
	assert_true(ar & BIT32(15));
}

/* LSL on the flat user segments: 4 GiB - 1, as the independent encoding. */
static void test_intrinsics_real_lsl_user(void **state)
{
	uint32_t lim = 0, ref = 0;

	(void)state;
	assert_true(cpu_lsl(LINUX_USER_CS, &lim));
	assert_true(lsl_mem(LINUX_USER_CS, &ref));
	assert_int_equal(lim, ref);
	assert_int_equal(lim, 0xFFFFFFFFu);
	assert_true(cpu_lsl(LINUX_USER_DS, &lim));
	assert_int_equal(lim, 0xFFFFFFFFu);
}

/*
 * LSL against the kernel's view: Linux encodes the CPU number in the limit
 * of its per-CPU segment 0x7B (bits 11:0, the vgetcpu() mechanism), so on a
 * pinned thread it equals sched_getcpu().
 */
static void test_intrinsics_real_lsl_cpunode(void **state)
{
	uint32_t lim = 0;
	int cpu;

	(void)state;
	cpu = pin_to_current_cpu();
	assert_true(cpu_lsl(LINUX_CPUNODE_SEL, &lim));
	assert_int_equal(lim & 0xFFFu, (uint32_t)cpu);
}

/*
 * Selectors not valid for LAR/LSL give false and leave the output alone:
 * the null selector, one beyond any GDT limit, and the TSS (DPL 0 < CPL 3).
 */
static void test_intrinsics_real_lar_lsl_invalid(void **state)
{
	static const uint16_t bad[] = {0x0000, 0xFFF8, LINUX_TSS_SEL};
	uint32_t v;

	(void)state;
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(bad); i++) {
		v = 0xA5A5A5A5u;
		assert_false(cpu_lar(bad[i], &v));
		assert_int_equal(v, 0xA5A5A5A5u);
		assert_false(cpu_lsl(bad[i], &v));
		assert_int_equal(v, 0xA5A5A5A5u);
	}
}

/* The 10-byte SGDT/SIDT image, stored by an independent encoding. */
struct dtr_image {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/*
 * SGDT/SIDT agree with the independent encoding on the same CPU, and the
 * bases are kernel addresses (UMIP-emulated or real, see the file comment).
 */
static void test_intrinsics_real_sgdt_sidt(void **state)
{
	struct cpu_dtr gdt, idt;
	struct dtr_image g, i;

	(void)state;
	pin_to_current_cpu();
	cpu_sgdt(&gdt);
	__asm__ volatile("sgdt %0" : "=m"(g));
	cpu_sidt(&idt);
	__asm__ volatile("sidt %0" : "=m"(i));
	assert_int_equal(gdt.base, g.base);
	assert_int_equal(gdt.limit, g.limit);
	assert_int_equal(idt.base, i.base);
	assert_int_equal(idt.limit, i.limit);
	assert_true(gdt.base & BIT64(63));
	assert_true(idt.base & BIT64(63));
}

/*
 * SLDT is 0 (no LDT in this process) and STR is Linux's TSS selector; both
 * agree with the memory-operand encodings.
 */
static void test_intrinsics_real_sldt_str(void **state)
{
	uint16_t ldt = 0xFFFF, tr = 0xFFFF;

	(void)state;
	__asm__ volatile("sldt %0" : "=m"(ldt));
	__asm__ volatile("str %0" : "=m"(tr));
	assert_int_equal(cpu_sldt(), ldt);
	assert_int_equal(cpu_str(), tr);
	assert_int_equal(ldt, 0);
	assert_int_equal(tr, LINUX_TSS_SEL);
}

/* Reads DS and ES with a memory-operand MOV (not the backend's form). */
static void read_ds_es(uint16_t *ds, uint16_t *es)
{
	__asm__ volatile("movw %%ds, %0\n\tmovw %%es, %1"
			 : "=m"(*ds), "=m"(*es));
}

/*
 * cpu_load_sreg() loads DS, ES and SS in ring 3 (a null selector and the
 * user data selector), as an independent read shows; FS and GS are not
 * touched here, since loading them would reset the TLS base of this
 * process.
 */
static void test_intrinsics_real_load_sreg(void **state)
{
	uint16_t ds0, es0, ds, es;

	(void)state;
	read_ds_es(&ds0, &es0);
	cpu_load_sreg(CPU_SREG_DS, LINUX_USER_DS);
	cpu_load_sreg(CPU_SREG_ES, 0);
	read_ds_es(&ds, &es);
	assert_int_equal(ds, LINUX_USER_DS);
	assert_int_equal(es, 0);
	cpu_load_sreg(CPU_SREG_DS, 0);
	cpu_load_sreg(CPU_SREG_ES, LINUX_USER_DS);
	read_ds_es(&ds, &es);
	assert_int_equal(ds, 0);
	assert_int_equal(es, LINUX_USER_DS);
	/* SS cannot be null in ring 3 (#GP); reload the same selector. */
	cpu_load_sreg(CPU_SREG_SS, LINUX_USER_DS);
	assert_int_equal(cpu_read_ss(), LINUX_USER_DS);
	cpu_load_sreg(CPU_SREG_DS, ds0);
	cpu_load_sreg(CPU_SREG_ES, es0);
	read_ds_es(&ds, &es);
	assert_int_equal(ds, ds0);
	assert_int_equal(es, es0);
}

/* Linux's __KERNEL_DS: a DPL-0 writable data segment. */
#define LINUX_KERNEL_DS 0x18u

/*
 * The speculation barriers of the exit path (docs/exits.md "Speculation"),
 * which ring 3 can run too. VERW (SDM Vol. 2B VERR/VERW) sets ZF only for a
 * data segment writable at CPL 3: __USER_DS yes; __USER_CS (code), the null
 * selector and __KERNEL_DS (DPL 0 < CPL 3) no. The RSB fill and guard push
 * return addresses and drop them again: RSP and the caller's locals are as
 * before, and each returns to its caller.
 */
static void test_intrinsics_real_spec_barriers(void **state)
{
	volatile uint64_t canary[4] = {1, 2, 3, 4};
	uintptr_t sp0, sp1;

	(void)state;
	assert_true(cpu_verw(LINUX_USER_DS));
	assert_false(cpu_verw(LINUX_USER_CS));
	assert_false(cpu_verw(0));
	assert_false(cpu_verw(LINUX_KERNEL_DS));
	__asm__ volatile("mov %%rsp, %0" : "=r"(sp0));
	cpu_rsb_fill();
	cpu_rsb_guard();
	cpu_rsb_fill();
	__asm__ volatile("mov %%rsp, %0" : "=r"(sp1));
	assert_true(sp0 == sp1);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(canary[i], i + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intrinsics_real_rflags),
		cmocka_unit_test(test_intrinsics_real_selectors_cs_ss),
		cmocka_unit_test(test_intrinsics_real_lar_user),
		cmocka_unit_test(test_intrinsics_real_lsl_user),
		cmocka_unit_test(test_intrinsics_real_lsl_cpunode),
		cmocka_unit_test(test_intrinsics_real_lar_lsl_invalid),
		cmocka_unit_test(test_intrinsics_real_sgdt_sidt),
		cmocka_unit_test(test_intrinsics_real_sldt_str),
		cmocka_unit_test(test_intrinsics_real_load_sreg),
		cmocka_unit_test(test_intrinsics_real_spec_barriers),
	};
	return FLANK_RUN_TESTS(tests);
}
