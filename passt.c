// SPDX-License-Identifier: GPL-2.0-or-later
/* passt.c - Entry point: set-up sequence and the epoll loop
 *
 * Theory of Operation
 *
 * One binary, two personalities chosen by argv[0]: passt serves a virtual
 * machine over a UNIX stream socket (or, with --vhost-user, through the
 * virtio rings in the guest's memory, qemu's socket carrying the control
 * protocol), pasta a network namespace over a tap device. Both translate
 * the guest's Ethernet frames into host L4 sockets.
 *
 * Set-up runs to completion before the loop starts, and opens everything
 * the loop will use: configuration (conf.c), the namespace and tap (pasta.c,
 * tap.c), the UNIX socket (tap.c), forwarded ports (tcp.c, udp.c), the
 * housekeeping timer, and what forking to background needs (/dev/null, the
 * syslog connection). Then privileges are dropped and the filesystem
 * emptied (isolation.c), the process forks to background if asked (passt
 * forks in the foreground too, into its PID namespace, the parent relaying
 * signals and the exit status), installs its seccomp filter last
 * (isolation.c), and the loop runs until a signal or, for pasta with a
 * spawned command, until that command exits.
 *
 * The loop waits on one epoll instance. Each event carries a 64-bit
 * union epoll_ref: type, file descriptor and 32 bits of protocol data.
 * passt_dispatch() holds the only switch over the types. After each batch
 * of events the protocols flush the frames they queued for the guest, so
 * that output is batched too. The clock is read once per batch.
 *
 * Before it sleeps, the loop may poll (epoll_wait() with no timeout) for a
 * few microseconds: waking a sleeping process, and on a virtual machine an
 * idle CPU, costs tens of microseconds, which a request/response exchange
 * pays twice per round trip through us. The polling window adapts, as the
 * kernel's halt polling does: it grows while sleeps turn out short (the next
 * event came within LOOP_POLL_MAX_NS) and shrinks to nothing while they are
 * long, so an idle or slow-paced translator never spins, and one under
 * steady load finds events ready anyway. While polling it yields the CPU
 * to any other runnable process (the guest's, on a small machine).
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "conf.h"
#include "flow.h"
#include "flow_walk.h"
#include "icmp.h"
#include "isolation.h"
#include "log.h"
#include "ndp.h"
#include "netlink.h"
#include "packet.h"
#include "ctx.h"
#include "pasta.h"
#include "pcap.h"
#include "tap.h"
#include "tap_passt.h"
#include "tcp.h"
#include "tcp_listen.h"
#include "tcp_splice.h"
#include "tcp_timer.h"
#include "udp.h"
#include "util.h"
#include "vhost_user.h"

#define EPOLL_EVENTS		64
#define LOOP_POLL_MIN_NS	5000	/* First polling window */
#define LOOP_POLL_MAX_NS	50000	/* Longest polling window */

/* The execution context: static, as it's large (forwarding tables) */
static struct ctx passt_ctx;

/**
 * passt_timer_init() - Start the periodic housekeeping timer (set-up)
 * @c:		Execution context
 */
static void passt_timer_init(struct ctx *c)
{
	struct itimerspec it = {
		.it_interval = { TIMER_INTERVAL_MS / 1000,
				 (TIMER_INTERVAL_MS % 1000) * 1000000L },
	};

	it.it_value = it.it_interval;
	c->timer_fd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_NONBLOCK | TFD_CLOEXEC);
	if (c->timer_fd < 0 || timerfd_settime(c->timer_fd, 0, &it, NULL))
		die_perror("Can't set up housekeeping timer");
	if (epoll_add(c, c->timer_fd, EPOLLIN,
		      epoll_ref_make(EPOLL_TYPE_TIMER, c->timer_fd, 0)))
		die("Can't add housekeeping timer to epoll");
}

/**
 * struct passt_stats_name - Name of one counter, as --stats prints it
 * @name:	Counter name, the field's: <area>_drop_<reason> for drops
 * @off:	Offset of the counter in struct passt_stats
 */
