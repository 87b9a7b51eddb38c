/* SPDX-License-Identifier: GPL-2.0-only */
/* <stdbool.h> for shared code in the kernel build: see compat/stdint.h. */
#ifndef FLANK_COMPAT_STDBOOL_H
#define FLANK_COMPAT_STDBOOL_H

#ifndef __KERNEL__
#error "driver_linux/compat/ is for the kernel build only"
#endif

#include <linux/types.h>
#include <linux/stddef.h>

#endif /* FLANK_COMPAT_STDBOOL_H */
