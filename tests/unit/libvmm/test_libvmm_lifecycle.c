// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libvmm lifecycle on the emulated VT-x: the check report, start/stop on
 * every profile and on 1, 2 and 64 CPUs, the machine exactly as before
 * after stop, rollback on CPU k, the state machine, and the design card's
 * fault scenarios.
 */
#include "libvmm_fixture.h"
#include "status_texts.h"
#include "flank/mock_tlb.h"
#include "flank/vmm_console.h"

/* Profiles whose CPUs can run Flank, as the check report says. */
static bool profile_ok(const char *name)
{
	struct flank_check_report r;
	bool ok;

	fixture_up(name, 1);
	ok = vmm_check(&r) == VMM_OK;
	fixture_down();
	return ok;
}

/* Start on every CPU, check each is a guest whose VMCS passed every entry
 * check, stop, and compare every CPU with its snapshot. */
static void start_stop(const char *profile, unsigned ncpus)
{
	uint32_t failed = 0xFFFF;

	fixture_up(profile, ncpus);
	save_all();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(vmm_state(), FLANK_STATE_RUNNING);
	for (unsigned c = 0; c < ncpus; c++) {
		const struct mock_entry_verdict *v = mock_last_entry(c);
		struct flank_cpu_status st;

		assert_int_equal(mock_vmx_mode(c), MOCK_VMX_NONROOT);
		assert_true(v->entered);
		assert_int_equal(vmm_cpu_status(c, &st), VMM_OK);
		assert_int_equal(st.running, 1);
	}
	/* Per-CPU memory: VMM_PAGES_PER_CPU pages, the EPT map shared by
	 * all (docs/ept.md) and the CPU table of init, nothing else. */
	assert_int_equal(tp.pages_live, ncpus * VMM_PAGES_PER_CPU +
						vmm_ctx.ept.pages +
						VMM_PAGES_AT_INIT);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_state(), FLANK_STATE_LOADED);
	assert_all_restored();
	fixture_down();
}

/* Every profile: a passing report allows start/stop on 1 and 2 CPUs with
 * every CPU given back; a failing one makes start fail with the same first
 * status and leaves the machine untouched. */
static void test_libvmm_every_profile(void **state)
{
	const char *const *names = mock_profile_names();
	unsigned ran = 0;

	(void)state;
	for (unsigned i = 0; names[i] != NULL; i++) {
		if (profile_ok(names[i])) {
			start_stop(names[i], 1);
			start_stop(names[i], 2);
			ran++;
		} else {
			struct flank_check_report r;
			int first;
			uint32_t failed = 0xFFFF;

			fixture_up(names[i], 2);
			first = vmm_check(&r);
			save_all();
			assert_int_equal(vmm_start_all(&failed), first);
			assert_int_equal(failed, 0);
			assert_int_equal(vmm_state(), FLANK_STATE_LOADED);
			assert_all_restored();
			fixture_down();
		}
	}
	assert_true(ran >= 1);
}

/* 64 CPUs on the first profile that can run Flank. */
static void test_libvmm_64_cpus(void **state)
{
	const char *const *names = mock_profile_names();

	(void)state;
	for (unsigned i = 0; names[i] != NULL; i++) {
		if (profile_ok(names[i])) {
			start_stop(names[i], 64);
			return;
		}
	}
	fail_msg("no profile can run Flank");
}

static const struct flank_check_item *item(const struct flank_check_report *r,
					   enum vmm_check_id id)
{
	for (uint32_t i = 0; i < r->count; i++)
		if (r->item[i].id == (uint32_t)id)
			return &r->item[i];
	fail_msg("check %d missing", id);
	return NULL;
}

/* The report holds every check, with a name and a text, on each profile. */
static void test_libvmm_check_report_complete(void **state)
{
	const char *const *names = mock_profile_names();

	(void)state;
	for (unsigned i = 0; names[i] != NULL; i++) {
		struct flank_check_report r;
		uint32_t failed = 0;
		int st;

		fixture_up(names[i], 1);
		st = vmm_check(&r);
		assert_int_equal(r.count, VMM_CHECK_COUNT);
		for (uint32_t k = 0; k < r.count; k++) {
			assert_true(r.item[k].name[0] != '\0');
			assert_true(r.item[k].text[0] != '\0');
			if (r.item[k].status != VMM_OK)
				failed++;
		}
		assert_int_equal(r.failed, failed);
		assert_int_equal(st == VMM_OK, failed == 0);
		fixture_down();
	}
}

