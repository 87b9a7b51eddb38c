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

static struct mapping *maps;
static size_t nmaps, capmaps;
static uint64_t next_pa = 0x100000;
static size_t last_hit;

void mock_mem_reset(void)
{
	free(maps);
	maps = NULL;
	nmaps = capmaps = 0;
	next_pa = 0x100000;
	last_hit = 0;
}

paddr_t mock_mem_map(void *host, size_t size)
{
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
	if (nmaps == capmaps) {
		size_t n = capmaps ? capmaps * 2 : 64;
		struct mapping *m = realloc(maps, n * sizeof(*m));
		if (!m) {
			fprintf(stderr, "flank mock: out of memory\n");
			abort();
		}
		maps = m;
		capmaps = n;
	}
	maps[nmaps].pa = next_pa;
	maps[nmaps].host = host;
	maps[nmaps].size = size;
	nmaps++;
	paddr_t pa = pa_init(next_pa);
	next_pa += size + 0x1000;
	return pa;
}

void mock_mem_unmap(void *host)
{
	for (size_t i = 0; i < nmaps; i++) {
		if (maps[i].host == host) {
			/* The VMCSs that lived there are gone with it. */
			mock_vmcs_forget_range(maps[i].pa, maps[i].size);
			maps[i] = maps[--nmaps];
			last_hit = 0;
			return;
		}
	}
	mock_violation("MEM.unmap_unknown",
		       "mock_mem_unmap of an unmapped buffer");
}

static struct mapping *find(uint64_t pa, size_t len)
{
	if (last_hit < nmaps) {
		struct mapping *m = &maps[last_hit];
		if (pa >= m->pa && len <= m->size &&
		    pa - m->pa <= m->size - len)
			return m;
	}
	for (size_t i = 0; i < nmaps; i++) {
		struct mapping *m = &maps[i];
		if (pa >= m->pa && len <= m->size &&
		    pa - m->pa <= m->size - len) {
			last_hit = i;
			return m;
		}
	}
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
	for (size_t i = 0; i < nmaps; i++) {
		uint64_t h = (uint64_t)(uintptr_t)maps[i].host;
		if (va >= h && len <= maps[i].size &&
		    va - h <= maps[i].size - len)
			return true;
	}
	return false;
}