struct passt_stats_name {
	const char *name;
	size_t off;
};

/* Every counter, in struct order: --stats prints one "name value" line each */
static const struct passt_stats_name passt_stats_names[] = {
	{ "tap_frames_in",
	  offsetof(struct passt_stats, tap_frames_in) },
	{ "tap_frames_out",
	  offsetof(struct passt_stats, tap_frames_out) },
	{ "tap_client_rejected",
	  offsetof(struct passt_stats, tap_client_rejected) },
	{ "tap_drop_short",
	  offsetof(struct passt_stats, tap_drop_short) },
	{ "tap_drop_long",
	  offsetof(struct passt_stats, tap_drop_long) },
	{ "tap_drop_pool",
	  offsetof(struct passt_stats, tap_drop_pool) },
	{ "tap_drop_out",
	  offsetof(struct passt_stats, tap_drop_out) },
	{ "tap_drop_oneoff",
	  offsetof(struct passt_stats, tap_drop_oneoff) },
	{ "tap_drop_l2",
	  offsetof(struct passt_stats, tap_drop_l2) },
	{ "tap_drop_l3_short",
	  offsetof(struct passt_stats, tap_drop_l3_short) },
	{ "tap_drop_l3_version",
	  offsetof(struct passt_stats, tap_drop_l3_version) },
	{ "tap_drop_l3_hdrlen",
	  offsetof(struct passt_stats, tap_drop_l3_hdrlen) },
	{ "tap_drop_l3_len",
	  offsetof(struct passt_stats, tap_drop_l3_len) },
	{ "tap_drop_l3_frag",
	  offsetof(struct passt_stats, tap_drop_l3_frag) },
	{ "tap_drop_l3_exthdr",
	  offsetof(struct passt_stats, tap_drop_l3_exthdr) },
	{ "tap_drop_l4_short",
	  offsetof(struct passt_stats, tap_drop_l4_short) },
	{ "tap_drop_uso",
	  offsetof(struct passt_stats, tap_drop_uso) },
	{ "tap_drop_ip4_off",
	  offsetof(struct passt_stats, tap_drop_ip4_off) },
	{ "tap_drop_ip6_off",
	  offsetof(struct passt_stats, tap_drop_ip6_off) },
	{ "tap_drop_proto",
	  offsetof(struct passt_stats, tap_drop_proto) },
	{ "tap_drop_no_tcp",
	  offsetof(struct passt_stats, tap_drop_no_tcp) },
	{ "tap_drop_no_udp",
	  offsetof(struct passt_stats, tap_drop_no_udp) },
	{ "tap_drop_no_icmp",
	  offsetof(struct passt_stats, tap_drop_no_icmp) },
	{ "tap_drop_no_dhcp",
	  offsetof(struct passt_stats, tap_drop_no_dhcp) },
	{ "tap_drop_no_dhcpv6",
	  offsetof(struct passt_stats, tap_drop_no_dhcpv6) },
	{ "tap_drop_no_ndp",
	  offsetof(struct passt_stats, tap_drop_no_ndp) },
	{ "arp_replies",
	  offsetof(struct passt_stats, arp_replies) },
	{ "arp_drop_short",
	  offsetof(struct passt_stats, arp_drop_short) },
	{ "arp_drop_bad",
	  offsetof(struct passt_stats, arp_drop_bad) },
	{ "arp_drop_op",
	  offsetof(struct passt_stats, arp_drop_op) },
	{ "arp_drop_announce",
	  offsetof(struct passt_stats, arp_drop_announce) },
	{ "arp_drop_probe",
	  offsetof(struct passt_stats, arp_drop_probe) },
	{ "dhcp_drop_short",
	  offsetof(struct passt_stats, dhcp_drop_short) },
	{ "dhcp_drop_op",
	  offsetof(struct passt_stats, dhcp_drop_op) },
	{ "dhcp_drop_cookie",
	  offsetof(struct passt_stats, dhcp_drop_cookie) },
	{ "dhcp_drop_opts",
	  offsetof(struct passt_stats, dhcp_drop_opts) },
	{ "dhcp_drop_bootp",
	  offsetof(struct passt_stats, dhcp_drop_bootp) },
	{ "dhcp_drop_type",
	  offsetof(struct passt_stats, dhcp_drop_type) },
	{ "dhcp_drop_server",
	  offsetof(struct passt_stats, dhcp_drop_server) },
	{ "dhcpv6_drop_short",
	  offsetof(struct passt_stats, dhcpv6_drop_short) },
	{ "dhcpv6_drop_source",
	  offsetof(struct passt_stats, dhcpv6_drop_source) },
	{ "dhcpv6_drop_parse",
	  offsetof(struct passt_stats, dhcpv6_drop_parse) },
	{ "dhcpv6_drop_serverid",
	  offsetof(struct passt_stats, dhcpv6_drop_serverid) },
	{ "dhcpv6_drop_clientid",
	  offsetof(struct passt_stats, dhcpv6_drop_clientid) },
	{ "dhcpv6_drop_type",
	  offsetof(struct passt_stats, dhcpv6_drop_type) },
	{ "dhcpv6_drop_server",
	  offsetof(struct passt_stats, dhcpv6_drop_server) },
	{ "dhcpv6_drop_confirm",
	  offsetof(struct passt_stats, dhcpv6_drop_confirm) },
	{ "ndp_drop_short",
	  offsetof(struct passt_stats, ndp_drop_short) },
	{ "ndp_drop_rs",
	  offsetof(struct passt_stats, ndp_drop_rs) },
	{ "ndp_drop_ns",
	  offsetof(struct passt_stats, ndp_drop_ns) },
	{ "ndp_drop_target",
	  offsetof(struct passt_stats, ndp_drop_target) },
	{ "ndp_drop_opts",
	  offsetof(struct passt_stats, ndp_drop_opts) },
	{ "ndp_drop_no_ra",
	  offsetof(struct passt_stats, ndp_drop_no_ra) },
	{ "ndp_drop_ns_other",
	  offsetof(struct passt_stats, ndp_drop_ns_other) },
	{ "ndp_drop_type",
	  offsetof(struct passt_stats, ndp_drop_type) },
	{ "icmp_drop_short",
	  offsetof(struct passt_stats, icmp_drop_short) },
	{ "icmp_drop_type",
	  offsetof(struct passt_stats, icmp_drop_type) },
	{ "icmp_drop_flow",
	  offsetof(struct passt_stats, icmp_drop_flow) },
	{ "icmp_drop_send",
	  offsetof(struct passt_stats, icmp_drop_send) },
	{ "icmp_drop_reply",
	  offsetof(struct passt_stats, icmp_drop_reply) },
	{ "udp_drop_bad",
	  offsetof(struct passt_stats, udp_drop_bad) },
	{ "udp_drop_flow",
	  offsetof(struct passt_stats, udp_drop_flow) },
	{ "udp_drop_full",
	  offsetof(struct passt_stats, udp_drop_full) },
	{ "udp_drop_send",
	  offsetof(struct passt_stats, udp_drop_send) },
	{ "udp_drop_tap",
	  offsetof(struct passt_stats, udp_drop_tap) },
	{ "udp_gso_msgs",
	  offsetof(struct passt_stats, udp_gso_msgs) },
	{ "udp_gso_dgrams",
	  offsetof(struct passt_stats, udp_gso_dgrams) },
	{ "udp_gso_split",
	  offsetof(struct passt_stats, udp_gso_split) },
	{ "tcp_drop_bad",
	  offsetof(struct passt_stats, tcp_drop_bad) },
	{ "tcp_drop_opts",
	  offsetof(struct passt_stats, tcp_drop_opts) },
	{ "tcp_drop_no_conn",
	  offsetof(struct passt_stats, tcp_drop_no_conn) },
	{ "tcp_drop_rst",
	  offsetof(struct passt_stats, tcp_drop_rst) },
	{ "tcp_drop_full",
	  offsetof(struct passt_stats, tcp_drop_full) },
	{ "tcp_drop_ooo",
	  offsetof(struct passt_stats, tcp_drop_ooo) },
	{ "tcp_drop_short",
	  offsetof(struct passt_stats, tcp_drop_short) },
	{ "tcp_drop_handshake",
	  offsetof(struct passt_stats, tcp_drop_handshake) },
	{ "tcp_drop_fin",
	  offsetof(struct passt_stats, tcp_drop_fin) },
	{ "tcp_conns",
	  offsetof(struct passt_stats, tcp_conns) },
	{ "tcp_unreach",
	  offsetof(struct passt_stats, tcp_unreach) },
	{ "tcp_retrans",
	  offsetof(struct passt_stats, tcp_retrans) },
	{ "tcp_splice_conns",
	  offsetof(struct passt_stats, tcp_splice_conns) },
	{ "tcp_splice_drop",
	  offsetof(struct passt_stats, tcp_splice_drop) },
	{ "tcp_splice_connect_fail",
	  offsetof(struct passt_stats, tcp_splice_connect_fail) },
	{ "tcp_splice_reset",
	  offsetof(struct passt_stats, tcp_splice_reset) },
};

