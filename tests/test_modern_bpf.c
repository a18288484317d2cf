// SPDX-License-Identifier: Apache-2.0
/*
 * The modern_bpf engine against the running kernel: a known sequence of
 * syscalls must come back exactly once each with the right arguments, return
 * values and tids; forced drops must add up; kernel-side selection and
 * suppression must keep events out of n_evts. Needs root; exits 77 (skipped)
 * with the reason when the kernel refuses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

/* ---- Helpers ------------------------------------------------------------ */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static capture_t *open_bpf(struct capture_open_opts *o)
{
	char err[512] = "";
	o->engine = "modern_bpf";
	capture_t *h = capture_open(o, err, sizeof(err));
	ck_assert_msg(h != NULL, "capture_open(modern_bpf): %s", err);
	return h;
}

static int nr_of(const char *name)
{
	int nr = capture_syscall_nr(name);
	ck_assert_msg(nr >= 0, "unknown syscall %s", name);
	return nr;
}

static int type_of(const char *name)
{
	int t = capture_event_type_by_name(name);
	ck_assert_msg(t >= 0, "unknown event type %s", name);
	return t;
}

static const void *param(const struct capture_event *e, uint32_t i, uint32_t *len)
{
	const void *data;
	uint32_t n;
	int rc = capture_event_param(e, i, &data, &n);
	ck_assert_msg(rc == 0, "%s: parameter %u: %s", capture_event_type_name(e->type), i,
		      capture_strerror(rc));
	if (len)
		*len = n;
	return data;
}

static int64_t p_s64(const struct capture_event *e, uint32_t i)
{
	uint32_t len;
	const void *d = param(e, i, &len);
	ck_assert_msg(len == 8, "%s: parameter %u has %u bytes, not 8",
		      capture_event_type_name(e->type), i, len);
	int64_t v;
	memcpy(&v, d, 8);
	return v;
}

static uint32_t p_u32(const struct capture_event *e, uint32_t i)
{
	uint32_t len;
	const void *d = param(e, i, &len);
	ck_assert_msg(len == 4, "%s: parameter %u has %u bytes, not 4",
		      capture_event_type_name(e->type), i, len);
	uint32_t v;
	memcpy(&v, d, 4);
	return v;
}

/* A string parameter, checked to end in its NUL. */
static const char *p_str(const struct capture_event *e, uint32_t i)
{
	uint32_t len;
	const char *s = param(e, i, &len);
	if (len == 0)
		return NULL;
	ck_assert_msg(s[len - 1] == '\0', "%s: parameter %u is not NUL-terminated",
		      capture_event_type_name(e->type), i);
	return s;
}

static bool p_bytes_eq(const struct capture_event *e, uint32_t i, const void *want, uint32_t n)
{
	uint32_t len;
	const void *d = param(e, i, &len);
	return len == n && memcmp(d, want, n) == 0;
}

/* Events kept from a capture: copies, since capture_next()'s pointer dies
 * at the next call. */
struct evlist {
	struct capture_event **ev;
	size_t n, cap;
};

static void evlist_add(struct evlist *l, const struct capture_event *e)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->ev = realloc(l->ev, l->cap * sizeof(*l->ev));
		ck_assert_ptr_nonnull(l->ev);
	}
	struct capture_event *c = malloc(e->len);
	ck_assert_ptr_nonnull(c);
	memcpy(c, e, e->len);
	l->ev[l->n++] = c;
}

static void evlist_free(struct evlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->ev[i]);
	free(l->ev);
	memset(l, 0, sizeof(*l));
}

/* The closing marker of a workload: close() of an fd no one has. */
static int marker_fd(void)
{
	return -(int)(getpid() % 100000) - 1000;
}

static bool is_marker(const struct capture_event *e, int type_close)
{
	return e->type == type_close && e->tid == (uint32_t)getpid() &&
	       p_s64(e, 1) == marker_fd();
}

/*
 * Read events until this process's marker, keeping those of the given tids.
 * Every event read is validated against the schema. Returns how many events
 * were read.
 */
static uint64_t collect_until_marker(capture_t *h, const uint32_t *tids, size_t ntids,
				     struct evlist *out)
{
	int type_close = type_of("close");
	uint64_t delivered = 0;
	uint64_t deadline = now_ns() + 20ull * 1000000000ull;
	for (;;) {
		ck_assert_msg(now_ns() < deadline, "the workload's marker never arrived");
		const struct capture_event *e;
		uint32_t cpu;
		int rc = capture_next(h, &e, &cpu);
		if (rc == CAPTURE_TIMEOUT)
			continue;
		ck_assert_msg(rc == CAPTURE_OK, "capture_next: %s (%s)", capture_strerror(rc),
			      capture_last_error(h));
		delivered += e->type != CAPTURE_EVT_DROP; /* markers are not syscall events */
		ck_assert_msg(capture_event_validate(e, e->len) == 0,
			      "malformed %s event (len %u) from tid %u",
			      capture_event_type_name(e->type), e->len, e->tid);
		ck_assert_msg(cpu < capture_cpu_count(h), "cpu %u out of range", cpu);
		for (size_t i = 0; i < ntids; i++)
			if (e->tid == tids[i]) {
				evlist_add(out, e);
				break;
			}
		if (is_marker(e, type_close))
			return delivered;
	}
}

/* Events of one type from one tid that satisfy a predicate. */
typedef bool (*ev_pred)(const struct capture_event *e, const void *arg);

/* Only events stamped within [ts_from, ts_to] count; numbers such as fds are
 * reused, so a window tells one use from the next. */
static uint64_t ts_from, ts_to = UINT64_MAX;

static size_t count_matching(const struct evlist *l, int type, uint32_t tid, ev_pred pred,
			     const void *arg, const struct capture_event **first)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct capture_event *e = l->ev[i];
		if (e->type != type || e->tid != tid || e->ts < ts_from || e->ts > ts_to ||
		    (pred && !pred(e, arg)))
			continue;
		if (!n && first)
			*first = e;
		n++;
	}
	return n;
}

static bool fd_param_is(const struct capture_event *e, const void *arg)
{
	return p_s64(e, 1) == *(const int64_t *)arg;
}

static bool res_is(const struct capture_event *e, const void *arg)
{
	return p_s64(e, 0) == *(const int64_t *)arg;
}

static bool path_param_is(const struct capture_event *e, const void *arg)
{
	/* openat: path is parameter 2. */
	const char *p = p_str(e, 2);
	return p && strcmp(p, arg) == 0;
}

static bool generic_nr_is(const struct capture_event *e, const void *arg)
{
	return p_u32(e, 1) == *(const uint32_t *)arg;
}

static const struct capture_event *exactly_one(const struct evlist *l, const char *type_name,
					       uint32_t tid, ev_pred pred, const void *arg,
					       const char *what)
{
	const struct capture_event *e = NULL;
	size_t n = count_matching(l, type_of(type_name), tid, pred, arg, &e);
	ck_assert_msg(n == 1, "%s: %zu %s events from tid %u, expected exactly 1", what, n,
		      type_name, tid);
	return e;
}

static void stats_of(capture_t *h, struct capture_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->sz = sizeof(*s);
	int rc = capture_get_stats(h, s);
	ck_assert_msg(rc == 0, "capture_get_stats: %s", capture_strerror(rc));
}

/* Losses reported by gap markers, by category and kind. */
struct gap_sums {
	uint64_t lost, shed, markers;
	uint64_t by[CAPTURE_DROP_CATEGORY_COUNT][3];
};

/* Check a gap marker and add it up. */
static void gap_add(struct gap_sums *g, const struct capture_event *e, uint32_t ncpus)
{
	ck_assert_msg(p_u32(e, 0) < ncpus, "gap marker for CPU %u", p_u32(e, 0));
	uint64_t lost = (uint64_t)p_s64(e, 1), shed = (uint64_t)p_s64(e, 2);
	ck_assert_uint_le((uint64_t)p_s64(e, 3), (uint64_t)p_s64(e, 4));
	ck_assert_uint_eq(e->ts, (uint64_t)p_s64(e, 4));
	uint32_t len;
	const uint8_t *d = param(e, 5, &len);
	ck_assert_uint_eq(len % sizeof(struct capture_gap_entry), 0);
	ck_assert_uint_gt(len, 0);
	uint64_t sum_lost = 0, sum_shed = 0;
	for (uint32_t off = 0; off < len; off += sizeof(struct capture_gap_entry)) {
		struct capture_gap_entry ent;
		memcpy(&ent, d + off, sizeof(ent));
		ck_assert_uint_lt(ent.category, CAPTURE_DROP_CATEGORY_COUNT);
		ck_assert_uint_le(ent.kind, CAPTURE_GAP_SHED);
		ck_assert_uint_gt(ent.count, 0);
		g->by[ent.category][ent.kind] += ent.count;
		if (ent.kind == CAPTURE_GAP_SHED)
			sum_shed += ent.count;
		else
			sum_lost += ent.count;
	}
	ck_assert_uint_eq(sum_lost, lost);
	ck_assert_uint_eq(sum_shed, shed);
	g->lost += lost;
	g->shed += shed;
	g->markers++;
}

