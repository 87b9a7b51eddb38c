// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EPT in the emulated VT-x (intrinsics/mock/ept.c, ept_tlb.c): the walk of
 * the EPT paging structures for a guest-physical access (SDM Vol. 3C
 * 29.3.2), misconfigurations (29.3.3.1) and violations (29.3.3.2) with the
 * exit qualification, GUEST_PHYSICAL_ADDRESS and GUEST_LINEAR_ADDRESS of
 * 28.2.1 (Table 28-7), accessed/dirty flags (29.3.5), memory types
 * (29.3.7), cached translations and INVEPT (29.4, 31.3), and the monitor
 * trap flag (26.5.2). Each rule has a case that fires and one that passes.
 */
#include <string.h>

#include "flank_test.h"
#include "guest_helper.h"

/* GPAs of the test's EPT: PML4[0] -> PDPT; PDPT[1] -> PD; PD[0] -> PT. */
#define GPA_4K UINT64_C(0x40000000)   /* PT[0] -> page a */
#define GPA_4K_B UINT64_C(0x40001000) /* PT[1] -> page b */
#define GPA_2M UINT64_C(0x40200000)   /* PD[1], a 2-MByte page */
#define GPA_1G UINT64_C(0x80000000)   /* PDPT[2], a 1-GByte page */
#define GLA UINT64_C(0xffff888000001234)

#define R 1u
#define W 2u
#define X 4u
#define WB (6u << 3)
#define LARGE BIT64(7)
#define XU BIT64(10)

#define EXIT_VIOLATION EXIT_REASON_EPT_VIOLATION
#define EXIT_MISCONFIG EXIT_REASON_EPT_MISCONFIG

enum action { ACT_RESUME, ACT_SKIP, ACT_LEAVE };

static struct {
	uint64_t *pml4, *pdpt, *pd, *pt;
	uint8_t *a, *b;
	paddr_t pml4_pa, pdpt_pa, pd_pa, pt_pa, a_pa, b_pa;
	uint64_t eptp;
} ept;

static struct {
	unsigned exits;
	uint32_t reason;
	uint64_t qual, gpa, gla, pending_dbg;
	uint32_t idt, idt_code, ilen; /* IDT-vectoring info, code, length */
	enum action act;
	/* Run once at the next exit (then cleared): e.g. fix an entry. */
	void (*fix)(void);
} hl;

static enum intrin_exit_action handler(struct intrin_exit_frame *f, void *ctx)
{
	(void)ctx;
	hl.exits++;
	hl.reason = (uint32_t)mock_test_read(VMCS_VM_EXIT_REASON);
	hl.qual = mock_test_read(VMCS_EXIT_QUALIFICATION);
	hl.gpa = mock_test_read(VMCS_GUEST_PHYSICAL_ADDRESS);
	hl.gla = mock_test_read(VMCS_GUEST_LINEAR_ADDRESS);
	hl.pending_dbg = mock_test_read(VMCS_GUEST_PENDING_DBG_EXCEPTIONS);
	hl.idt = (uint32_t)mock_test_read(VMCS_IDT_VECTORING_INFO);
	hl.idt_code = (uint32_t)mock_test_read(VMCS_IDT_VECTORING_ERROR_CODE);
	hl.ilen = (uint32_t)mock_test_read(VMCS_VM_EXIT_INSTRUCTION_LEN);
	if (hl.fix) {
		void (*fix)(void) = hl.fix;
		hl.fix = NULL;
		fix();
	}
	if (hl.act == ACT_SKIP)
		mock_test_write(VMCS_GUEST_RIP,
				mock_test_read(VMCS_GUEST_RIP) + 3);
	if (hl.act == ACT_LEAVE) {
		assert_true(vmx_ok(vmx_off()));
		f->leave_rip = 1;
		f->leave_rsp = 0xffffc90000002000u;
		f->leave_rflags = 0x2;
		return INTRIN_EXIT_LEAVE;
	}
	return INTRIN_EXIT_RESUME;
}

static enum intrin_exit_action resume_failed(struct intrin_exit_frame *f,
					     void *ctx, vmx_result_t r)
{
	(void)ctx;
	(void)r;
	assert_true(vmx_ok(vmx_off()));
	f->leave_rip = 1;
	f->leave_rsp = 0xffffc90000002000u;
	f->leave_rflags = 0x2;
	return INTRIN_EXIT_LEAVE;
}

static void *page(paddr_t *pa)
{
	void *p = mock_test_page_alloc(pa);
	assert_non_null(p);
	return p;
}

/* Builds the tables; EPT on with @p eptp_low (memory type, walk, A/D). */
static void ept_build(uint64_t eptp_low)
{
	ept.pml4 = page(&ept.pml4_pa);
	ept.pdpt = page(&ept.pdpt_pa);
	ept.pd = page(&ept.pd_pa);
	ept.pt = page(&ept.pt_pa);
	ept.a = page(&ept.a_pa);
	ept.b = page(&ept.b_pa);
	ept.pml4[0] = pa_addr(ept.pdpt_pa) | R | W | X;
	ept.pdpt[1] = pa_addr(ept.pd_pa) | R | W | X;
	ept.pdpt[2] = UINT64_C(0x40000000) | LARGE | WB | R | W | X;
	ept.pd[0] = pa_addr(ept.pt_pa) | R | W | X;
	ept.pd[1] = UINT64_C(0x600000) | LARGE | WB | R | W | X;
	ept.pt[0] = pa_addr(ept.a_pa) | WB | R | W | X;
	ept.pt[1] = pa_addr(ept.b_pa) | WB | R | W | X;
	memset(ept.a, 0xA5, 4096);
	memset(ept.b, 0xB6, 4096);
	ept.eptp = pa_addr(ept.pml4_pa) | eptp_low;
	mock_test_write(VMCS_EPT_POINTER, ept.eptp);
}

static int setup(void **state)
{
	guest_setup(state);
	mock_set_exit_handlers(handler, resume_failed);
	memset(&hl, 0, sizeof(hl));
	memset(&ept, 0, sizeof(ept));
	ept_build(6u | (3u << 3));
	guest_proc2_set(SEC_ENABLE_EPT);
	return 0;
}

static int teardown(void **state)
{
	void *pages[] = {ept.pml4, ept.pdpt, ept.pd, ept.pt, ept.a, ept.b};

	mock_allow_undefined(false);
	if (mock_vmx_mode(0) == MOCK_VMX_NONROOT) {
		hl.act = ACT_LEAVE;
		(void)mock_guest_vmx_insn(EXIT_REASON_VMCALL, NULL);
	}
	for (unsigned i = 0; i < 6; i++)
		mock_test_page_free(pages[i]);
	return guest_teardown(state);
}

static struct mock_gpa_result access(enum mock_gpa_kind kind, uint64_t gpa)
{
	struct mock_gpa_access a = {
		.gpa = gpa, .size = 4, .kind = kind, .gla = GLA, .len = 3};
	struct mock_gpa_result r;

	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	return r;
}

/* An access the EPT allows: no exit. */
static void allowed(enum mock_gpa_kind kind, uint64_t gpa)
{
	struct mock_gpa_result r = access(kind, gpa);
	if (!r.completed || r.exits != 0)
		fail_msg("access to %#llx: %u exits, rule %s",
			 (unsigned long long)gpa, r.exits,
			 r.rule ? r.rule : "-");
}

/* An access that exits once; the handler skips the instruction. */
static struct mock_gpa_result exits(enum mock_gpa_kind kind, uint64_t gpa,
				    uint32_t reason, const char *rule)
{
	struct mock_gpa_result r;

	hl.act = ACT_SKIP;
	r = access(kind, gpa);
	hl.act = ACT_RESUME;
	assert_false(r.completed);
	assert_int_equal(r.exits, 1);
	assert_int_equal(r.reason, reason);
	assert_int_equal(hl.reason, reason);
	assert_string_equal(r.rule, rule);
	assert_true(r.gpa == gpa && hl.gpa == gpa);
	return r;
}

static uint64_t invept_type, invept_eptp;
static void do_invept(void)
{
	struct vmx_invept_desc d = {.eptp = invept_eptp};
	assert_true(vmx_ok(vmx_invept(invept_type, &d)));
}

