/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_RECEIVE_H
#define _FZ_RECEIVE_H

#include <linux/types.h>
#include <linux/workqueue.h>

struct fz_device;

void fz_handshake_worker(struct work_struct *work);
/* Notes a handshake message fzagent sent, so its cookie reply may pass. */
void fz_handshake_sent(struct fz_device *fz, const u8 *msg, size_t len);

#endif /* _FZ_RECEIVE_H */
