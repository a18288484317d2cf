// SPDX-License-Identifier: Apache-2.0
/*
 * The file engine: replays a capture file (docs/capture-format.md) through
 * capture_next(), in the order it was written, with the counters, machine
 * info and process snapshot the file recorded. Damage ends the stream with a
 * clear error after every event of the intact blocks before it: a block is
 * delivered only if its checksum holds, so no damaged byte is ever handed
 * out as an event.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../../capfile.h"

struct file_engine {
	struct capture *h;
	int fd;
	uint64_t offset;          /* file offset of the next block */
	struct cap_machine machine;
	struct cap_snapshot snapshot;
	struct cap_recorded_stats stats;  /* the latest stats block */
	pthread_mutex_t stats_lock;       /* capture_get_stats may run on another thread */
	bool final_stats_seen;
	uint8_t *raw;             /* payload as stored */
	size_t raw_cap;
	uint8_t *plain;           /* decompressed payload */
	size_t plain_cap;
	struct capfile_block_hdr pending; /* read at open, not yet handled */
	const uint8_t *pending_payload;
	size_t pending_len;
	bool has_pending;
	struct cap_cursor events; /* records left in the current events block */
	uint32_t events_left;
	uint64_t block_offset;    /* where the current block starts, for messages */
	int error;                /* sticky */
	bool eof;
};