/* Stop, read to EOF, and check every counting invariant; returns the
 * events delivered by the drain plus `before` (delivered earlier). Gap
 * markers seen before (in `earlier`, may be NULL) and during the drain
 * must report every loss exactly once. */
static uint64_t stop_drain_check_gaps(capture_t *h, uint64_t before, struct capture_stats *out,
				      struct gap_sums *earlier)
{
	ck_assert_int_eq(capture_stop(h), 0);
	struct gap_sums g = { 0 };
	if (earlier)
		g = *earlier;
	uint64_t delivered = before;
	for (;;) {
		const struct capture_event *e;
		int rc = capture_next(h, &e, NULL);
		if (rc == CAPTURE_EOF)
			break;
		ck_assert_msg(rc == CAPTURE_OK, "capture_next: %s", capture_last_error(h));
		if (e->type == CAPTURE_EVT_DROP)
			gap_add(&g, e, capture_cpu_count(h));
		else
			delivered++;
	}
	struct capture_stats s;
	stats_of(h, &s);
	/* Every loss is in exactly one marker, in its category. */
	ck_assert_msg(g.lost == s.n_drops && g.shed == s.n_shed,
		      "gap markers report %llu lost and %llu shed; counters say %llu and %llu",
		      (unsigned long long)g.lost, (unsigned long long)g.shed,
		      (unsigned long long)s.n_drops, (unsigned long long)s.n_shed);
	for (uint32_t cat = 0; cat < CAPTURE_DROP_CATEGORY_COUNT; cat++) {
		for (uint32_t dir = 0; dir < 2; dir++)
			ck_assert_uint_eq(g.by[cat][dir],
					  capture_stat_value(&s, (enum capture_stat_id)(
							     CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY +
							     2 * cat + dir)));
		ck_assert_uint_eq(g.by[cat][CAPTURE_GAP_SHED],
				  capture_stat_value(&s, (enum capture_stat_id)(
							     CAPTURE_STAT_N_SHED_FIRST_CATEGORY + cat)));
	}
	if (s.n_drops || s.n_shed)
		ck_assert_uint_gt(g.markers, 0);
	ck_assert_msg(s.valid == CAPTURE_STAT_BIT(CAPTURE_STAT_COUNT) - 1,
		      "modern_bpf counts every field (valid %#llx)", (unsigned long long)s.valid);
	ck_assert_msg(s.n_evts == delivered + s.n_drops + s.n_shed,
		      "n_evts %llu != delivered %llu + n_drops %llu + n_shed %llu",
		      (unsigned long long)s.n_evts, (unsigned long long)delivered,
		      (unsigned long long)s.n_drops, (unsigned long long)s.n_shed);
	ck_assert_uint_eq(s.n_drops, s.n_drops_buffer + s.n_drops_scratch_map + s.n_drops_pf +
					     s.n_drops_bug);
	uint64_t cats = 0;
	for (uint32_t id = CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY;
	     id < CAPTURE_STAT_N_DROPS_SCRATCH_MAP; id++)
		cats += capture_stat_value(&s, (enum capture_stat_id)id);
	ck_assert_uint_eq(cats, s.n_drops_buffer);
	uint64_t shed_cats = 0;
	for (uint32_t i = 0; i < CAPTURE_DROP_CATEGORY_COUNT; i++)
		shed_cats += capture_stat_value(&s, (enum capture_stat_id)(
						    CAPTURE_STAT_N_SHED_FIRST_CATEGORY + i));
	ck_assert_uint_eq(shed_cats, s.n_shed);
	/* Per-CPU figures add up to the totals, field by field. */
	uint64_t sum[CAPTURE_STAT_COUNT] = { 0 };
	for (uint32_t cpu = 0; cpu < capture_cpu_count(h); cpu++) {
		struct capture_stats c = { .sz = sizeof(c) };
		ck_assert_int_eq(capture_get_stats_cpu(h, cpu, &c), 0);
		for (uint32_t id = 0; id < CAPTURE_STAT_COUNT; id++)
			sum[id] += capture_stat_value(&c, (enum capture_stat_id)id);
	}
	for (uint32_t id = 0; id < CAPTURE_STAT_COUNT; id++)
		ck_assert_msg(sum[id] == capture_stat_value(&s, (enum capture_stat_id)id),
			      "%s: per-CPU sum %llu != total %llu",
			      capture_stat_name((enum capture_stat_id)id), (unsigned long long)sum[id],
			      (unsigned long long)capture_stat_value(&s, (enum capture_stat_id)id));
	ck_assert_uint_eq(s.n_drops_bug, 0);
	ck_assert_uint_eq(s.n_drops_scratch_map, 0);
	if (out)
		*out = s;
	return delivered;
}

static uint64_t stop_drain_check(capture_t *h, uint64_t before, struct capture_stats *out)
{
	return stop_drain_check_gaps(h, before, out, NULL);
}

static pid_t fork_or_fail(void)
{
	pid_t pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	return pid;
}

