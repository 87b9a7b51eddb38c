/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scenario language of the emulated VT-x (docs/scenarios.md).
 *
 * A scenario is a text file, one directive per line. It is parsed in full
 * first (scen_parse_*): a malformed line is rejected with "file:line: what
 * was expected" before anything runs. A parsed script is then run on a
 * fresh emulated machine (scen_run), raw VMX instructions and/or whole
 * libvmm start/exit/stop runs, and every expectation is checked as it is
 * reached; the first one that does not hold fails the run with its
 * file:line.
 */
#ifndef FLANK_SCEN_H
#define FLANK_SCEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/mock.h"

#define SCEN_MAX_TOKENS 24u
#define SCEN_NAME_LEN 48u
#define SCEN_MAX_TERMS 6u
#define SCEN_MAX_PAGES 32u
#define SCEN_MAX_ITEMS 8u
#define SCEN_MAX_VARS 16u
/* A message with its "file:line: " prefix: room for a path as long as
 * Linux allows (PATH_MAX) plus the message. */
#define SCEN_ERR_LEN (4096u + 512u)

/* A value: terms OR-ed together, each a number, a page symbol plus an
 * offset, or the profile's revision identifier, optionally inverted. */
enum scen_term_kind {
	SCEN_T_NUM,
	SCEN_T_PAGE,
	SCEN_T_REVISION,
	SCEN_T_VAR, /* $NAME: a value read earlier ("read64 $NAME ADDR"). */
};

struct scen_term {
	enum scen_term_kind kind;
	bool invert;
	unsigned page; /* Index in the script's page or variable table. */
	uint64_t num;  /* Number, or offset for a page. */
};

struct scen_value {
	unsigned nterms;
	struct scen_term t[SCEN_MAX_TERMS];
};

/* Outcome of an instruction as a scenario states it. */
enum scen_outcome {
	SCEN_O_SUCCEED,
	SCEN_O_FAIL_INVALID,
	SCEN_O_FAIL_VALID,
	SCEN_O_EXCEPTION,
	SCEN_O_ENTRY_FAIL, /* VM-entry failure with an exit reason (33/34). */
};

struct scen_expect {
	enum scen_outcome outcome;
	uint32_t num; /* Error, vector, or basic exit reason. */
	bool has_qual;
	uint64_t qual;
	bool has_code; /* "exception VEC code N": the error code. */
	uint32_t code;
	bool has_value;
	struct scen_value value;
	char rule[SCEN_NAME_LEN]; /* Empty: not checked. */
	/* The instruction must report this undefined behaviour. */
	char undefined[SCEN_NAME_LEN];
};

/* One check of a guest event ("rax=5", "inject GP", "leave", ...). */
enum scen_gcheck {
	SCEN_G_RESUME,
	SCEN_G_LEAVE,
	SCEN_G_NOEXIT,
	SCEN_G_INJECT,
	SCEN_G_NOINJECT,
	SCEN_G_REG,   /* reg index in num, width 32 if wide == false */
	SCEN_G_VALUE, /* RDMSR / MOV from CR result */
	SCEN_G_RIP,   /* RIP advanced by */
	SCEN_G_EXIT,  /* raw handler: basic exit reason seen */
	SCEN_G_FAULT, /* the instruction raised vector num in the guest */
	SCEN_G_NOFAULT,
	SCEN_G_TRAP, /* #DB delivered after the resuming entry (27.7.3) */
	SCEN_G_NOTRAP,
	SCEN_G_PENDING_DBG, /* pending debug exceptions at that entry */
	/* "guest access" only (scen_ept.c): the access's first EPT exit,
	 * how it ended, and what it read. Values in ev[reg]. */
	SCEN_G_A_REASON,
	SCEN_G_A_QUAL,
	SCEN_G_A_GPA,
	SCEN_G_A_GLA,
	SCEN_G_A_EXITS,
	SCEN_G_A_MTF,
	SCEN_G_A_NOMTF,
	SCEN_G_A_DONE,
	SCEN_G_A_NOTDONE,
	SCEN_G_A_MEMTYPE,
	SCEN_G_A_CACHED,
	SCEN_G_A_NOTCACHED,
	SCEN_G_A_RULE, /* rule in the command's name */
	SCEN_G_A_VALUE,
};

struct scen_gitem {
	enum scen_gcheck kind;
	unsigned reg;
	bool low32;
	uint64_t num;
};

