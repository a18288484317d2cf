// SPDX-License-Identifier: Apache-2.0
/* Drop alerts: an interval with any drop alerts by default, the threshold
 * and actions behave as Falco's, the text keeps Falco's line, and the token
 * bucket, driven by a fake clock, holds alerts back without hiding them. */
#include <errno.h>
#include <string.h>

#include "capture/alert.h"
#include "test_util.h"

static uint64_t fake_now;
static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

/* Unthreaded synthetic engine whose every refill overflows a 4 KiB ring. */
static capture_t *lossy(void)
{
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 4096);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 2, .burst = 500);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	return h;
}

/* Read n events: at least one refill, so drops happen. */
static void consume(capture_t *h, int n)
{
	const struct capture_event *e;
	for (int i = 0; i < n; i++)
		if (capture_next(h, &e, NULL) != CAPTURE_OK)
			ck_abort_msg("capture_next: %s", capture_last_error(h));
}

START_TEST(defaults_alert_on_any_drop)
{
	capture_t *h = lossy();
	fake_now = 1000000000ull;
	CAPTURE_OPTS(capture_drop_alert_opts, o, .clock = fake_clock);
	capture_drop_alert_t *a = capture_drop_alert_new(h, &o);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(capture_drop_alert_text(a), "");
	consume(h, 200);
	ck_assert_int_eq(capture_drop_alert_check(a), 0); /* interval not over */
	fake_now += 1000000000ull;
	ck_assert_int_eq(capture_drop_alert_check(a), CAPTURE_DROP_ALERTED);
	const char *t = capture_drop_alert_text(a);
	/* Falco's line, parseable by the same regular expressions. */
	ck_assert_ptr_nonnull(strstr(t, " system calls dropped in last second. (ebpf_enabled=0 n_drops="));
	ck_assert_ptr_nonnull(strstr(t, " n_drops_buffer_clone_fork_enter=0 n_drops_buffer_clone_fork_exit="));
	ck_assert_ptr_nonnull(strstr(t, " n_drops_buffer_total="));
	ck_assert_ptr_nonnull(strstr(t, " n_drops_page_faults=0 n_drops_scratch_map=0 n_evts="));
	ck_assert_ptr_nonnull(strstr(t, " engine=synthetic"));
	ck_assert_ptr_null(strstr(t, "n_preemptions")); /* not counted: not shown as 0 */
	ck_assert_int_eq(t[strlen(t) - 1], ')');
	const char *j = capture_drop_alert_json(a);
	ck_assert_ptr_nonnull(strstr(j, "\"dropped\":"));
	ck_assert_ptr_nonnull(strstr(j, "\"n_drops_buffer\":"));
	ck_assert_int_eq(j[0], '{');
	ck_assert_int_eq(j[strlen(j) - 1], '}');
	/* An interval without drops says nothing. */
	fake_now += 1000000000ull;
	ck_assert_int_eq(capture_drop_alert_check(a), 0);
	ck_assert_uint_eq(capture_drop_alert_intervals(a), 1);
	capture_drop_alert_free(a);
	capture_close(h);
}
END_TEST

START_TEST(threshold_and_actions)
{
	capture_t *h = lossy();
	fake_now = 0;
	/* Drops are ~90 % here: a 0.95 threshold stays quiet, exit fires. */
	CAPTURE_OPTS(capture_drop_alert_opts, high, .clock = fake_clock, .threshold = 0.95);
	capture_drop_alert_t *a = capture_drop_alert_new(h, &high);
	consume(h, 100);
	fake_now += 1000000000ull;
	ck_assert_int_eq(capture_drop_alert_check(a), 0);
	capture_drop_alert_free(a);

	CAPTURE_OPTS(capture_drop_alert_opts, ex, .clock = fake_clock,
		     .actions = CAPTURE_DROP_EXIT | CAPTURE_DROP_LOG);
	a = capture_drop_alert_new(h, &ex);
	consume(h, 100);
	fake_now += 1000000000ull;
	ck_assert_int_eq(capture_drop_alert_check(a), CAPTURE_DROP_MUST_EXIT);
	capture_drop_alert_free(a);

	CAPTURE_OPTS(capture_drop_alert_opts, ign, .clock = fake_clock, .actions = CAPTURE_DROP_IGNORE);
	a = capture_drop_alert_new(h, &ign);
	consume(h, 100);
	fake_now += 1000000000ull;
	ck_assert_int_eq(capture_drop_alert_check(a), 0);
	ck_assert_uint_eq(capture_drop_alert_intervals(a), 1); /* still counted */
	capture_drop_alert_free(a);
	capture_close(h);
}
END_TEST

