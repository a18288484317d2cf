// SPDX-License-Identifier: Apache-2.0
/*
 * The synthetic engine: simulated CPUs "call" syscalls from a mix and write
 * the resulting events, in the real wire format, into rings with the kernel's
 * semantics, counting every outcome exactly where the real driver will. It is
 * the bench for everything above the driver: tests drive the real API with it
 * deterministically (unthreaded) or concurrently (threaded).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../cap_internal.h"
#include "../../event_build.h"
#include "synth_ring.h"

/* Largest gap marker: every category with all three kinds. */
#define CAP_GAP_MARKER_MAX_PAYLOAD \
	(CAPTURE_EVENT_HDR_BYTES + 6 * 2 + 4 + 4 * 8 + \
	 CAPTURE_DROP_CATEGORY_COUNT * 3 * sizeof(struct capture_gap_entry))

/* Prebuilt bytes of the events one syscall of the mix produces. */
struct synth_template {
	uint32_t nr;
	uint8_t category;
	uint8_t shed_class; /* of the exit type; enter events follow it */
	uint32_t exit_len, enter_len;
	uint8_t *exit_evt, *enter_evt; /* 8-byte aligned */
};

struct synth_cpu {
	struct synth_engine *eng;
	uint32_t id;
	struct synth_ring *ring;
	struct cap_cpu_counters counters; /* written by this CPU's producer only */
	uint64_t calls;                   /* syscalls simulated so far */
	uint64_t attempts;                /* events attempted (for pf/scratch_every) */
	uint64_t last_ts;
	struct synth_gap {               /* losses since this CPU's last written event */
		uint64_t lost, shed, ts_first, ts_last;
		uint64_t lost_by[CAPTURE_DROP_CATEGORY_COUNT][2];
		uint64_t shed_by[CAPTURE_DROP_CATEGORY_COUNT];
	} gap;
	uint64_t *lost_by_syscall;       /* per syscall number, read by other threads */
	pthread_t thread;
	bool thread_started;
	_Atomic bool produced; /* events_per_cpu reached */
	_Atomic bool done;     /* ... and the last gap marker written */
} __attribute__((aligned(64)));

struct synth_engine {
	struct capture *h;
	const struct capture_synthetic_opts *o;
	uint32_t ncpus, nrings, cpus_per_ring;
	struct synth_cpu *cpus;
	struct synth_ring *rings;
	struct cap_ring *readers;
	struct cap_merge merge;
	struct synth_template *tmpl;
	uint32_t ntmpl;
	_Atomic bool stop;
	bool running, stopped;
	uint64_t start_mono_ns;
	uint64_t shed_above_bytes; /* ring fill past which shedding starts; 0 = off */
	/* After stop: the marker of a CPU's last losses, handed out from here
	 * since no next event will carry it into a ring. */
	uint8_t trailing[CAP_GAP_MARKER_MAX_PAYLOAD] __attribute__((aligned(8)));
};

static const char *const default_mix[] = {
	"openat", "read", "read", "write", "close", "connect", "getppid", "clone", "execve",
	"exit_group", "mkdir", "unlinkat",
};

static void bump(uint64_t *counter)
{
	/* One writer per CPU, readers on any thread: a relaxed store of the
	 * incremented value is exact and needs no locked instruction. */
	__atomic_store_n(counter, *counter + 1, __ATOMIC_RELAXED);
}

/* Plausible values for each parameter kind, so consumers see real shapes. */
static void build_param(struct cap_event_builder *b, enum capture_param_kind kind, uint32_t nr,
			uint32_t snaplen)
{
	static const char argv[] = "synth\0--flag";
	static const uint8_t data[64] = "synthetic payload bytes, the first snaplen of a buffer....";
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(8080) };
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	switch (kind) {
	case CAPTURE_PK_FD:
		cap_build_u64(b, 3);
		break;
	case CAPTURE_PK_PID:
		cap_build_u64(b, 4242);
		break;
	case CAPTURE_PK_SYSCALL_NR:
		cap_build_u32(b, nr);
		break;
	case CAPTURE_PK_PATH:
		cap_build_str(b, "/var/lib/synthetic/file");
		break;
	case CAPTURE_PK_STRING:
		cap_build_str(b, "synthetic");
		break;
	case CAPTURE_PK_STRARRAY:
		cap_build_param(b, argv, sizeof(argv));
		break;
	case CAPTURE_PK_BYTES:
		cap_build_param(b, data, snaplen < 32 ? snaplen : 32);
		break;
	case CAPTURE_PK_SOCKADDR:
		cap_build_param(b, &sin, sizeof(sin));
		break;
	default: {
		size_t size = cap_param_kind_size(kind);
		uint64_t zero = 0;
		cap_build_param(b, &zero, size);
	}
	}
}

