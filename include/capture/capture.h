/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libcapture: Linux system-call capture with every loss counted.
 *
 * Four things every user needs to know:
 *
 *  1. Failure. Functions returning int return 0 (or a documented positive
 *     status such as CAPTURE_TIMEOUT) on success and a negative errno value on
 *     failure; capture_strerror() turns any return value into a sentence and
 *     capture_last_error() gives the handle's last message, which names what
 *     was wrong. Functions returning a pointer return NULL and set errno.
 *
 *  2. Ownership. Every pointer the library returns is owned by the library.
 *     An event from capture_next() points into the ring buffer and is valid
 *     until the next capture_next(), capture_stop() or capture_close() on the
 *     same handle. Strings from the schema accessors are static and live
 *     forever. The metrics array lives until the next capture_get_metrics()
 *     or capture_close(). Pointers the caller passes in options are read
 *     during capture_open() only, unless the field says otherwise.
 *
 *  3. Threads. The library creates no thread of its own, except the
 *     synthetic engine's producers when asked to run threaded (they stand in
 *     for the kernel and stop in capture_stop()). The log callback is called
 *     on the thread that made the call.
 *
 *  4. Sharing. A handle is used by one thread at a time: serialize calls on
 *     it. The one exception is capture_get_stats() and
 *     capture_get_stats_cpu(), which may run on another thread concurrently
 *     with capture_next(), so a monitoring thread can poll the counters.
 *     Distinct handles are independent.
 *
 * Lifecycle, as in libpcap: capture_open() -> capture_start() ->
 * capture_next()... -> capture_stop() -> capture_close(). After
 * capture_stop(), capture_next() drains what the buffers still hold and then
 * returns CAPTURE_EOF.
 */
#ifndef CAPTURE_CAPTURE_H
#define CAPTURE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef CAPTURE_API
#define CAPTURE_API __attribute__((visibility("default")))
#endif

#define CAPTURE_VERSION_MAJOR 1
#define CAPTURE_VERSION_MINOR 0
#define CAPTURE_VERSION_PATCH 0
#define CAPTURE_VERSION_NUMBER \
	(CAPTURE_VERSION_MAJOR * 10000 + CAPTURE_VERSION_MINOR * 100 + CAPTURE_VERSION_PATCH)

/* The version of the library actually loaded, "1.0.0". */
CAPTURE_API const char *capture_version(void);
/* The same as CAPTURE_VERSION_NUMBER of the loaded library. */
CAPTURE_API int capture_version_number(void);

/* Positive statuses of capture_next(). */
#define CAPTURE_OK 0
#define CAPTURE_TIMEOUT 1 /* no event within the wait time; call again */
#define CAPTURE_EOF 2     /* the stream has ended (stopped and drained, or end of file) */

/* Fill an option struct's sz and zero the rest, then set the named fields:
 *   CAPTURE_OPTS(capture_open_opts, opts, .engine = "synthetic");
 * Fields left out keep their documented default (zero means default). */
#define CAPTURE_OPTS(TYPE, NAME, ...) \
	struct TYPE NAME = ({ \
		__builtin_memset(&NAME, 0, sizeof(struct TYPE)); \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ }; \
	})

typedef struct capture capture_t;

enum capture_log_level {
	CAPTURE_LOG_ERROR = 0,
	CAPTURE_LOG_WARN = 1,
	CAPTURE_LOG_INFO = 2,
	CAPTURE_LOG_DEBUG = 3,
};

/* msg is valid during the call only. */
typedef void (*capture_log_fn)(enum capture_log_level level, const char *msg, void *ctx);

/* Knobs of the synthetic engine: an in-process producer with the kernel's
 * ring and drop semantics, for tests and benchmarks. */
