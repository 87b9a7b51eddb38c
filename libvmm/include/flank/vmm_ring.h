/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file vmm_ring.h
 * The debug ring: a fixed-size log in VMM memory that any CPU writes from
 * VMX root (exit handlers, NMI paths, start and stop) without ever waiting,
 * and that a reader (the driver's dump ioctl through the image entry's
 * ring_read, or a test) drains with a monotonic position.
 *
 * Shape: one multi-writer ring of fixed-size slots (VMM_RING_SLOT_SIZE bytes
 * each), lock-free. A writer reserves a position with one atomic
 * fetch-and-add on the head; position p lives in slot p mod slot_count.
 * Each slot carries a sequence word saying which position it holds and
 * whether that record is being written, complete, or void. Positions are
 * 64-bit and never wrap in practice (2^64 records), so a reader that holds
 * a position knows exactly how many records it missed. Why this shape and
 * not a lock or per-CPU rings: see debug_ring.c.
 *
 * Every record carries its position, the CPU number, a level (enum
 * flank_log_level) and up to VMM_RING_TEXT_MAX bytes of text; longer text is
 * cut and the record flagged VMM_RING_F_TRUNCATED, which the text reader
 * renders as a visible marker.
 *
 * The memory comes from the caller (in the image: the platform's ring_mem,
 * image_abi.h); the ring keeps its control block inside that memory and
 * allocates nothing.
 */
#ifndef FLANK_VMM_RING_H
#define FLANK_VMM_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/image_abi.h"
#include "flank/vmm_format.h"

/**
 * Size of one slot: header plus text. 256 bytes so that the VM-entry
 * diagnostic line (entry_diag.c: decoded error, failing rule, field and
 * value, up to about 200 bytes) fits one record whole.
 */
#define VMM_RING_SLOT_SIZE 256u
/** Bytes of text a record holds (not NUL-terminated in the slot). */
#define VMM_RING_TEXT_MAX 232u
/** Fewest slots a ring may have. */
#define VMM_RING_MIN_SLOTS 2u
/**
 * Longest line the text reader produces for one record, including a
 * lost-records marker line before it. A ring_read buffer at least this big
 * always makes progress with whole lines.
 */
#define VMM_RING_LINE_MAX 352u

/** Record flags. */
#define VMM_RING_F_TRUNCATED 0x1u

/** CPU number recorded when the writer does not know its CPU. */
#define VMM_RING_CPU_UNKNOWN 0xFFFFu

/** An opaque ring, living at the start of the memory given to init. */
struct vmm_ring;

/**
 * Makes a ring in @p mem of @p size bytes (8-byte aligned; the contents
 * need not be zeroed). The slot count is every slot that fits after the
 * control block: size / VMM_RING_SLOT_SIZE - 1. Returns the ring (which is
 * @p mem), or NULL if @p mem is NULL, misaligned or too small for
 * VMM_RING_MIN_SLOTS slots.
 */
struct vmm_ring *vmm_ring_init(void *mem, size_t size);

/** Number of slots (the most records the ring holds at once). */
uint64_t vmm_ring_capacity(const struct vmm_ring *ring);

/** The next position a writer will get (= records ever reserved). */
uint64_t vmm_ring_head(const struct vmm_ring *ring);

/**
 * Records writers gave up because their slot was taken by a concurrent
 * writer (only when the ring wraps completely during one write: see
 * debug_ring.c). A reader sees these as lost too.
 */
uint64_t vmm_ring_dropped(const struct vmm_ring *ring);

/**
 * Writes one record of @p len bytes of @p text (NUL bytes included as
 * given; pass the string length) from CPU @p cpu at @p level. Text longer
 * than VMM_RING_TEXT_MAX is cut and flagged. Never waits, never allocates:
 * safe in exit handlers and NMI context. Returns the record's position, or
 * UINT64_MAX if @p ring is NULL or the record was dropped.
 */
uint64_t vmm_ring_write(struct vmm_ring *ring, uint32_t cpu,
			enum flank_log_level level, const char *text,
			size_t len);

/** Formats (see vmm_format.h) and writes one record; as vmm_ring_write(). */
uint64_t vmm_ring_printf(struct vmm_ring *ring, uint32_t cpu,
			 enum flank_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** vmm_ring_printf() with a vmm_va_list. */
uint64_t vmm_ring_vprintf(struct vmm_ring *ring, uint32_t cpu,
			  enum flank_log_level level, const char *fmt,
			  vmm_va_list ap);

/** One record as a reader gets it. */
struct vmm_ring_record {
	uint64_t pos;	/**< Position of the record in the ring. */
	uint32_t cpu;	/**< CPU that wrote it. */
	uint32_t level; /**< enum flank_log_level. */
	uint32_t flags; /**< VMM_RING_F_*. */
	uint32_t len;	/**< Bytes of text, excluding the NUL. */
	char text[VMM_RING_TEXT_MAX + 1]; /**< NUL-terminated. */
};

/** What vmm_ring_read() found. */
enum vmm_ring_read_status {
	VMM_RING_READ_RECORD = 0, /**< *rec holds the next record. */
	/** Nothing more is complete yet (*pos is where to retry). */
	VMM_RING_READ_EMPTY = 1,
	VMM_RING_READ_BAD_ARGUMENT = 2, /**< A NULL argument. */
};

/**
 * Reads the next complete record at or after *@p pos into @p rec and sets
 * *@p pos past it. *@p lost receives the number of records skipped because
 * they were overwritten before the reader got to them, voided or dropped
 * (0 if none); the positions missed are exactly *pos (before) to
 * rec->pos - 1. A position beyond the head (e.g. from an earlier load of
 * the VMM) restarts at the oldest record held, without counting a loss.
 * A record still being written stops the read (EMPTY) so that order is
 * kept; it completes within one record write.
 */
enum vmm_ring_read_status vmm_ring_read(const struct vmm_ring *ring,
					uint64_t *pos,
					struct vmm_ring_record *rec,
					uint64_t *lost);

/** Short name of a level ("error", "warn", "info", "debug", "level?"). */
const char *vmm_ring_level_name(uint32_t level);

/**
 * The text reader behind the image entry's ring_read: copies whole lines
 *   "[<pos>] cpu<N> <level>: <text>\n"
 * starting at *@p pos into @p buf (at most @p len bytes, not
 * NUL-terminated) and advances *@p pos. A gap is reported by a line
 *   "[lost <n> records]\n"
 * before the next record, and a truncated record ends in " [truncated]".
 * With @p len >= VMM_RING_LINE_MAX at least one line is copied if one is
 * available; a smaller buffer gets the first line cut to fit. Returns the
 * bytes copied (0: nothing new, or a NULL/zero-length argument).
 */
size_t vmm_ring_read_text(const struct vmm_ring *ring, uint64_t *pos, char *buf,
			  size_t len);

#endif /* FLANK_VMM_RING_H */
