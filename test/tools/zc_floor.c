// SPDX-License-Identifier: GPL-2.0-or-later
/* zc_floor.c - The floor for TCP to and from shared memory: sending with
 * and without MSG_ZEROCOPY, receiving with MSG_PEEK and MSG_TRUNC or recv()
 *
 * Usage: zc_floor MODE ARGS
 *   sink ADDR PORT		accept one TCP connection, read it to EOF into a
 *				ZC_SINK_BUF buffer, print "received BYTES cpu
 *				C" (C: user + system seconds while reading),
 *				exit
 *   copy ADDR PORT SECONDS [BATCH [GBIT]]
 *				connect, send ZC_SEG-byte buffers with plain
 *				sendmsg() for SECONDS seconds, BATCH of them
 *				(default 1, at most ZC_BATCH_MAX) per call,
 *				close; with GBIT (Gbit/s, > 0), paced: after
 *				each call, sleep until the rate allows the
 *				next one
 *   zerocopy ADDR PORT SECONDS [BATCH [GBIT]]
 *				the same with SO_ZEROCOPY and MSG_ZEROCOPY,
 *				completions read from the error queue
 *   source ADDR PORT SECONDS [BATCH [GBIT]]
 *				accept one TCP connection, then send to it as
 *				copy does, close
 *   peek ADDR PORT [BATCH]	connect, receive to EOF into the shared area:
 *				recvmsg(MSG_PEEK) into BATCH ZC_SEG-byte slots
 *				(default 1), then recv(MSG_TRUNC) of the
 *				bytes peeked, as passt does
 *   recv ADDR PORT [BATCH]	the same with plain recvmsg() into the slots
 *
 * Theory of Operation
 *
 * passt with vhost-user sends TCP payloads to the host socket from guest
 * memory: a memfd shared with qemu, mapped MAP_SHARED. This program sends
 * the same way, from a ZC_AREA-byte memfd mapping, ZC_SEG bytes per slot
 * from consecutive slots, so that the cost of the send path alone can be
 * measured, with the kernel's copy (copy) and without it (zerocopy). passt
 * gathers a batch of the guest's frames into one sendmsg() (about 1 MiB
 * in a bulk transfer at MTU 65520): BATCH slots per call play that part.
 *
 * passt does not send as fast as the socket takes data, though: it sends
 * what the guest gave it since it last woke, so the guest's pace sets how
 * big its batches are and how often it wakes. GBIT plays that part: the
 * sender keeps a schedule, each call's bytes moving the next call's time
 * on by bytes * 8 / GBIT nanoseconds, and sleeps until then with
 * clock_nanosleep(TIMER_ABSTIME), waking once per batch. A sender behind
 * its schedule sends at once and the schedule restarts from the present
 * (no credit for lost time, so no bursts to catch up); such sends are
 * counted as late. The rate reached is in the output line: below GBIT if
 * the sender could not keep up.
 *
 * With MSG_ZEROCOPY, a slot's pages belong to the kernel until the
 * completion for its send arrives on the error queue (a range of send
 * counters, SO_EE_ORIGIN_ZEROCOPY); slots are reused in order, so at most
 * ZC_SLOTS / BATCH sends are outstanding and the sender waits (poll() for
 * POLLERR) when all are. A completion flagged SO_EE_CODE_ZEROCOPY_COPIED
 * means the kernel copied the pages after all (e.g. at local delivery); they are
 * counted. ENOBUFS from send() (notification memory charged to optmem
 * exhausted) is handled the same way: wait for completions, then retry.
 *
 * passt receives the other way round (tcp.c, tcp_vu.c): recvmsg() with
 * MSG_PEEK writes the payload straight into the guest's receive buffers in
 * that same shared memory, the bytes stay queued until the guest
 * acknowledges them, and recv(MSG_TRUNC) then drops them. peek does this
 * and nothing else, dropping what it peeked right away, BATCH slots per
 * call; recv is the plain receiver for comparison, one copy and one call.
 * Its peer is source, a copying sender in the other namespace.
 *
 * A receiver prints "received BYTES cpu C calls N", N the receiving calls
 * (peeks for peek). The sender prints one line: "bytes B seconds S cpu C
 * gbit G cpu_per_gbit X sends N completions M copied K late L", C being
 * this process's user + system time (getrusage()) during the sending,
 * including softirq work the kernel charges to it, L the paced sends made
 * behind schedule (0 unpaced). Exit status 0 on success, 1 on errors, 2 on
 * usage errors.
 */

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/errqueue.h>

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY		60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY		0x4000000
#endif

