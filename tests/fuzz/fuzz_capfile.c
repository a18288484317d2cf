// SPDX-License-Identifier: Apache-2.0
/* libFuzzer target for the capture-file reader: any bytes, opened through
 * the file engine and read to the end, must give events that validate or a
 * clear error, and never a crash, a hang or a leak. */
#include <capture/capture.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-capfile", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	CAPTURE_OPTS(capture_open_opts, o, .engine = "file", .file_path = path);
	capture_t *h = capture_open(&o, NULL, 0);
	if (h) {
		if (capture_start(h) == 0) {
			const struct capture_event *e;
			uint32_t cpu;
			uint64_t n = 0;
			int rc;
			while ((rc = capture_next(h, &e, &cpu)) == CAPTURE_OK) {
				/* What the engine hands out must be a valid event. */
				if (capture_event_validate(e, e->len) != 0)
					__builtin_trap();
				for (uint32_t i = 0; i < e->nparams; i++) {
					const void *p;
					uint32_t len;
					if (capture_event_param(e, i, &p, &len) != 0)
						__builtin_trap();
				}
				n++;
			}
			if (rc < 0 && capture_last_error(h)[0] == '\0')
				__builtin_trap(); /* every error has a message */
			(void)n;
		}
		struct capture_stats st = { .sz = sizeof(st) };
		capture_get_stats(h, &st);
		for (uint32_t cpu = 0; cpu < capture_cpu_count(h) && cpu < 4; cpu++)
			capture_get_stats_cpu(h, cpu, &st);
		struct capture_machine_info m = { .sz = sizeof(m) };
		if (capture_get_machine_info(h, &m) == 0 && (!m.hostname || !m.engine))
			__builtin_trap();
		const struct capture_thread_info *t;
		size_t nt;
		if (capture_get_snapshot(h, &t, &nt) == 0)
			for (size_t i = 0; i < nt; i++)
				if (!t[i].comm || !t[i].exe || !t[i].args || !t[i].cwd || !t[i].cgroups)
					__builtin_trap();
		capture_close(h);
	}
	close(fd);
	return 0;
}
