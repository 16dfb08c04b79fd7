// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/common/shim.c - Host side for fuzz targets, at the syscall
 * boundary
 *
 * Linked with -Wl,--wrap=NAME for each call below (test/fuzz/build.sh), so
 * that the daemon's own code runs unchanged while its sockets, timers, epoll
 * instance and tap talk to this file instead of the kernel:
 *
 * - socket() and timerfd_create() hand out fake descriptors, SHIM_FD_BASE
 *   and up: nothing ever reaches a network, and a fake descriptor given to a
 *   call that isn't wrapped fails with EBADF in the kernel
 * - TCP: connect() succeeds, is pending (EINPROGRESS, completed later by
 *   shim_connect_done()) or fails, as shim_host says; sends take up to the
 *   free space of a send buffer of shim_host.sndbuf bytes (SO_MEMINFO tells
 *   the daemon how full it is) and shim_drain() empties it; recv() and
 *   recvmsg() return bytes given by shim_feed(), with MSG_PEEK, SO_PEEK_OFF
 *   and MSG_TRUNC as the kernel has them; then EOF after shim_eof()
 * - UDP and ping sockets: one datagram per shim_feed(), its source chosen by
 *   the fuzz input; shim_error() queues an ICMP error quoting the last
 *   datagram sent (MSG_ERRQUEUE) and sets SO_ERROR
 * - the tap: passt's stream returns shim_tap_feed() bytes as they come, the
 *   pasta tap one record per read(); writes are checked (every byte read,
 *   passt's framing followed across partial writes) and dropped
 * - epoll_ctl() records registrations, read by the driver (shim_ep_get())
 * - clock_gettime(CLOCK_MONOTONIC) runs ahead of the real clock by however
 *   far shim_timer_fire() had to move it to reach an absolute timer's
 *   expiry (the TCP connections' shared timerfd keeps deadlines in that
 *   clock)
 *
 * Calls on any other descriptor go to the real system call (__real_NAME).
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <linux/errqueue.h>
#include <linux/sock_diag.h>

#include "shim.h"

#define SHIM_RX		16384	/* receive buffer of one fake socket */
#define SHIM_QUOTE	576	/* bytes of the last datagram kept */
#define SHIM_DGRAM_HDR	3	/* datagram record: length (2), source (1) */
#define SHIM_FRAME_MAX	(65535 + 4)	/* largest frame to the guest */

/**
 * struct shim_fd - State of one fake descriptor
 * @kind:	enum shim_kind
 * @af:		Address family of a socket
 * @stream:	Tap: passt's stream (else pasta's tap, one frame per read)
 * @ep:		Registered with epoll
 * @ep_events:	Events asked for
 * @ep_data:	epoll data (the daemon's reference)
 * @connected:	TCP: connect() completed; UDP: connect() done
 * @pending:	TCP: connect() in progress
 * @eof:	Peer closed: reads return 0 once @rx is empty
 * @listening:	TCP: listen() done
 * @backlog:	TCP: connections waiting for accept()
 * @shut_wr:	shutdown(SHUT_WR) done
 * @armed:	Timer armed
 * @expired:	Timer expired, not read yet
 * @so_error:	Pending SO_ERROR
 * @peek_off:	SO_PEEK_OFF, -1 if off
 * @queued:	TCP: bytes in the send buffer
 * @sndbuf:	TCP: SO_SNDBUF
 * @peer:	Address connected to
 * @peer_len:	Length of @peer, 0 if none
 * @quote:	Last datagram sent (UDP), for error queue entries
 * @quote_len:	Bytes in @quote
 * @eq:		An error is queued (MSG_ERRQUEUE)
 * @eq_err:	Queued error: type, code, info
 * @tap_left:	passt tap output: bytes of the current frame still to come
 * @tap_hdr:	passt tap output: length field being read
 * @tap_have:	Bytes of @tap_hdr read
 * @rx_len:	Bytes in @rx
 * @rx:		Receive buffer: stream bytes, or datagram records
 */
struct shim_fd {
	enum shim_kind kind;
	int af;
	bool stream;
	bool ep;
	uint32_t ep_events;
	uint64_t ep_data;
	bool connected;
	bool pending;
	bool eof;
	bool listening;
	unsigned backlog;
	bool shut_wr;
	bool armed;
	bool expired;
	uint64_t at;
	int so_error;
	int peek_off;
	uint32_t queued;
	uint32_t sndbuf;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	uint8_t quote[SHIM_QUOTE];
	size_t quote_len;
	bool eq;
	uint8_t eq_err[3];
	size_t tap_left;
	uint8_t tap_hdr[4];
	size_t tap_have;
	size_t rx_len;
	uint8_t rx[SHIM_RX];
};

static struct shim_fd shim_fds[SHIM_FDS];
static size_t shim_hi;	/* slots below this may be in use */

/* Frame being written to the tap, for shim_host.tap_out */
static uint8_t shim_out[SHIM_FRAME_MAX];
static size_t shim_out_len;
struct shim_host shim_host = { .sndbuf = 16384 };

/* Nanoseconds CLOCK_MONOTONIC is moved ahead, see shim_timer_fire() */
static uint64_t shim_clock_skew;

/* Every byte handed to a fake socket or the tap is read into this */
static volatile uint8_t shim_sink;

int __real_close(int fd);
int __real_connect(int fd, const struct sockaddr *sa, socklen_t sl);
int __real_bind(int fd, const struct sockaddr *sa, socklen_t sl);
int __real_setsockopt(int fd, int level, int name, const void *v,
		      socklen_t sl);
int __real_getsockopt(int fd, int level, int name, void *v, socklen_t *sl);
ssize_t __real_send(int fd, const void *b, size_t len, int flags);
ssize_t __real_sendto(int fd, const void *b, size_t len, int flags,
		      const struct sockaddr *sa, socklen_t sl);
ssize_t __real_sendmsg(int fd, const struct msghdr *mh, int flags);
int __real_sendmmsg(int fd, struct mmsghdr *mm, unsigned n, int flags);
ssize_t __real_recv(int fd, void *b, size_t len, int flags);
ssize_t __real_recvfrom(int fd, void *b, size_t len, int flags,
			struct sockaddr *sa, socklen_t *sl);
ssize_t __real_recvmsg(int fd, struct msghdr *mh, int flags);
int __real_recvmmsg(int fd, struct mmsghdr *mm, unsigned n, int flags,
		    struct timespec *t);
ssize_t __real_read(int fd, void *b, size_t len);
ssize_t __real_writev(int fd, const struct iovec *iov, int cnt);
int __real_shutdown(int fd, int how);
int __real_timerfd_create(int clockid, int flags);
int __real_timerfd_settime(int fd, int flags, const struct itimerspec *n,
			   struct itimerspec *o);
int __real_clock_gettime(clockid_t id, struct timespec *ts);
int __real_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);
int __real_fcntl(int fd, int cmd, ...);
int __real_poll(struct pollfd *fds, nfds_t n, int timeout);
int __real_accept4(int fd, struct sockaddr *sa, socklen_t *sl, int flags);
int __real_listen(int fd, int backlog);

