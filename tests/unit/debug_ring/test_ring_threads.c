// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Concurrent writers on the debug ring: real threads, one per emulated CPU,
 * hammer one ring with the same atomics the VMM uses. What is asserted does
 * not depend on the interleaving: every record read is intact (its text is
 * self-checking and matches its CPU and level), each CPU's records arrive
 * in the order it wrote them, and records read plus records reported lost
 * add up to records written.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flank/vmm_ring.h"
#include "flank_test.h"
#include "ring_test.h"

#define WRITERS 4u
#define PER_WRITER 10000u
/* Records written by all writers, counted in the ring's 64-bit positions. */
#define TOTAL_RECORDS ((uint64_t)WRITERS * PER_WRITER)

struct writer_arg {
	struct vmm_ring *ring;
	unsigned id;
};

static uint32_t check_hash(unsigned t, unsigned n)
{
	uint32_t h = 2166136261u;
	h = (h ^ t) * 16777619u;
	h = (h ^ n) * 16777619u;
	return h;
}

/* Pad length varies so that records of every length up to the max occur. */
static unsigned pad_len(unsigned n)
{
	return (n * 7u) % 90u;
}

static void *writer(void *p)
{
	const struct writer_arg *a = p;
	char text[160];

	for (unsigned n = 0; n < PER_WRITER; n++) {
		int len = snprintf(text, sizeof(text), "t%u n%u h%08x ", a->id,
				   n, check_hash(a->id, n));
		unsigned pad = pad_len(n);
		memset(text + len, 'a' + (int)a->id, pad);
		vmm_ring_write(a->ring, a->id, (enum flank_log_level)(n % 4u),
			       text, (size_t)len + pad);
	}
	return NULL;
}

/* Tallies of what a reader saw. */
struct tally {
	uint64_t received, lost, bad;
	int64_t last_n[WRITERS];
};

static void tally_init(struct tally *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < WRITERS; i++)
		t->last_n[i] = -1;
}

/*
 * Reads "<tag><number> " at *p (the number in @base) into *out and moves *p
 * past the space. False on a missing tag, digit or space, or an overflow.
 */
static bool parse_field(const char **p, char tag, int base, unsigned *out)
{
	const char *digits = *p + 1;
	char *end;
	unsigned long v;

	if (**p != tag || !isxdigit((unsigned char)*digits))
		return false;
	errno = 0;
	v = strtoul(digits, &end, base);
	if (errno != 0 || end == digits || *end != ' ' || v > UINT_MAX)
		return false;
	*out = (unsigned)v;
	*p = end + 1;
	return true;
}

/* Checks one record; counts anything wrong in t->bad. */
static void check_record(struct tally *t, const struct vmm_ring_record *rec)
{
	const char *p = rec->text;
	unsigned id = 0, n = 0, hash = 0;

	t->received++;
	if (!parse_field(&p, 't', 10, &id) || !parse_field(&p, 'n', 10, &n) ||
	    !parse_field(&p, 'h', 16, &hash) || id >= WRITERS ||
	    n >= PER_WRITER || hash != check_hash(id, n) || rec->cpu != id ||
	    rec->level != n % 4u) {
		t->bad++;
		return;
	}
	unsigned off = (unsigned)(p - rec->text);
	unsigned full = off + pad_len(n);
	bool truncated = full > VMM_RING_TEXT_MAX;
	if (rec->len != (truncated ? VMM_RING_TEXT_MAX : full) ||
	    ((rec->flags & VMM_RING_F_TRUNCATED) != 0) != truncated) {
		t->bad++;
		return;
	}
	for (unsigned i = off; i < rec->len; i++)
		if (rec->text[i] != (char)('a' + id)) {
			t->bad++;
			return;
		}
	if ((int64_t)n <= t->last_n[id])
		t->bad++; /* out of order or duplicated */
	t->last_n[id] = n;
}

