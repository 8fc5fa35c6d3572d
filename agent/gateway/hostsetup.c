// SPDX-License-Identifier: GPL-2.0
/*
 * A gateway's host setup; see hostsetup.h. nftables is driven through
 * libnftables with a script, the same text `nft -f` would read, so what
 * the agent does can be checked by hand with `nft list table ...`.
 */
#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/fz.h>

#include "hostsetup.h"

void gw_host_table_name(char out[GW_HOST_TABLE_MAX], const char *ifname)
{
	size_t n = strlen(ifname);
	char *p;

	if (strspn(ifname, "abcdefghijklmnopqrstuvwxyz"
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n) {
		snprintf(out, GW_HOST_TABLE_MAX, "fz-gw-%s", ifname);
		return;
	}
	p = out + snprintf(out, GW_HOST_TABLE_MAX, "fz-gwx-");
	for (size_t i = 0; i < n && p + 3 <= out + GW_HOST_TABLE_MAX; i++)
		p += snprintf(p, 3, "%02x", (unsigned char)ifname[i]);
}

/*
 * What comes from or goes to the tunnel is forwarded; for everything
 * else the host keeps the forwarding it had: where the agent turned
 * forwarding on, this chain drops what would not have been forwarded
 * before (per family), and where it was on already nothing changes.
 */
int gw_host_ruleset(char *buf, size_t len, const char *table,
		    const char *ifname, bool drop4, bool drop6)
{
	const char *drop = drop4 && drop6 ? "\t\tcounter drop\n" :
			   drop4 ? "\t\tmeta nfproto ipv4 counter drop\n" :
			   drop6 ? "\t\tmeta nfproto ipv6 counter drop\n" :
				   "";
	int n = snprintf(
		buf, len,
		"add table inet %1$s\n"
		"delete table inet %1$s\n"
		"table inet %1$s {\n"
		"\tchain forward {\n"
		"\t\ttype filter hook forward priority filter; policy accept;\n"
		"\t\tiifname \"%2$s\" accept\n"
		"\t\toifname \"%2$s\" accept\n"
		"%3$s"
		"\t}\n"
		"\tchain postrouting {\n"
		"\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
		"\t\tip saddr " FZ_RANGE_TUNNEL_V4_TEXT
		" oifname != \"%2$s\" masquerade\n"
		"\t\tip6 saddr " FZ_RANGE_TUNNEL_V6_TEXT
		" oifname != \"%2$s\" masquerade\n"
		"\t}\n"
		"}\n",
		table, ifname, drop);

	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

/* nft's message is several lines (error, command, carets): keep line 1. */
static void first_line(char *err, size_t errlen, const char *text)
{
	size_t n = strcspn(text, "\n");

	if (!errlen)
		return;
	if (n >= errlen)
		n = errlen - 1;
	memcpy(err, text, n);
	err[n] = '\0';
}

int gw_host_nft(const char *script, char *err, size_t errlen)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *text;
	int ret;

	if (!nft) {
		snprintf(err, errlen, "cannot initialise libnftables");
		return -ENOMEM;
	}
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	ret = nft_run_cmd_from_buffer(nft, script);
	if (ret) {
		text = nft_ctx_get_error_buffer(nft);
		first_line(err, errlen, text && *text ? text : "nft failed");
	}
	nft_ctx_free(nft);
	return ret ? -EIO : 0;
}

/* --- sysctls --- */

static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_small(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -errno : 0;
}

int gw_host_sysctl_enable(struct gw_host_sysctl *s, const char *path)
{
	char old[sizeof(s->old)];
	int ret;

	s->path = path;
	s->old[0] = '\0';
	ret = read_small(path, old, sizeof(old));
	if (ret || !strcmp(old, "1"))
		return ret;
	ret = write_small(path, "1");
	if (!ret)
		memcpy(s->old, old, sizeof(old));
	return ret;
}

int gw_host_sysctl_restore(struct gw_host_sysctl *s)
{
	int ret;

	if (!s->old[0])
		return 0;
	ret = write_small(s->path, s->old);
	s->old[0] = '\0';
	return ret;
}

/* --- Together --- */

static int enable_forwarding(struct gw_host *h, char *err, size_t errlen)
{
	int ret = gw_host_sysctl_enable(&h->forward[0], GW_HOST_IPV4_FORWARD);

	if (ret) {
		snprintf(err, errlen, "cannot turn on %s: %s",
			 GW_HOST_IPV4_FORWARD, strerror(-ret));
		return ret;
	}
	ret = gw_host_sysctl_enable(&h->forward[1], GW_HOST_IPV6_FORWARD);
	if (ret == -ENOENT) /* IPv6 is disabled on this host */
		return 0;
	if (ret) {
		snprintf(err, errlen, "cannot turn on %s: %s",
			 GW_HOST_IPV6_FORWARD, strerror(-ret));
		gw_host_sysctl_restore(&h->forward[0]);
	}
	return ret;
}

int gw_host_apply(struct gw_host *h, const char *ifname, char *err,
		  size_t errlen)
{
	char script[GW_HOST_RULESET_MAX], nft_err[256];
	int ret;

	memset(h, 0, sizeof(*h));
	gw_host_table_name(h->table, ifname);
	ret = gw_host_ruleset(script, sizeof(script), h->table, ifname, true,
			      true);
	if (!ret || ret < 0) {
		snprintf(err, errlen, "interface name too long for nft");
		return -EINVAL;
	}
	ret = enable_forwarding(h, err, errlen);
	if (ret)
		return ret;
	/* Only now is it known which family forwarded before. */
	h->drop_other[0] = h->forward[0].old[0] != '\0';
	h->drop_other[1] = h->forward[1].old[0] != '\0';
	gw_host_ruleset(script, sizeof(script), h->table, ifname,
			h->drop_other[0], h->drop_other[1]);
	ret = gw_host_nft(script, nft_err, sizeof(nft_err));
	if (ret) {
		snprintf(err, errlen, "cannot add nftables table inet %s: %s",
			 h->table, nft_err);
		gw_host_sysctl_restore(&h->forward[1]);
		gw_host_sysctl_restore(&h->forward[0]);
		return ret;
	}
	h->table_added = true;
	return 0;
}

int gw_host_undo(struct gw_host *h, char *err, size_t errlen)
{
	char script[GW_HOST_TABLE_MAX + 32], nft_err[256];
	int ret = 0, r;

	if (h->table_added) {
		snprintf(script, sizeof(script), "delete table inet %s\n",
			 h->table);
		ret = gw_host_nft(script, nft_err, sizeof(nft_err));
		if (ret)
			snprintf(err, errlen,
				 "cannot delete nftables table inet %s: %s",
				 h->table, nft_err);
		h->table_added = false;
	}
	for (int i = 1; i >= 0; i--) {
		r = gw_host_sysctl_restore(&h->forward[i]);
		if (r) {
			snprintf(err, errlen, "cannot restore %s: %s",
				 h->forward[i].path, strerror(-r));
			ret = r;
		}
	}
	return ret;
}
