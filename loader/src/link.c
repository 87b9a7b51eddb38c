// SPDX-License-Identifier: LGPL-2.1-or-later
/* Linking modules into a namespace: duplicates, imports, relocations. */
#include "elf_internal.h"

void elf_namespace_init(struct elf_namespace *ns, struct elf_module **slots,
			size_t capacity)
{
	ns->modules = slots;
	ns->count = 0;
	ns->capacity = slots ? capacity : 0;
	ns->yield = NULL;
	ns->yield_ctx = NULL;
}

void elf_maybe_yield(const struct elf_namespace *ns, uint64_t i)
{
	if (ns->yield && i % ELF_YIELD_EVERY == ELF_YIELD_EVERY - 1)
		ns->yield(ns->yield_ctx);
}

/*
 * Refuses a global definition of @m that a module of @ns already defines
 * globally; weak definitions may repeat (the first in load order wins).
 */
static enum elf_status elf_check_duplicates(const struct elf_namespace *ns,
					    const struct elf_module *m,
					    struct elf_error_detail *detail,
					    uint64_t *steps)
{
	for (uint64_t i = 1; i < m->t.symcount; i++) {
		struct elf64_sym s, o;
		const char *name;

		elf_maybe_yield(ns, i);
		elf_read_sym(m, i, &s);
		if (!elf_sym_exported(&s) ||
		    ELF64_ST_BIND(s.st_info) != STB_GLOBAL)
			continue;
		name = elf_str(m, s.st_name);
		for (size_t k = 0; k < ns->count; k++) {
			if (*steps > ELF_MAX_LINK_STEPS)
				return elf_fail(detail, ELF_ERR_LINK_TOO_COSTLY,
						i);
			if (!elf_find_export(ns->modules[k], name, &o, steps) ||
			    ELF64_ST_BIND(o.st_info) != STB_GLOBAL)
				continue;
			if (detail) {
				elf_strlcpy(detail->symbol, name,
					    sizeof(detail->symbol));
				detail->other_module = ns->modules[k]->name;
			}
			return elf_fail(detail, ELF_ERR_DUPLICATE_SYMBOL, i);
		}
	}
	return ELF_OK;
}

/*
 * After relocation every init/fini array entry must point into one of the
 * module's own executable segments: the host calls them in ring 0.
 */
static enum elf_status elf_check_arrays(const struct elf_module *m,
					struct elf_error_detail *detail)
{
	const uint64_t vaddrs[2] = {m->t.init_array, m->t.fini_array};
	const uint64_t counts[2] = {m->t.init_count, m->t.fini_count};

	for (int a = 0; a < 2; a++) {
		for (uint64_t i = 0; i < counts[a]; i++) {
			uint64_t e = elf_rd64(elf_at(m, vaddrs[a] + 8 * i, 8));
			uint64_t v = e - m->load_addr + m->vaddr_min;

			if (e < m->load_addr ||
			    !elf_in_segment(m, v, 1, ELF_PERM_X))
				return elf_fail(detail,
						ELF_ERR_INIT_ARRAY_ENTRY, i);
		}
	}
	return ELF_OK;
}

enum elf_status elf_link(struct elf_namespace *ns, struct elf_module *m,
			 struct elf_error_detail *detail)
{
	uint64_t steps = 0;
	enum elf_status st;

	if (detail) {
		elf_memset(detail, 0, sizeof(*detail));
		detail->module = m ? m->name : NULL;
		detail->index = UINT64_MAX;
	}
	if (!ns || !m)
		return elf_fail(detail, ELF_ERR_ARGUMENT, UINT64_MAX);
	if (m->state != ELF_MODULE_LOADED)
		return elf_fail(detail, ELF_ERR_STATE, UINT64_MAX);
	if (ns->count >= ns->capacity)
		return elf_fail(detail, ELF_ERR_NAMESPACE_FULL, UINT64_MAX);
	st = elf_check_duplicates(ns, m, detail, &steps);
	if (st == ELF_OK)
		st = elf_apply_relocs(ns, m, detail, &steps);
	if (st == ELF_OK)
		st = elf_check_arrays(m, detail);
	if (st != ELF_OK)
		return st;
	m->state = ELF_MODULE_LINKED;
	ns->modules[ns->count++] = m;
	return ELF_OK;
}
