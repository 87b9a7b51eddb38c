// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The debug ring (see flank/vmm_ring.h for the interface).
 *
 * Why lock-free and not a spinlock: a record is written from VMX root by
 * exit handlers, by start/stop code and by NMI handling. An NMI can arrive
 * on a CPU that is in the middle of writing a record; if writing took a
 * lock, the NMI path would spin forever on a lock its own CPU holds. The
 * same holds for a CPU that took a VM exit while another context on it was
 * logging. So no writer ever waits for anything another context holds:
 *
 * - A writer reserves a position with one atomic fetch-and-add on the head
 *   (lock xadd): it always succeeds, in bounded time, whoever else runs.
 * - It claims its slot with a compare-and-swap of the slot's sequence word
 *   to BUSY(p) and releases it with a CAS to DONE(p). It writes the payload
 *   only while it owns the slot, so two payloads are never mixed.
 * - If the slot is BUSY for an older position (the ring wrapped completely
 *   while a writer, e.g. the context an NMI interrupted, was still copying)
 *   the newer writer does not wait: it marks the slot VOID(p) and drops its
 *   own record; the older writer then fails its release CAS and drops its
 *   record too. If the slot already holds a newer position, the writer is
 *   stale and drops its record. Both are counted in ring->dropped and a
 *   reader sees them as lost: nothing disappears silently.
 * - A writer that was late by two whole wraps could still be storing into a
 *   slot someone else owns by then; a checksum over the record, checked by
 *   the reader, turns that (practically impossible) case into a counted
 *   loss instead of a garbled record.
 *
 * Why one shared ring and not per-CPU rings: the image ABI gives the reader
 * one position (ring_read(pos, buf, len)) and a single global order is what
 * a person reading a failure wants; the fetch-and-add on the head is the
 * only shared write, cheap at logging rates.
 *
 * Writing allocates nothing: the ring lives in memory the caller handed to
 * vmm_ring_init(), a record is formatted into a bounded buffer on the
 * stack (VMM_RING_TEXT_MAX + 1 bytes) and copied into its slot. There is no
 * recursion and no call outside this file and format.c.
 *
 * Memory ordering follows the C11 seqlock pattern: the writer claims the
 * slot, issues a release fence, stores the payload with relaxed atomics and
 * publishes with a release CAS; the reader loads the sequence with acquire,
 * copies the payload with relaxed atomics, issues an acquire fence and
 * loads the sequence again. Every access to shared words is atomic, so the
 * reader never has a data race even when it loses the race for a slot.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/vmm_format.h"
#include "flank/vmm_ring.h"

#define RING_MAGIC 0x474e495220584c46ull /* "FLX RING" */
#define TEXT_WORDS (VMM_RING_TEXT_MAX / 8u)

/* Slot states in the low two bits of the sequence word. */
enum {
	ST_EMPTY = 0, /* Never written (the initial all-zero word). */
	ST_BUSY = 1,  /* Its writer owns it and is copying. */
	ST_DONE = 2,  /* Holds a complete record of the position. */
	ST_VOID = 3,  /* The position's record was dropped. */
};

#define SEQ(pos, st) (((pos) << 2) | (uint64_t)(st))
#define SEQ_POS(seq) ((seq) >> 2)
#define SEQ_STATE(seq) ((unsigned)((seq)&3u))

struct ring_slot {
	uint64_t seq;  /* SEQ(position, state). */
	uint64_t meta; /* cpu[31:0] level[39:32] len[47:40] flags[55:48]. */
	uint64_t sum;  /* Checksum of position, meta and text. */
	uint64_t text[TEXT_WORDS];
};

_Static_assert(sizeof(struct ring_slot) == VMM_RING_SLOT_SIZE,
	       "a ring slot is VMM_RING_SLOT_SIZE bytes");
_Static_assert(VMM_RING_TEXT_MAX % 8u == 0, "text is whole words");
_Static_assert(VMM_RING_TEXT_MAX <= 0xFFu, "the length fits meta[47:40]");

