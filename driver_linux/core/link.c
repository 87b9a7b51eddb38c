// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one place where the driver calls the ELF loader (loader/): parse every
 * staged module, reserve one mapping for all of them, load and link them in
 * order (the image first, extensions after it, each resolved against the
 * ones before), apply the loader's per-page permission map, run the
 * modules' init arrays and find the image's entry table.
 *
 * Memory: the platform maps the pages twice (ops->image_reserve). The
 * loader writes segments and relocations through the writable,
 * non-executable alias while the final mapping is still inaccessible; then
 * ops->image_protect gives every page of the final mapping its permission
 * (RX text, R read-only data and RELRO, RW data) and drops the alias. No
 * page is ever writable and executable in any mapping.
 */
#include <stdio.h>
#include <string.h>

#include "flank/elf_loader.h"
#include "flank_core.h"

/** What the link keeps until unlink: the loader's view of each module. */
struct link_state {
	struct elf_module mod[FLANK_MODULES_MAX];
	struct elf_module *slots[FLANK_MODULES_MAX];
	struct elf_namespace ns;
	uint32_t count;
	uint8_t *perm;
	size_t npages;
	uintptr_t final;
	/* Where each module lies in the mapping (offset from final, bytes). */
	size_t mod_off[FLANK_MODULES_MAX], mod_size[FLANK_MODULES_MAX];
	/* DT_INIT_ARRAY / DT_FINI_ARRAY of each module (run-time address). */
	uint64_t init_addr[FLANK_MODULES_MAX], init_count[FLANK_MODULES_MAX];
	uint64_t fini_addr[FLANK_MODULES_MAX], fini_count[FLANK_MODULES_MAX];
};

static int elf_fail(struct flank_ioc_err *err, const char *module,
		    enum elf_status st, const struct elf_error_detail *d)
{
	/* The name comes from the file: no raw bytes into texts and logs. */
	char name[sizeof(d->symbol)];
	const char *sym = NULL;

	if (d && d->symbol[0]) {
		flank_printable_copy(name, d->symbol, sizeof(name));
		sym = name;
	}

	return flank_fail(err, FLANK_E_ELF, FLANK_SRC_LOADER, (int32_t)st,
			  FLANK_NO_CPU, "module %s: %s%s%s%s", module,
			  elf_status_str(st), sym ? " (symbol '" : "",
			  sym ? sym : "", sym ? "')" : "");
}

/** Converts the loader's ELF_PERM_* bits; refuses W+X outright. */
static int perm_from_elf(uint8_t elf, uint8_t *out)
{
	if ((elf & ELF_PERM_W) && (elf & ELF_PERM_X))
		return -1;
	if (elf & ELF_PERM_X)
		*out = FLANK_PAGE_RX;
	else if (elf & ELF_PERM_W)
		*out = FLANK_PAGE_RW;
	else
		*out = FLANK_PAGE_R; /* Read-only data, and holes. */
	return 0;
}

/** Runs DT_INIT_ARRAY (in order) or DT_FINI_ARRAY (in reverse). */
static void run_array(uint64_t addr, uint64_t count, bool fini)
{
	void (*const *fn)(void) = (void (*const *)(void))(uintptr_t)addr;
	uint64_t i;

	for (i = 0; i < count; i++)
		fn[fini ? count - 1 - i : i]();
}

/*
 * True if [@p addr, @p addr + @p size) lies inside module @p mod's part of
 * the final mapping. Overflow-safe: addr + size is never computed, so an
 * address a file chose near 2^64 cannot wrap past the check.
 */
static bool in_module(const struct link_state *ls, uint32_t mod, uint64_t addr,
		      uint64_t size)
{
	uint64_t base = (uint64_t)ls->final + ls->mod_off[mod];
	uint64_t len = ls->mod_size[mod];

	return addr >= base && addr - base <= len &&
	       size <= len - (addr - base);
}

/** True if @p p points into an executable page of module @p mod. */
static bool in_text(const struct link_state *ls, uint32_t mod, const void *p)
{
	uintptr_t a = (uintptr_t)p;

	if (!in_module(ls, mod, a, 1))
		return false;
	return ls->perm[(a - ls->final) / ELF_PAGE_SIZE] == FLANK_PAGE_RX;
}

/* The entry table's functions, in the order of its members. */
#define ENTRY_FNS(e)                                                           \
	{                                                                      \
		(const void *)(e)->init, (const void *)(e)->fini,              \
			(const void *)(e)->check,                              \
			(const void *)(e)->start_all,                          \
			(const void *)(e)->stop_all,                           \
			(const void *)(e)->start_cpu,                          \
			(const void *)(e)->stop_cpu, (const void *)(e)->state, \
			(const void *)(e)->cpu_status,                         \
			(const void *)(e)->exit_stats,                         \
			(const void *)(e)->ring_read,                          \
			(const void *)(e)->status_str,                         \
	}

