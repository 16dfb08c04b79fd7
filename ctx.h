/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctx.h - Execution context, epoll references, counters: types only
 *
 * Header-only: every layer reads the context, none of them calls into
 * passt.c (the loop), which dispatches to them.
 */

#ifndef CTX_H
#define CTX_H

#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/un.h>
#include <linux/if_ether.h>

#include "fwd_spec.h"
#include "util.h"

#define VERSION			"0.1"

/**
 * enum epoll_type - What an epoll event's file descriptor is
 * @EPOLL_TYPE_NONE:		Unused, never registered
 * @EPOLL_TYPE_TAP_PASTA:	Tap device (pasta)
 * @EPOLL_TYPE_TAP_PASST:	Connected UNIX stream socket to qemu (passt)
 * @EPOLL_TYPE_TAP_LISTEN:	Listening UNIX stream socket (passt)
 * @EPOLL_TYPE_TIMER:		Periodic housekeeping timerfd
 * @EPOLL_TYPE_TCP:		Connected TCP socket, flow_ref() in data
 * @EPOLL_TYPE_TCP_SPLICE:	Spliced TCP socket, flow_ref() of its side
 * @EPOLL_TYPE_TCP_LISTEN:	Listening TCP socket for forwarded ports
 * @EPOLL_TYPE_TCP_TIMER:	timerfd of all TCP tap-path connections
 * @EPOLL_TYPE_UDP_LISTEN:	Bound UDP socket for a forwarded port
 * @EPOLL_TYPE_UDP_REPLY:	UDP flow socket, flow_ref() in data
 * @EPOLL_TYPE_PING:		ICMP/ICMPv6 echo (ping) socket, flow_ref()
 * @EPOLL_TYPE_NSQUIT:		Watch on the target namespace (pasta)
 * @EPOLL_TYPE_VHOST_CMD:	vhost-user control socket to qemu (passt)
 * @EPOLL_TYPE_VHOST_KICK:	vhost-user kick eventfd, queue index in data
 * @EPOLL_NUM_TYPES:		Number of types
 */
enum epoll_type {
	EPOLL_TYPE_NONE = 0,
	EPOLL_TYPE_TAP_PASTA,
	EPOLL_TYPE_TAP_PASST,
	EPOLL_TYPE_TAP_LISTEN,
	EPOLL_TYPE_TIMER,
	EPOLL_TYPE_TCP,
	EPOLL_TYPE_TCP_SPLICE,
	EPOLL_TYPE_TCP_LISTEN,
	EPOLL_TYPE_TCP_TIMER,
	EPOLL_TYPE_UDP_LISTEN,
	EPOLL_TYPE_UDP_REPLY,
	EPOLL_TYPE_PING,
	EPOLL_TYPE_NSQUIT,
	EPOLL_TYPE_VHOST_CMD,
	EPOLL_TYPE_VHOST_KICK,
	EPOLL_NUM_TYPES,
};

#define FD_REF_BITS		24
#define FD_REF_MAX		((1 << (FD_REF_BITS - 1)) - 1)

/**
 * union epoll_ref - 64-bit reference carried by each epoll event
 * @type:	enum epoll_type
 * @fd:		File descriptor
 * @data:	Protocol-specific: flow index, port, flags (see each file)
 * @u64:	Opaque value stored in struct epoll_event
 */
union epoll_ref {
	struct {
		unsigned int type:8;
		signed int fd:FD_REF_BITS;
		uint32_t data;
	};
	uint64_t u64;
};

/**
 * epoll_ref_make() - Build an epoll reference
 * @type:	enum epoll_type
 * @fd:		File descriptor, at most FD_REF_MAX
 * @data:	Protocol-specific data
 *
 * Return: reference as its 64-bit value
 */
static inline uint64_t epoll_ref_make(enum epoll_type type, int fd,
				      uint32_t data)
{
	union epoll_ref ref = { .type = type, .fd = fd, .data = data };

	return ref.u64;
}

/**
 * enum passt_mode - Binary personality, chosen by argv[0]
 * @MODE_PASST:	UNIX stream socket to qemu
 * @MODE_PASTA:	Tap device in a network namespace
 */
enum passt_mode {
	MODE_PASST,
	MODE_PASTA,
};

