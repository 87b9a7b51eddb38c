/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file vmm_format.h
 * A small freestanding formatter (there is no libc in the VMM).
 *
 * Conversions: %s %c %d %i %u %x %X %p %% with the length modifiers l and
 * ll (%ld %lu %lx %lld %llu %llx), a field width (%8x) and the flags 0
 * (zero padding) and - (left justification). %p prints 0x and 16 hex
 * digits. A NULL %s prints "(null)". An unknown conversion is copied
 * literally so that a typo is visible in the log instead of eating
 * arguments. Field widths above VMM_FORMAT_MAX_WIDTH are clamped.
 *
 * The variadic arguments use the compiler's builtins (__builtin_va_list)
 * because libvmm includes no header beyond stdint/stddef/stdbool.
 */
#ifndef FLANK_VMM_FORMAT_H
#define FLANK_VMM_FORMAT_H

#include <stddef.h>

/** The compiler's va_list, without <stdarg.h>. */
typedef __builtin_va_list vmm_va_list;
/** va_start, va_end, va_arg and va_copy on vmm_va_list. @{ */
#define vmm_va_start(ap, last) __builtin_va_start(ap, last)
#define vmm_va_end(ap) __builtin_va_end(ap)
#define vmm_va_arg(ap, type) __builtin_va_arg(ap, type)
#define vmm_va_copy(dst, src) __builtin_va_copy(dst, src)
/** @} */

/** Widest field width honoured; larger widths are clamped to it. */
#define VMM_FORMAT_MAX_WIDTH 64u

/**
 * Formats @p fmt into @p buf of @p size bytes, always NUL-terminated when
 * @p size > 0. Returns the length the complete output would have had (as
 * snprintf does), so a result >= @p size means the text was truncated.
 */
size_t vmm_vsnprintf(char *buf, size_t size, const char *fmt, vmm_va_list ap);

/** vmm_vsnprintf() with variadic arguments. */
size_t vmm_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* FLANK_VMM_FORMAT_H */
