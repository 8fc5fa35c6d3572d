// SPDX-License-Identifier: GPL-2.0
/*
 * fz-nlprobe: drives the "fz" generic netlink family with hand-built
 * messages, well-formed and malformed, and checks each answer. It builds
 * messages byte by byte (no libnl) so it can send what a library would
 * refuse to: wrong lengths, unknown attributes, bad flags, bad versions.
 *
 *   fz-nlprobe malformed IFNAME   every malformed request is refused
 *   fz-nlprobe dump IFNAME N      add N peers, dump them back exactly
 *   fz-nlprobe intr IFNAME        a dump racing a change is marked INTR
 *   fz-nlprobe denied IFNAME      every op on IFNAME is refused with EPERM
 *   fz-nlprobe selectors IFNAME   every op with ifindex 0, a huge ifindex,
 *                                 an empty or unterminated name, ... is
 *                                 refused, and the family still answers
 *   fz-nlprobe empty IFNAME       a dump of a device with no peers
 *   fz-nlprobe keyed IFNAME ...   a peer with fixed session keys (below)
 *   fz-nlprobe churn IFNAME ... N remove and re-add that peer N times
 *   fz-nlprobe rekey IFNAME SELF PEER EPOCH  new keys for that peer
 *   fz-nlprobe stream IFNAME SECS add gateway clients until the device goes
 *   fz-nlprobe listen IFNAME SECS print the events of the next SECS s
 *
 * Output: one KTAP line per check ("ok - ..." / "not ok - ...").
 * Exit status: 0 when every check passed.
 *
 * Tools for tests, which print results rather than checks:
 *   fz-nlprobe control-send IFNAME PEERKEY TYPE JSON
 *       SEND_CONTROL of an 8-byte header (byte 0 = TYPE, 0..255, the rest
 *       zero) followed by JSON verbatim. PEERKEY is base64.
 *   fz-nlprobe control-send-raw IFNAME PEERKEY HEX
 *       SEND_CONTROL of exactly the bytes HEX encodes ("" = none).
 *     Both exit 0 when the kernel accepts; when it refuses they print
 *     "error: <strerror> (<ERRNO>)[: <extended ack message>]" and exit 1.
 *   fz-nlprobe events IFNAME SECS [MAX]
 *       Prints the events of IFNAME until SECS seconds pass or MAX events
 *       were printed, one line each, flushed:
 *         control PEERKEY TYPE[ JSON]      (EVT_CONTROL; JSON verbatim)
 *         denied PEERKEY REASON PROTO SADDR SPORT DADDR DPORT
 *         event CMD                        (any other event, by number)
 *       "-" stands for an absent key or address, 0 for an absent number.
 *       "fz-nlprobe: listening" goes to stderr once the group is joined.
 *   fz-nlprobe hold-stats IFNAME
 *       Prints the hold's counters of IFNAME on one line: "held N
 *       held_sent N drop_hold_full N drop_hold_timeout N
 *       drop_hold_refused N".
 * Bad arguments and local failures exit 2.
 */
#define _GNU_SOURCE /* strerrorname_np */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/fz.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE 65536

struct msg {
	char buf[BUF_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest[8];
	int depth;
};

static int failures;
static int nl_fd;
static uint16_t fz_family_id;
static uint32_t seq = 1;

static void check(bool ok, const char *what)
{
	printf("%sok - %s\n", ok ? "" : "not ", what);
	if (!ok)
		failures++;
}

static void *msg_tail(struct msg *m)
{
	return (char *)m->nlh + NLMSG_ALIGN(m->nlh->nlmsg_len);
}

static void msg_init(struct msg *m, uint16_t type, uint16_t flags, uint8_t cmd,
		     uint8_t version)
{
	struct genlmsghdr *g;

	memset(m, 0, sizeof(*m));
	m->nlh = (struct nlmsghdr *)m->buf;
	m->nlh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh->nlmsg_type = type;
	m->nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	m->nlh->nlmsg_seq = seq++;
	g = NLMSG_DATA(m->nlh);
	g->cmd = cmd;
	g->version = version;
}

static void put(struct msg *m, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = msg_tail(m);
	int i;

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nlh->nlmsg_len =
		NLMSG_ALIGN(m->nlh->nlmsg_len) + NLA_ALIGN(a->nla_len);
	for (i = 0; i < m->depth; i++)
		m->nest[i]->nla_len = (char *)msg_tail(m) - (char *)m->nest[i];
}

static void put_u8(struct msg *m, uint16_t t, uint8_t v)
{
	put(m, t, &v, 1);
}
static void put_u16(struct msg *m, uint16_t t, uint16_t v)
{
	put(m, t, &v, 2);
}
static void put_u32(struct msg *m, uint16_t t, uint32_t v)
{
	put(m, t, &v, 4);
}
static void put_str(struct msg *m, uint16_t t, const char *s)
{
	put(m, t, s, strlen(s) + 1);
}

static void nest_start(struct msg *m, uint16_t type)
{
	struct nlattr *a = msg_tail(m);

	a->nla_type = type | NLA_F_NESTED;
	a->nla_len = NLA_HDRLEN;
	m->nlh->nlmsg_len = NLMSG_ALIGN(m->nlh->nlmsg_len) + NLA_HDRLEN;
	m->nest[m->depth++] = a;
	for (int i = 0; i < m->depth; i++)
		m->nest[i]->nla_len = (char *)msg_tail(m) - (char *)m->nest[i];
}

static void nest_end(struct msg *m)
{
	m->depth--;
}

static int msg_send(int fd, struct msg *m)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(fd, m->nlh, m->nlh->nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	return 0;
}

typedef void (*msg_cb)(struct nlmsghdr *nlh, void *arg);

/* The extended ack message of the last error answer, "" if none. */
static char ext_ack_msg[256];
static void note_ext_ack(struct nlmsghdr *nlh);

/* Reads answers until the ack/error or NLMSG_DONE; returns -errno or 0. */
static int msg_recv(int fd, msg_cb cb, void *arg, bool *intr)
{
	static char buf[BUF_SIZE];
	struct nlmsghdr *nlh;
	ssize_t len;

	for (;;) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (intr && (nlh->nlmsg_flags & NLM_F_DUMP_INTR))
				*intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);

				note_ext_ack(nlh);
				return e->error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (cb)
				cb(nlh, arg);
		}
	}
}

static int transact(struct msg *m, msg_cb cb, void *arg)
{
	int ret = msg_send(nl_fd, m);

	return ret ? ret : msg_recv(nl_fd, cb, arg, NULL);
}

static int open_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("fz-nlprobe: netlink socket");
		exit(2);
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
}

static void family_cb(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = NLMSG_DATA(nlh);
	struct nlattr *a = (struct nlattr *)((char *)g + GENL_HDRLEN);
	int len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	for (;
	     len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			*(uint16_t *)arg =
				*(uint16_t *)((char *)a + NLA_HDRLEN);
	}
}

static uint16_t resolve_family(void)
{
	struct msg m;
	uint16_t id = 0;

	msg_init(&m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
	put_str(&m, CTRL_ATTR_FAMILY_NAME, FZ_GENL_NAME);
	if (transact(&m, family_cb, &id) || !id) {
		fprintf(stderr, "fz-nlprobe: family \"fz\" not found\n");
		exit(2);
	}
	return id;
}

/* ---- Parsing dumps ---- */

struct dump_result {
	int messages;
	int peers;
	int allowedips;
	int resources;
	bool saw_ifname;
	bool bad;
	char first_aip[64];
};

#define for_each_attr(a, start, len)                            \
	for (a = (struct nlattr *)(start);                      \
	     (len) >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && \
	     a->nla_len <= (len);                               \
	     (len) -= NLA_ALIGN(a->nla_len),                    \
	    a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))

static void *attr_data(struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}
static int attr_len(struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static void note_ext_ack(struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	int off = sizeof(*e), len;
	struct nlattr *a;

	ext_ack_msg[0] = 0;
	if (!e->error || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - off;
	for_each_attr(a, (char *)NLMSG_DATA(nlh) + off, len)
	{
		if (a->nla_type == NLMSGERR_ATTR_MSG && attr_len(a) > 0)
			snprintf(ext_ack_msg, sizeof(ext_ack_msg), "%.*s",
				 attr_len(a), (char *)attr_data(a));
	}
}

static void parse_aip(struct nlattr *nest, struct dump_result *r)
{
	struct nlattr *a;
	int len = attr_len(nest);
	uint8_t *addr = NULL, cidr = 255;
	uint16_t family = 0;

	for_each_attr(a, attr_data(nest), len)
	{
		if (a->nla_type == FZ_AIP_A_FAMILY)
			family = *(uint16_t *)attr_data(a);
		else if (a->nla_type == FZ_AIP_A_ADDR)
			addr = attr_data(a);
		else if (a->nla_type == FZ_AIP_A_CIDR)
			cidr = *(uint8_t *)attr_data(a);
	}
	if (!addr || family != AF_INET || cidr > 32) {
		r->bad = true;
		return;
	}
	if (!r->allowedips++)
		snprintf(r->first_aip, sizeof(r->first_aip), "%u.%u.%u.%u/%u",
			 addr[0], addr[1], addr[2], addr[3], cidr);
}

static void parse_peer(struct nlattr *nest, struct dump_result *r)
{
	struct nlattr *a, *b;
	int len = attr_len(nest), blen;
	bool key = false;

	for_each_attr(a, attr_data(nest), len)
	{
		if (a->nla_type == FZ_PEER_A_PUBLIC_KEY)
			key = attr_len(a) == FZ_KEY_LEN;
		if ((a->nla_type & NLA_TYPE_MASK) == FZ_PEER_A_RESOURCES) {
			blen = attr_len(a);
			for_each_attr(b, attr_data(a), blen) r->resources++;
		}
		if ((a->nla_type & NLA_TYPE_MASK) != FZ_PEER_A_ALLOWEDIPS)
			continue;
		blen = attr_len(a);
		for_each_attr(b, attr_data(a), blen) parse_aip(b, r);
	}
	if (!key)
		r->bad = true;
	r->peers++;
}

static void dump_cb(struct nlmsghdr *nlh, void *arg)
{
	struct dump_result *r = arg;
	struct nlattr *a, *p;
	int len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), plen;

	r->messages++;
	for_each_attr(a, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN, len)
	{
		if (a->nla_type == FZ_A_IFNAME)
			r->saw_ifname = true;
		if ((a->nla_type & NLA_TYPE_MASK) != FZ_A_PEERS)
			continue;
		plen = attr_len(a);
		for_each_attr(p, attr_data(a), plen) parse_peer(p, r);
	}
}

static int dump_device(const char *ifname, struct dump_result *r)
{
	struct msg m;

	memset(r, 0, sizeof(*r));
	msg_init(&m, fz_family_id, NLM_F_DUMP, FZ_CMD_GET_DEVICE,
		 FZ_GENL_VERSION);
	put_str(&m, FZ_A_IFNAME, ifname);
	return transact(&m, dump_cb, r);
}

/*
 * The hold's counters, read in C: 11-hold needs them within the 10 s a
 * packet is held, which fzagent show through Python missed on the debug
 * kernel.
 */
struct hold_stats {
	unsigned long long v[FZ_STAT_A_DROP_HOLD_REFUSED + 1];
	bool seen;
};

static void stats_cb(struct nlmsghdr *nlh, void *arg)
{
	struct hold_stats *st = arg;
	struct nlattr *a, *c;
	int len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), clen;
	uint64_t v;

	for_each_attr(a, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN, len)
	{
		if ((a->nla_type & NLA_TYPE_MASK) != FZ_A_STATS)
			continue;
		st->seen = true;
		clen = attr_len(a);
		for_each_attr(c, attr_data(a), clen)
		{
			int type = c->nla_type & NLA_TYPE_MASK;

			if (type < FZ_STAT_A_HELD ||
			    type > FZ_STAT_A_DROP_HOLD_REFUSED ||
			    attr_len(c) != sizeof(v))
				continue;
			memcpy(&v, attr_data(c), sizeof(v));
			st->v[type] = v;
		}
	}
}