static int wait_status(pid_t pid)
{
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

/* ---- The known sequence ------------------------------------------------- */

#define WRITE_BYTES 100
#define READ_BYTES 64

START_TEST(test_known_sequence)
{
	CAPTURE_OPTS(capture_open_opts, o, .include_self = true, .buffer_bytes = 32u << 20,
		     .next_timeout_ms = 50);
	capture_t *h = open_bpf(&o);
	ck_assert_str_eq(capture_engine_name(h), "modern_bpf");
	ck_assert_uint_eq(capture_ring_count(h), capture_cpu_count(h));

	char path[128], missing_exe[128], token[64];
	snprintf(token, sizeof(token), "capture-test-%d-%llu", (int)getpid(),
		 (unsigned long long)now_ns());
	snprintf(path, sizeof(path), "/tmp/%s", token);
	snprintf(missing_exe, sizeof(missing_exe), "/nonexistent/%s", token);
	uint8_t wbuf[WRITE_BYTES], rbuf[READ_BYTES], pbuf[16];
	for (int i = 0; i < WRITE_BYTES; i++)
		wbuf[i] = (uint8_t)(i * 7 + 1);
	const int oflags = O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC;
	const int mode = 0640;

	/* A listening socket for the connect. */
	int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(srv, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	ck_assert_int_eq(bind(srv, (struct sockaddr *)&sin, sizeof(sin)), 0);
	socklen_t slen = sizeof(sin);
	ck_assert_int_eq(getsockname(srv, (struct sockaddr *)&sin, &slen), 0);
	ck_assert_int_eq(listen(srv, 4), 0);

	ck_assert_int_eq(capture_start(h), 0);
	uint32_t self = (uint32_t)getpid();

	/* Files. */
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, oflags, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(syscall(SYS_write, fd, wbuf, WRITE_BYTES), WRITE_BYTES);
	ck_assert_int_eq(syscall(SYS_lseek, fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(syscall(SYS_read, fd, rbuf, READ_BYTES), READ_BYTES);
	ck_assert_int_eq(syscall(SYS_pread64, fd, pbuf, 10, 5), 10);
	int dupfd = (int)syscall(SYS_dup3, fd, 100 + (getpid() % 100), O_CLOEXEC);
	ck_assert_int_ge(dupfd, 0);
	ck_assert_int_eq(syscall(SYS_close, dupfd), 0);
	ck_assert_int_eq(syscall(SYS_close, fd), 0);
	ck_assert_int_eq(syscall(SYS_unlink, path), 0);

	/* Pipes and vectors. */
	int pfd[2];
	ck_assert_int_eq(syscall(SYS_pipe2, pfd, O_CLOEXEC), 0);
	struct iovec wv[2] = { { "abc", 3 }, { "defg", 4 } };
	ck_assert_int_eq(syscall(SYS_writev, pfd[1], wv, 2), 7);
	char r1[2], r2[8];
	struct iovec rv[2] = { { r1, sizeof(r1) }, { r2, sizeof(r2) } };
	ck_assert_int_eq(syscall(SYS_readv, pfd[0], rv, 2), 7);
	close(pfd[0]);
	close(pfd[1]);

	/* Network. */
	int cli = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(cli, 0);
	ck_assert_int_eq(syscall(SYS_connect, cli, &sin, sizeof(sin)), 0);
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	int acc = (int)syscall(SYS_accept4, srv, &peer, &plen, SOCK_CLOEXEC);
	ck_assert_int_ge(acc, 0);
	close(acc);
	close(cli);
	close(srv);

	/* A generic syscall. */
	long ppid = syscall(SYS_getppid);

	/* A failed execve: its arguments come from the caller's memory. */
	char *bad_argv[] = { missing_exe, "one", "two", NULL };
	char *envp[] = { NULL };
	ck_assert_int_eq(syscall(SYS_execve, missing_exe, bad_argv, envp), -1);

	/* fork + execve of /bin/true with known argv. */
	pid_t exec_child = fork_or_fail();
	if (exec_child == 0) {
		char *argv[] = { "true", "capture-test-argv", token, NULL };
		syscall(SYS_execve, "/bin/true", argv, envp);
		_exit(127);
	}
	ck_assert_int_eq(wait_status(exec_child), 0);

	/* A child that exits with a known status. */
	pid_t exit_child = fork_or_fail();
	if (exit_child == 0)
		syscall(SYS_exit_group, 42);
	int st = wait_status(exit_child);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 42);

	syscall(SYS_close, marker_fd());

	uint32_t tids[] = { self, (uint32_t)exec_child, (uint32_t)exit_child };
	struct evlist l = { 0 };
	uint64_t delivered = collect_until_marker(h, tids, 3, &l);

	/* openat: dirfd, path, flags and mode exactly as passed. */
	const struct capture_event *e =
		exactly_one(&l, "openat", self, path_param_is, path, "openat of the unique path");
	const uint64_t opened_ts = e->ts;
	ck_assert_int_eq(p_s64(e, 0), fd);
	ck_assert_int_eq(p_s64(e, 1), AT_FDCWD);
	ck_assert_uint_eq(p_u32(e, 3), (uint32_t)oflags);
	ck_assert_uint_eq(p_u32(e, 4), (uint32_t)mode);
	ck_assert_uint_eq(e->pid, self);

	/* write: 100 bytes, 80 kept (the default snaplen), flagged truncated. */
	int64_t fd64 = fd;
	e = exactly_one(&l, "write", self, fd_param_is, &fd64, "write to the file");
	ck_assert_int_eq(p_s64(e, 0), WRITE_BYTES);
	ck_assert_int_eq(p_s64(e, 3), WRITE_BYTES);
	ck_assert(p_bytes_eq(e, 2, wbuf, 80));
	ck_assert(e->flags & CAPTURE_EVF_TRUNCATED);

	e = exactly_one(&l, "read", self, fd_param_is, &fd64, "read of the file");
	ck_assert_int_eq(p_s64(e, 0), READ_BYTES);
	ck_assert_int_eq(p_s64(e, 3), READ_BYTES);
	ck_assert(p_bytes_eq(e, 2, wbuf, READ_BYTES));
	ck_assert(!(e->flags & (CAPTURE_EVF_TRUNCATED | CAPTURE_EVF_PARAM_MISSING)));

	e = exactly_one(&l, "pread64", self, fd_param_is, &fd64, "pread64 of the file");
	ck_assert_int_eq(p_s64(e, 0), 10);
	ck_assert(p_bytes_eq(e, 2, wbuf + 5, 10));
	ck_assert_int_eq(p_s64(e, 3), 10);
	ck_assert_int_eq(p_s64(e, 4), 5);

	e = exactly_one(&l, "dup3", self, res_is, &(int64_t){ dupfd }, "dup3");
	ck_assert_int_eq(p_s64(e, 1), fd);
	ck_assert_uint_eq(p_u32(e, 3), O_CLOEXEC);

	/* The file's fd number is reused later: look between open and unlink. */
	const struct capture_event *unlink_ev = exactly_one(&l, "unlink", self, NULL, NULL, "unlink");
	ck_assert_str_eq(p_str(unlink_ev, 1), path);
	ts_from = opened_ts;
	ts_to = unlink_ev->ts;
	e = exactly_one(&l, "close", self, fd_param_is, &fd64, "close of the file");
	ck_assert_int_eq(p_s64(e, 0), 0);
	ts_from = 0;
	ts_to = UINT64_MAX;

	e = exactly_one(&l, "pipe2", self, NULL, NULL, "pipe2");
	ck_assert_int_eq(p_s64(e, 1), pfd[0]);
	ck_assert_int_eq(p_s64(e, 2), pfd[1]);
	ck_assert_uint_eq(p_u32(e, 3), O_CLOEXEC);

	e = exactly_one(&l, "writev", self, fd_param_is, &(int64_t){ pfd[1] }, "writev");
	ck_assert(p_bytes_eq(e, 2, "abcdefg", 7));
	ck_assert_uint_eq(p_u32(e, 3), 2);
	e = exactly_one(&l, "readv", self, fd_param_is, &(int64_t){ pfd[0] }, "readv");
	ck_assert_int_eq(p_s64(e, 0), 7);
	ck_assert(p_bytes_eq(e, 2, "abcdefg", 7));

	/* socket, connect with the raw sockaddr, accept4 with the peer's. */
	e = exactly_one(&l, "socket", self, res_is, &(int64_t){ cli }, "socket");
	ck_assert_uint_eq(p_u32(e, 1), AF_INET);
	ck_assert_uint_eq(p_u32(e, 2), SOCK_STREAM | SOCK_CLOEXEC);
	e = exactly_one(&l, "connect", self, fd_param_is, &(int64_t){ cli }, "connect");
	ck_assert_int_eq(p_s64(e, 0), 0);
	ck_assert(p_bytes_eq(e, 2, &sin, sizeof(sin)));
	e = exactly_one(&l, "accept4", self, res_is, &(int64_t){ acc }, "accept4");
	ck_assert_int_eq(p_s64(e, 1), srv);
	ck_assert(p_bytes_eq(e, 2, &peer, plen));
	ck_assert_uint_eq(p_u32(e, 3), SOCK_CLOEXEC);

	uint32_t getppid_nr = (uint32_t)nr_of("getppid");
	e = exactly_one(&l, "generic", self, generic_nr_is, &getppid_nr, "getppid");
	ck_assert_int_eq(p_s64(e, 0), ppid);

	/* The failed execve. */
	e = exactly_one(&l, "execve", self, NULL, NULL, "failed execve");
	ck_assert_int_eq(p_s64(e, 0), -ENOENT);
	ck_assert_str_eq(p_str(e, 1), missing_exe);
	{
		char want[256];
		size_t n = (size_t)snprintf(want, sizeof(want), "%s%cone%ctwo", missing_exe, 0, 0) + 1;
		ck_assert(p_bytes_eq(e, 2, want, (uint32_t)n));
	}

	/* fork: the parent's clone returns the child, the child's returns 0,
	 * and the scheduler says who was born. */
	e = exactly_one(&l, "clone", self, res_is, &(int64_t){ exec_child }, "fork in the parent");
	ck_assert(p_s64(e, 1) & SIGCHLD);
	exactly_one(&l, "clone", (uint32_t)exec_child, res_is, &(int64_t){ 0 }, "fork in the child");
	e = exactly_one(&l, "proc_fork", self, fd_param_is, &(int64_t){ exec_child }, "proc_fork");
	ck_assert_int_eq(p_s64(e, 0), exec_child);

	/* execve of /bin/true with its argv, in the child. */
	e = exactly_one(&l, "execve", (uint32_t)exec_child, NULL, NULL, "execve of /bin/true");
	ck_assert_int_eq(p_s64(e, 0), 0);
	ck_assert_str_eq(p_str(e, 1), "/bin/true");
	{
		char want[256];
		size_t n = (size_t)snprintf(want, sizeof(want), "true%ccapture-test-argv%c%s", 0, 0,
					    token) + 1;
		ck_assert(p_bytes_eq(e, 2, want, (uint32_t)n));
	}
	e = exactly_one(&l, "proc_exec", (uint32_t)exec_child, NULL, NULL, "proc_exec");
	ck_assert_str_eq(p_str(e, 0), "/bin/true");
	ck_assert_int_eq(p_s64(e, 1), exec_child);
	e = exactly_one(&l, "exit_group", (uint32_t)exec_child, NULL, NULL, "/bin/true's exit");
	ck_assert_int_eq((int32_t)p_u32(e, 0), 0);

	/* The child that exits with 42. */
	e = exactly_one(&l, "exit_group", (uint32_t)exit_child, NULL, NULL, "exit_group(42)");
	ck_assert_int_eq((int32_t)p_u32(e, 0), 42);
	e = exactly_one(&l, "proc_exit", (uint32_t)exit_child, NULL, NULL, "proc_exit of 42");
	ck_assert_int_eq((int32_t)p_u32(e, 0), 42 << 8); /* a wait status */
	ck_assert_uint_eq(p_u32(e, 1), SIGCHLD);

	/* Events of one ring come in timestamp order, and stamps are wall clock. */
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	uint64_t wall_ns = (uint64_t)wall.tv_sec * 1000000000ull + (uint64_t)wall.tv_nsec;
	for (size_t i = 0; i < l.n; i++)
		ck_assert_msg(l.ev[i]->ts <= wall_ns && l.ev[i]->ts > wall_ns - 60ull * 1000000000ull,
			      "event %zu's timestamp %llu is not within the last minute", i,
			      (unsigned long long)l.ev[i]->ts);

	evlist_free(&l);
	stop_drain_check(h, delivered, NULL);
	capture_close(h);
}
END_TEST

/* ---- More layouts ------------------------------------------------------- */

static bool mmap_len_is(const struct capture_event *e, const void *arg)
{
	return (uint64_t)p_s64(e, 2) == *(const uint64_t *)arg;
}

static bool bpf_cmd_is(const struct capture_event *e, const void *arg)
{
	return p_u32(e, 1) == *(const uint32_t *)arg;
}

static bool mprotect_len_is(const struct capture_event *e, const void *arg)
{
	return (uint64_t)p_s64(e, 2) == *(const uint64_t *)arg;
}

/* Most dedicated layouts once each: paths, strings, sockaddrs, iovecs,
 * msghdrs, user structs and plain integers, plus a path that faults. */
START_TEST(test_more_layouts)
{
	CAPTURE_OPTS(capture_open_opts, o, .include_self = true, .buffer_bytes = 32u << 20,
		     .next_timeout_ms = 50);
	capture_t *h = open_bpf(&o);
	uint32_t self = (uint32_t)getpid();
	char base[96], dir[128], dir2[128], file[128], file2[128], lnk[128], lnk2[128], hard[128];
	snprintf(base, sizeof(base), "/tmp/capture-layouts-%d", (int)self);
	snprintf(dir, sizeof(dir), "%s.d", base);
	snprintf(dir2, sizeof(dir2), "%s.d2", base);
	snprintf(file, sizeof(file), "%s.f", base);
	snprintf(file2, sizeof(file2), "%s.f2", base);
	snprintf(lnk, sizeof(lnk), "%s.l", base);
	snprintf(lnk2, sizeof(lnk2), "%s.l2", base);
	snprintf(hard, sizeof(hard), "%s.h", base);
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(cwd, 0);
	int bindir = open("/bin", O_PATH | O_DIRECTORY);
	ck_assert_int_ge(bindir, 0);
	ck_assert_int_eq(capture_start(h), 0);

	ck_assert_int_eq(syscall(SYS_mkdir, dir, 0750), 0);
	ck_assert_int_eq(syscall(SYS_mkdirat, AT_FDCWD, dir2, 0700), 0);
	int cfd = (int)syscall(SYS_creat, file, 0600);
	ck_assert_int_ge(cfd, 0);
	ck_assert_int_eq(syscall(SYS_pwrite64, cfd, "xyz", 3, 7), 3);
	ck_assert_int_eq(syscall(SYS_fchmod, cfd, 0644), 0);
	ck_assert_int_eq(syscall(SYS_fchown, cfd, 0, 0), 0);
	ck_assert_int_eq(syscall(SYS_chmod, file, 0600), 0);
	ck_assert_int_eq(syscall(SYS_fchmodat, AT_FDCWD, file, 0640), 0);
	ck_assert_int_eq(syscall(SYS_chown, file, 0, 0), 0);
	ck_assert_int_eq(syscall(SYS_symlink, file, lnk), 0);
	ck_assert_int_eq(syscall(SYS_lchown, lnk, 0, 0), 0);
	ck_assert_int_eq(syscall(SYS_fchownat, AT_FDCWD, lnk, 0, 0, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_int_eq(syscall(SYS_rename, lnk, lnk2), 0);
	ck_assert_int_eq(syscall(SYS_renameat2, AT_FDCWD, lnk2, AT_FDCWD, lnk, 1 /* NOREPLACE */), 0);
	ck_assert_int_eq(syscall(SYS_linkat, AT_FDCWD, file, AT_FDCWD, hard, 0), 0);
	ck_assert_int_eq(syscall(SYS_unlink, hard), 0);
	ck_assert_int_eq(syscall(SYS_symlinkat, file, AT_FDCWD, hard), 0);
	ck_assert_int_eq(syscall(SYS_unlinkat, AT_FDCWD, hard, 0), 0);
	ck_assert_int_eq(syscall(SYS_chdir, dir), 0);
	ck_assert_int_eq(syscall(SYS_fchdir, cwd), 0);
	ck_assert_int_eq(syscall(SYS_chroot, "/nonexistent-capture-root"), -1);
	ck_assert_int_eq(syscall(SYS_mount, "capsrc", "/nonexistent-capture-mnt", "tmpfs", 1ul, NULL),
			 -1);
	ck_assert_int_eq(syscall(SYS_umount2, "/nonexistent-capture-mnt", 2), -1);
	struct { uint64_t flags, mode, resolve; } how = { O_RDONLY | O_CLOEXEC, 0, 4 };
	int ofd = (int)syscall(SYS_openat2, AT_FDCWD, file, &how, sizeof(how));
	ck_assert_int_ge(ofd, 0);
	int ofd2 = (int)syscall(SYS_open, file, O_RDONLY | O_CLOEXEC, 0);
	ck_assert_int_ge(ofd2, 0);
	int dfd = (int)syscall(SYS_dup, ofd);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(syscall(SYS_dup2, ofd, 200 + (self % 50)), 200 + (self % 50));
	ck_assert_int_eq(syscall(SYS_openat, AT_FDCWD, (const char *)8, O_RDONLY), -1); /* EFAULT */
	int pfd[2];
	ck_assert_int_eq(syscall(SYS_pipe, pfd), 0);
	int mfd = (int)syscall(SYS_memfd_create, "capmemfd", 1u /* MFD_CLOEXEC */);
	ck_assert_int_ge(mfd, 0);
	uint64_t maplen = 3 * 4096 + 4096 * (self % 7);
	void *map = (void *)syscall(SYS_mmap, NULL, maplen, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(map != MAP_FAILED);
	ck_assert_int_eq(syscall(SYS_mprotect, map, maplen, PROT_NONE), 0);

	/* UDP with addresses, and the msghdr variants. */
	int us = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), uc = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert(us >= 0 && uc >= 0);
	struct sockaddr_in ua = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	ck_assert_int_eq(syscall(SYS_bind, us, &ua, sizeof(ua)), 0);
	socklen_t ualen = sizeof(ua);
	ck_assert_int_eq(getsockname(us, (struct sockaddr *)&ua, &ualen), 0);
	ck_assert_int_eq(syscall(SYS_sendto, uc, "hello", 5, 0, &ua, sizeof(ua)), 5);
	char rbuf[64];
	struct sockaddr_in from;
	socklen_t fromlen = sizeof(from);
	ck_assert_int_eq(syscall(SYS_recvfrom, us, rbuf, sizeof(rbuf), 0, &from, &fromlen), 5);
	struct iovec sv[2] = { { "ab", 2 }, { "cde", 3 } };
	struct msghdr sm = { .msg_name = &ua, .msg_namelen = sizeof(ua), .msg_iov = sv, .msg_iovlen = 2 };
	ck_assert_int_eq(syscall(SYS_sendmsg, uc, &sm, 0), 5);
	char r1[3], r2[16];
	struct iovec rv[2] = { { r1, sizeof(r1) }, { r2, sizeof(r2) } };
	struct sockaddr_in from2;
	struct msghdr rm = { .msg_name = &from2, .msg_namelen = sizeof(from2), .msg_iov = rv, .msg_iovlen = 2 };
	ck_assert_int_eq(syscall(SYS_recvmsg, us, &rm, 0), 5);
	int ts = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(ts, 0);
	ck_assert_int_eq(syscall(SYS_listen, ts, 7), 0);
	syscall(SYS_shutdown, us, SHUT_RDWR);

	/* Credentials, signals, namespaces, kernel surface. */
	ck_assert_int_eq(syscall(SYS_setuid, 0), 0);
	ck_assert_int_eq(syscall(SYS_setgid, 0), 0);
	ck_assert_int_eq(syscall(SYS_setresuid, -1, -1, -1), 0);
	ck_assert_int_eq(syscall(SYS_setresgid, -1, -1, -1), 0);
	ck_assert_int_eq(syscall(SYS_kill, self, 0), 0);
	ck_assert_int_eq(syscall(SYS_tkill, self, 0), 0);
	ck_assert_int_eq(syscall(SYS_tgkill, self, self, 0), 0);
	ck_assert_int_eq(syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	ck_assert_int_eq(syscall(SYS_unshare, 0), 0);
	ck_assert_int_eq(syscall(SYS_setns, -1, 0), -1);
	ck_assert_int_eq(syscall(SYS_ptrace, -12345L, 0, 0, 0), -1);
	struct __user_cap_header_struct ch = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct cd[2];
	ck_assert_int_eq(syscall(SYS_capget, &ch, cd), 0);
	ck_assert_int_eq(syscall(SYS_capset, &ch, cd), 0);
	ck_assert_int_eq(syscall(SYS_bpf, 1000, NULL, 0), -1);
	ck_assert_int_eq(syscall(SYS_finit_module, -1, "capargs=1", 0), -1);

	/* fork(2), clone3(2) and execveat(2) relative to a directory fd. */
	pid_t fk = (pid_t)syscall(SYS_fork);
	if (fk == 0)
		syscall(SYS_exit_group, 5);
	ck_assert_int_gt(fk, 0);
	wait_status(fk);
	struct { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; } ca =
		{ .exit_signal = SIGCHLD };
	pid_t c3 = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (c3 == 0)
		syscall(SYS_exit_group, 6);
	ck_assert_int_gt(c3, 0);
	wait_status(c3);
	pid_t ex = fork_or_fail();
	if (ex == 0) {
		char *argv[] = { "true", "via-execveat", NULL };
		char *envp[] = { NULL };
		syscall(SYS_execveat, bindir, "true", argv, envp, 0);
		_exit(127);
	}
	ck_assert_int_eq(wait_status(ex), 0);

	syscall(SYS_close, marker_fd());
	uint32_t tids[] = { self, (uint32_t)ex };
	struct evlist l = { 0 };
	uint64_t delivered = collect_until_marker(h, tids, 2, &l);
	const struct capture_event *e;

	e = exactly_one(&l, "mkdir", self, NULL, NULL, "mkdir");
	ck_assert_str_eq(p_str(e, 1), dir);
	ck_assert_uint_eq(p_u32(e, 2), 0750);
	e = exactly_one(&l, "mkdirat", self, NULL, NULL, "mkdirat");
	ck_assert_int_eq(p_s64(e, 1), AT_FDCWD);
	ck_assert_str_eq(p_str(e, 2), dir2);
	e = exactly_one(&l, "creat", self, NULL, NULL, "creat");
	ck_assert_int_eq(p_s64(e, 0), cfd);
	ck_assert_str_eq(p_str(e, 1), file);
	ck_assert_uint_eq(p_u32(e, 2), 0600);
	e = exactly_one(&l, "pwrite64", self, NULL, NULL, "pwrite64");
	ck_assert(p_bytes_eq(e, 2, "xyz", 3));
	ck_assert_int_eq(p_s64(e, 4), 7);
	e = exactly_one(&l, "fchmod", self, NULL, NULL, "fchmod");
	ck_assert_int_eq(p_s64(e, 1), cfd);
	ck_assert_uint_eq(p_u32(e, 2), 0644);
	e = exactly_one(&l, "fchown", self, NULL, NULL, "fchown");
	ck_assert_uint_eq(p_u32(e, 2), 0);
	e = exactly_one(&l, "chmod", self, NULL, NULL, "chmod");
	ck_assert_str_eq(p_str(e, 1), file);
	e = exactly_one(&l, "fchmodat", self, NULL, NULL, "fchmodat");
	ck_assert_uint_eq(p_u32(e, 3), 0640);
	e = exactly_one(&l, "chown", self, NULL, NULL, "chown");
	ck_assert_str_eq(p_str(e, 1), file);
	e = exactly_one(&l, "symlink", self, NULL, NULL, "symlink");
	ck_assert_str_eq(p_str(e, 1), file);
	ck_assert_str_eq(p_str(e, 2), lnk);
	exactly_one(&l, "lchown", self, NULL, NULL, "lchown");
	e = exactly_one(&l, "fchownat", self, NULL, NULL, "fchownat");
	ck_assert_uint_eq(p_u32(e, 5), AT_SYMLINK_NOFOLLOW);
	e = exactly_one(&l, "rename", self, NULL, NULL, "rename");
	ck_assert_str_eq(p_str(e, 1), lnk);
	ck_assert_str_eq(p_str(e, 2), lnk2);
	e = exactly_one(&l, "renameat2", self, NULL, NULL, "renameat2");
	ck_assert_str_eq(p_str(e, 2), lnk2);
	ck_assert_str_eq(p_str(e, 4), lnk);
	ck_assert_uint_eq(p_u32(e, 5), 1);
	e = exactly_one(&l, "linkat", self, NULL, NULL, "linkat");
	ck_assert_str_eq(p_str(e, 4), hard);
	exactly_one(&l, "unlink", self, NULL, NULL, "unlink");
	e = exactly_one(&l, "symlinkat", self, NULL, NULL, "symlinkat");
	ck_assert_str_eq(p_str(e, 1), file);
	ck_assert_int_eq(p_s64(e, 2), AT_FDCWD);
	exactly_one(&l, "unlinkat", self, NULL, NULL, "unlinkat");
	e = exactly_one(&l, "chdir", self, NULL, NULL, "chdir");
	ck_assert_str_eq(p_str(e, 1), dir);
	e = exactly_one(&l, "fchdir", self, NULL, NULL, "fchdir");
	ck_assert_int_eq(p_s64(e, 1), cwd);
	e = exactly_one(&l, "chroot", self, NULL, NULL, "chroot");
	ck_assert_int_eq(p_s64(e, 0), -ENOENT);
	e = exactly_one(&l, "mount", self, NULL, NULL, "mount");
	ck_assert_str_eq(p_str(e, 1), "capsrc");
	ck_assert_str_eq(p_str(e, 2), "/nonexistent-capture-mnt");
	ck_assert_str_eq(p_str(e, 3), "tmpfs");
	ck_assert_int_eq(p_s64(e, 4), 1);
	e = exactly_one(&l, "umount2", self, NULL, NULL, "umount2");
	ck_assert_uint_eq(p_u32(e, 2), 2);
	e = exactly_one(&l, "openat2", self, NULL, NULL, "openat2");
	ck_assert_int_eq(p_s64(e, 0), ofd);
	ck_assert_str_eq(p_str(e, 2), file);
	ck_assert_int_eq(p_s64(e, 3), O_RDONLY | O_CLOEXEC);
	ck_assert_uint_eq(p_u32(e, 4), 0);
	ck_assert_int_eq(p_s64(e, 5), 4);
	e = exactly_one(&l, "open", self, NULL, NULL, "open");
	ck_assert_int_eq(p_s64(e, 0), ofd2);
	ck_assert_str_eq(p_str(e, 1), file);
	e = exactly_one(&l, "dup", self, NULL, NULL, "dup");
	ck_assert_int_eq(p_s64(e, 0), dfd);
	e = exactly_one(&l, "dup2", self, NULL, NULL, "dup2");
	ck_assert_int_eq(p_s64(e, 2), 200 + (self % 50));

	/* The path at address 8 faults: delivered missing and flagged. */
	int64_t efault = -EFAULT;
	e = exactly_one(&l, "openat", self, res_is, &efault, "openat of an unreadable path");
	{
		uint32_t len;
		param(e, 2, &len);
		ck_assert_uint_eq(len, 0);
		ck_assert(e->flags & CAPTURE_EVF_PARAM_MISSING);
	}

	e = exactly_one(&l, "pipe", self, NULL, NULL, "pipe");
	ck_assert_int_eq(p_s64(e, 1), pfd[0]);
	ck_assert_int_eq(p_s64(e, 2), pfd[1]);
	e = exactly_one(&l, "memfd_create", self, NULL, NULL, "memfd_create");
	ck_assert_int_eq(p_s64(e, 0), mfd);
	ck_assert_str_eq(p_str(e, 1), "capmemfd");
	e = exactly_one(&l, "mmap", self, mmap_len_is, &maplen, "mmap");
	ck_assert_int_eq(p_s64(e, 0), (int64_t)(uintptr_t)map);
	ck_assert_uint_eq(p_u32(e, 3), PROT_READ);
	ck_assert_int_eq(p_s64(e, 5), -1);
	e = exactly_one(&l, "mprotect", self, mprotect_len_is, &maplen, "mprotect");
	ck_assert_int_eq(p_s64(e, 1), (int64_t)(uintptr_t)map);

	e = exactly_one(&l, "bind", self, fd_param_is, &(int64_t){ us }, "bind");
	sa_family_t family; /* parameters are packed: copy, do not cast */
	memcpy(&family, param(e, 2, NULL), sizeof(family));
	ck_assert_uint_eq(family, AF_INET);
	e = exactly_one(&l, "sendto", self, NULL, NULL, "sendto");
	ck_assert(p_bytes_eq(e, 2, "hello", 5));
	ck_assert(p_bytes_eq(e, 4, &ua, sizeof(ua)));
	e = exactly_one(&l, "recvfrom", self, NULL, NULL, "recvfrom");
	ck_assert_int_eq(p_s64(e, 0), 5);
	ck_assert(p_bytes_eq(e, 2, "hello", 5));
	ck_assert_int_eq(p_s64(e, 3), sizeof(rbuf));
	ck_assert(p_bytes_eq(e, 4, &from, fromlen));
	e = exactly_one(&l, "sendmsg", self, NULL, NULL, "sendmsg");
	ck_assert(p_bytes_eq(e, 2, "abcde", 5));
	ck_assert(p_bytes_eq(e, 3, &ua, sizeof(ua)));
	e = exactly_one(&l, "recvmsg", self, NULL, NULL, "recvmsg");
	ck_assert(p_bytes_eq(e, 2, "abcde", 5));
	ck_assert(p_bytes_eq(e, 3, &from2, rm.msg_namelen));
	e = exactly_one(&l, "listen", self, NULL, NULL, "listen");
	ck_assert_uint_eq(p_u32(e, 2), 7);
	e = exactly_one(&l, "shutdown", self, NULL, NULL, "shutdown");
	ck_assert_uint_eq(p_u32(e, 2), SHUT_RDWR);

	e = exactly_one(&l, "setuid", self, NULL, NULL, "setuid");
	ck_assert_uint_eq(p_u32(e, 1), 0);
	exactly_one(&l, "setgid", self, NULL, NULL, "setgid");
	e = exactly_one(&l, "setresuid", self, NULL, NULL, "setresuid");
	ck_assert_uint_eq(p_u32(e, 2), UINT32_MAX);
	exactly_one(&l, "setresgid", self, NULL, NULL, "setresgid");
	e = exactly_one(&l, "kill", self, NULL, NULL, "kill");
	ck_assert_int_eq(p_s64(e, 1), self);
	ck_assert_uint_eq(p_u32(e, 2), 0);
	exactly_one(&l, "tkill", self, NULL, NULL, "tkill");
	e = exactly_one(&l, "tgkill", self, NULL, NULL, "tgkill");
	ck_assert_int_eq(p_s64(e, 2), self);
	e = exactly_one(&l, "prctl", self, NULL, NULL, "prctl");
	ck_assert_uint_eq(p_u32(e, 1), PR_GET_DUMPABLE);
	ck_assert_int_eq(p_s64(e, 0), 1);
	exactly_one(&l, "unshare", self, NULL, NULL, "unshare");
	e = exactly_one(&l, "setns", self, NULL, NULL, "setns");
	ck_assert_int_eq(p_s64(e, 1), -1);
	e = exactly_one(&l, "ptrace", self, NULL, NULL, "ptrace");
	ck_assert_int_eq(p_s64(e, 1), -12345);
	e = exactly_one(&l, "capset", self, NULL, NULL, "capset");
	ck_assert_int_eq(p_s64(e, 0), 0);
	ck_assert_uint_eq((uint64_t)p_s64(e, 1), cd[0].effective | (uint64_t)cd[1].effective << 32);
	/* capture_start()'s own bpf() calls came after sys_exit was attached. */
	e = exactly_one(&l, "bpf", self, bpf_cmd_is, &(uint32_t){ 1000 }, "bpf");
	ck_assert_int_eq(p_s64(e, 0), -EINVAL);
	e = exactly_one(&l, "finit_module", self, NULL, NULL, "finit_module");
	ck_assert_str_eq(p_str(e, 2), "capargs=1");

	e = exactly_one(&l, "fork", self, NULL, NULL, "fork(2)");
	ck_assert_int_eq(p_s64(e, 0), fk);
	e = exactly_one(&l, "clone3", self, NULL, NULL, "clone3");
	ck_assert_int_eq(p_s64(e, 0), c3);
	ck_assert_int_eq(p_s64(e, 1), 0);
	ck_assert_int_eq(p_s64(e, 2), sizeof(ca));
	/* execveat: the kernel names the file through the directory fd; the
	 * dirfd and flags were kept before the exec replaced the registers. */
	e = exactly_one(&l, "execveat", (uint32_t)ex, NULL, NULL, "execveat");
	ck_assert_int_eq(p_s64(e, 0), 0);
	{
		char want[64];
		snprintf(want, sizeof(want), "/dev/fd/%d/true", bindir);
		ck_assert_str_eq(p_str(e, 2), want);
	}
	ck_assert(p_bytes_eq(e, 3, "true\0via-execveat", 18));
	ck_assert_int_eq(p_s64(e, 1), bindir);
	ck_assert_uint_eq(p_u32(e, 4), 0);

	evlist_free(&l);
	stop_drain_check(h, delivered, NULL);
	capture_close(h);
	unlink(lnk);
	unlink(file);
	rmdir(dir2);
	rmdir(dir);
}
END_TEST

/* ---- Forced drops -------------------------------------------------------- */

START_TEST(test_forced_drops_open_only)
{
	uint32_t openat_nr = (uint32_t)nr_of("openat");
	CAPTURE_OPTS(capture_open_opts, o, .include_self = true,
		     .buffer_bytes = (uint64_t)sysconf(_SC_PAGESIZE), .syscalls = &openat_nr,
		     .n_syscalls = 1, .next_timeout_ms = 10, .no_shedding = true);
	capture_t *h = open_bpf(&o);
	ck_assert_int_eq(capture_start(h), 0);
	/* The consumer reads nothing while the rings overflow. */
	for (int i = 0; i < 20000; i++) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC, 0);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	struct capture_stats s;
	uint64_t delivered = stop_drain_check(h, 0, &s);
	ck_assert_msg(s.n_drops_buffer > 0, "a one-page ring must overflow (n_evts %llu)",
		      (unsigned long long)s.n_evts);
	ck_assert_uint_ge(s.n_evts, 20000);
	ck_assert_uint_eq(s.n_drops_buffer_open_exit, s.n_drops_buffer);
	ck_assert_uint_eq(s.n_drops, s.n_drops_buffer);
	ck_assert_uint_gt(delivered, 0);
	capture_close(h);
}
END_TEST

START_TEST(test_forced_drops_mixed)
{
	/* Everything selected, enter events on, small rings shared by all
	 * CPUs: drops land in several categories and both directions, and
	 * still add up. */
	CAPTURE_OPTS(capture_open_opts, o, .include_self = true, .buffer_bytes = 16384,
		     .cpus_per_buffer = CAPTURE_CPUS_PER_BUFFER_ALL, .enter_events = true,
		     .next_timeout_ms = 10, .no_shedding = true);
	capture_t *h = open_bpf(&o);
	ck_assert_uint_eq(capture_ring_count(h), 1);
	ck_assert_int_eq(capture_start(h), 0);
	for (int i = 0; i < 2000; i++) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC, 0);
		syscall(SYS_close, fd);
		syscall(SYS_getppid);
	}
	for (int i = 0; i < 20; i++) {
		pid_t pid = fork_or_fail();
		if (pid == 0)
			syscall(SYS_exit_group, 0);
		wait_status(pid);
	}
	/* Read a little, then stop reading: a partly drained ring. */
	const struct capture_event *e;
	uint64_t early = 0;
	uint32_t cpu;
	struct gap_sums gaps = { 0 };
	while (early < 100 && capture_next(h, &e, &cpu) == CAPTURE_OK) {
		ck_assert_uint_eq(cpu, CAPTURE_CPU_UNKNOWN);
		if (e->type == CAPTURE_EVT_DROP)
			gap_add(&gaps, e, capture_cpu_count(h));
		else
			early++;
	}
	struct capture_stats s;
	stop_drain_check_gaps(h, early, &s, &gaps);
	ck_assert_uint_gt(s.n_drops_buffer_open_exit, 0);
	ck_assert_uint_gt(s.n_drops_buffer_open_enter, 0);
	ck_assert_uint_gt(s.n_drops_buffer_close_exit, 0);
	ck_assert_uint_gt(s.n_drops_buffer_other_interest_exit, 0);
	capture_close(h);
}
END_TEST

START_TEST(test_shedding_keeps_opens)
{
	/* Default shedding (IO and generic events, past half a ring): a flood
	 * of getppid is shed, never dropped, while the opens keep their room. */
	CAPTURE_OPTS(capture_open_opts, o, .include_self = true, .buffer_bytes = 65536,
		     .next_timeout_ms = 10);
	capture_t *h = open_bpf(&o);
	ck_assert_int_eq(capture_start(h), 0);
	for (int i = 0; i < 20000; i++)
		syscall(SYS_getppid);
	for (int i = 0; i < 50; i++) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC, 0);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	ck_assert_int_eq(capture_stop(h), 0);
	int type_openat = type_of("openat");
	uint64_t delivered = 0, our_opens = 0;
	for (;;) {
		const struct capture_event *e;
		int rc = capture_next(h, &e, NULL);
		if (rc == CAPTURE_EOF)
			break;
		ck_assert_int_eq(rc, CAPTURE_OK);
		if (e->type == CAPTURE_EVT_DROP)
			continue;
		delivered++;
		if (e->type == type_openat && e->tid == (uint32_t)getpid())
			our_opens++;
	}
	struct capture_stats s;
	stats_of(h, &s);
	ck_assert_uint_eq(s.n_evts, delivered + s.n_drops + s.n_shed);
	ck_assert_uint_gt(s.n_shed, 0);
	/* getppid is generic, counted in other_interest; opens are never shed
	 * and the half ring kept free holds them. */
	ck_assert_uint_gt(s.n_shed_other_interest, 0);
	ck_assert_uint_eq(s.n_shed_open, 0);
	ck_assert_uint_eq(our_opens, 50);
	capture_close(h);
}
END_TEST

/* ---- Selection ---------------------------------------------------------- */

START_TEST(test_select_close_getppid_storm)
{
	uint32_t close_nr = (uint32_t)nr_of("close");
	CAPTURE_OPTS(capture_open_opts, o, .include_self = true, .syscalls = &close_nr,
		     .n_syscalls = 1, .next_timeout_ms = 10);
	capture_t *h = open_bpf(&o);
	ck_assert_int_eq(capture_start(h), 0);
	struct capture_stats before;
	stats_of(h, &before);
	for (int i = 0; i < 200000; i++)
		syscall(SYS_getppid);
	for (int i = 0; i < 100; i++)
		syscall(SYS_close, -1);
	/* Every event counted is a close: the storm counted nothing. */
	int type_close = type_of("close");
	uint64_t delivered = 0, ours = 0;
	ck_assert_int_eq(capture_stop(h), 0);
	for (;;) {
		uint32_t cpu;
		const struct capture_event *e;
		int rc = capture_next(h, &e, &cpu);
		if (rc == CAPTURE_EOF)
			break;
		ck_assert_int_eq(rc, CAPTURE_OK);
		if (e->type == CAPTURE_EVT_DROP)
			continue;
		delivered++;
		ck_assert_msg(e->type == type_close, "a %s event with only close selected",
			      capture_event_type_name(e->type));
		if (e->tid == (uint32_t)getpid() && p_s64(e, 1) == -1)
			ours++;
	}
	struct capture_stats s;
	stats_of(h, &s);
	ck_assert_uint_eq(s.n_evts, delivered + s.n_drops + s.n_shed);
	ck_assert_msg(s.n_evts - before.n_evts < 100000,
		      "n_evts rose by %llu during a getppid storm with only close selected",
		      (unsigned long long)(s.n_evts - before.n_evts));
	if (s.n_drops == 0)
		ck_assert_uint_eq(ours, 100);
	capture_close(h);
}
END_TEST

START_TEST(test_set_syscalls_while_running)
{
	uint32_t close_nr = (uint32_t)nr_of("close");
	uint32_t getppid_nr = (uint32_t)nr_of("getppid");
	uint32_t exit_group_nr = (uint32_t)nr_of("exit_group");
	CAPTURE_OPTS(capture_open_opts, o, .include_self = true, .syscalls = &close_nr,
		     .n_syscalls = 1, .next_timeout_ms = 20);
	capture_t *h = open_bpf(&o);
	ck_assert_int_eq(capture_start(h), 0);
	for (int i = 0; i < 10; i++)
		syscall(SYS_getppid);
	uint32_t now[] = { close_nr, getppid_nr, exit_group_nr };
	ck_assert_int_eq(capture_set_syscalls(h, now, 3), 0);
	for (int i = 0; i < 7; i++)
		syscall(SYS_getppid);
	pid_t child = fork_or_fail(); /* clone is not selected: no fork events */
	if (child == 0)
		syscall(SYS_exit_group, 3);
	wait_status(child);
	syscall(SYS_close, marker_fd());
	uint32_t tids[] = { (uint32_t)getpid(), (uint32_t)child };
	struct evlist l = { 0 };
	uint64_t delivered = collect_until_marker(h, tids, 2, &l);
	ck_assert_uint_eq(count_matching(&l, type_of("generic"), (uint32_t)getpid(), generic_nr_is,
					 &getppid_nr, NULL),
			  7);
	ck_assert_uint_eq(count_matching(&l, type_of("clone"), (uint32_t)getpid(), NULL, NULL, NULL),
			  0);
	ck_assert_uint_eq(count_matching(&l, type_of("proc_fork"), (uint32_t)getpid(), NULL, NULL,
					 NULL),
			  0);
	/* exit_group never returns; its event comes from the thread's end. */
	const struct capture_event *e =
		exactly_one(&l, "exit_group", (uint32_t)child, NULL, NULL, "exit_group(3)");
	ck_assert_int_eq((int32_t)p_u32(e, 0), 3);
	evlist_free(&l);
	stop_drain_check(h, delivered, NULL);
	capture_close(h);
}
END_TEST

START_TEST(test_enter_events)
{
	uint32_t getppid_nr = (uint32_t)nr_of("getppid");
	CAPTURE_OPTS(capture_open_opts, o, .include_self = true, .enter_events = true,
		     .next_timeout_ms = 20);
	capture_t *h = open_bpf(&o);
	ck_assert_int_eq(capture_start(h), 0);
	for (int i = 0; i < 5; i++)
		syscall(SYS_getppid);
	syscall(SYS_close, marker_fd());
	uint32_t tids[] = { (uint32_t)getpid() };
	struct evlist l = { 0 };
	uint64_t delivered = collect_until_marker(h, tids, 1, &l);
	size_t enters = 0, exits = 0;
	for (size_t i = 0; i < l.n; i++) {
		const struct capture_event *e = l.ev[i];
		if (e->type == type_of("syscall_enter") && p_u32(e, 0) == getppid_nr)
			enters++;
		if (e->type == type_of("generic") && p_u32(e, 1) == getppid_nr)
			exits++;
	}
	ck_assert_uint_eq(enters, 5);
	ck_assert_uint_eq(exits, 5);
	evlist_free(&l);
	stop_drain_check(h, delivered, NULL);
	capture_close(h);
}
END_TEST

START_TEST(test_self_excluded_by_default)
{
	uint32_t getppid_nr = (uint32_t)nr_of("getppid");
	CAPTURE_OPTS(capture_open_opts, o, .syscalls = &getppid_nr, .n_syscalls = 1,
		     .next_timeout_ms = 20);
	capture_t *h = open_bpf(&o);
	ck_assert_int_eq(capture_start(h), 0);
	for (int i = 0; i < 1000; i++)
		syscall(SYS_getppid);
	ck_assert_int_eq(capture_stop(h), 0);
	for (;;) {
		const struct capture_event *e;
		int rc = capture_next(h, &e, NULL);
		if (rc == CAPTURE_EOF)
			break;
		ck_assert_int_eq(rc, CAPTURE_OK);
		ck_assert_uint_ne(e->pid, (uint32_t)getpid());
	}
	capture_close(h);
}
END_TEST

/* ---- Suppression -------------------------------------------------------- */

START_TEST(test_suppressed_comm)
{
	const char *comms[] = { "capsup-test" };
	CAPTURE_OPTS(capture_open_opts, o, .include_self = true, .suppressed_comms = comms,
		     .n_suppressed_comms = 1, .next_timeout_ms = 20);
	capture_t *h = open_bpf(&o);
	ck_assert_int_eq(capture_start(h), 0);
	int ready[2], go[2];
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(go), 0);
	pid_t child = fork_or_fail();
	if (child == 0) {
		char c = 0;
		prctl(PR_SET_NAME, "capsup-test");
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		for (int i = 0; i < 1000; i++)
			syscall(SYS_getppid);
		_exit(0);
	}
	char c;
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	struct capture_stats s;
	stats_of(h, &s);
	ck_assert_uint_eq(s.n_tids_suppressed, 1);
	ck_assert_int_eq(write(go[1], &c, 1), 1);
	ck_assert_int_eq(wait_status(child), 0);
	stats_of(h, &s);
	ck_assert_uint_ge(s.n_suppressed, 1000);
	ck_assert_uint_eq(s.n_tids_suppressed, 0); /* it left with its thread */
	syscall(SYS_close, marker_fd());
	uint32_t tids[] = { (uint32_t)child };
	struct evlist l = { 0 };
	uint64_t delivered = collect_until_marker(h, tids, 1, &l);
	uint32_t getppid_nr = (uint32_t)nr_of("getppid");
	ck_assert_uint_eq(count_matching(&l, type_of("generic"), (uint32_t)child, generic_nr_is,
					 &getppid_nr, NULL),
			  0);
	evlist_free(&l);
	stop_drain_check(h, delivered, NULL);
	capture_close(h);
}
END_TEST

START_TEST(test_suppressed_tid)
{
	uint32_t self = (uint32_t)getpid();
	uint32_t getppid_nr = (uint32_t)nr_of("getppid");
	CAPTURE_OPTS(capture_open_opts, o, .include_self = true, .suppressed_tids = &self,
		     .n_suppressed_tids = 1, .syscalls = &getppid_nr, .n_syscalls = 1,
		     .next_timeout_ms = 20);
	capture_t *h = open_bpf(&o);
	ck_assert_int_eq(capture_start(h), 0);
	for (int i = 0; i < 500; i++)
		syscall(SYS_getppid);
	struct capture_stats s;
	stats_of(h, &s);
	ck_assert_uint_eq(s.n_tids_suppressed, 1);
	ck_assert_uint_ge(s.n_suppressed, 500);
	ck_assert_int_eq(capture_stop(h), 0);
	for (;;) {
		const struct capture_event *e;
		int rc = capture_next(h, &e, NULL);
		if (rc == CAPTURE_EOF)
			break;
		ck_assert_int_eq(rc, CAPTURE_OK);
		ck_assert_uint_ne(e->tid, self);
	}
	capture_close(h);
}
END_TEST

/* ---- Refusals and auto -------------------------------------------------- */

/* Issue: capture files. A live capture of a known workload, written to a
 * capture file while it is read, replays as the same events, byte for byte,
 * in the same order and with the same CPUs. */
START_TEST(test_live_capture_written_and_replayed)
{
	char dir[] = "/tmp/capture-bpf-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char file[64], target[64];
	snprintf(file, sizeof(file), "%s/live.cap", dir);
	snprintf(target, sizeof(target), "%s/opened", dir);
	CAPTURE_OPTS(capture_open_opts, o, .include_self = true);
	capture_t *h = open_bpf(&o);
	capture_dump_t *d = capture_dump_open(h, file, NULL);
	ck_assert_msg(d != NULL, "%s", capture_last_error(h));
	ck_assert_int_eq(capture_start(h), 0);
	for (int i = 0; i < 200; i++) {
		int fd = openat(AT_FDCWD, target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, "abc", 3), 3);
		close(fd);
	}
	close(marker_fd());
	/* Everything read up to the workload's marker goes into the file. */
	int type_close = type_of("close");
	struct evlist live = { 0 };
	uint32_t cpus[65536];
	size_t ncpus = 0;
	for (bool done = false; !done;) {
		const struct capture_event *e;
		uint32_t cpu;
		int rc = capture_next(h, &e, &cpu);
		if (rc == CAPTURE_TIMEOUT)
			continue;
		ck_assert_int_eq(rc, CAPTURE_OK);
		ck_assert_int_eq(capture_dump_write(d, e, cpu), 0);
		if (live.n < 65536) {
			cpus[ncpus++] = cpu;
			evlist_add(&live, e);
		}
		done = is_marker(e, type_close);
	}
	ck_assert_int_eq(capture_dump_close(d), 0);
	capture_close(h);
	ck_assert_uint_lt(live.n, 65536);

	CAPTURE_OPTS(capture_open_opts, r, .engine = "file", .file_path = file);
	char err[512];
	capture_t *f = capture_open(&r, err, sizeof(err));
	ck_assert_msg(f != NULL, "%s", err);
	ck_assert_int_eq(capture_start(f), 0);
	size_t i = 0, ours = 0;
	int type_openat = type_of("openat");
	for (;;) {
		const struct capture_event *e;
		uint32_t cpu;
		int rc = capture_next(f, &e, &cpu);
		if (rc == CAPTURE_EOF)
			break;
		ck_assert_msg(rc == CAPTURE_OK, "%s", capture_last_error(f));
		ck_assert_uint_lt(i, live.n);
		ck_assert_uint_eq(e->len, live.ev[i]->len);
		ck_assert_int_eq(memcmp(e, live.ev[i], e->len), 0);
		ck_assert_uint_eq(cpu, cpus[i]);
		if (e->type == type_openat && e->tid == (uint32_t)getpid() &&
		    strcmp(p_str(e, 2), target) == 0)
			ours++;
		i++;
	}
	ck_assert_uint_eq(i, live.n);
	ck_assert_uint_eq(ours, 200);
	struct capture_machine_info m = { .sz = sizeof(m) };
	ck_assert_int_eq(capture_get_machine_info(f, &m), 0);
	ck_assert_str_eq(m.engine, "modern_bpf");
	capture_close(f);
	evlist_free(&live);
	unlink(file);
	unlink(target);
	rmdir(dir);
}
END_TEST

