// SPDX-License-Identifier: Apache-2.0
/* The schema table is consistent, the accessors agree with it, and events
 * are checked against it: a malformed event is refused, never misread. */
#include <errno.h>
#include <string.h>

#include "event_build.h"
#include "test_util.h"

START_TEST(every_type_is_complete)
{
	for (uint32_t t = 0; t < CAPTURE_EVENT_TYPE_COUNT; t++) {
		const char *name = capture_event_type_name(t);
		ck_assert_ptr_nonnull(name);
		ck_assert_int_eq(capture_event_type_by_name(name), (int)t);
		int n = capture_event_type_nparams(t);
		ck_assert_int_ge(n, 1);
		ck_assert_int_le(n, CAPTURE_EVENT_MAX_PARAMS);
		int cat = capture_event_type_category(t);
		ck_assert_ptr_nonnull(capture_drop_category_name((uint32_t)cat));
		for (int i = 0; i < n; i++) {
			const char *p = capture_event_param_name(t, (uint32_t)i);
			ck_assert_ptr_nonnull(p);
			ck_assert_ptr_nonnull(capture_param_kind_name(capture_event_param_kind(t, (uint32_t)i)));
			for (int j = 0; j < i; j++)
				ck_assert_str_ne(p, capture_event_param_name(t, (uint32_t)j));
		}
		ck_assert_ptr_null(capture_event_param_name(t, (uint32_t)n));
		ck_assert_int_eq(capture_event_param_kind(t, (uint32_t)n), CAPTURE_PK_NONE);
	}
	ck_assert_ptr_null(capture_event_type_name(CAPTURE_EVENT_TYPE_COUNT));
	ck_assert_int_eq(capture_event_type_nparams(CAPTURE_EVENT_TYPE_COUNT), -EINVAL);
	ck_assert_int_eq(capture_event_type_category(9999), -EINVAL);
	ck_assert_int_eq(capture_event_type_by_name("nope"), -ENOENT);
	ck_assert_int_eq(capture_event_type_by_name(NULL), -EINVAL);
	ck_assert_ptr_null(capture_param_kind_name(CAPTURE_PK_NONE));
	ck_assert_ptr_null(capture_param_kind_name(CAPTURE_PK_COUNT));
	ck_assert_ptr_null(capture_drop_category_name(CAPTURE_DROP_CATEGORY_COUNT));
}
END_TEST

START_TEST(syscall_results_lead_with_res)
{
	/* Every syscall exit layout has the return value first. */
	for (uint32_t nr = 0; nr < capture_syscall_table_size(); nr++) {
		int t = capture_syscall_event_type(nr);
		if (t < 0 || t == CAPTURE_EVT_EXIT || t == CAPTURE_EVT_EXIT_GROUP)
			continue;
		ck_assert_str_eq(capture_event_param_name((uint32_t)t, 0), "res");
	}
}
END_TEST

