// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The differential campaign's case generator and executor (diffcase.h).
 * Freestanding: compiled into the guest module and into the host program.
 *
 * Safety on the real (Bochs) side decides what may be mutated: a case
 * whose VM entry succeeds must not harm the guest kernel that runs the
 * module. The base VMCS activates the VMX-preemption timer with value 0
 * where the CPU has it, so an entered guest exits before its first
 * instruction (SDM Vol. 3C 26.7.4 "If the VMX-preemption timer is
 * activated with value 0, a VM exit occurs ... before any instruction");
 * without it (Core 2) the guest's first instruction is VMCALL, which
 * always exits (26.1.2), and every mutation that could make the guest run
 * anything else (RIP, CR3, CS, RFLAGS, activity state, event injection)
 * is left out. Host-state mutations are limited to values that the module
 * restores right after the exit (diff_kmod.c) or that fail the checks.
 */
#include "diffcase.h"

#include "flank/vmcs_fields.h"

/* ------------------------------------------------------------ PRNG */

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(mix(s) % n);
}

/* ------------------------------------------------------ field names */

struct name_row {
	uint32_t enc;
	const char *name;
};

#define NAME_ROW(name, enc, feat) {(enc), #name},
static const struct name_row names[] = {VMCS_FIELD_LIST(NAME_ROW)};
#undef NAME_ROW

const char *diff_field_name(uint32_t enc)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].enc == enc)
			return names[i].name;
	}
	return NULL;
}

/* ------------------------------------------------------------- env */

uint32_t diff_revision(const struct diff_env *env)
{
	return (uint32_t)(env->msr[0] & 0x7fffffffu);
}

static uint64_t cap(const struct diff_env *env, uint32_t msr)
{
	return env->msr[diff_msr_index(msr)];
}

bool diff_has_preempt_timer(const struct diff_env *env)
{
	/* IA32_VMX_PINBASED_CTLS (0x481) allowed-1 bit 6. */
	return (cap(env, 0x481) >> 38) & 1u;
}

static uint64_t base_value(const struct diff_env *env, uint32_t enc,
			   bool *found)
{
	for (unsigned i = 0; i < env->nbase; i++) {
		if (env->base[i].enc == enc) {
			*found = true;
			return env->base[i].val;
		}
	}
	*found = false;
	return 0;
}

/* ------------------------------------------------------- mutations */

/* How a field's new value is chosen. */
enum mclass {
	M_CTRL,	     /* a control word: bit flips, allowed settings */
	M_GEN,	     /* any value of the field's width */
	M_ADDR,	     /* a physical address of a page or structure */
	M_LINK,	     /* the VMCS link pointer */
	M_MSRADDR,   /* an MSR-list address */
	M_MSRCNT,    /* an MSR-list count */
	M_SEL,	     /* a segment selector */
	M_CANON,     /* a linear address (canonicality) */
	M_AR,	     /* segment access rights */
	M_INTR,	     /* VM-entry interruption information */
	M_ACT,	     /* activity state */
	M_HOST_FAIL, /* host CS/TR selector: only values the checks refuse */
	M_HOST_CR0,
	M_HOST_CR4,
	M_HOST_HIGH, /* host TR base: only bits 63:47 */
	M_HOST_EFER,
};

/* Mutable only where the guest can never run (preemption timer at 0). */
#define F_PREEMPT 1u
/*
 * Decides the guest's first instruction (RIP, CR3, CS). Never together
 * with blocking by STI or MOV SS, which delays the preemption timer's exit
 * by one instruction (SDM Vol. 3C 26.7.4; Bochs does so too): the first
 * instruction must then be the VMCALL stub.
 */
#define F_FIRST 2u
/* Guest interruptibility state (see F_FIRST). */
#define F_INTERRUPTIBILITY 4u

struct mrow {
	uint32_t enc;
	uint8_t cls;
	uint8_t flags;
	/* M_CTRL: bits never flipped (safety, see the file comment). */
	uint32_t keep;
};

