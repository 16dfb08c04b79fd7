/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test/fuzz/common/shim.h - Host side for fuzz targets, at the syscall
 * boundary
 *
 * shim.c replaces, with the linker's --wrap, the system calls the daemon
 * makes on sockets, timers, epoll and the tap: every socket the handlers
 * open is a fake descriptor (SHIM_FD_BASE and up, never a valid kernel
 * descriptor) whose peer is this file, driven by fuzz input. Calls on any
 * other descriptor go to the real system call.
 */

#ifndef FUZZ_SHIM_H
#define FUZZ_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHIM_FD_BASE	(1 << 20)	/* above any real descriptor */
#define SHIM_FDS	1024		/* fake descriptors at most */

/**
 * enum shim_kind - What a fake descriptor stands for
 * @SHIM_FREE:	Unused slot
 * @SHIM_TCP:	TCP socket
 * @SHIM_UDP:	UDP socket
 * @SHIM_PING:	ICMP or ICMPv6 echo socket
 * @SHIM_TIMER:	timerfd
 * @SHIM_EPOLL:	epoll instance
 * @SHIM_TAP:	passt stream socket (qemu) or pasta tap device
 * @SHIM_OTHER:	Any other socket (UNIX, netlink): takes and gives nothing
 */
enum shim_kind {
	SHIM_FREE = 0,
	SHIM_TCP,
	SHIM_UDP,
	SHIM_PING,
	SHIM_TIMER,
	SHIM_EPOLL,
	SHIM_TAP,
	SHIM_OTHER,
};

/**
 * struct shim_host - Behaviour of the host, set by fuzz input
 * @connect_err:	Result of the next TCP connect(): 0, EINPROGRESS or an
 *			error
 * @socket_err:		Error for the next socket() call, 0 for none
 * @bind_err:		Error for bind(), 0 for none
 * @send_err:		Error for UDP and ping sends, 0 for none
 * @no_peek_off:	SO_PEEK_OFF refused
 * @sndbuf:		SO_SNDBUF of new TCP sockets, bytes
 * @tap_space:		Bytes the tap takes per write, 0 for all of them
 * @tap_vnet:		pasta: bytes of virtio-net header before each frame
 * @tap_out:		Called with each whole frame written to the tap, or
 *			NULL
 */
struct shim_host {
	int connect_err;
	int socket_err;
	int bind_err;
	int send_err;
	bool no_peek_off;
	uint32_t sndbuf;
	size_t tap_space;
	size_t tap_vnet;
	void (*tap_out)(const uint8_t *frame, size_t len);
};

extern struct shim_host shim_host;

int shim_fd_new(enum shim_kind kind, int af, bool stream);
enum shim_kind shim_fd_kind(int fd);
int shim_fd_nth(size_t n, unsigned kinds);
bool shim_ep_get(int fd, uint32_t *events, uint64_t *data);
void shim_feed(int fd, const void *b, size_t len, uint8_t src);
void shim_tap_feed(int fd, const void *b, size_t len);
void shim_eof(int fd);
void shim_peer_connect(int fd);
void shim_error(int fd, int err);
void shim_drain(int fd);
bool shim_connect_done(int fd, int err);
bool shim_timer_fire(int fd);
size_t shim_live(unsigned kinds);
void shim_reset(void);

#endif /* FUZZ_SHIM_H */