#define ZC_SEG			65536		/* Bytes per send() */
#define ZC_SLOTS		256		/* Buffers in the shared area */
#define ZC_BATCH_MAX		64		/* Slots per sendmsg() at most */
#define ZC_AREA			(ZC_SEG * ZC_SLOTS)
#define ZC_SINK_BUF		(128 * 1024)	/* Sink's read buffer */
#define ZC_CMSG_BUF		128		/* Error queue control data */
#define ZC_WAIT_MS		1000		/* poll() for completions */
#define ZC_NS			1000000000ULL	/* Nanoseconds per second */

/**
 * struct zc_stat - What the sender did
 * @sends:	Successful send() calls
 * @done:	Sends whose completion arrived
 * @copied:	Completions flagged as copied by the kernel
 * @bytes:	Bytes sent
 * @late:	Paced sends made behind schedule
 */
struct zc_stat {
	uint64_t sends;
	uint64_t done;
	uint64_t copied;
	uint64_t bytes;
	uint64_t late;
};

/**
 * zc_addr() - Fill an IPv4 address
 * @sa:		Address (output)
 * @addr:	Dotted quad
 * @port:	Port, string
 *
 * Return: 0 on success, -1 on a bad address or port
 */
static int zc_addr(struct sockaddr_in *sa, const char *addr, const char *port)
{
	char *end;
	long p = strtol(port, &end, 10);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (*end || p <= 0 || p > 65535 ||
	    inet_pton(AF_INET, addr, &sa->sin_addr) != 1)
		return -1;
	sa->sin_port = htons((uint16_t)p);
	return 0;
}

/**
 * zc_now() - Monotonic time
 *
 * Return: seconds
 */
static double zc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/**
 * zc_cpu() - This process's user and system time so far
 *
 * Return: seconds
 */
static double zc_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/**
 * zc_ns() - Monotonic time in nanoseconds
 *
 * Return: nanoseconds
 */
static uint64_t zc_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * ZC_NS + (uint64_t)ts.tv_nsec;
}

/**
 * zc_pace() - Move the schedule on by a send, sleep until its next slot
 * @next:	Time the send just made was due (zc_ns()), updated to the
 *		next one's
 * @bytes:	Bytes the send just made moved
 * @gbit:	Rate, Gbit/s
 * @st:		Counters, updated
 *
 * Return: 0 on success, -1 on errors
 */
static int zc_pace(uint64_t *next, uint64_t bytes, double gbit,
		   struct zc_stat *st)
{
	uint64_t now = zc_ns();
	struct timespec ts;
	int rc;

	*next += (uint64_t)((double)bytes * 8 / gbit);
	if (*next <= now) {
		/* Behind: send at once, no credit for the time lost */
		st->late++;
		*next = now;
		return 0;
	}
	ts.tv_sec = (time_t)(*next / ZC_NS);
	ts.tv_nsec = (long)(*next % ZC_NS);
	do
		rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	while (rc == EINTR);
	errno = rc;
	return rc ? -1 : 0;
}

/**
 * zc_reap() - Read the completions waiting on the error queue
 * @fd:		Socket
 * @st:		Counters, updated
 *
 * Return: 0 on success (also when nothing was waiting), -1 on errors
 */
