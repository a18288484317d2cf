// SPDX-License-Identifier: Apache-2.0
/* Drop accounting shared by every engine: per-CPU counters turned into the
 * public struct, sums over CPUs, the valid mask, and deltas for tools. The
 * public struct is a run of uint64_t after `valid`, in capture_stat_id order,
 * which is what lets one table of names serve every field. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "cap_internal.h"

static const char *const stat_names[CAPTURE_STAT_COUNT] = {
	[CAPTURE_STAT_N_EVTS] = "n_evts",
	[CAPTURE_STAT_N_DROPS] = "n_drops",
	[CAPTURE_STAT_N_DROPS_BUFFER] = "n_drops_buffer",
#define X(id, name) \
	[CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY + 2 * CAPTURE_CAT_##id] = \
		"n_drops_buffer_" #name "_enter", \
	[CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY + 2 * CAPTURE_CAT_##id + 1] = \
		"n_drops_buffer_" #name "_exit",
	CAPTURE_DROP_CATEGORIES(X)
#undef X
	[CAPTURE_STAT_N_DROPS_SCRATCH_MAP] = "n_drops_scratch_map",
	[CAPTURE_STAT_N_DROPS_PF] = "n_drops_pf",
	[CAPTURE_STAT_N_DROPS_BUG] = "n_drops_bug",
	[CAPTURE_STAT_N_PREEMPTIONS] = "n_preemptions",
	[CAPTURE_STAT_N_SUPPRESSED] = "n_suppressed",
	[CAPTURE_STAT_N_TIDS_SUPPRESSED] = "n_tids_suppressed",
	[CAPTURE_STAT_N_SHED] = "n_shed",
#define X(id, name) [CAPTURE_STAT_N_SHED_FIRST_CATEGORY + CAPTURE_CAT_##id] = "n_shed_" #name,
	CAPTURE_DROP_CATEGORIES(X)
#undef X
};

#define FIELD_OFFSET(id) (offsetof(struct capture_stats, n_evts) + (size_t)(id) * sizeof(uint64_t))
_Static_assert(FIELD_OFFSET(CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY) ==
		       offsetof(struct capture_stats, n_drops_buffer_clone_fork_enter),
	       "stat ids follow the struct");
_Static_assert(FIELD_OFFSET(CAPTURE_STAT_N_DROPS_SCRATCH_MAP) ==
		       offsetof(struct capture_stats, n_drops_scratch_map),
	       "stat ids follow the struct");
_Static_assert(FIELD_OFFSET(CAPTURE_STAT_N_TIDS_SUPPRESSED) ==
		       offsetof(struct capture_stats, n_tids_suppressed),
	       "stat ids follow the struct");
_Static_assert(FIELD_OFFSET(CAPTURE_STAT_N_SHED_FIRST_CATEGORY + CAPTURE_CAT_OTHER_INTEREST) ==
		       offsetof(struct capture_stats, n_shed_other_interest),
	       "stat ids follow the struct");
_Static_assert(CAPTURE_STAT_COUNT <= 64, "valid is a 64-bit mask");

const char *capture_stat_name(enum capture_stat_id id)
{
	return (unsigned)id < CAPTURE_STAT_COUNT ? stat_names[id] : NULL;
}

/* Fields a caller's struct has room for, given its sz. */
static uint32_t fields_in(size_t sz)
{
	if (sz <= offsetof(struct capture_stats, n_evts))
		return 0;
	size_t n = (sz - offsetof(struct capture_stats, n_evts)) / sizeof(uint64_t);
	return n < CAPTURE_STAT_COUNT ? (uint32_t)n : CAPTURE_STAT_COUNT;
}

uint64_t capture_stat_value(const struct capture_stats *stats, enum capture_stat_id id)
{
	if (!stats || (unsigned)id >= fields_in(stats->sz))
		return 0;
	uint64_t v;
	memcpy(&v, (const char *)stats + FIELD_OFFSET(id), sizeof(v));
	return v;
}

