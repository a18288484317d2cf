// SPDX-License-Identifier: Apache-2.0
/*
 * The modern_bpf engine, user side: checks what the kernel offers, loads the
 * probe (modern_bpf.bpf.c, embedded as a skeleton), creates one BPF ring
 * buffer per group of CPUs, maps each one read-only for the zero-copy reader
 * of ring.h, and polls them adaptively. Counters are read from the probe's
 * per-CPU map.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../../cap_internal.h"
#include "../../event_build.h"
#include "../../ring.h"
#include "mb_shared.h"
#include "modern_bpf.skel.h"

_Static_assert(MB_SELECTION_WORDS == CAP_SYSCALL_WORDS, "selection bitmap sizes agree");
_Static_assert(MB_PARAM_MAX >= CAPTURE_SNAPLEN_MAX, "the probe can keep snaplen bytes");
_Static_assert(MB_SCRATCH_EVENT_MAX == CAPTURE_EVENT_MAX_BYTES, "scratch holds the largest event");
_Static_assert(MB_SUPPRESSED_TIDS_MAX >= CAP_SUPPRESSED_TIDS_MAX, "suppressed tid map holds the list");
_Static_assert(MB_SUPPRESSED_COMMS_MAX >= CAP_SUPPRESSED_COMMS_MAX, "suppressed comm map holds the list");
_Static_assert(MB_COMM_LEN == CAP_COMM_LEN, "comm lengths agree");

/* Consumer sleeps when every ring is empty: from BACKOFF_MIN_NS, doubling up
 * to BACKOFF_MAX_NS, back to the minimum as soon as an event arrives. The
 * probe also wakes us when a ring's fill crosses a quarter of its size, so
 * a burst never waits for the longest sleep. */
#define BACKOFF_MIN_NS 50000ull
#define BACKOFF_MAX_NS 2000000ull
/* After the programs are detached, time for probes that were already
 * running (and may have been preempted) to finish writing. */
#define STOP_GRACE_NS 20000000ull

#define BTF_VMLINUX "/sys/kernel/btf/vmlinux"

enum mb_link {
	LINK_SYS_EXIT,
	LINK_SYS_ENTER,
	LINK_FORK,
	LINK_EXEC,
	LINK_EXIT,
	LINK_PREPARE_EXEC,
	LINK_COUNT
};

struct mb_ring_map {
	int fd;
	void *consumer; /* one page, read-write */
	void *producer; /* producer page + the data area twice, read-only */
};

struct mb_engine {
	struct capture *h;
	struct modern_bpf *skel;
	uint32_t ncpus, nrings, cpus_per_ring;
	size_t page;
	struct mb_ring_map *maps;
	struct cap_ring *readers;
	struct cap_merge merge;
	bool merge_ready;
	int epfd;
	struct epoll_event *epoll_events;
	struct bpf_link *links[LINK_COUNT];
	bool running, stopped;
	uint64_t backoff_ns;
	/* After stop: the gap markers of losses no later event reported. */
	struct mb_gap *trailing; /* per CPU, read once the rings are drained */
	uint32_t trailing_next;  /* next CPU to report */
	uint64_t marker[(MB_GAP_MARKER_MAX + 7) / 8];
};

/* ---- libbpf's messages, at debug level only ----------------------------
 * libbpf_set_print() is process-wide. While a handle that logs at debug
 * level opens or attaches, its thread routes libbpf's messages to it; other
 * threads keep whatever printer was installed before. */

static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;
static libbpf_print_fn_t print_previous;
static unsigned print_users;
static __thread struct capture *print_target;

static int route_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	struct capture *h = print_target;
	if (!h) {
		libbpf_print_fn_t prev = print_previous;
		return prev ? prev(level, fmt, ap) : 0;
	}
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	cap_log(h, CAPTURE_LOG_DEBUG, "%s", msg); /* libbpf's lines name libbpf */
	return 0;
}

