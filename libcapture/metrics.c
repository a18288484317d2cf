// SPDX-License-Identifier: Apache-2.0
/* capture_get_metrics(): every counter by name, so tools and exporters pick
 * up new ones without an ABI change. The array and its names live in the
 * handle and are rebuilt on each call. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cap_internal.h"

#define METRIC_NAME_MAX 48
#define CAP_TOP_SYSCALLS 10

struct metric_list {
	struct capture *h;
	size_t n;
};

static int metrics_reserve(struct capture *h, size_t n)
{
	if (n <= h->metrics_cap)
		return 0;
	struct capture_metric *m = realloc(h->metrics, n * sizeof(*m));
	if (!m)
		return -ENOMEM;
	h->metrics = m;
	char *names = realloc(h->metric_names, n * METRIC_NAME_MAX);
	if (!names)
		return -ENOMEM;
	h->metric_names = names;
	h->metrics_cap = n;
	return 0;
}

static void add(struct metric_list *l, uint64_t value, uint32_t flags, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(struct metric_list *l, uint64_t value, uint32_t flags, const char *fmt, ...)
{
	char *name = l->h->metric_names + l->n * METRIC_NAME_MAX;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, METRIC_NAME_MAX, fmt, ap);
	va_end(ap);
	l->h->metrics[l->n++] = (struct capture_metric){ .value = value, .flags = flags };
}

/* Names point into metric_names, which may move while the list grows, so
 * they are attached once the list is complete. */
static void attach_names(struct capture *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h->metrics[i].name = h->metric_names + i * METRIC_NAME_MAX;
}

static void add_stats(struct metric_list *l, const struct capture_stats *s, const char *prefix)
{
	for (uint32_t id = 0; id < CAPTURE_STAT_COUNT; id++) {
		if (!(s->valid & CAPTURE_STAT_BIT(id)))
			continue;
		uint32_t flags = id == CAPTURE_STAT_N_TIDS_SUPPRESSED ? 0 : CAPTURE_METRIC_COUNTER;
		add(l, capture_stat_value(s, (enum capture_stat_id)id), flags, "%s%s", prefix,
		    capture_stat_name((enum capture_stat_id)id));
	}
}

int capture_get_metrics(capture_t *h, const struct capture_metric **metrics, size_t *count)
{
	if (!h || !metrics || !count)
		return h ? cap_err(h, -EINVAL, "capture_get_metrics: metrics and count are required")
			 : -EINVAL;
	uint32_t ncpu = h->ops->cpu_count(h);
	struct cap_consumer_timing *t = &h->timing;
	size_t need = CAPTURE_STAT_COUNT + 2 + CAP_TOP_SYSCALLS + CAP_ENGINE_METRICS_MAX + (size_t)ncpu * 2 + 8 + (size_t)t->nrings * 3;
	if (metrics_reserve(h, need))
		return cap_err(h, -ENOMEM, "capture_get_metrics: out of memory for %zu metrics", need);

	struct metric_list l = { .h = h };
	struct capture_stats s = { .sz = sizeof(s) };
	int rc = capture_get_stats(h, &s);
	if (rc)
		return cap_err(h, rc, "capture_get_metrics: reading the counters failed: %s",
			       capture_strerror(rc));
	add_stats(&l, &s, "capture.");
	add(&l, atomic_load_explicit(&h->n_delivered, memory_order_relaxed), CAPTURE_METRIC_COUNTER,
	    "capture.n_delivered");
	add(&l, atomic_load_explicit(&h->n_gap_markers, memory_order_relaxed), CAPTURE_METRIC_COUNTER,
	    "capture.n_gap_markers");
	for (uint32_t cpu = 0; cpu < ncpu; cpu++) {
		struct capture_stats c = { .sz = sizeof(c) };
		rc = capture_get_stats_cpu(h, cpu, &c);
		if (rc)
			return cap_err(h, rc, "capture_get_metrics: reading CPU %u failed: %s", cpu,
				       capture_strerror(rc));
		add(&l, c.n_evts, CAPTURE_METRIC_COUNTER, "cpu.%u.n_evts", cpu);
		add(&l, c.n_drops, CAPTURE_METRIC_COUNTER, "cpu.%u.n_drops", cpu);
	}
	/* The consumer over the window since the last read. */
	uint64_t now = cap_clock_ns(CLOCK_MONOTONIC_COARSE);
	uint64_t span = t->window_start_ns && now > t->window_start_ns ? now - t->window_start_ns : 0;
	uint64_t waited = t->wait_ns - t->window_wait_ns;
	uint64_t busy_ppm = span ? (waited >= span ? 0 : 1000000 - waited * 1000000 / span) : 0;
	add(&l, busy_ppm, 0, "consumer.busy_ratio_ppm");
	add(&l, t->window_away_max_ns, 0, "consumer.away_max_ns");
	add(&l, t->away_max_ns, 0, "consumer.away_max_ns_ever");
	add(&l, t->away_total_ns, CAPTURE_METRIC_COUNTER, "consumer.away_total_ns");
	add(&l, t->wait_ns, CAPTURE_METRIC_COUNTER, "consumer.wait_total_ns");
	add(&l, t->lag_ns, 0, "consumer.lag_ns");
	add(&l, t->window_lag_max_ns, 0, "consumer.lag_max_ns");
	add(&l, span, 0, "consumer.window_ns");
	for (uint32_t i = 0; i < t->nrings; i++) {
		uint64_t fill = 0, size = 0;
		if (h->ops->ring_fill(h, i, &fill, &size) < 0)
			continue;
		if (fill > t->ring_high_water[i])
			t->ring_high_water[i] = fill;
		add(&l, fill, 0, "ring.%u.fill_bytes", i);
		add(&l, size, 0, "ring.%u.size_bytes", i);
		add(&l, t->ring_high_water[i], 0, "ring.%u.high_water_bytes", i);
		t->ring_high_water[i] = fill;
	}
	/* The syscalls that lost the most events, by name (top offenders). */
	if (h->ops->syscall_losses) {
		uint64_t lost[CAP_SYSCALL_WORDS * 64] = { 0 };
		if (h->ops->syscall_losses(h, lost) == 0) {
			for (int k = 0; k < CAP_TOP_SYSCALLS; k++) {
				uint32_t best = 0;
				for (uint32_t nr = 1; nr < CAP_SYSCALL_WORDS * 64; nr++)
					if (lost[nr] > lost[best])
						best = nr;
				if (!lost[best])
					break;
				const char *name = capture_syscall_name(best);
				if (name)
					add(&l, lost[best], CAPTURE_METRIC_COUNTER, "syscall.%s.n_lost", name);
				else
					add(&l, lost[best], CAPTURE_METRIC_COUNTER, "syscall.%u.n_lost", best);
				lost[best] = 0;
			}
		}
	}
	if (h->ops->engine_metrics) {
		struct capture_metric own[CAP_ENGINE_METRICS_MAX];
		int n = h->ops->engine_metrics(h, own, CAP_ENGINE_METRICS_MAX);
		if (n < 0)
			return cap_err(h, n, "capture_get_metrics: reading the %s engine's counters "
					     "failed: %s", h->ops->name, capture_strerror(n));
		for (int i = 0; i < n && i < CAP_ENGINE_METRICS_MAX; i++)
			add(&l, own[i].value, own[i].flags, "engine.%s", own[i].name);
	}
	t->window_start_ns = now;
	t->window_wait_ns = t->wait_ns;
	t->window_away_max_ns = 0;
	t->window_lag_max_ns = 0;
	attach_names(h, l.n);
	*metrics = h->metrics;
	*count = l.n;
	return 0;
}
