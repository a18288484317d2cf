// SPDX-License-Identifier: Apache-2.0
/* capture_next() hands out events lowest timestamp first across rings, and
 * each CPU's own order is kept. */
#include <string.h>

#include "engines/synthetic/synth_ring.h"
#include "event_build.h"
#include "ring.h"
#include "test_util.h"

static void put(struct synth_ring *w, uint64_t ts)
{
	uint8_t tmp[128] __attribute__((aligned(8)));
	struct cap_event_builder b;
	cap_build_begin(&b, tmp, sizeof(tmp), CAPTURE_EVT_FORK, ts, 1, 1);
	cap_build_u64(&b, ts);
	int len = cap_build_end(&b);
	ck_assert_int_gt(len, 0);
	void *slot = synth_ring_reserve(w, (uint32_t)len);
	ck_assert_ptr_nonnull(slot);
	memcpy(slot, tmp, (size_t)len);
	synth_ring_commit(slot);
}

START_TEST(merge_orders_by_timestamp)
{
	enum { RINGS = 3 };
	struct synth_ring w[RINGS];
	struct cap_ring r[RINGS];
	for (int i = 0; i < RINGS; i++) {
		ck_assert_int_eq(synth_ring_create(&w[i], 65536, false), 0);
		cap_ring_init(&r[i], w[i].consumer_pos, w[i].producer_pos, w[i].data, w[i].size);
	}
	/* Ring i holds timestamps i, i+3, ... except ring 2, whose events all
	 * come after the others', and ring 0 ends with equal timestamps. */
	for (uint64_t t = 0; t < 300; t++)
		put(&w[t % RINGS], t % RINGS == 2 ? t + 1000 : t);
	put(&w[0], 400);
	put(&w[0], 400);
	struct cap_merge m;
	ck_assert_int_eq(cap_merge_init(&m, r, RINGS), 0);
	uint64_t last = 0, n = 0;
	uint32_t idx;
	const struct capture_event *e;
	while ((e = cap_merge_next(&m, &idx))) {
		ck_assert_uint_ge(e->ts, last);
		ck_assert_uint_lt(idx, RINGS);
		last = e->ts;
		n++;
		/* New events arriving mid-merge are taken into account. */
		if (n == 10)
			put(&w[1], 5000);
	}
	ck_assert_uint_eq(n, 303);
	ck_assert_uint_eq(last, 5000);
	cap_merge_free(&m);
	for (int i = 0; i < RINGS; i++)
		synth_ring_destroy(&w[i]);
}
END_TEST

START_TEST(api_stream_is_sorted_when_rings_hold_everything)
{
	/* Producers run to the end before the consumer reads, so the merge sees
	 * every event and the whole stream must be in timestamp order. */
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 4u << 20);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 4, .threaded = true, .burst = 7,
		     .events_per_cpu = 5000, .stall_until_done = true);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	uint64_t last = 0, n = 0, last_per_cpu[4] = { 0 };
	uint32_t cpus_seen = 0;
	for (;;) {
		const struct capture_event *e;
		uint32_t cpu;
		int rc = capture_next(h, &e, &cpu);
		if (rc == CAPTURE_EOF)
			break;
		if (rc == CAPTURE_TIMEOUT)
			continue;
		ck_assert_int_eq(rc, CAPTURE_OK);
		ck_assert_uint_lt(cpu, 4);
		ck_assert_uint_ge(e->ts, last);
		ck_assert_uint_gt(e->ts, last_per_cpu[cpu]);
		ck_assert_uint_eq(e->pid, 10000 + cpu);
		cpus_seen |= 1u << cpu;
		last = last_per_cpu[cpu] = e->ts;
		n++;
	}
	ck_assert_uint_eq(n, 20000);
	ck_assert_uint_eq(cpus_seen, 0xf);
	capture_close(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("merge");
	TCase *tc = tcase_create("merge");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, merge_orders_by_timestamp);
	tcase_add_test(tc, api_stream_is_sorted_when_rings_hold_everything);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
