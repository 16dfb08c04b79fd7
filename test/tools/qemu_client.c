// SPDX-License-Identifier: GPL-2.0-or-later
/* qemu_client.c - Test client speaking qemu's stream framing to passt
 *
 * Theory of Operation
 *
 * qemu's "stream" netdev carries each Ethernet frame over a UNIX stream
 * socket prefixed by its length as a 32-bit big-endian number. This tool
 * connects to a passt socket and plays a tiny guest with MAC
 * 52:54:00:12:34:56 (-m to change it):
 *
 *   arp SOCK TARGET [SENDER]	ARP request for TARGET (sender IP default
 *				0.0.0.0); prints the decoded reply and its
 *				bytes
 *   raw SOCK HEXFILE		sends each line of HEXFILE (hex digits,
 *				blanks ignored, '#' comments) as one frame,
 *				then prints frames received until the timeout
 *   dhcp SOCK			DHCP DISCOVER then REQUEST; prints the lease
 *   rs SOCK			Router Solicitation; prints the RA's contents
 *   probe SOCK			connects and reports "closed" if the peer
 *				closes within the timeout, else "open"
 *   script SOCK [FILE]		runs commands from FILE (default stdin) on
 *				one connection, one per line:
 *				  arp TARGET [SENDER]   as above
 *				  send HEX              one framed frame
 *				  sendraw HEX           bytes with no framing
 *				  sendlen LEN [COUNT]   length prefix LEN, then
 *				                        COUNT (default LEN) zero
 *				                        bytes: malformed framing
 *				  recv                  print one frame
 *				  recvtcp               print the next IPv4
 *				                        TCP segment, note its
 *				                        sequence number
 *				  waitfile PATH         poll until PATH exists
 *				  touch PATH            create PATH
 *				  sleep MS
 *				  echo TEXT
 *
 * In hex text, '@' stands for four bytes: the sequence number of the last
 * segment recvtcp printed, plus one (SYN or FIN) and its payload, in
 * network order, to acknowledge it.
 *
 * Every wait is bounded by -t SECONDS (default 2, fractions allowed). Exit
 * status: 0 on success, 1 if an expected answer did not come (or the
 * connection failed), 2 on usage errors. Received frames that do not match
 * what a command waits for are skipped (printed with -v).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define QC_FRAME_MAX		(65535 + 14 + 4)
#define QC_BUF_SIZE		(QC_FRAME_MAX * 2 + 4)
#define QC_LINE_MAX		(QC_FRAME_MAX * 3)

#define ETH_ALEN_		6
#define ETH_HLEN_		14
#define ETHTYPE_IP		0x0800
#define ETHTYPE_ARP		0x0806
#define ETHTYPE_IPV6		0x86dd

#define DHCP_OPT_PAD		0
#define DHCP_OPT_NETMASK	1
#define DHCP_OPT_ROUTER		3
#define DHCP_OPT_DNS		6
#define DHCP_OPT_HOSTNAME	12
#define DHCP_OPT_DOMAIN		15
#define DHCP_OPT_MTU		26
#define DHCP_OPT_REQ_IP		50
#define DHCP_OPT_LEASE		51
#define DHCP_OPT_MSG_TYPE	53
#define DHCP_OPT_SERVER_ID	54
#define DHCP_OPT_PARAMS		55
#define DHCP_OPT_SEARCH		119
#define DHCP_OPT_END		255
#define DHCP_DISCOVER		1
#define DHCP_OFFER		2
#define DHCP_REQUEST		3
#define DHCP_ACK		5
#define DHCP_NAK		6
#define DHCP_MAGIC		0x63825363
#define BOOTP_LEN		236

#define ICMP6_RS		133
#define ICMP6_RA		134
#define NDP_OPT_SLLA		1
#define NDP_OPT_PREFIX		3
#define NDP_OPT_MTU		5
#define NDP_OPT_RDNSS		25
#define NDP_OPT_DNSSL		31

/**
 * struct qc_state - Connection and options
 * @fd:		Connected socket, -1 if none
 * @timeout_ms:	Bound for every wait, milliseconds
 * @verbose:	Print frames that are skipped
 * @mac:	Our (the guest's) MAC address
 * @buf:	Bytes received and not yet consumed
 * @buf_len:	Bytes used in @buf
 * @frame:	Last frame taken from @buf
 * @frame_len:	Length of @frame, bytes
 * @line:	Input line buffer for scripts and hex files
 * @out:	Frame being built for sending
 * @tcp_ack:	Sequence number acknowledging the last recvtcp segment
 */
static struct qc_state {
	int fd;
	int timeout_ms;
	bool verbose;
	uint8_t mac[ETH_ALEN_];
	uint8_t buf[QC_BUF_SIZE];
	size_t buf_len;
	uint8_t frame[QC_FRAME_MAX];
	size_t frame_len;
	char line[QC_LINE_MAX];
	uint8_t out[QC_FRAME_MAX];
	uint32_t tcp_ack;
} qc = {
	.fd = -1,
	.timeout_ms = 2000,
	.mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
};

/**
 * qc_now_ms() - Monotonic time
 *
 * Return: milliseconds since an arbitrary point
 */
