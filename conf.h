/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf.h - Command line parsing and configuration */

#ifndef CONF_H
#define CONF_H

#include "ctx.h"

void conf(struct ctx *c, int argc, char **argv);
void conf_print(const struct ctx *c);

#endif /* CONF_H */