#define DNS_MAX			3	/* Resolvers kept, per family */
#define DNS_SEARCH_MAX		6	/* Search domains kept */
#define DNS_NAME_MAX		254	/* Longest domain name, with final dot */

/**
 * struct ip4_ctx - IPv4 configuration and state
 * @addr:	Address given to the guest, network order
 * @addr_seen:	Last source address seen from the guest
 * @prefix_len:	Prefix length of @addr
 * @gw:		Default gateway given to the guest
 * @map_host_loopback: Guest destination translated to host loopback
 * @map_guest_addr: Guest destination translated to @addr on the host
 * @dns:	Resolvers given to the guest, INADDR_ANY terminated
 * @dns_match:	--dns-forward address: DNS to it goes to @dns_host
 * @dns_host:	Host resolver for @dns_match
 * @addr_out:	Source address for outbound sockets (-o), or INADDR_ANY
 * @ifname_out:	Interface outbound sockets bind to, empty for none
 * @no_copy_routes:	--config-net: set only the default route
 * @no_copy_addrs:	--config-net: set only @addr
 * @addr_given:	-a given for IPv4
 * @gw_given:	-g given for IPv4
 */
struct ip4_ctx {
	struct in_addr addr;
	struct in_addr addr_seen;
	int prefix_len;
	struct in_addr gw;
	struct in_addr map_host_loopback;
	struct in_addr map_guest_addr;
	struct in_addr dns[DNS_MAX + 1];
	struct in_addr dns_match;
	struct in_addr dns_host;
	struct in_addr addr_out;
	char ifname_out[IFNAMSIZ];
	bool no_copy_routes;
	bool no_copy_addrs;
	bool addr_given;
	bool gw_given;
};

/**
 * struct ip6_ctx - IPv6 configuration and state
 * @addr:	Global address given to the guest
 * @addr_seen:	Last global source address seen from the guest
 * @addr_ll_seen: Last link-local source address seen from the guest
 * @prefix_len:	Prefix length of @addr
 * @gw:		Default gateway (router) given to the guest
 * @our_tap_ll:	Our link-local address, source of RAs and DHCPv6
 * @map_host_loopback: Guest destination translated to host loopback
 * @map_guest_addr: Guest destination translated to @addr on the host
 * @dns:	Resolvers given to the guest, in6addr_any terminated
 * @dns_match:	--dns-forward address
 * @dns_host:	Host resolver for @dns_match
 * @addr_out:	Source address for outbound sockets (-o)
 * @ifname_out:	Interface outbound sockets bind to, empty for none
 * @no_copy_routes:	--config-net: set only the default route
 * @no_copy_addrs:	--config-net: set only @addr
 * @addr_given:	-a given for IPv6
 * @gw_given:	-g given for IPv6
 */
struct ip6_ctx {
	struct in6_addr addr;
	struct in6_addr addr_seen;
	struct in6_addr addr_ll_seen;
	int prefix_len;
	struct in6_addr gw;
	struct in6_addr our_tap_ll;
	struct in6_addr map_host_loopback;
	struct in6_addr map_guest_addr;
	struct in6_addr dns[DNS_MAX + 1];
	struct in6_addr dns_match;
	struct in6_addr dns_host;
	struct in6_addr addr_out;
	char ifname_out[IFNAMSIZ];
	bool no_copy_routes;
	bool no_copy_addrs;
	bool addr_given;
	bool gw_given;
};