/*
 * Where each stored counter lives: runs of stat ids that sit back to back in
 * struct cap_cpu_counters too. One table serves both directions; the sums
 * (n_drops, n_drops_buffer, n_shed) are never stored, only derived.
 */
static const struct {
	enum capture_stat_id first;
	size_t offset;
	uint32_t count;
} stored[] = {
	{ CAPTURE_STAT_N_EVTS, offsetof(struct cap_cpu_counters, n_evts), 1 },
	{ CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY, offsetof(struct cap_cpu_counters, n_drops_buffer),
	  2 * CAPTURE_DROP_CATEGORY_COUNT },
	{ CAPTURE_STAT_N_DROPS_SCRATCH_MAP, offsetof(struct cap_cpu_counters, n_drops_scratch_map),
	  CAPTURE_STAT_N_TIDS_SUPPRESSED - CAPTURE_STAT_N_DROPS_SCRATCH_MAP + 1 },
	{ CAPTURE_STAT_N_SHED_FIRST_CATEGORY, offsetof(struct cap_cpu_counters, n_shed),
	  CAPTURE_DROP_CATEGORY_COUNT },
};
_Static_assert(offsetof(struct cap_cpu_counters, n_tids_suppressed) -
			       offsetof(struct cap_cpu_counters, n_drops_scratch_map) ==
		       8 * (CAPTURE_STAT_N_TIDS_SUPPRESSED - CAPTURE_STAT_N_DROPS_SCRATCH_MAP),
	       "scratch_map .. tids_suppressed are in stat-id order in the counters");

static uint64_t sum_of(const uint64_t *all, uint32_t first, uint32_t count)
{
	uint64_t sum = 0;
	for (uint32_t i = 0; i < count; i++)
		sum += all[first + i];
	return sum;
}

/* The sums, from the stored values in all[]. */
static void derive_sums(uint64_t all[CAPTURE_STAT_COUNT])
{
	all[CAPTURE_STAT_N_DROPS_BUFFER] = sum_of(all, CAPTURE_STAT_N_DROPS_BUFFER_FIRST_CATEGORY,
						   2 * CAPTURE_DROP_CATEGORY_COUNT);
	all[CAPTURE_STAT_N_DROPS] = all[CAPTURE_STAT_N_DROPS_BUFFER] +
				    all[CAPTURE_STAT_N_DROPS_SCRATCH_MAP] + all[CAPTURE_STAT_N_DROPS_PF] +
				    all[CAPTURE_STAT_N_DROPS_BUG];
	all[CAPTURE_STAT_N_SHED] =
		sum_of(all, CAPTURE_STAT_N_SHED_FIRST_CATEGORY, CAPTURE_DROP_CATEGORY_COUNT);
}

/* The full array of values from counters. */
void cap_stats_from_counters(const struct cap_cpu_counters *c, uint64_t all[CAPTURE_STAT_COUNT])
{
	for (size_t r = 0; r < sizeof(stored) / sizeof(stored[0]); r++)
		memcpy(&all[stored[r].first], (const char *)c + stored[r].offset,
		       stored[r].count * sizeof(uint64_t));
	derive_sums(all);
}

int cap_counters_from_stats(const uint64_t all[CAPTURE_STAT_COUNT], struct cap_cpu_counters *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t r = 0; r < sizeof(stored) / sizeof(stored[0]); r++)
		memcpy((char *)c + stored[r].offset, &all[stored[r].first],
		       stored[r].count * sizeof(uint64_t));
	/* The sums must be what their parts say. */
	uint64_t again[CAPTURE_STAT_COUNT];
	memcpy(again, all, sizeof(again));
	derive_sums(again);
	return again[CAPTURE_STAT_N_DROPS] == all[CAPTURE_STAT_N_DROPS] &&
			       again[CAPTURE_STAT_N_DROPS_BUFFER] == all[CAPTURE_STAT_N_DROPS_BUFFER] &&
			       again[CAPTURE_STAT_N_SHED] == all[CAPTURE_STAT_N_SHED]
		       ? 0
		       : -EBADMSG;
}

