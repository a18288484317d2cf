// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The modern_bpf probe. tp_btf programs on raw_syscalls sys_exit write one
 * event per syscall (arguments and return value); sched_process_fork, exec
 * and exit write the lifecycle events, and sched_process_exit also the
 * events of exit/exit_group, which never return to sys_exit;
 * sched_prepare_exec keeps execveat's arguments, which a successful exec
 * wipes; sys_enter is attached only when enter events are asked for. Events
 * are written in the wire format of capture/event.h into BPF ring buffers,
 * one per group of CPUs, and every outcome is counted once in the per-CPU
 * struct cap_cpu_counters.
 *
 * Event layouts come from the schema (capture/events.def) and where each
 * parameter is found from mb_sources.def: one table-driven writer serves
 * every event type, so a new layout is one table row.
 */
#include "mb_kernel_types.h"

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "capture/event.h"
#include "cap_counters.h"
#include "mb_shared.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define HDR CAPTURE_EVENT_HDR_BYTES

/* ---- Set by the loader before the load; read-only afterwards. ---------- */

/* Typed with the __u names so the generated skeleton compiles in user space. */
const volatile __u64 boot_offset_ns = 0; /* CLOCK_REALTIME - CLOCK_BOOTTIME */
const volatile __u64 wake_bytes = 1;     /* wake the consumer when a ring's fill crosses this */
const volatile __u32 self_tgid = 0;      /* process left out; 0 = none */
const volatile __u32 cpus_per_ring = 1;
const volatile __u32 snaplen = 80;
const volatile bool enter_events = false;
const volatile bool suppress_on = false;       /* suppressed_tids may hold entries */
const volatile bool suppress_comms_on = false; /* suppressed_comms holds entries */
/* Priority shedding: past shed_above_bytes of fill (0 = never), events of
 * the types set in shed_types are skipped and counted in n_shed. */
const volatile __u64 shed_above_bytes = 0;
const volatile __u64 shed_types[(CAPTURE_EVENT_TYPE_COUNT + 63) / 64] = {};

/* ---- Changed by user space while running (the mmapped .bss). ---------- */

__u64 selection[MB_SELECTION_WORDS]; /* one bit per selected syscall number */
__u64 tids_suppressed;               /* threads in suppressed_tids (a gauge) */

/* ---- Maps. ------------------------------------------------------------- */

struct ring_map {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096); /* the loader passes ring 0 as the template */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1); /* number of rings, set by the loader */
	__type(key, u32);
	__array(values, struct ring_map);
} rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct cap_cpu_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct mb_engine_counters);
} engine_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct mb_gap);
} gaps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct mb_losses);
} losses SEC(".maps");

/* MB_SCRATCH_SLOTS_PER_CPU entries per possible CPU, sized by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct mb_scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MB_SUPPRESSED_TIDS_MAX);
	__type(key, u32);
	__type(value, u8);
} suppressed_tids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MB_SUPPRESSED_COMMS_MAX);
	__type(key, struct mb_comm);
	__type(value, u8);
} suppressed_comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MB_EXEC_STASH_MAX);
	__type(key, u32);
	__type(value, struct mb_exec_args);
} exec_stash SEC(".maps");

/* ---- Tables expanded from the schema. ---------------------------------- */

/* Syscall numbers by name, MB_NR_openat etc. */
enum {
#define CAPTURE_SYSCALL(nr, name, ev) MB_NR_##name = nr,
#include "capture/syscalls_x86_64.def"
#undef CAPTURE_SYSCALL
};

/* Event type + 1 of each syscall number; 0 = not a syscall we know. */
static const u16 syscall_event_plus1[MB_SELECTION_WORDS * 64] = {
#define CAPTURE_SYSCALL(nr, name, ev) [nr] = CAPTURE_EVT_##ev + 1,
#include "capture/syscalls_x86_64.def"
#undef CAPTURE_SYSCALL
};

/* Parameter sources (see mb_sources.def): kind in the low byte, argument
 * indexes in the next two nibbles. Kinds with MB_VAR set read memory, so
 * their events are built in the scratch space, not reserved in place. */
#define MB_VAR 0x80u
enum {
	MB_S_RES = 1,
	MB_S_NR,
	MB_S_ARG,
	MB_S_ARGZ,
	MB_S_USTR = MB_VAR,
	MB_S_KSTR,
	MB_S_DATA,
	MB_S_SOCK,
	MB_S_SOCKP,
	MB_S_IOV,
	MB_S_MSGDATA,
	MB_S_MSGNAME,
	MB_S_U32AT,
	MB_S_U64AT,
	MB_S_CAP,
	MB_S_EXEFILE,
	MB_S_EXEARGV,
};
#define MB_SRC(kind, a, b) ((kind) | ((a) << 8) | ((b) << 12))
#define RES MB_SRC(MB_S_RES, 0, 0)
#define NR MB_SRC(MB_S_NR, 0, 0)
#define ARG(a) MB_SRC(MB_S_ARG, a, 0)
#define ARGZ(a) MB_SRC(MB_S_ARGZ, a, 0)
#define USTR(a) MB_SRC(MB_S_USTR, a, 0)
#define KSTR MB_SRC(MB_S_KSTR, 0, 0)
#define DATA(a) MB_SRC(MB_S_DATA, a, 0)
#define SOCK(a, b) MB_SRC(MB_S_SOCK, a, b)
#define SOCKP(a, b) MB_SRC(MB_S_SOCKP, a, b)
#define IOV(a, b) MB_SRC(MB_S_IOV, a, b)
#define MSGDATA(a) MB_SRC(MB_S_MSGDATA, a, 0)
#define MSGNAME(a) MB_SRC(MB_S_MSGNAME, a, 0)
#define U32AT(a, k) MB_SRC(MB_S_U32AT, a, k)
#define U64AT(a, k) MB_SRC(MB_S_U64AT, a, k)
#define CAP(k) MB_SRC(MB_S_CAP, 0, k)
#define EXEFILE(a) MB_SRC(MB_S_EXEFILE, a, 0)
#define EXEARGV(a) MB_SRC(MB_S_EXEARGV, a, 0)