/* A VMCALL exit whose handler executes INVEPT (in VMX root). */
static void guest_invept(uint64_t type, uint64_t eptp)
{
	invept_type = type;
	invept_eptp = eptp;
	hl.fix = do_invept;
	hl.act = ACT_RESUME;
	assert_int_equal(mock_guest_vmx_insn(EXIT_REASON_VMCALL, NULL), 0);
	assert_null(hl.fix);
}

/* ------------------------------------------------------------ translation */

/* A 4-KByte page translates to its frame; the access reads and writes
 * memory there; GUEST_RIP advances by the length (29.3.2). */
static void test_mock_ept_translate_4k(void **state)
{
	struct mock_gpa_access w = {.gpa = GPA_4K_B + 8,
				    .size = 4,
				    .kind = MOCK_GPA_WRITE,
				    .value = 0x11223344u,
				    .len = 3};
	struct mock_gpa_result r;
	uint64_t rip = mock_test_read(VMCS_GUEST_RIP), saved = 0;
	(void)state;
	guest_enter();
	r = access(MOCK_GPA_READ, GPA_4K + 0x10);
	assert_true(r.completed);
	assert_int_equal(r.exits, 0);
	assert_true(r.value == 0xA5A5A5A5u);
	assert_true(r.hpa == pa_addr(ept.a_pa) + 0x10);
	assert_int_equal(r.mem_type, 6);
	assert_int_equal(mock_guest_gpa_access(&w, &r), 0);
	assert_true(r.completed);
	assert_true(ept.b[8] == 0x44 && ept.b[11] == 0x11);
	/* Two completed accesses of 3 bytes before the VMCALL exit. */
	assert_int_equal(mock_guest_vmx_insn(EXIT_REASON_VMCALL, NULL), 0);
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_RIP, &saved));
	assert_true(saved == rip + 6);
}

/* 2-MByte (PDE bit 7) and 1-GByte (PDPTE bit 7) pages keep the offset
 * bits of the GPA below their size (29.3.2). */
static void test_mock_ept_large_pages(void **state)
{
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	r = access(MOCK_GPA_READ, GPA_2M + 0x12345);
	assert_true(r.completed && r.hpa == 0x600000u + 0x12345u);
	r = access(MOCK_GPA_READ, GPA_1G + 0x1234567);
	assert_true(r.completed && r.hpa == 0x40000000u + 0x1234567u);
	/* Memory that nothing answers reads as all ones. */
	assert_true(r.value == 0xFFFFFFFFu);
}

/* Without "enable EPT", the guest-physical address is the physical one. */
static void test_mock_ept_disabled(void **state)
{
	struct mock_gpa_result r;
	(void)state;
	guest_proc2_set(0);
	guest_enter();
	r = access(MOCK_GPA_READ, pa_addr(ept.b_pa));
	assert_true(r.completed && r.exits == 0 && r.value == 0xB6B6B6B6u);
	assert_int_equal(r.mem_type, 0xFF);
}

/* A 5-level walk starts at a PML5 table when EPTP[5:3] = 4 and the CPU
 * reports it (A.10 bit 7); a 4-level walk has no translation beyond 48
 * bits of GPA (the model's EPT violation). */
static void test_mock_ept_five_level(void **state)
{
	paddr_t pml5_pa;
	uint64_t *pml5 = page(&pml5_pa);
	uint64_t cap;
	struct mock_gpa_result r;
	(void)state;
	assert_true(mock_msr_get(0, MSR_IA32_VMX_EPT_VPID_CAP, &cap));
	mock_msr_set(0, MSR_IA32_VMX_EPT_VPID_CAP, cap | BIT64(7));
	assert_int_equal(mock_set_phys_addr_width(52), 0);
	pml5[1] = pa_addr(ept.pml4_pa) | R | W | X;
	mock_test_write(VMCS_EPT_POINTER, pa_addr(pml5_pa) | 6 | (4u << 3));
	guest_enter();
	r = access(MOCK_GPA_READ, (UINT64_C(1) << 48) | GPA_4K);
	assert_true(r.completed && r.hpa == pa_addr(ept.a_pa));
	/* Fires: entry 0 of the PML5 is not present. */
	exits(MOCK_GPA_READ, GPA_4K, EXIT_VIOLATION,
	      "EPT.violation_not_present");
	assert_true(mock_vmcs_poke(0, VMCS_EPT_POINTER, ept.eptp));
	exits(MOCK_GPA_READ, (UINT64_C(1) << 48) | GPA_4K, EXIT_VIOLATION,
	      "EPT.violation_beyond_walk");
	allowed(MOCK_GPA_READ, GPA_4K);
	mock_test_page_free(pml5);
}

/* ------------------------------------------------------------- violations */

/* Not present (bits 2:0 = 0) at any level: a violation whose qualification
 * says data read, nothing permitted, GLA valid and translated (bits 0, 7,
 * 8); GUEST_LINEAR_ADDRESS receives the GLA (Table 28-7). */
static void test_mock_ept_not_present(void **state)
{
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	allowed(MOCK_GPA_READ, GPA_4K);
	ept.pt[0] = 0;
	r = exits(MOCK_GPA_READ, GPA_4K_B + 0x1000, EXIT_VIOLATION,
		  "EPT.violation_not_present");
	assert_true(r.qualification == (BIT64(0) | BIT64(7) | BIT64(8)));
	assert_true(r.gla == GLA && hl.gla == GLA);
	ept.pd[0] = 0;
	r = exits(MOCK_GPA_WRITE, GPA_4K_B + 0x2000, EXIT_VIOLATION,
		  "EPT.violation_not_present");
	assert_true(r.qualification == (BIT64(1) | BIT64(7) | BIT64(8)));
	ept.pml4[0] = 0;
	r = exits(MOCK_GPA_FETCH, GPA_1G, EXIT_VIOLATION,
		  "EPT.violation_not_present");
	assert_true(r.qualification == (BIT64(2) | BIT64(7) | BIT64(8)));
}

/* Read, write and execute permissions are the AND of every level; the
 * qualification reports the access and the AND-ed R/W/X (bits 3-5). */
static void test_mock_ept_permissions(void **state)
{
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	/* The leaf is read/execute only: reads and fetches pass. */
	ept.pt[1] = pa_addr(ept.b_pa) | WB | R | X;
	r = exits(MOCK_GPA_WRITE, GPA_4K_B, EXIT_VIOLATION,
		  "EPT.violation_write");
	assert_true(r.qualification ==
		    (BIT64(1) | BIT64(3) | BIT64(5) | BIT64(7) | BIT64(8)));
	allowed(MOCK_GPA_READ, GPA_4K_B);
	allowed(MOCK_GPA_FETCH, GPA_4K_B);
	/* The PML4E removes execute for everything below it. */
	ept.pml4[0] = pa_addr(ept.pdpt_pa) | R | W;
	r = exits(MOCK_GPA_FETCH, GPA_2M, EXIT_VIOLATION, "EPT.violation_exec");
	assert_true(r.qualification ==
		    (BIT64(2) | BIT64(3) | BIT64(4) | BIT64(7) | BIT64(8)));
	allowed(MOCK_GPA_WRITE, GPA_2M);
	/* Execute-only (the profile reports it, A.10 bit 0): reads fail. */
	ept.pml4[0] = pa_addr(ept.pdpt_pa) | R | W | X;
	ept.pd[1] = UINT64_C(0x600000) | LARGE | WB | X;
	guest_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	r = exits(MOCK_GPA_READ, GPA_2M + 0x1000, EXIT_VIOLATION,
		  "EPT.violation_read");
	assert_true(r.qualification ==
		    (BIT64(0) | BIT64(5) | BIT64(7) | BIT64(8)));
	allowed(MOCK_GPA_FETCH, GPA_2M + 0x2000);
}

/* GLA valid (bit 7) except for a PDPTE load by MOV to CR3; bit 8 tells a
 * translated linear address from a guest paging-structure access. */
static void test_mock_ept_gla_bits(void **state)
{
	struct mock_gpa_access a = {.gpa = GPA_4K,
				    .kind = MOCK_GPA_READ,
				    .gla = GLA,
				    .paging_structure = true};
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	ept.pt[0] = 0;
	hl.act = ACT_SKIP;
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_true(r.qualification == (BIT64(0) | BIT64(7)));
	assert_true(hl.gla == GLA);
	mock_vmcs_poke(0, VMCS_GUEST_LINEAR_ADDRESS, 0x1234);
	a.no_gla = true;
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_true(r.qualification == BIT64(0));
	/* The field is not written when bit 7 is 0. */
	assert_true(hl.gla == 0x1234);
}

