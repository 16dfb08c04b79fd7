/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pasta.h - Namespace creation and joining, command spawning, namespace set-up */

#ifndef PASTA_H
#define PASTA_H

#include "ctx.h"

void pasta_open_ns(struct ctx *c);
void pasta_start_ns(struct ctx *c);
void pasta_tap_create(struct ctx *c);
void pasta_ns_conf(struct ctx *c);
void pasta_release_child(struct ctx *c);
int pasta_child_status(void);
void pasta_netns_quit_handler(struct ctx *c, int fd);

#endif /* PASTA_H */
