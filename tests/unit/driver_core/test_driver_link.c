// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The driver's real link (driver_linux/core/link.c) in userspace: the
 * project's vmm.elf and example module staged through the ioctls, linked
 * into the fake kernel's double mapping (RW alias, then R/RW/RX final
 * pages), the modules' init arrays run, and the image's own init called
 * with the driver's platform table. The example module's init registers
 * its CPUID leaf and hypercall in the loaded image; unload runs its fini
 * array, which removes them. The loaded image cannot start here (it links
 * the real VT-x instructions): what a guest sees is asked of the image's
 * exported dispatchers, the functions its exit handlers call. The
 * vmcs_check module is linked the same way and registers its checker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "example.h"
#include "fake_checks.h"
#include "fake_platform.h"
#include "flank/elf_loader.h"
#include "flank/vmm_extension.h"
#include "flank/vmm_status.h"
#include "flank/vmm_vmcs_check.h"
#include "flank/vmm_version.h"
#include "flank_test.h"

static struct flank_core core;
/* The open file of the device the test uses. */
static struct flank_file dev_file;

struct file {
	void *bytes;
	size_t size;
};

static struct file read_file(const char *path)
{
	struct file f = {NULL, 0};
	FILE *fp = fopen(path, "rb");
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	assert_int_equal(fseek(fp, 0, SEEK_SET), 0);
	f.bytes = malloc((size_t)n);
	assert_non_null(f.bytes);
	assert_int_equal(fread(f.bytes, 1, (size_t)n, fp), (size_t)n);
	f.size = (size_t)n;
	fclose(fp);
	return f;
}

/*
 * Offset of @p name from the start of @p file's image, found by a load of
 * our own (the driver's link state is private; the layout is the same).
 */
static uint64_t offset_of(const struct file *file, const char *name)
{
	struct elf_module m;
	uint64_t addr = 0, size;
	void *buf;

	assert_int_equal(elf_parse(&m, file->bytes, file->size, "copy", NULL),
			 ELF_OK);
	size = elf_image_size(&m);
	buf = aligned_alloc(ELF_PAGE_SIZE, size);
	assert_non_null(buf);
	assert_int_equal(elf_load(&m, buf, size, (uint64_t)(uintptr_t)buf),
			 ELF_OK);
	assert_int_equal(elf_lookup(&m, name, &addr), ELF_OK);
	addr -= (uint64_t)(uintptr_t)buf;
	free(buf);
	return addr;
}

/* Bytes @p file takes once loaded (where the next module's mapping starts). */
static uintptr_t image_size_of(const struct file *file)
{
	struct elf_module m;

	assert_int_equal(elf_parse(&m, file->bytes, file->size, "copy", NULL),
			 ELF_OK);
	return (uintptr_t)elf_image_size(&m);
}

static int ioc(unsigned int cmd, void *arg)
{
	return flank_core_ioctl(&core, &dev_file, cmd,
				(uint64_t)(uintptr_t)arg);
}

static int add(const char *name, const struct file *f)
{
	struct flank_ioc_module m;

	memset(&m, 0, sizeof(m));
	m.data = (uint64_t)(uintptr_t)f->bytes;
	m.size = f->size;
	snprintf(m.name, sizeof(m.name), "%s", name);
	return ioc(FLANK_IOC_ADD_MODULE, &m);
}

static int cmd(unsigned int nr)
{
	struct flank_ioc_cmd c;

	memset(&c, 0, sizeof(c));
	return ioc(nr, &c);
}

static int setup(void **state)
{
	(void)state;
	fake_reset(4);
	flank_core_init(&core, &fake_ops, flank_link_modules,
			flank_unlink_modules);
	flank_core_open(&core, &dev_file);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	flank_core_release(&core, &dev_file);
	flank_core_fini(&core);
	fake_assert_left_clean();
	if (fake.kept_final)
		munmap(fake.kept_final, fake.kept_bytes);
	return 0;
}

/*
 * LOAD links vmm.elf and the example module and runs the module's init
 * array (registering its CPUID leaf and hypercall in the loaded image)
 * before the image's init; UNLOAD runs its fini array, which removes them
 * from the image it is still linked to.
 */