/**
 * shim_get() - Fake descriptor state, if @fd is one
 * @fd:		Descriptor
 *
 * Return: state, NULL for a real descriptor
 */
static struct shim_fd *shim_get(int fd)
{
	struct shim_fd *f;

	if (fd < SHIM_FD_BASE || fd >= SHIM_FD_BASE + SHIM_FDS)
		return NULL;
	f = &shim_fds[fd - SHIM_FD_BASE];
	return f->kind == SHIM_FREE ? NULL : f;
}

/**
 * shim_fail() - Return -1 with errno set
 * @err:	Error
 *
 * Return: -1
 */
static int shim_fail(int err)
{
	errno = err;
	return -1;
}

/**
 * shim_fd_new() - Take a fake descriptor
 * @kind:	What it stands for
 * @af:		Address family (sockets)
 * @stream:	Tap: passt's stream
 *
 * Return: descriptor, -1 with EMFILE if none is left
 */
int shim_fd_new(enum shim_kind kind, int af, bool stream)
{
	size_t i;

	for (i = 0; i < SHIM_FDS; i++) {
		struct shim_fd *f = &shim_fds[i];

		if (f->kind != SHIM_FREE)
			continue;
		memset(f, 0, offsetof(struct shim_fd, rx));
		f->kind = kind;
		f->af = af;
		f->stream = stream;
		f->peek_off = -1;
		f->sndbuf = shim_host.sndbuf;
		if (i >= shim_hi)
			shim_hi = i + 1;
		return SHIM_FD_BASE + (int)i;
	}
	return shim_fail(EMFILE);
}

/**
 * shim_fd_kind() - Kind of a descriptor
 * @fd:		Descriptor
 *
 * Return: its kind, SHIM_FREE if it isn't a live fake one
 */
enum shim_kind shim_fd_kind(int fd)
{
	struct shim_fd *f = shim_get(fd);

	return f ? f->kind : SHIM_FREE;
}

/**
 * shim_fd_nth() - The n-th live fake descriptor (modulo their number) of
 *		   some kinds, registered with epoll
 * @n:		Index
 * @kinds:	Bit mask of (1 << enum shim_kind)
 *
 * Return: descriptor, -1 if there is none
 */
int shim_fd_nth(size_t n, unsigned kinds)
{
	size_t i, cnt = 0;

	for (i = 0; i < shim_hi; i++) {
		if ((kinds & (1U << shim_fds[i].kind)) && shim_fds[i].ep)
			cnt++;
	}
	if (!cnt)
		return -1;
	n %= cnt;
	for (i = 0; i < shim_hi; i++) {
		if ((kinds & (1U << shim_fds[i].kind)) && shim_fds[i].ep &&
		    !n--)
			return SHIM_FD_BASE + (int)i;
	}
	return -1;
}

/**
 * shim_live() - Count live fake descriptors of some kinds
 * @kinds:	Bit mask of (1 << enum shim_kind)
 *
 * Return: count
 */
size_t shim_live(unsigned kinds)
{
	size_t i, cnt = 0;

	for (i = 0; i < shim_hi; i++)
		cnt += !!(kinds & (1U << shim_fds[i].kind));
	return cnt;
}

/**
 * shim_ep_get() - epoll registration of a fake descriptor
 * @fd:		Descriptor
 * @events:	Events asked for (output)
 * @data:	Reference (output)
 *
 * Return: true if registered
 */
bool shim_ep_get(int fd, uint32_t *events, uint64_t *data)
{
	struct shim_fd *f = shim_get(fd);

	if (!f || !f->ep)
		return false;
	*events = f->ep_events;
	*data = f->ep_data;
	return true;
}

/**
 * shim_rx_add() - Append bytes to a receive buffer, as many as fit
 * @f:		Fake descriptor
 * @b:		Bytes
 * @len:	Length
 *
 * Return: bytes appended
 */
static size_t shim_rx_add(struct shim_fd *f, const void *b, size_t len)
{
	len = len < SHIM_RX - f->rx_len ? len : SHIM_RX - f->rx_len;
	memcpy(f->rx + f->rx_len, b, len);
	f->rx_len += len;
	return len;
}

/**
 * shim_feed() - Data from the host peer: stream bytes or one datagram
 * @fd:		Fake socket
 * @b:		Data
 * @len:	Length
 * @src:	Datagram source: 0 the peer, else another address or port
 */
