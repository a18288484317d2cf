// SPDX-License-Identifier: Apache-2.0
/* The event builder (see event_build.h). */
#include <errno.h>
#include <string.h>

#include "cap_internal.h"
#include "event_build.h"

void cap_build_begin(struct cap_event_builder *b, void *buf, size_t cap, uint32_t type,
		     uint64_t ts, uint32_t tid, uint32_t pid)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = cap;
	b->type = type;
	int n = capture_event_type_nparams(type);
	if (n < 0) {
		b->err = -EINVAL;
		return;
	}
	b->nparams = (uint32_t)n;
	b->off = CAPTURE_EVENT_HDR_BYTES + 2u * b->nparams;
	if (b->off > cap) {
		b->err = -E2BIG;
		return;
	}
	struct capture_event hdr = {
		.ts = ts, .tid = tid, .pid = pid, .type = (uint16_t)type, .nparams = (uint8_t)n,
	};
	memcpy(buf, &hdr, sizeof(hdr));
}

void cap_build_param(struct cap_event_builder *b, const void *data, size_t len)
{
	if (b->err)
		return;
	if (b->next >= b->nparams) {
		b->err = -EINVAL;
		return;
	}
	size_t fixed = cap_param_kind_size(capture_event_param_kind(b->type, b->next));
	if ((fixed && len && len != fixed) || len > UINT16_MAX) {
		b->err = -EINVAL;
		return;
	}
	if (b->off + len > b->cap || b->off + len > CAPTURE_EVENT_MAX_BYTES) {
		b->err = -E2BIG;
		return;
	}
	uint16_t l16 = (uint16_t)len;
	memcpy(b->buf + CAPTURE_EVENT_HDR_BYTES + 2u * b->next, &l16, sizeof(l16));
	if (len) {
		memcpy(b->buf + b->off, data, len);
	} else {
		struct capture_event *e = (struct capture_event *)b->buf;
		e->flags |= CAPTURE_EVF_PARAM_MISSING;
	}
	b->off += len;
	b->next++;
}

void cap_build_u64(struct cap_event_builder *b, uint64_t v)
{
	cap_build_param(b, &v, sizeof(v));
}

void cap_build_u32(struct cap_event_builder *b, uint32_t v)
{
	cap_build_param(b, &v, sizeof(v));
}

void cap_build_str(struct cap_event_builder *b, const char *s)
{
	cap_build_param(b, s, strlen(s) + 1);
}

int cap_build_end(struct cap_event_builder *b)
{
	if (b->err)
		return b->err;
	if (b->next != b->nparams)
		return -EINVAL;
	uint32_t len = (uint32_t)b->off;
	memcpy(b->buf + offsetof(struct capture_event, len), &len, sizeof(len));
	return (int)len;
}
