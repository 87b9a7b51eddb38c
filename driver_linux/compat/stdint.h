/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * <stdint.h> for code shared between flank.ko and userspace (the loader,
 * the image ABI, the ioctl ABI, the driver core), used only inside the
 * kernel build: Kbuild puts driver_linux/compat/ first on the include path.
 *
 * Why not the compiler's own stdint.h (-isystem `gcc -print-file-name=
 * include`)? The kernel already typedefs uint64_t as `unsigned long long`
 * in <linux/types.h>, GCC's stdint.h as `unsigned long`: a file that sees
 * both (the driver glue includes Linux headers and the ABI headers) fails
 * to compile. Mapping the names onto the kernel's own types avoids two
 * definitions; both types are 64-bit, so the ABI is unchanged.
 */
#ifndef FLANK_COMPAT_STDINT_H
#define FLANK_COMPAT_STDINT_H

#ifndef __KERNEL__
#error "driver_linux/compat/ is for the kernel build only"
#endif

#include <linux/types.h>
#include <linux/limits.h>

#define UINT8_MAX U8_MAX
#define UINT16_MAX U16_MAX
#define UINT32_MAX U32_MAX
#define UINT64_MAX U64_MAX
#define INT8_MAX S8_MAX
#define INT16_MAX S16_MAX
#define INT32_MAX S32_MAX
#define INT64_MAX S64_MAX
#define INT32_MIN S32_MIN
#define INT64_MIN S64_MIN
#ifndef UINTPTR_MAX
#define UINTPTR_MAX ULONG_MAX
#endif
#define UINT32_C(x) x##U
#define UINT64_C(x) x##ULL
#define INT64_C(x) x##LL

#endif /* FLANK_COMPAT_STDINT_H */
