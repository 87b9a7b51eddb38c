// SPDX-License-Identifier: GPL-2.0-only
/*
 * Driver status codes: the human text flankctl prints, and the errno the
 * module returns at its edge (STYLE.md: one status enum with a string per
 * value, mapped to -errno at the edge).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flank_core.h"

static const struct {
	const char *text;
	int err;
} status_table[FLANK_E_STATUS_COUNT] = {
	[FLANK_OK] = {"success", 0},
	[FLANK_E_PERM] = {"permission denied: /dev/flank needs CAP_SYS_ADMIN "
			  "(run as root)",
			  EPERM},
	[FLANK_E_BAD_IOCTL] = {"unknown ioctl: flankctl and flank.ko do not "
			       "match, install both from one build",
			       ENOTTY},
	[FLANK_E_FAULT] = {"bad user address in the ioctl argument", EFAULT},
	[FLANK_E_INVAL] = {"invalid ioctl argument", EINVAL},
	[FLANK_E_TOO_BIG] = {"too large", EFBIG},
	[FLANK_E_TOO_MANY] = {"too many modules", ENOSPC},
	[FLANK_E_NO_MEMORY] = {"the kernel is out of memory", ENOMEM},
	[FLANK_E_NO_MODULES] = {"nothing to load: add the image first",
				ENODATA},
	[FLANK_E_LOADED] = {"an image is already loaded: unload it first",
			    EEXIST},
	[FLANK_E_NOT_LOADED] = {"no image is loaded: load one first", ENOENT},
	[FLANK_E_RUNNING] = {"the VMM is running: stop it first", EBUSY},
	[FLANK_E_NOT_RUNNING] = {"the VMM is not running", EALREADY},
	[FLANK_E_CORRUPT] = {"a stop failed earlier: the image and flank.ko "
			     "stay in memory until reboot",
			     EIO},
	[FLANK_E_ELF] = {"the ELF loader rejected the module", ENOEXEC},
	[FLANK_E_BAD_ENTRY] = {"the image's entry table is unusable", ENOEXEC},
	[FLANK_E_ABI_VERSION] = {"the image was built for another image ABI "
				 "version: rebuild vmm.elf and flank.ko "
				 "together",
				 EPROTO},
	[FLANK_E_VMM] = {"the VMM reported an error", EIO},
	[FLANK_E_NO_VMX] = {"this machine cannot run Flank: no usable Intel "
			    "VT-x",
			    ENODEV},
	[FLANK_E_BAD_CPU] = {"no such CPU", ENXIO},
	[FLANK_E_CPU_CALL] = {"could not run code on a CPU", ENXIO},
	[FLANK_E_NO_ENDBR] = {"this kernel enforces indirect-branch tracking "
			      "(IBT) and a function the driver would call "
			      "does not start with ENDBR64: build the module "
			      "with -fcf-protection=branch -fno-jump-tables",
			      ENOEXEC},
	[FLANK_E_UNSUPPORTED] =
		{"this kernel uses a CPU feature Flank does not "
		 "support yet: `flankctl check` names it and "
		 "the boot option that turns it off",
		 EOPNOTSUPP},
	[FLANK_E_SUSPENDING] = {"the system is suspending, hibernating or "
				"resuming: start Flank again after resume",
				EAGAIN},
	[FLANK_E_UNMAPPED] = {"a page of the VMM is not mapped in flank.ko's "
			      "HOST_CR3 page tables (memory hot-added or "
			      "removed meanwhile?): run `flankctl start` "
			      "again; if it fails again, unload and load the "
			      "image",
			      EADDRNOTAVAIL},
	[FLANK_E_IMAGE_SIZE] = {"the modules together are larger in memory "
				"than the 32 MiB flank.ko maps for one "
				"image: load fewer or smaller modules",
				EFBIG},
	[FLANK_E_UNSIGNED] = {"the file has no signature and this kernel "
			      "requires one: sign it with sign-file "
			      "(docs/signing.md)",
			      EKEYREJECTED},
	[FLANK_E_BAD_SIG] = {"the file's signature does not verify "
			     "against any trusted key: sign it again "
			     "(docs/signing.md)",
			     EKEYREJECTED},
	[FLANK_E_STACK_GUARD] = {"a host stack of the VMM has no unmapped "
				 "guard page below it, or is itself not "
				 "mapped in HOST_CR3 (a flank.ko bug, please "
				 "report it)",
				 EFAULT},
};

const char *flank_status_str(int status)
{
	if (status < 0 || status >= (int)FLANK_E_STATUS_COUNT)
		return "unknown driver status";
	return status_table[status].text;
}

int flank_status_errno(int status)
{
	if (status < 0 || status >= (int)FLANK_E_STATUS_COUNT)
		return -EIO;
	return -status_table[status].err;
}

void flank_strlcpy(char *dst, const char *s, size_t max)
{
	size_t n;

	if (max == 0)
		return;
	n = s ? strnlen(s, max - 1) : 0;
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

void flank_printable_copy(char *dst, const char *s, size_t max)
{
	size_t i;

	if (max == 0)
		return;
	for (i = 0; s && s[i] && i + 1 < max; i++) {
		char c = s[i];

		/* Signed or not, bytes >= 0x80 fall outside 0x21..0x7e. */
		if (c <= 0x20 || c >= 0x7f)
			c = '?';
		dst[i] = c;
	}
	dst[i] = '\0';
}

int flank_fail(struct flank_ioc_err *err, int code, int source, int detail,
	       uint32_t cpu, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	err->source = source;
	err->detail = detail;
	err->cpu = cpu;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return code;
}