static int zc_reap(int fd, struct zc_stat *st)
{
	char control[ZC_CMSG_BUF];

	for (;;) {
		struct msghdr mh = { .msg_control = control,
				     .msg_controllen = sizeof(control) };
		const struct sock_extended_err *ee;
		struct cmsghdr *cm;

		if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return (errno == EAGAIN) ? 0 : -1;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (!((cm->cmsg_level == SOL_IP &&
			       cm->cmsg_type == IP_RECVERR) ||
			      (cm->cmsg_level == SOL_IPV6 &&
			       cm->cmsg_type == IPV6_RECVERR)))
				continue;
			ee = (const struct sock_extended_err *)CMSG_DATA(cm);
			if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY ||
			    ee->ee_errno)
				continue;
			/* ee_info to ee_data: range of send counters */
			st->done += (uint32_t)(ee->ee_data - ee->ee_info) + 1;
			if (ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
				st->copied += (uint32_t)(ee->ee_data -
							 ee->ee_info) + 1;
		}
	}
}

/**
 * zc_wait() - Wait for completions, then read them
 * @fd:		Socket
 * @st:		Counters, updated
 *
 * Return: 0 on success, -1 on errors or if none came within ZC_WAIT_MS
 */
static int zc_wait(int fd, struct zc_stat *st)
{
	struct pollfd pfd = { .fd = fd, .events = 0 };
	uint64_t before = st->done;

	if (poll(&pfd, 1, ZC_WAIT_MS) <= 0 || !(pfd.revents & POLLERR))
		return -1;
	if (zc_reap(fd, st))
		return -1;
	return (st->done > before) ? 0 : -1;
}

/**
 * zc_area() - Map a memfd-backed shared area, as guest memory is mapped
 *
 * Return: the area, NULL on errors
 */
static char *zc_area(void)
{
	int fd = memfd_create("zc_floor", 0);
	char *p;

	if (fd < 0 || ftruncate(fd, ZC_AREA)) {
		perror("zc_floor: memfd");
		return NULL;
	}
	p = mmap(NULL, ZC_AREA, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("zc_floor: mmap");
		return NULL;
	}
	memset(p, 'z', ZC_AREA);
	return p;
}

/**
 * zc_iov() - Point an iovec array at consecutive slots of the shared area
 * @iov:	Array of at least @batch entries
 * @area:	Shared area
 * @first:	First slot
 * @batch:	Slots
 */
static void zc_iov(struct iovec *iov, char *area, unsigned first,
		   unsigned batch)
{
	unsigned k;

	for (k = 0; k < batch; k++) {
		iov[k].iov_base = area + (size_t)(first + k) * ZC_SEG;
		iov[k].iov_len = ZC_SEG;
	}
}

/**
 * zc_send_one() - Send a batch of slots, waiting for completions as needed
 * @fd:		Socket
 * @area:	Shared area
 * @first:	First slot of the batch
 * @batch:	Slots in the batch, ZC_SLOTS a multiple of it
 * @zc:		Use MSG_ZEROCOPY
 * @st:		Counters, updated
 *
 * Return: 0 on success, -1 on errors
 */
static int zc_send_one(int fd, char *area, unsigned first, unsigned batch,
		       int zc, struct zc_stat *st)
{
	struct iovec iov[ZC_BATCH_MAX];
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = batch };
	ssize_t n;

	zc_iov(iov, area, first, batch);
	while (zc && st->sends - st->done >= ZC_SLOTS / batch)
		if (zc_wait(fd, st))
			return -1;
	for (;;) {
		n = sendmsg(fd, &mh, zc ? MSG_ZEROCOPY : 0);
		if (n >= 0)
			break;
		if (!zc || errno != ENOBUFS || zc_wait(fd, st))
			return -1;
	}
	st->sends++;
	st->bytes += (uint64_t)n;
	/* Completions for sends in a row merge: read them once in a while */
	if (zc && !(st->sends % (ZC_SLOTS / batch / 4 + 1)))
		return zc_reap(fd, st);
	return 0;
}

