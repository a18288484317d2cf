// SPDX-License-Identifier: Apache-2.0
/*
 * dropmon: watch a capture lose events, and say why. Every second: events
 * and drops per second, drops by category, shed counts, ring fill and
 * high-water, consumer lag and busy ratio, the drop alert (Falco's line) and
 * the diagnosis. Text by default, one JSON object per second with --json.
 * Uses the public API only; the consumer does nothing but count, unless
 * --work-us or --sleep-ms make it slow on purpose to show the diagnosis.
 */
#include <capture/alert.h>
#include <capture/capture.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dropmon [options]\n"
		"  -e, --engine NAME     auto (default), synthetic\n"
		"  -d, --duration S      seconds to run (default 10; 0 = until interrupted)\n"
		"  -b, --buffer BYTES    bytes per ring\n"
		"      --no-shedding     turn priority shedding off\n"
		"      --work-us N       spend N microseconds on each event (a slow consumer)\n"
		"      --sleep-ms N      sleep N ms every 1000 events (a consumer that goes away)\n"
		"      --synth-rate N    synthetic engine: events/s per CPU (threaded)\n"
		"  -j, --json            one JSON object per second\n"
		"  -h, --help\n");
}

static uint64_t metric(const struct capture_metric *m, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(m[i].name, name))
			return m[i].value;
	return 0;
}

static void spin_us(double us)
{
	double end = now_s() + us / 1e6;
	while (now_s() < end)
		;
}

static void report(capture_t *h, const struct capture_stats *d, const struct capture_diagnosis *dg,
		   const struct capture_metric *m, size_t nm, const char *alert, double secs,
		   bool json)
{
	uint32_t nrings = capture_ring_count(h);
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "seconds", secs);
		cJSON *delta = cJSON_AddObjectToObject(o, "per_second");
		for (uint32_t id = 0; id < CAPTURE_STAT_COUNT; id++)
			if (d->valid & CAPTURE_STAT_BIT(id))
				cJSON_AddNumberToObject(delta, capture_stat_name(id),
							(double)capture_stat_value(d, id) / secs);
		cJSON *rings = cJSON_AddArrayToObject(o, "rings");
		for (uint32_t r = 0; r < nrings; r++) {
			char name[64];
			cJSON *ro = cJSON_CreateObject();
			snprintf(name, sizeof(name), "ring.%u.fill_bytes", r);
			cJSON_AddNumberToObject(ro, "fill_bytes", (double)metric(m, nm, name));
			snprintf(name, sizeof(name), "ring.%u.high_water_bytes", r);
			cJSON_AddNumberToObject(ro, "high_water_bytes", (double)metric(m, nm, name));
			snprintf(name, sizeof(name), "ring.%u.size_bytes", r);
			cJSON_AddNumberToObject(ro, "size_bytes", (double)metric(m, nm, name));
			cJSON_AddItemToArray(rings, ro);
		}
		cJSON *c = cJSON_AddObjectToObject(o, "consumer");
		cJSON_AddNumberToObject(c, "busy_ratio", (double)metric(m, nm, "consumer.busy_ratio_ppm") / 1e6);
		cJSON_AddNumberToObject(c, "lag_max_ms", (double)metric(m, nm, "consumer.lag_max_ns") / 1e6);
		cJSON_AddNumberToObject(c, "away_max_ms", (double)metric(m, nm, "consumer.away_max_ns") / 1e6);
		cJSON_AddNumberToObject(o, "gap_markers_total", (double)metric(m, nm, "capture.n_gap_markers"));
		cJSON *dj = cJSON_AddObjectToObject(o, "diagnosis");
		cJSON_AddStringToObject(dj, "cause", dg->name);
		cJSON_AddStringToObject(dj, "evidence", dg->evidence);
		cJSON_AddStringToObject(dj, "remedy", dg->remedy);
		if (alert)
			cJSON_AddItemToObject(o, "alert", cJSON_Parse(alert));
		char *text = cJSON_PrintUnformatted(o);
		if (text)
			puts(text);
		free(text);
		cJSON_Delete(o);
		fflush(stdout);
		return;
	}
	printf("%8.0f evts/s %8.0f drops/s %8.0f shed/s | busy %3.0f%% lag %6.1f ms away %6.1f ms |",
	       (double)d->n_evts / secs, (double)d->n_drops / secs, (double)d->n_shed / secs,
	       (double)metric(m, nm, "consumer.busy_ratio_ppm") / 1e4,
	       (double)metric(m, nm, "consumer.lag_max_ns") / 1e6,
	       (double)metric(m, nm, "consumer.away_max_ns") / 1e6);
	for (uint32_t r = 0; r < nrings && r < 8; r++) {
		char n1[64], n2[64];
		snprintf(n1, sizeof(n1), "ring.%u.high_water_bytes", r);
		snprintf(n2, sizeof(n2), "ring.%u.size_bytes", r);
		uint64_t size = metric(m, nm, n2);
		printf(" r%u %3.0f%%", r, size ? 100.0 * (double)metric(m, nm, n1) / (double)size : 0.0);
	}
	putchar('\n');
	if (d->n_drops || d->n_shed) {
		printf("   by category:");
		for (uint32_t c = 0; c < CAPTURE_DROP_CATEGORY_COUNT; c++) {
			uint64_t dr = capture_stat_value(d, CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY + 2 * c) +
				      capture_stat_value(d, CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY + 2 * c + 1);
			uint64_t sh = capture_stat_value(d, CAPTURE_STAT_N_SHED_FIRST_CATEGORY + c);
			if (dr || sh)
				printf(" %s=%" PRIu64 "/%" PRIu64 "shed", capture_drop_category_name(c), dr, sh);
		}
		printf("\n   diagnosis: %s: %s\n   remedy: %s\n", dg->name, dg->evidence, dg->remedy);
	}
	if (alert)
		printf("   alert: %s\n", alert);
	fflush(stdout);
}

