/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_timerq.h - Deadlines of TCP tap-path connections, earliest first */

#ifndef TCP_TIMERQ_H
#define TCP_TIMERQ_H

#include <stdbool.h>
#include <stdint.h>

void tcp_timerq_set(uint32_t idx, uint64_t deadline);
void tcp_timerq_cancel(uint32_t idx);
bool tcp_timerq_first(uint64_t *deadline);
bool tcp_timerq_pop(uint64_t now, uint32_t *idx);

#endif /* TCP_TIMERQ_H */
