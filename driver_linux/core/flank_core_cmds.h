/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ioctl handlers of the driver core. Each is called with the core's
 * mutex held and with its argument already copied into kernel memory (and
 * any user memory it needs, core->call); it
 * returns 0 or a positive enum flank_drv_status and may fill the argument's
 * error block with a more precise sentence.
 */
#ifndef FLANK_CORE_CMDS_H
#define FLANK_CORE_CMDS_H

#include "flank_core.h"

int flank_cmd_add_module(struct flank_core *core, void *arg);
/**
 * Before the lock: copies the module bytes of an ADD_MODULE argument
 * into @p call (flank_call.in), if its flags and size are valid.
 */
void flank_prefetch_add_module(struct flank_core *core, struct flank_call *call,
			       const void *arg);
/** After the lock: copies out what DUMP left in @p call. */
int flank_finish_dump(struct flank_core *core, struct flank_call *call,
		      void *arg, int rc);
int flank_cmd_load(struct flank_core *core, void *arg);
int flank_cmd_unload(struct flank_core *core, void *arg);
int flank_cmd_start(struct flank_core *core, void *arg);
int flank_cmd_stop(struct flank_core *core, void *arg);
int flank_cmd_status(struct flank_core *core, void *arg);
int flank_cmd_cpu_status(struct flank_core *core, void *arg);
int flank_cmd_stats(struct flank_core *core, void *arg);
int flank_cmd_dump(struct flank_core *core, void *arg);
int flank_cmd_check(struct flank_core *core, void *arg);

#endif /* FLANK_CORE_CMDS_H */
