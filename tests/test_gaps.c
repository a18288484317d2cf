// SPDX-License-Identifier: Apache-2.0
/* Loss located and made rarer: every hole in a CPU's stream is preceded by a
 * gap marker that counts it exactly, the markers add up to the counters,
 * and priority shedding keeps execve flowing through a flood of reads. */
#include <string.h>

#include "test_util.h"

struct marker {
	uint32_t cpu;
	uint64_t lost, shed, ts_first, ts_last;
	uint64_t lost_by[CAPTURE_DROP_CATEGORY_COUNT][2];
	uint64_t shed_by[CAPTURE_DROP_CATEGORY_COUNT];
};

static void read_marker(const struct capture_event *e, struct marker *m)
{
	const void *d[6];
	uint32_t l[6];
	for (uint32_t i = 0; i < 6; i++)
		if (capture_event_param(e, i, &d[i], &l[i]) != 0)
			ck_abort_msg("marker parameter %u unreadable", i);
	memset(m, 0, sizeof(*m));
	memcpy(&m->cpu, d[0], 4);
	memcpy(&m->lost, d[1], 8);
	memcpy(&m->shed, d[2], 8);
	memcpy(&m->ts_first, d[3], 8);
	memcpy(&m->ts_last, d[4], 8);
	if (l[5] % sizeof(struct capture_gap_entry))
		ck_abort_msg("by_category has %u bytes", l[5]);
	uint64_t lost = 0, shed = 0;
	for (uint32_t off = 0; off < l[5]; off += sizeof(struct capture_gap_entry)) {
		struct capture_gap_entry g;
		memcpy(&g, (const uint8_t *)d[5] + off, sizeof(g));
		if (g.category >= CAPTURE_DROP_CATEGORY_COUNT || g.kind > CAPTURE_GAP_SHED || !g.count)
			ck_abort_msg("bad entry %u/%u/%llu", g.category, g.kind,
				     (unsigned long long)g.count);
		if (g.kind == CAPTURE_GAP_SHED) {
			m->shed_by[g.category] += g.count;
			shed += g.count;
		} else {
			m->lost_by[g.category][g.kind] += g.count;
			lost += g.count;
		}
	}
	if (lost != m->lost || shed != m->shed)
		ck_abort_msg("entries add up to %llu/%llu, marker says %llu/%llu",
			     (unsigned long long)lost, (unsigned long long)shed,
			     (unsigned long long)m->lost, (unsigned long long)m->shed);
}

#define CPUS 3

/* Reads the whole stream, checking every hole against its marker, and
 * adds the markers up per CPU. */
