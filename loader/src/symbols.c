// SPDX-License-Identifier: LGPL-2.1-or-later
/* Stage 4 of the validation pipeline: strings, hash tables and symbols. */
#include "elf_internal.h"

/* Upper bound of a symbol count no table states (GNU hash alone). */
#define ELF_MAX_SYMBOLS (1u << 24)

/*
 * Checks: the string table is not empty and its last byte is NUL, so that
 * every string starting inside it is terminated inside it.
 */
static enum elf_status elf_check_strtab(const struct elf_module *m)
{
	const uint8_t *s = elf_at(m, m->t.strtab, m->t.strsz);

	/* In range: elf_check_dynamic() checked the table. */
	if (m->t.strsz == 0 || s[m->t.strsz - 1] != 0)
		return ELF_ERR_STR_UNTERMINATED;
	if (m->t.soname != UINT64_MAX && m->t.soname >= m->t.strsz)
		return ELF_ERR_STR_OFFSET;
	return ELF_OK;
}

/*
 * SysV hash: nbucket, nchain, bucket[nbucket], chain[nchain] (32-bit).
 *
 * Checks: the whole table is file-backed read-only; nbucket != 0; every
 * bucket and chain entry is < nchain. nchain is the symbol count. A chain
 * may still loop: lookups stop after nchain steps.
 */
static enum elf_status elf_check_sysv_hash(struct elf_parse_ctx *c)
{
	struct elf_module *m = c->m;
	const uint8_t *h = elf_at(m, m->t.sysv_hash, 8);
	uint32_t nbucket = elf_rd32(h), nchain = elf_rd32(h + 4);
	uint64_t words = 2ull + nbucket + nchain;

	if (nbucket == 0)
		return ELF_ERR_HASH_NBUCKET;
	if (!elf_in_ro_file(m, m->t.sysv_hash, 4 * words))
		return ELF_ERR_HASH_RANGE;
	h = elf_at(m, m->t.sysv_hash, 4 * words);
	for (uint64_t i = 0; i < nbucket; i++)
		if (elf_rd32(h + 8 + 4 * i) >= nchain)
			return elf_fail(c->detail, ELF_ERR_HASH_BUCKET, i);
	for (uint64_t i = 0; i < nchain; i++)
		if (elf_rd32(h + 8 + 4 * ((uint64_t)nbucket + i)) >= nchain)
			return elf_fail(c->detail, ELF_ERR_HASH_CHAIN, i);
	m->t.sysv_nbucket = nbucket;
	m->t.symcount = nchain;
	return ELF_OK;
}

/*
 * GNU hash: nbuckets, symoffset, bloom_size, bloom_shift, bloom[bloom_size]
 * (64-bit), buckets[nbuckets], chain[] (32-bit), chain[i - symoffset]
 * for symbol i, the last of a chain with bit 0 set.
 *
 * Checks: header, bloom and buckets file-backed read-only; nbuckets != 0;
 * bloom_size a power of two, bloom_shift < 64; symoffset >= 1 (symbol 0
 * is never hashed); every bucket 0 or >= symoffset; the chain from the
 * highest bucket ends inside the table and before ELF_MAX_SYMBOLS (or the
 * SysV count). The end of that chain is the symbol count, which must agree
 * with SysV's nchain when both tables exist.
 */
static enum elf_status elf_check_gnu_hash(struct elf_parse_ctx *c)
{
	struct elf_module *m = c->m;
	struct elf_tables *t = &m->t;
	const uint8_t *h = elf_at(m, t->gnu_hash, 16);
	uint32_t nbuckets = elf_rd32(h), symoffset = elf_rd32(h + 4);
	uint32_t bloom_size = elf_rd32(h + 8), shift = elf_rd32(h + 12);
	uint64_t limit = t->sysv_hash ? t->symcount : ELF_MAX_SYMBOLS;
	uint64_t buckets_at, chain_at, top = 0, count;