START_TEST(token_bucket_with_a_fake_clock)
{
	capture_t *h = lossy();
	fake_now = 5000000000ull;
	/* One alert every 2 s in the long run, 2 at once. */
	CAPTURE_OPTS(capture_drop_alert_opts, o, .clock = fake_clock, .rate = 0.5, .max_burst = 2);
	capture_drop_alert_t *a = capture_drop_alert_new(h, &o);
	int alerted_at[10], n = 0;
	for (int sec = 1; sec <= 10; sec++) {
		consume(h, 100);
		fake_now += 1000000000ull;
		int rc = capture_drop_alert_check(a);
		ck_assert_int_ge(rc, 0);
		if (rc == CAPTURE_DROP_ALERTED)
			alerted_at[n++] = sec;
	}
	/* Two tokens at the start plus half a token per second: seconds 1, 2
	 * and 3 (2 + 0.5 + 0.5 - 3 = 0), then one every 2 s. */
	int want[] = { 1, 2, 3, 5, 7, 9 };
	ck_assert_int_eq(n, 6);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(alerted_at[i], want[i]);
	ck_assert_uint_eq(capture_drop_alert_intervals(a), 10);
	ck_assert_uint_eq(capture_drop_alert_suppressed(a), 4);
	/* The alert after a held-back interval says so, with its drops. */
	ck_assert_ptr_nonnull(strstr(capture_drop_alert_text(a), "held_back_alerts=1 "));
	ck_assert_ptr_null(strstr(capture_drop_alert_text(a), "n_drops_in_held_back_intervals=0)"));
	capture_drop_alert_free(a);
	capture_close(h);
}
END_TEST

START_TEST(bad_options)
{
	capture_t *h = lossy();
	errno = 0;
	ck_assert_ptr_null(capture_drop_alert_new(NULL, NULL));
	ck_assert_int_eq(errno, EINVAL);
	CAPTURE_OPTS(capture_drop_alert_opts, o, .threshold = 1.5);
	ck_assert_ptr_null(capture_drop_alert_new(h, &o));
	ck_assert_ptr_nonnull(strstr(capture_last_error(h), "threshold is 1.5"));
	o.threshold = 0;
	o.actions = 0x100;
	ck_assert_ptr_null(capture_drop_alert_new(h, &o));
	ck_assert_ptr_nonnull(strstr(capture_last_error(h), "unknown bits"));
	o.actions = CAPTURE_DROP_IGNORE | CAPTURE_DROP_LOG;
	ck_assert_ptr_null(capture_drop_alert_new(h, &o));
	o.actions = 0;
	o.rate = -1;
	ck_assert_ptr_null(capture_drop_alert_new(h, &o));
	ck_assert_int_eq(capture_drop_alert_check(NULL), -EINVAL);
	ck_assert_str_eq(capture_drop_alert_text(NULL), "");
	capture_drop_alert_free(NULL);
	/* Defaults with no options at all. */
	capture_drop_alert_t *a = capture_drop_alert_new(h, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(capture_drop_alert_check(a), 0);
	capture_drop_alert_free(a);
	capture_close(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("alert");
	TCase *tc = tcase_create("alert");
	tcase_add_test(tc, defaults_alert_on_any_drop);
	tcase_add_test(tc, threshold_and_actions);
	tcase_add_test(tc, token_bucket_with_a_fake_clock);
	tcase_add_test(tc, bad_options);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
