// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON rendering of struct fzk_device_view. Text follows `wg show`:
 * a line is left out when it has nothing to say. JSON has every field,
 * with null for absent keys and endpoints, so scripts need no guessing.
 */
#include <inttypes.h>
#include <stdbool.h>

#include "print.h"
#include "fzk/device.h"
#include "lib/format.h"
#include "lib/json.h"
#include "lib/keys.h"

static const struct {
	unsigned int attr;
	const char *key; /* in JSON */
	const char *drop; /* in the text "drops:" line; NULL if not a drop */
} stat_names[] = {
	{ FZ_STAT_A_RX_PACKETS, "rx_packets", NULL },
	{ FZ_STAT_A_RX_BYTES, "rx_bytes", NULL },
	{ FZ_STAT_A_TX_PACKETS, "tx_packets", NULL },
	{ FZ_STAT_A_TX_BYTES, "tx_bytes", NULL },
	{ FZ_STAT_A_DROP_BAD_MAC1, "drop_bad_mac1", "bad mac1" },
	{ FZ_STAT_A_DROP_RATELIMITED, "drop_ratelimited", "rate limited" },
	{ FZ_STAT_A_DROP_BAD_AUTH, "drop_bad_auth", "bad auth" },
	{ FZ_STAT_A_DROP_REPLAY, "drop_replay", "replay" },
	{ FZ_STAT_A_DROP_NO_KEY, "drop_no_key", "no key" },
	{ FZ_STAT_A_DROP_BAD_SOURCE, "drop_bad_source", "bad source" },
	{ FZ_STAT_A_DROP_NO_PEER, "drop_no_peer", "no peer" },
	{ FZ_STAT_A_DROP_MALFORMED, "drop_malformed", "malformed" },
	{ FZ_STAT_A_DROP_DENIED, "drop_denied", "denied" },
	{ FZ_STAT_A_DROP_CONTROL, "drop_control", "bad control" },
	{ FZ_STAT_A_COOKIES_SENT, "cookies_sent", NULL },
	/* The reasons behind drop_denied; the text line shows the total. */
	{ FZ_STAT_A_DENIED_NOT_AUTHORIZED, "denied_not_authorized", NULL },
	{ FZ_STAT_A_DENIED_FILTERED, "denied_filtered", NULL },
	{ FZ_STAT_A_DENIED_EXPIRED, "denied_expired", NULL },
	{ FZ_STAT_A_DENIED_CLIENT_TO_CLIENT, "denied_client_to_client", NULL },
	{ FZ_STAT_A_DENIED_RETURN, "denied_return", NULL },
	{ FZ_STAT_A_DENIED_NO_MAPPING, "denied_no_mapping", NULL },
	{ FZ_STAT_A_DROP_CONTROL_RATELIMITED, "drop_control_ratelimited",
	  "control rate limited" },
	/* A client's packets held for a destination no peer routed yet. */
	{ FZ_STAT_A_HELD, "held", NULL },
	{ FZ_STAT_A_HELD_SENT, "held_sent", NULL },
	{ FZ_STAT_A_DROP_HOLD_FULL, "drop_hold_full", "hold full" },
	{ FZ_STAT_A_DROP_HOLD_TIMEOUT, "drop_hold_timeout", "hold timeout" },
	{ FZ_STAT_A_DROP_HOLD_REFUSED, "drop_hold_refused", "hold refused" },
	/* ICMP prohibited from a gateway: the agent asks the portal again. */
	{ FZ_STAT_A_PEER_PROHIBITED, "peer_prohibited", NULL },
};

#define N_STAT_NAMES (sizeof(stat_names) / sizeof(stat_names[0]))