/* Flow types, as --stats names them: flow_<name>_live, flow_<name>_refused */
static const char *const passt_flow_names[FLOW_NUM_TYPES] = {
	[FLOW_TCP] = "tcp", [FLOW_TCP_SPLICE] = "tcp_splice",
	[FLOW_UDP] = "udp", [FLOW_PING] = "ping",
};

static_assert(ARRAY_SIZE(passt_stats_names) * sizeof(unsigned long long) ==
	      sizeof(struct passt_stats),
	      "Every counter in struct passt_stats must have a name");

/**
 * passt_stats_get() - Value of one counter
 * @s:		Counters
 * @i:		Index in passt_stats_names[]
 *
 * Return: the counter's value
 */
static unsigned long long passt_stats_get(const struct passt_stats *s,
					  size_t i)
{
	unsigned long long v;

	memcpy(&v, (const char *)s + passt_stats_names[i].off, sizeof(v));
	return v;
}

/**
 * passt_stats_sum() - Sum of the counters whose names start with a prefix
 * @s:		Counters
 * @prefix:	Name prefix, "tcp_drop_" for instance
 *
 * Return: the sum, for the summary lines
 */
static unsigned long long passt_stats_sum(const struct passt_stats *s,
					  const char *prefix)
{
	unsigned long long sum = 0;
	size_t i, len = strlen(prefix);

	for (i = 0; i < ARRAY_SIZE(passt_stats_names); i++) {
		if (!strncmp(passt_stats_names[i].name, prefix, len))
			sum += passt_stats_get(s, i);
	}
	return sum;
}