static long long qc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * qc_put16() - Store a 16-bit value in network order
 * @p:		Destination
 * @v:		Value, host order
 */
static void qc_put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * qc_get16() - Load a 16-bit network order value
 * @p:		Source
 *
 * Return: value, host order
 */
static unsigned qc_get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/**
 * qc_get32() - Load a 32-bit network order value
 * @p:		Source
 *
 * Return: value, host order
 */
static uint32_t qc_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * qc_mac_str() - Format a MAC address
 * @mac:	Address
 * @s:		Output, at least 18 bytes
 *
 * Return: @s
 */
static char *qc_mac_str(const uint8_t *mac, char *s)
{
	snprintf(s, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return s;
}

/**
 * qc_ip4_str() - Format an IPv4 address stored in network order
 * @p:		Address bytes
 * @s:		Output, at least INET_ADDRSTRLEN bytes
 *
 * Return: @s
 */
static char *qc_ip4_str(const uint8_t *p, char *s)
{
	return (char *)inet_ntop(AF_INET, p, s, INET_ADDRSTRLEN);
}

/**
 * qc_ip6_str() - Format an IPv6 address
 * @p:		Address bytes
 * @s:		Output, at least INET6_ADDRSTRLEN bytes
 *
 * Return: @s
 */
static char *qc_ip6_str(const uint8_t *p, char *s)
{
	return (char *)inet_ntop(AF_INET6, p, s, INET6_ADDRSTRLEN);
}

/**
 * qc_hex_put() - Print bytes as hex, no line end
 * @prefix:	Text before the bytes
 * @p:		Bytes
 * @len:	Number of bytes
 */
static void qc_hex_put(const char *prefix, const uint8_t *p, size_t len)
{
	size_t i;

	printf("%s", prefix);
	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
}

/**
 * qc_hex_print() - Print bytes as hex on one line
 * @prefix:	Text before the bytes
 * @p:		Bytes
 * @len:	Number of bytes
 */
static void qc_hex_print(const char *prefix, const uint8_t *p, size_t len)
{
	qc_hex_put(prefix, p, len);
	printf("\n");
}

/**
 * qc_csum_add() - Add bytes to a ones' complement sum
 * @sum:	Running sum
 * @p:		Bytes
 * @len:	Number of bytes
 *
 * Return: updated, unfolded sum
 */
static uint32_t qc_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += qc_get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/**
 * qc_csum_fold() - Fold a ones' complement sum and complement it
 * @sum:	Unfolded sum
 *
 * Return: checksum, host order
 */
static unsigned qc_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/**
 * qc_connect() - Connect to a passt UNIX socket
 * @path:	Socket path
 *
 * Return: 0 on success, -1 on failure (reported)
 */
static int qc_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "socket path too long: %s\n", path);
		return -1;
	}
	strcpy(a.sun_path, path);
	qc.fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (qc.fd < 0 || connect(qc.fd, (struct sockaddr *)&a, sizeof(a))) {
		fprintf(stderr, "connect %s: %s\n", path, strerror(errno));
		return -1;
	}
	qc.buf_len = 0;
	return 0;
}

/**
 * qc_write_all() - Write all bytes to the socket
 * @p:		Bytes
 * @len:	Number of bytes
 *
 * Return: 0 on success, -1 on error (reported)
 */
static int qc_write_all(const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(qc.fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "write: %s\n", strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * qc_send_frame() - Send one frame with its length prefix
 * @p:		Frame
 * @len:	Frame length, bytes
 *
 * Return: 0 on success, -1 on error
 */
static int qc_send_frame(const uint8_t *p, size_t len)
{
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16),
			   (uint8_t)(len >> 8), (uint8_t)len };

	if (qc_write_all(hdr, sizeof(hdr)))
		return -1;
	return qc_write_all(p, len);
}

/**
 * qc_take_frame() - Move one complete frame from the buffer to qc.frame
 *
 * Return: 1 if a frame was taken, 0 if more bytes are needed, -1 if the
 *	   length prefix is out of range
 */
static int qc_take_frame(void)
{
	uint32_t len;

	if (qc.buf_len < 4)
		return 0;
	len = qc_get32(qc.buf);
	if (len > QC_FRAME_MAX) {
		fprintf(stderr, "bad frame length from peer: %u\n", len);
		return -1;
	}
	if (qc.buf_len - 4 < len)
		return 0;
	memcpy(qc.frame, qc.buf + 4, len);
	qc.frame_len = len;
	memmove(qc.buf, qc.buf + 4 + len, qc.buf_len - 4 - len);
	qc.buf_len -= 4 + len;
	return 1;
}

/**
 * qc_recv_frame() - Wait for the next frame, bounded
 * @deadline:	Absolute deadline, from qc_now_ms()
 *
 * Return: 1 with a frame in qc.frame, 0 on timeout, -1 on EOF or error
 */
