/* SPDX-License-Identifier: (Apache-2.0 OR MIT OR GPL-2.0-only) */
/*
 * The wire format of one captured event, the same bytes in the kernel ring,
 * in capture_next() and in capture files, and the enums generated from the
 * schema table (events.def). This header is shared with the BPF program and the
 * kernel module, so it uses only fixed-width integer types and no libc: a BPF
 * or kernel includer provides uint8_t..uint64_t before including it.
 */
#ifndef CAPTURE_EVENT_H
#define CAPTURE_EVENT_H

#if !defined(__bpf__) && !defined(__KERNEL__)
#include <stdint.h>
#endif

/*
 * Layout of an event, little-endian, no padding:
 *
 *   struct capture_event   header (24 bytes, 8-byte aligned in rings)
 *   uint16_t len[nparams]  length in bytes of each parameter
 *   parameter bytes        one after the other, unaligned
 *
 * A parameter of length 0 is missing: the value could not be read (for
 * instance user memory that faulted) and CAPTURE_EVF_PARAM_MISSING is set.
 * Strings and paths include their terminating NUL, so an empty string has
 * length 1. Use capture_event_param() rather than walking this by hand: it
 * checks every length against the event's size.
 */
struct capture_event {
	uint64_t ts;      /* nanoseconds since the Unix epoch (wall clock) */
	uint32_t tid;     /* thread id (kernel pid) */
	uint32_t pid;     /* process id (kernel tgid) */
	uint32_t len;     /* whole event in bytes, header included */
	uint16_t type;    /* enum capture_event_type */
	uint8_t nparams;  /* number of entries of the length array */
	uint8_t flags;    /* CAPTURE_EVF_* */
};

#define CAPTURE_EVENT_HDR_BYTES 24u
/* Largest event any engine writes; larger ones are counted in
 * n_drops_scratch_map and never delivered. */
#define CAPTURE_EVENT_MAX_BYTES 65536u
#define CAPTURE_EVENT_MAX_PARAMS 16u

#define CAPTURE_EVF_PARAM_MISSING 0x01u /* a parameter could not be read */
#define CAPTURE_EVF_TRUNCATED     0x02u /* a buffer was cut at snaplen */

/* Event types: one per row of events.def, in row order. */
enum capture_event_type {
#define P(name, kind)
#define CAPTURE_EVENT(id, category, params) CAPTURE_EVT_##id,
#include "events.def"
#undef CAPTURE_EVENT
#undef P
	CAPTURE_EVENT_TYPE_COUNT
};

/*
 * Parameter kinds: X(NAME, fixed size in bytes, 0 when variable).
 * Integers are little-endian. FD, PID and RET are signed 64-bit; RET is a
 * syscall return value (negative errno on failure). SOCKADDR holds the raw
 * struct sockaddr bytes the process passed or received (family first), cut
 * to its address length. STRARRAY is NUL-terminated strings back to back.
 */
#define CAPTURE_PARAM_KINDS(X) \
	X(INT32, 4) X(INT64, 8) X(UINT32, 4) X(UINT64, 8) \
	X(FD, 8) X(PID, 8) X(RET, 8) X(UID, 4) X(GID, 4) X(MODE, 4) \
	X(FLAGS32, 4) X(FLAGS64, 8) X(SYSCALL_NR, 4) X(ADDR, 8) X(SIGNAL, 4) \
	X(TIMESTAMP, 8) X(PATH, 0) X(STRING, 0) X(STRARRAY, 0) X(BYTES, 0) \
	X(SOCKADDR, 0)

enum capture_param_kind {
	CAPTURE_PK_NONE = 0,
#define X(name, size) CAPTURE_PK_##name,
	CAPTURE_PARAM_KINDS(X)
#undef X
	CAPTURE_PK_COUNT
};

/*
 * Drop categories, Falco's names. Every event type has exactly one, so the
 * per-category buffer drop counters always add up to n_drops_buffer.
 */
#define CAPTURE_DROP_CATEGORIES(X) \
	X(CLONE_FORK, clone_fork) X(EXECVE, execve) X(CONNECT, connect) \
	X(OPEN, open) X(DIR_FILE, dir_file) X(CLOSE, close) \
	X(PROC_EXIT, proc_exit) X(OTHER_INTEREST, other_interest)

enum capture_drop_category {
#define X(id, name) CAPTURE_CAT_##id,
	CAPTURE_DROP_CATEGORIES(X)
#undef X
	CAPTURE_DROP_CATEGORY_COUNT
};

enum capture_direction { CAPTURE_DIR_ENTER = 0, CAPTURE_DIR_EXIT = 1 };

/* One entry of a gap marker's by_category parameter. */
enum capture_gap_kind {
	CAPTURE_GAP_LOST_ENTER = 0, /* dropped enter events */
	CAPTURE_GAP_LOST_EXIT = 1,  /* dropped exit events */
	CAPTURE_GAP_SHED = 2,       /* events shed */
};
struct capture_gap_entry {
	uint8_t category; /* enum capture_drop_category */
	uint8_t kind;     /* enum capture_gap_kind */
	uint8_t reserved[6];
	uint64_t count;
};

#endif /* CAPTURE_EVENT_H */