struct vmm_ring {
	uint64_t magic;
	uint64_t nslots;  /* >= VMM_RING_MIN_SLOTS; set once by init. */
	uint64_t head;	  /* Next position to reserve (atomic). */
	uint64_t dropped; /* Records writers gave up (atomic). */
	/* Keep the writers' hot head away from the first slot's line. */
	uint64_t reserved[(VMM_RING_SLOT_SIZE / 8u) - 4u];
	struct ring_slot slot[];
};

_Static_assert(sizeof(struct vmm_ring) == VMM_RING_SLOT_SIZE,
	       "the control block takes one slot's worth of memory");

struct vmm_ring *vmm_ring_init(void *mem, size_t size)
{
	struct vmm_ring *ring = mem;
	uint64_t n;

	if (mem == NULL || ((uintptr_t)mem & 7u) != 0 ||
	    size < sizeof(struct vmm_ring) +
			    VMM_RING_MIN_SLOTS * sizeof(struct ring_slot))
		return NULL;

	/*
	 * Every slot that fits: the host sizes the ring in powers of two, and
	 * a power-of-two slot count would leave almost half of such memory
	 * unused (the control block takes one slot's worth).
	 */
	n = (size - sizeof(struct vmm_ring)) / sizeof(struct ring_slot);

	ring->magic = RING_MAGIC;
	ring->nslots = n;
	ring->head = 0;
	ring->dropped = 0;
	for (size_t i = 0; i < sizeof(ring->reserved) / 8u; i++)
		ring->reserved[i] = 0;
	for (uint64_t i = 0; i < n; i++)
		ring->slot[i].seq = SEQ(0u, ST_EMPTY);
	/* Publish the initialised ring before its pointer is handed out. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return ring;
}

uint64_t vmm_ring_capacity(const struct vmm_ring *ring)
{
	return ring != NULL ? ring->nslots : 0;
}

uint64_t vmm_ring_head(const struct vmm_ring *ring)
{
	return ring != NULL ? __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE)
			    : 0;
}

uint64_t vmm_ring_dropped(const struct vmm_ring *ring)
{
	return ring != NULL ? __atomic_load_n(&ring->dropped, __ATOMIC_RELAXED)
			    : 0;
}

/* FNV-1a style mix over 64-bit words: cheap, and any changed word shows. */
static uint64_t mix(uint64_t h, uint64_t w)
{
	return (h ^ w) * 0x100000001b3ull;
}

static uint64_t record_sum(uint64_t pos, uint64_t meta,
			   const uint64_t text[TEXT_WORDS])
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = mix(h, pos);
	h = mix(h, meta);
	for (unsigned i = 0; i < TEXT_WORDS; i++)
		h = mix(h, text[i]);
	return h;
}

static void count_drop(struct vmm_ring *ring)
{
	__atomic_fetch_add(&ring->dropped, 1u, __ATOMIC_RELAXED);
}

/*
 * Claims the slot of position @p p for its writer. Returns false if the
 * record must be dropped instead (see the file comment); never waits.
 */
