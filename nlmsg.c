// SPDX-License-Identifier: GPL-2.0-or-later
/* nlmsg.c - Netlink messages: building, length-checked parsing, exchanges
 *
 * Theory of Operation
 *
 * The transport under netlink.c: NETLINK_ROUTE sockets, requests built in
 * caller-owned buffers, answers parsed from one static receive buffer. All
 * of it runs at set-up, before the sandbox and the main loop (no #syscalls
 * annotations; nothing here may be called once seccomp is active).
 *
 * Each exchange is one request and its answer, strictly in turn:
 * - the request gets the next sequence number (nlmsg_st.seq); answers
 *   carrying any other sequence number (left over from an earlier exchange
 *   that failed) and datagrams not sent by the kernel (source port ID not 0)
 *   are ignored;
 * - requests other than dumps carry NLM_F_ACK (dumps are told apart by
 *   type too: NLM_F_DUMP bits mean other things in RTM_NEW* requests): the
 *   exchange ends with the NLMSG_ERROR message, whose error field is 0
 *   (ACK) or a negative errno, returned as is (extended ACK text, if any,
 *   is logged at debug level);
 * - dumps (NLM_F_DUMP) end with NLMSG_DONE, which may carry a negative errno
 *   as well; answers may span any number of datagrams (NLM_F_MULTI), each
 *   read into nlmsg_st.rx, a buffer larger than any batch the kernel builds
 *   (a truncated datagram, MSG_TRUNC, fails the exchange);
 * - interrupted system calls are restarted; an answer that doesn't come
 *   within NL_RCVTIMEO_S fails the exchange with -ETIMEDOUT;
 * - a callback sees each answer message of the exchange: it may not start
 *   another exchange (nlmsg_st.rx is in use).
 *
 * No length is trusted: every message header, family header and attribute
 * is checked against the bytes that remain before it is read (nlmsg_next(),
 * nlmsg_parse(), nlmsg_attr_next()), and attribute payloads against the
 * size the reader needs (nlmsg_attr_get()).
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "util.h"
#include "log.h"
#include "nlmsg.h"

#define NL_RX_SIZE	65536	/* bytes: above the kernel's dump batch */
#define NL_RCVTIMEO_S	10	/* seconds: for an answer that never comes */
#define NL_ERRNO_MAX	4095	/* largest errno value, as the kernel's */

/* rtnetlink message kinds: type & NL_KIND_MASK (see linux/rtnetlink.h) */
#define NL_KIND_MASK	3
#define NL_KIND_GET	2	/* RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE... */

/**
 * struct nlmsg_state - File-scope state: sequence number, receive buffer
 * @seq:	Sequence number of the last request sent
 * @rx:		Answer datagram being parsed
 */
static struct nlmsg_state {
	uint32_t seq;
	char rx[NL_RX_SIZE] __attribute__((aligned(8)));
} nlmsg_st;

/**
 * struct nlmsg_wait - State of an exchange while answers arrive
 * @seq:	Sequence number of the request
 * @cb:		Callback for answer messages, NULL if none
 * @arg:	Argument for @cb
 * @cb_stop:	@cb asked to see no more messages
 * @done:	Terminating message (NLMSG_ERROR, NLMSG_DONE) seen
 * @err:	0, or negative errno from the kernel or from parsing
 */
struct nlmsg_wait {
	uint32_t seq;
	nlmsg_cb_t cb;
	void *arg;
	bool cb_stop;
	bool done;
	int err;
};

/**
 * nlmsg_sock_open() - Open a NETLINK_ROUTE socket in the current namespace
 *
 * Return: socket, or negative errno
 */
int nlmsg_sock_open(void)
{
	struct timeval tv = { .tv_sec = NL_RCVTIMEO_S };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;
	int s, ret;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		ret = -errno;
		close(s);
		return ret;
	}
	/* Optional: error text in ACKs, and no copy of our request in them */
	if (setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)))
		debug_perror("netlink: extended ACKs not available");
	return s;
}

