// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A bounded string builder and memory helpers: libvmm has no libc.
 * Loops are written out so that -fno-builtin code never calls memset/memcpy.
 */
#include "vmm_internal.h"

/* A word that may alias any object (vmm_zero clears structs of any type). */
typedef uint64_t __attribute__((may_alias)) vmm_word_t;

/*
 * Exported: the vmcs_check module imports it. Word-wise: it clears every
 * CPU's VMXON region, VMCS and MSR bitmap at start, and byte by byte that
 * was 94% of libvmm's instructions there (issue 14). Bytes up to an 8-byte
 * boundary, then words four at a time, then the tail. The stores are
 * volatile because GCC turns a plain clearing loop into a call to memset
 * even with -ffreestanding -fno-builtin (-ftree-loop-distribute-patterns),
 * and the image has no memset; objdump of vmm.elf shows plain MOVs.
 */
FLANK_EXPORT void vmm_zero(void *p, size_t n)
{
	volatile uint8_t *b = p;
	volatile vmm_word_t *w;

	for (; n > 0 && ((uintptr_t)b & 7u) != 0; n--)
		*b++ = 0;
	w = (volatile vmm_word_t *)b;
	for (; n >= 32; n -= 32, w += 4) {
		w[0] = 0;
		w[1] = 0;
		w[2] = 0;
		w[3] = 0;
	}
	for (; n >= 8; n -= 8)
		*w++ = 0;
	b = (volatile uint8_t *)w;
	for (; n > 0; n--)
		*b++ = 0;
}

void vmm_copy(void *dst, const void *src, size_t n)
{
	volatile uint8_t *d = dst;
	const uint8_t *s = src;
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

void vmm_fmt_init(struct vmm_fmt *f, char *buf, size_t size)
{
	f->buf = buf;
	f->size = size;
	f->len = 0;
	if (size > 0)
		buf[0] = '\0';
}

static void fmt_putc(struct vmm_fmt *f, char c)
{
	if (f->len + 1 < f->size) {
		f->buf[f->len++] = c;
		f->buf[f->len] = '\0';
	}
}

void vmm_fmt_str(struct vmm_fmt *f, const char *s)
{
	while (*s != '\0')
		fmt_putc(f, *s++);
}

void vmm_fmt_hex(struct vmm_fmt *f, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = digits[v & 0xF];
		v >>= 4;
	} while (v != 0);
	fmt_putc(f, '0');
	fmt_putc(f, 'x');
	while (n > 0)
		fmt_putc(f, tmp[--n]);
}

void vmm_fmt_dec(struct vmm_fmt *f, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		fmt_putc(f, tmp[--n]);
}