/* Reads everything available; returns false once nothing more is there. */
static bool drain(struct vmm_ring *ring, uint64_t *pos, struct tally *t)
{
	struct vmm_ring_record rec;
	uint64_t lost;
	bool any = false;

	for (;;) {
		enum vmm_ring_read_status st =
			vmm_ring_read(ring, pos, &rec, &lost);
		t->lost += lost;
		if (st != VMM_RING_READ_RECORD)
			return any || lost > 0;
		any = true;
		check_record(t, &rec);
	}
}

static void run_writers(struct vmm_ring *ring, pthread_t *th,
			struct writer_arg *args)
{
	for (unsigned i = 0; i < WRITERS; i++) {
		args[i].ring = ring;
		args[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, writer, &args[i]),
				 0);
	}
}

/*
 * A ring big enough for everything: after the writers finish, every record
 * of every CPU is there, intact and in per-CPU order; none lost or dropped.
 */
void test_debug_ring_threads_big_ring(void **state)
{
	size_t size;
	void *mem = ring_mem(65536, &size);
	struct vmm_ring *ring = vmm_ring_init(mem, size);
	pthread_t th[WRITERS];
	struct writer_arg args[WRITERS];
	struct tally t;
	uint64_t pos = 0;
	(void)state;

	assert_true(vmm_ring_capacity(ring) >= TOTAL_RECORDS);
	run_writers(ring, th, args);
	for (unsigned i = 0; i < WRITERS; i++)
		pthread_join(th[i], NULL);
	tally_init(&t);
	drain(ring, &pos, &t);
	assert_int_equal(vmm_ring_head(ring), TOTAL_RECORDS);
	assert_int_equal(t.bad, 0);
	assert_int_equal(t.lost, 0);
	assert_int_equal(vmm_ring_dropped(ring), 0);
	assert_int_equal(t.received, TOTAL_RECORDS);
	for (unsigned i = 0; i < WRITERS; i++)
		assert_int_equal(t.last_n[i], PER_WRITER - 1);
	free(mem);
}

struct reader_arg {
	struct vmm_ring *ring;
	struct tally t;
	uint64_t pos;
	int done; /* set (atomically) when the writers have finished */
};

static void *reader(void *p)
{
	struct reader_arg *a = p;

	while (!__atomic_load_n(&a->done, __ATOMIC_ACQUIRE))
		drain(a->ring, &a->pos, &a->t);
	drain(a->ring, &a->pos, &a->t);
	return NULL;
}

/*
 * A 64-slot ring with a reader racing four writers: the reader falls
 * behind and slots are reused under it, yet every record it gets is intact
 * and in order, and read + lost = written exactly.
 */
void test_debug_ring_threads_small_ring_live_reader(void **state)
{
	size_t size;
	void *mem = ring_mem(64, &size);
	struct vmm_ring *ring = vmm_ring_init(mem, size);
	pthread_t th[WRITERS], rd;
	struct writer_arg args[WRITERS];
	struct reader_arg ra;
	(void)state;

	ra.ring = ring;
	ra.pos = 0;
	ra.done = 0;
	tally_init(&ra.t);
	assert_int_equal(pthread_create(&rd, NULL, reader, &ra), 0);
	run_writers(ring, th, args);
	for (unsigned i = 0; i < WRITERS; i++)
		pthread_join(th[i], NULL);
	__atomic_store_n(&ra.done, 1, __ATOMIC_RELEASE);
	pthread_join(rd, NULL);

	assert_int_equal(vmm_ring_head(ring), TOTAL_RECORDS);
	assert_int_equal(ra.pos, TOTAL_RECORDS);
	assert_int_equal(ra.t.bad, 0);
	assert_int_equal(ra.t.received + ra.t.lost, TOTAL_RECORDS);
	assert_true(ra.t.lost >= vmm_ring_dropped(ring));
	/* Each of the last 64 positions is read unless its writer dropped it. */
	assert_true(ra.t.received + vmm_ring_dropped(ring) >= 64);
	free(mem);
}