START_TEST(syscall_table)
{
	uint32_t named = 0;
	for (uint32_t nr = 0; nr < capture_syscall_table_size(); nr++) {
		const char *name = capture_syscall_name(nr);
		if (!name) {
			ck_assert_int_eq(capture_syscall_event_type(nr), -ENOENT);
			continue;
		}
		named++;
		ck_assert_int_eq(capture_syscall_nr(name), (int)nr);
		int t = capture_syscall_event_type(nr);
		ck_assert_int_ge(t, 0);
		ck_assert_int_lt(t, CAPTURE_EVENT_TYPE_COUNT);
		/* A dedicated layout is named after its syscall. */
		if (t != CAPTURE_EVT_GENERIC)
			ck_assert_str_eq(capture_event_type_name((uint32_t)t), name);
	}
	ck_assert_uint_gt(named, 350);
	ck_assert_int_eq(capture_syscall_nr("openat"), 257);
	ck_assert_int_eq(capture_syscall_nr("no_such_call"), -ENOENT);
	ck_assert_int_eq(capture_syscall_nr(NULL), -EINVAL);
	ck_assert_ptr_null(capture_syscall_name(100000));

	/* The syscalls with a layout of their own (the eBPF engine's list). */
	static const char *const dedicated[] = {
		"clone", "clone3", "fork", "vfork", "execve", "execveat", "exit", "exit_group",
		"open", "openat", "openat2", "creat", "close", "read", "write", "pread64",
		"pwrite64", "readv", "writev", "dup", "dup2", "dup3", "pipe", "pipe2", "socket",
		"connect", "accept", "accept4", "bind", "listen", "sendto", "recvfrom",
		"sendmsg", "recvmsg", "shutdown", "mkdir", "mkdirat", "rmdir", "unlink",
		"unlinkat", "rename", "renameat", "renameat2", "link", "linkat", "symlink",
		"symlinkat", "chmod", "fchmod", "fchmodat", "chown", "fchown", "lchown",
		"fchownat", "chdir", "fchdir", "chroot", "mount", "umount2", "setuid", "setgid",
		"setresuid", "setresgid", "setns", "unshare", "kill", "tkill", "tgkill",
		"ptrace", "prctl", "capset", "bpf", "memfd_create", "mmap", "mprotect",
		"init_module", "finit_module",
	};
	for (size_t i = 0; i < sizeof(dedicated) / sizeof(dedicated[0]); i++) {
		int nr = capture_syscall_nr(dedicated[i]);
		ck_assert_msg(nr >= 0, "%s unknown", dedicated[i]);
		ck_assert_msg(capture_syscall_event_type((uint32_t)nr) != CAPTURE_EVT_GENERIC,
			      "%s has no layout", dedicated[i]);
	}
	/* Drop categories as Falco assigns them. */
	ck_assert_int_eq(capture_event_type_category(CAPTURE_EVT_EXECVE), CAPTURE_CAT_EXECVE);
	ck_assert_int_eq(capture_event_type_category(CAPTURE_EVT_CLONE3), CAPTURE_CAT_CLONE_FORK);
	ck_assert_int_eq(capture_event_type_category(CAPTURE_EVT_OPENAT2), CAPTURE_CAT_OPEN);
	ck_assert_int_eq(capture_event_type_category(CAPTURE_EVT_CONNECT), CAPTURE_CAT_CONNECT);
	ck_assert_int_eq(capture_event_type_category(CAPTURE_EVT_CLOSE), CAPTURE_CAT_CLOSE);
	ck_assert_int_eq(capture_event_type_category(CAPTURE_EVT_UNLINKAT), CAPTURE_CAT_DIR_FILE);
	ck_assert_int_eq(capture_event_type_category(CAPTURE_EVT_EXIT_GROUP), CAPTURE_CAT_PROC_EXIT);
	ck_assert_int_eq(capture_event_type_category(CAPTURE_EVT_GENERIC),
			 CAPTURE_CAT_OTHER_INTEREST);
}
END_TEST

static uint8_t buf[4096] __attribute__((aligned(8)));

static int build_openat(const char *path)
{
	struct cap_event_builder b;
	cap_build_begin(&b, buf, sizeof(buf), CAPTURE_EVT_OPENAT, 123, 7, 8);
	cap_build_u64(&b, 5);          /* res */
	cap_build_u64(&b, (uint64_t)-100); /* dirfd AT_FDCWD */
	cap_build_str(&b, path);
	cap_build_u32(&b, 0101);       /* flags */
	cap_build_u32(&b, 0644);       /* mode */
	return cap_build_end(&b);
}

START_TEST(build_and_read_back)
{
	int len = build_openat("/etc/hosts");
	ck_assert_int_gt(len, 0);
	const struct capture_event *e = (const void *)buf;
	ck_assert_int_eq(capture_event_validate(e, (size_t)len), 0);
	ck_assert_uint_eq(e->len, (uint32_t)len);
	ck_assert_uint_eq(e->nparams, 5);
	const void *d;
	uint32_t l;
	ck_assert_int_eq(capture_event_param(e, 2, &d, &l), 0);
	ck_assert_uint_eq(l, sizeof("/etc/hosts"));
	ck_assert_str_eq((const char *)d, "/etc/hosts");
	ck_assert_int_eq(capture_event_param(e, 4, &d, &l), 0);
	uint32_t mode;
	memcpy(&mode, d, 4);
	ck_assert_uint_eq(mode, 0644);
	ck_assert_int_eq(capture_event_param(e, 5, &d, &l), -ERANGE);
	ck_assert_int_eq(capture_event_param(NULL, 0, &d, &l), -EINVAL);
	ck_assert_int_eq(capture_event_param(e, 0, NULL, &l), -EINVAL);
}
END_TEST