static int cmd_hold_stats(const char *ifname)
{
	struct hold_stats st = { 0 };
	struct msg m;

	msg_init(&m, fz_family_id, NLM_F_DUMP, FZ_CMD_GET_DEVICE,
		 FZ_GENL_VERSION);
	put_str(&m, FZ_A_IFNAME, ifname);
	if (transact(&m, stats_cb, &st) || !st.seen) {
		fprintf(stderr, "hold-stats: no counters for %s\n", ifname);
		return 2;
	}
	printf("held %llu held_sent %llu drop_hold_full %llu "
	       "drop_hold_timeout %llu drop_hold_refused %llu\n",
	       st.v[FZ_STAT_A_HELD], st.v[FZ_STAT_A_HELD_SENT],
	       st.v[FZ_STAT_A_DROP_HOLD_FULL],
	       st.v[FZ_STAT_A_DROP_HOLD_TIMEOUT],
	       st.v[FZ_STAT_A_DROP_HOLD_REFUSED]);
	return 0;
}

/* ---- Peers ---- */

static void make_key(uint8_t key[FZ_KEY_LEN], uint32_t n)
{
	memset(key, 0x5a, FZ_KEY_LEN);
	memcpy(key, &n, sizeof(n));
}

static void put_prefix(struct msg *m, const uint8_t *addr, int len,
		       uint16_t family, uint8_t cidr)
{
	nest_start(m, 0);
	put_u16(m, FZ_AIP_A_FAMILY, family);
	put(m, FZ_AIP_A_ADDR, addr, len);
	put_u8(m, FZ_AIP_A_CIDR, cidr);
	nest_end(m);
}

static int set_peer(const char *ifname, uint32_t n, const uint8_t *addr,
		    int addr_len, uint16_t family, uint8_t cidr)
{
	uint8_t key[FZ_KEY_LEN];
	struct msg m;

	make_key(key, n);
	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_PEER, FZ_GENL_VERSION);
	put_str(&m, FZ_A_IFNAME, ifname);
	nest_start(&m, FZ_A_PEER);
	put(&m, FZ_PEER_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	nest_start(&m, FZ_PEER_A_ALLOWEDIPS);
	put_prefix(&m, addr, addr_len, family, cidr);
	nest_end(&m);
	nest_end(&m);
	return transact(&m, NULL, NULL);
}

static int set_peer_v4(const char *ifname, uint32_t n)
{
	uint8_t addr[4] = { 10, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff };

	return set_peer(ifname, n, addr, 4, AF_INET, 32);
}

static int replace_peers(const char *ifname)
{
	struct msg m;

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_DEVICE, FZ_GENL_VERSION);
	put_str(&m, FZ_A_IFNAME, ifname);
	put_u32(&m, FZ_A_FLAGS, FZ_DEVICE_F_REPLACE_PEERS);
	return transact(&m, NULL, NULL);
}

/* ---- Scenarios ---- */

static int expect_errno(int got, int want, const char *what)
{
	char line[256];

	snprintf(line, sizeof(line), "%s: %s (got %s)", what, strerror(-want),
		 got ? strerror(-got) : "success");
	check(got == want, line);
	return got == want;
}

static void malformed_device(const char *ifname)
{
	uint8_t short_key[FZ_KEY_LEN - 1] = { 1 };
	uint16_t short_ifindex = 1;
	struct msg m;

	msg_init(&m, fz_family_id, NLM_F_DUMP, FZ_CMD_GET_DEVICE, 1);
	put(&m, FZ_A_IFINDEX, &short_ifindex, sizeof(short_ifindex));
	expect_errno(transact(&m, NULL, NULL), -EINVAL,
		     "GET_DEVICE with a 2-byte ifindex");

	msg_init(&m, fz_family_id, NLM_F_DUMP, FZ_CMD_GET_DEVICE, 1);
	expect_errno(transact(&m, NULL, NULL), -EINVAL,
		     "GET_DEVICE naming no device");

	msg_init(&m, fz_family_id, NLM_F_DUMP, FZ_CMD_GET_DEVICE, 1);
	put_str(&m, FZ_A_IFNAME, "fz-nonexistent");
	expect_errno(transact(&m, NULL, NULL), -ENODEV,
		     "GET_DEVICE of a missing device");

	msg_init(&m, fz_family_id, NLM_F_DUMP, FZ_CMD_GET_DEVICE, 1);
	put_str(&m, FZ_A_IFNAME, "lo");
	expect_errno(transact(&m, NULL, NULL), -ENODEV,
		     "GET_DEVICE of a device that is not fz");

	msg_init(&m, fz_family_id, NLM_F_DUMP, FZ_CMD_GET_DEVICE, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	put_u32(&m, FZ_A_MAX + 1, 0);
	expect_errno(transact(&m, NULL, NULL), -EINVAL,
		     "GET_DEVICE with an unknown attribute type");

	msg_init(&m, fz_family_id, NLM_F_DUMP, FZ_CMD_GET_DEVICE, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	put_u32(&m, FZ_A_FWMARK, 1);
	expect_errno(transact(&m, NULL, NULL), -EINVAL,
		     "GET_DEVICE with an attribute outside its policy");

	msg_init(&m, fz_family_id, NLM_F_DUMP, FZ_CMD_GET_DEVICE, 1);
	put(&m, FZ_A_IFNAME, "fz0", 3);
	expect_errno(transact(&m, NULL, NULL), -EINVAL,
		     "GET_DEVICE with an unterminated ifname");

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_DEVICE, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	put(&m, FZ_A_PUBLIC_KEY, short_key, sizeof(short_key));
	expect_errno(transact(&m, NULL, NULL), -ERANGE,
		     "SET_DEVICE with a 31-byte public key");

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_DEVICE, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	put_u32(&m, FZ_A_FLAGS, 1U << 31);
	expect_errno(transact(&m, NULL, NULL), -EOPNOTSUPP,
		     "SET_DEVICE with an unknown flag bit");

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_DEVICE, 0);
	put_str(&m, FZ_A_IFNAME, ifname);
	expect_errno(transact(&m, NULL, NULL), -EPROTONOSUPPORT,
		     "SET_DEVICE with genl version 0");

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_DEVICE, FZ_GENL_VERSION + 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	expect_errno(transact(&m, NULL, NULL), -EPROTONOSUPPORT,
		     "SET_DEVICE with a future genl version");

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_DEVICE, 1);
	((struct genlmsghdr *)NLMSG_DATA(m.nlh))->reserved = 7;
	put_str(&m, FZ_A_IFNAME, ifname);
	expect_errno(transact(&m, NULL, NULL), -EINVAL,
		     "SET_DEVICE with nonzero reserved header bytes");

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_DEVICE, 1);
	put_u32(&m, FZ_A_IFINDEX, if_nametoindex(ifname));
	put_str(&m, FZ_A_IFNAME, ifname);
	expect_errno(transact(&m, NULL, NULL), -EINVAL,
		     "SET_DEVICE naming the device twice");

	msg_init(&m, fz_family_id, 0, __FZ_CMD_MAX, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	expect_errno(transact(&m, NULL, NULL), -EOPNOTSUPP,
		     "a command number past the last one");
}