/**
 * passt_stats_summary() - Print the summary lines, totals per protocol
 * @c:		Execution context
 */
static void passt_stats_summary(const struct ctx *c)
{
	const struct passt_stats *s = &c->stats;

	info("frames in %llu out %llu; drops: short %llu long %llu l2 %llu "
	     "l3 %llu pool %llu out %llu; rejected clients %llu; "
	     "arp %llu/%llu; bad ranges %llu; dhcp %llu dhcpv6 %llu "
	     "ndp %llu icmp %llu udp %llu tcp %llu",
	     s->tap_frames_in, s->tap_frames_out, s->tap_drop_short,
	     s->tap_drop_long, s->tap_drop_l2,
	     passt_stats_sum(s, "tap_drop_l3_"), s->tap_drop_pool,
	     s->tap_drop_out, s->tap_client_rejected, s->arp_replies,
	     passt_stats_sum(s, "arp_drop_"), packet_bad_range_count(),
	     passt_stats_sum(s, "dhcp_drop_"),
	     passt_stats_sum(s, "dhcpv6_drop_"),
	     passt_stats_sum(s, "ndp_drop_"), passt_stats_sum(s, "icmp_drop_"),
	     passt_stats_sum(s, "udp_drop_"), passt_stats_sum(s, "tcp_drop_"));
	info("TCP: connections %llu, resent %llu, unreachable %llu; drops: "
	     "bad %llu, table full %llu, past a gap %llu, buffer full %llu",
	     s->tcp_conns, s->tcp_retrans, s->tcp_unreach, s->tcp_drop_bad,
	     s->tcp_drop_full, s->tcp_drop_ooo, s->tcp_drop_short);
	info("UDP: drops: malformed %llu, no flow %llu, table full %llu, "
	     "socket %llu, tap %llu", s->udp_drop_bad, s->udp_drop_flow,
	     s->udp_drop_full, s->udp_drop_send, s->udp_drop_tap);
	info("UDP: merged sends %llu of %llu datagrams, split again %llu",
	     s->udp_gso_msgs, s->udp_gso_dgrams, s->udp_gso_split);
	info("flows: TCP %u (refused %llu), TCP splice %u (refused %llu), "
	     "UDP %u (refused %llu), ping %u (refused %llu)",
	     flow_count(FLOW_TCP), flow_refused(FLOW_TCP),
	     flow_count(FLOW_TCP_SPLICE), flow_refused(FLOW_TCP_SPLICE),
	     flow_count(FLOW_UDP), flow_refused(FLOW_UDP),
	     flow_count(FLOW_PING), flow_refused(FLOW_PING));
	if (c->vhost_user)
		vhost_user_stats_print();
	if (c->mode == MODE_PASTA)
		info("TCP splice: connections %llu, refused %llu, target "
		     "failed %llu, reset %llu", s->tcp_splice_conns,
		     s->tcp_splice_drop, s->tcp_splice_connect_fail,
		     s->tcp_splice_reset);
}