static bool print_route_begin(struct capture *h)
{
	if (!h->log_fn || h->log_level < CAPTURE_LOG_DEBUG)
		return false;
	pthread_mutex_lock(&print_lock);
	if (print_users++ == 0)
		print_previous = libbpf_set_print(route_libbpf_print);
	pthread_mutex_unlock(&print_lock);
	print_target = h;
	return true;
}

static void print_route_end(bool routed)
{
	if (!routed)
		return;
	print_target = NULL;
	pthread_mutex_lock(&print_lock);
	if (--print_users == 0)
		libbpf_set_print(print_previous);
	pthread_mutex_unlock(&print_lock);
}

/* ---- What the kernel must offer ---------------------------------------- */

static int check_privileges(struct capture *h)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) != 0)
		return cap_err(h, -errno, "modern_bpf: reading this process's capabilities failed: %s",
			       strerror(errno));
	uint64_t eff = data[0].effective | (uint64_t)data[1].effective << 32;
#define HAS(cap) ((eff >> (cap)) & 1)
	if (HAS(CAP_SYS_ADMIN) || (HAS(CAP_BPF) && HAS(CAP_PERFMON)))
		return 0;
	return cap_err(h, -EPERM,
		       "modern_bpf: needs root, or the capabilities CAP_BPF and CAP_PERFMON; this "
		       "process lacks %s%s%s",
		       HAS(CAP_BPF) ? "" : "CAP_BPF", !HAS(CAP_BPF) && !HAS(CAP_PERFMON) ? " and " : "",
		       HAS(CAP_PERFMON) ? "" : "CAP_PERFMON");
#undef HAS
}

static int check_kernel(struct capture *h)
{
	if (access(BTF_VMLINUX, R_OK) != 0) {
		int err = errno;
		return cap_err(h, err == EACCES ? -EPERM : -EOPNOTSUPP,
			       "modern_bpf: the kernel's BTF type information is not available (" BTF_VMLINUX
			       ": %s); the probe needs a kernel built with CONFIG_DEBUG_INFO_BTF=y",
			       strerror(err));
	}
	int rc = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
	if (rc == 0)
		return cap_err(h, -EOPNOTSUPP,
			       "modern_bpf: the kernel has no BPF ring buffer (BPF_MAP_TYPE_RINGBUF, "
			       "Linux 5.8 or later)");
	if (rc < 0)
		return cap_err(h, rc == -EPERM || rc == -EACCES ? -EPERM : rc,
			       "modern_bpf: probing for BPF ring buffer support failed: %s%s",
			       strerror(-rc),
			       rc == -EPERM ? " (BPF is not permitted here: a seccomp filter, a "
					      "container or kernel lockdown?)"
					    : "");
	return 0;
}

/* Kernels since 5.11 charge BPF memory to the cgroup and ignore
 * RLIMIT_MEMLOCK; older ones need the limit raised. Failing to raise it is
 * not an error: the map creation that follows says whether memory is short. */
static void raise_memlock(struct capture *h)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	if (setrlimit(RLIMIT_MEMLOCK, &unlimited) != 0)
		cap_log(h, CAPTURE_LOG_DEBUG,
			"modern_bpf: RLIMIT_MEMLOCK stays as it is (%s); recent kernels do not use it "
			"for BPF maps",
			strerror(errno));
}

/* CLOCK_REALTIME - CLOCK_BOOTTIME, from the tightest of a few samples: the
 * probe stamps events with the boot clock plus this. */
static uint64_t boot_offset_ns(void)
{
	uint64_t best_span = UINT64_MAX, offset = 0;
	for (int i = 0; i < 8; i++) {
		uint64_t r1 = cap_clock_ns(CLOCK_REALTIME);
		uint64_t b = cap_clock_ns(CLOCK_BOOTTIME);
		uint64_t r2 = cap_clock_ns(CLOCK_REALTIME);
		if (r2 >= r1 && r2 - r1 < best_span) {
			best_span = r2 - r1;
			offset = r1 + (r2 - r1) / 2 - b;
		}
	}
	return offset;
}

/* ---- Rings ------------------------------------------------------------- */

