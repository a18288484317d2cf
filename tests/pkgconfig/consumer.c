// SPDX-License-Identifier: Apache-2.0
/* A third-party program: built from outside the tree with nothing but
 * `pkg-config --cflags --libs libcapture`, against the installed library. */
#include <capture/capture.h>
#include <stdio.h>

int main(void)
{
	if (capture_version_number() != CAPTURE_VERSION_NUMBER) {
		fprintf(stderr, "header %d, library %d\n", CAPTURE_VERSION_NUMBER,
			capture_version_number());
		return 1;
	}
	CAPTURE_OPTS(capture_synthetic_opts, synth, .events_per_cpu = 1000);
	CAPTURE_OPTS(capture_open_opts, opts, .engine = "synthetic", .synthetic = &synth);
	char err[256];
	capture_t *h = capture_open(&opts, err, sizeof(err));
	if (!h || capture_start(h)) {
		fprintf(stderr, "consumer: %s\n", h ? capture_last_error(h) : err);
		return 1;
	}
	unsigned long n = 0;
	const struct capture_event *e;
	while (capture_next(h, &e, NULL) == CAPTURE_OK)
		n++;
	struct capture_stats st = { .sz = sizeof(st) };
	capture_get_stats(h, &st);
	printf("consumer: libcapture %s, %lu events, n_evts %llu\n", capture_version(), n,
	       (unsigned long long)st.n_evts);
	capture_close(h);
	return n == 2000 && st.n_evts == 2000 ? 0 : 1;
}
