// SPDX-License-Identifier: Apache-2.0
/* Each drop cause reproduced and named: events too large, page faults, a
 * consumer that goes away, a CPU-bound consumer, bursts larger than the
 * ring, and (as root, where the cpu cgroup controller is writable) a
 * consumer throttled by its cgroup's CPU quota. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture/alert.h"
#include "test_util.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void spin_us(double us)
{
	double end = now_s() + us / 1e6;
	while (now_s() < end)
		;
}

/* Consume for `seconds`, doing `work` after each event, then diagnose. */
static enum capture_drop_cause run(capture_t *h, double seconds, void (*work)(void),
				   struct capture_diagnosis *dg)
{
	capture_diagnoser_t *d = capture_diagnoser_new(h);
	ck_assert_ptr_nonnull(d);
	double end = now_s() + seconds;
	const struct capture_event *e;
	while (now_s() < end) {
		int rc = capture_next(h, &e, NULL);
		if (rc < 0)
			ck_abort_msg("capture_next: %s", capture_last_error(h));
		if (rc == CAPTURE_EOF)
			break;
		if (rc == CAPTURE_OK && work)
			work();
	}
	dg->sz = sizeof(*dg);
	ck_assert_int_eq(capture_diagnose(d, dg), 0);
	printf("diagnosis: %s: %s; remedy: %s\n", dg->name, dg->evidence, dg->remedy);
	/* The strings belong to the diagnoser: keep copies past its end. */
	static char evidence[512], remedy[256];
	snprintf(evidence, sizeof(evidence), "%s", dg->evidence);
	snprintf(remedy, sizeof(remedy), "%s", dg->remedy);
	dg->evidence = evidence;
	dg->remedy = remedy;
	capture_diagnoser_free(d);
	return dg->cause;
}

START_TEST(nothing_dropped)
{
	CAPTURE_OPTS(capture_open_opts, o);
	CAPTURE_OPTS(capture_synthetic_opts, s, .threaded = true, .rate_per_cpu = 1000);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	struct capture_diagnosis dg;
	ck_assert_int_eq(run(h, 0.3, NULL, &dg), CAPTURE_CAUSE_NONE);
	ck_assert_uint_eq(dg.dropped, 0);
	capture_close(h);
}
END_TEST

START_TEST(events_too_large_and_page_faults)
{
	CAPTURE_OPTS(capture_open_opts, o);
	CAPTURE_OPTS(capture_synthetic_opts, s, .threaded = true, .rate_per_cpu = 20000,
		     .scratch_every = 2);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	struct capture_diagnosis dg;
	ck_assert_int_eq(run(h, 0.3, NULL, &dg), CAPTURE_CAUSE_EVENTS_TOO_LARGE);
	ck_assert_ptr_nonnull(strstr(dg.evidence, "n_drops_scratch_map"));
	capture_close(h);

	s.scratch_every = 0;
	s.pf_every = 3;
	h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	ck_assert_int_eq(run(h, 0.3, NULL, &dg), CAPTURE_CAUSE_PAGE_FAULTS);
	ck_assert_str_eq(dg.name, "page_faults");
	capture_close(h);
}
END_TEST

static void go_away(void)
{
	usleep(100000); /* a blocking output or metadata lookup */
}

START_TEST(consumer_away)
{
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 16384);
	CAPTURE_OPTS(capture_synthetic_opts, s, .threaded = true, .rate_per_cpu = 50000);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	struct capture_diagnosis dg;
	ck_assert_int_eq(run(h, 1.0, go_away, &dg), CAPTURE_CAUSE_CONSUMER_AWAY);
	ck_assert_uint_gt(dg.dropped, 0);
	ck_assert_ptr_nonnull(strstr(dg.evidence, "between capture_next() calls"));
	capture_close(h);
}
END_TEST

static void heavy_work(void)
{
	spin_us(20); /* a rule engine too slow for the event rate */
}

START_TEST(consumer_cpu_bound)
{
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 16384);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 1, .threaded = true, .rate_per_cpu = 200000);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	struct capture_diagnosis dg;
	ck_assert_int_eq(run(h, 1.0, heavy_work, &dg), CAPTURE_CAUSE_CONSUMER_CPU_BOUND);
	ck_assert_uint_gt(dg.dropped, 0);
	capture_close(h);
}
END_TEST