static int create_rings(struct capture *h, struct mb_engine *e)
{
	uint64_t size = h->cfg.buffer_bytes;
	for (uint32_t i = 0; i < e->nrings; i++) {
		int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "cap_ring", 0, 0, (uint32_t)size, NULL);
		if (fd < 0) {
			int err = errno;
			return cap_err(h, err == EPERM ? -EPERM : -err,
				       "modern_bpf: creating ring buffer %u of %u (%llu bytes) failed: %s%s", i,
				       e->nrings, (unsigned long long)size, strerror(err),
				       err == ENOMEM ? " (lower buffer_bytes, share rings with "
						       "cpus_per_buffer, or raise the cgroup's memory limit)"
				       : err == EPERM ? " (not permitted: missing CAP_BPF, or a kernel "
							"without memory-cgroup accounting needs a higher "
							"RLIMIT_MEMLOCK)"
						      : "");
		}
		e->maps[i].fd = fd;
	}
	return 0;
}

static int map_rings(struct capture *h, struct mb_engine *e)
{
	uint64_t size = h->cfg.buffer_bytes;
	for (uint32_t i = 0; i < e->nrings; i++) {
		struct mb_ring_map *m = &e->maps[i];
		m->consumer = mmap(NULL, e->page, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
		if (m->consumer == MAP_FAILED) {
			m->consumer = NULL;
			return cap_err(h, -errno, "modern_bpf: mapping ring %u's consumer page failed: %s", i,
				       strerror(errno));
		}
		/* The kernel maps the data area twice in a row after the
		 * producer page, so a record never wraps. */
		m->producer = mmap(NULL, e->page + 2 * size, PROT_READ, MAP_SHARED, m->fd,
				   (off_t)e->page);
		if (m->producer == MAP_FAILED) {
			m->producer = NULL;
			return cap_err(h, -errno, "modern_bpf: mapping ring %u's data (%llu bytes) failed: %s",
				       i, (unsigned long long)size, strerror(errno));
		}
		cap_ring_init(&e->readers[i], m->consumer, m->producer,
			      (const uint8_t *)m->producer + e->page, size);
	}
	return 0;
}

static int setup_epoll(struct capture *h, struct mb_engine *e)
{
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0)
		return cap_err(h, -errno, "modern_bpf: epoll_create1 failed: %s", strerror(errno));
	e->epoll_events = calloc(e->nrings, sizeof(*e->epoll_events));
	if (!e->epoll_events)
		return cap_err(h, -ENOMEM, "modern_bpf: out of memory");
	for (uint32_t i = 0; i < e->nrings; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
		if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->maps[i].fd, &ev) != 0)
			return cap_err(h, -errno, "modern_bpf: watching ring %u with epoll failed: %s", i,
				       strerror(errno));
	}
	return 0;
}

/* ---- Kernel-side selection --------------------------------------------- */

static int fill_suppression(struct capture *h, struct mb_engine *e)
{
	const struct cap_config *c = &h->cfg;
	int tids_fd = bpf_map__fd(e->skel->maps.suppressed_tids);
	int comms_fd = bpf_map__fd(e->skel->maps.suppressed_comms);
	uint64_t inserted = 0;
	uint8_t one = 1;
	for (size_t i = 0; i < c->n_suppressed_tids; i++) {
		uint32_t tid = c->suppressed_tids[i];
		if (bpf_map_update_elem(tids_fd, &tid, &one, BPF_NOEXIST) == 0)
			inserted++;
		else if (errno != EEXIST)
			return cap_err(h, -errno, "modern_bpf: adding suppressed tid %u failed: %s", tid,
				       strerror(errno));
	}
	for (size_t i = 0; i < c->n_suppressed_comms; i++) {
		struct mb_comm comm;
		memset(&comm, 0, sizeof(comm));
		memcpy(comm.name, c->suppressed_comms[i], sizeof(comm.name) - 1);
		if (bpf_map_update_elem(comms_fd, &comm, &one, BPF_ANY) != 0)
			return cap_err(h, -errno, "modern_bpf: adding suppressed comm \"%s\" failed: %s",
				       comm.name, strerror(errno));
	}
	__atomic_store_n(&e->skel->bss->tids_suppressed, inserted, __ATOMIC_RELAXED);
	return 0;
}

