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

/* Limits of the suppression lists in struct capture_open_opts. */
#define CAP_SUPPRESSED_TIDS_MAX 4096u
#define CAP_SUPPRESSED_COMMS_MAX 256u
#define CAP_COMM_LEN 16u /* the kernel's TASK_COMM_LEN, NUL included */

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
	char *file_path; /* engine "file" */
	/* Kernel-side selection of live engines. */
	bool include_self;
	uint32_t *suppressed_tids; /* owned copies */
	size_t n_suppressed_tids;
	char (*suppressed_comms)[CAP_COMM_LEN];
	size_t n_suppressed_comms;
	/* Priority shedding (0 threshold = off). */
	uint32_t shed_threshold_pct;
	uint32_t shed_classes;
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

/* Owned copies of what a header block holds. */
struct cap_machine {
	char *hostname, *kernel_release, *library_version, *engine;
	uint32_t cpu_count, format_version, cpus_per_buffer, snaplen, file_sequence;
	uint64_t boot_time_ns, start_time_ns, buffer_bytes;
	bool enter_events;
	uint64_t selection[CAP_SYSCALL_WORDS];
};
CAP_HIDDEN void cap_machine_free(struct cap_machine *m);

/* A /proc snapshot: thread records whose strings it owns. */
struct cap_snapshot {
	struct capture_thread_info *threads;
	size_t count, cap;
	bool taken;
};
CAP_HIDDEN void cap_snapshot_free(struct cap_snapshot *s);
/* Read /proc. 0, or -errno when /proc itself cannot be read. */
CAP_HIDDEN int cap_snapshot_take(struct cap_snapshot *s);

struct capture;

struct cap_engine_ops {
	const char *name;
	/* true: a live engine "auto" may choose. */
	bool live;
	/* Fields of struct capture_stats this engine counts (CAPTURE_STAT_BIT);
	 * copied to h->stats_valid before open(), which may change it. */
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
	/* Recorded machine info and process snapshot (the file engine); NULL
	 * for live engines, whose are read from this machine. */
	const struct cap_machine *(*recorded_machine)(struct capture *h);
	const struct cap_snapshot *(*recorded_snapshot)(struct capture *h);
	/* Bytes waiting in ring i and its size; NULL for engines without rings. */
	int (*ring_fill)(struct capture *h, uint32_t ring, uint64_t *fill, uint64_t *size);
	/* Events lost (dropped or shed) per syscall number, summed over CPUs,
	 * CAP_SYSCALL_WORDS * 64 entries; NULL when the engine cannot tell. */
	int (*syscall_losses)(struct capture *h, uint64_t *out);
	/* Counters of the engine's own, listed as "engine.<name>"; the count
	 * filled (at most max), or -errno. NULL when it has none. */
	int (*engine_metrics)(struct capture *h, struct capture_metric *out, size_t max);
};
#define CAP_ENGINE_METRICS_MAX 8

/* How the consumer spends its time, measured in capture_next() with one
 * coarse clock read per call, plus the waiting the engines report. */
struct cap_consumer_timing {
	uint64_t wait_ns;             /* engines add the time they sleep for events */
	uint64_t last_entry_ns;       /* CLOCK_MONOTONIC_COARSE at the last call */
	uint64_t wait_at_last_entry;
	uint64_t away_total_ns;       /* between calls, not counting waits */
	uint64_t away_max_ns;         /* since open */
	uint64_t window_start_ns;     /* the metrics window: since the last read */
	uint64_t window_wait_ns;
	uint64_t window_away_max_ns;
	uint64_t lag_ns;              /* age of the last event handed out */
	uint64_t window_lag_max_ns;
	uint64_t wall_minus_mono_ns;  /* to turn coarse monotonic into wall time */
	uint32_t calls_since_sample;
	uint64_t *ring_high_water;    /* per ring, since the last metrics read */
	uint32_t nrings;
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
	_Atomic uint64_t n_delivered; /* syscall events returned by capture_next() */
	_Atomic uint64_t n_gap_markers; /* CAPTURE_EVT_DROP events returned */
	uint64_t stats_valid;          /* CAPTURE_STAT_BITs the engine counts */
	uint64_t start_time_ns;        /* wall clock at capture_start() */
	struct cap_machine machine;    /* live machine info, filled on demand */
	struct cap_snapshot snapshot;  /* live /proc snapshot, taken on demand */
	char errmsg[512];
	struct capture_metric *metrics;
	char *metric_names;
	size_t metrics_cap;
	struct cap_consumer_timing timing;
};

/* Engines call this with the nanoseconds they spent asleep waiting for
 * events inside next(), so busy ratio and away time leave waiting out. */
static inline void cap_waited(struct capture *h, uint64_t ns)
{
	h->timing.wait_ns += ns;
}

/* Record a message as the handle's last error, log it, return rc. */
CAP_HIDDEN int cap_err(struct capture *h, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
CAP_HIDDEN void cap_log(struct capture *h, enum capture_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Machine info and snapshot of a handle: recorded ones for the file
 * engine, this machine's otherwise. 0 or -errno (message set). */
CAP_HIDDEN int cap_machine_get(struct capture *h, const struct cap_machine **out);
CAP_HIDDEN int cap_snapshot_get(struct capture *h, const struct cap_snapshot **out);

/* Copy a caller's sized option struct into dst (known bytes) by libbpf's
 * rules; what names the struct in messages. */
CAP_HIDDEN int cap_opts_copy(struct capture *h, const void *opts, size_t known, void *dst,
			     const char *what);

/* Nanoseconds of a clock. */
CAP_HIDDEN uint64_t cap_clock_ns(int clock_id);

/* Engines. */
extern const struct cap_engine_ops cap_engine_synthetic;
extern const struct cap_engine_ops cap_engine_modern_bpf;
extern const struct cap_engine_ops cap_engine_file;

/* Schema helpers used inside the library. */
CAP_HIDDEN int cap_event_category_of(const struct capture_event *evt);
/* Stat-id indexed values of counters, and back (-EBADMSG when the sums in
 * `all` disagree with their parts). */
CAP_HIDDEN void cap_stats_from_counters(const struct cap_cpu_counters *c,
					uint64_t all[CAPTURE_STAT_COUNT]);
CAP_HIDDEN int cap_counters_from_stats(const uint64_t all[CAPTURE_STAT_COUNT],
				       struct cap_cpu_counters *c);
/* Shedding class of an event type (CAPTURE_SHED_* bit, 0 = never shed). */
CAP_HIDDEN uint32_t cap_shed_class(uint32_t type);
/* Fixed size of a parameter kind, 0 when variable or unknown. */
CAP_HIDDEN size_t cap_param_kind_size(enum capture_param_kind kind);

#endif
