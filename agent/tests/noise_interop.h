/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wireguard-go interop test case, part of noise_suite() so that the
 * suite list in suites.h gains one line for the whole handshake.
 */
#ifndef FZ_AGENT_TESTS_NOISE_INTEROP_H
#define FZ_AGENT_TESTS_NOISE_INTEROP_H

#include <check.h>

TCase *noise_interop_tcase(void);

#endif /* FZ_AGENT_TESTS_NOISE_INTEROP_H */