static void malformed_peer(const char *ifname)
{
	uint8_t key[FZ_KEY_LEN], v4[16] = { 10, 0, 0, 1 };
	struct sockaddr_in6 bad_ep = { .sin6_family = AF_UNIX };
	struct dump_result r;
	struct msg m;

	make_key(key, 1);
	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_PEER, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	expect_errno(transact(&m, NULL, NULL), -EINVAL,
		     "SET_PEER without a peer");

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_PEER, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	nest_start(&m, FZ_A_PEER);
	put_u16(&m, FZ_PEER_A_PERSISTENT_KEEPALIVE, 25);
	nest_end(&m);
	expect_errno(transact(&m, NULL, NULL), -EINVAL,
		     "SET_PEER without a public key");

	expect_errno(set_peer(ifname, 1, v4, 4, AF_INET, 33), -EINVAL,
		     "SET_PEER with a /33 IPv4 prefix");
	expect_errno(set_peer(ifname, 1, v4, 16, AF_INET, 32), -EINVAL,
		     "SET_PEER with a 16-byte IPv4 address");
	expect_errno(set_peer(ifname, 1, v4, 4, AF_INET6, 32), -EINVAL,
		     "SET_PEER with a 4-byte IPv6 address");
	expect_errno(set_peer(ifname, 1, v4, 4, 12345, 8), -EAFNOSUPPORT,
		     "SET_PEER with an unknown address family");

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_PEER, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	nest_start(&m, FZ_A_PEER);
	put(&m, FZ_PEER_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	put(&m, FZ_PEER_A_ENDPOINT, &bad_ep, sizeof(bad_ep));
	nest_end(&m);
	expect_errno(transact(&m, NULL, NULL), -EINVAL,
		     "SET_PEER with an AF_UNIX endpoint");

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_PEER, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	nest_start(&m, FZ_A_PEER);
	put(&m, FZ_PEER_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	put_u32(&m, FZ_PEER_A_FLAGS, 1U << 30);
	nest_end(&m);
	expect_errno(transact(&m, NULL, NULL), -EOPNOTSUPP,
		     "SET_PEER with an unknown flag bit");

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_PEER, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	nest_start(&m, FZ_A_PEER);
	put(&m, FZ_PEER_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	put_u32(&m, FZ_PEER_A_RX_BYTES, 5);
	nest_end(&m);
	expect_errno(transact(&m, NULL, NULL), -EINVAL,
		     "SET_PEER writing a read-only counter");

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_PEER, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	nest_start(&m, FZ_A_PEER);
	put(&m, FZ_PEER_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	put_u16(&m, FZ_PEER_A_QUIET_TIMEOUT, FZ_QUIET_TIMEOUT_MAX + 1);
	nest_end(&m);
	expect_errno(transact(&m, NULL, NULL), -ERANGE,
		     "SET_PEER with a quiet timeout over an hour");

	memset(key, 0, sizeof(key));
	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_PEER, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	nest_start(&m, FZ_A_PEER);
	put(&m, FZ_PEER_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	nest_end(&m);
	expect_errno(transact(&m, NULL, NULL), -EINVAL,
		     "SET_PEER with an all-zero public key");

	check(dump_device(ifname, &r) == 0 && r.peers == 0,
	      "refused requests created no peer");

	make_key(key, 99);
	msg_init(&m, fz_family_id, 0, FZ_CMD_DEL_PEER, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	nest_start(&m, FZ_A_PEER);
	put(&m, FZ_PEER_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	nest_end(&m);
	expect_errno(transact(&m, NULL, NULL), -ENOENT,
		     "DEL_PEER of an unknown peer");

	v4[3] = 77;
	expect_errno(set_peer(ifname, 1, v4, 4, AF_INET, 24), 0,
		     "SET_PEER well formed");
	check(dump_device(ifname, &r) == 0 && r.peers == 1 &&
		      !strcmp(r.first_aip, "10.0.0.0/24"),
	      "the peer's prefix is stored with its host bits cleared");
	expect_errno(replace_peers(ifname), 0, "SET_DEVICE replacing peers");
	check(dump_device(ifname, &r) == 0 && r.peers == 0,
	      "REPLACE_PEERS removed every peer");
}

static int cmd_dump(const char *ifname, int count)
{
	struct dump_result r;
	char line[128];
	int i, ret = 0;

	for (i = 0; i < count && !ret; i++)
		ret = set_peer_v4(ifname, i + 1);
	snprintf(line, sizeof(line), "added %d peers", count);
	check(!ret, line);
	ret = dump_device(ifname, &r);
	snprintf(line, sizeof(line),
		 "dump returned %d peers, %d allowed IPs in %d messages",
		 r.peers, r.allowedips, r.messages);
	check(!ret && !r.bad && r.saw_ifname && r.peers == count &&
		      r.allowedips == count,
	      line);
	if (count > 200)
		check(r.messages > 1, "a large dump spans several messages");
	return 0;
}

static int cmd_intr(const char *ifname)
{
	struct dump_result r = { 0 };
	int fd = open_socket(), ret, rcvbuf = 4096;
	bool intr = false;
	struct msg m;

	/* A small receive buffer makes the kernel send one part at a time. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	msg_init(&m, fz_family_id, NLM_F_DUMP, FZ_CMD_GET_DEVICE, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	ret = msg_send(fd, &m);
	check(!ret, "dump started");
	/* The first part is queued already; change the config, then read. */
	check(set_peer_v4(ifname, 100000) == 0, "peer added mid-dump");
	ret = msg_recv(fd, dump_cb, &r, &intr);
	check(!ret, "dump completed");
	check(intr, "the dump that raced a change is marked NLM_F_DUMP_INTR");
	close(fd);
	return 0;
}

/*
 * A data path without a handshake: both sides derive the same session keys
 * from two small numbers, so the kernel's crypto, routing and replay
 * window can be tested on their own.
 *   keyed IFNAME SELF PEER PORT PEER_IP PEER_PORT PREFIX[,PREFIX] SLOT|-
 */
/* Fixed session keys, one pair per generation of keys (EPOCH). */
static void session_key(uint8_t key[FZ_KEY_LEN], uint32_t from, uint32_t to,
			uint32_t epoch)
{
	memset(key, 0, FZ_KEY_LEN);
	memcpy(key, &from, sizeof(from));
	memcpy(key + 4, &to, sizeof(to));
	memcpy(key + 8, &epoch, sizeof(epoch));
	key[31] = 0xa5;
}

static int put_endpoint(struct msg *m, uint16_t type, const char *ip, int port)
{
	struct sockaddr_in6 ep6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in ep4 = { .sin_family = AF_INET };

	if (inet_pton(AF_INET, ip, &ep4.sin_addr) == 1) {
		ep4.sin_port = htons(port);
		put(m, type, &ep4, sizeof(ep4));
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &ep6.sin6_addr) == 1) {
		ep6.sin6_port = htons(port);
		put(m, type, &ep6, sizeof(ep6));
		return 0;
	}
	return -1;
}

static int put_prefixes(struct msg *m, char *list)
{
	char *save = NULL, *one, *slash;
	uint8_t addr[16];

	for (one = strtok_r(list, ",", &save); one;
	     one = strtok_r(NULL, ",", &save)) {
		slash = strchr(one, '/');
		if (!slash)
			return -1;
		*slash = 0;
		if (inet_pton(AF_INET, one, addr) == 1)
			put_prefix(m, addr, 4, AF_INET, atoi(slash + 1));
		else if (inet_pton(AF_INET6, one, addr) == 1)
			put_prefix(m, addr, 16, AF_INET6, atoi(slash + 1));
		else
			return -1;
	}
	return 0;
}

static void keyed_device(const char *ifname, uint32_t self, int port)
{
	uint8_t key[FZ_KEY_LEN];
	struct msg m;

	make_key(key, self);
	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_DEVICE, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	put(&m, FZ_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	put_u16(&m, FZ_A_LISTEN_PORT, port);
	expect_errno(transact(&m, NULL, NULL), 0, "SET_DEVICE key and port");
}

static void keyed_peer(const char *ifname, uint32_t peer, const char *ip,
		       int port, char *prefixes)
{
	uint8_t key[FZ_KEY_LEN];
	struct msg m;

	make_key(key, peer);
	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_PEER, 1);
	put_str(&m, FZ_A_IFNAME, ifname);
	nest_start(&m, FZ_A_PEER);
	put(&m, FZ_PEER_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	put_u32(&m, FZ_PEER_A_FLAGS, FZ_PEER_F_REPLACE_ALLOWEDIPS);
	if (put_endpoint(&m, FZ_PEER_A_ENDPOINT, ip, port)) {
		check(false, "endpoint address parses");
		return;
	}
	nest_start(&m, FZ_PEER_A_ALLOWEDIPS);
	if (put_prefixes(&m, prefixes)) {
		check(false, "prefixes parse");
		return;
	}
	nest_end(&m);
	nest_end(&m);
	expect_errno(transact(&m, NULL, NULL), 0, "SET_PEER with endpoint");
}

/* SET_KEYPAIR of the fixed session keys; the current slot initiated. */
/*
 * Session keys of generation EPOCH, with receive indexes of their own, so
 * that both sides of a keyed tunnel can start over on new keys whatever
 * nonces and indexes the old ones used.
 */
static void keypair_msg(struct msg *m, const char *ifname, uint32_t self,
			uint32_t peer, int slot, uint32_t epoch)
{
	uint8_t key[FZ_KEY_LEN], send[FZ_KEY_LEN], recv[FZ_KEY_LEN];

	make_key(key, peer);
	session_key(send, self, peer, epoch);
	session_key(recv, peer, self, epoch);
	msg_init(m, fz_family_id, 0, FZ_CMD_SET_KEYPAIR, 1);
	put_str(m, FZ_A_IFNAME, ifname);
	nest_start(m, FZ_A_PEER);
	put(m, FZ_PEER_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	nest_end(m);
	nest_start(m, FZ_A_KEYPAIR);
	put_u8(m, FZ_KP_A_SLOT, slot);
	put_u32(m, FZ_KP_A_LOCAL_INDEX, self + (epoch << 16));
	put_u32(m, FZ_KP_A_REMOTE_INDEX, peer + (epoch << 16));
	put(m, FZ_KP_A_SEND_KEY, send, FZ_KEY_LEN);
	put(m, FZ_KP_A_RECV_KEY, recv, FZ_KEY_LEN);
	if (slot == FZ_KEYPAIR_CURRENT)
		put_u32(m, FZ_KP_A_FLAGS, FZ_KEYPAIR_F_INITIATOR);
	nest_end(m);
}

static void keyed_keypair(const char *ifname, uint32_t self, uint32_t peer,
			  int slot)
{
	struct msg m;

	keypair_msg(&m, ifname, self, peer, slot, 0);
	expect_errno(transact(&m, NULL, NULL), 0, "SET_KEYPAIR");
}

static int cmd_keyed(char **argv)
{
	uint32_t self = atoi(argv[1]), peer = atoi(argv[2]);

	keyed_device(argv[0], self, atoi(argv[3]));
	keyed_peer(argv[0], peer, argv[4], atoi(argv[5]), argv[6]);
	if (strcmp(argv[7], "-")) /* "-": no keys, packets wait for them */
		keyed_keypair(argv[0], self, peer, atoi(argv[7]));
	return 0;
}

/* ---- Events ---- */

static void mcast_cb(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = NLMSG_DATA(nlh);
	struct nlattr *a, *grp, *f;
	int len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), glen, flen;
	uint32_t id = 0;
	bool ours = false;

	for_each_attr(a, (char *)g + GENL_HDRLEN, len)
	{
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		glen = attr_len(a);
		for_each_attr(grp, attr_data(a), glen)
		{
			flen = attr_len(grp);
			ours = false;
			for_each_attr(f, attr_data(grp), flen)
			{
				if (f->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
					ours = !strcmp(attr_data(f),
						       FZ_MCGRP_EVENTS);
				if (f->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					id = *(uint32_t *)attr_data(f);
			}
			if (ours)
				*(uint32_t *)arg = id;
		}
	}
}

static const char *event_name(uint8_t cmd)
{
	switch (cmd) {
	case FZ_CMD_EVT_HANDSHAKE:
		return "handshake";
	case FZ_CMD_EVT_HANDSHAKE_NEEDED:
		return "handshake-needed";
	case FZ_CMD_EVT_PEER_QUIET:
		return "peer-quiet";
	default:
		return "other";
	}
}

static void event_cb(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *g = NLMSG_DATA(nlh);
	struct nlattr *a;
	int len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	unsigned int reason = 0, pkt_type = 0;

	(void)arg;
	if (nlh->nlmsg_type != fz_family_id)
		return;
	for_each_attr(a, (char *)g + GENL_HDRLEN, len)
	{
		if (a->nla_type == FZ_A_REASON)
			reason = *(uint32_t *)attr_data(a);
		if (a->nla_type == FZ_A_PACKET && attr_len(a) > 0)
			pkt_type = *(uint8_t *)attr_data(a);
	}
	printf("event %s reason %u type %u\n", event_name(g->cmd), reason,
	       pkt_type);
	fflush(stdout);
}

/* A socket that has joined the events group, or -1. */
static int join_events(void)
{
	uint32_t group = 0;
	struct msg m;
	int fd;

	msg_init(&m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
	put_str(&m, CTRL_ATTR_FAMILY_NAME, FZ_GENL_NAME);
	if (transact(&m, mcast_cb, &group) || !group) {
		fprintf(stderr, "fz-nlprobe: no events group\n");
		return -1;
	}
	fd = open_socket();
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
		       sizeof(group))) {
		perror("fz-nlprobe: join events group");
		return -1;
	}
	return fd;
}

/* listen SECONDS: prints one line per event until the time is up. */
static int cmd_listen(int seconds)
{
	struct timeval tv = { .tv_sec = 1 };
	static char buf[BUF_SIZE];
	time_t end = time(NULL) + seconds;
	struct nlmsghdr *nlh;
	ssize_t len;
	int fd = join_events();

	if (fd < 0)
		return 2;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	printf("listening\n");
	fflush(stdout);
	while (time(NULL) < end) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			continue;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len))
			event_cb(nlh, NULL);
	}
	return 0;
}

/* ---- Control packets and events, for tests ---- */

static const char b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int key_from_b64(const char *s, uint8_t key[FZ_KEY_LEN])
{
	uint32_t acc = 0;
	int bits = 0, n = 0, i;
	const char *c;

	if (strlen(s) != 44 || s[43] != '=')
		return -1;
	for (i = 0; i < 43; i++) {
		c = strchr(b64_chars, s[i]);
		if (!c)
			return -1;
		acc = acc << 6 | (uint32_t)(c - b64_chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			key[n++] = acc >> bits;
		}
	}
	/* The last character carries 2 unused bits, which must be zero. */
	return n == FZ_KEY_LEN && !(acc & 3) ? 0 : -1;
}

static void key_to_b64(const uint8_t *key, char out[45])
{
	uint32_t v;
	int i, o = 0;

	for (i = 0; i < FZ_KEY_LEN; i += 3) {
		v = key[i] << 16;
		if (i + 1 < FZ_KEY_LEN)
			v |= key[i + 1] << 8;
		if (i + 2 < FZ_KEY_LEN)
			v |= key[i + 2];
		out[o++] = b64_chars[(v >> 18) & 63];
		out[o++] = b64_chars[(v >> 12) & 63];
		out[o++] = i + 1 < FZ_KEY_LEN ? b64_chars[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < FZ_KEY_LEN ? b64_chars[v & 63] : '=';
	}
	out[o] = 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes HEX into out; returns the byte count, or -1. */
static int from_hex(const char *hex, uint8_t *out, size_t max)
{
	size_t len = strlen(hex), i;
	int hi, lo;

	if (len % 2 || len / 2 > max)
		return -1;
	for (i = 0; i < len / 2; i++) {
		hi = hex_value(hex[2 * i]);
		lo = hex_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = hi << 4 | lo;
	}
	return len / 2;
}

/* Room for a control packet in one request: the message, less headers. */
#define PACKET_MAX (BUF_SIZE / 2)

/* SEND_CONTROL with PKT as FZ_A_PACKET: 0, 1 when refused, 2 on misuse. */
static int send_control(const char *ifname, const char *peer_b64,
			const uint8_t *pkt, int len)
{
	uint8_t key[FZ_KEY_LEN];
	const char *name;
	struct msg m;
	int ret;

	if (key_from_b64(peer_b64, key)) {
		fprintf(stderr, "fz-nlprobe: bad base64 key %s\n", peer_b64);
		return 2;
	}
	msg_init(&m, fz_family_id, 0, FZ_CMD_SEND_CONTROL, FZ_GENL_VERSION);
	put_str(&m, FZ_A_IFNAME, ifname);
	nest_start(&m, FZ_A_PEER);
	put(&m, FZ_PEER_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	nest_end(&m);
	put(&m, FZ_A_PACKET, pkt, len);
	ret = transact(&m, NULL, NULL);
	if (!ret)
		return 0;
	name = strerrorname_np(-ret);
	printf("error: %s (%s)%s%s\n", strerror(-ret), name ? name : "?",
	       ext_ack_msg[0] ? ": " : "", ext_ack_msg);
	return 1;
}

/* control-send IFNAME PEERKEY TYPE JSON */
static int cmd_control_send(char **argv)
{
	static uint8_t pkt[PACKET_MAX];
	size_t json_len = strlen(argv[3]);
	unsigned long type;
	char *end;

	errno = 0;
	type = strtoul(argv[2], &end, 0);
	if (errno || end == argv[2] || *end || type > 255) {
		fprintf(stderr, "fz-nlprobe: TYPE must be 0..255\n");
		return 2;
	}
	if (json_len > sizeof(pkt) - 8) {
		fprintf(stderr, "fz-nlprobe: JSON too long\n");
		return 2;
	}
	memset(pkt, 0, 8);
	pkt[0] = type;
	memcpy(pkt + 8, argv[3], json_len);
	return send_control(argv[0], argv[1], pkt, 8 + json_len);
}

/* control-send-raw IFNAME PEERKEY HEX */
static int cmd_control_send_raw(char **argv)
{
	static uint8_t pkt[PACKET_MAX];
	int len = from_hex(argv[2], pkt, sizeof(pkt));

	if (len < 0) {
		fprintf(stderr, "fz-nlprobe: bad hex (or more than %d bytes)\n",
			PACKET_MAX);
		return 2;
	}
	return send_control(argv[0], argv[1], pkt, len);
}

struct event {
	uint32_t ifindex;
	const uint8_t *key;
	const uint8_t *packet;
	int packet_len;
	uint32_t reason;
	uint8_t proto;
	const uint8_t *saddr, *daddr;
	int saddr_len, daddr_len;
	uint16_t sport, dport;
};

static void parse_event_peer(struct nlattr *nest, struct event *ev)
{
	struct nlattr *a;
	int len = attr_len(nest);

	for_each_attr(a, attr_data(nest), len)
	{
		if (a->nla_type == FZ_PEER_A_PUBLIC_KEY &&
		    attr_len(a) == FZ_KEY_LEN)
			ev->key = attr_data(a);
	}
}

static void parse_event_flow(struct nlattr *nest, struct event *ev)
{
	struct nlattr *a;
	int len = attr_len(nest);

	for_each_attr(a, attr_data(nest), len)
	{
		switch (a->nla_type) {
		case FZ_FLOW_A_PROTO:
			if (attr_len(a) >= 1)
				ev->proto = *(uint8_t *)attr_data(a);
			break;
		case FZ_FLOW_A_SADDR:
			ev->saddr = attr_data(a);
			ev->saddr_len = attr_len(a);
			break;
		case FZ_FLOW_A_DADDR:
			ev->daddr = attr_data(a);
			ev->daddr_len = attr_len(a);
			break;
		case FZ_FLOW_A_SPORT:
			if (attr_len(a) >= 2)
				ev->sport = *(uint16_t *)attr_data(a);
			break;
		case FZ_FLOW_A_DPORT:
			if (attr_len(a) >= 2)
				ev->dport = *(uint16_t *)attr_data(a);
			break;
		}
	}
}

static const char *addr_str(const uint8_t *addr, int len, char *buf,
			    socklen_t size)
{
	if (addr && len == 4 && inet_ntop(AF_INET, addr, buf, size))
		return buf;
	if (addr && len == 16 && inet_ntop(AF_INET6, addr, buf, size))
		return buf;
	return "-";
}

/* Prints one event of device IFINDEX; returns 1 if it printed a line. */
static int print_event(struct nlmsghdr *nlh, uint32_t ifindex)
{
	struct genlmsghdr *g = NLMSG_DATA(nlh);
	int len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	char key[45] = "-", sbuf[INET6_ADDRSTRLEN], dbuf[INET6_ADDRSTRLEN];
	struct event ev = { 0 };
	struct nlattr *a;

	if (nlh->nlmsg_type != fz_family_id)
		return 0;
	for_each_attr(a, (char *)g + GENL_HDRLEN, len)
	{
		switch (a->nla_type & NLA_TYPE_MASK) {
		case FZ_A_IFINDEX:
			if (attr_len(a) >= 4)
				ev.ifindex = *(uint32_t *)attr_data(a);
			break;
		case FZ_A_PEER:
			parse_event_peer(a, &ev);
			break;
		case FZ_A_PACKET:
			ev.packet = attr_data(a);
			ev.packet_len = attr_len(a);
			break;
		case FZ_A_REASON:
			if (attr_len(a) >= 4)
				ev.reason = *(uint32_t *)attr_data(a);
			break;
		case FZ_A_FLOW:
			parse_event_flow(a, &ev);
			break;
		}
	}
	if (ev.ifindex != ifindex)
		return 0;
	if (ev.key)
		key_to_b64(ev.key, key);
	switch (g->cmd) {
	case FZ_CMD_EVT_CONTROL:
		printf("control %s %u", key,
		       ev.packet_len > 0 ? ev.packet[0] : 0);
		if (ev.packet_len > 8) {
			putchar(' ');
			fwrite(ev.packet + 8, 1, ev.packet_len - 8, stdout);
		}
		putchar('\n');
		break;
	case FZ_CMD_EVT_DENIED_FLOW:
		printf("denied %s %u %u %s %u ", key, ev.reason, ev.proto,
		       addr_str(ev.saddr, ev.saddr_len, sbuf, sizeof(sbuf)),
		       ev.sport);
		printf("%s %u\n",
		       addr_str(ev.daddr, ev.daddr_len, dbuf, sizeof(dbuf)),
		       ev.dport);
		break;
	case FZ_CMD_EVT_UNKNOWN_DEST:
		printf("unknown %u %s %u ", ev.proto,
		       addr_str(ev.saddr, ev.saddr_len, sbuf, sizeof(sbuf)),
		       ev.sport);
		printf("%s %u\n",
		       addr_str(ev.daddr, ev.daddr_len, dbuf, sizeof(dbuf)),
		       ev.dport);
		break;
	default:
		printf("event %u\n", g->cmd);
		break;
	}
	fflush(stdout);
	return 1;
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* events IFNAME SECONDS [MAX]: MAX 0 or absent means no limit. */
static int cmd_events(const char *ifname, int seconds, int max)
{
	static char buf[BUF_SIZE];
	long long end = now_ms() + seconds * 1000LL, left;
	int fd, seen = 0, rcvbuf = 1 << 20;
	uint32_t ifindex = if_nametoindex(ifname);
	struct pollfd pfd;
	struct nlmsghdr *nlh;
	ssize_t len;

	if (!ifindex) {
		fprintf(stderr, "fz-nlprobe: no device %s\n", ifname);
		return 2;
	}
	fd = join_events();
	if (fd < 0)
		return 2;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	fprintf(stderr, "fz-nlprobe: listening\n");
	pfd.fd = fd;
	pfd.events = POLLIN;
	while ((left = end - now_ms()) > 0 && (!max || seen < max)) {
		if (poll(&pfd, 1, left) <= 0)
			continue;
		len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == ENOBUFS)
				fprintf(stderr, "fz-nlprobe: events lost\n");
			continue;
		}
		for (nlh = (struct nlmsghdr *)buf;
		     NLMSG_OK(nlh, len) && (!max || seen < max);
		     nlh = NLMSG_NEXT(nlh, len))
			seen += print_event(nlh, ifindex);
	}
	close(fd);
	return 0;
}

/* ---- Gateway: clients, resources, DNS maps ---- */

static void put_peer_key(struct msg *m, const uint8_t key[FZ_KEY_LEN])
{
	nest_start(m, FZ_A_PEER);
	put(m, FZ_PEER_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	nest_end(m);
}

/* Prints a refusal as "error: strerror (NAME): extack" and returns 1. */
static int report(int ret)
{
	const char *name;

	if (!ret)
		return 0;
	name = strerrorname_np(-ret);
	printf("error: %s (%s)%s%s\n", strerror(-ret), name ? name : "?",
	       ext_ack_msg[0] ? ": " : "", ext_ack_msg);
	return 1;
}

static int set_client(const char *ifname, const uint8_t key[FZ_KEY_LEN])
{
	struct msg m;

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_PEER, FZ_GENL_VERSION);
	put_str(&m, FZ_A_IFNAME, ifname);
	nest_start(&m, FZ_A_PEER);
	put(&m, FZ_PEER_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	put_u32(&m, FZ_PEER_A_FLAGS, FZ_PEER_F_GATEWAY_CLIENT);
	nest_end(&m);
	return transact(&m, NULL, NULL);
}

static void put_addr(struct msg *m, uint16_t type, const char *ip)
{
	uint8_t addr[16];

	nest_start(m, type);
	if (inet_pton(AF_INET, ip, addr) == 1) {
		put_u16(m, FZ_AIP_A_FAMILY, AF_INET);
		put(m, FZ_AIP_A_ADDR, addr, 4);
	} else if (inet_pton(AF_INET6, ip, addr) == 1) {
		put_u16(m, FZ_AIP_A_FAMILY, AF_INET6);
		put(m, FZ_AIP_A_ADDR, addr, 16);
	}
	nest_end(m);
}

/* tcp:80, udp:5000-5010, icmp, or proto:N (raw, for bad input). */
static int put_filter(struct msg *m, const char *spec)
{
	unsigned int start = 0, end = 0, proto;
	int n = 0;

	if (!strcmp(spec, "icmp")) {
		proto = 1;
	} else if (sscanf(spec, "tcp:%u%n", &start, &n) == 1) {
		proto = 6;
	} else if (sscanf(spec, "udp:%u%n", &start, &n) == 1) {
		proto = 17;
	} else if (sscanf(spec, "proto:%u%n", &proto, &n) == 1) {
		nest_start(m, 0);
		put_u8(m, FZ_FILTER_A_PROTO, proto);
		nest_end(m);
		return spec[n] ? -1 : 0;
	} else {
		return -1;
	}
	end = start;
	if (n && spec[n] == '-' && sscanf(spec + n + 1, "%u", &end) != 1)
		return -1;
	nest_start(m, 0);
	put_u8(m, FZ_FILTER_A_PROTO, proto);
	if (n) { /* as given, even port 0: the kernel must refuse that */
		put_u16(m, FZ_FILTER_A_PORT_START, start);
		put_u16(m, FZ_FILTER_A_PORT_END, end);
	}
	nest_end(m);
	return 0;
}

/*
 * resource IFNAME PEER ID32HEX [dns] [expires BOOTTIME_NS|+SECS] [addr CIDR]... [filter F]...
 * ID is 32 hex digits; the expiry is CLOCK_BOOTTIME ns, or +SECONDS from now.
 */
static int build_resource(struct msg *m, int argc, char **argv)
{
	uint8_t key[FZ_KEY_LEN], id[16];
	uint32_t flags = 0;
	char cidrs[2048] = "";
	int i, nfilters = 0;
	uint64_t expires = 0;

	if (key_from_b64(argv[1], key) || from_hex(argv[2], id, 16) != 16)
		return -1;
	msg_init(m, fz_family_id, 0, FZ_CMD_SET_RESOURCE, FZ_GENL_VERSION);
	put_str(m, FZ_A_IFNAME, argv[0]);
	put_peer_key(m, key);
	nest_start(m, FZ_A_RESOURCE);
	put(m, FZ_RES_A_ID, id, 16);
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "dns")) {
			flags |= FZ_RES_F_DNS;
		} else if (!strcmp(argv[i], "flags") && i + 1 < argc) {
			flags |= strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "expires") && i + 1 < argc) {
			i++;
			/* fz.ko's deadlines are CLOCK_BOOTTIME. */
			expires =
				argv[i][0] == '+' ?
					boottime_ns() + strtoull(argv[i] + 1,
								 NULL, 10) *
								1000000000ULL :
					strtoull(argv[i], NULL, 10);
		} else if (!strcmp(argv[i], "addr") && i + 1 < argc) {
			strncat(cidrs, argv[++i],
				sizeof(cidrs) - strlen(cidrs) - 2);
			strcat(cidrs, ",");
		} else if (!strcmp(argv[i], "filter") && i + 1 < argc) {
			i++;
			nfilters++;
		} else {
			fprintf(stderr, "fz-nlprobe: bad resource word %s\n",
				argv[i]);
			return -1;
		}
	}
	put_u32(m, FZ_RES_A_FLAGS, flags);
	if (expires)
		put(m, FZ_RES_A_EXPIRES, &expires, sizeof(expires));
	if (cidrs[0]) {
		nest_start(m, FZ_RES_A_ADDRS);
		if (put_prefixes(m, cidrs))
			return -1;
		nest_end(m);
	}
	if (nfilters) {
		nest_start(m, FZ_RES_A_FILTERS);
		for (i = 3; i < argc; i++) {
			if (!strcmp(argv[i], "filter") &&
			    put_filter(m, argv[i + 1]))
				return -1;
		}
		nest_end(m);
	}
	nest_end(m);
	return 0;
}

static int cmd_resource(int argc, char **argv)
{
	struct msg m;

	if (build_resource(&m, argc, argv))
		return 2;
	return report(transact(&m, NULL, NULL));
}

static int del_resource(const char *ifname, const uint8_t key[FZ_KEY_LEN],
			const uint8_t id[16])
{
	struct msg m;

	msg_init(&m, fz_family_id, 0, FZ_CMD_DEL_RESOURCE, FZ_GENL_VERSION);
	put_str(&m, FZ_A_IFNAME, ifname);
	put_peer_key(&m, key);
	nest_start(&m, FZ_A_RESOURCE);
	put(&m, FZ_RES_A_ID, id, 16);
	nest_end(&m);
	return transact(&m, NULL, NULL);
}

static int set_dnsmap(const char *ifname, const uint8_t key[FZ_KEY_LEN],
		      const uint8_t id[16], const char *mapped,
		      const char *real)
{
	struct msg m;

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_DNS_MAP, FZ_GENL_VERSION);
	put_str(&m, FZ_A_IFNAME, ifname);
	put_peer_key(&m, key);
	nest_start(&m, FZ_A_DNS_MAP);
	if (id)
		put(&m, FZ_MAP_A_RESOURCE_ID, id, 16);
	if (mapped)
		put_addr(&m, FZ_MAP_A_MAPPED, mapped);
	if (real)
		put_addr(&m, FZ_MAP_A_REAL, real);
	nest_end(&m);
	return transact(&m, NULL, NULL);
}

/* ---- Every command, with every way of naming a device ---- */

/*
 * The ops in the order of fz.h. Each gets the least it needs to reach the
 * device lookup, so a bad selector is what the kernel judges.
 */
static const uint8_t all_cmds[] = {
	FZ_CMD_GET_DEVICE,     FZ_CMD_SET_DEVICE,   FZ_CMD_SET_PEER,
	FZ_CMD_DEL_PEER,       FZ_CMD_SET_KEYPAIR,  FZ_CMD_DEL_KEYPAIRS,
	FZ_CMD_SEND_HANDSHAKE, FZ_CMD_SET_RESOURCE, FZ_CMD_DEL_RESOURCE,
	FZ_CMD_SET_DNS_MAP,    FZ_CMD_DEL_DNS_MAP,  FZ_CMD_SEND_CONTROL,
	FZ_CMD_DROP_HELD,
};

static const char *const all_cmd_names[] = {
	"GET_DEVICE",	"SET_DEVICE",	"SET_PEER",	  "DEL_PEER",
	"SET_KEYPAIR",	"DEL_KEYPAIRS", "SEND_HANDSHAKE", "SET_RESOURCE",
	"DEL_RESOURCE", "SET_DNS_MAP",	"DEL_DNS_MAP",	  "SEND_CONTROL",
	"DROP_HELD",
};

static void put_body(struct msg *m, uint8_t cmd)
{
	static const uint8_t id[16] = { 0xfe, 0xed };
	uint8_t key[FZ_KEY_LEN], packet[148] = { 1 }; /* an initiation */
	uint8_t control[8] = { 0 };

	make_key(key, 4242);
	if (cmd == FZ_CMD_GET_DEVICE || cmd == FZ_CMD_SET_DEVICE)
		return;
	if (cmd == FZ_CMD_DROP_HELD) {
		nest_start(m, FZ_A_FLOW);
		put(m, FZ_FLOW_A_DADDR, id, 4);
		nest_end(m);
		return;
	}
	put_peer_key(m, key);
	switch (cmd) {
	case FZ_CMD_SET_KEYPAIR:
		nest_start(m, FZ_A_KEYPAIR);
		put_u8(m, FZ_KP_A_SLOT, FZ_KEYPAIR_CURRENT);
		put_u32(m, FZ_KP_A_LOCAL_INDEX, 4242);
		put_u32(m, FZ_KP_A_REMOTE_INDEX, 4243);
		put(m, FZ_KP_A_SEND_KEY, key, FZ_KEY_LEN);
		put(m, FZ_KP_A_RECV_KEY, key, FZ_KEY_LEN);
		nest_end(m);
		break;
	case FZ_CMD_SEND_HANDSHAKE:
		put(m, FZ_A_PACKET, packet, sizeof(packet));
		break;
	case FZ_CMD_SET_RESOURCE:
	case FZ_CMD_DEL_RESOURCE:
		nest_start(m, FZ_A_RESOURCE);
		put(m, FZ_RES_A_ID, id, sizeof(id));
		if (cmd == FZ_CMD_SET_RESOURCE)
			put_u32(m, FZ_RES_A_FLAGS, FZ_RES_F_DNS);
		nest_end(m);
		break;
	case FZ_CMD_SET_DNS_MAP:
	case FZ_CMD_DEL_DNS_MAP:
		nest_start(m, FZ_A_DNS_MAP);
		put(m, FZ_MAP_A_RESOURCE_ID, id, sizeof(id));
		if (cmd == FZ_CMD_SET_DNS_MAP) {
			put_addr(m, FZ_MAP_A_MAPPED, "100.96.0.1");
			put_addr(m, FZ_MAP_A_REAL, "10.77.0.5");
		}
		nest_end(m);
		break;
	case FZ_CMD_SEND_CONTROL:
		put(m, FZ_A_PACKET, control, sizeof(control));
		break;
	}
}

enum selector {
	SEL_NAME, /* the name given on the command line */
	SEL_INDEX_ZERO,
	SEL_INDEX_HUGE,
	SEL_NAME_EMPTY,
	SEL_NAME_UNTERMINATED,
	SEL_BOTH,
	SEL_NONE,
};

static int send_cmd(uint8_t cmd, enum selector sel, const char *ifname)
{
	static const char unterminated[4] = { 'f', 'z', '0', 'x' };
	struct dump_result r = { 0 };
	struct msg m;

	msg_init(&m, fz_family_id, cmd == FZ_CMD_GET_DEVICE ? NLM_F_DUMP : 0,
		 cmd, FZ_GENL_VERSION);
	switch (sel) {
	case SEL_NAME:
		put_str(&m, FZ_A_IFNAME, ifname);
		break;
	case SEL_INDEX_ZERO:
		put_u32(&m, FZ_A_IFINDEX, 0);
		break;
	case SEL_INDEX_HUGE:
		put_u32(&m, FZ_A_IFINDEX, 0xffffffffu);
		break;
	case SEL_NAME_EMPTY:
		put_str(&m, FZ_A_IFNAME, "");
		break;
	case SEL_NAME_UNTERMINATED:
		put(&m, FZ_A_IFNAME, unterminated, sizeof(unterminated));
		break;
	case SEL_BOTH:
		put_u32(&m, FZ_A_IFINDEX, if_nametoindex(ifname));
		put_str(&m, FZ_A_IFNAME, ifname);
		break;
	case SEL_NONE:
		break;
	}
	put_body(&m, cmd);
	return transact(&m, cmd == FZ_CMD_GET_DEVICE ? dump_cb : NULL, &r);
}

/*
 * Every op with every bad way of naming a device is refused, and the
 * family still answers afterwards. "nosuchfz" shows that each request
 * gets as far as the lookup.
 */
static void cmd_selectors(const char *ifname)
{
	static const struct {
		enum selector sel;
		int err;
		const char *what;
	} cases[] = {
		{ SEL_INDEX_ZERO, -ERANGE,
		  "ifindex 0" }, /* below the policy minimum */
		{ SEL_INDEX_HUGE, -ENODEV, "ifindex 2^32-1" },
		{ SEL_NAME_EMPTY, -EINVAL, "an empty name" },
		{ SEL_NAME_UNTERMINATED, -EINVAL, "an unterminated name" },
		{ SEL_BOTH, -EINVAL, "both ifindex and name" },
		{ SEL_NONE, -EINVAL, "no device at all" },
	};
	struct dump_result r = { 0 };
	char what[160];
	size_t c, i;

	for (c = 0; c < sizeof(all_cmds); c++) {
		snprintf(what, sizeof(what), "%s naming a missing device",
			 all_cmd_names[c]);
		expect_errno(send_cmd(all_cmds[c], SEL_NAME, "nosuchfz"),
			     -ENODEV, what);
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			snprintf(what, sizeof(what), "%s with %s",
				 all_cmd_names[c], cases[i].what);
			expect_errno(send_cmd(all_cmds[c], cases[i].sel,
					      ifname),
				     cases[i].err, what);
		}
	}
	check(dump_device(ifname, &r) == 0 && r.saw_ifname,
	      "generic netlink still answers: the device dumps");
}

/* Every op on a device this caller may not administer: EPERM. */
static void cmd_denied(const char *ifname)
{
	char what[160];
	size_t c;

	for (c = 0; c < sizeof(all_cmds); c++) {
		snprintf(what, sizeof(what),
			 "%s without CAP_NET_ADMIN over the device's namespace",
			 all_cmd_names[c]);
		expect_errno(send_cmd(all_cmds[c], SEL_NAME, ifname), -EPERM,
			     what);
	}
}

/* client IFNAME PEER | resource-del IFNAME PEER ID | dnsmap IFNAME PEER ID MAPPED REAL */
static int cmd_gateway(const char *what, int argc, char **argv)
{
	uint8_t key[FZ_KEY_LEN], id[16];

	if (argc < 2 || key_from_b64(argv[1], key))
		return 2;
	if (!strcmp(what, "client") && argc == 2)
		return report(set_client(argv[0], key));
	if (argc < 3 || from_hex(argv[2], id, 16) != 16)
		return 2;
	if (!strcmp(what, "resource-del") && argc == 3)
		return report(del_resource(argv[0], key, id));
	if (!strcmp(what, "dnsmap") && argc == 5)
		return report(set_dnsmap(argv[0], key, id, argv[3], argv[4]));
	return 2;
}

static int resources_of(const char *ifname)
{
	struct dump_result r;

	if (dump_device(ifname, &r))
		return -1;
	return r.resources;
}

/* SET_RESOURCE from words (as cmd_resource takes them): the errno. */
static int try_resource(const char *ifname, const uint8_t key[FZ_KEY_LEN],
			const char *const *words, int n)
{
	char *argv[24] = { (char *)ifname, NULL,
			   (char *)"000102030405060708090a0b0c0d0e0f" };
	char b64[45];
	struct msg m;
	int i;

	key_to_b64(key, b64);
	argv[1] = b64;
	for (i = 0; i < n && i < 20; i++)
		argv[3 + i] = (char *)words[i];
	if (build_resource(&m, 3 + n, argv))
		return -EBADMSG;
	return transact(&m, NULL, NULL);
}

#define EXPECT_RESOURCE(want, what, ...)                           \
	do {                                                       \
		static const char *const w[] = { __VA_ARGS__ };    \
		expect_errno(try_resource(ifname, key, w,          \
					  sizeof(w) / sizeof(*w)), \
			     want, what);                          \
	} while (0)

static void malformed_resources(const char *ifname,
				const uint8_t key[FZ_KEY_LEN])
{
	EXPECT_RESOURCE(-EINVAL, "CIDR resource without an address", "filter",
			"icmp");
	EXPECT_RESOURCE(-EINVAL, "prefix with host bits set", "addr",
			"172.31.0.10/24");
	EXPECT_RESOURCE(-EINVAL, "prefix longer than the family", "addr",
			"172.31.0.10/33");
	EXPECT_RESOURCE(-EINVAL,
			"DNS resource address outside the mapped range", "dns",
			"addr", "172.31.0.10/32");
	EXPECT_RESOURCE(-EINVAL, "DNS resource address that is a prefix", "dns",
			"addr", "100.96.0.0/24");
	EXPECT_RESOURCE(-EINVAL, "filter protocol 2", "addr", "10.0.0.0/8",
			"filter", "proto:2");
	EXPECT_RESOURCE(-EINVAL, "filter without a protocol", "addr",
			"10.0.0.0/8", "filter", "proto:0");
	EXPECT_RESOURCE(-EINVAL, "port range end before start", "addr",
			"10.0.0.0/8", "filter", "tcp:90-80");
	EXPECT_RESOURCE(-EINVAL, "port 0", "addr", "10.0.0.0/8", "filter",
			"udp:0-10");
	EXPECT_RESOURCE(-E2BIG, "9 addresses", "addr", "10.0.0.1/32", "addr",
			"10.0.0.2/32", "addr", "10.0.0.3/32", "addr",
			"10.0.0.4/32", "addr", "10.0.0.5/32", "addr",
			"10.0.0.6/32", "addr", "10.0.0.7/32", "addr",
			"10.0.0.8/32", "addr", "10.0.0.9/32");
	EXPECT_RESOURCE(-EOPNOTSUPP, "unknown resource flag", "flags", "0x80",
			"addr", "10.0.0.0/8");
}

static void malformed_dnsmaps(const char *ifname, const uint8_t key[FZ_KEY_LEN],
			      const uint8_t id[16])
{
	static const uint8_t other[16] = { 0xee };
	/* Never a translation target: one remote unicast host only. */
	static const char *const bad4[] = {
		"0.0.0.0",	   "0.1.2.3",	 "127.0.0.1",
		"169.254.169.254", "224.0.0.1",	 "239.1.2.3",
		"255.255.255.255", "100.64.0.1", "100.100.111.1",
		"100.127.255.255",
	};
	static const char *const bad6[] = {
		"::",
		"::1",
		"fe80::1",
		"febf::1",
		"ff02::1",
		"ff0e::1",
		"::ffff:172.31.0.10",
		"fd00:2021:1111::1",
		"fd00:2021:1111:8000:100:100:111:1",
		"fd00:2021:1111:ffff::1",
	};
	char what[128];
	size_t i;

	expect_errno(set_dnsmap(ifname, key, other, "100.96.0.1",
				"172.31.0.10"),
		     -ENOENT, "DNS map for a resource the client lacks");
	expect_errno(set_dnsmap(ifname, key, id, "100.95.0.1", "172.31.0.10"),
		     -EINVAL, "DNS map from outside the mapped range");
	expect_errno(set_dnsmap(ifname, key, id, "100.96.0.1", "fd00:31::10"),
		     -EINVAL, "DNS map across families");
	expect_errno(set_dnsmap(ifname, key, id, "100.96.0.1", "100.64.0.9"),
		     -EINVAL, "DNS map to a client's tunnel address");
	expect_errno(set_dnsmap(ifname, key, id, "100.96.0.1", "100.96.0.2"),
		     -EINVAL, "DNS map to another mapped IP");
	expect_errno(set_dnsmap(ifname, key, id, "100.96.0.1", NULL), -EINVAL,
		     "DNS map without a real address");
	for (i = 0; i < sizeof(bad4) / sizeof(*bad4); i++) {
		snprintf(what, sizeof(what), "DNS map to %s", bad4[i]);
		expect_errno(set_dnsmap(ifname, key, id, "100.96.0.1", bad4[i]),
			     -EINVAL, what);
	}
	for (i = 0; i < sizeof(bad6) / sizeof(*bad6); i++) {
		snprintf(what, sizeof(what), "DNS map to %s", bad6[i]);
		expect_errno(set_dnsmap(ifname, key, id,
					"fd00:2021:1111:8000::1", bad6[i]),
			     -EINVAL, what);
	}
	check(set_dnsmap(ifname, key, id, "fd00:2021:1111:8000::1",
			 "fd00:31::10") == 0,
	      "... while a DNS map to a remote unicast IPv6 host is fine");
}

static void malformed_control(const char *ifname, const uint8_t key[FZ_KEY_LEN])
{
	static uint8_t big[FZ_MAX_CONTROL_PAYLOAD + 1];
	struct msg m;

	msg_init(&m, fz_family_id, 0, FZ_CMD_SEND_CONTROL, FZ_GENL_VERSION);
	put_str(&m, FZ_A_IFNAME, ifname);
	put_peer_key(&m, key);
	put(&m, FZ_A_PACKET, big, 7);
	expect_errno(transact(&m, NULL, NULL), -EINVAL,
		     "SEND_CONTROL shorter than the 8-byte header");
	msg_init(&m, fz_family_id, 0, FZ_CMD_SEND_CONTROL, FZ_GENL_VERSION);
	put_str(&m, FZ_A_IFNAME, ifname);
	put_peer_key(&m, key);
	put(&m, FZ_A_PACKET, big, sizeof(big));
	expect_errno(transact(&m, NULL, NULL), -ERANGE,
		     "SEND_CONTROL longer than FZ_MAX_CONTROL_PAYLOAD");
}

/*
 * gateway-malformed IFNAME: every bad gateway request is refused with its
 * errno and changes nothing; then the good ones work.
 */
static void cmd_gateway_malformed(const char *ifname)
{
	static const char *const good[] = { "addr", "10.0.0.0/8" };
	static const char *const dns[] = { "dns" };
	static const uint8_t id[16] = { 0, 1, 2,  3,  4,  5,  6,  7,
					8, 9, 10, 11, 12, 13, 14, 15 };
	uint8_t key[FZ_KEY_LEN];

	make_key(key, 4242);
	check(set_peer_v4(ifname, 4242) == 0, "a plain peer to work on");
	expect_errno(try_resource(ifname, key, good, 2), -EINVAL,
		     "SET_RESOURCE for a peer that is not a gateway client");
	check(set_client(ifname, key) == 0,
	      "SET_PEER makes it a gateway client");
	malformed_resources(ifname, key);
	check(resources_of(ifname) == 0, "refused resources changed nothing");
	expect_errno(del_resource(ifname, key, id), -ENOENT,
		     "DEL_RESOURCE of a resource the client lacks");
	check(try_resource(ifname, key, dns, 1) == 0,
	      "a DNS resource with no mapped IPs yet is fine");
	malformed_dnsmaps(ifname, key, id);
	check(set_dnsmap(ifname, key, id, "100.96.0.1", "172.31.0.10") == 0,
	      "a good DNS map");
	malformed_control(ifname, key);
	check(try_resource(ifname, key, good, 2) == 0 &&
		      resources_of(ifname) == 1,
	      "the same ID replaces the resource");
	check(del_resource(ifname, key, id) == 0 && resources_of(ifname) == 0,
	      "DEL_RESOURCE removes it");
}

/* ---- Scale, for the benchmark ---- */

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The kernel's slab memory now, in kB (/proc/meminfo). */
static long slab_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static int scale_peer(const char *ifname, uint32_t n, bool gateway)
{
	uint8_t addr[4] = { 10, 128 + ((n >> 16) & 0x3f), (n >> 8) & 0xff,
			    n & 0xff };
	uint8_t key[FZ_KEY_LEN];
	int ret;

	ret = set_peer(ifname, 200000 + n, addr, 4, AF_INET, 32);
	if (ret || !gateway)
		return ret;
	make_key(key, 200000 + n);
	return set_client(ifname, key);
}

/* One DNS resource with MAPS mapped IPs for client n. */
static int scale_maps(const char *ifname, uint32_t n, int maps)
{
	uint8_t key[FZ_KEY_LEN], id[16] = { 0xbe };
	char mapped[32], *argv[4] = { (char *)ifname, NULL, NULL, "dns" };
	char b64[45], idhex[33];
	struct msg m;
	int j, ret;

	make_key(key, 200000 + n);
	key_to_b64(key, b64);
	memcpy(id + 1, &n, sizeof(n));
	for (j = 0; j < 16; j++)
		snprintf(idhex + 2 * j, 3, "%02x", id[j]);
	argv[1] = b64;
	argv[2] = idhex;
	if (build_resource(&m, 4, argv))
		return -EINVAL;
	ret = transact(&m, NULL, NULL);
	for (j = 0; j < maps && !ret; j++) {
		snprintf(mapped, sizeof(mapped), "100.96.%d.%d", (j + 1) >> 8,
			 (j + 1) & 0xff);
		ret = set_dnsmap(ifname, key, id, mapped, "172.31.0.10");
	}
	return ret;
}

/*
 * scale IFNAME PEERS [MAPS-PER-PEER]: adds PEERS peers (gateway clients
 * with one DNS resource of MAPS mapped IPs each, if MAPS is given) one
 * request at a time, and prints how long each part took.
 */
static int cmd_scale(const char *ifname, int peers, int maps)
{
	struct timespec t0;
	int i, ret = 0;

	printf("slab %ld\n", slab_kb());
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 1; i <= peers && !ret; i++)
		ret = scale_peer(ifname, i, maps >= 0);
	printf("peers %d seconds %.3f slab %ld\n", peers, seconds_since(&t0),
	       slab_kb());
	if (ret || maps < 0)
		return report(ret);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 1; i <= peers && !ret; i++)
		ret = scale_maps(ifname, i, maps);
	printf("maps %d seconds %.3f slab %ld\n", peers * maps,
	       seconds_since(&t0), slab_kb());
	return report(ret);
}

