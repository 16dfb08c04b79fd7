// SPDX-License-Identifier: GPL-2.0-or-later
/* pause_cat.c - Copy standard input to standard output, pausing now and then
 *
 * Usage: pause_cat EVERY PAUSE_MS
 *   Copies at full speed, but stops reading for PAUSE_MS milliseconds
 *   after every EVERY bytes. Placed behind a socket reader (socat ... |
 *   pause_cat), it makes a receiver that goes away for seconds at a time:
 *   the receive buffer fills, the TCP window closes, and once reading
 *   resumes the window must reopen and data flow again at once.
 *
 *   At the end of input it prints to standard error
 *	"bytes B pauses P longest-wait W ms, N waits over 200 ms,
 *	 longest K KiB after a resume"
 *   where W is the longest time a single read() blocked waiting for data
 *   (from the first byte on, the read that sees the end of input left out):
 *   a sender that only noticed the reopened window late shows up there,
 *   and K says where: a few hundred KiB (the buffers, drained) after the
 *   reader came back from a pause, or anywhere for a stall of another
 *   kind.
 *
 * Exit status 0 at end of input, 1 on errors, 2 on usage errors.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

#define PAUSE_CAT_BUF		(1 << 17)
#define PAUSE_CAT_LONG_MS	200	/* Waits longer than this are counted */

static char pause_cat_buf[PAUSE_CAT_BUF];

/**
 * pause_cat_ms() - Monotonic time
 *
 * Return: milliseconds
 */
static long long pause_cat_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	EVERY PAUSE_MS
 *
 * Return: 0 on success, 1 on errors, 2 on usage errors
 */
int main(int argc, char **argv)
{
	unsigned long long done = 0, every, next, pauses = 0, longs = 0;
	unsigned long long at = 0;
	long long longest = 0, t0, t;
	struct timespec ts;
	long pause;
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "Usage: %s EVERY PAUSE_MS\n", argv[0]);
		return 2;
	}
	every = strtoull(argv[1], NULL, 0);
	pause = strtol(argv[2], NULL, 0);
	if (!every || pause < 0)
		return 2;
	ts.tv_sec = pause / 1000;
	ts.tv_nsec = (pause % 1000) * 1000000L;
	next = every;
	for (;;) {
		size_t want = PAUSE_CAT_BUF;

		if (next - done < want)
			want = (size_t)(next - done);
		t0 = pause_cat_ms();
		n = read(STDIN_FILENO, pause_cat_buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return 1;
		if (n == 0)
			break;
		t = pause_cat_ms() - t0;
		if (done && t > longest) {
			longest = t;
			at = done - (next - every);
		}
		if (done && t > PAUSE_CAT_LONG_MS)
			longs++;
		if (io_write_all(STDOUT_FILENO, pause_cat_buf, (size_t)n))
			return 1;
		done += (unsigned long long)n;
		if (done == next) {
			next += every;
			pauses++;
			while (nanosleep(&ts, &ts) && errno == EINTR)
				;
			ts.tv_sec = pause / 1000;
			ts.tv_nsec = (pause % 1000) * 1000000L;
		}
	}
	fprintf(stderr, "bytes %llu pauses %llu longest-wait %lli ms, "
		"%llu waits over %i ms, longest %llu KiB after a resume\n",
		done, pauses, longest, longs, PAUSE_CAT_LONG_MS, at >> 10);
	return 0;
}
