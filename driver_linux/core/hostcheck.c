// SPDX-License-Identifier: GPL-2.0-only
/*
 * The driver's own VT-x checks, run on every online CPU before an image may
 * start and reported by `flankctl check` even when no image is loaded. They
 * are deliberately few: the image's vmm_check is the full report; these
 * exist so that a CPU without VT-x is refused by the driver itself, because
 * VMXON there raises #UD in ring 0 (SDM Vol. 3C 24.6, 24.7), and so that a
 * kernel the image cannot run under (FRED) is refused before any CPU
 * enters VMX operation.
 */
#include <stdio.h>
#include <string.h>

#include "flank_core.h"

#define CPUID1_ECX_VMX (1u << 5)	 /* SDM Vol. 3C 24.6 */
#define CPUID1_ECX_HYPERVISOR (1u << 31) /* Reserved for hypervisors. */
#define FC_LOCK (1ull << 0)		 /* SDM Vol. 3C 24.7 */
#define FC_VMX_OUTSIDE_SMX (1ull << 2)	 /* SDM Vol. 3C 24.7 */
#define CR4_VMXE (1ull << 13)		 /* SDM Vol. 3C 24.7 */
/*
 * CR4.FRED, bit 32 (Intel FRED specification, rev. 7.0, 4.1; Linux's
 * X86_CR4_FRED, set by 6.9+ on CPUs that enumerate FRED, on by default
 * from 7.1 when CONFIG_X86_FRED=y). With FRED the CPU delivers events
 * through IA32_FRED_CONFIG instead of the IDT: the VMM's safe RDMSR/WRMSR,
 * which catch #GP on a private IDT, would hand the #GP to Linux's FRED
 * entry in VMX root instead, and the VMCS the VMM builds has no FRED
 * guest/host state (the FRED VM-entry/exit controls), so a VM exit would
 * leave the host's FRED MSRs to chance.
 */
#define CR4_FRED (1ull << 32)

enum host_check_id {
	HC_VMX_CPUID = 0,
	HC_FEATURE_CONTROL = 1,
	HC_VMX_FREE = 2,
	HC_CPUS = 3,
	HC_FRED = 4, /* After cpus: ids already reported stay as they were. */
	HC_COUNT = 5,
};

static const char *const hc_name[HC_COUNT] = {
	[HC_VMX_CPUID] = "vmx-cpuid", [HC_FEATURE_CONTROL] = "feature-control",
	[HC_VMX_FREE] = "vmx-free",   [HC_CPUS] = "cpus",
	[HC_FRED] = "fred",
};

/*
 * Marks item @p id failed (first failure wins) with a sentence: status
 * FLANK_E_NO_VMX for the VT-x items, FLANK_E_UNSUPPORTED for a kernel
 * feature the VMM cannot run under (hc_status).
 */
static void hc_fail(struct flank_check_report *r, unsigned int id,
		    const char *text)
{
	struct flank_check_item *it = &r->item[id];

	if (it->status)
		return;
	it->status = id == HC_FRED ? FLANK_E_UNSUPPORTED : FLANK_E_NO_VMX;
	flank_strlcpy(it->text, text, sizeof(it->text));
	r->failed++;
}

static void check_one_cpu(struct flank_core *core, uint32_t cpu,
			  const struct flank_cpu_probe *p,
			  struct flank_check_report *r)
{
	char text[160];

