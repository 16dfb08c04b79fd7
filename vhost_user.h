/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost_user.h - vhost-user protocol, back-end side, over passt's socket */

#ifndef VHOST_USER_H
#define VHOST_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ctx.h"
#include "virtqueue.h"
#include "vu_mem.h"

#define VU_QUEUES		2	/* One receive/transmit pair */
#define VU_RX			0	/* Guest's receive queue: to the guest */
#define VU_TX			1	/* Guest's transmit queue: from it */

/**
 * struct vu_queue - One virtqueue as the front-end configured it
 * @vq:		Ring, once started
 * @num:	Queue size (SET_VRING_NUM)
 * @desc:	Front-end address of the descriptor table (SET_VRING_ADDR)
 * @avail:	Front-end address of the available ring
 * @used:	Front-end address of the used ring
 * @addr_set:	SET_VRING_ADDR received
 * @base:	First available index to take (SET_VRING_BASE)
 * @kick_fd:	Eventfd the driver kicks, -1 if none
 * @call_fd:	Eventfd we signal used entries on, -1 if none
 * @err_fd:	Eventfd for errors (kept, unused), -1 if none
 * @started:	Kick descriptor received and ring set up
 * @enabled:	Enabled (SET_VRING_ENABLE, or no protocol features)
 */
struct vu_queue {
	struct vq vq;
	uint16_t num;
	uint64_t desc;
	uint64_t avail;
	uint64_t used;
	bool addr_set;
	uint16_t base;
	int kick_fd;
	int call_fd;
	int err_fd;
	bool started;
	bool enabled;
};

/**
 * struct vu_dev - State of the vhost-user session with the front-end
 * @features:	Virtio features the front-end acked (SET_FEATURES)
 * @protocol:	Protocol features acked (SET_PROTOCOL_FEATURES)
 * @hdr_len:	virtio-net header length in buffers, bytes
 * @mem:	Guest memory, mapped
 * @q:		Queues, VU_RX and VU_TX
 * @drop_tx:	Transmitted frames dropped: too short or too long
 * @drop_rx:	Frames to the guest not sent: not enough buffers yet
 * @drop_rx_big: Frames to the guest dropped: larger than the whole ring
 *		(or, without MRG_RXBUF, than the chain offered)
 * @drop_rx_short: Receive chains given back unused: no room for the header
 * @tx_inplace:	Frames from the guest with their payload read in place
 * @tx_copied:	Frames from the guest copied whole
 */
struct vu_dev {
	uint64_t features;
	uint64_t protocol;
	size_t hdr_len;
	struct vu_mem mem;
	struct vu_queue q[VU_QUEUES];
	unsigned long long drop_tx;
	unsigned long long drop_rx;
	unsigned long long drop_rx_big;
	unsigned long long drop_rx_short;
	unsigned long long tx_inplace;
	unsigned long long tx_copied;
};

extern struct vu_dev vu_dev;

void vhost_user_init(void);
void vhost_user_accept(struct ctx *c, int fd);
bool vhost_user_handler(struct ctx *c, uint32_t events);
bool vhost_user_ready(const struct vu_queue *q);
void vhost_user_stats_print(void);
void vhost_user_stats_names(void);

#endif /* VHOST_USER_H */