struct capture_synthetic_opts {
	size_t sz;
	/* Producer "CPUs", each writing its own per-CPU counters. 0 = 2. */
	uint32_t cpus;
	/* Events each CPU produces before the stream ends; 0 = unlimited. */
	uint64_t events_per_cpu;
	/* Events per second per CPU; 0 = as fast as possible. */
	uint64_t rate_per_cpu;
	/* Events a CPU writes back to back before it checks the rate or, when
	 * not threaded, before capture_next() reads again. 0 = 64. */
	uint32_t burst;
	/* Syscall numbers the simulated processes call, in turn; NULL = a
	 * built-in mix of opens, reads, closes, connects, forks and execs. */
	const uint32_t *mix;
	size_t mix_len;
	/* Run each CPU's producer in its own thread (like the kernel). When
	 * false, capture_next() produces a burst on every CPU whenever the
	 * rings are empty: single-threaded and fully deterministic. */
	bool threaded;
	/* Consumer stall: capture_next() delivers nothing during the first
	 * stall_ms after capture_start() (threaded mode), so rings overflow. */
	uint32_t stall_ms;
	/* Threaded mode: capture_next() delivers nothing until every producer
	 * has finished (needs events_per_cpu). */
	bool stall_until_done;
	/* Every Nth event of a CPU is lost to a simulated user-memory fault
	 * (counted in n_drops_pf) or is too large for the scratch space
	 * (n_drops_scratch_map); 0 = never. */
	uint32_t pf_every;
	uint32_t scratch_every;
	size_t :0;
};

struct capture_open_opts {
	size_t sz;
	/* "auto", "synthetic" (more in later releases); NULL = "auto", which
	 * picks the best engine the kernel allows. */
	const char *engine;
	/* Bytes of each ring buffer: a power of two, at least one page, at most
	 * 1 GiB. 0 = 8 MiB. */
	uint64_t buffer_bytes;
	/* CPUs sharing one ring buffer. 0 = 1 (one ring per CPU);
	 * CAPTURE_CPUS_PER_BUFFER_ALL = a single ring for all CPUs. */
	uint32_t cpus_per_buffer;
	/* Bytes of data kept from read/write-like buffers. 0 = 80; at most
	 * CAPTURE_SNAPLEN_MAX. */
	uint32_t snaplen;
	/* Syscalls to capture, by number (capture_syscall_nr() maps names);
	 * NULL with n_syscalls == 0 = all syscalls. */
	const uint32_t *syscalls;
	size_t n_syscalls;
	/* Also emit an event at syscall entry (default: exit events only). */
	bool enter_events;
	/* Longest time capture_next() waits for an event before returning
	 * CAPTURE_TIMEOUT. 0 = 100 ms; CAPTURE_NO_WAIT = return at once. */
	uint32_t next_timeout_ms;
	/* Messages of the library; NULL = none. Called until capture_close(). */
	capture_log_fn log_fn;
	void *log_ctx;
	enum capture_log_level log_level; /* most verbose level passed to log_fn */
	/* Engine-specific options; NULL = defaults. */
	const struct capture_synthetic_opts *synthetic;
	/* engine "file": the capture file to replay (read during capture_open
	 * and while reading; the string itself is copied). */
	const char *file_path;
	/* Live engines: capture the process that opened the capture too. By
	 * default (false) the kernel leaves it out, so a consumer's own reads,
	 * writes and sleeps do not feed its rings. */
	bool include_self;
	/* Live engines: threads whose events the kernel skips, counting each in
	 * n_suppressed (n_tids_suppressed is the number of threads currently
	 * suppressed). At most 4096 tids; a tid leaves the set when its thread
	 * exits. NULL with n_suppressed_tids == 0 = none. */
	const uint32_t *suppressed_tids;
	size_t n_suppressed_tids;
	/* Live engines: process names (the kernel's comm, 1 to 15 bytes) whose
	 * threads are suppressed likewise; a thread is added to the suppressed
	 * set at its first event under such a name. At most 256 names. NULL
	 * with n_suppressed_comms == 0 = none. */
	const char *const *suppressed_comms;
	size_t n_suppressed_comms;
	/* Priority shedding, on by default: once a ring is more than
	 * shed_threshold_pct full, the driver skips events of shed_classes
	 * before reserving space (counted in n_shed_*, apart from drops), so
	 * the room left keeps process lifecycle, execve, connect/accept and
	 * open events flowing through a flood. */
	bool no_shedding;
	uint32_t shed_threshold_pct; /* 0 = 50; 1 to 99 */
	uint32_t shed_classes;       /* CAPTURE_SHED_* bits; 0 = IO | GENERIC */
	size_t :0;
};

/* Classes of events that may be shed (include/capture/shed.def lists the
 * event types of each; all others are never shed). */
#define CAPTURE_SHED_IO 0x1u      /* read/write/send/recv family */
#define CAPTURE_SHED_GENERIC 0x2u /* syscalls without a dedicated layout */
#define CAPTURE_SHED_OTHER 0x4u   /* other dedicated layouts of little value under load */
#define CAPTURE_SHED_ALL (CAPTURE_SHED_IO | CAPTURE_SHED_GENERIC | CAPTURE_SHED_OTHER)

