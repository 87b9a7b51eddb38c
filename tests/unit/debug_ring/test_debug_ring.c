// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the debug ring (libvmm/src/debug_ring.c), single-threaded
 * part. The concurrent writers live in test_ring_threads.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flank/vmm_ring.h"
#include "flank_test.h"
#include "ring_test.h"

/* Ring memory for @p slots slots, 8-byte aligned, freed by the caller. */
void *ring_mem(uint64_t slots, size_t *size)
{
	*size = (size_t)(slots + 1u) * VMM_RING_SLOT_SIZE;
	void *mem = aligned_alloc(64, *size);
	assert_non_null(mem);
	memset(mem, 0xa5, *size); /* init must not rely on zeroed memory */
	return mem;
}

/*
 * The slot layout, known here only to emulate interrupted and late writers
 * deterministically: the control block takes the first slot's worth of
 * memory, and the sequence word (position << 2 | state) opens each slot.
 */
static uint64_t *slot_word(void *mem, uint64_t slot, unsigned word)
{
	return (uint64_t *)((char *)mem + VMM_RING_SLOT_SIZE +
			    slot * VMM_RING_SLOT_SIZE) +
	       word;
}

enum { ST_BUSY = 1, ST_DONE = 2, ST_VOID = 3 };

/* Reads the next record, asserting one is there; returns lost. */
static uint64_t read_one(struct vmm_ring *ring, uint64_t *pos,
			 struct vmm_ring_record *rec)
{
	uint64_t lost = 99;
	assert_int_equal(vmm_ring_read(ring, pos, rec, &lost),
			 VMM_RING_READ_RECORD);
	return lost;
}

/* init refuses NULL, misaligned and too-small memory; uses every slot. */
static void test_debug_ring_init_checks(void **state)
{
	static uint64_t mem[4u * VMM_RING_SLOT_SIZE / 8u];
	(void)state;
	assert_null(vmm_ring_init(NULL, sizeof(mem)));
	assert_null(vmm_ring_init((char *)mem + 1, sizeof(mem) - 8));
	assert_null(vmm_ring_init(mem, (size_t)2 * VMM_RING_SLOT_SIZE));
	/* Control block + 3 slots fit: all 3 are used (no power of two). */
	struct vmm_ring *ring = vmm_ring_init(mem, sizeof(mem));
	assert_ptr_equal(ring, mem);
	assert_int_equal(vmm_ring_capacity(ring), 3);
	/* A tail shorter than a slot is left unused. */
	assert_int_equal(vmm_ring_capacity(vmm_ring_init(mem, sizeof(mem) - 8)),
			 2);
	assert_int_equal(vmm_ring_head(ring), 0);
	assert_int_equal(vmm_ring_dropped(ring), 0);
	assert_int_equal(vmm_ring_capacity(NULL), 0);
	assert_int_equal(vmm_ring_head(NULL), 0);
	assert_int_equal(vmm_ring_dropped(NULL), 0);
}

/* A written record comes back with its position, CPU, level and text. */
static void test_debug_ring_roundtrip(void **state)
{
	size_t size;
	void *mem = ring_mem(16, &size);
	struct vmm_ring *ring = vmm_ring_init(mem, size);
	struct vmm_ring_record rec;
	uint64_t pos = 0, lost = 7;
	(void)state;

	assert_int_equal(vmm_ring_capacity(ring), 16);
	assert_int_equal(vmm_ring_read(ring, &pos, &rec, &lost),
			 VMM_RING_READ_EMPTY);
	assert_int_equal(lost, 0);
	assert_int_equal(vmm_ring_write(ring, 3, FLANK_LOG_WARN, "hello", 5),
			 0);
	assert_int_equal(
		vmm_ring_printf(ring, 1, FLANK_LOG_ERROR, "x=%d %s", 42, "y"),
		1);
	assert_int_equal(read_one(ring, &pos, &rec), 0);
	assert_int_equal(rec.pos, 0);
	assert_int_equal(rec.cpu, 3);
	assert_int_equal(rec.level, FLANK_LOG_WARN);
	assert_int_equal(rec.flags, 0);
	assert_int_equal(rec.len, 5);
	assert_string_equal(rec.text, "hello");
	assert_int_equal(read_one(ring, &pos, &rec), 0);
	assert_int_equal(rec.pos, 1);
	assert_int_equal(rec.cpu, 1);
	assert_int_equal(rec.level, FLANK_LOG_ERROR);
	assert_string_equal(rec.text, "x=42 y");
	assert_int_equal(pos, 2);
	assert_int_equal(vmm_ring_read(ring, &pos, &rec, &lost),
			 VMM_RING_READ_EMPTY);
	assert_int_equal(pos, 2);
	/* An empty record is a record too. */
	assert_int_equal(vmm_ring_write(ring, 0, FLANK_LOG_INFO, NULL, 0), 2);
	read_one(ring, &pos, &rec);
	assert_int_equal(rec.len, 0);
	assert_string_equal(rec.text, "");
	free(mem);
}

