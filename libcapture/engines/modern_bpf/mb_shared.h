/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * What the probe (modern_bpf.bpf.c) and its loader (modern_bpf.c) agree on:
 * sizes of the scratch space and of parameters, and the layout of the map
 * values user space reads or writes. Included by both sides, after the
 * fixed-width integer types are defined.
 */
#ifndef MB_SHARED_H
#define MB_SHARED_H

/* Syscall selection bitmap words (one bit per syscall number). */
#define MB_SELECTION_WORDS 8u

/* Limits of the parameters the probe reads from user or kernel memory. */
#define MB_PATH_MAX 4096u     /* PATH and STRING parameters, NUL included */
#define MB_PARAM_MAX 16384u   /* BYTES (snaplen) and STRARRAY parameters */
#define MB_SOCKADDR_MAX 128u  /* sizeof(struct sockaddr_storage) */
#define MB_IOV_MAX 16u        /* iovec entries gathered for readv/writev/msghdr */
#define MB_ARGV_MAX 64u       /* argv entries read one by one (failed execve) */
#define MB_MAX_PARAMS 8u      /* most parameters of an event this probe writes */

/*
 * Per-CPU scratch space for variable-size events. An event may be
 * CAPTURE_EVENT_MAX_BYTES long; the slack after it lets the probe write a
 * whole parameter at any offset below that limit before checking the
 * length, which is what the verifier can prove safe. Twice MB_PARAM_MAX:
 * a gathered parameter (iovecs, argv) writes each piece at its own offset
 * inside the parameter, and the verifier bounds offset and piece apart.
 */
#define MB_SCRATCH_EVENT_MAX 65536u
#define MB_SCRATCH_BYTES (MB_SCRATCH_EVENT_MAX + 2 * MB_PARAM_MAX)
/* Slots per CPU: a task preempted inside the probe holds one, so another
 * task on that CPU can still use the next. Only when all are held is an
 * event lost, and counted in n_preemptions. */
#define MB_SCRATCH_SLOTS_PER_CPU 2u

struct mb_scratch {
	uint32_t busy;   /* taken with an atomic exchange */
	uint32_t off;    /* next parameter byte; kept in memory, not a register,
			  * so the verifier sees the same state on every path */
	uint32_t part;   /* bytes of a gathered parameter so far (likewise) */
	uint32_t pad;
	uint8_t buf[MB_SCRATCH_BYTES];
};

/* Counters of the engine beyond struct cap_cpu_counters (per CPU). */
struct mb_engine_counters {
	uint64_t n_params_missing; /* parameters delivered empty: memory unreadable */
	uint64_t n_truncated;      /* events whose data was cut at snaplen */
};

/* execveat's arguments, kept from syscall entry: a successful exec replaces
 * the registers before sys_exit runs. */
struct mb_exec_args {
	uint64_t args[6];
};

/* Losses of one CPU since its last written event, reported by the gap
 * marker (a CAPTURE_EVT_DROP event) written before its next one.
 * count[category][kind], kind as enum capture_gap_kind. */
#define MB_GAP_KINDS 3u
struct mb_gap {
	uint64_t pending; /* losses not yet in a marker; 0 = nothing to report */
	uint64_t ts_first, ts_last;
	uint64_t count[CAPTURE_DROP_CATEGORY_COUNT][MB_GAP_KINDS];
};
/* A marker's size: header, 6 lengths, cpu, lost, shed, ts_first, ts_last,
 * then one 16-byte entry per non-zero count. */
#define MB_GAP_MARKER_FIXED (CAPTURE_EVENT_HDR_BYTES + 6 * 2 + 4 + 4 * 8)
#define MB_GAP_MARKER_MAX (MB_GAP_MARKER_FIXED + CAPTURE_DROP_CATEGORY_COUNT * MB_GAP_KINDS * 16)

/* Events lost (dropped or shed) per syscall number, per CPU. */
struct mb_losses {
	uint64_t by_nr[MB_SELECTION_WORDS * 64];
};

#define MB_SUPPRESSED_TIDS_MAX 4096u
#define MB_SUPPRESSED_COMMS_MAX 256u
#define MB_COMM_LEN 16u
struct mb_comm {
	char name[MB_COMM_LEN];
};
#define MB_EXEC_STASH_MAX 1024u

#endif
