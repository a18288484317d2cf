// SPDX-License-Identifier: Apache-2.0
/* The accounting law after forced drops: n_evts == delivered + n_drops,
 * categories add up to n_drops_buffer, per-CPU figures add up to totals,
 * each loss is charged to its own category and direction, selection keeps
 * unselected syscalls out of n_evts, and deltas, metrics and the valid mask
 * say what they should. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

static uint64_t category_sum(const struct capture_stats *s)
{
	uint64_t sum = 0;
	for (uint32_t i = 0; i < 2 * CAPTURE_DROP_CATEGORY_COUNT; i++)
		sum += capture_stat_value(s, CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY + i);
	return sum;
}

/* Every law the counters must obey once the rings are drained. */
static void check_laws(capture_t *h, uint64_t delivered)
{
	struct capture_stats t = { .sz = sizeof(t) };
	ck_assert_int_eq(capture_get_stats(h, &t), 0);
	ck_assert_uint_eq(t.n_evts, delivered + t.n_drops + t.n_shed);
	ck_assert_uint_eq(t.n_drops,
			  t.n_drops_buffer + t.n_drops_scratch_map + t.n_drops_pf + t.n_drops_bug);
	ck_assert_uint_eq(category_sum(&t), t.n_drops_buffer);
	uint64_t shed = 0;
	for (uint32_t c = 0; c < CAPTURE_DROP_CATEGORY_COUNT; c++)
		shed += capture_stat_value(&t, CAPTURE_STAT_N_SHED_FIRST_CATEGORY + c);
	ck_assert_uint_eq(shed, t.n_shed);

	struct capture_stats sum = { .sz = sizeof(sum) };
	for (uint32_t cpu = 0; cpu < capture_cpu_count(h); cpu++) {
		struct capture_stats c = { .sz = sizeof(c) };
		ck_assert_int_eq(capture_get_stats_cpu(h, cpu, &c), 0);
		ck_assert_uint_eq(c.valid, t.valid);
		for (uint32_t id = 0; id < CAPTURE_STAT_COUNT; id++) {
			uint64_t *f = (uint64_t *)((char *)&sum + offsetof(struct capture_stats, n_evts)) + id;
			*f += capture_stat_value(&c, (enum capture_stat_id)id);
		}
	}
	for (uint32_t id = 0; id < CAPTURE_STAT_COUNT; id++)
		ck_assert_msg(capture_stat_value(&sum, (enum capture_stat_id)id) ==
				      capture_stat_value(&t, (enum capture_stat_id)id),
			      "per-CPU %s does not add up", capture_stat_name((enum capture_stat_id)id));
}

START_TEST(conservation_with_a_stalled_consumer)
{
	/* Tiny rings and a consumer that reads nothing until the producers are
	 * done: most events must be dropped, and every one accounted for. */
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 16384);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 3, .threaded = true,
		     .events_per_cpu = 50000, .stall_until_done = true);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	uint64_t delivered = drain(h);
	struct capture_stats t = { .sz = sizeof(t) };
	ck_assert_int_eq(capture_get_stats(h, &t), 0);
	/* The default mix has only exit events, 12 syscalls per round; past
	 * half a ring, reads, writes and getppid are shed instead of dropped. */
	ck_assert_uint_eq(t.n_evts, 150000);
	ck_assert_uint_gt(t.n_drops_buffer + t.n_shed, 140000);
	ck_assert_uint_gt(t.n_shed_other_interest, 0);
	ck_assert_uint_eq(t.n_shed_execve, 0);
	ck_assert_uint_gt(delivered, 0);
	check_laws(h, delivered);
	/* No enter events were asked for: no enter drops. */
	for (uint32_t c = 0; c < CAPTURE_DROP_CATEGORY_COUNT; c++)
		ck_assert_uint_eq(capture_stat_value(&t, CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY + 2 * c), 0);
	ck_assert_uint_gt(t.n_drops_buffer_execve_exit, 0);
	ck_assert_uint_gt(t.n_shed_other_interest, t.n_drops_buffer_other_interest_exit);
	capture_close(h);
}
END_TEST

START_TEST(conservation_while_reading_concurrently)
{
	/* Producers flat out while the consumer reads: drops come and go. */
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 8192, .enter_events = true);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 2, .threaded = true,
		     .events_per_cpu = 200000, .pf_every = 1000, .scratch_every = 777);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	uint64_t delivered = drain(h);
	struct capture_stats t = { .sz = sizeof(t) };
	ck_assert_int_eq(capture_get_stats(h, &t), 0);
	ck_assert_uint_eq(t.n_evts, 2 * 2 * 200000); /* enter + exit */
	/* pf and scratch drops hit exactly every Nth attempt of each CPU. */
	ck_assert_uint_eq(t.n_drops_pf, 2 * (400000 / 1000));
	ck_assert_uint_gt(t.n_drops_scratch_map, 0);
	check_laws(h, delivered);
	capture_close(h);
}
END_TEST

