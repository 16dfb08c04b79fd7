/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flow_walk.h - Per-flow timers of every protocol, from one walk */

#ifndef FLOW_WALK_H
#define FLOW_WALK_H

#include <time.h>

#include "ctx.h"

void flow_walk_timers(struct ctx *c, const struct timespec *now);

#endif /* FLOW_WALK_H */