static void text_drops(FILE *f, const uint64_t stats[__FZ_STAT_A_MAX])
{
	bool any = false;

	for (size_t i = 0; i < N_STAT_NAMES; i++) {
		uint64_t v = stats[stat_names[i].attr];

		if (!stat_names[i].drop || !v)
			continue;
		fprintf(f, "%s%s %" PRIu64,
			any ? ", " : "  drops: ", stat_names[i].drop, v);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

static void text_interface(FILE *f, const struct fzk_device_view *dev)
{
	char key[FZ_KEY_B64_LEN + 1] = "(none)";

	if (dev->has_public_key)
		fz_key_to_base64(key, dev->public_key);
	fprintf(f, "interface: %s\n", dev->ifname);
	fprintf(f, "  public key: %s\n", key);
	if (dev->listen_port)
		fprintf(f, "  listen port: %u\n", dev->listen_port);
	if (dev->fwmark)
		fprintf(f, "  fwmark: 0x%" PRIx32 "\n", dev->fwmark);
	if (dev->hold)
		fprintf(f, "  hold: on (%" PRIu64 " held, %" PRIu64 " sent)\n",
			dev->stats[FZ_STAT_A_HELD],
			dev->stats[FZ_STAT_A_HELD_SENT]);
	text_drops(f, dev->stats);
}

static void text_allowedips(FILE *f, const struct fzk_peer_view *peer)
{
	char buf[FZ_FMT_ALLOWEDIP_LEN];

	fputs("  allowed ips: ", f);
	if (!peer->n_allowedips)
		fputs("(none)", f);
	for (size_t i = 0; i < peer->n_allowedips; i++) {
		const struct fzk_allowedip_view *aip = &peer->allowedips[i];

		fprintf(f, "%s%s", i ? ", " : "",
			fz_fmt_allowedip(buf, sizeof(buf), aip->family,
					 &aip->addr, aip->cidr));
	}
	fputc('\n', f);
}

/* Only for gateway clients: which resources default deny lets through. */
static void text_resources(FILE *f, const struct fzk_peer_view *peer,
			   uint64_t now_ns)
{
	char id[FZ_FMT_UUID_LEN], expiry[FZ_FMT_EXPIRY_LEN];

	if (!(peer->flags & FZ_PEER_F_GATEWAY_CLIENT))
		return;
	fprintf(f, "  gateway client: %zu resource%s\n", peer->n_resources,
		peer->n_resources == 1 ? "" : "s");
	for (size_t i = 0; i < peer->n_resources; i++) {
		const struct fzk_resource_view *res = &peer->resources[i];

		fprintf(f, "    resource %s%s, %s\n",
			fz_fmt_uuid(id, sizeof(id), res->id),
			res->flags & FZ_RES_F_DNS ? " (dns)" : "",
			fz_fmt_expiry(expiry, sizeof(expiry), res->expires_ns,
				      now_ns));
	}
}

static void text_peer(FILE *f, const struct fzk_peer_view *peer,
		      uint64_t now_ns)
{
	char key[FZ_KEY_B64_LEN + 1],
		buf[FZ_FMT_ENDPOINT_LEN + FZ_FMT_DURATION_LEN];
	char rx[FZ_FMT_BYTES_LEN], tx[FZ_FMT_BYTES_LEN];

	fz_key_to_base64(key, peer->public_key);
	fprintf(f, "\npeer: %s\n", key);
	if (peer->endpoint.ss_family != AF_UNSPEC)
		fprintf(f, "  endpoint: %s\n",
			fz_fmt_endpoint(buf, sizeof(buf), &peer->endpoint));
	text_allowedips(f, peer);
	if (peer->last_handshake_ns)
		fprintf(f, "  latest handshake: %s\n",
			fz_fmt_time_ago(buf, sizeof(buf),
					peer->last_handshake_ns, now_ns));
	if (peer->rx_bytes || peer->tx_bytes)
		fprintf(f, "  transfer: %s received, %s sent\n",
			fz_fmt_bytes(rx, sizeof(rx), peer->rx_bytes),
			fz_fmt_bytes(tx, sizeof(tx), peer->tx_bytes));
	if (peer->persistent_keepalive)
		fprintf(f, "  persistent keepalive: every %s\n",
			fz_fmt_duration(buf, sizeof(buf),
					peer->persistent_keepalive));
	if (peer->quiet_timeout)
		fprintf(f, "  quiet timeout: %s\n",
			fz_fmt_duration(buf, sizeof(buf), peer->quiet_timeout));
	text_drops(f, peer->drops);
	text_resources(f, peer, now_ns);
}

/* now_ns is a parameter so that relative times can be tested. */
void cmd_print_device_text(FILE *f, const struct fzk_device_view *dev,
			   uint64_t now_ns)
{
	text_interface(f, dev);
	for (size_t i = 0; i < dev->n_peers; i++)
		text_peer(f, &dev->peers[i], now_ns);
}

static void print_json_key_or_null(struct fz_json *j, const char *name,
				   bool present, const uint8_t key[FZ_KEY_LEN])
{
	char b64[FZ_KEY_B64_LEN + 1];

	fz_json_key(j, name);
	if (!present) {
		fz_json_null(j);
		return;
	}
	fz_key_to_base64(b64, key);
	fz_json_string(j, b64);
}

static void print_json_allowedips(struct fz_json *j,
				  const struct fzk_peer_view *peer)
{
	char buf[FZ_FMT_ALLOWEDIP_LEN];

	fz_json_key(j, "allowed_ips");
	fz_json_array_begin(j);
	for (size_t i = 0; i < peer->n_allowedips; i++) {
		const struct fzk_allowedip_view *aip = &peer->allowedips[i];

		fz_json_string(j,
			       fz_fmt_allowedip(buf, sizeof(buf), aip->family,
						&aip->addr, aip->cidr));
	}
	fz_json_array_end(j);
}

static const char *slot_name(uint8_t slot)
{
	switch (slot) {
	case FZ_KEYPAIR_CURRENT:
		return "current";
	case FZ_KEYPAIR_NEXT:
		return "next";
	default:
		return "other";
	}
}

/* Session keypairs without their keys: enough to see which one is used. */
static void print_json_keypairs(struct fz_json *j,
				const struct fzk_peer_view *peer)
{
	fz_json_key(j, "keypairs");
	fz_json_array_begin(j);
	for (size_t i = 0; i < peer->n_keypairs; i++) {
		const struct fzk_keypair_view *kp = &peer->keypairs[i];

		fz_json_object_begin(j);
		fz_json_kv_string(j, "slot", slot_name(kp->slot));
		fz_json_kv_u64(j, "local_index", kp->local_index);
		fz_json_kv_u64(j, "remote_index", kp->remote_index);
		fz_json_kv_u64(j, "initiator",
			       !!(kp->flags & FZ_KEYPAIR_F_INITIATOR));
		fz_json_kv_u64(j, "created_ns", kp->created_ns);
		fz_json_kv_u64(j, "tx_counter", kp->tx_counter);
		fz_json_object_end(j);
	}
	fz_json_array_end(j);
}

/* Every peer has both keys; only a gateway client can have resources. */
static void print_json_resources(struct fz_json *j,
				 const struct fzk_peer_view *peer)
{
	char id[FZ_FMT_UUID_LEN];

	fz_json_kv_bool(j, "gateway_client",
			peer->flags & FZ_PEER_F_GATEWAY_CLIENT);
	fz_json_key(j, "resources");
	fz_json_array_begin(j);
	for (size_t i = 0; i < peer->n_resources; i++) {
		const struct fzk_resource_view *res = &peer->resources[i];

		fz_json_object_begin(j);
		fz_json_kv_string(j, "id",
				  fz_fmt_uuid(id, sizeof(id), res->id));
		fz_json_kv_bool(j, "dns", res->flags & FZ_RES_F_DNS);
		fz_json_kv_u64(j, "expires_ns", res->expires_ns);
		fz_json_object_end(j);
	}
	fz_json_array_end(j);
}

/* A peer's own drops: the non-zero ones, named as in "stats". */
static void print_json_peer_drops(struct fz_json *j,
				  const struct fzk_peer_view *peer)
{
	fz_json_key(j, "drops");
	fz_json_object_begin(j);
	for (size_t i = 0; i < N_STAT_NAMES; i++)
		if (peer->drops[stat_names[i].attr])
			fz_json_kv_u64(j, stat_names[i].key,
				       peer->drops[stat_names[i].attr]);
	fz_json_object_end(j);
}

static void print_json_peer(struct fz_json *j, const struct fzk_peer_view *peer)
{
	char buf[FZ_FMT_ENDPOINT_LEN];

	fz_json_object_begin(j);
	print_json_key_or_null(j, "public_key", true, peer->public_key);
	fz_json_key(j, "endpoint");
	if (peer->endpoint.ss_family == AF_UNSPEC)
		fz_json_null(j);
	else
		fz_json_string(j, fz_fmt_endpoint(buf, sizeof(buf),
						  &peer->endpoint));
	print_json_allowedips(j, peer);
	fz_json_kv_u64(j, "persistent_keepalive", peer->persistent_keepalive);
	fz_json_kv_u64(j, "quiet_timeout", peer->quiet_timeout);
	fz_json_kv_u64(j, "rx_bytes", peer->rx_bytes);
	fz_json_kv_u64(j, "tx_bytes", peer->tx_bytes);
	fz_json_kv_u64(j, "latest_handshake_ns", peer->last_handshake_ns);
	fz_json_kv_u64(j, "last_rx_ns", peer->last_rx_ns);
	print_json_peer_drops(j, peer);
	print_json_keypairs(j, peer);
	print_json_resources(j, peer);
	fz_json_object_end(j);
}

static void print_json_stats(struct fz_json *j,
			     const uint64_t stats[__FZ_STAT_A_MAX])
{
	fz_json_key(j, "stats");
	fz_json_object_begin(j);
	for (size_t i = 0; i < N_STAT_NAMES; i++)
		fz_json_kv_u64(j, stat_names[i].key, stats[stat_names[i].attr]);
	fz_json_object_end(j);
}

void cmd_print_device_json(FILE *f, const struct fzk_device_view *dev)
{
	struct fz_json j;

	fz_json_init(&j, f);
	fz_json_object_begin(&j);
	fz_json_kv_string(&j, "interface", dev->ifname);
	fz_json_kv_u64(&j, "ifindex", dev->ifindex);
	print_json_key_or_null(&j, "public_key", dev->has_public_key,
			       dev->public_key);
	fz_json_kv_u64(&j, "listen_port", dev->listen_port);
	fz_json_kv_u64(&j, "fwmark", dev->fwmark);
	fz_json_kv_u64(&j, "generation", dev->generation);
	fz_json_kv_bool(&j, "hold", dev->hold);
	print_json_stats(&j, dev->stats);
	fz_json_key(&j, "peers");
	fz_json_array_begin(&j);
	for (size_t i = 0; i < dev->n_peers; i++)
		print_json_peer(&j, &dev->peers[i]);
	fz_json_array_end(&j);
	fz_json_object_end(&j);
	fputc('\n', f);
}