/* ---- Teardown races ---- */

/*
 * churn IFNAME SELF PEER PORT PEER_IP PEER_PORT PREFIXES ROUNDS: removes
 * and re-adds the keyed peer ROUNDS times as fast as the kernel answers,
 * each time with a persistent keepalive of 1 s and fresh current keys, so
 * that removal races the peer's timers, traffic and crypt workers.
 */
static int churn_round(char **argv)
{
	uint32_t self = atoi(argv[1]), peer = atoi(argv[2]);
	uint8_t key[FZ_KEY_LEN];
	char prefixes[512];
	struct msg m;
	int ret, tries;

	make_key(key, peer);
	msg_init(&m, fz_family_id, 0, FZ_CMD_DEL_PEER, FZ_GENL_VERSION);
	put_str(&m, FZ_A_IFNAME, argv[0]);
	put_peer_key(&m, key);
	ret = transact(&m, NULL, NULL);
	if (ret && ret != -ENOENT)
		return ret;
	snprintf(prefixes, sizeof(prefixes), "%s", argv[6]);
	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_PEER, FZ_GENL_VERSION);
	put_str(&m, FZ_A_IFNAME, argv[0]);
	nest_start(&m, FZ_A_PEER);
	put(&m, FZ_PEER_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	put_u16(&m, FZ_PEER_A_PERSISTENT_KEEPALIVE, 1);
	if (put_endpoint(&m, FZ_PEER_A_ENDPOINT, argv[4], atoi(argv[5])))
		return -EINVAL;
	nest_start(&m, FZ_PEER_A_ALLOWEDIPS);
	if (put_prefixes(&m, prefixes))
		return -EINVAL;
	nest_end(&m);
	nest_end(&m);
	ret = transact(&m, NULL, NULL);
	if (ret)
		return ret;
	/* The same keys each round: the other side keeps receiving. */
	keypair_msg(&m, argv[0], self, peer, FZ_KEYPAIR_CURRENT, 0);
	/* A packet being received may hold the old keys for a moment. */
	for (tries = 0; tries < 100; tries++) {
		ret = transact(&m, NULL, NULL);
		if (ret != -EEXIST)
			break;
		usleep(10000);
	}
	return ret;
}

