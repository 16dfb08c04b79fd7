// SPDX-License-Identifier: GPL-2.0-or-later
/* pcap.c - Capture of guest-facing frames in classic pcap format
 *
 * The file is opened at set-up (--pcap) with a global header for Ethernet
 * (link type 1) and microsecond time stamps; every frame to and from the
 * guest is then appended with a record header, in one writev() per frame.
 * Write errors are counted and logged rate-limited: capture never stops
 * the data path.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/uio.h>

#include "log.h"
#include "packet.h"
#include "pcap.h"
#include "util.h"

#define PCAP_MAGIC		0xa1b2c3d4
#define PCAP_VERSION_MAJOR	2
#define PCAP_VERSION_MINOR	4
#define PCAP_LINKTYPE_ETHERNET	1
#define PCAP_SNAPLEN		262144U
#define PCAP_IOV_MAX		32

static_assert(PCAP_IOV_MAX > PACKET_IOV_MAX, "A frame from the guest, whole");

/**
 * struct pcap_file_hdr - Global header of a pcap file (host order)
 * @magic:	PCAP_MAGIC
 * @major:	Major version
 * @minor:	Minor version
 * @thiszone:	GMT offset, zero
 * @sigfigs:	Accuracy, zero
 * @snaplen:	Largest record
 * @linktype:	Link type
 */
struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major;
	uint16_t minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

/**
 * struct pcap_rec_hdr - Record header (host order)
 * @tv_sec:	Seconds
 * @tv_usec:	Microseconds
 * @caplen:	Bytes captured
 * @len:	Length of the frame
 */
struct pcap_rec_hdr {
	uint32_t tv_sec;
	uint32_t tv_usec;
	uint32_t caplen;
	uint32_t len;
};

/* Capture file descriptor, -1 when not capturing */
static int pcap_fd = -1;

/**
 * pcap_init() - Create the capture file and write its header (set-up)
 * @path:	File path, empty for no capture
 */
void pcap_init(const char *path)
{
	struct pcap_file_hdr h = {
		PCAP_MAGIC, PCAP_VERSION_MAJOR, PCAP_VERSION_MINOR, 0, 0,
		PCAP_SNAPLEN, PCAP_LINKTYPE_ETHERNET,
	};

	if (!path || !*path)
		return;
	pcap_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (pcap_fd < 0)
		die_perror("Can't open capture file %s", path);
	if (write(pcap_fd, &h, sizeof(h)) != sizeof(h))
		die_perror("Can't write capture file %s", path);
	info("Saving packet capture to %s", path);
}

/**
 * pcap_iov() - Append one frame, given as an iovec array
 * @iov:	Frame pieces, from the Ethernet header
 * @iovcnt:	Number of pieces, at most PCAP_IOV_MAX - 1
 *
 * #syscalls writev clock_gettime
 */
void pcap_iov(const struct iovec *iov, size_t iovcnt)
{
	struct iovec v[PCAP_IOV_MAX];
	struct pcap_rec_hdr h;
	struct timespec ts;
	size_t i, len = 0;

	if (pcap_fd < 0)
		return;
	if (iovcnt > PCAP_IOV_MAX - 1)
		iovcnt = PCAP_IOV_MAX - 1;
	for (i = 0; i < iovcnt; i++) {
		v[i + 1] = iov[i];
		len += iov[i].iov_len;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	h.tv_sec = (uint32_t)ts.tv_sec;
	h.tv_usec = (uint32_t)(ts.tv_nsec / 1000);
	h.len = (uint32_t)len;
	h.caplen = (uint32_t)MIN(len, PCAP_SNAPLEN);
	v[0].iov_base = &h;
	v[0].iov_len = sizeof(h);
	if (len > PCAP_SNAPLEN) {
		debug_ratelimit("pcap: frame of %zu bytes not captured", len);
		return;
	}
	if (writev(pcap_fd, v, (int)iovcnt + 1) < 0)
		warn_perror_ratelimit("Can't write capture file");
}

/**
 * pcap() - Append one contiguous frame
 * @l2:		Frame, from the Ethernet header
 * @l2len:	Length, bytes
 */
void pcap(const void *l2, size_t l2len)
{
	struct iovec v = { (void *)l2, l2len };

	pcap_iov(&v, 1);
}