	/* First: it holds for CPUs without VT-x too. */
	if (p->cr4 & CR4_FRED) {
		snprintf(text, sizeof(text),
			 "CR4.FRED is set on CPU %u: this kernel uses FRED "
			 "(Flexible Return and Event Delivery), which Flank "
			 "does not support yet; boot with fred=off",
			 cpu);
		hc_fail(r, HC_FRED, text);
	}
	if (!(p->cpuid1_ecx & CPUID1_ECX_VMX)) {
		snprintf(text, sizeof(text),
			 "CPUID.1:ECX.VMX[bit 5] is 0 on CPU %u (%s): no Intel "
			 "VT-x%s",
			 cpu, p->vendor,
			 (p->cpuid1_ecx & CPUID1_ECX_HYPERVISOR)
				 ? "; under a hypervisor, enable nested VT-x"
				 : "; Flank cannot run on this CPU");
		hc_fail(r, HC_VMX_CPUID, text);
		snprintf(text, sizeof(text), "not checked: no VT-x");
		flank_strlcpy(r->item[HC_FEATURE_CONTROL].text, text,
			      sizeof(r->item[0].text));
		return;
	}
	if (!p->fc_readable) {
		snprintf(text, sizeof(text),
			 "IA32_FEATURE_CONTROL cannot be read on CPU %u", cpu);
		hc_fail(r, HC_FEATURE_CONTROL, text);
	} else if ((p->feature_control & FC_LOCK) &&
		   !(p->feature_control & FC_VMX_OUTSIDE_SMX)) {
		snprintf(text, sizeof(text),
			 "VT-x is disabled in firmware (IA32_FEATURE_CONTROL="
			 "%#llx on CPU %u): enable 'Intel Virtualization "
			 "Technology' in the BIOS setup",
			 (unsigned long long)p->feature_control, cpu);
		hc_fail(r, HC_FEATURE_CONTROL, text);
	}
	if (core->state != FLANK_DRV_RUNNING && (p->cr4 & CR4_VMXE)) {
		snprintf(text, sizeof(text),
			 "CR4.VMXE is already set on CPU %u: another "
			 "hypervisor (kvm_intel?) uses VT-x; unload it first",
			 cpu);
		hc_fail(r, HC_VMX_FREE, text);
	}
}

void flank_host_check(struct flank_core *core, struct flank_check_report *r)
{
	const struct flank_core_ops *ops = core->ops;
	uint32_t n = ops->cpu_count(ops->ctx);
	uint32_t cpu, online = 0, probed = 0;
	struct flank_cpu_probe p;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->count = HC_COUNT;
	for (i = 0; i < HC_COUNT; i++) {
		r->item[i].id = i;
		flank_strlcpy(r->item[i].name, hc_name[i],
			      sizeof(r->item[i].name));
	}
	for (cpu = 0; cpu < n; cpu++) {
		if (!ops->cpu_online(ops->ctx, cpu))
			continue;
		online++;
		memset(&p, 0, sizeof(p));
		if (ops->probe_cpu(ops->ctx, cpu, &p) < 0)
			continue; /* Went offline meanwhile. */
		p.vendor[sizeof(p.vendor) - 1] = '\0';
		probed++;
		check_one_cpu(core, cpu, &p, r);
	}
	if (!r->item[HC_VMX_CPUID].status)
		flank_strlcpy(r->item[HC_VMX_CPUID].text,
			      "CPUID reports VT-x on every online CPU",
			      sizeof(r->item[0].text));
	if (!r->item[HC_FEATURE_CONTROL].status &&
	    !r->item[HC_FEATURE_CONTROL].text[0])
		flank_strlcpy(r->item[HC_FEATURE_CONTROL].text,
			      "VT-x is enabled in firmware, or unlocked",
			      sizeof(r->item[0].text));
	if (!r->item[HC_VMX_FREE].status)
		flank_strlcpy(r->item[HC_VMX_FREE].text,
			      core->state == FLANK_DRV_RUNNING
				      ? "Flank itself holds VT-x"
				      : "no other hypervisor holds VT-x",
			      sizeof(r->item[0].text));
	if (!r->item[HC_FRED].status)
		flank_strlcpy(r->item[HC_FRED].text,
			      "CR4.FRED is clear on every online CPU: events "
			      "go through the IDT",
			      sizeof(r->item[0].text));
	if (probed == 0 || probed != online) {
		snprintf(r->item[HC_CPUS].text, sizeof(r->item[0].text),
			 "probed %u of %u online CPUs", probed, online);
		r->item[HC_CPUS].status = FLANK_E_CPU_CALL;
		r->failed++;
	} else {
		snprintf(r->item[HC_CPUS].text, sizeof(r->item[0].text),
			 "%u of %u possible CPUs online, all probed", online,
			 n);
	}
}

int flank_host_ready(struct flank_core *core, struct flank_ioc_err *err)
{
	struct flank_check_report *r;
	unsigned int i;
	int rc = FLANK_OK;

	r = core->ops->alloc(core->ops->ctx, sizeof(*r));
	if (!r)
		return FLANK_E_NO_MEMORY;
	flank_host_check(core, r);
	for (i = 0; i < r->count; i++) {
		if (r->item[i].status) {
			rc = flank_fail(err, r->item[i].status,
					FLANK_SRC_DRIVER, (int32_t)i,
					FLANK_NO_CPU,
					"this machine cannot run Flank: %s",
					r->item[i].text);
			break;
		}
	}
	core->ops->free(core->ops->ctx, r);
	return rc;
}