void shim_feed(int fd, const void *b, size_t len, uint8_t src)
{
	struct shim_fd *f = shim_get(fd);
	uint8_t h[SHIM_DGRAM_HDR] = { (uint8_t)(len >> 8), (uint8_t)len, src };

	if (!f || f->eof)
		return;
	if (f->kind == SHIM_TCP) {
		shim_rx_add(f, b, len);
		return;
	}
	if (len > 0xffff || SHIM_RX - f->rx_len < sizeof(h) + len)
		return;
	shim_rx_add(f, h, sizeof(h));
	shim_rx_add(f, b, len);
}

/**
 * shim_tap_feed() - Bytes from the guest: stream data, or one tap frame
 * @fd:		Fake tap
 * @b:		Data
 * @len:	Length
 */
void shim_tap_feed(int fd, const void *b, size_t len)
{
	struct shim_fd *f = shim_get(fd);
	uint8_t h[2] = { (uint8_t)(len >> 8), (uint8_t)len };

	if (!f)
		return;
	if (f->stream) {
		shim_rx_add(f, b, len);
		return;
	}
	if (len > 0xffff || SHIM_RX - f->rx_len < sizeof(h) + len)
		return;
	shim_rx_add(f, h, sizeof(h));
	shim_rx_add(f, b, len);
}

/**
 * shim_eof() - The host peer closes its side
 * @fd:		Fake socket
 */
void shim_eof(int fd)
{
	struct shim_fd *f = shim_get(fd);

	if (f)
		f->eof = true;
}

/**
 * shim_peer_connect() - A host peer connects to a listening TCP socket
 * @fd:		Fake socket
 */
void shim_peer_connect(int fd)
{
	struct shim_fd *f = shim_get(fd);

	if (f && f->listening)
		f->backlog++;
}

/**
 * shim_error() - An error on a socket: SO_ERROR, and for UDP an ICMP error
 *		  quoting the last datagram sent
 * @fd:		Fake socket
 * @err:	Selector: errno and ICMP type, code, information from it
 */
void shim_error(int fd, int err)
{
	static const int errs[] = { ECONNREFUSED, ECONNRESET, EHOSTUNREACH,
				    ENETUNREACH, ETIMEDOUT, EMSGSIZE, EPIPE };
	struct shim_fd *f = shim_get(fd);

	if (!f)
		return;
	f->so_error = errs[(unsigned)err % (sizeof(errs) / sizeof(errs[0]))];
	if (f->kind == SHIM_UDP && f->quote_len) {
		f->eq = true;
		f->eq_err[0] = (uint8_t)(err >> 8);
		f->eq_err[1] = (uint8_t)(err >> 4);
		f->eq_err[2] = (uint8_t)err;
	}
}

/**
 * shim_drain() - The host peer reads everything sent to it
 * @fd:		Fake socket
 */
void shim_drain(int fd)
{
	struct shim_fd *f = shim_get(fd);

	if (f)
		f->queued = 0;
}

/**
 * shim_connect_done() - A pending connect() completes
 * @fd:		Fake TCP socket
 * @err:	0 for success, else the error it ends with
 *
 * Return: true if a connect() was pending
 */
bool shim_connect_done(int fd, int err)
{
	struct shim_fd *f = shim_get(fd);

	if (!f || !f->pending)
		return false;
	f->pending = false;
	f->connected = !err;
	f->so_error = err;
	return true;
}

/**
 * shim_timer_fire() - An armed timer expires
 * @fd:		Fake timerfd
 *
 * Return: true if it was armed
 */
bool shim_timer_fire(int fd)
{
	struct shim_fd *f = shim_get(fd);
	struct timespec ts;
	uint64_t now;

	if (!f || !f->armed)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	if (f->at > now)
		shim_clock_skew += f->at - now;
	f->armed = false;
	f->expired = true;
	return true;
}

/**
 * shim_reset() - Free every fake descriptor
 */
void shim_reset(void)
{
	size_t i;

	for (i = 0; i < shim_hi; i++)
		shim_fds[i].kind = SHIM_FREE;
	shim_hi = 0;
}

/**
 * shim_touch() - Read every byte the daemon hands over (ASan checks them)
 * @b:		Bytes
 * @len:	Length
 */
static void shim_touch(const void *b, size_t len)
{
	const uint8_t *p = b;
	uint8_t x = 0;
	size_t i;

	for (i = 0; i < len; i++)
		x ^= p[i];
	shim_sink = x;
}

/**
 * shim_tap_frames() - Check passt's stream framing across writes
 * @f:		Fake tap (stream)
 * @b:		Bytes written
 * @len:	Length
 *
 * A length of 0 or over 65535 + 4 bytes breaks the framing: abort.
 */
static void shim_tap_frames(struct shim_fd *f, const uint8_t *b, size_t len)
{
	uint8_t *hdr = f->tap_hdr;

	while (len) {
		size_t n;

		if (f->tap_left) {
			n = len < f->tap_left ? len : f->tap_left;
			memcpy(shim_out + shim_out_len, b, n);
			shim_out_len += n;
			f->tap_left -= n;
			if (!f->tap_left && shim_host.tap_out)
				shim_host.tap_out(shim_out, shim_out_len);
			b += n;
			len -= n;
			continue;
		}
		hdr[f->tap_have++] = *b++;
		len--;
		if (f->tap_have < 4)
			continue;
		f->tap_have = 0;
		f->tap_left = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 |
			      (size_t)hdr[2] << 8 | hdr[3];
		if (f->tap_left < 14 || f->tap_left > 65535 + 4) {
			fprintf(stderr, "shim: bad frame length %zu to qemu\n",
				f->tap_left);
			abort();
		}
		shim_out_len = 0;
	}
}

/**
 * shim_iov_take() - Take bytes from an iovec array, as a socket would
 * @f:		Fake descriptor
 * @iov:	Array
 * @cnt:	Entries
 * @max:	Bytes taken at most
 *
 * Return: bytes taken
 */
