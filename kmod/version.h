/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FZ_VERSION_H
#define _FZ_VERSION_H

/* Keep in step with dkms.conf's PACKAGE_VERSION (a selftest checks). */
#define FZ_VERSION "0.1.0"

#endif /* _FZ_VERSION_H */
