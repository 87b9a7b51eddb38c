// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flankctl status and stats: the driver's state, flank.ko's parameters,
 * every CPU and its exit counters, as tables or as JSON (--json, the
 * schemas in docs/schema/).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "json.h"

static const char *drv_state_name(uint32_t s)
{
	static const char *const names[] = {
		[FLANK_DRV_EMPTY] = "empty (no image)",
		[FLANK_DRV_STAGED] = "staged (modules added, not loaded)",
		[FLANK_DRV_LOADED] = "loaded (not running)",
		[FLANK_DRV_RUNNING] = "running",
		[FLANK_DRV_CORRUPT] = "failed (a stop failed: reboot)",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

static const char *vmm_state_name(uint32_t s)
{
	static const char *const names[] = {
		[FLANK_STATE_UNLOADED] = "unloaded",
		[FLANK_STATE_LOADED] = "loaded",
		[FLANK_STATE_RUNNING] = "running",
		[FLANK_STATE_STOPPING] = "stopping",
		[FLANK_STATE_CORRUPT] = "corrupt",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

/*
 * Reads module parameter @p name of flank.ko (sysfs, or $FLANK_PARAMS_DIR
 * for tests) as a number; false if it cannot be read.
 */
static bool read_param(const char *name, unsigned long *value)
{
	const char *dir = getenv("FLANK_PARAMS_DIR");
	char path[512], text[32], *end;
	FILE *f;
	bool ok;

	if (!dir || !*dir)
		dir = "/sys/module/flank/parameters";
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return false;
	ok = fgets(text, sizeof(text), f) != NULL;
	fclose(f);
	if (!ok)
		return false;
	/* bool parameters read "Y" or "N". */
	if (text[0] == 'Y' || text[0] == 'N') {
		*value = text[0] == 'Y';
		return true;
	}
	errno = 0;
	*value = strtoul(text, &end, 0);
	return errno == 0 && end != text;
}

/* The serial settings flank.ko hands the image (docs/serial.md). */
static void print_serial(struct ctl *c)
{
	unsigned long port, baud, pci;

	if (!read_param("serial_port", &port) ||
	    !read_param("serial_baud", &baud) ||
	    !read_param("serial_pci", &pci))
		return; /* An older flank.ko, or no sysfs: say nothing. */
	if (!port && !pci) {
		fprintf(c->out, "serial: off (serial_port=0)\n");
		return;
	}
	fprintf(c->out, "serial: ");
	if (pci)
		fprintf(c->out, "PCI UART%s", port ? " first, else " : "");
	if (port)
		fprintf(c->out, "port 0x%lx", port);
	fprintf(c->out, ", %lu baud (the VMM log says what it used)\n", baud);
}

/* The debug ring's size (module parameter ring_kib, docs/debugging.md). */
static void print_ring(struct ctl *c)
{
	unsigned long kib;

	if (!read_param("ring_kib", &kib) || kib == 0 || kib > (1ul << 20))
		return; /* An older flank.ko, or no sysfs: say nothing. */
	/* 256-byte records, one record's worth is the control block. */
	fprintf(c->out, "ring:   %lu KiB, %lu records (ring_kib)\n", kib,
		kib * 4 - 1);
}

/* The driver state's stable name in status --json. */
static const char *drv_state_key(uint32_t s)
{
	static const char *const names[] = {
		[FLANK_DRV_EMPTY] = "empty",	[FLANK_DRV_STAGED] = "staged",
		[FLANK_DRV_LOADED] = "loaded",	[FLANK_DRV_RUNNING] = "running",
		[FLANK_DRV_CORRUPT] = "failed",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

static void json_serial_ring(struct json *j)
{
	unsigned long port, baud, pci, kib;

	if (read_param("serial_port", &port) &&
	    read_param("serial_baud", &baud) &&
	    read_param("serial_pci", &pci)) {
		json_begin_object(j, "serial");
		json_uint(j, "port", port);
		json_uint(j, "baud", baud);
		json_bool(j, "pci", pci != 0);
		json_end_object(j);
	} else {
		json_null(j, "serial");
	}
	if (read_param("ring_kib", &kib) && kib != 0 && kib <= (1ul << 20)) {
		json_begin_object(j, "ring");
		json_uint(j, "kib", kib);
		json_uint(j, "records", kib * 4 - 1);
		json_end_object(j);
	} else {
		json_null(j, "ring");
	}
}

/* status --json (docs/schema/flankctl-status.schema.json) into @p doc. */
static int status_json_doc(struct ctl *c, const struct flank_ioc_status *s,
			   FILE *doc)
{
	struct flank_ioc_cpu_status cs;
	char version[16];
	struct json j;
	uint32_t cpu;
	int rc;

	json_init(&j, doc);
	json_begin_object(&j, NULL);
	json_string(&j, "driver", drv_state_key(s->state), 16);
	json_uint(&j, "cpus_possible", s->cpu_count);
	json_uint(&j, "cpus_online", s->online_count);
	json_serial_ring(&j);
	if (s->state < FLANK_DRV_LOADED) {
		json_null(&j, "image");
		json_begin_array(&j, "cpus");
		json_end_array(&j);
		goto out;
	}
	snprintf(version, sizeof(version), "%u.%u.%u",
		 (s->image_version >> 16) & 0xffu,
		 (s->image_version >> 8) & 0xffu, s->image_version & 0xffu);
	json_begin_object(&j, "image");
	json_string(&j, "version", version, sizeof(version));
	json_uint(&j, "modules", s->module_count);
	json_uint(&j, "bytes", s->image_bytes);
	json_string(&j, "vmm", vmm_state_name(s->vmm_state), 16);
	json_end_object(&j);
	json_begin_array(&j, "cpus");
	for (cpu = 0; cpu < s->cpu_count; cpu++) {
		memset(&cs, 0, sizeof(cs));
		cs.cpu = cpu;
		rc = ctl_call(c, FLANK_IOC_CPU_STATUS, &cs);
		if (rc)
			return ctl_report(c, rc, &cs.err);
		json_begin_object(&j, NULL);
		json_uint(&j, "cpu", cpu);
		json_bool(&j, "online", cs.online != 0);
		json_bool(&j, "vmx", cs.status.running != 0);
		json_bool(&j, "cr4_vmxe", (cs.status.cr4 & (1ull << 13)) != 0);
		json_uint(&j, "exits", cs.status.exits);
		json_int(&j, "last_error", cs.status.last_error);
		json_uint(&j, "vpid", cs.status.vpid);
		json_end_object(&j);
	}
	json_end_array(&j);
out:
	json_end_object(&j);
	json_finish(&j);
	return FLANKCTL_OK;
}

/*
 * Runs @p build into memory and prints the document only if it succeeded:
 * a failure on the way must not leave half a JSON document on stdout.
 */
static int json_whole(struct ctl *c, const struct flank_ioc_status *s,
		      int (*build)(struct ctl *c,
				   const struct flank_ioc_status *s, FILE *doc))
{
	char *text = NULL;
	size_t len = 0;
	FILE *doc;
	int rc;

	doc = open_memstream(&text, &len);
	if (!doc) {
		fprintf(c->err, "flankctl: %s: out of memory\n", c->cmd);
		return FLANKCTL_FAILED;
	}
	rc = build(c, s, doc);
	fclose(doc);
	if (rc == FLANKCTL_OK)
		fwrite(text, 1, len, c->out);
	free(text);
	return rc;
}

int ctl_cmd_status(struct ctl *c, int argc, char **argv)
{
	struct flank_ioc_cpu_status cs;
	struct flank_ioc_status s;
	uint32_t cpu;
	int rc;

	(void)argc;
	(void)argv;
	rc = ctl_status(c, &s);
	if (rc)
		return rc;
	if (c->json)
		return json_whole(c, &s, status_json_doc);
	fprintf(c->out, "driver: %s\n", drv_state_name(s.state));
	fprintf(c->out, "CPUs:   %u possible, %u online\n", s.cpu_count,
		s.online_count);
	print_serial(c);
	print_ring(c);
	if (s.state < FLANK_DRV_LOADED)
		return FLANKCTL_OK;
	fprintf(c->out,
		"image:  Flank %u.%u.%u, %u module%s, %llu KiB, VMM %s\n",
		(s.image_version >> 16) & 0xffu, (s.image_version >> 8) & 0xffu,
		s.image_version & 0xffu, s.module_count,
		s.module_count == 1 ? "" : "s",
		(unsigned long long)(s.image_bytes >> 10),
		vmm_state_name(s.vmm_state));
	fprintf(c->out,
		"CPU  online  VMX  CR4.VMXE  exits  last error  VPID\n");
	for (cpu = 0; cpu < s.cpu_count; cpu++) {
		memset(&cs, 0, sizeof(cs));
		cs.cpu = cpu;
		rc = ctl_call(c, FLANK_IOC_CPU_STATUS, &cs);
		if (rc)
			return ctl_report(c, rc, &cs.err);
		char vpid[12] = "off";

		if (cs.status.vpid != 0)
			snprintf(vpid, sizeof(vpid), "%u", cs.status.vpid);
		fprintf(c->out, "%3u  %-6s  %-3s  %-8s  %5llu  %-10d  %s\n",
			cpu, cs.online ? "yes" : "no",
			cs.status.running ? "on" : "off",
			(cs.status.cr4 & (1ull << 13)) ? "set" : "clear",
			(unsigned long long)cs.status.exits,
			cs.status.last_error, vpid);
	}
	return FLANKCTL_OK;
}

/* stats --json (docs/schema/flankctl-stats.schema.json) into @p doc. */
static int stats_json_doc(struct ctl *c, const struct flank_ioc_status *s,
			  FILE *doc)
{
	struct flank_ioc_stats *st = calloc(1, sizeof(*st));
	unsigned long long total;
	const char *name;
	struct json j;
	uint32_t cpu, r;
	int rc = FLANKCTL_OK;

	if (!st) {
		fprintf(c->err, "flankctl: stats: out of memory\n");
		return FLANKCTL_FAILED;
	}
	json_init(&j, doc);
	json_begin_object(&j, NULL);
	json_begin_array(&j, "cpus");
	for (cpu = 0; cpu < s->cpu_count; cpu++) {
		memset(st, 0, sizeof(*st));
		st->cpu = cpu;
		rc = ctl_call(c, FLANK_IOC_STATS, st);
		if (rc) {
			rc = ctl_report(c, rc, &st->err);
			goto out;
		}
		json_begin_object(&j, NULL);
		json_uint(&j, "cpu", cpu);
		json_begin_array(&j, "exits");
		total = 0;
		for (r = 0; r < FLANK_EXIT_REASONS; r++) {
			if (!st->stats.count[r])
				continue;
			total += st->stats.count[r];
			name = flankctl_exit_reason_name(r);
			json_begin_object(&j, NULL);
			json_uint(&j, "reason", r);
			if (name)
				json_string(&j, "name", name, 64);
			else
				json_null(&j, "name");
			json_uint(&j, "count", st->stats.count[r]);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_uint(&j, "total", total);
		json_uint(&j, "hidden_writes", st->stats.hidden_writes);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
out:
	free(st);
	return rc;
}

int ctl_cmd_stats(struct ctl *c, int argc, char **argv)
{
	struct flank_ioc_status s;
	struct flank_ioc_stats st;
	const char *name;
	uint32_t cpu, r;
	int rc;

	(void)argc;
	(void)argv;
	rc = ctl_status(c, &s);
	if (rc)
		return rc;
	if (c->json)
		return json_whole(c, &s, stats_json_doc);
	fprintf(c->out, "CPU  reason                      exits\n");
	for (cpu = 0; cpu < s.cpu_count; cpu++) {
		memset(&st, 0, sizeof(st));
		st.cpu = cpu;
		rc = ctl_call(c, FLANK_IOC_STATS, &st);
		if (rc)
			return ctl_report(c, rc, &st.err);
		for (r = 0; r < FLANK_EXIT_REASONS; r++) {
			if (!st.stats.count[r])
				continue;
			name = flankctl_exit_reason_name(r);
			fprintf(c->out, "%3u  %-20s (%2u)  %llu\n", cpu,
				name ? name : "reason", r,
				(unsigned long long)st.stats.count[r]);
		}
		/* Guest writes to the VMM's hidden pages (docs/ept.md). */
		if (st.stats.hidden_writes)
			fprintf(c->out, "%3u  hidden-page writes dropped  %u\n",
				cpu, st.stats.hidden_writes);
	}
	return FLANKCTL_OK;
}