static void test_driver_link_example_module(void **state)
{
	struct file img = read_file(FLANK_VMM_ELF);
	struct file ex = read_file(FLANK_EXAMPLE_MODULE);
	uint64_t entry_off = offset_of(&img, FLANK_IMAGE_ENTRY_SYMBOL);
	uint64_t cpuid_off = offset_of(&img, "vmm_cpuid_extension_call");
	uint64_t hc_off = offset_of(&img, "vmm_hypercall_extension_call");
	bool (*cpuid_call)(struct vmm_cpuid_args *);
	int (*hc_call)(struct vmm_hypercall_args *);
	struct vmm_cpuid_args a;
	struct vmm_hypercall_args h;
	struct flank_ioc_status st;
	uintptr_t base;

	(void)state;
	assert_int_equal(add("vmm.elf", &img), FLANK_OK);
	assert_int_equal(add("example.elf", &ex), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD), FLANK_OK);
	assert_int_equal(core.state, FLANK_DRV_LOADED);
	memset(&st, 0, sizeof(st));
	assert_int_equal(ioc(FLANK_IOC_STATUS, &st), FLANK_OK);
	assert_int_equal(st.vmm_state, FLANK_STATE_LOADED);
	assert_int_equal(st.module_count, 2);
	assert_int_equal(st.image_version, FLANK_VERSION);

	/* The image is module 0 of the mapping: its base from the entry. */
	base = (uintptr_t)core.image.entry - entry_off;
	cpuid_call = (bool (*)(struct vmm_cpuid_args *))(base + cpuid_off);
	hc_call = (int (*)(struct vmm_hypercall_args *))(base + hc_off);
	memset(&a, 0, sizeof(a));
	a.leaf = FLANK_EXAMPLE_CPUID_LEAF;
	assert_true(cpuid_call(&a));
	assert_int_equal(a.eax, FLANK_VERSION);
	assert_int_equal(a.ebx, FLANK_EXAMPLE_CPUID_EBX);
	assert_int_equal(a.ecx, FLANK_EXAMPLE_CPUID_ECX);
	assert_int_equal(a.edx, FLANK_EXAMPLE_CPUID_EDX);
	memset(&h, 0, sizeof(h));
	h.nr = FLANK_EXAMPLE_HC;
	h.arg[0] = 1;
	h.arg[1] = 2;
	assert_int_equal(hc_call(&h), VMM_OK);
	assert_int_equal(h.ret[0], 3);

	fake.keep_released_image = true;
	assert_int_equal(cmd(FLANK_IOC_UNLOAD), FLANK_OK);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
	/* The kept final mapping: text still RX, data RW. */
	assert_ptr_equal(fake.kept_final, (void *)base);
	assert_false(cpuid_call(&a));
	assert_int_equal(hc_call(&h), VMM_ERR_HYPERCALL_UNKNOWN);
	free(img.bytes);
	free(ex.bytes);
}

/* The image alone links and initialises; no extension answers. */
static void test_driver_link_image_alone(void **state)
{
	struct file img = read_file(FLANK_VMM_ELF);
	uint64_t entry_off = offset_of(&img, FLANK_IMAGE_ENTRY_SYMBOL);
	uint64_t cpuid_off = offset_of(&img, "vmm_cpuid_extension_call");
	bool (*cpuid_call)(struct vmm_cpuid_args *);
	struct vmm_cpuid_args a;

	(void)state;
	assert_int_equal(add("vmm.elf", &img), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD), FLANK_OK);
	cpuid_call = (bool (*)(struct vmm_cpuid_args *))(
		(uintptr_t)core.image.entry - entry_off + cpuid_off);
	memset(&a, 0, sizeof(a));
	a.leaf = FLANK_EXAMPLE_CPUID_LEAF;
	assert_false(cpuid_call(&a));
	assert_int_equal(cmd(FLANK_IOC_UNLOAD), FLANK_OK);
	free(img.bytes);
}

/*
 * LOAD links vmm.elf and the vmcs_check module: the module's init array
 * registers its checker in the loaded image (the pointer the image's
 * exported vmm_vmcs_checker_get() returns lies in the module's mapping,
 * after the image, and its describe runs); UNLOAD's fini array removes it.
 */
static void test_driver_link_vmcs_check_module(void **state)
{
	struct file img = read_file(FLANK_VMM_ELF);
	struct file ck = read_file(FLANK_VMCS_CHECK_MODULE);
	uint64_t entry_off = offset_of(&img, FLANK_IMAGE_ENTRY_SYMBOL);
	uint64_t get_off = offset_of(&img, "vmm_vmcs_checker_get");
	const struct vmm_vmcs_checker *(*get)(void);
	const struct vmm_vmcs_checker *checker;
	struct vmm_vmcs_check_result res;
	struct flank_ioc_status st;
	uintptr_t base, image_end;
	char text[160];

	(void)state;
	assert_int_equal(add("vmm.elf", &img), FLANK_OK);
	assert_int_equal(add("vmcs_check.elf", &ck), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD), FLANK_OK);
	memset(&st, 0, sizeof(st));
	assert_int_equal(ioc(FLANK_IOC_STATUS, &st), FLANK_OK);
	assert_int_equal(st.module_count, 2);

	base = (uintptr_t)core.image.entry - entry_off;
	get = (const struct vmm_vmcs_checker *(*)(void))(base + get_off);
	checker = get();
	assert_non_null(checker);
	image_end = base + image_size_of(&img);
	/* The structure and its functions belong to the module, not the image. */
	assert_true((uintptr_t)checker >= image_end);
	assert_true((uintptr_t)checker->describe >= image_end);
	memset(&res, 0, sizeof(res));
	res.status = VMM_VMCS_CHECK_PASS;
	text[0] = '\0';
	(void)checker->describe(&res, text, sizeof(text));
	assert_true(strlen(text) > 0);

	fake.keep_released_image = true;
	assert_int_equal(cmd(FLANK_IOC_UNLOAD), FLANK_OK);
	assert_ptr_equal(fake.kept_final, (void *)base);
	assert_null(get());
	free(img.bytes);
	free(ck.bytes);
}