static void push_selection(struct capture *h, struct mb_engine *e)
{
	for (uint32_t w = 0; w < MB_SELECTION_WORDS; w++)
		__atomic_store_n(&e->skel->bss->selection[w],
				 atomic_load_explicit(&h->selection.word[w], memory_order_relaxed),
				 __ATOMIC_RELAXED);
}

static int attach_one(struct capture *h, struct mb_engine *e, enum mb_link which,
		      struct bpf_program *prog)
{
	if (e->links[which])
		return 0;
	struct bpf_link *link = bpf_program__attach(prog);
	if (!link) {
		int err = errno ? errno : EINVAL;
		return cap_err(h, err == EPERM || err == EACCES ? -EPERM : -err,
			       "modern_bpf: attaching %s to its tracepoint failed: %s",
			       bpf_program__name(prog), strerror(err));
	}
	e->links[which] = link;
	return 0;
}

static void detach_one(struct mb_engine *e, enum mb_link which)
{
	if (e->links[which]) {
		bpf_link__destroy(e->links[which]);
		e->links[which] = NULL;
	}
}

/* ---- Engine operations ------------------------------------------------- */

/* The engine's own counters summed over CPUs: parameters delivered empty
 * and events cut at snaplen. */
static int engine_counter_sums(struct mb_engine *e, uint64_t *missing, uint64_t *truncated)
{
	struct mb_engine_counters *per_cpu = calloc(e->ncpus, sizeof(*per_cpu));
	uint32_t zero = 0;
	if (!per_cpu)
		return -ENOMEM;
	int rc = bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.engine_counters), &zero, per_cpu);
	if (rc == 0) {
		*missing = *truncated = 0;
		for (uint32_t i = 0; i < e->ncpus; i++) {
			*missing += per_cpu[i].n_params_missing;
			*truncated += per_cpu[i].n_truncated;
		}
	}
	free(per_cpu);
	return rc < 0 ? -errno : 0;
}

static int mb_engine_metrics(struct capture *h, struct capture_metric *out, size_t max)
{
	uint64_t missing, truncated;
	int rc = engine_counter_sums(h->engine, &missing, &truncated);
	if (rc < 0 || max < 2)
		return rc < 0 ? rc : 0;
	out[0] = (struct capture_metric){ "n_params_missing", missing, CAPTURE_METRIC_COUNTER };
	out[1] = (struct capture_metric){ "n_truncated", truncated, CAPTURE_METRIC_COUNTER };
	return 2;
}

static void log_engine_counters(struct capture *h, struct mb_engine *e)
{
	uint64_t missing, truncated;
	if (engine_counter_sums(e, &missing, &truncated) == 0)
		cap_log(h, CAPTURE_LOG_INFO,
			"modern_bpf: %llu parameters delivered empty because memory was unreadable "
			"(CAPTURE_EVF_PARAM_MISSING), %llu events cut at snaplen",
			(unsigned long long)missing, (unsigned long long)truncated);
}

static void mb_close(struct capture *h)
{
	struct mb_engine *e = h->engine;
	if (!e)
		return;
	for (int i = 0; i < LINK_COUNT; i++)
		detach_one(e, (enum mb_link)i);
	if (e->skel && e->skel->bss)
		log_engine_counters(h, e);
	if (e->merge_ready)
		cap_merge_free(&e->merge);
	if (e->epfd >= 0)
		close(e->epfd);
	free(e->epoll_events);
	if (e->maps) {
		uint64_t size = h->cfg.buffer_bytes;
		for (uint32_t i = 0; i < e->nrings; i++) {
			struct mb_ring_map *m = &e->maps[i];
			if (m->producer)
				munmap(m->producer, e->page + 2 * size);
			if (m->consumer)
				munmap(m->consumer, e->page);
			if (m->fd >= 0)
				close(m->fd);
		}
	}
	modern_bpf__destroy(e->skel);
	free(e->trailing);
	free(e->maps);
	free(e->readers);
	free(e);
	h->engine = NULL;
}

