/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scenario runner's internals, shared by scen_run.c, scen_raw.c and
 * scen_vmm.c. */
#ifndef FLANK_SCEN_RUN_H
#define FLANK_SCEN_RUN_H

#include <setjmp.h>

#include "flank/vmm.h"
#include "mock_fixture.h"
#include "scen.h"
#include "test_platform.h"

/* Paging-structure pages "paging" and "map" may allocate. */
#define SCEN_MAX_TABLES 64u

struct scen_live_page {
	void *host;
	uint64_t pa;
	bool owned; /* Allocated by "alloc" (freed by the runner). */
};

/* The raw exit handler's record of the last VM exit. */
struct scen_exit_record {
	unsigned count;
	uint32_t reason;
	uint64_t qualification;
	uint32_t len;
};

struct scen_runner {
	const struct scen_script *s;
	const struct scen_cmd *cur; /* The directive being run. */
	unsigned pc;		    /* Index of the next directive to run. */
	unsigned in_handler;	    /* Nesting of "handler script" bodies. */
	char *err;
	size_t err_size;
	jmp_buf fail;

	bool up;
	struct scen_live_page pages[SCEN_MAX_PAGES];
	uint64_t vars[SCEN_MAX_VARS]; /* Values of "read" ($NAME). */
	struct mock_test_vm vm;
	bool vm_valid;
	void *tables[SCEN_MAX_TABLES]; /* "paging"/"map" (scen_paging.c) */
	unsigned ntables;

	/* Snapshot of every CPU ("expect cpu N unchanged"). */
	struct mock_cpu_snapshot *snap[MOCK_MAX_CPUS];
	struct mock_cpu_regs regs[MOCK_MAX_CPUS];
	uint64_t fc[MOCK_MAX_CPUS];
	bool snapped; /* Taken after the setup directives. */

	/* libvmm runs. */
	struct test_platform tp;
	bool vmm_bound;
	int status; /* Of the last libvmm call. */
	bool status_set;
	uint32_t failed_cpu; /* From the last vmm_start_all. */
	struct flank_check_report report;
	bool report_set;
	unsigned leaks; /* Pages found live at the last machine_down. */
};

/* Fails the run at the current directive: "file:line: <fmt>". */
_Noreturn void scen_fail(struct scen_runner *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Value of @p v now (pages and the revision identifier resolved). */
uint64_t scen_eval(struct scen_runner *r, const struct scen_value *v);

/* The emulated machine of the scenario: create and destroy. */
void scen_machine_up(struct scen_runner *r);
/* Returns pages leaked by the platform (vmm) or by "alloc" misuse. */
unsigned scen_machine_down(struct scen_runner *r);

/* Snapshot of every CPU, and comparison with the documented allowances. */
void scen_snapshot(struct scen_runner *r);
bool scen_cpu_unchanged(struct scen_runner *r, unsigned cpu, char *why,
			size_t why_size);

/* Directive groups. */
void scen_do_insn(struct scen_runner *r, const struct scen_cmd *c);
void scen_do_vmcs_valid(struct scen_runner *r, const struct scen_cmd *c);
void scen_do_field(struct scen_runner *r, const struct scen_cmd *c);
void scen_do_handler(struct scen_runner *r, const struct scen_cmd *c);
/* Raw scenarios: an exit without "handler advance" fails the run. */
void scen_raw_handlers_init(struct scen_runner *r);
void scen_do_guest(struct scen_runner *r, const struct scen_cmd *c);
/* "guest access" on CPU @p cpu (scen_ept.c). */
void scen_do_access(struct scen_runner *r, const struct scen_cmd *c,
		    unsigned cpu);
void scen_do_vmm(struct scen_runner *r, const struct scen_cmd *c);
void scen_do_sweep(struct scen_runner *r, const struct scen_cmd *c,
		   unsigned index);
void scen_do_expect_vmm(struct scen_runner *r, const struct scen_cmd *c);

/* Paging structures (scen_paging.c). */
void scen_do_paging(struct scen_runner *r, const struct scen_cmd *c);
void scen_do_map(struct scen_runner *r, const struct scen_cmd *c);
void scen_do_unmap(struct scen_runner *r, const struct scen_cmd *c);
void scen_paging_free(struct scen_runner *r);

/* Runs directives [first, last) of the script (the sweep replays setup). */
void scen_exec_range(struct scen_runner *r, unsigned first, unsigned last);
/* Runs directive @p index (the "handler script" body, from the handler). */
void scen_exec_at(struct scen_runner *r, unsigned index);

/* Last VM exit seen by the raw handler. */
extern struct scen_exit_record scen_last_exit;

/* "fail_valid 7", "VMsucceed", ... for messages. */
void scen_outcome_str(vmx_result_t res, char *buf, size_t size);

#endif /* FLANK_SCEN_RUN_H */
