// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signed images: the verification of a file's appended signature (its
 * trailer is found by core/sigtrailer.c) and the policy that decides
 * whether a file without a verified one may be loaded. The signature
 * covers the ELF bytes only, and the loader gets only those.
 *
 * The policy follows the kernel's module loader (module_sig_check()): a
 * signature that is missing, uses an unsupported algorithm or comes from a
 * key the kernel does not know is let through (with a taint) unless the
 * kernel is locked down, module.sig_enforce is on or sig_policy=enforce;
 * a trailer that is corrupt or a signature that does not match the bytes
 * is refused always: that file was tampered with or damaged.
 */
#include <errno.h>
#include <stdio.h>

#include "flank_core.h"
#include "flank_sigtrailer.h"

static void set(struct flank_module *mod, unsigned int state,
		unsigned int reason)
{
	mod->sig_state = (uint16_t)state;
	mod->sig_reason = (uint16_t)reason;
}

/* The kernel's verdicts (verify_pkcs7_signature()) as reasons. */
static unsigned int reason_of_errno(int e)
{
	switch (e) {
	case -ENOKEY:
		return FLANK_SIGR_UNKNOWN_KEY;
	case -EKEYREJECTED:
	case -EBADMSG:
		return FLANK_SIGR_MISMATCH;
	case -ENOPKG:
		return FLANK_SIGR_UNSUPPORTED;
	default:
		return FLANK_SIGR_ERROR;
	}
}

void flank_sig_check(struct flank_core *core, struct flank_module *mod)
{
	struct flank_sig_trailer t;
	unsigned int reason;
	int rc;

	mod->sig_errno = 0;
	reason = flank_sig_find(mod->bytes, mod->size, &t);
	if (reason != FLANK_SIGR_OK) {
		set(mod,
		    reason == FLANK_SIGR_NO_TRAILER ? FLANK_SIG_MISSING
						    : FLANK_SIG_BAD,
		    reason);
		return;
	}
	rc = core->ops->verify_sig(core->ops->ctx, mod->bytes, t.elf_size,
				   (const uint8_t *)mod->bytes + t.elf_size,
				   t.sig_len);
	/* The loader gets the ELF bytes whatever the verdict. */
	mod->size = t.elf_size;
	if (rc == 0) {
		set(mod, FLANK_SIG_VERIFIED, FLANK_SIGR_OK);
		return;
	}
	mod->sig_errno = rc;
	set(mod, FLANK_SIG_BAD, reason_of_errno(rc));
}

/* The reasons the kernel's module loader lets through when not enforcing. */
static bool soft_failure(const struct flank_module *mod)
{
	if (mod->sig_state == FLANK_SIG_MISSING)
		return true;
	return mod->sig_state == FLANK_SIG_BAD &&
	       (mod->sig_reason == FLANK_SIGR_UNKNOWN_KEY ||
		mod->sig_reason == FLANK_SIGR_UNSUPPORTED);
}

/* Who demands signatures, for the refusal text. */
static const char *who_requires(uint32_t req, bool param)
{
	if (req & FLANK_SIG_REQ_LOCKDOWN)
		return "the kernel is locked down";
	if (req & FLANK_SIG_REQ_MODULE_SIG)
		return "module.sig_enforce is on";
	if (param)
		return "sig_policy=enforce";
	return "it was tampered with or damaged";
}

/* The outcome as the kernel log and the error text give it. */
static void describe(const struct flank_module *mod, char *out, size_t max)
{
	if (mod->sig_errno)
		snprintf(out, max, "%s (%s, error %d)",
			 flank_sig_state_str(mod->sig_state),
			 flank_sig_reason_str(mod->sig_reason), mod->sig_errno);
	else
		snprintf(out, max, "%s (%s)",
			 flank_sig_state_str(mod->sig_state),
			 flank_sig_reason_str(mod->sig_reason));
}

int flank_sig_policy(struct flank_core *core, struct flank_ioc_err *err)
{
	uint32_t req = 0;
	bool asked = false;
	char what[128];
	uint32_t i;

	core->sig_taint = false;
	for (i = 0; i < core->nmods; i++) {
		const struct flank_module *mod = &core->mod[i];

		describe(mod, what, sizeof(what));
		if (mod->sig_state == FLANK_SIG_VERIFIED) {
			flank_log(core, FLANK_LOG_INFO, "%s: %s", mod->name,
				  what);
			continue;
		}
		/* Asked once, and only for an unverified file: under
		 * lockdown the kernel logs every question. */
		if (!asked) {
			req = core->ops->sig_required(core->ops->ctx);
			asked = true;
		}
		if (req == 0 && !core->sig_enforce && soft_failure(mod)) {
			flank_log(core, FLANK_LOG_WARN,
				  "%s: %s: loading it anyway (sig_policy=warn) "
				  "and tainting the kernel",
				  mod->name, what);
			core->sig_taint = true;
			continue;
		}
		return flank_fail(
			err,
			mod->sig_state == FLANK_SIG_MISSING ? FLANK_E_UNSIGNED
							    : FLANK_E_BAD_SIG,
			FLANK_SRC_DRIVER, mod->sig_reason, FLANK_NO_CPU,
			"%s: %s; refused: %s. Sign it with sign-file and a "
			"key the kernel trusts (docs/signing.md)",
			mod->name, what, who_requires(req, core->sig_enforce));
	}
	return FLANK_OK;
}

void flank_sig_taint(struct flank_core *core)
{
	if (!core->sig_taint)
		return;
	core->sig_taint = false;
	core->ops->taint_unsigned(core->ops->ctx);
}
