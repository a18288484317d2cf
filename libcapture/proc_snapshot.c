// SPDX-License-Identifier: Apache-2.0
/* The process/thread table read from /proc: what a consumer (or a capture
 * file) needs to make sense of events from threads that started before the
 * capture. Processes exit while we read; their vanishing is not an error. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile.h"

void cap_snapshot_free(struct cap_snapshot *s)
{
	for (size_t i = 0; i < s->count; i++) {
		free((char *)s->threads[i].comm);
		free((char *)s->threads[i].exe);
		free((char *)s->threads[i].args);
		free((char *)s->threads[i].cwd);
		free((char *)s->threads[i].cgroups);
	}
	free(s->threads);
	memset(s, 0, sizeof(*s));
}

/* Whole file (bounded), NUL-terminated; *len without the NUL. "" when it
 * cannot be read. NULL only when out of memory. */
static char *read_text(const char *path, size_t max, uint32_t *len)
{
	char *buf = malloc(max + 1);
	if (!buf)
		return NULL;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t r;
		while (n < max && (r = read(fd, buf + n, max - n)) > 0)
			n += (size_t)r;
		close(fd);
	}
	buf[n] = '\0';
	if (len)
		*len = (uint32_t)n;
	return buf;
}

static char *read_link(const char *path)
{
	char tmp[4096];
	ssize_t n = readlink(path, tmp, sizeof(tmp) - 1);
	if (n < 0)
		n = 0;
	tmp[n] = '\0';
	return strdup(tmp);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Fields of /proc/PID/task/TID/status. */
static void parse_status(const char *text, struct capture_thread_info *t, char **comm)
{
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (!strncmp(line, "Name:\t", 6)) {
			size_t n = strcspn(line + 6, "\n");
			free(*comm);
			*comm = strndup(line + 6, n);
		} else if (!strncmp(line, "Tgid:\t", 6)) {
			t->pid = (uint32_t)strtoul(line + 6, NULL, 10);
		} else if (!strncmp(line, "PPid:\t", 6)) {
			t->ppid = (uint32_t)strtoul(line + 6, NULL, 10);
		} else if (!strncmp(line, "Uid:\t", 5)) {
			t->uid = (uint32_t)strtoul(line + 5, NULL, 10);
		} else if (!strncmp(line, "Gid:\t", 5)) {
			t->gid = (uint32_t)strtoul(line + 5, NULL, 10);
		}
	}
}

static int add_thread(struct cap_snapshot *s, unsigned long pid, unsigned long tid)
{
	char path[96];
	snprintf(path, sizeof(path), "/proc/%lu/task/%lu/status", pid, tid);
	char *status = read_text(path, 4096, NULL);
	if (!status)
		return -ENOMEM;
	if (!status[0]) {
		free(status); /* gone already */
		return 0;
	}
	if (s->count == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct capture_thread_info *t = realloc(s->threads, cap * sizeof(*t));
		if (!t) {
			free(status);
			return -ENOMEM;
		}
		s->threads = t;
		s->cap = cap;
	}
	struct capture_thread_info *t = &s->threads[s->count];
	memset(t, 0, sizeof(*t));
	t->tid = (uint32_t)tid;
	char *comm = NULL;
	parse_status(status, t, &comm);
	free(status);
	t->comm = comm ? comm : strdup("");
	snprintf(path, sizeof(path), "/proc/%lu/exe", pid);
	t->exe = read_link(path);
	snprintf(path, sizeof(path), "/proc/%lu/cwd", pid);
	t->cwd = read_link(path);
	snprintf(path, sizeof(path), "/proc/%lu/cmdline", pid);
	t->args = read_text(path, 4096, &t->args_len);
	snprintf(path, sizeof(path), "/proc/%lu/cgroup", pid);
	t->cgroups = read_text(path, 4096, NULL);
	s->count++;
	if (!t->comm || !t->exe || !t->cwd || !t->args || !t->cgroups)
		return -ENOMEM;
	return 0;
}

int cap_snapshot_take(struct cap_snapshot *s)
{
	cap_snapshot_free(s);
	DIR *proc = opendir("/proc");
	if (!proc)
		return -errno;
	int rc = 0;
	struct dirent *p;
	while (!rc && (p = readdir(proc))) {
		if (!all_digits(p->d_name))
			continue;
		unsigned long pid = strtoul(p->d_name, NULL, 10);
		char path[64];
		snprintf(path, sizeof(path), "/proc/%lu/task", pid);
		DIR *tasks = opendir(path);
		if (!tasks)
			continue; /* exited meanwhile */
		struct dirent *t;
		while (!rc && (t = readdir(tasks)))
			if (all_digits(t->d_name))
				rc = add_thread(s, pid, strtoul(t->d_name, NULL, 10));
		closedir(tasks);
	}
	closedir(proc);
	if (rc) {
		cap_snapshot_free(s);
		return rc;
	}
	s->taken = true;
	return 0;
}