static int load_probe(struct capture *h, struct mb_engine *e)
{
	const struct cap_config *c = &h->cfg;
	struct modern_bpf *skel = modern_bpf__open();
	if (!skel)
		return cap_err(h, -errno, "modern_bpf: opening the embedded probe failed: %s",
			       strerror(errno));
	e->skel = skel;

	skel->rodata->boot_offset_ns = boot_offset_ns();
	skel->rodata->wake_bytes = c->buffer_bytes / 4;
	skel->rodata->self_tgid = c->include_self ? 0 : (uint32_t)getpid();
	skel->rodata->cpus_per_ring = e->cpus_per_ring;
	skel->rodata->snaplen = c->snaplen;
	skel->rodata->enter_events = c->enter_events;
	skel->rodata->suppress_on = c->n_suppressed_tids || c->n_suppressed_comms;
	skel->rodata->suppress_comms_on = c->n_suppressed_comms > 0;
	skel->rodata->shed_above_bytes = c->buffer_bytes * c->shed_threshold_pct / 100;
	for (uint32_t type = 0; type < CAPTURE_EVENT_TYPE_COUNT; type++)
		if (cap_shed_class(type) & c->shed_classes)
			skel->rodata->shed_types[type / 64] |= 1ull << (type % 64);

	/* sched_prepare_exec exists since Linux 6.10; without it a successful
	 * execveat's dirfd and flags are delivered missing. */
	if (libbpf_find_vmlinux_btf_id("sched_prepare_exec", BPF_TRACE_RAW_TP) < 0) {
		bpf_program__set_autoload(skel->progs.mb_prepare_exec, false);
		cap_log(h, CAPTURE_LOG_INFO,
			"modern_bpf: no sched_prepare_exec tracepoint (Linux < 6.10): a successful "
			"execveat's dirfd and flags will be missing");
	}
	/* Enter events only: leave the program out of the load otherwise. */
	if (!c->enter_events)
		bpf_program__set_autoload(skel->progs.mb_sys_enter, false);

	int rc = bpf_map__set_max_entries(skel->maps.scratch, e->ncpus * MB_SCRATCH_SLOTS_PER_CPU);
	if (!rc)
		rc = bpf_map__set_max_entries(skel->maps.rings, e->nrings);
	/* Ring 0 is the template of the ring array's values: no extra ring
	 * is allocated just to describe them. */
	if (!rc)
		rc = bpf_map__set_inner_map_fd(skel->maps.rings, e->maps[0].fd);
	if (rc)
		return cap_err(h, rc, "modern_bpf: sizing the probe's maps failed: %s", strerror(-rc));

	rc = modern_bpf__load(skel);
	if (rc) {
		int err = -rc;
		if (err == EPERM)
			return cap_err(h, -EPERM,
				       "modern_bpf: the kernel refused to load the probe (%s): missing "
				       "CAP_BPF/CAP_PERFMON, or kernel lockdown",
				       strerror(err));
		return cap_err(h, err == ENOMEM ? -ENOMEM : -EOPNOTSUPP,
			       "modern_bpf: the kernel did not accept the probe (%s); it needs tp_btf "
			       "programs, BTF and BPF ring buffers (Linux 5.15 or later). Set "
			       "log_level to CAPTURE_LOG_DEBUG to see the verifier's log",
			       strerror(err));
	}

	int outer = bpf_map__fd(skel->maps.rings);
	for (uint32_t i = 0; i < e->nrings; i++)
		if (bpf_map_update_elem(outer, &i, &e->maps[i].fd, BPF_ANY) != 0)
			return cap_err(h, -errno, "modern_bpf: installing ring %u failed: %s", i,
				       strerror(errno));
	return fill_suppression(h, e);
}

