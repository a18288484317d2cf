/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing an event in the wire format from user space (the synthetic
 * producer, tests, and later the capture-file tools): header, length array,
 * then the parameters in schema order. The builder checks each parameter's
 * size against its kind, so a malformed event cannot be built by mistake.
 */
#ifndef CAP_EVENT_BUILD_H
#define CAP_EVENT_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "capture/event.h"

struct cap_event_builder {
	uint8_t *buf;
	size_t cap;
	size_t off;      /* bytes written so far */
	uint32_t type;
	uint32_t next;   /* index of the next parameter */
	uint32_t nparams;
	int err;         /* first error, sticky */
};

/* Start an event of `type` in buf (8-byte aligned, cap bytes). */
void cap_build_begin(struct cap_event_builder *b, void *buf, size_t cap, uint32_t type,
		     uint64_t ts, uint32_t tid, uint32_t pid);
/* Append the next parameter. len 0 marks it missing. */
void cap_build_param(struct cap_event_builder *b, const void *data, size_t len);
void cap_build_u64(struct cap_event_builder *b, uint64_t v); /* 8-byte kinds */
void cap_build_u32(struct cap_event_builder *b, uint32_t v); /* 4-byte kinds */
void cap_build_str(struct cap_event_builder *b, const char *s); /* with its NUL */
/* Finish: the event's length, or -EINVAL (wrong kind size, missing
 * parameters, unknown type) / -E2BIG (does not fit). */
int cap_build_end(struct cap_event_builder *b);

#endif