	if (nbuckets == 0)
		return ELF_ERR_GNU_HASH_NBUCKET;
	if (bloom_size == 0 || (bloom_size & (bloom_size - 1)) || shift >= 64)
		return ELF_ERR_GNU_HASH_BLOOM;
	buckets_at = 16 + 8ull * bloom_size;
	chain_at = buckets_at + 4ull * nbuckets;
	if (!elf_in_ro_file(m, t->gnu_hash, chain_at))
		return ELF_ERR_GNU_HASH_RANGE;
	if (symoffset == 0 || symoffset > limit)
		return ELF_ERR_GNU_HASH_SYMOFFSET;
	h = elf_at(m, t->gnu_hash, chain_at);
	for (uint64_t i = 0; i < nbuckets; i++) {
		uint32_t b = elf_rd32(h + buckets_at + 4 * i);

		if (b != 0 && (b < symoffset || b >= limit))
			return elf_fail(c->detail, ELF_ERR_GNU_HASH_BUCKET, i);
		if (b > top)
			top = b;
	}
	count = symoffset;
	if (top != 0) {
		for (uint64_t i = top;; i++) {
			const uint8_t *w;

			if (i >= limit)
				return ELF_ERR_GNU_HASH_CHAIN;
			w = elf_at(m,
				   t->gnu_hash + chain_at + 4 * (i - symoffset),
				   4);
			if (!w)
				return ELF_ERR_GNU_HASH_CHAIN;
			if (elf_rd32(w) & 1) {
				count = i + 1;
				break;
			}
		}
	}
	/* Every chain word a lookup may read, in one read-only range. */
	if (!elf_in_ro_file(m, t->gnu_hash, chain_at + 4 * (count - symoffset)))
		return ELF_ERR_GNU_HASH_CHAIN;
	if (t->sysv_hash && count != t->symcount)
		return ELF_ERR_HASH_MISMATCH;
	t->gnu_nbuckets = nbuckets;
	t->gnu_symoffset = symoffset;
	t->gnu_bloom_size = bloom_size;
	t->gnu_bloom_shift = shift;
	t->symcount = count;
	return ELF_OK;
}

/*
 * Without a hash table the count comes from the SHT_DYNSYM section header
 * (lookups are then linear).
 *
 * Checks: e_shentsize is 64; the section header table lies in the file;
 * one SHT_DYNSYM with sh_addr == DT_SYMTAB, sh_entsize 24 and sh_size a
 * multiple of 24.
 */
static enum elf_status elf_count_from_shdrs(struct elf_parse_ctx *c)
{
	struct elf_module *m = c->m;
	const struct elf64_ehdr *eh = &c->eh;
	const uint8_t *tab;

	if (eh->e_shentsize != sizeof(struct elf64_shdr))
		return ELF_ERR_SHDR;
	tab = elf_file_at(m, eh->e_shoff,
			  (uint64_t)eh->e_shnum * sizeof(struct elf64_shdr));
	if (!tab)
		return ELF_ERR_SHDR;
	for (uint16_t i = 0; i < eh->e_shnum; i++) {
		struct elf64_shdr sh;

		elf_memcpy(&sh, tab + (uint64_t)i * sizeof(sh), sizeof(sh));
		if (sh.sh_type != SHT_DYNSYM || sh.sh_addr != m->t.symtab)
			continue;
		if (sh.sh_entsize != sizeof(struct elf64_sym) ||
		    sh.sh_size % sizeof(struct elf64_sym) != 0 ||
		    sh.sh_size / sizeof(struct elf64_sym) > ELF_MAX_SYMBOLS)
			return ELF_ERR_SHDR;
		m->t.symcount = sh.sh_size / sizeof(struct elf64_sym);
		return ELF_OK;
	}
	return ELF_ERR_SHDR;
}

/*
 * Checks of every symbol (the null one too): its name starts inside the
 * string table (and so ends there, elf_check_strtab()); binding LOCAL,
 * GLOBAL or WEAK; type NOTYPE, OBJECT, FUNC, SECTION or FILE; a defined
 * symbol (not SHN_ABS) is not COMMON and [value, value + size) lies in the
 * image.
 */