/* CPUID without VMX: the report says so; start fails with NO_VMX and
 * touches nothing (the design card's "CPUID without VMX"). */
static void test_libvmm_no_vmx(void **state)
{
	struct flank_check_report r;
	uint32_t failed = 0xFFFF;

	(void)state;
	fixture_up("skylake", 1);
	mock_cpuid_change_bits(0, 1, 0, MOCK_ECX, X86_CPUID1_ECX_VMX, 0);
	assert_int_equal(vmm_check(&r), VMM_ERR_NO_VMX);
	assert_int_equal(item(&r, VMM_CHECK_VMX_CPUID)->status, VMM_ERR_NO_VMX);
	save_all();
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_NO_VMX);
	assert_int_equal(failed, 0);
	assert_all_restored();
	fixture_down();
}

/* Feature control locked without VMX: "disabled in firmware". */
static void test_libvmm_feature_control_locked_off(void **state)
{
	struct flank_check_report r;
	uint32_t failed = 0xFFFF;

	(void)state;
	fixture_up("skylake", 2);
	mock_msr_set(MOCK_ALL_CPUS, MSR_IA32_FEATURE_CONTROL,
		     FEATURE_CONTROL_LOCKED);
	assert_int_equal(vmm_check(&r), VMM_ERR_VMX_DISABLED_FIRMWARE);
	assert_int_equal(item(&r, VMM_CHECK_FEATURE_CONTROL)->status,
			 VMM_ERR_VMX_DISABLED_FIRMWARE);
	assert_non_null(
		strstr(vmm_status_str(VMM_ERR_VMX_DISABLED_FIRMWARE), "BIOS"));
	save_all();
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_VMX_DISABLED_FIRMWARE);
	assert_all_restored();
	fixture_down();
}

/* Feature control unlocked: check reports and does not write; start sets
 * "VMX outside SMX" and the lock (as KVM does). */
static void test_libvmm_feature_control_unlocked(void **state)
{
	struct flank_check_report r;
	uint64_t fc = 0;
	uint32_t failed;

	(void)state;
	fixture_up("skylake", 1);
	mock_msr_set(MOCK_ALL_CPUS, MSR_IA32_FEATURE_CONTROL, 0);
	assert_int_equal(vmm_check(&r), VMM_OK);
	assert_non_null(
		strstr(item(&r, VMM_CHECK_FEATURE_CONTROL)->text, "unlocked"));
	assert_true(mock_msr_get(0, MSR_IA32_FEATURE_CONTROL, &fc));
	assert_int_equal(fc, 0);
	save_all();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_true(mock_msr_get(0, MSR_IA32_FEATURE_CONTROL, &fc));
	assert_int_equal(fc, FEATURE_CONTROL_LOCKED |
				     FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_all_restored();
	fixture_down();
}

/* RDMSR of IA32_VMX_BASIC raises #GP: its own status, clean machine. */
static void test_libvmm_vmx_basic_gp(void **state)
{
	struct flank_check_report r;
	uint32_t failed;

	(void)state;
	fixture_up("skylake", 1);
	mock_msr_gp(MOCK_ALL_CPUS, MSR_IA32_VMX_BASIC, true, false);
	assert_int_equal(vmm_check(&r), VMM_ERR_VMX_BASIC_MSR);
	assert_int_equal(item(&r, VMM_CHECK_VMX_BASIC)->status,
			 VMM_ERR_VMX_BASIC_MSR);
	save_all();
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_VMX_BASIC_MSR);
	assert_all_restored();
	fixture_down();
}

/* CR4.VMXE already set: another hypervisor owns VT-x. */
static void test_libvmm_vmx_in_use(void **state)
{
	struct flank_check_report r;
	struct mock_cpu_regs regs;
	uint32_t failed;

	(void)state;
	fixture_up("skylake", 1);
	mock_cpu_get_regs(0, &regs);
	regs.cr4 |= X86_CR4_VMXE;
	mock_cpu_set_regs(0, &regs);
	assert_int_equal(vmm_check(&r), VMM_ERR_VMX_IN_USE);
	save_all();
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_VMX_IN_USE);
	assert_all_restored();
	fixture_down();
}

/* VMXON → VMfailInvalid: VMM_ERR_VMXON, CR4.VMXE and fixed bits undone. */
static void test_libvmm_vmxon_fail_invalid(void **state)
{
	vmx_result_t fi = {VMX_FAIL_INVALID, 0};
	uint32_t failed = 0xFFFF;

	(void)state;
	fixture_up("skylake", 2);
	save_all();
	assert_int_equal(mock_fail_nth(MOCK_OP_VMXON, 1, fi), 0);
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_VMXON);
	assert_int_equal(failed, 0);
	assert_true(test_platform_log_has(&tp, "VMfailInvalid"));
	assert_all_restored();
	fixture_down();
}

