// SPDX-License-Identifier: Apache-2.0
/* The ring in the kernel's layout: reserve fails when full and succeeds
 * again once the consumer releases, records stay contiguous across the wrap,
 * uncommitted and discarded records are handled as the kernel does, and an
 * impossible length is caught instead of read. */
#include <errno.h>
#include <string.h>

#include "engines/synthetic/synth_ring.h"
#include "event_build.h"
#include "ring.h"
#include "test_util.h"

#define RING_BYTES 4096u

struct pair {
	struct synth_ring w;
	struct cap_ring r;
};

static void pair_init(struct pair *p)
{
	ck_assert_int_eq(synth_ring_create(&p->w, RING_BYTES, false), 0);
	cap_ring_init(&p->r, p->w.consumer_pos, p->w.producer_pos, p->w.data, p->w.size);
}

/* A DROP-type event (it has a BYTES parameter, so its size can vary) whose
 * `lost` parameter carries seq. */
static uint32_t write_event(struct pair *p, uint64_t seq, uint32_t extra)
{
	uint8_t tmp[2048] __attribute__((aligned(8)));
	static const uint8_t filler[1024];
	struct cap_event_builder b;
	cap_build_begin(&b, tmp, sizeof(tmp), CAPTURE_EVT_DROP, seq, 1, 1);
	cap_build_u32(&b, 0);
	cap_build_u64(&b, seq);
	cap_build_u64(&b, 0);
	cap_build_u64(&b, 0);
	cap_build_u64(&b, 0);
	cap_build_param(&b, filler, extra);
	int len = cap_build_end(&b);
	ck_assert_int_gt(len, 0);
	void *slot = synth_ring_reserve(&p->w, (uint32_t)len);
	if (!slot)
		return 0;
	memcpy(slot, tmp, (size_t)len);
	synth_ring_commit(slot);
	return (uint32_t)len;
}

static uint64_t seq_of(const struct capture_event *e)
{
	const void *d;
	uint32_t l;
	ck_assert_int_eq(capture_event_param(e, 1, &d, &l), 0);
	uint64_t v;
	memcpy(&v, d, 8);
	return v;
}

START_TEST(fill_until_full_then_drain)
{
	struct pair p;
	pair_init(&p);
	uint32_t len = write_event(&p, 0, 0);
	uint64_t rec = cap_ring_record_bytes(len);
	uint64_t written = 1;
	while (write_event(&p, written, 0))
		written++;
	ck_assert_uint_eq(written, RING_BYTES / rec);
	ck_assert_uint_eq(cap_ring_fill_bytes(&p.r), written * rec);
	/* Full: reserve keeps failing until something is consumed. */
	ck_assert_ptr_null(synth_ring_reserve(&p.w, len));
	const struct capture_event *e = cap_ring_peek(&p.r);
	ck_assert_uint_eq(seq_of(e), 0);
	cap_ring_hold(&p.r);
	ck_assert_ptr_null(synth_ring_reserve(&p.w, len)); /* held is not released */
	cap_ring_release(&p.r);
	/* Released space goes back in batches, or when published. */
	ck_assert_ptr_null(synth_ring_reserve(&p.w, len));
	cap_ring_publish(&p.r);
	ck_assert_uint_eq(write_event(&p, written, 0), len);
	for (uint64_t i = 1; i <= written; i++) {
		e = cap_ring_peek(&p.r);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(seq_of(e), i);
		cap_ring_hold(&p.r);
		cap_ring_release(&p.r);
	}
	ck_assert_ptr_null(cap_ring_peek(&p.r));
	ck_assert_uint_eq(cap_ring_fill_bytes(&p.r), 0);
	/* Larger than the ring can ever hold. */
	ck_assert_ptr_null(synth_ring_reserve(&p.w, RING_BYTES));
	synth_ring_destroy(&p.w);
}
END_TEST

START_TEST(wrap_around_keeps_records_whole)
{
	struct pair p;
	pair_init(&p);
	/* Sizes that are not divisors of the ring, so records straddle the end
	 * of the data area many times over. */
	uint64_t next_write = 0, next_read = 0;
	for (int round = 0; round < 2000; round++) {
		uint32_t extra = (uint32_t)((round * 37) % 300);
		while (write_event(&p, next_write, extra))
			next_write++;
		int reads = 1 + round % 5;
		for (int k = 0; k < reads; k++) {
			const struct capture_event *e = cap_ring_peek(&p.r);
			if (!e)
				break;
			ck_assert_int_eq(capture_event_validate(e, e->len), 0);
			ck_assert_uint_eq(seq_of(e), next_read);
			next_read++;
			cap_ring_hold(&p.r);
			cap_ring_release(&p.r);
		}
	}
	ck_assert_uint_gt(next_read, 2000);
	ck_assert_uint_gt(*p.w.producer_pos, 100 * RING_BYTES); /* wrapped many times */
	synth_ring_destroy(&p.w);
}
END_TEST