/**
 * struct passt_stats - Counters printed by --stats, one per drop reason
 * @tap_frames_in:	Frames read from the tap back-end
 * @tap_frames_out:	Frames written to the tap back-end
 * @tap_client_rejected: Extra passt clients closed at accept
 * @tap_drop_short:	Frames shorter than an Ethernet header
 * @tap_drop_long:	Frames longer than the largest we take
 * @tap_drop_pool:	Frames that did not fit the input pool (0 unless a
 *			back-end reads past a full pool: each stops first)
 * @tap_drop_out:	Frames the tap back-end did not take
 * @tap_drop_oneoff:	One-off messages (ARP, DHCP, DHCPv6, NDP, ICMP) not
 *			sent: the back-end had no room (tap_room())
 * @tap_drop_l2:	Frames of an EtherType we don't handle
 * @tap_drop_l3_short:	IP packets shorter than the fixed IP header
 * @tap_drop_l3_version: IP version not matching the EtherType
 * @tap_drop_l3_hdrlen:	IPv4 header length under 20 bytes or past the frame
 * @tap_drop_l3_len:	IP total or payload length past the frame or header
 * @tap_drop_l3_frag:	IPv4 or IPv6 fragments
 * @tap_drop_l3_exthdr:	IPv6 extension header chains malformed or too long
 * @tap_drop_l4_short:	TCP, UDP or ICMPv6 packets too short for ports/type
 * @tap_drop_uso:	UDP super-frames (pasta, USO) with bad headers, or
 *			IPv6 extension headers (kernels that pass those on)
 * @tap_drop_ip4_off:	IPv4 packets while IPv4 is disabled (-6)
 * @tap_drop_ip6_off:	IPv6 packets while IPv6 is disabled (-4)
 * @tap_drop_proto:	IP packets of a protocol other than TCP, UDP, ICMP
 * @tap_drop_no_tcp:	TCP segments refused by --no-tcp
 * @tap_drop_no_udp:	UDP datagrams refused by --no-udp
 * @tap_drop_no_icmp:	ICMP and ICMPv6 messages refused by --no-icmp
 * @tap_drop_no_dhcp:	DHCP requests refused by --no-dhcp
 * @tap_drop_no_dhcpv6:	DHCPv6 messages refused by --no-dhcpv6
 * @tap_drop_no_ndp:	NDP messages refused by --no-ndp (or --no-icmp)
 * @arp_replies:	ARP replies sent
 * @arp_drop_short:	ARP frames truncated
 * @arp_drop_bad:	ARP not for Ethernet and IPv4, or with wrong lengths
 * @arp_drop_op:	ARP operations other than request
 * @arp_drop_announce:	Gratuitous ARP (announcements): nothing to answer
 * @arp_drop_probe:	ARP requests for the guest's own address (probes)
 * @dhcp_drop_short:	DHCP requests truncated (UDP header, fixed part)
 * @dhcp_drop_op:	DHCP not an Ethernet BOOTREQUEST
 * @dhcp_drop_cookie:	DHCP requests without the magic cookie
 * @dhcp_drop_opts:	DHCP requests with malformed or truncated options
 * @dhcp_drop_bootp:	DHCP requests without a message type (BOOTP)
 * @dhcp_drop_type:	DHCP messages of a type a server doesn't take
 * @dhcp_drop_server:	DHCPREQUESTs for another server
 * @dhcpv6_drop_short:	DHCPv6 messages without a complete UDP header
 * @dhcpv6_drop_source:	DHCPv6 from the unspecified or a multicast address
 * @dhcpv6_drop_parse:	DHCPv6 messages malformed or truncated
 * @dhcpv6_drop_serverid: DHCPv6 Server Identifier missing or not allowed
 * @dhcpv6_drop_clientid: DHCPv6 messages without a Client Identifier
 * @dhcpv6_drop_type:	DHCPv6 messages of a type a server doesn't take
 * @dhcpv6_drop_server:	DHCPv6 messages for another server
 * @dhcpv6_drop_confirm: DHCPv6 CONFIRMs without addresses (no reply)
 * @ndp_drop_short:	NDP messages shorter than an ICMPv6 header
 * @ndp_drop_rs:	Router Solicitations malformed (code)
 * @ndp_drop_ns:	Neighbour Solicitations malformed (length, code)
 * @ndp_drop_target:	Neighbour Solicitations for a multicast target
 * @ndp_drop_opts:	Router or Neighbour Solicitations with bad options
 * @ndp_drop_no_ra:	Router Solicitations while --no-ra is given
 * @ndp_drop_ns_other:	Neighbour Solicitations for addresses not ours
 * @ndp_drop_type:	RAs, NAs and Redirects from the guest
 * @icmp_drop_short:	ICMP messages shorter than an echo header
 * @icmp_drop_type:	ICMP messages other than echo requests
 * @icmp_drop_flow:	Echo requests with no flow or ping socket to use
 * @icmp_drop_send:	Echo requests the ping socket refused
 * @icmp_drop_reply:	Messages from a ping socket other than echo replies
 * @udp_drop_bad:	UDP datagrams malformed or truncated
 * @udp_drop_flow:	UDP datagrams with no flow or socket to use
 * @udp_drop_full:	UDP datagrams for a new flow the flow table refused
 * @udp_drop_send:	UDP datagrams refused by a host or namespace socket
 * @udp_drop_tap:	UDP datagrams not taken by the tap back-end
 * @udp_gso_msgs:	UDP sends of several datagrams at once (UDP_SEGMENT)
 * @udp_gso_dgrams:	...datagrams in them
 * @udp_gso_split:	...of them the kernel refused, sent one by one
 * @tcp_drop_bad:	TCP segments malformed (header, offset)
 * @tcp_drop_opts:	TCP SYNs and SYN-ACKs with malformed options
 * @tcp_drop_no_conn:	TCP segments, not SYNs, for no connection (reset)
 * @tcp_drop_rst:	TCP resets for no connection
 * @tcp_drop_full:	TCP SYNs refused: table full or no socket
 * @tcp_drop_ooo:	TCP segments carrying data past a gap (dup-ACKed)
 * @tcp_drop_short:	TCP segments not taken by a full send buffer
 * @tcp_drop_handshake: TCP segments not fitting the handshake, ignored
 * @tcp_drop_fin:	TCP segments carrying data past the guest's FIN
 * @tcp_conns:		TCP connections on the tap path, opened
 * @tcp_unreach:	Guest SYNs answered with ICMP unreachable
 * @tcp_retrans:	TCP segments resent to the guest (fast or timer)
 * @tcp_splice_conns:	Loopback connections spliced (pasta)
 * @tcp_splice_drop:	Spliced connections refused: table full, no fds
 * @tcp_splice_connect_fail: Spliced connections whose target refused
 * @tcp_splice_reset:	Spliced connections ended by a reset or error
 *
 * Every field is an unsigned long long, listed by name in passt.c
 * (passt_stats_names[]): a drop reason is named <area>_drop_<reason>, and
 * each dropped frame, datagram or segment moves exactly one of them.
 */