static int qc_recv_frame(long long deadline)
{
	struct pollfd pfd = { .fd = qc.fd, .events = POLLIN };
	int rc;

	while (!(rc = qc_take_frame())) {
		long long left = deadline - qc_now_ms();
		ssize_t n;

		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = read(qc.fd, qc.buf + qc.buf_len,
			 sizeof(qc.buf) - qc.buf_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		qc.buf_len += (size_t)n;
	}
	return rc;
}

/**
 * qc_skip() - Report a frame that is not the one awaited, if verbose
 */
static void qc_skip(void)
{
	if (qc.verbose)
		qc_hex_print("skipped: ", qc.frame, qc.frame_len);
}

/**
 * qc_eth_build() - Write an Ethernet header into qc.out
 * @dst:	Destination MAC
 * @type:	EtherType, host order
 *
 * Return: length of the header, bytes
 */
static size_t qc_eth_build(const uint8_t *dst, unsigned type)
{
	memcpy(qc.out, dst, ETH_ALEN_);
	memcpy(qc.out + ETH_ALEN_, qc.mac, ETH_ALEN_);
	qc_put16(qc.out + 12, type);
	return ETH_HLEN_;
}

/**
 * qc_arp_is_reply() - Check whether qc.frame is an ARP reply from a target
 * @tpa:	Address asked for
 *
 * Return: true if it is the reply
 */
static bool qc_arp_is_reply(const uint8_t *tpa)
{
	const uint8_t *a = qc.frame + ETH_HLEN_;

	if (qc.frame_len < ETH_HLEN_ + 28)
		return false;
	if (qc_get16(qc.frame + 12) != ETHTYPE_ARP)
		return false;
	return qc_get16(a + 6) == 2 && !memcmp(a + 14, tpa, 4);
}

/**
 * qc_arp_print() - Print the ARP message in qc.frame, decoded and as bytes
 */
static void qc_arp_print(void)
{
	const uint8_t *a = qc.frame + ETH_HLEN_;
	char m[4][18], i[2][INET_ADDRSTRLEN];

	printf("arp op=%u eth_dst=%s eth_src=%s sha=%s spa=%s tha=%s tpa=%s\n",
	       qc_get16(a + 6), qc_mac_str(qc.frame, m[0]),
	       qc_mac_str(qc.frame + 6, m[1]), qc_mac_str(a + 8, m[2]),
	       qc_ip4_str(a + 14, i[0]), qc_mac_str(a + 18, m[3]),
	       qc_ip4_str(a + 24, i[1]));
	qc_hex_print("frame: ", qc.frame, qc.frame_len);
}

/**
 * qc_arp() - Send an ARP request and wait for the matching reply
 * @target:	Target IPv4 address, text
 * @sender:	Sender IPv4 address, text, or NULL for 0.0.0.0
 *
 * Return: 0 if a reply came, 1 otherwise
 */
static int qc_arp(const char *target, const char *sender)
{
	static const uint8_t bcast[ETH_ALEN_] = { 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff };
	uint8_t tpa[4], spa[4] = { 0 }, *a = qc.out + ETH_HLEN_;
	long long deadline;
	int rc;

	if (inet_pton(AF_INET, target, tpa) != 1 ||
	    (sender && inet_pton(AF_INET, sender, spa) != 1)) {
		fprintf(stderr, "bad IPv4 address\n");
		return 2;
	}
	qc_eth_build(bcast, ETHTYPE_ARP);
	memset(a, 0, 28);
	qc_put16(a, 1);			/* Ethernet */
	qc_put16(a + 2, ETHTYPE_IP);
	a[4] = ETH_ALEN_;
	a[5] = 4;
	qc_put16(a + 6, 1);		/* request */
	memcpy(a + 8, qc.mac, ETH_ALEN_);
	memcpy(a + 14, spa, 4);
	memcpy(a + 24, tpa, 4);
	if (qc_send_frame(qc.out, ETH_HLEN_ + 28))
		return 1;

	deadline = qc_now_ms() + qc.timeout_ms;
	while ((rc = qc_recv_frame(deadline)) == 1) {
		if (qc_arp_is_reply(tpa)) {
			qc_arp_print();
			return 0;
		}
		qc_skip();
	}
	printf("arp: no reply for %s (%s)\n", target,
	       rc ? "connection closed" : "timeout");
	return 1;
}

/**
 * qc_hex_parse() - Parse hex digits into qc.out, ignoring blanks
 * @s:		Text; parsing stops at '#' or end of string
 * @len:	Number of bytes parsed (output)
 *
 * Return: 0 on success, -1 on a bad digit or odd count
 */
static int qc_hex_parse(const char *s, size_t *len)
{
	unsigned hi = 0;
	bool half = false;

	for (*len = 0; *s && *s != '#'; s++) {
		unsigned v;

		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == ':')
			continue;
		if (*s == '@' && !half && *len + 4 <= sizeof(qc.out)) {
			uint32_t be = htonl(qc.tcp_ack);

			memcpy(qc.out + *len, &be, sizeof(be));
			*len += sizeof(be);
			continue;
		}
		if (*s >= '0' && *s <= '9')
			v = (unsigned)(*s - '0');
		else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			v = (unsigned)((*s | 0x20) - 'a' + 10);
		else
			return -1;
		if (half && *len < sizeof(qc.out))
			qc.out[(*len)++] = (uint8_t)(hi << 4 | v);
		hi = v;
		half = !half;
	}
	return half ? -1 : 0;
}

