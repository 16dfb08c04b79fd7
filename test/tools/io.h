/* SPDX-License-Identifier: GPL-2.0-or-later */
/* io.h - Helpers shared by the test tools: whole writes */

#ifndef TOOLS_IO_H
#define TOOLS_IO_H

#include <errno.h>
#include <stddef.h>
#include <unistd.h>

/**
 * io_write_all() - Write a whole buffer to a blocking descriptor
 * @fd:		Descriptor
 * @buf:	Data
 * @len:	Length, bytes
 *
 * Return: 0 on success, -1 on errors (or if the descriptor took nothing)
 */
static inline int io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

#endif /* TOOLS_IO_H */
