// SPDX-License-Identifier: Apache-2.0
/* Drop alerts (see capture/alert.h): per-interval deltas of the counters, a
 * threshold, actions, and a token bucket whose held-back alerts are counted
 * rather than lost. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cap_internal.h"
#include "capture/alert.h"

struct capture_drop_alert {
	struct capture *h;
	struct capture_drop_alert_opts o;
	uint64_t interval_ns;
	uint64_t last_check_ns;
	uint64_t last_refill_ns;
	double tokens;
	struct capture_stats prev;
	uint64_t intervals;     /* intervals with drops */
	uint64_t suppressed;    /* of those, held back by the bucket */
	uint64_t held_back;     /* held back since the last alert sent */
	uint64_t dropped_since_alert; /* drops in held-back intervals since the last alert */
	char text[2048];
	char json[2048];
};

static uint64_t default_clock(void *ctx)
{
	(void)ctx;
	return cap_clock_ns(CLOCK_MONOTONIC);
}

capture_drop_alert_t *capture_drop_alert_new(capture_t *h, const struct capture_drop_alert_opts *opts)
{
	if (!h) {
		errno = EINVAL;
		return NULL;
	}
	struct capture_drop_alert *a = calloc(1, sizeof(*a));
	int rc = 0;
	if (!a) {
		rc = cap_err(h, -ENOMEM, "capture_drop_alert_new: out of memory");
		goto fail;
	}
	a->h = h;
	if (opts && (rc = cap_opts_copy(h, opts, sizeof(a->o), &a->o, "capture_drop_alert_opts")))
		goto fail;
	struct capture_drop_alert_opts *o = &a->o;
	if (!(o->threshold >= 0 && o->threshold <= 1)) {
		rc = cap_err(h, -EINVAL, "capture_drop_alert_opts.threshold is %g: use 0 to 1",
			     o->threshold);
		goto fail;
	}
	if (o->actions & ~(CAPTURE_DROP_IGNORE | CAPTURE_DROP_LOG | CAPTURE_DROP_ALERT |
			   CAPTURE_DROP_EXIT)) {
		rc = cap_err(h, -EINVAL, "capture_drop_alert_opts.actions has unknown bits 0x%x",
			     o->actions);
		goto fail;
	}
	if ((o->actions & CAPTURE_DROP_IGNORE) && (o->actions & ~CAPTURE_DROP_IGNORE)) {
		rc = cap_err(h, -EINVAL, "capture_drop_alert_opts.actions: ignore excludes the others");
		goto fail;
	}
	if (!(o->rate >= 0 && o->rate <= 1e6)) {
		rc = cap_err(h, -EINVAL, "capture_drop_alert_opts.rate is %g alerts/s", o->rate);
		goto fail;
	}
	if (o->max_burst > 1000000) {
		rc = cap_err(h, -EINVAL, "capture_drop_alert_opts.max_burst is %u", o->max_burst);
		goto fail;
	}
	if (!o->actions)
		o->actions = CAPTURE_DROP_ALERT;
	if (o->rate == 0)
		o->rate = 1;
	if (!o->max_burst)
		o->max_burst = 10;
	if (!o->interval_ms)
		o->interval_ms = 1000;
	if (!o->clock)
		o->clock = default_clock;
	a->interval_ns = (uint64_t)o->interval_ms * 1000000ull;
	a->tokens = o->max_burst;
	a->last_check_ns = a->last_refill_ns = o->clock(o->clock_ctx);
	a->prev.sz = sizeof(a->prev);
	if ((rc = capture_get_stats(h, &a->prev)) < 0) {
		cap_err(h, rc, "capture_drop_alert_new: reading the counters failed");
		goto fail;
	}
	return a;
fail:
	free(a);
	errno = -rc;
	return NULL;
}

#define CAT(c, dir) (CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY + 2 * CAPTURE_CAT_##c + (dir))

