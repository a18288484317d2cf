// SPDX-License-Identifier: Apache-2.0
// Standalone syscall load generator: run it untraced and traced to measure
// what syscall capture costs per call.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 4096
#define MAX_SECONDS 1e6 /* keeps deadline math well inside double precision */

extern char **environ;

/* Own cache line per worker so counter stores never false-share. */
struct worker {
	alignas(64) pthread_t tid;
	uint64_t ops;
	uint64_t syscalls;
	uint64_t errors;
};

struct workload {
	const char *name;
	void (*run)(struct worker *w);
};

/* Workers poll this every iteration; relaxed is enough, we only need the
 * loop to notice eventually, not to order anything else. */
static atomic_bool stop_flag;

/* Start gate: workers are created and pinned before the clock starts, so
 * thread setup is not counted in the measured interval. */
enum gate_state { GATE_WAIT, GATE_RUN, GATE_ABORT };
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static enum gate_state gate = GATE_WAIT;

static bool stopped(void)
{
	return atomic_load_explicit(&stop_flag, memory_order_relaxed);
}

static void run_getppid(struct worker *w)
{
	uint64_t n = 0;

	for (; !stopped(); n++)
		syscall(SYS_getppid); /* bypass any libc caching */
	w->ops = w->syscalls = n;
}

static void run_close(struct worker *w)
{
	uint64_t n = 0;

	for (; !stopped(); n++)
		close(-1); /* EBADF by design: the cheapest fd-taking syscall */
	w->ops = w->syscalls = n;
}

static void run_openclose(struct worker *w)
{
	uint64_t n = 0, err = 0;

	while (!stopped()) {
		int fd = open("/dev/null", O_RDONLY);

		n++;
		if (fd < 0)
			err++;
		else
			close(fd);
	}
	w->ops = n;
	w->syscalls = 2 * n - err; /* a failed open skips its close */
	w->errors = err;
}

/* fork+exec+wait makes dozens of syscalls (mostly in the child and the
 * dynamic loader), so syscalls is reported as ops: a per-op figure only. */
