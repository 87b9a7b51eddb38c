// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel text guard (docs/modules.md, "Worked example: the kernel text
 * guard"; issue #18 section 4): an extension module that write-protects
 * chosen pages of the kernel's text and IA32_LSTAR, logs every attempt to
 * change them to the debug ring and refuses it.
 *
 *  - IA32_LSTAR: an MSR hook on its writes (registered from the module's
 *    init, which needs nothing of the VMM): #GP(0), LSTAR unchanged.
 *  - Kernel text: page hooks that take write permission away (EPT). Which
 *    pages is found at run time, not compiled in (KASLR moves the kernel on
 *    every boot): the page of the SYSCALL entry (the address in LSTAR) and
 *    those of the #GP and #PF handlers (IDT vectors 13 and 14), translated
 *    through the loading CPU's page tables (CR3, CR4.LA57) to guest-physical
 *    addresses. That needs the host's phys_copy, which exists only once the
 *    image's init has run: the module's init registers an init hook
 *    (vmm_init_hook_set()) that does it then. A write to such a page,
 *    through any mapping, is refused with #GP(0) at the writing instruction.
 *
 * Why these pages: on Linux they lie in .entry.text (entry_SYSCALL_64,
 * asm_exc_general_protection, asm_exc_page_fault), which the kernel never
 * patches once booted: alternatives are applied at boot, and entry code is
 * noinstr and NOKPROBE, so neither ftrace, kprobes, static keys nor
 * static calls rewrite it. A guarded page that the kernel itself patches
 * later (text_poke() of a jump label, ftrace, a kprobe) would get #GP in
 * text_poke(), which has no fixup: an oops. Pages of ordinary .text are
 * not safe to guard for that reason.
 *
 * Fail closed: if a target cannot be found or hooked, the init hook takes
 * back the pages it hooked and refuses the image's init with the status
 * (the load fails and says why), rather than leaving a guard that guards
 * less than it claims. The ring says which target failed.
 *
 * Callbacks run in VMX root on the exiting CPU: they only log to the ring
 * (vmm_extension_logf) and decide.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/image_abi.h"
#include "flank/intrinsics.h"
#include "flank/vmm_extension.h"
#include "flank/vmm_status.h"
#include "flank/x86.h"
#include "textguard.h"

#define FLANK_EXPORT __attribute__((visibility("default")))

FLANK_EXPORT void flank_textguard_init(void);
FLANK_EXPORT void flank_textguard_fini(void);
FLANK_EXPORT int flank_textguard_status(void);
FLANK_EXPORT uint32_t flank_textguard_pages(uint64_t *gpa, uint32_t max);

/* The guest-physical pages hooked by the last init hook. */
static uint64_t guarded[TEXTGUARD_PAGES_MAX];
static uint32_t nguarded;
/* What the last init, init hook or fini returned (-1: none ran). */
static int textguard_status = -1;

#define PAGE_MASK_4K UINT64_C(0xFFF)

/* IA32_LSTAR writes: refused and logged. */
static enum vmm_hook_action textguard_lstar(struct vmm_msr_hook_args *a)
{
	vmm_extension_logf(FLANK_LOG_WARN,
			   TEXTGUARD_LSTAR_LINE
			   " <- 0x%llx at RIP 0x%llx on CPU %u",
			   (unsigned long long)a->value,
			   (unsigned long long)a->rip, a->cpu);
	return VMM_HOOK_DENY;
}

/*
 * A write to a guarded page (only W is taken away, so only writes come
 * here): refused with #GP(0) at the instruction, and logged with what the
 * exit reported. The linear address is the one the writer used (e.g. a
 * writable alias of the page), when the CPU reports one.
 */
static enum vmm_hook_action textguard_page(const struct vmm_page_hook_args *a)
{
	if (a->gla_valid)
		vmm_extension_logf(
			FLANK_LOG_WARN,
			TEXTGUARD_PAGE_LINE
			" 0x%llx (GLA 0x%llx) at RIP 0x%llx on CPU %u",
			(unsigned long long)a->gpa, (unsigned long long)a->gla,
			(unsigned long long)a->rip, a->cpu);
	else
		vmm_extension_logf(FLANK_LOG_WARN,
				   TEXTGUARD_PAGE_LINE
				   " 0x%llx (no GLA) at RIP 0x%llx on CPU %u",
				   (unsigned long long)a->gpa,
				   (unsigned long long)a->rip, a->cpu);
	return VMM_HOOK_DENY;
}

/* Takes back every page hook of the last init hook. */
static void unguard(void)
{
	for (uint32_t i = 0; i < nguarded; i++)
		(void)vmm_page_hook_remove(guarded[i], textguard_page);
	nguarded = 0;
}

/* Reads @p len bytes at linear @p gla through the tables at @p cr3. */
static int read_linear(uint64_t cr3, bool la57, uint64_t gla, void *buf,
		       uint32_t len)
{
	uint8_t *b = buf;

	while (len > 0) {
		uint64_t gpa = 0;
		uint32_t room = 4096u - (uint32_t)(gla & PAGE_MASK_4K);
		uint32_t n = len < room ? len : room;
		int st = vmm_guest_translate_cr3(cr3, la57, gla, &gpa);

		if (st == VMM_OK)
			st = vmm_guest_phys_read(gpa, b, n);
		if (st != VMM_OK)
			return st;
		gla += n;
		b += n;
		len -= n;
	}
	return VMM_OK;
}