static void check_holes(capture_t *h, struct marker sum[CPUS], uint64_t *holes)
{
	uint64_t last_ts[CPUS] = { 0 };
	bool pending[CPUS] = { false };
	struct marker m[CPUS];
	memset(sum, 0, sizeof(struct marker) * CPUS);
	*holes = 0;
	for (;;) {
		const struct capture_event *e;
		uint32_t cpu;
		int rc = capture_next(h, &e, &cpu);
		if (rc == CAPTURE_EOF)
			break;
		if (rc != CAPTURE_OK)
			ck_abort_msg("capture_next: %d %s", rc, capture_last_error(h));
		if (cpu >= CPUS)
			ck_abort_msg("cpu %u", cpu);
		if (e->type == CAPTURE_EVT_DROP) {
			read_marker(e, &m[cpu]);
			if (m[cpu].cpu != cpu || pending[cpu] || m[cpu].lost + m[cpu].shed == 0)
				ck_abort_msg("marker on cpu %u says cpu %u, pending %d", cpu, m[cpu].cpu,
					     pending[cpu]);
			if (last_ts[cpu] && m[cpu].ts_first != last_ts[cpu] + 1)
				ck_abort_msg("marker window starts at %llu, last event %llu",
					     (unsigned long long)m[cpu].ts_first,
					     (unsigned long long)last_ts[cpu]);
			pending[cpu] = true;
			sum[cpu].lost += m[cpu].lost;
			sum[cpu].shed += m[cpu].shed;
			for (int c = 0; c < CAPTURE_DROP_CATEGORY_COUNT; c++) {
				sum[cpu].lost_by[c][0] += m[cpu].lost_by[c][0];
				sum[cpu].lost_by[c][1] += m[cpu].lost_by[c][1];
				sum[cpu].shed_by[c] += m[cpu].shed_by[c];
			}
			continue;
		}
		/* A hole is exactly where a marker stands, of exactly its size. The
		 * synthetic clock also steps forward to the wall clock (by 1 ms or
		 * more) where nothing was lost: those steps are not holes. */
		bool hole = last_ts[cpu] && e->ts != last_ts[cpu] + 1;
		if (hole && !pending[cpu] && e->ts - last_ts[cpu] >= 1000000)
			hole = false;
		if (hole && !pending[cpu])
			ck_abort_msg("cpu %u: events %llu..%llu missing with no marker", cpu,
				     (unsigned long long)last_ts[cpu] + 1, (unsigned long long)e->ts - 1);
		if (pending[cpu]) {
			if (m[cpu].ts_last + 1 != e->ts ||
			    (last_ts[cpu] && m[cpu].lost + m[cpu].shed != e->ts - last_ts[cpu] - 1))
				ck_abort_msg("cpu %u: marker of %llu does not match the hole before %llu",
					     cpu, (unsigned long long)(m[cpu].lost + m[cpu].shed),
					     (unsigned long long)e->ts);
			pending[cpu] = false;
			(*holes)++;
		}
		last_ts[cpu] = e->ts;
	}
}

static void check_sums(capture_t *h, const struct marker sum[CPUS])
{
	for (uint32_t cpu = 0; cpu < CPUS; cpu++) {
		struct capture_stats st = { .sz = sizeof(st) };
		ck_assert_int_eq(capture_get_stats_cpu(h, cpu, &st), 0);
		ck_assert_uint_eq(sum[cpu].lost, st.n_drops);
		ck_assert_uint_eq(sum[cpu].shed, st.n_shed);
		uint64_t pf_scratch = st.n_drops_pf + st.n_drops_scratch_map, by_cat_buffer = 0;
		for (int c = 0; c < CAPTURE_DROP_CATEGORY_COUNT; c++) {
			by_cat_buffer += sum[cpu].lost_by[c][0] + sum[cpu].lost_by[c][1];
			ck_assert_uint_eq(sum[cpu].shed_by[c],
					  capture_stat_value(&st, CAPTURE_STAT_N_SHED_FIRST_CATEGORY + c));
		}
		ck_assert_uint_eq(by_cat_buffer, st.n_drops_buffer + pf_scratch);
	}
}

START_TEST(every_hole_has_its_marker)
{
	/* Unthreaded: each refill overflows the rings; faults too. */
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 8192, .no_shedding = true,
		     .enter_events = true);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = CPUS, .burst = 300, .events_per_cpu = 20000,
		     .pf_every = 97, .scratch_every = 1013);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	struct marker sum[CPUS];
	uint64_t holes;
	check_holes(h, sum, &holes);
	ck_assert_uint_gt(holes, 100);
	check_sums(h, sum);
	capture_close(h);
}
END_TEST

START_TEST(markers_with_threads_and_shedding)
{
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 16384);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = CPUS, .threaded = true,
		     .events_per_cpu = 100000, .stall_ms = 20);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	struct marker sum[CPUS];
	uint64_t holes;
	check_holes(h, sum, &holes);
	ck_assert_uint_gt(holes, 0);
	check_sums(h, sum);
	struct capture_stats st = { .sz = sizeof(st) };
	ck_assert_int_eq(capture_get_stats(h, &st), 0);
	ck_assert_uint_gt(st.n_shed, 0);
	capture_close(h);
}
END_TEST

/* 99 reads then one execve, per CPU, into rings the consumer does not read
 * until the producers are done: the flood the CVE-2019-8339 attack makes. */