START_TEST(each_loss_charged_to_its_category)
{
	/* Only opens: only the open category may move. Unthreaded, so the
	 * figures are exact: each round writes `burst` events on a CPU into a
	 * ring that holds fewer. */
	uint32_t opens[] = { (uint32_t)capture_syscall_nr("openat") };
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 4096);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 2, .burst = 1000, .events_per_cpu = 1000,
		     .mix = opens, .mix_len = 1);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	uint64_t delivered = drain(h);
	struct capture_stats t = { .sz = sizeof(t) };
	ck_assert_int_eq(capture_get_stats(h, &t), 0);
	ck_assert_uint_eq(t.n_evts, 2000);
	ck_assert_uint_gt(t.n_drops_buffer_open_exit, 0);
	ck_assert_uint_eq(t.n_drops_buffer_open_exit, t.n_drops_buffer);
	ck_assert_uint_eq(t.n_drops, t.n_drops_buffer);
	check_laws(h, delivered);
	/* Both CPUs fill the same way: exactly as many per CPU as fit a ring. */
	struct capture_stats c0 = { .sz = sizeof(c0) }, c1 = { .sz = sizeof(c1) };
	capture_get_stats_cpu(h, 0, &c0);
	capture_get_stats_cpu(h, 1, &c1);
	ck_assert_uint_eq(c0.n_drops, c1.n_drops);
	capture_close(h);
}
END_TEST

START_TEST(enter_drops_are_charged_to_enter)
{
	uint32_t execs[] = { (uint32_t)capture_syscall_nr("execve") };
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 4096, .enter_events = true);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 1, .burst = 500, .events_per_cpu = 500,
		     .mix = execs, .mix_len = 1);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	uint64_t delivered = drain(h);
	struct capture_stats t = { .sz = sizeof(t) };
	ck_assert_int_eq(capture_get_stats(h, &t), 0);
	ck_assert_uint_eq(t.n_evts, 1000);
	ck_assert_uint_gt(t.n_drops_buffer_execve_enter, 0);
	ck_assert_uint_gt(t.n_drops_buffer_execve_exit, 0);
	ck_assert_uint_eq(t.n_drops_buffer_execve_enter + t.n_drops_buffer_execve_exit,
			  t.n_drops_buffer);
	check_laws(h, delivered);
	capture_close(h);
}
END_TEST

START_TEST(selection_keeps_unselected_out_of_n_evts)
{
	uint32_t mix[] = { (uint32_t)capture_syscall_nr("getppid"),
			   (uint32_t)capture_syscall_nr("close") };
	uint32_t only_close[] = { mix[1] };
	CAPTURE_OPTS(capture_open_opts, o, .syscalls = only_close, .n_syscalls = 1);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 1, .events_per_cpu = 10000, .mix = mix,
		     .mix_len = 2);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	const struct capture_event *e;
	uint64_t delivered = 0;
	while (capture_next(h, &e, NULL) == CAPTURE_OK) {
		if (e->type == CAPTURE_EVT_DROP)
			continue;
		ck_assert_uint_eq(e->type, CAPTURE_EVT_CLOSE);
		if (++delivered == 1000) {
			/* Changed while running: from now on getppid counts too. */
			uint32_t both[] = { mix[0], mix[1] };
			ck_assert_int_eq(capture_set_syscalls(h, both, 2), 0);
			break;
		}
	}
	uint64_t generic = 0;
	for (;;) {
		int rc = capture_next(h, &e, NULL);
		if (rc == CAPTURE_EOF)
			break;
		ck_assert_int_eq(rc, CAPTURE_OK);
		delivered += e->type != CAPTURE_EVT_DROP;
		generic += e->type == CAPTURE_EVT_GENERIC;
	}
	struct capture_stats t = { .sz = sizeof(t) };
	ck_assert_int_eq(capture_get_stats(h, &t), 0);
	ck_assert_uint_gt(generic, 0);
	ck_assert_uint_lt(t.n_evts, 10000);
	ck_assert_uint_eq(t.n_evts, delivered + t.n_drops + t.n_shed);
	capture_close(h);
}
END_TEST