static int cmd_churn(char **argv)
{
	uint32_t i, rounds = atoi(argv[7]);
	char what[128];
	int ret = 0;

	for (i = 1; i <= rounds && !ret; i++)
		ret = churn_round(argv);
	snprintf(what, sizeof(what),
		 "%u rounds of removing and re-adding a keyed peer", rounds);
	return expect_errno(ret, 0, what) ? 0 : 1;
}

/* quiet IFNAME PEER SECONDS: the peer's FZ_PEER_A_QUIET_TIMEOUT. */
static int cmd_quiet(char **argv)
{
	uint8_t key[FZ_KEY_LEN];
	struct msg m;

	make_key(key, atoi(argv[1]));
	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_PEER, 1);
	put_str(&m, FZ_A_IFNAME, argv[0]);
	nest_start(&m, FZ_A_PEER);
	put(&m, FZ_PEER_A_PUBLIC_KEY, key, FZ_KEY_LEN);
	put_u32(&m, FZ_PEER_A_FLAGS, FZ_PEER_F_UPDATE_ONLY);
	put_u16(&m, FZ_PEER_A_QUIET_TIMEOUT, (uint16_t)atoi(argv[2]));
	nest_end(&m);
	return expect_errno(transact(&m, NULL, NULL), 0,
			    "the peer's quiet timeout set") ?
		       0 :
		       1;
}