/* Their names, for the messages (struct flank_image_entry). */
static const char *const entry_names[] = {
	"init",	      "fini",	    "check",	 "start_all",
	"stop_all",   "start_cpu",  "stop_cpu",	 "state",
	"cpu_status", "exit_stats", "ring_read", "status_str",
};

/* Every function of the entry table must be code of the image itself. */
static int entry_in_image(const struct link_state *ls,
			  const struct flank_image_entry *e,
			  struct flank_ioc_err *err)
{
	const void *fns[] = ENTRY_FNS(e);
	size_t i;

	_Static_assert(sizeof(fns) / sizeof(fns[0]) ==
			       sizeof(entry_names) / sizeof(entry_names[0]),
		       "one name per entry-table function");
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		if (!in_text(ls, 0, fns[i]))
			return flank_fail(err, FLANK_E_BAD_ENTRY,
					  FLANK_SRC_DRIVER, (int32_t)i,
					  FLANK_NO_CPU,
					  "entry %u of the image's entry table "
					  "does not point at the image's code",
					  (unsigned int)i);
	}
	return FLANK_OK;
}

/*
 * True if @p fn is code of the image that starts with ENDBR64 (F3 0F 1E FA),
 * the only instruction an indirect CALL or JMP may land on under IBT
 * (Intel SDM Vol. 1, 18.3 "Indirect Branch Tracking"). The four bytes are
 * read through the final mapping, whose text pages are readable.
 */
static bool starts_with_endbr64(const struct link_state *ls, uint32_t mod,
				const void *fn)
{
	static const uint8_t endbr64[4] = {0xf3, 0x0f, 0x1e, 0xfa};
	const uint8_t *p = fn;

	return in_text(ls, mod, p) &&
	       in_text(ls, mod, p + sizeof(endbr64) - 1) &&
	       memcmp(p, endbr64, sizeof(endbr64)) == 0;
}

static int no_endbr(struct flank_ioc_err *err, const char *module,
		    const char *what, uint64_t index)
{
	return flank_fail(err, FLANK_E_NO_ENDBR, FLANK_SRC_DRIVER,
			  (int32_t)index, FLANK_NO_CPU,
			  "module %s: %s does not start with ENDBR64, and "
			  "this kernel enforces IBT (an indirect call there "
			  "raises #CP): build it with -fcf-protection=branch "
			  "-fno-jump-tables",
			  module, what);
}

/*
 * Under IBT, every function the driver will call through a pointer must
 * start with ENDBR64, or the call raises #CP in the kernel (issue #21):
 * each module's DT_INIT_ARRAY and DT_FINI_ARRAY entries and the image's
 * entry table. Checked before anything of the file runs. Hooks that a
 * module registers from its init are checked by the image when they are
 * registered (vmm_extension.h).
 */
static int check_ibt_targets(const struct flank_core *core,
			     const struct link_state *ls,
			     struct flank_ioc_err *err)
{
	char what[48];
	uint32_t i;
	uint64_t k;

	for (i = 0; i < ls->count; i++) {
		const void *const *init =
			(const void *const *)(uintptr_t)ls->init_addr[i];
		const void *const *fini =
			(const void *const *)(uintptr_t)ls->fini_addr[i];

		for (k = 0; k < ls->init_count[i]; k++) {
			if (starts_with_endbr64(ls, i, init[k]))
				continue;
			snprintf(what, sizeof(what), "DT_INIT_ARRAY[%llu]",
				 (unsigned long long)k);
			return no_endbr(err, core->mod[i].name, what, k);
		}
		for (k = 0; k < ls->fini_count[i]; k++) {
			if (starts_with_endbr64(ls, i, fini[k]))
				continue;
			snprintf(what, sizeof(what), "DT_FINI_ARRAY[%llu]",
				 (unsigned long long)k);
			return no_endbr(err, core->mod[i].name, what, k);
		}
	}
	if (core->image.entry) {
		const void *fns[] = ENTRY_FNS(core->image.entry);

		for (k = 0; k < sizeof(fns) / sizeof(fns[0]); k++) {
			if (starts_with_endbr64(ls, 0, fns[k]))
				continue;
			snprintf(what, sizeof(what), "entry function '%s'",
				 entry_names[k]);
			return no_endbr(err, core->mod[0].name, what, k);
		}
	}
	return FLANK_OK;
}