static size_t shim_iov_take(struct shim_fd *f, const struct iovec *iov,
			    size_t cnt, size_t max)
{
	size_t i, done = 0;

	for (i = 0; i < cnt && done < max; i++) {
		size_t n = iov[i].iov_len;

		if (n > max - done)
			n = max - done;
		shim_touch(iov[i].iov_base, n);
		if (f->kind == SHIM_TAP && f->stream)
			shim_tap_frames(f, iov[i].iov_base, n);
		if (f->kind == SHIM_UDP && done < SHIM_QUOTE) {
			size_t q = n < SHIM_QUOTE - done ? n : SHIM_QUOTE - done;

			memcpy(f->quote + done, iov[i].iov_base, q);
			f->quote_len = done + q;
		}
		done += n;
	}
	return done;
}

/**
 * shim_iov_len() - Total length of an iovec array
 * @iov:	Array
 * @cnt:	Entries
 *
 * Return: bytes
 */
static size_t shim_iov_len(const struct iovec *iov, size_t cnt)
{
	size_t i, len = 0;

	for (i = 0; i < cnt; i++)
		len += iov[i].iov_len;
	return len;
}

/**
 * shim_tap_frame() - A frame written to pasta's tap: pass it to tap_out
 * @iov:	Buffers: virtio-net header (shim_host.tap_vnet bytes), frame
 * @cnt:	Entries in @iov
 * @len:	Total length, bytes
 */
static void shim_tap_frame(const struct iovec *iov, size_t cnt, size_t len)
{
	size_t i, done = 0;

	if (len > SHIM_FRAME_MAX || len < shim_host.tap_vnet + 14) {
		fprintf(stderr, "shim: bad frame length %zu to the tap\n", len);
		abort();
	}
	for (i = 0; i < cnt; i++) {
		memcpy(shim_out + done, iov[i].iov_base, iov[i].iov_len);
		done += iov[i].iov_len;
	}
	if (shim_host.tap_out)
		shim_host.tap_out(shim_out + shim_host.tap_vnet,
				  len - shim_host.tap_vnet);
}

/**
 * shim_send() - Data from the daemon to a fake descriptor
 * @f:		Fake descriptor
 * @iov:	Data
 * @cnt:	Entries in @iov
 *
 * Return: bytes taken, or -1 with errno set
 */
static ssize_t shim_send(struct shim_fd *f, const struct iovec *iov,
			 size_t cnt)
{
	size_t len = shim_iov_len(iov, cnt), max = len;

	switch (f->kind) {
	case SHIM_TCP:
		if (f->so_error)
			return shim_fail(f->so_error);
		if (!f->connected || f->shut_wr)
			return shim_fail(EPIPE);
		if (f->queued >= f->sndbuf)
			return shim_fail(EAGAIN);
		max = f->sndbuf - f->queued;
		max = len < max ? len : max;
		f->queued += (uint32_t)max;
		break;
	case SHIM_UDP:
	case SHIM_PING:
		if (shim_host.send_err)
			return shim_fail(shim_host.send_err);
		f->quote_len = 0;
		break;
	case SHIM_TAP:
		if (f->stream && shim_host.tap_space && shim_host.tap_space < len)
			max = shim_host.tap_space;
		if (!f->stream)
			shim_tap_frame(iov, cnt, len);
		break;
	default:
		break;
	}
	return (ssize_t)shim_iov_take(f, iov, cnt, max);
}

/**
 * shim_src() - Source address of a datagram
 * @f:		Fake socket
 * @src:	Selector: 0 the connected peer, else another port or address
 * @ss:		Address (output)
 *
 * Return: its length
 */
static socklen_t shim_src(const struct shim_fd *f, uint8_t src,
			  struct sockaddr_storage *ss)
{
	static const char *const a4[] = { "192.0.2.254", "198.51.100.7",
					   "127.0.0.1", "203.0.113.9" };
	static const char *const a6[] = { "2001:db8::fe", "2001:db8:1::7",
					  "::1", "fe80::9" };

	if (!(src & 3) && f->peer_len) {
		memcpy(ss, &f->peer, f->peer_len);
		return f->peer_len;
	}
	memset(ss, 0, sizeof(*ss));
	if (f->af == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)(53 + (src >> 2)));
		inet_pton(AF_INET6, a6[src & 3], &s6->sin6_addr);
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)(53 + (src >> 2)));
		inet_pton(AF_INET, a4[src & 3], &s4->sin_addr);
		return sizeof(*s4);
	}
}

/**
 * shim_copy_out() - Copy bytes into an iovec array
 * @iov:	Array
 * @cnt:	Entries
 * @b:		Bytes
 * @len:	Length
 *
 * Return: bytes copied
 */
static size_t shim_copy_out(const struct iovec *iov, size_t cnt,
			    const uint8_t *b, size_t len)
{
	size_t i, done = 0;

	for (i = 0; i < cnt && done < len; i++) {
		size_t n = iov[i].iov_len < len - done ? iov[i].iov_len :
							 len - done;

		if (iov[i].iov_base)
			memcpy(iov[i].iov_base, b + done, n);
		done += n;
	}
	return done;
}

/**
 * shim_rx_drop() - Drop bytes from the start of a receive buffer
 * @f:		Fake descriptor
 * @len:	Bytes, at most f->rx_len
 */
static void shim_rx_drop(struct shim_fd *f, size_t len)
{
	memmove(f->rx, f->rx + len, f->rx_len - len);
	f->rx_len -= len;
}

/**
 * shim_recv_stream() - Read from a TCP socket or passt's stream
 * @f:		Fake descriptor
 * @iov:	Buffers (a NULL base with MSG_TRUNC: discard)
 * @cnt:	Entries in @iov
 * @flags:	MSG_PEEK, MSG_TRUNC
 *
 * Return: bytes, 0 at EOF, -1 with errno set
 */
