// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flank_test.h"
#include "mock_fixture.h"

static void fail_test(const char *rule, const char *message)
{
	fail_msg("unexpected exception or model violation [%s]: %s", rule,
		 message);
}

void mock_fixture_install_handler(void)
{
	mock_set_exception_handler(fail_test);
}

/* ------------------------------------------------------------ pages */

struct alloc {
	void *page;
	size_t n;
};

#define MAX_ALLOCS 4096u
static struct alloc allocs[MAX_ALLOCS];
static unsigned nallocs, total_allocs, fail_countdown;

void *mock_test_pages_alloc(size_t n, paddr_t *pa)
{
	if (fail_countdown && --fail_countdown == 0)
		return NULL;
	if (!n || nallocs == MAX_ALLOCS)
		return NULL;
	void *p = aligned_alloc(4096, n * 4096);
	if (!p)
		return NULL;
	memset(p, 0, n * 4096);
	*pa = mock_mem_map(p, n * 4096);
	allocs[nallocs++] = (struct alloc){p, n};
	total_allocs++;
	return p;
}

void *mock_test_pages_alloc_at(size_t n, paddr_t pa)
{
	if (fail_countdown && --fail_countdown == 0)
		return NULL;
	if (!n || nallocs == MAX_ALLOCS)
		return NULL;
	void *p = aligned_alloc(4096, n * 4096);
	if (!p)
		return NULL;
	memset(p, 0, n * 4096);
	allocs[nallocs++] = (struct alloc){p, n};
	total_allocs++;
	/* A violation (bad address) fails the test; the page is freed by
	 * the teardown with the others. */
	(void)mock_mem_map_at(p, n * 4096, pa);
	return p;
}

void *mock_test_page_alloc(paddr_t *pa)
{
	return mock_test_pages_alloc(1, pa);
}

void mock_test_page_free(void *page)
{
	for (unsigned i = 0; i < nallocs; i++) {
		if (allocs[i].page == page) {
			mock_mem_unmap(page);
			free(page);
			allocs[i] = allocs[--nallocs];
			return;
		}
	}
	fail_msg("mock_test_page_free of a page not allocated here");
}

unsigned mock_test_pages_outstanding(void)
{
	return nallocs;
}

unsigned mock_test_pages_allocated(void)
{
	return total_allocs;
}

void mock_test_fail_alloc_nth(unsigned n)
{
	fail_countdown = n;
}

static void free_all_pages(void)
{
	while (nallocs) {
		nallocs--;
		free(allocs[nallocs].page);
	}
}

/* ---------------------------------------------------------- fixtures */

void mock_fixture_init(const char *profile, unsigned ncpus)
{
	free_all_pages();
	total_allocs = 0;
	fail_countdown = 0;
	assert_int_equal(mock_init(profile, ncpus), 0);
	mock_fixture_install_handler();
}

int mock_fixture_setup(void **state)
{
	(void)state;
	mock_fixture_init("skylake", 1);
	return 0;
}

