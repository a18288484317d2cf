// SPDX-License-Identifier: Apache-2.0
/* Timestamp merge across rings (see ring.h): the order capture_next()
 * promises, shared by every engine that reads rings. */
#include <errno.h>
#include <stdlib.h>

#include "ring.h"

int cap_merge_init(struct cap_merge *m, struct cap_ring *rings, uint32_t n)
{
	m->rings = rings;
	m->n = n;
	m->held_ring = -1;
	m->head = calloc(n ? n : 1, sizeof(*m->head));
	return m->head ? 0 : -ENOMEM;
}

void cap_merge_free(struct cap_merge *m)
{
	free(m->head);
	m->head = NULL;
}

void cap_merge_release(struct cap_merge *m)
{
	if (m->held_ring < 0)
		return;
	cap_ring_release(&m->rings[m->held_ring]);
	m->head[m->held_ring] = NULL;
	m->held_ring = -1;
}

const struct capture_event *cap_merge_next(struct cap_merge *m, uint32_t *ring_idx)
{
	cap_merge_release(m);

	const struct capture_event *best = NULL;
	uint32_t best_idx = 0;
	for (uint32_t i = 0; i < m->n; i++) {
		const struct capture_event *e = m->head[i];
		if (!e)
			e = m->head[i] = cap_ring_peek(&m->rings[i]);
		if (e && (!best || e->ts < best->ts)) {
			best = e;
			best_idx = i;
		}
	}
	if (!best)
		return NULL;
	cap_ring_hold(&m->rings[best_idx]);
	m->held_ring = (int32_t)best_idx;
	*ring_idx = best_idx;
	return best;
}
