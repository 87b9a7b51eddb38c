// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flankctl top: VM exits per second per reason and per CPU, sampled from
 * the same counters as 'stats' (FLANK_IOC_STATS) every --interval seconds,
 * like perf kvm stat live. A counter that went down (its CPU went offline
 * and came back, docs/flankctl.8.md) counts from 0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

/* More CPUs than this are refused rather than allocated for. */
#define TOP_MAX_CPUS 8192u

struct sample {
	uint32_t cpus;
	uint64_t *count; /* [cpu * FLANK_EXIT_REASONS + reason] */
};

static int read_sample(struct ctl *c, struct sample *s)
{
	struct flank_ioc_stats st;
	uint32_t cpu;
	int rc;

	for (cpu = 0; cpu < s->cpus; cpu++) {
		memset(&st, 0, sizeof(st));
		st.cpu = cpu;
		rc = ctl_call(c, FLANK_IOC_STATS, &st);
		if (rc)
			return ctl_report(c, rc, &st.err);
		memcpy(&s->count[(size_t)cpu * FLANK_EXIT_REASONS],
		       st.stats.count, sizeof(st.stats.count));
	}
	return FLANKCTL_OK;
}

static void wait_seconds(struct ctl *c, unsigned int seconds)
{
	if (c->dev.wait) {
		c->dev.wait(c->dev.ctx, seconds);
		return;
	}
	while (seconds)
		seconds = sleep(seconds);
}

/* Per-second rate of one counter between two samples, rounded. */
static uint64_t rate(struct ctl *c, uint64_t before, uint64_t now)
{
	uint64_t delta = now >= before ? now - before : now;

	return (delta + c->interval / 2) / c->interval;
}

/* Prints one sample: a row per reason with exits, most first. */
static void print_sample(struct ctl *c, const struct sample *prev,
			 const struct sample *now, unsigned long n,
			 uint64_t *row_total)
{
	uint32_t cpu, r, best, shown = 0;
	uint64_t v, sum;
	const char *name;
	bool done[FLANK_EXIT_REASONS];

	if (isatty(fileno(c->out)))
		fputs("\033[H\033[2J", c->out); /* Home, clear: a live view. */
	else if (n > 1)
		fputc('\n', c->out);
	fprintf(c->out, "VM exits per second, every %lu s, sample %lu%s\n",
		c->interval, n, c->count ? "" : " (Ctrl-C stops)");
	fprintf(c->out, "%-22s %4s", "reason", "nr");
	for (cpu = 0; cpu < now->cpus; cpu++) {
		char head[16];

		snprintf(head, sizeof(head), "CPU%u", cpu);
		fprintf(c->out, " %12s", head);
	}
	fprintf(c->out, " %12s\n", "total");
	for (r = 0; r < FLANK_EXIT_REASONS; r++) {
		row_total[r] = 0;
		for (cpu = 0; cpu < now->cpus; cpu++) {
			size_t i = (size_t)cpu * FLANK_EXIT_REASONS + r;

			row_total[r] += rate(c, prev->count[i], now->count[i]);
		}
		done[r] = row_total[r] == 0;
	}
	for (;;) {
		best = FLANK_EXIT_REASONS;
		for (r = 0; r < FLANK_EXIT_REASONS; r++) {
			if (!done[r] && (best == FLANK_EXIT_REASONS ||
					 row_total[r] > row_total[best]))
				best = r;
		}
		if (best == FLANK_EXIT_REASONS)
			break;
		done[best] = true;
		shown++;
		name = flankctl_exit_reason_name(best);
		fprintf(c->out, "%-22s %4u", name ? name : "reason", best);
		for (cpu = 0; cpu < now->cpus; cpu++) {
			size_t i = (size_t)cpu * FLANK_EXIT_REASONS + best;

			v = rate(c, prev->count[i], now->count[i]);
			fprintf(c->out, " %12llu", (unsigned long long)v);
		}
		fprintf(c->out, " %12llu\n",
			(unsigned long long)row_total[best]);
	}
	if (!shown) {
		fprintf(c->out, "(no VM exits in this interval)\n");
		fflush(c->out);
		return;
	}
	fprintf(c->out, "%-27s", "total");
	for (cpu = 0; cpu < now->cpus; cpu++) {
		sum = 0;
		for (r = 0; r < FLANK_EXIT_REASONS; r++) {
			size_t i = (size_t)cpu * FLANK_EXIT_REASONS + r;

			sum += rate(c, prev->count[i], now->count[i]);
		}
		fprintf(c->out, " %12llu", (unsigned long long)sum);
	}
	sum = 0;
	for (r = 0; r < FLANK_EXIT_REASONS; r++)
		sum += row_total[r];
	fprintf(c->out, " %12llu\n", (unsigned long long)sum);
	fflush(c->out);
}

int ctl_cmd_top(struct ctl *c, int argc, char **argv)
{
	uint64_t row_total[FLANK_EXIT_REASONS];
	struct flank_ioc_status st;
	struct sample a = {0}, b = {0}, tmp;
	unsigned long n;
	int rc;

	(void)argc;
	(void)argv;
	rc = ctl_status(c, &st);
	if (rc)
		return rc;
	if (st.cpu_count == 0 || st.cpu_count > TOP_MAX_CPUS) {
		fprintf(c->err, "flankctl: top: the driver reports %u CPUs\n",
			st.cpu_count);
		return FLANKCTL_FAILED;
	}
	a.cpus = b.cpus = st.cpu_count;
	a.count = calloc((size_t)st.cpu_count * FLANK_EXIT_REASONS,
			 sizeof(uint64_t));
	b.count = calloc((size_t)st.cpu_count * FLANK_EXIT_REASONS,
			 sizeof(uint64_t));
	if (!a.count || !b.count) {
		fprintf(c->err, "flankctl: top: out of memory\n");
		rc = FLANKCTL_FAILED;
		goto out;
	}
	rc = read_sample(c, &a);
	for (n = 1; rc == FLANKCTL_OK && (!c->count || n <= c->count); n++) {
		wait_seconds(c, (unsigned int)c->interval);
		rc = read_sample(c, &b);
		if (rc)
			break;
		print_sample(c, &a, &b, n, row_total);
		tmp = a;
		a = b;
		b = tmp;
	}
out:
	free(a.count);
	free(b.count);
	return rc;
}
