// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The modelled TLB of each emulated CPU: translations tagged with a VPID,
 * what VM entries, VM exits and INVVPID invalidate (SDM Vol. 3C 28.1,
 * 28.3.3). flank/mock_tlb.h describes the model and its limits.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mock_internal.h"

#define PAGE_MASK (~UINT64_C(0xFFF))

static struct mock_cpu *tlb_cpu(unsigned cpu)
{
	if (!mock_machine.cpu || cpu >= mock_machine.ncpus) {
		fprintf(stderr, "flank mock: no CPU %u\n", cpu);
		abort();
	}
	return &mock_machine.cpu[cpu];
}

/* "enable VPID" in effect in @p v: 25.6.2, secondary only if activated. */
static bool vpid_enabled(const struct mock_vmcs *v)
{
	return (mock_vmcs_get(v, VMCS_CPU_BASED_VM_EXEC_CONTROL) &
		CPU_ACTIVATE_SECONDARY) &&
	       (mock_vmcs_get(v, VMCS_SECONDARY_VM_EXEC_CONTROL) &
		SEC_ENABLE_VPID);
}

/* SDM Vol. 3C 28.1: the current VPID. */
static uint16_t current_vpid(struct mock_cpu *c)
{
	const struct mock_vmcs *v;

	if (c->vmx != MOCK_VMX_NONROOT)
		return 0;
	v = mock_current_vmcs(c);
	if (!v || !vpid_enabled(v))
		return 0;
	return (uint16_t)mock_vmcs_get(v, VMCS_VPID);
}

static void fill(struct mock_cpu *c, uint16_t vpid, uint64_t la, bool global)
{
	struct mock_tlb *t = &c->tlb;
	struct mock_tlb_entry *free_slot = NULL;
	uint64_t page = la & PAGE_MASK;

	for (unsigned i = 0; i < MOCK_TLB_ENTRIES; i++) {
		struct mock_tlb_entry *e = &t->e[i];
		if (e->valid && e->vpid == vpid && e->page == page) {
			e->global = global;
			return;
		}
		if (!e->valid && !free_slot)
			free_slot = e;
	}
	if (!free_slot) {
		free_slot = &t->e[t->next_evict];
		t->next_evict = (t->next_evict + 1) % MOCK_TLB_ENTRIES;
		t->stats.evictions++;
	}
	*free_slot = (struct mock_tlb_entry){
		.page = page, .vpid = vpid, .global = global, .valid = true};
	t->stats.fills++;
}

/* What an invalidation selects: a VPID or every non-zero one, one page or
 * all, globals or not. */
struct selector {
	bool all_nonzero; /* Every VPID but 0000H; else only @c vpid. */
	bool one_page;
	bool keep_global;
	uint16_t vpid;
	uint64_t page;
};

static uint64_t invalidate(struct mock_cpu *c, const struct selector *s)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < MOCK_TLB_ENTRIES; i++) {
		struct mock_tlb_entry *e = &c->tlb.e[i];
		if (!e->valid)
			continue;
		if (s->all_nonzero ? e->vpid == 0 : e->vpid != s->vpid)
			continue;
		if (s->one_page && e->page != s->page)
			continue;
		if (s->keep_global && e->global)
			continue;
		e->valid = false;
		n++;
	}
	c->tlb.stats.invalidated += n;
	return n;
}

/*
 * A VMX transition with "enable VPID" = 0 in @p v invalidates the linear
 * and combined mappings of VPID 0000H, for all PCIDs; the SDM excepts no
 * global translation (Vol. 3C 28.3.3.1). With "enable VPID" = 1 nothing
 * (28.3.3.2).
 */
static void transition(struct mock_cpu *c, const struct mock_vmcs *v)
{
	const struct selector vpid0 = {.vpid = 0};

	if (vpid_enabled(v))
		return;
	(void)invalidate(c, &vpid0);
	c->tlb.stats.flushing_transitions++;
}

/* SDM Vol. 3C 27.3.2.5: part of loading the guest state; then the guest
 * fetches its first instruction under the current VPID. */
void mock_tlb_vm_entry(struct mock_cpu *c, const struct mock_vmcs *v)
{
	c->tlb.stats.entries++;
	transition(c, v);
	fill(c, current_vpid(c), mock_vmcs_get(v, VMCS_GUEST_RIP), false);
}

/*
 * SDM Vol. 3C 28.5.5 (part of loading the host state, which an entry
 * failure of 27.8 does too); then the host fetches at HOST_RIP, under VPID
 * 0000H, a global kernel page.
 */
void mock_tlb_vm_exit(struct mock_cpu *c, const struct mock_vmcs *v)
{
	c->tlb.stats.exits++;
	transition(c, v);
	fill(c, 0, mock_vmcs_get(v, VMCS_HOST_RIP), true);
}

/* SDM Vol. 3C 28.3.3.1 and 31.3 INVVPID; the caller checked the operands. */
void mock_tlb_invvpid(struct mock_cpu *c, uint64_t type,
		      const struct vmx_invvpid_desc *d)
{
	struct selector s = {.vpid = (uint16_t)d->vpid};

	switch (type) {
	case VMX_INVVPID_INDIVIDUAL_ADDR:
		s.one_page = true;
		s.page = d->linear_address & PAGE_MASK;
		break;
	case VMX_INVVPID_SINGLE_CONTEXT:
		break;
	case VMX_INVVPID_ALL_CONTEXT:
		s.all_nonzero = true;
		break;
	case VMX_INVVPID_SINGLE_CONTEXT_NON_GLOBAL:
		s.keep_global = true;
		break;
	default:
		return;
	}
	c->tlb.stats.invvpid[type]++;
	c->tlb.stats.invvpid_invalidated[type] += invalidate(c, &s);
}

/* ------------------------------------------------------- the test API */

void mock_tlb_fill(unsigned cpu, uint16_t vpid, uint64_t la, bool global)
{
	fill(tlb_cpu(cpu), vpid, la, global);
}

bool mock_tlb_has(unsigned cpu, uint16_t vpid, uint64_t la)
{
	const struct mock_cpu *c = tlb_cpu(cpu);

	for (unsigned i = 0; i < MOCK_TLB_ENTRIES; i++) {
		const struct mock_tlb_entry *e = &c->tlb.e[i];
		if (e->valid && e->vpid == vpid && e->page == (la & PAGE_MASK))
			return true;
	}
	return false;
}

unsigned mock_tlb_count(unsigned cpu, uint16_t vpid)
{
	const struct mock_cpu *c = tlb_cpu(cpu);
	unsigned n = 0;

	for (unsigned i = 0; i < MOCK_TLB_ENTRIES; i++)
		if (c->tlb.e[i].valid && c->tlb.e[i].vpid == vpid)
			n++;
	return n;
}

void mock_tlb_get_stats(unsigned cpu, struct mock_tlb_stats *out)
{
	*out = tlb_cpu(cpu)->tlb.stats;
}

uint16_t mock_tlb_current_vpid(unsigned cpu)
{
	return current_vpid(tlb_cpu(cpu));
}