#define CAPTURE_CPUS_PER_BUFFER_ALL UINT32_MAX
#define CAPTURE_NO_WAIT UINT32_MAX
#define CAPTURE_CPU_UNKNOWN UINT32_MAX
#define CAPTURE_SNAPLEN_MAX 16384u
#define CAPTURE_BUFFER_BYTES_DEFAULT (8u << 20)
#define CAPTURE_BUFFER_BYTES_MAX (1ull << 30)

/*
 * Open a capture. Returns a handle, or NULL with errno set and, when errbuf is
 * not NULL, a message naming the problem (also passed to opts->log_fn).
 * opts may be NULL for all defaults. Nothing is captured before
 * capture_start(). Errors: EINVAL (bad option, named in the message), E2BIG
 * (opts->sz larger than this library knows and the unknown tail non-zero),
 * ENOENT (no such engine), EPERM/EOPNOTSUPP (the kernel refuses), ENOMEM.
 */
CAPTURE_API capture_t *capture_open(const struct capture_open_opts *opts, char *errbuf,
				    size_t errbuf_sz);
/* Begin producing events. -EALREADY if started. */
CAPTURE_API int capture_start(capture_t *h);
/* Stop producing; events already buffered remain readable. -EALREADY if
 * not started. */
CAPTURE_API int capture_stop(capture_t *h);
/* Stop if needed and free everything. NULL is ignored. */
CAPTURE_API void capture_close(capture_t *h);

/*
 * Next event in timestamp order across all rings (lowest first), zero-copy.
 * Returns CAPTURE_OK with *evt set (and *cpu, if cpu is not NULL, to the CPU
 * that produced it), CAPTURE_TIMEOUT, CAPTURE_EOF, or a negative errno. The
 * event is valid until the next call on this handle (see the top of file).
 * When several CPUs share a ring, an event does not say which of them wrote
 * it and *cpu is CAPTURE_CPU_UNKNOWN; drop counters stay exact per CPU.
 */
CAPTURE_API int capture_next(capture_t *h, const struct capture_event **evt, uint32_t *cpu);

/* Replace the set of captured syscalls while running (same meaning as the
 * open options; NULL/0 = all). Counters are not reset. */
CAPTURE_API int capture_set_syscalls(capture_t *h, const uint32_t *syscalls, size_t n);

/* The engine's name ("synthetic", ...), static. */
CAPTURE_API const char *capture_engine_name(const capture_t *h);
/* Number of producer CPUs (possible CPUs for live engines). */
CAPTURE_API uint32_t capture_cpu_count(const capture_t *h);
/* Number of ring buffers. */
CAPTURE_API uint32_t capture_ring_count(const capture_t *h);

/* ---- Statistics -------------------------------------------------------- */

/*
 * Counters since capture_open(), Falco's names. Each field whose bit is in
 * `valid` was counted by the engine; a field without its bit is unknown (the
 * engine cannot count it), not zero. Invariants, once the rings are drained:
 *   n_evts  == events delivered by capture_next() + n_drops + n_shed
 *   n_drops == n_drops_buffer + n_drops_scratch_map + n_drops_pf + n_drops_bug
 *   n_drops_buffer == the sum of the n_drops_buffer_<category>_<dir> fields
 *   n_shed == the sum of the n_shed_<category> fields
 * n_evts counts every event that passed kernel-side selection; gap markers
 * (CAPTURE_EVT_DROP) are not syscall events and count in none of these. No counter
 * ever decreases. The caller sets sz; fields past it are not written.
 */