/**
 * nlmsg_init() - Start a request in a buffer
 * @buf:	Buffer, aligned to 4 bytes
 * @size:	Size of @buf, bytes
 * @type:	Message type (RTM_*)
 * @flags:	NLM_F_* flags besides NLM_F_REQUEST and NLM_F_ACK
 * @hdr:	Family header (struct rtmsg, ifaddrmsg, ifinfomsg)
 * @hdr_len:	Size of @hdr, bytes
 *
 * Return: message with header and family header, NULL if @size is too small
 */
struct nlmsghdr *nlmsg_init(char *buf, size_t size, uint16_t type,
			    uint16_t flags, const void *hdr, size_t hdr_len)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	size_t len = NLMSG_HDRLEN + nlmsg_align(hdr_len);

	if (size < len)
		return NULL;
	memset(buf, 0, len);
	nh->nlmsg_len = len;
	nh->nlmsg_type = type;
	nh->nlmsg_flags = flags;
	memcpy(buf + NLMSG_HDRLEN, hdr, hdr_len);
	return nh;
}

/**
 * nlmsg_attr_put() - Append an attribute to a message
 * @nh:		Message, nlmsg_len aligned
 * @size:	Bytes available for the whole message at @nh
 * @type:	Attribute type
 * @data:	Payload
 * @len:	Payload length, bytes
 *
 * Return: 0 on success, -ENOBUFS if it doesn't fit
 */
int nlmsg_attr_put(struct nlmsghdr *nh, size_t size, uint16_t type,
		   const void *data, size_t len)
{
	size_t alen = nlmsg_align(sizeof(struct rtattr)) + len;
	struct rtattr *rta;

	if (len > UINT16_MAX - sizeof(*rta) || nh->nlmsg_len > size ||
	    size - nh->nlmsg_len < nlmsg_align(alen))
		return -ENOBUFS;
	rta = (struct rtattr *)((char *)nh + nh->nlmsg_len);
	memset(rta, 0, nlmsg_align(alen));
	rta->rta_type = type;
	rta->rta_len = alen;
	memcpy((char *)rta + nlmsg_align(sizeof(*rta)), data, len);
	nh->nlmsg_len += nlmsg_align(alen);
	return 0;
}

/**
 * nlmsg_attr_put_u32() - Append a 32-bit attribute (host order) to a message
 * @nh:		Message
 * @size:	Bytes available for the whole message at @nh
 * @type:	Attribute type
 * @v:		Value, host order
 *
 * Return: 0 on success, -ENOBUFS if it doesn't fit
 */
int nlmsg_attr_put_u32(struct nlmsghdr *nh, size_t size, uint16_t type,
		       uint32_t v)
{
	return nlmsg_attr_put(nh, size, type, &v, sizeof(v));
}

/**
 * nlmsg_next() - Next message in a datagram, header checked
 * @buf:	Datagram, aligned to 4 bytes
 * @len:	Datagram length, bytes
 * @off:	Offset of the message to return, moved past it (in/out)
 *
 * Return: message lying wholly within @len, NULL at the end or if the next
 *	   header is malformed
 */
static const struct nlmsghdr *nlmsg_next(const char *buf, size_t len,
					 size_t *off)
{
	const struct nlmsghdr *nh;

	if (*off >= len || len - *off < sizeof(*nh))
		return NULL;
	nh = (const struct nlmsghdr *)(buf + *off);
	if (nh->nlmsg_len < sizeof(*nh) || nh->nlmsg_len > len - *off)
		return NULL;
	*off += MIN(nlmsg_align(nh->nlmsg_len), len - *off);
	return nh;
}

/**
 * nlmsg_attr_next() - Next attribute in a sequence, header checked
 * @p:		Attribute sequence, aligned to 4 bytes
 * @len:	Length of the sequence, bytes
 * @off:	Offset of the attribute to return, moved past it (in/out)
 *
 * Return: attribute lying wholly within @len, NULL at the end or if the next
 *	   header is malformed
 */