/**
 * passt_stats_print() - Print counters, for --stats and at debug level
 * @c:		Execution context
 *
 * The summary lines come first, then one "name value" line per counter
 * (names are stable: see passt(1)), vhost-user's too with --vhost-user,
 * then packet.c's count of refused accesses, flow.c's live and refused
 * flows per type, and an end marker: "stats end".
 */
static void passt_stats_print(const struct ctx *c)
{
	size_t i;

	passt_stats_summary(c);
	for (i = 0; i < ARRAY_SIZE(passt_stats_names); i++)
		info("%s %llu", passt_stats_names[i].name,
		     passt_stats_get(&c->stats, i));
	if (c->vhost_user)
		vhost_user_stats_names();
	info("packet_bad_range %llu", packet_bad_range_count());
	for (i = FLOW_TCP; i < FLOW_NUM_TYPES; i++) {
		info("flow_%s_live %u", passt_flow_names[i],
		     flow_count((enum flow_type)i));
		info("flow_%s_refused %llu", passt_flow_names[i],
		     flow_refused((enum flow_type)i));
	}
	info("stats end");
}

/**
 * passt_timer() - Periodic housekeeping for every protocol
 * @c:		Execution context
 * @now:	Current timestamp
 *
 * #syscalls read
 */
static void passt_timer(struct ctx *c, const struct timespec *now)
{
	uint64_t expired;

	if (read(c->timer_fd, &expired, sizeof(expired)) < 0 &&
	    errno != EAGAIN)
		warn_perror_ratelimit("housekeeping timer read");
	ndp_timer(c, now);
	flow_walk_timers(c, now);
	udp_timer(c, now);
	tcp_timer(c, now);
	if (c->stats_interval &&
	    now->tv_sec - c->stats_last.tv_sec >= c->stats_interval) {
		passt_stats_print(c);
		c->stats_last = *now;
	}
}