static int file_err(struct file_engine *f, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int file_err(struct file_engine *f, int rc, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f->error = rc;
	return cap_err(f->h, rc, "capture file %s: %s", f->h->cfg.file_path, msg);
}

static int read_full(struct file_engine *f, void *buf, size_t n, size_t *got)
{
	*got = 0;
	while (*got < n) {
		ssize_t r = pread(f->fd, (uint8_t *)buf + *got, n - *got, (off_t)(f->offset + *got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return file_err(f, -errno, "read failed at offset %llu: %s",
					(unsigned long long)(f->offset + *got), strerror(errno));
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return 0;
}

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 65536;
	while (c < need)
		c *= 2;
	free(*buf);
	*buf = aligned_alloc(8, c);
	*cap = *buf ? c : 0;
	return *buf ? 0 : -ENOMEM;
}

/*
 * The next block: header checked, payload read, checksum verified and, when
 * compressed, inflated. Returns 1 with the payload and its length set, 0 at a clean end of
 * file, or a negative error (message set).
 */
static int read_block(struct file_engine *f, struct capfile_block_hdr *hdr, const uint8_t **payload,
		      size_t *len)
{
	size_t got;
	f->block_offset = f->offset;
	int rc = read_full(f, hdr, sizeof(*hdr), &got);
	if (rc)
		return rc;
	if (got == 0)
		return 0;
	if (got < sizeof(*hdr))
		return file_err(f, -EBADMSG, "truncated: the block header at offset %llu has %zu of "
					     "%zu bytes",
				(unsigned long long)f->offset, got, sizeof(*hdr));
	if (hdr->length > CAPFILE_BLOCK_MAX)
		return file_err(f, -EBADMSG, "damaged: the block at offset %llu claims %u bytes",
				(unsigned long long)f->offset, hdr->length);
	if (grow(&f->raw, &f->raw_cap, hdr->length))
		return file_err(f, -ENOMEM, "out of memory for a block of %u bytes", hdr->length);
	f->offset += sizeof(*hdr);
	rc = read_full(f, f->raw, hdr->length, &got);
	if (rc)
		return rc;
	if (got < hdr->length)
		return file_err(f, -EBADMSG, "truncated: the block at offset %llu has %zu of its %u "
					     "bytes",
				(unsigned long long)f->block_offset, got, hdr->length);
	f->offset += hdr->length;
	if (capfile_crc(hdr, f->raw) != hdr->crc)
		return file_err(f, -EBADMSG, "damaged: checksum mismatch in the block at offset %llu "
					     "(type %u, %u bytes)",
				(unsigned long long)f->block_offset, hdr->type, hdr->length);
	if (hdr->flags & ~CAPFILE_FLAGS_KNOWN)
		return file_err(f, -EBADMSG, "the block at offset %llu has unknown flags 0x%x",
				(unsigned long long)f->block_offset, hdr->flags);
	if (!(hdr->flags & CAPFILE_FLAG_ZLIB)) {
		*payload = f->raw;
		*len = hdr->length;
		return 1;
	}
	uint32_t raw_len;
	if (hdr->length < 4)
		return file_err(f, -EBADMSG, "compressed block at offset %llu is too short",
				(unsigned long long)f->block_offset);
	memcpy(&raw_len, f->raw, 4);
	if (raw_len > CAPFILE_BLOCK_MAX || grow(&f->plain, &f->plain_cap, raw_len ? raw_len : 1))
		return file_err(f, -EBADMSG, "compressed block at offset %llu claims %u bytes",
				(unsigned long long)f->block_offset, raw_len);
	uLongf out = raw_len;
	int zrc = uncompress(f->plain, &out, f->raw + 4, hdr->length - 4);
	if (zrc != Z_OK || out != raw_len)
		return file_err(f, -EBADMSG, "compressed block at offset %llu does not inflate (%d)",
				(unsigned long long)f->block_offset, zrc);
	*payload = f->plain;
	*len = raw_len;
	return 1;
}

static int take_stats(struct file_engine *f, const struct capfile_block_hdr *hdr,
		      const uint8_t *p, size_t n)
{
	struct cap_recorded_stats s = { 0 };
	char why[200];
	int rc = capfile_get_stats(p, n, &s, why, sizeof(why));
	if (rc)
		return file_err(f, rc, "stats block at offset %llu: %s",
				(unsigned long long)f->block_offset, why);
	pthread_mutex_lock(&f->stats_lock);
	cap_recorded_stats_free(&f->stats);
	f->stats = s;
	__atomic_store_n(&f->h->stats_valid, s.valid, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&f->stats_lock);
	f->final_stats_seen = hdr->flags & CAPFILE_FLAG_FINAL_STATS;
	return 0;
}

/* Handle one non-event block; events blocks set up f->events. */
static int take_block(struct file_engine *f, const struct capfile_block_hdr *hdr,
		      const uint8_t *p, size_t n)
{
	if (f->final_stats_seen)
		return file_err(f, -EBADMSG, "a block follows the final stats block (offset %llu)",
				(unsigned long long)f->block_offset);
	switch (hdr->type) {
	case CAPFILE_BLOCK_EVENTS:
		cap_cursor_init(&f->events, p, n);
		f->events_left = cap_get_u32(&f->events);
		cap_get_u32(&f->events);
		/* Each record is at least header + event header. */
		if (f->events.bad || f->events_left > cap_cursor_left(&f->events) / 32)
			return file_err(f, -EBADMSG, "events block at offset %llu: %u events cannot fit "
						     "in %zu bytes",
					(unsigned long long)f->block_offset, f->events_left, n);
		return 0;
	case CAPFILE_BLOCK_STATS:
		return take_stats(f, hdr, p, n);
	case CAPFILE_BLOCK_SNAPSHOT: /* only ever third: the caller may hold the first */
	case CAPFILE_BLOCK_HEADER:
	case CAPFILE_BLOCK_SCHEMA:
		return file_err(f, -EBADMSG, "a %s block in the middle of the file (offset %llu)",
				hdr->type == CAPFILE_BLOCK_HEADER	? "header"
				: hdr->type == CAPFILE_BLOCK_SCHEMA ? "schema"
								    : "snapshot",
				(unsigned long long)f->block_offset);
	default:
		return 0; /* a block type from a newer writer: skipped by design */
	}
}

static void file_close(struct capture *h)
{
	struct file_engine *f = h->engine;
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	cap_machine_free(&f->machine);
	cap_snapshot_free(&f->snapshot);
	cap_recorded_stats_free(&f->stats);
	pthread_mutex_destroy(&f->stats_lock);
	free(f->raw);
	free(f->plain);
	free(f);
	h->engine = NULL;
}

static int file_open(struct capture *h)
{
	struct file_engine *f = calloc(1, sizeof(*f));
	if (!f)
		return cap_err(h, -ENOMEM, "file engine: out of memory");
	h->engine = f;
	f->h = h;
	pthread_mutex_init(&f->stats_lock, NULL);
	h->stats_valid = 0; /* nothing is known until a stats block is read */
	f->fd = open(h->cfg.file_path, O_RDONLY | O_CLOEXEC);
	int rc;
	if (f->fd < 0) {
		rc = cap_err(h, -errno, "capture file %s: %s", h->cfg.file_path, strerror(errno));
		goto fail;
	}
	char magic[CAPFILE_MAGIC_BYTES];
	size_t got;
	if ((rc = read_full(f, magic, sizeof(magic), &got)))
		goto fail;
	if (got < sizeof(magic) || memcmp(magic, CAPFILE_MAGIC, sizeof(magic)) != 0) {
		rc = file_err(f, -EBADMSG, "not a capture file (no magic number at the start)");
		goto fail;
	}
	f->offset = sizeof(magic);

	/* Header, then schema, then an optional snapshot, in that order. */
	struct capfile_block_hdr hdr;
	const uint8_t *p;
	size_t n;
	char why[256];
	for (int want = CAPFILE_BLOCK_HEADER; want <= CAPFILE_BLOCK_SNAPSHOT; want++) {
		rc = read_block(f, &hdr, &p, &n);
		if (rc == 0 && want == CAPFILE_BLOCK_SNAPSHOT)
			break; /* no snapshot and nothing after: next() names what is missing */
		if (rc == 0)
			rc = file_err(f, -EBADMSG, "truncated: it ends before its %s block",
				      want == CAPFILE_BLOCK_HEADER ? "header" : "schema");
		if (rc < 0)
			goto fail;
		if (want == CAPFILE_BLOCK_SNAPSHOT && hdr.type != CAPFILE_BLOCK_SNAPSHOT) {
			f->pending = hdr;
			f->pending_payload = p;
			f->pending_len = n;
			f->has_pending = true;
			break;
		}
		if (hdr.type != (uint32_t)want) {
			rc = file_err(f, -EBADMSG, "block %u at offset %llu should be the %s block",
				      hdr.type, (unsigned long long)f->block_offset,
				      want == CAPFILE_BLOCK_HEADER ? "header" : "schema");
			goto fail;
		}
		if (want == CAPFILE_BLOCK_HEADER)
			rc = capfile_get_header(p, n, &f->machine, why, sizeof(why));
		else if (want == CAPFILE_BLOCK_SCHEMA)
			rc = capfile_check_schema(p, n, why, sizeof(why));
		else
			rc = capfile_get_snapshot(p, n, &f->snapshot, why, sizeof(why));
		if (rc) {
			rc = file_err(f, rc, "%s", why);
			goto fail;
		}
	}
	f->snapshot.taken = true;
	return 0;
fail:
	file_close(h);
	return rc;
}

static int file_start(struct capture *h)
{
	(void)h;
	return 0;
}

static int file_stop(struct capture *h)
{
	struct file_engine *f = h->engine;
	f->eof = true; /* like a live engine: stopped means no more input */
	return 0;
}

static int file_next(struct capture *h, const struct capture_event **evt, uint32_t *cpu)
{
	struct file_engine *f = h->engine;
	for (;;) {
		if (f->error)
			return f->error;
		if (f->events_left) {
			uint32_t rec_cpu = cap_get_u32(&f->events);
			uint32_t len = cap_get_u32(&f->events);
			size_t padded = ((size_t)len + 7) & ~(size_t)7;
			const struct capture_event *e = cap_get(&f->events, padded);
			if (!e || capture_event_validate(e, len) != 0 || e->len != len)
				return file_err(f, -EBADMSG,
						"events block at offset %llu: event %u is malformed",
						(unsigned long long)f->block_offset,
						f->events_left);
			f->events_left--;
			if (!f->events_left && cap_cursor_left(&f->events))
				return file_err(f, -EBADMSG, "events block at offset %llu has %zu "
							     "bytes past its last event",
						(unsigned long long)f->block_offset,
						cap_cursor_left(&f->events));
			*evt = e;
			*cpu = rec_cpu;
			return CAPTURE_OK;
		}
		if (f->eof)
			return CAPTURE_EOF;
		struct capfile_block_hdr hdr;
		const uint8_t *p;
		size_t n;
		int rc;
		if (f->has_pending) {
			hdr = f->pending;
			p = f->pending_payload;
			n = f->pending_len;
			f->has_pending = false;
			rc = 1;
		} else {
			rc = read_block(f, &hdr, &p, &n);
		}
		if (rc < 0)
			return rc;
		if (rc == 0) {
			f->eof = true;
			if (!f->final_stats_seen)
				return file_err(f, -ENODATA,
						"ends at offset %llu without its final stats block: the "
						"file was cut short or its writer did not close it",
						(unsigned long long)f->offset);
			return CAPTURE_EOF;
		}
		rc = take_block(f, &hdr, p, n);
		if (rc)
			return rc;
	}
}

static uint32_t file_cpu_count(const struct capture *h)
{
	const struct file_engine *f = h->engine;
	return f->machine.cpu_count;
}

static uint32_t file_ring_count(const struct capture *h)
{
	(void)h;
	return 0;
}

static int file_read_counters(struct capture *h, uint32_t cpu, struct cap_cpu_counters *out)
{
	struct file_engine *f = h->engine;
	pthread_mutex_lock(&f->stats_lock);
	if (cpu < f->stats.ncpus)
		*out = f->stats.cpu[cpu];
	else
		memset(out, 0, sizeof(*out));
	pthread_mutex_unlock(&f->stats_lock);
	return 0;
}

static const struct cap_machine *file_machine(struct capture *h)
{
	return &((struct file_engine *)h->engine)->machine;
}

static const struct cap_snapshot *file_snapshot(struct capture *h)
{
	return &((struct file_engine *)h->engine)->snapshot;
}

const struct cap_engine_ops cap_engine_file = {
	.name = "file",
	.live = false,
	.valid = 0, /* what the file recorded, set as stats blocks are read */
	.open = file_open,
	.start = file_start,
	.stop = file_stop,
	.close = file_close,
	.next = file_next,
	.cpu_count = file_cpu_count,
	.ring_count = file_ring_count,
	.read_counters = file_read_counters,
	.recorded_machine = file_machine,
	.recorded_snapshot = file_snapshot,
};