/* Counting and or-ing variadic lists, up to MB_MAX_PARAMS entries. */
#define MB_NARG(...) MB_NARG_(__VA_ARGS__, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define MB_NARG_(a, b, c, d, e, f, g, h, n, ...) n
#define MB_CAT(a, b) MB_CAT_(a, b)
#define MB_CAT_(a, b) a##b
#define MB_OR1(a) (a)
#define MB_OR2(a, ...) ((a) | MB_OR1(__VA_ARGS__))
#define MB_OR3(a, ...) ((a) | MB_OR2(__VA_ARGS__))
#define MB_OR4(a, ...) ((a) | MB_OR3(__VA_ARGS__))
#define MB_OR5(a, ...) ((a) | MB_OR4(__VA_ARGS__))
#define MB_OR6(a, ...) ((a) | MB_OR5(__VA_ARGS__))
#define MB_OR7(a, ...) ((a) | MB_OR6(__VA_ARGS__))
#define MB_OR8(a, ...) ((a) | MB_OR7(__VA_ARGS__))
#define MB_OR(...) MB_CAT(MB_OR, MB_NARG(__VA_ARGS__))(__VA_ARGS__)

/* Parameter counts of the schema, to check the source rows against. */
#define P(name, kind) +1
#define CAPTURE_EVENT(id, category, params) enum { MB_NP_##id = 0 params };
#include "capture/events.def"
#undef CAPTURE_EVENT
#undef P