/* Falco's line first, in Falco's order and names, then ours. */
static void format_alert(struct capture_drop_alert *a, const struct capture_stats *d)
{
	static const struct { const char *name; int id; } falco_fields[] = {
		{ "n_drops", CAPTURE_STAT_N_DROPS },
		{ "n_drops_buffer_clone_fork_enter", CAT(CLONE_FORK, 0) },
		{ "n_drops_buffer_clone_fork_exit", CAT(CLONE_FORK, 1) },
		{ "n_drops_buffer_connect_enter", CAT(CONNECT, 0) },
		{ "n_drops_buffer_connect_exit", CAT(CONNECT, 1) },
		{ "n_drops_buffer_dir_file_enter", CAT(DIR_FILE, 0) },
		{ "n_drops_buffer_dir_file_exit", CAT(DIR_FILE, 1) },
		{ "n_drops_buffer_execve_enter", CAT(EXECVE, 0) },
		{ "n_drops_buffer_execve_exit", CAT(EXECVE, 1) },
		{ "n_drops_buffer_open_enter", CAT(OPEN, 0) },
		{ "n_drops_buffer_open_exit", CAT(OPEN, 1) },
		{ "n_drops_buffer_other_interest_enter", CAT(OTHER_INTEREST, 0) },
		{ "n_drops_buffer_other_interest_exit", CAT(OTHER_INTEREST, 1) },
		{ "n_drops_buffer_total", CAPTURE_STAT_N_DROPS_BUFFER },
		{ "n_drops_bug", CAPTURE_STAT_N_DROPS_BUG },
		{ "n_drops_page_faults", CAPTURE_STAT_N_DROPS_PF },
		{ "n_drops_scratch_map", CAPTURE_STAT_N_DROPS_SCRATCH_MAP },
		{ "n_evts", CAPTURE_STAT_N_EVTS },
		/* Ours: the categories Falco's line lacks, then the rest. */
		{ "n_drops_buffer_close_enter", CAT(CLOSE, 0) },
		{ "n_drops_buffer_close_exit", CAT(CLOSE, 1) },
		{ "n_drops_buffer_proc_exit_enter", CAT(PROC_EXIT, 0) },
		{ "n_drops_buffer_proc_exit_exit", CAT(PROC_EXIT, 1) },
		{ "n_preemptions", CAPTURE_STAT_N_PREEMPTIONS },
		{ "n_suppressed", CAPTURE_STAT_N_SUPPRESSED },
		{ "n_shed", CAPTURE_STAT_N_SHED },
	};
	const char *engine = capture_engine_name(a->h);
	int ebpf = strstr(engine, "bpf") != NULL;
	size_t off = (size_t)snprintf(a->text, sizeof(a->text),
				      "%" PRIu64 " system calls dropped in last second. (ebpf_enabled=%d",
				      d->n_drops, ebpf);
	for (size_t i = 0; i < sizeof(falco_fields) / sizeof(falco_fields[0]); i++) {
		if (!(d->valid & CAPTURE_STAT_BIT(falco_fields[i].id)))
			continue; /* unknown to this engine: left out rather than 0 */
		off += (size_t)snprintf(a->text + off, off < sizeof(a->text) ? sizeof(a->text) - off : 0,
					" %s=%" PRIu64, falco_fields[i].name,
					capture_stat_value(d, (enum capture_stat_id)falco_fields[i].id));
	}
	snprintf(a->text + off, off < sizeof(a->text) ? sizeof(a->text) - off : 0,
		 " engine=%s interval_ms=%u held_back_alerts=%" PRIu64
		 " n_drops_in_held_back_intervals=%" PRIu64 ")",
		 engine, a->o.interval_ms, a->held_back, a->dropped_since_alert);

	off = (size_t)snprintf(a->json, sizeof(a->json),
			       "{\"dropped\":%" PRIu64 ",\"engine\":\"%s\",\"ebpf_enabled\":%d,"
			       "\"interval_ms\":%u,\"held_back_alerts\":%" PRIu64
			       ",\"n_drops_in_held_back_intervals\":%" PRIu64 ",\"delta\":{",
			       d->n_drops, engine, ebpf, a->o.interval_ms, a->held_back,
			       a->dropped_since_alert);
	bool first = true;
	for (uint32_t id = 0; id < CAPTURE_STAT_COUNT; id++) {
		if (!(d->valid & CAPTURE_STAT_BIT(id)))
			continue;
		off += (size_t)snprintf(a->json + off, off < sizeof(a->json) ? sizeof(a->json) - off : 0,
					"%s\"%s\":%" PRIu64, first ? "" : ",",
					capture_stat_name((enum capture_stat_id)id),
					capture_stat_value(d, (enum capture_stat_id)id));
		first = false;
	}
	snprintf(a->json + off, off < sizeof(a->json) ? sizeof(a->json) - off : 0, "}}");
}

int capture_drop_alert_check(capture_drop_alert_t *a)
{
	if (!a)
		return -EINVAL;
	uint64_t now = a->o.clock(a->o.clock_ctx);
	if (now - a->last_check_ns < a->interval_ns)
		return 0;
	a->last_check_ns = now;

	struct capture_stats cur = { .sz = sizeof(cur) }, d = { .sz = sizeof(d) };
	int rc = capture_get_stats(a->h, &cur);
	if (rc < 0)
		return rc;
	rc = capture_stats_delta(&cur, &a->prev, &d);
	a->prev = cur;
	if (rc < 0)
		return cap_err(a->h, rc, "drop alert: the counters went backwards");
	if (!d.n_drops)
		return 0;
	/* Falco's ratio: drops over the events the driver tried to send. */
	double ratio = d.n_evts ? (double)d.n_drops / (double)d.n_evts : 1.0;
	if (a->o.threshold > 0 && ratio <= a->o.threshold)
		return 0;
	a->intervals++;
	if (a->o.actions & CAPTURE_DROP_IGNORE)
		return 0;

	/* Token bucket, refilled by the time since the last refill. */
	a->tokens += (double)(now - a->last_refill_ns) / 1e9 * a->o.rate;
	a->last_refill_ns = now;
	if (a->tokens > a->o.max_burst)
		a->tokens = a->o.max_burst;
	if (a->tokens < 1) {
		a->suppressed++;
		a->held_back++;
		a->dropped_since_alert += d.n_drops;
		cap_log(a->h, CAPTURE_LOG_DEBUG,
			"drop alert held back by the rate limit: %" PRIu64 " dropped", d.n_drops);
		return 0;
	}
	a->tokens -= 1;
	format_alert(a, &d);
	a->held_back = 0;
	a->dropped_since_alert = 0;
	if (a->o.actions & CAPTURE_DROP_LOG)
		cap_log(a->h, CAPTURE_LOG_WARN, "%s", a->text);
	if (a->o.actions & CAPTURE_DROP_EXIT)
		return CAPTURE_DROP_MUST_EXIT;
	return a->o.actions & CAPTURE_DROP_ALERT ? CAPTURE_DROP_ALERTED : 0;
}

const char *capture_drop_alert_text(const capture_drop_alert_t *a)
{
	return a ? a->text : "";
}

const char *capture_drop_alert_json(const capture_drop_alert_t *a)
{
	return a ? a->json : "";
}

uint64_t capture_drop_alert_intervals(const capture_drop_alert_t *a)
{
	return a ? a->intervals : 0;
}

uint64_t capture_drop_alert_suppressed(const capture_drop_alert_t *a)
{
	return a ? a->suppressed : 0;
}

void capture_drop_alert_free(capture_drop_alert_t *a)
{
	free(a);
}