/*
 * rekey IFNAME SELF PEER EPOCH: the keyed peer's current keys become those
 * of generation EPOCH (1 and up). Run on both sides, it restarts a keyed
 * tunnel after churn: new keys bring fresh nonces and replay windows,
 * which the same keys re-added cannot (the other side has seen their
 * nonces).
 */
static int cmd_rekey(char **argv)
{
	uint32_t epoch = atoi(argv[3]);
	struct msg m;

	if (!epoch || epoch > 0xffff)
		return 2;
	keypair_msg(&m, argv[0], atoi(argv[1]), atoi(argv[2]),
		    FZ_KEYPAIR_CURRENT, epoch);
	return expect_errno(transact(&m, NULL, NULL), 0, "new session keys") ?
		       0 :
		       1;
}

/*
 * stream IFNAME SECONDS: gateway clients, each with a DNS resource and two
 * mapped IPs, added as fast as the kernel answers until SECONDS pass or
 * the device goes (then the answer must be ENODEV). Prints how far it got.
 */
static int cmd_stream(const char *ifname, int seconds)
{
	struct timespec t0;
	uint32_t n;
	int ret = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 1; !ret && seconds_since(&t0) < seconds; n++) {
		ret = scale_peer(ifname, n, true);
		if (!ret)
			ret = scale_maps(ifname, n, 2);
	}
	printf("stream: %u clients, then %s\n", n - 1,
	       ret ? strerror(-ret) : "time");
	return ret && ret != -ENODEV ? 1 : 0;
}

