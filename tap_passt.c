// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_passt.c - passt's back-end: qemu's UNIX stream socket
 *
 * qemu (-netdev stream) connects to a UNIX stream socket and frames each
 * Ethernet frame with a 4-byte big-endian length. Input: stream data is
 * read into tap_buf (tap_buf.c), split into frames, and a frame cut by the
 * end of a read is moved to the start of the buffer and completed by the
 * next read (state in c->tap_partial); a frame too long to hold is skipped
 * without losing the framing; frames are moved back into their own length
 * field when that aligns their IP header. Output: a batch of frames goes
 * out in one sendmsg(), and a frame cut by a partial write is completed
 * before anything else is sent, so that the stream stays framed: its rest
 * is kept (struct tap_passt_tail) rather than waited for, since qemu may be
 * descheduled for longer than any wait the daemon could afford. Frames not
 * taken are refused (the producers undo them), and EPOLLOUT, armed while
 * the socket is full, tells tap.c to resume them (tap_passt_writable()).
 *
 * With --vhost-user the same listening socket takes qemu's vhost-user
 * control connection instead, handed to vhost_user.c at accept time.
 *
 * One client at a time: a second connection is accepted and closed at once.
 * When the client leaves, TCP connections are reset and the next client is
 * served, or with --one-off the process exits.
 *
 * This file is below the protocols (test/lint, HOUSE_ORDER): it calls
 * neither them nor tap.c. tap.c's tap_handler_passt() drives the input,
 * tap_passt_read() then the pipeline then tap_passt_keep(), and resets TCP
 * when the client goes.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "log.h"
#include "packet.h"
#include "ctx.h"
#include "tap_out.h"
#include "tap_passt.h"
#include "tap_buf.h"
#include "tap_hdr.h"
#include "util.h"
#include "vhost_user.h"

#define TAP_SOCK_PROBE_MAX	64
#define TAP_SEND_BATCH		1024	/* iovecs per sendmsg(), <= IOV_MAX */
/* Rest of a cut frame, most: length header and the longest frame */
#define TAP_PASST_TAIL_MAX	(sizeof(struct tap_hdr) + TAP_FRAME_MAX)

/**
 * tap_iov_skip() - Find where a byte count leaves an iovec array
 * @iov:	Array
 * @cnt:	Entries in @iov
 * @skip:	Bytes consumed
 * @off:	Offset into the returned entry (output)
 *
 * Return: index of the first entry not wholly consumed, @cnt if none
 */
static size_t tap_iov_skip(const struct iovec *iov, size_t cnt, size_t skip,
			   size_t *off)
{
	size_t i;

	for (i = 0; i < cnt && skip >= iov[i].iov_len; i++)
		skip -= iov[i].iov_len;
	*off = skip;
	return i;
}

/**
 * struct tap_passt_tail - The rest of a frame cut by a partial write
 * @buf:	Bytes of the frame not yet written, from @off
 * @off:	Bytes of @buf written since
 * @len:	Bytes held, 0 if no frame is cut
 *
 * The stream carries no framing of its own: once part of a frame is
 * written, the rest must follow before anything else, however long qemu
 * takes to read. It waits here, not in a blocking loop; nothing else is
 * sent until it is out (tap_passt_flush()), and EPOLLOUT on the socket
 * sends it and resumes the producers held back meanwhile.
 */
static struct tap_passt_tail {
	char buf[TAP_PASST_TAIL_MAX];
	size_t off;
	size_t len;
} tap_passt_tail;

/**
 * tap_passt_events() - Ask for EPOLLOUT on qemu's socket, or stop asking
 * @c:		Execution context
 * @out:	Wait for room to write too
 */
static void tap_passt_events(const struct ctx *c, bool out)
{
	uint32_t events = EPOLLIN | EPOLLRDHUP | (out ? EPOLLOUT : 0);

	epoll_mod(c, c->fd_tap, events,
		  epoll_ref_make(EPOLL_TYPE_TAP_PASST, c->fd_tap, 0));
}