static int build_event(struct synth_engine *e, uint32_t type, uint32_t nr, uint8_t **out,
		       uint32_t *len)
{
	uint8_t buf[1024] __attribute__((aligned(8)));
	struct cap_event_builder b;
	cap_build_begin(&b, buf, sizeof(buf), type, 0, 0, 0);
	int n = capture_event_type_nparams(type);
	for (int i = 0; i < n; i++)
		build_param(&b, capture_event_param_kind(type, (uint32_t)i), nr, e->h->cfg.snaplen);
	int rc = cap_build_end(&b);
	if (rc < 0)
		return rc;
	*out = aligned_alloc(8, ((size_t)rc + 7) & ~(size_t)7);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, buf, (size_t)rc);
	*len = (uint32_t)rc;
	return 0;
}

static int build_templates(struct synth_engine *e)
{
	const struct capture_synthetic_opts *o = e->o;
	e->ntmpl = o->mix_len ? (uint32_t)o->mix_len
			      : (uint32_t)(sizeof(default_mix) / sizeof(default_mix[0]));
	e->tmpl = calloc(e->ntmpl, sizeof(*e->tmpl));
	if (!e->tmpl)
		return -ENOMEM;
	for (uint32_t i = 0; i < e->ntmpl; i++) {
		struct synth_template *t = &e->tmpl[i];
		t->nr = o->mix_len ? o->mix[i] : (uint32_t)capture_syscall_nr(default_mix[i]);
		int type = capture_syscall_event_type(t->nr);
		if (type < 0)
			return type;
		t->category = (uint8_t)capture_event_type_category((uint32_t)type);
		t->shed_class = (uint8_t)cap_shed_class((uint32_t)type);
		int rc = build_event(e, (uint32_t)type, t->nr, &t->exit_evt, &t->exit_len);
		if (!rc && e->h->cfg.enter_events)
			rc = build_event(e, CAPTURE_EVT_SYSCALL_ENTER, t->nr, &t->enter_evt,
					 &t->enter_len);
		if (rc)
			return rc;
	}
	return 0;
}

#define CAP_SYNTH_REANCHOR_NS 1000000ull

static void gap_note(struct synth_cpu *c, uint64_t ts)
{
	if (!c->gap.lost && !c->gap.shed)
		c->gap.ts_first = ts;
	c->gap.ts_last = ts;
}

/* The gap marker of a CPU's pending losses, built in buf. Its length. */
static int build_gap_marker(struct synth_cpu *c, uint8_t *buf, size_t cap)
{
	struct capture_gap_entry entries[CAPTURE_DROP_CATEGORY_COUNT * 3];
	size_t n = 0;
	for (uint32_t cat = 0; cat < CAPTURE_DROP_CATEGORY_COUNT; cat++) {
		const uint64_t counts[3] = { c->gap.lost_by[cat][0], c->gap.lost_by[cat][1],
					     c->gap.shed_by[cat] };
		for (uint8_t kind = 0; kind < 3; kind++)
			if (counts[kind])
				entries[n++] = (struct capture_gap_entry){
					.category = (uint8_t)cat, .kind = kind, .count = counts[kind]
				};
	}
	struct cap_event_builder b;
	cap_build_begin(&b, buf, cap, CAPTURE_EVT_DROP, c->gap.ts_last, 0, 0);
	cap_build_u32(&b, c->id);
	cap_build_u64(&b, c->gap.lost);
	cap_build_u64(&b, c->gap.shed);
	cap_build_u64(&b, c->gap.ts_first);
	cap_build_u64(&b, c->gap.ts_last);
	cap_build_param(&b, entries, n * sizeof(entries[0]));
	return cap_build_end(&b);
}

/* The gap marker for this CPU's losses, written before its next event.
 * false when the ring has no room for it either. */
static bool write_gap_marker(struct synth_cpu *c)
{
	uint8_t buf[CAP_GAP_MARKER_MAX_PAYLOAD] __attribute__((aligned(8)));
	int len = build_gap_marker(c, buf, sizeof(buf));
	void *slot = len > 0 ? synth_ring_reserve(c->ring, (uint32_t)len) : NULL;
	if (!slot)
		return false;
	memcpy(slot, buf, (size_t)len);
	synth_ring_commit(slot);
	memset(&c->gap, 0, sizeof(c->gap));
	return true;
}