#define MB_LAYOUT(id, ...) \
	_Static_assert(MB_NARG(__VA_ARGS__) == MB_NP_##id, \
		       "mb_sources.def: " #id " needs one source per parameter of the schema"); \
	enum { MB_HAS_LAYOUT_##id = 1, MB_VARIABLE_##id = (MB_OR(__VA_ARGS__) & MB_VAR) != 0 };
#include "mb_sources.def"
#undef MB_LAYOUT

#define CAPTURE_SYSCALL(nr, name, ev) \
	_Static_assert(MB_HAS_LAYOUT_##ev, "mb_sources.def has no row for " #ev);
/* The gap marker is written by hand (gap_flush): cpu, lost, shed,
 * ts_first, ts_last, by_category. */
_Static_assert(MB_NP_DROP == 6, "gap_flush writes the DROP layout of events.def");
#include "capture/syscalls_x86_64.def"
#undef CAPTURE_SYSCALL

struct mb_layout {
	u8 n;        /* parameters; 0 = this probe never writes the type */
	u8 variable; /* some parameter is read from memory */
	u16 src[MB_MAX_PARAMS];
};

static const struct mb_layout layouts[CAPTURE_EVENT_TYPE_COUNT] = {
#define MB_LAYOUT(id, ...) \
	[CAPTURE_EVT_##id] = { MB_NARG(__VA_ARGS__), (MB_OR(__VA_ARGS__) & MB_VAR) != 0, \
			       { __VA_ARGS__ } },
#include "mb_sources.def"
#undef MB_LAYOUT
};

/* Parameter kinds and drop category of each type, from the schema. */
static const u8 param_kinds[CAPTURE_EVENT_TYPE_COUNT][MB_MAX_PARAMS] = {
#define P(name, kind) CAPTURE_PK_##kind,
#define CAPTURE_EVENT(id, cat, params) [CAPTURE_EVT_##id] = { params },
#include "capture/events.def"
#undef CAPTURE_EVENT
#undef P
};

/* Type-indexed lookups mask the index with 127 (and shed_types has two
 * words): room for 128 event types. */
_Static_assert(CAPTURE_EVENT_TYPE_COUNT <= 128, "widen the event type masks");

static const u8 categories[CAPTURE_EVENT_TYPE_COUNT] = {
#define CAPTURE_EVENT(id, cat, params) [CAPTURE_EVT_##id] = CAPTURE_CAT_##cat,
#include "capture/events.def"
#undef CAPTURE_EVENT
};

#undef RES
#undef NR
#undef ARG
#undef ARGZ
#undef USTR
#undef KSTR
#undef DATA
#undef SOCK
#undef SOCKP
#undef IOV
#undef MSGDATA
#undef MSGNAME
#undef U32AT
#undef U64AT
#undef CAP
#undef EXEFILE
#undef EXEARGV

/* Kinds of 4 bytes; every other fixed kind has 8. */
#define MB_KIND_BIT(k) (1ull << CAPTURE_PK_##k)
#define MB_FOUR_BYTE_KINDS \
	(MB_KIND_BIT(INT32) | MB_KIND_BIT(UINT32) | MB_KIND_BIT(UID) | MB_KIND_BIT(GID) | \
	 MB_KIND_BIT(MODE) | MB_KIND_BIT(FLAGS32) | MB_KIND_BIT(SYSCALL_NR) | MB_KIND_BIT(SIGNAL))
#define MB_SIGNED32_KINDS (MB_KIND_BIT(FD) | MB_KIND_BIT(PID))
_Static_assert(CAPTURE_PK_COUNT <= 64, "kind bitmasks are 64-bit");

static __always_inline u32 kind_width(u32 kind)
{
	return (MB_FOUR_BYTE_KINDS >> (kind & 63)) & 1 ? 4 : 8;
}

/* ---- Per-event context. ------------------------------------------------ */

#define MB_NO_SYSCALL 0xffffffffu /* ectx.nr of the scheduler events */

struct ectx {
	u64 args[6];
	s64 res;
	u64 pid_tgid;
	u64 kptr; /* KSTR: address of a kernel string (comm, exec filename) */
	u32 nr;
	u32 type;
	u32 dir;
	bool args_lost; /* execveat succeeded and its entry arguments were not kept */
};

/* A variable array index, bounded by a mask the verifier can follow: the
 * barrier keeps the compiler from folding the mask into an earlier range
 * check that it made on another register. */
#define MB_INDEX(value, mask) \
	({ \
		u32 mb_idx_ = (value); \
		barrier_var(mb_idx_); \
		mb_idx_ & (mask); \
	})

static __always_inline bool nr_selected(u32 nr)
{
	if (nr >= MB_SELECTION_WORDS * 64)
		return false;
	return (selection[MB_INDEX(nr >> 6, MB_SELECTION_WORDS - 1)] >> (nr & 63)) & 1;
}

static __always_inline u32 syscall_type_plus1(u32 nr)
{
	if (nr >= MB_SELECTION_WORDS * 64)
		return 0;
	return syscall_event_plus1[MB_INDEX(nr, MB_SELECTION_WORDS * 64 - 1)];
}

static __always_inline struct cap_cpu_counters *counters_get(void)
{
	u32 zero = 0;
	return bpf_map_lookup_elem(&counters, &zero);
}

static __always_inline bool is_self(u64 pid_tgid)
{
	return self_tgid && (u32)(pid_tgid >> 32) == self_tgid;
}

/* 32-bit syscalls have their own numbers; this probe decodes x86_64 only. */
static __always_inline bool in_compat_syscall(struct task_struct *task)
{
	return task->thread_info.status & MB_TS_COMPAT;
}

/* pid_tgid read from the task the syscall programs fetch anyway for the
 * compat check: one helper call per event instead of two (each costs ~10 ns
 * with this CPU's return-thunk mitigations). Global ids, as the helper's. */
static __always_inline u64 task_pid_tgid(struct task_struct *task)
{
	return ((u64)(u32)task->tgid << 32) | (u32)task->pid;
}

/* A thread given by tid, or running a suppressed comm: its events are
 * skipped and counted in n_suppressed. A comm match adds the tid, so the
 * next event costs one lookup; the tid leaves the set when the thread exits. */
static __always_inline bool suppressed(u64 pid_tgid, struct cap_cpu_counters *c)
{
	if (!suppress_on)
		return false;
	u32 tid = (u32)pid_tgid;
	if (bpf_map_lookup_elem(&suppressed_tids, &tid))
		goto hit;
	if (suppress_comms_on) {
		struct mb_comm comm = {};
		bpf_get_current_comm(comm.name, sizeof(comm.name));
		if (bpf_map_lookup_elem(&suppressed_comms, &comm)) {
			u8 one = 1;
			if (bpf_map_update_elem(&suppressed_tids, &tid, &one, BPF_NOEXIST) == 0)
				__sync_fetch_and_add(&tids_suppressed, 1);
			goto hit;
		}
	}
	return false;
hit:
	__sync_fetch_and_add(&c->n_suppressed, 1);
	return true;
}

static __always_inline u64 arg_of(const struct ectx *x, u32 a)
{
	switch (a) {
	case 0:
		return x->args[0];
	case 1:
		return x->args[1];
	case 2:
		return x->args[2];
	case 3:
		return x->args[3];
	case 4:
		return x->args[4];
	default:
		return x->args[5];
	}
}

/* The value of a register-borne source, extended as its kind requires. */
static __always_inline u64 fixed_value(const struct ectx *x, u32 src, u32 kind)
{
	u32 a = (src >> 8) & 15;
	u64 v;
	switch (src & 0xff) {
	case MB_S_RES:
		return (u64)x->res;
	case MB_S_NR:
		return x->nr;
	case MB_S_ARGZ:
		return (u32)arg_of(x, a);
	default:
		v = arg_of(x, a);
		if ((MB_SIGNED32_KINDS >> (kind & 63)) & 1)
			v = (u64)(s64)(s32)v;
		return v;
	}
}

/* The type whose category and shedding class an event follows: its own,
 * or for an enter event its syscall's exit type. */
static __always_inline u32 policy_type(const struct ectx *x)
{
	u32 type = x->type;
	if (type == CAPTURE_EVT_SYSCALL_ENTER) {
		u32 plus1 = syscall_type_plus1(x->nr);
		type = plus1 ? plus1 - 1 : CAPTURE_EVT_GENERIC;
	}
	return type;
}

static __always_inline u32 drop_category(const struct ectx *x)
{
	u32 type = policy_type(x);
	if (type >= CAPTURE_EVENT_TYPE_COUNT)
		return CAPTURE_CAT_OTHER_INTEREST;
	return categories[MB_INDEX(type, 127)] & 7;
}

/*
 * The bookkeeping of a lost event besides its counter: the CPU's gap (what
 * the next gap marker reports) and the per-syscall loss count. A global
 * function, so its code is verified and stored once rather than at every
 * place an event can be lost. kind is an enum capture_gap_kind.
 */
__noinline int note_loss(u32 nr, u32 cat, u32 kind)
{
	u32 zero = 0;
	struct mb_gap *g = bpf_map_lookup_elem(&gaps, &zero);
	if (g && cat < CAPTURE_DROP_CATEGORY_COUNT && kind < MB_GAP_KINDS) {
		u64 ts = bpf_ktime_get_boot_ns() + boot_offset_ns;
		if (__sync_fetch_and_add(&g->pending, 1) == 0)
			g->ts_first = ts;
		g->ts_last = ts;
		__sync_fetch_and_add(&g->count[cat][kind], 1);
	}
	struct mb_losses *l = bpf_map_lookup_elem(&losses, &zero);
	if (l && nr < MB_SELECTION_WORDS * 64)
		__sync_fetch_and_add(&l->by_nr[nr], 1);
	return 0;
}

/* Priority shedding: when the ring is past the threshold, a low-value
 * event is skipped before it takes room that lifecycle, exec, connect and
 * open events may need. Counted apart from drops (n_evts == delivered +
 * n_drops + n_shed). */
static __always_inline bool shed(u64 fill, const struct ectx *x, struct cap_cpu_counters *c)
{
	if (!shed_above_bytes || fill <= shed_above_bytes)
		return false;
	u32 type = policy_type(x);
	if (type >= CAPTURE_EVENT_TYPE_COUNT ||
	    !((shed_types[MB_INDEX(type >> 6, 1)] >> (type & 63)) & 1))
		return false;
	u32 cat = drop_category(x);
	__sync_fetch_and_add(&c->n_shed[cat], 1);
	note_loss(x->nr, cat, CAPTURE_GAP_SHED);
	return true;
}

static __always_inline void put_header(u8 *buf, const struct ectx *x, u32 len, u32 n)
{
	struct capture_event *e = (struct capture_event *)buf;
	e->ts = bpf_ktime_get_boot_ns() + boot_offset_ns;
	e->tid = (u32)x->pid_tgid;
	e->pid = (u32)(x->pid_tgid >> 32);
	e->len = len;
	e->type = (u16)x->type;
	e->nparams = (u8)n;
}

static __always_inline u64 wakeup_flags(u64 avail, u64 record);
int gap_flush(u32 cpu, u32 event_len, struct mb_scratch *held);

/* Losses wait to be reported on this CPU. */
static __always_inline bool gap_pending(void)
{
	u32 zero = 0;
	struct mb_gap *g = bpf_map_lookup_elem(&gaps, &zero);
	return g && g->pending;
}

/* Copy an event into a ring, waking the consumer as wakeup_flags() says. */
static __always_inline long ring_output(void *ring, void *data, u64 len)
{
	u64 record = (len + 8 + 7) & ~7ull;
	u64 avail = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) + record;
	return bpf_ringbuf_output(ring, data, len, wakeup_flags(avail, record));
}

static __always_inline void *ring_of_cpu(u32 cpu)
{
	u32 idx = cpu / cpus_per_ring;
	return bpf_map_lookup_elem(&rings, &idx);
}

static __always_inline void count_buffer_drop(struct cap_cpu_counters *c, const struct ectx *x)
{
	u32 cat = drop_category(x);
	u32 dir = x->dir & 1;
	__sync_fetch_and_add(&c->n_drops_buffer[cat][dir], 1);
	note_loss(x->nr, cat, dir);
}

/* A drop counted elsewhere than n_drops_buffer (scratch, bug): its gap. */
static __always_inline void count_other_drop(u64 *counter, const struct ectx *x)
{
	__sync_fetch_and_add(counter, 1);
	note_loss(x->nr, drop_category(x), x->dir & 1);
}

/* ---- Fixed-size events: reserved in the ring at their exact size. ------ */

/* Wake the consumer only when this record takes the ring's fill across
 * wake_bytes: no per-event wakeup, and a consumer that drained the ring and
 * sleeps hears of it long before it fills. `avail` counts this record. */
static __always_inline u64 wakeup_flags(u64 avail, u64 record)
{
	return avail >= wake_bytes && avail - record < wake_bytes ? BPF_RB_FORCE_WAKEUP
								  : BPF_RB_NO_WAKEUP;
}

/*
 * An event of type T, a compile-time constant whose parameters all come
 * from registers: its size is a constant, so the record is reserved in the
 * ring at exactly that size and filled in place at constant offsets. No
 * copy, no scratch space, nothing shared that preemption could disturb.
 */
static __always_inline void emit_reserved(struct ectx *x, struct cap_cpu_counters *c, const u32 T)
{
	const u32 n = layouts[T].n;
	u32 size = HDR + 2 * n;
#pragma unroll
	for (u32 i = 0; i < MB_MAX_PARAMS; i++)
		if (i < n)
			size += kind_width(param_kinds[T][i]);

	__sync_fetch_and_add(&c->n_evts, 1);
	void *ring = ring_of_cpu(bpf_get_smp_processor_id());
	if (!ring) {
		count_other_drop(&c->n_drops_bug, x);
		return;
	}
	/* One look at the fill serves shedding and the wakeup decision. */
	u64 fill = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA);
	if (shed(fill, x, c))
		return;
	if (gap_pending() && gap_flush(bpf_get_smp_processor_id(), size, NULL)) {
		count_buffer_drop(c, x);
		return;
	}
	u8 *p = bpf_ringbuf_reserve(ring, size, 0);
	if (!p) {
		count_buffer_drop(c, x);
		return;
	}
	u32 off = HDR + 2 * n;
#pragma unroll
	for (u32 i = 0; i < MB_MAX_PARAMS; i++) {
		if (i >= n)
			break;
		const u32 kind = param_kinds[T][i];
		u64 v = fixed_value(x, layouts[T].src[i], kind);
		if (kind_width(kind) == 4)
			*(u32 *)(p + off) = (u32)v;
		else
			*(u64 *)(p + off) = v;
		*(u16 *)(p + HDR + 2 * i) = (u16)kind_width(kind);
		off += kind_width(kind);
	}
	put_header(p, x, size, n);
	((struct capture_event *)p)->flags = 0;
	u64 record = (size + 8 + 7) & ~7u;
	bpf_ringbuf_submit(p, wakeup_flags(fill + record, record));
}

/* ---- Variable-size events: built in a per-CPU scratch slot. ------------ */

static __always_inline struct mb_scratch *scratch_slot(u32 cpu, u32 k)
{
	u32 key = cpu * MB_SCRATCH_SLOTS_PER_CPU + k;
	return bpf_map_lookup_elem(&scratch, &key);
}

/* Take a free slot of this CPU. Programs run with migration disabled but can
 * be preempted, so another task may be inside the probe on this CPU holding
 * a slot: the exchange makes taking one atomic. Returns NULL when every slot
 * is held (*missing_map set when the map itself failed, a bug). */
static __always_inline struct mb_scratch *scratch_acquire(u32 cpu, bool *missing_map)
{
	for (u32 k = 0; k < MB_SCRATCH_SLOTS_PER_CPU; k++) {
		struct mb_scratch *s = scratch_slot(cpu, k);
		if (!s) {
			*missing_map = true;
			return NULL;
		}
		if (__sync_lock_test_and_set(&s->busy, 1) == 0)
			return s;
	}
	return NULL;
}

static __always_inline void scratch_release(struct mb_scratch *s)
{
	asm volatile("" ::: "memory");
	s->busy = 0;
}

/*
 * Before this CPU's next event (event_len bytes), the gap marker of what it
 * lost since its last written one: a CAPTURE_EVT_DROP event saying how many
 * events of which categories were dropped or shed, and when. It goes out
 * only with room for the event after it, so a marker is followed by its
 * CPU's next event. Built in the slot the caller holds (after its event),
 * or in a free one. Returns 0 when the event may be written (marker done,
 * or deferred because every slot is held), 1 when the ring cannot take
 * marker and event: the caller then loses the event, which the next marker
 * reports. A global function: verified once.
 */
__noinline int gap_flush(u32 cpu, u32 event_len, struct mb_scratch *held)
{
	u32 zero = 0;
	struct mb_gap *g = bpf_map_lookup_elem(&gaps, &zero);
	void *ring = ring_of_cpu(cpu);
	if (!g || !ring)
		return 0;
	u64 size = bpf_ringbuf_query(ring, BPF_RB_RING_SIZE);
	u64 fill = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA);
	u64 need = ((MB_GAP_MARKER_MAX + 8 + 7) & ~7ull) + (((u64)event_len + 8 + 7) & ~7ull);
	if (fill + need > size)
		return 1;

	bool missing_map = false;
	struct mb_scratch *own = held ? NULL : scratch_acquire(cpu, &missing_map);
	u8 *m;
	if (held)
		m = held->buf + MB_SCRATCH_EVENT_MAX; /* the slack after the held event */
	else if (own)
		m = own->buf;
	else
		return 0; /* preempted tasks hold every slot: a later event reports it */

	int ret = 0;
	if (!__sync_lock_test_and_set(&g->pending, 0))
		goto out; /* a task that preempted us wrote it */
	/* Running totals live in the marker itself, not in registers, so the
	 * verifier meets the loop head in one state whatever was counted. */
	struct capture_event *e = (struct capture_event *)m;
	u8 *p = m + HDR + 12; /* cpu, lost, shed, ts_first, ts_last */
	e->len = 0;           /* entries so far */
	*(u64 *)(p + 4) = 0;
	*(u64 *)(p + 12) = 0;
	for (u32 cat = 0; cat < CAPTURE_DROP_CATEGORY_COUNT; cat++)
	for (u32 kind = 0; kind < MB_GAP_KINDS; kind++) {
		u64 count = __sync_lock_test_and_set(&g->count[cat][kind], 0);
		if (!count)
			continue;
		u32 n = e->len & 31;
		struct capture_gap_entry *entry =
			(struct capture_gap_entry *)(m + MB_GAP_MARKER_FIXED + 16 * n);
		entry->category = (u8)cat;
		entry->kind = (u8)kind;
		*(u16 *)&entry->reserved[0] = 0;
		*(u32 *)&entry->reserved[2] = 0;
		entry->count = count;
		*(u64 *)(p + (kind == CAPTURE_GAP_SHED ? 12 : 4)) += count;
		e->len = n + 1;
	}
	u32 n = e->len & 31;
	if (!n)
		goto out;
	u32 len = MB_GAP_MARKER_FIXED + 16 * n;
	e->ts = g->ts_last;
	e->tid = 0;
	e->pid = 0;
	e->len = len;
	e->type = CAPTURE_EVT_DROP;
	e->nparams = 6;
	e->flags = 0;
	u16 *lens = (u16 *)(m + HDR);
	lens[0] = 4;
	lens[1] = 8;
	lens[2] = 8;
	lens[3] = 8;
	lens[4] = 8;
	lens[5] = (u16)(16 * n);
	*(u32 *)p = cpu;
	*(u64 *)(p + 20) = g->ts_first;
	*(u64 *)(p + 28) = g->ts_last;
	if (ring_output(ring, m, len)) {
		/* Lost the race for the room: put the counts back. */
		for (u32 k = 0; k < 24 && k < n; k++) {
			struct capture_gap_entry *entry =
				(struct capture_gap_entry *)(m + MB_GAP_MARKER_FIXED + 16 * k);
			u32 kind = entry->kind;
			if (kind >= MB_GAP_KINDS)
				kind = MB_GAP_KINDS - 1;
			__sync_fetch_and_add(&g->count[entry->category & 7][kind], entry->count);
		}
		__sync_fetch_and_add(&g->pending, 1);
		ret = 1;
	}
out:
	if (own)
		scratch_release(own);
	return ret;
}

