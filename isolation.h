/* SPDX-License-Identifier: GPL-2.0-or-later */
/* isolation.h - Privilege dropping and sandboxing stages */

#ifndef ISOLATION_H
#define ISOLATION_H

#include "ctx.h"

void isolate_nofile(void);
void isolate_user(struct ctx *c);
bool isolate_prefork(const struct ctx *c);
void isolate_postfork(const struct ctx *c);
void isolate_seccomp(const struct ctx *c);

#endif /* ISOLATION_H */
