/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small JSON writer for flankctl's --json output: one value per call,
 * commas and indentation kept by the writer, every string escaped so that
 * the output is valid JSON whatever bytes the driver returned.
 */
#ifndef FLANKCTL_JSON_H
#define FLANKCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* flankctl's documents nest at most 4 deep (stats: cpus, exits). */
#define JSON_MAX_DEPTH 8

struct json {
	FILE *f;
	int depth;
	bool has_member[JSON_MAX_DEPTH]; /* A value was written at depth. */
};

void json_init(struct json *j, FILE *f);
/* @key is the member name inside an object, NULL inside an array or at
 * the top. */
void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);
/* At most @max bytes of @s (stops at a NUL before). */
void json_string(struct json *j, const char *key, const char *s, size_t max);
void json_uint(struct json *j, const char *key, unsigned long long v);
void json_int(struct json *j, const char *key, long long v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* Ends the document with a newline. */
void json_finish(struct json *j);

#endif /* FLANKCTL_JSON_H */