/* Every directive. */
enum scen_op {
	SCEN_PROFILE,
	SCEN_CPUS,
	SCEN_CPU,
	SCEN_SET_REG,
	SCEN_SET_MSR,
	SCEN_SET_MOVSS,
	SCEN_FEATURE_CONTROL,
	SCEN_CPUID_BITS,
	SCEN_CPUID_REMOVE,
	SCEN_INJECT_MSR_GP,
	SCEN_INJECT_NTH,
	SCEN_INJECT_CLEAR,
	SCEN_FAIL_ALLOC,
	SCEN_OFFLINE,
	SCEN_ALLOC,
	SCEN_WRITE,
	SCEN_INSN, /* A raw instruction (insn). */
	SCEN_VMCS_VALID,
	SCEN_FIELD,
	SCEN_HANDLER,
	SCEN_SNAPSHOT,
	SCEN_GUEST,
	SCEN_VMM_CHECK,
	SCEN_VMM_START,
	SCEN_VMM_STOP,
	SCEN_VMM_START_CPU,
	SCEN_VMM_STOP_CPU,
	SCEN_SWEEP_START,
	SCEN_SWEEP_ALLOC,
	SCEN_EXPECT_CPU,
	SCEN_EXPECT_FIELD,
	SCEN_EXPECT_MEM,
	SCEN_EXPECT_STATUS,
	SCEN_EXPECT_FAILED_CPU,
	SCEN_EXPECT_STATE,
	SCEN_EXPECT_LEAKS,
	SCEN_EXPECT_PAGES,
	SCEN_EXPECT_LOG,
	SCEN_EXPECT_REPORT,
	SCEN_EXPECT_ENTRY_FAILURE,
	SCEN_EXPECT_RULE,
	SCEN_EXPECT_EXIT,
	SCEN_EXPECT_CALLS,
	SCEN_COPY,	       /* copy DST SRC LEN (physical memory) */
	SCEN_READ,	       /* read16/32/64 $VAR ADDR */
	SCEN_EXPECT_UNDEFINED, /* expect undefined none|N */
	SCEN_RETURN, /* end of a "handler script" body: resume/advance/leave */
	SCEN_MODE,   /* mode 64|compat|protected|v86|real [on CPUS] */
	SCEN_MAXPHYADDR, /* maxphyaddr N */
	SCEN_UNMAPPED,	 /* unmapped BYTE */
	SCEN_PAGING,	 /* paging 4|5: fresh root table in CR3 */
	SCEN_MAP,	 /* map LA PA FLAGS [2m|1g] */
	SCEN_UNMAP,	 /* unmap LA */
};

/* Raw instructions. */
enum scen_insn {
	SCEN_I_VMXON,
	SCEN_I_VMXOFF,
	SCEN_I_VMCLEAR,
	SCEN_I_VMPTRLD,
	SCEN_I_VMPTRST,
	SCEN_I_VMREAD,
	SCEN_I_VMWRITE,
	SCEN_I_VMLAUNCH,
	SCEN_I_VMRESUME,
	SCEN_I_INVEPT,
	SCEN_I_INVVPID,
	SCEN_I_VMCALL,
	SCEN_I_RDMSR,
	SCEN_I_WRMSR,
	SCEN_I_XSETBV,
	SCEN_I_MOV_CR, /* MOV to CR0/CR3/CR4/CR8: reg in id, OP in assign */
};

/* Guest events. */
enum scen_event {
	SCEN_E_CPUID,
	SCEN_E_RDMSR,
	SCEN_E_WRMSR,
	SCEN_E_VMCALL,
	SCEN_E_XSETBV,
	SCEN_E_MOV_TO_CR,
	SCEN_E_MOV_FROM_CR,
	SCEN_E_HLT,
	SCEN_E_INVD,
	SCEN_E_WBINVD,
	SCEN_E_EXCEPTION,
	SCEN_E_NMI,
	SCEN_E_INTR,
	SCEN_E_INIT,
	SCEN_E_SIPI,
	SCEN_E_TRIPLE_FAULT,
	SCEN_E_VMX,
	SCEN_E_GATED,  /* id: enum mock_gated_insn (rdtscp, tpause, ...) */
	SCEN_E_ACCESS, /* guest-physical access (scen_ept.c) */
};

/* Which CPUs a directive applies to. */
#define SCEN_CPU_ALL 0xFFFFFFFFu
#define SCEN_CPU_CURRENT 0xFFFFFFFEu

