/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scenario parser's internals, shared by scen_lex.c and scen_parse.c. */
#ifndef FLANK_SCEN_PARSE_H
#define FLANK_SCEN_PARSE_H

#include "scen.h"

struct scen_pctx {
	struct scen_script *s;
	unsigned line;
	char *tok[SCEN_MAX_TOKENS];
	bool quoted[SCEN_MAX_TOKENS];
	unsigned ntok, pos;
	char *err;
	size_t err_size;
	bool body; /* A directive other than profile/cpus was seen. */
	bool has_profile, has_cpus;
};

/* Splits @p line (modified in place) into p->tok. */
int scen_tokenize(struct scen_pctx *p, char *line);

/* Writes "file:line: <fmt>" to p->err; returns -1. */
int scen_perr(struct scen_pctx *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "expected <what>, found '<token>'" (or "end of line"); returns -1. */
int scen_expected(struct scen_pctx *p, const char *what);
/* The next expectation of @p c, zeroed; NULL after a parse error. */
struct scen_gitem *scen_item_new(struct scen_pctx *p, struct scen_cmd *c);

const char *scen_peek(const struct scen_pctx *p);
const char *scen_found(const struct scen_pctx *p);
bool scen_accept(struct scen_pctx *p, const char *word);
int scen_word(struct scen_pctx *p, const char *what, const char **out);
int scen_end(struct scen_pctx *p);
bool scen_number(const char *s, uint64_t *v);

/*
 * Copies @src with its NUL into @dst of @size bytes. False, with @dst left
 * as it was, when it does not fit.
 */
bool scen_copy(char *dst, size_t size, const char *src);
int scen_num(struct scen_pctx *p, const char *what, uint64_t *v);
int scen_u32(struct scen_pctx *p, const char *what, uint32_t *v);
int scen_page_index(const struct scen_script *s, const char *name);

/* A value in the context of register @p ctx (bare bit names). */
int scen_value_ctx(struct scen_pctx *p, const char *what, struct scen_value *v,
		   enum scen_reg ctx);
int scen_value(struct scen_pctx *p, const char *what, struct scen_value *v);
void scen_value_num(struct scen_value *v, uint64_t n);

/* The arguments and expectations of "guest access" (scen_ept.c). */
int scen_parse_access(struct scen_pctx *p, struct scen_cmd *c);

#endif /* FLANK_SCEN_PARSE_H */
