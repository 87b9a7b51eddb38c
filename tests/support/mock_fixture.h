/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test support for the emulated VT-x: a CMocka-failing exception handler,
 * setup/teardown with leak checks, a page allocator on mock_mem_map() and a
 * ready-made VMX setup (VMXON region, VMCS with valid Linux-like host and
 * guest state) for tests that need a CPU in VMX root or non-root.
 */
#ifndef FLANK_MOCK_FIXTURE_H
#define FLANK_MOCK_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/intrinsics.h"
#include "flank/mock.h"

/** Installs the handler that fails the running test with the rule name. */
void mock_fixture_install_handler(void);

/** mock_init(@p profile, @p ncpus) plus the handler; fails the test on error. */
void mock_fixture_init(const char *profile, unsigned ncpus);

/** CMocka setup: one "skylake" CPU. */
int mock_fixture_setup(void **state);

/**
 * CMocka teardown: fails if pages are outstanding or an expected exception
 * never came, then mock_fini().
 */
int mock_fixture_teardown(void **state);

/* Page allocator ---------------------------------------------------------- */

/** One zeroed 4 KiB page mapped at a fresh physical address, or NULL. */
void *mock_test_page_alloc(paddr_t *pa);
/** @p n contiguous zeroed pages, or NULL. */
void *mock_test_pages_alloc(size_t n, paddr_t *pa);

/**
 * As mock_test_pages_alloc(), mapped at physical address @p pa chosen by
 * the test (mock_mem_map_at: aligned, within MAXPHYADDR, not mapped).
 */
void *mock_test_pages_alloc_at(size_t n, paddr_t pa);
/** Frees a page (or run of pages) from mock_test_page(s)_alloc(). */
void mock_test_page_free(void *page);
/** Allocations not yet freed. */
unsigned mock_test_pages_outstanding(void);
/** Total successful allocations since the last mock_fixture_init(). */
unsigned mock_test_pages_allocated(void);
/** Makes the @p nth allocation from now fail (0 disarms). */
void mock_test_fail_alloc_nth(unsigned n);

/* A ready VMX setup -------------------------------------------------------- */

struct mock_test_vm {
	void *vmxon, *vmcs, *stack, *msr_bitmap;
	paddr_t vmxon_pa, vmcs_pa, stack_pa, msr_bitmap_pa;
	void *ctx; /**< Stored at HOST_RSP, passed to the exit handler. */
};

/** Adjusts @p want to the capability MSR (TRUE when VMX_BASIC[55]). */
uint32_t mock_test_adjust_ctls(uint32_t plain_msr, uint32_t want);

/** Sets CR4.VMXE and executes VMXON; asserts success. */
void mock_test_vmxon(struct mock_test_vm *vm);

/**
 * After mock_test_vmxon(): VMCLEAR + VMPTRLD a VMCS and fills it with
 * valid controls, host state (HOST_RIP = intrin_vmexit_entry) and a guest
 * state equal to the CPU's current (Linux) state. Asserts success.
 */
void mock_test_vmcs_setup(struct mock_test_vm *vm);

/** mock_test_vmxon() + mock_test_vmcs_setup(). */
void mock_test_vm_setup(struct mock_test_vm *vm);

/** VMXOFF if in VMX root, clears CR4.VMXE, frees the pages. */
void mock_test_vm_teardown(struct mock_test_vm *vm);

/** VMWRITE that must succeed. */
void mock_test_write(uint32_t field, uint64_t value);
/** VMREAD that must succeed. */
uint64_t mock_test_read(uint32_t field);

#endif /* FLANK_MOCK_FIXTURE_H */