static const struct mrow pool[] = {
	/* controls */
	{VMCS_PIN_BASED_VM_EXEC_CONTROL, M_CTRL, 0, 0},
	{VMCS_CPU_BASED_VM_EXEC_CONTROL, M_CTRL, 0, 0},
	{VMCS_SECONDARY_VM_EXEC_CONTROL, M_CTRL, 0, 0},
	{VMCS_VM_EXIT_CONTROLS, M_CTRL, 0, 1u << 15},
	{VMCS_VM_ENTRY_CONTROLS, M_CTRL, 0, 0},
	{VMCS_PIN_BASED_VM_EXEC_CONTROL, M_CTRL, 0, 0},
	{VMCS_CPU_BASED_VM_EXEC_CONTROL, M_CTRL, 0, 0},
	{VMCS_SECONDARY_VM_EXEC_CONTROL, M_CTRL, 0, 0},
	{VMCS_VM_ENTRY_CONTROLS, M_CTRL, 0, 0},
	{VMCS_CR3_TARGET_COUNT, M_GEN, 0, 0},
	{VMCS_TPR_THRESHOLD, M_GEN, 0, 0},
	{VMCS_VPID, M_GEN, 0, 0},
	{VMCS_POSTED_INTR_NV, M_GEN, 0, 0},
	{VMCS_IO_BITMAP_A, M_ADDR, 0, 0},
	{VMCS_IO_BITMAP_B, M_ADDR, 0, 0},
	{VMCS_MSR_BITMAP, M_ADDR, 0, 0},
	{VMCS_VIRTUAL_APIC_PAGE_ADDR, M_ADDR, 0, 0},
	{VMCS_APIC_ACCESS_ADDR, M_ADDR, 0, 0},
	{VMCS_POSTED_INTR_DESC_ADDR, M_ADDR, 0, 0},
	{VMCS_EPT_POINTER, M_GEN, 0, 0},
	{VMCS_VM_FUNCTION_CONTROL, M_GEN, 0, 0},
	{VMCS_VMREAD_BITMAP, M_ADDR, 0, 0},
	{VMCS_VMWRITE_BITMAP, M_ADDR, 0, 0},
	{VMCS_PML_ADDRESS, M_ADDR, 0, 0},
	{VMCS_VE_INFO_ADDR, M_ADDR, 0, 0},
	{VMCS_EPTP_LIST_ADDR, M_ADDR, 0, 0},
	{VMCS_VM_EXIT_MSR_STORE_ADDR, M_MSRADDR, 0, 0},
	{VMCS_VM_ENTRY_MSR_LOAD_ADDR, M_MSRADDR, 0, 0},
	{VMCS_VM_EXIT_MSR_LOAD_ADDR, M_MSRADDR, 0, 0},
	{VMCS_VM_EXIT_MSR_STORE_COUNT, M_MSRCNT, 0, 0},
	{VMCS_VM_ENTRY_MSR_LOAD_COUNT, M_MSRCNT, 0, 0},
	{VMCS_VM_ENTRY_INTR_INFO, M_INTR, F_PREEMPT, 0},
	{VMCS_VM_ENTRY_INTR_INFO, M_INTR, F_PREEMPT, 0},
	{VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, M_GEN, 0, 0},
	{VMCS_VM_ENTRY_INSTRUCTION_LEN, M_GEN, 0, 0},
	/* guest state */
	{VMCS_GUEST_CR0, M_GEN, 0, 0},
	{VMCS_GUEST_CR3, M_GEN, F_PREEMPT | F_FIRST, 0},
	{VMCS_GUEST_CR4, M_GEN, 0, 0},
	{VMCS_GUEST_DR7, M_GEN, 0, 0},
	{VMCS_GUEST_RSP, M_CANON, 0, 0},
	{VMCS_GUEST_RIP, M_CANON, F_PREEMPT | F_FIRST, 0},
	{VMCS_GUEST_RFLAGS, M_GEN, F_PREEMPT, 0},
	{VMCS_GUEST_PENDING_DBG_EXCEPTIONS, M_GEN, 0, 0},
	{VMCS_GUEST_INTERRUPTIBILITY_INFO, M_GEN, F_INTERRUPTIBILITY, 0},
	{VMCS_GUEST_ACTIVITY_STATE, M_ACT, F_PREEMPT, 0},
	{VMCS_VMCS_LINK_POINTER, M_LINK, 0, 0},
	{VMCS_GUEST_IA32_DEBUGCTL, M_GEN, 0, 0},
	{VMCS_GUEST_IA32_PAT, M_GEN, 0, 0},
	{VMCS_GUEST_IA32_EFER, M_GEN, 0, 0},
	{VMCS_GUEST_IA32_PERF_GLOBAL_CTRL, M_GEN, 0, 0},
	{VMCS_GUEST_IA32_BNDCFGS, M_GEN, 0, 0},
	{VMCS_GUEST_SYSENTER_CS, M_GEN, 0, 0},
	{VMCS_GUEST_SYSENTER_ESP, M_CANON, 0, 0},
	{VMCS_GUEST_SYSENTER_EIP, M_CANON, 0, 0},
	{VMCS_GUEST_SMBASE, M_GEN, 0, 0},
	{VMCS_GUEST_CS_SELECTOR, M_SEL, F_PREEMPT | F_FIRST, 0},
	{VMCS_GUEST_SS_SELECTOR, M_SEL, 0, 0},
	{VMCS_GUEST_DS_SELECTOR, M_SEL, 0, 0},
	{VMCS_GUEST_ES_SELECTOR, M_SEL, 0, 0},
	{VMCS_GUEST_FS_SELECTOR, M_SEL, 0, 0},
	{VMCS_GUEST_GS_SELECTOR, M_SEL, 0, 0},
	{VMCS_GUEST_TR_SELECTOR, M_SEL, 0, 0},
	{VMCS_GUEST_LDTR_SELECTOR, M_SEL, 0, 0},
	{VMCS_GUEST_CS_AR_BYTES, M_AR, F_PREEMPT | F_FIRST, 0},
	{VMCS_GUEST_SS_AR_BYTES, M_AR, 0, 0},
	{VMCS_GUEST_DS_AR_BYTES, M_AR, 0, 0},
	{VMCS_GUEST_ES_AR_BYTES, M_AR, 0, 0},
	{VMCS_GUEST_FS_AR_BYTES, M_AR, 0, 0},
	{VMCS_GUEST_GS_AR_BYTES, M_AR, 0, 0},
	{VMCS_GUEST_TR_AR_BYTES, M_AR, 0, 0},
	{VMCS_GUEST_LDTR_AR_BYTES, M_AR, 0, 0},
	{VMCS_GUEST_CS_LIMIT, M_GEN, F_PREEMPT | F_FIRST, 0},
	{VMCS_GUEST_SS_LIMIT, M_GEN, 0, 0},
	{VMCS_GUEST_DS_LIMIT, M_GEN, 0, 0},
	{VMCS_GUEST_TR_LIMIT, M_GEN, 0, 0},
	{VMCS_GUEST_LDTR_LIMIT, M_GEN, 0, 0},
	{VMCS_GUEST_GDTR_LIMIT, M_GEN, 0, 0},
	{VMCS_GUEST_IDTR_LIMIT, M_GEN, 0, 0},
	{VMCS_GUEST_CS_BASE, M_CANON, F_PREEMPT | F_FIRST, 0},
	{VMCS_GUEST_SS_BASE, M_CANON, 0, 0},
	{VMCS_GUEST_DS_BASE, M_CANON, 0, 0},
	{VMCS_GUEST_FS_BASE, M_CANON, 0, 0},
	{VMCS_GUEST_GS_BASE, M_CANON, 0, 0},
	{VMCS_GUEST_TR_BASE, M_CANON, 0, 0},
	{VMCS_GUEST_LDTR_BASE, M_CANON, 0, 0},
	{VMCS_GUEST_GDTR_BASE, M_CANON, 0, 0},
	{VMCS_GUEST_IDTR_BASE, M_CANON, 0, 0},
	/* host state (see the file comment) */
	{VMCS_HOST_CR0, M_HOST_CR0, 0, 0},
	{VMCS_HOST_CR4, M_HOST_CR4, 0, 0},
	{VMCS_HOST_CS_SELECTOR, M_HOST_FAIL, 0, 0},
	{VMCS_HOST_TR_SELECTOR, M_HOST_FAIL, 0, 0},
	{VMCS_HOST_SS_SELECTOR, M_SEL, 0, 0},
	{VMCS_HOST_DS_SELECTOR, M_SEL, 0, 0},
	{VMCS_HOST_ES_SELECTOR, M_SEL, 0, 0},
	{VMCS_HOST_FS_SELECTOR, M_SEL, 0, 0},
	{VMCS_HOST_GS_SELECTOR, M_SEL, 0, 0},
	{VMCS_HOST_FS_BASE, M_CANON, 0, 0},
	{VMCS_HOST_GS_BASE, M_CANON, 0, 0},
	{VMCS_HOST_GDTR_BASE, M_CANON, 0, 0},
	{VMCS_HOST_IDTR_BASE, M_CANON, 0, 0},
	{VMCS_HOST_TR_BASE, M_HOST_HIGH, 0, 0},
	{VMCS_HOST_IA32_SYSENTER_ESP, M_CANON, 0, 0},
	{VMCS_HOST_IA32_SYSENTER_EIP, M_CANON, 0, 0},
	{VMCS_HOST_IA32_SYSENTER_CS, M_GEN, 0, 0},
	{VMCS_HOST_IA32_EFER, M_HOST_EFER, 0, 0},
	{VMCS_HOST_IA32_PAT, M_GEN, 0, 0},
	{VMCS_HOST_IA32_PERF_GLOBAL_CTRL, M_GEN, 0, 0},
};

