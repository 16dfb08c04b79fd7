/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h - Logging levels, rate limiting, set-up errors */

#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <syslog.h>
#include <time.h>

#define LOG_TRACE		(LOG_DEBUG + 1)

void logmsg(int pri, bool with_errno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void die_do(bool with_errno, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void log_init(const char *ident, bool to_stderr, int level);
void log_open_file(const char *path);
void log_syslog_connect(void);
void log_set_level(int level);
void log_set_stderr(bool to_stderr);
bool log_enabled(int pri);

#define err(...)		logmsg(LOG_ERR, false, __VA_ARGS__)
#define warn(...)		logmsg(LOG_WARNING, false, __VA_ARGS__)
#define info(...)		logmsg(LOG_INFO, false, __VA_ARGS__)
#define debug(...)		logmsg(LOG_DEBUG, false, __VA_ARGS__)
#define trace(...)		logmsg(LOG_TRACE, false, __VA_ARGS__)
#define err_perror(...)		logmsg(LOG_ERR, true, __VA_ARGS__)
#define warn_perror(...)	logmsg(LOG_WARNING, true, __VA_ARGS__)
#define debug_perror(...)	logmsg(LOG_DEBUG, true, __VA_ARGS__)
#define die(...)		die_do(false, __VA_ARGS__)
#define die_perror(...)		die_do(true, __VA_ARGS__)

/* Rate limit for data path messages: LOG_BURST per call site per interval */
#define LOG_RATELIMIT_INTERVAL	1	/* seconds */
#define LOG_RATELIMIT_BURST	5

/**
 * struct log_rl - State of one rate-limited call site
 * @last:	Start of the current interval, seconds (CLOCK_MONOTONIC)
 * @printed:	Messages printed in this interval
 * @suppressed:	Messages suppressed in this interval
 */
struct log_rl {
	time_t last;
	unsigned printed;
	unsigned suppressed;
};

bool log_rl_check(struct log_rl *rl);

/* Function-local static state is allowed here only (style rule 16) */
#define logmsg_ratelimit(pri, with_errno, ...)				\
	do {								\
		static struct log_rl rl_;				\
		if (log_enabled(pri) && log_rl_check(&rl_))		\
			logmsg(pri, with_errno, __VA_ARGS__);		\
	} while (0)

#define err_ratelimit(...)	logmsg_ratelimit(LOG_ERR, false, __VA_ARGS__)
#define warn_ratelimit(...)	logmsg_ratelimit(LOG_WARNING, false, __VA_ARGS__)
#define info_ratelimit(...)	logmsg_ratelimit(LOG_INFO, false, __VA_ARGS__)
#define debug_ratelimit(...)	logmsg_ratelimit(LOG_DEBUG, false, __VA_ARGS__)
#define warn_perror_ratelimit(...)					\
	logmsg_ratelimit(LOG_WARNING, true, __VA_ARGS__)

#endif /* LOG_H */
