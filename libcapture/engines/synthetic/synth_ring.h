/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Producer side of a ring with the kernel's BPF ring buffer semantics: the
 * same memory layout (read by ring.c), a reservation that fails when the
 * record does not fit in the space the consumer has released, and a commit
 * that publishes the record. Several producer CPUs may share one ring.
 */
#ifndef SYNTH_RING_H
#define SYNTH_RING_H

#include <pthread.h>
#include <stdint.h>

#include "../../ring.h"

struct synth_ring {
	uint64_t size;
	uint8_t *data;     /* 2 * size of address space, the memfd mapped twice */
	uint64_t *consumer_pos;
	uint64_t *producer_pos;
	void *ctl;         /* the page holding both positions */
	uint64_t prod;     /* producer's private copy of *producer_pos */
	uint64_t cons_seen; /* *consumer_pos when last loaded */
	pthread_spinlock_t lock; /* taken only when CPUs share the ring */
	bool shared;
};

/* Map a ring of size bytes (power of two, page multiple). 0 or -errno. */
int synth_ring_create(struct synth_ring *r, uint64_t size, bool shared);
void synth_ring_destroy(struct synth_ring *r);
/* Room for payload bytes, or NULL when the ring is full (a buffer drop). */
void *synth_ring_reserve(struct synth_ring *r, uint32_t payload);
/* Whether more than bytes are waiting for the consumer (shedding). */
bool synth_ring_fill_above(struct synth_ring *r, uint64_t bytes);
/* Whether bytes more would fit now (another CPU sharing the ring may take
 * the room before a reservation: callers treat it as a hint). */
bool synth_ring_has_room(struct synth_ring *r, uint64_t bytes);
/* Publish a reserved record. */
void synth_ring_commit(void *payload);
/* Give a reservation back without publishing (the reader skips it). */
void synth_ring_discard(void *payload);

#endif