enum { OPT_NO_SHEDDING = 256, OPT_WORK_US, OPT_SLEEP_MS, OPT_SYNTH_RATE };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "engine", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'd' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "no-shedding", no_argument, NULL, OPT_NO_SHEDDING },
		{ "work-us", required_argument, NULL, OPT_WORK_US },
		{ "sleep-ms", required_argument, NULL, OPT_SLEEP_MS },
		{ "synth-rate", required_argument, NULL, OPT_SYNTH_RATE },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	CAPTURE_OPTS(capture_open_opts, opts, .engine = "auto");
	CAPTURE_OPTS(capture_synthetic_opts, synth, .threaded = true);
	double duration = 10, work_us = 0;
	long sleep_ms = 0;
	bool json = false;
	int c;
	while ((c = getopt_long(argc, argv, "e:d:b:jh", longopts, NULL)) != -1) {
		char *end = NULL;
		errno = 0;
		switch (c) {
		case 'e': opts.engine = optarg; break;
		case 'd': duration = strtod(optarg, &end); break;
		case 'b': opts.buffer_bytes = strtoull(optarg, &end, 0); break;
		case OPT_NO_SHEDDING: opts.no_shedding = true; break;
		case OPT_WORK_US: work_us = strtod(optarg, &end); break;
		case OPT_SLEEP_MS: sleep_ms = strtol(optarg, &end, 10); break;
		case OPT_SYNTH_RATE: synth.rate_per_cpu = strtoull(optarg, &end, 0); break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (end && (*end || errno || end == optarg || optarg[0] == '-')) {
			fprintf(stderr, "dropmon: \"%s\" is not a valid number\n", optarg);
			return 2;
		}
	}
	if (!strcmp(opts.engine, "synthetic"))
		opts.synthetic = &synth;
	char err[512];
	capture_t *h = capture_open(&opts, err, sizeof(err));
	if (!h) {
		fprintf(stderr, "dropmon: %s\n", err);
		return 1;
	}
	capture_drop_alert_t *alert = capture_drop_alert_new(h, NULL);
	capture_diagnoser_t *diag = alert ? capture_diagnoser_new(h) : NULL;
	if (!alert || !diag || capture_start(h) < 0) {
		fprintf(stderr, "dropmon: %s\n", capture_last_error(h));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!json)
		fprintf(stderr, "dropmon: engine %s, %u CPUs, %u rings\n", capture_engine_name(h),
			capture_cpu_count(h), capture_ring_count(h));
	struct capture_stats prev = { .sz = sizeof(prev) };
	capture_get_stats(h, &prev);
	double t0 = now_s(), last = t0;
	uint64_t n = 0;
	int status = 0;
	char alert_text[4096] = "";
	while (!interrupted && (duration <= 0 || now_s() - t0 < duration)) {
		const struct capture_event *e;
		int rc = capture_next(h, &e, NULL);
		if (rc < 0) {
			fprintf(stderr, "dropmon: %s\n", capture_last_error(h));
			status = 1;
			break;
		}
		if (rc == CAPTURE_EOF)
			break;
		if (rc == CAPTURE_OK) {
			if (work_us > 0)
				spin_us(work_us);
			if (sleep_ms > 0 && ++n % 1000 == 0)
				usleep((useconds_t)sleep_ms * 1000);
		}
		/* An alert is kept until the next report prints it. */
		if (capture_drop_alert_check(alert) > 0)
			snprintf(alert_text, sizeof(alert_text), "%s",
				 json ? capture_drop_alert_json(alert) : capture_drop_alert_text(alert));
		double t = now_s();
		if (t - last < 1.0)
			continue;
		struct capture_stats cur = { .sz = sizeof(cur) }, d = { .sz = sizeof(d) };
		struct capture_diagnosis dg = { .sz = sizeof(dg) };
		const struct capture_metric *m;
		size_t nm;
		if (capture_get_stats(h, &cur) < 0 || capture_stats_delta(&cur, &prev, &d) < 0 ||
		    capture_diagnose(diag, &dg) < 0 || capture_diagnoser_metrics(diag, &m, &nm) < 0) {
			fprintf(stderr, "dropmon: %s\n", capture_last_error(h));
			status = 1;
			break;
		}
		report(h, &d, &dg, m, nm, alert_text[0] ? alert_text : NULL, t - last, json);
		alert_text[0] = '\0';
		prev = cur;
		last = t;
	}
	capture_diagnoser_free(diag);
	capture_drop_alert_free(alert);
	capture_close(h);
	return status;
}