struct passt_stats {
	unsigned long long tap_frames_in, tap_frames_out, tap_client_rejected;
	unsigned long long tap_drop_short, tap_drop_long, tap_drop_pool;
	unsigned long long tap_drop_out, tap_drop_oneoff, tap_drop_l2;
	unsigned long long tap_drop_l3_short, tap_drop_l3_version;
	unsigned long long tap_drop_l3_hdrlen, tap_drop_l3_len;
	unsigned long long tap_drop_l3_frag, tap_drop_l3_exthdr;
	unsigned long long tap_drop_l4_short, tap_drop_uso;
	unsigned long long tap_drop_ip4_off, tap_drop_ip6_off, tap_drop_proto;
	unsigned long long tap_drop_no_tcp, tap_drop_no_udp, tap_drop_no_icmp;
	unsigned long long tap_drop_no_dhcp, tap_drop_no_dhcpv6;
	unsigned long long tap_drop_no_ndp;
	unsigned long long arp_replies;
	unsigned long long arp_drop_short, arp_drop_bad, arp_drop_op;
	unsigned long long arp_drop_announce, arp_drop_probe;
	unsigned long long dhcp_drop_short, dhcp_drop_op, dhcp_drop_cookie;
	unsigned long long dhcp_drop_opts, dhcp_drop_bootp, dhcp_drop_type;
	unsigned long long dhcp_drop_server;
	unsigned long long dhcpv6_drop_short, dhcpv6_drop_source;
	unsigned long long dhcpv6_drop_parse, dhcpv6_drop_serverid;
	unsigned long long dhcpv6_drop_clientid, dhcpv6_drop_type;
	unsigned long long dhcpv6_drop_server, dhcpv6_drop_confirm;
	unsigned long long ndp_drop_short, ndp_drop_rs, ndp_drop_ns;
	unsigned long long ndp_drop_target, ndp_drop_opts, ndp_drop_no_ra;
	unsigned long long ndp_drop_ns_other, ndp_drop_type;
	unsigned long long icmp_drop_short, icmp_drop_type, icmp_drop_flow;
	unsigned long long icmp_drop_send, icmp_drop_reply;
	unsigned long long udp_drop_bad, udp_drop_flow, udp_drop_full;
	unsigned long long udp_drop_send, udp_drop_tap;
	unsigned long long udp_gso_msgs, udp_gso_dgrams, udp_gso_split;
	unsigned long long tcp_drop_bad, tcp_drop_opts, tcp_drop_no_conn;
	unsigned long long tcp_drop_rst, tcp_drop_full, tcp_drop_ooo;
	unsigned long long tcp_drop_short, tcp_drop_handshake, tcp_drop_fin;
	unsigned long long tcp_conns, tcp_unreach, tcp_retrans;
	unsigned long long tcp_splice_conns, tcp_splice_drop;
	unsigned long long tcp_splice_connect_fail, tcp_splice_reset;
};

