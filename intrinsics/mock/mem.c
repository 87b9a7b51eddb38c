// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Physical memory of the emulated machine: host buffers mapped at physical
 * addresses handed out from 1 MiB upwards, never reused while the model
 * lives (so a stale physical address can never alias a new buffer), one
 * unmapped guard page between mappings. Reads of unmapped physical memory
 * return all ones, as on a bus where nothing answers; writes there are
 * dropped. That is how VMXON with an unmapped region fails its revision
 * check, as it would on hardware.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_internal.h"

struct mapping {
	uint64_t pa;
	uint8_t *host;
	size_t size;
};

/*
 * Every mapped 4 KiB page, by physical and by host page address, points at
 * its mapping: lookups, map and unmap are O(1) (O(pages) for a multi-page
 * mapping) whatever the number of mappings. Scans of one array made a start
 * on N emulated CPUs quadratic (issue 14). Each index is a hash table with
 * open addressing and linear probing, at most half full; key 0 is free
 * (neither page 0 of physical memory nor host page 0 is ever mapped).
 */
struct page_index {
	uint64_t *key;
	struct mapping **val;
	size_t cap; /* A power of two, or 0. */
	size_t n;
};

static struct page_index by_pa, by_host;
static uint64_t next_pa = 0x100000;

static void *zalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fprintf(stderr, "flank mock: out of memory\n");
		abort();
	}
	return p;
}

static size_t index_home(const struct page_index *ix, uint64_t key)
{
	return (size_t)(((key >> 12) * UINT64_C(0x9E3779B97F4A7C15)) >> 32) &
	       (ix->cap - 1u);
}

static void index_free(struct page_index *ix)
{
	free(ix->key);
	free(ix->val);
	*ix = (struct page_index){0};
}

static void index_put(struct page_index *ix, uint64_t key, struct mapping *m);

/* Doubles the table (or makes the first one) and re-inserts every entry. */
static void index_grow(struct page_index *ix)
{
	struct page_index old = *ix;

	ix->cap = old.cap ? old.cap * 2u : 16u;
	ix->key = zalloc(ix->cap, sizeof(*ix->key));
	ix->val = zalloc(ix->cap, sizeof(*ix->val));
	ix->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.key[i] != 0)
			index_put(ix, old.key[i], old.val[i]);
	free(old.key);
	free(old.val);
}

/* Slot of @p key, or of the free slot where it would go. */
static size_t index_slot(const struct page_index *ix, uint64_t key)
{
	size_t i = index_home(ix, key);

	while (ix->key[i] != 0 && ix->key[i] != key)
		i = (i + 1u) & (ix->cap - 1u);
	return i;
}

static void index_put(struct page_index *ix, uint64_t key, struct mapping *m)
{
	size_t i;

	if (2u * (ix->n + 1u) > ix->cap)
		index_grow(ix);
	i = index_slot(ix, key);
	if (ix->key[i] == 0)
		ix->n++;
	ix->key[i] = key;
	ix->val[i] = m;
}

static struct mapping *index_get(const struct page_index *ix, uint64_t key)
{
	size_t i;

	if (ix->cap == 0)
		return NULL;
	i = index_slot(ix, key);
	return ix->key[i] == key ? ix->val[i] : NULL;
}