/**
 * passt_dispatch() - Call the handler for one epoll event
 * @c:		Execution context
 * @ev:		Event
 * @now:	Current timestamp
 */
static void passt_dispatch(struct ctx *c, const struct epoll_event *ev,
			   const struct timespec *now)
{
	union epoll_ref ref = { .u64 = ev->data.u64 };

	switch (ref.type) {
	case EPOLL_TYPE_TAP_PASTA:
		tap_handler_pasta(c, ev->events, now);
		break;
	case EPOLL_TYPE_TAP_PASST:
		tap_handler_passt(c, ev->events, now);
		break;
	case EPOLL_TYPE_TAP_LISTEN:
		tap_listen_handler(c, ev->events);
		break;
	case EPOLL_TYPE_TIMER:
		passt_timer(c, now);
		break;
	case EPOLL_TYPE_TCP:
		tcp_sock_handler(c, ref, ev->events, now);
		break;
	case EPOLL_TYPE_TCP_SPLICE:
		tcp_splice_sock_handler(c, ref, ev->events, now);
		break;
	case EPOLL_TYPE_TCP_LISTEN:
		tcp_listen_handler(c, ref, now);
		break;
	case EPOLL_TYPE_TCP_TIMER:
		tcp_timer_handler(c, ref);
		break;
	case EPOLL_TYPE_UDP_LISTEN:
	case EPOLL_TYPE_UDP_REPLY:
		udp_sock_handler(c, ref, ev->events, now);
		break;
	case EPOLL_TYPE_PING:
		icmp_sock_handler(c, ref, ev->events, now);
		break;
	case EPOLL_TYPE_NSQUIT:
		pasta_netns_quit_handler(c, ref.fd);
		break;
	case EPOLL_TYPE_VHOST_CMD:
		tap_handler_vu_cmd(c, ev->events);
		break;
	case EPOLL_TYPE_VHOST_KICK:
		tap_handler_vu_kick(c, ref, now);
		break;
	default:
		debug("Unexpected epoll reference type %u", ref.type);
	}
}

/**
 * passt_wait() - Wait for events: poll for a while, then sleep
 * @c:		Execution context
 * @events:	Events (output), EPOLL_EVENTS of them at most
 * @now:	Current time on return (output)
 *
 * Return: number of events, negative on error (errno set)
 *
 * Signals blocked otherwise (pasta's SIGCHLD) are taken only in here, with
 * @c->loop_sigmask: their handlers then never interrupt the data path.
 *
 * #syscalls epoll_pwait clock_gettime sched_yield
 */
static int passt_wait(struct ctx *c, struct epoll_event *events,
		      struct timespec *now)
{
	struct timespec start;
	long long slept;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &start);
	*now = start;
	/* No polling window: straight to the blocking wait, one syscall */
	while (c->poll_ns && timespec_diff_ns(now, &start) < c->poll_ns) {
		n = epoll_pwait(c->epollfd, events, EPOLL_EVENTS, 0,
				&c->loop_sigmask);
		if (n)
			return n;
		sched_yield();	/* Others runnable here go first */
		clock_gettime(CLOCK_MONOTONIC, now);
	}

	n = epoll_pwait(c->epollfd, events, EPOLL_EVENTS, -1,
			&c->loop_sigmask);
	clock_gettime(CLOCK_MONOTONIC, now);
	slept = timespec_diff_ns(now, &start);
	if (slept <= LOOP_POLL_MAX_NS)
		c->poll_ns = MIN(MAX(c->poll_ns * 2, LOOP_POLL_MIN_NS),
				 LOOP_POLL_MAX_NS);
	else if ((c->poll_ns /= 2) < LOOP_POLL_MIN_NS)
		c->poll_ns = 0;
	return n;
}

/**
 * passt_exit_child() - pasta: the command has ended, exit with its status
 * @c:		Execution context
 *
 * With --stats, the counters are printed a last time first.
 *
 * #syscalls:pasta exit_group
 */