/* Bad arguments are refused, never dereferenced. */
static void test_debug_ring_bad_arguments(void **state)
{
	size_t size;
	void *mem = ring_mem(4, &size);
	struct vmm_ring *ring = vmm_ring_init(mem, size);
	struct vmm_ring_record rec;
	uint64_t pos = 0, lost = 0;
	char buf[8];
	(void)state;

	assert_int_equal(vmm_ring_write(NULL, 0, FLANK_LOG_INFO, "a", 1),
			 UINT64_MAX);
	assert_int_equal(vmm_ring_write(ring, 0, FLANK_LOG_INFO, NULL, 1),
			 UINT64_MAX);
	assert_int_equal(vmm_ring_printf(NULL, 0, FLANK_LOG_INFO, "a"),
			 UINT64_MAX);
	assert_int_equal(vmm_ring_read(NULL, &pos, &rec, &lost),
			 VMM_RING_READ_BAD_ARGUMENT);
	assert_int_equal(vmm_ring_read(ring, NULL, &rec, &lost),
			 VMM_RING_READ_BAD_ARGUMENT);
	assert_int_equal(vmm_ring_read(ring, &pos, NULL, &lost),
			 VMM_RING_READ_BAD_ARGUMENT);
	assert_int_equal(vmm_ring_read(ring, &pos, &rec, NULL),
			 VMM_RING_READ_BAD_ARGUMENT);
	assert_int_equal(vmm_ring_read_text(NULL, &pos, buf, sizeof(buf)), 0);
	assert_int_equal(vmm_ring_read_text(ring, NULL, buf, sizeof(buf)), 0);
	assert_int_equal(vmm_ring_read_text(ring, &pos, NULL, sizeof(buf)), 0);
	assert_int_equal(vmm_ring_read_text(ring, &pos, buf, 0), 0);
	assert_int_equal(vmm_ring_head(ring), 0);
	free(mem);
}

/*
 * Wrap-around: after capacity + 5 records the 5 oldest are gone, the reader
 * is told exactly that and then gets every record still held, in order.
 */
static void test_debug_ring_wrap_around(void **state)
{
	size_t size;
	void *mem = ring_mem(8, &size);
	struct vmm_ring *ring = vmm_ring_init(mem, size);
	struct vmm_ring_record rec;
	uint64_t pos = 0, lost;
	(void)state;

	for (unsigned i = 0; i < 13; i++)
		assert_int_equal(vmm_ring_printf(ring, i % 2, FLANK_LOG_INFO,
						 "rec %u", i),
				 i);
	assert_int_equal(vmm_ring_head(ring), 13);
	assert_int_equal(read_one(ring, &pos, &rec), 5);
	assert_int_equal(rec.pos, 5);
	assert_string_equal(rec.text, "rec 5");
	for (unsigned i = 6; i < 13; i++) {
		char want[16];
		assert_int_equal(read_one(ring, &pos, &rec), 0);
		snprintf(want, sizeof(want), "rec %u", i);
		assert_string_equal(rec.text, want);
		assert_int_equal(rec.cpu, i % 2);
	}
	assert_int_equal(vmm_ring_read(ring, &pos, &rec, &lost),
			 VMM_RING_READ_EMPTY);
	assert_int_equal(lost, 0);
	assert_int_equal(vmm_ring_dropped(ring), 0);
	free(mem);
}

/*
 * A slot count that is not a power of two (5) wraps as well: after three
 * and a half rounds the reader loses exactly the records overwritten and
 * gets the 5 newest in order, each from its own slot (position mod 5).
 */
