/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the Check suites. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "capture/capture.h"

/* Run one suite; the exit status is what meson test reads. */
static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Open the synthetic engine or fail the test with the library's message. */
static inline capture_t *open_synthetic(struct capture_open_opts *o, struct capture_synthetic_opts *s)
{
	char err[512] = "";
	o->engine = "synthetic";
	o->synthetic = s;
	capture_t *h = capture_open(o, err, sizeof(err));
	ck_assert_msg(h != NULL, "capture_open: %s", err);
	return h;
}

/* Read every event until EOF; returns how many syscall events were
 * delivered (gap markers are not counted: they are not syscall events). */
static inline uint64_t drain(capture_t *h)
{
	uint64_t n = 0;
	for (;;) {
		const struct capture_event *e;
		int rc = capture_next(h, &e, NULL);
		if (rc == CAPTURE_OK)
			n += e->type != CAPTURE_EVT_DROP;
		else if (rc == CAPTURE_EOF)
			return n;
		else
			ck_assert_msg(rc == CAPTURE_TIMEOUT, "capture_next: %s", capture_last_error(h));
	}
}

#endif