/* Parameters delivered empty and data cut at snaplen are counted and listed
 * in the metrics ("nothing is lost silently"). */
START_TEST(test_missing_and_truncated_are_counted)
{
	CAPTURE_OPTS(capture_open_opts, o, .include_self = true, .snaplen = 16);
	capture_t *h = open_bpf(&o);
	ck_assert_int_eq(capture_start(h), 0);
	/* A path the kernel cannot read either (EFAULT), and a 64-byte write. */
	ck_assert_int_lt(syscall(SYS_openat, AT_FDCWD, (const char *)16, O_RDONLY, 0), 0);
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	char buf[64] = { 0 };
	ck_assert_int_eq(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	close(fd);
	close(marker_fd());
	struct evlist l = { 0 };
	uint32_t self = (uint32_t)getpid();
	collect_until_marker(h, &self, 1, &l);
	const struct capture_metric *m;
	size_t n;
	ck_assert_int_eq(capture_get_metrics(h, &m, &n), 0);
	uint64_t missing = UINT64_MAX, truncated = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(m[i].name, "engine.n_params_missing"))
			missing = m[i].value;
		if (!strcmp(m[i].name, "engine.n_truncated"))
			truncated = m[i].value;
	}
	ck_assert_uint_ge(missing, 1);
	ck_assert_uint_ne(missing, UINT64_MAX);
	ck_assert_uint_ge(truncated, 1);
	ck_assert_uint_ne(truncated, UINT64_MAX);
	evlist_free(&l);
	capture_close(h);
}
END_TEST