struct capture_stats {
	size_t sz;
	uint64_t valid; /* CAPTURE_STAT_* bits */
	uint64_t n_evts;
	uint64_t n_drops;
	uint64_t n_drops_buffer;
	uint64_t n_drops_buffer_clone_fork_enter;
	uint64_t n_drops_buffer_clone_fork_exit;
	uint64_t n_drops_buffer_execve_enter;
	uint64_t n_drops_buffer_execve_exit;
	uint64_t n_drops_buffer_connect_enter;
	uint64_t n_drops_buffer_connect_exit;
	uint64_t n_drops_buffer_open_enter;
	uint64_t n_drops_buffer_open_exit;
	uint64_t n_drops_buffer_dir_file_enter;
	uint64_t n_drops_buffer_dir_file_exit;
	uint64_t n_drops_buffer_close_enter;
	uint64_t n_drops_buffer_close_exit;
	uint64_t n_drops_buffer_proc_exit_enter;
	uint64_t n_drops_buffer_proc_exit_exit;
	uint64_t n_drops_buffer_other_interest_enter;
	uint64_t n_drops_buffer_other_interest_exit;
	uint64_t n_drops_scratch_map; /* event larger than the scratch space */
	uint64_t n_drops_pf;          /* user memory not readable, event lost */
	uint64_t n_drops_bug;         /* a driver invariant broke */
	uint64_t n_preemptions;       /* events lost to preemption of the probe */
	uint64_t n_suppressed;        /* events skipped on purpose (suppressed tids/comms) */
	uint64_t n_tids_suppressed;   /* threads currently suppressed */
	/* Priority shedding: low-value events the driver skipped on purpose
	 * because a ring was filling (see shed_* in the open options), by the
	 * drop category of the event. Not drops: counted apart. */
	uint64_t n_shed;
	uint64_t n_shed_clone_fork;
	uint64_t n_shed_execve;
	uint64_t n_shed_connect;
	uint64_t n_shed_open;
	uint64_t n_shed_dir_file;
	uint64_t n_shed_close;
	uint64_t n_shed_proc_exit;
	uint64_t n_shed_other_interest;
	size_t :0;
};

/* Bit i of `valid` stands for the i-th uint64_t field after `valid`. */
enum capture_stat_id {
	CAPTURE_STAT_N_EVTS = 0,
	CAPTURE_STAT_N_DROPS,
	CAPTURE_STAT_N_DROPS_BUFFER,
	CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY, /* then 2 per category, enter first */
	CAPTURE_STAT_N_DROPS_SCRATCH_MAP =
		CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY + 2 * CAPTURE_DROP_CATEGORY_COUNT,
	CAPTURE_STAT_N_DROPS_PF,
	CAPTURE_STAT_N_DROPS_BUG,
	CAPTURE_STAT_N_PREEMPTIONS,
	CAPTURE_STAT_N_SUPPRESSED,
	CAPTURE_STAT_N_TIDS_SUPPRESSED,
	CAPTURE_STAT_N_SHED,
	CAPTURE_STAT_N_SHED_FIRST_CATEGORY, /* then 1 per category */
	CAPTURE_STAT_COUNT = CAPTURE_STAT_N_SHED_FIRST_CATEGORY + CAPTURE_DROP_CATEGORY_COUNT
};
#define CAPTURE_STAT_BIT(id) (1ull << (id))

/* Totals over all CPUs. Safe concurrently with capture_next(). */
CAPTURE_API int capture_get_stats(capture_t *h, struct capture_stats *stats);
/* Counters of one CPU (0 .. capture_cpu_count()-1); -ERANGE past the end.
 * The per-CPU figures add up to capture_get_stats(). */
CAPTURE_API int capture_get_stats_cpu(capture_t *h, uint32_t cpu, struct capture_stats *stats);

/* Number of counter fields and the name of field id ("n_drops_pf"), for
 * printing every field without a list of one's own; NULL past the end. */
CAPTURE_API const char *capture_stat_name(enum capture_stat_id id);
/* Value of field id in stats; 0 for an unknown id or one past stats->sz. */
CAPTURE_API uint64_t capture_stat_value(const struct capture_stats *stats, enum capture_stat_id id);

/*
 * out = now - prev, field by field, for per-second rates in tools. out->valid
 * is the intersection of both masks. Returns -EINVAL if any valid counter
 * went backwards (a different handle, or a bug), naming nothing else changed.
 * out->sz must be set by the caller like any stats struct.
 */
CAPTURE_API int capture_stats_delta(const struct capture_stats *now,
				    const struct capture_stats *prev, struct capture_stats *out);

