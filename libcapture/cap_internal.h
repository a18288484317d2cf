/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the core and the engines share inside libcapture: the handle, the
 * validated configuration and the engine vtable. Nothing here is installed.
 */
#ifndef CAP_INTERNAL_H
#define CAP_INTERNAL_H

#include <stdarg.h>
#include <stdatomic.h>

#include "capture/capture.h"
#include "cap_counters.h"

#define CAP_HIDDEN __attribute__((visibility("hidden")))

/* Options after validation, with defaults applied; owned by the handle. */
struct cap_config {
	char engine[32];
	uint64_t buffer_bytes;
	uint32_t cpus_per_buffer; /* CAPTURE_CPUS_PER_BUFFER_ALL = one ring */
	uint32_t snaplen;
	bool enter_events;
	uint32_t next_timeout_ms; /* CAPTURE_NO_WAIT = do not wait */
	struct capture_synthetic_opts synthetic; /* mix copied below */
	uint32_t *synthetic_mix;
};

/* Syscalls selected for capture: one bit per syscall number. Readers on
 * producer threads load words atomically; the bitmap never moves. */
#define CAP_SYSCALL_WORDS 8u /* 512 syscall numbers */
struct cap_selection {
	_Atomic uint64_t word[CAP_SYSCALL_WORDS];
};

static inline bool cap_selected(const struct cap_selection *sel, uint32_t nr)
{
	if (nr >= CAP_SYSCALL_WORDS * 64)
		return false;
	return (atomic_load_explicit(&sel->word[nr / 64], memory_order_relaxed) >> (nr % 64)) & 1;
}

struct capture;

struct cap_engine_ops {
	const char *name;
	/* true: a live engine "auto" may choose. */
	bool live;
	/* Fields of struct capture_stats this engine counts (CAPTURE_STAT_BIT). */
	uint64_t valid;
	/* Allocate h->engine; on failure set the message with cap_err(). */
	int (*open)(struct capture *h);
	int (*start)(struct capture *h);
	int (*stop)(struct capture *h);
	void (*close)(struct capture *h);
	/* One event, or CAPTURE_TIMEOUT / CAPTURE_EOF / -errno. The engine waits
	 * at most h->cfg.next_timeout_ms. */
	int (*next)(struct capture *h, const struct capture_event **evt, uint32_t *cpu);
	uint32_t (*cpu_count)(const struct capture *h);
	uint32_t (*ring_count)(const struct capture *h);
	/* Snapshot one CPU's counters; safe concurrently with next(). */
	int (*read_counters)(struct capture *h, uint32_t cpu, struct cap_cpu_counters *out);
	/* Push h->selection to the producer; NULL when the engine reads the
	 * bitmap directly. */
	int (*selection_changed)(struct capture *h);
};

enum cap_state { CAP_STATE_OPEN, CAP_STATE_RUNNING, CAP_STATE_STOPPED };

struct capture {
	const struct cap_engine_ops *ops;
	void *engine;
	struct cap_config cfg;
	struct cap_selection selection;
	enum cap_state state;
	capture_log_fn log_fn;
	void *log_ctx;
	enum capture_log_level log_level;
	_Atomic uint64_t n_delivered; /* events returned by capture_next() */
	char errmsg[512];
	struct capture_metric *metrics;
	char *metric_names;
	size_t metrics_cap;
};

/* Record a message as the handle's last error, log it, return rc. */
CAP_HIDDEN int cap_err(struct capture *h, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
CAP_HIDDEN void cap_log(struct capture *h, enum capture_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Nanoseconds of a clock. */
CAP_HIDDEN uint64_t cap_clock_ns(int clock_id);

/* Engines. */
extern const struct cap_engine_ops cap_engine_synthetic;

/* Schema helpers used inside the library. */
CAP_HIDDEN int cap_event_category_of(const struct capture_event *evt);
/* Fixed size of a parameter kind, 0 when variable or unknown. */
CAP_HIDDEN size_t cap_param_kind_size(enum capture_param_kind kind);

#endif
