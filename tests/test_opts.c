// SPDX-License-Identifier: Apache-2.0
/* Option structs: the sz rules that keep old binaries working and new
 * options from being ignored, and every option's validation message. */
#include <errno.h>
#include <string.h>

#include "test_util.h"

/* Opening with opts must fail with rc and a message containing `needle`. */
static void expect_open_error(const struct capture_open_opts *o, int err, const char *needle)
{
	char msg[512] = "";
	errno = 0;
	capture_t *h = capture_open(o, msg, sizeof(msg));
	if (h)
		capture_close(h);
	ck_assert_msg(h == NULL, "capture_open accepted what it should refuse (%s)", needle);
	ck_assert_int_eq(errno, err);
	ck_assert_msg(strstr(msg, needle) != NULL, "message \"%s\" does not name \"%s\"", msg, needle);
}

START_TEST(older_smaller_struct_works)
{
	/* A caller built against a header that ended after `snaplen`. */
	struct capture_open_opts o;
	memset(&o, 0, sizeof(o));
	o.engine = "synthetic";
	o.sz = offsetof(struct capture_open_opts, snaplen) + sizeof(o.snaplen);
	o.synthetic = (void *)0x1; /* past the caller's sz: must not be read */
	char err[256];
	capture_t *h = capture_open(&o, err, sizeof(err));
	ck_assert_msg(h != NULL, "%s", err);
	ck_assert_str_eq(capture_engine_name(h), "synthetic");
	capture_close(h);
}
END_TEST

START_TEST(newer_struct_with_zero_tail_works)
{
	struct {
		struct capture_open_opts o;
		uint64_t future[4];
	} big;
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.o.engine = "synthetic";
	char err[256];
	capture_t *h = capture_open(&big.o, err, sizeof(err));
	ck_assert_msg(h != NULL, "%s", err);
	capture_close(h);
}
END_TEST

START_TEST(newer_struct_with_unknown_option_is_refused)
{
	struct {
		struct capture_open_opts o;
		uint64_t future[4];
	} big;
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.o.engine = "synthetic";
	big.future[2] = 7;
	expect_open_error(&big.o, E2BIG, "options this library does not know");
}
END_TEST

START_TEST(bad_sz_is_refused)
{
	struct capture_open_opts o;
	memset(&o, 0, sizeof(o));
	expect_open_error(&o, EINVAL, "capture_open_opts.sz is 0");
	o.sz = 1u << 20;
	expect_open_error(&o, EINVAL, "not a plausible size");
}
END_TEST

START_TEST(synthetic_opts_follow_the_same_rules)
{
	struct {
		struct capture_synthetic_opts s;
		uint32_t future;
	} big;
	memset(&big, 0, sizeof(big));
	big.s.sz = sizeof(big);
	big.future = 1;
	CAPTURE_OPTS(capture_open_opts, o, .engine = "synthetic", .synthetic = &big.s);
	expect_open_error(&o, E2BIG, "capture_synthetic_opts");

	struct capture_synthetic_opts small;
	memset(&small, 0, sizeof(small));
	small.sz = offsetof(struct capture_synthetic_opts, events_per_cpu) + 8;
	small.cpus = 3;
	small.events_per_cpu = 5;
	o.synthetic = &small;
	char err[256];
	capture_t *h = capture_open(&o, err, sizeof(err));
	ck_assert_msg(h != NULL, "%s", err);
	ck_assert_uint_eq(capture_cpu_count(h), 3);
	capture_close(h);
}
END_TEST

START_TEST(each_option_is_checked)
{
	CAPTURE_OPTS(capture_open_opts, o, .engine = "no-such-engine");
	expect_open_error(&o, ENOENT, "unknown engine \"no-such-engine\"");

	o.engine = "synthetic";
	o.buffer_bytes = 12345;
	expect_open_error(&o, EINVAL, "buffer_bytes is 12345");
	o.buffer_bytes = 1024;
	expect_open_error(&o, EINVAL, "buffer_bytes is 1024");
	o.buffer_bytes = 1ull << 40;
	expect_open_error(&o, EINVAL, "power of two");
	o.buffer_bytes = 0;

	o.snaplen = 1u << 20;
	expect_open_error(&o, EINVAL, "snaplen");
	o.snaplen = 0;

	o.n_syscalls = 3;
	expect_open_error(&o, EINVAL, "syscalls is NULL but its count is 3");
	uint32_t list[] = { 2, 99999 };
	o.syscalls = list;
	o.n_syscalls = 0;
	expect_open_error(&o, EINVAL, "pass NULL to capture every syscall");
	o.n_syscalls = 2;
	expect_open_error(&o, EINVAL, "syscalls[1] = 99999");
	o.n_syscalls = 100000;
	expect_open_error(&o, EINVAL, "more than the");
	o.syscalls = NULL;
	o.n_syscalls = 0;

	o.log_level = (enum capture_log_level)42;
	expect_open_error(&o, EINVAL, "log_level 42");
	o.log_level = CAPTURE_LOG_ERROR;
}
END_TEST