/* Bit 12: an access by IRET that unblocked NMIs sets it and clears the
 * blocking before the exit (28.2.3); undefined (0 here) with NMI exiting
 * and without virtual NMIs. */
static void test_mock_ept_nmi_unblocking(void **state)
{
	struct mock_gpa_access a = {
		.gpa = GPA_4K, .kind = MOCK_GPA_READ, .gla = GLA, .iret = true};
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	ept.pt[0] = 0;
	hl.act = ACT_SKIP;
	mock_vmcs_poke(0, VMCS_GUEST_INTERRUPTIBILITY_INFO,
		       INTERRUPTIBILITY_NMI);
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_true(r.qualification & BIT64(12));
	uint64_t intr = 1;
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_INTERRUPTIBILITY_INFO, &intr));
	assert_true((intr & INTERRUPTIBILITY_NMI) == 0);
	a.iret = false;
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_false(r.qualification & BIT64(12));
	/* NMI exiting without virtual NMIs: bit 12 undefined (0 here), the
	 * blocking stays as the guest had it. */
	uint64_t pin = 0;
	assert_true(mock_vmcs_peek(0, VMCS_PIN_BASED_VM_EXEC_CONTROL, &pin));
	assert_true(mock_vmcs_poke(0, VMCS_PIN_BASED_VM_EXEC_CONTROL,
				   pin | PIN_NMI_EXITING));
	mock_vmcs_poke(0, VMCS_GUEST_INTERRUPTIBILITY_INFO,
		       INTERRUPTIBILITY_NMI);
	a.iret = true;
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_false(r.qualification & BIT64(12));
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_INTERRUPTIBILITY_INFO, &intr));
	assert_true(intr & INTERRUPTIBILITY_NMI);
	/* Virtual NMIs: bit 12 for virtual-NMI blocking, cleared. */
	assert_true(mock_vmcs_poke(0, VMCS_PIN_BASED_VM_EXEC_CONTROL,
				   pin | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS));
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_true(r.qualification & BIT64(12));
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_INTERRUPTIBILITY_INFO, &intr));
	assert_false(intr & INTERRUPTIBILITY_NMI);
}

/* Mode-based execute control (secondary bit 22): bit 10 is execute for
 * user-mode linear addresses, bit 2 for supervisor ones; either makes an
 * entry present; qualification bit 6 is the AND of bit 10. */
static void test_mock_ept_mode_based_exec(void **state)
{
	struct mock_gpa_access a = {.gpa = GPA_4K_B,
				    .kind = MOCK_GPA_FETCH,
				    .gla = GLA,
				    .user = true};
	uint64_t ctls2;
	struct mock_gpa_result r;
	(void)state;
	assert_true(mock_msr_get(0, MSR_IA32_VMX_PROCBASED_CTLS2, &ctls2));
	mock_msr_set(0, MSR_IA32_VMX_PROCBASED_CTLS2,
		     ctls2 | ((uint64_t)SEC_MODE_BASED_EPT_EXEC << 32));
	guest_proc2_set(SEC_ENABLE_EPT | SEC_MODE_BASED_EPT_EXEC);
	/* User-mode execute needs bit 10 at every level. */
	ept.pml4[0] |= XU;
	ept.pdpt[1] |= XU;
	ept.pd[0] |= XU;
	guest_enter();
	ept.pt[1] = pa_addr(ept.b_pa) | WB | R | X; /* supervisor only */
	hl.act = ACT_SKIP;
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	hl.act = ACT_RESUME;
	assert_int_equal(r.reason, EXIT_VIOLATION);
	assert_string_equal(r.rule, "EPT.violation_user_exec");
	assert_true(r.qualification ==
		    (BIT64(2) | BIT64(3) | BIT64(5) | BIT64(7) | BIT64(8)));
	allowed(MOCK_GPA_FETCH, GPA_4K_B);
	/* User-execute only: present through bit 10 alone. */
	ept.pt[1] = pa_addr(ept.b_pa) | WB | XU;
	guest_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_true(r.completed && r.exits == 0);
	guest_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	r = exits(MOCK_GPA_FETCH, GPA_4K_B, EXIT_VIOLATION,
		  "EPT.violation_exec");
	assert_true(r.qualification ==
		    (BIT64(2) | BIT64(6) | BIT64(7) | BIT64(8)));
	/* Without the control bit 10 is ignored: the entry is not present. */
	assert_true(mock_vmcs_poke(0, VMCS_SECONDARY_VM_EXEC_CONTROL,
				   SEC_ENABLE_EPT));
	exits(MOCK_GPA_FETCH, GPA_4K_B, EXIT_VIOLATION,
	      "EPT.violation_not_present");
}

/* --------------------------------------------------------- misconfigured */

/* Write-only (010b) and write/execute (110b) entries are
 * misconfigurations at any level; the exit gives the GPA (29.3.3.1). */
static void test_mock_ept_misconfig_write_no_read(void **state)
{
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	ept.pt[1] = pa_addr(ept.b_pa) | WB | W;
	r = exits(MOCK_GPA_READ, GPA_4K_B, EXIT_MISCONFIG,
		  "EPT.misconfig_write_no_read");
	assert_true(r.qualification == 0);
	ept.pt[1] = pa_addr(ept.b_pa) | WB | W | X;
	exits(MOCK_GPA_FETCH, GPA_4K_B, EXIT_MISCONFIG,
	      "EPT.misconfig_write_no_read");
	ept.pd[0] = pa_addr(ept.pt_pa) | W;
	exits(MOCK_GPA_READ, GPA_4K, EXIT_MISCONFIG,
	      "EPT.misconfig_write_no_read");
	ept.pd[0] = pa_addr(ept.pt_pa) | R | W;
	ept.pt[1] = pa_addr(ept.b_pa) | WB | R | W;
	allowed(MOCK_GPA_WRITE, GPA_4K_B);
}

/* Execute-only (100b) is a misconfiguration unless A.10 bit 0 reports it. */
static void test_mock_ept_misconfig_exec_only(void **state)
{
	uint64_t cap;
	(void)state;
	guest_enter();
	ept.pt[1] = pa_addr(ept.b_pa) | WB | X;
	allowed(MOCK_GPA_FETCH, GPA_4K_B);
	assert_true(mock_msr_get(0, MSR_IA32_VMX_EPT_VPID_CAP, &cap));
	mock_msr_set(0, MSR_IA32_VMX_EPT_VPID_CAP, cap & ~BIT64(0));
	ept.pt[1] = pa_addr(ept.b_pa) | WB | X;
	ept.pt[0] = pa_addr(ept.a_pa) | WB | X;
	exits(MOCK_GPA_FETCH, GPA_4K, EXIT_MISCONFIG,
	      "EPT.misconfig_exec_only");
}

/* Bits 51:MAXPHYADDR are reserved in every entry; bits 63:52 are ignored
 * (29.3.2). The profile's MAXPHYADDR is 39. */
static void test_mock_ept_misconfig_maxphyaddr(void **state)
{
	(void)state;
	guest_enter();
	ept.pt[1] = pa_addr(ept.b_pa) | WB | R | BIT64(60) | BIT64(52);
	allowed(MOCK_GPA_READ, GPA_4K_B);
	ept.pt[0] = pa_addr(ept.a_pa) | WB | R | BIT64(39);
	exits(MOCK_GPA_READ, GPA_4K, EXIT_MISCONFIG,
	      "EPT.misconfig_reserved_maxphyaddr");
	ept.pdpt[2] |= BIT64(51);
	exits(MOCK_GPA_READ, GPA_1G, EXIT_MISCONFIG,
	      "EPT.misconfig_reserved_maxphyaddr");
	/* Tables in memory nothing answers read as all ones: reserved. */
	ept.pd[1] = UINT64_C(0x7F000000) | R | W | X;
	exits(MOCK_GPA_READ, GPA_2M, EXIT_MISCONFIG,
	      "EPT.misconfig_reserved_maxphyaddr");
}