const struct rtattr *nlmsg_attr_next(const char *p, size_t len, size_t *off)
{
	const struct rtattr *rta;

	if (*off >= len || len - *off < sizeof(*rta))
		return NULL;
	rta = (const struct rtattr *)(p + *off);
	if (rta->rta_len < sizeof(*rta) || rta->rta_len > len - *off)
		return NULL;
	*off += MIN(nlmsg_align(rta->rta_len), len - *off);
	return rta;
}

/**
 * nlmsg_attr_parse() - Index a sequence of attributes by type
 * @p:		Attribute sequence, aligned to 4 bytes
 * @len:	Length of the sequence, bytes
 * @tb:		Table of attributes (output), NULL where absent; the last one
 *		of each type wins
 * @tb_cnt:	Entries in @tb, types beyond it are ignored
 *
 * Return: 0 on success, -EBADMSG if an attribute header is malformed
 */
int nlmsg_attr_parse(const char *p, size_t len,
		     const struct rtattr **tb, size_t tb_cnt)
{
	const struct rtattr *rta;
	size_t off = 0, type;

	memset(tb, 0, tb_cnt * sizeof(*tb));
	while ((rta = nlmsg_attr_next(p, len, &off))) {
		type = rta->rta_type & NLA_TYPE_MASK;
		if (type < tb_cnt)
			tb[type] = rta;
	}
	/* Fewer than a header's worth of bytes left is only padding */
	if (off < len && len - off >= sizeof(*rta))
		return -EBADMSG;
	return 0;
}

/**
 * nlmsg_attr_len() - Payload length of an attribute
 * @rta:	Attribute, header checked
 *
 * Return: bytes
 */
size_t nlmsg_attr_len(const struct rtattr *rta)
{
	return rta->rta_len - nlmsg_align(sizeof(*rta));
}

/**
 * nlmsg_attr_get() - Payload of an attribute, if it holds what the reader needs
 * @rta:	Attribute, header checked, or NULL
 * @len:	Bytes the reader will access
 *
 * Return: payload, NULL if @rta is NULL or its payload is shorter than @len
 */
const void *nlmsg_attr_get(const struct rtattr *rta, size_t len)
{
	if (!rta || rta->rta_len < nlmsg_align(sizeof(*rta)) ||
	    nlmsg_attr_len(rta) < len)
		return NULL;
	return (const char *)rta + nlmsg_align(sizeof(*rta));
}

/**
 * nlmsg_attr_get_u32() - Read a 32-bit attribute (host order)
 * @rta:	Attribute, or NULL
 * @v:		Value (output), host order
 *
 * Return: true if @rta is present and long enough
 */
bool nlmsg_attr_get_u32(const struct rtattr *rta, uint32_t *v)
{
	const void *p = nlmsg_attr_get(rta, sizeof(*v));

	if (!p)
		return false;
	memcpy(v, p, sizeof(*v));
	return true;
}

/**
 * nlmsg_parse() - Check the family header of a message, index attributes
 * @nh:		Message, header checked
 * @hdr_len:	Size of the family header, bytes
 * @tb:		Table of attributes (output)
 * @tb_cnt:	Entries in @tb
 *
 * Return: family header, NULL if the message is too short or malformed
 */
const void *nlmsg_parse(const struct nlmsghdr *nh, size_t hdr_len,
			const struct rtattr **tb, size_t tb_cnt)
{
	size_t start = NLMSG_HDRLEN + nlmsg_align(hdr_len);
	const char *p = (const char *)nh;

	if (nh->nlmsg_len < start)
		return NULL;
	if (nlmsg_attr_parse(p + start, nh->nlmsg_len - start, tb, tb_cnt)) {
		debug("netlink: malformed attributes, message type %u",
		      nh->nlmsg_type);
		return NULL;
	}
	return p + NLMSG_HDRLEN;
}

/**
 * nlmsg_error_text() - Log the extended ACK text of an error, if any
 * @nh:		NLMSG_ERROR message, at least a struct nlmsgerr long
 * @err:	Negative errno it carries
 */
