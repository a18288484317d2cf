// SPDX-License-Identifier: Apache-2.0
/*
 * The traced side of the syscall benchmark: a consumer that does nothing but
 * count events, so what the load generator loses is the cost of capture
 * itself. Runs until SIGINT/SIGTERM (or -d seconds), then prints one JSON
 * line: events delivered, n_evts, every non-zero drop counter, wall time and
 * its own CPU time.
 */
#include <capture/capture.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	CAPTURE_OPTS(capture_open_opts, opts, .engine = "auto");
	double duration = 0;
	const char *ready_file = NULL;
	int c;
	while ((c = getopt(argc, argv, "e:b:d:r:h")) != -1) {
		char *end;
		switch (c) {
		case 'e':
			opts.engine = optarg;
			break;
		case 'b':
			errno = 0;
			opts.buffer_bytes = strtoull(optarg, &end, 0);
			if (errno || *end || end == optarg) {
				fprintf(stderr, "bench_consumer: -b: \"%s\" is not a byte count\n", optarg);
				return 2;
			}
			break;
		case 'd':
			duration = strtod(optarg, &end);
			if (*end || end == optarg || !(duration >= 0)) {
				fprintf(stderr, "bench_consumer: -d: \"%s\" is not seconds\n", optarg);
				return 2;
			}
			break;
		case 'r':
			ready_file = optarg;
			break;
		default:
			fprintf(stderr, "usage: bench_consumer [-e ENGINE] [-b BUFFER_BYTES] "
					"[-d SECONDS] [-r READY_FILE]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	char err[512];
	capture_t *h = capture_open(&opts, err, sizeof(err));
	if (!h) {
		fprintf(stderr, "bench_consumer: %s\n", err);
		return 1;
	}
	if (capture_start(h) < 0) {
		fprintf(stderr, "bench_consumer: %s\n", capture_last_error(h));
		capture_close(h);
		return 1;
	}
	if (ready_file) {
		/* Tell the driver script that capture is live. */
		FILE *f = fopen(ready_file, "w");
		if (!f) {
			fprintf(stderr, "bench_consumer: %s: %s\n", ready_file, strerror(errno));
			capture_close(h);
			return 1;
		}
		fclose(f);
	}
	double t0 = now_s(), c0 = cpu_s();
	uint64_t delivered = 0;
	int rc = 0;
	bool stopped = false;
	for (;;) {
		const struct capture_event *e;
		rc = capture_next(h, &e, NULL);
		if (rc == CAPTURE_OK)
			delivered += e->type != CAPTURE_EVT_DROP; /* gap markers are not syscalls */
		else if (rc == CAPTURE_EOF)
			break;
		else if (rc < 0)
			break;
		if (!stopped && (stop_requested || (duration > 0 && now_s() - t0 >= duration))) {
			capture_stop(h); /* then drain what the rings hold */
			stopped = true;
		}
	}
	double wall = now_s() - t0, cpu = cpu_s() - c0;
	if (rc < 0) {
		fprintf(stderr, "bench_consumer: %s\n", capture_last_error(h));
		capture_close(h);
		return 1;
	}
	struct capture_stats st = { .sz = sizeof(st) };
	capture_get_stats(h, &st);
	printf("{\"engine\":\"%s\",\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"delivered\":%" PRIu64,
	       capture_engine_name(h), wall, cpu, delivered);
	for (uint32_t id = 0; id < CAPTURE_STAT_COUNT; id++) {
		uint64_t v = capture_stat_value(&st, (enum capture_stat_id)id);
		if ((st.valid & CAPTURE_STAT_BIT(id)) && (v || id <= CAPTURE_STAT_N_DROPS_BUFFER))
			printf(",\"%s\":%" PRIu64, capture_stat_name((enum capture_stat_id)id), v);
	}
	printf("}\n");
	capture_close(h);
	return 0;
}
