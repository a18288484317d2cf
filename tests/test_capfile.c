// SPDX-License-Identifier: Apache-2.0
/* Capture files: a round trip keeps every byte, order, CPU and counter;
 * damage of any kind yields the events before it and a clear error; rotation
 * splits without losing or repeating; files are never written through a
 * symlink; a full disk is reported and leaves a readable file. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

/* Events as they were delivered live, copied, for comparison. */
struct recording {
	uint8_t *bytes;
	size_t len, cap;
	size_t *offsets;
	uint32_t *cpus;
	size_t n, ncap;
};

static void record(struct recording *r, const struct capture_event *e, uint32_t cpu)
{
	r->len = (r->len + 7) & ~(size_t)7; /* events are read in place: keep them aligned */
	if (r->len + e->len > r->cap) {
		r->cap = (r->cap + e->len) * 2;
		r->bytes = realloc(r->bytes, r->cap);
	}
	if (r->n == r->ncap) {
		r->ncap = r->ncap ? r->ncap * 2 : 1024;
		r->offsets = realloc(r->offsets, r->ncap * sizeof(size_t));
		r->cpus = realloc(r->cpus, r->ncap * sizeof(uint32_t));
	}
	if (!r->bytes || !r->offsets || !r->cpus)
		ck_abort_msg("out of memory recording events");
	memcpy(r->bytes + r->len, e, e->len);
	r->offsets[r->n] = r->len;
	r->cpus[r->n++] = cpu;
	r->len += e->len;
}

static void recording_free(struct recording *r)
{
	free(r->bytes);
	free(r->offsets);
	free(r->cpus);
	memset(r, 0, sizeof(*r));
}

static char dir[] = "/tmp/capture-test-XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/capture-test-XXXXXX");
}

static char *path_in_dir(const char *name)
{
	static char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

/* Capture with forced drops (unthreaded: exact and repeatable), writing
 * every event to path; fills rec and the live stats at close. */
static void write_capture(const char *path, const struct capture_dump_opts *dopts,
			  struct recording *rec, struct capture_stats *live, uint64_t events_per_cpu)
{
	CAPTURE_OPTS(capture_open_opts, o, .buffer_bytes = 16384, .enter_events = true);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 3, .burst = 700,
		     .events_per_cpu = events_per_cpu, .pf_every = 501);
	capture_t *h = open_synthetic(&o, &s);
	capture_dump_t *d = capture_dump_open(h, path, dopts);
	ck_assert_msg(d != NULL, "capture_dump_open: %s", capture_last_error(h));
	ck_assert_int_eq(capture_start(h), 0);
	for (;;) {
		const struct capture_event *e;
		uint32_t cpu;
		int rc = capture_next(h, &e, &cpu);
		if (rc == CAPTURE_EOF)
			break;
		if (rc != CAPTURE_OK)
			ck_abort_msg("capture_next: %s", capture_last_error(h));
		record(rec, e, cpu);
		if (capture_dump_write(d, e, cpu) != 0)
			ck_abort_msg("capture_dump_write: %s", capture_last_error(h));
	}
	live->sz = sizeof(*live);
	ck_assert_int_eq(capture_get_stats(h, live), 0);
	ck_assert_uint_gt(live->n_drops_buffer, 0);
	ck_assert_int_eq(capture_dump_close(d), 0);
	capture_close(h);
}

static capture_t *open_file(const char *path, char *err, size_t errlen)
{
	CAPTURE_OPTS(capture_open_opts, o, .engine = "file", .file_path = path);
	return capture_open(&o, err, errlen);
}

/* Read path; every event must equal rec's from index *start on. Returns the
 * final capture_next() code. */
