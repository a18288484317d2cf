// SPDX-License-Identifier: Apache-2.0
/* Payloads of the capture-file blocks, both directions (see capfile.h and
 * docs/capture-format.md). Decoders trust nothing: every count and length is
 * checked against the bytes actually present. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "capfile.h"

static int bad(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

uint32_t capfile_crc(const struct capfile_block_hdr *h, const void *payload)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, (const Bytef *)h, 12);
	/* zlib takes uInt lengths; blocks are bounded by CAPFILE_BLOCK_MAX. */
	crc = crc32(crc, payload, h->length);
	return (uint32_t)crc;
}

void cap_machine_free(struct cap_machine *m)
{
	free(m->hostname);
	free(m->kernel_release);
	free(m->library_version);
	free(m->engine);
	memset(m, 0, sizeof(*m));
}

/* ---- header ---- */

static void tag_u32(struct cap_buf *b, uint16_t tag, uint32_t v)
{
	cap_buf_u16(b, tag);
	cap_buf_u16(b, 0);
	cap_buf_u32(b, 4);
	cap_buf_u32(b, v);
}
static void tag_u64(struct cap_buf *b, uint16_t tag, uint64_t v)
{
	cap_buf_u16(b, tag);
	cap_buf_u16(b, 0);
	cap_buf_u32(b, 8);
	cap_buf_u64(b, v);
}
static void tag_bytes(struct cap_buf *b, uint16_t tag, const void *p, size_t n)
{
	cap_buf_u16(b, tag);
	cap_buf_u16(b, 0);
	cap_buf_u32(b, (uint32_t)n);
	cap_buf_put(b, p, n);
}
static void tag_str(struct cap_buf *b, uint16_t tag, const char *s)
{
	tag_bytes(b, tag, s ? s : "", s ? strlen(s) : 0);
}

void capfile_put_header(struct cap_buf *b, const struct cap_machine *m)
{
	tag_u32(b, CAPFILE_TAG_FORMAT_VERSION, CAPFILE_VERSION);
	tag_str(b, CAPFILE_TAG_LIBRARY_VERSION, m->library_version);
	tag_str(b, CAPFILE_TAG_HOSTNAME, m->hostname);
	tag_str(b, CAPFILE_TAG_KERNEL_RELEASE, m->kernel_release);
	tag_u32(b, CAPFILE_TAG_CPU_COUNT, m->cpu_count);
	tag_u64(b, CAPFILE_TAG_BOOT_TIME_NS, m->boot_time_ns);
	tag_u64(b, CAPFILE_TAG_START_TIME_NS, m->start_time_ns);
	tag_str(b, CAPFILE_TAG_ENGINE, m->engine);
	tag_u64(b, CAPFILE_TAG_BUFFER_BYTES, m->buffer_bytes);
	tag_u32(b, CAPFILE_TAG_CPUS_PER_BUFFER, m->cpus_per_buffer);
	tag_u32(b, CAPFILE_TAG_SNAPLEN, m->snaplen);
	uint8_t enter = m->enter_events;
	tag_bytes(b, CAPFILE_TAG_ENTER_EVENTS, &enter, 1);
	tag_bytes(b, CAPFILE_TAG_SELECTION, m->selection, sizeof(m->selection));
	tag_u32(b, CAPFILE_TAG_FILE_SEQUENCE, m->file_sequence);
}

