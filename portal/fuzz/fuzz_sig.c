// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer over the signalling parsers (agent/proto/sig.c): arbitrary
 * bytes, read in both directions for both roles, as the portal and the
 * agents will read what the network hands them. Beyond "no crash, no
 * leak, no undefined behaviour" (the sanitizers), whatever is accepted
 * must build, and what is built must parse back and build to the very
 * same text: the parser and the builder agree on every input.
 *
 *   make fuzz FUZZ_SECONDS=60      (seeds in fuzz/corpus/)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/sig.h"

static void round_trip(enum proto_sig_dir dir, enum proto_sig_role role,
		       const struct proto_sig_msg *m)
{
	struct proto_sig_msg again;
	struct proto_sig_error err;
	char *text, *text2;
	size_t len, len2;

	/* Accepted input may still be too large to build (escapes grow). */
	if (proto_sig_build(m, &text, &len, &err))
		return;
	if (proto_sig_parse(dir, role, text, len, &again, &err))
		abort();
	if (again.kind != m->kind ||
	    proto_sig_build(&again, &text2, &len2, &err))
		abort();
	if (len != len2 || memcmp(text, text2, len))
		abort();
	proto_sig_free(&again);
	free(text);
	free(text2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int dir = 0; dir < 2; dir++)
		for (int role = 0; role < 2; role++) {
			struct proto_sig_msg m;
			struct proto_sig_error err;

			if (proto_sig_parse(dir, role, (const char *)data, size,
					    &m, &err)) {
				if (!err.reason || !err.message[0])
					abort();
				continue;
			}
			round_trip(dir, role, &m);
			proto_sig_free(&m);
		}
	return 0;
}
