// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flank-diff-replay: the host side of the differential campaign
 * (docs/differential.md). Reads the serial log of a Bochs run of
 * flank_diff.ko (tests/diff/kmod/), builds a CPU profile from the
 * capability MSRs and CPUID leaves the module read there, replays the same
 * seeded cases (diffcase.c) on the emulated VT-x, compares outcome by
 * outcome and prints a summary with the disagreements grouped by kind.
 *
 *   flank-diff-replay [--known FILE] [--show N] [--min-cases N] [--cases N] [--describe FROM TO] LOG
 *
 * --known FILE: the disagreements documented as Bochs deviations, one
 * "INDEX GROUP" per line ('#' comments). With it the program fails (exit
 * 1) when a case disagrees that is not listed, or a listed case agrees:
 * that is the CI check (`unit.diff_replay`), so an emulator change that
 * moves any outcome fails `make test`. Without it, it reports only (exit
 * 0 when the log was complete). --min-cases: fail if the log holds fewer.
 * --cases N: replay only the first N cases (the log may end after them).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diffcase.h"
#include "flank/mock.h"
#include "mock_internal.h"

#define MAX_CPUID 16
#define PAGE ((size_t)4096)

struct cpuid_row {
	uint32_t leaf, sub;
	struct cpu_cpuid_regs r;
};

struct run {
	struct diff_env env;
	uint64_t seed;
	unsigned first, count;
	bool ended;
	struct cpuid_row cpuid[MAX_CPUID];
	unsigned ncpuid;
	/* Bochs's token per case, by index - first. */
	char **tok;
	unsigned ntok_alloc; /**< Entries of tok (the count of the log). */
	/*
	 * "begin" lines seen: a log may hold a second run after the first
	 * (Debian 12's busybox insmod loads a module again when its init
	 * fails, which the first version of flank_diff.ko made it do); that
	 * run has other pages, hence other cases, and is not replayed.
	 */
	unsigned runs;
};

/* ------------------------------------------------------------ parse */