START_TEST(test_auto_picks_modern_bpf)
{
	CAPTURE_OPTS(capture_open_opts, o, .engine = "auto");
	char err[512] = "";
	capture_t *h = capture_open(&o, err, sizeof(err));
	ck_assert_msg(h != NULL, "auto: %s", err);
	ck_assert_str_eq(capture_engine_name(h), "modern_bpf");
	capture_close(h);
}
END_TEST

START_TEST(test_refuses_without_capabilities)
{
	pid_t child = fork_or_fail();
	if (child == 0) {
		/* Keep every capability but the three that allow BPF tracing. */
		struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct data[2];
		if (syscall(SYS_capget, &hdr, data) != 0)
			_exit(10);
		data[0].effective &= ~(1u << CAP_SYS_ADMIN);
		data[1].effective &= ~((1u << (CAP_BPF - 32)) | (1u << (CAP_PERFMON - 32)));
		if (syscall(SYS_capset, &hdr, data) != 0)
			_exit(11);
		CAPTURE_OPTS(capture_open_opts, o, .engine = "modern_bpf");
		char err[512] = "";
		capture_t *h = capture_open(&o, err, sizeof(err));
		if (h)
			_exit(12);
		if (errno != EPERM)
			_exit(13);
		if (!strstr(err, "CAP_BPF") || !strstr(err, "CAP_PERFMON"))
			_exit(14);
		_exit(0);
	}
	int st = wait_status(child);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "without CAP_BPF/CAP_PERFMON capture_open must fail with EPERM naming them "
		      "(child status %d)",
		      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}