/**
 * struct tap_partial - A frame split across reads of the passt socket
 * @len:	Bytes of the partial frame (with length prefix) kept
 * @skip:	Bytes of an oversized frame still to discard from the stream
 */
struct tap_partial {
	size_t len;
	size_t skip;
};

/**
 * struct ctx - Execution context: configuration and run-time state
 * @mode:		passt or pasta
 * @debug:		--debug given
 * @trace:		--trace given
 * @quiet:		--quiet given
 * @foreground:		Don't fork to background
 * @stderr:		Log to standard error
 * @stats_interval:	--stats delay in seconds, 0 for none
 * @one_off:		passt: exit after the first client leaves
 * @pidfile:		--pid path, empty if none
 * @pidfile_fd:		PID file, opened at set-up, -1 if none
 * @sock_path:		passt: UNIX socket path
 * @pcap:		--pcap path, empty if none
 * @log_file:		--log-file path, empty if none
 * @runas_uid:		--runas user, or nobody
 * @runas_gid:		--runas group
 * @runas_given:	--runas given
 * @chroot_fallback:	--chroot-fallback: chroot() where pivot_root() is refused
 * @epollfd:		The epoll instance
 * @fd_tap_listen:	passt: listening UNIX socket, -1 if none
 * @fd_tap:		passt: connected client (stream or vhost-user control
 *			socket); pasta: tap device; -1 if none
 * @fd_tap_given:	passt: -F/--fd, pre-opened socket
 * @timer_fd:		Periodic housekeeping timerfd
 * @poll_ns:		Loop's current polling window before sleeping, ns
 * @loop_sigmask:	Signal mask while the loop waits (epoll_pwait()):
 *			pasta's SIGCHLD is blocked at all other times
 * @tap_partial:	passt: partial frame state across reads
 * @vhost_user:		passt: --vhost-user, qemu's rings in guest memory
 * @vnet_hdr:		pasta: tap frames carry a virtio-net header; vhost-user:
 *			the guest takes partial checksums (GUEST_CSUM)
 * @tap_offloads:	pasta: TUN_F_* offloads the kernel accepted; vhost-user:
 *			the same bits for what the guest accepted
 * @our_tap_mac:	Our MAC address, source of frames to the guest (-M)
 * @guest_mac:		Guest's MAC address, as seen, else broadcast
 * @ns_mac:		pasta: --ns-mac-addr for the tap, all zero if unset
 * @ifi4:		Host interface index for IPv4 (template), 0 if none
 * @ifi6:		Host interface index for IPv6 (template), 0 if none
 * @ifname:		-i: template interface name, empty for the default
 * @pasta_ifn:		pasta: tap interface name in the namespace
 * @pasta_ifi:		pasta: tap interface index in the namespace
 * @mtu:		MTU given to the guest, 0 for none (-m)
 * @ip4:		IPv4 configuration
 * @ip6:		IPv6 configuration
 * @ifi4_up:		IPv4 enabled
 * @ifi6_up:		IPv6 enabled
 * @local_mode4:	No IPv4 template: link-local configuration
 * @local_mode6:	No IPv6 template: link-local configuration
 * @dns_search:		Search domains, empty string terminated
 * @hostname:		-H: DHCP option 12, empty if none
 * @fqdn:		--fqdn: DHCP option 81 and DHCPv6 39, empty if none
 * @no_tcp:		--no-tcp
 * @no_udp:		--no-udp
 * @no_icmp:		--no-icmp
 * @no_dhcp:		--no-dhcp
 * @no_dhcpv6:		--no-dhcpv6
 * @no_ndp:		--no-ndp
 * @no_ra:		--no-ra
 * @no_map_gw:		--no-map-gw
 * @no_dhcp_dns:	Don't send resolvers by DHCP/NDP/DHCPv6
 * @no_dhcp_dns_search:	Don't send search domains by DHCP/NDP/DHCPv6
 * @freebind:		--freebind
 * @no_splice:		pasta: --no-splice
 * @host_lo_to_ns_lo:	pasta: --host-lo-to-ns-lo
 * @tcp_in:		-t: forward host ports to the guest
 * @udp_in:		-u: forward host ports to the guest
 * @tcp_out:		-T: forward namespace ports to the host (pasta)
 * @udp_out:		-U: forward namespace ports to the host (pasta)
 * @netns_path:		pasta: --netns or PID's /proc path, empty to create
 * @userns_path:	pasta: --userns path, empty for none/derived
 * @netns_only:		pasta: --netns-only
 * @no_netns_quit:	pasta: --no-netns-quit
 * @no_pidns:		pasta: --no-pidns
 * @config_net:		pasta: --config-net
 * @splice_only:	pasta: --splice-only
 * @pasta_netns_fd:	pasta: target network namespace, -1 if none
 * @pasta_userns_fd:	pasta: target user namespace, -1 if none
 * @pasta_child_pid:	pasta: the spawned command, 0 if none
 * @pasta_argv:		pasta: command to spawn, NULL for the shell
 * @pasta_pid_arg:	pasta: PID given as argument, 0 if none
 * @uid:		Real user ID at start
 * @gid:		Real group ID at start
 * @stats:		Counters
 * @stats_last:		When --stats last printed the counters
 */