/* Skips the literal @p lit at *p; false if *p does not start with it. */
static bool lit(const char **p, const char *lit)
{
	size_t n = strlen(lit);
	if (strncmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

/* A number in @p base at *p (at least one digit), advancing *p. */
static bool num(const char **p, int base, uint64_t *v)
{
	char *end = NULL;
	if (!((**p >= '0' && **p <= '9') ||
	      (base == 16 &&
	       ((**p >= 'a' && **p <= 'f') || (**p >= 'A' && **p <= 'F')))))
		return false;
	errno = 0;
	*v = strtoull(*p, &end, base);
	if (errno || end == *p)
		return false;
	*p = end;
	return true;
}

static bool num32(const char **p, int base, uint32_t *v)
{
	uint64_t w;
	if (!num(p, base, &w) || w > UINT32_MAX)
		return false;
	*v = (uint32_t)w;
	return true;
}

static bool parse_begin(struct run *run, const char *p)
{
	uint32_t ver, first, count;
	uint64_t seed;
	if (!num32(&p, 10, &ver) || !lit(&p, " seed=") || !num(&p, 10, &seed) ||
	    !lit(&p, " first=") || !num32(&p, 10, &first) ||
	    !lit(&p, " count=") || !num32(&p, 10, &count))
		return false;
	if (run->runs++)
		return true;
	run->seed = seed;
	run->first = first;
	run->count = count;
	if (ver < DIFF_GEN_OLDEST || ver > DIFF_GEN_VERSION) {
		fprintf(stderr,
			"flank-diff-replay: the log's case stream is version "
			"%u, this program generates %u to %u\n",
			ver, DIFF_GEN_OLDEST, DIFF_GEN_VERSION);
		return false;
	}
	run->env.gen = ver;
	run->ntok_alloc = run->count ? run->count : 1;
	run->tok = calloc(run->ntok_alloc, sizeof(char *));
	return run->tok != NULL;
}

static bool parse_msr(struct run *run, const char *p)
{
	if (run->runs > 1)
		return true; /* a second run (see struct run) */
	uint32_t idx;
	uint64_t v;
	if (!num32(&p, 16, &idx) || !lit(&p, "=") || idx < DIFF_MSR_FIRST ||
	    idx >= DIFF_MSR_FIRST + DIFF_MSR_COUNT)
		return false;
	if (strcmp(p, "gp") == 0)
		return true;
	if (!num(&p, 16, &v) || *p)
		return false;
	run->env.msr[idx - DIFF_MSR_FIRST] = v;
	run->env.msr_present |= 1u << (idx - DIFF_MSR_FIRST);
	return true;
}

static bool parse_cpuid(struct run *run, const char *p)
{
	if (run->runs > 1)
		return true;
	struct cpuid_row *c = &run->cpuid[run->ncpuid];
	if (run->ncpuid >= MAX_CPUID || !num32(&p, 16, &c->leaf) ||
	    !lit(&p, ".") || !num32(&p, 16, &c->sub) || !lit(&p, "=") ||
	    !num32(&p, 16, &c->r.eax) || !lit(&p, ",") ||
	    !num32(&p, 16, &c->r.ebx) || !lit(&p, ",") ||
	    !num32(&p, 16, &c->r.ecx) || !lit(&p, ",") ||
	    !num32(&p, 16, &c->r.edx) || *p)
		return false;
	run->ncpuid++;
	return true;
}

static bool parse_env(struct run *run, const char *p)
{
	if (run->runs > 1)
		return true;
	struct diff_env *e = &run->env;
	return num32(&p, 10, &e->maxphy) && lit(&p, " vmxon=") &&
	       num(&p, 16, &e->pa_vmxon) && lit(&p, " vmcs=") &&
	       num(&p, 16, &e->pa_vmcs) && lit(&p, " vmcs2=") &&
	       num(&p, 16, &e->pa_vmcs2) && lit(&p, " shadow=") &&
	       num(&p, 16, &e->pa_shadow) && lit(&p, " zero=") &&
	       num(&p, 16, &e->pa_zero) && lit(&p, " msr=") &&
	       num(&p, 16, &e->pa_msr) && lit(&p, " probe=") &&
	       num(&p, 16, &e->fs_base_probe) && !*p;
}

static bool parse_base(struct run *run, const char *p)
{
	if (run->runs > 1)
		return true;
	struct diff_field *f = &run->env.base[run->env.nbase];
	if (run->env.nbase >= DIFF_MAX_BASE || !num32(&p, 16, &f->enc) ||
	    !lit(&p, "=") || !num(&p, 16, &f->val) || *p)
		return false;
	run->env.nbase++;
	return true;
}

static bool parse_results(struct run *run, const char *p)
{
	uint32_t b;
	char **tok = run->tok;
	if (run->runs > 1)
		return true;
	if (!tok || !num32(&p, 10, &b))
		return false;
	while (*p == ' ') {
		size_t n;
		p++;
		n = strcspn(p, " ");
		if (!n)
			break;
		if (b < run->first || b - run->first >= run->count)
			return false;
		free(tok[b - run->first]);
		tok[b - run->first] = strndup(p, n);
		if (!tok[b - run->first])
			return false;
		b++;
		p += n;
	}
	return !*p;
}

static bool parse_line(struct run *run, const char *p)
{
	uint32_t n;

	if (lit(&p, "begin v"))
		return parse_begin(run, p);
	if (lit(&p, "msr "))
		return parse_msr(run, p);
	if (lit(&p, "cpuid "))
		return parse_cpuid(run, p);
	if (lit(&p, "env maxphy="))
		return parse_env(run, p);
	if (lit(&p, "base "))
		return parse_base(run, p);
	if (lit(&p, "r "))
		return parse_results(run, p);
	if (lit(&p, "end cases=")) {
		bool ok = num32(&p, 10, &n) && lit(&p, " err=0") && !*p;
		if (run->runs == 1)
			run->ended = ok;
		return true;
	}
	/* "dropped", "error": the completeness checks report them. */
	return lit(&p, "dropped ") || lit(&p, "error");
}

static int read_log(const char *path, struct run *run)
{
	FILE *f = fopen(path, "r");
	char buf[2048];
	unsigned lineno = 0;

	if (!f) {
		fprintf(stderr, "flank-diff-replay: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		char *p = strstr(buf, "FD: ");
		lineno++;
		if (!p)
			continue;
		buf[strcspn(buf, "\r\n")] = '\0';
		if (!parse_line(run, p + 4)) {
			fprintf(stderr,
				"flank-diff-replay: %s:%u: cannot parse '%s'\n",
				path, lineno, p);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	if (!run->tok || !run->env.nbase || !run->env.maxphy) {
		fprintf(stderr,
			"flank-diff-replay: %s: no begin/env/base lines\n",
			path);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------- the model */

/* Host memory behind the module's pages, at the same physical addresses. */
struct pages {
	uint8_t *vmxon, *vmcs, *vmcs2, *shadow, *zero, *msr;
};

static struct pages pg;
static const char *last_exc_rule;

static void on_exception(const char *rule, const char *message)
{
	(void)message;
	last_exc_rule = rule;
}

static struct diff_res from_vmx(vmx_result_t r)
{
	struct diff_res d = {DIFF_OK, 0, 0};
	switch (r.outcome) {
	case VMX_SUCCEED:
		break;
	case VMX_FAIL_INVALID:
		d.kind = DIFF_INVALID;
		break;
	case VMX_FAIL_VALID:
		d.kind = DIFF_VALID;
		d.n = r.error;
		break;
	default:
		d.kind = DIFF_EXC;
		d.n = r.error;
		break;
	}
	return d;
}

static struct diff_res m_vmxon(void *ctx, uint64_t pa)
{
	(void)ctx;
	return from_vmx(vmx_on(pa_init(pa)));
}

static struct diff_res m_vmxoff(void *ctx)
{
	(void)ctx;
	return from_vmx(vmx_off());
}

static struct diff_res m_vmclear(void *ctx, uint64_t pa)
{
	(void)ctx;
	return from_vmx(vmx_clear(pa_init(pa)));
}

static struct diff_res m_vmptrld(void *ctx, uint64_t pa)
{
	(void)ctx;
	return from_vmx(vmx_ptrld(pa_init(pa)));
}

static struct diff_res m_vmptrst(void *ctx, uint64_t *pa)
{
	paddr_t p = pa_init(0);
	struct diff_res r = from_vmx(vmx_ptrst(&p));
	(void)ctx;
	*pa = pa_addr(p);
	return r;
}

static struct diff_res m_vmread(void *ctx, uint64_t enc, uint64_t *val)
{
	(void)ctx;
	*val = 0;
	return from_vmx(vmx_vmread(enc, val));
}

static struct diff_res m_vmwrite(void *ctx, uint64_t enc, uint64_t val)
{
	(void)ctx;
	return from_vmx(vmx_vmwrite(enc, val));
}

/* The rule behind the last entry outcome (reports). */
static const char *last_entry_rule;

static struct diff_res m_enter(void *ctx, bool resume)
{
	vmx_result_t r = resume ? vmx_resume() : vmx_launch();
	const struct mock_entry_verdict *v = mock_last_entry(0);
	struct diff_res d = from_vmx(r);

	(void)ctx;
	last_entry_rule = v->rule;
	if (r.outcome == VMX_SUCCEED) {
		/*
		 * Entered. The model does not execute guest code, so it cannot
		 * say which exit comes first (Bochs: the preemption timer or
		 * the VMCALL); the campaign compares "entered" only. Bring the
		 * CPU back to VMX root as that exit would: guest state saved,
		 * host state loaded (SDM Vol. 3C 28.3, 28.5).
		 */
		struct mock_cpu *c = mock_cur();
		struct mock_vmcs *vm = mock_current_vmcs(c);
		mock_vmcs_set(vm, VMCS_VM_EXIT_REASON, 0);
		mock_save_guest_state(c, vm);
		mock_load_host_state(c, vm);
		c->vmx = MOCK_VMX_ROOT;
		d.kind = DIFF_EXIT;
		d.n = 0;
	} else if (r.outcome == VMX_FAIL_VALID && r.error == 0 &&
		   (v->exit_reason & EXIT_REASON_ENTRY_FAILURE)) {
		d.kind = DIFF_ENTRY_FAIL;
		d.n = v->exit_reason & 0xffffu;
		d.q = v->qualification;
	}
	return d;
}

static void m_reset_pages(void *ctx, const struct diff_env *env)
{
	uint32_t rev = diff_revision(env);
	uint32_t srev = rev | 0x80000000u;
	(void)ctx;
	memset(pg.vmcs, 0, PAGE);
	memset(pg.vmcs2, 0, PAGE);
	memset(pg.shadow, 0, PAGE);
	memset(pg.zero, 0, PAGE);
	memcpy(pg.vmcs, &rev, 4);
	memcpy(pg.vmcs2, &rev, 4);
	memcpy(pg.shadow, &srev, 4);
	diff_fill_msr_area(env, (uint64_t *)(void *)pg.msr);
}

static const struct diff_ops mops = {
	.vmxon = m_vmxon,
	.vmxoff = m_vmxoff,
	.vmclear = m_vmclear,
	.vmptrld = m_vmptrld,
	.vmptrst = m_vmptrst,
	.vmread = m_vmread,
	.vmwrite = m_vmwrite,
	.enter = m_enter,
	.reset_pages = m_reset_pages,
};

/*
 * A fresh model per case, with the profile the module read: every
 * capability MSR as read (absent where RDMSR raised #GP), the CPUID leaves
 * and MAXPHYADDR, the pages at their physical addresses; CR4.VMXE set and
 * VMXON done, as the module has it when a case starts.
 */
static int model_setup(const struct run *run)
{
	const struct diff_env *e = &run->env;
	struct mock_cpu_regs regs;

	if (mock_init("skylake", 1) != 0)
		return -1;
	mock_set_exception_handler(on_exception);
	mock_allow_undefined(true);
	for (unsigned i = 0; i < DIFF_MSR_COUNT; i++) {
		if (e->msr_present & (1u << i))
			mock_msr_set(0, DIFF_MSR_FIRST + i, e->msr[i]);
		else
			mock_msr_remove(0, DIFF_MSR_FIRST + i);
	}
	for (unsigned i = 0; i < run->ncpuid; i++)
		mock_cpuid_set(0, run->cpuid[i].leaf, run->cpuid[i].sub,
			       &run->cpuid[i].r);
	if (mock_set_phys_addr_width(e->maxphy) != 0)
		return -1;
	if (pa_addr(mock_mem_map_at(pg.vmxon, PAGE, pa_init(e->pa_vmxon))) !=
		    e->pa_vmxon ||
	    pa_addr(mock_mem_map_at(pg.vmcs, PAGE, pa_init(e->pa_vmcs))) !=
		    e->pa_vmcs ||
	    pa_addr(mock_mem_map_at(pg.vmcs2, PAGE, pa_init(e->pa_vmcs2))) !=
		    e->pa_vmcs2 ||
	    pa_addr(mock_mem_map_at(pg.shadow, PAGE, pa_init(e->pa_shadow))) !=
		    e->pa_shadow ||
	    pa_addr(mock_mem_map_at(pg.zero, PAGE, pa_init(e->pa_zero))) !=
		    e->pa_zero ||
	    pa_addr(mock_mem_map_at(pg.msr, 2 * PAGE, pa_init(e->pa_msr))) !=
		    e->pa_msr)
		return -1;
	/* CR0 and CR4 as on the module's CPU (HOST_CR0/CR4 of the base). */
	mock_cpu_get_regs(0, &regs);
	for (unsigned i = 0; i < e->nbase; i++) {
		if (e->base[i].enc == VMCS_HOST_CR0)
			regs.cr0 = e->base[i].val;
		if (e->base[i].enc == VMCS_HOST_CR4)
			regs.cr4 = e->base[i].val;
	}
	regs.cr4 |= X86_CR4_VMXE;
	mock_cpu_set_regs(0, &regs);
	memset(pg.vmxon, 0, PAGE);
	uint32_t rev = diff_revision(e);
	memcpy(pg.vmxon, &rev, 4);
	return vmx_ok(vmx_on(pa_init(e->pa_vmxon))) ? 0 : -1;
}

/* ---------------------------------------------------------- compare */

/* "X52" and the model's "X0" both mean "entered": compare as "X". */
static void normalise(const char *in, char *out, size_t size)
{
	size_t o = 0;
	for (size_t i = 0; in[i] && o + 1 < size; i++) {
		out[o++] = in[i];
		if (in[i] == 'X' && (i == 0 || in[i - 1] == '/')) {
			while (in[i + 1] >= '0' && in[i + 1] <= '9')
				i++;
		}
	}
	out[o] = '\0';
}

struct group {
	char key[256];
	unsigned count;
	unsigned example;
	char desc[512], bochs[512], emu[512], rule[96];
};

#define MAX_GROUPS 512
static struct group groups[MAX_GROUPS];
static unsigned ngroups;

static struct group *group_for(const char *key)
{
	for (unsigned i = 0; i < ngroups; i++) {
		if (strcmp(groups[i].key, key) == 0)
			return &groups[i];
	}
	if (ngroups == MAX_GROUPS)
		return &groups[MAX_GROUPS - 1];
	snprintf(groups[ngroups].key, sizeof(groups[ngroups].key), "%s", key);
	return &groups[ngroups++];
}

/* Step i of a token ("S/V7/E33.0" -> "V7"), its kind and number only. */
static void step_class(const char *tok, unsigned i, char *out, size_t size)
{
	const char *p = tok;
	while (i-- && p)
		p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL;
	if (!p) {
		snprintf(out, size, "-");
		return;
	}
	size_t n = strcspn(p, "/");
	if (*p == 'R' || *p == 'X')
		n = 1; /* a value read, an exit: the kind only */
	snprintf(out, size, "%.*s", (int)n, p);
}

static unsigned first_diff_step(const char *a, const char *b)
{
	unsigned step = 0;
	for (size_t i = 0; a[i] || b[i]; i++) {
		if (a[i] != b[i])
			return step;
		if (a[i] == '/')
			step++;
	}
	return step;
}

struct known {
	unsigned index;
};

static struct known *known;
static unsigned nknown;

static int read_known(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[512];
	if (!f) {
		fprintf(stderr, "flank-diff-replay: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		uint32_t idx;
		const char *q = buf;
		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		if (!num32(&q, 10, &idx) || (*q != ' ' && *q != '\n')) {
			fprintf(stderr,
				"flank-diff-replay: %s: bad line '%s'\n", path,
				buf);
			fclose(f);
			return -1;
		}
		struct known *k =
			realloc(known, ((size_t)nknown + 1) * sizeof(*k));
		if (!k) {
			fclose(f);
			return -1;
		}
		known = k;
		known[nknown++] = (struct known){idx};
	}
	fclose(f);
	return 0;
}

static struct known *find_known(unsigned idx)
{
	for (unsigned i = 0; i < nknown; i++) {
		if (known[i].index == idx)
			return &known[i];
	}
	return NULL;
}

static void *page_alloc(size_t n)
{
	void *p = NULL;
	if (posix_memalign(&p, PAGE, n) != 0)
		return NULL;
	memset(p, 0, n);
	return p;
}

int main(int argc, char **argv)
{
	const char *known_path = NULL, *log = NULL;
	unsigned show = 3, min_cases = 0, limit = 0;
	long describe_from = -1, describe_to = -1;
	static struct run run;
	unsigned agree = 0, disagree = 0, missing = 0, entered = 0;
	unsigned unexpected = 0;
	unsigned exit_reasons[70] = {0};

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--known") == 0 && i + 1 < argc)
			known_path = argv[++i];
		else if (strcmp(argv[i], "--show") == 0 && i + 1 < argc)
			show = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--min-cases") == 0 && i + 1 < argc)
			min_cases = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--describe") == 0 && i + 2 < argc) {
			describe_from = strtol(argv[++i], NULL, 10);
			describe_to = strtol(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--cases") == 0 && i + 1 < argc)
			limit = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!log && argv[i][0] != '-')
			log = argv[i];
		else {
			fprintf(stderr,
				"usage: flank-diff-replay [--known FILE] "
				"[--show N] [--min-cases N] LOG\n");
			return 2;
		}
	}
	if (!log) {
		fprintf(stderr, "usage: flank-diff-replay [--known FILE] "
				"[--show N] [--min-cases N] LOG\n");
		return 2;
	}
	if (read_log(log, &run) != 0)
		return 2;
	if (known_path && read_known(known_path) != 0)
		return 2;
	/* --describe FROM TO: print those cases of the log's stream, stop. */
	if (describe_from >= 0) {
		for (long i = describe_from; i <= describe_to; i++) {
			struct diff_case c;
			char d[512];
			diff_generate(&run.env, run.seed, (uint64_t)i, &c);
			diff_describe(&c, d, sizeof(d));
			printf("case %ld: %s\n", i, d);
		}
		return 0;
	}
	/*
	 * --cases N: only the first N cases (a log cut after them, as the
	 * committed CI sample is): complete when all N are there.
	 */
	if (limit && limit < run.count) {
		run.count = limit;
		run.ended = true;
	}
	pg.vmxon = page_alloc(PAGE);
	pg.vmcs = page_alloc(PAGE);
	pg.vmcs2 = page_alloc(PAGE);
	pg.shadow = page_alloc(PAGE);
	pg.zero = page_alloc(PAGE);
	pg.msr = page_alloc(2 * PAGE);
	if (!pg.vmxon || !pg.vmcs || !pg.vmcs2 || !pg.shadow || !pg.zero ||
	    !pg.msr)
		return 2;

	for (unsigned k = 0; k < run.count; k++) {
		unsigned idx = run.first + k;
		const char *btok = run.tok[k];
		struct diff_case c;
		struct diff_res res[DIFF_MAX_STEPS];
		char etok[512], nb[512], ne[512], desc[512], key[256], cb[64],
			ce[64];

		if (!btok) {
			missing++;
			continue;
		}
		if (model_setup(&run) != 0) {
			fprintf(stderr,
				"flank-diff-replay: cannot set the model up "
				"(rule %s)\n",
				last_exc_rule ? last_exc_rule : "-");
			return 2;
		}
		last_entry_rule = NULL;
		last_exc_rule = NULL;
		diff_generate(&run.env, run.seed, idx, &c);
		unsigned n = diff_execute(&run.env, &c, &mops, res);
		diff_format(res, n, etok, sizeof(etok));
		mock_fini();
		for (const char *p = btok; (p = strchr(p, 'X')); p++) {
			unsigned r = (unsigned)strtoul(p + 1, NULL, 10);
			entered++;
			exit_reasons[r < 69 ? r : 69]++;
		}
		normalise(btok, nb, sizeof(nb));
		normalise(etok, ne, sizeof(ne));
		struct known *kn = find_known(idx);
		if (strcmp(nb, ne) == 0) {
			agree++;
			if (kn) {
				fprintf(stderr,
					"case %u: listed as a known deviation "
					"but agrees now (%s): update the "
					"list\n",
					idx, btok);
				unexpected++;
			}
			continue;
		}
		disagree++;
		diff_describe(&c, desc, sizeof(desc));
		unsigned step = first_diff_step(nb, ne);
		step_class(nb, step, cb, sizeof(cb));
		step_class(ne, step, ce, sizeof(ce));
		/*
		 * Group: the emulator's rule for the step that differs (the
		 * SDM rule one of the two applied and the other did not), the
		 * case kind, and the two outcomes there.
		 */
		{
			char kindw[32];
			snprintf(kindw, sizeof(kindw), "%.*s",
				 (int)strcspn(desc, " "), desc);
			snprintf(key, sizeof(key),
				 "%s: emulator rule %s (emulator %s, bochs %s)",
				 kindw,
				 last_entry_rule && (*ce == 'V' || *ce == 'E' ||
						     *ce == 'X')
					 ? last_entry_rule
					 : "-",
				 ce, cb);
		}
		struct group *g = group_for(key);
		if (g->count++ == 0) {
			g->example = idx;
			snprintf(g->desc, sizeof(g->desc), "%s", desc);
			snprintf(g->bochs, sizeof(g->bochs), "%s", btok);
			snprintf(g->emu, sizeof(g->emu), "%s", etok);
			snprintf(g->rule, sizeof(g->rule), "%s",
				 last_entry_rule ? last_entry_rule : "-");
		}
		if (known_path) {
			if (!kn) {
				unexpected++;
				fprintf(stderr,
					"case %u disagrees and is not a known "
					"deviation: %s: bochs %s, emulator "
					"%s\n",
					idx, desc, btok, etok);
			}
		}
		if (show && disagree <= show)
			printf("case %u: %s\n  bochs    %s\n  emulator %s "
			       "(entry rule %s)\n",
			       idx, desc, btok, etok,
			       last_entry_rule ? last_entry_rule : "-");
	}
	printf("seed %" PRIu64 ", cases %u..%u: %u replayed, %u agree, %u "
	       "disagree, %u missing in the log\n",
	       run.seed, run.first, run.first + run.count - 1, agree + disagree,
	       agree, disagree, missing);
	printf("entered (a VM exit followed) %u:", entered);
	for (unsigned r = 0; r < 70; r++) {
		if (exit_reasons[r])
			printf(" reason %u x%u", r, exit_reasons[r]);
	}
	printf("\n");
	if (ngroups) {
		printf("disagreements by kind (%u groups):\n", ngroups);
		for (unsigned i = 0; i < ngroups; i++)
			printf("  %5u  %s\n         e.g. case %u: %s: bochs "
			       "%s, emulator %s (rule %s)\n",
			       groups[i].count, groups[i].key,
			       groups[i].example, groups[i].desc,
			       groups[i].bochs, groups[i].emu, groups[i].rule);
	}
	free(known);
	for (unsigned k = 0; k < run.ntok_alloc; k++) {
		free(run.tok[k]);
	}
	free(run.tok);
	free(pg.vmxon);
	free(pg.vmcs);
	free(pg.vmcs2);
	free(pg.shadow);
	free(pg.zero);
	free(pg.msr);
	if (!run.ended || missing || agree + disagree < min_cases) {
		fprintf(stderr,
			"flank-diff-replay: incomplete log (%s, %u missing, %u "
			"replayed, need %u)\n",
			run.ended ? "ended" : "no end line", missing,
			agree + disagree, min_cases);
		return 1;
	}
	return unexpected ? 1 : 0;
}