/* Bits 7:3 of a PML4E and 6:3 of a non-leaf PDPTE or PDE are reserved. */
static void test_mock_ept_misconfig_nonleaf(void **state)
{
	(void)state;
	guest_enter();
	/* Bits 11:8 of non-leaf entries are ignored or accessed flags. */
	ept.pd[0] = pa_addr(ept.pt_pa) | R | W | X | BIT64(9) | BIT64(11);
	allowed(MOCK_GPA_READ, GPA_4K);
	ept.pd[0] = pa_addr(ept.pt_pa) | R | W | X | (6u << 3);
	exits(MOCK_GPA_READ, GPA_4K_B, EXIT_MISCONFIG,
	      "EPT.misconfig_reserved_nonleaf");
	ept.pml4[0] |= LARGE;
	exits(MOCK_GPA_READ, GPA_1G, EXIT_MISCONFIG,
	      "EPT.misconfig_reserved_nonleaf");
}

/* Bits 29:12 of a 1-GByte and 20:12 of a 2-MByte page entry are
 * reserved, and bit 7 where the CPU lacks that page size (A.10 16/17). */
static void test_mock_ept_misconfig_large(void **state)
{
	uint64_t cap;
	(void)state;
	guest_enter();
	ept.pd[1] |= BIT64(12);
	exits(MOCK_GPA_READ, GPA_2M, EXIT_MISCONFIG,
	      "EPT.misconfig_reserved_large");
	ept.pdpt[2] |= BIT64(29);
	exits(MOCK_GPA_READ, GPA_1G, EXIT_MISCONFIG,
	      "EPT.misconfig_reserved_large");
	ept.pdpt[2] &= ~BIT64(29);
	ept.pd[1] &= ~BIT64(12);
	allowed(MOCK_GPA_READ, GPA_1G);
	allowed(MOCK_GPA_READ, GPA_2M);
	assert_true(mock_msr_get(0, MSR_IA32_VMX_EPT_VPID_CAP, &cap));
	mock_msr_set(0, MSR_IA32_VMX_EPT_VPID_CAP,
		     cap & ~(BIT64(16) | BIT64(17)));
	guest_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	exits(MOCK_GPA_READ, GPA_1G + 0x200000, EXIT_MISCONFIG,
	      "EPT.misconfig_page_size");
	exits(MOCK_GPA_READ, GPA_2M + 0x1000, EXIT_MISCONFIG,
	      "EPT.misconfig_page_size");
}

/* The leaf's EPT memory type 2, 3 or 7 is a misconfiguration; 0, 1, 4, 5
 * and 6 translate (29.3.3.1, 29.3.7). */
static void test_mock_ept_misconfig_memtype(void **state)
{
	static const unsigned bad[] = {2, 3, 7};
	static const unsigned good[] = {0, 1, 4, 5, 6};
	(void)state;
	guest_enter();
	for (unsigned i = 0; i < 3; i++) {
		ept.pt[1] = pa_addr(ept.b_pa) | (bad[i] << 3) | R;
		exits(MOCK_GPA_READ, GPA_4K_B, EXIT_MISCONFIG,
		      "EPT.misconfig_memtype");
	}
	for (unsigned i = 0; i < 5; i++) {
		ept.pt[1] = pa_addr(ept.b_pa) | (good[i] << 3) | R | BIT64(6);
		struct mock_gpa_result r = access(MOCK_GPA_READ, GPA_4K_B);
		assert_true(r.completed);
		assert_int_equal(r.mem_type, good[i]);
		/* Forget the cached translation: the next type is new. */
		guest_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	}
}

/* ----------------------------------------------------------- memory type */

/* "Ignore PAT" (bit 6) gives the EPT type; otherwise the EPT type plays
 * the MTRR's part in Table 11-7 with the PAT type; CR0.CD gives UC. */
static void test_mock_ept_memory_type(void **state)
{
	struct mock_gpa_access a = {.gpa = GPA_4K_B, .kind = MOCK_GPA_READ};
	struct mock_gpa_result r;
	struct mock_cpu_regs regs;
	static const struct {
		uint8_t ept, pat, want;
	} combos[] = {
		{6, 7, 0}, /* WB + UC- = UC */
		{6, 1, 1}, /* WB + WC = WC */
		{4, 6, 4}, /* WT + WB = WT */
		{0, 1, 1}, /* UC + WC = WC */
		{1, 7, 1}, /* WC + UC- = WC */
		{5, 6, 5}, /* WP + WB = WP */
		{5, 7, 1}, /* WP + UC- = WC */
		{4, 5, 5}, /* WT + WP = WP */
		{0, 6, 0}, /* UC + WB = UC */
		{6, 0, 0}, /* WB + UC = UC */
		{4, 0, 0}, /* WT + UC = UC */
	};
	(void)state;
	guest_enter();
	for (unsigned i = 0; i < sizeof(combos) / sizeof(combos[0]); i++) {
		ept.pt[1] = pa_addr(ept.b_pa) | R | (combos[i].ept << 3);
		a.gpa = GPA_4K_B + UINT64_C(0x100) * (i + 1u);
		a.pat_type = combos[i].pat;
		a.pat_given = true;
		/* A new type needs a new walk. */
		guest_invept(VMX_INVEPT_ALL_CONTEXT, 0);
		assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
		assert_true(r.completed);
		if (r.mem_type != combos[i].want)
			fail_msg("EPT type %u, PAT %u: got %u, want %u",
				 combos[i].ept, combos[i].pat, r.mem_type,
				 combos[i].want);
	}
	/* Ignore PAT: the EPT type whatever the PAT says. */
	ept.pt[0] = pa_addr(ept.a_pa) | R | (4u << 3) | BIT64(6);
	guest_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	a.gpa = GPA_4K;
	a.pat_type = 7;
	r = (struct mock_gpa_result){0};
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_int_equal(r.mem_type, 4);
	/* CR0.CD = 1: UC. */
	mock_cpu_get_regs(0, &regs);
	regs.cr0 |= X86_CR0_CD;
	mock_cpu_set_regs(0, &regs);
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_int_equal(r.mem_type, 0);
	regs.cr0 &= ~X86_CR0_CD;
	mock_cpu_set_regs(0, &regs);
}

/* ------------------------------------------------------------ A/D flags */

/* EPTP bit 6: a read sets the accessed flag of every entry used, a write
 * also the dirty flag of the leaf (29.3.5); without it nothing changes. */
static void test_mock_ept_accessed_dirty(void **state)
{
	(void)state;
	guest_enter();
	allowed(MOCK_GPA_WRITE, GPA_4K);
	assert_true((ept.pml4[0] & (BIT64(8) | BIT64(9))) == 0);
	assert_true((ept.pt[0] & (BIT64(8) | BIT64(9))) == 0);
	assert_true(mock_vmcs_poke(0, VMCS_EPT_POINTER, ept.eptp | BIT64(6)));
	allowed(MOCK_GPA_READ, GPA_4K_B);
	assert_true(ept.pml4[0] & BIT64(8));
	assert_true(ept.pdpt[1] & BIT64(8));
	assert_true(ept.pd[0] & BIT64(8));
	assert_true(ept.pt[1] & BIT64(8));
	assert_false(ept.pt[1] & BIT64(9));
	/* A write through the cached (clean) mapping still sets D. */
	allowed(MOCK_GPA_WRITE, GPA_4K_B);
	assert_true(ept.pt[1] & BIT64(9));
	allowed(MOCK_GPA_WRITE, GPA_2M);
	assert_true(ept.pd[1] & BIT64(9));
}

/* With EPT A/D on, guest paging-structure accesses are writes: a
 * read-only page gives a violation with bits 0 and 1 (29.3.3.2). */
static void test_mock_ept_ad_paging_structure(void **state)
{
	struct mock_gpa_access a = {.gpa = GPA_4K_B,
				    .kind = MOCK_GPA_READ,
				    .paging_structure = true,
				    .gla = GLA};
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	ept.pt[1] = pa_addr(ept.b_pa) | WB | R;
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_true(r.completed && r.exits == 0);
	assert_true(mock_vmcs_poke(0, VMCS_EPT_POINTER, ept.eptp | BIT64(6)));
	hl.act = ACT_SKIP;
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_int_equal(r.reason, EXIT_VIOLATION);
	assert_string_equal(r.rule, "EPT.violation_write");
	assert_true(r.qualification ==
		    (BIT64(0) | BIT64(1) | BIT64(3) | BIT64(7)));
}

/* ------------------------------------------------------- cache, INVEPT */