/* VMPTRLD → VMfailValid(11) on CPU 1: CPU 0 is stopped again, the error
 * names CPU 1, every CPU as before. */
static void test_libvmm_vmptrld_fail_valid_rollback(void **state)
{
	vmx_result_t fv = {VMX_FAIL_VALID, VMXERR_VMPTRLD_BAD_REVISION};
	uint32_t failed = 0xFFFF;

	(void)state;
	fixture_up("skylake", 2);
	save_all();
	assert_int_equal(mock_fail_nth(MOCK_OP_VMPTRLD, 2, fv), 0);
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_VMPTRLD);
	assert_int_equal(failed, 1);
	assert_true(test_platform_log_has(&tp, "VMfailValid(11)"));
	assert_int_equal(vmm_state(), FLANK_STATE_LOADED);
	assert_all_restored();
	fixture_down();
}

/* A launch refused with VMfailValid(7) is decoded and rolled back. */
static void test_libvmm_launch_fail_valid(void **state)
{
	vmx_result_t fv = {VMX_FAIL_VALID, VMXERR_ENTRY_INVALID_CONTROL};
	uint32_t failed;
	struct vmm_entry_failure f;

	(void)state;
	fixture_up("skylake", 1);
	save_all();
	assert_int_equal(mock_fail_nth(MOCK_OP_VMLAUNCH, 1, fv), 0);
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_LAUNCH_CONTROLS);
	assert_int_equal(vmm_last_entry_failure(0, &f), VMM_OK);
	assert_int_equal(f.error, VMXERR_ENTRY_INVALID_CONTROL);
	assert_true(test_platform_log_has(&tp, "invalid control field"));
	assert_all_restored();
	fixture_down();
}

/* A guest-state entry failure (exit 33, host state loaded by the CPU) is
 * decoded with reason and qualification, and the CPU gets its state back. */
static void test_libvmm_launch_guest_state_failure(void **state)
{
	uint32_t failed;
	struct vmm_entry_failure f;

	(void)state;
	fixture_up("skylake", 1);
	/*
	 * The GDT in memory changed after SS was loaded: SS's descriptor now
	 * says "code", so the guest state libvmm builds fails check G8 (SS
	 * type 3 or 7) with exit 33 after the CPU loaded host state.
	 */
	{
		struct mock_cpu_regs regs;
		mock_cpu_get_regs(0, &regs);
		((uint64_t *)(uintptr_t)regs.gdtr.base)[3] |= UINT64_C(8) << 40;
	}
	save_all();
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_LAUNCH_GUEST_STATE);
	assert_int_equal(vmm_last_entry_failure(0, &f), VMM_OK);
	assert_int_equal(f.exit_reason,
			 EXIT_REASON_ENTRY_FAILURE |
				 EXIT_REASON_INVALID_GUEST_STATE);
	assert_all_restored();
	fixture_down();
}

/* Allocation failure at every page of a 2-CPU start: NO_MEMORY, no leak,
 * machine untouched. */
static void test_libvmm_alloc_failures(void **state)
{
	unsigned ept;
	uint32_t failed = 0xFFFF;

	(void)state;
	/* The EPT map's pages come first, taken on the calling CPU (0). */
	fixture_up("skylake", 2);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	ept = vmm_ctx.ept.pages;
	assert_int_equal(vmm_stop_all(), VMM_OK);
	fixture_down();
	for (unsigned n = 1; n <= ept + 2 * VMM_PAGES_PER_CPU; n++) {
		failed = 0xFFFF;
		fixture_up("skylake", 2);
		save_all();
		tp.fail_nth = tp.allocs + n;
		assert_int_equal(vmm_start_all(&failed), VMM_ERR_NO_MEMORY);
		assert_int_equal(failed,
				 n <= ept ? 0
					  : (n - 1 - ept) / VMM_PAGES_PER_CPU);
		assert_all_restored();
		fixture_down();
	}
}

/*
 * The per-CPU table (the CPUs' pointers) is not in the image's .bss (issue
 * #6, docs/loader.md): init takes VMM_PAGES_AT_INIT pages from page_alloc,
 * fini gives them back, and an init whose allocation fails is refused with
 * NO_MEMORY, stays UNLOADED and leaves nothing allocated; a later init
 * works. No page may leak on either path.
 */