int mock_fixture_teardown(void **state)
{
	unsigned leaked = nallocs, pending = mock_expected_exceptions_pending();

	(void)state;
	free_all_pages();
	mock_set_exit_handlers(NULL, NULL);
	mock_fini();
	if (leaked || pending) {
		fprintf(stderr,
			"teardown: %u pages leaked, %u expected "
			"exceptions never raised\n",
			leaked, pending);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ VMX setup */

uint32_t mock_test_adjust_ctls(uint32_t plain_msr, uint32_t want)
{
	uint64_t basic = 0, cap = 0;
	uint32_t msr = plain_msr;

	assert_true(
		mock_msr_get(mock_current_cpu(), MSR_IA32_VMX_BASIC, &basic));
	if ((basic & VMX_BASIC_TRUE_CTLS) && plain_msr >= 0x481 &&
	    plain_msr <= 0x484)
		msr = plain_msr + 0xC;
	assert_true(mock_msr_get(mock_current_cpu(), msr, &cap));
	return (want | (uint32_t)cap) & (uint32_t)(cap >> 32);
}

void mock_test_write(uint32_t field, uint64_t value)
{
	vmx_result_t r = vmx_vmwrite(field, value);
	if (!vmx_ok(r))
		fail_msg("VMWRITE 0x%x failed: outcome %d error %u", field,
			 r.outcome, r.error);
}

uint64_t mock_test_read(uint32_t field)
{
	uint64_t v = 0;
	vmx_result_t r = vmx_vmread(field, &v);
	if (!vmx_ok(r))
		fail_msg("VMREAD 0x%x failed: outcome %d error %u", field,
			 r.outcome, r.error);
	return v;
}

void mock_test_vmxon(struct mock_test_vm *vm)
{
	uint64_t basic = 0;

	memset(vm, 0, sizeof(*vm));
	assert_true(
		mock_msr_get(mock_current_cpu(), MSR_IA32_VMX_BASIC, &basic));
	vm->vmxon = mock_test_page_alloc(&vm->vmxon_pa);
	assert_non_null(vm->vmxon);
	*(uint32_t *)vm->vmxon = (uint32_t)(basic & VMX_BASIC_REVISION_MASK);
	cpu_write_cr4(cpu_read_cr4() | X86_CR4_VMXE);
	assert_true(vmx_ok(vmx_on(vm->vmxon_pa)));
}

static const struct {
	uint32_t sel, base, limit, ar;
} segf[MOCK_SEG_COUNT] = {
	{VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT,
	 VMCS_GUEST_ES_AR_BYTES},
	{VMCS_GUEST_CS_SELECTOR, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT,
	 VMCS_GUEST_CS_AR_BYTES},
	{VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT,
	 VMCS_GUEST_SS_AR_BYTES},
	{VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT,
	 VMCS_GUEST_DS_AR_BYTES},
	{VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT,
	 VMCS_GUEST_FS_AR_BYTES},
	{VMCS_GUEST_GS_SELECTOR, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT,
	 VMCS_GUEST_GS_AR_BYTES},
	{VMCS_GUEST_LDTR_SELECTOR, VMCS_GUEST_LDTR_BASE, VMCS_GUEST_LDTR_LIMIT,
	 VMCS_GUEST_LDTR_AR_BYTES},
	{VMCS_GUEST_TR_SELECTOR, VMCS_GUEST_TR_BASE, VMCS_GUEST_TR_LIMIT,
	 VMCS_GUEST_TR_AR_BYTES},
};

void mock_test_vmcs_setup(struct mock_test_vm *vm)
{
	unsigned cpu = mock_current_cpu();
	struct mock_cpu_regs regs;
	uint64_t basic = 0, v = 0;

	assert_true(mock_msr_get(cpu, MSR_IA32_VMX_BASIC, &basic));
	vm->vmcs = mock_test_page_alloc(&vm->vmcs_pa);
	vm->stack = mock_test_page_alloc(&vm->stack_pa);
	vm->msr_bitmap = mock_test_page_alloc(&vm->msr_bitmap_pa);
	assert_non_null(vm->vmcs);
	assert_non_null(vm->stack);
	assert_non_null(vm->msr_bitmap);
	*(uint32_t *)vm->vmcs = (uint32_t)(basic & VMX_BASIC_REVISION_MASK);
	assert_true(vmx_ok(vmx_clear(vm->vmcs_pa)));
	assert_true(vmx_ok(vmx_ptrld(vm->vmcs_pa)));

	uint64_t proc_cap = 0;
	assert_true(mock_msr_get(cpu, MSR_IA32_VMX_PROCBASED_CTLS, &proc_cap));
	bool has2 = (proc_cap >> 32) & CPU_ACTIVATE_SECONDARY;
	mock_test_write(VMCS_PIN_BASED_VM_EXEC_CONTROL,
			mock_test_adjust_ctls(MSR_IA32_VMX_PINBASED_CTLS, 0));
	mock_test_write(VMCS_CPU_BASED_VM_EXEC_CONTROL,
			mock_test_adjust_ctls(MSR_IA32_VMX_PROCBASED_CTLS,
					      CPU_USE_MSR_BITMAPS));
	if (has2)
		mock_test_write(VMCS_SECONDARY_VM_EXEC_CONTROL, 0);
	mock_test_write(VMCS_VM_EXIT_CONTROLS,
			mock_test_adjust_ctls(MSR_IA32_VMX_EXIT_CTLS,
					      EXIT_HOST_ADDR_SPACE_SIZE));
	mock_test_write(VMCS_VM_ENTRY_CONTROLS,
			mock_test_adjust_ctls(MSR_IA32_VMX_ENTRY_CTLS,
					      ENTRY_IA32E_MODE_GUEST));
	mock_test_write(VMCS_MSR_BITMAP, pa_addr(vm->msr_bitmap_pa));
	mock_test_write(VMCS_VMCS_LINK_POINTER, UINT64_MAX);

	mock_cpu_get_regs(cpu, &regs);
	/* Host state: the CPU as it is now (Linux's kernel state). */
	mock_test_write(VMCS_HOST_CR0, regs.cr0);
	mock_test_write(VMCS_HOST_CR3, regs.cr3);
	mock_test_write(VMCS_HOST_CR4, regs.cr4);
	mock_test_write(VMCS_HOST_CS_SELECTOR, regs.seg[MOCK_SEG_CS].selector);
	mock_test_write(VMCS_HOST_SS_SELECTOR, regs.seg[MOCK_SEG_SS].selector);
	mock_test_write(VMCS_HOST_TR_SELECTOR, regs.seg[MOCK_SEG_TR].selector);
	mock_test_write(VMCS_HOST_TR_BASE, regs.seg[MOCK_SEG_TR].base);
	mock_test_write(VMCS_HOST_FS_BASE, regs.seg[MOCK_SEG_FS].base);
	mock_test_write(VMCS_HOST_GS_BASE, regs.seg[MOCK_SEG_GS].base);
	mock_test_write(VMCS_HOST_GDTR_BASE, regs.gdtr.base);
	mock_test_write(VMCS_HOST_IDTR_BASE, regs.idtr.base);
	assert_true(mock_msr_get(cpu, MSR_IA32_SYSENTER_CS, &v));
	mock_test_write(VMCS_HOST_IA32_SYSENTER_CS, v);
	assert_true(mock_msr_get(cpu, MSR_IA32_SYSENTER_ESP, &v));
	mock_test_write(VMCS_HOST_IA32_SYSENTER_ESP, v);
	assert_true(mock_msr_get(cpu, MSR_IA32_SYSENTER_EIP, &v));
	mock_test_write(VMCS_HOST_IA32_SYSENTER_EIP, v);
	uint64_t rsp = (uint64_t)(uintptr_t)vm->stack + 4096 - 16;
	*(void **)(uintptr_t)rsp = vm->ctx;
	mock_test_write(VMCS_HOST_RSP, rsp);
	mock_test_write(VMCS_HOST_RIP,
			(uint64_t)(uintptr_t)intrin_vmexit_entry);

	/* Guest state: the same CPU, continuing where it was. */
	mock_test_write(VMCS_GUEST_CR0, regs.cr0);
	mock_test_write(VMCS_GUEST_CR3, regs.cr3);
	mock_test_write(VMCS_GUEST_CR4, regs.cr4);
	mock_test_write(VMCS_GUEST_DR7, regs.dr7);
	mock_test_write(VMCS_GUEST_RFLAGS, regs.rflags);
	mock_test_write(VMCS_GUEST_RSP, mock_cpu_rsp(cpu));
	mock_test_write(VMCS_GUEST_RIP, mock_cpu_rip(cpu));
	for (unsigned s = 0; s < MOCK_SEG_COUNT; s++) {
		mock_test_write(segf[s].sel, regs.seg[s].selector);
		mock_test_write(segf[s].base, regs.seg[s].base);
		mock_test_write(segf[s].limit, regs.seg[s].limit);
		mock_test_write(segf[s].ar, regs.seg[s].ar);
	}
	mock_test_write(VMCS_GUEST_GDTR_BASE, regs.gdtr.base);
	mock_test_write(VMCS_GUEST_GDTR_LIMIT, regs.gdtr.limit);
	mock_test_write(VMCS_GUEST_IDTR_BASE, regs.idtr.base);
	mock_test_write(VMCS_GUEST_IDTR_LIMIT, regs.idtr.limit);
	assert_true(mock_msr_get(cpu, MSR_IA32_SYSENTER_CS, &v));
	mock_test_write(VMCS_GUEST_SYSENTER_CS, v);
	assert_true(mock_msr_get(cpu, MSR_IA32_SYSENTER_ESP, &v));
	mock_test_write(VMCS_GUEST_SYSENTER_ESP, v);
	assert_true(mock_msr_get(cpu, MSR_IA32_SYSENTER_EIP, &v));
	mock_test_write(VMCS_GUEST_SYSENTER_EIP, v);
	assert_true(mock_msr_get(cpu, MSR_IA32_DEBUGCTL, &v));
	mock_test_write(VMCS_GUEST_IA32_DEBUGCTL, v);
}

void mock_test_vm_setup(struct mock_test_vm *vm)
{
	mock_test_vmxon(vm);
	mock_test_vmcs_setup(vm);
}

void mock_test_vm_teardown(struct mock_test_vm *vm)
{
	if (mock_vmx_mode(mock_current_cpu()) == MOCK_VMX_ROOT)
		assert_true(vmx_ok(vmx_off()));
	if (mock_vmx_mode(mock_current_cpu()) == MOCK_VMX_OUTSIDE)
		cpu_write_cr4(cpu_read_cr4() & ~X86_CR4_VMXE);
	void *pages[] = {vm->vmxon, vm->vmcs, vm->stack, vm->msr_bitmap};
	for (unsigned i = 0; i < 4; i++) {
		if (pages[i])
			mock_test_page_free(pages[i]);
	}
	memset(vm, 0, sizeof(*vm));
}
