// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The freestanding formatter (see flank/vmm_format.h). It runs in VMX root,
 * in exit handlers and possibly in NMI context: it allocates nothing, takes
 * no lock, does not recurse and uses a bounded amount of stack (one 24-byte
 * digit buffer).
 */
#include <stdbool.h>
#include <stdint.h>

#include "flank/vmm_format.h"

/* Output cursor: counts every character, stores those that fit. */
struct fmt_out {
	char *buf;
	size_t size; /* Capacity including the terminating NUL. */
	size_t len;  /* Characters produced so far (may exceed size). */
};

static void out_char(struct fmt_out *o, char c)
{
	if (o->size > 0 && o->len < o->size - 1)
		o->buf[o->len] = c;
	o->len++;
}

static void out_repeat(struct fmt_out *o, char c, size_t n)
{
	while (n-- > 0)
		out_char(o, c);
}

/* One conversion's flags and width. */
struct fmt_spec {
	bool zero;
	bool left;
	size_t width;
};

/* Emits @p s of length @p n padded to the field width. */
static void out_field(struct fmt_out *o, const struct fmt_spec *spec,
		      const char *s, size_t n)
{
	size_t pad = spec->width > n ? spec->width - n : 0;

	if (!spec->left)
		out_repeat(o, ' ', pad);
	while (n-- > 0)
		out_char(o, *s++);
	if (spec->left)
		out_repeat(o, ' ', pad);
}

/*
 * Emits an unsigned number in @p base (10 or 16) with an optional sign and
 * prefix. Zero padding goes between the sign/prefix and the digits, as in
 * C's printf.
 */
static void out_number(struct fmt_out *o, const struct fmt_spec *spec,
		       uint64_t v, unsigned base, bool upper, bool negative,
		       const char *prefix)
{
	static const char lower_digits[] = "0123456789abcdef";
	static const char upper_digits[] = "0123456789ABCDEF";
	const char *digits = upper ? upper_digits : lower_digits;
	char tmp[24]; /* 2^64 has 20 decimal digits. */
	size_t n = 0, plen = 0, total, pad;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);

	while (prefix[plen] != '\0')
		plen++;
	total = n + plen + (negative ? 1u : 0u);
	pad = spec->width > total ? spec->width - total : 0;

	if (!spec->left && !spec->zero)
		out_repeat(o, ' ', pad);
	if (negative)
		out_char(o, '-');
	for (size_t i = 0; i < plen; i++)
		out_char(o, prefix[i]);
	if (!spec->left && spec->zero)
		out_repeat(o, '0', pad);
	while (n > 0)
		out_char(o, tmp[--n]);
	if (spec->left)
		out_repeat(o, ' ', pad);
}

/* Reads an unsigned argument of the given length modifier (0, 1 or 2 l). */
static uint64_t arg_unsigned(vmm_va_list *ap, unsigned longs)
{
	if (longs >= 2)
		return vmm_va_arg(*ap, unsigned long long);
	if (longs == 1)
		return vmm_va_arg(*ap, unsigned long);
	return vmm_va_arg(*ap, unsigned int);
}

static int64_t arg_signed(vmm_va_list *ap, unsigned longs)
{
	if (longs >= 2)
		return vmm_va_arg(*ap, long long);
	if (longs == 1)
		return vmm_va_arg(*ap, long);
	return vmm_va_arg(*ap, int);
}

/*
 * Handles the conversion at *@p pf (just after '%'); advances *@p pf past
 * it.
 */
static void convert(struct fmt_out *o, const char **pf, vmm_va_list *ap)
{
	const char *f = *pf;
	const char *start = f - 1; /* The '%'. */
	struct fmt_spec spec = {false, false, 0};
	unsigned longs = 0;

	for (;; f++) {
		if (*f == '0')
			spec.zero = true;
		else if (*f == '-')
			spec.left = true;
		else
			break;
	}
	while (*f >= '0' && *f <= '9') {
		spec.width = spec.width * 10u + (size_t)(*f - '0');
		if (spec.width > VMM_FORMAT_MAX_WIDTH)
			spec.width = VMM_FORMAT_MAX_WIDTH;
		f++;
	}
	while (*f == 'l' && longs < 2) {
		longs++;
		f++;
	}

	switch (*f) {
	case 'd':
	case 'i': {
		int64_t v = arg_signed(ap, longs);
		/* Negate in unsigned arithmetic: INT64_MIN has no positive. */
		uint64_t mag = v < 0 ? 0u - (uint64_t)v : (uint64_t)v;
		out_number(o, &spec, mag, 10, false, v < 0, "");
		break;
	}
	case 'u':
		out_number(o, &spec, arg_unsigned(ap, longs), 10, false, false,
			   "");
		break;
	case 'x':
	case 'X':
		out_number(o, &spec, arg_unsigned(ap, longs), 16, *f == 'X',
			   false, "");
		break;
	case 'p': {
		struct fmt_spec pspec = {true, false, 18};
		uintptr_t p = (uintptr_t)vmm_va_arg(*ap, void *);
		out_number(o, &pspec, p, 16, false, false, "0x");
		break;
	}
	case 'c': {
		char c = (char)vmm_va_arg(*ap, int);
		out_field(o, &spec, &c, 1);
		break;
	}
	case 's': {
		const char *s = vmm_va_arg(*ap, const char *);
		size_t n = 0;
		if (s == NULL)
			s = "(null)";
		while (s[n] != '\0')
			n++;
		out_field(o, &spec, s, n);
		break;
	}
	case '%':
		out_char(o, '%');
		break;
	default:
		/* Unknown or truncated conversion: copy it literally. */
		while (start < f)
			out_char(o, *start++);
		if (*f == '\0') {
			*pf = f;
			return;
		}
		out_char(o, *f);
		break;
	}
	*pf = f + 1;
}

size_t vmm_vsnprintf(char *buf, size_t size, const char *fmt, vmm_va_list ap)
{
	struct fmt_out o = {buf, size, 0};
	vmm_va_list args;

	vmm_va_copy(args, ap);
	while (*fmt != '\0') {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt++;
		convert(&o, &fmt, &args);
	}
	vmm_va_end(args);

	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

/* Exported: the vmcs_check module imports it. */
__attribute__((visibility("default"))) size_t
vmm_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	vmm_va_list ap;
	size_t n;

	vmm_va_start(ap, fmt);
	n = vmm_vsnprintf(buf, size, fmt, ap);
	vmm_va_end(ap);
	return n;
}