#define POOL_LEN (sizeof(pool) / sizeof(pool[0]))

static unsigned enc_bits(uint32_t enc)
{
	switch ((enc >> 13) & 3u) {
	case 0:
		return 16;
	case 1:
		return 64;
	case 2:
		return 32;
	default:
		return 64;
	}
}

static uint64_t width_mask(unsigned bits)
{
	return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

/* Control-word capability MSR (allowed-0 low, allowed-1 high). */
static uint64_t ctrl_cap(const struct diff_env *env, uint32_t enc)
{
	bool tru = (env->msr[0] >> 55) & 1u;
	switch (enc) {
	case VMCS_PIN_BASED_VM_EXEC_CONTROL:
		return cap(env, tru ? 0x48d : 0x481);
	case VMCS_CPU_BASED_VM_EXEC_CONTROL:
		return cap(env, tru ? 0x48e : 0x482);
	case VMCS_VM_EXIT_CONTROLS:
		return cap(env, tru ? 0x48f : 0x483);
	case VMCS_VM_ENTRY_CONTROLS:
		return cap(env, tru ? 0x490 : 0x484);
	default:
		return cap(env, 0x48b);
	}
}

static uint64_t page_choice(const struct diff_env *env, uint64_t *s)
{
	switch (below(s, 4)) {
	case 0:
		return env->pa_zero;
	case 1:
		return env->pa_vmcs2;
	case 2:
		return env->pa_msr;
	default:
		return env->pa_shadow;
	}
}

static uint64_t beyond_width(const struct diff_env *env, uint64_t *s,
			     uint64_t pa)
{
	uint32_t span = env->maxphy < 64 ? 64 - env->maxphy : 1;
	return pa | (1ull << (env->maxphy + below(s, span)));
}

static uint64_t mutate_value(const struct diff_env *env, const struct mrow *r,
			     uint64_t base, uint64_t *s)
{
	unsigned bits = enc_bits(r->enc);
	uint64_t wm = width_mask(bits);

	switch (r->cls) {
	case M_CTRL: {
		uint64_t c = ctrl_cap(env, r->enc);
		uint32_t a0 = (uint32_t)c, a1 = (uint32_t)(c >> 32);
		uint32_t v = (uint32_t)base;
		uint32_t keep = r->keep;
		if (r->enc == VMCS_PIN_BASED_VM_EXEC_CONTROL)
			keep |= diff_has_preempt_timer(env)
					? 1u << 6
					: (1u << 0) | (1u << 3);
		switch (below(s, 6)) {
		case 0: /* a bit the CPU allows to be 1 */
		case 1: {
			uint32_t cand = a1 & ~keep;
			if (!cand)
				cand = ~keep;
			for (int t = 0; t < 64; t++) {
				uint32_t b = 1u << below(s, 32);
				if (cand & b)
					return v ^ b;
			}
			return v;
		}
		case 2: /* a bit it does not allow (or must keep) */
		case 3: {
			uint32_t b = 1u << below(s, 32);
			if (keep & b)
				return v;
			return v ^ b;
		}
		case 4: /* clear a default-1 bit */
			for (int t = 0; t < 64; t++) {
				uint32_t b = 1u << below(s, 32);
				if ((a0 & b) && !(keep & b))
					return v & ~b;
			}
			return v;
		default: /* every allowed bit */
			return (v | (a1 & ~keep)) & ~(keep & ~v);
		}
	}
	case M_ADDR:
		switch (below(s, 5)) {
		case 0:
			return page_choice(env, s);
		case 1:
			return page_choice(env, s) | (1ull << below(s, 12));
		case 2:
			return beyond_width(env, s, page_choice(env, s));
		case 3:
			return page_choice(env, s) +
			       64u * (uint64_t)below(s, 64);
		default:
			return base ^ (1ull << below(s, 64));
		}
	case M_LINK:
		switch (below(s, 6)) {
		case 0:
			return ~0ull;
		case 1:
			return env->pa_vmcs2;
		case 2:
			return env->pa_shadow;
		case 3:
			return env->pa_zero;
		case 4:
			return env->pa_vmcs2 | (1ull << below(s, 12));
		default:
			return beyond_width(env, s, env->pa_vmcs2);
		}
	case M_MSRADDR: {
		/*
		 * Since version 3, the VM-exit MSR-store address stays in the
		 * store page: an entry of the load page (reserved bits, an
		 * x2APIC MSR) in the store list is a VMX abort at the exit
		 * (SDM Vol. 3C 28.4, 28.7), and it hung the first Bochs 2.7
		 * core2_penryn run.
		 */
		uint64_t list = env->pa_msr;
		if (env->gen >= 3 && r->enc == VMCS_VM_EXIT_MSR_STORE_ADDR)
			list += 4096;
		switch (below(s, 4)) {
		case 0:
			return list + 16u * (uint64_t)below(s, 4);
		case 1:
			return list | (1ull << below(s, 4));
		case 2:
			return beyond_width(env, s, list);
		default:
			/*
			 * Near the end of the page; the store list (version 3)
			 * ends inside its page whatever the count (at most 6),
			 * as the exit writes there.
			 */
			return list + 4096 - 16u * (uint64_t)below(s, 3) -
			       (list != env->pa_msr ? 96u : 0u);
		}
	}
	case M_MSRCNT:
		return 1 + below(s, 6);
	case M_SEL:
		switch (below(s, 4)) {
		case 0:
			return base ^ (1ull << below(s, 3));
		case 1:
			return 0;
		case 2:
			return 8u * (uint64_t)below(s, 16);
		default:
			return (8u * (uint64_t)below(s, 16)) | below(s, 8);
		}
	case M_CANON:
		switch (below(s, 5)) {
		case 0:
			return base ^ (1ull << (47 + below(s, 17)));
		case 1:
			return base ^ (1ull << below(s, 47));
		case 2:
			return 0x0000800000000000ull;
		case 3:
			return 0xffff7fffffffffffull;
		default:
			return mix(s);
		}
	case M_AR:
		switch (below(s, 4)) {
		case 0:
		case 1:
			return (base ^ (1ull << below(s, 17))) & 0x1ffffu;
		case 2:
			return 0x10000u;
		default:
			return mix(s) & 0xffffffffu;
		}
	case M_INTR: {
		/*
		 * Types 0-6: Bochs 2.7 and 3.0 stop the whole emulator on type 7
		 * ("other event"; ">>PANIC<< VMENTER: unsupported event injection
		 * type 7"), so the campaign cannot ask it (docs/differential.md).
		 */
		uint32_t type = below(s, 7), vec = below(s, 32);
		uint32_t v = 0x80000000u | (type << 8) | vec;
		if (below(s, 2))
			v |= 1u << 11;
		if (!below(s, 6))
			v |= 1u << (12 + below(s, 19));
		if (type == 2)
			v = (v & ~0xffu) | (below(s, 3) ? 2u : vec);
		return v;
	}
	case M_ACT:
		/*
		 * Never 3, wait-for-SIPI: "the timer does not cause a VM exit if
		 * it counts down to zero in the wait-for-SIPI state" (SDM Vol. 3C
		 * 26.7.4), so an entry into it would never come back (the first
		 * campaign run hung there on Bochs 3.0 sapphire_rapids).
		 */
		if (below(s, 5))
			return below(s, 3);
		return (mix(s) & 0xffffffffu) | 4u;
	case M_HOST_FAIL:
		switch (below(s, 3)) {
		case 0:
			return base | (1u + below(s, 3));
		case 1:
			return base | 4u;
		default:
			return 0;
		}
	case M_HOST_CR0: {
		uint32_t b = below(s, 64);
		/*
		 * Since version 3, never NW (bit 29): a VM exit does not load
		 * CD and NW (SDM Vol. 3C 28.5.1), but Bochs 2.7 core2_penryn
		 * stopped for good after a case with host CR0.NW = 1 (a VMX
		 * abort on its host-state load, it seems): the run hung.
		 */
		if (env->gen >= 3 && b == 29)
			b = 30;
		return base ^ (1ull << b);
	}
	case M_HOST_CR4: {
		uint32_t b = below(s, 64);
		/* PAE, LA57 and PCIDE change the meaning of CR3 (restore). */
		if (b == 5 || b == 12 || b == 17)
			b = 63;
		return base ^ (1ull << b);
	}
	case M_HOST_HIGH:
		return base ^ (1ull << (47 + below(s, 17)));
	case M_HOST_EFER: {
		uint32_t b = below(s, 64);
		/* NXE: the stack would be a reserved-bit fault at once. */
		if (b == 11)
			b = 12;
		return base ^ (1ull << b);
	}
	default: /* M_GEN */
		switch (below(s, 8)) {
		case 0:
		case 1:
			return (base ^ (1ull << below(s, bits))) & wm;
		case 2:
			return 0;
		case 3:
			return wm;
		case 4:
			return beyond_width(env, s, base) & wm;
		case 5:
			return (base ^ (1ull << below(s, bits)) ^
				(1ull << below(s, bits))) &
			       wm;
		case 6:
			return (base + 1 + below(s, 15)) & wm;
		default:
			return mix(s) & wm;
		}
	}
}

/* True if @p enc may be written on this CPU (its VMCS component exists). */
static bool field_exists(const struct diff_env *env, uint32_t enc)
{
	bool found;
	(void)base_value(env, enc, &found);
	return found;
}

/* Fields for VMREAD/VMWRITE cases: any of the table. */
#define NAMES_LEN (sizeof(names) / sizeof(names[0]))

static uint64_t pick_field(const struct diff_env *env, uint64_t *s)
{
	switch (below(s, 6)) {
	case 0:
		return env->base[below(s, env->nbase)].enc;
	case 1:
		return names[below(s, NAMES_LEN)].enc;
	case 2:
		return mix(s) & 0xffffffffu;
	case 3: /* bits 63:32 of the register operand */
		return names[below(s, NAMES_LEN)].enc |
		       (1ull << (32 + below(s, 32)));
	case 4: /* the high half of a 64-bit field (or an odd encoding) */
		return names[below(s, NAMES_LEN)].enc | 1u;
	default: /* read-only data fields */
		return 0x4400u + 2u * below(s, 8);
	}
}

void diff_generate(const struct diff_env *env, uint64_t seed, uint64_t index,
		   struct diff_case *out)
{
	uint64_t s = seed ^ (index * 0xd1342543de82ef95ull);
	bool preempt = diff_has_preempt_timer(env);
	uint32_t k = below(&s, 100);

	*out = (struct diff_case){0};
	(void)mix(&s);
	if (k < 80) {
		out->kind = DIFF_CASE_MUTATE;
		out->nmut = 1 + (below(&s, 4) == 0 ? 2 : below(&s, 2));
		unsigned flags = 0;
		for (unsigned i = 0; i < out->nmut; i++) {
			const struct mrow *r;
			bool found;
			uint64_t base;
			for (;;) {
				r = &pool[below(&s, POOL_LEN)];
				if ((r->flags & F_PREEMPT) && !preempt)
					continue;
				if (!field_exists(env, r->enc))
					continue;
				if (((flags | r->flags) &
				     (F_FIRST | F_INTERRUPTIBILITY)) ==
				    (F_FIRST | F_INTERRUPTIBILITY))
					continue;
				break;
			}
			flags |= r->flags;
			base = base_value(env, r->enc, &found);
			/* A field mutated twice builds on the first value. */
			for (unsigned j = 0; j < i; j++) {
				if (out->mut[j].enc == r->enc)
					base = out->mut[j].val;
			}
			out->mut[i].enc = r->enc;
			out->mut[i].val = mutate_value(env, r, base, &s);
			/*
			 * Never toggle guest CR4.LA57 where the CPU allows it:
			 * Bochs 3.0 passes its VM-entry checks, then stops the
			 * whole emulator (">>PANIC<< VMENTER CR4 is broken !",
			 * its own CR4 check refuses to change LA57 in long
			 * mode), so the campaign cannot ask it.
			 */
			if (r->enc == VMCS_GUEST_CR4 &&
			    ((cap(env, 0x489) >> 12) & 1u) &&
			    ((out->mut[i].val ^ base) & (1ull << 12)))
				out->mut[i].val ^= 1ull << 12;
		}
		return;
	}
	out->kind = (enum diff_case_kind)(1 + below(&s, DIFF_CASE_KINDS - 1));
	switch (out->kind) {
	case DIFF_CASE_PTRLD:
		out->variant = below(&s, 7);
		switch (out->variant) {
		case 0:
			out->op = env->pa_vmcs2;
			break;
		case 1:
			out->op = env->pa_vmcs2 | (1ull << below(&s, 12));
			break;
		case 2:
			out->op = beyond_width(env, &s, env->pa_vmcs2);
			break;
		case 3:
			out->op = env->pa_vmxon;
			break;
		case 4:
			out->op = env->pa_shadow;
			break;
		case 5:
			out->op = env->pa_zero;
			break;
		default:
			out->op = env->pa_vmcs;
			break;
		}
		break;
	case DIFF_CASE_CLEAR:
		out->variant = below(&s, 5);
		switch (out->variant) {
		case 0:
			out->op = env->pa_vmcs2 | (1ull << below(&s, 12));
			break;
		case 1:
			out->op = beyond_width(env, &s, env->pa_vmcs2);
			break;
		case 2:
			out->op = env->pa_vmxon;
			break;
		case 3:
			out->op = env->pa_vmcs2;
			break;
		default:
			out->op = env->pa_vmcs;
			break;
		}
		break;
	case DIFF_CASE_READ:
		out->op = pick_field(env, &s);
		break;
	case DIFF_CASE_WRITE:
		out->op = pick_field(env, &s);
		out->value = below(&s, 2) ? mix(&s) : (uint64_t)below(&s, 16);
		break;
	case DIFF_CASE_STATE:
	case DIFF_CASE_NOCUR:
		out->variant = below(&s, 4);
		break;
	default: /* DIFF_CASE_VMXON */
		out->variant = below(&s, 5);
		if (out->variant == 2)
			out->op = env->pa_vmxon | (1ull << below(&s, 12));
		else if (out->variant == 3)
			out->op = beyond_width(env, &s, env->pa_vmxon);
		else if (out->variant == 4)
			out->op = env->pa_zero;
		break;
	}
}

/* ------------------------------------------------------ MSR lists */

void diff_fill_msr_area(const struct diff_env *env, uint64_t *e)
{
	/*
	 * First page: VM-entry MSR-load entries (SDM Vol. 3C 27.4), whose
	 * guest values the exit replaces with the host's (the host-state
	 * fields, 28.3): IA32_SYSENTER_CS (valid), IA32_SYSENTER_ESP with a
	 * non-canonical value (WRMSR would #GP), an x2APIC MSR (refused),
	 * reserved bits 63:32 set, IA32_FS_BASE (refused), then
	 * IA32_SYSENTER_CS to the end of the page. Second page: VM-exit
	 * MSR-store entries, MSRs every CPU can read (a failed store would be
	 * a VMX abort, 28.4).
	 */
	for (unsigned i = 0; i < 256; i++) {
		e[(size_t)2 * i] = 0x174u;
		e[(size_t)2 * i + 1] = 0;
	}
	e[2] = 0x175u;
	e[3] = 0x0000800000000000ull;
	e[4] = 0x808u;
	e[6] = 0x174u | (1ull << 32);
	e[8] = 0xc0000100u;
	e[9] = env->fs_base_probe;
	for (unsigned i = 0; i < 256; i++) {
		e[512 + (size_t)2 * i] = 0x174u + (i % 3);
		e[512 + (size_t)2 * i + 1] = 0;
	}
}

/* ------------------------------------------------------------ run */

unsigned diff_execute(const struct diff_env *env, const struct diff_case *c,
		      const struct diff_ops *ops, struct diff_res *res)
{
	void *x = ops->ctx;
	unsigned n = 0;
	uint64_t v = 0;

	/* Prologue: a fresh, valid, current VMCS. */
	(void)ops->vmclear(x, env->pa_vmcs);
	(void)ops->vmclear(x, env->pa_vmcs2);
	ops->reset_pages(x, env);
	res[n] = ops->vmptrld(x, env->pa_vmcs);
	if (res[n].kind != DIFF_OK)
		return n + 1;
	for (unsigned i = 0; i < env->nbase; i++) {
		struct diff_res r =
			ops->vmwrite(x, env->base[i].enc, env->base[i].val);
		if (r.kind != DIFF_OK) {
			/* A base field refused: report which (as a step). */
			res[n] = r;
			res[n].q = env->base[i].enc;
			res[n].kind =
				(char)(r.kind == DIFF_VALID ? DIFF_BASE_FAIL
							    : r.kind);
			return n + 1;
		}
	}

	switch (c->kind) {
	case DIFF_CASE_MUTATE:
		for (unsigned i = 0; i < c->nmut; i++)
			res[n++] =
				ops->vmwrite(x, c->mut[i].enc, c->mut[i].val);
		res[n++] = ops->enter(x, false);
		break;
	case DIFF_CASE_PTRLD:
		res[n++] = ops->vmptrld(x, c->op);
		res[n] = ops->vmptrst(x, &v);
		if (res[n].kind == DIFF_OK) {
			res[n].kind = DIFF_READ;
			res[n].q = v;
		}
		n++;
		break;
	case DIFF_CASE_CLEAR:
		res[n++] = ops->vmclear(x, c->op);
		res[n++] = ops->vmread(x, VMCS_VM_INSTRUCTION_ERROR, &v);
		break;
	case DIFF_CASE_READ:
		res[n++] = ops->vmread(x, c->op, &v);
		break;
	case DIFF_CASE_WRITE:
		res[n++] = ops->vmwrite(x, c->op, c->value);
		res[n++] = ops->vmread(x, c->op, &v);
		break;
	case DIFF_CASE_STATE:
		switch (c->variant) {
		case 0: /* VMRESUME of a clear VMCS: error 5 */
			res[n++] = ops->enter(x, true);
			break;
		case 1: /* VMLAUNCH twice: error 4; VMRESUME enters */
			res[n++] = ops->enter(x, false);
			res[n++] = ops->enter(x, false);
			res[n++] = ops->enter(x, true);
			break;
		case 2: /* launched, VMCLEAR, VMPTRLD, VMRESUME: error 5 */
			res[n++] = ops->enter(x, false);
			res[n++] = ops->vmclear(x, env->pa_vmcs);
			res[n++] = ops->vmptrld(x, env->pa_vmcs);
			res[n++] = ops->enter(x, true);
			res[n++] = ops->enter(x, false);
			break;
		default: /* the error field after a failed VMRESUME */
			res[n++] = ops->enter(x, true);
			res[n++] =
				ops->vmread(x, VMCS_VM_INSTRUCTION_ERROR, &v);
			break;
		}
		break;
	case DIFF_CASE_NOCUR:
		res[n++] = ops->vmclear(x, env->pa_vmcs);
		switch (c->variant) {
		case 0:
			res[n++] = ops->vmread(x, VMCS_GUEST_RIP, &v);
			break;
		case 1:
			res[n++] = ops->vmwrite(x, VMCS_GUEST_RIP, 0);
			break;
		case 2:
			res[n++] = ops->enter(x, false);
			break;
		default:
			res[n] = ops->vmptrst(x, &v);
			if (res[n].kind == DIFF_OK) {
				res[n].kind = DIFF_READ;
				res[n].q = v;
			}
			n++;
			break;
		}
		break;
	default: /* DIFF_CASE_VMXON */
		if (c->variant == 0) {
			res[n++] = ops->vmxon(x, env->pa_vmxon);
			break;
		}
		res[n++] = ops->vmclear(x, env->pa_vmcs);
		res[n++] = ops->vmxoff(x);
		if (c->variant == 1) {
			res[n++] = ops->vmread(x, VMCS_GUEST_RIP, &v);
		} else {
			res[n++] = ops->vmxon(x, c->op);
			if (res[n - 1].kind == DIFF_OK)
				res[n++] = ops->vmxoff(x);
		}
		res[n++] = ops->vmxon(x, env->pa_vmxon);
		break;
	}
	if (c->kind == DIFF_CASE_READ || c->kind == DIFF_CASE_WRITE ||
	    (c->kind == DIFF_CASE_CLEAR) ||
	    (c->kind == DIFF_CASE_STATE && c->variant == 3) ||
	    (c->kind == DIFF_CASE_NOCUR && c->variant == 0)) {
		if (res[n - 1].kind == DIFF_OK) {
			res[n - 1].kind = DIFF_READ;
			res[n - 1].q = v;
		}
	}
	return n;
}

/* ---------------------------------------------------------- format */

static size_t put(char *buf, size_t size, size_t at, char ch)
{
	if (at + 1 < size)
		buf[at] = ch;
	return at + 1;
}

static size_t put_hex(char *buf, size_t size, size_t at, uint64_t v)
{
	char t[16];
	unsigned k = 0;
	do {
		t[k++] = "0123456789abcdef"[v & 15u];
		v >>= 4;
	} while (v);
	while (k)
		at = put(buf, size, at, t[--k]);
	return at;
}

static size_t put_dec(char *buf, size_t size, size_t at, uint64_t v)
{
	char t[20];
	unsigned k = 0;
	do {
		t[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		at = put(buf, size, at, t[--k]);
	return at;
}

static size_t put_str(char *buf, size_t size, size_t at, const char *s)
{
	while (*s)
		at = put(buf, size, at, *s++);
	return at;
}

static size_t finish(char *buf, size_t size, size_t at)
{
	if (size)
		buf[at < size ? at : size - 1] = '\0';
	return at;
}

size_t diff_format(const struct diff_res *res, unsigned n, char *buf,
		   size_t size)
{
	size_t at = 0;
	for (unsigned i = 0; i < n; i++) {
		if (i)
			at = put(buf, size, at, '/');
		at = put(buf, size, at, res[i].kind);
		switch (res[i].kind) {
		case DIFF_VALID:
			at = put_dec(buf, size, at, res[i].n);
			break;
		case DIFF_ENTRY_FAIL:
		case DIFF_BASE_FAIL:
			at = put_dec(buf, size, at, res[i].n);
			at = put(buf, size, at, '.');
			at = put_hex(buf, size, at, res[i].q);
			break;
		case DIFF_EXIT:
		case DIFF_EXC:
			at = put_dec(buf, size, at, res[i].n);
			break;
		case DIFF_READ:
			at = put_hex(buf, size, at, res[i].q);
			break;
		default:
			break;
		}
	}
	return finish(buf, size, at);
}

static const char *const kind_names[DIFF_CASE_KINDS] = {
	"mutate",  "vmptrld",	   "vmclear",	 "vmread",
	"vmwrite", "launch-state", "no-current", "vmxon",
};

size_t diff_describe(const struct diff_case *c, char *buf, size_t size)
{
	size_t at = put_str(buf, size, 0, kind_names[c->kind]);
	if (c->kind == DIFF_CASE_MUTATE) {
		for (unsigned i = 0; i < c->nmut; i++) {
			const char *nm = diff_field_name(c->mut[i].enc);
			at = put(buf, size, at, ' ');
			if (nm) {
				at = put_str(buf, size, at, nm);
			} else {
				at = put_str(buf, size, at, "0x");
				at = put_hex(buf, size, at, c->mut[i].enc);
			}
			at = put_str(buf, size, at, "=0x");
			at = put_hex(buf, size, at, c->mut[i].val);
		}
		return finish(buf, size, at);
	}
	at = put_str(buf, size, at, " variant ");
	at = put_dec(buf, size, at, c->variant);
	at = put_str(buf, size, at, " op 0x");
	at = put_hex(buf, size, at, c->op);
	if (c->kind == DIFF_CASE_WRITE) {
		at = put_str(buf, size, at, " value 0x");
		at = put_hex(buf, size, at, c->value);
	}
	return finish(buf, size, at);
}