static ssize_t shim_recv_stream(struct shim_fd *f, const struct iovec *iov,
				size_t cnt, int flags)
{
	size_t want = shim_iov_len(iov, cnt), off = 0, n;

	if (flags & MSG_ERRQUEUE)
		return shim_fail(EAGAIN);
	if ((flags & MSG_PEEK) && f->peek_off >= 0)
		off = (size_t)f->peek_off;
	if (off >= f->rx_len) {
		if (f->so_error) {
			int e = f->so_error;

			f->so_error = 0;
			return shim_fail(e);
		}
		return f->eof || (f->kind == SHIM_TAP && f->eof) ? 0 :
		       shim_fail(EAGAIN);
	}
	n = f->rx_len - off < want ? f->rx_len - off : want;
	if ((flags & (MSG_PEEK | MSG_TRUNC)) != MSG_TRUNC)
		n = shim_copy_out(iov, cnt, f->rx + off, n);
	if (flags & MSG_PEEK) {
		if (f->peek_off >= 0)
			f->peek_off += (int)n;
		return (ssize_t)n;
	}
	shim_rx_drop(f, n);
	if (f->peek_off >= 0)
		f->peek_off = f->peek_off > (int)n ? f->peek_off - (int)n : 0;
	return (ssize_t)n;
}

/**
 * shim_recv_errq() - Read the queued ICMP error of a UDP socket
 * @f:		Fake UDP socket
 * @mh:		Message header, control buffer for IP(V6)_RECVERR
 *
 * Return: bytes of the quoted datagram, -1 with EAGAIN if none is queued
 */
static ssize_t shim_recv_errq(struct shim_fd *f, struct msghdr *mh)
{
	size_t sl = f->af == AF_INET6 ? sizeof(struct sockaddr_in6) :
					sizeof(struct sockaddr_in);
	struct sockaddr_storage off;
	struct sock_extended_err ee;
	struct cmsghdr *cm;
	size_t n;

	if (!f->eq)
		return shim_fail(EAGAIN);
	f->eq = false;
	memset(&ee, 0, sizeof(ee));
	ee.ee_errno = (uint32_t)f->so_error;
	ee.ee_origin = f->af == AF_INET6 ? SO_EE_ORIGIN_ICMP6 :
					   SO_EE_ORIGIN_ICMP;
	ee.ee_type = f->eq_err[0];
	ee.ee_code = f->eq_err[1] & 0xf;
	ee.ee_info = (uint32_t)f->eq_err[2] * 8;
	shim_src(f, f->eq_err[1] >> 4, &off);
	if (mh->msg_controllen < CMSG_SPACE(sizeof(ee) + sl)) {
		mh->msg_flags |= MSG_CTRUNC;
		mh->msg_controllen = 0;
	} else {
		cm = CMSG_FIRSTHDR(mh);
		cm->cmsg_level = f->af == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
		cm->cmsg_type = f->af == AF_INET6 ? IPV6_RECVERR : IP_RECVERR;
		cm->cmsg_len = CMSG_LEN(sizeof(ee) + sl);
		memcpy(CMSG_DATA(cm), &ee, sizeof(ee));
		memcpy(CMSG_DATA(cm) + sizeof(ee), &off, sl);
		mh->msg_controllen = CMSG_SPACE(sizeof(ee) + sl);
	}
	n = shim_copy_out(mh->msg_iov, mh->msg_iovlen, f->quote, f->quote_len);
	if (n < f->quote_len)
		mh->msg_flags |= MSG_TRUNC;
	return (ssize_t)n;
}

/**
 * shim_recv_dgram() - Read one datagram (UDP, ping) or tap frame (pasta)
 * @f:		Fake descriptor
 * @mh:		Message header: buffers, name (may be NULL)
 * @flags:	MSG_PEEK, MSG_ERRQUEUE
 *
 * Return: bytes, -1 with errno set
 */
static ssize_t shim_recv_dgram(struct shim_fd *f, struct msghdr *mh,
			       int flags)
{
	size_t hl = f->kind == SHIM_TAP ? 2 : SHIM_DGRAM_HDR, len, n;

	if (flags & MSG_ERRQUEUE)
		return shim_recv_errq(f, mh);
	if (!f->rx_len) {
		if (f->so_error) {
			int e = f->so_error;

			f->so_error = 0;
			return shim_fail(e);
		}
		return shim_fail(EAGAIN);
	}
	len = (size_t)f->rx[0] << 8 | f->rx[1];
	n = shim_copy_out(mh->msg_iov, mh->msg_iovlen, f->rx + hl, len);
	mh->msg_flags = n < len ? MSG_TRUNC : 0;
	mh->msg_controllen = 0;
	if (mh->msg_name) {
		struct sockaddr_storage ss;
		socklen_t sl = shim_src(f, f->rx[2], &ss);

		if (sl > mh->msg_namelen)
			sl = mh->msg_namelen;
		memcpy(mh->msg_name, &ss, sl);
		mh->msg_namelen = sl;
	}
	if (!(flags & MSG_PEEK))
		shim_rx_drop(f, hl + len);
	return (ssize_t)n;
}

/**
 * shim_recv() - Read from a fake descriptor
 * @f:		Fake descriptor
 * @mh:		Message header
 * @flags:	Flags
 *
 * Return: bytes, 0 at EOF, -1 with errno set
 */
static ssize_t shim_recv(struct shim_fd *f, struct msghdr *mh, int flags)
{
	if (f->kind == SHIM_TCP || (f->kind == SHIM_TAP && f->stream))
		return shim_recv_stream(f, mh->msg_iov, mh->msg_iovlen, flags);
	if (f->kind == SHIM_UDP || f->kind == SHIM_PING || f->kind == SHIM_TAP)
		return shim_recv_dgram(f, mh, flags);
	return shim_fail(EAGAIN);
}