/**
 * zc_send_loop() - Send for a while on a connected socket, print the figures
 * @fd:		Connected socket, closed here
 * @secs:	Seconds to send
 * @batch:	Slots per sendmsg(), ZC_SLOTS a multiple of it
 * @zc:		Use MSG_ZEROCOPY
 * @rate:	Pace to this many Gbit/s, 0 for as fast as the socket takes
 *
 * Return: 0 on success, 1 on errors
 */
static int zc_send_loop(int fd, double secs, unsigned batch, int zc,
			double rate)
{
	struct zc_stat st = { 0 };
	double t0, c0, t, c, gbit;
	uint64_t next, sent;
	char *area;
	int one = 1;
	unsigned i;

	area = zc_area();
	if (!area)
		return 1;
	if (zc && setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) {
		perror("zc_floor: SO_ZEROCOPY");
		return 1;
	}
	t0 = zc_now();
	c0 = zc_cpu();
	next = zc_ns();
	for (i = 0; zc_now() - t0 < secs; i = (i + batch) % ZC_SLOTS) {
		sent = st.bytes;
		if (zc_send_one(fd, area, i, batch, zc, &st)) {
			perror("zc_floor: send");
			return 1;
		}
		if (rate > 0 && zc_pace(&next, st.bytes - sent, rate, &st)) {
			perror("zc_floor: clock_nanosleep");
			return 1;
		}
	}
	while (zc && st.done < st.sends)
		if (zc_wait(fd, &st))
			break;
	c = zc_cpu() - c0;
	t = zc_now() - t0;
	close(fd);
	gbit = (double)st.bytes * 8 / 1e9;
	printf("bytes %llu seconds %.3f cpu %.3f gbit %.3f cpu_per_gbit %.4f "
	       "sends %llu completions %llu copied %llu late %llu\n",
	       (unsigned long long)st.bytes, t, c, gbit / t, c / gbit,
	       (unsigned long long)st.sends, (unsigned long long)st.done,
	       (unsigned long long)st.copied, (unsigned long long)st.late);
	return 0;
}

/**
 * zc_connect() - Connect to a TCP server
 * @sa:		Server address
 *
 * Return: connected socket, -1 on errors
 */
static int zc_connect(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)sa, sizeof(*sa))) {
		perror("zc_floor: connect");
		return -1;
	}
	return fd;
}

/**
 * zc_accept() - Listen, accept one TCP connection
 * @sa:		Address to listen on
 *
 * Return: connected socket, -1 on errors
 */
static int zc_accept(const struct sockaddr_in *sa)
{
	int one = 1, s, fd;

	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one)) ||
	    bind(s, (const struct sockaddr *)sa, sizeof(*sa)) || listen(s, 1)) {
		perror("zc_floor: listen");
		return -1;
	}
	fd = accept(s, NULL, NULL);
	if (fd < 0)
		perror("zc_floor: accept");
	close(s);
	return fd;
}

/**
 * zc_sink() - Accept one connection and read it to its end
 * @sa:		Address to listen on
 *
 * Return: 0 on success, 1 on errors
 */
static int zc_sink(const struct sockaddr_in *sa)
{
	static char buf[ZC_SINK_BUF];
	uint64_t total = 0;
	double c0;
	ssize_t n;
	int fd;

	fd = zc_accept(sa);
	if (fd < 0)
		return 1;
	c0 = zc_cpu();
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		total += (uint64_t)n;
	if (n < 0) {
		perror("zc_floor: recv");
		return 1;
	}
	printf("received %llu cpu %.3f\n", (unsigned long long)total,
	       zc_cpu() - c0);
	return 0;
}

/**
 * zc_recv_one() - Receive once into a batch of slots, peeked or plain
 * @fd:		Socket
 * @area:	Shared area
 * @first:	First slot of the batch
 * @batch:	Slots in the batch, ZC_SLOTS a multiple of it
 * @peek:	Peek, then drop the bytes peeked with MSG_TRUNC
 *
 * Return: bytes received, 0 at end of stream, -1 on errors
 */