/* ---- Client: held packets ---- */

/* hold IFNAME 0|1|RAW: FZ_A_HOLD as given (RAW tests the policy). */
static int cmd_hold(const char *ifname, const char *value)
{
	struct msg m;

	msg_init(&m, fz_family_id, 0, FZ_CMD_SET_DEVICE, FZ_GENL_VERSION);
	put_str(&m, FZ_A_IFNAME, ifname);
	put_u8(&m, FZ_A_HOLD, (uint8_t)atoi(value));
	return report(transact(&m, NULL, NULL));
}

/* drop-held IFNAME ADDR|raw:HEX: DROP_HELD for one destination. */
static int cmd_drop_held(const char *ifname, const char *dest)
{
	uint8_t addr[64];
	size_t len = 0;
	struct msg m;

	if (!strncmp(dest, "raw:", 4)) {
		for (dest += 4; dest[0] && dest[1] && len < sizeof(addr);
		     dest += 2)
			sscanf(dest, "%2hhx", &addr[len++]);
	} else if (inet_pton(AF_INET, dest, addr) == 1) {
		len = 4;
	} else if (inet_pton(AF_INET6, dest, addr) == 1) {
		len = 16;
	} else {
		fprintf(stderr, "fz-nlprobe: not an address: %s\n", dest);
		return 2;
	}
	msg_init(&m, fz_family_id, 0, FZ_CMD_DROP_HELD, FZ_GENL_VERSION);
	put_str(&m, FZ_A_IFNAME, ifname);
	nest_start(&m, FZ_A_FLOW);
	if (len)
		put(&m, FZ_FLOW_A_DADDR, addr, len);
	nest_end(&m);
	return report(transact(&m, NULL, NULL));
}

