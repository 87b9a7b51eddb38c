/* SPDX-License-Identifier: GPL-2.0-only */
/* <stdarg.h> for the driver core in the kernel build: the kernel's own. */
#ifndef FLANK_COMPAT_STDARG_H
#define FLANK_COMPAT_STDARG_H

#ifndef __KERNEL__
#error "driver_linux/compat/ is for the kernel build only"
#endif

#include <linux/stdarg.h>

#endif /* FLANK_COMPAT_STDARG_H */