START_TEST(valid_mask_and_sz)
{
	CAPTURE_OPTS(capture_open_opts, o);
	CAPTURE_OPTS(capture_synthetic_opts, s, .events_per_cpu = 100);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	drain(h);
	struct capture_stats t = { .sz = sizeof(t) };
	ck_assert_int_eq(capture_get_stats(h, &t), 0);
	/* The synthetic engine cannot have preemptions or suppression: those
	 * are unknown, not zero. */
	ck_assert(t.valid & CAPTURE_STAT_BIT(CAPTURE_STAT_N_EVTS));
	ck_assert(t.valid & CAPTURE_STAT_BIT(CAPTURE_STAT_N_DROPS_PF));
	ck_assert(!(t.valid & CAPTURE_STAT_BIT(CAPTURE_STAT_N_PREEMPTIONS)));
	ck_assert(!(t.valid & CAPTURE_STAT_BIT(CAPTURE_STAT_N_SUPPRESSED)));

	/* An older caller's smaller struct: nothing written past its sz. */
	struct {
		struct capture_stats s;
	} guard;
	memset(&guard, 0xab, sizeof(guard));
	guard.s.sz = offsetof(struct capture_stats, n_drops_buffer);
	ck_assert_int_eq(capture_get_stats(h, &guard.s), 0);
	ck_assert_uint_eq(guard.s.n_evts, 200);
	ck_assert_uint_eq(guard.s.valid, CAPTURE_STAT_BIT(0) | CAPTURE_STAT_BIT(1));
	uint8_t *tail = (uint8_t *)&guard.s.n_drops_buffer;
	for (size_t i = 0; i < sizeof(guard) - offsetof(struct capture_stats, n_drops_buffer); i++)
		ck_assert_uint_eq(tail[i], 0xab);
	ck_assert_uint_eq(capture_stat_value(&guard.s, CAPTURE_STAT_N_DROPS_BUFFER), 0);

	ck_assert_str_eq(capture_stat_name(CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY + 3),
			 "n_drops_buffer_execve_exit");
	ck_assert_str_eq(capture_stat_name(CAPTURE_STAT_N_TIDS_SUPPRESSED), "n_tids_suppressed");
	ck_assert_ptr_null(capture_stat_name(CAPTURE_STAT_COUNT));
	capture_close(h);
}
END_TEST

START_TEST(deltas)
{
	struct capture_stats a = { .sz = sizeof(a) }, b = { .sz = sizeof(b) }, d = { .sz = sizeof(d) };
	a.valid = b.valid = CAPTURE_STAT_BIT(CAPTURE_STAT_N_EVTS) | CAPTURE_STAT_BIT(CAPTURE_STAT_N_DROPS) |
			    CAPTURE_STAT_BIT(CAPTURE_STAT_N_TIDS_SUPPRESSED);
	b.valid |= CAPTURE_STAT_BIT(CAPTURE_STAT_N_DROPS_PF);
	a.n_evts = 100, a.n_drops = 10, a.n_tids_suppressed = 3;
	b.n_evts = 250, b.n_drops = 13, b.n_tids_suppressed = 1, b.n_drops_pf = 2;
	ck_assert_int_eq(capture_stats_delta(&b, &a, &d), 0);
	ck_assert_uint_eq(d.n_evts, 150);
	ck_assert_uint_eq(d.n_drops, 3);
	ck_assert_uint_eq(d.n_tids_suppressed, 1); /* a gauge: current value */
	ck_assert(!(d.valid & CAPTURE_STAT_BIT(CAPTURE_STAT_N_DROPS_PF)));
	/* Backwards is an error, not a huge unsigned number. */
	ck_assert_int_eq(capture_stats_delta(&a, &b, &d), -EINVAL);
	ck_assert_int_eq(capture_stats_delta(NULL, &b, &d), -EINVAL);
	d.sz = 0;
	ck_assert_int_eq(capture_stats_delta(&b, &a, &d), -EINVAL);
}
END_TEST

START_TEST(metrics_by_name)
{
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 4096);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 2, .burst = 500, .events_per_cpu = 500);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	uint64_t delivered = drain(h);
	const struct capture_metric *m;
	size_t n;
	ck_assert_int_eq(capture_get_metrics(h, &m, &n), 0);
	uint64_t evts = 0, drops = 0, got_delivered = 0, cpu1_evts = 0;
	bool has_unknown = false;
	for (size_t i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(m[i].name);
		if (!strcmp(m[i].name, "capture.n_evts"))
			evts = m[i].value;
		if (!strcmp(m[i].name, "capture.n_drops"))
			drops = m[i].value;
		if (!strcmp(m[i].name, "capture.n_delivered"))
			got_delivered = m[i].value;
		if (!strcmp(m[i].name, "cpu.1.n_evts"))
			cpu1_evts = m[i].value;
		if (!strcmp(m[i].name, "capture.n_preemptions"))
			has_unknown = true;
	}
	ck_assert_uint_eq(evts, 1000);
	ck_assert_uint_eq(got_delivered, delivered);
	ck_assert_uint_ge(evts, got_delivered + drops); /* the rest was shed */
	ck_assert_uint_eq(cpu1_evts, 500);
	ck_assert(!has_unknown); /* fields the engine cannot count are not listed */
	capture_close(h);
}
END_TEST