static int mb_open(struct capture *h)
{
	struct mb_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return cap_err(h, -ENOMEM, "modern_bpf: out of memory");
	h->engine = e;
	e->h = h;
	e->epfd = -1;
	e->page = (size_t)sysconf(_SC_PAGESIZE);
	e->backoff_ns = BACKOFF_MIN_NS;

	int rc = check_privileges(h);
	if (!rc)
		rc = check_kernel(h);
	if (rc)
		goto fail;
	raise_memlock(h);

	int ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		rc = cap_err(h, ncpus < 0 ? ncpus : -EIO,
			     "modern_bpf: cannot read the number of possible CPUs: %s",
			     strerror(ncpus < 0 ? -ncpus : EIO));
		goto fail;
	}
	e->ncpus = (uint32_t)ncpus;
	e->cpus_per_ring = h->cfg.cpus_per_buffer >= e->ncpus ? e->ncpus : h->cfg.cpus_per_buffer;
	e->nrings = (e->ncpus + e->cpus_per_ring - 1) / e->cpus_per_ring;
	e->maps = calloc(e->nrings, sizeof(*e->maps));
	e->readers = calloc(e->nrings, sizeof(*e->readers));
	if (!e->maps || !e->readers) {
		rc = cap_err(h, -ENOMEM, "modern_bpf: out of memory for %u rings", e->nrings);
		goto fail;
	}
	for (uint32_t i = 0; i < e->nrings; i++)
		e->maps[i].fd = -1;

	bool routed = print_route_begin(h);
	rc = create_rings(h, e);
	if (!rc)
		rc = load_probe(h, e);
	print_route_end(routed);
	if (!rc)
		rc = map_rings(h, e);
	if (!rc)
		rc = setup_epoll(h, e);
	if (!rc) {
		rc = cap_merge_init(&e->merge, e->readers, e->nrings);
		if (rc)
			rc = cap_err(h, rc, "modern_bpf: out of memory");
		else
			e->merge_ready = true;
	}
	if (rc)
		goto fail;
	cap_log(h, CAPTURE_LOG_INFO, "modern_bpf: %u CPUs, %u rings of %llu bytes, snaplen %u%s",
		e->ncpus, e->nrings, (unsigned long long)h->cfg.buffer_bytes, h->cfg.snaplen,
		h->cfg.include_self ? ", capturing this process too" : "");
	return 0;
fail:
	mb_close(h);
	return rc;
}

static int mb_stop(struct capture *h);

static int mb_start(struct capture *h)
{
	struct mb_engine *e = h->engine;
	push_selection(h, e);
	e->running = true;
	bool routed = print_route_begin(h);
	int rc = attach_one(h, e, LINK_SYS_EXIT, e->skel->progs.mb_sys_exit);
	if (!rc)
		rc = attach_one(h, e, LINK_FORK, e->skel->progs.mb_proc_fork);
	if (!rc)
		rc = attach_one(h, e, LINK_EXEC, e->skel->progs.mb_proc_exec);
	if (!rc)
		rc = attach_one(h, e, LINK_EXIT, e->skel->progs.mb_proc_exit);
	/* sys_enter runs at the entry of every syscall of the machine once
	 * attached: only for enter events. */
	if (!rc && h->cfg.enter_events)
		rc = attach_one(h, e, LINK_SYS_ENTER, e->skel->progs.mb_sys_enter);
	if (!rc && bpf_program__autoload(e->skel->progs.mb_prepare_exec))
		rc = attach_one(h, e, LINK_PREPARE_EXEC, e->skel->progs.mb_prepare_exec);
	print_route_end(routed);
	if (rc) {
		for (int i = 0; i < LINK_COUNT; i++)
			detach_one(e, (enum mb_link)i);
		e->running = false;
	}
	return rc;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
			       .tv_nsec = (long)(ns % 1000000000ull) };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int mb_stop(struct capture *h)
{
	struct mb_engine *e = h->engine;
	for (int i = 0; i < LINK_COUNT; i++)
		detach_one(e, (enum mb_link)i);
	e->running = false;
	/* A probe already running when its link went away may still be
	 * writing (possibly preempted): give it time, so the drain that
	 * follows sees every event that was counted. */
	sleep_ns(STOP_GRACE_NS);
	e->stopped = true;
	return 0;
}

/* Sleep until a ring is non-empty, the probe forces a wakeup, or ns pass.
 * The time asleep is reported, so the consumer's busy ratio leaves it out. */
