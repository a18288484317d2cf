/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Drop alerts: Falco's syscall_event_drops, as a component any tool calls
 * once per capture_next() loop, with defaults that never hide a loss: every
 * interval with a drop raises an alert (threshold 0), and alerts held back by
 * the rate limit are counted and reported in the next one.
 *
 * The alert's text keeps Falco's line, so existing log parsers work:
 *   "N system calls dropped in last second. (ebpf_enabled=1 n_drops=...
 *    n_drops_buffer_clone_fork_enter=... ... n_evts=...)"
 * with this library's fields appended inside the parentheses. A JSON form is
 * offered as well. Same threading rule as the handle it watches.
 *
 * Alerts are about drops. Events shed by priority shedding are a policy the
 * caller chose and raise no alert by themselves; n_shed is in every alert,
 * and capture_diagnose() explains shedding like drops.
 */
#ifndef CAPTURE_ALERT_H
#define CAPTURE_ALERT_H

#include "capture.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Actions, combinable. 0 in the options means CAPTURE_DROP_ALERT. */
#define CAPTURE_DROP_IGNORE 0x1u /* count, say nothing */
#define CAPTURE_DROP_LOG 0x2u    /* pass the text to the handle's log callback (WARN) */
#define CAPTURE_DROP_ALERT 0x4u  /* capture_drop_alert_check() returns CAPTURE_DROP_ALERTED */
#define CAPTURE_DROP_EXIT 0x8u   /* capture_drop_alert_check() returns CAPTURE_DROP_MUST_EXIT */

/* Positive results of capture_drop_alert_check(). */
#define CAPTURE_DROP_ALERTED 1   /* an alert is ready: capture_drop_alert_text()/_json() */
#define CAPTURE_DROP_MUST_EXIT 2 /* the exit action fired (the alert is ready too) */

typedef struct capture_drop_alert capture_drop_alert_t;

/* Reads the clock in nanoseconds; for tests that drive time by hand. */
typedef uint64_t (*capture_clock_fn)(void *ctx);

struct capture_drop_alert_opts {
	size_t sz;
	/* Alert when dropped / attempted events in an interval exceed this
	 * fraction; 0 (the default) = any drop at all. From 0 to 1. */
	double threshold;
	/* CAPTURE_DROP_* bits; 0 = CAPTURE_DROP_ALERT. */
	uint32_t actions;
	/* Token bucket: alerts per second in the long run (0 = 1) and the
	 * burst allowed at once (0 = 10). */
	double rate;
	uint32_t max_burst;
	/* Length of an interval: the deltas are taken this often. 0 = 1000 ms. */
	uint32_t interval_ms;
	/* Clock; NULL = CLOCK_MONOTONIC. */
	capture_clock_fn clock;
	void *clock_ctx;
	size_t :0;
};

/* Watch handle h (which must outlive the alert). NULL + errno on bad
 * options, with the reason in capture_last_error(h). */
CAPTURE_API capture_drop_alert_t *capture_drop_alert_new(capture_t *h,
							 const struct capture_drop_alert_opts *opts);
/*
 * Call once per capture_next() loop: it returns at once (one clock read)
 * until an interval has passed, then compares the counters with the last
 * interval's. Returns 0, CAPTURE_DROP_ALERTED, CAPTURE_DROP_MUST_EXIT, or a
 * negative errno.
 */
CAPTURE_API int capture_drop_alert_check(capture_drop_alert_t *a);
/* The last alert, as Falco's text line and as a JSON object; "" before the
 * first. Valid until the next check or free. */
CAPTURE_API const char *capture_drop_alert_text(const capture_drop_alert_t *a);
CAPTURE_API const char *capture_drop_alert_json(const capture_drop_alert_t *a);
/* Intervals with drops so far, and how many of them the rate limit held
 * back (each held-back interval is still counted in the next alert). */
CAPTURE_API uint64_t capture_drop_alert_intervals(const capture_drop_alert_t *a);
CAPTURE_API uint64_t capture_drop_alert_suppressed(const capture_drop_alert_t *a);
CAPTURE_API void capture_drop_alert_free(capture_drop_alert_t *a);

/* ---- Diagnosis: why events were dropped -------------------------------- */

enum capture_drop_cause {
	CAPTURE_CAUSE_NONE = 0,             /* nothing dropped or shed in the interval */
	CAPTURE_CAUSE_CGROUP_THROTTLED,     /* the consumer's cgroup CPU quota stopped it */
	CAPTURE_CAUSE_CONSUMER_AWAY,        /* long gaps between capture_next() calls */
	CAPTURE_CAUSE_CONSUMER_CPU_BOUND,   /* the consumer never waited: it cannot keep up */
	CAPTURE_CAUSE_BURST_LARGER_THAN_RING, /* rings filled while the consumer was idle */
	CAPTURE_CAUSE_PAGE_FAULTS,          /* user memory not readable (n_drops_pf) */
	CAPTURE_CAUSE_EVENTS_TOO_LARGE,     /* events over the scratch space (n_drops_scratch_map) */
	CAPTURE_CAUSE_UNKNOWN,
};

/* What the diagnoser found for one interval. Strings belong to the
 * diagnoser and live until its next call. */
struct capture_diagnosis {
	size_t sz;
	enum capture_drop_cause cause;
	const char *name;     /* "consumer_cpu_bound", ... */
	const char *evidence; /* the figures that point there */
	const char *remedy;   /* what to change */
	uint64_t dropped;     /* n_drops + n_shed in the interval */
	uint64_t interval_ns;
	size_t :0;
};

typedef struct capture_diagnoser capture_diagnoser_t;

/* Watch handle h. The diagnoser reads the handle's metrics itself (each read
 * starts a new metrics window), so a tool that also wants the metrics takes
 * them from capture_diagnoser_metrics(). */
CAPTURE_API capture_diagnoser_t *capture_diagnoser_new(capture_t *h);
/* Diagnose the interval since the previous call (or since _new). */
CAPTURE_API int capture_diagnose(capture_diagnoser_t *d, struct capture_diagnosis *out);
/* The metrics read by the last capture_diagnose(). */
CAPTURE_API int capture_diagnoser_metrics(const capture_diagnoser_t *d,
					  const struct capture_metric **metrics, size_t *count);
CAPTURE_API const char *capture_drop_cause_name(enum capture_drop_cause cause);
CAPTURE_API void capture_diagnoser_free(capture_diagnoser_t *d);

#ifdef __cplusplus
}
#endif

#endif
