// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Paging structures built by a scenario ("paging", "map", "unmap"): IA-32e
 * paging tables in emulated physical memory (SDM Vol. 3A 4.5), walked by
 * the emulated CPU when a VMX instruction takes its operand at a linear
 * address ("mem OFFSET", intrinsics/mock/paging.c). The runner allocates
 * the tables as the scenario's own pages and frees them at the end.
 */
#include <string.h>

#include "scen_run.h"

#define PTE_P UINT64_C(1)
#define PTE_RW (UINT64_C(1) << 1)
#define PTE_US (UINT64_C(1) << 2)
#define PTE_PS (UINT64_C(1) << 7)
/* Bits 51:12 of an entry: the address of the next table or the page. */
#define PTE_ADDR UINT64_C(0x000FFFFFFFFFF000)

static uint64_t *entry_at(struct scen_runner *r, uint64_t pa)
{
	uint64_t *e = mock_mem_host(pa_init(pa), sizeof(*e));

	if (!e)
		scen_fail(r,
			  "paging structure at %#llx is not in mapped "
			  "memory (did 'paging 4|5' run?)",
			  (unsigned long long)pa);
	return e;
}

static uint64_t new_table(struct scen_runner *r)
{
	paddr_t pa;
	void *host;

	if (r->ntables == SCEN_MAX_TABLES)
		scen_fail(r, "more than %u paging-structure pages",
			  SCEN_MAX_TABLES);
	host = mock_test_page_alloc(&pa);
	if (!host)
		scen_fail(r, "allocation of a paging-structure page failed");
	r->tables[r->ntables++] = host;
	return pa_addr(pa);
}

static unsigned levels(void)
{
	struct mock_cpu_regs g;

	mock_cpu_get_regs(mock_current_cpu(), &g);
	return (g.cr4 & X86_CR4_LA57) ? 5u : 4u;
}

/* paging 4|5: a fresh, empty root table in CR3 and CR4.LA57 to match, on
 * the current CPU (setup: no MOV-to-CR rules). */
void scen_do_paging(struct scen_runner *r, const struct scen_cmd *c)
{
	struct mock_cpu_regs g;
	struct cpu_cpuid_regs id;
	uint64_t root;

	/* CR4.LA57 is reserved unless CPUID.(EAX=07H,ECX=0):ECX[16]
	 * (SDM Vol. 3A 2.5, 4.1.4). */
	cpu_cpuid(7, 0, &id);
	if (c->id == 5 && !(id.ecx & (UINT32_C(1) << 16)))
		scen_fail(r, "paging 5: this CPU has no 5-level paging "
			     "(CPUID.7.0:ECX.LA57[16] = 0; sapphire_rapids "
			     "has it)");
	root = new_table(r);
	mock_cpu_get_regs(mock_current_cpu(), &g);
	g.cr3 = root;
	if (c->id == 5)
		g.cr4 |= X86_CR4_LA57;
	else
		g.cr4 &= ~X86_CR4_LA57;
	mock_cpu_set_regs(mock_current_cpu(), &g);
}

/*
 * The entry that maps @p la at level @p stop (1: PTE, 2: PDE, 3: PDPTE),
 * creating the tables above it (entries P|RW|US: the leaf alone decides
 * the rights) when @p create, else NULL if one is missing.
 */
static uint64_t *walk_to(struct scen_runner *r, uint64_t la, unsigned stop,
			 bool create)
{
	struct mock_cpu_regs g;
	uint64_t table;

	mock_cpu_get_regs(mock_current_cpu(), &g);
	table = g.cr3 & PTE_ADDR;
	for (unsigned level = levels(); level > stop; level--) {
		uint64_t *e = entry_at(
			r, table + 8u * ((la >> (3u + 9u * level)) & 0x1FFu));
		if (!(*e & PTE_P) || (*e & PTE_PS)) {
			if (!create)
				return NULL;
			*e = new_table(r) | PTE_P | PTE_RW | PTE_US;
		}
		table = *e & PTE_ADDR;
	}
	return entry_at(r, table + 8u * ((la >> (3u + 9u * stop)) & 0x1FFu));
}

/* map LA PA FLAGS [4k|2m|1g]: the entry for LA becomes PA | FLAGS (PS for
 * 2m and 1g). FLAGS are written as given: leave out PTE_P for a page that
 * is not present, add a reserved bit to make the walk fault on it. */
void scen_do_map(struct scen_runner *r, const struct scen_cmd *c)
{
	uint64_t la = scen_eval(r, &c->v[0]), pa = scen_eval(r, &c->v[1]);
	uint64_t size = UINT64_C(1) << (3u + 9u * c->id);

	if ((la | pa) & (size - 1))
		scen_fail(r,
			  "map: %#llx -> %#llx is not aligned to the page "
			  "size",
			  (unsigned long long)la, (unsigned long long)pa);
	*walk_to(r, la, c->id, true) =
		pa | scen_eval(r, &c->v[2]) | (c->id > 1 ? PTE_PS : 0);
}

/* unmap LA: the entry that maps LA (at whatever level) becomes 0. */
void scen_do_unmap(struct scen_runner *r, const struct scen_cmd *c)
{
	uint64_t la = scen_eval(r, &c->v[0]);

	for (unsigned stop = 3; stop >= 1; stop--) {
		uint64_t *e = walk_to(r, la, stop, false);
		if (!e)
			break;
		if ((*e & PTE_P) && (stop == 1 || (*e & PTE_PS))) {
			*e = 0;
			return;
		}
	}
	scen_fail(r, "unmap: %#llx is not mapped", (unsigned long long)la);
}

void scen_paging_free(struct scen_runner *r)
{
	for (unsigned i = 0; i < r->ntables; i++)
		mock_test_page_free(r->tables[i]);
	r->ntables = 0;
}