static void run_forkexec(struct worker *w)
{
	static char *const argv[] = { "true", NULL };
	uint64_t n = 0, err = 0;

	while (!stopped()) {
		n++;
		pid_t pid = fork();
		if (pid < 0) {
			err++;
			continue;
		}
		if (pid == 0) {
			execve("/bin/true", argv, environ);
			_exit(127); /* only async-signal-safe calls after fork */
		}
		int status, rc;
		while ((rc = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
			;
		/* exit 127 from the child means execve failed */
		if (rc < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			err++;
	}
	w->ops = w->syscalls = n;
	w->errors = err;
}

static const struct workload workloads[] = {
	{ "getppid", run_getppid },
	{ "close", run_close },
	{ "openclose", run_openclose },
	{ "forkexec", run_forkexec },
};

static const struct workload *chosen;

static void *worker_main(void *arg)
{
	pthread_mutex_lock(&gate_lock);
	while (gate == GATE_WAIT)
		pthread_cond_wait(&gate_cond, &gate_lock);
	enum gate_state st = gate;
	pthread_mutex_unlock(&gate_lock);

	if (st == GATE_RUN)
		chosen->run(arg);
	return NULL;
}

static void open_gate(enum gate_state st)
{
	pthread_mutex_lock(&gate_lock);
	gate = st;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
}

static int pin(pthread_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(tid, sizeof(set), &set);
}

/* Release the n threads already waiting at the gate so none is left running. */
static _Noreturn void abort_run(struct worker *w, int n)
{
	open_gate(GATE_ABORT);
	for (int i = 0; i < n; i++)
		pthread_join(w[i].tid, NULL);
	exit(2);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: loadgen [-w WORKLOAD] [-t THREADS] [-d SECONDS] [-c CPU_LIST] [-j]\n"
		"  -w  getppid (default), close, openclose, forkexec\n"
		"  -t  worker threads (default 1)\n"
		"  -d  run time in seconds, fractions allowed (default 5)\n"
		"  -c  comma-separated CPUs; thread i is pinned to list[i %% n]\n"
		"  -j  print the result as one JSON object\n"
		"  -h  show this help\n"
		"forkexec counts one syscall per op (syscalls == ops).\n");
}

__attribute__((format(printf, 1, 2))) static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("loadgen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static int parse_cpus(const char *s, int *cpus, int max)
{
	int n = 0;
	const char *p = s;

	for (;;) {
		char *end;
		errno = 0;
		long v = strtol(p, &end, 10);
		if (end == p || errno || v < 0 || v >= CPU_SETSIZE ||
		    (*end != ',' && *end != '\0') || n == max)
			die("invalid CPU list '%s' (want e.g. 0 or 0,1)", s);
		cpus[n++] = (int)v;
		if (*end == '\0')
			return n;
		p = end + 1;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_sec(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	static int cpus[CPU_SETSIZE];
	int ncpus = 0, nthreads = 1, opt;
	double seconds = 5.0;
	bool json = false;
	char *end;

	chosen = &workloads[0];
	while ((opt = getopt(argc, argv, "w:t:d:c:jh")) != -1) {
		switch (opt) {
		case 'w':
			chosen = NULL;
			for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
				if (strcmp(optarg, workloads[i].name) == 0)
					chosen = &workloads[i];
			if (!chosen)
				die("unknown workload '%s' (want getppid, close, openclose or forkexec)",
				    optarg);
			break;
		case 't': {
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end || errno || v < 1 || v > MAX_THREADS)
				die("invalid thread count '%s' (want 1..4096)", optarg);
			nthreads = (int)v;
			break;
		}
		case 'd':
			errno = 0;
			seconds = strtod(optarg, &end);
			if (end == optarg || *end || errno || !isfinite(seconds) ||
			    seconds <= 0 || seconds > MAX_SECONDS)
				die("invalid duration '%s' (want 0 < seconds <= 1e6)", optarg);
			break;
		case 'c':
			ncpus = parse_cpus(optarg, cpus, CPU_SETSIZE);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default: /* getopt already named the bad option */
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (try -h)", argv[optind]);

	/* aligned_alloc, not calloc: the struct is over-aligned to a cache line */
	size_t size = (size_t)nthreads * sizeof(struct worker);
	struct worker *w = aligned_alloc(alignof(struct worker), size);
	if (!w)
		die("out of memory allocating %d workers", nthreads);
	memset(w, 0, size);

	for (int i = 0; i < nthreads; i++) {
		int rc = pthread_create(&w[i].tid, NULL, worker_main, &w[i]);
		if (rc) {
			fprintf(stderr, "loadgen: cannot create thread %d of %d: %s\n",
				i + 1, nthreads, strerror(rc));
			abort_run(w, i);
		}
		if (ncpus > 0 && (rc = pin(w[i].tid, cpus[i % ncpus]))) {
			fprintf(stderr, "loadgen: cannot pin thread %d to CPU %d: %s\n",
				i + 1, cpus[i % ncpus], strerror(rc));
			abort_run(w, i + 1);
		}
	}

	/* Absolute deadline so an interrupted sleep cannot stretch the run. */
	double t0 = now(), end_at = t0 + seconds;
	struct timespec deadline = { .tv_sec = (time_t)end_at,
				     .tv_nsec = (long)((end_at - (double)(time_t)end_at) * 1e9) };
	open_gate(GATE_RUN);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
		;
	atomic_store_explicit(&stop_flag, true, memory_order_relaxed);

	uint64_t ops = 0, syscalls = 0, errors = 0;
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].tid, NULL);
		ops += w[i].ops;
		syscalls += w[i].syscalls;
		errors += w[i].errors;
	}
	double elapsed = now() - t0;

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf(json ? "{\"workload\":\"%s\",\"threads\":%d,\"seconds\":%.2f,\"ops\":%" PRIu64
		      ",\"syscalls\":%" PRIu64 ",\"syscalls_per_sec\":%.1f,\"cpu_user_s\":%.3f"
		      ",\"cpu_sys_s\":%.3f,\"errors\":%" PRIu64 "}\n"
		    : "workload=%s threads=%d seconds=%.2f ops=%" PRIu64 " syscalls=%" PRIu64
		      " syscalls_per_sec=%.1f cpu_user_s=%.3f cpu_sys_s=%.3f errors=%" PRIu64 "\n",
	       chosen->name, nthreads, elapsed, ops, syscalls, (double)syscalls / elapsed,
	       tv_sec(ru.ru_utime), tv_sec(ru.ru_stime), errors);
	free(w);

	if (errors) {
		fprintf(stderr, "loadgen: %" PRIu64 " of %" PRIu64 " %s iterations failed\n",
			errors, ops, chosen->name);
		return 2;
	}
	return 0;
}