static void test_debug_ring_wrap_odd_capacity(void **state)
{
	size_t size;
	void *mem = ring_mem(5, &size);
	struct vmm_ring *ring = vmm_ring_init(mem, size);
	struct vmm_ring_record rec;
	uint64_t pos = 0, lost;
	(void)state;

	assert_int_equal(vmm_ring_capacity(ring), 5);
	for (unsigned i = 0; i < 17; i++)
		assert_int_equal(
			vmm_ring_printf(ring, 0, FLANK_LOG_INFO, "rec %u", i),
			i);
	/* Position 16 sits in slot 16 mod 5 = 1 (sequence word: 16 << 2 | 2). */
	assert_int_equal(*slot_word(mem, 1, 0), (16u << 2) | ST_DONE);
	assert_int_equal(read_one(ring, &pos, &rec), 12);
	assert_string_equal(rec.text, "rec 12");
	for (unsigned i = 13; i < 17; i++) {
		char want[16];
		assert_int_equal(read_one(ring, &pos, &rec), 0);
		snprintf(want, sizeof(want), "rec %u", i);
		assert_string_equal(rec.text, want);
	}
	assert_int_equal(vmm_ring_read(ring, &pos, &rec, &lost),
			 VMM_RING_READ_EMPTY);
	assert_int_equal(vmm_ring_dropped(ring), 0);
	free(mem);
}

/*
 * A reader that fell behind in the middle of reading learns how many
 * records it missed, and the next record it gets is the oldest held.
 */
static void test_debug_ring_reader_missed_records(void **state)
{
	size_t size;
	void *mem = ring_mem(4, &size);
	struct vmm_ring *ring = vmm_ring_init(mem, size);
	struct vmm_ring_record rec;
	uint64_t pos = 0;
	(void)state;

	vmm_ring_printf(ring, 0, FLANK_LOG_INFO, "a");
	vmm_ring_printf(ring, 0, FLANK_LOG_INFO, "b");
	assert_int_equal(read_one(ring, &pos, &rec), 0);
	assert_string_equal(rec.text, "a");
	/* 10 more: positions 2..11; the ring holds 8..11. */
	for (unsigned i = 0; i < 10; i++)
		vmm_ring_printf(ring, 2, FLANK_LOG_DEBUG, "n%u", i + 2);
	assert_int_equal(read_one(ring, &pos, &rec), 7); /* 1..7 missed */
	assert_int_equal(rec.pos, 8);
	assert_string_equal(rec.text, "n8");
	/* A position beyond the head restarts at the oldest, no loss. */
	pos = 1000;
	assert_int_equal(read_one(ring, &pos, &rec), 0);
	assert_int_equal(rec.pos, 8);
	free(mem);
}

/* Oversized records are cut to VMM_RING_TEXT_MAX and flagged. */
static void test_debug_ring_oversized_record(void **state)
{
	size_t size;
	void *mem = ring_mem(4, &size);
	struct vmm_ring *ring = vmm_ring_init(mem, size);
	struct vmm_ring_record rec;
	char big[301];
	uint64_t pos = 0;
	(void)state;

	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char)('A' + i % 26);
	big[300] = '\0';
	vmm_ring_write(ring, 0, FLANK_LOG_ERROR, big, 300);
	vmm_ring_printf(ring, 0, FLANK_LOG_ERROR, "%s", "short"); /* fits */
	vmm_ring_printf(ring, 0, FLANK_LOG_ERROR, "%s%s", big + 50, big + 50);
	vmm_ring_write(ring, 0, FLANK_LOG_ERROR, big, VMM_RING_TEXT_MAX);

	read_one(ring, &pos, &rec);
	assert_int_equal(rec.flags, VMM_RING_F_TRUNCATED);
	assert_int_equal(rec.len, VMM_RING_TEXT_MAX);
	assert_memory_equal(rec.text, big, VMM_RING_TEXT_MAX);
	assert_int_equal(rec.text[VMM_RING_TEXT_MAX], '\0');
	read_one(ring, &pos, &rec);
	assert_int_equal(rec.flags, 0);
	read_one(ring, &pos, &rec);
	assert_int_equal(rec.flags, VMM_RING_F_TRUNCATED);
	assert_int_equal(rec.len, VMM_RING_TEXT_MAX);
	read_one(ring, &pos, &rec); /* exactly the maximum is not cut */
	assert_int_equal(rec.flags, 0);
	assert_int_equal(rec.len, VMM_RING_TEXT_MAX);
	free(mem);
}