/**
 * qc_recv_print() - Print frames received until the timeout
 *
 * Return: number of frames printed
 */
static int qc_recv_print(void)
{
	long long deadline = qc_now_ms() + qc.timeout_ms;
	int n = 0;

	while (qc_recv_frame(deadline) == 1) {
		qc_hex_print("recv: ", qc.frame, qc.frame_len);
		n++;
	}
	return n;
}

/**
 * qc_raw() - Send frames from a hex file, print what comes back
 * @path:	File with one frame per line
 *
 * Return: 0 if at least one frame was received, 1 otherwise
 */
static int qc_raw(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t len;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 2;
	}
	while (fgets(qc.line, sizeof(qc.line), f)) {
		if (qc_hex_parse(qc.line, &len)) {
			fprintf(stderr, "bad hex line: %s", qc.line);
			fclose(f);
			return 2;
		}
		if (len && qc_send_frame(qc.out, len)) {
			fclose(f);
			return 1;
		}
	}
	fclose(f);
	return qc_recv_print() ? 0 : 1;
}

/**
 * qc_probe() - Report whether the peer closes the connection
 *
 * Return: 0 (the result is printed)
 */
static int qc_probe(void)
{
	long long deadline = qc_now_ms() + qc.timeout_ms;
	int rc;

	while ((rc = qc_recv_frame(deadline)) == 1)
		qc_skip();
	printf("%s\n", rc < 0 ? "closed" : "open");
	return 0;
}

/**
 * qc_ip4_build() - Build Ethernet, IPv4 and UDP headers in qc.out
 * @dst_mac:	Destination MAC
 * @src:	Source IPv4 address, network order bytes
 * @dst:	Destination IPv4 address, network order bytes
 * @sport:	UDP source port, host order
 * @dport:	UDP destination port, host order
 * @dlen:	UDP payload length, bytes (payload already at offset 42)
 *
 * Return: frame length, bytes
 */
static size_t qc_ip4_build(const uint8_t *dst_mac, const uint8_t *src,
			   const uint8_t *dst, unsigned sport, unsigned dport,
			   size_t dlen)
{
	uint8_t *ip = qc.out + ETH_HLEN_, *udp = ip + 20;

	qc_eth_build(dst_mac, ETHTYPE_IP);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	qc_put16(ip + 2, (unsigned)(20 + 8 + dlen));
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	qc_put16(ip + 10, qc_csum_fold(qc_csum_add(0, ip, 20)));
	qc_put16(udp, sport);
	qc_put16(udp + 2, dport);
	qc_put16(udp + 4, (unsigned)(8 + dlen));
	qc_put16(udp + 6, 0);
	return ETH_HLEN_ + 20 + 8 + dlen;
}

/**
 * qc_dhcp_build() - Build a DHCP DISCOVER or REQUEST in qc.out
 * @type:	DHCP_DISCOVER or DHCP_REQUEST
 * @xid:	Transaction ID, host order
 * @req:	Requested address (REQUEST only), network order bytes
 * @server:	Server identifier (REQUEST only), network order bytes
 *
 * Return: frame length, bytes
 */
static size_t qc_dhcp_build(int type, uint32_t xid, const uint8_t *req,
			    const uint8_t *server)
{
	static const uint8_t bcast[ETH_ALEN_] = { 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff };
	static const uint8_t any[4], all[4] = { 255, 255, 255, 255 };
	static const uint8_t params[] = { DHCP_OPT_NETMASK, DHCP_OPT_ROUTER,
		DHCP_OPT_DNS, DHCP_OPT_DOMAIN, DHCP_OPT_MTU, DHCP_OPT_SEARCH,
		DHCP_OPT_HOSTNAME };
	uint8_t *b = qc.out + ETH_HLEN_ + 28, *o = b + BOOTP_LEN + 4;

	memset(b, 0, BOOTP_LEN + 4);
	b[0] = 1;			/* BOOTREQUEST */
	b[1] = 1;			/* Ethernet */
	b[2] = ETH_ALEN_;
	b[4] = (uint8_t)(xid >> 24);
	b[5] = (uint8_t)(xid >> 16);
	b[6] = (uint8_t)(xid >> 8);
	b[7] = (uint8_t)xid;
	qc_put16(b + 10, 0x8000);	/* broadcast reply */
	memcpy(b + 28, qc.mac, ETH_ALEN_);
	qc_put16(b + BOOTP_LEN, DHCP_MAGIC >> 16);
	qc_put16(b + BOOTP_LEN + 2, DHCP_MAGIC & 0xffff);

	*o++ = DHCP_OPT_MSG_TYPE; *o++ = 1; *o++ = (uint8_t)type;
	*o++ = DHCP_OPT_PARAMS; *o++ = sizeof(params);
	memcpy(o, params, sizeof(params));
	o += sizeof(params);
	if (type == DHCP_REQUEST) {
		*o++ = DHCP_OPT_REQ_IP; *o++ = 4;
		memcpy(o, req, 4);
		o += 4;
		*o++ = DHCP_OPT_SERVER_ID; *o++ = 4;
		memcpy(o, server, 4);
		o += 4;
	}
	*o++ = DHCP_OPT_END;
	return qc_ip4_build(bcast, any, all, 68, 67, (size_t)(o - b));
}

