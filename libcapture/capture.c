// SPDX-License-Identifier: Apache-2.0
/* The handle: option checking, the engine table, the lifecycle and the calls
 * that every engine shares. Engines are reached only through their vtable. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cap_internal.h"

static const struct cap_engine_ops *const engines[] = {
	&cap_engine_modern_bpf,
	&cap_engine_synthetic,
	&cap_engine_file,
};
#define N_ENGINES (sizeof(engines) / sizeof(engines[0]))

/* Option structs larger than this are certainly not real option structs
 * (an uninitialized sz); reading that far could fault. */
#define OPTS_SZ_MAX 4096u
#define SELECTION_LIST_MAX 4096u
#define SYNTH_CPUS_MAX 1024u
#define SYNTH_BURST_MAX (1u << 20)

const char *capture_version(void)
{
	return CAPTURE_VERSION_STRING;
}

int capture_version_number(void)
{
	return CAPTURE_VERSION_NUMBER;
}

uint64_t cap_clock_ns(int clock_id)
{
	struct timespec ts;
	clock_gettime(clock_id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void vset_error(struct capture *h, const char *fmt, va_list ap)
{
	vsnprintf(h->errmsg, sizeof(h->errmsg), fmt, ap);
}

int cap_err(struct capture *h, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset_error(h, fmt, ap);
	va_end(ap);
	if (h->log_fn && h->log_level >= CAPTURE_LOG_ERROR)
		h->log_fn(CAPTURE_LOG_ERROR, h->errmsg, h->log_ctx);
	return rc;
}

void cap_log(struct capture *h, enum capture_log_level level, const char *fmt, ...)
{
	if (!h->log_fn || level > h->log_level)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	h->log_fn(level, msg, h->log_ctx);
}

/*
 * libbpf's rule for sized option structs: read the fields the caller's sz
 * covers, default the rest, and refuse a larger struct whose unknown tail is
 * not zero, since those options would otherwise be silently ignored.
 */
int cap_opts_copy(struct capture *h, const void *opts, size_t known, void *dst,
		  const char *what)
{
	size_t sz;
	memcpy(&sz, opts, sizeof(sz));
	if (sz < sizeof(size_t))
		return cap_err(h, -EINVAL,
			       "%s.sz is %zu: set it to sizeof(struct %s), e.g. with CAPTURE_OPTS()",
			       what, sz, what);
	if (sz > OPTS_SZ_MAX)
		return cap_err(h, -EINVAL,
			       "%s.sz is %zu, not a plausible size (this library's struct is %zu bytes); "
			       "is the struct initialized?",
			       what, sz, known);
	if (sz > known) {
		const uint8_t *tail = (const uint8_t *)opts + known;
		for (size_t i = 0; i < sz - known; i++)
			if (tail[i])
				return cap_err(h, -E2BIG,
					       "%s has options this library does not know: byte %zu of "
					       "%zu is set, past the %zu bytes of libcapture %s",
					       what, known + i, sz, known, CAPTURE_VERSION_STRING);
	}
	memset(dst, 0, known);
	memcpy(dst, opts, sz < known ? sz : known);
	return 0;
}

static const struct cap_engine_ops *engine_by_name(const char *name)
{
	for (size_t i = 0; i < N_ENGINES; i++)
		if (strcmp(engines[i]->name, name) == 0)
			return engines[i];
	return NULL;
}

static void engine_names(char *buf, size_t len)
{
	size_t off = (size_t)snprintf(buf, len, "auto");
	for (size_t i = 0; i < N_ENGINES && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, ", %s", engines[i]->name);
}

static bool known_syscall(uint32_t nr)
{
	return capture_syscall_name(nr) != NULL;
}

static int selection_from_list(struct capture *h, struct cap_selection *sel, const uint32_t *list,
			       size_t n, const char *what)
{
	if (!list && n)
		return cap_err(h, -EINVAL, "%s is NULL but its count is %zu", what, n);
	if (list && !n)
		return cap_err(h, -EINVAL,
			       "%s is set but its count is 0; pass NULL to capture every syscall", what);
	if (n > SELECTION_LIST_MAX)
		return cap_err(h, -EINVAL, "%s has %zu entries, more than the %u allowed", what, n,
			       SELECTION_LIST_MAX);
	uint64_t words[CAP_SYSCALL_WORDS];
	memset(words, 0, sizeof(words));
	if (!list) {
		for (uint32_t nr = 0; nr < capture_syscall_table_size(); nr++)
			if (known_syscall(nr))
				words[nr / 64] |= 1ull << (nr % 64);
	}
	for (size_t i = 0; i < n; i++) {
		if (!known_syscall(list[i]))
			return cap_err(h, -EINVAL, "%s[%zu] = %u is not a syscall number this library knows",
				       what, i, list[i]);
		words[list[i] / 64] |= 1ull << (list[i] % 64);
	}
	for (uint32_t w = 0; w < CAP_SYSCALL_WORDS; w++)
		atomic_store_explicit(&sel->word[w], words[w], memory_order_relaxed);
	return 0;
}

static int check_synthetic(struct capture *h, const struct capture_synthetic_opts *user)
{
	struct capture_synthetic_opts *s = &h->cfg.synthetic;
	int rc = cap_opts_copy(h, user, sizeof(*s), s, "capture_synthetic_opts");
	if (rc)
		return rc;
	if (!s->cpus)
		s->cpus = 2;
	if (s->cpus > SYNTH_CPUS_MAX)
		return cap_err(h, -EINVAL, "synthetic.cpus is %u, more than the %u supported", s->cpus,
			       SYNTH_CPUS_MAX);
	if (!s->burst)
		s->burst = 64;
	if (s->burst > SYNTH_BURST_MAX)
		return cap_err(h, -EINVAL, "synthetic.burst is %u, more than the %u supported",
			       s->burst, SYNTH_BURST_MAX);
	if (s->mix_len && !s->mix)
		return cap_err(h, -EINVAL, "synthetic.mix is NULL but mix_len is %zu", s->mix_len);
	if (s->mix && !s->mix_len)
		return cap_err(h, -EINVAL, "synthetic.mix is set but mix_len is 0");
	if (s->mix_len > SELECTION_LIST_MAX)
		return cap_err(h, -EINVAL, "synthetic.mix has %zu entries, more than the %u allowed",
			       s->mix_len, SELECTION_LIST_MAX);
	for (size_t i = 0; i < s->mix_len; i++)
		if (!known_syscall(s->mix[i]))
			return cap_err(h, -EINVAL,
				       "synthetic.mix[%zu] = %u is not a syscall number this library knows",
				       i, s->mix[i]);
	if (!s->threaded && (s->rate_per_cpu || s->stall_ms || s->stall_until_done))
		return cap_err(h, -EINVAL,
			       "synthetic.rate_per_cpu, stall_ms and stall_until_done need threaded = true "
			       "(the unthreaded producer runs inside capture_next)");
	if (s->stall_until_done && !s->events_per_cpu)
		return cap_err(h, -EINVAL,
			       "synthetic.stall_until_done needs events_per_cpu, or nothing would ever "
			       "be delivered");
	if (s->mix_len) {
		h->cfg.synthetic_mix = malloc(s->mix_len * sizeof(uint32_t));
		if (!h->cfg.synthetic_mix)
			return cap_err(h, -ENOMEM, "out of memory copying synthetic.mix");
		memcpy(h->cfg.synthetic_mix, s->mix, s->mix_len * sizeof(uint32_t));
	}
	s->mix = h->cfg.synthetic_mix;
	return 0;
}

/* include_self and the suppression lists: kernel-side selection, which only
 * live engines have; the lists are copied into the handle. */
static int check_kernel_selection(struct capture *h, const struct capture_open_opts *o,
				  const char *engine)
{
	struct cap_config *c = &h->cfg;
	bool wanted = o->include_self || o->suppressed_tids || o->n_suppressed_tids ||
		      o->suppressed_comms || o->n_suppressed_comms;
	const struct cap_engine_ops *ops = engine_by_name(engine);
	if (wanted && ops && !ops->live)
		return cap_err(h, -EINVAL,
			       "include_self and the suppressed tids/comms select threads in the kernel; "
			       "the \"%s\" engine has none (use a live engine or \"auto\")",
			       engine);
	c->include_self = o->include_self;
	if (!o->suppressed_tids != !o->n_suppressed_tids)
		return cap_err(h, -EINVAL, "suppressed_tids and n_suppressed_tids (%zu) disagree: give "
				   "both or neither", o->n_suppressed_tids);
	if (o->n_suppressed_tids > CAP_SUPPRESSED_TIDS_MAX)
		return cap_err(h, -EINVAL, "n_suppressed_tids is %zu, more than the %u allowed",
			       o->n_suppressed_tids, CAP_SUPPRESSED_TIDS_MAX);
	if (!o->suppressed_comms != !o->n_suppressed_comms)
		return cap_err(h, -EINVAL, "suppressed_comms and n_suppressed_comms (%zu) disagree: "
				   "give both or neither", o->n_suppressed_comms);
	if (o->n_suppressed_comms > CAP_SUPPRESSED_COMMS_MAX)
		return cap_err(h, -EINVAL, "n_suppressed_comms is %zu, more than the %u allowed",
			       o->n_suppressed_comms, CAP_SUPPRESSED_COMMS_MAX);
	for (size_t i = 0; i < o->n_suppressed_tids; i++)
		if (o->suppressed_tids[i] == 0 || o->suppressed_tids[i] > INT32_MAX)
			return cap_err(h, -EINVAL, "suppressed_tids[%zu] = %u is not a thread id", i,
				       o->suppressed_tids[i]);
	for (size_t i = 0; i < o->n_suppressed_comms; i++) {
		const char *name = o->suppressed_comms[i];
		size_t len = name ? strnlen(name, CAP_COMM_LEN) : 0;
		if (len == 0 || len >= CAP_COMM_LEN)
			return cap_err(h, -EINVAL,
				       "suppressed_comms[%zu] must be a name of 1 to %u bytes (a comm)", i,
				       CAP_COMM_LEN - 1);
	}
	if (o->n_suppressed_tids) {
		c->suppressed_tids = malloc(o->n_suppressed_tids * sizeof(uint32_t));
		if (!c->suppressed_tids)
			return cap_err(h, -ENOMEM, "out of memory copying suppressed_tids");
		memcpy(c->suppressed_tids, o->suppressed_tids, o->n_suppressed_tids * sizeof(uint32_t));
		c->n_suppressed_tids = o->n_suppressed_tids;
	}
	if (o->n_suppressed_comms) {
		c->suppressed_comms = calloc(o->n_suppressed_comms, CAP_COMM_LEN);
		if (!c->suppressed_comms)
			return cap_err(h, -ENOMEM, "out of memory copying suppressed_comms");
		for (size_t i = 0; i < o->n_suppressed_comms; i++)
			memcpy(c->suppressed_comms[i], o->suppressed_comms[i],
			       strnlen(o->suppressed_comms[i], CAP_COMM_LEN));
		c->n_suppressed_comms = o->n_suppressed_comms;
	}
	return 0;
}

static int configure(struct capture *h, const struct capture_open_opts *user)
{
	struct capture_open_opts o;
	if (user) {
		int rc = cap_opts_copy(h, user, sizeof(o), &o, "capture_open_opts");
		if (rc)
			return rc;
	} else {
		memset(&o, 0, sizeof(o));
		o.sz = sizeof(o);
	}
	if (o.log_level > CAPTURE_LOG_DEBUG)
		return cap_err(h, -EINVAL, "log_level %d is not a capture_log_level", (int)o.log_level);
	h->log_fn = o.log_fn;
	h->log_ctx = o.log_ctx;
	h->log_level = o.log_fn ? o.log_level : CAPTURE_LOG_ERROR;

	struct cap_config *c = &h->cfg;
	const char *engine = o.engine ? o.engine : "auto";
	if (strlen(engine) >= sizeof(c->engine) ||
	    (strcmp(engine, "auto") != 0 && !engine_by_name(engine))) {
		char names[128];
		engine_names(names, sizeof(names));
		return cap_err(h, -ENOENT, "unknown engine \"%.64s\" (this library has: %s)", engine,
			       names);
	}
	strcpy(c->engine, engine);

	c->buffer_bytes = o.buffer_bytes ? o.buffer_bytes : CAPTURE_BUFFER_BYTES_DEFAULT;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	if (c->buffer_bytes & (c->buffer_bytes - 1) || c->buffer_bytes < page ||
	    c->buffer_bytes > CAPTURE_BUFFER_BYTES_MAX)
		return cap_err(h, -EINVAL,
			       "buffer_bytes is %llu: it must be a power of two from the page size (%llu) "
			       "to %llu",
			       (unsigned long long)c->buffer_bytes, (unsigned long long)page,
			       (unsigned long long)CAPTURE_BUFFER_BYTES_MAX);
	c->cpus_per_buffer = o.cpus_per_buffer ? o.cpus_per_buffer : 1;
	c->snaplen = o.snaplen ? o.snaplen : 80;
	if (c->snaplen > CAPTURE_SNAPLEN_MAX)
		return cap_err(h, -EINVAL, "snaplen is %u, more than the maximum of %u", c->snaplen,
			       CAPTURE_SNAPLEN_MAX);
	c->enter_events = o.enter_events;
	c->next_timeout_ms = o.next_timeout_ms ? o.next_timeout_ms : 100;

	int rc = selection_from_list(h, &h->selection, o.syscalls, o.n_syscalls, "syscalls");
	if (rc)
		return rc;

	if (o.shed_threshold_pct > 99)
		return cap_err(h, -EINVAL, "shed_threshold_pct is %u: use 1 to 99 (0 = 50)",
			       o.shed_threshold_pct);
	if (o.shed_classes & ~CAPTURE_SHED_ALL)
		return cap_err(h, -EINVAL, "shed_classes has unknown bits 0x%x", o.shed_classes);
	if (o.no_shedding && (o.shed_threshold_pct || o.shed_classes))
		return cap_err(h, -EINVAL, "no_shedding is set together with shed_threshold_pct or "
				   "shed_classes");
	c->shed_threshold_pct = o.no_shedding ? 0 : o.shed_threshold_pct ? o.shed_threshold_pct : 50;
	c->shed_classes = o.shed_classes ? o.shed_classes : CAPTURE_SHED_IO | CAPTURE_SHED_GENERIC;

	bool is_file = strcmp(engine, "file") == 0;
	if (is_file && !o.file_path)
		return cap_err(h, -EINVAL, "engine \"file\" needs file_path");
	if (!is_file && o.file_path)
		return cap_err(h, -EINVAL, "file_path is set but the engine is \"%s\", not \"file\"",
			       engine);
	if (o.file_path && !(c->file_path = strdup(o.file_path)))
		return cap_err(h, -ENOMEM, "out of memory copying file_path");
	rc = check_kernel_selection(h, &o, engine);
	if (rc)
		return rc;
	if (o.synthetic && strcmp(engine, "synthetic") != 0)
		return cap_err(h, -EINVAL, "synthetic options were given but the engine is \"%s\"",
			       engine);
	if (strcmp(engine, "synthetic") == 0) {
		struct capture_synthetic_opts defaults = { .sz = sizeof(defaults) };
		rc = check_synthetic(h, o.synthetic ? o.synthetic : &defaults);
		if (rc)
			return rc;
	}
	return 0;
}

static int open_engine(struct capture *h)
{
	if (strcmp(h->cfg.engine, "auto") != 0) {
		h->ops = engine_by_name(h->cfg.engine);
		h->stats_valid = h->ops->valid;
		return h->ops->open(h);
	}
	/* auto: the first live engine the kernel accepts; never the synthetic one. */
	char reasons[384] = "";
	size_t off = 0;
	for (size_t i = 0; i < N_ENGINES; i++) {
		if (!engines[i]->live)
			continue;
		h->ops = engines[i];
		h->stats_valid = h->ops->valid;
		if (h->ops->open(h) == 0) {
			cap_log(h, CAPTURE_LOG_INFO, "engine auto: using %s", h->ops->name);
			return 0;
		}
		off += (size_t)snprintf(reasons + off, off < sizeof(reasons) ? sizeof(reasons) - off : 0,
					"%s%s: %s", off ? "; " : "", h->ops->name, h->errmsg);
	}
	h->ops = NULL;
	return cap_err(h, -ENOENT, "engine auto: no live capture engine is usable here%s%s",
		       off ? " (" : " (none is built into this library)", off ? reasons : "");
}

capture_t *capture_open(const struct capture_open_opts *opts, char *errbuf, size_t errbuf_sz)
{
	struct capture *h = calloc(1, sizeof(*h));
	if (!h) {
		if (errbuf && errbuf_sz)
			snprintf(errbuf, errbuf_sz, "out of memory allocating the capture handle");
		errno = ENOMEM;
		return NULL;
	}
	h->state = CAP_STATE_OPEN;
	int rc = configure(h, opts);
	if (!rc) {
		rc = open_engine(h);
		if (rc > 0)
			rc = -EIO;
	}
	if (rc) {
		if (rc && !h->errmsg[0])
			cap_err(h, rc, "opening the %s engine failed: %s", h->cfg.engine, strerror(-rc));
		if (errbuf && errbuf_sz)
			snprintf(errbuf, errbuf_sz, "%s", h->errmsg);
		free(h->cfg.synthetic_mix);
		free(h->cfg.file_path);
		free(h->cfg.suppressed_tids);
		free(h->cfg.suppressed_comms);
		free(h);
		errno = -rc;
		return NULL;
	}
	return h;
}

int capture_start(capture_t *h)
{
	if (!h)
		return -EINVAL;
	if (h->state == CAP_STATE_RUNNING)
		return cap_err(h, -EALREADY, "capture_start: the capture is already running");
	if (h->state == CAP_STATE_STOPPED)
		return cap_err(h, -EINVAL, "capture_start: the capture was stopped; open a new one");
	int rc = h->ops->start(h);
	if (rc)
		return rc;
	h->start_time_ns = cap_clock_ns(CLOCK_REALTIME);
	h->timing.wall_minus_mono_ns = h->start_time_ns - cap_clock_ns(CLOCK_MONOTONIC_COARSE);
	h->timing.window_start_ns = cap_clock_ns(CLOCK_MONOTONIC_COARSE);
	h->timing.nrings = h->ops->ring_count(h);
	if (h->timing.nrings && h->ops->ring_fill) {
		h->timing.ring_high_water = calloc(h->timing.nrings, sizeof(uint64_t));
		if (!h->timing.ring_high_water)
			h->timing.nrings = 0; /* no high-water marks rather than no capture */
	}
	h->state = CAP_STATE_RUNNING;
	return 0;
}

int capture_stop(capture_t *h)
{
	if (!h)
		return -EINVAL;
	if (h->state != CAP_STATE_RUNNING)
		return cap_err(h, -EALREADY, "capture_stop: the capture is not running");
	int rc = h->ops->stop(h);
	h->state = CAP_STATE_STOPPED;
	return rc;
}

void capture_close(capture_t *h)
{
	if (!h)
		return;
	if (h->state == CAP_STATE_RUNNING)
		h->ops->stop(h);
	h->ops->close(h);
	cap_machine_free(&h->machine);
	cap_snapshot_free(&h->snapshot);
	free(h->timing.ring_high_water);
	free(h->cfg.file_path);
	free(h->cfg.suppressed_tids);
	free(h->cfg.suppressed_comms);
	free(h->cfg.synthetic_mix);
	free(h->metrics);
	free(h->metric_names);
	free(h);
}

/* Sample the ring fill levels for the high-water marks. */
static void sample_rings(struct capture *h)
{
	struct cap_consumer_timing *t = &h->timing;
	if (!h->ops->ring_fill || !t->nrings)
		return;
	for (uint32_t i = 0; i < t->nrings; i++) {
		uint64_t fill, size;
		if (h->ops->ring_fill(h, i, &fill, &size) == 0 && fill > t->ring_high_water[i])
			t->ring_high_water[i] = fill;
	}
}

/* Time away since the last call (minus what the engine spent waiting) and,
 * now and then, the ring fill. One coarse clock read: 4 ms resolution is
 * enough for gaps that matter, and the sums are unbiased over many calls. */
static uint64_t consumer_enter(struct capture *h)
{
	struct cap_consumer_timing *t = &h->timing;
	uint64_t now = cap_clock_ns(CLOCK_MONOTONIC_COARSE);
	if (t->last_entry_ns) {
		uint64_t gap = now - t->last_entry_ns;
		uint64_t waited = t->wait_ns - t->wait_at_last_entry;
		uint64_t away = gap > waited ? gap - waited : 0;
		t->away_total_ns += away;
		if (away > t->away_max_ns)
			t->away_max_ns = away;
		if (away > t->window_away_max_ns)
			t->window_away_max_ns = away;
	}
	t->last_entry_ns = now;
	t->wait_at_last_entry = t->wait_ns;
	if (++t->calls_since_sample >= 64) {
		t->calls_since_sample = 0;
		sample_rings(h);
	}
	return now;
}

int capture_next(capture_t *h, const struct capture_event **evt, uint32_t *cpu)
{
	if (!h || !evt)
		return h ? cap_err(h, -EINVAL, "capture_next: evt is NULL") : -EINVAL;
	if (h->state == CAP_STATE_OPEN)
		return cap_err(h, -EINVAL, "capture_next: call capture_start() first");
	uint64_t now = consumer_enter(h);
	uint32_t cpu_of_event = CAPTURE_CPU_UNKNOWN;
	int rc = h->ops->next(h, evt, &cpu_of_event);
	if (rc == CAPTURE_OK) {
		/* Only this thread writes them; readers on other threads load them.
		 * Gap markers are not syscall events: they stay out of the law. */
		_Atomic uint64_t *count =
			(*evt)->type == CAPTURE_EVT_DROP ? &h->n_gap_markers : &h->n_delivered;
		atomic_store_explicit(count, atomic_load_explicit(count, memory_order_relaxed) + 1,
				      memory_order_relaxed);
		if (cpu)
			*cpu = cpu_of_event;
		uint64_t wall = now + h->timing.wall_minus_mono_ns;
		h->timing.lag_ns = wall > (*evt)->ts ? wall - (*evt)->ts : 0;
		if (h->timing.lag_ns > h->timing.window_lag_max_ns)
			h->timing.window_lag_max_ns = h->timing.lag_ns;
	}
	return rc;
}

int capture_set_syscalls(capture_t *h, const uint32_t *syscalls, size_t n)
{
	if (!h)
		return -EINVAL;
	struct cap_selection next;
	int rc = selection_from_list(h, &next, syscalls, n, "capture_set_syscalls: syscalls");
	if (rc)
		return rc;
	for (uint32_t w = 0; w < CAP_SYSCALL_WORDS; w++)
		atomic_store_explicit(&h->selection.word[w],
				      atomic_load_explicit(&next.word[w], memory_order_relaxed),
				      memory_order_relaxed);
	return h->ops->selection_changed ? h->ops->selection_changed(h) : 0;
}

const char *capture_engine_name(const capture_t *h)
{
	return h ? h->ops->name : NULL;
}

uint32_t capture_cpu_count(const capture_t *h)
{
	return h ? h->ops->cpu_count(h) : 0;
}

uint32_t capture_ring_count(const capture_t *h)
{
	return h ? h->ops->ring_count(h) : 0;
}

const char *capture_last_error(const capture_t *h)
{
	return h ? h->errmsg : "no handle (capture_last_error called with NULL)";
}

const char *capture_strerror(int rc)
{
	switch (rc) {
	case CAPTURE_OK:
		return "success";
	case CAPTURE_TIMEOUT:
		return "no event arrived within the wait time";
	case CAPTURE_EOF:
		return "end of the event stream";
	}
	if (rc > 0)
		return "unknown libcapture status";
	const char *s = strerrordesc_np(-rc);
	return s ? s : "unknown error";
}
