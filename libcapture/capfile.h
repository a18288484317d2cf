/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The capture-file format (docs/capture-format.md): constants, the block
 * header, and the encoding and decoding of each block's payload, shared by
 * the writer (dump.c) and the file engine so the two cannot disagree.
 */
#ifndef CAP_CAPFILE_H
#define CAP_CAPFILE_H

#include "bytes.h"
#include "cap_internal.h"

#define CAPFILE_MAGIC "\x89" "CAP\r\n\x1a\n"
#define CAPFILE_MAGIC_BYTES 8u
#define CAPFILE_VERSION 1u
#define CAPFILE_BLOCK_MAX (64u << 20) /* larger lengths are damage */

enum capfile_block_type {
	CAPFILE_BLOCK_HEADER = 1,
	CAPFILE_BLOCK_SCHEMA = 2,
	CAPFILE_BLOCK_SNAPSHOT = 3,
	CAPFILE_BLOCK_EVENTS = 4,
	CAPFILE_BLOCK_STATS = 5,
};

#define CAPFILE_FLAG_ZLIB 0x1u        /* payload = u32 raw length + zlib stream */
#define CAPFILE_FLAG_FINAL_STATS 0x2u /* the stats block written at close */
#define CAPFILE_FLAGS_KNOWN (CAPFILE_FLAG_ZLIB | CAPFILE_FLAG_FINAL_STATS)

struct capfile_block_hdr {
	uint32_t type;
	uint32_t flags;
	uint32_t length; /* payload bytes as stored */
	uint32_t crc;    /* CRC-32 of type, flags, length, then the stored payload */
};

/* Header tags (type-length-value: u16 tag, u16 0, u32 length, value). */
enum capfile_tag {
	CAPFILE_TAG_FORMAT_VERSION = 1, /* u32 */
	CAPFILE_TAG_LIBRARY_VERSION,    /* string */
	CAPFILE_TAG_HOSTNAME,           /* string */
	CAPFILE_TAG_KERNEL_RELEASE,     /* string */
	CAPFILE_TAG_CPU_COUNT,          /* u32 */
	CAPFILE_TAG_BOOT_TIME_NS,       /* u64 */
	CAPFILE_TAG_START_TIME_NS,      /* u64 */
	CAPFILE_TAG_ENGINE,             /* string */
	CAPFILE_TAG_BUFFER_BYTES,       /* u64 */
	CAPFILE_TAG_CPUS_PER_BUFFER,    /* u32 */
	CAPFILE_TAG_SNAPLEN,            /* u32 */
	CAPFILE_TAG_ENTER_EVENTS,       /* u8 */
	CAPFILE_TAG_SELECTION,          /* bitmap of syscall numbers, 64 bytes */
	CAPFILE_TAG_FILE_SEQUENCE,      /* u32: 0 for the first file of a rotation */
};

/* Recorded counters: totals and per CPU, as stat-id indexed values. */
struct cap_recorded_stats {
	uint64_t wall_time_ns;
	uint64_t valid;
	uint64_t n_delivered;
	uint64_t events_in_file;
	uint32_t ncpus;
	struct cap_cpu_counters *cpu; /* ncpus entries */
};
void cap_recorded_stats_free(struct cap_recorded_stats *s);

void capfile_put_header(struct cap_buf *b, const struct cap_machine *m);
void capfile_put_schema(struct cap_buf *b);
void capfile_put_snapshot(struct cap_buf *b, const struct capture_thread_info *t, size_t n);
/* Stats of handle h as the library sees them now. */
int capfile_put_stats(struct cap_buf *b, struct capture *h, uint64_t events_in_file);

/* Decoders: 0, or -EBADMSG with a message in err (what is wrong). */
int capfile_get_header(const void *p, size_t n, struct cap_machine *m, char *err, size_t errlen);
int capfile_check_schema(const void *p, size_t n, char *err, size_t errlen);
int capfile_get_snapshot(const void *p, size_t n, struct cap_snapshot *s, char *err,
			 size_t errlen);
int capfile_get_stats(const void *p, size_t n, struct cap_recorded_stats *s, char *err,
		      size_t errlen);

/* CRC of a block as stored. */
uint32_t capfile_crc(const struct capfile_block_hdr *h, const void *payload);

#endif
