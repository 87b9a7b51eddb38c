// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flank-scen: parses and runs scenario files (docs/scenarios.md).
 *
 *   flank-scen FILE...          run each file as one CMocka test
 *   flank-scen --parse FILE...  only parse (check the syntax)
 *
 * Every file is parsed before anything runs. A malformed file prints
 * "file:line: message" on stderr and the exit status is 2; a failed run
 * prints the same form and the status is 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flank_test.h"
#include "scen.h"

static void run_one(void **state)
{
	const struct scen_script *s = *state;
	char err[SCEN_ERR_LEN];

	if (scen_run(s, err, sizeof(err)) != 0) {
		fprintf(stderr, "FAIL %s\n", err);
		fail_msg("%s", err);
	}
}

int main(int argc, char **argv)
{
	bool parse_only = argc > 1 && strcmp(argv[1], "--parse") == 0;
	int first = parse_only ? 2 : 1, n = argc - first, bad = 0, rc;
	struct scen_script *scripts;
	struct CMUnitTest *tests;
	char err[SCEN_ERR_LEN];

	if (n <= 0) {
		fprintf(stderr, "usage: flank-scen [--parse] FILE.scen...\n");
		return 2;
	}
	scripts = calloc((size_t)n, sizeof(*scripts));
	tests = calloc((size_t)n, sizeof(*tests));
	if (!scripts || !tests) {
		rc = 2;
		goto out_free;
	}
	for (int i = 0; i < n; i++) {
		if (scen_parse_file(argv[first + i], &scripts[i], err,
				    sizeof(err)) != 0) {
			fprintf(stderr, "%s\n", err);
			bad++;
			continue;
		}
		tests[i] = (struct CMUnitTest){.name = argv[first + i],
					       .test_func = run_one,
					       .initial_state = &scripts[i]};
	}
	if (bad || parse_only) {
		rc = bad ? 2 : 0;
	} else {
		rc = _cmocka_run_group_tests("scenarios", tests, (size_t)n,
					     NULL, NULL) != 0;
	}
	for (int i = 0; i < n; i++)
		scen_script_free(&scripts[i]);
out_free:
	free(scripts);
	free(tests);
	return rc;
}
