// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * EPT as the CPU uses it (SDM Vol. 3C 29.3 "The extended page table
 * mechanism"): the walk of the EPT paging structures for a guest-physical
 * access (29.3.2), EPT misconfigurations (29.3.3.1) and violations
 * (29.3.3.2) with the exit information of 28.2.1 (Table 28-7), accessed
 * and dirty flags (29.3.5), memory types (29.3.7), the cached
 * translations of ept_tlb.c (29.4), and the monitor trap flag after an
 * instruction that completes (26.5.2).
 *
 * Not modelled, and what stands instead:
 * - EPT-violation #VE (25.5.7): no scripted access converts a violation
 *   into #VE; the exit is always delivered. The control is allowed by
 *   the skylake profiles, so a VMM that sets it sees exits, not #VE.
 * - Advanced VM-exit information for EPT violations (qualification bits
 *   9-11, IA32_VMX_EPT_VPID_CAP[22]): no profile reports it; the bits are 0.
 * - Supervisor shadow-stack control (EPTP bit 7), sub-page write
 *   permissions, HLAT, PML: no profile allows them (VM entry refuses).
 * - Guest paging: the linear address and what guest paging says of it
 *   (user-mode address, PAT type, paging-structure access) come with the
 *   scripted access; the walk of guest page tables is not this file's.
 * - Read-modify-write accesses: a script makes a read and then a write.
 * - Event delivery: a scripted access names the event it is part of
 *   (mock_gpa_access.event); the model does not walk the guest's IDT,
 *   GDT or stack itself, and does not track the handler's RIP.
 */
#include "mock_internal.h"

/* EPT paging-structure entry bits (SDM Vol. 3C 29.3.2, Tables 29-1..29-7). */
#define EPTE_R BIT64(0)
#define EPTE_W BIT64(1)
#define EPTE_X BIT64(2)
#define EPTE_MEMTYPE(e) ((unsigned)((e) >> 3) & 7u)
#define EPTE_IPAT BIT64(6)
#define EPTE_LARGE BIT64(7)
#define EPTE_ACCESSED BIT64(8)
#define EPTE_DIRTY BIT64(9)
#define EPTE_XU BIT64(10)
#define EPTP_AD_ENABLE BIT64(6)

/* IA32_VMX_EPT_VPID_CAP (SDM Vol. 3D A.10). */
#define CAP_EXEC_ONLY BIT64(0)
#define CAP_2M BIT64(16)
#define CAP_1G BIT64(17)

/* Exit qualification of an EPT violation (SDM Vol. 3C Table 28-7). */
#define QUAL_READ BIT64(0)
#define QUAL_WRITE BIT64(1)
#define QUAL_FETCH BIT64(2)
#define QUAL_READABLE BIT64(3)
#define QUAL_WRITABLE BIT64(4)
#define QUAL_EXECUTABLE BIT64(5)
#define QUAL_USER_EXECUTABLE BIT64(6)
#define QUAL_GLA_VALID BIT64(7)
#define QUAL_GLA_TRANSLATION BIT64(8)
#define QUAL_NMI_UNBLOCKING BIT64(12)

/* One instruction may exit this often before the model calls it a loop. */
#define MAX_EXITS_PER_INSN 8u

static uint64_t addr_mask(void)
{
	unsigned n = mock_machine.phys_width;
	return ((UINT64_C(1) << n) - 1u) & ~UINT64_C(0xFFF);
}

/* Bits 51:N, reserved in every EPT paging-structure entry (29.3.2). */
static uint64_t reserved_high(void)
{
	unsigned n = mock_machine.phys_width;
	return (UINT64_C(1) << 52) - (UINT64_C(1) << n);
}

static void misconfig(struct mock_ept_walk *w, const char *rule)
{
	w->verdict = MOCK_EPT_MISCONFIG;
	w->rule = rule;
}

/*
 * SDM Vol. 3C 29.3.3.1: an entry that is misconfigured. @p level is 5
 * (PML5E) to 1 (PTE); @p leaf says it maps a page.
 */
