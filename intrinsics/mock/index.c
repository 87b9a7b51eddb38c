// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A hash table from a 64-bit address to a pointer (mock_internal.h,
 * struct mock_index): open addressing with linear probing, at most half
 * full, backward-shift deletion (no tombstones, so a table that sees many
 * maps and unmaps stays as fast as a fresh one). The model indexes its
 * physical memory map and its VMCSs with it, so that no lookup scans a list
 * whose length grows with the number of CPUs (issue 14).
 */
#include <stdio.h>
#include <stdlib.h>

#include "mock_internal.h"

static void *zalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fprintf(stderr, "flank mock: out of memory\n");
		abort();
	}
	return p;
}

/*
 * A key is stored plus one, so that 0 marks a free slot and address 0 is a
 * key like any other (VMCLEAR of physical address 0 creates a VMCS there).
 */
static uint64_t stored(uint64_t key)
{
	return key + 1u;
}

/* Home slot of stored key @p s: Fibonacci hashing of the 4 KiB page
 * number (the keys are 4 KiB-aligned addresses). */
static size_t home(const struct mock_index *ix, uint64_t s)
{
	return (size_t)((((s - 1u) >> 12) * UINT64_C(0x9E3779B97F4A7C15)) >>
			32) &
	       (ix->cap - 1u);
}

/* Slot of stored key @p s, or the free slot where it would go. */
static size_t slot(const struct mock_index *ix, uint64_t s)
{
	size_t i = home(ix, s);

	while (ix->key[i] != 0 && ix->key[i] != s)
		i = (i + 1u) & (ix->cap - 1u);
	return i;
}

/* Doubles the table (or makes the first one) and re-inserts each entry. */
static void grow(struct mock_index *ix)
{
	struct mock_index old = *ix;

	ix->cap = old.cap ? old.cap * 2u : 16u;
	ix->key = zalloc(ix->cap, sizeof(*ix->key));
	ix->val = zalloc(ix->cap, sizeof(*ix->val));
	ix->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.key[i] != 0)
			mock_index_put(ix, old.key[i] - 1u, old.val[i]);
	free(old.key);
	free(old.val);
}

void mock_index_put(struct mock_index *ix, uint64_t key, void *val)
{
	size_t i;

	if (2u * (ix->n + 1u) > ix->cap)
		grow(ix);
	i = slot(ix, stored(key));
	if (ix->key[i] == 0)
		ix->n++;
	ix->key[i] = stored(key);
	ix->val[i] = val;
}

void *mock_index_get(const struct mock_index *ix, uint64_t key)
{
	size_t i;

	if (ix->cap == 0)
		return NULL;
	i = slot(ix, stored(key));
	return ix->key[i] == stored(key) ? ix->val[i] : NULL;
}

void mock_index_del(struct mock_index *ix, uint64_t key)
{
	size_t mask = ix->cap - 1u, i, j;

	if (ix->cap == 0)
		return;
	i = slot(ix, stored(key));
	if (ix->key[i] != stored(key))
		return;
	/* Move up every later entry of the probe run whose home slot does
	 * not lie cyclically in (i, j]: it would be unreachable past i. */
	for (j = (i + 1u) & mask; ix->key[j] != 0; j = (j + 1u) & mask) {
		size_t k = home(ix, ix->key[j]);
		bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);

		if (!stays) {
			ix->key[i] = ix->key[j];
			ix->val[i] = ix->val[j];
			i = j;
		}
	}
	ix->key[i] = 0;
	ix->val[i] = NULL;
	ix->n--;
}

void mock_index_free(struct mock_index *ix)
{
	free(ix->key);
	free(ix->val);
	*ix = (struct mock_index){0};
}
