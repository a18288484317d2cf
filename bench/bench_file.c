// SPDX-License-Identifier: Apache-2.0
/* Capture-file reading speed: writes a capture of N synthetic events, then
 * replays it through the file engine from the page cache, reading every
 * event through capture_next(). Plain and zlib-compressed files. */
#include <capture/capture.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_file(const char *path, uint64_t events, bool compress)
{
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 2, .events_per_cpu = events / 2, .burst = 4096);
	CAPTURE_OPTS(capture_open_opts, o, .engine = "synthetic", .synthetic = &s);
	char err[512];
	capture_t *h = capture_open(&o, err, sizeof(err));
	CAPTURE_OPTS(capture_dump_opts, d_opts, .compress = compress, .overwrite = true,
		     .no_snapshot = true);
	capture_dump_t *d = h ? capture_dump_open(h, path, &d_opts) : NULL;
	if (!d || capture_start(h) < 0) {
		fprintf(stderr, "bench_file: %s\n", h ? capture_last_error(h) : err);
		return 1;
	}
	const struct capture_event *e;
	uint32_t cpu;
	while (capture_next(h, &e, &cpu) == CAPTURE_OK)
		if (capture_dump_write(d, e, cpu) < 0)
			break;
	int rc = capture_dump_close(d);
	if (rc < 0)
		fprintf(stderr, "bench_file: %s\n", capture_last_error(h));
	capture_close(h);
	return rc < 0;
}

static int read_file(const char *path, const char *label)
{
	CAPTURE_OPTS(capture_open_opts, o, .engine = "file", .file_path = path);
	char err[512];
	double t0 = now_s();
	capture_t *h = capture_open(&o, err, sizeof(err));
	if (!h || capture_start(h) < 0) {
		fprintf(stderr, "bench_file: %s\n", h ? capture_last_error(h) : err);
		return 1;
	}
	uint64_t n = 0, bytes = 0;
	const struct capture_event *e;
	int rc;
	while ((rc = capture_next(h, &e, NULL)) == CAPTURE_OK) {
		n++;
		bytes += e->len;
	}
	double secs = now_s() - t0;
	if (rc != CAPTURE_EOF) {
		fprintf(stderr, "bench_file: %s\n", capture_last_error(h));
		return 1;
	}
	struct stat st;
	stat(path, &st);
	printf("file=%s events=%" PRIu64 " file_mb=%.1f seconds=%.3f events_per_sec=%.2fM "
	       "event_mb_per_sec=%.0f\n",
	       label, n, (double)st.st_size / 1e6, secs, (double)n / secs / 1e6,
	       (double)bytes / secs / 1e6);
	capture_close(h);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t events = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000000ull;
	int repeats = argc > 2 ? atoi(argv[2]) : 3;
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char plain[512], zlib[512];
	snprintf(plain, sizeof(plain), "%s/bench_file_plain.%d.cap", dir, (int)getpid());
	snprintf(zlib, sizeof(zlib), "%s/bench_file_zlib.%d.cap", dir, (int)getpid());
	if (!events || repeats <= 0 || write_file(plain, events, false) || write_file(zlib, events, true))
		return 1;
	read_file(plain, "plain"); /* warm the page cache */
	int rc = 0;
	for (int r = 0; r < repeats && !rc; r++)
		rc = read_file(plain, "plain") || read_file(zlib, "zlib");
	unlink(plain);
	unlink(zlib);
	return rc;
}
