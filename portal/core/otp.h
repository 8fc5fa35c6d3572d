/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One-time codes for signing in by email: six decimal digits, sent by mail
 * and typed back. The portal keeps only a keyed hash of the code while it
 * waits (BLAKE2b keyed with a random key made once per process), so a dump
 * of its memory or a log of its flows does not show the code in clear;
 * the key dies with the process, as do the waiting flows.
 *
 * sodium_init() must have run (as for every random draw of the portal).
 * Thread-safe.
 *
 * Guessing is bounded by the caller (few tries per flow, per address and
 * per source), not here: a million codes are few.
 */
#ifndef FZ_PORTAL_CORE_OTP_H
#define FZ_PORTAL_CORE_OTP_H

#include <stdbool.h>
#include <stdint.h>

#define CORE_OTP_DIGITS 6
#define CORE_OTP_HASH_LEN 32
/* Longer input is refused before it is looked at. */
#define CORE_OTP_INPUT_MAX 64

/*
 * A new code: CORE_OTP_DIGITS uniformly random digits, leading zeros kept,
 * NUL-terminated. The caller wipes it (sodium_memzero) once mailed.
 */
void core_otp_new(char code[CORE_OTP_DIGITS + 1]);

/* The keyed hash of a code as core_otp_new() made it. */
void core_otp_hash(uint8_t hash[CORE_OTP_HASH_LEN],
		   const char code[CORE_OTP_DIGITS + 1]);

/*
 * What the user typed into the code: white space and dashes (ASCII, and
 * the Unicode spaces and dashes a phone or a copy may put in) are dropped;
 * exactly CORE_OTP_DIGITS ASCII digits must remain, and nothing else. 0,
 * or -EINVAL with *why (if not NULL) saying what is wrong and code wiped.
 */
int core_otp_normalise(char code[CORE_OTP_DIGITS + 1], const char *input,
		       const char **why);

/*
 * Whether input (as typed) is the code whose hash is given; the hashes are
 * compared in constant time. Input that does not normalise says no.
 */
bool core_otp_verify(const uint8_t hash[CORE_OTP_HASH_LEN], const char *input);

#endif /* FZ_PORTAL_CORE_OTP_H */
