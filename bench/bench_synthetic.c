// SPDX-License-Identifier: Apache-2.0
/* Throughput of the synthetic engine plus capture_next(): how many events a
 * consumer takes through the real API per second. Unthreaded, production and
 * consumption share one core; threaded, producers run on other threads. */
#include <capture/capture.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(bool threaded, uint32_t cpus, uint64_t events, uint32_t burst)
{
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = cpus, .threaded = threaded,
		     .events_per_cpu = events / cpus, .burst = burst);
	/* Throughput of the path, not of shedding decisions. */
	CAPTURE_OPTS(capture_open_opts, o, .engine = "synthetic", .synthetic = &s, .no_shedding = true);
	char err[512];
	capture_t *h = capture_open(&o, err, sizeof(err));
	if (!h) {
		fprintf(stderr, "bench_synthetic: %s\n", err);
		return 1;
	}
	if (capture_start(h) < 0) {
		fprintf(stderr, "bench_synthetic: %s\n", capture_last_error(h));
		return 1;
	}
	uint64_t delivered = 0, bytes = 0;
	double t0 = now_s();
	clock_t c0 = clock();
	for (;;) {
		const struct capture_event *e;
		int rc = capture_next(h, &e, NULL);
		if (rc == CAPTURE_OK) {
			delivered++;
			bytes += e->len;
		} else if (rc == CAPTURE_EOF) {
			break;
		} else if (rc < 0) {
			fprintf(stderr, "bench_synthetic: %s\n", capture_last_error(h));
			return 1;
		}
	}
	double secs = now_s() - t0;
	double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
	struct capture_stats st = { .sz = sizeof(st) };
	capture_get_stats(h, &st);
	printf("mode=%s cpus=%u burst=%u delivered=%" PRIu64 " n_drops=%" PRIu64
	       " seconds=%.3f events_per_sec=%.2fM avg_bytes=%.1f process_cpu_s=%.3f\n",
	       threaded ? "threaded" : "inline", cpus, burst, delivered, st.n_drops, secs,
	       (double)delivered / secs / 1e6, (double)bytes / (double)delivered, cpu);
	capture_close(h);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t events = argc > 1 ? strtoull(argv[1], NULL, 0) : 50000000ull;
	int repeats = argc > 2 ? atoi(argv[2]) : 3;
	if (!events || repeats <= 0) {
		fprintf(stderr, "usage: bench_synthetic [EVENTS] [REPEATS]\n");
		return 2;
	}
	for (int r = 0; r < repeats; r++) {
		if (run(false, 1, events, 4096) || run(false, 2, events, 4096) ||
		    run(true, 1, events, 256))
			return 1;
	}
	return 0;
}