/* A lost event: its drop counter (exactly one) and the CPU's gap. */
static void lose(struct synth_cpu *c, uint64_t *counter, uint32_t nr, uint32_t category,
		 uint32_t dir, uint64_t ts)
{
	bump(counter);
	bump(&c->lost_by_syscall[nr]);
	gap_note(c, ts);
	c->gap.lost++;
	c->gap.lost_by[category][dir]++;
}

/* Write one event or count why it was not: exactly one counter moves
 * besides n_evts. Every attempt takes the next nanosecond of its CPU's
 * clock, which follows the wall clock in steps of at least
 * CAP_SYNTH_REANCHOR_NS and only while no loss is pending: so a hole in a
 * CPU's timestamps is exactly the span its gap marker reports. */
static void emit(struct synth_cpu *c, const struct synth_template *t, bool enter, uint32_t tid)
{
	struct synth_engine *e = c->eng;
	const struct capture_synthetic_opts *o = e->o;
	uint32_t category = t->category, dir = enter ? CAPTURE_DIR_ENTER : CAPTURE_DIR_EXIT;
	uint64_t ts = ++c->last_ts;
	bump(&c->counters.n_evts);
	c->attempts++;
	if (o->pf_every && c->attempts % o->pf_every == 0) {
		lose(c, &c->counters.n_drops_pf, t->nr, category, dir, ts);
		return;
	}
	if (o->scratch_every && c->attempts % o->scratch_every == 0) {
		lose(c, &c->counters.n_drops_scratch_map, t->nr, category, dir, ts);
		return;
	}
	if ((t->shed_class & e->h->cfg.shed_classes) && e->shed_above_bytes &&
	    synth_ring_fill_above(c->ring, e->shed_above_bytes)) {
		bump(&c->counters.n_shed[category]);
		bump(&c->lost_by_syscall[t->nr]);
		gap_note(c, ts);
		c->gap.shed++;
		c->gap.shed_by[category]++;
		return;
	}
	uint32_t len = enter ? t->enter_len : t->exit_len;
	/* A marker goes out only with room for the event after it, so a
	 * marker is always followed by its CPU's next event. */
	if ((c->gap.lost || c->gap.shed) &&
	    (!synth_ring_has_room(c->ring, cap_ring_record_bytes(CAP_GAP_MARKER_MAX_PAYLOAD) +
						    cap_ring_record_bytes(len)) ||
	     !write_gap_marker(c))) {
		lose(c, &c->counters.n_drops_buffer[category][dir], t->nr, category, dir, ts);
		return;
	}
	void *slot = synth_ring_reserve(c->ring, len);
	if (!slot) {
		lose(c, &c->counters.n_drops_buffer[category][dir], t->nr, category, dir, ts);
		return;
	}
	memcpy(slot, enter ? t->enter_evt : t->exit_evt, len);
	struct capture_event *evt = slot;
	evt->ts = ts;
	evt->tid = tid;
	evt->pid = 10000 + c->id;
	synth_ring_commit(slot);
}

/* After its last event a CPU still owes the marker of a trailing loss. */
static void finish(struct synth_cpu *c)
{
	atomic_store_explicit(&c->produced, true, memory_order_release);
	if ((!c->gap.lost && !c->gap.shed) || write_gap_marker(c))
		atomic_store_explicit(&c->done, true, memory_order_release);
}

/* Simulate up to n syscalls on one CPU. */
static void produce(struct synth_cpu *c, uint32_t n)
{
	struct synth_engine *e = c->eng;
	uint64_t limit = e->o->events_per_cpu;
	if (atomic_load_explicit(&c->produced, memory_order_relaxed)) {
		if (!atomic_load_explicit(&c->done, memory_order_relaxed))
			finish(c); /* retry the trailing marker */
		return;
	}
	if (limit && c->calls + n > limit)
		n = (uint32_t)(limit - c->calls);
	/* Keep the CPU's clock near the wall clock, moving it only where no
	 * loss is pending, so a gap marker's window stays exact. */
	if (!c->gap.lost && !c->gap.shed) {
		uint64_t now = cap_clock_ns(CLOCK_REALTIME);
		if (now > c->last_ts + CAP_SYNTH_REANCHOR_NS)
			c->last_ts = now;
	}
	for (uint32_t k = 0; k < n; k++) {
		const struct synth_template *t = &e->tmpl[c->calls % e->ntmpl];
		uint32_t tid = 10000 + c->id + (uint32_t)(c->calls & 3) * 1000000;
		c->calls++;
		if (!cap_selected(&e->h->selection, t->nr))
			continue;
		if (t->enter_evt)
			emit(c, t, true, tid);
		emit(c, t, false, tid);
	}
	if (limit && c->calls >= limit)
		finish(c);
}

