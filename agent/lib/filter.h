/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A resource's port/protocol filters in their two outside forms: the
 * text an operator writes ("tcp/80, udp/5000-5010, icmp", in the
 * authorizations file and on fzportal's command line) and the JSON the
 * portal stores and sends ([{"protocol":"tcp","port_range_start":80,
 * "port_range_end":80}], Firezone's shape). One parser for each, so the
 * gateway's file and the portal accept exactly the same filters. No
 * filter at all means every port and protocol is allowed.
 */
#ifndef FZ_FILTER_H
#define FZ_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <linux/fz.h>

/* One port/protocol filter; ports only for tcp and udp. */
struct fz_filter {
	uint8_t proto; /* enum fz_filter_proto */
	uint16_t port_start; /* host order, 1..65535; 0 for icmp */
	uint16_t port_end; /* >= port_start */
};

/* What fz_filter_parse() refused, for the caller's message. */
struct fz_filter_error {
	const char *why; /* a static text */
	char entry[64]; /* the entry refused, trimmed (may be cut short) */
};

/*
 * A comma-separated list of "icmp", "tcp", "udp" (every port),
 * "tcp/PORT" or "udp/START-END"; protocols in any case, white space
 * around entries ignored. "" (or only white space): no filter, *n = 0.
 * Returns 0, or with err filled in: -ENODATA for an empty entry ("a,,b"),
 * -E2BIG for more than FZ_MAX_FILTERS, -EINVAL for an entry refused.
 * out is written only up to the error.
 */
int fz_filter_parse(const char *text, struct fz_filter out[FZ_MAX_FILTERS],
		    size_t *n, struct fz_filter_error *err);

/*
 * The text fz_filter_parse() reads back to the same filters, "" for
 * none. Returns the length, or -ENOSPC if size is too small
 * (FZ_FILTER_TEXT_MAX always is enough).
 */
#define FZ_FILTER_TEXT_MAX (FZ_MAX_FILTERS * 18)
int fz_filter_format(char *buf, size_t size, const struct fz_filter *f,
		     size_t n);

/* A new JSON array of n filters; NULL when out of memory. */
json_object *fz_filter_to_json(const struct fz_filter *f, size_t n);

/*
 * A JSON array of filter objects: "protocol" "tcp"|"udp"|"icmp";
 * "port_range_start", "port_range_end" integers 1..65535 for tcp and udp
 * (both absent: every port; only the start: that port; null is
 * absent), none for icmp.
 * Other members are ignored. Returns 0, or -EINVAL with *why set.
 */
int fz_filter_from_json(json_object *arr, struct fz_filter out[FZ_MAX_FILTERS],
			size_t *n, const char **why);

#endif /* FZ_FILTER_H */
