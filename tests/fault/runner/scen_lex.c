// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tokens and values of the scenario language: splitting a line into
 * words, numbers, values (terms OR-ed with '|', '~' to invert, NAME+OFF
 * for pages), and the "file:line: expected ..., found ..." messages.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scen_parse.h"

int scen_tokenize(struct scen_pctx *p, char *line)
{
	char *c = line;

	p->ntok = 0;
	p->pos = 0;
	for (;;) {
		while (*c == ' ' || *c == '\t' || *c == '\r')
			c++;
		if (*c == '\0' || *c == '#')
			return 0;
		if (p->ntok == SCEN_MAX_TOKENS)
			return scen_perr(p,
					 "too many words on one line (at "
					 "most %u)",
					 SCEN_MAX_TOKENS);
		if (*c == '"') {
			char *end = strchr(c + 1, '"');

			if (!end)
				return scen_perr(p, "expected a closing '\"'");
			p->quoted[p->ntok] = true;
			p->tok[p->ntok++] = c + 1;
			*end = '\0';
			c = end + 1;
			continue;
		}
		p->quoted[p->ntok] = false;
		p->tok[p->ntok++] = c;
		while (*c && *c != ' ' && *c != '\t' && *c != '\r')
			c++;
		if (*c)
			*c++ = '\0';
	}
}

int scen_perr(struct scen_pctx *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->err_size, "%s:%u: ", p->s->file, p->line);
	if (n < 0 || (size_t)n >= p->err_size)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

const char *scen_peek(const struct scen_pctx *p)
{
	return p->pos < p->ntok ? p->tok[p->pos] : NULL;
}

const char *scen_found(const struct scen_pctx *p)
{
	return p->pos < p->ntok ? p->tok[p->pos] : "end of line";
}

int scen_expected(struct scen_pctx *p, const char *what)
{
	if (p->pos < p->ntok)
		return scen_perr(p, "expected %s, found '%s'", what,
				 p->tok[p->pos]);
	return scen_perr(p, "expected %s, found end of line", what);
}

bool scen_accept(struct scen_pctx *p, const char *word)
{
	if (p->pos < p->ntok && strcmp(p->tok[p->pos], word) == 0) {
		p->pos++;
		return true;
	}
	return false;
}

int scen_word(struct scen_pctx *p, const char *what, const char **out)
{
	if (p->pos >= p->ntok)
		return scen_expected(p, what);
	*out = p->tok[p->pos++];
	return 0;
}

int scen_end(struct scen_pctx *p)
{
	if (p->pos < p->ntok)
		return scen_perr(p, "expected end of line, found '%s'",
				 p->tok[p->pos]);
	return 0;
}

bool scen_number(const char *s, uint64_t *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno == 0 && *end == '\0';
}

bool scen_copy(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len >= size)
		return false;
	memcpy(dst, src, len + 1);
	return true;
}

int scen_num(struct scen_pctx *p, const char *what, uint64_t *v)
{
	if (p->pos >= p->ntok || !scen_number(p->tok[p->pos], v))
		return scen_expected(p, what);
	p->pos++;
	return 0;
}

int scen_u32(struct scen_pctx *p, const char *what, uint32_t *v)
{
	uint64_t n;

	if (p->pos >= p->ntok || !scen_number(p->tok[p->pos], &n) ||
	    n > UINT32_MAX)
		return scen_expected(p, what);
	p->pos++;
	*v = (uint32_t)n;
	return 0;
}

int scen_page_index(const struct scen_script *s, const char *name)
{
	for (unsigned i = 0; i < s->npages; i++)
		if (strcmp(s->pages[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* One term: [~]ATOM[+N|-N]. */
static int term(struct scen_pctx *p, char *t, struct scen_term *out,
		enum scen_reg ctx)
{
	char *plus;
	uint64_t off = 0;
	bool minus = false;
	int page;

	*out = (struct scen_term){.kind = SCEN_T_NUM};
	if (*t == '~') {
		out->invert = true;
		t++;
	}
	plus = strpbrk(t + (*t != '\0'), "+-");
	if (plus) {
		minus = *plus == '-';
		*plus = '\0';
		if (!scen_number(plus + 1, &off))
			return scen_perr(p,
					 "expected a number after '%c' in "
					 "'%s', found '%s'",
					 minus ? '-' : '+', t, plus + 1);
	}
	if (*t == '\0')
		return scen_perr(p, "expected a value, found an empty term");
	if (scen_number(t, &out->num)) {
		out->num = minus ? out->num - off : out->num + off;
		return 0;
	}
	if (*t == '$') {
		for (unsigned i = 0; i < p->s->nvars; i++) {
			if (strcmp(p->s->vars[i], t + 1) == 0) {
				out->kind = SCEN_T_VAR;
				out->page = i;
				out->num = minus ? (uint64_t)0 - off : off;
				return 0;
			}
		}
		return scen_perr(p,
				 "unknown variable '%s' (read it first: "
				 "read64 %s ADDR)",
				 t, t);
	}
	if (strcmp(t, "revision") == 0) {
		out->kind = SCEN_T_REVISION;
		out->num = off;
		if (minus)
			return scen_perr(p,
					 "expected revision or "
					 "revision+N, found revision-%s",
					 plus + 1);
		return 0;
	}
	page = scen_page_index(p->s, t);
	if (page >= 0) {
		out->kind = SCEN_T_PAGE;
		out->page = (unsigned)page;
		out->num = minus ? (uint64_t)0 - off : off;
		return 0;
	}
	if (scen_const_by_name(t, ctx, &out->num)) {
		out->num = minus ? out->num - off : out->num + off;
		return 0;
	}
	{
		int st;
		/* libvmm statuses by their full name (hypercall results). */
		if (strncmp(t, "VMM_", 4) == 0 && scen_status_by_name(t, &st)) {
			out->num = (uint64_t)st;
			return 0;
		}
	}
	{
		uint32_t m;
		/* An MSR name is a value too (e.g. a VM-entry MSR-load list). */
		if (scen_msr_by_name(t, &m)) {
			out->num = minus ? m - off : m + off;
			return 0;
		}
	}
	return scen_perr(p,
			 "unknown name '%s' (expected a number, a page "
			 "allocated earlier, 'revision' or a constant)",
			 t);
}

int scen_value_ctx(struct scen_pctx *p, const char *what, struct scen_value *v,
		   enum scen_reg ctx)
{
	char buf[128];
	char *save = NULL, *t;

	if (p->pos >= p->ntok || p->quoted[p->pos])
		return scen_expected(p, what);
	if (!scen_copy(buf, sizeof(buf), p->tok[p->pos]))
		return scen_perr(p, "value too long: '%s'", p->tok[p->pos]);
	if (strcmp(buf, "expect") == 0 || strcmp(buf, "on") == 0)
		return scen_expected(p, what);
	*v = (struct scen_value){0};
	for (t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		if (v->nterms == SCEN_MAX_TERMS)
			return scen_perr(p,
					 "too many terms in '%s' (at most "
					 "%u)",
					 p->tok[p->pos], SCEN_MAX_TERMS);
		if (term(p, t, &v->t[v->nterms++], ctx) != 0)
			return -1;
	}
	if (v->nterms == 0)
		return scen_expected(p, what);
	p->pos++;
	return 0;
}

int scen_value(struct scen_pctx *p, const char *what, struct scen_value *v)
{
	return scen_value_ctx(p, what, v, SCEN_R_CPL);
}

void scen_value_num(struct scen_value *v, uint64_t n)
{
	*v = (struct scen_value){.nterms = 1,
				 .t[0] = {.kind = SCEN_T_NUM, .num = n}};
}
