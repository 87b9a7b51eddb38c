/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared helpers of the debug-ring tests. */
#ifndef FLANK_RING_TEST_H
#define FLANK_RING_TEST_H

#include <stddef.h>
#include <stdint.h>

/* Ring memory for @p slots slots (plus the control block); free() it. */
void *ring_mem(uint64_t slots, size_t *size);

void test_debug_ring_threads_big_ring(void **state);
void test_debug_ring_threads_small_ring_live_reader(void **state);

#endif