struct var_state {
	struct mb_scratch *s;
	struct mb_engine_counters *ec;
};

static __always_inline void mark_missing(struct var_state *v)
{
	struct capture_event *e = (struct capture_event *)v->s->buf;
	e->flags |= CAPTURE_EVF_PARAM_MISSING;
	if (v->ec)
		__sync_fetch_and_add(&v->ec->n_params_missing, 1);
}

static __always_inline void mark_truncated(struct var_state *v)
{
	struct capture_event *e = (struct capture_event *)v->s->buf;
	if (!(e->flags & CAPTURE_EVF_TRUNCATED) && v->ec)
		__sync_fetch_and_add(&v->ec->n_truncated, 1);
	e->flags |= CAPTURE_EVF_TRUNCATED;
}

/* Bytes a transfer moved that we keep: the return value, cut at snaplen. */
static __always_inline u32 data_bytes(const struct ectx *x, struct var_state *v)
{
	if (x->res <= 0)
		return 0;
	u64 n = (u64)x->res;
	u64 cap = snaplen;
	if (cap > MB_PARAM_MAX)
		cap = MB_PARAM_MAX;
	if (n > cap) {
		n = cap;
		mark_truncated(v);
	}
	return (u32)n;
}

/* A user string; NULL pointer = empty parameter, fault = missing. */
static __always_inline u32 put_user_str(struct var_state *v, u8 *dst, u64 ptr)
{
	if (!ptr)
		return 0;
	long r = bpf_probe_read_user_str(dst, MB_PATH_MAX, (const void *)ptr);
	if (r <= 0) {
		mark_missing(v);
		return 0;
	}
	return (u32)r & (MB_PATH_MAX * 2 - 1);
}