/* The text reader renders lines, lost markers and truncation markers. */
static void test_debug_ring_text_lines(void **state)
{
	size_t size;
	void *mem = ring_mem(4, &size);
	struct vmm_ring *ring = vmm_ring_init(mem, size);
	char buf[1024], big[VMM_RING_TEXT_MAX + 96];
	uint64_t pos = 0;
	size_t n;
	(void)state;

	vmm_ring_printf(ring, 0, FLANK_LOG_ERROR, "boom %x", 0x2au);
	vmm_ring_printf(ring, 7, FLANK_LOG_DEBUG, "fine");
	n = vmm_ring_read_text(ring, &pos, buf, sizeof(buf));
	buf[n] = '\0';
	assert_string_equal(buf, "[0] cpu0 error: boom 2a\n"
				 "[1] cpu7 debug: fine\n");
	assert_int_equal(pos, 2);
	assert_int_equal(vmm_ring_read_text(ring, &pos, buf, sizeof(buf)), 0);

	/* Lose 2: positions 2..7 written, ring holds 4..7. */
	for (unsigned i = 2; i < 8; i++)
		vmm_ring_printf(ring, 1, FLANK_LOG_WARN, "w%u", i);
	memset(big, 'x', sizeof(big));
	n = vmm_ring_read_text(ring, &pos, buf, sizeof(buf));
	buf[n] = '\0';
	assert_string_equal(buf, "[lost 2 records]\n"
				 "[4] cpu1 warn: w4\n"
				 "[5] cpu1 warn: w5\n"
				 "[6] cpu1 warn: w6\n"
				 "[7] cpu1 warn: w7\n");
	vmm_ring_write(ring, 2, 9, big, sizeof(big));
	n = vmm_ring_read_text(ring, &pos, buf, sizeof(buf));
	buf[n] = '\0';
	assert_non_null(strstr(buf, "[8] cpu2 level?: xxxx"));
	assert_non_null(strstr(buf, "x [truncated]\n"));
	free(mem);
}

/*
 * Whole lines only: a buffer that holds one line and a half gets one line;
 * a buffer smaller than a line gets the line cut, and the reader still
 * moves on (no livelock).
 */
static void test_debug_ring_text_small_buffers(void **state)
{
	size_t size;
	void *mem = ring_mem(4, &size);
	struct vmm_ring *ring = vmm_ring_init(mem, size);
	char buf[64];
	uint64_t pos = 0;
	size_t n;
	(void)state;

	vmm_ring_printf(ring, 0, FLANK_LOG_INFO, "one");   /* 19 bytes */
	vmm_ring_printf(ring, 0, FLANK_LOG_INFO, "two");   /* 19 bytes */
	vmm_ring_printf(ring, 0, FLANK_LOG_INFO, "three"); /* 21 bytes */
	n = vmm_ring_read_text(ring, &pos, buf, 30);
	assert_int_equal(n, 19);
	assert_memory_equal(buf, "[0] cpu0 info: one\n", 19);
	assert_int_equal(pos, 1);
	n = vmm_ring_read_text(ring, &pos, buf, 5);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "[1] c", 5);
	assert_int_equal(pos, 2);
	n = vmm_ring_read_text(ring, &pos, buf, sizeof(buf));
	assert_int_equal(n, 21);
	free(mem);
}

/*
 * A writer that finds its slot still BUSY for an older position (the ring
 * wrapped while that writer, say the context an NMI interrupted, was
 * copying) does not wait: it voids the slot and drops its own record; the
 * older writer can no longer publish. Both are accounted as lost.
 */
