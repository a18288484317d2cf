// SPDX-License-Identifier: Apache-2.0
/*
 * capture-open: open an engine by name, capture for a time or a number of
 * events, print per-second rates and, at the end, every drop counter (text,
 * or JSON with -j). In the spirit of Falco's scap-open; uses only the public
 * API and pkg-config, so it is also a template for your own tool.
 */
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

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: capture-open [options]\n"
		"  -e, --engine NAME        auto (default), synthetic, file (see -r)\n"
		"  -r, --read FILE          replay a capture file (engine file), to its end\n"
		"  -w, --write FILE         save the events to a capture file\n"
		"      --rotate-bytes N     with -w: start a new file past N bytes (K/M/G)\n"
		"      --rotate-seconds N   with -w: start a new file every N seconds\n"
		"      --compress           with -w: zlib-compress the blocks\n"
		"      --overwrite          with -w: replace an existing file\n"
		"  -n, --events N           stop after N events\n"
		"  -d, --duration SECONDS   stop after this long (default 5; 0 = until the stream ends)\n"
		"  -b, --buffer BYTES       bytes per ring buffer (power of two; K/M suffixes)\n"
		"  -C, --cpus-per-buffer N  CPUs sharing a ring (0 = all in one)\n"
		"  -s, --syscalls LIST      capture only these syscalls (comma-separated names)\n"
		"  -E, --enter              also capture syscall enter events\n"
		"  -p, --print              print every event\n"
		"  -j, --json               print the final statistics as JSON\n"
		"  -q, --quiet              no per-second lines\n"
		"synthetic engine:\n"
		"      --synth-cpus N       producer CPUs (default 2)\n"
		"      --synth-events N     syscalls per CPU, then end of stream\n"
		"      --synth-rate N       events per second per CPU\n"
		"      --synth-burst N      events written back to back\n"
		"      --synth-threaded     one producer thread per CPU\n"
		"      --synth-stall-ms N   consumer delivers nothing for N ms (threaded)\n"
		"      --force-drops        tiny rings and a stalled consumer, to see the breakdown\n"
		"  -h, --help\n");
}

static int parse_u64(const char *s, uint64_t *out, const char *what)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	uint64_t mult = 1;
	if (*end == 'K' || *end == 'k')
		mult = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mult = 1024 * 1024, end++;
	else if (*end == 'G' || *end == 'g')
		mult = 1024ull * 1024 * 1024, end++;
	if (errno || end == s || *end || s[0] == '-' || v > UINT64_MAX / mult) {
		fprintf(stderr, "capture-open: %s: \"%s\" is not a non-negative number\n", what, s);
		return -1;
	}
	*out = v * mult;
	return 0;
}

static int parse_syscalls(const char *list, uint32_t **out, size_t *n)
{
	char *copy = strdup(list);
	if (!copy)
		return -1;
	size_t cap = 1;
	for (const char *p = list; *p; p++)
		cap += *p == ',';
	*out = calloc(cap, sizeof(**out));
	*n = 0;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int nr = capture_syscall_nr(tok);
		if (nr < 0) {
			fprintf(stderr, "capture-open: --syscalls: unknown syscall \"%s\"\n", tok);
			free(copy);
			return -1;
		}
		(*out)[(*n)++] = (uint32_t)nr;
	}
	free(copy);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_event(const struct capture_event *e, uint32_t cpu)
{
	printf("%" PRIu64 ".%09" PRIu64 " cpu=%d tid=%u pid=%u %s", (uint64_t)(e->ts / 1000000000u),
	       (uint64_t)(e->ts % 1000000000u), cpu == CAPTURE_CPU_UNKNOWN ? -1 : (int)cpu, e->tid, e->pid,
	       capture_event_type_name(e->type));
	for (uint32_t i = 0; i < e->nparams; i++) {
		const void *data;
		uint32_t len;
		if (capture_event_param(e, i, &data, &len) < 0) {
			printf(" <malformed>");
			break;
		}
		printf(" %s=", capture_event_param_name(e->type, i));
		enum capture_param_kind k = capture_event_param_kind(e->type, i);
		if (!len) {
			printf("<missing>");
		} else if (k == CAPTURE_PK_PATH || k == CAPTURE_PK_STRING) {
			printf("%.*s", (int)len - 1, (const char *)data);
		} else if (len == 8) {
			int64_t v;
			memcpy(&v, data, 8);
			printf("%" PRId64, v);
		} else if (len == 4) {
			uint32_t v;
			memcpy(&v, data, 4);
			printf("%u", v);
		} else {
			printf("<%u bytes>", len);
		}
	}
	putchar('\n');
}

