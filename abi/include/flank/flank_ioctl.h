/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file flank_ioctl.h
 * The ioctl ABI of /dev/flank, shared by the driver (flank.ko) and flankctl.
 *
 * Versioned: FLANK_IOC_VERSION returns FLANK_IOCTL_VERSION, and flankctl
 * refuses to talk to a driver whose version differs. Every structure has
 * fixed-width members and explicit padding, so that a 64-bit kernel and any
 * userspace agree on the layout; user pointers travel as uint64_t.
 *
 * Both sides include this header. Integer types come from <stdint.h>: in
 * userspace that is the C library's, inside the kernel the build puts
 * driver_linux/compat/ first on the include path, whose stdint.h maps the
 * names onto <linux/types.h> (the kernel defines uint32_t and friends there
 * already). One spelling therefore serves both sides and the image ABI
 * (image_abi.h, embedded below) which uses <stdint.h> as well. The ioctl
 * numbers come from <linux/ioctl.h> on both sides.
 *
 * Errors: an ioctl that fails returns -1 with errno set, and, when it got
 * far enough to copy its argument, fills the argument's struct flank_ioc_err
 * with the driver's status code and a human sentence (including libvmm's
 * own text when the VMM refused). flankctl prints that sentence.
 */
#ifndef FLANK_IOCTL_H
#define FLANK_IOCTL_H

#include <stdint.h>
#include <linux/ioctl.h>

#include "flank/image_abi.h"

/** Version of this ioctl ABI; bumped on any incompatible change. */
#define FLANK_IOCTL_VERSION 1u

/** Name of the device node under /dev. */
#define FLANK_DEVICE_NAME "flank"

/** Caps on what a caller may hand the driver (bytes or counts). */
#define FLANK_MODULE_MAX_BYTES (16u << 20) /**< One ELF file. */
#define FLANK_MODULES_MAX 8u		   /**< Image plus extensions. */
#define FLANK_STAGED_MAX_BYTES (32u << 20) /**< All staged files. */
#define FLANK_DUMP_MAX_BYTES (64u << 10)   /**< One dump read. */
#define FLANK_NAME_MAX 32u		   /**< Module name, with NUL. */
#define FLANK_ERR_TEXT_MAX 224u		   /**< Error text, with NUL. */

/** "No CPU" in fields that name a CPU. */
#define FLANK_NO_CPU 0xffffffffu

/**
 * Driver status codes: 0 is success. The driver maps each to an errno at
 * its edge; struct flank_ioc_err carries the code itself.
 */
enum flank_drv_status {
	FLANK_OK = 0,
	FLANK_E_PERM = 1,	   /**< Caller lacks CAP_SYS_ADMIN. */
	FLANK_E_BAD_IOCTL = 2,	   /**< Unknown ioctl number. */
	FLANK_E_FAULT = 3,	   /**< A user pointer could not be copied. */
	FLANK_E_INVAL = 4,	   /**< A reserved field is not zero, ... */
	FLANK_E_TOO_BIG = 5,	   /**< A size exceeds its cap. */
	FLANK_E_TOO_MANY = 6,	   /**< More than FLANK_MODULES_MAX. */
	FLANK_E_NO_MEMORY = 7,	   /**< The kernel is out of memory. */
	FLANK_E_NO_MODULES = 8,	   /**< Load with nothing added. */
	FLANK_E_LOADED = 9,	   /**< An image is loaded already. */
	FLANK_E_NOT_LOADED = 10,   /**< No image is loaded. */
	FLANK_E_RUNNING = 11,	   /**< The VMM is running. */
	FLANK_E_NOT_RUNNING = 12,  /**< The VMM is not running. */
	FLANK_E_CORRUPT = 13,	   /**< A stop failed earlier. */
	FLANK_E_ELF = 14,	   /**< The loader rejected a module. */
	FLANK_E_BAD_ENTRY = 15,	   /**< The image's entry table is unusable. */
	FLANK_E_ABI_VERSION = 16,  /**< Image ABI version mismatch. */
	FLANK_E_VMM = 17,	   /**< The VMM returned an error. */
	FLANK_E_NO_VMX = 18,	   /**< The CPU has no usable VT-x. */
	FLANK_E_BAD_CPU = 19,	   /**< CPU number out of range / offline. */
	FLANK_E_CPU_CALL = 20,	   /**< Could not run code on a CPU. */
	FLANK_E_NO_ENDBR = 21,	   /**< IBT on, no ENDBR64 at a callee. */
	FLANK_E_UNSUPPORTED = 22,  /**< Kernel feature not supported (FRED). */
	FLANK_E_SUSPENDING = 23,   /**< Suspend or hibernation under way. */
	FLANK_E_UNMAPPED = 24,	   /**< A VMM page is not in HOST_CR3. */
	FLANK_E_IMAGE_SIZE = 25,   /**< Modules exceed the image mapping. */
	FLANK_E_UNSIGNED = 26,	   /**< Policy needs a signature: none. */
	FLANK_E_BAD_SIG = 27,	   /**< The signature does not verify. */
	FLANK_E_STACK_GUARD = 28,  /**< A host stack's guard is mapped. */
	FLANK_E_STATUS_COUNT = 29, /**< Number of codes (not a code). */
};

