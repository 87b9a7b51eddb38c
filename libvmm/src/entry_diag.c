// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The diagnostic of a failed VM entry: the CPU's verdict decoded, the rule
 * a VMCS consistency checker finds failing over the same VMCS, and a VMCS
 * dump. The checker is libvmm's (flank/vmm_vmcs_check.h), but it lives in
 * the vmcs_check extension module, not in vmm.elf, which it would grow by
 * three pages for code that runs only after an entry failed (issue #6): it
 * is reached through the hook of flank/vmm_extension.h. Without it the
 * phrase after "consistency check: " is CHECK_ABSENT and one more line,
 * CHECK_HINT, says how to get the rule. One line says it all
 * (docs/debugging.md documents the format, which whole-system runs grep
 * for: keep it stable):
 *
 *   VM entry failed: <decoded error>; consistency check: rule <id>
 *   (<citation>): <FIELD> = <value>
 *
 * (on one line). It goes to the platform log and the debug ring, then the
 * dump follows, then the same line again: the ring holds fewer records than
 * a dump has lines, so the line before the dump is overwritten by the time
 * `flankctl dump` reads the ring, and the repeat is what the reader finds.
 */
#include "flank/vmm_console.h"
#include "flank/vmm_extension.h"
#include "flank/vmm_vmcs_check.h"
#include "flank/vmm_vmcs_dump.h"
#include "vmm_internal.h"

#define CHECK_ABSENT "not run (no checker module)"
#define CHECK_HINT                                                             \
	"VM entry failed: the rule-level diagnosis needs the vmcs_check "      \
	"module loaded with the image: flankctl load vmm.elf vmcs_check.elf"

/*
 * What the exit qualification of exit 33 says (SDM Vol. 3C 27.8), short:
 * the line must fit one ring record.
 */
static const char *guest_state_meaning(uint64_t qualification)
{
	switch (qualification) {
	case 2:
		return "PDPTE loading failed";
	case 3:
		return "NMI injection blocked by STI";
	case 4:
		return "invalid VMCS link pointer";
	default:
		return "invalid guest state";
	}
}

bool vmm_entry_diagnosable(vmx_result_t r, uint32_t exit_reason)
{
	if (r.outcome != VMX_FAIL_VALID)
		return false;
	if (r.error == VMXERR_ENTRY_INVALID_CONTROL ||
	    r.error == VMXERR_ENTRY_INVALID_HOST_STATE)
		return true;
	return r.error == 0 && (exit_reason & EXIT_REASON_ENTRY_FAILURE) &&
	       (exit_reason & 0xFFFFu) == EXIT_REASON_INVALID_GUEST_STATE;
}

void vmm_entry_diagnose(struct vmm_cpu *cpu, const char *insn, vmx_result_t r,
			uint32_t exit_reason, uint64_t qualification)
{
	const struct vmm_vmcs_checker *ck = vmm_vmcs_checker_get();
	struct vmm_vmcs_check_result res;
	char line[VMM_RING_TEXT_MAX + 1];
	size_t n;

	if (r.error != 0)
		n = vmm_snprintf(line, sizeof(line),
				 "VM entry failed: %s VMfailValid(%u) %s; "
				 "consistency check: ",
				 insn, r.error, vmm_vmx_error_name(r.error));
	else
		n = vmm_snprintf(
			line, sizeof(line),
			"VM entry failed: %s exit reason 0x%x "
			"qualification 0x%llx, %s; consistency check: ",
			insn, exit_reason, (unsigned long long)qualification,
			guest_state_meaning(qualification));
	if (ck != NULL) {
		(void)ck->check(&res);
		if (n < sizeof(line))
			(void)ck->describe(&res, line + n, sizeof(line) - n);
	} else if (n < sizeof(line)) {
		(void)vmm_snprintf(line + n, sizeof(line) - n, CHECK_ABSENT);
	}
	vmm_log(FLANK_LOG_ERROR, line);
	if (ck == NULL)
		vmm_log(FLANK_LOG_ERROR, CHECK_HINT);
	vmm_vmcs_dump(cpu->id, FLANK_LOG_ERROR, NULL);
	(void)vmm_console_write(cpu->id, FLANK_LOG_ERROR, line);
	if (ck == NULL)
		(void)vmm_console_write(cpu->id, FLANK_LOG_ERROR, CHECK_HINT);
}