static void nlmsg_error_text(const struct nlmsghdr *nh, int err)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);
	size_t start = NLMSG_HDRLEN + sizeof(*e);
	const struct rtattr *tb[NLMSGERR_ATTR_MAX + 1];
	const char *text;
	size_t len;

	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Without NLM_F_CAPPED, our request is echoed before the TLVs */
	if (!(nh->nlmsg_flags & NLM_F_CAPPED))
		start += nlmsg_align(e->msg.nlmsg_len) - sizeof(e->msg);
	if (e->msg.nlmsg_len < sizeof(e->msg) || start > nh->nlmsg_len ||
	    nlmsg_attr_parse((const char *)nh + start, nh->nlmsg_len - start,
			     tb, ARRAY_SIZE(tb)))
		return;
	text = nlmsg_attr_get(tb[NLMSGERR_ATTR_MSG], 1);
	if (!text)
		return;
	len = strnlen(text, nlmsg_attr_len(tb[NLMSGERR_ATTR_MSG]));
	debug("netlink: %s: %.*s", strerror(-err), (int)len, text);
}

/**
 * nlmsg_error() - Result carried by an NLMSG_ERROR message
 * @nh:		Message, header checked
 *
 * Return: 0 for an ACK, negative errno for an error, -EBADMSG if too short,
 *	   -EPROTO if the error field holds no errno
 */
static int nlmsg_error(const struct nlmsghdr *nh)
{
	const struct nlmsgerr *e;

	if (nh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
		return -EBADMSG;
	e = NLMSG_DATA(nh);
	if (e->error > 0 || e->error < -NL_ERRNO_MAX)
		return -EPROTO;
	if (e->error)
		nlmsg_error_text(nh, e->error);
	return e->error;
}

/**
 * nlmsg_done() - Result carried by an NLMSG_DONE message
 * @nh:		Message, header checked
 *
 * Return: 0, or the negative errno ending the dump (-EPROTO if invalid)
 */
static int nlmsg_done(const struct nlmsghdr *nh)
{
	int err;

	if (nh->nlmsg_len < NLMSG_HDRLEN + sizeof(err))
		return 0;
	memcpy(&err, NLMSG_DATA(nh), sizeof(err));
	if (err > 0 || err < -NL_ERRNO_MAX)
		return -EPROTO;
	return err;
}

/**
 * nlmsg_is_dump() - Is a request a dump?
 * @nh:		Request
 *
 * NLM_F_DUMP bits mean NLM_F_REPLACE and NLM_F_EXCL in RTM_NEW* requests:
 * only the RTM_GET* kind can be a dump.
 *
 * Return: true for a RTM_GET* request with NLM_F_DUMP
 */
static bool nlmsg_is_dump(const struct nlmsghdr *nh)
{
	return (nh->nlmsg_type & NL_KIND_MASK) == NL_KIND_GET &&
	       (nh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
}

/**
 * nlmsg_send() - Send a request with the next sequence number
 * @s:		Netlink socket
 * @nh:		Request; sequence number, port ID and flags are set here
 *
 * Return: 0 on success, negative errno on failure
 */
static int nlmsg_send(int s, struct nlmsghdr *nh)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t n;

	if (++nlmsg_st.seq == 0)
		nlmsg_st.seq = 1;
	nh->nlmsg_seq = nlmsg_st.seq;
	nh->nlmsg_pid = 0;
	nh->nlmsg_flags |= NLM_F_REQUEST;
	if (!nlmsg_is_dump(nh))
		nh->nlmsg_flags |= NLM_F_ACK;

	do
		n = sendto(s, nh, nh->nlmsg_len, 0, (struct sockaddr *)&sa,
			   sizeof(sa));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != nh->nlmsg_len)
		return -EIO;
	return 0;
}

/**
 * nlmsg_recv() - Receive one datagram of answers into nlmsg_st.rx
 * @s:		Netlink socket
 *
 * Return: bytes received, 0 for a datagram to ignore (not from the kernel),
 *	   negative errno on failure (-ETIMEDOUT if no answer came)
 */
