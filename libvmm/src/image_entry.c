// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The image ABI entry table (flank/image_abi.h), exported from vmm.elf as
 * FLANK_IMAGE_ENTRY_SYMBOL. It lives in libvmm.a, not in libvmm/image, so
 * that the tests call the very table the image exports.
 */
#include "flank/vmm_console.h"
#include "flank/vmm_version.h"
#include "vmm_internal.h"

#define FLANK_EXPORT __attribute__((visibility("default")))

static int entry_check(struct flank_check_report *report)
{
	return vmm_check(report);
}

/*
 * The status's name: the sentences stay with the hosts (flank.ko's
 * core/vmm_texts.c), which keeps 4.6 KB of read-only data out of vmm.elf.
 */
static const char *entry_status_str(int status)
{
	return vmm_status_name(status);
}

FLANK_EXPORT const struct flank_image_entry flank_image_entry = {
	.abi_version = FLANK_IMAGE_ABI_VERSION,
	.size = sizeof(struct flank_image_entry),
	.version = FLANK_VERSION,
	.init = vmm_init,
	.fini = vmm_fini,
	.check = entry_check,
	.start_all = vmm_start_all,
	.stop_all = vmm_stop_all,
	.start_cpu = vmm_start_cpu,
	.stop_cpu = vmm_stop_cpu,
	.state = vmm_state,
	.cpu_status = vmm_cpu_status,
	.exit_stats = vmm_exit_stats,
	.ring_read = vmm_query_ring_read,
	.status_str = entry_status_str,
	.crash_cpu = vmm_crash_cpu,
};
