/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Consumer side of a ring in the BPF ring buffer layout (the kernel's
 * BPF_MAP_TYPE_RINGBUF, which the synthetic engine reproduces): a consumer
 * position the reader publishes, a producer position the writer publishes,
 * and a power-of-two data area mapped twice in a row so a record never wraps.
 * Each record starts with an 8-byte header whose first word is the length,
 * with BUSY set while the writer is filling it and DISCARD when it gave up.
 */
#ifndef CAP_RING_H
#define CAP_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/event.h"

#define CAP_RINGBUF_BUSY_BIT (1u << 31)
#define CAP_RINGBUF_DISCARD_BIT (1u << 30)
#define CAP_RINGBUF_HDR_BYTES 8u

struct cap_ring {
	uint64_t *consumer_pos;       /* written by us */
	const uint64_t *producer_pos; /* written by the producer */
	const uint8_t *data;          /* 2 * size bytes: the data area twice */
	uint64_t mask;                /* size - 1 */
	uint64_t cons;                /* our copy of *consumer_pos */
	uint64_t prod_seen;           /* *producer_pos when last loaded */
	uint64_t published;           /* what *consumer_pos says (batched) */
	uint64_t release_batch;       /* bytes consumed before publishing */
	uint64_t held;                /* bytes of the record handed out, released by the next call */
	bool corrupt;                 /* a record length was impossible: stop reading */
};

void cap_ring_init(struct cap_ring *r, uint64_t *consumer_pos, const uint64_t *producer_pos,
		   const uint8_t *data, uint64_t size);
/* The next committed event of the ring, without consuming it; NULL when the
 * ring is empty, its next record is still being written, an event is held,
 * or the ring is corrupt (r->corrupt). Discarded records are skipped. */
const struct capture_event *cap_ring_peek(struct cap_ring *r);
/* Mark the peeked event as handed out; its space is given back to the
 * producer by cap_ring_release() (the next capture_next()). */
void cap_ring_hold(struct cap_ring *r);
void cap_ring_release(struct cap_ring *r);
/* Give all consumed space back to the producer now (releases are batched). */
void cap_ring_publish(struct cap_ring *r);
/* Bytes written but not yet consumed. */
uint64_t cap_ring_fill_bytes(const struct cap_ring *r);

static inline uint64_t cap_ring_record_bytes(uint32_t payload)
{
	return ((uint64_t)payload + CAP_RINGBUF_HDR_BYTES + 7) & ~7ull;
}

/*
 * Merge of several rings by timestamp, lowest first. The head of each ring
 * is remembered between calls, so one call reads only the ring it last
 * consumed from and the rings that were empty.
 */
struct cap_merge {
	struct cap_ring *rings;
	const struct capture_event **head; /* per ring, NULL = unknown/empty */
	uint32_t n;
	int32_t held_ring; /* ring whose event the caller holds, -1 none */
};

int cap_merge_init(struct cap_merge *m, struct cap_ring *rings, uint32_t n);
void cap_merge_free(struct cap_merge *m);
/* Release the event handed out last, then return the oldest head, or NULL
 * when every ring is empty. *ring_idx is the ring it came from. */
const struct capture_event *cap_merge_next(struct cap_merge *m, uint32_t *ring_idx);
/* Give back the held event without taking a new one. */
void cap_merge_release(struct cap_merge *m);

#endif