END_TEST

START_TEST(test_rejects_bad_suppression_options)
{
	const char *too_long[] = { "a-name-longer-than-15" };
	CAPTURE_OPTS(capture_open_opts, o, .engine = "modern_bpf", .suppressed_comms = too_long,
		     .n_suppressed_comms = 1);
	char err[512] = "";
	ck_assert_ptr_null(capture_open(&o, err, sizeof(err)));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "suppressed_comms[0]"));
}
END_TEST

/* ---- Main --------------------------------------------------------------- */

static Suite *suite(void)
{
	Suite *s = suite_create("modern_bpf");
	TCase *tc = tcase_create("kernel");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_known_sequence);
	tcase_add_test(tc, test_more_layouts);
	tcase_add_test(tc, test_forced_drops_open_only);
	tcase_add_test(tc, test_forced_drops_mixed);
	tcase_add_test(tc, test_shedding_keeps_opens);
	tcase_add_test(tc, test_select_close_getppid_storm);
	tcase_add_test(tc, test_set_syscalls_while_running);
	tcase_add_test(tc, test_enter_events);
	tcase_add_test(tc, test_self_excluded_by_default);
	tcase_add_test(tc, test_suppressed_comm);
	tcase_add_test(tc, test_suppressed_tid);
	tcase_add_test(tc, test_live_capture_written_and_replayed);
	tcase_add_test(tc, test_missing_and_truncated_are_counted);
	tcase_add_test(tc, test_auto_picks_modern_bpf);
	tcase_add_test(tc, test_refuses_without_capabilities);
	tcase_add_test(tc, test_rejects_bad_suppression_options);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (geteuid() != 0) {
		printf("SKIP: the modern_bpf engine needs root (this runs as uid %d)\n", (int)geteuid());
		return 77;
	}
	/* Does the kernel take the probe at all? Otherwise say why and skip. */
	CAPTURE_OPTS(capture_open_opts, o, .engine = "modern_bpf");
	char err[512] = "";
	capture_t *h = capture_open(&o, err, sizeof(err));
	if (!h) {
		if (errno == EPERM || errno == EOPNOTSUPP) {
			printf("SKIP: %s\n", err);
			return 77;
		}
		fprintf(stderr, "capture_open(modern_bpf) failed: %s\n", err);
		return 1;
	}
	capture_close(h);
	return run_suite(suite());
}
