// SPDX-License-Identifier: Apache-2.0
/* Bad input to every public call gives a clear error, never a crash; the
 * lifecycle refuses calls out of order; versions and error strings. */
#include <errno.h>
#include <string.h>

#include "test_util.h"

START_TEST(null_handle_everywhere)
{
	const struct capture_event *e;
	struct capture_stats st = { .sz = sizeof(st) };
	const struct capture_metric *m;
	size_t n;
	ck_assert_int_eq(capture_start(NULL), -EINVAL);
	ck_assert_int_eq(capture_stop(NULL), -EINVAL);
	capture_close(NULL);
	ck_assert_int_eq(capture_next(NULL, &e, NULL), -EINVAL);
	ck_assert_int_eq(capture_set_syscalls(NULL, NULL, 0), -EINVAL);
	ck_assert_int_eq(capture_get_stats(NULL, &st), -EINVAL);
	ck_assert_int_eq(capture_get_stats_cpu(NULL, 0, &st), -EINVAL);
	ck_assert_int_eq(capture_get_metrics(NULL, &m, &n), -EINVAL);
	ck_assert_ptr_null(capture_engine_name(NULL));
	ck_assert_uint_eq(capture_cpu_count(NULL), 0);
	ck_assert_uint_eq(capture_ring_count(NULL), 0);
	ck_assert_ptr_nonnull(strstr(capture_last_error(NULL), "NULL"));
}
END_TEST

START_TEST(null_arguments_with_a_handle)
{
	CAPTURE_OPTS(capture_open_opts, o);
	CAPTURE_OPTS(capture_synthetic_opts, s, .events_per_cpu = 10);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	ck_assert_int_eq(capture_next(h, NULL, NULL), -EINVAL);
	ck_assert_ptr_nonnull(strstr(capture_last_error(h), "evt is NULL"));
	ck_assert_int_eq(capture_get_stats(h, NULL), -EINVAL);
	struct capture_stats tiny = { .sz = 1 };
	ck_assert_int_eq(capture_get_stats(h, &tiny), -EINVAL);
	ck_assert_int_eq(capture_get_metrics(h, NULL, NULL), -EINVAL);
	struct capture_stats st = { .sz = sizeof(st) };
	ck_assert_int_eq(capture_get_stats_cpu(h, 2, &st), -ERANGE);
	ck_assert_int_eq(capture_get_stats_cpu(h, UINT32_MAX, &st), -ERANGE);
	uint32_t bad[] = { 100000 };
	ck_assert_int_eq(capture_set_syscalls(h, bad, 1), -EINVAL);
	ck_assert_ptr_nonnull(strstr(capture_last_error(h), "100000"));
	ck_assert_int_eq(capture_set_syscalls(h, bad, 0), -EINVAL);
	ck_assert_int_eq(capture_set_syscalls(h, NULL, 5), -EINVAL);
	capture_close(h);
}
END_TEST

START_TEST(lifecycle_out_of_order)
{
	CAPTURE_OPTS(capture_open_opts, o);
	CAPTURE_OPTS(capture_synthetic_opts, s, .events_per_cpu = 100);
	capture_t *h = open_synthetic(&o, &s);
	const struct capture_event *e;
	ck_assert_int_eq(capture_next(h, &e, NULL), -EINVAL);
	ck_assert_ptr_nonnull(strstr(capture_last_error(h), "capture_start"));
	ck_assert_int_eq(capture_stop(h), -EALREADY);
	ck_assert_int_eq(capture_start(h), 0);
	ck_assert_int_eq(capture_start(h), -EALREADY);
	ck_assert_int_eq(capture_next(h, &e, NULL), CAPTURE_OK);
	ck_assert_int_eq(capture_stop(h), 0);
	ck_assert_int_eq(capture_stop(h), -EALREADY);
	ck_assert_int_eq(capture_start(h), -EINVAL);
	/* After stop: what is buffered drains, then EOF, and EOF again. */
	uint64_t rest = drain(h);
	ck_assert_uint_lt(rest, 200);
	ck_assert_int_eq(capture_next(h, &e, NULL), CAPTURE_EOF);
	capture_close(h);

	/* Close without stop, with producer threads running. */
	s.threaded = true;
	s.events_per_cpu = 0;
	h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	capture_close(h);
}
END_TEST

START_TEST(version_and_strings)
{
	ck_assert_str_eq(capture_version(), "1.0.0");
	ck_assert_int_eq(capture_version_number(), CAPTURE_VERSION_NUMBER);
	ck_assert_str_eq(capture_strerror(CAPTURE_OK), "success");
	ck_assert_ptr_nonnull(strstr(capture_strerror(CAPTURE_TIMEOUT), "wait"));
	ck_assert_ptr_nonnull(strstr(capture_strerror(CAPTURE_EOF), "end"));
	ck_assert_str_eq(capture_strerror(-ENOENT), "No such file or directory");
	ck_assert_ptr_nonnull(capture_strerror(12345));
	ck_assert_ptr_nonnull(capture_strerror(-99999));
	ck_assert_ptr_nonnull(capture_strerror(INT32_MIN + 1));
}
END_TEST

START_TEST(auto_never_picks_synthetic)
{
	CAPTURE_OPTS(capture_open_opts, o, .engine = "auto");
	char err[512];
	capture_t *h = capture_open(&o, err, sizeof(err));
	if (h) {
		ck_assert_str_ne(capture_engine_name(h), "synthetic");
		capture_close(h);
	} else {
		ck_assert_ptr_nonnull(strstr(err, "engine auto"));
	}
}
END_TEST

START_TEST(timeouts)
{
	/* Threaded producer paused by a stall: capture_next must come back with
	 * CAPTURE_TIMEOUT within its wait, and at once with CAPTURE_NO_WAIT. */
	CAPTURE_OPTS(capture_open_opts, o, .next_timeout_ms = 20);
	CAPTURE_OPTS(capture_synthetic_opts, s, .threaded = true, .stall_ms = 10000,
		     .rate_per_cpu = 10);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	const struct capture_event *e;
	ck_assert_int_eq(capture_next(h, &e, NULL), CAPTURE_TIMEOUT);
	capture_close(h);

	o.next_timeout_ms = CAPTURE_NO_WAIT;
	uint32_t only_getppid[] = { (uint32_t)capture_syscall_nr("getppid") };
	o.syscalls = only_getppid;
	o.n_syscalls = 1;
	CAPTURE_OPTS(capture_synthetic_opts, inl);
	uint32_t mix[] = { (uint32_t)capture_syscall_nr("close") };
	inl.mix = mix;
	inl.mix_len = 1;
	h = open_synthetic(&o, &inl);
	ck_assert_int_eq(capture_start(h), 0);
	/* Nothing selected is ever produced: no wait means no hang. */
	ck_assert_int_eq(capture_next(h, &e, NULL), CAPTURE_TIMEOUT);
	capture_close(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("api");
	tcase_add_test(tc, null_handle_everywhere);
	tcase_add_test(tc, null_arguments_with_a_handle);
	tcase_add_test(tc, lifecycle_out_of_order);
	tcase_add_test(tc, version_and_strings);
	tcase_add_test(tc, auto_never_picks_synthetic);
	tcase_add_test(tc, timeouts);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
