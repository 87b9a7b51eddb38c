// SPDX-License-Identifier: GPL-2.0-or-later
/* The row-driven test generator shared by two suites (entry_suite.h). */
#include <stdio.h>
#include <stdlib.h>

#include "entry_suite.h"

static const unsigned profile_bits[] = {P_SKY, P_PENRYN, P_MEROM};
#define NPROFILES (sizeof(profile_bits) / sizeof(profile_bits[0]))
#define NAME_MAX_LEN 96

static void suite_free(struct efx_suite *s)
{
	for (size_t i = 0; s->names && i < s->max; i++)
		free(s->names[i]);
	free(s->names);
	free(s->cases);
	free(s->t);
}

/* Adds a generated test "WHAT #INDEX on PROF" (no "#INDEX" if negative). */
static void add_case(struct efx_suite *s, CMUnitTestFunction fn,
		     struct efx_case *c, const char *what, const char *prof,
		     int index)
{
	char *name = malloc(NAME_MAX_LEN);

	if (!name)
		abort();
	if (index >= 0)
		snprintf(name, NAME_MAX_LEN, "%s #%d on %s", what, index, prof);
	else
		snprintf(name, NAME_MAX_LEN, "%s on %s", what, prof);
	s->names[s->n] = name;
	efx_suite_add(s, (struct CMUnitTest){name, fn, NULL, NULL, c});
}

int efx_suite_build(struct efx_suite *s, CMUnitTestFunction fires,
		    CMUnitTestFunction passes, size_t extra)
{
	size_t rows = (size_t)efx_row_count + efx_pass_row_count;
	char what[NAME_MAX_LEN];
	size_t nc = 0;

	s->n = 0;
	s->max = 2 * NPROFILES * rows + extra;
	s->t = calloc(s->max, sizeof(*s->t));
	s->cases = calloc(NPROFILES * rows, sizeof(*s->cases));
	s->names = calloc(s->max, sizeof(*s->names));
	if (!s->t || !s->cases || !s->names) {
		suite_free(s);
		return -1;
	}
	for (unsigned i = 0; i < efx_row_count; i++) {
		for (unsigned p = 0; p < NPROFILES; p++) {
			const char *prof = efx_profile_name(profile_bits[p]);
			struct efx_case *c = &s->cases[nc];

			if (!(efx_rows[i].profiles & profile_bits[p]))
				continue;
			*c = (struct efx_case){&efx_rows[i], NULL,
					       profile_bits[p]};
			snprintf(what, sizeof(what), "fires %s",
				 efx_rows[i].rule);
			add_case(s, fires, c, what, prof, (int)i);
			snprintf(what, sizeof(what), "passes %s",
				 efx_rows[i].rule);
			add_case(s, passes, c, what, prof, (int)i);
			nc++;
		}
	}
	for (unsigned i = 0; i < efx_pass_row_count; i++) {
		for (unsigned p = 0; p < NPROFILES; p++) {
			struct efx_case *c = &s->cases[nc];

			if (!(efx_pass_rows[i].profiles & profile_bits[p]))
				continue;
			*c = (struct efx_case){NULL, &efx_pass_rows[i],
					       profile_bits[p]};
			snprintf(what, sizeof(what), "passes %s",
				 efx_pass_rows[i].name);
			add_case(s, passes, c, what,
				 efx_profile_name(profile_bits[p]), -1);
			nc++;
		}
	}
	return 0;
}

void efx_suite_add(struct efx_suite *s, struct CMUnitTest test)
{
	if (s->n >= s->max) {
		fprintf(stderr,
			"efx_suite: more tests than room was made for\n");
		abort();
	}
	s->t[s->n++] = test;
}

int efx_suite_run(struct efx_suite *s, const char *name)
{
	int rc = flank_run_group(name, s->t, s->n);

	suite_free(s);
	return rc;
}