/**
 * tap_passt_flush() - Write what is left of a cut frame, without waiting
 * @c:		Execution context
 *
 * Return: true if no cut frame is left, false if the socket is full again
 *	   (EPOLLOUT is then armed) or failed (the input path resets it)
 *
 * #syscalls:passt sendto
 */
static bool tap_passt_flush(const struct ctx *c)
{
	struct tap_passt_tail *t = &tap_passt_tail;

	while (t->off < t->len) {
		ssize_t n = send(c->fd_tap, t->buf + t->off, t->len - t->off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			tap_passt_events(c, true);
		if (n <= 0)
			return false;
		t->off += (size_t)n;
	}
	t->off = t->len = 0;
	return true;
}

/**
 * tap_passt_cut() - Keep the rest of a frame cut by a partial write
 * @c:		Execution context
 * @iov:	Remaining iovecs of the frame
 * @cnt:	Number of iovecs
 * @off:	Bytes of iov[0] already sent
 *
 * The frame counts as sent: its bytes are committed to the stream.
 */
static void tap_passt_cut(const struct ctx *c, const struct iovec *iov,
			  size_t cnt, size_t off)
{
	struct tap_passt_tail *t = &tap_passt_tail;
	size_t i;

	t->off = t->len = 0;
	for (i = 0; i < cnt; i++, off = 0) {
		size_t left = iov[i].iov_len - off;

		/* Frames are never longer: TAP_PASST_TAIL_MAX */
		left = MIN(left, sizeof(t->buf) - t->len);
		memcpy(t->buf + t->len, (const char *)iov[i].iov_base + off,
		       left);
		t->len += left;
	}
	tap_passt_flush(c);
}

/**
 * tap_passt_writable() - qemu's socket has room again (EPOLLOUT)
 * @c:		Execution context
 *
 * Return: true if the cut frame is out: producers held back may go on
 */
bool tap_passt_writable(struct ctx *c)
{
	if (!tap_passt_flush(c))
		return false;
	tap_passt_events(c, false);
	return true;
}

/**
 * tap_send_passt() - Send frames to qemu's stream socket in batches
 * @c:		Execution context
 * @iov:	Frames, @bpf iovecs each, the first being the length header
 * @bpf:	Buffers per frame
 * @nframes:	Number of frames
 *
 * A frame cut by a partial write counts as sent, its rest is kept and
 * written first, before any other frame (tap_passt_cut()): the caller
 * undoes the frames not sent, and sends them again later.
 *
 * Return: frames sent whole, or cut and kept
 *
 * #syscalls:passt sendmsg
 */
size_t tap_send_passt(struct ctx *c, const struct iovec *iov,
			     size_t bpf, size_t nframes)
{
	size_t per_call = TAP_SEND_BATCH / bpf, done = 0;

	if (!tap_passt_flush(c))
		return 0;
	while (done < nframes) {
		size_t n = MIN(per_call, nframes - done), cnt = n * bpf;
		struct msghdr mh = { .msg_iov = (struct iovec *)iov + done * bpf,
				     .msg_iovlen = cnt };
		size_t idx, off, sent_frames;
		ssize_t sent;

		sent = sendmsg(c->fd_tap, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				tap_passt_events(c, true);
			break;
		}
		idx = tap_iov_skip(mh.msg_iov, cnt, (size_t)sent, &off);
		sent_frames = idx / bpf;
		if (idx < cnt && (idx % bpf || off)) {
			tap_passt_cut(c, mh.msg_iov + idx, bpf - idx % bpf,
				      off);
			return done + sent_frames + 1;
		}
		done += sent_frames;
		if (sent_frames < n)
			break;
	}
	return done;
}

/**
 * tap_sock_reset() - Drop the passt client, wait for the next one
 * @c:		Execution context
 *
 * The caller resets what the client had open (tcp_tap_reset()): this file
 * is below the protocols and doesn't call them.
 *
 * #syscalls:passt exit_group close
 */
void tap_sock_reset(struct ctx *c)
{
	info("Client connection closed%s", c->one_off ? ", exiting" : "");
	if (c->one_off)
		_exit(EXIT_SUCCESS);
	epoll_del(c, c->fd_tap);
	close(c->fd_tap);
	c->fd_tap = -1;
	c->tap_partial.len = 0;
	c->tap_partial.skip = 0;
	tap_passt_tail.off = tap_passt_tail.len = 0;
	pool_flush(&pool_l2);
}

/**
 * tap_passt_align() - Move a frame back so its IP header is 4-byte aligned
 * @off:	Offset of the frame in tap_buf, after its 4-byte length
 * @len:	Length of the frame, bytes
 *
 * The frame moves by at most 3 bytes into its own, already parsed, length
 * field: nothing unparsed is overwritten.
 *
 * Return: new start of the frame
 */
static char *tap_passt_align(size_t off, size_t len)
{
	size_t shift = (off - TAP_L2_PAD) % 4;

	if (shift)
		memmove(tap_buf + off - shift, tap_buf + off, len);
	return tap_buf + off - shift;
}

/**
 * tap_passt_parse() - Split stream data into frames, keep a cut one
 * @c:		Execution context
 * @avail:	Bytes of stream data at the start of tap_buf
 *
 * Return: bytes consumed; the rest is the start of a cut frame
 */
static size_t tap_passt_parse(struct ctx *c, size_t avail)
{
	size_t off = 0;

	if (c->tap_partial.skip) {
		off = MIN(c->tap_partial.skip, avail);
		c->tap_partial.skip -= off;
	}
	while (avail - off >= sizeof(uint32_t) && !pool_full(&pool_l2)) {
		__be32 be;
		size_t len;

		memcpy(&be, tap_buf + off, sizeof(be));
		len = be32_to_host(be);
		if (len > TAP_FRAME_MAX) {
			/* Can't hold it: skip it, keeping the stream framed */
			c->stats.tap_drop_long++;
			off += sizeof(be);
			c->tap_partial.skip = len - MIN(len, avail - off);
			off += MIN(len, avail - off);
			continue;
		}
		if (avail - off - sizeof(be) < len)
			break;
		tap_frame_add(c, tap_passt_align(off + sizeof(be), len), len);
		off += sizeof(be) + len;
	}
	return off;
}

/**
 * tap_passt_read() - Read stream data from qemu, split it into frames
 * @c:		Execution context
 * @used:	Bytes at the start of tap_buf split into frames (output)
 *
 * Frames go to pool_l2. The rest of the data, the start of a frame cut by
 * the end of the read, stays in tap_buf: once the pool has been run,
 * tap_passt_keep() moves it to the start of the buffer.
 *
 * Return: TAP_PASST_FRAMES if data was read (@used set), TAP_PASST_RETRY
 *	   if interrupted, TAP_PASST_AGAIN if nothing is left to read,
 *	   TAP_PASST_GONE if the client left (tap_sock_reset() done)
 *
 * #syscalls:passt recvfrom
 */
enum tap_passt_read tap_passt_read(struct ctx *c, size_t *used)
{
	size_t have = c->tap_partial.len;
	ssize_t n = recv(c->fd_tap, tap_buf + have, sizeof(tap_buf) - have,
			 MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		tap_sock_reset(c);
		return TAP_PASST_GONE;
	}
	if (n < 0)
		return errno == EINTR ? TAP_PASST_RETRY : TAP_PASST_AGAIN;
	*used = tap_passt_parse(c, have + (size_t)n);
	c->tap_partial.len = have + (size_t)n;
	return TAP_PASST_FRAMES;
}

/**
 * tap_passt_keep() - Move the start of a cut frame to the start of tap_buf
 * @c:		Execution context
 * @used:	Bytes split into frames by tap_passt_read(), now run
 */
void tap_passt_keep(struct ctx *c, size_t used)
{
	memmove(tap_buf, tap_buf + used, c->tap_partial.len - used);
	c->tap_partial.len -= used;
}

/**
 * tap_listen_handler() - Accept a qemu connection; refuse a second one
 * @c:		Execution context
 * @events:	epoll events
 *
 * #syscalls:passt accept4 getsockopt setsockopt close
 */
void tap_listen_handler(struct ctx *c, uint32_t events)
{
	struct ucred cred;
	socklen_t sl = sizeof(cred);
	int fd, sndbuf = 4 * 1024 * 1024;

	(void)events;
	fd = accept4(c->fd_tap_listen, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (c->fd_tap >= 0 || fd > FD_REF_MAX) {
		info("Rejected a second client: one guest at a time");
		c->stats.tap_client_rejected++;
		close(fd);
		return;
	}
	if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl))
		info("Accepted connection from PID %i", cred.pid);
	if (c->vhost_user) {
		vhost_user_accept(c, fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	c->fd_tap = fd;
	c->tap_partial.len = 0;
	c->tap_partial.skip = 0;
	epoll_add(c, fd, EPOLLIN | EPOLLRDHUP,
		  epoll_ref_make(EPOLL_TYPE_TAP_PASST, fd, 0));
}

/**
 * tap_sock_try() - Bind the UNIX socket at a path, unless a live one is there
 * @fd:		Unbound UNIX stream socket
 * @path:	Path
 *
 * Return: 0 if bound, -1 if the path holds a live socket or can't be used
 */
static int tap_sock_try(int fd, const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int probe;

	if (strlen(path) >= sizeof(a.sun_path))
		return -1;
	memcpy(a.sun_path, path, strlen(path) + 1);
	if (!bind(fd, (struct sockaddr *)&a, sizeof(a)))
		return 0;
	if (errno != EADDRINUSE)
		return -1;
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe < 0)
		return -1;
	if (!connect(probe, (struct sockaddr *)&a, sizeof(a)) ||
	    errno != ECONNREFUSED) {
		close(probe);
		return -1;	/* Somebody serves it */
	}
	close(probe);
	unlink(path);
	return bind(fd, (struct sockaddr *)&a, sizeof(a)) ? -1 : 0;
}

/**
 * tap_sock_init() - passt: bind and listen on the UNIX socket (set-up)
 * @c:		Execution context
 */
void tap_sock_init(struct ctx *c)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), i;

	if (fd < 0)
		die_perror("Can't create UNIX domain socket");
	if (*c->sock_path) {
		if (tap_sock_try(fd, c->sock_path))
			die_perror("Can't bind UNIX domain socket at %s",
				   c->sock_path);
	} else {
		for (i = 1; i <= TAP_SOCK_PROBE_MAX; i++) {
			snprintf(c->sock_path, sizeof(c->sock_path),
				 "/tmp/passt_%i.socket", i);
			if (!tap_sock_try(fd, c->sock_path))
				break;
		}
		if (i > TAP_SOCK_PROBE_MAX)
			die("No free UNIX domain socket path in /tmp");
	}
	if (listen(fd, 0))
		die_perror("Can't listen on UNIX domain socket");
	fd_set_nonblock(fd);
	c->fd_tap_listen = fd;
	if (epoll_add(c, fd, EPOLLIN,
		      epoll_ref_make(EPOLL_TYPE_TAP_LISTEN, fd, 0)))
		die("Can't add UNIX domain socket to epoll");
	info("UNIX domain socket bound at %s", c->sock_path);
	if (c->vhost_user) {
		info("You can now start qemu (>= 7.2) with guest memory "
		     "shared (memory-backend-memfd,share=on):");
		info("    kvm ... -chardev socket,id=c,path=%s -netdev "
		     "vhost-user,id=n,chardev=c -device virtio-net-pci,"
		     "netdev=n", c->sock_path);
		return;
	}
	info("You can now start qemu (>= 7.2):");
	info("    kvm ... -device virtio-net-pci,netdev=s -netdev stream,"
	     "id=s,server=off,addr.type=unix,addr.path=%s", c->sock_path);
}