/**
 * What the driver found about one file's appended signature (the kernel
 * module format: PKCS#7 + struct module_signature + "~Module signature
 * appended~\n", as scripts/sign-file writes it), reported in
 * flank_ioc_module.sig_state. docs/signing.md explains each.
 */
enum flank_sig_state {
	FLANK_SIG_UNCHECKED = 0, /**< Not looked at (input value). */
	FLANK_SIG_VERIFIED = 1,	 /**< Verified against a trusted key. */
	FLANK_SIG_MISSING = 2,	 /**< The file carries no signature. */
	FLANK_SIG_BAD = 3,	 /**< A signature that does not verify. */
};

/** Why a signature is missing or bad (flank_ioc_module.sig_reason). */
enum flank_sig_reason {
	FLANK_SIGR_OK = 0,	    /**< Verified. */
	FLANK_SIGR_NO_TRAILER = 1,  /**< No "~Module signature appended~". */
	FLANK_SIGR_TRUNCATED = 2,   /**< Magic, but no room for the header. */
	FLANK_SIGR_LENGTH = 3,	    /**< sig_len runs past the file start. */
	FLANK_SIGR_FORMAT = 4,	    /**< Header fields the format forbids. */
	FLANK_SIGR_UNSUPPORTED = 5, /**< Not PKCS#7, or unknown algorithm. */
	FLANK_SIGR_UNKNOWN_KEY = 6, /**< Signed by a key nobody trusts. */
	FLANK_SIGR_MISMATCH = 7,    /**< Does not verify over these bytes. */
	FLANK_SIGR_ERROR = 8,	    /**< Another kernel error. */
	FLANK_SIGR_COUNT = 9,	    /**< Number of reasons (not one). */
};

/** Where a failure came from (struct flank_ioc_err.source). */
enum flank_err_source {
	FLANK_SRC_NONE = 0,
	FLANK_SRC_DRIVER = 1, /**< code is an enum flank_drv_status. */
	FLANK_SRC_LOADER = 2, /**< detail is the loader's status code. */
	FLANK_SRC_VMM = 3,    /**< detail is libvmm's enum vmm_status. */
};

/** Error report filled by the driver when an ioctl fails. */
struct flank_ioc_err {
	int32_t code;	/**< enum flank_drv_status. */
	int32_t source; /**< enum flank_err_source. */
	int32_t detail; /**< Loader or VMM status, see source. */
	uint32_t cpu;	/**< CPU concerned, or FLANK_NO_CPU. */
	char text
		[FLANK_ERR_TEXT_MAX]; /**< The error in words, NUL-terminated. */
};

/** FLANK_IOC_VERSION: what the driver speaks. */
struct flank_ioc_version {
	struct flank_ioc_err err;   /**< Filled when the ioctl fails. */
	uint32_t ioctl_version;	    /**< FLANK_IOCTL_VERSION. */
	uint32_t image_abi_version; /**< FLANK_IMAGE_ABI_VERSION. */
	uint32_t driver_version;    /**< 0x00MMmmpp. */
	uint32_t reserved;	    /**< 0. */
};

/** FLANK_IOC_ADD_MODULE: stage one ELF file (the first is the image). */
struct flank_ioc_module {
	struct flank_ioc_err err;  /**< Filled when the ioctl fails. */
	uint64_t data;		   /**< User address of the bytes. */
	uint64_t size;		   /**< 1 .. FLANK_MODULE_MAX_BYTES. */
	char name[FLANK_NAME_MAX]; /**< For messages; NUL-terminated. */
	uint32_t flags;		   /**< Must be 0. */
	/** In: 0. Out: enum flank_sig_state of the file. */
	uint16_t sig_state;
	/** In: 0. Out: enum flank_sig_reason of the file. */
	uint16_t sig_reason;
};

/** FLANK_IOC_LOAD, _UNLOAD, _START, _STOP: no input beyond the header. */
struct flank_ioc_cmd {
	struct flank_ioc_err err; /**< Filled when the ioctl fails. */
	uint32_t flags;		  /**< Must be 0. */
	uint32_t reserved;	  /**< Must be 0. */
};

/** Driver-side state, as FLANK_IOC_STATUS reports it. */
enum flank_drv_state {
	FLANK_DRV_EMPTY = 0,   /**< Nothing staged or loaded. */
	FLANK_DRV_STAGED = 1,  /**< Modules added, not linked yet. */
	FLANK_DRV_LOADED = 2,  /**< Image linked and initialised. */
	FLANK_DRV_RUNNING = 3, /**< Every online CPU virtualised. */
	FLANK_DRV_CORRUPT = 4, /**< A stop failed: nothing is freed. */
};