static void passt_exit_child(const struct ctx *c)
{
	if (c->stats_interval)
		passt_stats_print(c);
	_exit(pasta_child_status());
}

/**
 * passt_loop() - The main loop: wait, dispatch, flush; never returns
 * @c:		Execution context
 */
static void passt_loop(struct ctx *c)
{
	struct epoll_event events[EPOLL_EVENTS];
	struct timespec now;
	int n, i;

	for (;;) {
		n = passt_wait(c, events, &now);
		if (c->mode == MODE_PASTA && pasta_child_status() >= 0)
			passt_exit_child(c);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die_perror("epoll_wait() failed in main loop");
		}
		for (i = 0; i < n; i++)
			passt_dispatch(c, &events[i], &now);
		udp_flush(c);
		tcp_flush(c);
	}
}

/**
 * passt_exit_handler() - SIGTERM, SIGINT, SIGHUP: clean up and exit
 * @signo:	Signal number
 *
 * passt's UNIX socket file stays: the filesystem is out of reach by now,
 * and the seccomp filter allows no unlink (isolation.c). The next passt
 * started on that path replaces it.
 *
 * #syscalls exit_group
 * #syscalls:pasta kill
 */
static void passt_exit_handler(int signo)
{
	const struct ctx *c = &passt_ctx;

	if (c->mode == MODE_PASTA && c->pasta_child_pid > 0)
		kill(c->pasta_child_pid, signo);
	_exit(EXIT_SUCCESS);
}

/**
 * passt_signals_init() - Install signal handlers (set-up)
 */
static void passt_signals_init(void)
{
	struct sigaction sa = { .sa_handler = passt_exit_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/**
 * passt_stdio_init() - Make fds 0-2 safe before anything is opened (set-up)
 *
 * A launcher may start us with standard descriptors closed: the next
 * socket, log or capture file would then take one of them, and whatever
 * writes to "standard error" would write into it. Closed ones are opened on
 * /dev/null, so nothing else ever lands on 0-2. A launcher may also hand
 * over a standard error pipe whose reader is gone: SIGPIPE is ignored from
 * here on, and log.c drops what standard error refuses.
 */
static void passt_stdio_init(void)
{
	int fd;

	signal(SIGPIPE, SIG_IGN);
	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		int null;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		null = open("/dev/null", O_RDWR);
		if (null < 0)
			die_perror("Can't open /dev/null for descriptor %i", fd);
		if (null != fd && (dup2(null, fd) < 0 || close(null)))
			die_perror("Can't open /dev/null as descriptor %i", fd);
	}
}

/**
 * passt_mode_from_argv0() - Choose the personality from the program name
 * @argv0:	argv[0]
 *
 * Return: MODE_PASTA if the base name starts with "pasta", else MODE_PASST
 */
static enum passt_mode passt_mode_from_argv0(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	return strncmp(base, "pasta", strlen("pasta")) ? MODE_PASST : MODE_PASTA;
}

/**
 * passt_pasta_setup() - pasta: namespace, tap device, namespace set-up
 * @c:		Execution context
 */
static void passt_pasta_setup(struct ctx *c)
{
	if (*c->netns_path)
		pasta_open_ns(c);
	else
		pasta_start_ns(c);
	ns_call_setup(c->pasta_netns_fd);
	nl_sock_init(c, true);
	if (!c->splice_only)
		pasta_tap_create(c);
	pasta_ns_conf(c);
}

/**
 * struct passt_fork_state - Forking to background or into a PID namespace
 * @nullfd:	/dev/null for a daemon's standard streams, opened at set-up
 * @child:	passt in the foreground: the child that runs the loop, as
 *		seen by its parent, which relays signals to it
 */
static struct passt_fork_state {
	int nullfd;
	pid_t child;
} passt_fork = { -1, 0 };

/**
 * passt_fork_prepare() - Open what forking to background needs later
 * @c:		Execution context
 *
 * A daemon without log file logs to syslog: connect now too.
 */
static void passt_fork_prepare(const struct ctx *c)
{
	if (c->foreground)
		return;
	passt_fork.nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (passt_fork.nullfd < 0)
		die_perror("Can't open /dev/null");
	if (!*c->log_file && !c->stderr)
		log_syslog_connect();
}

/**
 * passt_relay_handler() - Foreground parent: pass a signal on to the child
 * @signo:	Signal number
 */
static void passt_relay_handler(int signo)
{
	if (passt_fork.child > 0)
		kill(passt_fork.child, signo);
}

/**
 * passt_relay() - Foreground parent of the loop: relay signals, then exit
 *		   with the child's status
 * @child:	The child, in its own PID namespace, running the loop
 *
 * Runs isolated (isolation.c) but outside the loop's system call filter.
 */
static void passt_relay(pid_t child)
{
	struct sigaction sa = { .sa_handler = passt_relay_handler };
	int status = 0;

	/* The child's descriptors are its own: no peer waits on our copies */
	syscall(SYS_close_range, STDERR_FILENO + 1, ~0U, 0);
	passt_fork.child = child;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR)
			_exit(EXIT_FAILURE);
	}
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	_exit(128 + WTERMSIG(status));
}