static int replay_compare(const char *path, const struct recording *rec, size_t *start,
			  capture_t **keep)
{
	char err[512];
	capture_t *h = open_file(path, err, sizeof(err));
	if (!h)
		return -errno;
	if (capture_start(h) != 0)
		ck_abort_msg("capture_start: %s", capture_last_error(h));
	int rc;
	for (;;) {
		const struct capture_event *e;
		uint32_t cpu;
		rc = capture_next(h, &e, &cpu);
		if (rc != CAPTURE_OK)
			break;
		/* Plain checks: Check records every ck_assert it passes, and this
		 * loop runs millions of times. */
		if (*start >= rec->n)
			ck_abort_msg("replay invented event %zu", *start);
		const struct capture_event *want =
			(const void *)(rec->bytes + rec->offsets[*start]);
		if (e->len != want->len || memcmp(e, want, e->len) != 0)
			ck_abort_msg("event %zu differs", *start);
		if (cpu != rec->cpus[*start])
			ck_abort_msg("event %zu: cpu %u, recorded %u", *start, cpu, rec->cpus[*start]);
		(*start)++;
	}
	if (rc < 0 && strlen(capture_last_error(h)) < 10)
		ck_abort_msg("no message for %d", rc);
	if (keep)
		*keep = h;
	else
		capture_close(h);
	return rc;
}

static void round_trip(bool compress)
{
	struct recording rec = { 0 };
	struct capture_stats live;
	CAPTURE_OPTS(capture_dump_opts, dopts, .compress = compress, .block_bytes = 8192);
	const char *path = path_in_dir("round.cap");
	write_capture(path, &dopts, &rec, &live, 20000);

	size_t n = 0;
	capture_t *h;
	ck_assert_int_eq(replay_compare(path, &rec, &n, &h), CAPTURE_EOF);
	ck_assert_uint_eq(n, rec.n);
	struct capture_stats replayed = { .sz = sizeof(replayed) };
	ck_assert_int_eq(capture_get_stats(h, &replayed), 0);
	ck_assert_uint_eq(replayed.valid, live.valid);
	for (uint32_t id = 0; id < CAPTURE_STAT_COUNT; id++)
		ck_assert_msg(capture_stat_value(&replayed, id) == capture_stat_value(&live, id),
			      "%s differs", capture_stat_name(id));
	size_t markers = 0;
	for (size_t i = 0; i < rec.n; i++)
		markers += ((const struct capture_event *)(rec.bytes + rec.offsets[i]))->type ==
			   CAPTURE_EVT_DROP;
	ck_assert_uint_gt(markers, 0); /* the holes are in the file */
	ck_assert_uint_eq(replayed.n_evts, n - markers + replayed.n_drops + replayed.n_shed);
	ck_assert_uint_gt(replayed.n_drops_pf, 0);
	for (uint32_t cpu = 0; cpu < 3; cpu++) {
		struct capture_stats c = { .sz = sizeof(c) };
		ck_assert_int_eq(capture_get_stats_cpu(h, cpu, &c), 0);
		ck_assert_uint_eq(c.n_evts, 2 * 20000);
	}
	struct capture_machine_info m = { .sz = sizeof(m) };
	ck_assert_int_eq(capture_get_machine_info(h, &m), 0);
	ck_assert_str_eq(m.engine, "synthetic");
	ck_assert_uint_eq(m.cpu_count, 3);
	ck_assert_uint_eq(m.buffer_bytes, 16384);
	ck_assert(m.enter_events);
	ck_assert_uint_eq(m.format_version, 1);
	const struct capture_thread_info *t;
	size_t nt;
	ck_assert_int_eq(capture_get_snapshot(h, &t, &nt), 0);
	bool found_self = false;
	for (size_t i = 0; i < nt; i++)
		found_self |= t[i].tid == (uint32_t)getpid();
	ck_assert(found_self);
	capture_close(h);
	recording_free(&rec);
}

START_TEST(round_trip_plain)
{
	round_trip(false);
}
END_TEST

START_TEST(round_trip_compressed)
{
	round_trip(true);
}
END_TEST

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	uint8_t *b = malloc((size_t)st.st_size);
	int fd = open(path, O_RDONLY);
	ck_assert_int_eq(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static void spill(const char *path, const uint8_t *b, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, b, len) != (ssize_t)len)
		ck_abort_msg("writing %s failed", path);
	close(fd);
}