/**
 * struct qc_lease - What a DHCP reply says
 * @type:	DHCP message type, 0 if absent
 * @yiaddr:	Address offered
 * @server:	Server identifier
 * @netmask:	Subnet mask
 * @router:	First router
 * @dns:	Up to four DNS servers
 * @dns_cnt:	Entries in @dns
 * @mtu:	Interface MTU, 0 if absent
 * @lease:	Lease time, seconds
 * @has_lease:	Lease time option present
 * @search:	Raw domain search option, printed as hex
 * @search_len:	Bytes in @search
 */
struct qc_lease {
	int type;
	uint8_t yiaddr[4], server[4], netmask[4], router[4], dns[4][4];
	unsigned dns_cnt;
	unsigned mtu;
	uint32_t lease;
	bool has_lease;
	uint8_t search[255];
	size_t search_len;
};

/**
 * qc_dhcp_opt() - Record one DHCP option into a lease
 * @l:		Lease (output)
 * @code:	Option code
 * @v:		Option value
 * @len:	Value length, bytes
 */
static void qc_dhcp_opt(struct qc_lease *l, unsigned code, const uint8_t *v,
			size_t len)
{
	if (code == DHCP_OPT_MSG_TYPE && len >= 1)
		l->type = v[0];
	else if (code == DHCP_OPT_SERVER_ID && len >= 4)
		memcpy(l->server, v, 4);
	else if (code == DHCP_OPT_NETMASK && len >= 4)
		memcpy(l->netmask, v, 4);
	else if (code == DHCP_OPT_ROUTER && len >= 4)
		memcpy(l->router, v, 4);
	else if (code == DHCP_OPT_MTU && len >= 2)
		l->mtu = qc_get16(v);
	else if (code == DHCP_OPT_LEASE && len >= 4) {
		l->lease = qc_get32(v);
		l->has_lease = true;
	} else if (code == DHCP_OPT_SEARCH) {
		memcpy(l->search, v, len);
		l->search_len = len;
	} else if (code == DHCP_OPT_DNS) {
		for (; len >= 4 && l->dns_cnt < 4; len -= 4, v += 4)
			memcpy(l->dns[l->dns_cnt++], v, 4);
	}
}

/**
 * qc_dhcp_parse() - Parse qc.frame as a DHCP reply to our transaction
 * @xid:	Transaction ID, host order
 * @l:		Lease (output)
 *
 * Return: true if the frame is a DHCP reply with @xid
 */
static bool qc_dhcp_parse(uint32_t xid, struct qc_lease *l)
{
	const uint8_t *ip = qc.frame + ETH_HLEN_, *b, *o, *end;
	size_t ihl;

	memset(l, 0, sizeof(*l));
	if (qc.frame_len < ETH_HLEN_ + 20 ||
	    qc_get16(qc.frame + 12) != ETHTYPE_IP || ip[9] != 17)
		return false;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (qc.frame_len < ETH_HLEN_ + ihl + 8 + BOOTP_LEN + 4)
		return false;
	b = ip + ihl + 8;
	if (qc_get16(ip + ihl + 2) != 68 || b[0] != 2 ||
	    qc_get32(b + 4) != xid || qc_get32(b + BOOTP_LEN) != DHCP_MAGIC)
		return false;
	memcpy(l->yiaddr, b + 16, 4);
	end = qc.frame + qc.frame_len;
	for (o = b + BOOTP_LEN + 4; o < end && *o != DHCP_OPT_END; ) {
		if (*o == DHCP_OPT_PAD) {
			o++;
			continue;
		}
		if (end - o < 2 || end - o - 2 < o[1])
			break;
		qc_dhcp_opt(l, o[0], o + 2, o[1]);
		o += 2 + o[1];
	}
	return true;
}

/**
 * qc_dhcp_wait() - Wait for a DHCP reply of a given type
 * @xid:	Transaction ID, host order
 * @type:	Expected message type
 * @l:		Lease (output)
 *
 * Return: 0 on success, 1 on timeout, connection loss or NAK
 */
static int qc_dhcp_wait(uint32_t xid, int type, struct qc_lease *l)
{
	long long deadline = qc_now_ms() + qc.timeout_ms;

	while (qc_recv_frame(deadline) == 1) {
		if (!qc_dhcp_parse(xid, l)) {
			qc_skip();
			continue;
		}
		if (l->type == type)
			return 0;
		printf("dhcp: got message type %d, expected %d\n",
		       l->type, type);
		return 1;
	}
	printf("dhcp: no reply of type %d\n", type);
	return 1;
}

/**
 * qc_lease_print() - Print a lease on one line
 * @l:		Lease
 */