START_TEST(synthetic_knobs_are_checked)
{
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 100000);
	CAPTURE_OPTS(capture_open_opts, o, .engine = "synthetic", .synthetic = &s);
	expect_open_error(&o, EINVAL, "synthetic.cpus is 100000");
	s.cpus = 1;
	s.burst = 1u << 30;
	expect_open_error(&o, EINVAL, "synthetic.burst");
	s.burst = 0;
	s.mix_len = 4;
	expect_open_error(&o, EINVAL, "synthetic.mix is NULL");
	uint32_t mix[] = { 257, 4000 };
	s.mix = mix;
	s.mix_len = 2;
	expect_open_error(&o, EINVAL, "synthetic.mix[1] = 4000");
	s.mix = NULL;
	s.mix_len = 0;
	s.stall_ms = 10;
	expect_open_error(&o, EINVAL, "need threaded = true");
	s.threaded = true;
	s.stall_ms = 0;
	s.stall_until_done = true;
	expect_open_error(&o, EINVAL, "needs events_per_cpu");

	CAPTURE_OPTS(capture_synthetic_opts, ok);
	CAPTURE_OPTS(capture_open_opts, wrong, .engine = "auto", .synthetic = &ok);
	expect_open_error(&wrong, EINVAL, "synthetic options were given but the engine is \"auto\"");
}
END_TEST

static int logged;
static void count_log(enum capture_log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)msg;
	*(int *)ctx += 1;
	logged++;
}

START_TEST(errors_reach_the_log_callback)
{
	int calls = 0;
	CAPTURE_OPTS(capture_open_opts, o, .engine = "synthetic", .snaplen = 1u << 30,
		     .log_fn = count_log, .log_ctx = &calls);
	char msg[256];
	ck_assert_ptr_null(capture_open(&o, msg, sizeof(msg)));
	ck_assert_int_eq(calls, 1);
	/* A NULL or tiny error buffer is fine. */
	ck_assert_ptr_null(capture_open(&o, NULL, 0));
	ck_assert_ptr_null(capture_open(&o, msg, 1));
	ck_assert_str_eq(msg, "");
}
END_TEST

START_TEST(defaults_apply)
{
	CAPTURE_OPTS(capture_open_opts, o, .engine = "synthetic");
	char err[256];
	capture_t *h = capture_open(&o, err, sizeof(err));
	ck_assert_msg(h != NULL, "%s", err);
	ck_assert_uint_eq(capture_cpu_count(h), 2);
	ck_assert_uint_eq(capture_ring_count(h), 2);
	capture_close(h);

	/* One shared ring for all CPUs. */
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 4);
	CAPTURE_OPTS(capture_open_opts, shared, .cpus_per_buffer = CAPTURE_CPUS_PER_BUFFER_ALL);
	h = open_synthetic(&shared, &s);
	ck_assert_uint_eq(capture_ring_count(h), 1);
	capture_close(h);
	shared.cpus_per_buffer = 3;
	h = open_synthetic(&shared, &s);
	ck_assert_uint_eq(capture_ring_count(h), 2);
	capture_close(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("opts");
	TCase *tc = tcase_create("opts");
	tcase_add_test(tc, older_smaller_struct_works);
	tcase_add_test(tc, newer_struct_with_zero_tail_works);
	tcase_add_test(tc, newer_struct_with_unknown_option_is_refused);
	tcase_add_test(tc, bad_sz_is_refused);
	tcase_add_test(tc, synthetic_opts_follow_the_same_rules);
	tcase_add_test(tc, each_option_is_checked);
	tcase_add_test(tc, synthetic_knobs_are_checked);
	tcase_add_test(tc, errors_reach_the_log_callback);
	tcase_add_test(tc, defaults_apply);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
