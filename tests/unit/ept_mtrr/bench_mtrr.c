// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The query pattern of an EPT identity map builder, for callgrind (not a
 * test; docs/ept.md "Cost"): every 1 GiB page of a profile's physical
 * address space, each mixed one split into 2 MiB pages and each mixed
 * one of those into 4 KiB pages, as vmm_mtrr_range_type() decides them.
 * Prints the number of queries and of pages of each size.
 */
#include <stdio.h>
#include <stdlib.h>

#include "flank/mock.h"
#include "flank/vmm_status.h"
#include "ept/mtrr.h"

#define PAGE_2M (UINT64_C(1) << 21)
#define PAGE_1G (UINT64_C(1) << 30)

int main(int argc, char **argv)
{
	const char *profile = argc > 1 ? argv[1] : "sapphire_rapids";
	unsigned long queries = 0, n1g = 0, n2m = 0, n4k = 0;
	struct vmm_mtrr_state s;
	uint8_t t;

	if (mock_init(profile, 1) != 0 || vmm_mtrr_read(&s) != VMM_OK) {
		fprintf(stderr, "bench_mtrr: cannot read %s's MTRRs\n",
			profile);
		return 1;
	}
	for (uint64_t g = 0; g < (UINT64_C(1) << s.maxphyaddr); g += PAGE_1G) {
		queries++;
		if (vmm_mtrr_range_type(&s, g, PAGE_1G, &t)) {
			n1g++;
			continue;
		}
		for (uint64_t m = g; m < g + PAGE_1G; m += PAGE_2M) {
			queries++;
			if (vmm_mtrr_range_type(&s, m, PAGE_2M, &t)) {
				n2m++;
				continue;
			}
			for (uint64_t k = m; k < m + PAGE_2M; k += 4096) {
				queries++;
				n4k += vmm_mtrr_range_type(&s, k, 4096, &t);
			}
		}
	}
	printf("%s: MAXPHYADDR %u, %lu queries: %lu 1 GiB, %lu 2 MiB, %lu "
	       "4 KiB pages\n",
	       profile, s.maxphyaddr, queries, n1g, n2m, n4k);
	mock_fini();
	return 0;
}
