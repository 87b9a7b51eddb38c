/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Relocation-free string tables for libvmm's name tables (status names and
 * sentences, VMCS field names, checker rule ids and citations). Not
 * installed; freestanding.
 *
 * Why: vmm.elf is position independent. A table of `const char *` costs 8
 * bytes per string plus one R_X86_64_RELATIVE relocation (24 bytes in
 * .rela.dyn) that the loader must apply, and a table of fixed `char[N]`
 * arrays wastes the unused tail of every entry. Instead, a table's strings
 * are the members of one struct, each a char array of exactly its string's
 * size. Every member has alignment 1, so the struct is the strings back to
 * back with no padding. An entry names its string by the member's offset, a
 * uint16_t: no pointer, no relocation, no padding. Members, initialisers and
 * offsets are generated from the same X-macro list, so the compiler keeps
 * names, sizes and offsets in step.
 *
 *   #define NAME_MEMBER(id, text) STRTAB_MEMBER(n_##id, #id)
 *   #define NAME_INIT(id, text) .n_##id = #id,
 *   static const struct names { LIST(NAME_MEMBER) } names = {
 *           LIST(NAME_INIT)};
 *   STRTAB_FITS(struct names);
 *   static const uint16_t name_at[] = {
 *           [id] = offsetof(struct names, n_##id), ...};
 *   const char *s = STRTAB_AT(names, name_at[i]);
 *
 * Paste a prefix onto a member name (n_##id): a bare macro argument would
 * be macro-expanded first, and some list keys are macros elsewhere.
 */
#ifndef FLANK_STRTAB_H
#define FLANK_STRTAB_H

#include <stddef.h>
#include <stdint.h>

/* A struct member holding string literal @p literal at its exact size. */
#define STRTAB_MEMBER(member, literal) char member[sizeof(literal)];

/* Offsets are uint16_t: the whole table must stay below 64 KiB. */
#define STRTAB_FITS(type)                                                      \
	_Static_assert(sizeof(type) <= UINT16_MAX,                             \
		       #type " is too large for uint16_t offsets")

/* The string at byte @p offset of string table object @p table. */
#define STRTAB_AT(table, offset) ((const char *)&(table) + (offset))

#endif /* FLANK_STRTAB_H */
