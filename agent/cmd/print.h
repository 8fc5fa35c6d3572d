/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output of `fzagent show`: a parsed device as wg-style text or as one
 * line of JSON. Kept apart from the netlink code so it can be tested on
 * devices built in memory.
 */
#ifndef FZ_AGENT_PRINT_H
#define FZ_AGENT_PRINT_H

#include <stdint.h>
#include <stdio.h>

struct fzk_device_view;

void cmd_print_device_text(FILE *f, const struct fzk_device_view *dev,
			   uint64_t now_ns);
void cmd_print_device_json(FILE *f, const struct fzk_device_view *dev);

#endif /* FZ_AGENT_PRINT_H */