static bool entry_misconfigured(uint64_t cap, uint64_t e, unsigned level,
				bool leaf, struct mock_ept_walk *w)
{
	uint64_t rsv;

	/* Bits 2:0 = 010b (write-only) or 110b (write/execute). */
	if (!(e & EPTE_R) && (e & EPTE_W)) {
		misconfig(w, "EPT.misconfig_write_no_read");
		return true;
	}
	/*
	 * Present but neither readable nor writable (100b, or with
	 * mode-based execute only bit 10): execute-only, a misconfiguration
	 * unless IA32_VMX_EPT_VPID_CAP[0] reports it.
	 */
	if (!(e & EPTE_R) && !(cap & CAP_EXEC_ONLY)) {
		misconfig(w, "EPT.misconfig_exec_only");
		return true;
	}
	/* Reserved bits (29.3.2): 51:N in every entry ... */
	if (e & reserved_high()) {
		misconfig(w, "EPT.misconfig_reserved_maxphyaddr");
		return true;
	}
	/* ... 7:3 in a PML5E or PML4E and 6:3 in a non-leaf PDPTE or PDE ... */
	if (!leaf) {
		rsv = level >= 4 ? UINT64_C(0xF8) : UINT64_C(0x78);
		if (e & rsv) {
			misconfig(w, "EPT.misconfig_reserved_nonleaf");
			return true;
		}
		return false;
	}
	/* ... bit 7 where the page size is not supported (A.10) ... */
	if ((level == 3 && !(cap & CAP_1G)) ||
	    (level == 2 && !(cap & CAP_2M))) {
		misconfig(w, "EPT.misconfig_page_size");
		return true;
	}
	/* ... 29:12 of a 1-GByte and 20:12 of a 2-MByte page entry. */
	rsv = level == 3   ? UINT64_C(0x3FFFF000)
	      : level == 2 ? UINT64_C(0x1FF000)
			   : 0;
	if (e & rsv) {
		misconfig(w, "EPT.misconfig_reserved_large");
		return true;
	}
	/* A leaf's EPT memory type 2, 3 or 7 is reserved. */
	unsigned t = EPTE_MEMTYPE(e);
	if (t == 2 || t == 3 || t == 7) {
		misconfig(w, "EPT.misconfig_memtype");
		return true;
	}
	return false;
}

/* SDM Vol. 3C 29.3.3.2: is the access allowed by the AND-ed permissions? */
static bool allowed(enum mock_gpa_kind kind, bool write_like, bool mbec,
		    bool user, bool r, bool wr, bool x, bool xu)
{
	if (kind == MOCK_GPA_FETCH)
		return mbec && user ? xu : x;
	if (write_like)
		return wr;
	return r;
}

/*
 * Guest paging-structure accesses are treated as writes when EPT A/D is
 * on (SDM Vol. 3C 29.3.3.2 and Table 28-7 bits 0-1).
 */
static bool write_like(enum mock_gpa_kind kind, bool paging_structure, bool ad)
{
	return kind == MOCK_GPA_WRITE || (paging_structure && ad);
}

/* Table 28-7 bits 0-6. */
static uint64_t qual_bits(enum mock_gpa_kind kind, bool wl, bool mbec, bool r,
			  bool wr, bool x, bool xu)
{
	uint64_t q = 0;

	if (kind == MOCK_GPA_FETCH)
		q |= QUAL_FETCH;
	else if (wl)
		/* A/D-treated paging-structure reads set bits 0 and 1. */
		q |= kind == MOCK_GPA_READ ? QUAL_READ | QUAL_WRITE
					   : QUAL_WRITE;
	else
		q |= QUAL_READ;
	q |= r ? QUAL_READABLE : 0;
	q |= wr ? QUAL_WRITABLE : 0;
	q |= x ? QUAL_EXECUTABLE : 0;
	/* Bit 6 is the AND of bit 10 only with mode-based execute. */
	q |= mbec && xu ? QUAL_USER_EXECUTABLE : 0;
	return q;
}

static void walk(const struct mock_cpu *c, uint64_t eptp, uint64_t gpa,
		 enum mock_gpa_kind kind, bool mbec, bool user, bool ps,
		 struct mock_ept_walk *w)
{
	uint64_t cap = mock_msr_value(c, MSR_IA32_VMX_EPT_VPID_CAP);
	unsigned levels = (unsigned)((eptp >> 3) & 7u) + 1u;
	uint64_t table = eptp & addr_mask();
	bool r = true, wr = true, x = true, xu = true;
	bool wl = write_like(kind, ps, (eptp & EPTP_AD_ENABLE) != 0);