START_TEST(truncation_at_every_offset_of_the_last_4k)
{
	struct recording rec = { 0 };
	struct capture_stats live;
	CAPTURE_OPTS(capture_dump_opts, dopts, .block_bytes = 1024);
	const char *path = path_in_dir("whole.cap");
	write_capture(path, &dopts, &rec, &live, 3000);
	size_t len;
	uint8_t *whole = slurp(path, &len);
	ck_assert_uint_gt(len, 8192);
	char cut[256];
	snprintf(cut, sizeof(cut), "%s/cut.cap", dir);
	size_t least = rec.n;
	for (size_t keep = len - 4096; keep < len; keep++) {
		spill(cut, whole, keep);
		size_t n = 0;
		int rc = replay_compare(cut, &rec, &n, NULL);
		if (rc >= 0)
			ck_abort_msg("truncated to %zu of %zu bytes but no error", keep, len);
		if (n < least)
			least = n;
	}
	/* The last 4 KiB held several blocks of events: some were lost to the
	 * cuts, and all the others were delivered. */
	ck_assert_uint_lt(least, rec.n);
	ck_assert_uint_gt(least, rec.n / 2);
	free(whole);
	recording_free(&rec);
}
END_TEST

START_TEST(flipped_bytes_are_caught)
{
	struct recording rec = { 0 };
	struct capture_stats live;
	CAPTURE_OPTS(capture_dump_opts, dopts, .block_bytes = 4096);
	const char *path = path_in_dir("whole.cap");
	write_capture(path, &dopts, &rec, &live, 2000);
	size_t len;
	uint8_t *whole = slurp(path, &len);
	char bad[256];
	snprintf(bad, sizeof(bad), "%s/flipped.cap", dir);
	srand(12345);
	for (int trial = 0; trial < 400; trial++) {
		uint8_t *copy = malloc(len);
		memcpy(copy, whole, len);
		int flips = 1 + rand() % 4;
		for (int k = 0; k < flips; k++)
			copy[(size_t)rand() % len] ^= (uint8_t)(1 + rand() % 255);
		spill(bad, copy, len);
		size_t n = 0;
		int rc = replay_compare(bad, &rec, &n, NULL);
		/* Either opening failed with a message, or the events before the
		 * damage came out and then an error: never a clean end. */
		if (rc >= 0)
			ck_abort_msg("trial %d: damage not reported", trial);
		free(copy);
	}
	free(whole);
	recording_free(&rec);
}
END_TEST

START_TEST(rotation_by_size)
{
	struct recording rec = { 0 };
	struct capture_stats live;
	CAPTURE_OPTS(capture_dump_opts, dopts, .rotate_bytes = 65536, .no_snapshot = true);
	char pattern[256];
	snprintf(pattern, sizeof(pattern), "%s/part-%%n.cap", dir);
	write_capture(pattern, &dopts, &rec, &live, 20000);

	size_t n = 0;
	uint32_t files = 0;
	uint64_t recorded_in_files = 0;
	for (;; files++) {
		char p[300];
		snprintf(p, sizeof(p), "%s/part-%03u.cap", dir, files);
		if (access(p, F_OK) != 0)
			break;
		struct stat st;
		stat(p, &st);
		ck_assert_uint_le((uint64_t)st.st_size, 65536 + 16384);
		size_t before = n;
		capture_t *h;
		ck_assert_int_eq(replay_compare(p, &rec, &n, &h), CAPTURE_EOF);
		ck_assert_uint_gt(n, before); /* every file holds events */
		recorded_in_files += n - before;
		struct capture_machine_info m = { .sz = sizeof(m) };
		ck_assert_int_eq(capture_get_machine_info(h, &m), 0);
		capture_close(h);
	}
	ck_assert_uint_gt(files, 3);
	/* Concatenated, the files are exactly the live stream. */
	ck_assert_uint_eq(n, rec.n);
	ck_assert_uint_eq(recorded_in_files, rec.n);
	recording_free(&rec);
}
END_TEST