static enum elf_status elf_check_sym(const struct elf_module *m,
				     const struct elf64_sym *s)
{
	uint8_t bind = ELF64_ST_BIND(s->st_info);
	uint8_t type = ELF64_ST_TYPE(s->st_info);

	if (s->st_name >= m->t.strsz)
		return ELF_ERR_STR_OFFSET;
	if (bind != STB_LOCAL && bind != STB_GLOBAL && bind != STB_WEAK)
		return ELF_ERR_SYM_BIND;
	if (type > STT_FILE)
		return ELF_ERR_SYM_TYPE;
	if (s->st_shndx == SHN_UNDEF || s->st_shndx == SHN_ABS)
		return ELF_OK;
	if (s->st_shndx == SHN_COMMON || s->st_value < m->vaddr_min ||
	    !elf_range_ok(s->st_value - m->vaddr_min, s->st_size,
			  m->image_size))
		return ELF_ERR_SYM_VALUE;
	return ELF_OK;
}

/* True if the name at string-table offset @p off is at most @p max bytes. */
static bool elf_name_fits(const struct elf_module *m, uint64_t off,
			  uint64_t max)
{
	const char *s = elf_str(m, off);

	/* Terminated inside the table (elf_check_strtab()). */
	for (uint64_t n = 0; n <= max; n++)
		if (s[n] == '\0')
			return true;
	return false;
}

/*
 * The SysV table must index every exported symbol exactly once, or the
 * duplicate check and imports could not see it (an all-empty table hid a
 * module's exports).
 *
 * Checks: no chain is longer than ELF_MAX_HASH_CHAIN (a loop is one that
 * never ends); every exported symbol met in bucket b's chain hashes to b,
 * so none is met twice (two chains may share a tail, and one chain never
 * repeats); and as many exported symbols are met as the table has.
 */
static enum elf_status elf_verify_sysv_hash(struct elf_parse_ctx *c)
{
	const struct elf_module *m = c->m;
	uint64_t nbucket = m->t.sysv_nbucket, met = 0, exported = 0;
	const uint8_t *h =
		elf_at(m, m->t.sysv_hash, 4 * (2 + nbucket + m->t.symcount));
	const uint8_t *chain = h + 8 + 4 * nbucket;
	struct elf64_sym s;

	for (uint64_t b = 0; b < nbucket; b++) {
		uint64_t len = 0;

		for (uint64_t i = elf_rd32(h + 8 + 4 * b); i != 0;
		     i = elf_rd32(chain + 4 * i)) {
			if (++len > ELF_MAX_HASH_CHAIN)
				return elf_fail(c->detail,
						ELF_ERR_HASH_CHAIN_LONG, b);
			elf_read_sym(m, i, &s);
			if (!elf_sym_exported(&s))
				continue;
			if (elf_sysv_hash(elf_str(m, s.st_name)) % nbucket != b)
				return elf_fail(c->detail,
						ELF_ERR_HASH_UNINDEXED, i);
			met++;
		}
	}
	for (uint64_t i = 1; i < m->t.symcount; i++) {
		elf_read_sym(m, i, &s);
		if (elf_sym_exported(&s))
			exported++;
	}
	return met == exported ? ELF_OK
			       : elf_fail(c->detail, ELF_ERR_HASH_UNINDEXED,
					  UINT64_MAX);
}

/*
 * The GNU table likewise. Symbols from symoffset on form one chain per
 * bucket, contiguous, each ended by bit 0 of its last word.
 *
 * Checks: no symbol below symoffset is exported (no lookup reaches it);
 * each chain starts where its bucket points, holds only symbols of that
 * bucket and at most ELF_MAX_HASH_CHAIN of them; each symbol's chain word
 * is its hash (bit 0 aside) and each exported symbol's two bits are set
 * in the bloom filter, which a lookup asks first.
 */
static enum elf_status elf_verify_gnu_hash(struct elf_parse_ctx *c)
{
	const struct elf_module *m = c->m;
	const struct elf_tables *t = &m->t;
	uint64_t buckets_at = 16 + 8ull * t->gnu_bloom_size;
	uint64_t chain_at = buckets_at + 4ull * t->gnu_nbuckets;
	const uint8_t *h =
		elf_at(m, t->gnu_hash,
		       chain_at + 4 * (t->symcount - t->gnu_symoffset));
	uint64_t len = 0, bucket = 0;
	struct elf64_sym s;