	*w = (struct mock_ept_walk){.verdict = MOCK_EPT_OK, .rule = "EPT.ok"};
	/*
	 * 29.3.2: a 4-level walk translates bits 47:0 of the address. VM
	 * entry allows only walk lengths 4 and 5 (C10). A guest-physical
	 * address beyond 48 bits with a 4-level walk (MAXPHYADDR > 48) has
	 * no translation: the model makes it an EPT violation with no
	 * permission, as a not-present entry would.
	 */
	if (levels != 5 && (gpa >> 48) != 0) {
		w->verdict = MOCK_EPT_VIOLATION;
		w->rule = "EPT.violation_beyond_walk";
		w->qualification = qual_bits(kind, wl, mbec, 0, 0, 0, 0);
		return;
	}
	for (unsigned level = levels; level >= 1; level--) {
		unsigned shift = 12u + 9u * (level - 1u);
		uint64_t epa = table + ((gpa >> shift) & 511u) * 8u;
		uint64_t e;

		/* Unmapped memory reads as the bus answers (all ones). */
		(void)mock_mem_read(epa, &e, sizeof(e));
		w->entry_pa[w->levels] = epa;
		w->entry[w->levels] = e;
		w->levels++;
		/* 29.3.2: present if any of bits 2:0 (or 10 with MBEC). */
		if (!(e & 7u) && !(mbec && (e & EPTE_XU))) {
			w->verdict = MOCK_EPT_VIOLATION;
			w->rule = "EPT.violation_not_present";
			r = wr = x = xu = false;
			break;
		}
		bool leaf = level == 1 ||
			    ((level == 2 || level == 3) && (e & EPTE_LARGE));
		if (entry_misconfigured(cap, e, level, leaf, w))
			return;
		r = r && (e & EPTE_R);
		wr = wr && (e & EPTE_W);
		x = x && (e & EPTE_X);
		xu = xu && (e & EPTE_XU);
		if (leaf) {
			w->page_size = UINT64_C(1) << shift;
			w->hpa = (e & addr_mask() & ~(w->page_size - 1u)) |
				 (gpa & (w->page_size - 1u));
			w->ept_type = (uint8_t)EPTE_MEMTYPE(e);
			w->ipat = (e & EPTE_IPAT) != 0;
			break;
		}
		table = e & addr_mask();
	}
	w->readable = r;
	w->writable = wr;
	w->executable = x;
	w->user_executable = mbec && xu;
	w->qualification = qual_bits(kind, wl, mbec, r, wr, x, xu);
	if (w->verdict == MOCK_EPT_OK &&
	    !allowed(kind, wl, mbec, user, r, wr, x, xu)) {
		w->verdict = MOCK_EPT_VIOLATION;
		w->rule = kind == MOCK_GPA_FETCH
				  ? (mbec && user ? "EPT.violation_user_exec"
						  : "EPT.violation_exec")
			  : wl ? "EPT.violation_write"
			       : "EPT.violation_read";
	}
}

void mock_ept_walk(uint64_t eptp, uint64_t gpa, enum mock_gpa_kind kind,
		   bool mbec, bool user, bool paging_structure,
		   struct mock_ept_walk *w)
{
	walk(mock_cur(), eptp, gpa, kind, mbec, user, paging_structure, w);
}

/*
 * SDM Vol. 3A 11.5.2.2 Table 11-7, used with the EPT memory type in the
 * place of the MTRR type (Vol. 3C 29.3.7.2). Rows: EPT type 0 UC, 1 WC,
 * 4 WT, 5 WP, 6 WB; columns: PAT type 0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7 UC-.
 */
static uint8_t combine(uint8_t ept, uint8_t pat)
{
	static const uint8_t col[8] = {0, 1, 0xFF, 0xFF, 2, 3, 4, 5};
	static const uint8_t row[7] = {0, 1, 0xFF, 0xFF, 2, 3, 4};
	static const uint8_t table[5][6] = {
		/*         UC WC WT WP WB UC- */
		/* UC */ {0, 1, 0, 0, 0, 0},
		/* WC */ {0, 1, 0, 0, 1, 1},
		/* WT */ {0, 1, 4, 5, 4, 0},
		/* WP */ {0, 1, 4, 5, 5, 1},
		/* WB */ {0, 1, 4, 5, 6, 0},
	};

	if (ept > 6 || pat > 7 || row[ept] == 0xFF || col[pat] == 0xFF)
		return 0; /* reserved: unreachable after the walk */
	return table[row[ept]][col[pat]];
}

