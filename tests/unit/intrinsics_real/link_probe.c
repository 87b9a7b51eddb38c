// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Link probe (ctest unit.intrinsics_real_links_as_image): stand-ins for the
 * two callbacks libvmm provides to the exit entry, so that the WHOLE real
 * backend can be linked as an image with the image's link flags and checked
 * by scripts/check-image.sh. vmm.elf itself pulls backend objects only as
 * libvmm references them.
 */
#include "flank/intrinsics.h"

__attribute__((visibility("default"))) void *link_probe_entry(void);

enum intrin_exit_action vmm_exit_handler(struct intrin_exit_frame *frame,
					 void *cpu_ctx)
{
	(void)frame;
	(void)cpu_ctx;
	return INTRIN_EXIT_RESUME;
}

enum intrin_exit_action vmm_exit_resume_failed(struct intrin_exit_frame *frame,
					       void *cpu_ctx,
					       vmx_result_t result)
{
	(void)frame;
	(void)cpu_ctx;
	(void)result;
	return INTRIN_EXIT_LEAVE;
}

void *link_probe_entry(void)
{
	return (void *)(uintptr_t)intrin_vmexit_entry;
}
