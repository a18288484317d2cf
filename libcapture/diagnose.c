// SPDX-License-Identifier: Apache-2.0
/*
 * Drop diagnosis: Falco's debugging checklist turned into a function. From
 * the counter deltas, the consumer metrics and the consumer's cgroup CPU
 * accounting over an interval, name the likely cause of the drops with the
 * evidence and the remedy. Causes are tried from the most specific to the
 * least: a throttled or absent consumer also looks "slow", so those come
 * before CPU-bound, and a consumer that was idle while rings overflowed
 * points at bursts larger than the ring.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cap_internal.h"
#include "capture/alert.h"

/* Thresholds, named so the evidence sentences and the tests agree. */
#define AWAY_GAP_NS (50ull * 1000000)   /* one gap this long between calls */
#define AWAY_SHARE 0.30                 /* or this share of the interval away */
#define CPU_BOUND_PPM 900000            /* busy 90 % of the interval */
#define MAJORITY 0.5

struct cgroup_cpu {
	bool found;
	char path[300];     /* directory of the consumer's cpu cgroup */
	uint64_t throttled_ns;
	uint64_t nr_throttled;
	double quota_cpus;  /* 0 = no quota */
};

struct capture_diagnoser {
	struct capture *h;
	uint64_t last_ns;
	struct capture_stats prev;
	struct cgroup_cpu cg_prev;
	const struct capture_metric *metrics;
	size_t nmetrics;
	char evidence[512];
	char remedy[256];
};

static const char *const cause_names[] = {
	[CAPTURE_CAUSE_NONE] = "none",
	[CAPTURE_CAUSE_CGROUP_THROTTLED] = "cgroup_cpu_throttled",
	[CAPTURE_CAUSE_CONSUMER_AWAY] = "consumer_away",
	[CAPTURE_CAUSE_CONSUMER_CPU_BOUND] = "consumer_cpu_bound",
	[CAPTURE_CAUSE_BURST_LARGER_THAN_RING] = "burst_larger_than_ring",
	[CAPTURE_CAUSE_PAGE_FAULTS] = "page_faults",
	[CAPTURE_CAUSE_EVENTS_TOO_LARGE] = "events_too_large",
	[CAPTURE_CAUSE_UNKNOWN] = "unknown",
};

const char *capture_drop_cause_name(enum capture_drop_cause cause)
{
	return (unsigned)cause <= CAPTURE_CAUSE_UNKNOWN ? cause_names[cause] : NULL;
}

static bool read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	size_t n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n > 0;
}

static uint64_t stat_field(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ' ')
			return strtoull(p + klen + 1, NULL, 10);
	return 0;
}

/* The consumer's cpu cgroup, v2 (cpu.max, throttled_usec) or v1
 * (cpu.cfs_quota_us, throttled_time), and its throttling so far. */
static void cgroup_cpu_read(struct cgroup_cpu *cg)
{
	memset(cg, 0, sizeof(*cg));
	char text[4096];
	/* The calling thread's cgroup: with cgroup v1 threads of one process
	 * can sit in different cpu cgroups. */
	if (!read_small("/proc/thread-self/cgroup", text, sizeof(text)) &&
	    !read_small("/proc/self/cgroup", text, sizeof(text)))
		return;
	char v1[256] = "", v2[256] = "", *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *ctrls = c1 + 1, *path = c2 + 1;
		if (!*ctrls)
			snprintf(v2, sizeof(v2), "%s", path);
		/* v1: the hierarchy whose controller list holds "cpu". */
		if (!strcmp(ctrls, "cpu") || !strncmp(ctrls, "cpu,", 4) || strstr(ctrls, ",cpu,") ||
		    (strlen(ctrls) > 4 && !strcmp(ctrls + strlen(ctrls) - 4, ",cpu")))
			snprintf(v1, sizeof(v1), "%s", path);
	}
	char file[400], buf[1024];
	if (v1[0]) {
		snprintf(cg->path, sizeof(cg->path), "/sys/fs/cgroup/cpu%s", v1);
		snprintf(file, sizeof(file), "%s/cpu.stat", cg->path);
		if (read_small(file, buf, sizeof(buf))) {
			cg->found = true;
			cg->throttled_ns = stat_field(buf, "throttled_time");
			cg->nr_throttled = stat_field(buf, "nr_throttled");
			char q[64], per[64];
			snprintf(file, sizeof(file), "%s/cpu.cfs_quota_us", cg->path);
			bool hq = read_small(file, q, sizeof(q));
			snprintf(file, sizeof(file), "%s/cpu.cfs_period_us", cg->path);
			bool hp = read_small(file, per, sizeof(per));
			if (hq && hp && atoll(q) > 0 && atoll(per) > 0)
				cg->quota_cpus = (double)atoll(q) / (double)atoll(per);
			return;
		}
	}
	const char *roots[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	for (size_t i = 0; i < 2 && v2[0]; i++) {
		snprintf(cg->path, sizeof(cg->path), "%s%s", roots[i], v2);
		snprintf(file, sizeof(file), "%s/cpu.stat", cg->path);
		if (!read_small(file, buf, sizeof(buf)))
			continue;
		cg->found = true;
		cg->throttled_ns = stat_field(buf, "throttled_usec") * 1000;
		cg->nr_throttled = stat_field(buf, "nr_throttled");
		snprintf(file, sizeof(file), "%s/cpu.max", cg->path);
		char max[64];
		unsigned long long quota, period;
		if (read_small(file, max, sizeof(max)) && sscanf(max, "%llu %llu", &quota, &period) == 2 &&
		    period)
			cg->quota_cpus = (double)quota / (double)period;
		return;
	}
}