/**
 * passt_background() - Fork to background or into our PID namespace, as
 *			asked; write the PID of the process running the loop
 * @c:		Execution context
 * @pidns:	A PID namespace waits for our next child (isolate_prefork())
 */
static void passt_background(struct ctx *c, bool pidns)
{
	pid_t pid;

	if (!c->foreground) {
		pid = daemonise(passt_fork.nullfd);
		if (pid) {
			if (c->pidfile_fd >= 0)
				pidfile_write(c->pidfile_fd, pid);
			_exit(EXIT_SUCCESS);
		}
		if (!*c->log_file && !c->stderr)
			log_set_stderr(false);
	} else if (pidns) {
		pid = fork();
		if (pid < 0)
			die_perror("Can't fork into our PID namespace");
		if (pid) {
			if (c->pidfile_fd >= 0)
				pidfile_write(c->pidfile_fd, pid);
			isolate_postfork(c);
			passt_relay(pid);
		}
	} else if (c->pidfile_fd >= 0) {
		pidfile_write(c->pidfile_fd, getpid());
		c->pidfile_fd = -1;
	}
	if (c->pidfile_fd >= 0)
		close(c->pidfile_fd);
	c->pidfile_fd = -1;
}

/**
 * main() - Set up, drop privileges, fork if asked, run the loop
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: doesn't return: exits from the loop, handlers or on errors
 */
int main(int argc, char **argv)
{
	struct ctx *c = &passt_ctx;

	passt_stdio_init();
	c->mode = passt_mode_from_argv0(argv[0]);
	log_init(c->mode == MODE_PASTA ? "pasta" : "passt", true, LOG_INFO);
	c->epollfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epollfd < 0)
		die_perror("Can't create epoll instance");
	conf(c, argc, argv);
	if (*c->log_file)
		log_open_file(c->log_file);
	if (*c->pidfile)
		c->pidfile_fd = pidfile_open(c->pidfile);
	isolate_nofile();
	passt_signals_init();
	sigprocmask(SIG_SETMASK, NULL, &c->loop_sigmask);
	pcap_init(c->pcap);
	if (c->mode == MODE_PASTA)
		passt_pasta_setup(c);
	tap_backend_init(c);
	flow_init();
	icmp_init(c);
	udp_init(c);
	tcp_init(c);
	passt_timer_init(c);
	if (!c->quiet)
		conf_print(c);
	passt_fork_prepare(c);
	isolate_user(c);
	passt_background(c, isolate_prefork(c));
	isolate_postfork(c);
	if (c->mode == MODE_PASTA)
		pasta_release_child(c);
	isolate_seccomp(c);
	passt_loop(c);
	return EXIT_SUCCESS;
}