static void counters_add(struct cap_cpu_counters *sum, const struct cap_cpu_counters *c)
{
	const uint64_t *src = (const uint64_t *)c;
	uint64_t *dst = (uint64_t *)sum;
	for (size_t i = 0; i < sizeof(*c) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}

/* Write the values the caller's struct has room for; fields the engine does
 * not count are left out of valid (and zeroed so no stale value shows). */
static int stats_store(struct capture_stats *out, const uint64_t all[CAPTURE_STAT_COUNT],
		       uint64_t valid)
{
	uint32_t n = fields_in(out->sz);
	uint64_t mask = n >= 64 ? ~0ull : (1ull << n) - 1;
	for (uint32_t id = 0; id < n; id++) {
		uint64_t v = (valid >> id) & 1 ? all[id] : 0;
		memcpy((char *)out + FIELD_OFFSET(id), &v, sizeof(v));
	}
	out->valid = valid & mask;
	return 0;
}

static int check_stats_arg(struct capture *h, struct capture_stats *stats)
{
	if (!h || !stats)
		return -EINVAL;
	if (stats->sz < offsetof(struct capture_stats, n_evts))
		return -EINVAL;
	return 0;
}

int capture_get_stats_cpu(capture_t *h, uint32_t cpu, struct capture_stats *stats)
{
	int rc = check_stats_arg(h, stats);
	if (rc)
		return rc;
	if (cpu >= h->ops->cpu_count(h))
		return -ERANGE;
	struct cap_cpu_counters c;
	memset(&c, 0, sizeof(c));
	rc = h->ops->read_counters(h, cpu, &c);
	if (rc)
		return rc;
	uint64_t all[CAPTURE_STAT_COUNT];
	cap_stats_from_counters(&c, all);
	return stats_store(stats, all, __atomic_load_n(&h->stats_valid, __ATOMIC_RELAXED));
}

int capture_get_stats(capture_t *h, struct capture_stats *stats)
{
	int rc = check_stats_arg(h, stats);
	if (rc)
		return rc;
	struct cap_cpu_counters sum;
	memset(&sum, 0, sizeof(sum));
	uint32_t ncpu = h->ops->cpu_count(h);
	for (uint32_t cpu = 0; cpu < ncpu; cpu++) {
		struct cap_cpu_counters c;
		memset(&c, 0, sizeof(c));
		rc = h->ops->read_counters(h, cpu, &c);
		if (rc)
			return rc;
		counters_add(&sum, &c);
	}
	uint64_t all[CAPTURE_STAT_COUNT];
	cap_stats_from_counters(&sum, all);
	return stats_store(stats, all, __atomic_load_n(&h->stats_valid, __ATOMIC_RELAXED));
}

int capture_stats_delta(const struct capture_stats *now, const struct capture_stats *prev,
			struct capture_stats *out)
{
	if (!now || !prev || !out || out->sz < offsetof(struct capture_stats, n_evts))
		return -EINVAL;
	uint32_t n_now = fields_in(now->sz), n_prev = fields_in(prev->sz);
	uint64_t have = (n_now >= 64 ? ~0ull : (1ull << n_now) - 1) &
			(n_prev >= 64 ? ~0ull : (1ull << n_prev) - 1);
	uint64_t valid = now->valid & prev->valid & have;
	uint64_t all[CAPTURE_STAT_COUNT] = { 0 };
	for (uint32_t id = 0; id < CAPTURE_STAT_COUNT; id++) {
		if (!((valid >> id) & 1))
			continue;
		uint64_t a = capture_stat_value(now, (enum capture_stat_id)id);
		uint64_t b = capture_stat_value(prev, (enum capture_stat_id)id);
		/* n_tids_suppressed is a gauge: its delta is its current value. */
		if (id == CAPTURE_STAT_N_TIDS_SUPPRESSED) {
			all[id] = a;
			continue;
		}
		if (a < b)
			return -EINVAL;
		all[id] = a - b;
	}
	return stats_store(out, all, valid);
}