int main(int argc, char **argv)
{
	struct dump_result r;

	if (argc < 3) {
		fprintf(stderr,
			"usage: fz-nlprobe malformed|dump|intr|denied|selectors|empty IFNAME [N]\n"
			"       fz-nlprobe control-send IFNAME PEERKEY TYPE JSON\n"
			"       fz-nlprobe control-send-raw IFNAME PEERKEY HEX\n"
			"       fz-nlprobe events IFNAME SECONDS [MAX]\n"
			"       fz-nlprobe gateway-malformed IFNAME\n"
			"       fz-nlprobe scale IFNAME PEERS [MAPS-PER-PEER]\n"
			"       fz-nlprobe client IFNAME PEERKEY\n"
			"       fz-nlprobe resource IFNAME PEERKEY ID32HEX [dns] [flags N]\n"
			"                  [expires NS|+SECS] [addr CIDR]... [filter tcp:P[-Q]|udp:P[-Q]|icmp]...\n"
			"       fz-nlprobe resource-del IFNAME PEERKEY ID32HEX\n"
			"       fz-nlprobe dnsmap IFNAME PEERKEY ID32HEX MAPPED REAL\n"
			"       fz-nlprobe hold IFNAME 0|1\n"
			"       fz-nlprobe hold-stats IFNAME\n"
			"       fz-nlprobe quiet IFNAME PEER SECONDS\n"
			"       fz-nlprobe drop-held IFNAME ADDR|raw:HEX\n");
		return 2;
	}
	nl_fd = open_socket();
	fz_family_id = resolve_family();
	if (!strcmp(argv[1], "malformed")) {
		malformed_device(argv[2]);
		malformed_peer(argv[2]);
	} else if (!strcmp(argv[1], "dump")) {
		cmd_dump(argv[2], argc > 3 ? atoi(argv[3]) : 1000);
	} else if (!strcmp(argv[1], "intr")) {
		cmd_intr(argv[2]);
	} else if (!strcmp(argv[1], "denied")) {
		cmd_denied(argv[2]);
	} else if (!strcmp(argv[1], "selectors")) {
		cmd_selectors(argv[2]);
	} else if (!strcmp(argv[1], "quiet") && argc == 5) {
		return cmd_quiet(argv + 2);
	} else if (!strcmp(argv[1], "hold-stats") && argc == 3) {
		return cmd_hold_stats(argv[2]);
	} else if (!strcmp(argv[1], "rekey") && argc == 6) {
		return cmd_rekey(argv + 2);
	} else if (!strcmp(argv[1], "churn") && argc == 10) {
		return cmd_churn(argv + 2);
	} else if (!strcmp(argv[1], "stream") && argc == 4) {
		return cmd_stream(argv[2], atoi(argv[3]));
	} else if (!strcmp(argv[1], "keyed") && argc == 10) {
		cmd_keyed(argv + 2);
	} else if (!strcmp(argv[1], "listen") && argc == 4) {
		return cmd_listen(atoi(argv[3]));
	} else if (!strcmp(argv[1], "control-send") && argc == 6) {
		return cmd_control_send(argv + 2);
	} else if (!strcmp(argv[1], "control-send-raw") && argc == 5) {
		return cmd_control_send_raw(argv + 2);
	} else if (!strcmp(argv[1], "events") && (argc == 4 || argc == 5)) {
		return cmd_events(argv[2], atoi(argv[3]),
				  argc == 5 ? atoi(argv[4]) : 0);
	} else if (!strcmp(argv[1], "scale") && (argc == 4 || argc == 5)) {
		return cmd_scale(argv[2], atoi(argv[3]),
				 argc == 5 ? atoi(argv[4]) : -1);
	} else if (!strcmp(argv[1], "gateway-malformed")) {
		cmd_gateway_malformed(argv[2]);
	} else if (!strcmp(argv[1], "resource") && argc >= 5) {
		return cmd_resource(argc - 2, argv + 2);
	} else if (!strcmp(argv[1], "client") ||
		   !strcmp(argv[1], "resource-del") ||
		   !strcmp(argv[1], "dnsmap")) {
		return cmd_gateway(argv[1], argc - 2, argv + 2);
	} else if (!strcmp(argv[1], "hold") && argc == 4) {
		return cmd_hold(argv[2], argv[3]);
	} else if (!strcmp(argv[1], "drop-held") && argc == 4) {
		return cmd_drop_held(argv[2], argv[3]);
	} else if (!strcmp(argv[1], "empty")) {
		check(dump_device(argv[2], &r) == 0 && r.saw_ifname &&
			      r.peers == 0 && r.messages == 1,
		      "dump of a device with no peers: one message, no peers");
	} else {
		fprintf(stderr, "fz-nlprobe: unknown scenario %s\n", argv[1]);
		return 2;
	}
	return failures ? 1 : 0;
}