/* What "expect cpu" checks. */
enum scen_cpu_item {
	SCEN_C_VMX,
	SCEN_C_REG,
	SCEN_C_MSR,
	SCEN_C_UNCHANGED,
	SCEN_C_RUNNING,
};

/* Register selector of "set" and "expect cpu". */
enum scen_reg {
	SCEN_R_CR0,
	SCEN_R_CR3,
	SCEN_R_CR4,
	SCEN_R_CR8,
	SCEN_R_DR7,
	SCEN_R_RFLAGS,
	SCEN_R_XCR0,
	SCEN_R_CPL,
	SCEN_R_CR2,
	/* Segment registers: SCEN_R_SEG + 4 * enum mock_seg + part, part 0
	 * selector, 1 base, 2 limit, 3 access rights ("cs.ar"). */
	SCEN_R_SEG = 16,
	SCEN_R_SEG_END = SCEN_R_SEG + 4 * MOCK_SEG_COUNT,
};

/* Assignment operators of "set" and "field". */
enum scen_assign { SCEN_A_SET, SCEN_A_OR, SCEN_A_AND };

struct scen_cmd {
	unsigned line;
	enum scen_op op;
	unsigned sub; /* insn, event, register, item, ... */
	unsigned cpu; /* SCEN_CPU_ALL / _CURRENT / number */
	uint32_t id;  /* field encoding, MSR index, op, status ... */
	/* Bits 63:32 of a raw VMREAD/VMWRITE field operand (SDM Vol. 3C
	 * 25.11.2: set bits there make the instruction fail, error 12). */
	uint32_t id_hi;
	enum scen_assign assign;
	bool has_mask;
	struct scen_value mask;
	struct scen_value v[3];
	unsigned nv;
	bool has_expect;
	struct scen_expect ex;
	unsigned nitems;
	struct scen_gitem items[SCEN_MAX_ITEMS];
	char name[SCEN_NAME_LEN];
	char text[160];
	/* "mem OFFSET [seg SEG]": the memory operand in the linear address
	 * space (mock_operand_at), for the instructions that have one. */
	bool mem;
	enum mock_seg mem_seg;
	struct scen_value mem_off;
	/* Expected values of "guest access" items (scen_ept.c). */
	unsigned nev;
	struct scen_value ev[4];
	/* "guest access ... event INFO [code N] [elen N]": the event whose
	 * delivery makes the access (mock_gpa_access.event). */
	uint32_t event, event_code, event_len;
};

struct scen_page {
	char name[SCEN_NAME_LEN];
	unsigned npages;
};

struct scen_script {
	const char *file; /* The caller's string; outlives the script. */
	char profile[SCEN_NAME_LEN];
	unsigned ncpus;
	bool uses_vmm; /* Any libvmm directive: the machine binds libvmm. */
	unsigned npages;
	struct scen_page pages[SCEN_MAX_PAGES];
	unsigned nvars;
	char vars[SCEN_MAX_VARS][SCEN_NAME_LEN];
	unsigned ncmds, cap;
	struct scen_cmd *cmds;
};

/**
 * Parses scenario text @p text (named @p file in messages) into @p s.
 * @p file is kept, not copied (a path has no length limit): it must outlive
 * @p s. Returns 0, or -1 with "file:line: message" in @p err.
 */
int scen_parse_text(const char *file, const char *text, struct scen_script *s,
		    char *err, size_t err_size);

/** Reads and parses file @p path; as scen_parse_text. */
int scen_parse_file(const char *path, struct scen_script *s, char *err,
		    size_t err_size);

/** Frees what a parse allocated. */
void scen_script_free(struct scen_script *s);

/**
 * Runs @p s. Returns 0 if every expectation held, else -1 with
 * "file:line: message" in @p err. Unexpected exceptions and model
 * violations fail the run the same way.
 */
int scen_run(const struct scen_script *s, char *err, size_t err_size);

/* Name tables (scen_names.c). Each returns false for an unknown name. */
bool scen_field_by_name(const char *name, uint32_t *enc);
bool scen_msr_by_name(const char *name, uint32_t *msr);
bool scen_const_by_name(const char *name, enum scen_reg ctx, uint64_t *v);
bool scen_vector_by_name(const char *name, uint32_t *vec);
bool scen_exit_reason_by_name(const char *name, uint32_t *reason);
bool scen_status_by_name(const char *name, int *status);
bool scen_state_by_name(const char *name, unsigned *state);
const char *scen_state_name(unsigned state);
const char *scen_reg_name(enum scen_reg r);

#endif /* FLANK_SCEN_H */