/* After the tables change, the CPU keeps using the cached translation
 * until INVEPT single-context for its EP4TA or all-context (29.4);
 * single-context for another EPTP leaves it. */
static void test_mock_ept_stale_until_invept(void **state)
{
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	r = access(MOCK_GPA_READ, GPA_4K);
	assert_true(r.value == 0xA5A5A5A5u && !r.cached);
	assert_int_equal(mock_ept_cached_count(0), 1);
	ept.pt[0] = pa_addr(ept.b_pa) | WB | R | W | X;
	r = access(MOCK_GPA_READ, GPA_4K);
	assert_true(r.cached && r.value == 0xA5A5A5A5u);
	/* VM exits and entries do not flush it. */
	guest_invept(VMX_INVEPT_SINGLE_CONTEXT,
		     pa_addr(ept.pd_pa) | 6 | (3u << 3));
	r = access(MOCK_GPA_READ, GPA_4K);
	assert_true(r.cached && r.value == 0xA5A5A5A5u);
	guest_invept(VMX_INVEPT_SINGLE_CONTEXT, ept.eptp);
	r = access(MOCK_GPA_READ, GPA_4K);
	assert_true(!r.cached && r.value == 0xB6B6B6B6u);
	/* Not present now, but the cached translation still works. */
	ept.pt[0] = 0;
	r = access(MOCK_GPA_WRITE, GPA_4K);
	assert_true(r.completed && r.cached);
	guest_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	assert_int_equal(mock_ept_cached_count(0), 0);
	exits(MOCK_GPA_READ, GPA_4K, EXIT_VIOLATION,
	      "EPT.violation_not_present");
}

/* A cached translation that forbids the access causes the violation even
 * after the tables allow it; the violation invalidates it, so the access
 * re-executed after the exit walks again and completes (29.4.3.1). */
static void test_mock_ept_cached_violation(void **state)
{
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	ept.pt[1] = pa_addr(ept.b_pa) | WB | R;
	allowed(MOCK_GPA_READ, GPA_4K_B);
	ept.pt[1] = pa_addr(ept.b_pa) | WB | R | W;
	hl.act = ACT_RESUME;
	r = access(MOCK_GPA_WRITE, GPA_4K_B);
	assert_int_equal(r.exits, 1);
	assert_string_equal(r.rule, "EPT.violation_cached");
	assert_true(r.completed && !r.cached);
}

/* Resuming without fixing the entry re-executes the access: the 8th exit
 * of one instruction is the model violation EPT.retry_loop. Fixing it in
 * the handler completes the access on the retry. */
static void test_mock_ept_retry(void **state)
{
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	ept.pt[0] = pa_addr(ept.a_pa) | WB | R;
	guest_catch_violations();
	hl.act = ACT_RESUME;
	r = access(MOCK_GPA_WRITE, GPA_4K);
	assert_string_equal(guest_violation(), "EPT.retry_loop");
	assert_int_equal(r.exits, 8);
	assert_false(r.completed);
}

static void fix_pt0(void)
{
	ept.pt[0] = pa_addr(ept.a_pa) | WB | R | W;
}

static void test_mock_ept_retry_fixed(void **state)
{
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	ept.pt[0] = pa_addr(ept.a_pa) | WB | R;
	hl.fix = fix_pt0;
	r = access(MOCK_GPA_WRITE, GPA_4K);
	assert_int_equal(r.exits, 1);
	assert_true(r.completed);
	assert_int_equal(hl.exits, 1);
}