/*
 * The handler address of IDT vector @p vec (a 64-bit gate, SDM Vol. 3A
 * 6.14.1: offset 15:0 in bytes 1:0, 31:16 in bytes 7:6, 63:32 in bytes
 * 11:8; P is bit 7 of byte 5).
 */
static int idt_handler(uint64_t cr3, bool la57, const struct cpu_dtr *idtr,
		       uint32_t vec, uint64_t *handler)
{
	uint8_t g[16];
	int st;

	if ((uint32_t)idtr->limit + 1u < (vec + 1u) * 16u)
		return VMM_ERR_GUEST_NOT_PRESENT;
	st = read_linear(cr3, la57, idtr->base + (uint64_t)vec * 16u, g,
			 sizeof(g));
	if (st != VMM_OK)
		return st;
	if ((g[5] & 0x80u) == 0)
		return VMM_ERR_GUEST_NOT_PRESENT;
	*handler = (uint64_t)g[0] | (uint64_t)g[1] << 8 | (uint64_t)g[6] << 16 |
		   (uint64_t)g[7] << 24 | (uint64_t)g[8] << 32 |
		   (uint64_t)g[9] << 40 | (uint64_t)g[10] << 48 |
		   (uint64_t)g[11] << 56;
	return VMM_OK;
}

/* Write-protects the page that holds @p gla (what @p what names). */
static int guard(uint64_t cr3, bool la57, const char *what, uint64_t gla)
{
	uint64_t gpa = 0;
	int st = vmm_guest_translate_cr3(cr3, la57, gla, &gpa);

	if (st != VMM_OK)
		return st;
	gpa &= ~PAGE_MASK_4K;
	for (uint32_t i = 0; i < nguarded; i++) {
		if (guarded[i] == gpa) {
			vmm_extension_logf(FLANK_LOG_INFO,
					   "textguard: %s at 0x%llx: GPA "
					   "0x%llx, already write-protected",
					   what, (unsigned long long)gla,
					   (unsigned long long)gpa);
			return VMM_OK;
		}
	}
	if (nguarded == TEXTGUARD_PAGES_MAX)
		return VMM_ERR_HOOK_TABLE_FULL;
	st = vmm_page_hook_add(gpa, VMM_PAGE_HOOK_W, textguard_page);
	if (st != VMM_OK)
		return st;
	guarded[nguarded++] = gpa;
	vmm_extension_logf(
		FLANK_LOG_INFO, TEXTGUARD_GUARD_LINE " 0x%llx: %s at 0x%llx",
		(unsigned long long)gpa, what, (unsigned long long)gla);
	return VMM_OK;
}

/*
 * The init hook: runs at the end of the image's init, in the host's
 * context on the loading CPU, whose CR3 maps the kernel as every
 * process's does. Finds the three targets and hooks their pages, or none.
 */
static int textguard_find(void)
{
	static const char *const what[] = {
		"the SYSCALL entry (IA32_LSTAR)",
		"the #GP handler (IDT vector 13)",
		"the #PF handler (IDT vector 14)",
	};
	uint64_t cr3 = cpu_read_cr3(), at[3] = {0, 0, 0};
	bool la57 = (cpu_read_cr4() & X86_CR4_LA57) != 0;
	struct cpu_dtr idtr = {0, 0};
	int st = VMM_OK;
	uint32_t i;

	unguard();
	if (cpu_rdmsr_safe(TEXTGUARD_MSR, &at[0]) != CPU_SAFE_OK)
		st = VMM_ERR_NOT_SUPPORTED;
	cpu_sidt(&idtr);
	for (i = 0; i < 3u && st == VMM_OK; i++) {
		if (i > 0)
			st = idt_handler(cr3, la57, &idtr,
					 i == 1 ? TEXTGUARD_VEC_GP
						: TEXTGUARD_VEC_PF,
					 &at[i]);
		if (st == VMM_OK)
			st = guard(cr3, la57, what[i], at[i]);
		if (st != VMM_OK)
			break;
	}
	if (st != VMM_OK) {
		vmm_extension_logf(FLANK_LOG_ERROR,
				   "textguard: %s: not found or not hooked "
				   "(status %d): nothing guarded",
				   what[i], st);
		unguard();
	}
	textguard_status = st;
	return st;
}

/* What the last init, init hook or fini returned (-1: none ran). */
int flank_textguard_status(void)
{
	return textguard_status;
}

/* The guarded pages (up to @p max into @p gpa); how many there are. */
uint32_t flank_textguard_pages(uint64_t *gpa, uint32_t max)
{
	for (uint32_t i = 0; i < nguarded && i < max; i++)
		gpa[i] = guarded[i];
	return nguarded;
}

/*
 * Runs from DT_INIT_ARRAY, before the image's init: registers the LSTAR
 * hook and the init hook that finds the pages, or neither.
 */
__attribute__((constructor)) void flank_textguard_init(void)
{
	int st = vmm_msr_hook_add(TEXTGUARD_MSR, 1, VMM_MSR_HOOK_WRITE,
				  textguard_lstar);

	if (st == VMM_OK) {
		st = vmm_init_hook_set(textguard_find);
		if (st != VMM_OK)
			(void)vmm_msr_hook_remove(TEXTGUARD_MSR,
						  textguard_lstar);
	}
	textguard_status = st;
}

/* Runs from DT_FINI_ARRAY, after the image's fini: takes everything back. */
__attribute__((destructor)) void flank_textguard_fini(void)
{
	int st = vmm_init_hook_remove(textguard_find);
	int st2 = vmm_msr_hook_remove(TEXTGUARD_MSR, textguard_lstar);

	unguard();
	textguard_status = st != VMM_OK ? st : st2;
}