struct ctx {
	enum passt_mode mode;
	bool debug;
	bool trace;
	bool quiet;
	bool foreground;
	bool stderr;
	int stats_interval;
	bool one_off;
	char pidfile[PATH_MAX];
	int pidfile_fd;
	char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char pcap[PATH_MAX];
	char log_file[PATH_MAX];
	uid_t runas_uid;
	gid_t runas_gid;
	bool runas_given;
	bool chroot_fallback;

	int epollfd;
	int fd_tap_listen;
	int fd_tap;
	bool fd_tap_given;
	int timer_fd;
	long long poll_ns;
	sigset_t loop_sigmask;
	struct tap_partial tap_partial;
	bool vhost_user;
	bool vnet_hdr;
	unsigned tap_offloads;

	unsigned char our_tap_mac[ETH_ALEN];
	unsigned char guest_mac[ETH_ALEN];
	unsigned char ns_mac[ETH_ALEN];

	unsigned ifi4;
	unsigned ifi6;
	char ifname[IFNAMSIZ];
	char pasta_ifn[IFNAMSIZ];
	unsigned pasta_ifi;
	int mtu;

	struct ip4_ctx ip4;
	struct ip6_ctx ip6;
	bool ifi4_up;
	bool ifi6_up;
	bool local_mode4;
	bool local_mode6;
	char dns_search[DNS_SEARCH_MAX + 1][DNS_NAME_MAX + 1];
	char hostname[256];
	char fqdn[256];

	bool no_tcp;
	bool no_udp;
	bool no_icmp;
	bool no_dhcp;
	bool no_dhcpv6;
	bool no_ndp;
	bool no_ra;
	bool no_map_gw;
	bool no_dhcp_dns;
	bool no_dhcp_dns_search;
	bool freebind;
	bool no_splice;
	bool host_lo_to_ns_lo;

	struct fwd_ports tcp_in;
	struct fwd_ports udp_in;
	struct fwd_ports tcp_out;
	struct fwd_ports udp_out;

	char netns_path[PATH_MAX];
	char userns_path[PATH_MAX];
	bool netns_only;
	bool no_netns_quit;
	bool no_pidns;
	bool config_net;
	bool splice_only;
	int pasta_netns_fd;
	int pasta_userns_fd;
	pid_t pasta_child_pid;
	char **pasta_argv;
	pid_t pasta_pid_arg;

	uid_t uid;
	gid_t gid;

	struct passt_stats stats;
	struct timespec stats_last;
};

/* Housekeeping tick: NDP, UDP and ICMP expiry, port scans */
#define TIMER_INTERVAL_MS	1000


#endif /* CTX_H */