static void print_stats_text(const struct capture_stats *s, uint64_t delivered, uint64_t markers,
			     double secs)
{
	printf("---- statistics after %.2f s ----\n", secs);
	for (uint32_t id = 0; id < CAPTURE_STAT_COUNT; id++) {
		const char *name = capture_stat_name((enum capture_stat_id)id);
		if (s->valid & CAPTURE_STAT_BIT(id))
			printf("%-40s %" PRIu64 "\n", name, capture_stat_value(s, (enum capture_stat_id)id));
		else
			printf("%-40s n/a (not counted by this engine)\n", name);
	}
	printf("%-40s %" PRIu64 "\n", "delivered", delivered);
	printf("%-40s %" PRIu64 "\n", "gap markers", markers);
}

static void print_stats_json(capture_t *h, const struct capture_stats *s, uint64_t delivered,
			     uint64_t markers, double secs)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "engine", capture_engine_name(h));
	cJSON_AddNumberToObject(root, "seconds", secs);
	cJSON_AddNumberToObject(root, "delivered", (double)delivered);
	cJSON_AddNumberToObject(root, "gap_markers", (double)markers);
	cJSON *stats = cJSON_AddObjectToObject(root, "stats");
	for (uint32_t id = 0; id < CAPTURE_STAT_COUNT; id++)
		if (s->valid & CAPTURE_STAT_BIT(id))
			cJSON_AddNumberToObject(stats, capture_stat_name((enum capture_stat_id)id),
						(double)capture_stat_value(s, (enum capture_stat_id)id));
	cJSON *cpus = cJSON_AddArrayToObject(root, "per_cpu");
	for (uint32_t cpu = 0; cpu < capture_cpu_count(h); cpu++) {
		struct capture_stats c = { .sz = sizeof(c) };
		if (capture_get_stats_cpu(h, cpu, &c) < 0)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "cpu", cpu);
		cJSON_AddNumberToObject(o, "n_evts", (double)c.n_evts);
		cJSON_AddNumberToObject(o, "n_drops", (double)c.n_drops);
		cJSON_AddItemToArray(cpus, o);
	}
	char *text = cJSON_Print(root);
	if (text)
		puts(text);
	free(text);
	cJSON_Delete(root);
}

enum { OPT_SYNTH_CPUS = 256, OPT_SYNTH_EVENTS, OPT_SYNTH_RATE, OPT_SYNTH_BURST,
       OPT_SYNTH_THREADED, OPT_SYNTH_STALL, OPT_FORCE_DROPS, OPT_ROTATE_BYTES,
       OPT_ROTATE_SECONDS, OPT_COMPRESS, OPT_OVERWRITE };