START_TEST(rotation_by_time)
{
	/* A capture of ~2.6 s rotated every second: three or four files,
	 * each complete, together the live stream. */
	CAPTURE_OPTS(capture_open_opts, o);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 1, .threaded = true, .rate_per_cpu = 2000);
	capture_t *h = open_synthetic(&o, &s);
	char pattern[256];
	snprintf(pattern, sizeof(pattern), "%s/t%%n.cap", dir);
	CAPTURE_OPTS(capture_dump_opts, dopts, .rotate_seconds = 1, .no_snapshot = true);
	capture_dump_t *d = capture_dump_open(h, pattern, &dopts);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(capture_start(h), 0);
	struct recording rec = { 0 };
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		const struct capture_event *e;
		uint32_t cpu;
		int rc = capture_next(h, &e, &cpu);
		if (rc == CAPTURE_OK) {
			record(&rec, e, cpu);
			if (capture_dump_write(d, e, cpu) != 0)
				ck_abort_msg("capture_dump_write: %s", capture_last_error(h));
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 2600);
	uint32_t files = capture_dump_file_count(d);
	ck_assert_int_eq(capture_dump_close(d), 0);
	capture_close(h);
	ck_assert_uint_ge(files, 3);
	ck_assert_uint_le(files, 4);
	size_t n = 0;
	for (uint32_t i = 0; i < files; i++) {
		char p[300];
		snprintf(p, sizeof(p), "%s/t%03u.cap", dir, i);
		ck_assert_int_eq(replay_compare(p, &rec, &n, NULL), CAPTURE_EOF);
	}
	ck_assert_uint_eq(n, rec.n);
	recording_free(&rec);
}
END_TEST

START_TEST(rotation_with_time_in_the_name)
{
	/* "%t" alone is not unique within a second: the sequence number is
	 * appended, so no file is reused or replaced. */
	struct recording rec = { 0 };
	struct capture_stats live;
	CAPTURE_OPTS(capture_dump_opts, dopts, .rotate_bytes = 65536, .no_snapshot = true,
		     .overwrite = true);
	char pattern[256];
	snprintf(pattern, sizeof(pattern), "%s/cap-%%t.capf", dir);
	write_capture(pattern, &dopts, &rec, &live, 20000);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "ls %s/cap-*.capf.* | sort", dir);
	FILE *ls = popen(cmd, "r");
	ck_assert_ptr_nonnull(ls);
	char line[300];
	size_t n = 0, files = 0;
	while (fgets(line, sizeof(line), ls)) {
		line[strcspn(line, "\n")] = '\0';
		ck_assert_int_eq(replay_compare(line, &rec, &n, NULL), CAPTURE_EOF);
		files++;
	}
	pclose(ls);
	ck_assert_uint_gt(files, 3);
	ck_assert_uint_eq(n, rec.n);
	recording_free(&rec);
}
END_TEST

START_TEST(file_ending_after_its_schema)
{
	/* What a full disk can leave: magic, header, schema, nothing else. It
	 * opens, and reading names what is missing. */
	const char *path = path_in_dir("short.cap");
	CAPTURE_OPTS(capture_open_opts, o);
	capture_t *h = open_synthetic(&o, NULL);
	CAPTURE_OPTS(capture_dump_opts, dopts, .no_snapshot = true);
	capture_dump_t *d = capture_dump_open(h, path, &dopts);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(capture_dump_close(d), 0);
	capture_close(h);
	size_t len;
	uint8_t *whole = slurp(path, &len);
	size_t off = 8;
	for (int block = 0; block < 2; block++) {
		uint32_t blen;
		memcpy(&blen, whole + off + 8, 4);
		off += 16 + blen;
	}
	spill(path, whole, off);
	free(whole);
	struct recording none = { 0 };
	size_t n = 0;
	ck_assert_int_eq(replay_compare(path, &none, &n, NULL), -ENODATA);
}
END_TEST

START_TEST(machine_info_strings_stay_valid)
{
	CAPTURE_OPTS(capture_open_opts, o);
	capture_t *h = open_synthetic(&o, NULL);
	struct capture_machine_info a = { .sz = sizeof(a) }, b = { .sz = sizeof(b) };
	ck_assert_int_eq(capture_get_machine_info(h, &a), 0);
	ck_assert_int_eq(capture_get_machine_info(h, &b), 0);
	capture_dump_t *d = capture_dump_open(h, path_in_dir("m.cap"), NULL);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(capture_dump_close(d), 0);
	ck_assert_str_eq(a.hostname, b.hostname); /* a's strings were not freed */
	ck_assert_str_eq(a.engine, "synthetic");
	capture_close(h);
}
END_TEST