	for (uint64_t i = 1; i < t->gnu_symoffset && i < t->symcount; i++) {
		elf_read_sym(m, i, &s);
		if (elf_sym_exported(&s))
			return elf_fail(c->detail, ELF_ERR_HASH_UNINDEXED, i);
	}
	for (uint64_t i = t->gnu_symoffset; i < t->symcount; i++) {
		uint32_t word =
			elf_rd32(h + chain_at + 4 * (i - t->gnu_symoffset));
		uint32_t hash;
		uint64_t b;

		elf_read_sym(m, i, &s);
		hash = elf_gnu_hash(elf_str(m, s.st_name));
		b = hash % t->gnu_nbuckets;
		if (len == 0) {
			if (elf_rd32(h + buckets_at + 4 * b) != i)
				return elf_fail(c->detail,
						ELF_ERR_HASH_UNINDEXED, i);
			bucket = b;
		} else if (b != bucket) {
			return elf_fail(c->detail, ELF_ERR_HASH_UNINDEXED, i);
		}
		if (++len > ELF_MAX_HASH_CHAIN)
			return elf_fail(c->detail, ELF_ERR_HASH_CHAIN_LONG, b);
		if ((word | 1) != (hash | 1))
			return elf_fail(c->detail, ELF_ERR_HASH_UNINDEXED, i);
		if (elf_sym_exported(&s)) {
			uint64_t bw = elf_rd64(
				h + 16 +
				8 * (uint64_t)((hash / 64) &
					       (t->gnu_bloom_size - 1)));
			uint64_t mask =
				(1ull << (hash % 64)) |
				(1ull
				 << (((uint64_t)hash >> t->gnu_bloom_shift) %
				     64));

			if ((bw & mask) != mask)
				return elf_fail(c->detail,
						ELF_ERR_HASH_UNINDEXED, i);
		}
		if (word & 1)
			len = 0;
	}
	return ELF_OK;
}

/*
 * Checks: elf_check_strtab(); the hash tables (elf_check_sysv_hash(),
 * elf_check_gnu_hash()) or, without one, the section headers
 * (elf_count_from_shdrs()) give a count >= 1 whose symbols lie in the
 * read-only file; at most ELF_MAX_MODULE_SYMBOLS symbols, or
 * ELF_MAX_HASH_CHAIN without a hash table (every lookup then reads them
 * all); every symbol passes elf_check_sym() and has a name of at most
 * ELF_MAX_SYMBOL_NAME bytes; the hash tables index every exported symbol
 * exactly once (elf_verify_sysv_hash(), elf_verify_gnu_hash()).
 */
enum elf_status elf_check_symbols(struct elf_parse_ctx *c)
{
	struct elf_module *m = c->m;
	enum elf_status st;

	st = elf_check_strtab(m);
	if (st == ELF_OK && m->t.sysv_hash)
		st = elf_check_sysv_hash(c);
	if (st == ELF_OK && m->t.gnu_hash)
		st = elf_check_gnu_hash(c);
	if (st == ELF_OK && !m->t.sysv_hash && !m->t.gnu_hash)
		st = elf_count_from_shdrs(c);
	if (st != ELF_OK)
		return st;
	if (m->t.symcount == 0 ||
	    !elf_in_ro_file(m, m->t.symtab,
			    m->t.symcount * sizeof(struct elf64_sym)))
		return ELF_ERR_SYM_COUNT;
	if (m->t.symcount > ELF_MAX_MODULE_SYMBOLS ||
	    (!m->t.sysv_hash && !m->t.gnu_hash &&
	     m->t.symcount > ELF_MAX_HASH_CHAIN))
		return ELF_ERR_SYM_TOO_MANY;
	for (uint64_t i = 0; i < m->t.symcount; i++) {
		struct elf64_sym s;

		elf_read_sym(m, i, &s);
		st = elf_check_sym(m, &s);
		if (st == ELF_OK &&
		    !elf_name_fits(m, s.st_name, ELF_MAX_SYMBOL_NAME))
			st = ELF_ERR_SYM_NAME_LONG;
		if (st != ELF_OK)
			return elf_fail(c->detail, st, i);
	}
	if (m->t.sysv_hash) {
		st = elf_verify_sysv_hash(c);
		if (st != ELF_OK)
			return st;
	}
	if (m->t.gnu_hash)
		return elf_verify_gnu_hash(c);
	return ELF_OK;
}