/*
 * The loader checked the init and fini arrays; the driver calls through
 * them in ring 0, so it checks again what it reads: each array lies in its
 * module's mapping, and each entry points at that module's code.
 */
static int check_arrays(const struct flank_core *core,
			const struct link_state *ls, struct flank_ioc_err *err)
{
	uint32_t i;
	uint64_t k;
	int f;

	for (i = 0; i < ls->count; i++) {
		for (f = 0; f < 2; f++) {
			uint64_t addr = f ? ls->fini_addr[i] : ls->init_addr[i];
			uint64_t n = f ? ls->fini_count[i] : ls->init_count[i];
			const void *const *fn =
				(const void *const *)(uintptr_t)addr;

			if (n == 0)
				continue;
			if (n > ls->mod_size[i] / sizeof(*fn) ||
			    !in_module(ls, i, addr, n * sizeof(*fn)))
				return elf_fail(err, core->mod[i].name,
						ELF_ERR_INIT_ARRAY_ENTRY, NULL);
			for (k = 0; k < n; k++) {
				if (!in_text(ls, i, fn[k]))
					return elf_fail(
						err, core->mod[i].name,
						ELF_ERR_INIT_ARRAY_ENTRY, NULL);
			}
		}
	}
	return FLANK_OK;
}

/* The loader's yield hook (struct elf_namespace): cond_resched(). */
static void link_yield(void *ctx)
{
	const struct flank_core *core = ctx;

	core->ops->resched(core->ops->ctx);
}

/** Parses every module and lays them out one after the other. */
static int parse_all(struct flank_core *core, struct link_state *ls,
		     size_t *total, struct flank_ioc_err *err)
{
	struct elf_error_detail d;
	enum elf_status st;
	uint64_t size;
	uint32_t i;

	*total = 0;
	for (i = 0; i < core->nmods; i++) {
		core->ops->resched(core->ops->ctx);
		memset(&d, 0, sizeof(d));
		st = elf_parse(&ls->mod[i], core->mod[i].bytes,
			       core->mod[i].size, core->mod[i].name, &d);
		if (st != ELF_OK)
			return elf_fail(err, core->mod[i].name, st, &d);
		size = elf_image_size(&ls->mod[i]);
		if (size == 0 || size > ELF_MAX_IMAGE_SIZE ||
		    size % ELF_PAGE_SIZE)
			return elf_fail(err, core->mod[i].name,
					ELF_ERR_IMAGE_TOO_BIG, NULL);
		*total += (size_t)size;
	}
	/* At most 8 x ELF_MAX_IMAGE_SIZE: the sum cannot wrap. */
	if (*total > FLANK_IMAGE_MAX_BYTES)
		return flank_fail(
			err, FLANK_E_IMAGE_SIZE, FLANK_SRC_DRIVER, 0,
			FLANK_NO_CPU,
			"the modules need %llu KiB of memory once "
			"loaded, more than the %u KiB flank.ko maps "
			"for one image: load fewer or smaller modules",
			(unsigned long long)(*total >> 10),
			FLANK_IMAGE_MAX_BYTES >> 10);
	return FLANK_OK;
}

/** Loads and links module after module into the reserved pages. */
static int load_all(struct flank_core *core, struct link_state *ls, uint8_t *rw,
		    struct flank_ioc_err *err)
{
	struct elf_error_detail d;
	enum elf_status st;
	size_t off = 0, size, npages, p;
	uint32_t i;

	elf_namespace_init(&ls->ns, ls->slots, FLANK_MODULES_MAX);
	ls->ns.yield = link_yield;
	ls->ns.yield_ctx = core;
	for (i = 0; i < core->nmods; i++) {
		core->ops->resched(core->ops->ctx);
		size = (size_t)elf_image_size(&ls->mod[i]);
		st = elf_load(&ls->mod[i], rw + off, size, ls->final + off);
		if (st != ELF_OK)
			return elf_fail(err, core->mod[i].name, st, NULL);
		memset(&d, 0, sizeof(d));
		st = elf_link(&ls->ns, &ls->mod[i], &d);
		if (st != ELF_OK)
			return elf_fail(err, core->mod[i].name, st, &d);
		npages = size / ELF_PAGE_SIZE;
		st = elf_perm_map(&ls->mod[i], ls->perm + off / ELF_PAGE_SIZE,
				  npages);
		if (st != ELF_OK)
			return elf_fail(err, core->mod[i].name, st, NULL);
		for (p = off / ELF_PAGE_SIZE; p < off / ELF_PAGE_SIZE + npages;
		     p++) {
			if (perm_from_elf(ls->perm[p], &ls->perm[p]))
				return elf_fail(err, core->mod[i].name,
						ELF_ERR_SEG_WX, NULL);
		}
		/*
		 * The loader reads its tables through the writable alias,
		 * which image_protect removes: ask it everything now.
		 */
		if (elf_init_fini(&ls->mod[i], false, &ls->init_addr[i],
				  &ls->init_count[i]) != ELF_OK ||
		    elf_init_fini(&ls->mod[i], true, &ls->fini_addr[i],
				  &ls->fini_count[i]) != ELF_OK)
			ls->init_count[i] = ls->fini_count[i] = 0;
		ls->mod_off[i] = off;
		ls->mod_size[i] = size;
		ls->count++;
		off += size;
	}
	return FLANK_OK;
}