static void wait_for_data(struct capture *h, struct mb_engine *e, uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
			       .tv_nsec = (long)(ns % 1000000000ull) };
	uint64_t before = cap_clock_ns(CLOCK_MONOTONIC);
	int n = epoll_pwait2(e->epfd, e->epoll_events, (int)e->nrings, &ts, NULL);
	if (n < 0 && errno == ENOSYS) {
		/* Before Linux 5.11: millisecond timeouts only. */
		n = epoll_wait(e->epfd, e->epoll_events, (int)e->nrings,
			       (int)((ns + 999999) / 1000000));
	}
	cap_waited(h, cap_clock_ns(CLOCK_MONOTONIC) - before);
	if (n == 0 && e->backoff_ns < BACKOFF_MAX_NS)
		e->backoff_ns *= 2;
}

/* Once stopped and drained: a CPU that lost events after its last written
 * one never wrote their gap marker, since markers go out before a next
 * event. The probes have finished, so the per-CPU gap state is final; each
 * such CPU's marker is built here, in the handle, in the probe's format.
 * NULL when none is left. */
static const struct capture_event *trailing_marker(struct capture *h, struct mb_engine *e,
						   uint32_t *cpu)
{
	if (!e->trailing) {
		uint32_t zero = 0;
		e->trailing = calloc(e->ncpus, sizeof(*e->trailing));
		if (!e->trailing ||
		    bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.gaps), &zero, e->trailing) != 0) {
			cap_log(h, CAPTURE_LOG_WARN,
				"modern_bpf: reading the gap state failed (%s); trailing losses are "
				"counted but get no gap marker",
				strerror(e->trailing ? errno : ENOMEM));
			e->trailing_next = e->ncpus;
			return NULL;
		}
	}
	while (e->trailing_next < e->ncpus) {
		uint32_t i = e->trailing_next++;
		const struct mb_gap *g = &e->trailing[i];
		struct capture_gap_entry entries[CAPTURE_DROP_CATEGORY_COUNT * MB_GAP_KINDS];
		uint64_t lost = 0, shed = 0;
		size_t n = 0;
		for (uint32_t cat = 0; cat < CAPTURE_DROP_CATEGORY_COUNT; cat++)
			for (uint32_t kind = 0; kind < MB_GAP_KINDS; kind++) {
				uint64_t count = g->count[cat][kind];
				if (!count)
					continue;
				entries[n++] = (struct capture_gap_entry){
					.category = (uint8_t)cat, .kind = (uint8_t)kind, .count = count
				};
				if (kind == CAPTURE_GAP_SHED)
					shed += count;
				else
					lost += count;
			}
		if (!n)
			continue;
		struct cap_event_builder b;
		cap_build_begin(&b, e->marker, sizeof(e->marker), CAPTURE_EVT_DROP, g->ts_last, 0, 0);
		cap_build_u32(&b, i);
		cap_build_u64(&b, lost);
		cap_build_u64(&b, shed);
		cap_build_u64(&b, g->ts_first);
		cap_build_u64(&b, g->ts_last);
		cap_build_param(&b, entries, n * sizeof(entries[0]));
		if (cap_build_end(&b) < 0) {
			cap_log(h, CAPTURE_LOG_WARN, "modern_bpf: building CPU %u's gap marker failed", i);
			continue;
		}
		*cpu = e->cpus_per_ring == 1 ? i : CAPTURE_CPU_UNKNOWN;
		return (const struct capture_event *)e->marker;
	}
	return NULL;
}