static void test_libvmm_init_table_pages(void **state)
{
	(void)state;
	fixture_up("skylake", 2);
	assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
	assert_int_equal(vmm_fini(), VMM_OK);
	assert_int_equal(tp.pages_live, 0);
	tp.fail_nth = tp.allocs + 1;
	assert_int_equal(vmm_init(&tp.p), VMM_ERR_NO_MEMORY);
	assert_int_equal(vmm_state(), FLANK_STATE_UNLOADED);
	assert_int_equal(tp.pages_live, 0);
	tp.fail_nth = 0;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
	fixture_down();
}

/* Offline CPUs are skipped by start_all and started by start_cpu. */
static void test_libvmm_offline_and_hotplug(void **state)
{
	uint32_t failed;
	struct flank_cpu_status st;

	(void)state;
	fixture_up("skylake", 2);
	save_all();
	tp.offline = 2;
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(mock_vmx_mode(1), MOCK_VMX_OUTSIDE);
	tp.offline = 0;
	mock_set_current_cpu(1);
	assert_int_equal(vmm_start_cpu(), VMM_OK);
	assert_int_equal(vmm_start_cpu(), VMM_ERR_ALREADY_RUNNING);
	assert_int_equal(vmm_cpu_status(1, &st), VMM_OK);
	assert_int_equal(st.running, 1);
	assert_int_equal(vmm_stop_cpu(), VMM_OK);
	assert_int_equal(vmm_stop_cpu(), VMM_ERR_NOT_RUNNING);
	mock_set_current_cpu(0);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_all_restored();
	fixture_down();
}

/* The state machine refuses every invalid transition. */
static void test_libvmm_state_machine(void **state)
{
	struct flank_check_report r;
	struct flank_platform bad;
	uint32_t failed;

	(void)state;
	fixture_reset();
	assert_int_equal(vmm_state(), FLANK_STATE_UNLOADED);
	assert_int_equal(vmm_fini(), VMM_ERR_BAD_STATE);
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_BAD_STATE);
	assert_int_equal(vmm_stop_all(), VMM_ERR_BAD_STATE);
	assert_int_equal(vmm_check(&r), VMM_ERR_BAD_STATE);
	assert_int_equal(vmm_init(NULL), VMM_ERR_BAD_PLATFORM);
	fixture_up("skylake", 1);
	bad = tp.p;
	assert_int_equal(vmm_init(&bad), VMM_ERR_BAD_STATE);
	assert_int_equal(vmm_stop_all(), VMM_ERR_BAD_STATE);
	assert_int_equal(vmm_start_cpu(), VMM_ERR_BAD_STATE);
	assert_int_equal(vmm_stop_cpu(), VMM_ERR_BAD_STATE);
	assert_int_equal(vmm_check(NULL), VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_start_all(NULL), VMM_OK);
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_BAD_STATE);
	assert_int_equal(vmm_fini(), VMM_ERR_BAD_STATE);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_fini(), VMM_OK);
	/* Invalid platforms. */
	bad.abi_version = 99;
	assert_int_equal(vmm_init(&bad), VMM_ERR_BAD_PLATFORM);
	bad = tp.p;
	bad.run_on_cpu = NULL;
	assert_int_equal(vmm_init(&bad), VMM_ERR_BAD_PLATFORM);
	bad = tp.p;
	bad.host_cr3 = 0x1234;
	assert_int_equal(vmm_init(&bad), VMM_ERR_BAD_PLATFORM);
	fixture_down();
}

/*
 * The packed string table (status.c, strtab.h) gives every status exactly
 * the name and sentence of its VMM_STATUS_TEXTS entry: a wrong offset
 * would return another entry's string or one starting mid-string.
 */
