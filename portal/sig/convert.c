// SPDX-License-Identifier: GPL-2.0
/*
 * The store's records as the messages' structs: addresses from tunnel
 * offsets, filters from their stored JSON, endpoints both ways, and the
 * gateway's view of a client with the pair's preshared key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"
#include "lib/keys.h"
#include "core/tunnel.h"
#include "lib/clock.h"

uint64_t sig_now_ms(struct sig *s)
{
	return uv_now(s->loop);
}

int64_t sig_now_ns(void)
{
	return (int64_t)fz_clock_real_ns();
}

int64_t sig_expires_s(int64_t ns)
{
	return ns / 1000000000;
}

/* "192.0.2.1:5000" or "[2001:db8::1]:5000" into "192.0.2.1", parsed. */
void sig_remote_ip(const char *remote, char *ip, size_t len,
		   struct fz_cidr *cidr)
{
	const char *start = remote, *end = strrchr(remote, ':'), *why;
	size_t n;

	memset(cidr, 0, sizeof(*cidr));
	ip[0] = '\0';
	if (*remote == '[') {
		start++;
		end = strchr(start, ']');
	}
	if (!end)
		end = remote + strlen(remote);
	n = (size_t)(end - start);
	if (n >= len)
		return;
	memcpy(ip, start, n);
	ip[n] = '\0';
	if (fz_cidr_parse(cidr, ip, n, &why))
		memset(cidr, 0, sizeof(*cidr)); /* unknown: conditions fail */
}

void sig_tunnel(int64_t offset, struct fz_cidr *v4, struct fz_cidr *v6)
{
	if (offset < 0 || offset > UINT32_MAX ||
	    core_tunnel_addrs((uint32_t)offset, v4, v6)) {
		memset(v4, 0, sizeof(*v4));
		memset(v6, 0, sizeof(*v6));
	}
}

static int filters_of(const char *text, struct fz_filter *f, size_t *n)
{
	json_object *arr;
	const char *why;
	int ret;

	*n = 0;
	if (!text[0])
		return 0;
	arr = json_tokener_parse(text);
	if (!arr)
		return -EINVAL;
	ret = fz_filter_from_json(arr, f, n, &why);
	json_object_put(arr);
	return ret;
}

int sig_resource_msg(const struct store_resource *r,
		     struct proto_sig_resource *out)
{
	memset(out, 0, sizeof(*out));
	if (fz_uuid_parse(r->id, (uint8_t[FZ_RESOURCE_ID_LEN]){ 0 }) ||
	    fz_resaddr_type_parse(r->type, &out->type))
		return -EINVAL;
	snprintf(out->id.s, sizeof(out->id.s), "%s", r->id);
	out->name = r->name;
	out->address = r->address;
	out->address_description =
		r->address_description[0] ? r->address_description : NULL;
	return filters_of(r->filters, out->filters, &out->n_filters);
}

static int format_endpoint(const struct proto_sig_endpoint *e, char *buf,
			   size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (!inet_ntop(e->ip.family, e->ip.addr, ip, sizeof(ip)))
		return -EINVAL;
	if (e->ip.family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, e->port);
	else
		snprintf(buf, len, "%s:%u", ip, e->port);
	return 0;
}

int sig_endpoints_json(const struct proto_sig_endpoint *eps, size_t n,
		       char *buf, size_t len)
{
	json_object *arr = json_object_new_array();
	char one[INET6_ADDRSTRLEN + 16];
	int ret = arr ? 0 : -ENOMEM;

	for (size_t i = 0; !ret && i < n; i++) {
		ret = format_endpoint(&eps[i], one, sizeof(one));
		if (!ret &&
		    json_object_array_add(arr, json_object_new_string(one)))
			ret = -ENOMEM;
	}
	if (!ret &&
	    (size_t)snprintf(buf, len, "%s",
			     json_object_to_json_string_ext(
				     arr,
				     JSON_C_TO_STRING_PLAIN |
					     JSON_C_TO_STRING_NOSLASHESCAPE)) >=
		    len)
		ret = -E2BIG;
	json_object_put(arr);
	return ret;
}

static int parse_endpoint(const char *text, struct proto_sig_endpoint *e)
{
	char ip[INET6_ADDRSTRLEN];
	struct fz_cidr c;
	uint64_t port;

	sig_remote_ip(text, ip, sizeof(ip), &c);
	if (!c.family)
		return -EINVAL;
	text = strrchr(text, ':');
	if (!text || fz_parse_decimal(text + 1, 65535, &port) || !port)
		return -EINVAL;
	e->ip = c;
	e->port = (uint16_t)port;
	return 0;
}

int sig_endpoints_parse(const char *json, struct proto_sig_endpoint *eps,
			size_t max, size_t *n)
{
	json_object *arr = json[0] ? json_tokener_parse(json) : NULL;
	size_t len;

	*n = 0;
	if (!arr || !json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		return json[0] ? -EINVAL : 0;
	}
	len = json_object_array_length(arr);
	for (size_t i = 0; i < len && *n < max; i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		if (json_object_is_type(v, json_type_string) &&
		    !parse_endpoint(json_object_get_string(v), &eps[*n]))
			(*n)++;
	}
	json_object_put(arr);
	return 0;
}

int sig_peer_msg(struct sig *s, const char *client_id, const uint8_t *client_pk,
		 int64_t tunnel, const char *gateway_id,
		 const uint8_t *gateway_pk, struct proto_sig_peer *out)
{
	memset(out, 0, sizeof(*out));
	/* A row from before joins refused such keys: never sent, since a
	 * gateway refuses a whole message that names one. */
	if (fz_key_is_low_order(client_pk))
		return -EINVAL;
	snprintf(out->id.s, sizeof(out->id.s), "%s", client_id);
	memcpy(out->public_key, client_pk, FZ_KEY_LEN);
	sig_tunnel(tunnel, &out->ipv4, &out->ipv6);
	return core_psk_derive(out->preshared_key, s->secret, client_id,
			       client_pk, gateway_id, gateway_pk);
}