static __always_inline u32 put_user_bytes(struct var_state *v, u8 *dst, u64 ptr, u32 n)
{
	if (!n)
		return 0;
	if (!ptr || bpf_probe_read_user(dst, n & (MB_PARAM_MAX * 2 - 1), (const void *)ptr)) {
		mark_missing(v);
		return 0;
	}
	return n;
}

struct mb_iovec {
	u64 base;
	u64 len;
};

/* Up to `total` bytes through an iovec array, in order. Like the event's
 * offset, the bytes gathered so far live in the slot (s->part), so every
 * iteration starts from the same verifier state. */
static __always_inline u32 put_iov(struct var_state *v, u8 *dst, u64 iov, u64 iovcnt, u32 total)
{
	struct mb_scratch *s = v->s;
	if (!total)
		return 0;
	if (!iov) {
		mark_missing(v);
		return 0;
	}
	s->part = 0;
	for (u32 k = 0; k < MB_IOV_MAX; k++) {
		u32 copied = s->part;
		if (k >= iovcnt || copied >= total)
			break;
		struct mb_iovec one;
		if (bpf_probe_read_user(&one, sizeof(one), (const void *)(iov + k * sizeof(one)))) {
			mark_missing(v);
			break;
		}
		u64 chunk = one.len;
		if (chunk > total - copied)
			chunk = total - copied;
		if (chunk > MB_PARAM_MAX)
			chunk = MB_PARAM_MAX;
		if (!chunk)
			continue;
		if (bpf_probe_read_user(dst + (copied & (MB_PARAM_MAX - 1)), chunk,
					(const void *)one.base)) {
			mark_missing(v);
			break;
		}
		s->part = copied + (u32)chunk;
	}
	return s->part;
}

/* struct user_msghdr's leading fields. */
struct mb_msghdr {
	u64 name;
	s32 namelen;
	u32 pad;
	u64 iov;
	u64 iovlen;
};

/* argv of a failed execve: the strings the process passed, back to back. */
static __always_inline u32 put_user_argv(struct var_state *v, u8 *dst, u64 argv)
{
	struct mb_scratch *s = v->s;
	if (!argv)
		return 0;
	s->part = 0;
	for (u32 k = 0; k < MB_ARGV_MAX; k++) {
		u32 copied = s->part;
		u64 p = 0;
		if (bpf_probe_read_user(&p, sizeof(p), (const void *)(argv + k * 8))) {
			mark_missing(v);
			break;
		}
		if (!p)
			break;
		u32 room = MB_PARAM_MAX - copied;
		if (copied >= MB_PARAM_MAX || room < 2)
			break;
		long r = bpf_probe_read_user_str(dst + (copied & (MB_PARAM_MAX - 1)),
						 room & (MB_PARAM_MAX * 2 - 1), (const void *)p);
		if (r <= 0) {
			mark_missing(v);
			break;
		}
		s->part = copied + ((u32)r & (MB_PARAM_MAX * 2 - 1));
	}
	return s->part;
}