static void test_libvmm_status_table(void **state)
{
	unsigned n = 0;

	(void)state;
#define CHECK_STATUS(id, text)                                                 \
	assert_string_equal(vmm_status_name(id), #id);                         \
	assert_string_equal(vmm_status_str(id), text);                         \
	n++;
	VMM_STATUS_TEXTS(CHECK_STATUS)
#undef CHECK_STATUS
	assert_int_equal(n, VMM_STATUS_COUNT);
	assert_string_equal(vmm_status_name(-1), "VMM_ERR_UNKNOWN");
	assert_string_equal(vmm_status_name(VMM_STATUS_COUNT),
			    "VMM_ERR_UNKNOWN");
	assert_string_equal(vmm_status_str(VMM_STATUS_COUNT),
			    "unknown status: a newer image or a driver bug");
}

/* Every status has a distinct name and a sentence; unknown values too. */
static void test_libvmm_status_strings(void **state)
{
	(void)state;
	for (int i = 0; i < (int)VMM_STATUS_COUNT; i++) {
		assert_true(strlen(vmm_status_str(i)) > 5);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(vmm_status_name(i),
						vmm_status_name(j));
	}
	assert_non_null(vmm_status_str(-1));
	assert_non_null(vmm_status_str(VMM_STATUS_COUNT));
	assert_string_equal(vmm_vmx_error_name(7),
			    "VM entry with invalid control field(s)");
	assert_string_equal(vmm_vmx_error_name(14),
			    "unknown VM-instruction error");
	assert_string_equal(vmm_vmx_error_name(1000),
			    "unknown VM-instruction error");
}

/*
 * Every VM-instruction error number of SDM Vol. 3C 31.4 has its own name;
 * the reserved numbers (14, 21, 27) and those past the table read as unknown.
 */
static void test_libvmm_vmx_error_names(void **state)
{
	const char *unknown = "unknown VM-instruction error";
	(void)state;
	for (uint32_t i = 1; i <= 28; i++) {
		bool reserved = i == 14 || i == 21 || i == 27;
		if (reserved) {
			assert_string_equal(vmm_vmx_error_name(i), unknown);
			continue;
		}
		assert_string_not_equal(vmm_vmx_error_name(i), unknown);
		for (uint32_t j = 0; j < i; j++)
			assert_string_not_equal(vmm_vmx_error_name(i),
						vmm_vmx_error_name(j));
	}
	assert_string_equal(vmm_vmx_error_name(0), "no error");
	assert_string_equal(vmm_vmx_error_name(24),
			    "VMCALL with invalid SMM-monitor features");
	assert_string_equal(vmm_vmx_error_name(25),
			    "VM entry with invalid VM-execution control fields "
			    "in executive VMCS");
	assert_string_equal(vmm_vmx_error_name(26),
			    "VM entry with events blocked by MOV SS");
	assert_string_equal(vmm_vmx_error_name(28),
			    "invalid operand to INVEPT/INVVPID");
	assert_string_equal(vmm_vmx_error_name(29), unknown);
}

/*
 * The exported entry table is wired to libvmm, and its ring_read returns
 * the debug ring: what start and stop logged, with CPU and level.
 */
static void test_libvmm_image_entry(void **state)
{
	char buf[4096];
	uint64_t pos = 0;
	uint32_t failed;
	size_t n, runs = 0;

	(void)state;
	assert_int_equal(flank_image_entry.abi_version,
			 FLANK_IMAGE_ABI_VERSION);
	assert_int_equal(flank_image_entry.size,
			 sizeof(struct flank_image_entry));
	fixture_up("skylake", 1);
	assert_int_equal(flank_image_entry.fini(), VMM_OK);
	assert_int_equal(flank_image_entry.init(&tp.p), VMM_OK);
	assert_int_equal(flank_image_entry.state(), FLANK_STATE_LOADED);
	assert_int_equal(flank_image_entry.start_all(&failed), VMM_OK);
	assert_int_equal(flank_image_entry.stop_all(), VMM_OK);
	n = flank_image_entry.ring_read(&pos, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	/* Start says what it made of EPT (docs/ept.md), one line per run of
	 * one memory type in the map (the skylake profile's MTRRs: 5 runs
	 * below 1 MiB, WB RAM, the UC hole below 4 GiB, the WB default
	 * above), then the two CPU lines. */
	assert_non_null(strstr(buf, "info: EPT on: 4-level identity map"));
	for (const char *p = buf; (p = strstr(p, "info: EPT type: ")) != NULL;
	     p++)
		runs++;
	assert_non_null(strstr(buf, "EPT type: 0x0-0x9ffff write-back\n"));
	assert_non_null(
		strstr(buf, "EPT type: 0x7c000000-0xffffffff uncachable\n"));
	assert_non_null(strstr(buf, "cpu0 info: cpu 0: running under Flank"));
	assert_non_null(strstr(buf, "cpu0 info: cpu 0: stopped, VMX off"));
	assert_int_equal(runs, 8);
	assert_int_equal(pos, 3 + runs);
	/* A reader at the head gets nothing more. */
	assert_int_equal(flank_image_entry.ring_read(&pos, buf, sizeof(buf)),
			 0);
	/* The image names its statuses; hosts hold the sentences. */
	assert_string_equal(flank_image_entry.status_str(VMM_ERR_NO_VMX),
			    "VMM_ERR_NO_VMX");
	fixture_down();
}

/* The host's guarded stacks (flank_platform.host_stack): one page per CPU,
 * the page below each one deliberately never mapped in the emulator. */
static struct {
	_Alignas(4096) uint8_t mem[2][2 * 4096]; /* [guard][stack] per CPU */
	unsigned calls;
	bool refuse; /* host_stack answers NULL: no stack for the CPU. */
} hs;

static void *hs_host_stack(void *ctx, uint32_t cpu)
{
	(void)ctx;
	hs.calls++;
	if (hs.refuse || cpu >= 2)
		return NULL;
	return hs.mem[cpu] + 4096;
}

/* Re-initialises the fixture's image with tp.p.host_stack set. */
static void hs_up(unsigned ncpus)
{
	fixture_up("skylake", ncpus);
	assert_int_equal(vmm_fini(), VMM_OK);
	memset(&hs, 0, sizeof(hs));
	/* Only the stack pages: the guard below each stays unknown. */
	for (unsigned c = 0; c < 2; c++)
		(void)mock_mem_map(hs.mem[c] + 4096, 4096);
	tp.p.host_stack = hs_host_stack;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
}

/* mock_fini() (in fixture_down) forgets the stacks' mappings too. */
static void hs_down(void)
{
	fixture_down();
}

/* With flank_platform.host_stack each CPU's HOST_RSP lies in the page the
 * host gave for that CPU (whose page below is its guard), the image takes
 * one page fewer from page_alloc per CPU and never frees the host's. */
static void test_libvmm_host_stack_from_host(void **state)
{
	uint32_t failed = 0xFFFF;

	(void)state;
	hs_up(2);
	save_all();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(hs.calls, 2);
	for (unsigned c = 0; c < 2; c++) {
		uint64_t rsp = 0;
		uintptr_t lo = (uintptr_t)(hs.mem[c] + 4096);

		assert_true(mock_vmcs_peek(c, VMCS_HOST_RSP, &rsp));
		assert_true(rsp > lo && rsp < lo + 4096);
	}
	assert_int_equal(tp.pages_live, 2 * (VMM_PAGES_PER_CPU - 1) +
						vmm_ctx.ept.pages +
						VMM_PAGES_AT_INIT);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_all_restored();
	assert_int_equal(tp.pages_live,
			 VMM_PAGES_AT_INIT); /* tp_page_free aborts on ours. */
	hs_down();
}

/* A host that has no stack for a CPU: start fails as out of memory on CPU
 * 0 and nothing stays allocated. */
static void test_libvmm_host_stack_refused(void **state)
{
	uint32_t failed = 0xFFFF;

	(void)state;
	hs_up(1);
	save_all();
	hs.refuse = true;
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_NO_MEMORY);
	assert_int_equal(failed, 0);
	assert_all_restored();
	assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
	hs_down();
}

/* crash_cpu (kdump): on every CPU it leaves VMX operation through the stop
 * hypercall, CR4.VMXE and the bits start set are gone, the guest continues
 * with its state, and it neither logs, nor frees a page, nor changes the
 * state machine; stop afterwards frees the pages of the CPUs. */
static void test_libvmm_crash_cpu(void **state)
{
	uint32_t failed = 0xFFFF;
	unsigned logs, pages;

	(void)state;
	fixture_up("skylake", 2);
	save_all();
	assert_int_equal(flank_image_entry.crash_cpu(), VMM_ERR_NOT_RUNNING);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	logs = tp.log_count;
	assert_true(logs < TEST_PLATFORM_LOG_LINES); /* Room to see more. */
	pages = tp.pages_live;
	for (unsigned c = 0; c < 2; c++) {
		struct mock_cpu_regs r;

		mock_set_current_cpu(c);
		assert_int_equal(mock_vmx_mode(c), MOCK_VMX_NONROOT);
		assert_int_equal(flank_image_entry.crash_cpu(), VMM_OK);
		assert_int_equal(mock_vmx_mode(c), MOCK_VMX_OUTSIDE);
		mock_cpu_get_regs(c, &r);
		assert_int_equal(r.cr4 & X86_CR4_VMXE, 0);
		/* A second call finds nothing to do. */
		assert_int_equal(flank_image_entry.crash_cpu(),
				 VMM_ERR_NOT_RUNNING);
	}
	mock_set_current_cpu(0);
	assert_int_equal(tp.log_count, logs);
	assert_int_equal(tp.pages_live, pages);
	assert_int_equal(vmm_state(), FLANK_STATE_RUNNING);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_all_restored();
	fixture_down();
}

/* An NMI that brings the crash into VMX root: the test's exit handler runs
 * crash_cpu before libvmm's handler would (and, with in_exit, as if inside
 * it), then halts the CPU as the kernel's crash path does. */
static struct {
	bool mark_in_exit; /* As if the NMI interrupted vmm_exit_handler(). */
	int rc;
	enum mock_vmx_mode mode_before, mode_after;
	unsigned logs;
} cr;

static enum intrin_exit_action crash_in_root(struct intrin_exit_frame *frame,
					     void *cpu_ctx)
{
	struct vmm_cpu *cpu = cpu_ctx;
	unsigned c = cpu->id;

	cr.mode_before = mock_vmx_mode(c);
	cpu->in_exit = cr.mark_in_exit;
	cr.rc = flank_image_entry.crash_cpu();
	cpu->in_exit = false;
	cr.mode_after = mock_vmx_mode(c);
	/* The crash path never returns into the handler: it halts. */
	frame->leave_rip = (uintptr_t)intrin_cpu_park;
	frame->leave_rsp = (uintptr_t)frame;
	frame->leave_rflags = X86_RFLAGS_FIXED1;
	return INTRIN_EXIT_LEAVE;
}

/* crash_cpu in VMX root: the VMCALL fails there (VMfail, SDM Vol. 3C 31.3),
 * or is not even tried inside an exit handler, and the CPU executes VMCLEAR
 * and VMXOFF itself and clears CR4.VMXE; silent, nothing freed; stop
 * afterwards frees the CPU's pages. */
static void test_libvmm_crash_cpu_in_root(void **state)
{
	for (int in_exit = 0; in_exit <= 1; in_exit++) {
		struct mock_exit_outcome out;
		struct cpu_cpuid_regs regs;
		struct mock_cpu_regs r;
		uint32_t failed = 0xFFFF;
		unsigned pages;

		(void)state;
		fixture_up("skylake", 2);
		assert_int_equal(vmm_start_all(&failed), VMM_OK);
		memset(&cr, 0, sizeof(cr));
		cr.mark_in_exit = in_exit != 0;
		cr.logs = tp.log_count;
		assert_true(cr.logs < TEST_PLATFORM_LOG_LINES);
		pages = tp.pages_live;
		mock_set_current_cpu(1);
		mock_set_exit_handlers(crash_in_root, vmm_exit_resume_failed);
		assert_int_equal(mock_guest_cpuid(0, 0, &regs, &out), 0);
		mock_set_exit_handlers(vmm_exit_handler,
				       vmm_exit_resume_failed);
		assert_int_equal(out.action, INTRIN_EXIT_LEAVE);
		assert_int_equal(cr.mode_before, MOCK_VMX_ROOT);
		assert_int_equal(cr.rc, VMM_OK);
		assert_int_equal(cr.mode_after, MOCK_VMX_OUTSIDE);
		mock_cpu_get_regs(1, &r);
		assert_int_equal(r.cr4 & X86_CR4_VMXE, 0);
		assert_int_equal(mock_vmx_mode(0), MOCK_VMX_NONROOT);
		assert_int_equal(tp.log_count, cr.logs);
		assert_int_equal(tp.pages_live, pages);
		mock_set_current_cpu(0);
		assert_int_equal(vmm_stop_all(), VMM_OK);
		assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
		fixture_down();
	}
}

/* True if the debug ring holds @p needle. */
static bool lc_ring_has(const char *needle)
{
	static char text[65536];
	uint64_t pos = 0;
	size_t n = 0, got;

	while (n + 1 < sizeof(text) &&
	       (got = vmm_console_ring_read(&pos, text + n,
					    sizeof(text) - 1 - n)) > 0)
		n += got;
	text[n] = '\0';
	return strstr(text, needle) != NULL;
}

/* crash_cpu in VMX root clears the CPU's VPID before VMXOFF, as stop does
 * (vpid.c, SDM Vol. 3C 28.3.3.3): no translation of the guest outlives
 * VMX operation, whichever way the CPU left. */
static void test_libvmm_crash_cpu_in_root_invvpid(void **state)
{
	for (int in_exit = 0; in_exit <= 1; in_exit++) {
		struct mock_exit_outcome out;
		struct cpu_cpuid_regs regs;
		uint32_t failed = 0xFFFF;

		(void)state;
		fixture_up("skylake", 2);
		assert_int_equal(vmm_start_all(&failed), VMM_OK);
		memset(&cr, 0, sizeof(cr));
		cr.mark_in_exit = in_exit != 0;
		mock_tlb_fill(1, 2, 0xffffffff81000000u, false);
		assert_true(mock_tlb_count(1, 2) > 0);
		mock_set_current_cpu(1);
		mock_set_exit_handlers(crash_in_root, vmm_exit_resume_failed);
		assert_int_equal(mock_guest_cpuid(0, 0, &regs, &out), 0);
		mock_set_exit_handlers(vmm_exit_handler,
				       vmm_exit_resume_failed);
		assert_int_equal(cr.rc, VMM_OK);
		assert_int_equal(cr.mode_after, MOCK_VMX_OUTSIDE);
		assert_int_equal(mock_tlb_count(1, 2), 0);
		mock_set_current_cpu(0);
		assert_int_equal(vmm_stop_all(), VMM_OK);
		fixture_down();
	}
}

/* crash_cpu in VMX root outside the exit handler's mark (the NMI came
 * between the exit entry and the mark, or before VMLAUNCH): a failing
 * INVEPT or INVVPID there is told only to the ring, never to the host's
 * log (printk from the NMI that brings the crash). */
static void test_libvmm_crash_cpu_in_root_silent_failure(void **state)
{
	const vmx_result_t fail = {VMX_FAIL_VALID,
				   VMXERR_INVALID_INVEPT_INVVPID};
	enum mock_op ops[2] = {MOCK_OP_INVEPT, MOCK_OP_INVVPID};

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		struct mock_exit_outcome out;
		struct cpu_cpuid_regs regs;
		uint32_t failed = 0xFFFF;

		fixture_up("skylake", 2);
		assert_int_equal(vmm_start_all(&failed), VMM_OK);
		memset(&cr, 0, sizeof(cr));
		cr.logs = tp.log_count;
		mock_set_current_cpu(1);
		assert_int_equal(mock_fail_nth(ops[i], 1, fail), 0);
		mock_set_exit_handlers(crash_in_root, vmm_exit_resume_failed);
		assert_int_equal(mock_guest_cpuid(0, 0, &regs, &out), 0);
		mock_set_exit_handlers(vmm_exit_handler,
				       vmm_exit_resume_failed);
		mock_fail_clear();
		assert_int_equal(cr.mode_after, MOCK_VMX_OUTSIDE);
		assert_int_equal(tp.log_count, cr.logs);
		assert_true(lc_ring_has(i == 0 ? "cpu 1: INVEPT at stop failed"
					       : "cpu 1: INVVPID failed"));
		mock_set_current_cpu(0);
		assert_int_equal(vmm_stop_all(), VMM_OK);
		fixture_down();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libvmm_every_profile),
		cmocka_unit_test(test_libvmm_64_cpus),
		cmocka_unit_test(test_libvmm_check_report_complete),
		cmocka_unit_test(test_libvmm_no_vmx),
		cmocka_unit_test(test_libvmm_feature_control_locked_off),
		cmocka_unit_test(test_libvmm_feature_control_unlocked),
		cmocka_unit_test(test_libvmm_vmx_basic_gp),
		cmocka_unit_test(test_libvmm_vmx_in_use),
		cmocka_unit_test(test_libvmm_vmxon_fail_invalid),
		cmocka_unit_test(test_libvmm_vmptrld_fail_valid_rollback),
		cmocka_unit_test(test_libvmm_launch_fail_valid),
		cmocka_unit_test(test_libvmm_launch_guest_state_failure),
		cmocka_unit_test(test_libvmm_alloc_failures),
		cmocka_unit_test(test_libvmm_init_table_pages),
		cmocka_unit_test(test_libvmm_offline_and_hotplug),
		cmocka_unit_test(test_libvmm_state_machine),
		cmocka_unit_test(test_libvmm_status_strings),
		cmocka_unit_test(test_libvmm_status_table),
		cmocka_unit_test(test_libvmm_vmx_error_names),
		cmocka_unit_test(test_libvmm_image_entry),
		cmocka_unit_test(test_libvmm_host_stack_from_host),
		cmocka_unit_test(test_libvmm_host_stack_refused),
		cmocka_unit_test(test_libvmm_crash_cpu),
		cmocka_unit_test(test_libvmm_crash_cpu_in_root),
		cmocka_unit_test(test_libvmm_crash_cpu_in_root_invvpid),
		cmocka_unit_test(test_libvmm_crash_cpu_in_root_silent_failure),
	};
	return FLANK_RUN_TESTS(tests);
}