static void test_debug_ring_busy_slot_is_voided_not_awaited(void **state)
{
	size_t size;
	void *mem = ring_mem(4, &size);
	struct vmm_ring *ring = vmm_ring_init(mem, size);
	struct vmm_ring_record rec;
	uint64_t pos = 0, lost;
	(void)state;

	for (unsigned i = 0; i < 4; i++)
		vmm_ring_printf(ring, 0, FLANK_LOG_INFO, "r%u", i);
	/* Emulate the writer of position 4 stuck mid-copy in slot 0. */
	*slot_word(mem, 0, 0) = (4u << 2) | ST_BUSY;
	/* Move the head (third word of the control block) to position 8,
	 * which maps to slot 0 as well. */
	__atomic_store_n((uint64_t *)mem + 2, 8u, __ATOMIC_SEQ_CST);
	assert_int_equal(vmm_ring_write(ring, 1, FLANK_LOG_INFO, "new", 3),
			 UINT64_MAX);
	assert_int_equal(vmm_ring_dropped(ring), 1);
	assert_int_equal(*slot_word(mem, 0, 0), (8u << 2) | ST_VOID);
	pos = 8;
	assert_int_equal(vmm_ring_read(ring, &pos, &rec, &lost),
			 VMM_RING_READ_EMPTY);
	assert_int_equal(lost, 1); /* position 8 itself was voided */
	assert_int_equal(pos, 9);
	free(mem);
}

/* A late writer whose slot already holds a newer record drops its own. */
static void test_debug_ring_stale_writer_drops(void **state)
{
	size_t size;
	void *mem = ring_mem(4, &size);
	struct vmm_ring *ring = vmm_ring_init(mem, size);
	(void)state;

	*slot_word(mem, 0, 0) = (12u << 2) | ST_DONE;
	assert_int_equal(vmm_ring_write(ring, 0, FLANK_LOG_INFO, "late", 4),
			 UINT64_MAX);
	assert_int_equal(vmm_ring_dropped(ring), 1);
	assert_int_equal(*slot_word(mem, 0, 0), (12u << 2) | ST_DONE);
	free(mem);
}

/* A record torn after publication (checksum mismatch) counts as lost. */
static void test_debug_ring_torn_record_is_lost(void **state)
{
	size_t size;
	void *mem = ring_mem(4, &size);
	struct vmm_ring *ring = vmm_ring_init(mem, size);
	struct vmm_ring_record rec;
	uint64_t pos = 0;
	(void)state;

	vmm_ring_printf(ring, 0, FLANK_LOG_INFO, "first");
	vmm_ring_printf(ring, 0, FLANK_LOG_INFO, "second");
	*slot_word(mem, 0, 3) ^= 0x20; /* a late store into the text */
	assert_int_equal(read_one(ring, &pos, &rec), 1);
	assert_string_equal(rec.text, "second");
	/* A corrupted meta word (CPU, level, length) fails the checksum too. */
	vmm_ring_printf(ring, 0, FLANK_LOG_INFO, "third");
	*slot_word(mem, 2, 1) |= 0xffull << 40;
	assert_int_equal(vmm_ring_read_text(ring, &pos, (char[64]){0}, 64), 17);
	free(mem);
}

/* Level names for the text reader. */
static void test_debug_ring_level_names(void **state)
{
	(void)state;
	assert_string_equal(vmm_ring_level_name(FLANK_LOG_ERROR), "error");
	assert_string_equal(vmm_ring_level_name(FLANK_LOG_WARN), "warn");
	assert_string_equal(vmm_ring_level_name(FLANK_LOG_INFO), "info");
	assert_string_equal(vmm_ring_level_name(FLANK_LOG_DEBUG), "debug");
	assert_string_equal(vmm_ring_level_name(4), "level?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debug_ring_init_checks),
		cmocka_unit_test(test_debug_ring_roundtrip),
		cmocka_unit_test(test_debug_ring_bad_arguments),
		cmocka_unit_test(test_debug_ring_wrap_around),
		cmocka_unit_test(test_debug_ring_wrap_odd_capacity),
		cmocka_unit_test(test_debug_ring_reader_missed_records),
		cmocka_unit_test(test_debug_ring_oversized_record),
		cmocka_unit_test(test_debug_ring_text_lines),
		cmocka_unit_test(test_debug_ring_text_small_buffers),
		cmocka_unit_test(
			test_debug_ring_busy_slot_is_voided_not_awaited),
		cmocka_unit_test(test_debug_ring_stale_writer_drops),
		cmocka_unit_test(test_debug_ring_torn_record_is_lost),
		cmocka_unit_test(test_debug_ring_level_names),
		cmocka_unit_test(test_debug_ring_threads_big_ring),
		cmocka_unit_test(
			test_debug_ring_threads_small_ring_live_reader),
	};
	return FLANK_RUN_TESTS(tests);
}