/** FLANK_IOC_STATUS: the whole picture except per-CPU detail. */
struct flank_ioc_status {
	struct flank_ioc_err err; /**< Filled when the ioctl fails. */
	uint32_t state;		  /**< enum flank_drv_state. */
	uint32_t vmm_state;	  /**< enum flank_vmm_state (image's view). */
	uint32_t cpu_count;	  /**< Possible CPUs (ids 0 .. n-1). */
	uint32_t online_count;	  /**< CPUs online now. */
	uint32_t module_count;	  /**< Staged or linked modules. */
	uint32_t image_version;	  /**< Image's Flank version, 0 if none. */
	uint64_t image_bytes;	  /**< Size of the image mapping. */
};

/** FLANK_IOC_CPU_STATUS: one CPU's state. */
struct flank_ioc_cpu_status {
	struct flank_ioc_err err;	/**< Filled when the ioctl fails. */
	uint32_t cpu;			/**< In: CPU number. */
	uint32_t online;		/**< Out: 1 if the CPU is online. */
	struct flank_cpu_status status; /**< Out: the image's view. */
};

/** FLANK_IOC_STATS: exits per basic exit reason on one CPU. */
struct flank_ioc_stats {
	struct flank_ioc_err err;      /**< Filled when the ioctl fails. */
	uint32_t cpu;		       /**< In: CPU number. */
	uint32_t reserved;	       /**< Must be 0. */
	struct flank_exit_stats stats; /**< Out: the counters. */
};

/** FLANK_IOC_DUMP: read debug-ring text. */
struct flank_ioc_dump {
	struct flank_ioc_err err; /**< Filled when the ioctl fails. */
	uint64_t pos;	 /**< In/out: ring position (0 = oldest held). */
	uint64_t buf;	 /**< User address of the buffer. */
	uint32_t len;	 /**< In: 1 .. FLANK_DUMP_MAX_BYTES. */
	uint32_t copied; /**< Out: bytes written to buf. */
};

/** FLANK_IOC_CHECK: the compatibility report. */
struct flank_ioc_check {
	struct flank_ioc_err err; /**< Filled when the ioctl fails. */
	/** Checks the driver runs itself on every online CPU. */
	struct flank_check_report host;
	/** The image's own checks (vmm_check); valid if image_ran. */
	struct flank_check_report image;
	uint32_t image_ran; /**< 1 if an image was loaded and ran check. */
	uint32_t reserved;  /**< 0. */
};

/** The ioctl type byte of /dev/flank. */
#define FLANK_IOC_MAGIC 0xF1

/**
 * The ioctl request numbers, one per command, each with the structure it
 * takes (see the structure of the same name). @{
 */
#define FLANK_IOC_VERSION _IOR(FLANK_IOC_MAGIC, 0, struct flank_ioc_version)
#define FLANK_IOC_ADD_MODULE _IOWR(FLANK_IOC_MAGIC, 1, struct flank_ioc_module)
#define FLANK_IOC_LOAD _IOWR(FLANK_IOC_MAGIC, 2, struct flank_ioc_cmd)
#define FLANK_IOC_UNLOAD _IOWR(FLANK_IOC_MAGIC, 3, struct flank_ioc_cmd)
#define FLANK_IOC_START _IOWR(FLANK_IOC_MAGIC, 4, struct flank_ioc_cmd)
#define FLANK_IOC_STOP _IOWR(FLANK_IOC_MAGIC, 5, struct flank_ioc_cmd)
#define FLANK_IOC_STATUS _IOWR(FLANK_IOC_MAGIC, 6, struct flank_ioc_status)
#define FLANK_IOC_CPU_STATUS                                                   \
	_IOWR(FLANK_IOC_MAGIC, 7, struct flank_ioc_cpu_status)
#define FLANK_IOC_STATS _IOWR(FLANK_IOC_MAGIC, 8, struct flank_ioc_stats)
#define FLANK_IOC_DUMP _IOWR(FLANK_IOC_MAGIC, 9, struct flank_ioc_dump)
#define FLANK_IOC_CHECK _IOWR(FLANK_IOC_MAGIC, 10, struct flank_ioc_check)
/** @} */

/* The layout is part of the ABI: a change here must bump the version. */
_Static_assert(sizeof(struct flank_ioc_err) == 240, "flank_ioc_err layout");
_Static_assert(sizeof(struct flank_ioc_module) == 296,
	       "flank_ioc_module layout");
_Static_assert(sizeof(struct flank_ioc_status) == 272,
	       "flank_ioc_status layout");
_Static_assert(sizeof(struct flank_ioc_cpu_status) == 280,
	       "flank_ioc_cpu_status layout");
_Static_assert(sizeof(struct flank_ioc_stats) == 256 + 8 * FLANK_EXIT_REASONS,
	       "flank_ioc_stats layout");
_Static_assert(sizeof(struct flank_ioc_dump) == 264, "flank_ioc_dump layout");

#endif /* FLANK_IOCTL_H */
