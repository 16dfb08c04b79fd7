/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcap.h - Packet capture in classic pcap format */

#ifndef PCAP_H
#define PCAP_H

#include <stddef.h>
#include <sys/uio.h>

void pcap_init(const char *path);
void pcap(const void *l2, size_t l2len);
void pcap_iov(const struct iovec *iov, size_t iovcnt);

#endif /* PCAP_H */