/**
 * __wrap_socket() - socket(): a fake socket, or shim_host.socket_err
 * @domain:	Address family
 * @type:	Type and flags
 * @protocol:	Protocol
 *
 * Return: fake descriptor, -1 with errno set
 */
int __wrap_socket(int domain, int type, int protocol)
{
	enum shim_kind k = SHIM_OTHER;

	if (shim_host.socket_err)
		return shim_fail(shim_host.socket_err);
	if (domain == AF_INET || domain == AF_INET6) {
		if ((type & 0xf) == SOCK_STREAM)
			k = SHIM_TCP;
		else if (protocol == IPPROTO_ICMP || protocol == IPPROTO_ICMPV6)
			k = SHIM_PING;
		else
			k = SHIM_UDP;
	}
	return shim_fd_new(k, domain, false);
}

/**
 * __wrap_close() - close()
 * @fd:		Descriptor
 *
 * Return: 0, or as close()
 */
int __wrap_close(int fd)
{
	struct shim_fd *f = shim_get(fd);

	if (!f)
		return fd >= SHIM_FD_BASE ? shim_fail(EBADF) : __real_close(fd);
	f->kind = SHIM_FREE;
	return 0;
}

/**
 * __wrap_connect() - connect(): TCP as shim_host.connect_err says
 * @fd:		Descriptor
 * @sa:		Address
 * @sl:		Its length
 *
 * Return: 0, or -1 with errno set
 */
int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t sl)
{
	struct shim_fd *f = shim_get(fd);

	if (!f)
		return __real_connect(fd, sa, sl);
	if (sl <= sizeof(f->peer)) {
		memcpy(&f->peer, sa, sl);
		f->peer_len = sl;
	}
	if (f->kind != SHIM_TCP) {
		f->connected = true;
		return 0;
	}
	if (f->connected || f->pending)
		return shim_fail(f->connected ? EISCONN : EALREADY);
	if (shim_host.connect_err == EINPROGRESS) {
		f->pending = true;
		return shim_fail(EINPROGRESS);
	}
	if (shim_host.connect_err)
		return shim_fail(shim_host.connect_err);
	f->connected = true;
	return 0;
}

/**
 * __wrap_bind() - bind(): shim_host.bind_err
 * @fd:		Descriptor
 * @sa:		Address
 * @sl:		Its length
 *
 * Return: 0, or -1 with errno set
 */
int __wrap_bind(int fd, const struct sockaddr *sa, socklen_t sl)
{
	if (!shim_get(fd))
		return __real_bind(fd, sa, sl);
	return shim_host.bind_err ? shim_fail(shim_host.bind_err) : 0;
}

/**
 * __wrap_setsockopt() - setsockopt(): SO_PEEK_OFF and SO_SNDBUF kept
 * @fd:		Descriptor
 * @level:	Level
 * @name:	Option
 * @v:		Value
 * @sl:		Its length
 *
 * Return: 0, or as setsockopt()
 */
int __wrap_setsockopt(int fd, int level, int name, const void *v,
		      socklen_t sl)
{
	struct shim_fd *f = shim_get(fd);
	int i = 0;

	if (!f)
		return __real_setsockopt(fd, level, name, v, sl);
	if (sl >= sizeof(int))
		memcpy(&i, v, sizeof(i));
	if (level == SOL_SOCKET && name == SO_PEEK_OFF) {
		if (shim_host.no_peek_off)
			return shim_fail(EINVAL);
		f->peek_off = i < 0 ? -1 : i;
	}
	else if (level == SOL_SOCKET && name == SO_SNDBUF && i > 0)
		f->sndbuf = (uint32_t)i * 2;
	return 0;
}

/**
 * __wrap_getsockopt() - getsockopt(): SO_ERROR, SO_SNDBUF, SO_MEMINFO
 * @fd:		Descriptor
 * @level:	Level
 * @name:	Option
 * @v:		Value (output)
 * @sl:		Its length (input/output)
 *
 * Return: 0, or as getsockopt()
 */
int __wrap_getsockopt(int fd, int level, int name, void *v, socklen_t *sl)
{
	struct shim_fd *f = shim_get(fd);
	uint32_t mi[SK_MEMINFO_VARS] = { 0 };
	int i = 0;

	if (!f)
		return __real_getsockopt(fd, level, name, v, sl);
	if (level == SOL_SOCKET && name == SO_MEMINFO) {
		mi[SK_MEMINFO_SNDBUF] = f->sndbuf;
		mi[SK_MEMINFO_WMEM_QUEUED] = f->queued;
		*sl = *sl < sizeof(mi) ? *sl : sizeof(mi);
		memcpy(v, mi, *sl);
		return 0;
	}
	if (level == SOL_SOCKET && name == SO_ERROR) {
		i = f->so_error;
		f->so_error = 0;
	} else if (level == SOL_SOCKET && name == SO_SNDBUF) {
		i = (int)f->sndbuf;
	}
	memset(v, 0, *sl);
	memcpy(v, &i, *sl < sizeof(i) ? *sl : sizeof(i));
	return 0;
}

/**
 * __wrap_send() - send()
 * @fd:		Descriptor
 * @b:		Data
 * @len:	Length
 * @flags:	Flags
 *
 * Return: bytes taken, or -1 with errno set
 */
ssize_t __wrap_send(int fd, const void *b, size_t len, int flags)
{
	struct iovec iov = { (void *)b, len };
	struct shim_fd *f = shim_get(fd);

	if (!f)
		return __real_send(fd, b, len, flags);
	return shim_send(f, &iov, 1);
}

/**
 * __wrap_sendto() - sendto()
 * @fd:		Descriptor
 * @b:		Data
 * @len:	Length
 * @flags:	Flags
 * @sa:		Destination
 * @sl:		Its length
 *
 * Return: bytes taken, or -1 with errno set
 */
