// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - Logging to syslog, standard error or a file, with rate limits
 *
 * Messages go to standard error while the process runs in the foreground
 * (or with -e), to a file with -l, and to syslog otherwise. A daemon that
 * logs to syslog connects to /dev/log at set-up (log_syslog_connect()),
 * before the filesystem goes away: where no daemon listens there, the C
 * library tries again at each message, fails, and drops it silently.
 *
 * Standard error may be a pipe nobody reads any longer (a launcher that
 * closed its end): SIGPIPE is ignored (passt.c), and once a write fails
 * with EPIPE, standard error is given up for syslog. A log file, if any,
 * is written all the same.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/**
 * struct log_state - Where and what to log; set up before the main loop
 * @level:	Highest priority value printed (LOG_ERR..LOG_TRACE)
 * @to_stderr:	Print to standard error
 * @stderr_gone:	Standard error refused a write (EPIPE): use syslog
 * @file_fd:	Log file descriptor, -1 if none
 * @ident:	Program name used as prefix
 */
static struct log_state {
	int level;
	bool to_stderr;
	bool stderr_gone;
	int file_fd;
	const char *ident;
} log_st = { LOG_INFO, true, false, -1, "passt" };

/**
 * log_init() - Set program name, destination and level
 * @ident:	Program name
 * @to_stderr:	Log to standard error instead of syslog
 * @level:	Highest priority printed
 */
void log_init(const char *ident, bool to_stderr, int level)
{
	log_st.ident = ident;
	log_st.to_stderr = to_stderr;
	log_st.level = level;
	openlog(ident, LOG_PID, LOG_DAEMON);
	/* syslog() stamps messages with the local time: load the zone now,
	 * the loop's seccomp filter refuses the C library opening files
	 */
	tzset();
}

/**
 * log_set_level() - Change the highest priority printed
 * @level:	LOG_ERR..LOG_TRACE
 */
void log_set_level(int level)
{
	log_st.level = level;
}

/**
 * log_set_stderr() - Choose standard error or syslog
 * @to_stderr:	true for standard error
 */
void log_set_stderr(bool to_stderr)
{
	log_st.to_stderr = to_stderr;
}

/**
 * log_open_file() - Log to a file from now on (set-up only)
 * @path:	File path, created or appended to
 */
void log_open_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0)
		die_perror("Can't open log file %s", path);
	log_st.file_fd = fd;
}

/**
 * log_syslog_connect() - Connect to syslog now, while /dev/log is reachable
 */
void log_syslog_connect(void)
{
	openlog(log_st.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/**
 * log_enabled() - Would a message of this priority be printed?
 * @pri:	Priority
 *
 * Return: true if printed
 */
bool log_enabled(int pri)
{
	return pri <= log_st.level;
}

/**
 * log_write() - Format and emit one line
 * @pri:	Priority
 * @errnum:	errno value to append, 0 for none
 * @fmt:	Format string
 * @ap:		Arguments
 *
 * With syslog, the C library reads the clock (vDSO, or a system call),
 * asks for the PID (LOG_PID), sends one datagram, and on failure reconnects:
 * #syscalls write clock_gettime getpid sendto socket connect close
 */
static void log_write(int pri, int errnum, const char *fmt, va_list ap)
{
	char buf[1024];
	int n, m;

	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	if (errnum) {
		m = snprintf(buf + n, sizeof(buf) - 1 - n, ": %s",
			     strerror(errnum));
		if (m > 0)
			n = (n + m > (int)sizeof(buf) - 2) ?
			    (int)sizeof(buf) - 2 : n + m;
	}
	buf[n++] = '\n';
	buf[n] = '\0';

	if (log_st.file_fd >= 0) {
		if (write(log_st.file_fd, buf, n) < 0)
			return;
	} else if (log_st.to_stderr && !log_st.stderr_gone) {
		if (write(STDERR_FILENO, buf, n) < 0 && errno == EPIPE)
			log_st.stderr_gone = true;
	} else {
		syslog(pri > LOG_DEBUG ? LOG_DEBUG : pri, "%s", buf);
	}
}

/**
 * logmsg() - Log a message if its priority is enabled
 * @pri:	Priority
 * @with_errno:	Append strerror(errno)
 * @fmt:	Format string
 */
void logmsg(int pri, bool with_errno, const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	if (!log_enabled(pri))
		return;
	va_start(ap, fmt);
	log_write(pri, with_errno ? errnum : 0, fmt, ap);
	va_end(ap);
	errno = errnum;
}

/**
 * die_do() - Print an error and exit: set-up errors only
 * @with_errno:	Append strerror(errno)
 * @fmt:	Format string
 *
 * #syscalls exit_group
 */
void die_do(bool with_errno, const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	if (!log_st.to_stderr && log_st.file_fd < 0) {
		va_list aq;

		va_copy(aq, ap);
		log_st.to_stderr = true;
		log_write(LOG_ERR, with_errno ? errnum : 0, fmt, aq);
		log_st.to_stderr = false;
		va_end(aq);
	}
	log_write(LOG_ERR, with_errno ? errnum : 0, fmt, ap);
	va_end(ap);
	_exit(EXIT_FAILURE);
}

/**
 * log_rl_check() - Account one message against a call site's rate limit
 * @rl:		Call site state
 *
 * Return: true if the message may be printed
 *
 * #syscalls clock_gettime
 */
bool log_rl_check(struct log_rl *rl)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - rl->last >= LOG_RATELIMIT_INTERVAL) {
		if (rl->suppressed)
			logmsg(LOG_WARNING, false, "(suppressed %u messages)",
			       rl->suppressed);
		rl->last = now.tv_sec;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	if (rl->printed < LOG_RATELIMIT_BURST) {
		rl->printed++;
		return true;
	}
	rl->suppressed++;
	return false;
}
