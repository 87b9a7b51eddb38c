/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Linux side of flank.ko: the kernel services behind the driver core's
 * ops table (kplat.c) and the image memory with per-page permissions
 * (kmap.c).
 */
#ifndef FLANK_LINUX_H
#define FLANK_LINUX_H

#include <linux/types.h>

#include "flank_core.h"

/** The ops table of the running kernel; host_cr3 is set by flank_kplat_init. */
extern struct flank_core_ops flank_kops;
/** Test hook (kplat.c): -1, or the CPU whose next image call sees CR4.VMXE set. */
extern int flank_test_busy_cpu;

/**
 * The kernel's crash callback, on the calling CPU (main.c): hands it to the
 * driver core (flank_core_crash_cpu) for the module's one core.
 */
void flank_crash_cpu_here(void);

/** Builds HOST_CR3 (kmap.c) and fills flank_kops; 0 or -errno. */
int flank_kplat_init(void);
/** Frees what flank_kplat_init built; @p leak keeps the HOST_CR3 page. */
void flank_kplat_exit(bool leak);

/** Image memory (kmap.c): see struct flank_core_ops. */
struct flank_image_mem *flank_kmap_reserve(void *ctx, size_t npages, void **rw,
					   void **final);
int flank_kmap_protect(void *ctx, struct flank_image_mem *mem,
		       const uint8_t *perm, size_t npages);
void flank_kmap_release(void *ctx, struct flank_image_mem *mem);

/**
 * HOST_CR3 page tables (kmap.c): the physical address of the even page of
 * an 8 KiB-aligned pair (bits 12:0 clear, PTI-safe), or 0 on failure.
 */
u64 flank_kmap_host_cr3_create(void);
void flank_kmap_host_cr3_destroy(void);
/** Copies the kernel's top-level entries again, in place (same HOST_CR3). */
void flank_kmap_host_cr3_refresh(void);
/** True if @p va is mapped through the HOST_CR3 table; never sleeps. */
bool flank_kmap_host_cr3_maps(u64 va);

/**
 * Signed images (ksig.c): the .flank keyring of compiled-in certificates
 * (init: 0 or -errno), and the ops behind verify_sig, sig_required and
 * taint_unsigned; flank_ksig_enforce() is the sig_policy parameter.
 */
int flank_ksig_init(void);
void flank_ksig_exit(void);
bool flank_ksig_enforce(void);
int flank_ksig_verify(void *ctx, const void *data, size_t len, const void *sig,
		      size_t sig_len);
u32 flank_ksig_required(void *ctx);
void flank_ksig_taint(void *ctx);

#endif /* FLANK_LINUX_H */
