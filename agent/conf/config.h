/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The conf wing (agent/conf/): the wg-style configuration, as a file and
 * as `set` words, parsed into struct conf. It may use lib.
 *
 * Configuration in the two text forms of wg(8): a wg-quick-style INI file
 * (`fzagent up fz0.conf`, `fzagent gateway fz0.conf -a fz0.auth`) and the
 * words of `wg set` (`fzagent set fz0 listen-port 51820 peer KEY ...`).
 *
 * This is a pure parser: it opens files and resolves endpoint host names,
 * but never talks to the kernel. Both parsers either succeed completely or
 * return a negative errno with *out zeroed and a one-line message in err:
 *
 *   conf_parse_file: "PATH:LINE: what is wrong", or "PATH: what is
 *                         wrong" for the file as a whole. Print as is.
 *   conf_parse_set:  "what is wrong", naming the offending word. The
 *                         caller prepends "fzagent: set: " (fz_cli_error()).
 *
 * Returns 0, -EINVAL for anything wrong with the text (syntax, ranges,
 * permissions, size, unresolvable host names), -EAGAIN when a host name
 * lookup failed temporarily (retry later), -ENOMEM, or the -errno of
 * open()/read() when a file cannot be read.
 *
 * Secret values (PrivateKey, PresharedKey) are never quoted in messages.
 */
#ifndef FZ_AGENT_CONFIG_H
#define FZ_AGENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/fz.h>

#include "lib/cidr.h"

/*
 * Bytes: about 600,000 peers. A bound on what a mistaken path (a disk
 * image, say) makes the agent read into memory, not on how many peers an
 * interface may have.
 */
#define CONF_MAX_MIB 64
#define CONF_MAX_FILE (CONF_MAX_MIB * 1024 * 1024)
#define CONF_MAX_LINE 4096 /* bytes, without the newline */

struct conf_peer {
	uint8_t public_key[FZ_KEY_LEN];
	bool has_preshared_key;
	uint8_t preshared_key[FZ_KEY_LEN]; /* all zero: remove it */
	bool has_endpoint;
	struct sockaddr_storage endpoint; /* resolved, port set */
	bool has_keepalive;
	uint16_t persistent_keepalive; /* seconds, 0 = off */
	struct fz_cidr *allowed_ips; /* at most FZ_MAX_ALLOWEDIPS */
	size_t n_allowed_ips;
	size_t allowed_ips_cap; /* allocated slots */
	bool remove; /* set: `peer KEY remove` */
	bool replace_allowed_ips; /* file: always; set: allowed-ips given */
	bool update_only; /* set: `update-only`, do not create the peer */
	unsigned int line; /* file: line of its [Peer]; set: 0 */
	unsigned int key_line; /* file: line of its PublicKey; set: 0 */
};

struct conf {
	bool has_private_key;
	uint8_t private_key[FZ_KEY_LEN]; /* all zero: remove it */
	bool has_listen_port;
	uint16_t listen_port; /* 0 = choose one */
	bool has_fwmark;
	uint32_t fwmark; /* 0 = off */
	struct fz_cidr *addresses; /* [Interface] Address, file only */
	size_t n_addresses;
	size_t addresses_cap;
	struct conf_peer *peers; /* in the order given */
	size_t n_peers;
	size_t peers_cap;
	bool replace_peers; /* file: true, as `wg setconf`; set words: false */
};

/*
 * In both parsers *out is overwritten, not freed first; on success the
 * caller owns it and releases it with conf_free(). err may be NULL
 * when errlen is 0; on success it is set to "".
 */

/*
 * [Interface]: PrivateKey, ListenPort, FwMark, Address (repeatable).
 * [Peer]: PublicKey (required), PresharedKey, Endpoint, AllowedIPs
 * (repeatable), PersistentKeepalive. Keys are case-insensitive.
 * A file holding a PrivateKey or PresharedKey must not be readable or
 * writable by group or others. Sets replace_peers and every peer's
 * replace_allowed_ips, the meaning of `wg setconf`.
 */
int conf_parse_file(const char *path, struct conf *out, char *err,
		    size_t errlen);

/*
 * argv holds the words after the interface name, as for `wg set`:
 *   [listen-port P] [fwmark M|off] [private-key FILE]
 *   [peer KEY [remove] [update-only] [preshared-key FILE] [endpoint E]
 *             [persistent-keepalive N|off] [allowed-ips LIST]]...
 * Device words come before the first peer. An empty key file, such as
 * /dev/null, gives an all-zero key: remove it.
 */
int conf_parse_set(int argc, char **argv, struct conf *out, char *err,
		   size_t errlen);

/* Frees and wipes everything, keys included; leaves *cfg all zero. */
void conf_free(struct conf *cfg);

#endif /* FZ_AGENT_CONFIG_H */