/* argv of a successful execve, from the new image's argument area, where the
 * kernel copied the strings back to back (what /proc/pid/cmdline shows). */
static __always_inline u32 put_mm_argv(struct var_state *v, u8 *dst)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = task->mm;
	if (!mm) {
		mark_missing(v);
		return 0;
	}
	u64 start = mm->arg_start, end = mm->arg_end;
	if (end <= start)
		return 0;
	u64 n = end - start;
	if (n > MB_PARAM_MAX) {
		n = MB_PARAM_MAX;
		mark_truncated(v);
	}
	if (bpf_probe_read_user(dst, n, (const void *)start)) {
		mark_missing(v);
		return 0;
	}
	dst[(n - 1) & (MB_PARAM_MAX - 1)] = 0; /* a cut list still ends in NUL */
	return (u32)n;
}

/* The filename of a successful execve: the kernel copies it right after the
 * environment strings of the new image (the AT_EXECFN string). */
static __always_inline u32 put_mm_execfn(struct var_state *v, u8 *dst)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = task->mm;
	if (!mm) {
		mark_missing(v);
		return 0;
	}
	return put_user_str(v, dst, mm->env_end);
}

static __always_inline u32 put_fixed_at(u8 *dst, u64 value, u32 kind)
{
	u32 width = kind_width(kind);
	if (width == 4)
		*(u32 *)dst = (u32)value;
	else
		*(u64 *)dst = value;
	return width;
}

/* Write parameter (src, kind) at dst; its length, 0 when empty or missing. */
static __always_inline u32 param_bytes(struct ectx *x, struct var_state *v, u8 *dst, u32 src,
				       u32 kind)
{
	u32 a = (src >> 8) & 15, b = (src >> 12) & 15;
	switch (src & 0xff) {
	case MB_S_RES:
	case MB_S_NR:
		return put_fixed_at(dst, fixed_value(x, src, kind), kind);
	case MB_S_ARG:
	case MB_S_ARGZ:
		if (x->args_lost) {
			mark_missing(v);
			return 0;
		}
		return put_fixed_at(dst, fixed_value(x, src, kind), kind);
	case MB_S_USTR:
		return put_user_str(v, dst, arg_of(x, a));
	case MB_S_KSTR: {
		if (!x->kptr)
			return 0;
		long r = bpf_probe_read_kernel_str(dst, MB_PATH_MAX, (const void *)x->kptr);
		if (r <= 0) {
			mark_missing(v);
			return 0;
		}
		return (u32)r & (MB_PATH_MAX * 2 - 1);
	}
	case MB_S_DATA:
		return put_user_bytes(v, dst, arg_of(x, a), data_bytes(x, v));
	case MB_S_SOCK: {
		u64 len = arg_of(x, b) & 0xffffffffu;
		if (len > MB_SOCKADDR_MAX)
			len = MB_SOCKADDR_MAX;
		if (!arg_of(x, a))
			return 0;
		return put_user_bytes(v, dst, arg_of(x, a), (u32)len);
	}
	case MB_S_SOCKP: {
		u64 addr = arg_of(x, a), lenp = arg_of(x, b);
		s32 len = 0;
		if (x->res < 0 || !addr || !lenp)
			return 0;
		if (bpf_probe_read_user(&len, sizeof(len), (const void *)lenp)) {
			mark_missing(v);
			return 0;
		}
		if (len <= 0)
			return 0;
		if (len > (s32)MB_SOCKADDR_MAX)
			len = MB_SOCKADDR_MAX;
		return put_user_bytes(v, dst, addr, (u32)len);
	}
	case MB_S_IOV:
		return put_iov(v, dst, arg_of(x, a), arg_of(x, b) & 0xffffffffu, data_bytes(x, v));
	case MB_S_MSGDATA:
	case MB_S_MSGNAME: {
		struct mb_msghdr m;
		u64 ptr = arg_of(x, a);
		bool data = (src & 0xff) == MB_S_MSGDATA;
		if (!ptr || (!data && x->type == CAPTURE_EVT_RECVMSG && x->res < 0))
			return 0;
		if (data && x->res <= 0)
			return 0;
		if (bpf_probe_read_user(&m, sizeof(m), (const void *)ptr)) {
			mark_missing(v);
			return 0;
		}
		if (data)
			return put_iov(v, dst, m.iov, m.iovlen, data_bytes(x, v));
		if (!m.name || m.namelen <= 0)
			return 0;
		u32 len = m.namelen > (s32)MB_SOCKADDR_MAX ? MB_SOCKADDR_MAX : (u32)m.namelen;
		return put_user_bytes(v, dst, m.name, len);
	}
	case MB_S_U32AT: {
		s32 value = -1;
		if (x->res >= 0 &&
		    bpf_probe_read_user(&value, sizeof(value),
					(const void *)(arg_of(x, a) + 4 * b))) {
			mark_missing(v);
			return 0;
		}
		u64 ext = (MB_SIGNED32_KINDS >> (kind & 63)) & 1 ? (u64)(s64)value : (u32)value;
		return put_fixed_at(dst, ext, kind);
	}
	case MB_S_U64AT: {
		u64 value = 0;
		if (bpf_probe_read_user(&value, sizeof(value), (const void *)(arg_of(x, a) + 8 * b))) {
			mark_missing(v);
			return 0;
		}
		return put_fixed_at(dst, value, kind);
	}
	case MB_S_CAP: {
		/* capset(hdr, data): version 1 has one 32-bit set of each,
		 * versions 2 and 3 two (low word first). */
		u32 version = 0;
		u32 sets[6] = {};
		u64 data = x->args[1];
		if (bpf_probe_read_user(&version, sizeof(version), (const void *)x->args[0]) ||
		    !data) {
			mark_missing(v);
			return 0;
		}
		long r = version == 0x19980330u
				 ? bpf_probe_read_user(sets, 12, (const void *)data)
				 : bpf_probe_read_user(sets, 24, (const void *)data);
		if (r) {
			mark_missing(v);
			return 0;
		}
		u32 lo = b == 0 ? sets[0] : b == 1 ? sets[1] : sets[2];
		u32 hi = b == 0 ? sets[3] : b == 1 ? sets[4] : sets[5];
		return put_fixed_at(dst, (u64)lo | ((u64)hi << 32), kind);
	}
	case MB_S_EXEFILE:
		if (x->res < 0)
			return put_user_str(v, dst, arg_of(x, a));
		return put_mm_execfn(v, dst);
	case MB_S_EXEARGV:
		if (x->res < 0)
			return put_user_argv(v, dst, arg_of(x, a));
		return put_mm_argv(v, dst);
	}
	return 0;
}