static void qc_lease_print(const struct qc_lease *l)
{
	char s[5][INET_ADDRSTRLEN];
	unsigned i;

	printf("lease yiaddr=%s server=%s netmask=%s router=%s",
	       qc_ip4_str(l->yiaddr, s[0]), qc_ip4_str(l->server, s[1]),
	       qc_ip4_str(l->netmask, s[2]), qc_ip4_str(l->router, s[3]));
	printf(" dns=");
	for (i = 0; i < l->dns_cnt; i++)
		printf("%s%s", i ? "," : "", qc_ip4_str(l->dns[i], s[4]));
	printf(" mtu=%u", l->mtu);
	if (l->has_lease)
		printf(" lease=%u", l->lease);
	if (l->search_len)
		qc_hex_print(" search=", l->search, l->search_len);
	else
		printf("\n");
}

/**
 * qc_dhcp() - Run DISCOVER/OFFER/REQUEST/ACK and print the lease
 *
 * Return: 0 on success, 1 on failure
 */
static int qc_dhcp(void)
{
	uint32_t xid = (uint32_t)getpid() * 2654435761U;
	struct qc_lease offer, ack;
	size_t len;

	len = qc_dhcp_build(DHCP_DISCOVER, xid, NULL, NULL);
	if (qc_send_frame(qc.out, len) ||
	    qc_dhcp_wait(xid, DHCP_OFFER, &offer))
		return 1;
	printf("offer ");
	qc_lease_print(&offer);

	len = qc_dhcp_build(DHCP_REQUEST, xid, offer.yiaddr, offer.server);
	if (qc_send_frame(qc.out, len) || qc_dhcp_wait(xid, DHCP_ACK, &ack))
		return 1;
	printf("ack ");
	qc_lease_print(&ack);
	return 0;
}

/**
 * qc_ll_addr() - Our link-local address, from the MAC (modified EUI-64)
 * @a:		Address (output), 16 bytes
 */
static void qc_ll_addr(uint8_t *a)
{
	memset(a, 0, 16);
	a[0] = 0xfe;
	a[1] = 0x80;
	a[8] = qc.mac[0] ^ 0x02;
	a[9] = qc.mac[1];
	a[10] = qc.mac[2];
	a[11] = 0xff;
	a[12] = 0xfe;
	a[13] = qc.mac[3];
	a[14] = qc.mac[4];
	a[15] = qc.mac[5];
}

/**
 * qc_rs_build() - Build a Router Solicitation in qc.out
 *
 * Return: frame length, bytes
 */
static size_t qc_rs_build(void)
{
	static const uint8_t dst_mac[ETH_ALEN_] = { 0x33, 0x33, 0, 0, 0, 2 };
	static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
	uint8_t *ip = qc.out + ETH_HLEN_, *icmp = ip + 40;
	uint8_t pseudo[8] = { 0, 0, 0, 16, 0, 0, 0, 58 };
	uint32_t sum;

	qc_eth_build(dst_mac, ETHTYPE_IPV6);
	memset(ip, 0, 40 + 16);
	ip[0] = 0x60;
	qc_put16(ip + 4, 16);
	ip[6] = 58;
	ip[7] = 255;
	qc_ll_addr(ip + 8);
	memcpy(ip + 24, all_routers, 16);
	icmp[0] = ICMP6_RS;
	icmp[8] = NDP_OPT_SLLA;
	icmp[9] = 1;
	memcpy(icmp + 10, qc.mac, ETH_ALEN_);
	sum = qc_csum_add(0, ip + 8, 32);
	sum = qc_csum_add(sum, pseudo, sizeof(pseudo));
	sum = qc_csum_add(sum, icmp, 16);
	qc_put16(icmp + 2, qc_csum_fold(sum));
	return ETH_HLEN_ + 40 + 16;
}

/**
 * qc_ra_opt() - Print one Router Advertisement option
 * @o:		Option, type and length already checked to fit
 * @len:	Option length, bytes
 */
static void qc_ra_opt(const uint8_t *o, size_t len)
{
	char s[INET6_ADDRSTRLEN], m[18];
	size_t i;

	if (o[0] == NDP_OPT_PREFIX && len >= 32) {
		printf(" prefix=%s/%u prefix_flags=0x%02x valid=%u preferred=%u",
		       qc_ip6_str(o + 16, s), o[2], o[3], qc_get32(o + 4),
		       qc_get32(o + 8));
	} else if (o[0] == NDP_OPT_MTU && len >= 8) {
		printf(" mtu=%u", qc_get32(o + 4));
	} else if (o[0] == NDP_OPT_SLLA && len >= 8) {
		printf(" slla=%s", qc_mac_str(o + 2, m));
	} else if (o[0] == NDP_OPT_RDNSS && len >= 24) {
		printf(" rdnss=");
		for (i = 8; i + 16 <= len; i += 16)
			printf("%s%s", i > 8 ? "," : "", qc_ip6_str(o + i, s));
	} else if (o[0] == NDP_OPT_DNSSL) {
		qc_hex_put(" dnssl=", o + 8, len > 8 ? len - 8 : 0);
	} else {
		printf(" opt%u", o[0]);
	}
}

/**
 * qc_ra_print() - Print qc.frame if it is a Router Advertisement
 *
 * Return: true if it was one
 */
