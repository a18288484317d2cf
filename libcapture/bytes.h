/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Little-endian encoding into a growing buffer, and decoding from a bounded
 * cursor whose every read is checked: the capture-file writer and reader
 * share these, so a damaged length can never make the reader run past the
 * bytes it was given.
 */
#ifndef CAP_BYTES_H
#define CAP_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cap_buf {
	uint8_t *data;
	size_t len, cap;
	bool oom; /* an allocation failed: the content is incomplete */
};

void cap_buf_free(struct cap_buf *b);
void cap_buf_reset(struct cap_buf *b);
/* Room for n more bytes; returns where they go, or NULL (and oom). */
uint8_t *cap_buf_grow(struct cap_buf *b, size_t n);
void cap_buf_put(struct cap_buf *b, const void *p, size_t n);
void cap_buf_u8(struct cap_buf *b, uint8_t v);
void cap_buf_u16(struct cap_buf *b, uint16_t v);
void cap_buf_u32(struct cap_buf *b, uint32_t v);
void cap_buf_u64(struct cap_buf *b, uint64_t v);
/* A string as u8 length + bytes (short names) or u32 length + bytes. */
void cap_buf_str8(struct cap_buf *b, const char *s);
void cap_buf_str32(struct cap_buf *b, const char *s, size_t len);

struct cap_cursor {
	const uint8_t *p, *end;
	bool bad; /* a read ran past the end: every later read yields 0 */
};

static inline void cap_cursor_init(struct cap_cursor *c, const void *p, size_t n)
{
	static const uint8_t none[1];
	c->p = p ? p : none; /* an empty payload may have no buffer at all */
	c->end = c->p + (p ? n : 0);
	c->bad = false;
}
static inline size_t cap_cursor_left(const struct cap_cursor *c)
{
	return (size_t)(c->end - c->p);
}
const void *cap_get(struct cap_cursor *c, size_t n);
uint8_t cap_get_u8(struct cap_cursor *c);
uint16_t cap_get_u16(struct cap_cursor *c);
uint32_t cap_get_u32(struct cap_cursor *c);
uint64_t cap_get_u64(struct cap_cursor *c);
/* A string written by cap_buf_str8/str32, copied with a NUL into a new
 * allocation (NULL and bad on damage or no memory). */
char *cap_get_str8(struct cap_cursor *c);
char *cap_get_str32(struct cap_cursor *c, uint32_t *len);

#endif