/* SDM Vol. 3C 29.3.7.2: the effective memory type of a translated access. */
static uint8_t mem_type(const struct mock_cpu *c,
			const struct mock_gpa_access *a, uint8_t ept_type,
			bool ipat)
{
	/* Without guest paging (CR0.PG = 0) the PAT memory type is WB. */
	uint8_t pat = a->pat_given ? a->pat_type : 6;

	if (c->regs.cr0 & X86_CR0_CD)
		return 0;
	return ipat ? ept_type : combine(ept_type, pat);
}

/*
 * SDM Vol. 3C 29.3.5: with EPTP bit 6, the accessed flag of every entry
 * used and, for a write (or an A/D-treated paging-structure access), the
 * dirty flag of the leaf. Only for accesses that complete: the SDM leaves
 * flags of a walk that ends in a violation unspecified, the model sets
 * none.
 */
static void set_ad(const struct mock_ept_walk *w, bool dirty)
{
	for (unsigned i = 0; i < w->levels; i++) {
		uint64_t e = w->entry[i] | EPTE_ACCESSED;
		if (dirty && i + 1u == w->levels)
			e |= EPTE_DIRTY;
		if (e != w->entry[i])
			(void)mock_mem_write(w->entry_pa[i], &e, sizeof(e));
	}
}