ssize_t __wrap_sendto(int fd, const void *b, size_t len, int flags,
		      const struct sockaddr *sa, socklen_t sl)
{
	struct iovec iov = { (void *)b, len };
	struct shim_fd *f = shim_get(fd);

	if (!f)
		return __real_sendto(fd, b, len, flags, sa, sl);
	if (sa)
		shim_touch(sa, sl);
	return shim_send(f, &iov, 1);
}

/**
 * __wrap_sendmsg() - sendmsg()
 * @fd:		Descriptor
 * @mh:		Message
 * @flags:	Flags
 *
 * Return: bytes taken, or -1 with errno set
 */
ssize_t __wrap_sendmsg(int fd, const struct msghdr *mh, int flags)
{
	struct shim_fd *f = shim_get(fd);

	if (!f)
		return __real_sendmsg(fd, mh, flags);
	if (mh->msg_name)
		shim_touch(mh->msg_name, mh->msg_namelen);
	if (mh->msg_control)
		shim_touch(mh->msg_control, mh->msg_controllen);
	return shim_send(f, mh->msg_iov, mh->msg_iovlen);
}

/**
 * __wrap_sendmmsg() - sendmmsg()
 * @fd:		Descriptor
 * @mm:		Messages
 * @n:		Number of messages
 * @flags:	Flags
 *
 * Return: messages sent, or -1 with errno set
 */
int __wrap_sendmmsg(int fd, struct mmsghdr *mm, unsigned n, int flags)
{
	struct shim_fd *f = shim_get(fd);
	unsigned i;

	if (!f)
		return __real_sendmmsg(fd, mm, n, flags);
	for (i = 0; i < n; i++) {
		ssize_t r = __wrap_sendmsg(fd, &mm[i].msg_hdr, flags);

		if (r < 0)
			return i ? (int)i : -1;
		mm[i].msg_len = (unsigned)r;
	}
	return (int)n;
}

/**
 * __wrap_recvmsg() - recvmsg()
 * @fd:		Descriptor
 * @mh:		Message (input/output)
 * @flags:	Flags
 *
 * Return: bytes, 0 at EOF, -1 with errno set
 */
ssize_t __wrap_recvmsg(int fd, struct msghdr *mh, int flags)
{
	struct shim_fd *f = shim_get(fd);

	if (!f)
		return __real_recvmsg(fd, mh, flags);
	return shim_recv(f, mh, flags);
}

/**
 * __wrap_recv() - recv()
 * @fd:		Descriptor
 * @b:		Buffer, NULL with MSG_TRUNC to discard
 * @len:	Its size
 * @flags:	Flags
 *
 * Return: bytes, 0 at EOF, -1 with errno set
 */