static char *dup_n(const void *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

int capfile_get_header(const void *p, size_t n, struct cap_machine *m, char *err, size_t errlen)
{
	struct cap_cursor c;
	cap_cursor_init(&c, p, n);
	memset(m, 0, sizeof(*m));
	while (cap_cursor_left(&c) && !c.bad) {
		uint16_t tag = cap_get_u16(&c);
		cap_get_u16(&c);
		uint32_t len = cap_get_u32(&c);
		const uint8_t *v = cap_get(&c, len);
		if (!v)
			break;
		char **str = NULL;
		switch (tag) {
		case CAPFILE_TAG_LIBRARY_VERSION: str = &m->library_version; break;
		case CAPFILE_TAG_HOSTNAME: str = &m->hostname; break;
		case CAPFILE_TAG_KERNEL_RELEASE: str = &m->kernel_release; break;
		case CAPFILE_TAG_ENGINE: str = &m->engine; break;
		default: break;
		}
		if (str) {
			free(*str);
			if (!(*str = dup_n(v, len)))
				return -ENOMEM;
			continue;
		}
		uint32_t *u32 = NULL;
		uint64_t *u64 = NULL;
		switch (tag) {
		case CAPFILE_TAG_FORMAT_VERSION: u32 = &m->format_version; break;
		case CAPFILE_TAG_CPU_COUNT: u32 = &m->cpu_count; break;
		case CAPFILE_TAG_CPUS_PER_BUFFER: u32 = &m->cpus_per_buffer; break;
		case CAPFILE_TAG_SNAPLEN: u32 = &m->snaplen; break;
		case CAPFILE_TAG_FILE_SEQUENCE: u32 = &m->file_sequence; break;
		case CAPFILE_TAG_BOOT_TIME_NS: u64 = &m->boot_time_ns; break;
		case CAPFILE_TAG_START_TIME_NS: u64 = &m->start_time_ns; break;
		case CAPFILE_TAG_BUFFER_BYTES: u64 = &m->buffer_bytes; break;
		case CAPFILE_TAG_ENTER_EVENTS:
			if (len != 1)
				return bad(err, errlen, "header: enter_events has %u bytes", len);
			m->enter_events = v[0] != 0;
			break;
		case CAPFILE_TAG_SELECTION:
			if (len != sizeof(m->selection))
				return bad(err, errlen, "header: selection has %u bytes", len);
			memcpy(m->selection, v, len);
			break;
		default:
			break; /* a tag from a newer writer: skipped by design */
		}
		if ((u32 && len != 4) || (u64 && len != 8))
			return bad(err, errlen, "header: tag %u has %u bytes", tag, len);
		if (u32)
			memcpy(u32, v, 4);
		if (u64)
			memcpy(u64, v, 8);
	}
	if (c.bad)
		return bad(err, errlen, "header: a field runs past the end of the block");
	if (m->format_version != CAPFILE_VERSION)
		return bad(err, errlen, "format version %u; this library reads version %u",
			   m->format_version, CAPFILE_VERSION);
	if (!m->cpu_count || m->cpu_count > 65536)
		return bad(err, errlen, "header: %u CPUs", m->cpu_count);
	if (!m->engine && !(m->engine = dup_n("", 0)))
		return -ENOMEM;
	if (!m->hostname && !(m->hostname = dup_n("", 0)))
		return -ENOMEM;
	if (!m->kernel_release && !(m->kernel_release = dup_n("", 0)))
		return -ENOMEM;
	if (!m->library_version && !(m->library_version = dup_n("", 0)))
		return -ENOMEM;
	return 0;
}

/* ---- schema ---- */

void capfile_put_schema(struct cap_buf *b)
{
	cap_buf_u32(b, CAPTURE_EVENT_TYPE_COUNT);
	for (uint32_t t = 0; t < CAPTURE_EVENT_TYPE_COUNT; t++) {
		int n = capture_event_type_nparams(t);
		cap_buf_u16(b, (uint16_t)t);
		cap_buf_u8(b, (uint8_t)capture_event_type_category(t));
		cap_buf_u8(b, (uint8_t)n);
		cap_buf_str8(b, capture_event_type_name(t));
		for (int i = 0; i < n; i++) {
			enum capture_param_kind k = capture_event_param_kind(t, (uint32_t)i);
			cap_buf_u8(b, (uint8_t)k);
			cap_buf_u8(b, (uint8_t)cap_param_kind_size(k));
			cap_buf_str8(b, capture_event_param_name(t, (uint32_t)i));
		}
	}
	uint32_t nsys = 0;
	for (uint32_t nr = 0; nr < capture_syscall_table_size(); nr++)
		nsys += capture_syscall_name(nr) != NULL;
	cap_buf_u32(b, nsys);
	for (uint32_t nr = 0; nr < capture_syscall_table_size(); nr++) {
		if (!capture_syscall_name(nr))
			continue;
		cap_buf_u16(b, (uint16_t)nr);
		cap_buf_u16(b, (uint16_t)capture_syscall_event_type(nr));
		cap_buf_str8(b, capture_syscall_name(nr));
	}
}

/* Version 1 readers decode only the layouts they know: every type the file
 * declares must be one of ours, with the same parameters. A file from a
 * newer library with new types is refused by name rather than misread. */
int capfile_check_schema(const void *p, size_t n, char *err, size_t errlen)
{
	struct cap_cursor c;
	cap_cursor_init(&c, p, n);
	uint32_t ntypes = cap_get_u32(&c);
	if (ntypes > 65536)
		return bad(err, errlen, "schema: %u event types", ntypes);
	for (uint32_t i = 0; i < ntypes && !c.bad; i++) {
		uint16_t t = cap_get_u16(&c);
		uint8_t cat = cap_get_u8(&c);
		uint8_t np = cap_get_u8(&c);
		uint8_t namelen = cap_get_u8(&c);
		const char *name = cap_get(&c, namelen);
		if (c.bad)
			break;
		if (t >= CAPTURE_EVENT_TYPE_COUNT ||
		    strlen(capture_event_type_name(t)) != namelen ||
		    memcmp(capture_event_type_name(t), name, namelen) != 0)
			return bad(err, errlen,
				   "the file uses event type %u (\"%.*s\"), which libcapture %s does "
				   "not know; read it with a newer library",
				   t, namelen, name, CAPTURE_VERSION_STRING);
		if (np != capture_event_type_nparams(t) || cat != capture_event_type_category(t))
			return bad(err, errlen, "event type \"%s\" has another layout in the file",
				   capture_event_type_name(t));
		for (uint32_t k = 0; k < np && !c.bad; k++) {
			uint8_t kind = cap_get_u8(&c);
			cap_get_u8(&c);
			uint8_t plen = cap_get_u8(&c);
			cap_get(&c, plen);
			if (!c.bad && kind != capture_event_param_kind(t, k))
				return bad(err, errlen,
					   "parameter %u of \"%s\" has another kind in the file", k,
					   capture_event_type_name(t));
		}
	}
	uint32_t nsys = cap_get_u32(&c);
	for (uint32_t i = 0; i < nsys && !c.bad; i++) {
		cap_get_u16(&c);
		cap_get_u16(&c);
		cap_get(&c, cap_get_u8(&c));
	}
	if (c.bad)
		return bad(err, errlen, "schema: a field runs past the end of the block");
	return 0;
}

/* ---- snapshot ---- */

void capfile_put_snapshot(struct cap_buf *b, const struct capture_thread_info *t, size_t n)
{
	cap_buf_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		cap_buf_u32(b, t[i].tid);
		cap_buf_u32(b, t[i].pid);
		cap_buf_u32(b, t[i].ppid);
		cap_buf_u32(b, t[i].uid);
		cap_buf_u32(b, t[i].gid);
		cap_buf_str32(b, t[i].comm, strlen(t[i].comm));
		cap_buf_str32(b, t[i].exe, strlen(t[i].exe));
		cap_buf_str32(b, t[i].args, t[i].args_len);
		cap_buf_str32(b, t[i].cwd, strlen(t[i].cwd));
		cap_buf_str32(b, t[i].cgroups, strlen(t[i].cgroups));
	}
}