START_TEST(builder_refuses_wrong_shapes)
{
	struct cap_event_builder b;
	cap_build_begin(&b, buf, sizeof(buf), CAPTURE_EVT_OPENAT, 0, 0, 0);
	cap_build_u32(&b, 5); /* res is 8 bytes */
	ck_assert_int_eq(cap_build_end(&b), -EINVAL);
	cap_build_begin(&b, buf, sizeof(buf), CAPTURE_EVT_CLOSE, 0, 0, 0);
	cap_build_u64(&b, 0);
	ck_assert_int_eq(cap_build_end(&b), -EINVAL); /* a parameter short */
	cap_build_begin(&b, buf, 40, CAPTURE_EVT_OPENAT, 0, 0, 0);
	cap_build_u64(&b, 0);
	cap_build_u64(&b, 0);
	cap_build_str(&b, "/a/path/longer/than/the/buffer");
	ck_assert_int_eq(cap_build_end(&b), -E2BIG);
	cap_build_begin(&b, buf, sizeof(buf), CAPTURE_EVENT_TYPE_COUNT, 0, 0, 0);
	ck_assert_int_eq(cap_build_end(&b), -EINVAL);
	/* A missing parameter is marked. */
	cap_build_begin(&b, buf, sizeof(buf), CAPTURE_EVT_CLOSE, 0, 0, 0);
	cap_build_u64(&b, 0);
	cap_build_param(&b, NULL, 0);
	ck_assert_int_gt(cap_build_end(&b), 0);
	ck_assert(((const struct capture_event *)buf)->flags & CAPTURE_EVF_PARAM_MISSING);
}
END_TEST

START_TEST(malformed_events_are_refused)
{
	int len = build_openat("/x");
	struct capture_event *e = (void *)buf;
	ck_assert_int_eq(capture_event_validate(e, (size_t)len), 0);
	ck_assert_int_eq(capture_event_validate(e, (size_t)len - 1), -EINVAL); /* truncated */
	ck_assert_int_eq(capture_event_validate(NULL, 100), -EINVAL);
	ck_assert_int_eq(capture_event_validate(e, 3), -EINVAL);

	const void *d;
	uint32_t l;
	/* A parameter length running past the event. */
	uint16_t *lens = (uint16_t *)(buf + CAPTURE_EVENT_HDR_BYTES);
	uint16_t saved = lens[2];
	lens[2] = 60000;
	ck_assert_int_eq(capture_event_validate(e, (size_t)len), -EINVAL);
	ck_assert_int_eq(capture_event_param(e, 2, &d, &l), -EINVAL);
	lens[2] = saved;
	/* A fixed-size kind with the wrong size. */
	lens[0] = 4;
	ck_assert_int_eq(capture_event_validate(e, (size_t)len), -EINVAL);
	ck_assert_int_eq(capture_event_param(e, 0, &d, &l), -EINVAL);
	lens[0] = 8;
	/* Wrong parameter count for the type, unknown type, absurd length. */
	e->nparams = 3;
	ck_assert_int_eq(capture_event_validate(e, (size_t)len), -EINVAL);
	ck_assert_int_eq(capture_event_param(e, 0, &d, &l), -EINVAL);
	e->nparams = 5;
	e->type = 9999;
	ck_assert_int_eq(capture_event_validate(e, (size_t)len), -EINVAL);
	e->type = CAPTURE_EVT_OPENAT;
	e->len = 2;
	ck_assert_int_eq(capture_event_validate(e, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(capture_event_param(e, 0, &d, &l), -EINVAL);
	e->len = (uint32_t)len;
	ck_assert_int_eq(capture_event_validate(e, (size_t)len), 0);
}
END_TEST

START_TEST(synthetic_events_are_valid)
{
	/* Every layout the synthetic engine writes passes validation. */
	uint32_t mix[CAPTURE_EVENT_TYPE_COUNT];
	size_t n = 0;
	for (uint32_t nr = 0; nr < capture_syscall_table_size() && n < CAPTURE_EVENT_TYPE_COUNT; nr++) {
		int t = capture_syscall_event_type(nr);
		if (t > CAPTURE_EVT_GENERIC || (t == CAPTURE_EVT_GENERIC && nr == 39))
			mix[n++] = nr;
	}
	CAPTURE_OPTS(capture_open_opts, o, .enter_events = true);
	CAPTURE_OPTS(capture_synthetic_opts, s, .cpus = 1, .events_per_cpu = n, .mix = mix,
		     .mix_len = n);
	capture_t *h = open_synthetic(&o, &s);
	ck_assert_int_eq(capture_start(h), 0);
	uint32_t seen = 0;
	for (;;) {
		const struct capture_event *e;
		int rc = capture_next(h, &e, NULL);
		if (rc == CAPTURE_EOF)
			break;
		ck_assert_int_eq(rc, CAPTURE_OK);
		ck_assert_int_eq(capture_event_validate(e, e->len), 0);
		seen++;
	}
	ck_assert_uint_eq(seen, 2 * n);
	capture_close(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("schema");
	TCase *tc = tcase_create("schema");
	tcase_add_test(tc, every_type_is_complete);
	tcase_add_test(tc, syscall_results_lead_with_res);
	tcase_add_test(tc, syscall_table);
	tcase_add_test(tc, build_and_read_back);
	tcase_add_test(tc, builder_refuses_wrong_shapes);
	tcase_add_test(tc, malformed_events_are_refused);
	tcase_add_test(tc, synthetic_events_are_valid);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
