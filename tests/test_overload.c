// SPDX-License-Identifier: Apache-2.0
/*
 * Overload on the real eBPF engine (the CVE-2019-8339 scenario): threads of
 * one process flood low-value syscalls while another process runs a known
 * number of fork+execve, and the consumer is slowed on purpose. With
 * priority shedding every one of those execve and process-exit events must
 * arrive; without it, losses are counted and the gap markers add up to the
 * drops of each CPU. Needs root; exits 77 with the reason when the kernel
 * refuses.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

#define EXECS 60
#define FLOOD_THREADS 3
#define PID_BITS (1u << 22)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *flood_thread(void *arg)
{
	(void)arg;
	for (;;)
		syscall(SYS_getppid);
	return NULL;
}

/* A process whose threads call getppid as fast as they can, until killed. */
static pid_t start_flood(void)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		pthread_t t;
		for (int i = 1; i < FLOOD_THREADS; i++)
			pthread_create(&t, NULL, flood_thread, NULL);
		flood_thread(NULL);
	}
	return pid;
}

/* A process that runs /bin/true EXECS times, one after the other, and
 * writes the pid of each to fd. */
static pid_t start_execs(int fd)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		for (int i = 0; i < EXECS; i++) {
			pid_t c = fork();
			if (c == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			if (c < 0 || write(fd, &c, sizeof(c)) != sizeof(c))
				_exit(1);
			int st;
			waitpid(c, &st, 0);
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				_exit(2);
			usleep(5000);
		}
		_exit(0);
	}
	return pid;
}

static void spin_us(double us)
{
	double end = now_s() + us / 1e6;
	while (now_s() < end)
		;
}

struct outcome {
	struct capture_stats st;
	uint64_t delivered;
	uint32_t execs_seen, exits_seen;
	uint64_t marker_lost[64], marker_shed[64];
	struct capture_stats per_cpu[64];
	uint32_t ncpus;
};

static uint8_t *bit_execve, *bit_exit;

static bool test_bit(const uint8_t *bits, uint32_t pid)
{
	return pid < PID_BITS && (bits[pid / 8] >> (pid % 8)) & 1;
}

static void set_bit(uint8_t *bits, uint32_t pid)
{
	if (pid < PID_BITS)
		bits[pid / 8] |= (uint8_t)(1u << (pid % 8));
}

static void count_event(const struct capture_event *e, uint32_t cpu, struct outcome *o)
{
	if (e->type == CAPTURE_EVT_DROP) {
		const void *d;
		uint32_t l, c;
		uint64_t lost, shed;
		if (capture_event_param(e, 0, &d, &l) || l != 4)
			ck_abort_msg("marker without cpu");
		memcpy(&c, d, 4);
		capture_event_param(e, 1, &d, &l);
		memcpy(&lost, d, 8);
		capture_event_param(e, 2, &d, &l);
		memcpy(&shed, d, 8);
		if (c >= 64)
			ck_abort_msg("marker for cpu %u", c);
		o->marker_lost[c] += lost;
		o->marker_shed[c] += shed;
		return;
	}
	(void)cpu;
	o->delivered++;
	if (e->type == CAPTURE_EVT_EXECVE) {
		const void *d;
		uint32_t l;
		int64_t res;
		capture_event_param(e, 0, &d, &l);
		memcpy(&res, d, 8);
		if (res == 0)
			set_bit(bit_execve, e->pid);
	} else if (e->type == CAPTURE_EVT_PROC_EXIT && e->pid == e->tid) {
		set_bit(bit_exit, e->pid);
	}
}

static struct outcome run(bool shedding)
{
	struct outcome o;
	memset(&o, 0, sizeof(o));
	memset(bit_execve, 0, PID_BITS / 8);
	memset(bit_exit, 0, PID_BITS / 8);
	CAPTURE_OPTS(capture_open_opts, opts, .engine = "modern_bpf", .buffer_bytes = 1u << 20,
		     .no_shedding = !shedding, .next_timeout_ms = 20);
	char err[512];
	capture_t *h = capture_open(&opts, err, sizeof(err));
	ck_assert_msg(h != NULL, "%s", err);
	ck_assert_int_eq(capture_start(h), 0);
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t flood = start_flood();
	usleep(100000); /* the flood is on before the first exec */
	pid_t execs = start_execs(fds[1]);
	close(fds[1]);