static bool claim_slot(struct vmm_ring *ring, struct ring_slot *s, uint64_t p)
{
	uint64_t old = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);

	for (;;) {
		if (SEQ_POS(old) > p)
			return false; /* A newer record owns the slot. */
		if (SEQ_STATE(old) == ST_BUSY) {
			/*
			 * An older writer is still copying (the ring wrapped
			 * under it). Waiting could deadlock if that writer is
			 * the context this one interrupted, so void the slot:
			 * the older writer's release CAS will fail.
			 */
			if (__atomic_compare_exchange_n(
				    &s->seq, &old, SEQ(p, ST_VOID), false,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
				return false;
			continue; /* old was reloaded by the failed CAS. */
		}
		if (__atomic_compare_exchange_n(&s->seq, &old, SEQ(p, ST_BUSY),
						false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			break;
	}
	(void)ring;
	/* Payload stores must not become visible before BUSY (seqlock). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return true;
}

/* Packs @p len bytes of @p text into little-endian words, zero padded. */
static void pack_text(uint64_t words[TEXT_WORDS], const char *text, size_t len)
{
	for (unsigned i = 0; i < TEXT_WORDS; i++)
		words[i] = 0;
	for (size_t i = 0; i < len; i++)
		words[i / 8u] |= (uint64_t)(uint8_t)text[i] << (8u * (i % 8u));
}

static uint64_t ring_put(struct vmm_ring *ring, uint32_t cpu,
			 enum flank_log_level level, const char *text,
			 size_t len, uint32_t flags)
{
	uint64_t words[TEXT_WORDS];
	uint64_t p, meta;
	struct ring_slot *s;
	uint64_t busy;

	if (ring == NULL || (text == NULL && len != 0))
		return UINT64_MAX;
	if (len > VMM_RING_TEXT_MAX) {
		len = VMM_RING_TEXT_MAX;
		flags |= VMM_RING_F_TRUNCATED;
	}
	pack_text(words, text, len);
	meta = (uint64_t)cpu | ((uint64_t)(level & 0xffu) << 32) |
	       ((uint64_t)len << 40) | ((uint64_t)(flags & 0xffu) << 48);

	p = __atomic_fetch_add(&ring->head, 1u, __ATOMIC_RELAXED);
	/* One division per record: noise next to formatting the text. */
	s = &ring->slot[p % ring->nslots];
	if (!claim_slot(ring, s, p)) {
		count_drop(ring);
		return UINT64_MAX;
	}

	__atomic_store_n(&s->meta, meta, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < TEXT_WORDS; i++)
		__atomic_store_n(&s->text[i], words[i], __ATOMIC_RELAXED);
	__atomic_store_n(&s->sum, record_sum(p, meta, words), __ATOMIC_RELAXED);

	busy = SEQ(p, ST_BUSY);
	if (!__atomic_compare_exchange_n(&s->seq, &busy, SEQ(p, ST_DONE), false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
		/* A newer writer voided the slot while this one copied. */
		count_drop(ring);
		return UINT64_MAX;
	}
	return p;
}

uint64_t vmm_ring_write(struct vmm_ring *ring, uint32_t cpu,
			enum flank_log_level level, const char *text,
			size_t len)
{
	return ring_put(ring, cpu, level, text, len, 0);
}

uint64_t vmm_ring_vprintf(struct vmm_ring *ring, uint32_t cpu,
			  enum flank_log_level level, const char *fmt,
			  vmm_va_list ap)
{
	char line[VMM_RING_TEXT_MAX + 1];
	size_t n;

	if (ring == NULL || fmt == NULL)
		return UINT64_MAX;
	n = vmm_vsnprintf(line, sizeof(line), fmt, ap);
	return ring_put(ring, cpu, level, line,
			n > VMM_RING_TEXT_MAX ? VMM_RING_TEXT_MAX : n,
			n > VMM_RING_TEXT_MAX ? VMM_RING_F_TRUNCATED : 0u);
}

uint64_t vmm_ring_printf(struct vmm_ring *ring, uint32_t cpu,
			 enum flank_log_level level, const char *fmt, ...)
{
	vmm_va_list ap;
	uint64_t p;

	vmm_va_start(ap, fmt);
	p = vmm_ring_vprintf(ring, cpu, level, fmt, ap);
	vmm_va_end(ap);
	return p;
}

/*
 * Copies the record of position @p p out of @p s if it is complete and
 * intact. Returns 1 on success, 0 if the record is lost (overwritten,
 * voided, or torn), -1 if it is not complete yet.
 */
static int copy_record(const struct ring_slot *s, uint64_t p,
		       struct vmm_ring_record *rec)
{
	uint64_t words[TEXT_WORDS];
	uint64_t s1, s2, meta, sum;
	size_t len;

	s1 = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
	if (SEQ_POS(s1) > p)
		return 0; /* Overwritten by a newer record. */
	if (SEQ_POS(s1) < p || SEQ_STATE(s1) == ST_EMPTY ||
	    SEQ_STATE(s1) == ST_BUSY)
		return -1; /* Its writer has not finished yet. */
	if (SEQ_STATE(s1) == ST_VOID)
		return 0;

	meta = __atomic_load_n(&s->meta, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < TEXT_WORDS; i++)
		words[i] = __atomic_load_n(&s->text[i], __ATOMIC_RELAXED);
	sum = __atomic_load_n(&s->sum, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	s2 = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	if (s2 != s1 || sum != record_sum(p, meta, words))
		return 0; /* Torn while copying: counted as lost. */

	len = (size_t)((meta >> 40) & 0xffu);
	if (len > VMM_RING_TEXT_MAX)
		return 0;
	rec->pos = p;
	rec->cpu = (uint32_t)meta;
	rec->level = (uint32_t)((meta >> 32) & 0xffu);
	rec->flags = (uint32_t)((meta >> 48) & 0xffu);
	rec->len = (uint32_t)len;
	for (size_t i = 0; i < len; i++)
		rec->text[i] =
			(char)(uint8_t)(words[i / 8u] >> (8u * (i % 8u)));
	rec->text[len] = '\0';
	return 1;
}

enum vmm_ring_read_status vmm_ring_read(const struct vmm_ring *ring,
					uint64_t *pos,
					struct vmm_ring_record *rec,
					uint64_t *lost)
{
	uint64_t head, n, p, missed = 0;

	if (ring == NULL || pos == NULL || rec == NULL || lost == NULL)
		return VMM_RING_READ_BAD_ARGUMENT;

	n = ring->nslots;
	head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
	p = *pos;
	if (p > head)
		p = head > n ? head - n : 0; /* Stale position: restart. */
	if (head - p > n) {
		missed = head - n - p; /* Overwritten before we came. */
		p = head - n;
	}

	for (; p < head; p++) {
		int r = copy_record(&ring->slot[p % n], p, rec);

		if (r < 0)
			break;
		if (r == 0) {
			missed++;
			continue;
		}
		*pos = p + 1u;
		*lost = missed;
		return VMM_RING_READ_RECORD;
	}
	*pos = p;
	*lost = missed;
	return VMM_RING_READ_EMPTY;
}

const char *vmm_ring_level_name(uint32_t level)
{
	switch (level) {
	case FLANK_LOG_ERROR:
		return "error";
	case FLANK_LOG_WARN:
		return "warn";
	case FLANK_LOG_INFO:
		return "info";
	case FLANK_LOG_DEBUG:
		return "debug";
	default:
		return "level?";
	}
}

/* Renders the lost marker (if any) and the record into @p line. */
static size_t render_line(char *line, size_t size, uint64_t lost,
			  const struct vmm_ring_record *rec, bool have_rec)
{
	size_t n = 0;

	if (lost > 0)
		n += vmm_snprintf(line, size, "[lost %llu records]\n",
				  (unsigned long long)lost);
	if (have_rec && n < size)
		n += vmm_snprintf(line + n, size - n, "[%llu] cpu%u %s: %s%s\n",
				  (unsigned long long)rec->pos, rec->cpu,
				  vmm_ring_level_name(rec->level), rec->text,
				  (rec->flags & VMM_RING_F_TRUNCATED) != 0
					  ? " [truncated]"
					  : "");
	return n < size ? n : size - 1u;
}

size_t vmm_ring_read_text(const struct vmm_ring *ring, uint64_t *pos, char *buf,
			  size_t len)
{
	struct vmm_ring_record rec;
	char line[VMM_RING_LINE_MAX];
	size_t copied = 0;

	if (ring == NULL || pos == NULL || buf == NULL || len == 0)
		return 0;

	while (copied < len) {
		uint64_t p = *pos, lost = 0;
		enum vmm_ring_read_status st =
			vmm_ring_read(ring, &p, &rec, &lost);
		bool have = st == VMM_RING_READ_RECORD;
		size_t n;

		if (!have && lost == 0)
			break;
		n = render_line(line, sizeof(line), lost, &rec, have);
		if (n > len - copied) {
			if (copied > 0)
				break; /* Whole lines only: the rest next time. */
			n = len; /* A tiny buffer: cut the line, keep going. */
		}
		for (size_t i = 0; i < n; i++)
			buf[copied + i] = line[i];
		copied += n;
		*pos = p;
		if (!have)
			break;
	}
	return copied;
}