/* A named value. Names are dotted ("capture.n_evts", "ring.0.fill_bytes"):
 *   capture.<stat>            every counted field of struct capture_stats
 *   capture.n_delivered       syscall events capture_next() returned
 *   capture.n_gap_markers     gap markers (CAPTURE_EVT_DROP) it returned
 *   cpu.<N>.n_evts, .n_drops  per producer CPU
 *   consumer.busy_ratio_ppm   share of the window the consumer did not wait
 *                             for events (parts per million)
 *   consumer.away_max_ns      longest gap between capture_next() calls in the
 *                             window (away_max_ns_ever: since open)
 *   consumer.away_total_ns, consumer.wait_total_ns   since open
 *   consumer.lag_ns, consumer.lag_max_ns   age of the last event handed out,
 *                             and the most in the window
 *   consumer.window_ns        length of the window
 *   ring.<N>.fill_bytes, .size_bytes, .high_water_bytes (most in the window)
 *   syscall.<name>.n_lost     events lost (dropped or shed) of the ten
 *                             syscalls that lost the most, since open
 *   engine.<name>             the engine's own counters; modern_bpf:
 *                             engine.n_params_missing (parameters delivered
 *                             empty, memory unreadable) and engine.n_truncated
 *                             (events whose data was cut at snaplen)
 * The window is the time since the previous capture_get_metrics() call. */
struct capture_metric {
	const char *name;
	uint64_t value;
	uint32_t flags; /* CAPTURE_METRIC_* */
};
#define CAPTURE_METRIC_COUNTER 0x1u /* monotonic; otherwise a gauge */

/*
 * Every metric the engine offers, as an array owned by the handle and valid
 * until the next call or capture_close(). New metrics are added over time
 * without an ABI change; match them by name.
 */
CAPTURE_API int capture_get_metrics(capture_t *h, const struct capture_metric **metrics,
				    size_t *count);

/* ---- Machine and process snapshot -------------------------------------- */

/* Where and how a capture was taken. For live engines, this machine now;
 * for the file engine, what the file recorded. Strings belong to the handle
 * and live until capture_close(). */
struct capture_machine_info {
	size_t sz;
	const char *hostname;
	const char *kernel_release;
	const char *library_version; /* of the library that captured */
	const char *engine;          /* engine that captured */
	uint32_t cpu_count;          /* producer CPUs of that engine */
	uint32_t format_version;     /* capture-file format; 0 for live handles */
	uint64_t boot_time_ns;       /* wall-clock time of boot, ns since the epoch */
	uint64_t start_time_ns;      /* wall-clock time the capture began */
	uint64_t buffer_bytes;
	uint32_t cpus_per_buffer;
	uint32_t snaplen;
	bool enter_events;
	size_t :0;
};
CAPTURE_API int capture_get_machine_info(capture_t *h, struct capture_machine_info *info);

/* One thread as /proc showed it when the snapshot was taken. args holds the
 * command line as NUL-separated strings (args_len bytes); cgroups is the
 * text of /proc/PID/cgroup. A string that could not be read is "". */
struct capture_thread_info {
	uint32_t tid, pid, ppid;
	uint32_t uid, gid;
	uint32_t args_len;
	const char *comm;
	const char *exe;
	const char *args;
	const char *cwd;
	const char *cgroups;
};

/*
 * The process/thread table: for the file engine, the snapshot recorded at
 * the start of the file; for live engines, taken from /proc at the first
 * call (and again after capture_refresh_snapshot()). The array belongs to
 * the handle and lives until the next snapshot call or capture_close().
 * Threads that vanish while /proc is read are skipped, not errors.
 */
CAPTURE_API int capture_get_snapshot(capture_t *h, const struct capture_thread_info **threads,
				     size_t *count);
CAPTURE_API int capture_refresh_snapshot(capture_t *h);

/* ---- Capture files ----------------------------------------------------- */

/*
 * A capture file (format in docs/capture-format.md) records the machine, the
 * event schema, a /proc snapshot, the events byte for byte with their CPU,
 * and the drop counters every stats_interval_ms and at close, so a replay
 * knows where the capture has holes. Replay it with engine = "file".
 */
typedef struct capture_dump capture_dump_t;

struct capture_dump_opts {
	size_t sz;
	/* Compress each block with zlib. */
	bool compress;
	/* zlib level 1 (fast) .. 9 (small); 0 = 1. */
	int compress_level;
	/* Start a new file when the current one would pass this size; 0 = never.
	 * At least 64 KiB. */
	uint64_t rotate_bytes;
	/* Start a new file after this many seconds; 0 = never. */
	uint32_t rotate_seconds;
	/* Event bytes gathered before a block is written; 0 = 256 KiB. */
	uint32_t block_bytes;
	/* Write a stats block at most this often; 0 = 1000 ms. */
	uint32_t stats_interval_ms;
	/* Skip the /proc snapshot at the start of each file. */
	bool no_snapshot;
	/* Replace an existing file at the path (never following a symlink:
	 * the link itself is removed). Default: refuse with -EEXIST. */
	bool overwrite;
	size_t :0;
};

