// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The EPT part of each CPU's TLB: guest-physical mappings (SDM Vol. 3C
 * 29.4.1), derived from the EPT paging structures only and tagged by
 * EP4TA = EPTP[51:12]. Combined and linear mappings (VPID, PCID) are not
 * this file's: INVVPID never touches these entries (29.4.3.1: INVVPID
 * invalidates linear and combined mappings only), and INVEPT never
 * touches anything but these.
 *
 * What the model does, and why it is the strict reading of 29.4:
 * - A mapping is created only by a walk that translated without a
 *   misconfiguration or a not-present entry, and only while EPT is in
 *   use (29.4.2); it keeps the walk's permissions, memory type and page
 *   size.
 * - It is used, instead of the paging structures in memory, for every
 *   later access with the same EP4TA, until INVEPT (single-context for
 *   that EP4TA, or all-context) on this CPU, or an EPT violation for that
 *   address (29.4.3.1), removes it. VM entries and VM exits never flush
 *   it (29.4.3.1 lists no such operation). A change to the tables
 *   without INVEPT is therefore invisible to this CPU, as hardware is
 *   allowed to make it.
 * - A cached mapping whose permissions do not allow an access causes an
 *   EPT violation with those permissions (29.4.3.2: the processor may use
 *   cached information; the violation then invalidates it).
 * - INVEPT single-context invalidates exactly the mappings of its EP4TA:
 *   the SDM allows more ("may invalidate other mappings as well",
 *   Vol. 3C 31.3 INVEPT); doing the least keeps code that forgets an
 *   all-context flush from passing.
 * Each CPU holds at most MOCK_EPT_TLB_ENTRIES mappings, replaced round
 * robin, so that the model's memory is bounded as a CPU's is.
 */
#include <string.h>

#include "mock_internal.h"

#define MOCK_EPT_TLB_ENTRIES 64u

struct ept_tlb {
	struct mock_ept_tlb_entry e[MOCK_EPT_TLB_ENTRIES];
	unsigned next;
};

static struct ept_tlb tlbs[MOCK_MAX_CPUS];

void mock_ept_tlb_reset(void)
{
	memset(tlbs, 0, sizeof(tlbs));
}

static bool covers(const struct mock_ept_tlb_entry *t, uint64_t ep4ta,
		   uint64_t gpa)
{
	return t->valid && t->ep4ta == ep4ta &&
	       (gpa & ~(t->page_size - 1u)) == t->gpa_base;
}

const struct mock_ept_tlb_entry *
mock_ept_tlb_lookup(unsigned cpu, uint64_t ep4ta, uint64_t gpa)
{
	const struct ept_tlb *t = &tlbs[cpu % MOCK_MAX_CPUS];

	for (unsigned i = 0; i < MOCK_EPT_TLB_ENTRIES; i++)
		if (covers(&t->e[i], ep4ta, gpa))
			return &t->e[i];
	return NULL;
}

void mock_ept_tlb_invalidate_gpa(unsigned cpu, uint64_t ep4ta, uint64_t gpa)
{
	struct ept_tlb *t = &tlbs[cpu % MOCK_MAX_CPUS];

	for (unsigned i = 0; i < MOCK_EPT_TLB_ENTRIES; i++)
		if (covers(&t->e[i], ep4ta, gpa))
			t->e[i].valid = false;
}

void mock_ept_tlb_fill(unsigned cpu, const struct mock_ept_tlb_entry *e)
{
	struct ept_tlb *t = &tlbs[cpu % MOCK_MAX_CPUS];

	mock_ept_tlb_invalidate_gpa(cpu, e->ep4ta, e->gpa_base);
	t->e[t->next] = *e;
	t->e[t->next].valid = true;
	t->next = (t->next + 1u) % MOCK_EPT_TLB_ENTRIES;
}

/* SDM Vol. 3C 31.3 INVEPT, 29.4.3.1: on the executing CPU only. */
void mock_ept_tlb_invept(unsigned cpu, uint64_t type, uint64_t eptp)
{
	struct ept_tlb *t = &tlbs[cpu % MOCK_MAX_CPUS];
	uint64_t ep4ta = eptp & MOCK_EPT_EP4TA_MASK;

	for (unsigned i = 0; i < MOCK_EPT_TLB_ENTRIES; i++)
		if (type == VMX_INVEPT_ALL_CONTEXT || t->e[i].ep4ta == ep4ta)
			t->e[i].valid = false;
}

unsigned mock_ept_cached_count(unsigned cpu)
{
	const struct ept_tlb *t = &tlbs[cpu % MOCK_MAX_CPUS];
	unsigned n = 0;

	for (unsigned i = 0; i < MOCK_EPT_TLB_ENTRIES; i++)
		n += t->e[i].valid ? 1u : 0u;
	return n;
}
