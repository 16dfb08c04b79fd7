// SPDX-License-Identifier: GPL-2.0-or-later
/* slow_cat.c - Copy standard input to standard output, slowly
 *
 * Usage: slow_cat CHUNK DELAY_MS [FAST_AFTER]
 *   Reads at most CHUNK bytes at a time and sleeps DELAY_MS milliseconds
 *   after each read, until FAST_AFTER bytes (default: never) were copied,
 *   then copies at full speed. Placed behind a socket reader (socat ... |
 *   slow_cat), it makes a slow receiver: the socket's receive buffer fills
 *   and the TCP window closes, then reopens.
 *
 * Exit status 0 at end of input, 1 on errors, 2 on usage errors.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

#define SLOW_CAT_BUF		(1 << 20)

static char slow_cat_buf[SLOW_CAT_BUF];

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	CHUNK DELAY_MS [FAST_AFTER]
 *
 * Return: 0 on success, 1 on errors, 2 on usage errors
 */
int main(int argc, char **argv)
{
	unsigned long long done = 0, fast_after = ~0ULL;
	struct timespec ts;
	size_t chunk;
	long delay;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "Usage: %s CHUNK DELAY_MS [FAST_AFTER]\n",
			argv[0]);
		return 2;
	}
	chunk = strtoul(argv[1], NULL, 0);
	delay = strtol(argv[2], NULL, 0);
	if (argc == 4)
		fast_after = strtoull(argv[3], NULL, 0);
	if (!chunk || chunk > SLOW_CAT_BUF || delay < 0)
		return 2;
	ts.tv_sec = delay / 1000;
	ts.tv_nsec = (delay % 1000) * 1000000L;
	for (;;) {
		size_t want = done >= fast_after ? SLOW_CAT_BUF : chunk;
		ssize_t n = read(STDIN_FILENO, slow_cat_buf, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return 1;
		if (!n)
			return 0;
		if (io_write_all(STDOUT_FILENO, slow_cat_buf, (size_t)n))
			return 1;
		done += (unsigned long long)n;
		if (done < fast_after)
			nanosleep(&ts, NULL);
	}
}