START_TEST(never_through_a_symlink)
{
	char victim[256], link[256];
	snprintf(victim, sizeof(victim), "%s", path_in_dir("victim"));
	spill(victim, (const uint8_t *)"precious", 8);
	snprintf(link, sizeof(link), "%s", path_in_dir("trap.cap"));
	ck_assert_int_eq(symlink(victim, link), 0);
	CAPTURE_OPTS(capture_open_opts, o);
	CAPTURE_OPTS(capture_synthetic_opts, s, .events_per_cpu = 10);
	capture_t *h = open_synthetic(&o, &s);
	errno = 0;
	ck_assert_ptr_null(capture_dump_open(h, link, NULL));
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_ptr_nonnull(strstr(capture_last_error(h), "symlink"));
	/* A plain existing file is not overwritten either. */
	ck_assert_ptr_null(capture_dump_open(h, victim, NULL));
	size_t len;
	uint8_t *b = slurp(victim, &len);
	ck_assert_uint_eq(len, 8);
	free(b);
	/* overwrite replaces the link itself, never its target. */
	CAPTURE_OPTS(capture_dump_opts, over, .overwrite = true);
	capture_dump_t *d = capture_dump_open(h, link, &over);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(capture_dump_close(d), 0);
	struct stat st;
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	b = slurp(victim, &len);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(memcmp(b, "precious", 8), 0);
	free(b);
	capture_close(h);
}
END_TEST

START_TEST(full_disk_is_reported_and_file_stays_readable)
{
	/* A file size limit stands in for a full disk: write() fails with
	 * EFBIG the way it fails with ENOSPC. */
	const char *path = path_in_dir("full.cap");
	CAPTURE_OPTS(capture_open_opts, o);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 1, .events_per_cpu = 100000);
	capture_t *h = open_synthetic(&o, &s); /* before the limit: its ring is a file too */
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit lim = { 200000, 200000 };
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	CAPTURE_OPTS(capture_dump_opts, dopts, .block_bytes = 16384, .no_snapshot = true);
	capture_dump_t *d = capture_dump_open(h, path, &dopts);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(capture_start(h), 0);
	struct recording rec = { 0 };
	int wrc = 0;
	while (wrc == 0) {
		const struct capture_event *e;
		uint32_t cpu;
		if (capture_next(h, &e, &cpu) != CAPTURE_OK)
			ck_abort_msg("capture_next: %s", capture_last_error(h));
		record(&rec, e, cpu);
		wrc = capture_dump_write(d, e, cpu);
	}
	ck_assert_int_eq(wrc, -EFBIG);
	ck_assert_ptr_nonnull(strstr(capture_last_error(h), "write failed"));
	const struct capture_event *e;
	capture_next(h, &e, NULL);
	ck_assert_int_eq(capture_dump_write(d, e, 0), -EFBIG); /* sticky */
	ck_assert_int_eq(capture_dump_close(d), -EFBIG);
	capture_close(h);
	/* Everything up to the last complete block reads back, then the
	 * missing final stats block is named. */
	size_t n = 0;
	ck_assert_int_eq(replay_compare(path, &rec, &n, NULL), -ENODATA);
	ck_assert_uint_gt(n, 1000);
	recording_free(&rec);
}
END_TEST

