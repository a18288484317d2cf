// SPDX-License-Identifier: Apache-2.0
/* Checked little-endian encoding and decoding (see bytes.h). x86_64 and the
 * other targets we build for are little-endian, so values are copied as they
 * are; a big-endian port would swap here and nowhere else. */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "capture files are little-endian");

void cap_buf_free(struct cap_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void cap_buf_reset(struct cap_buf *b)
{
	b->len = 0;
	b->oom = false;
}

uint8_t *cap_buf_grow(struct cap_buf *b, size_t n)
{
	if (b->oom)
		return NULL;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *d = realloc(b->data, cap);
		if (!d) {
			b->oom = true;
			return NULL;
		}
		b->data = d;
		b->cap = cap;
	}
	uint8_t *at = b->data + b->len;
	b->len += n;
	return at;
}

void cap_buf_put(struct cap_buf *b, const void *p, size_t n)
{
	uint8_t *at = cap_buf_grow(b, n);
	if (at && n)
		memcpy(at, p, n);
}

void cap_buf_u8(struct cap_buf *b, uint8_t v)
{
	cap_buf_put(b, &v, 1);
}
void cap_buf_u16(struct cap_buf *b, uint16_t v)
{
	cap_buf_put(b, &v, 2);
}
void cap_buf_u32(struct cap_buf *b, uint32_t v)
{
	cap_buf_put(b, &v, 4);
}
void cap_buf_u64(struct cap_buf *b, uint64_t v)
{
	cap_buf_put(b, &v, 8);
}

void cap_buf_str8(struct cap_buf *b, const char *s)
{
	size_t n = strlen(s);
	if (n > 255)
		n = 255;
	cap_buf_u8(b, (uint8_t)n);
	cap_buf_put(b, s, n);
}

void cap_buf_str32(struct cap_buf *b, const char *s, size_t len)
{
	cap_buf_u32(b, (uint32_t)len);
	cap_buf_put(b, s, len);
}

const void *cap_get(struct cap_cursor *c, size_t n)
{
	if (c->bad || n > cap_cursor_left(c)) {
		c->bad = true;
		return NULL;
	}
	const void *at = c->p;
	c->p += n;
	return at;
}

#define GETTER(name, type) \
	type name(struct cap_cursor *c) \
	{ \
		type v = 0; \
		const void *at = cap_get(c, sizeof(v)); \
		if (at) \
			memcpy(&v, at, sizeof(v)); \
		return v; \
	}
GETTER(cap_get_u8, uint8_t)
GETTER(cap_get_u16, uint16_t)
GETTER(cap_get_u32, uint32_t)
GETTER(cap_get_u64, uint64_t)

static char *copy_str(struct cap_cursor *c, size_t n)
{
	const char *at = cap_get(c, n);
	if (!at)
		return NULL;
	char *s = malloc(n + 1);
	if (!s) {
		c->bad = true;
		return NULL;
	}
	memcpy(s, at, n);
	s[n] = '\0';
	return s;
}

char *cap_get_str8(struct cap_cursor *c)
{
	return copy_str(c, cap_get_u8(c));
}

char *cap_get_str32(struct cap_cursor *c, uint32_t *len)
{
	uint32_t n = cap_get_u32(c);
	if (len)
		*len = n;
	return copy_str(c, n);
}