static uint32_t event_type(uint32_t info)
{
	return (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
}

static bool soft_event(uint32_t info)
{
	uint32_t t = event_type(info);

	return t == INTR_TYPE_SOFT_INTR || t == INTR_TYPE_PRIV_SW_EXCEPTION ||
	       t == INTR_TYPE_SOFT_EXCEPTION;
}

/*
 * True if @p a names no event, or one the CPU could be delivering when
 * the access is made (a scripted access is the test's input): the
 * IDT-vectoring format of SDM Vol. 3C 28.2.4 (bits 30:12 0; types 0 and
 * 2-6; NMI on vector 2, exceptions on 0-31, #BP/#OF (3, 4) as software
 * exceptions, INT1 (1) as privileged software exception; an error code
 * exactly for the exceptions that push one in protected mode, Vol. 3A
 * Table 6-1; an instruction length of 1-15 for software types, 28.2.5);
 * an external interrupt only with RFLAGS.IF = 1 and no STI or MOV-SS
 * blocking, an NMI only without MOV-SS or NMI blocking (Vol. 3A 6.8.1,
 * 6.8.3, 6.7.1); never inside IRET (which delivers nothing).
 */
static bool event_ok(struct mock_cpu *c, const struct mock_gpa_access *a)
{
	uint32_t e = a->event, t = event_type(e), vec = e & 0xFFu;
	uint32_t intr =
		(uint32_t)mock_cur_field(c, VMCS_GUEST_INTERRUPTIBILITY_INFO);
	bool code =
		vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21;

	if (!(e & INTR_INFO_VALID))
		return e == 0;
	if (a->iret || (e & 0x7FFFF000u) ||
	    ((e & INTR_INFO_DELIVER_CODE) != 0) !=
		    (t == INTR_TYPE_HARD_EXCEPTION && code) ||
	    (soft_event(e) && (a->event_len == 0 || a->event_len > 15u)))
		return false;
	switch (t) {
	case INTR_TYPE_EXT_INTR:
		return (c->regs.rflags & X86_RFLAGS_IF) &&
		       !(intr &
			 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
	case INTR_TYPE_NMI:
		return vec == 2 && !(intr & (INTERRUPTIBILITY_MOV_SS |
					     INTERRUPTIBILITY_NMI));
	case INTR_TYPE_HARD_EXCEPTION:
		return vec < 32 && vec != 2;
	case INTR_TYPE_SOFT_INTR:
		return true;
	case INTR_TYPE_PRIV_SW_EXCEPTION:
		return vec == 1;
	case INTR_TYPE_SOFT_EXCEPTION:
		return vec == 3 || vec == 4;
	default:
		return false;
	}
}

/*
 * An EPT-induced VM exit (SDM Vol. 3C 28.2.1, Table 28-7): GPA always;
 * GLA and qualification bits 7-8 for violations; bit 12 and the NMI
 * blocking (28.2.3: "any blocking by NMI is cleared before the VM exit
 * commences" when the access was part of an IRET). During event delivery
 * (@p a->event), the IDT-vectoring information and error code (28.2.4)
 * and, for a software interrupt or exception, the VM-exit instruction
 * length (28.2.5); an exit while delivering an NMI leaves blocking by NMI
 * set, and with "virtual NMIs" one that this entry injected leaves
 * virtual-NMI blocking set (28.1).
 */
static int ept_exit(struct mock_cpu *c, const struct mock_gpa_access *a,
		    uint32_t reason, uint64_t qual, const char *rule,
		    struct mock_gpa_result *r, bool injected)
{
	struct mock_vmcs *v = mock_current_vmcs(c);
	uint32_t pin =
		(uint32_t)mock_vmcs_get(v, VMCS_PIN_BASED_VM_EXEC_CONTROL);
	struct mock_exit_event e = {
		.reason = reason,
		.idt_vectoring_info = a->event,
		.idt_vectoring_error_code = (a->event & INTR_INFO_DELIVER_CODE)
						    ? a->event_error_code
						    : 0,
		.instruction_len = soft_event(a->event) ? a->event_len : 0};

	/* 28.1, an event that causes a VM exit indirectly: "An NMI causes
	 * subsequent NMIs to be blocked before the VM exit commences"
	 * (blocking by NMI without "virtual NMIs"; with them, an injected
	 * NMI leaves virtual-NMI blocking). */
	if ((injected || !(pin & PIN_VIRTUAL_NMIS)) &&
	    event_type(a->event) == INTR_TYPE_NMI)
		mock_vmcs_set(
			v, VMCS_GUEST_INTERRUPTIBILITY_INFO,
			mock_vmcs_get(v, VMCS_GUEST_INTERRUPTIBILITY_INFO) |
				INTERRUPTIBILITY_NMI);

	mock_vmcs_set(v, VMCS_GUEST_PHYSICAL_ADDRESS, a->gpa);
	if (reason == EXIT_REASON_EPT_VIOLATION) {
		if (!a->no_gla) {
			qual |= QUAL_GLA_VALID;
			qual |= a->paging_structure ? 0 : QUAL_GLA_TRANSLATION;
			/* 28.2.1: bits 63:32 cleared outside 64-bit mode. */
			mock_vmcs_set(v, VMCS_GUEST_LINEAR_ADDRESS,
				      mock_in_64bit(c) ? a->gla
						       : a->gla & 0xFFFFFFFFu);
		}
	} else {
		/* 28.2.1 defines no qualification for misconfigurations. */
		qual = 0;
	}
	if (a->iret) {
		/*
		 * Table 28-7 bit 12: undefined with "NMI exiting" 1 and
		 * "virtual NMIs" 0 (the model writes 0); otherwise set when
		 * IRET unblocked (virtual-)NMIs, and the blocking is cleared
		 * before the exit (28.2.3).
		 */
		if (reason == EXIT_REASON_EPT_VIOLATION &&
		    (!(pin & PIN_NMI_EXITING) || (pin & PIN_VIRTUAL_NMIS)))
			qual |= QUAL_NMI_UNBLOCKING;
		if (!(pin & PIN_NMI_EXITING) || (pin & PIN_VIRTUAL_NMIS))
			mock_vmcs_set(
				v, VMCS_GUEST_INTERRUPTIBILITY_INFO,
				mock_vmcs_get(
					v, VMCS_GUEST_INTERRUPTIBILITY_INFO) &
					~(uint64_t)INTERRUPTIBILITY_NMI);
	}
	/*
	 * The VM-exit instruction length is undefined for these exits
	 * (28.2.5 lists them only during delivery of a software interrupt
	 * or exception): the model writes 0, so a handler that "skips" by it
	 * re-executes the access.
	 */
	e.qualification = qual;
	e.gprs = c->guest_gprs;
	/* What the handler finds in the VMCS (it may leave VMX). */
	if (++r->exits == 1) {
		r->reason = reason;
		r->qualification = qual;
		r->gpa = a->gpa;
		r->gla = mock_vmcs_get(v, VMCS_GUEST_LINEAR_ADDRESS);
		r->rule = rule;
	}
	return mock_guest_exit(&e, &r->out);
}

/*
 * SDM Vol. 3C 26.5.2: with "monitor trap flag" 1, an MTF VM exit is
 * pending after an instruction completes (not after one that caused a VM
 * exit, which did not complete). MTF VM exits take priority over
 * debug-trap exceptions (26.5.2), so a single-step trap of the same
 * instruction stays pending: the exit saves BS in the pending debug
 * exceptions (28.3.4), and the resuming entry delivers it (27.7.3).
 */
static int mtf_exit(struct mock_cpu *c, struct mock_exit_outcome *out)
{
	struct mock_vmcs *v = mock_current_vmcs(c);
	struct mock_exit_event e = {.reason = EXIT_REASON_MONITOR_TRAP_FLAG,
				    .gprs = c->guest_gprs};

	if (c->regs.rflags & X86_RFLAGS_TF)
		mock_vmcs_set(
			v, VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
			mock_vmcs_get(v, VMCS_GUEST_PENDING_DBG_EXCEPTIONS) |
				PENDING_DBG_BS);
	return mock_guest_exit(&e, out);
}

/* The access itself, on physical memory (unmapped: as the bus answers). */
static void perform(const struct mock_gpa_access *a, uint32_t size,
		    uint64_t hpa, struct mock_gpa_result *r)
{
	uint8_t buf[8] = {0};

	if (a->kind == MOCK_GPA_WRITE) {
		for (uint32_t i = 0; i < size; i++)
			buf[i] = (uint8_t)(a->value >> (8u * i));
		(void)mock_mem_write(hpa, buf, size);
		return;
	}
	(void)mock_mem_read(hpa, buf, size);
	r->value = 0;
	for (uint32_t i = 0; i < size; i++)
		r->value |= (uint64_t)buf[i] << (8u * i);
}

/*
 * One try of the access with EPT in use: 1 if it translated (r->hpa,
 * r->mem_type set), 0 after an exit the handler resumed, -1 after one it
 * did not (left VMX or the model stopped).
 */
static int try_ept(struct mock_cpu *c, const struct mock_gpa_access *a,
		   struct mock_gpa_result *r, bool injected)
{
	uint64_t eptp = mock_cur_field(c, VMCS_EPT_POINTER);
	uint64_t ep4ta = eptp & MOCK_EPT_EP4TA_MASK;
	bool ad = (eptp & EPTP_AD_ENABLE) != 0;
	bool mbec = (mock_proc2_ctls(c) & SEC_MODE_BASED_EPT_EXEC) != 0;
	bool wl = write_like(a->kind, a->paging_structure, ad);
	const struct mock_ept_tlb_entry *t =
		mock_ept_tlb_lookup(c->id, ep4ta, a->gpa);
	struct mock_ept_walk w;
	uint32_t reason;
	uint64_t qual;

	if (t && !(wl && ad && !t->dirty)) {
		if (allowed(a->kind, wl, mbec, a->user, t->r, t->w, t->x,
			    t->xu)) {
			r->cached = true;
			r->hpa = t->hpa_base | (a->gpa & (t->page_size - 1u));
			r->mem_type = mem_type(c, a, t->ept_type, t->ipat);
			return 1;
		}
		/* 29.4.3.2: the cached permissions decide; 29.4.3.1: the
		 * violation invalidates the mapping. */
		reason = EXIT_REASON_EPT_VIOLATION;
		qual = qual_bits(a->kind, wl, mbec, t->r, t->w, t->x, t->xu);
		w.rule = "EPT.violation_cached";
	} else {
		walk(c, eptp, a->gpa, a->kind, mbec, a->user,
		     a->paging_structure, &w);
		if (w.verdict == MOCK_EPT_OK) {
			if (ad)
				set_ad(&w, wl);
			struct mock_ept_tlb_entry fill = {
				.ep4ta = ep4ta,
				.gpa_base = a->gpa & ~(w.page_size - 1u),
				.hpa_base = w.hpa & ~(w.page_size - 1u),
				.page_size = w.page_size,
				.r = w.readable,
				.w = w.writable,
				.x = w.executable,
				.xu = w.user_executable,
				.dirty = ad && wl,
				.ipat = w.ipat,
				.ept_type = w.ept_type};
			mock_ept_tlb_fill(c->id, &fill);
			r->hpa = w.hpa;
			r->mem_type = mem_type(c, a, w.ept_type, w.ipat);
			return 1;
		}
		reason = w.verdict == MOCK_EPT_MISCONFIG
				 ? EXIT_REASON_EPT_MISCONFIG
				 : EXIT_REASON_EPT_VIOLATION;
		qual = w.qualification;
	}
	mock_ept_tlb_invalidate_gpa(c->id, ep4ta, a->gpa);
	int rc = ept_exit(c, a, reason, qual, w.rule, r, injected);
	if (rc != 0 || r->out.action != INTRIN_EXIT_RESUME)
		return -1;
	return 0;
}

int mock_guest_gpa_access(const struct mock_gpa_access *a,
			  struct mock_gpa_result *r)
{
	struct mock_cpu *c = mock_cur();
	struct mock_gpa_result local;
	uint32_t size = a->size ? a->size : 1u;

	if (!r)
		r = &local;
	*r = (struct mock_gpa_result){.mem_type = 0xFF};
	/*
	 * One access within one page and within MAXPHYADDR: a guest cannot
	 * form a wider guest-physical address (its paging would fault).
	 */
	if (c->vmx != MOCK_VMX_NONROOT || size > 8 ||
	    (a->gpa & 0xFFFu) + size > 4096u || mock_pa_too_wide(a->gpa) ||
	    (unsigned)a->kind > MOCK_GPA_FETCH || !event_ok(c, a))
		return -1;
	uint64_t rip = c->rip;
	bool injected = false;
	for (;;) {
		int rc = 1;
		if (mock_proc2_ctls(c) & SEC_ENABLE_EPT)
			rc = try_ept(c, a, r, injected);
		else
			r->hpa = a->gpa; /* guest-physical = physical */
		c = mock_cur();
		if (rc < 0)
			return 0;
		if (rc == 1)
			break;
		/* Resumed: a handler that moved RIP skipped the access. */
		if (c->rip != rip)
			return 0;
		/*
		 * SDM Vol. 3C 28.2.4: the event whose delivery exited was not
		 * delivered. Injected again as it was (vector, type, error
		 * code, length), the entry delivers it (27.6.1) and this
		 * access is part of that delivery again.
		 */
		injected =
			a->event && r->out.injected &&
			r->out.injected_info == a->event &&
			(!(a->event & INTR_INFO_DELIVER_CODE) ||
			 r->out.injected_error_code == a->event_error_code) &&
			(!soft_event(a->event) ||
			 mock_cur_field(c, VMCS_VM_ENTRY_INSTRUCTION_LEN) ==
				 a->event_len);
		/* SDM Vol. 3C 27.6: an event injected by the resuming entry
		 * is delivered before any guest instruction; the guest goes
		 * on in its handler, the access is not re-executed now. With
		 * "monitor trap flag", an MTF VM exit is pending before the
		 * first instruction after such an entry (26.5.2). */
		if (r->out.injected && !injected) {
			if (mock_proc_ctls(c) & CPU_MONITOR_TRAP_FLAG) {
				struct mock_exit_event e = {
					.reason = EXIT_REASON_MONITOR_TRAP_FLAG,
					.gprs = c->guest_gprs};
				r->exits++;
				r->mtf = true;
				(void)mock_guest_exit(&e, &r->out);
			}
			return 0;
		}
		/*
		 * Resumed with nothing injected: an instruction re-executes
		 * and raises its exception or software interrupt again, but
		 * an external interrupt or NMI is gone (28.2.4: the VMM must
		 * deliver it); the guest goes on at RIP without it.
		 */
		if (a->event && !injected &&
		    (event_type(a->event) == INTR_TYPE_EXT_INTR ||
		     event_type(a->event) == INTR_TYPE_NMI)) {
			r->event_lost = true;
			mock_violation("EPT.event_lost",
				       "resumed after an exit during delivery "
				       "of an external interrupt or NMI "
				       "without injecting it again: the guest "
				       "lost the event (SDM Vol. 3C 28.2.4)");
			return 0;
		}
		if (r->exits >= MAX_EXITS_PER_INSN) {
			mock_violation("EPT.retry_loop",
				       "the same guest access exited 8 times: "
				       "the VMM resumes without fixing the "
				       "EPT entry, a guest hang on hardware");
			return 0;
		}
	}
	perform(a, size, r->hpa, r);
	r->completed = true;
	/* An access of event delivery completes no instruction: the guest
	 * goes on in the handler (its RIP is not modelled). MTF: after an
	 * instruction, or after delivering an event the entry injected,
	 * before the handler's first instruction (26.5.2). */
	if (!a->event)
		c->rip += a->len;
	if ((mock_proc_ctls(c) & CPU_MONITOR_TRAP_FLAG) &&
	    (!a->event || injected)) {
		r->exits++;
		r->mtf = true;
		if (mtf_exit(c, &r->out) != 0)
			return 0;
	}
	return 0;
}