int flank_link_modules(struct flank_core *core, struct flank_ioc_err *err)
{
	const struct flank_core_ops *ops = core->ops;
	struct flank_image_mem *mem;
	struct link_state *ls;
	void *rw, *final;
	uint64_t entry = 0;
	size_t total;
	uint32_t i;
	int rc;

	ls = ops->alloc(ops->ctx, sizeof(*ls));
	if (!ls)
		return FLANK_E_NO_MEMORY;
	rc = parse_all(core, ls, &total, err);
	if (rc)
		goto err_free_ls;
	ls->npages = total / ELF_PAGE_SIZE;
	ls->perm = ops->alloc(ops->ctx, ls->npages);
	if (!ls->perm) {
		rc = FLANK_E_NO_MEMORY;
		goto err_free_ls;
	}
	mem = ops->image_reserve(ops->ctx, ls->npages, &rw, &final);
	if (!mem) {
		rc = FLANK_E_NO_MEMORY;
		goto err_free_perm;
	}
	ls->final = (uintptr_t) final;
	rc = load_all(core, ls, rw, err);
	if (rc)
		goto err_release;
	/* Before image_protect: the loader reads through the alias. */
	if (elf_lookup(&ls->mod[0], FLANK_IMAGE_ENTRY_SYMBOL, &entry) != ELF_OK)
		entry = 0;
	rc = ops->image_protect(ops->ctx, mem, ls->perm, ls->npages);
	if (rc) {
		rc = flank_fail(err, FLANK_E_NO_MEMORY, FLANK_SRC_DRIVER, rc,
				FLANK_NO_CPU,
				"could not set the image's page permissions");
		goto err_release;
	}
	/*
	 * Everything is validated before any code of the load runs: no
	 * entry table is a refusal here, not after the init arrays ran.
	 */
	if (!entry) {
		rc = flank_entry_validate(NULL, err);
		goto err_release;
	}
	if (entry % sizeof(uint64_t) ||
	    !in_module(ls, 0, entry, sizeof(struct flank_image_entry))) {
		rc = flank_fail(err, FLANK_E_BAD_ENTRY, FLANK_SRC_DRIVER, 0,
				FLANK_NO_CPU,
				"'%s' is misaligned or outside the image",
				FLANK_IMAGE_ENTRY_SYMBOL);
		goto err_release;
	}
	core->image.entry = (const struct flank_image_entry *)(uintptr_t)entry;
	rc = flank_entry_validate(core->image.entry, err);
	if (!rc)
		rc = entry_in_image(ls, core->image.entry, err);
	if (rc)
		goto err_release;
	rc = check_arrays(core, ls, err);
	if (rc)
		goto err_release;
	if (ops->ibt_enabled(ops->ctx)) {
		rc = check_ibt_targets(core, ls, err);
		if (rc)
			goto err_release;
	}
	for (i = 0; i < ls->count; i++)
		run_array(ls->init_addr[i], ls->init_count[i], false);
	core->image.mem = mem;
	core->image.base = final;
	core->image.bytes = total;
	core->image.link_state = ls;
	return FLANK_OK;

err_release:
	core->image.entry = NULL;
	ops->image_release(ops->ctx, mem);
err_free_perm:
	ops->free(ops->ctx, ls->perm);
err_free_ls:
	ops->free(ops->ctx, ls);
	return rc;
}

void flank_unlink_modules(struct flank_core *core)
{
	const struct flank_core_ops *ops = core->ops;
	struct link_state *ls = core->image.link_state;
	uint32_t i;

	if (!ls)
		return;
	for (i = ls->count; i > 0; i--)
		run_array(ls->fini_addr[i - 1], ls->fini_count[i - 1], true);
	ops->image_release(ops->ctx, core->image.mem);
	ops->free(ops->ctx, ls->perm);
	ops->free(ops->ctx, ls);
	core->image.link_state = NULL;
	core->image.mem = NULL;
}