static ssize_t nlmsg_recv(int s)
{
	struct iovec iov = {
		.iov_base = nlmsg_st.rx, .iov_len = sizeof(nlmsg_st.rx),
	};
	struct sockaddr_nl sa;
	struct msghdr mh = {
		.msg_name = &sa, .msg_namelen = sizeof(sa),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n;

	do
		n = recvmsg(s, &mh, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? -ETIMEDOUT
								 : -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (mh.msg_namelen < sizeof(sa) || sa.nl_family != AF_NETLINK ||
	    sa.nl_pid)
		return 0;
	return n;
}

/**
 * nlmsg_batch() - Handle the messages of one datagram for an exchange
 * @w:		Exchange state, updated
 * @len:	Bytes in nlmsg_st.rx
 */
static void nlmsg_batch(struct nlmsg_wait *w, size_t len)
{
	const struct nlmsghdr *nh;
	size_t off = 0;

	while (!w->done && (nh = nlmsg_next(nlmsg_st.rx, len, &off))) {
		if (nh->nlmsg_seq != w->seq)
			continue;	/* stale, from an earlier exchange */

		switch (nh->nlmsg_type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_ERROR:
			w->err = nlmsg_error(nh);
			w->done = true;
			break;
		case NLMSG_DONE:
			w->err = nlmsg_done(nh);
			w->done = true;
			break;
		case NLMSG_OVERRUN:
			w->err = -EOVERFLOW;
			w->done = true;
			break;
		default:
			if (nh->nlmsg_flags & NLM_F_DUMP_INTR)
				debug("netlink: dump changed while running");
			if (w->cb && !w->cb_stop)
				w->cb_stop = !w->cb(nh, w->arg);
		}
	}
	if (!w->done && off < len)
		debug("netlink: malformed message, %zu bytes skipped",
		      len - off);
}

/**
 * nlmsg_exchange() - Send a request, hand answers to a callback until the end
 * @s:		Netlink socket
 * @req:	Request (RTM_GET* with NLM_F_DUMP: a dump; otherwise ACK asked)
 * @cb:		Called for each answer message other than the end, or NULL;
 *		it must not start another exchange
 * @arg:	Argument for @cb
 *
 * Return: 0 on success, negative errno from the kernel or the socket
 */
int nlmsg_exchange(int s, struct nlmsghdr *req, nlmsg_cb_t cb, void *arg)
{
	struct nlmsg_wait w = { .cb = cb, .arg = arg };
	ssize_t n;
	int ret;

	ret = nlmsg_send(s, req);
	if (ret)
		return ret;
	w.seq = req->nlmsg_seq;

	while (!w.done) {
		n = nlmsg_recv(s);
		if (n < 0)
			return (int)n;
		nlmsg_batch(&w, (size_t)n);
	}
	return w.err;
}

/**
 * nlmsg_attr_del() - Remove all attributes of a type from a message
 * @nh:		Message we built: its attributes are well-formed
 * @hdr_len:	Size of its family header, bytes
 * @type:	Attribute type
 *
 * Return: true if some attribute was removed
 */
bool nlmsg_attr_del(struct nlmsghdr *nh, size_t hdr_len, uint16_t type)
{
	size_t start = NLMSG_HDRLEN + nlmsg_align(hdr_len), off = 0, at;
	char *p = (char *)nh + start;
	const struct rtattr *rta;
	bool found = false;

	if (nh->nlmsg_len < start)
		return false;
	while ((rta = nlmsg_attr_next(p, nh->nlmsg_len - start, &off))) {
		if ((rta->rta_type & NLA_TYPE_MASK) != type)
			continue;
		at = (size_t)((const char *)rta - p);
		memmove(p + at, p + off, nh->nlmsg_len - start - off);
		nh->nlmsg_len -= off - at;
		off = at;
		found = true;
	}
	return found;
}