static ssize_t zc_recv_one(int fd, char *area, unsigned first, unsigned batch,
			   int peek)
{
	struct iovec iov[ZC_BATCH_MAX];
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = batch };
	ssize_t n;

	zc_iov(iov, area, first, batch);
	n = recvmsg(fd, &mh, peek ? MSG_PEEK : 0);
	if (n <= 0 || !peek)
		return n;
	/* A peek blocks until data is there, the drop takes all of it */
	if (recv(fd, NULL, (size_t)n, MSG_TRUNC) != n)
		return -1;
	return n;
}

/**
 * zc_recv() - Connect and receive to the end of the stream, print figures
 * @sa:		Server address
 * @batch:	Slots per receiving call, ZC_SLOTS a multiple of it
 * @peek:	Peek, then drop, as passt does; otherwise plain recvmsg()
 *
 * Return: 0 on success, 1 on errors
 */
static int zc_recv(const struct sockaddr_in *sa, unsigned batch, int peek)
{
	uint64_t total = 0, calls = 0;
	unsigned i = 0;
	char *area;
	ssize_t n;
	double c0;
	int fd;

	area = zc_area();
	if (!area || (fd = zc_connect(sa)) < 0)
		return 1;
	c0 = zc_cpu();
	while ((n = zc_recv_one(fd, area, i, batch, peek)) > 0) {
		total += (uint64_t)n;
		calls++;
		i = (i + batch) % ZC_SLOTS;
	}
	if (n < 0) {
		perror("zc_floor: recv");
		return 1;
	}
	printf("received %llu cpu %.3f calls %llu\n",
	       (unsigned long long)total, zc_cpu() - c0,
	       (unsigned long long)calls);
	return 0;
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	Mode and its arguments, see the file's header
 *
 * Return: 0 on success, 1 on errors, 2 on usage errors
 */
int main(int argc, char **argv)
{
	unsigned long batch = 1;
	double secs = 0, rate = 0;
	struct sockaddr_in sa;
	int rx, fd, barg;
	char *end;

	if (argc < 4 || zc_addr(&sa, argv[2], argv[3]))
		goto usage;
	if (!strcmp(argv[1], "sink") && argc == 4)
		return zc_sink(&sa);
	rx = !strcmp(argv[1], "peek") || !strcmp(argv[1], "recv");
	barg = rx ? 4 : 5;
	if (!rx && (argc < 5 || (secs = atof(argv[4])) <= 0))
		goto usage;
	if (argc > barg + 1 + !rx)
		goto usage;
	if (argc >= barg + 1) {
		batch = strtoul(argv[barg], &end, 10);
		if (*end || !batch || batch > ZC_BATCH_MAX ||
		    ZC_SLOTS % batch)
			goto usage;
	}
	if (argc == barg + 2) {
		rate = strtod(argv[barg + 1], &end);
		if (*end || !(rate > 0))
			goto usage;
	}
	if (rx)
		return zc_recv(&sa, (unsigned)batch, argv[1][0] == 'p');
	if (!strcmp(argv[1], "source")) {
		fd = zc_accept(&sa);
		return fd < 0 ? 1 : zc_send_loop(fd, secs, (unsigned)batch, 0,
						 rate);
	}
	if (strcmp(argv[1], "copy") && strcmp(argv[1], "zerocopy"))
		goto usage;
	fd = zc_connect(&sa);
	return fd < 0 ? 1 : zc_send_loop(fd, secs, (unsigned)batch,
					 argv[1][0] == 'z', rate);
usage:
	fprintf(stderr, "Usage: zc_floor sink ADDR PORT | "
		"zc_floor copy|zerocopy|source ADDR PORT SECONDS "
		"[BATCH [GBIT]] | zc_floor peek|recv ADDR PORT [BATCH]\n"
		"  BATCH: 1 to %d, dividing %d; GBIT: pace to this rate, "
		"Gbit/s\n", ZC_BATCH_MAX, ZC_SLOTS);
	return 2;
}
