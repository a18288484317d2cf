// SPDX-License-Identifier: Apache-2.0
/* Reading one BPF-layout ring (see ring.h). Ordering: the producer publishes
 * a record by a store-release of its length without BUSY; we load it with
 * acquire before reading the payload, and release our consumer position only
 * after we are done with the payload.
 *
 * The consumer position is published in batches: the producer reads it on
 * every reservation, so a store per event would move its cache line between
 * the two CPUs for every event (measured: ~30 ns of each traced syscall in
 * bpf_ringbuf_query). Space comes back every release_batch bytes (1/16 of
 * the ring, at most 64 KiB) and at once whenever the ring reads empty. */
#include <stddef.h>

#include "ring.h"

void cap_ring_init(struct cap_ring *r, uint64_t *consumer_pos, const uint64_t *producer_pos,
		   const uint8_t *data, uint64_t size)
{
	r->consumer_pos = consumer_pos;
	r->producer_pos = producer_pos;
	r->data = data;
	r->mask = size - 1;
	r->cons = __atomic_load_n(consumer_pos, __ATOMIC_ACQUIRE);
	r->held = 0;
	r->prod_seen = r->cons;
	r->published = r->cons;
	r->release_batch = size / 16 < 65536 ? size / 16 : 65536;
	r->corrupt = false;
}

void cap_ring_publish(struct cap_ring *r)
{
	if (r->published != r->cons) {
		r->published = r->cons;
		__atomic_store_n(r->consumer_pos, r->cons, __ATOMIC_RELEASE);
	}
}

const struct capture_event *cap_ring_peek(struct cap_ring *r)
{
	for (;;) {
		/* The producer position is reloaded only when what we knew of is
		 * used up: its cache line moves between cores at every write. */
		if (r->held)
			return NULL;
		if (r->cons >= r->prod_seen) {
			r->prod_seen = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
			if (r->cons >= r->prod_seen) {
				cap_ring_publish(r); /* empty: give everything back */
				return NULL;
			}
		}
		uint64_t prod = r->prod_seen;
		const uint8_t *rec = r->data + (r->cons & r->mask);
		uint32_t len = __atomic_load_n((const uint32_t *)rec, __ATOMIC_ACQUIRE);
		if (len & CAP_RINGBUF_BUSY_BIT) {
			cap_ring_publish(r);
			return NULL;
		}
		uint32_t payload = len & ~CAP_RINGBUF_DISCARD_BIT;
		if (cap_ring_record_bytes(payload) > prod - r->cons ||
		    cap_ring_record_bytes(payload) > r->mask + 1) {
			r->corrupt = true; /* a length the producer cannot have written */
			return NULL;
		}
		if (!(len & CAP_RINGBUF_DISCARD_BIT)) {
			const struct capture_event *e =
				(const struct capture_event *)(rec + CAP_RINGBUF_HDR_BYTES);
			if (payload < CAPTURE_EVENT_HDR_BYTES || e->len != payload) {
				r->corrupt = true;
				return NULL;
			}
			return e;
		}
		/* A discarded reservation: skip it and give the space back. */
		r->cons += cap_ring_record_bytes(payload);
		cap_ring_publish(r);
	}
}

void cap_ring_hold(struct cap_ring *r)
{
	const uint8_t *rec = r->data + (r->cons & r->mask);
	uint32_t len = __atomic_load_n((const uint32_t *)rec, __ATOMIC_RELAXED);
	r->held = cap_ring_record_bytes(len & ~(CAP_RINGBUF_BUSY_BIT | CAP_RINGBUF_DISCARD_BIT));
}

void cap_ring_release(struct cap_ring *r)
{
	if (!r->held)
		return;
	r->cons += r->held;
	r->held = 0;
	if (r->cons - r->published >= r->release_batch)
		cap_ring_publish(r);
}

uint64_t cap_ring_fill_bytes(const struct cap_ring *r)
{
	uint64_t prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
	uint64_t cons = __atomic_load_n(r->consumer_pos, __ATOMIC_ACQUIRE);
	return prod > cons ? prod - cons : 0;
}
