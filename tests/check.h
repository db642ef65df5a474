/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The unit tests' one assertion: CHECK(cond, printf-args) counts a pass
 * or prints the failure with its place.  Each test program defines
 * "static int passed, failed;" and prints "NAME: N passed, N failed".
 */
#ifndef KLPSTACK_TESTS_CHECK_H
#define KLPSTACK_TESTS_CHECK_H

#include <stdio.h>

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (cond) {                                               \
			passed++;                                         \
		} else {                                                  \
			failed++;                                         \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);       \
			printf(__VA_ARGS__);                              \
			printf("\n");                                     \
		}                                                         \
	} while (0)

#endif