START_TEST(busy_and_discarded_records)
{
	struct pair p;
	pair_init(&p);
	uint8_t tmp[256] __attribute__((aligned(8)));
	struct cap_event_builder b;
	cap_build_begin(&b, tmp, sizeof(tmp), CAPTURE_EVT_CLOSE, 5, 1, 1);
	cap_build_u64(&b, 0);
	cap_build_u64(&b, 3);
	int len = cap_build_end(&b);

	/* Reserved but not committed: the reader must wait, even for later
	 * committed records (kernel order). */
	void *first = synth_ring_reserve(&p.w, (uint32_t)len);
	void *second = synth_ring_reserve(&p.w, (uint32_t)len);
	memcpy(second, tmp, (size_t)len);
	synth_ring_commit(second);
	ck_assert_ptr_null(cap_ring_peek(&p.r));
	/* Discarded: skipped, and its space given back. */
	synth_ring_discard(first);
	const struct capture_event *e = cap_ring_peek(&p.r);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_eq(e, second);
	ck_assert_uint_eq(*p.w.consumer_pos, cap_ring_record_bytes((uint32_t)len));
	cap_ring_hold(&p.r);
	cap_ring_release(&p.r);
	ck_assert_ptr_null(cap_ring_peek(&p.r));
	synth_ring_destroy(&p.w);
}
END_TEST

START_TEST(impossible_lengths_are_caught)
{
	struct pair p;
	pair_init(&p);
	uint32_t len = write_event(&p, 1, 0);
	/* A record header claiming more than was produced. */
	uint32_t *hdr = (uint32_t *)p.w.data;
	hdr[0] = RING_BYTES * 4;
	ck_assert_ptr_null(cap_ring_peek(&p.r));
	ck_assert(p.r.corrupt);
	/* An event whose own length disagrees with its record. */
	hdr[0] = len;
	p.r.corrupt = false;
	struct capture_event *e = (struct capture_event *)(p.w.data + CAP_RINGBUF_HDR_BYTES);
	e->len = len + 8;
	ck_assert_ptr_null(cap_ring_peek(&p.r));
	ck_assert(p.r.corrupt);
	synth_ring_destroy(&p.w);
}
END_TEST

START_TEST(shared_ring_under_concurrency)
{
	/* Four threaded producer CPUs on one ring: every event arrives whole and
	 * the per-CPU sequences are intact. */
	CAPTURE_OPTS(capture_open_opts, o, .cpus_per_buffer = CAPTURE_CPUS_PER_BUFFER_ALL,
		     .buffer_bytes = 16384);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 4, .threaded = true,
		     .events_per_cpu = 20000);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_uint_eq(capture_ring_count(h), 1);
	ck_assert_int_eq(capture_start(h), 0);
	uint64_t n = 0;
	for (;;) {
		const struct capture_event *e;
		uint32_t cpu = 0;
		int rc = capture_next(h, &e, &cpu);
		if (rc == CAPTURE_EOF)
			break;
		if (rc == CAPTURE_TIMEOUT)
			continue;
		ck_assert_int_eq(rc, CAPTURE_OK);
		ck_assert_uint_eq(cpu, CAPTURE_CPU_UNKNOWN);
		ck_assert_int_eq(capture_event_validate(e, e->len), 0);
		n += e->type != CAPTURE_EVT_DROP;
	}
	struct capture_stats st = { .sz = sizeof(st) };
	ck_assert_int_eq(capture_get_stats(h, &st), 0);
	ck_assert_uint_eq(st.n_evts, 80000);
	ck_assert_uint_eq(st.n_evts, n + st.n_drops + st.n_shed);
	capture_close(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("ring");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fill_until_full_then_drain);
	tcase_add_test(tc, wrap_around_keeps_records_whole);
	tcase_add_test(tc, busy_and_discarded_records);
	tcase_add_test(tc, impossible_lengths_are_caught);
	tcase_add_test(tc, shared_ring_under_concurrency);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
