/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * <errno.h> for the driver core in the kernel build: the E* numbers are the
 * same in <linux/errno.h> and in the C library on Linux.
 */
#ifndef FLANK_COMPAT_ERRNO_H
#define FLANK_COMPAT_ERRNO_H

#ifndef __KERNEL__
#error "driver_linux/compat/ is for the kernel build only"
#endif

#include <linux/errno.h>

#endif /* FLANK_COMPAT_ERRNO_H */