START_TEST(bad_input)
{
	char err[512];
	errno = 0;
	ck_assert_ptr_null(open_file("/nonexistent/file.cap", err, sizeof(err)));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/file.cap"));
	char junk[256];
	snprintf(junk, sizeof(junk), "%s", path_in_dir("junk"));
	spill(junk, (const uint8_t *)"hello, this is not a capture", 28);
	ck_assert_ptr_null(open_file(junk, err, sizeof(err)));
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "not a capture file"));
	spill(junk, (const uint8_t *)"", 0);
	ck_assert_ptr_null(open_file(junk, err, sizeof(err)));
	ck_assert_ptr_null(open_file(dir, err, sizeof(err))); /* a directory */

	CAPTURE_OPTS(capture_open_opts, nopath, .engine = "file");
	ck_assert_ptr_null(capture_open(&nopath, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "needs file_path"));
	CAPTURE_OPTS(capture_open_opts, stray, .engine = "synthetic", .file_path = "x");
	ck_assert_ptr_null(capture_open(&stray, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "file_path is set"));

	CAPTURE_OPTS(capture_open_opts, o);
	capture_t *h = open_synthetic(&o, NULL);
	ck_assert_ptr_null(capture_dump_open(NULL, "x", NULL));
	ck_assert_ptr_null(capture_dump_open(h, NULL, NULL));
	ck_assert_ptr_null(capture_dump_open(h, "", NULL));
	CAPTURE_OPTS(capture_dump_opts, d1, .compress_level = 12);
	ck_assert_ptr_null(capture_dump_open(h, path_in_dir("a"), &d1));
	ck_assert_ptr_nonnull(strstr(capture_last_error(h), "compress_level is 12"));
	CAPTURE_OPTS(capture_dump_opts, d2, .rotate_bytes = 1000);
	ck_assert_ptr_null(capture_dump_open(h, path_in_dir("a"), &d2));
	ck_assert_ptr_nonnull(strstr(capture_last_error(h), "rotate_bytes"));
	ck_assert_ptr_null(capture_dump_open(h, "/nonexistent-dir/x.cap", NULL));
	ck_assert_ptr_nonnull(strstr(capture_last_error(h), "cannot create"));
	capture_dump_t *d = capture_dump_open(h, path_in_dir("ok.cap"), NULL);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(capture_dump_write(d, NULL, 0), -EINVAL);
	ck_assert_int_eq(capture_dump_write(NULL, NULL, 0), -EINVAL);
	ck_assert_int_eq(capture_dump_flush(NULL), -EINVAL);
	ck_assert_int_eq(capture_dump_close(NULL), -EINVAL);
	ck_assert_str_eq(capture_dump_path(d), path_in_dir("ok.cap"));
	ck_assert_int_eq(capture_dump_close(d), 0);
	/* A capture with no events at all is a valid file. */
	size_t n = 0;
	struct recording none = { 0 };
	ck_assert_int_eq(replay_compare(path_in_dir("ok.cap"), &none, &n, NULL), CAPTURE_EOF);
	ck_assert_uint_eq(n, 0);
	capture_close(h);
}
END_TEST

START_TEST(live_machine_info_and_snapshot)
{
	CAPTURE_OPTS(capture_open_opts, o, .snaplen = 200);
	capture_t *h = open_synthetic(&o, NULL);
	struct capture_machine_info m = { .sz = sizeof(m) };
	ck_assert_int_eq(capture_get_machine_info(h, &m), 0);
	ck_assert_str_eq(m.engine, "synthetic");
	ck_assert_uint_eq(m.snaplen, 200);
	ck_assert_uint_eq(m.format_version, 0);
	ck_assert_uint_gt(m.boot_time_ns, 1000000000ull * 1000000000ull);
	const struct capture_thread_info *t;
	size_t n;
	ck_assert_int_eq(capture_get_snapshot(h, &t, &n), 0);
	bool self = false;
	for (size_t i = 0; i < n; i++)
		if (t[i].tid == (uint32_t)getpid()) {
			self = true;
			ck_assert_uint_eq(t[i].pid, (uint32_t)getpid());
			ck_assert_uint_eq(t[i].ppid, (uint32_t)getppid());
			ck_assert_uint_gt(t[i].args_len, 0);
			ck_assert_ptr_nonnull(strstr(t[i].exe, "test_capfile"));
		}
	ck_assert(self);
	ck_assert_int_eq(capture_refresh_snapshot(h), 0);
	ck_assert_int_eq(capture_get_machine_info(h, NULL), -EINVAL);
	struct capture_machine_info small = { .sz = 2 };
	ck_assert_int_eq(capture_get_machine_info(h, &small), -EINVAL);
	ck_assert_int_eq(capture_get_snapshot(h, NULL, &n), -EINVAL);
	capture_close(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("capfile");
	TCase *tc = tcase_create("capfile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, round_trip_plain);
	tcase_add_test(tc, round_trip_compressed);
	tcase_add_test(tc, truncation_at_every_offset_of_the_last_4k);
	tcase_add_test(tc, flipped_bytes_are_caught);
	tcase_add_test(tc, rotation_by_size);
	tcase_add_test(tc, rotation_by_time);
	tcase_add_test(tc, rotation_with_time_in_the_name);
	tcase_add_test(tc, file_ending_after_its_schema);
	tcase_add_test(tc, machine_info_strings_stay_valid);
	tcase_add_test(tc, never_through_a_symlink);
	tcase_add_test(tc, full_disk_is_reported_and_file_stays_readable);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, live_machine_info_and_snapshot);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
