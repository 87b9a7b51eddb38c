// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A real load of the project's own vmm.elf, of the example module and of
 * the vmcs_check module in userspace: each relocated into mmap'ed memory, the permission map applied
 * with mprotect, exported functions called, and the module's imports
 * checked to resolve to the image.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "example.h"
#include "flank/image_abi.h"
#include "flank/vmm_extension.h"
#include "flank/vmm_status.h"
#include "flank/vmm_version.h"
#include "flank/vmm_vmcs_check.h"
#include "loader_test.h"
#include "status_texts.h"

/* Issue #6: vmm.elf loads within 64 KiB (16 pages), .bss included. */
#define FLANK_IMAGE_BUDGET 65536u

struct loaded {
	uint8_t *file;
	size_t file_size;
	uint8_t *image;
	size_t image_size;
	struct elf_module m;
};

struct fixture {
	struct loaded core, example, check;
	struct elf_module *slots[4];
	struct elf_namespace ns;
	struct elf_error_detail d;
};

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* Parses and loads @path into fresh mmap'ed memory that it will run in. */
static enum elf_status load(struct loaded *l, const char *path,
			    const char *name)
{
	enum elf_status st;

	l->file = read_file(path, &l->file_size);
	assert_non_null(l->file);
	st = elf_parse(&l->m, l->file, l->file_size, name, NULL);
	if (st != ELF_OK)
		return st;
	l->image_size = elf_image_size(&l->m);
	l->image = mmap(NULL, l->image_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(l->image != MAP_FAILED);
	return elf_load(&l->m, l->image, l->image_size,
			(uint64_t)(uintptr_t)l->image);
}

/* Applies the permission map with mprotect: W^X, RELRO read-only. */
static void protect(struct loaded *l)
{
	size_t pages = l->image_size / ELF_PAGE_SIZE;
	uint8_t *perms = malloc(pages);

	assert_non_null(perms);
	assert_status(elf_perm_map(&l->m, perms, pages), ELF_OK);
	for (size_t i = 0; i < pages; i++) {
		int prot = PROT_NONE;

		assert_false((perms[i] & ELF_PERM_W) &&
			     (perms[i] & ELF_PERM_X));
		if (perms[i] & ELF_PERM_R)
			prot |= PROT_READ;
		if (perms[i] & ELF_PERM_W)
			prot |= PROT_WRITE;
		if (perms[i] & ELF_PERM_X)
			prot |= PROT_EXEC;
		assert_int_equal(mprotect(l->image + i * ELF_PAGE_SIZE,
					  ELF_PAGE_SIZE, prot),
				 0);
	}
	free(perms);
}

static void unload(struct loaded *l)
{
	if (l->image && l->image != MAP_FAILED)
		munmap(l->image, l->image_size);
	free(l->file);
	memset(l, 0, sizeof(*l));
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	elf_namespace_init(&f->ns, f->slots, FLANK_ARRAY_SIZE(f->slots));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unload(&f->core);
	unload(&f->example);
	unload(&f->check);
	free(f);
	return 0;
}

static void load_core(struct fixture *f)
{
	assert_status(load(&f->core, FLANK_VMM_ELF, "vmm.elf"), ELF_OK);
	assert_status(elf_link(&f->ns, &f->core.m, &f->d), ELF_OK);
	protect(&f->core);
}

static void *sym(const struct loaded *l, const char *name)
{
	uint64_t a = 0;

	assert_status(elf_lookup(&l->m, name, &a), ELF_OK);
	assert_true(a >= (uintptr_t)l->image &&
		    a < (uintptr_t)l->image + l->image_size);
	/* The loader reports addresses as integers. */
	return (void *)(uintptr_t)a; // NOLINT(performance-no-int-to-ptr)
}

/* vmm.elf loads, and its exported function runs and returns the version. */
static void test_loader_image_vmm_runs(void **state)
{
	struct fixture *f = *state;
	uint32_t (*version)(void);
	const char *name;

	load_core(f);
	version = (uint32_t(*)(void))sym(&f->core, "flank_image_version");
	assert_int_equal(version(), FLANK_VERSION);
	/* The same answer as the libvmm archive linked into this test. */
	assert_int_equal(version(), vmm_version());
	name = sym(&f->core, "flank_image_name");
	assert_string_equal(name, "flank");
}

/*
 * vmm.elf maps its text RX and nothing W+X, and loads within issue #6's
 * budget of 64 KiB (docs/loader.md, "Size and cost of loading vmm.elf"):
 * the loaded size is what every load of the driver maps, .bss included.
 */
static void test_loader_image_vmm_layout(void **state)
{
	struct fixture *f = *state;
	uint8_t *perms;
	uint64_t text;
	size_t pages;

	assert_status(load(&f->core, FLANK_VMM_ELF, "vmm.elf"), ELF_OK);
	print_message("vmm.elf loaded size: %zu bytes (%zu pages)\n",
		      f->core.image_size, f->core.image_size / ELF_PAGE_SIZE);
	assert_in_range(f->core.image_size, ELF_PAGE_SIZE, FLANK_IMAGE_BUDGET);
	pages = f->core.image_size / ELF_PAGE_SIZE;
	perms = malloc(pages);
	assert_non_null(perms);
	assert_status(elf_perm_map(&f->core.m, perms, pages), ELF_OK);
	text = (uint64_t)(uintptr_t)sym(&f->core, "flank_image_version") -
	       (uintptr_t)f->core.image;
	assert_int_equal(perms[text / ELF_PAGE_SIZE], ELF_PERM_R | ELF_PERM_X);
	for (size_t i = 0; i < pages; i++)
		assert_false((perms[i] & ELF_PERM_W) &&
			     (perms[i] & ELF_PERM_X));
	free(perms);
}

/*
 * Review of vmm.ld (.rodata inside PT_GNU_RELRO): the loader makes
 * read-only only the RELRO pages it covers fully (loader/src/phdr.c), so
 * RELRO must end on a page boundary or the entry table's page (function
 * pointers the host calls) would stay writable without any error. The
 * whole writable segment's RELRO part, entry table included, is R only
 * once linked; only .data/.bss pages after it are writable.
 */
static void test_loader_image_vmm_relro_covers_entry(void **state)
{
	struct fixture *f = *state;
	uint8_t *perms;
	uint64_t entry, rw = 0;
	size_t pages;

	assert_status(load(&f->core, FLANK_VMM_ELF, "vmm.elf"), ELF_OK);
	assert_status(elf_link(&f->ns, &f->core.m, &f->d), ELF_OK);
	pages = f->core.image_size / ELF_PAGE_SIZE;
	perms = malloc(pages);
	assert_non_null(perms);
	assert_status(elf_perm_map(&f->core.m, perms, pages), ELF_OK);
	entry = (uint64_t)(uintptr_t)sym(&f->core, "flank_image_entry") -
		(uintptr_t)f->core.image;
	assert_int_equal(perms[entry / ELF_PAGE_SIZE], ELF_PERM_R);
	assert_int_equal(f->core.m.relro_end % ELF_PAGE_SIZE, 0);
	assert_true(entry + sizeof(struct flank_image_entry) <=
		    f->core.m.relro_end);
	for (uint32_t i = 0; i < f->core.m.nloads; i++)
		if (f->core.m.loads[i].perms & ELF_PERM_W)
			rw = f->core.m.loads[i].vaddr;
	assert_int_not_equal(rw, 0);
	/* .rodata starts the writable segment: read-only once loaded. */
	assert_int_equal(perms[rw / ELF_PAGE_SIZE], ELF_PERM_R);
	free(perms);
}

/* Whether the loaded image holds the @p len bytes at @p s. */
static bool image_holds(const struct fixture *f, const char *s, size_t len)
{
	const uint8_t *p = f->core.image;

	for (size_t i = 0; i + len <= f->core.image_size; i++)
		if (memcmp(p + i, s, len) == 0)
			return true;
	return false;
}

/*
 * vmm.elf names its statuses but holds none of their sentences: the hosts
 * do (flank.ko's core/vmm_texts.c), which keeps a page of read-only data
 * out of every load (docs/loader.md, "Room for issue 18"). Sentences of
 * 16 bytes or more only, so that no short one matches by chance.
 */
static void test_loader_image_vmm_names_only(void **state)
{
	struct fixture *f = *state;
	unsigned names = 0, sentences = 0;

	assert_status(load(&f->core, FLANK_VMM_ELF, "vmm.elf"), ELF_OK);
#define FIND(id, text)                                                         \
	names += image_holds(f, #id, sizeof(#id));                             \
	if (sizeof(text) > 16 && image_holds(f, text, sizeof(text))) {         \
		print_message("vmm.elf holds the sentence of %s\n", #id);      \
		sentences++;                                                   \
	}
	VMM_STATUS_TEXTS(FIND)
#undef FIND
	assert_int_equal(names, VMM_STATUS_COUNT);
	assert_int_equal(sentences, 0);
}

/* The example module links against vmm.elf; its imports resolve there. */
static void test_loader_image_example_module(void **state)
{
	struct fixture *f = *state;
	uint32_t (*tag)(void), (*len)(void);
	const char *(*greeting)(void);
	uint32_t (*const *fnp)(void);
	struct elf_reloc_counts rc;

	load_core(f);
	assert_status(load(&f->example, FLANK_EXAMPLE_MODULE, "example.elf"),
		      ELF_OK);
	assert_status(elf_reloc_counts(&f->example.m, &rc), ELF_OK);
	assert_true(rc.jump_slot >= 1 && rc.glob_dat >= 1 && rc.abs64 >= 1 &&
		    rc.relative >= 1);
	assert_status(elf_link(&f->ns, &f->example.m, &f->d), ELF_OK);
	protect(&f->example);

	/* Its function pointer to an import holds the image's function. */
	fnp = sym(&f->example, "flank_example_version_fn");
	assert_ptr_equal((const void *)*fnp,
			 sym(&f->core, "flank_image_version"));
	tag = (uint32_t(*)(void))sym(&f->example, "flank_example_version_tag");
	assert_int_equal(tag(), (0xe5u << 24) | FLANK_VERSION);
	len = (uint32_t(*)(void))sym(&f->example,
				     "flank_example_image_name_len");
	assert_int_equal(len(), strlen("flank"));
	greeting = (const char *(*)(void))sym(&f->example,
					      "flank_example_greeting");
	assert_string_equal(greeting(), "hello from the example module");
}

/* Runs a module's DT_INIT_ARRAY (in order) or DT_FINI_ARRAY (reversed). */
static uint64_t run_array(const struct loaded *l, bool fini)
{
	uint64_t addr = 0, count = 0;
	void (*const *fn)(void);

	assert_status(elf_init_fini(&l->m, fini, &addr, &count), ELF_OK);
	fn = (void (*const *)(void))(
		uintptr_t)addr; // NOLINT(performance-no-int-to-ptr)
	for (uint64_t i = 0; i < count; i++)
		fn[fini ? count - 1 - i : i]();
	return count;
}

/*
 * vmm.elf exports the extension API (in its dynamic symbol table; the
 * build's check-image.sh checks ENDBR64 at each), and the example module's
 * init array, run once the module is linked, registers its CPUID leaf and
 * hypercall in the loaded image: the image's exported dispatchers (what
 * its CPUID and VMCALL exit handlers call) return the module's answers.
 * Its fini array takes them back.
 */
static void test_loader_image_example_init_registers(void **state)
{
	static const char *const api[] = {
		"vmm_hypercall_set_extension",
		"vmm_hypercall_remove_extension",
		"vmm_cpuid_set_extension",
		"vmm_cpuid_remove_extension",
		"vmm_hypercall_extension_call",
		"vmm_cpuid_extension_call",
	};
	struct fixture *f = *state;
	bool (*cpuid_call)(struct vmm_cpuid_args *);
	int (*hc_call)(struct vmm_hypercall_args *);
	int (*status)(void);
	struct vmm_cpuid_args a;
	struct vmm_hypercall_args h;

	load_core(f);
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(api); i++)
		(void)sym(&f->core, api[i]);
	assert_status(load(&f->example, FLANK_EXAMPLE_MODULE, "example.elf"),
		      ELF_OK);
	assert_status(elf_link(&f->ns, &f->example.m, &f->d), ELF_OK);
	protect(&f->example);
	cpuid_call = (bool (*)(struct vmm_cpuid_args *))sym(
		&f->core, "vmm_cpuid_extension_call");
	hc_call = (int (*)(struct vmm_hypercall_args *))sym(
		&f->core, "vmm_hypercall_extension_call");
	status = (int (*)(void))sym(&f->example, "flank_example_status");

	memset(&a, 0, sizeof(a));
	a.leaf = FLANK_EXAMPLE_CPUID_LEAF;
	assert_false(cpuid_call(&a)); /* Linked, init not run yet. */
	assert_int_equal(status(), -1);
	assert_int_equal(run_array(&f->example, false), 1);
	assert_int_equal(status(), VMM_OK);
	assert_true(cpuid_call(&a));
	assert_int_equal(a.eax, FLANK_VERSION);
	assert_int_equal(a.ebx, FLANK_EXAMPLE_CPUID_EBX);
	assert_int_equal(a.ecx, FLANK_EXAMPLE_CPUID_ECX);
	assert_int_equal(a.edx, FLANK_EXAMPLE_CPUID_EDX);
	memset(&h, 0, sizeof(h));
	h.nr = FLANK_EXAMPLE_HC;
	h.cpu = 3;
	h.arg[0] = 40;
	h.arg[1] = 2;
	assert_int_equal(hc_call(&h), VMM_OK);
	assert_int_equal(h.ret[0], 42);
	assert_int_equal(h.ret[1], (FLANK_EXAMPLE_TAG << 24) | FLANK_VERSION);
	assert_int_equal(h.ret[2], 3);

	assert_int_equal(run_array(&f->example, true), 1);
	assert_int_equal(status(), VMM_OK);
	assert_false(cpuid_call(&a));
	assert_int_equal(hc_call(&h), VMM_ERR_HYPERCALL_UNKNOWN);
	/* vmm.elf itself has no init or fini functions. */
	assert_int_equal(run_array(&f->core, false), 0);
}

/* Without vmm.elf in the namespace, the module's import is unresolved. */
static void test_loader_image_example_alone(void **state)
{
	struct fixture *f = *state;

	assert_status(load(&f->example, FLANK_EXAMPLE_MODULE, "example.elf"),
		      ELF_OK);
	assert_status(elf_link(&f->ns, &f->example.m, &f->d),
		      ELF_ERR_UNDEFINED_SYMBOL);
	assert_string_equal(f->d.module, "example.elf");
	assert_true(strncmp(f->d.symbol, "flank_image_", 12) == 0);
}

/* Loading vmm.elf twice into one namespace is a duplicate definition. */
static void test_loader_image_vmm_twice(void **state)
{
	struct fixture *f = *state;

	load_core(f);
	assert_status(load(&f->example, FLANK_VMM_ELF, "vmm-again.elf"),
		      ELF_OK);
	assert_status(elf_link(&f->ns, &f->example.m, &f->d),
		      ELF_ERR_DUPLICATE_SYMBOL);
	assert_string_equal(f->d.module, "vmm-again.elf");
	assert_string_equal(f->d.other_module, "vmm.elf");
	/* Which export comes first is the linker's symbol order: the one
	 * named must be one that vmm.elf, linked first, exports. */
	{
		uint64_t addr = 0;

		assert_status(elf_lookup(&f->core.m, f->d.symbol, &addr),
			      ELF_OK);
		assert_true(addr != 0);
	}
}

/* True if @p p points into the loaded image of @p l. */
static bool inside(const struct loaded *l, const void *p)
{
	uintptr_t a = (uintptr_t)p, base = (uintptr_t)l->image;

	return a >= base && a < base + l->image_size;
}

/*
 * The real vmcs_check.elf links against the real vmm.elf (its imports: the
 * checker hook and four libvmm helpers), and its init array registers a
 * checker whose functions live in the module; its describe function runs
 * here through the image's exported helpers (the check itself needs VMX
 * root). Its fini array takes the checker back.
 */
static void test_loader_image_vmcs_check_registers(void **state)
{
	struct fixture *f = *state;
	const struct vmm_vmcs_checker *(*get)(void);
	const struct vmm_vmcs_checker *ck;
	struct vmm_vmcs_check_result res;
	struct elf_reloc_counts rc;
	int (*status)(void);
	char buf[160];

	load_core(f);
	get = (const struct vmm_vmcs_checker *(*)(void))sym(
		&f->core, "vmm_vmcs_checker_get");
	assert_status(
		load(&f->check, FLANK_VMCS_CHECK_MODULE, "vmcs_check.elf"),
		ELF_OK);
	assert_status(elf_reloc_counts(&f->check.m, &rc), ELF_OK);
	assert_status(elf_link(&f->ns, &f->check.m, &f->d), ELF_OK);
	protect(&f->check);
	status = (int (*)(void))sym(&f->check, "flank_vmcs_check_status");
	assert_null(get()); /* Linked, init not run yet. */
	assert_int_equal(status(), -1);
	assert_int_equal(run_array(&f->check, false), 1);
	assert_int_equal(status(), VMM_OK);
	ck = get();
	assert_non_null(ck);
	assert_true(inside(&f->check, ck));
	assert_true(inside(&f->check, (const void *)ck->check));
	assert_true(inside(&f->check, (const void *)ck->describe));

	memset(&res, 0, sizeof(res));
	res.status = VMM_VMCS_CHECK_FAIL;
	res.rule = "H6.cs_null";
	res.citation = "SDM Vol. 3C 27.2.3";
	res.field = 0x00000C02u; /* HOST_CS_SELECTOR */
	assert_true(ck->describe(&res, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "rule H6.cs_null (SDM Vol. 3C 27.2.3): "
				 "HOST_CS_SELECTOR = 0x0000");
	res.status = VMM_VMCS_CHECK_PASS;
	(void)ck->describe(&res, buf, sizeof(buf));
	assert_string_equal(buf, "no failing rule found");

	assert_int_equal(run_array(&f->check, true), 1);
	assert_int_equal(status(), VMM_OK);
	assert_null(get());
}

/* Without vmm.elf in the namespace, the vmcs_check module does not link:
 * it imports what it needs from the image (it holds no libvmm of its
 * own). */
static void test_loader_image_vmcs_check_alone(void **state)
{
	struct fixture *f = *state;

	assert_status(
		load(&f->check, FLANK_VMCS_CHECK_MODULE, "vmcs_check.elf"),
		ELF_OK);
	assert_status(elf_link(&f->ns, &f->check.m, &f->d),
		      ELF_ERR_UNDEFINED_SYMBOL);
	assert_string_equal(f->d.module, "vmcs_check.elf");
	assert_true(strncmp(f->d.symbol, "vmm_", 4) == 0);
}

#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(test_loader_image_##name, setup,       \
					teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(vmm_runs),
		T(vmm_layout),
		T(vmm_names_only),
		T(vmm_relro_covers_entry),
		T(example_module),
		T(example_alone),
		T(vmm_twice),
		T(example_init_registers),
		T(vmcs_check_registers),
		T(vmcs_check_alone),
	};

	return FLANK_RUN_TESTS(tests);
}
