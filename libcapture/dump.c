// SPDX-License-Identifier: Apache-2.0
/*
 * The capture-file writer: events gathered into blocks, each written whole
 * with its checksum, stats blocks on a timer and at close, rotation by size
 * and time. A write error is sticky and the file is cut back to its last
 * complete block, so what is on disk always reads cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "capfile.h"

#define DUMP_BLOCK_BYTES_DEFAULT (256u << 10)
#define DUMP_BLOCK_BYTES_MAX (16u << 20)
#define DUMP_ROTATE_BYTES_MIN (64u << 10)

struct capture_dump {
	struct capture *h;
	struct capture_dump_opts o;
	char *pattern;
	char *path;
	int fd;
	uint32_t seq;              /* sequence number of the current file */
	uint64_t file_bytes;       /* bytes in the current file, all complete blocks */
	uint64_t fixed_bytes;      /* of which the file's start: magic, header, schema, snapshot */
	uint64_t file_start_mono;
	uint64_t last_stats_mono;
	struct cap_buf events;     /* payload of the block being gathered */
	uint32_t nevents;
	uint64_t next_due_ms;       /* next stats block or time rotation */
	uint64_t events_in_file;
	struct cap_buf scratch;    /* compression output */
	int error;                 /* first error, sticky */
};

/* Coarse monotonic milliseconds: read on every write, so it must be cheap
 * (~5 ns), and 4 ms is precise enough for stats intervals and rotation. */
static uint64_t mono_ms(void)
{
	return cap_clock_ns(CLOCK_MONOTONIC_COARSE) / 1000000ull;
}

static int dump_fail(struct capture_dump *d, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int dump_fail(struct capture_dump *d, int rc, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!d->error)
		d->error = rc;
	return cap_err(d->h, rc, "capture dump %s: %s", d->path ? d->path : "", msg);
}

/* Write all of iov or fail; on failure the file is cut back to the end of
 * the last complete block so a reader never meets half a block it could
 * mistake for damage in the middle. */