static struct capture_stats flood(bool shedding)
{
	static uint32_t mix[100];
	for (int i = 0; i < 99; i++)
		mix[i] = (uint32_t)capture_syscall_nr("read");
	mix[99] = (uint32_t)capture_syscall_nr("execve");
	/* Half of 512 KiB holds the 1000 execve of a CPU and the gap marker
	 * before each (the reads in between were shed). */
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 512 * 1024, .no_shedding = !shedding);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 2, .threaded = true, .events_per_cpu = 100000,
		     .mix = mix, .mix_len = 100, .stall_until_done = true);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	uint64_t execs = 0, delivered = 0;
	for (;;) {
		const struct capture_event *e;
		int rc = capture_next(h, &e, NULL);
		if (rc == CAPTURE_EOF)
			break;
		if (rc == CAPTURE_TIMEOUT)
			continue;
		if (rc != CAPTURE_OK)
			ck_abort_msg("capture_next: %s", capture_last_error(h));
		execs += e->type == CAPTURE_EVT_EXECVE;
		delivered += e->type != CAPTURE_EVT_DROP;
	}
	struct capture_stats st = { .sz = sizeof(st) };
	ck_assert_int_eq(capture_get_stats(h, &st), 0);
	ck_assert_uint_eq(st.n_evts, delivered + st.n_drops + st.n_shed);
	if (shedding)
		ck_assert_uint_eq(execs, 2 * 1000); /* every one of them */
	capture_close(h);
	return st;
}

START_TEST(shedding_keeps_execve_through_a_flood)
{
	struct capture_stats on = flood(true);
	ck_assert_uint_eq(on.n_drops_buffer_execve_exit, 0);
	ck_assert_uint_gt(on.n_shed_other_interest, 0);
	ck_assert_uint_eq(on.n_shed_execve, 0);
	struct capture_stats off = flood(false);
	ck_assert_uint_gt(off.n_drops_buffer_execve_exit, 0);
	ck_assert_uint_eq(off.n_shed, 0);
}
END_TEST

START_TEST(losses_before_stop_get_their_marker)
{
	/* The last losses of a CPU have no next event to carry their marker:
	 * after stop and drain, the engine hands it out. */
	CAPTURE_OPTS(capture_open_opts, o, .no_shedding = true);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 1, .burst = 64, .pf_every = 64);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	const struct capture_event *e;
	uint64_t lost = 0;
	int rc;
	for (int i = 0; (rc = capture_next(h, &e, NULL)) == CAPTURE_OK; i++) {
		if (e->type == CAPTURE_EVT_DROP) {
			struct marker m;
			read_marker(e, &m);
			lost += m.lost;
		}
		if (i == 191)
			ck_assert_int_eq(capture_stop(h), 0);
	}
	ck_assert_int_eq(rc, CAPTURE_EOF);
	struct capture_stats st = { .sz = sizeof(st) };
	ck_assert_int_eq(capture_get_stats(h, &st), 0);
	ck_assert_uint_gt(st.n_drops, 0);
	ck_assert_uint_eq(lost, st.n_drops);
	capture_close(h);
}
END_TEST

START_TEST(shedding_options_are_checked)
{
	char err[256];
	CAPTURE_OPTS(capture_open_opts, o, .engine = "synthetic", .shed_threshold_pct = 100);
	ck_assert_ptr_null(capture_open(&o, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "shed_threshold_pct is 100"));
	o.shed_threshold_pct = 0;
	o.shed_classes = 0x80;
	ck_assert_ptr_null(capture_open(&o, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "shed_classes"));
	o.shed_classes = CAPTURE_SHED_IO;
	o.no_shedding = true;
	ck_assert_ptr_null(capture_open(&o, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "no_shedding"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gaps");
	TCase *tc = tcase_create("gaps");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_hole_has_its_marker);
	tcase_add_test(tc, markers_with_threads_and_shedding);
	tcase_add_test(tc, shedding_keeps_execve_through_a_flood);
	tcase_add_test(tc, losses_before_stop_get_their_marker);
	tcase_add_test(tc, shedding_options_are_checked);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
