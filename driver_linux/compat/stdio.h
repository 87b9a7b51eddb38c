/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * <stdio.h> for the driver core in the kernel build: only snprintf and
 * vsnprintf are used, which the kernel provides with the same contract.
 */
#ifndef FLANK_COMPAT_STDIO_H
#define FLANK_COMPAT_STDIO_H

#ifndef __KERNEL__
#error "driver_linux/compat/ is for the kernel build only"
#endif

#include <linux/kernel.h>

#endif /* FLANK_COMPAT_STDIO_H */