/*
 * Parameter i of the event being built in s, at s->off. A global function:
 * the verifier checks it once, on its own, instead of once per parameter of
 * every event type along every path that leads to it, which is what makes
 * one table-driven writer affordable. Returns -1 once the event outgrew the
 * scratch space (s->off is then past MB_SCRATCH_EVENT_MAX).
 */
__noinline int put_param(struct ectx *x, struct mb_scratch *s, struct mb_engine_counters *ec,
			 u32 i)
{
	if (!x || !s)
		return -1;
	u32 type = x->type;
	if (type >= CAPTURE_EVENT_TYPE_COUNT || i >= MB_MAX_PARAMS)
		return -1;
	type = MB_INDEX(type, 127);
	if (type >= CAPTURE_EVENT_TYPE_COUNT)
		return -1;
	u32 src = layouts[type].src[i & (MB_MAX_PARAMS - 1)];
	u32 kind = param_kinds[type][i & (MB_MAX_PARAMS - 1)];
	u32 off = s->off;
	if (off >= MB_SCRATCH_EVENT_MAX) {
		s->off = MB_SCRATCH_EVENT_MAX + 1;
		return -1;
	}
	struct var_state v = { .s = s, .ec = ec };
	u32 len = param_bytes(x, &v, s->buf + (off & (MB_SCRATCH_EVENT_MAX - 1)), src, kind);
	*(u16 *)(s->buf + HDR + 2 * MB_INDEX(i, MB_MAX_PARAMS - 1)) = (u16)len;
	s->off = off + len;
	return 0;
}

static __always_inline void emit_var(struct ectx *x, struct cap_cpu_counters *c)
{
	u32 type = x->type;
	u32 cpu = bpf_get_smp_processor_id();
	bool missing_map = false;
	u32 zero = 0;

	if (type >= CAPTURE_EVENT_TYPE_COUNT)
		return;
	const struct mb_layout *l = &layouts[type];
	u32 n = l->n;

	struct mb_scratch *s = scratch_acquire(cpu, &missing_map);
	if (!s && !missing_map) {
		/* Every slot is held by preempted tasks: lost before it was
		 * counted in n_evts, so n_evts == delivered + n_drops holds. */
		__sync_fetch_and_add(&c->n_preemptions, 1);
		return;
	}
	__sync_fetch_and_add(&c->n_evts, 1);
	if (!s) {
		count_other_drop(&c->n_drops_bug, x);
		return;
	}
	void *ring = ring_of_cpu(cpu);
	if (!ring || n == 0 || n > MB_MAX_PARAMS) {
		count_other_drop(&c->n_drops_bug, x);
		goto out;
	}
	if (shed(bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA), x, c))
		goto out;

	struct mb_engine_counters *ec = bpf_map_lookup_elem(&engine_counters, &zero);
	((struct capture_event *)s->buf)->flags = 0;
	s->off = HDR + 2 * n;
	for (u32 i = 0; i < MB_MAX_PARAMS; i++) {
		if (i >= n)
			break;
		if (put_param(x, s, ec, i))
			break;
	}
	u8 *buf = s->buf;
	u32 len = s->off;
	if (len > MB_SCRATCH_EVENT_MAX) {
		count_other_drop(&c->n_drops_scratch_map, x);
		goto out;
	}
	if (gap_pending() && gap_flush(cpu, len, s)) {
		count_buffer_drop(c, x);
		goto out;
	}
	put_header(buf, x, len, n);
	if (ring_output(ring, buf, len))
		count_buffer_drop(c, x);
out:
	scratch_release(s);
}

/* One case per event type with a layout: register-only types are reserved
 * in place, the others built in the scratch space. */
static __always_inline void emit(struct ectx *x, struct cap_cpu_counters *c)
{
	switch (x->type) {
#define MB_LAYOUT(id, ...) \
	case CAPTURE_EVT_##id: \
		if (!MB_VARIABLE_##id) { \
			emit_reserved(x, c, CAPTURE_EVT_##id); \
			return; \
		} \
		break;
#include "mb_sources.def"
#undef MB_LAYOUT
	}
	emit_var(x, c);
}

static __always_inline void args_from_regs(struct ectx *x, struct pt_regs *regs)
{
	x->args[0] = regs->di;
	x->args[1] = regs->si;
	x->args[2] = regs->dx;
	x->args[3] = regs->r10;
	x->args[4] = regs->r8;
	x->args[5] = regs->r9;
}

/* Common gate of every program: selection is checked by the caller, then
 * the capturing process, 32-bit syscalls (for syscall events: syscall_task
 * is the current task) and suppressed threads. */
static __always_inline struct cap_cpu_counters *admit(u64 pid_tgid, struct task_struct *syscall_task)
{
	if (is_self(pid_tgid))
		return NULL;
	if (syscall_task && in_compat_syscall(syscall_task))
		return NULL;
	struct cap_cpu_counters *c = counters_get();
	if (!c || suppressed(pid_tgid, c))
		return NULL;
	return c;
}

/* ---- Programs. --------------------------------------------------------- */

SEC("tp_btf/sys_exit")
int BPF_PROG(mb_sys_exit, struct pt_regs *regs, long ret)
{
	u32 nr = (u32)regs->orig_ax;
	struct mb_exec_args *kept = NULL;
	u32 tid;

	if ((nr == MB_NR_execve || nr == MB_NR_execveat) && ret == 0 &&
	    nr_selected(MB_NR_execveat)) {
		/* A successful exec replaced the registers, and setting up a
		 * 64-bit image rewrites orig_ax to execve even after execveat:
		 * what sched_prepare_exec kept says which call it was, and
		 * holds execveat's dirfd and flags. */
		tid = (u32)bpf_get_current_pid_tgid();
		kept = bpf_map_lookup_elem(&exec_stash, &tid);
		if (kept)
			nr = MB_NR_execveat;
	}
	if (!nr_selected(nr))
		return 0;
	u32 plus1 = syscall_type_plus1(nr);
	if (!plus1)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	u64 pid_tgid = task_pid_tgid(task);
	struct cap_cpu_counters *c = admit(pid_tgid, task);
	if (!c)
		return 0;

	struct ectx x = {};
	args_from_regs(&x, regs);
	x.res = ret;
	x.pid_tgid = pid_tgid;
	x.nr = nr;
	x.type = plus1 - 1;
	x.dir = CAPTURE_DIR_EXIT;
	if (kept) {
		x.args[0] = kept->args[0];
		x.args[1] = kept->args[1];
		x.args[2] = kept->args[2];
		x.args[3] = kept->args[3];
		x.args[4] = kept->args[4];
		x.args[5] = kept->args[5];
		tid = (u32)pid_tgid;
		bpf_map_delete_elem(&exec_stash, &tid);
	} else if (nr == MB_NR_execveat && ret == 0) {
		x.args_lost = true; /* no sched_prepare_exec on this kernel */
	}
	emit(&x, c);
	return 0;
}

/* Enter events: attached only when they are asked for, since a program on
 * sys_enter costs every syscall of the machine. Nothing else needs it:
 * exit/exit_group are written at sched_process_exit and execveat's
 * arguments are kept at sched_prepare_exec. */
SEC("tp_btf/sys_enter")
int BPF_PROG(mb_sys_enter, struct pt_regs *regs, long id)
{
	u32 nr = (u32)id;
	if (!nr_selected(nr))
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	u64 pid_tgid = task_pid_tgid(task);
	struct cap_cpu_counters *c = admit(pid_tgid, task);
	if (!c)
		return 0;
	struct ectx x = {};
	args_from_regs(&x, regs);
	x.pid_tgid = pid_tgid;
	x.nr = nr;
	x.type = CAPTURE_EVT_SYSCALL_ENTER;
	x.dir = CAPTURE_DIR_ENTER;
	emit_reserved(&x, c, CAPTURE_EVT_SYSCALL_ENTER);
	return 0;
}

/* execveat's dirfd and flags: a successful exec resets the registers before
 * sys_exit, so they are kept here, at the start of the point of no return,
 * while the registers still hold the caller's arguments (Linux 6.10+; the
 * loader leaves this program out on older kernels, where a successful
 * execveat's dirfd and flags are delivered missing). */
SEC("tp_btf/sched_prepare_exec")
int BPF_PROG(mb_prepare_exec, struct task_struct *task, struct linux_binprm *bprm)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (!regs || (u32)regs->orig_ax != MB_NR_execveat || !nr_selected(MB_NR_execveat))
		return 0;
	struct mb_exec_args kept;
	kept.args[0] = regs->di;
	kept.args[1] = regs->si;
	kept.args[2] = regs->dx;
	kept.args[3] = regs->r10;
	kept.args[4] = regs->r8;
	kept.args[5] = regs->r9;
	u32 tid = (u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&exec_stash, &tid, &kept, BPF_ANY);
	return 0;
}