static int write_all(struct capture_dump *d, struct iovec *iov, int n)
{
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += iov[i].iov_len;
	size_t done = 0;
	while (done < total) {
		ssize_t w = writev(d->fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int rc = w < 0 ? -errno : -EIO;
			if (ftruncate(d->fd, (off_t)d->file_bytes) == 0)
				lseek(d->fd, (off_t)d->file_bytes, SEEK_SET);
			return dump_fail(d, rc, "write failed after %llu bytes: %s",
					 (unsigned long long)d->file_bytes, strerror(-rc));
		}
		done += (size_t)w;
		while (n && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	d->file_bytes += total;
	return 0;
}

static int write_block(struct capture_dump *d, uint32_t type, uint32_t flags, const void *payload,
		       size_t len)
{
	if (d->error)
		return d->error;
	if (d->o.compress) {
		uLongf bound = compressBound((uLong)len);
		cap_buf_reset(&d->scratch);
		uint8_t *out = cap_buf_grow(&d->scratch, 4 + bound);
		if (!out)
			return dump_fail(d, -ENOMEM, "out of memory compressing a block");
		uint32_t raw = (uint32_t)len;
		memcpy(out, &raw, 4);
		int zrc = compress2(out + 4, &bound, payload, (uLong)len, d->o.compress_level);
		if (zrc != Z_OK)
			return dump_fail(d, -EIO, "zlib compress2 failed (%d)", zrc);
		payload = out;
		len = 4 + bound;
		flags |= CAPFILE_FLAG_ZLIB;
	}
	if (len > CAPFILE_BLOCK_MAX)
		return dump_fail(d, -E2BIG, "a block of %zu bytes is over the format's limit", len);
	struct capfile_block_hdr hdr = { .type = type, .flags = flags, .length = (uint32_t)len };
	hdr.crc = capfile_crc(&hdr, payload);
	struct iovec iov[2] = { { &hdr, sizeof(hdr) }, { (void *)payload, len } };
	return write_all(d, iov, 2);
}

static int write_buf_block(struct capture_dump *d, uint32_t type, uint32_t flags, struct cap_buf *b)
{
	if (b->oom)
		return dump_fail(d, -ENOMEM, "out of memory building a block");
	return write_block(d, type, flags, b->data, b->len);
}

static int write_stats(struct capture_dump *d, uint32_t flags)
{
	struct cap_buf b = { 0 };
	int rc = capfile_put_stats(&b, d->h, d->events_in_file);
	if (rc)
		rc = dump_fail(d, rc, "reading the counters failed: %s", capture_strerror(rc));
	else
		rc = write_buf_block(d, CAPFILE_BLOCK_STATS, flags, &b);
	cap_buf_free(&b);
	d->last_stats_mono = mono_ms();
	return rc;
}

static int flush_events(struct capture_dump *d)
{
	if (!d->nevents || d->error)
		return d->error;
	memcpy(d->events.data, &d->nevents, 4);
	int rc = write_buf_block(d, CAPFILE_BLOCK_EVENTS, 0, &d->events);
	d->events_in_file += d->nevents;
	d->nevents = 0;
	cap_buf_reset(&d->events);
	cap_buf_u64(&d->events, 0); /* count (patched at flush) and padding */
	return rc;
}

/* The file name for sequence d->seq from the pattern. */
static char *expand_name(struct capture_dump *d)
{
	bool rotating = d->o.rotate_bytes || d->o.rotate_seconds;
	if (!rotating)
		return strdup(d->pattern);
	struct cap_buf b = { 0 };
	bool numbered = false;
	for (const char *p = d->pattern; *p; p++) {
		char tmp[32];
		if (p[0] == '%' && (p[1] == 'n' || p[1] == 't' || p[1] == '%')) {
			if (p[1] == 'n')
				snprintf(tmp, sizeof(tmp), "%03u", d->seq), numbered = true;
			else if (p[1] == 't') /* not unique: two files can share a second */
				snprintf(tmp, sizeof(tmp), "%llu",
					 (unsigned long long)(cap_clock_ns(CLOCK_REALTIME) / 1000000000ull));
			else
				strcpy(tmp, "%");
			cap_buf_put(&b, tmp, strlen(tmp));
			p++;
		} else {
			cap_buf_put(&b, p, 1);
		}
	}
	if (!numbered) {
		char tmp[32];
		snprintf(tmp, sizeof(tmp), ".%03u", d->seq);
		cap_buf_put(&b, tmp, strlen(tmp));
	}
	cap_buf_u8(&b, 0);
	if (b.oom) {
		cap_buf_free(&b);
		return NULL;
	}
	return (char *)b.data;
}

static int open_file(struct capture_dump *d)
{
	free(d->path);
	d->path = expand_name(d);
	if (!d->path)
		return dump_fail(d, -ENOMEM, "out of memory naming the file");
	if (d->o.overwrite) {
		/* unlink() removes a symlink itself, never its target; a directory
		 * is refused by it and then by open(). */
		if (unlink(d->path) < 0 && errno != ENOENT)
			return dump_fail(d, -errno, "cannot replace the existing file: %s",
					 strerror(errno));
	}
	d->fd = open(d->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (d->fd < 0) {
		int rc = -errno;
		return dump_fail(d, rc, "cannot create the file: %s%s", strerror(-rc),
				 rc == -EEXIST ? " (it exists, or is a symlink: not followed; "
						 "set overwrite to replace it)"
					       : "");
	}
	d->file_bytes = 0;
	d->events_in_file = 0;
	d->file_start_mono = mono_ms();
	struct iovec magic = { (void *)CAPFILE_MAGIC, CAPFILE_MAGIC_BYTES };
	int rc = write_all(d, &magic, 1);
	if (rc)
		return rc;

	const struct cap_machine *m;
	rc = cap_machine_get(d->h, &m);
	if (rc)
		return dump_fail(d, rc, "%s", capture_last_error(d->h));
	struct cap_machine hdr = *m;
	hdr.file_sequence = d->seq;
	struct cap_buf b = { 0 };
	capfile_put_header(&b, &hdr);
	rc = write_buf_block(d, CAPFILE_BLOCK_HEADER, 0, &b);
	cap_buf_reset(&b);
	if (!rc) {
		capfile_put_schema(&b);
		rc = write_buf_block(d, CAPFILE_BLOCK_SCHEMA, 0, &b);
		cap_buf_reset(&b);
	}
	if (!rc && !d->o.no_snapshot) {
		/* A later file of a live capture gets a current table of its own,
		 * taken apart from the handle's, which the caller may hold. */
		struct cap_snapshot fresh = { 0 };
		const struct cap_snapshot *s = NULL;
		if (d->seq > 0 && !d->h->ops->recorded_snapshot) {
			rc = cap_snapshot_take(&fresh);
			if (rc)
				rc = dump_fail(d, rc, "reading /proc for the snapshot failed: %s",
					       capture_strerror(rc));
			s = &fresh;
		} else if ((rc = cap_snapshot_get(d->h, &s)) != 0) {
			rc = dump_fail(d, rc, "%s", capture_last_error(d->h));
		}
		if (!rc) {
			capfile_put_snapshot(&b, s->threads, s->count);
			rc = write_buf_block(d, CAPFILE_BLOCK_SNAPSHOT, 0, &b);
		}
		cap_snapshot_free(&fresh);
	}
	d->fixed_bytes = d->file_bytes;
	cap_buf_free(&b);
	return rc;
}

/* Final stats, then close; the first error wins. */
static int close_file(struct capture_dump *d)
{
	int rc = flush_events(d);
	if (!rc)
		rc = write_stats(d, CAPFILE_FLAG_FINAL_STATS);
	if (d->fd >= 0) {
		if (close(d->fd) < 0 && !rc)
			rc = dump_fail(d, -errno, "close failed: %s", strerror(errno));
		d->fd = -1;
	}
	return rc;
}

/* When housekeeping() must next run for time reasons. */
static void schedule(struct capture_dump *d)
{
	d->next_due_ms = d->last_stats_mono + d->o.stats_interval_ms;
	if (d->o.rotate_seconds) {
		uint64_t rotate_at = d->file_start_mono + (uint64_t)d->o.rotate_seconds * 1000;
		if (rotate_at < d->next_due_ms)
			d->next_due_ms = rotate_at;
	}
}

static int rotate(struct capture_dump *d)
{
	int rc = close_file(d);
	if (rc)
		return rc;
	d->seq++;
	return open_file(d);
}

capture_dump_t *capture_dump_open(capture_t *h, const char *path,
				  const struct capture_dump_opts *opts)
{
	if (!h) {
		errno = EINVAL;
		return NULL;
	}
	int rc = 0;
	struct capture_dump *d = calloc(1, sizeof(*d));
	if (!d) {
		errno = ENOMEM;
		cap_err(h, -ENOMEM, "capture_dump_open: out of memory");
		return NULL;
	}
	d->h = h;
	d->fd = -1;
	if (!path || !*path) {
		rc = cap_err(h, -EINVAL, "capture_dump_open: path is %s", path ? "empty" : "NULL");
		goto fail;
	}
	if (opts) {
		rc = cap_opts_copy(h, opts, sizeof(d->o), &d->o, "capture_dump_opts");
		if (rc)
			goto fail;
	} else {
		d->o.sz = sizeof(d->o);
	}
	if (d->o.compress_level < 0 || d->o.compress_level > 9) {
		rc = cap_err(h, -EINVAL, "capture_dump_opts.compress_level is %d: use 1 to 9 (0 = 1)",
			     d->o.compress_level);
		goto fail;
	}
	if (!d->o.compress_level)
		d->o.compress_level = 1;
	if (d->o.rotate_bytes && d->o.rotate_bytes < DUMP_ROTATE_BYTES_MIN) {
		rc = cap_err(h, -EINVAL, "capture_dump_opts.rotate_bytes is %llu, below the minimum %u",
			     (unsigned long long)d->o.rotate_bytes, DUMP_ROTATE_BYTES_MIN);
		goto fail;
	}
	if (d->o.block_bytes > DUMP_BLOCK_BYTES_MAX) {
		rc = cap_err(h, -EINVAL, "capture_dump_opts.block_bytes is %u, above the maximum %u",
			     d->o.block_bytes, DUMP_BLOCK_BYTES_MAX);
		goto fail;
	}
	if (!d->o.block_bytes)
		d->o.block_bytes = DUMP_BLOCK_BYTES_DEFAULT;
	/* Blocks much smaller than a file keep rotated files near their size. */
	if (d->o.rotate_bytes && d->o.block_bytes > d->o.rotate_bytes / 4)
		d->o.block_bytes = (uint32_t)(d->o.rotate_bytes / 4);
	if (!d->o.stats_interval_ms)
		d->o.stats_interval_ms = 1000;
	d->pattern = strdup(path);
	cap_buf_u64(&d->events, 0); /* count (patched at flush) and padding */
	if (!d->pattern || d->events.oom) {
		rc = cap_err(h, -ENOMEM, "capture_dump_open: out of memory");
		goto fail;
	}
	rc = open_file(d);
	if (rc)
		goto fail;
	d->last_stats_mono = mono_ms();
	schedule(d);
	return d;
fail:
	if (d->fd >= 0) {
		close(d->fd);
		if (d->path)
			unlink(d->path); /* ours, created exclusively a moment ago */
	}
	free(d->pattern);
	free(d->path);
	cap_buf_free(&d->events);
	cap_buf_free(&d->scratch);
	free(d);
	errno = -rc;
	return NULL;
}

/* Stats and rotation that are due; called at block boundaries and now and
 * then between them. */
static int housekeeping(struct capture_dump *d, size_t incoming)
{
	uint64_t now = mono_ms();
	int rc = 0;
	/* A file's fixed start (the snapshot can be large on a busy host) never
	 * takes more than half of rotate_bytes away from its events. */
	uint64_t budget = d->o.rotate_bytes > 2 * d->fixed_bytes ? d->o.rotate_bytes - d->fixed_bytes
								   : d->o.rotate_bytes / 2;
	bool by_size = d->o.rotate_bytes && d->events_in_file + d->nevents > 0 &&
		       d->file_bytes - d->fixed_bytes + d->events.len + incoming > budget;
	bool by_time = d->o.rotate_seconds &&
		       now - d->file_start_mono >= (uint64_t)d->o.rotate_seconds * 1000;
	if (by_size || by_time)
		return rotate(d);
	if (d->events.len + incoming > d->o.block_bytes)
		rc = flush_events(d);
	if (!rc && now - d->last_stats_mono >= d->o.stats_interval_ms)
		rc = write_stats(d, 0);
	schedule(d);
	return rc;
}

int capture_dump_write(capture_dump_t *d, const struct capture_event *evt, uint32_t cpu)
{
	if (!d)
		return -EINVAL;
	if (d->error)
		return d->error;
	if (!evt || evt->len < CAPTURE_EVENT_HDR_BYTES || evt->len > CAPTURE_EVENT_MAX_BYTES)
		return cap_err(d->h, -EINVAL, "capture_dump_write: %s",
			       evt ? "the event's length is impossible" : "evt is NULL");
	size_t rec = (8 + (size_t)evt->len + 7) & ~(size_t)7;
	/* Rotation by size is decided before the event joins a block, so no
	 * event is split from its file or written twice. */
	if (d->events.len + rec > d->o.block_bytes ||
	    (d->o.rotate_bytes &&
	     d->file_bytes - d->fixed_bytes + d->events.len + rec + 64 > d->o.rotate_bytes / 2) ||
	    mono_ms() >= d->next_due_ms) {
		int rc = housekeeping(d, rec);
		if (rc)
			return rc;
	}
	uint8_t *at = cap_buf_grow(&d->events, rec);
	if (!at)
		return dump_fail(d, -ENOMEM, "out of memory buffering an event");
	memcpy(at, &cpu, 4);
	memcpy(at + 4, &evt->len, 4);
	memcpy(at + 8, evt, evt->len);
	memset(at + 8 + evt->len, 0, rec - 8 - evt->len);
	d->nevents++;
	return 0;
}

int capture_dump_flush(capture_dump_t *d)
{
	if (!d)
		return -EINVAL;
	int rc = flush_events(d);
	return rc ? rc : write_stats(d, 0);
}

int capture_dump_close(capture_dump_t *d)
{
	if (!d)
		return -EINVAL;
	int rc = d->error;
	int closing = close_file(d);
	if (!rc)
		rc = closing;
	free(d->pattern);
	free(d->path);
	cap_buf_free(&d->events);
	cap_buf_free(&d->scratch);
	free(d);
	return rc;
}

const char *capture_dump_path(const capture_dump_t *d)
{
	return d ? d->path : NULL;
}

uint32_t capture_dump_file_count(const capture_dump_t *d)
{
	return d ? d->seq + 1 : 0;
}