int capfile_get_snapshot(const void *p, size_t n, struct cap_snapshot *s, char *err, size_t errlen)
{
	struct cap_cursor c;
	cap_cursor_init(&c, p, n);
	uint32_t count = cap_get_u32(&c);
	/* Each record takes at least 40 bytes: a count beyond that is damage. */
	if (c.bad || count > cap_cursor_left(&c) / 40)
		return bad(err, errlen, "snapshot: %u threads cannot fit in %zu bytes", count, n);
	cap_snapshot_free(s);
	s->threads = calloc(count ? count : 1, sizeof(*s->threads));
	if (!s->threads)
		return -ENOMEM;
	s->cap = count;
	for (uint32_t i = 0; i < count && !c.bad; i++) {
		struct capture_thread_info *t = &s->threads[i];
		t->tid = cap_get_u32(&c);
		t->pid = cap_get_u32(&c);
		t->ppid = cap_get_u32(&c);
		t->uid = cap_get_u32(&c);
		t->gid = cap_get_u32(&c);
		t->comm = cap_get_str32(&c, NULL);
		t->exe = cap_get_str32(&c, NULL);
		t->args = cap_get_str32(&c, &t->args_len);
		t->cwd = cap_get_str32(&c, NULL);
		t->cgroups = cap_get_str32(&c, NULL);
		s->count = i + 1;
	}
	if (c.bad) {
		cap_snapshot_free(s);
		return bad(err, errlen, "snapshot: a record runs past the end of the block");
	}
	s->taken = true;
	return 0;
}

