// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flankctl's commands that act (check, load, unload, start, stop) and
 * dump, and the ioctl helpers every command uses. Every failure is printed
 * as a sentence (the driver's own text when it gave one) and maps to one
 * documented exit code.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "flank_sigtrailer.h"
#include "json.h"
#include "sigfile.h"

/*
 * The extension module `load` adds when given the image alone: libvmm's
 * VMCS consistency checker, which names the failing rule of a failed VM
 * entry. It is not in vmm.elf (issue #6: the image's size), but installed
 * next to it.
 */
#define VMCS_CHECK_MODULE "vmcs_check.elf"
#define NO_VMCS_CHECK "--no-vmcs-check"

/* ----------------------------------------------------------------- ioctls */

/** Prints a failed ioctl: the driver's sentence, else errno's. */
int ctl_report(struct ctl *c, int rc, const struct flank_ioc_err *e)
{
	if (e && e->text[0]) {
		fprintf(c->err, "flankctl: %s: %.*s\n", c->cmd,
			(int)sizeof(e->text), e->text);
	} else if (rc == -EPERM || rc == -EACCES) {
		fprintf(c->err,
			"flankctl: %s: %s: /dev/flank needs root "
			"(CAP_SYS_ADMIN)\n",
			c->cmd, strerror(-rc));
	} else if (rc == -ENOTTY) {
		fprintf(c->err,
			"flankctl: %s: the driver does not know this request: "
			"install flankctl and flank.ko from one build\n",
			c->cmd);
	} else {
		fprintf(c->err, "flankctl: %s: %s\n", c->cmd, strerror(-rc));
	}
	return FLANKCTL_FAILED;
}

/** Issues one ioctl whose argument starts with struct flank_ioc_err. */
int ctl_call(struct ctl *c, unsigned long nr, void *arg)
{
	return c->dev.ioctl(c->dev.ctx, nr, arg);
}

static int simple(struct ctl *c, unsigned long nr)
{
	struct flank_ioc_cmd a;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = ctl_call(c, nr, &a);
	return rc ? ctl_report(c, rc, &a.err) : FLANKCTL_OK;
}

int ctl_status(struct ctl *c, struct flank_ioc_status *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	rc = ctl_call(c, FLANK_IOC_STATUS, s);
	return rc ? ctl_report(c, rc, &s->err) : FLANKCTL_OK;
}

/* --------------------------------------------------------------- commands */

static void print_items(struct ctl *c, const struct flank_check_report *r)
{
	uint32_t i, n = r->count;

	if (n > FLANK_CHECK_MAX_ITEMS)
		n = FLANK_CHECK_MAX_ITEMS;
	for (i = 0; i < n; i++) {
		const struct flank_check_item *it = &r->item[i];
		const char *tag = it->status ? "FAIL" : " OK ";

		if (!it->status && !strncmp(it->text, "not checked", 11))
			tag = " -- ";
		fprintf(c->out, "  [%s] %-16.*s %.*s\n", tag,
			(int)sizeof(it->name), it->name, (int)sizeof(it->text),
			it->text);
	}
}

static const char *first_failure(const struct flank_check_report *r)
{
	uint32_t i;

	for (i = 0; i < r->count && i < FLANK_CHECK_MAX_ITEMS; i++) {
		if (r->item[i].status)
			return r->item[i].text;
	}
	return NULL;
}

/* A check item's result: "ok", "fail" or "skipped" (JSON; [ OK ] etc.). */
static const char *item_result(const struct flank_check_item *it)
{
	if (it->status)
		return "fail";
	return strncmp(it->text, "not checked", 11) ? "ok" : "skipped";
}

static void json_items(struct json *j, const char *key,
		       const struct flank_check_report *r)
{
	uint32_t i, n = r->count;

	if (n > FLANK_CHECK_MAX_ITEMS)
		n = FLANK_CHECK_MAX_ITEMS;
	json_begin_array(j, key);
	for (i = 0; i < n; i++) {
		const struct flank_check_item *it = &r->item[i];

		json_begin_object(j, NULL);
		json_string(j, "name", it->name, sizeof(it->name));
		json_string(j, "result", item_result(it), 8);
		json_int(j, "status", it->status);
		json_string(j, "text", it->text, sizeof(it->text));
		json_end_object(j);
	}
	json_end_array(j);
}

/* check --json (docs/schema/flankctl-check.schema.json). */
static void check_json(struct ctl *c, const struct flank_ioc_check *k,
		       const char *why)
{
	struct json j;

	json_init(&j, c->out);
	json_begin_object(&j, NULL);
	json_bool(&j, "usable", !why);
	if (why)
		json_string(&j, "reason", why, sizeof(k->host.item[0].text));
	else
		json_null(&j, "reason");
	json_items(&j, "host", &k->host);
	if (k->image_ran)
		json_items(&j, "image", &k->image);
	else
		json_null(&j, "image");
	json_end_object(&j);
	json_finish(&j);
}

int ctl_cmd_check(struct ctl *c, int argc, char **argv)
{
	struct flank_ioc_check *k;
	const char *why;
	int rc;

	(void)argc;
	(void)argv;
	k = calloc(1, sizeof(*k));
	if (!k) {
		fprintf(c->err, "flankctl: check: out of memory\n");
		return FLANKCTL_FAILED;
	}
	rc = ctl_call(c, FLANK_IOC_CHECK, k);
	if (rc) {
		rc = ctl_report(c, rc, &k->err);
		goto out;
	}
	why = first_failure(&k->host);
	if (!why && k->image_ran)
		why = first_failure(&k->image);
	rc = why ? FLANKCTL_FAILED : FLANKCTL_OK;
	if (c->json) {
		check_json(c, k, why);
		goto out;
	}
	fprintf(c->out, "Driver checks (every online CPU):\n");
	print_items(c, &k->host);
	if (k->image_ran) {
		fprintf(c->out, "VMM image checks:\n");
		print_items(c, &k->image);
	} else {
		fprintf(c->out, "VMM image checks: not run, no image loaded "
				"('flankctl load vmm.elf' first for the full "
				"report)\n");
	}
	if (why) {
		fprintf(c->out, "INFO: %s\n", why);
		fprintf(c->out, "Flank can NOT be used on this machine\n");
	} else {
		fprintf(c->out, "INFO: VT-x is present and usable\n");
		fprintf(c->out, "Flank can be used on this machine\n");
	}
out:
	free(k);
	return rc;
}

/** Reads a whole file; NULL (and a message) if it cannot. */
static void *read_file(struct ctl *c, const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;

	if (!f) {
		fprintf(c->err, "flankctl: load: cannot open %s: %s\n", path,
			strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fprintf(c->err, "flankctl: load: cannot read %s: %s\n", path,
			strerror(errno));
		goto out;
	}
	if ((unsigned long)len > FLANK_MODULE_MAX_BYTES) {
		fprintf(c->err,
			"flankctl: load: %s has %ld bytes, more than the %u a "
			"module may have\n",
			path, len, FLANK_MODULE_MAX_BYTES);
		goto out;
	}
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(c->err, "flankctl: load: cannot read %s\n", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	*size = (size_t)len;
out:
	fclose(f);
	return buf;
}

/*
 * Writes the path of vmcs_check.elf in the directory of @p image into
 * @p path; true if that file exists (and so is to be loaded).
 */
static bool vmcs_check_beside(const char *image, char *path, size_t size)
{
	const char *slash = strrchr(image, '/');
	int dir = slash ? (int)(slash - image) + 1 : 0;
	FILE *f;

	if (snprintf(path, size, "%.*s%s", dir, image, VMCS_CHECK_MODULE) >=
	    (int)size)
		return false;
	f = fopen(path, "rb");
	if (!f)
		return false;
	fclose(f);
	return true;
}

/*
 * One line per file: the driver's verdict on its signature (verified, none,
 * bad and why) and who signed it, as the file says (sigfile.c).
 */
static void print_sig(struct ctl *c, const struct flank_ioc_module *m,
		      const void *bytes, size_t size)
{
	struct flank_sigfile s;
	char what[320];

	flank_sigfile_read(bytes, size, &s);
	flank_sigfile_describe(&s, what, sizeof(what));
	if (m->sig_state == FLANK_SIG_UNCHECKED)
		fprintf(c->out, "%s: %s\n", m->name, what);
	else if (m->sig_state == FLANK_SIG_BAD)
		fprintf(c->out, "%s: %s (%s): %s\n", m->name,
			flank_sig_state_str(m->sig_state),
			flank_sig_reason_str(m->sig_reason), what);
	else if (m->sig_state == FLANK_SIG_MISSING)
		fprintf(c->out, "%s: %s\n", m->name,
			flank_sig_state_str(m->sig_state));
	else
		fprintf(c->out, "%s: %s: %s\n", m->name,
			flank_sig_state_str(m->sig_state), what);
}

int ctl_cmd_load(struct ctl *c, int argc, char **argv)
{
	char check_path[PATH_MAX];
	char *files[2];
	struct flank_ioc_module m;
	struct flank_ioc_status s;
	const char *base;
	bool with_check = false;
	size_t size = 0;
	void *bytes;
	int i, rc;

	/* The image alone: the checker module comes along if installed. */
	if (argc == 1 && !c->no_vmcs_check &&
	    vmcs_check_beside(argv[0], check_path, sizeof(check_path))) {
		files[0] = argv[0];
		files[1] = check_path;
		argv = files;
		argc = 2;
		with_check = true;
	}
	for (i = 0; i < argc; i++) {
		bytes = read_file(c, argv[i], &size);
		if (!bytes) {
			(void)simple(c, FLANK_IOC_UNLOAD); /* Drop staged. */
			return FLANKCTL_FILE;
		}
		memset(&m, 0, sizeof(m));
		m.data = (uint64_t)(uintptr_t)bytes;
		m.size = size;
		base = strrchr(argv[i], '/');
		snprintf(m.name, sizeof(m.name), "%s",
			 base ? base + 1 : argv[i]);
		rc = ctl_call(c, FLANK_IOC_ADD_MODULE, &m);
		if (!rc)
			print_sig(c, &m, bytes, size);
		free(bytes);
		if (rc) {
			rc = ctl_report(c, rc, &m.err);
			if (m.err.code != FLANK_E_LOADED &&
			    m.err.code != FLANK_E_RUNNING &&
			    m.err.code != FLANK_E_CORRUPT)
				(void)simple(c, FLANK_IOC_UNLOAD);
			return rc;
		}
	}
	rc = simple(c, FLANK_IOC_LOAD);
	if (rc)
		return rc;
	rc = ctl_status(c, &s);
	if (rc)
		return rc;
	fprintf(c->out, "loaded %s: %u module%s, %llu KiB, Flank %u.%u.%u\n",
		argv[0], s.module_count, s.module_count == 1 ? "" : "s",
		(unsigned long long)(s.image_bytes >> 10),
		(s.image_version >> 16) & 0xffu, (s.image_version >> 8) & 0xffu,
		s.image_version & 0xffu);
	if (with_check)
		fprintf(c->out,
			"with %s (found next to the image): failed VM entries "
			"name the failing rule; " NO_VMCS_CHECK
			" leaves it out\n",
			check_path);
	else if (argc == 1 && !c->no_vmcs_check)
		fprintf(c->out,
			"note: no " VMCS_CHECK_MODULE " next to the image: "
			"failed VM entries are logged without the failing "
			"rule\n");
	return FLANKCTL_OK;
}

int ctl_cmd_unload(struct ctl *c, int argc, char **argv)
{
	int rc;

	(void)argc;
	(void)argv;
	rc = simple(c, FLANK_IOC_UNLOAD);
	if (!rc)
		fprintf(c->out, "unloaded\n");
	return rc;
}

int ctl_cmd_start(struct ctl *c, int argc, char **argv)
{
	struct flank_ioc_status s;
	int rc;

	(void)argc;
	(void)argv;
	rc = simple(c, FLANK_IOC_START);
	if (rc)
		return rc;
	rc = ctl_status(c, &s);
	if (!rc)
		fprintf(c->out, "started: %u CPU%s virtualised\n",
			s.online_count, s.online_count == 1 ? "" : "s");
	return rc;
}

int ctl_cmd_stop(struct ctl *c, int argc, char **argv)
{
	int rc;

	(void)argc;
	(void)argv;
	rc = simple(c, FLANK_IOC_STOP);
	if (!rc)
		fprintf(c->out, "stopped: every CPU devirtualised\n");
	return rc;
}

/* dump --json (docs/schema/flankctl-dump.schema.json): one string per
 * line of @p text, the last one even without its newline. */
static void dump_json(struct ctl *c, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;
	struct json j;

	json_init(&j, c->out);
	json_begin_object(&j, NULL);
	json_begin_array(&j, "lines");
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		json_string(&j, NULL, p, (size_t)(nl - p));
		p = nl + 1;
	}
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
}

int ctl_cmd_dump(struct ctl *c, int argc, char **argv)
{
	struct flank_ioc_dump d;
	static char buf[FLANK_DUMP_MAX_BYTES];
	char *text = NULL;
	size_t len = 0;
	FILE *to = c->out;
	int rc = FLANKCTL_OK;

	(void)argc;
	(void)argv;
	/* JSON needs the whole text first, to split it into lines. */
	if (c->json) {
		to = open_memstream(&text, &len);
		if (!to) {
			fprintf(c->err, "flankctl: dump: out of memory\n");
			return FLANKCTL_FAILED;
		}
	}
	memset(&d, 0, sizeof(d));
	for (;;) {
		d.buf = (uint64_t)(uintptr_t)buf;
		d.len = sizeof(buf);
		d.copied = 0;
		rc = ctl_call(c, FLANK_IOC_DUMP, &d);
		if (rc) {
			rc = ctl_report(c, rc, &d.err);
			break;
		}
		if (d.copied == 0 || d.copied > sizeof(buf))
			break;
		fwrite(buf, 1, d.copied, to);
	}
	if (c->json) {
		fclose(to);
		if (rc == FLANKCTL_OK)
			dump_json(c, text, len);
		free(text);
	}
	return rc;
}
