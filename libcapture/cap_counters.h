/* SPDX-License-Identifier: (Apache-2.0 OR MIT OR GPL-2.0-only) */
/*
 * Per-CPU drop accounting as every driver keeps it (BPF map value, kernel
 * module page, synthetic producer). Each outcome of an event is counted at
 * exactly one place; totals such as n_drops_buffer are sums computed on read,
 * never stored, so they cannot disagree with their parts.
 */
#ifndef CAP_COUNTERS_H
#define CAP_COUNTERS_H

#include "capture/event.h"

struct cap_cpu_counters {
	uint64_t n_evts; /* passed selection: delivered or dropped */
	uint64_t n_drops_buffer[CAPTURE_DROP_CATEGORY_COUNT][2]; /* [category][direction] */
	uint64_t n_drops_scratch_map;
	uint64_t n_drops_pf;
	uint64_t n_drops_bug;
	uint64_t n_preemptions;
	uint64_t n_suppressed;
	uint64_t n_tids_suppressed;
	uint64_t n_shed[CAPTURE_DROP_CATEGORY_COUNT]; /* priority shedding, by category */
};

#endif
