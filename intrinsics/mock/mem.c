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
 * its mapping (index.c): lookups, map and unmap are O(1) (O(pages) for a
 * multi-page mapping) whatever the number of mappings. Scans of one array
 * made a start on N emulated CPUs quadratic (issue 14).
 */
static struct mock_index by_pa, by_host;
static uint64_t next_pa = 0x100000;
/* One past the highest byte ever mapped (mock_set_phys_addr_width). */
static uint64_t highest;

/* Adds (@p m) or removes (NULL) every page of @p m in both indexes. */
static void index_mapping(struct mapping *m, bool add)
{
	for (size_t off = 0; off < m->size; off += 0x1000) {
		uint64_t host = (uint64_t)(uintptr_t)m->host + off;

		if (add) {
			mock_index_put(&by_pa, m->pa + off, m);
			mock_index_put(&by_host, host, m);
		} else {
			mock_index_del(&by_pa, m->pa + off);
			mock_index_del(&by_host, host);
		}
	}
}

void mock_mem_reset(void)
{
	/* Each mapping is reachable from its first physical page (keys are
	 * stored plus one, index.c). The slots of its other pages are
	 * dropped first: once it is freed, they must not be read. */
	for (size_t i = 0; i < by_pa.cap; i++) {
		struct mapping *m = by_pa.val[i];
		if (m != NULL && m->pa != by_pa.key[i] - 1u)
			by_pa.val[i] = NULL;
	}
	for (size_t i = 0; i < by_pa.cap; i++)
		free(by_pa.val[i]);
	mock_index_free(&by_pa);
	mock_index_free(&by_host);
	next_pa = 0x100000;
	highest = 0;
}

static paddr_t map_here(void *host, size_t size, uint64_t pa, bool fresh);

paddr_t mock_mem_map(void *host, size_t size)
{
	if (((uintptr_t)host & 0xFFF) || !size || (size & 0xFFF)) {
		mock_violation("MEM.map_unaligned",
			       "mock_mem_map needs 4 KiB aligned host memory "
			       "and a size that is a multiple of 4 KiB");
		return pa_init(0);
	}
	/* Skip pages mapped at chosen addresses (mock_mem_map_at). */
	for (size_t off = 0; off < size; off += 0x1000) {
		if (mock_index_get(&by_pa, next_pa + off)) {
			next_pa += off + 0x2000;
			off = (size_t)0 - 0x1000; /* restart the range */
		}
	}
	if (mock_pa_too_wide(next_pa + size - 1)) {
		mock_violation(
			"MEM.exhausted",
			"physical address space of the profile exhausted");
		return pa_init(0);
	}
	return map_here(host, size, next_pa, true);
}

/* Maps @p host at @p pa (free, within the width); advances next_pa if
 * @p fresh. */
static paddr_t map_here(void *host, size_t size, uint64_t pa, bool fresh)
{
	struct mapping *m;

	for (size_t off = 0; off < size; off += 0x1000) {
		if (mock_index_get(&by_host, (uint64_t)(uintptr_t)host + off)) {
			mock_violation("MEM.map_twice",
				       "mock_mem_map of host memory that is "
				       "already mapped (one physical address "
				       "per host page)");
			return pa_init(0);
		}
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		fprintf(stderr, "flank mock: out of memory\n");
		abort();
	}
	m->pa = pa;
	m->host = host;
	m->size = size;
	index_mapping(m, true);
	if (fresh)
		next_pa += size + 0x1000;
	if (pa + size > highest)
		highest = pa + size;
	return pa_init(m->pa);
}

paddr_t mock_mem_map_at(void *host, size_t size, paddr_t at)
{
	uint64_t pa = pa_addr(at);

	if (((uintptr_t)host & 0xFFF) || !size || (size & 0xFFF) ||
	    (pa & 0xFFF)) {
		mock_violation("MEM.map_unaligned",
			       "mock_mem_map_at needs 4 KiB aligned host "
			       "memory, size and physical address");
		return pa_init(0);
	}
	if (pa + size < pa || mock_pa_too_wide(pa + size - 1)) {
		mock_violation("MEM.map_too_wide",
			       "mock_mem_map_at beyond the physical-address "
			       "width (MAXPHYADDR)");
		return pa_init(0);
	}
	for (size_t off = 0; off < size; off += 0x1000) {
		if (mock_index_get(&by_pa, pa + off)) {
			mock_violation("MEM.map_overlap",
				       "mock_mem_map_at over memory that is "
				       "already mapped");
			return pa_init(0);
		}
	}
	return map_here(host, size, pa, false);
}

uint64_t mock_mem_highest(void)
{
	return highest;
}

void mock_mem_unmap(void *host)
{
	struct mapping *m = mock_index_get(&by_host, (uint64_t)(uintptr_t)host);

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
	struct mapping *m = mock_index_get(&by_pa, pa & ~UINT64_C(0xFFF));

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
		/* As the profile says: all ones on every PC profile. */
		memset(buf, mock_machine.unmapped_byte, len);
		return false;
	}
	memcpy(buf, m->host + (pa - m->pa), len);
	return true;
}

bool mock_mem_read_phys(paddr_t pa, void *buf, size_t len)
{
	return mock_mem_read(pa_addr(pa), buf, len);
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
	struct mapping *m = mock_index_get(&by_host, va & ~UINT64_C(0xFFF));
	uint64_t h;

	if (!m)
		return false;
	h = (uint64_t)(uintptr_t)m->host;
	return len <= m->size && va - h <= m->size - len;
}
