// SPDX-License-Identifier: Apache-2.0
/* capture_get_machine_info() and the snapshot calls: recorded values for the
 * file engine, this machine and /proc for live engines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "cap_internal.h"

/* This machine, now, as a capture of handle h would record it. */
static int machine_live(struct capture *h)
{
	struct cap_machine *m = &h->machine;
	/* The strings are filled once: callers keep them until capture_close(). */
	if (!m->hostname) {
		struct utsname u;
		if (uname(&u) < 0)
			return cap_err(h, -errno, "uname failed: %s", strerror(errno));
		m->hostname = strdup(u.nodename);
		m->kernel_release = strdup(u.release);
		m->library_version = strdup(CAPTURE_VERSION_STRING);
		m->engine = strdup(h->ops->name);
		if (!m->hostname || !m->kernel_release || !m->library_version || !m->engine) {
			cap_machine_free(m);
			return cap_err(h, -ENOMEM, "out of memory reading the machine info");
		}
	}
	m->cpu_count = h->ops->cpu_count(h);
	m->boot_time_ns = cap_clock_ns(CLOCK_REALTIME) - cap_clock_ns(CLOCK_BOOTTIME);
	m->start_time_ns = h->start_time_ns;
	m->buffer_bytes = h->cfg.buffer_bytes;
	m->cpus_per_buffer = h->cfg.cpus_per_buffer;
	m->snaplen = h->cfg.snaplen;
	m->enter_events = h->cfg.enter_events;
	for (uint32_t w = 0; w < CAP_SYSCALL_WORDS; w++)
		m->selection[w] = atomic_load_explicit(&h->selection.word[w], memory_order_relaxed);
	return 0;
}

int cap_machine_get(struct capture *h, const struct cap_machine **out)
{
	if (h->ops->recorded_machine) {
		*out = h->ops->recorded_machine(h);
		return 0;
	}
	int rc = machine_live(h);
	*out = &h->machine;
	return rc;
}

int capture_get_machine_info(capture_t *h, struct capture_machine_info *info)
{
	if (!h || !info)
		return h ? cap_err(h, -EINVAL, "capture_get_machine_info: info is NULL") : -EINVAL;
	if (info->sz < offsetof(struct capture_machine_info, hostname) + sizeof(info->hostname))
		return cap_err(h, -EINVAL, "capture_get_machine_info: info->sz is %zu", info->sz);
	const struct cap_machine *m;
	int rc = cap_machine_get(h, &m);
	if (rc)
		return rc;
	struct capture_machine_info full = {
		.sz = info->sz,
		.hostname = m->hostname,
		.kernel_release = m->kernel_release,
		.library_version = m->library_version,
		.engine = m->engine,
		.cpu_count = m->cpu_count,
		.format_version = m->format_version,
		.boot_time_ns = m->boot_time_ns,
		.start_time_ns = m->start_time_ns,
		.buffer_bytes = m->buffer_bytes,
		.cpus_per_buffer = m->cpus_per_buffer,
		.snaplen = m->snaplen,
		.enter_events = m->enter_events,
	};
	memcpy(info, &full, info->sz < sizeof(full) ? info->sz : sizeof(full));
	return 0;
}

int cap_snapshot_get(struct capture *h, const struct cap_snapshot **out)
{
	if (h->ops->recorded_snapshot) {
		*out = h->ops->recorded_snapshot(h);
		return 0;
	}
	if (!h->snapshot.taken) {
		int rc = cap_snapshot_take(&h->snapshot);
		if (rc)
			return cap_err(h, rc, "reading the process table from /proc failed: %s",
				       capture_strerror(rc));
	}
	*out = &h->snapshot;
	return 0;
}

int capture_get_snapshot(capture_t *h, const struct capture_thread_info **threads, size_t *count)
{
	if (!h || !threads || !count)
		return h ? cap_err(h, -EINVAL, "capture_get_snapshot: threads and count are required")
			 : -EINVAL;
	const struct cap_snapshot *s;
	int rc = cap_snapshot_get(h, &s);
	if (rc)
		return rc;
	*threads = s->threads;
	*count = s->count;
	return 0;
}

int capture_refresh_snapshot(capture_t *h)
{
	if (!h)
		return -EINVAL;
	if (h->ops->recorded_snapshot)
		return 0; /* a recording does not change */
	cap_snapshot_free(&h->snapshot);
	const struct cap_snapshot *s;
	return cap_snapshot_get(h, &s);
}