/*
 * Start writing the events of handle h to path. With rotation, path is a
 * pattern: "%n" becomes the file's sequence number (000, 001, ...), "%t" the
 * Unix time it was opened, "%%" a "%"; without either, ".%n" is appended.
 * Files are created exclusively and never through a symlink. Returns NULL
 * with errno set and the reason in capture_last_error(h). The dump borrows h,
 * which must outlive it; use it from the thread that reads h.
 */
CAPTURE_API capture_dump_t *capture_dump_open(capture_t *h, const char *path,
					      const struct capture_dump_opts *opts);
/* Add one event (as capture_next() returned it, with its CPU). Buffered:
 * written a block at a time. After any write error every call returns that
 * error; the file stays readable up to its last complete block. */
CAPTURE_API int capture_dump_write(capture_dump_t *d, const struct capture_event *evt,
				   uint32_t cpu);
/* Write what is buffered, and a stats block. */
CAPTURE_API int capture_dump_flush(capture_dump_t *d);
/* Flush, write the final stats block, close. Returns the first error met
 * over the dump's life (0 if none); frees d in every case. */
CAPTURE_API int capture_dump_close(capture_dump_t *d);
/* Name of the file being written now. */
CAPTURE_API const char *capture_dump_path(const capture_dump_t *d);
/* Files started so far (1 + rotations). */
CAPTURE_API uint32_t capture_dump_file_count(const capture_dump_t *d);

/* ---- Errors ------------------------------------------------------------ */

/* A sentence for any return value (negative errno or a CAPTURE_* status). */
CAPTURE_API const char *capture_strerror(int rc);
/* The handle's last error message, "" if none. Valid until the next call on
 * the handle. */
CAPTURE_API const char *capture_last_error(const capture_t *h);

/* ---- Event schema ------------------------------------------------------ */

/* "openat"; NULL for an unknown type. */
CAPTURE_API const char *capture_event_type_name(uint32_t type);
/* Type id of an event name, or -ENOENT. */
CAPTURE_API int capture_event_type_by_name(const char *name);
/* Parameter count of a type, or -EINVAL for an unknown type. */
CAPTURE_API int capture_event_type_nparams(uint32_t type);
/* Drop category of a type, or -EINVAL. */
CAPTURE_API int capture_event_type_category(uint32_t type);
/* "path"; NULL when type or i is out of range. */
CAPTURE_API const char *capture_event_param_name(uint32_t type, uint32_t i);
/* Kind of parameter i, CAPTURE_PK_NONE when out of range. */
CAPTURE_API enum capture_param_kind capture_event_param_kind(uint32_t type, uint32_t i);
/* "PATH"; NULL when out of range. */
CAPTURE_API const char *capture_param_kind_name(enum capture_param_kind kind);
/* "clone_fork"; NULL when out of range. */
CAPTURE_API const char *capture_drop_category_name(uint32_t category);

/*
 * Bytes of parameter i of an event: *data points into the event, *len is its
 * length (0 = missing). Every length is checked against evt->len and the
 * schema; -EINVAL (with errno-style meaning "malformed event") if they
 * disagree, -ERANGE if i >= nparams.
 */
CAPTURE_API int capture_event_param(const struct capture_event *evt, uint32_t i,
				    const void **data, uint32_t *len);
/* Checks a whole event: header, lengths, schema kinds and sizes. 0 or -EINVAL. */
CAPTURE_API int capture_event_validate(const struct capture_event *evt, size_t avail);

/* Syscall name of a number ("openat"), NULL if unknown to this library. */
CAPTURE_API const char *capture_syscall_name(uint32_t nr);
/* Number of a syscall name, or -ENOENT. */
CAPTURE_API int capture_syscall_nr(const char *name);
/* Event type a syscall produces at exit (CAPTURE_EVT_GENERIC when it has no
 * layout of its own), or -ENOENT for an unknown number. */
CAPTURE_API int capture_syscall_event_type(uint32_t nr);
/* Highest syscall number known + 1. */
CAPTURE_API uint32_t capture_syscall_table_size(void);

#ifdef __cplusplus
}
#endif

#endif /* CAPTURE_CAPTURE_H */