	/* A consumer slowed to ~40 k events/s while the flood makes millions. */
	double end = 0;
	for (;;) {
		const struct capture_event *e;
		uint32_t cpu;
		int rc = capture_next(h, &e, &cpu);
		if (rc < 0)
			ck_abort_msg("capture_next: %s", capture_last_error(h));
		if (rc == CAPTURE_OK) {
			count_event(e, cpu, &o);
			spin_us(25);
		}
		if (!end) {
			int st;
			if (waitpid(execs, &st, WNOHANG) == execs) {
				ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
					      "the exec runner failed (%d)", st);
				end = now_s() + 0.3;
			}
		} else if (now_s() > end) {
			break;
		}
	}
	kill(flood, SIGKILL);
	waitpid(flood, NULL, 0);
	ck_assert_int_eq(capture_stop(h), 0);
	for (;;) { /* drain at full speed */
		const struct capture_event *e;
		uint32_t cpu;
		int rc = capture_next(h, &e, &cpu);
		if (rc == CAPTURE_EOF)
			break;
		if (rc < 0)
			ck_abort_msg("capture_next: %s", capture_last_error(h));
		if (rc == CAPTURE_OK)
			count_event(e, cpu, &o);
	}
	pid_t pids[EXECS];
	ck_assert_int_eq(read(fds[0], pids, sizeof(pids)), (ssize_t)sizeof(pids));
	close(fds[0]);
	for (int i = 0; i < EXECS; i++) {
		o.execs_seen += test_bit(bit_execve, (uint32_t)pids[i]);
		o.exits_seen += test_bit(bit_exit, (uint32_t)pids[i]);
	}
	o.st.sz = sizeof(o.st);
	ck_assert_int_eq(capture_get_stats(h, &o.st), 0);
	o.ncpus = capture_cpu_count(h);
	for (uint32_t c = 0; c < o.ncpus && c < 64; c++) {
		o.per_cpu[c].sz = sizeof(o.per_cpu[c]);
		ck_assert_int_eq(capture_get_stats_cpu(h, c, &o.per_cpu[c]), 0);
	}
	printf("shedding %s: n_evts %llu delivered %llu n_drops %llu n_shed %llu; "
	       "execve %u/%d, exits %u/%d\n",
	       shedding ? "on" : "off", (unsigned long long)o.st.n_evts,
	       (unsigned long long)o.delivered, (unsigned long long)o.st.n_drops,
	       (unsigned long long)o.st.n_shed, o.execs_seen, EXECS, o.exits_seen, EXECS);
	capture_close(h);
	return o;
}

static void check_law_and_markers(const struct outcome *o)
{
	ck_assert_uint_eq(o->st.n_evts, o->delivered + o->st.n_drops + o->st.n_shed);
	for (uint32_t c = 0; c < o->ncpus && c < 64; c++) {
		ck_assert_uint_eq(o->marker_lost[c], o->per_cpu[c].n_drops);
		ck_assert_uint_eq(o->marker_shed[c], o->per_cpu[c].n_shed);
	}
}

START_TEST(flood_with_shedding_keeps_every_execve)
{
	struct outcome o = run(true);
	ck_assert_uint_gt(o.st.n_shed, 0); /* the flood was heavy enough */
	ck_assert_uint_eq(o.execs_seen, EXECS);
	ck_assert_uint_eq(o.exits_seen, EXECS);
	ck_assert_uint_eq(o.st.n_drops_buffer_execve_exit, 0);
	ck_assert_uint_eq(o.st.n_drops_buffer_proc_exit_exit, 0);
	check_law_and_markers(&o);
}
END_TEST

START_TEST(flood_without_shedding_counts_and_marks_every_loss)
{
	struct outcome o = run(false);
	ck_assert_uint_gt(o.st.n_drops, 0);
	ck_assert_uint_eq(o.st.n_shed, 0);
	check_law_and_markers(&o);
}
END_TEST

int main(void)
{
	if (geteuid() != 0) {
		printf("SKIP: the eBPF engine needs root\n");
		return 77;
	}
	CAPTURE_OPTS(capture_open_opts, probe, .engine = "modern_bpf");
	char err[512];
	capture_t *h = capture_open(&probe, err, sizeof(err));
	if (!h) {
		printf("SKIP: the kernel refuses the eBPF engine: %s\n", err);
		return 77;
	}
	capture_close(h);
	bit_execve = calloc(PID_BITS / 8, 1);
	bit_exit = calloc(PID_BITS / 8, 1);
	Suite *s = suite_create("overload");
	TCase *tc = tcase_create("overload");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, flood_with_shedding_keeps_every_execve);
	tcase_add_test(tc, flood_without_shedding_counts_and_marks_every_loss);
	suite_add_tcase(s, tc);
	int rc = run_suite(s);
	free(bit_execve);
	free(bit_exit);
	return rc;
}