/* ---- stats ---- */

int capfile_put_stats(struct cap_buf *b, struct capture *h, uint64_t events_in_file)
{
	uint32_t ncpus = h->ops->cpu_count(h);
	cap_buf_u64(b, cap_clock_ns(CLOCK_REALTIME));
	cap_buf_u64(b, h->stats_valid);
	cap_buf_u64(b, atomic_load_explicit(&h->n_delivered, memory_order_relaxed));
	cap_buf_u64(b, events_in_file);
	cap_buf_u32(b, CAPTURE_STAT_COUNT);
	cap_buf_u32(b, ncpus);
	for (uint32_t cpu = 0; cpu < ncpus; cpu++) {
		struct cap_cpu_counters c;
		memset(&c, 0, sizeof(c));
		int rc = h->ops->read_counters(h, cpu, &c);
		if (rc)
			return rc;
		uint64_t all[CAPTURE_STAT_COUNT];
		cap_stats_from_counters(&c, all);
		for (uint32_t id = 0; id < CAPTURE_STAT_COUNT; id++)
			cap_buf_u64(b, all[id]);
	}
	return 0;
}

void cap_recorded_stats_free(struct cap_recorded_stats *s)
{
	free(s->cpu);
	memset(s, 0, sizeof(*s));
}

int capfile_get_stats(const void *p, size_t n, struct cap_recorded_stats *s, char *err,
		      size_t errlen)
{
	struct cap_cursor c;
	cap_cursor_init(&c, p, n);
	struct cap_recorded_stats r = { 0 };
	r.wall_time_ns = cap_get_u64(&c);
	r.valid = cap_get_u64(&c);
	r.n_delivered = cap_get_u64(&c);
	r.events_in_file = cap_get_u64(&c);
	uint32_t nfields = cap_get_u32(&c);
	r.ncpus = cap_get_u32(&c);
	if (c.bad || !nfields || nfields > 64 || !r.ncpus || r.ncpus > 65536 ||
	    (size_t)nfields * 8 * r.ncpus != cap_cursor_left(&c))
		return bad(err, errlen, "stats: %u fields for %u CPUs do not match the %zu bytes left",
			   nfields, r.ncpus, cap_cursor_left(&c));
	r.cpu = calloc(r.ncpus, sizeof(*r.cpu));
	if (!r.cpu)
		return -ENOMEM;
	for (uint32_t cpu = 0; cpu < r.ncpus; cpu++) {
		uint64_t all[64] = { 0 }; /* fields an older writer lacked stay 0 and invalid */
		for (uint32_t id = 0; id < nfields; id++)
			all[id] = cap_get_u64(&c);
		if (cap_counters_from_stats(all, &r.cpu[cpu]) < 0) {
			free(r.cpu);
			return bad(err, errlen, "stats: CPU %u's n_drops is not the sum of its parts",
				   cpu);
		}
	}
	/* Newer writers' extra fields are skipped, an older writer's missing
	 * ones are not valid. */
	uint32_t known = nfields < CAPTURE_STAT_COUNT ? nfields : CAPTURE_STAT_COUNT;
	r.valid &= known >= 64 ? ~0ull : (1ull << known) - 1;
	cap_recorded_stats_free(s);
	*s = r;
	return 0;
}
