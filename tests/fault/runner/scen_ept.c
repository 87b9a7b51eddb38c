// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scenario event "guest access": a guest-physical access by the guest
 * (mock_guest_gpa_access(), the EPT walk of intrinsics/mock/ept.c) and the
 * expectations on the EPT-induced VM exits it causes
 * (docs/scenarios.md#guest-physical-accesses).
 *
 *   guest [cpu N] access read|write|fetch GPA [size N] [value V] [gla LA]
 *         [nogla] [paging] [user] [iret] [pat TYPE] [len N]
 *         [event INFO [code N] [elen N]] [expect ITEM...]
 */
#include <stdio.h>
#include <string.h>

#include "scen_parse.h"
#include "scen_run.h"

/* The access's options in the command (c->id, c->id_hi). */
#define A_KIND_MASK 0xFu
#define A_NOGLA BIT32(4)
#define A_PAGING BIT32(5)
#define A_USER BIT32(6)
#define A_IRET BIT32(7)
#define A_PAT BIT32(8)
#define A_SIZE(hi) ((hi)&0xFFu)
#define A_LEN(hi) (((hi) >> 8) & 0xFFu)
#define A_PATTYPE(hi) (((hi) >> 16) & 0xFFu)

static int small_num(struct scen_pctx *p, const char *what, uint64_t lo,
		     uint64_t hi, uint32_t *out)
{
	const char *t = scen_peek(p);
	uint64_t n;

	if (!t || !scen_number(t, &n) || n < lo || n > hi)
		return scen_expected(p, what);
	p->pos++;
	*out = (uint32_t)n;
	return 0;
}

/* "NAME=VALUE" with VALUE a scenario value (pages, $vars): into ev[]. */
static int ev_item(struct scen_pctx *p, struct scen_cmd *c,
		   struct scen_gitem *it, size_t prefix, const char *what)
{
	char *saved = p->tok[p->pos];
	int rc;

	if (c->nev == sizeof(c->ev) / sizeof(c->ev[0]))
		return scen_perr(p, "too many values to compare (at most %zu)",
				 sizeof(c->ev) / sizeof(c->ev[0]));
	p->tok[p->pos] = saved + prefix;
	rc = scen_value(p, what, &c->ev[c->nev]);
	p->tok[p->pos - (rc == 0 ? 1 : 0)] = saved;
	if (rc != 0)
		return -1;
	it->reg = c->nev++;
	return 0;
}

static int access_item(struct scen_pctx *p, struct scen_cmd *c)
{
	const char *t = scen_peek(p);
	struct scen_gitem *it;
	uint32_t n = 0;

	it = scen_item_new(p, c);
	if (!it)
		return -1;
	if (scen_accept(p, "resume")) {
		it->kind = SCEN_G_RESUME;
	} else if (scen_accept(p, "leave")) {
		it->kind = SCEN_G_LEAVE;
	} else if (scen_accept(p, "noexit")) {
		it->kind = SCEN_G_NOEXIT;
	} else if (scen_accept(p, "mtf")) {
		it->kind = SCEN_G_A_MTF;
	} else if (scen_accept(p, "nomtf")) {
		it->kind = SCEN_G_A_NOMTF;
	} else if (scen_accept(p, "done")) {
		it->kind = SCEN_G_A_DONE;
	} else if (scen_accept(p, "notdone")) {
		it->kind = SCEN_G_A_NOTDONE;
	} else if (scen_accept(p, "cached")) {
		it->kind = SCEN_G_A_CACHED;
	} else if (scen_accept(p, "notcached")) {
		it->kind = SCEN_G_A_NOTCACHED;
	} else if (scen_accept(p, "notrap")) {
		it->kind = SCEN_G_NOTRAP;
	} else if (scen_accept(p, "trap")) {
		it->kind = SCEN_G_TRAP;
		if (!scen_accept(p, "DB"))
			return scen_expected(p, "DB after trap");
	} else if (strncmp(t, "reason=", 7) == 0) {
		it->kind = SCEN_G_A_REASON;
		if (!scen_exit_reason_by_name(t + 7, &n)) {
			uint64_t v;
			if (!scen_number(t + 7, &v) || v > UINT32_MAX)
				return scen_expected(
					p, "an exit reason after reason= "
					   "(EPT_VIOLATION, EPT_MISCONFIG, "
					   "MONITOR_TRAP_FLAG, ...) or a "
					   "number");
			n = (uint32_t)v;
		}
		it->num = n;
		p->pos++;
	} else if (strncmp(t, "exits=", 6) == 0) {
		uint64_t v;
		it->kind = SCEN_G_A_EXITS;
		if (!scen_number(t + 6, &v) || v > 8)
			return scen_expected(p, "exits=N (0-8)");
		it->num = v;
		p->pos++;
	} else if (strncmp(t, "memtype=", 8) == 0) {
		uint64_t v;
		it->kind = SCEN_G_A_MEMTYPE;
		if (!scen_number(t + 8, &v) || v > 7)
			return scen_expected(p, "memtype=T (0-7)");
		it->num = v;
		p->pos++;
	} else if (strncmp(t, "rule=", 5) == 0) {
		it->kind = SCEN_G_A_RULE;
		if (t[5] == '\0' || !scen_copy(c->name, sizeof(c->name), t + 5))
			return scen_expected(p, "rule=ID (EPT.violation_read, "
						"...)");
		p->pos++;
	} else if (strncmp(t, "qual=", 5) == 0) {
		it->kind = SCEN_G_A_QUAL;
		if (ev_item(p, c, it, 5, "a value after qual=") != 0)
			return -1;
	} else if (strncmp(t, "gpa=", 4) == 0) {
		it->kind = SCEN_G_A_GPA;
		if (ev_item(p, c, it, 4, "a value after gpa=") != 0)
			return -1;
	} else if (strncmp(t, "gla=", 4) == 0) {
		it->kind = SCEN_G_A_GLA;
		if (ev_item(p, c, it, 4, "a value after gla=") != 0)
			return -1;
	} else if (strncmp(t, "value=", 6) == 0) {
		it->kind = SCEN_G_A_VALUE;
		if (ev_item(p, c, it, 6, "a value after value=") != 0)
			return -1;
	} else {
		return scen_expected(p, "resume, leave, noexit, done, notdone, "
					"mtf, nomtf, cached, notcached, trap "
					"DB, notrap, reason=R, qual=Q, gpa=V, "
					"gla=V, exits=N, memtype=T, value=V or "
					"rule=ID");
	}
	c->nitems++;
	return 0;
}

int scen_parse_access(struct scen_pctx *p, struct scen_cmd *c)
{
	static const char *const kinds[] = {"read", "write", "fetch"};
	const char *w;
	uint32_t n = 0;

	if (scen_word(p, "read, write or fetch", &w) != 0)
		return -1;
	for (c->id = 0; c->id < 3 && strcmp(w, kinds[c->id]) != 0; c->id++)
		;
	if (c->id == 3) {
		p->pos--;
		return scen_expected(p, "read, write or fetch");
	}
	if (scen_value(p, "a guest-physical address", &c->v[0]) != 0)
		return -1;
	scen_value_num(&c->v[1], 0);
	scen_value_num(&c->v[2], 0);
	c->nv = 3;
	c->id_hi = 4u | (3u << 8); /* 4 bytes, a 3-byte instruction */
	while (scen_peek(p) && strcmp(scen_peek(p), "expect") != 0) {
		if (scen_accept(p, "size")) {
			if (small_num(p, "a size of 1-8 bytes", 1, 8, &n) != 0)
				return -1;
			c->id_hi = (c->id_hi & ~0xFFu) | n;
		} else if (scen_accept(p, "len")) {
			if (small_num(p, "an instruction length of 0-15", 0, 15,
				      &n) != 0)
				return -1;
			c->id_hi = (c->id_hi & ~0xFF00u) | (n << 8);
		} else if (scen_accept(p, "pat")) {
			if (small_num(p, "a PAT memory type (0-7)", 0, 7, &n) !=
			    0)
				return -1;
			if (n == 2 || n == 3)
				return scen_perr(p, "PAT memory types 2 and 3 "
						    "are reserved (SDM Vol. "
						    "3A 11.12.2)");
			c->id_hi = (c->id_hi & ~0xFF0000u) | (n << 16);
			c->id |= A_PAT;
		} else if (scen_accept(p, "value")) {
			if ((c->id & A_KIND_MASK) != MOCK_GPA_WRITE) {
				p->pos--;
				return scen_perr(p, "'value' is what a write "
						    "stores: only with "
						    "'access write'");
			}
			if (scen_value(p, "a value to write", &c->v[1]) != 0)
				return -1;
		} else if (scen_accept(p, "gla")) {
			if (scen_value(p, "a guest-linear address", &c->v[2]))
				return -1;
		} else if (scen_accept(p, "nogla")) {
			c->id |= A_NOGLA;
		} else if (scen_accept(p, "paging")) {
			c->id |= A_PAGING;
		} else if (scen_accept(p, "user")) {
			c->id |= A_USER;
		} else if (scen_accept(p, "iret")) {
			c->id |= A_IRET;
		} else if (scen_accept(p, "event")) {
			if (small_num(p,
				      "the event in the IDT-vectoring format",
				      1, UINT32_MAX, &c->event) != 0)
				return -1;
		} else if (c->event != 0 && scen_accept(p, "code")) {
			if (small_num(p, "the event's error code", 0,
				      UINT32_MAX, &c->event_code) != 0)
				return -1;
		} else if (c->event != 0 && scen_accept(p, "elen")) {
			if (small_num(p, "the event's instruction length", 0,
				      15, &c->event_len) != 0)
				return -1;
		} else {
			return scen_expected(p, "size N, value V, gla LA, "
						"nogla, paging, user, iret, "
						"pat T, len N, event INFO "
						"(then code N, elen N) or "
						"expect");
		}
	}
	if (scen_accept(p, "expect")) {
		c->has_expect = true;
		do {
			if (access_item(p, c) != 0)
				return -1;
		} while (scen_peek(p));
	}
	return scen_end(p);
}

static void check_u64(struct scen_runner *r, const char *what, uint64_t want,
		      uint64_t got)
{
	if (want != got)
		scen_fail(r, "expected %s %#llx, got %#llx", what,
			  (unsigned long long)want, (unsigned long long)got);
}

static void check_item(struct scen_runner *r, const struct scen_cmd *c,
		       const struct scen_gitem *it,
		       const struct mock_gpa_result *res)
{
	bool has_value = it->kind == SCEN_G_A_QUAL ||
			 it->kind == SCEN_G_A_GPA || it->kind == SCEN_G_A_GLA ||
			 it->kind == SCEN_G_A_VALUE;
	uint64_t want = has_value ? scen_eval(r, &c->ev[it->reg]) : it->num;

	switch (it->kind) {
	case SCEN_G_RESUME:
	case SCEN_G_LEAVE:
		if (res->exits == 0)
			scen_fail(r, "the access caused no VM exit");
		if ((it->kind == SCEN_G_LEAVE) !=
		    (res->out.action == INTRIN_EXIT_LEAVE))
			scen_fail(r,
				  "expected the last exit's handler to %s, "
				  "it did not",
				  it->kind == SCEN_G_LEAVE ? "leave VMX"
							   : "resume");
		break;
	case SCEN_G_NOEXIT:
		if (res->exits != 0)
			scen_fail(r,
				  "expected no VM exit, the access caused "
				  "%u (first reason %u, rule %s)",
				  res->exits, res->reason,
				  res->rule ? res->rule : "-");
		break;
	case SCEN_G_TRAP:
	case SCEN_G_NOTRAP:
		if (res->out.debug_trap != (it->kind == SCEN_G_TRAP))
			scen_fail(r, "expected %s #DB after the last VM entry",
				  it->kind == SCEN_G_TRAP ? "a" : "no");
		break;
	case SCEN_G_A_MTF:
	case SCEN_G_A_NOMTF:
		if (res->mtf != (it->kind == SCEN_G_A_MTF))
			scen_fail(r, "expected %s MTF VM exit after the access",
				  it->kind == SCEN_G_A_MTF ? "an" : "no");
		break;
	case SCEN_G_A_DONE:
	case SCEN_G_A_NOTDONE:
		if (res->completed != (it->kind == SCEN_G_A_DONE))
			scen_fail(r, "expected the access %s",
				  it->kind == SCEN_G_A_DONE
					  ? "to complete, it did not"
					  : "not to complete, it did");
		break;
	case SCEN_G_A_CACHED:
	case SCEN_G_A_NOTCACHED:
		if (res->cached != (it->kind == SCEN_G_A_CACHED))
			scen_fail(r,
				  "expected the translation %s the EPT "
				  "cache",
				  it->kind == SCEN_G_A_CACHED ? "from"
							      : "not from");
		break;
	case SCEN_G_A_REASON:
		if (res->exits == 0 || res->reason != want)
			scen_fail(r,
				  "expected a first exit with reason %llu, "
				  "got %s %u",
				  (unsigned long long)want,
				  res->exits ? "reason" : "no exit",
				  res->reason);
		break;
	case SCEN_G_A_QUAL:
		check_u64(r, "exit qualification", want, res->qualification);
		break;
	case SCEN_G_A_GPA:
		check_u64(r, "GUEST_PHYSICAL_ADDRESS", want, res->gpa);
		break;
	case SCEN_G_A_GLA:
		check_u64(r, "GUEST_LINEAR_ADDRESS", want, res->gla);
		break;
	case SCEN_G_A_EXITS:
		if (res->exits != want)
			scen_fail(r, "expected %llu VM exits, got %u",
				  (unsigned long long)want, res->exits);
		break;
	case SCEN_G_A_MEMTYPE:
		check_u64(r, "memory type", want, res->mem_type);
		break;
	case SCEN_G_A_VALUE:
		check_u64(r, "the value read", want, res->value);
		break;
	case SCEN_G_A_RULE:
		if (!res->rule || strcmp(res->rule, c->name) != 0)
			scen_fail(r, "expected EPT rule %s, got %s", c->name,
				  res->rule ? res->rule : "none (no exit)");
		break;
	default:
		break;
	}
}

void scen_do_access(struct scen_runner *r, const struct scen_cmd *c,
		    unsigned cpu)
{
	unsigned prev = mock_current_cpu();
	struct mock_gpa_access a = {
		.gpa = scen_eval(r, &c->v[0]),
		.size = A_SIZE(c->id_hi),
		.kind = (enum mock_gpa_kind)(c->id & A_KIND_MASK),
		.paging_structure = (c->id & A_PAGING) != 0,
		.no_gla = (c->id & A_NOGLA) != 0,
		.user = (c->id & A_USER) != 0,
		.iret = (c->id & A_IRET) != 0,
		.gla = scen_eval(r, &c->v[2]),
		.pat_type = (uint8_t)A_PATTYPE(c->id_hi),
		.pat_given = (c->id & A_PAT) != 0,
		.len = A_LEN(c->id_hi),
		.value = scen_eval(r, &c->v[1]),
		.event = c->event,
		.event_error_code = c->event_code,
		.event_len = c->event_len,
	};
	struct mock_gpa_result res;
	int rc;

	if (mock_vmx_mode(cpu) != MOCK_VMX_NONROOT)
		scen_fail(r, "guest access on cpu %u, which is not a guest",
			  cpu);
	mock_set_current_cpu(cpu);
	rc = mock_guest_gpa_access(&a, &res);
	mock_set_current_cpu(prev);
	if (rc != 0)
		scen_fail(r,
			  "the access is not one a guest can make: it "
			  "crosses a page or lies beyond MAXPHYADDR%s",
			  c->event != 0 ? ", or its event is not one the CPU "
					  "could be delivering"
					: "");
	for (unsigned i = 0; i < c->nitems; i++)
		check_item(r, c, &c->items[i], &res);
}