/* Lifecycle events follow the selection of their syscall family. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(mb_proc_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!nr_selected(MB_NR_clone) && !nr_selected(MB_NR_clone3) && !nr_selected(MB_NR_fork) &&
	    !nr_selected(MB_NR_vfork))
		return 0;
	u64 pid_tgid = bpf_get_current_pid_tgid();
	struct cap_cpu_counters *c = admit(pid_tgid, NULL);
	if (!c)
		return 0;
	struct ectx x = {};
	x.pid_tgid = pid_tgid;
	x.args[0] = (u64)child->pid;
	x.args[1] = (u64)child->tgid;
	x.kptr = (u64)child->comm;
	x.nr = MB_NO_SYSCALL;
	x.type = CAPTURE_EVT_PROC_FORK;
	x.dir = CAPTURE_DIR_EXIT;
	emit_var(&x, c);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(mb_proc_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	u32 tid = (u32)pid_tgid;
	if ((u32)old_pid != tid && nr_selected(MB_NR_execveat)) {
		/* A non-leader thread exec'd and took the leader's tid: its
		 * kept execveat arguments move with it. */
		u32 old = (u32)old_pid;
		struct mb_exec_args *kept = bpf_map_lookup_elem(&exec_stash, &old);
		if (kept) {
			bpf_map_update_elem(&exec_stash, &tid, kept, BPF_ANY);
			bpf_map_delete_elem(&exec_stash, &old);
		}
	}
	if (!nr_selected(MB_NR_execve) && !nr_selected(MB_NR_execveat))
		return 0;
	struct cap_cpu_counters *c = admit(pid_tgid, NULL);
	if (!c)
		return 0;
	struct ectx x = {};
	x.pid_tgid = pid_tgid;
	x.kptr = (u64)bprm->filename;
	x.args[1] = (u64)(s64)old_pid;
	x.nr = MB_NO_SYSCALL;
	x.type = CAPTURE_EVT_PROC_EXEC;
	x.dir = CAPTURE_DIR_EXIT;
	emit_var(&x, c);
	return 0;
}

/*
 * A thread's end. exit and exit_group never return to sys_exit: when the
 * thread ends because it called one of them (its saved orig_ax says so;
 * threads taken down by another's exit_group or by a signal say otherwise),
 * that syscall's event is written here, with the status it was given. Then
 * the lifecycle event, with the wait status and the signal for the parent.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(mb_proc_exit, struct task_struct *p)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(p);
	u32 nr = (u32)regs->orig_ax;
	struct cap_cpu_counters *c;

	if ((nr == MB_NR_exit || nr == MB_NR_exit_group) && nr_selected(nr) &&
	    (c = admit(pid_tgid, bpf_get_current_task_btf()))) {
		struct ectx x = {};
		x.pid_tgid = pid_tgid;
		x.nr = nr;
		x.args[0] = regs->di;
		x.dir = CAPTURE_DIR_EXIT;
		if (nr == MB_NR_exit) {
			x.type = CAPTURE_EVT_EXIT;
			emit_reserved(&x, c, CAPTURE_EVT_EXIT);
		} else {
			x.type = CAPTURE_EVT_EXIT_GROUP;
			emit_reserved(&x, c, CAPTURE_EVT_EXIT_GROUP);
		}
	}
	if ((nr_selected(MB_NR_exit) || nr_selected(MB_NR_exit_group)) &&
	    (c = admit(pid_tgid, NULL))) {
		struct ectx x = {};
		x.pid_tgid = pid_tgid;
		x.args[0] = (u64)(s64)p->exit_code;
		x.args[1] = (u64)(s64)p->exit_signal;
		x.nr = MB_NO_SYSCALL;
		x.type = CAPTURE_EVT_PROC_EXIT;
		x.dir = CAPTURE_DIR_EXIT;
		emit_reserved(&x, c, CAPTURE_EVT_PROC_EXIT);
	}
	u32 tid = (u32)pid_tgid;
	if (suppress_on && bpf_map_delete_elem(&suppressed_tids, &tid) == 0)
		__sync_fetch_and_add(&tids_suppressed, -1);
	/* An exec that died past sched_prepare_exec leaves its kept
	 * arguments behind; they must not be taken for a later tid's. */
	if (nr_selected(MB_NR_execveat))
		bpf_map_delete_elem(&exec_stash, &tid);
	return 0;
}
