/* SPDX-License-Identifier: GPL-2.0-only */
/* <string.h> for shared code in the kernel build: the kernel's own. */
#ifndef FLANK_COMPAT_STRING_H
#define FLANK_COMPAT_STRING_H

#ifndef __KERNEL__
#error "driver_linux/compat/ is for the kernel build only"
#endif

#include <linux/string.h>

#endif /* FLANK_COMPAT_STRING_H */