static void inject_gp(void)
{
	/* Valid, hardware exception, error code, vector 13 (27.2.1.3). */
	mock_test_write(VMCS_VM_ENTRY_INTR_INFO, 0x80000B0Du);
	mock_test_write(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
}

/* A handler that injects an exception and resumes at the access: the
 * entry delivers it before any guest instruction (27.6), so the access
 * ends there, not completed, after one exit; no retry loop. Before the
 * model knew it, the access ran again (8 exits, EPT.retry_loop). */
static void test_mock_ept_injected_ends_access(void **state)
{
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	ept.pt[0] = pa_addr(ept.a_pa) | WB | R;
	hl.fix = inject_gp;
	hl.act = ACT_RESUME;
	r = access(MOCK_GPA_WRITE, GPA_4K);
	assert_int_equal(r.exits, 1);
	assert_false(r.completed);
	assert_true(r.out.injected);
	assert_int_equal(r.out.injected_info & 0xFFu, X86_VEC_GP);
	assert_int_equal(((const uint8_t *)ept.a)[0], 0xA5);
}

static void inject_pf_at_gla(void)
{
	/* As KVM does it: CR2 written in VMX root before the entry, which
	 * injects #PF (vector 14, error code P|W = 3). */
	cpu_write_cr2(GLA);
	mock_test_write(VMCS_VM_ENTRY_INTR_INFO, 0x80000B0Eu);
	mock_test_write(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, 3);
}

static void no_fix(void)
{
}

/*
 * CR2 is not in the VMCS (SDM Vol. 3C 25.4.1): a VM exit and a VM entry
 * leave the register as it was, and an injected #PF is delivered through
 * the IDT without loading it (27.6.1; a #PF loads CR2 when the processor
 * detects it, Vol. 3A 6.15): the handler sees what the VMM wrote before
 * the entry. Before the model reported it, the outcome had no CR2.
 */
static void test_mock_ept_injected_pf_cr2(void **state)
{
	struct mock_cpu_regs regs;
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	mock_cpu_get_regs(0, &regs);
	regs.cr2 = 0x1234000;
	mock_cpu_set_regs(0, &regs);
	ept.pt[0] = pa_addr(ept.a_pa) | WB | R;
	/* An exit whose handler leaves CR2 alone: the guest keeps its own. */
	hl.fix = no_fix;
	hl.act = ACT_SKIP;
	r = access(MOCK_GPA_WRITE, GPA_4K);
	assert_int_equal(r.exits, 1);
	mock_cpu_get_regs(0, &regs);
	assert_int_equal(regs.cr2, 0x1234000);
	/* The handler writes CR2 and injects #PF. */
	hl.fix = inject_pf_at_gla;
	hl.act = ACT_RESUME;
	r = access(MOCK_GPA_WRITE, GPA_4K);
	assert_int_equal(r.exits, 1);
	assert_false(r.completed);
	assert_true(r.out.injected);
	assert_int_equal(r.out.injected_info & 0xFFu, X86_VEC_PF);
	assert_int_equal(r.out.injected_error_code, 3);
	assert_int_equal(r.out.injected_cr2, GLA);
	mock_cpu_get_regs(0, &regs);
	assert_int_equal(regs.cr2, GLA);
	assert_int_equal(((const uint8_t *)ept.a)[0], 0xA5);
}

/* INVEPT (31.3): types per IA32_VMX_EPT_VPID_CAP bits 25/26; a
 * single-context EPTP that VM entry would refuse (each C10 condition) is
 * VMfailValid(28); all-context ignores the EPTP; descriptor bits 127:64
 * must be zero (Figure 31-1): undefined, reported. */
static void test_mock_ept_invept_audit(void **state)
{
	uint64_t good = ept.eptp, cap;
	const uint64_t bad[] = {
		good & ~UINT64_C(7),		      /* UC: valid here */
		(good & ~UINT64_C(7)) | 1,	      /* memory type 1 */
		(good & ~UINT64_C(0x38)) | (4u << 3), /* no 5-level */
		(good & ~UINT64_C(0x38)),	      /* walk length 1 */
		good | BIT64(7),		      /* bit 7 reserved */
		good | BIT64(11),		      /* bit 11 reserved */
		good | BIT64(39),		      /* beyond MAXPHYADDR */
	};
	struct vmx_invept_desc d = {.eptp = good};
	(void)state;
	assert_true(mock_msr_get(0, MSR_IA32_VMX_EPT_VPID_CAP, &cap));
	assert_true(vmx_ok(vmx_invept(VMX_INVEPT_SINGLE_CONTEXT, &d)));
	/* UC is supported (A.10 bit 8): index 0 is valid on this profile. */
	for (unsigned i = 1; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d.eptp = bad[i];
		vmx_result_t r = vmx_invept(VMX_INVEPT_SINGLE_CONTEXT, &d);
		assert_int_equal(r.outcome, VMX_FAIL_VALID);
		assert_int_equal(r.error, VMXERR_INVALID_INVEPT_INVVPID);
		assert_string_equal(mock_last_vmx_rule(0), "INVEPT.fail_eptp");
		assert_true(vmx_ok(vmx_invept(VMX_INVEPT_ALL_CONTEXT, &d)));
	}
	d.eptp = bad[0];
	assert_true(vmx_ok(vmx_invept(VMX_INVEPT_SINGLE_CONTEXT, &d)));
	/* A/D needs A.10 bit 21. */
	mock_msr_set(0, MSR_IA32_VMX_EPT_VPID_CAP, cap & ~BIT64(21));
	d.eptp = good | BIT64(6);
	assert_int_equal(vmx_invept(VMX_INVEPT_SINGLE_CONTEXT, &d).error,
			 VMXERR_INVALID_INVEPT_INVVPID);
	/* Types 0, 3 and 2 without bit 26 fail before the descriptor. */
	d.eptp = good;
	assert_int_equal(vmx_invept(0, &d).error,
			 VMXERR_INVALID_INVEPT_INVVPID);
	assert_string_equal(mock_last_vmx_rule(0), "INVEPT.fail_type");
	assert_int_equal(vmx_invept(3, &d).error,
			 VMXERR_INVALID_INVEPT_INVVPID);
	mock_msr_set(0, MSR_IA32_VMX_EPT_VPID_CAP, cap & ~BIT64(26));
	assert_int_equal(vmx_invept(VMX_INVEPT_ALL_CONTEXT, &d).error,
			 VMXERR_INVALID_INVEPT_INVVPID);
	assert_string_equal(mock_last_vmx_rule(0), "INVEPT.fail_type");
	mock_msr_set(0, MSR_IA32_VMX_EPT_VPID_CAP, cap);
	/* Reserved descriptor bits. */
	unsigned before = mock_undefined_count();
	assert_true(vmx_ok(vmx_invept(VMX_INVEPT_SINGLE_CONTEXT, &d)));
	assert_int_equal(mock_undefined_count(), before);
	mock_allow_undefined(true);
	d.reserved = 1;
	assert_true(vmx_ok(vmx_invept(VMX_INVEPT_SINGLE_CONTEXT, &d)));
	assert_int_equal(mock_undefined_count(), before + 1);
	assert_string_equal(mock_last_undefined_rule(), "INVEPT.desc_reserved");
}

/* ------------------------------------------------------- event delivery */

/* Events as the IDT-vectoring information shows them (SDM Vol. 3C
 * 28.2.4): external interrupt 0x20, #PF with its error code, INT 0x80. */
#define EV_EXT (INTR_INFO_VALID | 0x20u)
#define EV_PF                                                                  \
	(INTR_INFO_VALID | (INTR_TYPE_HARD_EXCEPTION << 8) |                   \
	 INTR_INFO_DELIVER_CODE | X86_VEC_PF)
#define EV_INT80 (INTR_INFO_VALID | (INTR_TYPE_SOFT_INTR << 8) | 0x80u)
#define EV(type, vec) (INTR_INFO_VALID | ((type) << 8) | (vec))

/* A write of the delivery of @p event (the frame pushed) to GPA_4K. */
static int deliver_write(uint32_t event, uint32_t code, uint32_t len,
			 struct mock_gpa_result *r)
{
	struct mock_gpa_access a = {.gpa = GPA_4K,
				    .size = 8,
				    .kind = MOCK_GPA_WRITE,
				    .gla = GLA,
				    .len = 3,
				    .event = event,
				    .event_error_code = code,
				    .event_len = len};

	return mock_guest_gpa_access(&a, r);
}

/* The handler's repair: the page writable, the event injected again from
 * the IDT-vectoring fields (what a VMM must do, 28.2.4). */
static uint32_t reinjected;

static void fix_and_reinject(void)
{
	fix_pt0();
	reinjected = hl.idt;
	mock_test_write(VMCS_VM_ENTRY_INTR_INFO, hl.idt);
	mock_test_write(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, hl.idt_code);
	mock_test_write(VMCS_VM_ENTRY_INSTRUCTION_LEN, hl.ilen);
}

/* Guest RFLAGS.IF = @p on: whether an external interrupt can come. */
static void guest_if(bool on)
{
	struct mock_cpu_regs regs;

	mock_cpu_get_regs(0, &regs);
	regs.rflags = on ? regs.rflags | X86_RFLAGS_IF
			 : regs.rflags & ~(uint64_t)X86_RFLAGS_IF;
	mock_cpu_set_regs(0, &regs);
}

/*
 * An access made while delivering an event: the EPT violation reports
 * the event in the IDT-vectoring information and error code (28.2.4), the
 * instruction length for a software interrupt (28.2.5), and never bit 12
 * (undefined then, Table 28-7). The VMM's re-injection delivers the event
 * again and the access with it: it completes without moving RIP (no
 * instruction completed). An instruction's own access reports no event.
 * Before the model knew event delivery, the field was always 0.
 */
static void test_mock_ept_event_delivery(void **state)
{
	struct mock_gpa_result r;
	uint64_t rip;
	(void)state;
	guest_enter();
	rip = mock_cpu_rip(0);
	ept.pt[0] = pa_addr(ept.a_pa) | WB | R;
	hl.fix = fix_and_reinject;
	hl.act = ACT_RESUME;
	assert_int_equal(deliver_write(EV_PF, 0x2, 0, &r), 0);
	assert_int_equal(hl.idt, EV_PF);
	assert_int_equal(hl.idt_code, 0x2);
	assert_int_equal(hl.ilen, 0);
	assert_false(r.qualification & BIT64(12));
	assert_true(r.completed && !r.event_lost);
	assert_int_equal(r.exits, 1);
	assert_int_equal(mock_cpu_rip(0), rip);

	ept.pt[0] = pa_addr(ept.a_pa) | WB | R;
	guest_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	hl.fix = fix_and_reinject;
	assert_int_equal(deliver_write(EV_INT80, 0, 2, &r), 0);
	assert_int_equal(hl.idt, EV_INT80);
	assert_int_equal(hl.ilen, 2);
	assert_true(r.completed);
	assert_int_equal(mock_cpu_rip(0), rip);

	ept.pt[0] = pa_addr(ept.a_pa) | WB | R;
	guest_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	hl.fix = fix_pt0;
	r = access(MOCK_GPA_WRITE, GPA_4K);
	assert_int_equal(hl.idt, 0);
	assert_true(r.completed);
	assert_int_equal(mock_cpu_rip(0), rip + 3);
}

/*
 * Resuming after an exit while delivering an external interrupt without
 * injecting it again loses it (28.2.4): the model violation
 * EPT.event_lost. A hardware exception instead comes again when the
 * instruction re-executes: the access is retried (here the handler fixed
 * the page, so it completes).
 */
static void test_mock_ept_event_lost(void **state)
{
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	guest_if(true);
	ept.pt[0] = pa_addr(ept.a_pa) | WB | R;
	guest_catch_violations();
	hl.fix = fix_pt0;
	hl.act = ACT_RESUME;
	assert_int_equal(deliver_write(EV_EXT, 0, 0, &r), 0);
	assert_string_equal(guest_violation(), "EPT.event_lost");
	assert_true(r.event_lost);
	assert_false(r.completed);

	ept.pt[0] = pa_addr(ept.a_pa) | WB | R;
	guest_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	hl.fix = fix_pt0;
	assert_int_equal(deliver_write(EV_PF, 0x2, 0, &r), 0);
	assert_true(r.completed && !r.event_lost);
	assert_int_equal(r.exits, 1);
}

static uint64_t vnmi_intr[2];

/* At the second exit: record the blocking, leave. */
static void vnmi_second(void)
{
	vnmi_intr[1] = mock_test_read(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	hl.act = ACT_LEAVE;
}

/* At the first exit: record the blocking, inject the NMI again without
 * opening the page, so its delivery exits once more. */
static void vnmi_first(void)
{
	vnmi_intr[0] = mock_test_read(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	mock_test_write(VMCS_VM_ENTRY_INTR_INFO, hl.idt);
	hl.fix = vnmi_second;
}

/* With "virtual NMIs", an exit while delivering an NMI that the entry
 * injected leaves virtual-NMI blocking set (SDM Vol. 3C 28.1); an NMI
 * delivered without injection (the first try) does not. */
static void test_mock_ept_event_vnmi(void **state)
{
	struct mock_gpa_result r;
	uint64_t pin = 0;
	(void)state;
	assert_true(mock_vmcs_peek(0, VMCS_PIN_BASED_VM_EXEC_CONTROL, &pin));
	assert_true(mock_vmcs_poke(0, VMCS_PIN_BASED_VM_EXEC_CONTROL,
				   pin | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS));
	guest_enter();
	ept.pt[0] = pa_addr(ept.a_pa) | WB | R;
	hl.fix = vnmi_first;
	hl.act = ACT_RESUME;
	assert_int_equal(
		deliver_write(EV(INTR_TYPE_NMI, X86_VEC_NMI), 0, 0, &r), 0);
	assert_int_equal(r.exits, 2);
	assert_false(r.completed);
	assert_int_equal(vnmi_intr[0] & INTERRUPTIBILITY_NMI, 0);
	assert_int_equal(vnmi_intr[1] & INTERRUPTIBILITY_NMI,
			 INTERRUPTIBILITY_NMI);
}

/* At the exit: record the blocking, leave. */
static void nmi_block_seen(void)
{
	vnmi_intr[0] = mock_test_read(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	hl.act = ACT_LEAVE;
}

/* Without "virtual NMIs" (Flank's setting), an NMI whose delivery causes
 * a VM exit indirectly has blocked further NMIs before the exit commences
 * (SDM Vol. 3C 28.1, "If an event causes a VM exit indirectly"): the exit
 * saves blocking by NMI set. */
static void test_mock_ept_event_nmi_blocks(void **state)
{
	struct mock_gpa_result r;
	uint64_t pin = 0;
	(void)state;
	assert_true(mock_vmcs_peek(0, VMCS_PIN_BASED_VM_EXEC_CONTROL, &pin));
	assert_true(mock_vmcs_poke(
		0, VMCS_PIN_BASED_VM_EXEC_CONTROL,
		pin & ~(uint64_t)(PIN_NMI_EXITING | PIN_VIRTUAL_NMIS)));
	guest_enter();
	ept.pt[0] = pa_addr(ept.a_pa) | WB | R;
	vnmi_intr[0] = 0;
	hl.fix = nmi_block_seen;
	hl.act = ACT_RESUME;
	assert_int_equal(
		deliver_write(EV(INTR_TYPE_NMI, X86_VEC_NMI), 0, 0, &r), 0);
	assert_int_equal(r.exits, 1);
	assert_false(r.completed);
	assert_int_equal(vnmi_intr[0] & INTERRUPTIBILITY_NMI,
			 INTERRUPTIBILITY_NMI);
}

/* Events a CPU could not be delivering are refused (-1): a reserved type
 * or bit, NMI not on vector 2, an error code where the vector has none
 * or missing where it has one, a software interrupt without length, an
 * external interrupt with IF = 0, an event inside IRET. */
static void test_mock_ept_event_invalid(void **state)
{
	struct mock_gpa_access a = {
		.gpa = GPA_4K, .kind = MOCK_GPA_READ, .gla = GLA};
	static const uint32_t bad[] = {
		INTR_INFO_VALID | (1u << 8) | 0x20u,
		INTR_INFO_VALID | (2u << 8) | 3u,
		INTR_INFO_VALID | (3u << 8) | INTR_INFO_DELIVER_CODE | 6u,
		INTR_INFO_VALID | (3u << 8) | 14u,
		INTR_INFO_VALID | (3u << 8) | 40u,
		EV_PF | BIT32(12),
		EV_INT80,
		EV_EXT,
		0x20u,
	};
	struct mock_gpa_result r;
	(void)state;
	guest_enter();
	guest_if(false);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a.event = bad[i];
		assert_int_equal(mock_guest_gpa_access(&a, &r), -1);
	}
	guest_if(true);
	a.event = EV_EXT;
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	a.iret = true;
	assert_int_equal(mock_guest_gpa_access(&a, &r), -1);
}

/* ------------------------------------------------------------------ MTF */

/*
 * The profiles' PROCBASED_CTLS (Bochs corei7_skylake_x, measured) do not
 * allow "monitor trap flag" (allowed-1 bit 27): the MTF tests run on that
 * CPU with the capability added, as a real Skylake reports it.
 */
static void allow_mtf(void)
{
	static const uint32_t msrs[] = {MSR_IA32_VMX_PROCBASED_CTLS,
					MSR_IA32_VMX_TRUE_PROCBASED_CTLS};
	for (unsigned i = 0; i < 2; i++) {
		uint64_t v;
		assert_true(mock_msr_get(0, msrs[i], &v));
		mock_msr_set(0, msrs[i],
			     v | ((uint64_t)CPU_MONITOR_TRAP_FLAG << 32));
	}
	guest_proc_set(CPU_MONITOR_TRAP_FLAG);
}

/* With "monitor trap flag", the entry that injects the event has an MTF
 * VM exit pending before the first instruction after it (26.5.2): the
 * access ends with two exits, the second an MTF exit at the same RIP
 * (the handler's first instruction is not modelled). Before, one exit. */
static void test_mock_ept_injected_mtf(void **state)
{
	struct mock_gpa_result r;
	uint64_t rip;
	unsigned before;
	(void)state;
	allow_mtf();
	guest_enter();
	rip = mock_test_read(VMCS_GUEST_RIP);
	before = hl.exits;
	ept.pt[0] = pa_addr(ept.a_pa) | WB | R;
	hl.fix = inject_gp;
	hl.act = ACT_RESUME;
	r = access(MOCK_GPA_WRITE, GPA_4K);
	assert_int_equal(r.exits, 2);
	assert_true(r.mtf);
	assert_false(r.completed);
	assert_int_equal(hl.reason, EXIT_REASON_MONITOR_TRAP_FLAG);
	assert_int_equal(hl.exits - before, 2);
	assert_int_equal(mock_test_read(VMCS_GUEST_RIP), rip);
	assert_int_equal(((const uint8_t *)ept.a)[0], 0xA5);
}

/* With "monitor trap flag", an instruction that completes is followed by
 * an MTF VM exit (reason 37, qualification 0) with GUEST_RIP after it
 * (26.5.2); without the control, none. */
static void test_mock_ept_mtf(void **state)
{
	struct mock_gpa_result r;
	(void)state;
	allow_mtf();
	uint64_t rip = mock_test_read(VMCS_GUEST_RIP);
	guest_enter();
	r = access(MOCK_GPA_READ, GPA_4K);
	assert_true(r.completed && r.mtf);
	assert_int_equal(r.exits, 1);
	assert_int_equal(hl.reason, EXIT_REASON_MONITOR_TRAP_FLAG);
	assert_true(hl.qual == 0);
	assert_true(r.out.rip_before == rip + 3);
	/* An access that exits does not complete: no MTF exit after it. */
	ept.pt[1] = 0;
	r = exits(MOCK_GPA_READ, GPA_4K_B, EXIT_VIOLATION,
		  "EPT.violation_not_present");
	assert_false(r.mtf);
	/* Allowed once: the handler fixes the entry; the retried access
	 * completes and then the MTF exit comes. */
	ept.pt[0] = 0;
	guest_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	hl.fix = fix_pt0;
	r = access(MOCK_GPA_WRITE, GPA_4K);
	assert_int_equal(r.exits, 2);
	assert_true(r.completed && r.mtf);
	assert_int_equal(hl.reason, EXIT_REASON_MONITOR_TRAP_FLAG);
}

/* The event re-injected after an exit during its delivery: delivered with
 * the access; an MTF exit follows before the handler's first instruction
 * (26.5.2), RIP unchanged. */
static void test_mock_ept_event_reinjected_mtf(void **state)
{
	struct mock_gpa_result r;
	uint64_t rip;
	(void)state;
	allow_mtf();
	guest_enter();
	guest_if(true);
	rip = mock_cpu_rip(0);
	ept.pt[0] = pa_addr(ept.a_pa) | WB | R;
	hl.fix = fix_and_reinject;
	hl.act = ACT_RESUME;
	assert_int_equal(deliver_write(EV_EXT, 0, 0, &r), 0);
	assert_true(r.completed && r.mtf);
	assert_int_equal(r.exits, 2);
	assert_int_equal(reinjected, EV_EXT);
	assert_int_equal(hl.reason, EXIT_REASON_MONITOR_TRAP_FLAG);
	assert_int_equal(hl.idt, 0);
	assert_int_equal(mock_cpu_rip(0), rip);
}

/* MTF exits have priority over a single-step trap of the same
 * instruction: BS stays pending and the resuming entry delivers #DB. */
static void test_mock_ept_mtf_single_step(void **state)
{
	struct mock_gpa_result r;
	struct mock_cpu_regs regs;
	(void)state;
	allow_mtf();
	guest_enter();
	mock_cpu_get_regs(0, &regs);
	regs.rflags |= X86_RFLAGS_TF;
	mock_cpu_set_regs(0, &regs);
	r = access(MOCK_GPA_READ, GPA_4K);
	assert_true(r.mtf);
	assert_true(hl.pending_dbg & PENDING_DBG_BS);
	assert_true(r.out.debug_trap);
	/* Without TF nothing is pending. */
	regs.rflags &= ~X86_RFLAGS_TF;
	mock_cpu_set_regs(0, &regs);
	mock_vmcs_poke(0, VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	r = access(MOCK_GPA_READ, GPA_4K);
	assert_true(r.mtf);
	assert_false(hl.pending_dbg & PENDING_DBG_BS);
	assert_false(r.out.debug_trap);
}

/* Accesses the model refuses: outside VMX non-root, crossing a page,
 * wider than 8 bytes, beyond MAXPHYADDR. */
static void test_mock_ept_access_invalid(void **state)
{
	struct mock_gpa_access a = {.gpa = GPA_4K, .size = 4};
	(void)state;
	assert_int_equal(mock_guest_gpa_access(&a, NULL), -1);
	guest_enter();
	assert_int_equal(mock_guest_gpa_access(&a, NULL), 0);
	a.gpa = GPA_4K + 0xFFE;
	assert_int_equal(mock_guest_gpa_access(&a, NULL), -1);
	a.gpa = GPA_4K;
	a.size = 9;
	assert_int_equal(mock_guest_gpa_access(&a, NULL), -1);
	a.size = 1;
	a.gpa = UINT64_C(1) << 39;
	assert_int_equal(mock_guest_gpa_access(&a, NULL), -1);
	a.gpa = GPA_4K;
	a.kind = (enum mock_gpa_kind)7;
	assert_int_equal(mock_guest_gpa_access(&a, NULL), -1);
}

/* mock_ept_walk: the walk without side effects, for tests of tables that
 * libvmm builds. */
static void test_mock_ept_walk_api(void **state)
{
	struct mock_ept_walk w;
	(void)state;
	mock_ept_walk(ept.eptp, GPA_4K + 5, MOCK_GPA_WRITE, false, false, false,
		      &w);
	assert_int_equal(w.verdict, MOCK_EPT_OK);
	assert_true(w.hpa == pa_addr(ept.a_pa) + 5);
	assert_true(w.page_size == 4096 && w.levels == 4);
	assert_true(w.entry_pa[3] == pa_addr(ept.pt_pa));
	assert_int_equal(w.ept_type, 6);
	assert_true(w.readable && w.writable && w.executable);
	mock_ept_walk(ept.eptp, GPA_1G, MOCK_GPA_READ, false, false, false, &w);
	assert_true(w.page_size == (UINT64_C(1) << 30) && w.levels == 2);
	ept.pd[1] = 0;
	mock_ept_walk(ept.eptp, GPA_2M, MOCK_GPA_READ, false, false, false, &w);
	assert_int_equal(w.verdict, MOCK_EPT_VIOLATION);
	assert_true(w.qualification == BIT64(0));
	assert_int_equal(mock_ept_cached_count(0), 0);
}

/* ------------------------------------------------------- two CPUs */

static struct mock_test_vm vms[2];

static int setup2(void **state)
{
	(void)state;
	mock_fixture_init("skylake", 2);
	mock_set_exit_handlers(handler, resume_failed);
	memset(&hl, 0, sizeof(hl));
	memset(&ept, 0, sizeof(ept));
	for (unsigned i = 0; i < 2; i++) {
		mock_set_current_cpu(i);
		mock_test_vm_setup(&vms[i]);
		if (i == 0)
			ept_build(6u | (3u << 3));
		mock_test_write(VMCS_EPT_POINTER, ept.eptp);
		guest_proc2_set(SEC_ENABLE_EPT);
	}
	return 0;
}

static int teardown2(void **state)
{
	void *pages[] = {ept.pml4, ept.pdpt, ept.pd, ept.pt, ept.a, ept.b};

	for (unsigned i = 0; i < 2; i++) {
		mock_set_current_cpu(i);
		if (mock_vmx_mode(i) == MOCK_VMX_NONROOT) {
			hl.act = ACT_LEAVE;
			(void)mock_guest_vmx_insn(EXIT_REASON_VMCALL, NULL);
		}
		mock_test_vm_teardown(&vms[i]);
	}
	mock_set_current_cpu(0);
	for (unsigned i = 0; i < 6; i++)
		mock_test_page_free(pages[i]);
	return mock_fixture_teardown(state);
}

/* Cached translations are per CPU and INVEPT acts on the CPU that
 * executes it (SDM Vol. 3C 29.4.3.1, 31.3): after a remap and INVEPT on
 * CPU 0, CPU 1 still uses its stale translation until its own INVEPT. */
static void test_mock_ept_invept_per_cpu(void **state)
{
	struct mock_gpa_result r;
	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		mock_set_current_cpu(i);
		guest_enter();
		r = access(MOCK_GPA_READ, GPA_4K);
		assert_true(r.value == 0xA5A5A5A5u);
	}
	ept.pt[0] = pa_addr(ept.b_pa) | WB | R | W | X;
	mock_set_current_cpu(0);
	guest_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	assert_int_equal(mock_ept_cached_count(0), 0);
	assert_int_equal(mock_ept_cached_count(1), 1);
	r = access(MOCK_GPA_READ, GPA_4K);
	assert_true(!r.cached && r.value == 0xB6B6B6B6u);
	mock_set_current_cpu(1);
	r = access(MOCK_GPA_READ, GPA_4K);
	assert_true(r.cached && r.value == 0xA5A5A5A5u);
	guest_invept(VMX_INVEPT_SINGLE_CONTEXT, ept.eptp);
	r = access(MOCK_GPA_READ, GPA_4K);
	assert_true(!r.cached && r.value == 0xB6B6B6B6u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)
		T(test_mock_ept_translate_4k),
		T(test_mock_ept_large_pages),
		T(test_mock_ept_disabled),
		T(test_mock_ept_five_level),
		T(test_mock_ept_not_present),
		T(test_mock_ept_permissions),
		T(test_mock_ept_gla_bits),
		T(test_mock_ept_nmi_unblocking),
		T(test_mock_ept_event_delivery),
		T(test_mock_ept_event_lost),
		T(test_mock_ept_event_invalid),
		T(test_mock_ept_event_vnmi),
		T(test_mock_ept_event_nmi_blocks),
		T(test_mock_ept_event_reinjected_mtf),
		T(test_mock_ept_mode_based_exec),
		T(test_mock_ept_misconfig_write_no_read),
		T(test_mock_ept_misconfig_exec_only),
		T(test_mock_ept_misconfig_maxphyaddr),
		T(test_mock_ept_misconfig_nonleaf),
		T(test_mock_ept_misconfig_large),
		T(test_mock_ept_misconfig_memtype),
		T(test_mock_ept_memory_type),
		T(test_mock_ept_accessed_dirty),
		T(test_mock_ept_ad_paging_structure),
		T(test_mock_ept_stale_until_invept),
		T(test_mock_ept_cached_violation),
		T(test_mock_ept_retry),
		T(test_mock_ept_retry_fixed),
		T(test_mock_ept_injected_ends_access),
		T(test_mock_ept_injected_mtf),
		T(test_mock_ept_injected_pf_cr2),
		T(test_mock_ept_invept_audit),
		T(test_mock_ept_mtf),
		T(test_mock_ept_mtf_single_step),
		T(test_mock_ept_access_invalid),
		T(test_mock_ept_walk_api),
		cmocka_unit_test_setup_teardown(test_mock_ept_invept_per_cpu,
						setup2, teardown2),
#undef T
	};
	return FLANK_RUN_TESTS(tests);
}