/* Value of a metric in a list from one capture_get_metrics() call (each
 * call starts a new window for the windowed ones). */
static uint64_t metric(const struct capture_metric *m, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(m[i].name, name))
			return m[i].value;
	ck_abort_msg("no metric %s", name);
	return 0;
}

START_TEST(consumer_and_ring_metrics)
{
	/* A consumer that goes away for 60 ms between reads while producer
	 * threads fill the rings: away time, lag and fill must show it. */
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 65536);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 2, .threaded = true, .rate_per_cpu = 20000);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	const struct capture_metric *m;
	size_t n;
	ck_assert_int_eq(capture_get_metrics(h, &m, &n), 0); /* opens a new window */
	const struct capture_event *e;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(capture_next(h, &e, NULL), CAPTURE_OK);
		usleep(60000);
	}
	ck_assert_int_eq(capture_next(h, &e, NULL), CAPTURE_OK);
	ck_assert_int_eq(capture_get_metrics(h, &m, &n), 0);
	uint64_t away = metric(m, n, "consumer.away_max_ns");
	ck_assert_uint_ge(away, 50000000ull);
	ck_assert_uint_lt(away, 1000000000ull);
	ck_assert_uint_ge(metric(m, n, "consumer.away_total_ns"), 150000000ull);
	/* Events waited ~60 ms in the ring before being read. */
	ck_assert_uint_ge(metric(m, n, "consumer.lag_max_ns"), 40000000ull);
	ck_assert_uint_le(metric(m, n, "consumer.busy_ratio_ppm"), 1000000);
	ck_assert_uint_eq(metric(m, n, "ring.1.size_bytes"), 65536);
	ck_assert_uint_ge(metric(m, n, "ring.0.high_water_bytes"), metric(m, n, "ring.0.fill_bytes"));
	ck_assert_uint_gt(metric(m, n, "ring.0.fill_bytes"), 0);
	capture_close(h);

	/* Top offenders by syscall: a mix of opens and twice as many closes. */
	uint32_t mix[] = { (uint32_t)capture_syscall_nr("openat"), (uint32_t)capture_syscall_nr("close"),
			   (uint32_t)capture_syscall_nr("close") };
	CAPTURE_OPTS(capture_open_opts, o3, .buffer_bytes = 4096);
	CAPTURE_OPTS(capture_synthetic_opts, s3, .cpus = 1, .burst = 3000, .events_per_cpu = 3000,
		     .mix = mix, .mix_len = 3);
	h = open_synthetic(&o3, &s3);
	ck_assert_int_eq(capture_start(h), 0);
	drain(h);
	ck_assert_int_eq(capture_get_metrics(h, &m, &n), 0);
	struct capture_stats st = { .sz = sizeof(st) };
	capture_get_stats(h, &st);
	uint64_t lost_open = metric(m, n, "syscall.openat.n_lost");
	uint64_t lost_close = metric(m, n, "syscall.close.n_lost");
	ck_assert_uint_gt(lost_open, 0);
	ck_assert_uint_eq(lost_open, st.n_drops_buffer_open_exit);
	ck_assert_uint_eq(lost_close, st.n_drops_buffer_close_exit);
	ck_assert_uint_gt(lost_close, lost_open);
	capture_close(h);

	/* A window in which the consumer only waits: nearly idle. */
	CAPTURE_OPTS(capture_open_opts, o2, .next_timeout_ms = 50);
	CAPTURE_OPTS(capture_synthetic_opts, s2, .threaded = true, .stall_ms = 100000,
		     .rate_per_cpu = 1);
	capture_t *idle = open_synthetic(&o2, &s2);
	ck_assert_int_eq(capture_start(idle), 0);
	ck_assert_int_eq(capture_get_metrics(idle, &m, &n), 0);
	for (int i = 0; i < 6; i++)
		ck_assert_int_eq(capture_next(idle, &e, NULL), CAPTURE_TIMEOUT);
	ck_assert_int_eq(capture_get_metrics(idle, &m, &n), 0);
	ck_assert_uint_lt(metric(m, n, "consumer.busy_ratio_ppm"), 300000);
	ck_assert_uint_gt(metric(m, n, "consumer.window_ns"), 250000000ull);
	capture_close(idle);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("drops");
	TCase *tc = tcase_create("drops");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, conservation_with_a_stalled_consumer);
	tcase_add_test(tc, conservation_while_reading_concurrently);
	tcase_add_test(tc, each_loss_charged_to_its_category);
	tcase_add_test(tc, enter_drops_are_charged_to_enter);
	tcase_add_test(tc, selection_keeps_unselected_out_of_n_evts);
	tcase_add_test(tc, valid_mask_and_sz);
	tcase_add_test(tc, deltas);
	tcase_add_test(tc, metrics_by_name);
	tcase_add_test(tc, consumer_and_ring_metrics);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
