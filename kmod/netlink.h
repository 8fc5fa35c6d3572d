/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_NETLINK_H
#define _FZ_NETLINK_H

int fz_genl_init(void);
void fz_genl_uninit(void);

#endif /* _FZ_NETLINK_H */