static bool qc_ra_print(void)
{
	const uint8_t *ip = qc.frame + ETH_HLEN_, *icmp = ip + 40, *o, *end;
	char s[INET6_ADDRSTRLEN], m[18];

	if (qc.frame_len < ETH_HLEN_ + 40 + 16 ||
	    qc_get16(qc.frame + 12) != ETHTYPE_IPV6 || ip[6] != 58 ||
	    icmp[0] != ICMP6_RA)
		return false;
	end = qc.frame + qc.frame_len;
	if ((size_t)(end - icmp) > 40u + qc_get16(ip + 4))
		end = icmp + qc_get16(ip + 4);
	printf("ra src=%s eth_src=%s hop_limit=%u flags=0x%02x lifetime=%u",
	       qc_ip6_str(ip + 8, s), qc_mac_str(qc.frame + 6, m), icmp[4],
	       icmp[5], qc_get16(icmp + 6));
	for (o = icmp + 16; end - o >= 8; o += o[1] * 8) {
		if (!o[1] || end - o < o[1] * 8)
			break;
		qc_ra_opt(o, (size_t)o[1] * 8);
	}
	printf("\n");
	qc_hex_print("frame: ", qc.frame, qc.frame_len);
	return true;
}

/**
 * qc_rs() - Send a Router Solicitation and print the advertisement
 *
 * Return: 0 if an RA came, 1 otherwise
 */
static int qc_rs(void)
{
	long long deadline;

	if (qc_send_frame(qc.out, qc_rs_build()))
		return 1;
	deadline = qc_now_ms() + qc.timeout_ms;
	while (qc_recv_frame(deadline) == 1) {
		if (qc_ra_print())
			return 0;
		qc_skip();
	}
	printf("rs: no router advertisement\n");
	return 1;
}

/**
 * qc_waitfile() - Poll until a path exists, bounded by the timeout
 * @path:	Path
 *
 * Return: 0 once it exists, 1 on timeout
 */
static int qc_waitfile(const char *path)
{
	long long deadline = qc_now_ms() + qc.timeout_ms;

	while (access(path, F_OK)) {
		if (qc_now_ms() > deadline) {
			printf("waitfile: %s did not appear\n", path);
			return 1;
		}
		usleep(10000);
	}
	return 0;
}

/**
 * qc_sendlen() - Send a length prefix and a number of zero bytes
 * @len:	Length to announce, host order
 * @count:	Zero bytes to send after it
 *
 * Return: 0, errors are expected as the peer may reset the connection
 */
static int qc_sendlen(uint32_t len, size_t count)
{
	static const uint8_t zero[4096];
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16),
			   (uint8_t)(len >> 8), (uint8_t)len };

	if (qc_write_all(hdr, sizeof(hdr)))
		return 0;
	while (count) {
		size_t n = count < sizeof(zero) ? count : sizeof(zero);

		if (qc_write_all(zero, n))
			return 0;
		count -= n;
	}
	return 0;
}

/**
 * qc_tcp_seg() - Sequence number acknowledging an IPv4 TCP segment
 * @ack:	Sequence number after the segment, host order (output)
 *
 * Return: true if qc.frame holds a complete IPv4 TCP header
 */
static bool qc_tcp_seg(uint32_t *ack)
{
	const uint8_t *f = qc.frame;
	size_t ihl, tot, doff, off;
	uint32_t seq;

	if (qc.frame_len < ETH_HLEN_ + 20 || f[12] != 0x08 || f[13] != 0x00 ||
	    f[ETH_HLEN_ + 9] != 6)
		return false;
	ihl = (size_t)(f[ETH_HLEN_] & 0x0f) * 4;
	tot = (size_t)f[ETH_HLEN_ + 2] << 8 | f[ETH_HLEN_ + 3];
	off = ETH_HLEN_ + ihl;
	if (ihl < 20 || tot < ihl + 20 || qc.frame_len < ETH_HLEN_ + tot)
		return false;
	doff = (size_t)(f[off + 12] >> 4) * 4;
	if (doff < 20 || tot < ihl + doff)
		return false;
	memcpy(&seq, f + off + 4, sizeof(seq));
	*ack = ntohl(seq) + (uint32_t)(tot - ihl - doff) +
	       !!(f[off + 13] & 0x02) + !!(f[off + 13] & 0x01);
	return true;
}

/**
 * qc_recv_tcp() - Wait for an IPv4 TCP segment, print it, note its end
 *
 * Return: 0 once printed, 1 if none came in time
 */
static int qc_recv_tcp(void)
{
	long long deadline = qc_now_ms() + qc.timeout_ms;

	while (qc_recv_frame(deadline) == 1) {
		if (!qc_tcp_seg(&qc.tcp_ack)) {
			qc_skip();
			continue;
		}
		qc_hex_print("recvtcp: ", qc.frame, qc.frame_len);
		return 0;
	}
	printf("recvtcp: nothing\n");
	return 1;
}

/**
 * qc_script_line() - Run one script command
 * @cmd:	Command word
 * @a1:		First argument, or NULL
 * @a2:		Second argument, or NULL
 * @rest:	Rest of the line after the command word
 *
 * Return: 0 on success, non-zero to stop the script with that status
 */
