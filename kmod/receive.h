/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_RECEIVE_H
#define _FZ_RECEIVE_H

#include <linux/workqueue.h>

void fz_handshake_worker(struct work_struct *work);

#endif /* _FZ_RECEIVE_H */