static uint64_t metric_value(const capture_diagnoser_t *d, const char *name, bool *found)
{
	for (size_t i = 0; i < d->nmetrics; i++)
		if (!strcmp(d->metrics[i].name, name)) {
			if (found)
				*found = true;
			return d->metrics[i].value;
		}
	if (found)
		*found = false;
	return 0;
}

capture_diagnoser_t *capture_diagnoser_new(capture_t *h)
{
	if (!h) {
		errno = EINVAL;
		return NULL;
	}
	struct capture_diagnoser *d = calloc(1, sizeof(*d));
	if (!d) {
		cap_err(h, -ENOMEM, "capture_diagnoser_new: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	d->h = h;
	d->prev.sz = sizeof(d->prev);
	int rc = capture_get_stats(h, &d->prev);
	if (!rc)
		rc = capture_get_metrics(h, &d->metrics, &d->nmetrics); /* opens the window */
	if (rc) {
		free(d);
		errno = -rc;
		return NULL;
	}
	cgroup_cpu_read(&d->cg_prev);
	d->last_ns = cap_clock_ns(CLOCK_MONOTONIC);
	return d;
}

static void say(capture_diagnoser_t *d, const char *remedy, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(capture_diagnoser_t *d, const char *remedy, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->evidence, sizeof(d->evidence), fmt, ap);
	va_end(ap);
	snprintf(d->remedy, sizeof(d->remedy), "%s", remedy);
}

int capture_diagnose(capture_diagnoser_t *d, struct capture_diagnosis *out)
{
	if (!d || !out || out->sz < offsetof(struct capture_diagnosis, evidence))
		return -EINVAL;
	struct capture_stats now = { .sz = sizeof(now) }, delta = { .sz = sizeof(delta) };
	int rc = capture_get_stats(d->h, &now);
	if (!rc)
		rc = capture_stats_delta(&now, &d->prev, &delta);
	if (!rc)
		rc = capture_get_metrics(d->h, &d->metrics, &d->nmetrics);
	if (rc)
		return rc;
	d->prev = now;
	struct cgroup_cpu cg;
	cgroup_cpu_read(&cg);
	uint64_t t = cap_clock_ns(CLOCK_MONOTONIC);
	uint64_t span = t - d->last_ns;
	d->last_ns = t;

	enum capture_drop_cause cause = CAPTURE_CAUSE_UNKNOWN;
	/* Shed events are lost too, on purpose: the same causes explain them. */
	uint64_t dropped = delta.n_drops + delta.n_shed;
	uint64_t busy_ppm = metric_value(d, "consumer.busy_ratio_ppm", NULL);
	uint64_t away_max = metric_value(d, "consumer.away_max_ns", NULL);
	uint64_t window = metric_value(d, "consumer.window_ns", NULL);
	uint64_t throttled = cg.found && d->cg_prev.found && cg.throttled_ns >= d->cg_prev.throttled_ns
				     ? cg.throttled_ns - d->cg_prev.throttled_ns
				     : 0;
	uint64_t throttles = cg.found && d->cg_prev.found && cg.nr_throttled >= d->cg_prev.nr_throttled
				     ? cg.nr_throttled - d->cg_prev.nr_throttled
				     : 0;
	d->cg_prev = cg;

	/* Ring high-water against ring size: did some ring fill up? */
	uint64_t worst_fill_pct = 0;
	for (uint32_t r = 0;; r++) {
		char n1[48], n2[48];
		snprintf(n1, sizeof(n1), "ring.%u.high_water_bytes", r);
		snprintf(n2, sizeof(n2), "ring.%u.size_bytes", r);
		bool f1, f2;
		uint64_t hw = metric_value(d, n1, &f1), size = metric_value(d, n2, &f2);
		if (!f1 || !f2)
			break;
		if (size && hw * 100 / size > worst_fill_pct)
			worst_fill_pct = hw * 100 / size;
	}

	if (!dropped) {
		cause = CAPTURE_CAUSE_NONE;
		say(d, "nothing to do", "no event was dropped or shed in the last %.1f s",
		    (double)span / 1e9);
	} else if (delta.n_drops_scratch_map > dropped * MAJORITY) {
		cause = CAPTURE_CAUSE_EVENTS_TOO_LARGE;
		say(d, "lower snaplen, or leave out the syscalls with the largest arguments",
		    "%" PRIu64 " of %" PRIu64 " drops were events larger than the scratch space "
		    "(n_drops_scratch_map)", delta.n_drops_scratch_map, dropped);
	} else if (delta.n_drops_pf > dropped * MAJORITY) {
		cause = CAPTURE_CAUSE_PAGE_FAULTS;
		say(d, "usually a crashing or exiting process whose memory vanished; nothing to tune "
		       "unless it persists",
		    "%" PRIu64 " of %" PRIu64 " drops were user memory that could not be read "
		    "(n_drops_pf)", delta.n_drops_pf, dropped);
	} else if (throttles > 0 && throttled > span / 20) {
		cause = CAPTURE_CAUSE_CGROUP_THROTTLED;
		say(d, "raise the CPU quota of the consumer's cgroup (cpu.max or cpu.cfs_quota_us), or "
		       "capture fewer syscalls",
		    "the consumer's cgroup %s was throttled %" PRIu64 " times for %.0f ms of the last "
		    "%.0f ms (quota %.2f CPU)", cg.path, throttles, (double)throttled / 1e6,
		    (double)span / 1e6, cg.quota_cpus);
	} else if (away_max >= AWAY_GAP_NS ||
		   (window && (double)(away_max) > AWAY_SHARE * (double)window)) {
		cause = CAPTURE_CAUSE_CONSUMER_AWAY;
		say(d, "move blocking work (output, metadata lookups, I/O) off the thread that calls "
		       "capture_next(), or give it a bounded queue",
		    "the consumer went up to %.0f ms between capture_next() calls while %" PRIu64
		    " events were dropped or shed (rings up to %" PRIu64 " %% full)",
		    (double)away_max / 1e6, dropped, worst_fill_pct);
	} else if (busy_ppm >= CPU_BOUND_PPM) {
		cause = CAPTURE_CAUSE_CONSUMER_CPU_BOUND;
		say(d, "make per-event work cheaper, capture fewer syscalls (kernel-side selection), or "
		       "spread consumers over more CPUs",
		    "the consumer was busy %.0f %% of the time, never waiting for events, and %" PRIu64
		    " were dropped or shed", (double)busy_ppm / 1e4, dropped);
	} else {
		cause = CAPTURE_CAUSE_BURST_LARGER_THAN_RING;
		say(d, "enlarge the rings (buffer_bytes) or share fewer CPUs per ring; the consumer "
		       "itself kept up",
		    "the consumer was idle %.0f %% of the time yet %" PRIu64 " events were dropped or shed: "
		    "rings filled (up to %" PRIu64 " %%) in bursts faster than it woke up",
		    100.0 - (double)busy_ppm / 1e4, dropped, worst_fill_pct);
	}
	struct capture_diagnosis full = {
		.sz = out->sz,
		.cause = cause,
		.name = cause_names[cause],
		.evidence = d->evidence,
		.remedy = d->remedy,
		.dropped = dropped,
		.interval_ns = span,
	};
	memcpy(out, &full, out->sz < sizeof(full) ? out->sz : sizeof(full));
	return 0;
}

int capture_diagnoser_metrics(const capture_diagnoser_t *d, const struct capture_metric **metrics,
			      size_t *count)
{
	if (!d || !metrics || !count)
		return -EINVAL;
	*metrics = d->metrics;
	*count = d->nmetrics;
	return 0;
}

void capture_diagnoser_free(capture_diagnoser_t *d)
{
	free(d);
}
