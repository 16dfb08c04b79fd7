/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwd.h - Forwarding decisions: where a new flow goes, with which addresses */

#ifndef FWD_H
#define FWD_H

#include <stdint.h>

#include "flow.h"

struct ctx;

enum flow_pif fwd_from_tap(const struct ctx *c, uint8_t proto,
			   const struct flowside *ini, struct flowside *tgt);
enum flow_pif fwd_from_host(const struct ctx *c, uint8_t proto,
			    enum flow_pif pif, const struct flowside *ini,
			    struct flowside *tgt);

#endif /* FWD_H */