static int mb_next(struct capture *h, const struct capture_event **evt, uint32_t *cpu)
{
	struct mb_engine *e = h->engine;
	uint32_t timeout = h->cfg.next_timeout_ms;
	uint64_t deadline = 0;
	for (;;) {
		uint32_t ring;
		const struct capture_event *got = cap_merge_next(&e->merge, &ring);
		if (got) {
			e->backoff_ns = BACKOFF_MIN_NS;
			*evt = got;
			*cpu = e->cpus_per_ring == 1 ? ring : CAPTURE_CPU_UNKNOWN;
			return CAPTURE_OK;
		}
		for (uint32_t i = 0; i < e->nrings; i++)
			if (e->readers[i].corrupt)
				return cap_err(h, -EIO,
					       "modern_bpf: ring %u holds an impossible record; stopping", i);
		if (e->stopped) {
			cap_merge_release(&e->merge);
			const struct capture_event *marker = trailing_marker(h, e, cpu);
			if (marker) {
				*evt = marker;
				return CAPTURE_OK;
			}
			return CAPTURE_EOF;
		}
		if (timeout == CAPTURE_NO_WAIT)
			return CAPTURE_TIMEOUT;
		uint64_t now = cap_clock_ns(CLOCK_MONOTONIC);
		if (!deadline)
			deadline = now + (uint64_t)timeout * 1000000ull;
		if (now >= deadline)
			return CAPTURE_TIMEOUT;
		uint64_t left = deadline - now;
		wait_for_data(h, e, e->backoff_ns < left ? e->backoff_ns : left);
	}
}

static uint32_t mb_cpu_count(const struct capture *h)
{
	return ((const struct mb_engine *)h->engine)->ncpus;
}

static uint32_t mb_ring_count(const struct capture *h)
{
	return ((const struct mb_engine *)h->engine)->nrings;
}

static int mb_read_counters(struct capture *h, uint32_t cpu, struct cap_cpu_counters *out)
{
	struct mb_engine *e = h->engine;
	uint32_t zero = 0;
	struct cap_cpu_counters *per_cpu = calloc(e->ncpus, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	int rc = 0;
	if (bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.counters), &zero, per_cpu) != 0)
		rc = -errno;
	else
		*out = per_cpu[cpu];
	free(per_cpu);
	/* The number of suppressed threads is one machine-wide gauge; it is
	 * reported on CPU 0 so that per-CPU figures still add up. */
	if (!rc && cpu == 0)
		out->n_tids_suppressed = __atomic_load_n(&e->skel->bss->tids_suppressed, __ATOMIC_RELAXED);
	return rc;
}

static int mb_ring_fill(struct capture *h, uint32_t ring, uint64_t *fill, uint64_t *size)
{
	struct mb_engine *e = h->engine;
	if (ring >= e->nrings)
		return -ERANGE;
	*fill = cap_ring_fill_bytes(&e->readers[ring]);
	*size = h->cfg.buffer_bytes;
	return 0;
}

static int mb_syscall_losses(struct capture *h, uint64_t *out)
{
	struct mb_engine *e = h->engine;
	uint32_t zero = 0;
	struct mb_losses *per_cpu = calloc(e->ncpus, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	int rc = 0;
	if (bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.losses), &zero, per_cpu) != 0) {
		rc = -errno;
	} else {
		memset(out, 0, sizeof(per_cpu->by_nr));
		for (uint32_t i = 0; i < e->ncpus; i++)
			for (size_t nr = 0; nr < MB_SELECTION_WORDS * 64; nr++)
				out[nr] += per_cpu[i].by_nr[nr];
	}
	free(per_cpu);
	return rc;
}

static int mb_selection_changed(struct capture *h)
{
	push_selection(h, h->engine);
	return 0;
}

const struct cap_engine_ops cap_engine_modern_bpf = {
	.name = "modern_bpf",
	.live = true,
	/* Every counter: n_drops_pf stays 0 because a fault never costs an
	 * event here (the parameter is delivered empty and flagged); n_shed
	 * stays 0 when shedding is off. */
	.valid = CAPTURE_STAT_BIT(CAPTURE_STAT_COUNT) - 1,
	.open = mb_open,
	.start = mb_start,
	.stop = mb_stop,
	.close = mb_close,
	.next = mb_next,
	.cpu_count = mb_cpu_count,
	.ring_count = mb_ring_count,
	.read_counters = mb_read_counters,
	.selection_changed = mb_selection_changed,
	.ring_fill = mb_ring_fill,
	.syscall_losses = mb_syscall_losses,
	.engine_metrics = mb_engine_metrics,
};