/* Removes @p key if present (backward-shift deletion: no tombstones). */
static void index_del(struct page_index *ix, uint64_t key)
{
	size_t mask = ix->cap - 1u, i, j;

	if (ix->cap == 0)
		return;
	i = index_slot(ix, key);
	if (ix->key[i] != key)
		return;
	for (j = (i + 1u) & mask; ix->key[j] != 0; j = (j + 1u) & mask) {
		size_t k = index_home(ix, ix->key[j]);
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

/* Adds (@p m) or removes (NULL) every page of @p m in both indexes. */
static void index_mapping(struct mapping *m, bool add)
{
	for (size_t off = 0; off < m->size; off += 0x1000) {
		uint64_t host = (uint64_t)(uintptr_t)m->host + off;

		if (add) {
			index_put(&by_pa, m->pa + off, m);
			index_put(&by_host, host, m);
		} else {
			index_del(&by_pa, m->pa + off);
			index_del(&by_host, host);
		}
	}
}

void mock_mem_reset(void)
{
	/* Each mapping is reachable from its first physical page. */
	for (size_t i = 0; i < by_pa.cap; i++) {
		struct mapping *m = by_pa.val[i];
		if (by_pa.key[i] != 0 && m->pa == by_pa.key[i])
			free(m);
	}
	index_free(&by_pa);
	index_free(&by_host);
	next_pa = 0x100000;
}

paddr_t mock_mem_map(void *host, size_t size)
{
	struct mapping *m;

	if (((uintptr_t)host & 0xFFF) || !size || (size & 0xFFF)) {
		mock_violation("MEM.map_unaligned",
			       "mock_mem_map needs 4 KiB aligned host memory "
			       "and a size that is a multiple of 4 KiB");
		return pa_init(0);
	}
	if (mock_pa_too_wide(next_pa + size - 1)) {
		mock_violation(
			"MEM.exhausted",
			"physical address space of the profile exhausted");
		return pa_init(0);
	}
	for (size_t off = 0; off < size; off += 0x1000) {
		if (index_get(&by_host, (uint64_t)(uintptr_t)host + off)) {
			mock_violation("MEM.map_twice",
				       "mock_mem_map of host memory that is "
				       "already mapped (one physical address "
				       "per host page)");
			return pa_init(0);
		}
	}
	m = zalloc(1, sizeof(*m));
	m->pa = next_pa;
	m->host = host;
	m->size = size;
	index_mapping(m, true);
	next_pa += size + 0x1000;
	return pa_init(m->pa);
}

void mock_mem_unmap(void *host)
{
	struct mapping *m = index_get(&by_host, (uint64_t)(uintptr_t)host);

	if (!m || m->host != host) {
		mock_violation("MEM.unmap_unknown",
			       "mock_mem_unmap of an unmapped buffer");
		return;
	}
	/* The VMCSs that lived there are gone with it. */
	mock_vmcs_forget_range(m->pa, m->size);
	index_mapping(m, false);
	free(m);
}

/* The mapping that holds all of [@p pa, @p pa + @p len), or NULL. */
static struct mapping *find(uint64_t pa, size_t len)
{
	struct mapping *m = index_get(&by_pa, pa & ~UINT64_C(0xFFF));

	if (m && len <= m->size && pa - m->pa <= m->size - len)
		return m;
	return NULL;
}

void *mock_mem_host(paddr_t pa, size_t size)
{
	struct mapping *m = find(pa_addr(pa), size);
	return m ? m->host + (pa_addr(pa) - m->pa) : NULL;
}

bool mock_mem_read(uint64_t pa, void *buf, size_t len)
{
	struct mapping *m = find(pa, len);

	if (!m) {
		memset(buf, 0xFF, len);
		return false;
	}
	memcpy(buf, m->host + (pa - m->pa), len);
	return true;
}

bool mock_mem_write(uint64_t pa, const void *buf, size_t len)
{
	struct mapping *m = find(pa, len);

	if (!m)
		return false;
	memcpy(m->host + (pa - m->pa), buf, len);
	return true;
}

/*
 * True if [@p va, @p va + @p len) lies in host memory that is mapped: the
 * model's test of "a stack libvmm gave it" for HOST_RSP.
 */
bool mock_mem_host_range_mapped(uint64_t va, size_t len)
{
	struct mapping *m = index_get(&by_host, va & ~UINT64_C(0xFFF));
	uint64_t h;

	if (!m)
		return false;
	h = (uint64_t)(uintptr_t)m->host;
	return len <= m->size && va - h <= m->size - len;
}