static void sleep_until_mono(uint64_t t_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(t_ns / 1000000000ull),
			       .tv_nsec = (long)(t_ns % 1000000000ull) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void *producer_thread(void *arg)
{
	struct synth_cpu *c = arg;
	struct synth_engine *e = c->eng;
	const struct capture_synthetic_opts *o = e->o;
	while (!atomic_load_explicit(&e->stop, memory_order_relaxed) &&
	       !atomic_load_explicit(&c->done, memory_order_relaxed)) {
		if (atomic_load_explicit(&c->produced, memory_order_relaxed)) {
			/* Waiting for room for the trailing gap marker. */
			sleep_until_mono(cap_clock_ns(CLOCK_MONOTONIC) + 1000000);
			produce(c, 0);
			continue;
		}
		produce(c, o->burst);
		if (o->rate_per_cpu) {
			uint64_t due = e->start_mono_ns +
				       (uint64_t)((double)c->calls * 1e9 / (double)o->rate_per_cpu);
			/* Sleep in slices so capture_stop() is never kept waiting. */
			for (uint64_t now = cap_clock_ns(CLOCK_MONOTONIC); due > now &&
			     !atomic_load_explicit(&e->stop, memory_order_relaxed);
			     now = cap_clock_ns(CLOCK_MONOTONIC))
				sleep_until_mono(due - now > 10000000 ? now + 10000000 : due);
		}
	}
	return NULL;
}

static bool all_produced(struct synth_engine *e)
{
	if (!e->o->events_per_cpu)
		return false;
	for (uint32_t i = 0; i < e->ncpus; i++)
		if (!atomic_load_explicit(&e->cpus[i].produced, memory_order_acquire))
			return false;
	return true;
}

static bool all_done(struct synth_engine *e)
{
	if (!e->o->events_per_cpu)
		return false;
	for (uint32_t i = 0; i < e->ncpus; i++)
		if (!atomic_load_explicit(&e->cpus[i].done, memory_order_acquire))
			return false;
	return true;
}

static void synth_close(struct capture *h)
{
	struct synth_engine *e = h->engine;
	if (!e)
		return;
	cap_merge_free(&e->merge);
	if (e->rings)
		for (uint32_t i = 0; i < e->nrings; i++)
			synth_ring_destroy(&e->rings[i]);
	if (e->tmpl)
		for (uint32_t i = 0; i < e->ntmpl; i++) {
			free(e->tmpl[i].exit_evt);
			free(e->tmpl[i].enter_evt);
		}
	free(e->tmpl);
	if (e->cpus)
		for (uint32_t i = 0; i < e->ncpus; i++)
			free(e->cpus[i].lost_by_syscall);
	free(e->rings);
	free(e->readers);
	free(e->cpus);
	free(e);
	h->engine = NULL;
}

static int synth_open(struct capture *h)
{
	struct synth_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return cap_err(h, -ENOMEM, "synthetic: out of memory");
	h->engine = e;
	e->h = h;
	e->o = &h->cfg.synthetic;
	e->ncpus = e->o->cpus;
	e->cpus_per_ring = h->cfg.cpus_per_buffer > e->ncpus ? e->ncpus : h->cfg.cpus_per_buffer;
	e->nrings = (e->ncpus + e->cpus_per_ring - 1) / e->cpus_per_ring;
	e->shed_above_bytes = h->cfg.buffer_bytes * h->cfg.shed_threshold_pct / 100;
	e->cpus = aligned_alloc(64, sizeof(*e->cpus) * e->ncpus);
	if (e->cpus) /* before any failure: synth_close() walks them */
		memset(e->cpus, 0, sizeof(*e->cpus) * e->ncpus);
	e->rings = calloc(e->nrings, sizeof(*e->rings));
	e->readers = calloc(e->nrings, sizeof(*e->readers));
	int rc = 0;
	if (!e->cpus || !e->rings || !e->readers) {
		rc = cap_err(h, -ENOMEM, "synthetic: out of memory for %u CPUs", e->ncpus);
		goto fail;
	}
	rc = build_templates(e);
	if (rc) {
		rc = cap_err(h, rc, "synthetic: building the event templates failed: %s",
			     capture_strerror(rc));
		goto fail;
	}
	for (uint32_t i = 0; i < e->nrings; i++) {
		rc = synth_ring_create(&e->rings[i], h->cfg.buffer_bytes, e->cpus_per_ring > 1);
		if (rc) {
			e->nrings = i;
			rc = cap_err(h, rc, "synthetic: mapping ring %u of %llu bytes failed: %s", i,
				     (unsigned long long)h->cfg.buffer_bytes, capture_strerror(rc));
			goto fail;
		}
		cap_ring_init(&e->readers[i], e->rings[i].consumer_pos, e->rings[i].producer_pos,
			      e->rings[i].data, e->rings[i].size);
	}
	for (uint32_t i = 0; i < e->ncpus; i++) {
		e->cpus[i].lost_by_syscall = calloc(CAP_SYSCALL_WORDS * 64, sizeof(uint64_t));
		if (!e->cpus[i].lost_by_syscall) {
			rc = cap_err(h, -ENOMEM, "synthetic: out of memory");
			goto fail;
		}
		e->cpus[i].eng = e;
		e->cpus[i].id = i;
		e->cpus[i].ring = &e->rings[i / e->cpus_per_ring];
	}
	rc = cap_merge_init(&e->merge, e->readers, e->nrings);
	if (rc) {
		rc = cap_err(h, rc, "synthetic: out of memory");
		goto fail;
	}
	return 0;
fail:
	synth_close(h);
	return rc;
}

static int synth_stop(struct capture *h)
{
	struct synth_engine *e = h->engine;
	atomic_store(&e->stop, true);
	for (uint32_t i = 0; i < e->ncpus; i++)
		if (e->cpus[i].thread_started) {
			pthread_join(e->cpus[i].thread, NULL);
			e->cpus[i].thread_started = false;
		}
	e->running = false;
	e->stopped = true;
	return 0;
}

static int synth_start(struct capture *h)
{
	struct synth_engine *e = h->engine;
	e->start_mono_ns = cap_clock_ns(CLOCK_MONOTONIC);
	uint64_t wall = cap_clock_ns(CLOCK_REALTIME);
	for (uint32_t i = 0; i < e->ncpus; i++)
		e->cpus[i].last_ts = wall;
	e->running = true;
	if (!e->o->threaded)
		return 0;
	for (uint32_t i = 0; i < e->ncpus; i++) {
		int rc = pthread_create(&e->cpus[i].thread, NULL, producer_thread, &e->cpus[i]);
		if (rc) {
			synth_stop(h);
			e->stopped = false;
			atomic_store(&e->stop, false);
			return cap_err(h, -rc, "synthetic: starting producer thread %u failed: %s", i,
				       capture_strerror(-rc));
		}
		e->cpus[i].thread_started = true;
	}
	return 0;
}

/* The consumer-stall knobs: true while capture_next() must not read. */
static bool stalled(struct synth_engine *e, uint64_t now)
{
	if (!e->running)
		return false;
	if (e->o->stall_until_done && !all_produced(e))
		return true;
	return e->o->stall_ms && now < e->start_mono_ns + (uint64_t)e->o->stall_ms * 1000000ull;
}

static int synth_next(struct capture *h, const struct capture_event **evt, uint32_t *cpu)
{
	struct synth_engine *e = h->engine;
	uint32_t timeout = h->cfg.next_timeout_ms;
	uint64_t deadline = 0, backoff_ns = 10000;
	bool produced = false;
	for (;;) {
		uint64_t now = 0;
		if (e->o->threaded && (e->o->stall_ms || e->o->stall_until_done))
			now = cap_clock_ns(CLOCK_MONOTONIC);
		if (!stalled(e, now)) {
			/* Read "done" before the rings: an empty ring after every
			 * producer finished is truly the end. */
			bool finished = e->stopped || all_done(e);
			uint32_t ring;
			const struct capture_event *got = cap_merge_next(&e->merge, &ring);
			if (got) {
				*evt = got;
				*cpu = e->cpus_per_ring == 1 ? ring : CAPTURE_CPU_UNKNOWN;
				return CAPTURE_OK;
			}
			for (uint32_t i = 0; i < e->nrings; i++)
				if (e->readers[i].corrupt)
					return cap_err(h, -EIO, "synthetic: ring %u holds an impossible "
							       "record length; stopping", i);
			if (finished) {
				/* Losses after a CPU's last event still get their marker. */
				for (uint32_t i = 0; e->stopped && i < e->ncpus; i++) {
					struct synth_cpu *c = &e->cpus[i];
					if (!c->gap.lost && !c->gap.shed)
						continue;
					if (build_gap_marker(c, e->trailing, sizeof(e->trailing)) < 0)
						return cap_err(h, -EIO, "synthetic: building a gap marker failed");
					memset(&c->gap, 0, sizeof(c->gap));
					*evt = (const struct capture_event *)e->trailing;
					*cpu = e->cpus_per_ring == 1 ? i : CAPTURE_CPU_UNKNOWN;
					return CAPTURE_OK;
				}
				return CAPTURE_EOF;
			}
			if (!e->o->threaded && e->running && !produced) {
				for (uint32_t i = 0; i < e->ncpus; i++)
					produce(&e->cpus[i], e->o->burst);
				produced = true;
				continue;
			}
		}
		/* A round produced nothing selected (unthreaded), or the rings are
		 * empty or stalled (threaded): wait within the caller's limit. */
		produced = false;
		if (timeout == CAPTURE_NO_WAIT)
			return CAPTURE_TIMEOUT;
		now = cap_clock_ns(CLOCK_MONOTONIC);
		if (!deadline)
			deadline = now + (uint64_t)timeout * 1000000ull;
		if (now >= deadline)
			return CAPTURE_TIMEOUT;
		if (!e->o->threaded)
			continue;
		uint64_t wake = now + backoff_ns < deadline ? now + backoff_ns : deadline;
		sleep_until_mono(wake);
		cap_waited(h, cap_clock_ns(CLOCK_MONOTONIC) - now);
		if (backoff_ns < 1000000)
			backoff_ns *= 2;
	}
}

static uint32_t synth_cpu_count(const struct capture *h)
{
	return ((const struct synth_engine *)h->engine)->ncpus;
}

static uint32_t synth_ring_count(const struct capture *h)
{
	return ((const struct synth_engine *)h->engine)->nrings;
}

static int synth_ring_fill(struct capture *h, uint32_t ring, uint64_t *fill, uint64_t *size)
{
	struct synth_engine *e = h->engine;
	if (ring >= e->nrings)
		return -ERANGE;
	*fill = cap_ring_fill_bytes(&e->readers[ring]);
	*size = e->rings[ring].size;
	return 0;
}

static int synth_syscall_losses(struct capture *h, uint64_t *out)
{
	struct synth_engine *e = h->engine;
	for (uint32_t i = 0; i < e->ncpus; i++)
		for (uint32_t nr = 0; nr < CAP_SYSCALL_WORDS * 64; nr++)
			out[nr] += __atomic_load_n(&e->cpus[i].lost_by_syscall[nr], __ATOMIC_RELAXED);
	return 0;
}

static int synth_read_counters(struct capture *h, uint32_t cpu, struct cap_cpu_counters *out)
{
	struct synth_engine *e = h->engine;
	const uint64_t *src = (const uint64_t *)&e->cpus[cpu].counters;
	uint64_t *dst = (uint64_t *)out;
	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	return 0;
}

#define BIT CAPTURE_STAT_BIT
const struct cap_engine_ops cap_engine_synthetic = {
	.name = "synthetic",
	.live = false,
	/* Everything but what only a kernel has: bugs, preemption, suppression. */
	.valid = (BIT(CAPTURE_STAT_N_DROPS_SCRATCH_MAP) - 1) | BIT(CAPTURE_STAT_N_DROPS_SCRATCH_MAP) |
		 BIT(CAPTURE_STAT_N_DROPS_PF) |
		 (((BIT(CAPTURE_DROP_CATEGORY_COUNT + 1) - 1)) << CAPTURE_STAT_N_SHED),
	.open = synth_open,
	.start = synth_start,
	.stop = synth_stop,
	.close = synth_close,
	.next = synth_next,
	.cpu_count = synth_cpu_count,
	.ring_count = synth_ring_count,
	.read_counters = synth_read_counters,
	.ring_fill = synth_ring_fill,
	.syscall_losses = synth_syscall_losses,
};
