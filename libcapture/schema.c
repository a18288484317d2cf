// SPDX-License-Identifier: Apache-2.0
/* The event schema expanded for user space: names, parameter kinds and drop
 * categories from events.def, syscall names from syscalls_x86_64.def, and the
 * checked accessors over an event's bytes. */
#include <errno.h>
#include <string.h>

#include "cap_internal.h"

struct cap_param_desc {
	const char *name;
	enum capture_param_kind kind;
};

struct cap_event_desc {
	const char *name;
	enum capture_drop_category category;
	uint8_t nparams;
	const struct cap_param_desc *params;
};

/* One static parameter array per event type. */
#define P(pname, kind) { #pname, CAPTURE_PK_##kind },
#define CAPTURE_EVENT(id, category, params) \
	static const struct cap_param_desc params_##id[] = { params };
#include "capture/events.def"
#undef CAPTURE_EVENT
#undef P

/* Lower-case names without a second table: built from the id at first use
 * would need state, so the names are spelled by the preprocessor instead. */
#define P(pname, kind) +1
#define CAPTURE_EVENT(id, cat, params) \
	[CAPTURE_EVT_##id] = { #id, CAPTURE_CAT_##cat, 0 params, params_##id },
static const struct cap_event_desc event_desc[CAPTURE_EVENT_TYPE_COUNT] = {
#include "capture/events.def"
};
#undef CAPTURE_EVENT
#undef P

_Static_assert(sizeof(struct capture_event) == CAPTURE_EVENT_HDR_BYTES, "wire header size");

static const uint8_t param_kind_size[CAPTURE_PK_COUNT] = {
#define X(name, size) [CAPTURE_PK_##name] = size,
	CAPTURE_PARAM_KINDS(X)
#undef X
};

static const char *const param_kind_name[CAPTURE_PK_COUNT] = {
#define X(name, size) [CAPTURE_PK_##name] = #name,
	CAPTURE_PARAM_KINDS(X)
#undef X
};

static const char *const category_name[CAPTURE_DROP_CATEGORY_COUNT] = {
#define X(id, name) [CAPTURE_CAT_##id] = #name,
	CAPTURE_DROP_CATEGORIES(X)
#undef X
};

/* Event type names are the ids in lower case; kept in a table built at
 * compile time from the same rows so both spellings cannot drift. */
#define LOWER_MAX 24
static char event_lower[CAPTURE_EVENT_TYPE_COUNT][LOWER_MAX];
static void lower_names_init(void)
{
	for (uint32_t t = 0; t < CAPTURE_EVENT_TYPE_COUNT; t++) {
		const char *s = event_desc[t].name;
		size_t i = 0;
		for (; s[i] && i < LOWER_MAX - 1; i++)
			event_lower[t][i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
		event_lower[t][i] = '\0';
	}
}
__attribute__((constructor)) static void schema_init(void)
{
	lower_names_init();
}

#define CAPTURE_SYSCALL(nr, name, ev) [nr] = #name,
static const char *const syscall_names[] = {
#include "capture/syscalls_x86_64.def"
};
#undef CAPTURE_SYSCALL
#define CAPTURE_SYSCALL(nr, name, ev) [nr] = CAPTURE_EVT_##ev + 1,
/* Event type + 1, so 0 marks a number that is not a syscall. */
static const uint16_t syscall_event_plus1[] = {
#include "capture/syscalls_x86_64.def"
};
#undef CAPTURE_SYSCALL
#define SYSCALL_TABLE_SIZE (sizeof(syscall_names) / sizeof(syscall_names[0]))
_Static_assert(SYSCALL_TABLE_SIZE <= 512, "selection bitmap covers all syscalls");

const char *capture_event_type_name(uint32_t type)
{
	return type < CAPTURE_EVENT_TYPE_COUNT ? event_lower[type] : NULL;
}

int capture_event_type_by_name(const char *name)
{
	if (!name)
		return -EINVAL;
	for (uint32_t t = 0; t < CAPTURE_EVENT_TYPE_COUNT; t++)
		if (strcmp(event_lower[t], name) == 0)
			return (int)t;
	return -ENOENT;
}

int capture_event_type_nparams(uint32_t type)
{
	return type < CAPTURE_EVENT_TYPE_COUNT ? event_desc[type].nparams : -EINVAL;
}

int capture_event_type_category(uint32_t type)
{
	return type < CAPTURE_EVENT_TYPE_COUNT ? (int)event_desc[type].category : -EINVAL;
}

const char *capture_event_param_name(uint32_t type, uint32_t i)
{
	if (type >= CAPTURE_EVENT_TYPE_COUNT || i >= event_desc[type].nparams)
		return NULL;
	return event_desc[type].params[i].name;
}

enum capture_param_kind capture_event_param_kind(uint32_t type, uint32_t i)
{
	if (type >= CAPTURE_EVENT_TYPE_COUNT || i >= event_desc[type].nparams)
		return CAPTURE_PK_NONE;
	return event_desc[type].params[i].kind;
}

const char *capture_param_kind_name(enum capture_param_kind kind)
{
	return kind > CAPTURE_PK_NONE && kind < CAPTURE_PK_COUNT ? param_kind_name[kind] : NULL;
}

const char *capture_drop_category_name(uint32_t category)
{
	return category < CAPTURE_DROP_CATEGORY_COUNT ? category_name[category] : NULL;
}

int capture_event_validate(const struct capture_event *evt, size_t avail)
{
	if (!evt || avail < CAPTURE_EVENT_HDR_BYTES)
		return -EINVAL;
	if (evt->len < CAPTURE_EVENT_HDR_BYTES || evt->len > avail ||
	    evt->len > CAPTURE_EVENT_MAX_BYTES || evt->type >= CAPTURE_EVENT_TYPE_COUNT ||
	    evt->nparams != event_desc[evt->type].nparams)
		return -EINVAL;
	size_t off = CAPTURE_EVENT_HDR_BYTES + 2u * evt->nparams;
	if (off > evt->len)
		return -EINVAL;
	const uint8_t *base = (const uint8_t *)evt;
	for (uint32_t i = 0; i < evt->nparams; i++) {
		uint16_t len;
		memcpy(&len, base + CAPTURE_EVENT_HDR_BYTES + 2 * i, sizeof(len));
		uint8_t fixed = param_kind_size[event_desc[evt->type].params[i].kind];
		if (len && fixed && len != fixed)
			return -EINVAL;
		off += len;
		if (off > evt->len)
			return -EINVAL;
	}
	return off == evt->len ? 0 : -EINVAL;
}

int capture_event_param(const struct capture_event *evt, uint32_t i, const void **data,
			uint32_t *len)
{
	if (!evt || !data || !len)
		return -EINVAL;
	if (evt->len < CAPTURE_EVENT_HDR_BYTES || evt->type >= CAPTURE_EVENT_TYPE_COUNT ||
	    evt->nparams != event_desc[evt->type].nparams)
		return -EINVAL;
	if (i >= evt->nparams)
		return -ERANGE;
	const uint8_t *base = (const uint8_t *)evt;
	size_t off = CAPTURE_EVENT_HDR_BYTES + 2u * evt->nparams;
	if (off > evt->len)
		return -EINVAL;
	uint16_t plen = 0;
	for (uint32_t k = 0; k <= i; k++) {
		off += plen;
		memcpy(&plen, base + CAPTURE_EVENT_HDR_BYTES + 2 * k, sizeof(plen));
	}
	if (off + plen > evt->len)
		return -EINVAL;
	uint8_t fixed = param_kind_size[event_desc[evt->type].params[i].kind];
	if (plen && fixed && plen != fixed)
		return -EINVAL;
	*data = base + off;
	*len = plen;
	return 0;
}

const char *capture_syscall_name(uint32_t nr)
{
	return nr < SYSCALL_TABLE_SIZE ? syscall_names[nr] : NULL;
}

int capture_syscall_nr(const char *name)
{
	if (!name)
		return -EINVAL;
	for (uint32_t nr = 0; nr < SYSCALL_TABLE_SIZE; nr++)
		if (syscall_names[nr] && strcmp(syscall_names[nr], name) == 0)
			return (int)nr;
	return -ENOENT;
}

int capture_syscall_event_type(uint32_t nr)
{
	if (nr >= SYSCALL_TABLE_SIZE || !syscall_event_plus1[nr])
		return -ENOENT;
	return syscall_event_plus1[nr] - 1;
}

uint32_t capture_syscall_table_size(void)
{
	return (uint32_t)SYSCALL_TABLE_SIZE;
}

int cap_event_category_of(const struct capture_event *evt)
{
	return capture_event_type_category(evt->type);
}

size_t cap_param_kind_size(enum capture_param_kind kind)
{
	return kind > CAPTURE_PK_NONE && kind < CAPTURE_PK_COUNT ? param_kind_size[kind] : 0;
}

static const uint8_t shed_class[CAPTURE_EVENT_TYPE_COUNT] = {
#define CAPTURE_SHED(id, cls) [CAPTURE_EVT_##id] = CAPTURE_SHED_##cls,
#include "capture/shed.def"
#undef CAPTURE_SHED
};

uint32_t cap_shed_class(uint32_t type)
{
	return type < CAPTURE_EVENT_TYPE_COUNT ? shed_class[type] : 0;
}