START_TEST(burst_larger_than_ring)
{
	/* 5000 events back to back every 100 ms into 16 KiB rings: the
	 * consumer idles between bursts and still cannot catch them. */
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 16384);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 1, .threaded = true, .rate_per_cpu = 50000,
		     .burst = 5000);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	struct capture_diagnosis dg;
	ck_assert_int_eq(run(h, 1.0, NULL, &dg), CAPTURE_CAUSE_BURST_LARGER_THAN_RING);
	ck_assert_ptr_nonnull(strstr(dg.remedy, "buffer_bytes"));
	capture_close(h);
}
END_TEST

static bool write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok;
}

static void cheap_work(void)
{
	spin_us(2);
}

START_TEST(cgroup_cpu_quota)
{
	/* cgroup v1 cpu controller: a child group with 10 % of a CPU. Only the
	 * consumer thread moves there; the producer threads (the "kernel") stay
	 * outside, as a real driver would. */
	char dir[128];
	snprintf(dir, sizeof(dir), "/sys/fs/cgroup/cpu/capture-test-%d", (int)getpid());
	bool v1 = access("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", W_OK) == 0;
	if (!v1 || mkdir(dir, 0755) != 0) {
		printf("SKIP cgroup_cpu_quota: no writable cgroup v1 cpu controller (%s)\n",
		       v1 ? strerror(errno) : "not mounted at /sys/fs/cgroup/cpu");
		return;
	}
	char file[200], tid[32];
	snprintf(file, sizeof(file), "%s/cpu.cfs_period_us", dir);
	ck_assert(write_file(file, "100000"));
	snprintf(file, sizeof(file), "%s/cpu.cfs_quota_us", dir);
	ck_assert(write_file(file, "10000"));

	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 16384);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 1, .threaded = true, .rate_per_cpu = 100000);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0); /* producers start outside the group */
	snprintf(file, sizeof(file), "%s/tasks", dir);
	snprintf(tid, sizeof(tid), "%d", (int)gettid());
	ck_assert(write_file(file, tid));
	struct capture_diagnosis dg;
	enum capture_drop_cause cause = run(h, 1.5, cheap_work, &dg);
	ck_assert(write_file("/sys/fs/cgroup/cpu/tasks", tid));
	capture_close(h);
	rmdir(dir);
	ck_assert_int_eq(cause, CAPTURE_CAUSE_CGROUP_THROTTLED);
	ck_assert_ptr_nonnull(strstr(dg.evidence, "quota 0.10 CPU"));
}
END_TEST

START_TEST(bad_input)
{
	errno = 0;
	ck_assert_ptr_null(capture_diagnoser_new(NULL));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(capture_diagnose(NULL, NULL), -EINVAL);
	ck_assert_str_eq(capture_drop_cause_name(CAPTURE_CAUSE_CONSUMER_AWAY), "consumer_away");
	ck_assert_ptr_null(capture_drop_cause_name((enum capture_drop_cause)99));
	CAPTURE_OPTS(capture_open_opts, o);
	capture_t *h = open_synthetic(&o, NULL);
	capture_diagnoser_t *d = capture_diagnoser_new(h);
	struct capture_diagnosis small = { .sz = 1 };
	ck_assert_int_eq(capture_diagnose(d, &small), -EINVAL);
	const struct capture_metric *m;
	size_t n;
	ck_assert_int_eq(capture_diagnoser_metrics(d, &m, &n), 0);
	ck_assert_uint_gt(n, 0);
	capture_diagnoser_free(d);
	capture_diagnoser_free(NULL);
	capture_close(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("diagnose");
	TCase *tc = tcase_create("diagnose");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, nothing_dropped);
	tcase_add_test(tc, events_too_large_and_page_faults);
	tcase_add_test(tc, consumer_away);
	tcase_add_test(tc, consumer_cpu_bound);
	tcase_add_test(tc, burst_larger_than_ring);
	tcase_add_test(tc, cgroup_cpu_quota);
	tcase_add_test(tc, bad_input);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