/* The example module without the image: its import is unresolved and the
 * load fails naming the symbol; nothing stays mapped. */
static void test_driver_link_module_without_image(void **state)
{
	struct file ex = read_file(FLANK_EXAMPLE_MODULE);
	struct flank_ioc_cmd c;

	(void)state;
	assert_int_equal(add("example.elf", &ex), FLANK_OK);
	memset(&c, 0, sizeof(c));
	assert_int_equal(ioc(FLANK_IOC_LOAD, &c), FLANK_E_ELF);
	assert_non_null(strstr(c.err.text, "example.elf"));
	assert_non_null(strstr(c.err.text, "symbol '"));
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
	free(ex.bytes);
}

/* The CPUID leaf the no-ENDBR64 module's handler answers (noendbr_module.c). */
#define NOENDBR_LEAF 0x4000f1f0u
#define NOENDBR_EBX 0x6e6f6562u

/*
 * Asks the loaded image (module 0) whether a CPUID handler answers the
 * no-ENDBR64 module's leaf, i.e. whether that module's init ran.
 */
static bool noendbr_handler_answers(const struct file *img)
{
	uint64_t entry_off = offset_of(img, FLANK_IMAGE_ENTRY_SYMBOL);
	uint64_t cpuid_off = offset_of(img, "vmm_cpuid_extension_call");
	bool (*cpuid_call)(struct vmm_cpuid_args *);
	struct vmm_cpuid_args a;

	cpuid_call = (bool (*)(struct vmm_cpuid_args *))(
		(uintptr_t)core.image.entry - entry_off + cpuid_off);
	memset(&a, 0, sizeof(a));
	a.leaf = NOENDBR_LEAF;
	return cpuid_call(&a) && a.ebx == NOENDBR_EBX;
}

/*
 * On a kernel that enforces IBT, a module whose init function does not start
 * with ENDBR64 is refused before any of its code runs, with a message that
 * names the module, the function and the flag to build it with; nothing
 * stays mapped and the driver is empty again (issue #21).
 */
static void test_driver_link_refuses_noendbr_init_under_ibt(void **state)
{
	struct file img = read_file(FLANK_VMM_ELF);
	struct file bad = read_file(FLANK_NOENDBR_MODULE);
	struct flank_ioc_cmd c;

	(void)state;
	fake.ibt = true;
	assert_int_equal(add("vmm.elf", &img), FLANK_OK);
	assert_int_equal(add("noendbr.elf", &bad), FLANK_OK);
	memset(&c, 0, sizeof(c));
	assert_int_equal(ioc(FLANK_IOC_LOAD, &c), FLANK_E_NO_ENDBR);
	assert_int_equal(c.err.code, FLANK_E_NO_ENDBR);
	assert_non_null(strstr(c.err.text, "module noendbr.elf: "
					   "DT_INIT_ARRAY[0] does not start "
					   "with ENDBR64"));
	assert_non_null(strstr(c.err.text, "-fcf-protection=branch"));
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
	assert_null(core.image.entry);
	assert_int_equal(fake.image_maps, 0);
	free(img.bytes);
	free(bad.bytes);
}

/*
 * The same module where the kernel does not enforce IBT: it loads and its
 * init runs (its CPUID handler answers), as before issue #21; and under IBT
 * the project's own image and modules load, since every function the driver
 * calls starts with ENDBR64.
 */
static void test_driver_link_ibt_only_refuses_what_would_fault(void **state)
{
	struct file img = read_file(FLANK_VMM_ELF);
	struct file bad = read_file(FLANK_NOENDBR_MODULE);
	struct file ex = read_file(FLANK_EXAMPLE_MODULE);
	struct file ck = read_file(FLANK_VMCS_CHECK_MODULE);

	(void)state;
	fake.ibt = false;
	assert_int_equal(add("vmm.elf", &img), FLANK_OK);
	assert_int_equal(add("noendbr.elf", &bad), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD), FLANK_OK);
	assert_true(noendbr_handler_answers(&img));
	assert_int_equal(cmd(FLANK_IOC_UNLOAD), FLANK_OK);

	fake.ibt = true;
	assert_int_equal(add("vmm.elf", &img), FLANK_OK);
	assert_int_equal(add("example.elf", &ex), FLANK_OK);
	assert_int_equal(add("vmcs_check.elf", &ck), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD), FLANK_OK);
	assert_false(noendbr_handler_answers(&img));
	assert_int_equal(cmd(FLANK_IOC_UNLOAD), FLANK_OK);
	free(img.bytes);
	free(bad.bytes);
	free(ex.bytes);
	free(ck.bytes);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_driver_link_example_module),
		T(test_driver_link_image_alone),
		T(test_driver_link_vmcs_check_module),
		T(test_driver_link_module_without_image),
		T(test_driver_link_refuses_noendbr_init_under_ibt),
		T(test_driver_link_ibt_only_refuses_what_would_fault),
	};

	return FLANK_RUN_TESTS(tests);
}
