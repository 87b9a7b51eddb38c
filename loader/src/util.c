// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Small helpers of the loader: its own memcpy/memset/strcmp (no libc), the
 * one overflow-safe range check, little-endian reads and the accessors
 * through which every stage reads the file or the image.
 */
#include "elf_internal.h"

/*
 * Eight bytes at a time (the image copy dominates a load); __builtin_memcpy
 * of a constant 8 bytes compiles to one unaligned move, never a call.
 */
void *elf_memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	for (; n >= 8; n -= 8, d += 8, s += 8) {
		uint64_t w;

		__builtin_memcpy(&w, s, 8);
		__builtin_memcpy(d, &w, 8);
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *elf_memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t w = 0x0101010101010101ull * (uint8_t)c;

	for (; n >= 8; n -= 8, d += 8)
		__builtin_memcpy(d, &w, 8);
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int elf_strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (int)(uint8_t)*a - (int)(uint8_t)*b;
}

void elf_strlcpy(char *dst, const char *src, size_t size)
{
	size_t i = 0;

	/* Callers pass a non-empty buffer (sizeof of an array). */
	for (; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

bool elf_range_ok(uint64_t off, uint64_t size, uint64_t limit)
{
	/* Written so that nothing can wrap: off + size is never computed. */
	return off <= limit && size <= limit - off;
}

uint32_t elf_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t elf_rd64(const uint8_t *p)
{
	return (uint64_t)elf_rd32(p) | (uint64_t)elf_rd32(p + 4) << 32;
}

void elf_wr64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

const uint8_t *elf_file_at(const struct elf_module *m, uint64_t off,
			   uint64_t size)
{
	if (!elf_range_ok(off, size, m->file_size))
		return NULL;
	return m->file + off;
}

const uint8_t *elf_at(const struct elf_module *m, uint64_t vaddr, uint64_t size)
{
	if (m->image) {
		if (vaddr < m->vaddr_min ||
		    !elf_range_ok(vaddr - m->vaddr_min, size, m->image_size))
			return NULL;
		return m->image + (vaddr - m->vaddr_min);
	}
	for (uint32_t i = 0; i < m->nloads; i++) {
		const struct elf_segment *s = &m->loads[i];

		if (vaddr >= s->vaddr &&
		    elf_range_ok(vaddr - s->vaddr, size, s->filesz))
			return elf_file_at(m, s->offset + (vaddr - s->vaddr),
					   size);
	}
	return NULL;
}

bool elf_in_ro_file(const struct elf_module *m, uint64_t vaddr, uint64_t size)
{
	for (uint32_t i = 0; i < m->nloads; i++) {
		const struct elf_segment *s = &m->loads[i];

		if (!(s->perms & ELF_PERM_W) && vaddr >= s->vaddr &&
		    elf_range_ok(vaddr - s->vaddr, size, s->filesz))
			return true;
	}
	return false;
}

bool elf_in_segment(const struct elf_module *m, uint64_t vaddr, uint64_t size,
		    uint32_t perm)
{
	for (uint32_t i = 0; i < m->nloads; i++) {
		const struct elf_segment *s = &m->loads[i];

		if ((s->perms & perm) == perm && vaddr >= s->vaddr &&
		    elf_range_ok(vaddr - s->vaddr, size, s->memsz))
			return true;
	}
	return false;
}

enum elf_status elf_fail(struct elf_error_detail *detail,
			 enum elf_status status, uint64_t index)
{
	if (detail) {
		detail->status = status;
		detail->index = index;
	}
	return status;
}

uint32_t elf_sysv_hash(const char *name)
{
	uint32_t h = 0;

	for (const uint8_t *p = (const uint8_t *)name; *p; p++) {
		uint32_t g;

		h = (h << 4) + *p;
		g = h & 0xf0000000u;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

uint32_t elf_gnu_hash(const char *name)
{
	uint32_t h = 5381;

	for (const uint8_t *p = (const uint8_t *)name; *p; p++)
		h = h * 33 + *p;
	return h;
}
