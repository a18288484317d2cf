// SPDX-License-Identifier: Apache-2.0
/* The synthetic producer's ring (see synth_ring.h). Like the kernel, the data
 * area is mapped twice back to back so a record that crosses the end of the
 * area is still contiguous for the reader, and the producer position moves at
 * reservation time while the BUSY bit keeps the reader off until commit. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "synth_ring.h"

int synth_ring_create(struct synth_ring *r, uint64_t size, bool shared)
{
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->shared = shared;
	long page = sysconf(_SC_PAGESIZE);

	r->ctl = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->ctl == MAP_FAILED)
		return -errno;
	/* Separate cache lines: the two sides write one each. */
	r->consumer_pos = (uint64_t *)r->ctl;
	r->producer_pos = (uint64_t *)((uint8_t *)r->ctl + 128);

	int fd = memfd_create("capture-synthetic-ring", MFD_CLOEXEC);
	int rc = 0;
	if (fd < 0) {
		rc = -errno;
		goto fail_ctl;
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		rc = -errno;
		goto fail_fd;
	}
	/* Reserve 2 * size of address space, then place the file twice in it. */
	uint8_t *area = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		rc = -errno;
		goto fail_fd;
	}
	if (mmap(area, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
	    mmap(area + size, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
		    MAP_FAILED) {
		rc = -errno;
		munmap(area, 2 * size);
		goto fail_fd;
	}
	close(fd);
	r->data = area;
	if (shared && pthread_spin_init(&r->lock, PTHREAD_PROCESS_PRIVATE) != 0) {
		munmap(area, 2 * size);
		rc = -ENOMEM;
		goto fail_ctl;
	}
	return 0;
fail_fd:
	close(fd);
fail_ctl:
	munmap(r->ctl, (size_t)page);
	r->ctl = NULL;
	return rc;
}

void synth_ring_destroy(struct synth_ring *r)
{
	if (r->data)
		munmap(r->data, 2 * r->size);
	if (r->ctl)
		munmap(r->ctl, (size_t)sysconf(_SC_PAGESIZE));
	if (r->shared && r->data)
		pthread_spin_destroy(&r->lock);
	r->data = NULL;
	r->ctl = NULL;
}

void *synth_ring_reserve(struct synth_ring *r, uint32_t payload)
{
	uint64_t need = cap_ring_record_bytes(payload);
	if (need > r->size)
		return NULL;
	if (r->shared)
		pthread_spin_lock(&r->lock);
	/* Like the cached producer position on the reader side: reload the
	 * consumer position only when the old value says there is no room. */
	uint64_t prod = r->prod; /* under the lock when shared: the newest */
	uint64_t cons = __atomic_load_n(&r->cons_seen, __ATOMIC_RELAXED);
	if (prod - cons + need > r->size) {
		cons = __atomic_load_n(r->consumer_pos, __ATOMIC_ACQUIRE);
		__atomic_store_n(&r->cons_seen, cons, __ATOMIC_RELAXED);
	}
	if (prod - cons + need > r->size) {
		if (r->shared)
			pthread_spin_unlock(&r->lock);
		return NULL;
	}
	uint32_t *hdr = (uint32_t *)(r->data + (prod & (r->size - 1)));
	__atomic_store_n(&hdr[0], payload | CAP_RINGBUF_BUSY_BIT, __ATOMIC_RELAXED);
	hdr[1] = 0;
	r->prod = prod + need;
	__atomic_store_n(r->producer_pos, r->prod, __ATOMIC_RELEASE);
	if (r->shared)
		pthread_spin_unlock(&r->lock);
	return hdr + 2;
}

void synth_ring_commit(void *payload)
{
	uint32_t *hdr = (uint32_t *)payload - 2;
	uint32_t len = __atomic_load_n(&hdr[0], __ATOMIC_RELAXED) & ~CAP_RINGBUF_BUSY_BIT;
	__atomic_store_n(&hdr[0], len, __ATOMIC_RELEASE);
}

void synth_ring_discard(void *payload)
{
	uint32_t *hdr = (uint32_t *)payload - 2;
	uint32_t len = __atomic_load_n(&hdr[0], __ATOMIC_RELAXED) & ~CAP_RINGBUF_BUSY_BIT;
	__atomic_store_n(&hdr[0], len | CAP_RINGBUF_DISCARD_BIT, __ATOMIC_RELEASE);
}

/* Bytes waiting, as seen now. The consumer position is loaded before the
 * producer position, so the first can never be past the second even while
 * other CPUs sharing the ring move both. */
static uint64_t used_bytes(struct synth_ring *r, bool fresh)
{
	uint64_t cons = fresh ? __atomic_load_n(r->consumer_pos, __ATOMIC_ACQUIRE)
			      : __atomic_load_n(&r->cons_seen, __ATOMIC_RELAXED);
	uint64_t prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
	if (fresh)
		__atomic_store_n(&r->cons_seen, cons, __ATOMIC_RELAXED);
	return prod > cons ? prod - cons : 0;
}

bool synth_ring_fill_above(struct synth_ring *r, uint64_t bytes)
{
	/* The cached consumer position can only overstate the fill: check the
	 * fresh one before deciding to shed. */
	return used_bytes(r, false) > bytes && used_bytes(r, true) > bytes;
}

bool synth_ring_has_room(struct synth_ring *r, uint64_t bytes)
{
	return used_bytes(r, false) + bytes <= r->size || used_bytes(r, true) + bytes <= r->size;
}
