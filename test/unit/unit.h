/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unit.h - Minimal helpers for C unit tests: one line per check */

#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <stdlib.h>

/* Passed and failed checks in this test program */
static unsigned unit_passed, unit_failed;

/**
 * unit_check() - Print one result line, count failures
 * @ok:		Condition
 * @desc:	Description
 */
static inline void unit_check(int ok, const char *desc)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", desc);
	if (ok)
		unit_passed++;
	else
		unit_failed++;
}

/**
 * unit_done() - Print the totals; exit status of the test program
 *
 * Return: 0 if every check passed, 1 otherwise
 */
static inline int unit_done(void)
{
	printf("%u passed, %u failed\n", unit_passed, unit_failed);
	return unit_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* UNIT_H */