static int qc_script_line(const char *cmd, const char *a1, const char *a2,
			  const char *rest)
{
	size_t len;

	if (!strcmp(cmd, "arp") && a1)
		return qc_arp(a1, a2);
	if (!strcmp(cmd, "send") || !strcmp(cmd, "sendraw")) {
		if (qc_hex_parse(rest, &len))
			return 2;
		if (cmd[4] == 'r')
			qc_write_all(qc.out, len); /* errors expected here */
		else
			qc_send_frame(qc.out, len);
		return 0;
	}
	if (!strcmp(cmd, "sendlen") && a1)
		return qc_sendlen((uint32_t)strtoul(a1, NULL, 0),
				  a2 ? strtoul(a2, NULL, 0) :
				       strtoul(a1, NULL, 0));
	if (!strcmp(cmd, "recv")) {
		long long deadline = qc_now_ms() + qc.timeout_ms;

		if (qc_recv_frame(deadline) != 1) {
			printf("recv: nothing\n");
			return 1;
		}
		qc_hex_print("recv: ", qc.frame, qc.frame_len);
		return 0;
	}
	if (!strcmp(cmd, "recvtcp"))
		return qc_recv_tcp();
	if (!strcmp(cmd, "waitfile") && a1)
		return qc_waitfile(a1);
	if (!strcmp(cmd, "touch") && a1)
		return close(open(a1, O_CREAT | O_WRONLY, 0644)) ? 1 : 0;
	if (!strcmp(cmd, "sleep") && a1)
		return usleep((useconds_t)atoi(a1) * 1000) ? 1 : 0;
	if (!strcmp(cmd, "echo"))
		return printf("%s\n", rest) < 0;
	fprintf(stderr, "bad script command: %s\n", cmd);
	return 2;
}

/**
 * qc_script() - Run script commands on the open connection
 * @path:	Script file, or NULL for standard input
 *
 * Return: 0 if all commands succeeded, else the first failure's status
 */
static int qc_script(const char *path)
{
	FILE *f = path ? fopen(path, "r") : stdin;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 2;
	}
	while (!rc && fgets(qc.line, sizeof(qc.line), f)) {
		char *save = NULL, *cmd, *a1, *a2, *rest;

		qc.line[strcspn(qc.line, "\n")] = 0;
		cmd = qc.line + strspn(qc.line, " \t");
		if (!*cmd || *cmd == '#')
			continue;
		rest = cmd + strcspn(cmd, " \t");
		rest = *rest ? rest + 1 : rest;
		rest = strdupa(rest);
		cmd = strtok_r(cmd, " \t", &save);
		a1 = strtok_r(NULL, " \t", &save);
		a2 = a1 ? strtok_r(NULL, " \t", &save) : NULL;
		rc = qc_script_line(cmd, a1, a2, rest);
		fflush(stdout);
	}
	if (path)
		fclose(f);
	return rc;
}

/**
 * qc_usage() - Print usage and exit
 * @name:	Program name
 */
static void qc_usage(const char *name)
{
	fprintf(stderr,
		"Usage: %s [-t SECONDS] [-m MAC] [-v] COMMAND SOCK [ARGS]\n"
		"  arp SOCK TARGET [SENDER]\n"
		"  raw SOCK HEXFILE\n"
		"  dhcp SOCK\n"
		"  rs SOCK\n"
		"  probe SOCK\n"
		"  script SOCK [FILE]\n", name);
	exit(2);
}

/**
 * qc_options() - Parse options before the command
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: index of the command word
 */
static int qc_options(int argc, char **argv)
{
	unsigned m[ETH_ALEN_];
	int i, j;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v")) {
			qc.verbose = true;
		} else if (!strcmp(argv[i], "-t") && i + 1 < argc) {
			qc.timeout_ms = (int)(atof(argv[++i]) * 1000);
		} else if (!strcmp(argv[i], "-m") && i + 1 < argc &&
			   sscanf(argv[++i], "%x:%x:%x:%x:%x:%x", &m[0], &m[1],
				  &m[2], &m[3], &m[4], &m[5]) == 6) {
			for (j = 0; j < ETH_ALEN_; j++)
				qc.mac[j] = (uint8_t)m[j];
		} else {
			qc_usage(argv[0]);
		}
	}
	if (argc - i < 2)
		qc_usage(argv[0]);
	return i;
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 on success, 1 on failure, 2 on usage errors
 */
int main(int argc, char **argv)
{
	int i = qc_options(argc, argv), n = argc - i;
	const char *cmd = argv[i];

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (qc_connect(argv[i + 1]))
		return 1;

	if (!strcmp(cmd, "arp") && n >= 3)
		return qc_arp(argv[i + 2], n >= 4 ? argv[i + 3] : NULL);
	if (!strcmp(cmd, "raw") && n == 3)
		return qc_raw(argv[i + 2]);
	if (!strcmp(cmd, "dhcp"))
		return qc_dhcp();
	if (!strcmp(cmd, "rs"))
		return qc_rs();
	if (!strcmp(cmd, "probe"))
		return qc_probe();
	if (!strcmp(cmd, "script"))
		return qc_script(n >= 3 ? argv[i + 2] : NULL);
	qc_usage(argv[0]);
	return 2;
}