ssize_t __wrap_recv(int fd, void *b, size_t len, int flags)
{
	struct iovec iov = { b, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct shim_fd *f = shim_get(fd);

	if (!f)
		return __real_recv(fd, b, len, flags);
	return shim_recv(f, &mh, flags);
}

/**
 * __wrap_recvfrom() - recvfrom()
 * @fd:		Descriptor
 * @b:		Buffer
 * @len:	Its size
 * @flags:	Flags
 * @sa:		Source (output), or NULL
 * @sl:		Its length (input/output)
 *
 * Return: bytes, 0 at EOF, -1 with errno set
 */
ssize_t __wrap_recvfrom(int fd, void *b, size_t len, int flags,
			struct sockaddr *sa, socklen_t *sl)
{
	struct iovec iov = { b, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_name = sa, .msg_namelen = sl ? *sl : 0 };
	struct shim_fd *f = shim_get(fd);
	ssize_t r;

	if (!f)
		return __real_recvfrom(fd, b, len, flags, sa, sl);
	r = shim_recv(f, &mh, flags);
	if (sl)
		*sl = mh.msg_namelen;
	return r;
}

/**
 * __wrap_recvmmsg() - recvmmsg()
 * @fd:		Descriptor
 * @mm:		Messages (input/output)
 * @n:		Number of messages
 * @flags:	Flags
 * @t:		Timeout (ignored for fake sockets)
 *
 * Return: messages received, -1 with errno set if none
 */
int __wrap_recvmmsg(int fd, struct mmsghdr *mm, unsigned n, int flags,
		    struct timespec *t)
{
	struct shim_fd *f = shim_get(fd);
	unsigned i;

	if (!f)
		return __real_recvmmsg(fd, mm, n, flags, t);
	for (i = 0; i < n; i++) {
		ssize_t r = shim_recv(f, &mm[i].msg_hdr, flags);

		if (r < 0)
			return i ? (int)i : -1;
		mm[i].msg_len = (unsigned)r;
	}
	return (int)n;
}

/**
 * __wrap_read() - read(): timers, pasta's tap, TCP sockets
 * @fd:		Descriptor
 * @b:		Buffer
 * @len:	Its size
 *
 * Return: bytes, 0 at EOF, -1 with errno set
 */
ssize_t __wrap_read(int fd, void *b, size_t len)
{
	struct iovec iov = { b, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct shim_fd *f = shim_get(fd);
	uint64_t one = 1;

	if (!f)
		return __real_read(fd, b, len);
	if (f->kind != SHIM_TIMER)
		return shim_recv(f, &mh, 0);
	if (!f->expired)
		return shim_fail(EAGAIN);
	if (len < sizeof(one))
		return shim_fail(EINVAL);
	f->expired = false;
	memcpy(b, &one, sizeof(one));
	return sizeof(one);
}

/**
 * __wrap_writev() - writev(): pasta's tap
 * @fd:		Descriptor
 * @iov:	Buffers
 * @cnt:	Entries
 *
 * Return: bytes taken, or -1 with errno set
 */
ssize_t __wrap_writev(int fd, const struct iovec *iov, int cnt)
{
	struct shim_fd *f = shim_get(fd);

	if (!f)
		return __real_writev(fd, iov, cnt);
	return shim_send(f, iov, (size_t)cnt);
}

/**
 * __wrap_shutdown() - shutdown()
 * @fd:		Descriptor
 * @how:	SHUT_RD, SHUT_WR or SHUT_RDWR
 *
 * Return: 0, or -1 with errno set
 */
int __wrap_shutdown(int fd, int how)
{
	struct shim_fd *f = shim_get(fd);

	if (!f)
		return __real_shutdown(fd, how);
	if (f->kind == SHIM_TCP && !f->connected)
		return shim_fail(ENOTCONN);
	if (how != SHUT_RD)
		f->shut_wr = true;
	return 0;
}

/**
 * __wrap_timerfd_create() - timerfd_create(): a fake timer
 * @clockid:	Clock (ignored)
 * @flags:	Flags (ignored)
 *
 * Return: fake descriptor, -1 with errno set
 */
int __wrap_timerfd_create(int clockid, int flags)
{
	(void)clockid;
	(void)flags;
	return shim_fd_new(SHIM_TIMER, 0, false);
}

/**
 * __wrap_timerfd_settime() - timerfd_settime(): arm or disarm
 * @fd:		Descriptor
 * @flags:	Flags
 * @n:		New setting
 * @o:		Old setting (output), or NULL
 *
 * Return: 0, or -1 with errno set
 */
int __wrap_timerfd_settime(int fd, int flags, const struct itimerspec *n,
			   struct itimerspec *o)
{
	struct shim_fd *f = shim_get(fd);

	if (!f)
		return __real_timerfd_settime(fd, flags, n, o);
	if (o)
		memset(o, 0, sizeof(*o));
	f->armed = n->it_value.tv_sec || n->it_value.tv_nsec;
	f->expired = false;
	f->at = 0;
	if (flags & TFD_TIMER_ABSTIME)
		f->at = (uint64_t)n->it_value.tv_sec * 1000000000ULL +
			(uint64_t)n->it_value.tv_nsec;
	return 0;
}

/**
 * __wrap_clock_gettime() - clock_gettime(): monotonic time moved ahead
 * @id:		Clock
 * @ts:		Time (output)
 *
 * Return: 0, or -1 with errno set
 */
int __wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
	uint64_t ns;

	if (__real_clock_gettime(id, ts))
		return -1;
	if (id != CLOCK_MONOTONIC)
		return 0;
	ns = (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec +
	     shim_clock_skew;
	ts->tv_sec = (time_t)(ns / 1000000000ULL);
	ts->tv_nsec = (long)(ns % 1000000000ULL);
	return 0;
}

/**
 * __wrap_epoll_ctl() - epoll_ctl(): registrations kept per fake descriptor
 * @epfd:	epoll instance
 * @op:		EPOLL_CTL_ADD, _MOD or _DEL
 * @fd:		Descriptor
 * @ev:		Events and reference
 *
 * Return: 0, or -1 with errno set
 */
int __wrap_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	struct shim_fd *f = shim_get(fd);

	if (!shim_get(epfd))
		return __real_epoll_ctl(epfd, op, fd, ev);
	if (!f)
		return shim_fail(EPERM);
	if ((op == EPOLL_CTL_ADD) == f->ep)
		return shim_fail(f->ep ? EEXIST : ENOENT);
	f->ep = op != EPOLL_CTL_DEL;
	if (f->ep) {
		f->ep_events = ev->events;
		f->ep_data = ev->data.u64;
	}
	return 0;
}

/**
 * __wrap_fcntl() - fcntl(): fake descriptors are non-blocking already
 * @fd:		Descriptor
 * @cmd:	Command
 *
 * Return: flags for F_GETFL, 0, or as fcntl()
 */
int __wrap_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	if (!shim_get(fd))
		return __real_fcntl(fd, cmd, arg);
	return cmd == F_GETFL ? O_RDWR | O_NONBLOCK : 0;
}

/**
 * __wrap_poll() - poll(): fake descriptors are always ready
 * @fds:	Descriptors
 * @n:		Number of them
 * @timeout:	Timeout, ms
 *
 * Return: ready descriptors, or as poll()
 */
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	nfds_t i;

	if (!n || !shim_get(fds[0].fd))
		return __real_poll(fds, n, timeout);
	for (i = 0; i < n; i++)
		fds[i].revents = (short)(fds[i].events & (POLLIN | POLLOUT));
	return (int)n;
}

/**
 * __wrap_accept4() - accept4(): no connection waits on fake sockets
 * @fd:		Descriptor
 * @sa:		Peer address (output)
 * @sl:		Its length (input/output)
 * @flags:	Flags
 *
 * Return: -1 with EAGAIN, or as accept4()
 */
int __wrap_accept4(int fd, struct sockaddr *sa, socklen_t *sl, int flags)
{
	struct shim_fd *f = shim_get(fd), *n;
	struct sockaddr_storage ss;
	socklen_t len;
	int s;

	if (!f)
		return __real_accept4(fd, sa, sl, flags);
	if (!f->listening || !f->backlog)
		return shim_fail(EAGAIN);
	s = shim_fd_new(SHIM_TCP, f->af, false);
	if (s < 0)
		return s;
	f->backlog--;
	n = shim_get(s);
	n->connected = true;
	len = shim_src(f, (uint8_t)(f->backlog + 1), &ss);
	memcpy(&n->peer, &ss, len);
	n->peer_len = len;
	if (sa && sl) {
		memcpy(sa, &ss, len < *sl ? len : *sl);
		*sl = len;
	}
	return s;
}

/**
 * __wrap_listen() - listen()
 * @fd:		Descriptor
 * @backlog:	Backlog
 *
 * Return: 0, or as listen()
 */
int __wrap_listen(int fd, int backlog)
{
	struct shim_fd *f = shim_get(fd);

	if (!f)
		return __real_listen(fd, backlog);
	f->listening = true;
	return 0;
}