static void print_machine(capture_t *h)
{
	struct capture_machine_info m = { .sz = sizeof(m) };
	const struct capture_thread_info *threads;
	size_t n = 0;
	if (capture_get_machine_info(h, &m) < 0 || capture_get_snapshot(h, &threads, &n) < 0) {
		fprintf(stderr, "capture-open: %s\n", capture_last_error(h));
		return;
	}
	fprintf(stderr,
		"capture-open: recorded on %s (kernel %s) by libcapture %s, engine %s, %u CPUs, "
		"%llu-byte rings, snaplen %u; %zu threads in the snapshot\n",
		m.hostname, m.kernel_release, m.library_version, m.engine, m.cpu_count,
		(unsigned long long)m.buffer_bytes, m.snaplen, n);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "engine", required_argument, NULL, 'e' },
		{ "events", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "cpus-per-buffer", required_argument, NULL, 'C' },
		{ "syscalls", required_argument, NULL, 's' },
		{ "enter", no_argument, NULL, 'E' },
		{ "print", no_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "synth-cpus", required_argument, NULL, OPT_SYNTH_CPUS },
		{ "synth-events", required_argument, NULL, OPT_SYNTH_EVENTS },
		{ "synth-rate", required_argument, NULL, OPT_SYNTH_RATE },
		{ "synth-burst", required_argument, NULL, OPT_SYNTH_BURST },
		{ "synth-threaded", no_argument, NULL, OPT_SYNTH_THREADED },
		{ "synth-stall-ms", required_argument, NULL, OPT_SYNTH_STALL },
		{ "force-drops", no_argument, NULL, OPT_FORCE_DROPS },
		{ "read", required_argument, NULL, 'r' },
		{ "write", required_argument, NULL, 'w' },
		{ "rotate-bytes", required_argument, NULL, OPT_ROTATE_BYTES },
		{ "rotate-seconds", required_argument, NULL, OPT_ROTATE_SECONDS },
		{ "compress", no_argument, NULL, OPT_COMPRESS },
		{ "overwrite", no_argument, NULL, OPT_OVERWRITE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	CAPTURE_OPTS(capture_open_opts, opts);
	CAPTURE_OPTS(capture_synthetic_opts, synth);
	CAPTURE_OPTS(capture_dump_opts, dump_opts);
	bool use_synth = false, print = false, json = false, quiet = false, duration_set = false;
	const char *write_path = NULL;
	uint64_t max_events = 0, v;
	double duration = 5;
	uint32_t *syscalls = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "e:n:d:b:C:s:Epjqhr:w:", longopts, NULL)) != -1) {
		switch (c) {
		case 'e': opts.engine = optarg; break;
		case 'n': if (parse_u64(optarg, &max_events, "--events")) return 2; break;
		case 'd': {
			char *end;
			duration = strtod(optarg, &end);
			if (end == optarg || *end || !(duration >= 0) || duration > 1e7) {
				fprintf(stderr, "capture-open: --duration: \"%s\" is not a number of "
						"seconds\n", optarg);
				return 2;
			}
			duration_set = true;
			break;
		}
		case 'r':
			opts.engine = "file";
			opts.file_path = optarg;
			break;
		case 'w': write_path = optarg; break;
		case OPT_ROTATE_BYTES:
			if (parse_u64(optarg, &dump_opts.rotate_bytes, "--rotate-bytes")) return 2;
			break;
		case OPT_ROTATE_SECONDS:
			if (parse_u64(optarg, &v, "--rotate-seconds") || v > UINT32_MAX) return 2;
			dump_opts.rotate_seconds = (uint32_t)v;
			break;
		case OPT_COMPRESS: dump_opts.compress = true; break;
		case OPT_OVERWRITE: dump_opts.overwrite = true; break;
		case 'b': if (parse_u64(optarg, &opts.buffer_bytes, "--buffer")) return 2; break;
		case 'C':
			if (parse_u64(optarg, &v, "--cpus-per-buffer") || v > UINT32_MAX) return 2;
			opts.cpus_per_buffer = v ? (uint32_t)v : CAPTURE_CPUS_PER_BUFFER_ALL;
			break;
		case 's':
			if (parse_syscalls(optarg, &syscalls, &opts.n_syscalls)) return 2;
			opts.syscalls = syscalls;
			break;
		case 'E': opts.enter_events = true; break;
		case 'p': print = true; break;
		case 'j': json = true; break;
		case 'q': quiet = true; break;
		case OPT_SYNTH_CPUS:
			if (parse_u64(optarg, &v, "--synth-cpus") || v > UINT32_MAX) return 2;
			synth.cpus = (uint32_t)v, use_synth = true;
			break;
		case OPT_SYNTH_EVENTS:
			if (parse_u64(optarg, &synth.events_per_cpu, "--synth-events")) return 2;
			use_synth = true;
			break;
		case OPT_SYNTH_RATE:
			if (parse_u64(optarg, &synth.rate_per_cpu, "--synth-rate")) return 2;
			use_synth = true;
			break;
		case OPT_SYNTH_BURST:
			if (parse_u64(optarg, &v, "--synth-burst") || v > UINT32_MAX) return 2;
			synth.burst = (uint32_t)v, use_synth = true;
			break;
		case OPT_SYNTH_THREADED: synth.threaded = true, use_synth = true; break;
		case OPT_SYNTH_STALL:
			if (parse_u64(optarg, &v, "--synth-stall-ms") || v > UINT32_MAX) return 2;
			synth.stall_ms = (uint32_t)v, use_synth = true;
			break;
		case OPT_FORCE_DROPS:
			/* 64 KiB rings, producers run to the end before the consumer reads. */
			opts.buffer_bytes = 64 * 1024;
			synth.threaded = true;
			synth.stall_until_done = true;
			if (!synth.events_per_cpu)
				synth.events_per_cpu = 100000;
			use_synth = true;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "capture-open: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (opts.file_path && !duration_set)
		duration = 0; /* a file is read to its end */
	if (use_synth) {
		if (!opts.engine)
			opts.engine = "synthetic";
		opts.synthetic = &synth;
	}

	char err[512];
	capture_t *h = capture_open(&opts, err, sizeof(err));
	free(syscalls);
	if (!h) {
		fprintf(stderr, "capture-open: %s\n", err);
		return 1;
	}
	int rc = capture_start(h);
	if (rc < 0) {
		fprintf(stderr, "capture-open: %s\n", capture_last_error(h));
		capture_close(h);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!quiet)
		fprintf(stderr, "capture-open: engine %s, %u CPUs, %u rings\n", capture_engine_name(h),
			capture_cpu_count(h), capture_ring_count(h));
	if (!quiet && opts.file_path)
		print_machine(h);
	capture_dump_t *dump = NULL;
	if (write_path) {
		dump = capture_dump_open(h, write_path, &dump_opts);
		if (!dump) {
			fprintf(stderr, "capture-open: %s\n", capture_last_error(h));
			capture_close(h);
			return 1;
		}
	}

	uint64_t delivered = 0, markers = 0; /* syscall events; gap markers apart */
	double t0 = now_s(), last = t0;
	struct capture_stats prev = { .sz = sizeof(prev) };
	capture_get_stats(h, &prev);
	uint64_t prev_delivered = 0;
	bool stopped = false;
	int status = 0;
	for (;;) {
		const struct capture_event *e;
		uint32_t cpu;
		rc = capture_next(h, &e, &cpu);
		if (rc == CAPTURE_OK) {
			if (e->type == CAPTURE_EVT_DROP)
				markers++;
			else
				delivered++;
			if (print)
				print_event(e, cpu);
			if (dump && capture_dump_write(dump, e, cpu) < 0) {
				fprintf(stderr, "capture-open: %s\n", capture_last_error(h));
				status = 1;
				break;
			}
		} else if (rc == CAPTURE_EOF) {
			break;
		} else if (rc < 0) {
			fprintf(stderr, "capture-open: %s\n", capture_last_error(h));
			status = 1;
			break;
		}
		double t = now_s();
		bool time_up = duration > 0 && t - t0 >= duration;
		if (!stopped && (interrupted || time_up || (max_events && delivered >= max_events))) {
			/* Stop producing, then drain what the rings hold. */
			capture_stop(h);
			stopped = true;
		}
		if (!quiet && t - last >= 1.0) {
			struct capture_stats now = { .sz = sizeof(now) }, d = { .sz = sizeof(d) };
			if (capture_get_stats(h, &now) == 0 && capture_stats_delta(&now, &prev, &d) == 0)
				fprintf(stderr,
					"capture-open: %.0f evts/s, %.0f delivered/s, %.0f drops/s "
					"(buffer %.0f/s)\n",
					(double)d.n_evts / (t - last),
					(double)(delivered - prev_delivered) / (t - last),
					(double)d.n_drops / (t - last), (double)d.n_drops_buffer / (t - last));
			prev = now;
			prev_delivered = delivered;
			last = t;
		}
	}
	double secs = now_s() - t0;
	if (dump) {
		uint32_t files = capture_dump_file_count(dump);
		if (capture_dump_close(dump) < 0) {
			fprintf(stderr, "capture-open: writing %s: %s\n", write_path,
				capture_last_error(h));
			status = 1;
		} else if (!quiet) {
			fprintf(stderr, "capture-open: wrote %llu events to %u file(s) from %s\n",
				(unsigned long long)delivered, files, write_path);
		}
	}
	struct capture_stats s = { .sz = sizeof(s) };
	rc = capture_get_stats(h, &s);
	if (rc < 0) {
		fprintf(stderr, "capture-open: reading statistics: %s\n", capture_strerror(rc));
		status = 1;
	} else if (json) {
		print_stats_json(h, &s, delivered, markers, secs);
	} else {
		print_stats_text(&s, delivered, markers, secs);
		if (status == 0)
			printf("conservation: n_evts %" PRIu64 " %s delivered %" PRIu64
			       " + n_drops %" PRIu64 " + n_shed %" PRIu64 "\n",
			       s.n_evts, s.n_evts == delivered + s.n_drops + s.n_shed ? "==" : "!=",
			       delivered, s.n_drops, s.n_shed);
	}
	capture_close(h);
	return status;
}
