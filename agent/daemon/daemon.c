// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's loop: setup, the kernel's events, the link watch, signals,
 * and the handshake state machine's view of the kernel (struct
 * wg_hs_ops). Configuration is in daemon_sync.c, the control socket in
 * daemon_ctl.c.
 *
 * The agent never deletes the interface: stopping it, or its crashing,
 * leaves peers and session keys in the kernel, where traffic keeps
 * flowing until the next rekey is due, and a new agent adopts them.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <linux/fz.h>

#include "daemon.h"
#include "apply.h"
#include "daemon_int.h"
#include "role.h"
#include "conf/config.h"
#include "ctl/ctl.h"
#include "fzk/device.h"
#include "fzk/event.h"
#include "fzk/kernel.h"
#include "fzk/link.h"
#include "fzk/nl.h"
#include "lib/cli.h"
#include "lib/clock.h"
#include "lib/keys.h"
#include "wg/handshake.h"

#define EVENT_RCVBUF (4 << 20) /* bytes; handshake floods come in bursts */
#define EVENT_BUF_LEN (64 * 1024)
#define EVENT_BUDGET 64 /* datagrams per wakeup, so nothing starves */

static const int handled_signals[] = { SIGTERM, SIGINT, SIGHUP };

/* --- Logging and errors --- */

void daemon_log(struct daemon *d, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), FZ_AGENT_NAME ": %s: ", d->ifname);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One write per line, so lines from several agents do not mix. */
	fprintf(stderr, "%s\n", line);
}

void daemon_stop(struct daemon *d, int status)
{
	if (d->stopping)
		return;
	d->stopping = true;
	d->status = status;
	daemon_ctl_close_listener(d);
	uv_stop(&d->loop);
}

int daemon_check(struct daemon *d, int ret)
{
	if (ret == -ENODEV && !d->stopping) {
		daemon_log(d, "the interface is gone; exiting");
		daemon_stop(d, FZ_CLI_EXIT_FAILURE);
	}
	return ret;
}

int daemon_dump(struct daemon *d, struct fzk_device_view *dev)
{
	struct fzk_nl_msgs msgs;
	int ret;

	fzk_device_view_init(dev);
	ret = fzk_nl_dump_device(d->nl, d->ifname, &msgs);
	if (ret)
		return ret;
	ret = msgs.n ? 0 : -ENODATA;
	for (size_t i = 0; i < msgs.n && !ret; i++)
		ret = fzk_device_view_parse_msg(dev, msgs.msgs[i]);
	fzk_nl_msgs_free(&msgs);
	return ret;
}

unsigned int daemon_read_time_divisor(const char *path)
{
	unsigned int v = 1;
	FILE *f = fopen(path, "r");

	if (!f)
		return 1;
	if (fscanf(f, "%u", &v) != 1 || v < 1)
		v = 1;
	fclose(f);
	return v;
}

/* --- The kernel, as the handshake state machine sees it --- */

/* A peer's retry timer; freed once libuv has closed it. */
struct peer_timer {
	uv_timer_t timer;
	struct daemon *d;
	struct wg_hs_peer *peer;
};

static int op_send(void *ctx, const uint8_t key[FZ_KEY_LEN],
		   const struct sockaddr_storage *ep, const uint8_t *msg,
		   size_t len)
{
	struct daemon *d = ctx;

	return daemon_check(d, fzk_send_handshake(d->nl, d->ifindex, key, ep,
						  msg, len));
}

static int op_set_keypair(void *ctx, const uint8_t key[FZ_KEY_LEN],
			  uint8_t slot, const struct wg_noise_keys *keys)
{
	struct daemon *d = ctx;

	return daemon_check(d, fzk_set_keypair(d->nl, d->ifindex, key, slot,
					       keys));
}

static int op_set_endpoint(void *ctx, const uint8_t key[FZ_KEY_LEN],
			   const struct sockaddr_storage *ep)
{
	struct daemon *d = ctx;
	int ret = fzk_set_endpoint(d->nl, d->ifindex, key, ep);

	if (ret && ret != -ENODEV)
		daemon_log(d, "cannot update a peer's endpoint: %s",
			   strerror(-ret));
	return daemon_check(d, ret);
}

static int op_current_index(void *ctx, const uint8_t key[FZ_KEY_LEN],
			    uint32_t *index)
{
	const struct fzk_keypair_view *kp = NULL;
	struct daemon *d = ctx;
	struct fzk_device_view dev;
	int ret;

	ret = daemon_dump(d, &dev);
	for (size_t i = 0; !ret && !kp && i < dev.n_peers; i++)
		if (!memcmp(dev.peers[i].public_key, key, FZ_KEY_LEN))
			kp = fzk_peer_keypair(&dev.peers[i],
					      FZ_KEYPAIR_CURRENT);
	if (kp)
		*index = kp->local_index;
	fzk_device_view_free(&dev);
	return ret ? ret : kp ? 0 : -ENOENT;
}

static void on_peer_timer(uv_timer_t *t)
{
	struct peer_timer *pt = t->data;

	if (pt->peer)
		wg_hs_timer_expired(pt->d->hs, pt->peer);
}

static void op_timer_arm(void *ctx, struct wg_hs_peer *peer, uint64_t delay_ns)
{
	struct peer_timer *pt = peer->timer;
	struct daemon *d = ctx;

	if (!pt) {
		pt = calloc(1, sizeof(*pt));
		if (!pt || uv_timer_init(&d->loop, &pt->timer)) {
			free(pt);
			daemon_log(d, "cannot create a timer: out of memory");
			return;
		}
		pt->timer.data = pt;
		pt->d = d;
		pt->peer = peer;
		peer->timer = pt;
	}
	uv_timer_start(&pt->timer, on_peer_timer, (delay_ns + 999999) / 1000000,
		       0);
}

static void op_timer_stop(void *ctx, struct wg_hs_peer *peer)
{
	struct peer_timer *pt = peer->timer;

	(void)ctx;
	if (pt)
		uv_timer_stop(&pt->timer);
}

static void free_on_close(uv_handle_t *h)
{
	free(h->data);
}

static void op_peer_gone(void *ctx, struct wg_hs_peer *peer)
{
	struct peer_timer *pt = peer->timer;

	(void)ctx;
	if (!pt)
		return;
	pt->peer = NULL;
	peer->timer = NULL;
	uv_close((uv_handle_t *)&pt->timer, free_on_close);
}

/* CLOCK_BOOTTIME, like the noise code: time asleep counts. */
static uint64_t op_now(void *ctx)
{
	(void)ctx;
	return fz_clock_boot_ns();
}

static void op_log(void *ctx, const char *line)
{
	daemon_log(ctx, "%s", line);
}

static const struct wg_hs_ops daemon_hs_ops = {
	.send = op_send,
	.set_keypair = op_set_keypair,
	.set_endpoint = op_set_endpoint,
	.current_index = op_current_index,
	.timer_arm = op_timer_arm,
	.timer_stop = op_timer_stop,
	.peer_gone = op_peer_gone,
	.now_ns = op_now,
	.log = op_log,
};

/* --- fz.ko's events --- */

static enum wg_hs_reason event_reason(const struct fzk_event *ev)
{
	if (ev->cmd == FZ_CMD_EVT_PEER_QUIET)
		return WG_HS_REASON_PEER_QUIET;
	switch (ev->reason) {
	case FZ_REASON_REKEY_TIME:
		return WG_HS_REASON_REKEY_TIME;
	case FZ_REASON_REKEY_MESSAGES:
		return WG_HS_REASON_REKEY_MESSAGES;
	default:
		return WG_HS_REASON_QUEUED_DATA;
	}
}

static void dispatch(struct daemon *d, const struct fzk_event *ev)
{
	struct wg_hs_peer *peer;
	char id[9];

	if (ev->cmd == FZ_CMD_EVT_HANDSHAKE) {
		wg_hs_receive(d->hs, ev->packet, ev->packet_len, &ev->endpoint);
		return;
	}
	if (ev->cmd == FZ_CMD_EVT_CONTROL ||
	    ev->cmd == FZ_CMD_EVT_DENIED_FLOW ||
	    ev->cmd == FZ_CMD_EVT_UNKNOWN_DEST) {
		if (d->role)
			d->role->ops->event(d, ev);
		return;
	}
	if (ev->cmd == FZ_CMD_EVT_PEER_QUIET && d->role &&
	    d->role->ops->peer_quiet &&
	    d->role->ops->peer_quiet(d, ev->peer_key))
		return;
	peer = wg_hs_find(d->hs, ev->peer_key);
	if (!peer) {
		fz_peer_id(id, ev->peer_key);
		daemon_log(d,
			   "peer %s: needs a handshake but is not in the "
			   "agent's configuration; ignored",
			   id);
		return;
	}
	wg_hs_initiate(d->hs, peer, event_reason(ev));
}

static void handle_events(struct daemon *d, void *buf, int len)
{
	struct nlmsghdr *nlh = buf;
	struct fzk_event ev;
	int ret;

	for (; nlmsg_ok(nlh, len) && !d->stopping;
	     nlh = nlmsg_next(nlh, &len)) {
		ret = fzk_event_parse(nlh, d->family, &ev);
		if (ret == -ENOMSG)
			continue;
		if (ret) {
			daemon_log(d, "malformed event from fz.ko; ignored");
			continue;
		}
		if (ev.ifindex == d->ifindex)
			dispatch(d, &ev);
	}
}

/*
 * Only the kernel (port 0) may speak on these sockets. An overflowing
 * queue (ENOBUFS) loses events, not the socket; the callers resync.
 */
static ssize_t recv_kernel(struct daemon *d, int fd, void *buf, size_t len,
			   const char *what)
{
	struct sockaddr_nl sa;
	socklen_t salen;
	ssize_t n;
	int err;

	for (;;) {
		salen = sizeof(sa);
		n = recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&sa,
			     &salen);
		err = n < 0 ? errno : 0;
		if (err == EINTR)
			continue;
		if (err && err != EAGAIN && err != ENOBUFS)
			daemon_log(d, "cannot read %s: %s", what,
				   strerror(err));
		if (err)
			return -err;
		if (salen == sizeof(sa) && sa.nl_pid == 0)
			return n;
	}
}

/*
 * What lost events may have left undone, from a fresh dump: handshakes
 * for peers that need one (see fzk_event_resync_need()). Lost handshake
 * messages and control packets are sent again by their senders.
 */
static void resync(struct daemon *d)
{
	struct fzk_device_view dev;
	size_t started = 0;
	uint64_t now;

	d->last_resync_ms = uv_now(&d->loop) ? uv_now(&d->loop) : 1;
	now = fz_clock_real_ns();
	if (daemon_check(d, daemon_dump(d, &dev))) {
		daemon_log(d,
			   "the event queue overflowed %" PRIu64
			   " times; cannot read the interface to resync",
			   d->overflows);
		fzk_device_view_free(&dev);
		d->overflows = 0;
		return;
	}
	for (size_t i = 0; i < dev.n_peers; i++) {
		struct wg_hs_peer *peer =
			wg_hs_find(d->hs, dev.peers[i].public_key);
		enum fzk_event_resync need = fzk_event_resync_need(
			&dev.peers[i], now,
			FZK_EVENT_REKEY_AFTER_NS / d->divisor);

		if (!peer || need == FZK_RESYNC_NONE)
			continue;
		wg_hs_initiate(d->hs, peer,
			       need == FZK_RESYNC_REKEY ?
				       WG_HS_REASON_REKEY_TIME :
				       WG_HS_REASON_KEEPALIVE);
		started++;
	}
	daemon_log(d,
		   "the event queue overflowed %" PRIu64
		   " times, events were lost: resynced with fz.ko (%zu peers, "
		   "%zu handshakes started)",
		   d->overflows, dev.n_peers, started);
	d->overflows = 0;
	fzk_device_view_free(&dev);
}

static void on_resync_timer(uv_timer_t *t)
{
	resync(t->data);
}

/* At most one resync a second, however long a flood lasts. */
static void schedule_resync(struct daemon *d)
{
	uint64_t now = uv_now(&d->loop), next = d->last_resync_ms + 1000;

	if (uv_is_active((uv_handle_t *)&d->resync_timer))
		return;
	if (!d->last_resync_ms || now >= next)
		resync(d);
	else
		uv_timer_start(&d->resync_timer, on_resync_timer, next - now,
			       0);
}

static void on_events(uv_poll_t *h, int status, int events)
{
	static uint8_t buf[EVENT_BUF_LEN];
	struct daemon *d = h->data;
	bool lost = false;
	ssize_t n;

	(void)status;
	(void)events;
	for (int i = 0; i < EVENT_BUDGET && !d->stopping; i++) {
		n = recv_kernel(d, nl_socket_get_fd(d->ev_sock), buf,
				sizeof(buf), "the event");
		if (n == -ENOBUFS) {
			d->overflows++;
			lost = true;
			continue;
		}
		if (n < 0)
			break;
		handle_events(d, buf, (int)n);
	}
	if (lost && !d->stopping)
		schedule_resync(d);
}

static int open_events(struct daemon *d)
{
	char err[256];
	int ret = fzk_nl_open_events(&d->ev_sock, &d->family, EVENT_RCVBUF, err,
				     sizeof(err));

	if (ret == -EIO)
		fz_cli_error(d->cmd, "%s", err);
	return ret;
}

/* --- The link's deletion --- */

static bool link_deleted(struct daemon *d, void *buf, int len)
{
	struct nlmsghdr *nlh = buf;
	const struct ifinfomsg *ifi;

	for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type != RTM_DELLINK ||
		    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
			continue;
		ifi = nlmsg_data(nlh);
		if ((uint32_t)ifi->ifi_index == d->ifindex)
			return true;
	}
	return false;
}

static bool link_still_there(struct daemon *d)
{
	struct fzk_link_info info;

	return !fzk_link_get(d->ifname, &info) && info.ifindex == d->ifindex;
}

/* `fzagent down` stops the agent first; anything else is unexpected. */
static void on_link_events(uv_poll_t *h, int status, int events)
{
	static uint8_t buf[16 * 1024];
	struct daemon *d = h->data;
	bool gone = false;
	ssize_t n;

	(void)status;
	(void)events;
	for (int i = 0; i < EVENT_BUDGET && !gone; i++) {
		n = recv_kernel(d, nl_socket_get_fd(d->rt_sock), buf,
				sizeof(buf), "the link event");
		if (n == -ENOBUFS) /* lost: ask whether the link is there */
			gone = !link_still_there(d);
		else if (n < 0)
			break;
		else
			gone = link_deleted(d, buf, (int)n);
	}
	if (gone && !d->stopping) {
		daemon_log(d, "the interface was deleted; exiting");
		daemon_stop(d, FZ_CLI_EXIT_FAILURE);
	}
}

static int open_link_watch(struct daemon *d)
{
	int ret;

	d->rt_sock = nl_socket_alloc();
	if (!d->rt_sock)
		return -ENOMEM;
	nl_socket_disable_seq_check(d->rt_sock);
	ret = nl_connect(d->rt_sock, NETLINK_ROUTE);
	if (!ret)
		ret = nl_socket_add_membership(d->rt_sock, RTNLGRP_LINK);
	if (!ret)
		ret = nl_socket_set_nonblocking(d->rt_sock);
	if (ret) {
		fz_cli_error(d->cmd, "cannot watch network interfaces: %s",
			     nl_geterror(ret));
		return -EIO;
	}
	return 0;
}

/* --- Signals --- */

static void on_signal(uv_signal_t *h, int signum)
{
	struct daemon *d = h->data;

	if (signum == SIGHUP) {
		daemon_reload(d);
		return;
	}
	daemon_log(d, "%s: stopping%s", strsignal(signum),
		   d->role && d->role->ops->removes_link ?
			   "" :
			   "; the interface and its sessions stay up");
	daemon_stop(d, FZ_CLI_EXIT_OK);
}

/* --- Setup and teardown --- */

static int start_poll(struct daemon *d, uv_poll_t *h, int fd, uv_poll_cb cb)
{
	int ret = uv_poll_init(&d->loop, h, fd);

	h->data = d;
	return ret ? ret : uv_poll_start(h, UV_READABLE, cb);
}

static int start_handles(struct daemon *d)
{
	int ret;

	ret = start_poll(d, &d->ev_poll, nl_socket_get_fd(d->ev_sock),
			 on_events);
	if (!ret)
		ret = start_poll(d, &d->rt_poll, nl_socket_get_fd(d->rt_sock),
				 on_link_events);
	if (!ret) {
		ret = uv_timer_init(&d->loop, &d->resync_timer);
		d->resync_timer.data = d;
	}
	for (size_t i = 0; !ret && i < 3; i++) {
		ret = uv_signal_init(&d->loop, &d->signals[i]);
		d->signals[i].data = d;
		if (!ret)
			ret = uv_signal_start(&d->signals[i], on_signal,
					      handled_signals[i]);
	}
	if (!ret)
		ret = daemon_ctl_start(d);
	if (ret)
		fz_cli_error(d->cmd, "cannot start the event loop: %s",
			     uv_strerror(ret));
	return ret ? -EIO : 0;
}

static int create_link(struct daemon *d, const struct conf *cfg)
{
	size_t failed = 0;
	int ret;

	ret = fzk_link_create(d->ifname, &d->ifindex);
	if (ret) {
		fz_cli_error(d->cmd, "cannot create %s: %s", d->ifname,
			     strerror(-ret));
		return ret;
	}
	ret = fzk_link_add_addresses(d->ifindex, cfg->addresses,
				     cfg->n_addresses, &failed);
	if (ret)
		fz_cli_error(d->cmd, "cannot add address %zu of %s: %s",
			     failed + 1, d->ifname, strerror(-ret));
	if (!ret) {
		ret = fzk_link_set_up(d->ifindex);
		if (ret)
			fz_cli_error(d->cmd, "cannot bring %s up: %s",
				     d->ifname, strerror(-ret));
	}
	if (ret)
		fzk_link_delete(d->ifindex);
	return ret;
}

static int find_link(struct daemon *d, const struct conf *cfg, bool *created)
{
	struct fzk_link_info info;
	int ret = fzk_link_get(d->ifname, &info);

	*created = false;
	if (ret == -ENODEV) {
		*created = true;
		return create_link(d, cfg);
	}
	if (ret) {
		fz_cli_error(d->cmd, "cannot look up %s: %s", d->ifname,
			     strerror(-ret));
		return ret;
	}
	if (!info.is_fz) {
		fz_cli_error(d->cmd, "%s exists and is not an fz interface",
			     d->ifname);
		return -EEXIST;
	}
	d->ifindex = info.ifindex;
	if (!info.up)
		daemon_log(d,
			   "the interface is down: nothing is sent until "
			   "it is up ('ip link set %s up')",
			   d->ifname);
	return 0;
}

static int claim_name(struct daemon *d)
{
	d->ctl_fd = ctl_listen(d->ifname, &d->ctl_name);
	if (d->ctl_fd >= 0)
		return 0;
	if (d->ctl_fd == -EADDRINUSE)
		fz_cli_error(d->cmd,
			     "an agent for %s already runs in this network "
			     "namespace",
			     d->ifname);
	else if (d->ctl_fd == -EALREADY)
		fz_cli_error(d->cmd,
			     "an agent of an older fzagent runs for %s in "
			     "this network namespace (pid %ld, control socket "
			     "@fzagent/%s): stop it first",
			     d->ifname, (long)ctl_old_agent(d->ifname),
			     d->ifname);
	else if (d->ctl_fd == -ENOTDIR)
		fz_cli_error(d->cmd,
			     "%s must be a directory of root's that no one "
			     "else may write to",
			     ctl_run_dir());
	else
		fz_cli_error(d->cmd, "cannot open the control socket in %s: %s",
			     ctl_run_dir(), strerror(-d->ctl_fd));
	return d->ctl_fd;
}

static int prune_clients(struct daemon *d)
{
	char err[512];
	int ret = d->role ? d->role->ops->prune(d, err, sizeof(err)) : 0;

	if (ret)
		fz_cli_error(d->cmd, "%s: %s", d->ifname, err);
	return ret;
}

/*
 * The control socket's name is claimed first: it is what keeps two
 * agents from fighting over one interface. Events are subscribed before
 * anything is applied, so no answer to a first handshake is missed.
 */
static int setup(struct daemon *d, const struct conf *cfg)
{
	struct wg_hs_timers timers;
	char err[256];
	bool created;
	int ret;

	d->divisor = daemon_read_time_divisor(DAEMON_TIME_DIVISOR_PATH);
	wg_hs_default_timers(&timers, d->divisor);
	d->hs = wg_hs_new(&daemon_hs_ops, d, &timers);
	if (!d->hs)
		return -ENOMEM;
	ret = claim_name(d);
	if (!ret && fzk_nl_open(&d->nl, err, sizeof(err))) {
		fz_cli_error(NULL, "%s", err);
		ret = -EIO;
	}
	if (!ret)
		ret = open_events(d);
	if (!ret)
		ret = open_link_watch(d);
	if (!ret)
		ret = find_link(d, cfg, &created);
	if (!ret && !created)
		ret = prune_clients(d);
	if (ret)
		return ret;
	ret = daemon_sync(d, cfg, true, created);
	if (!ret && d->role)
		ret = d->role->ops->start(d);
	if (ret && created)
		fzk_link_delete(d->ifindex);
	return ret;
}

static void close_handle(void *h)
{
	if (((uv_handle_t *)h)->loop && !uv_is_closing(h))
		uv_close(h, NULL);
}

/* Secrets are wiped by wg_hs_free(); then libuv finishes its closes. */
static void teardown(struct daemon *d)
{
	daemon_ctl_close_all(d);
	wg_hs_free(d->hs);
	close_handle(&d->ev_poll);
	close_handle(&d->rt_poll);
	close_handle(&d->resync_timer);
	for (size_t i = 0; i < 3; i++)
		close_handle(&d->signals[i]);
	uv_run(&d->loop, UV_RUN_DEFAULT);
	uv_loop_close(&d->loop);
	if (d->ev_sock)
		nl_socket_free(d->ev_sock);
	if (d->rt_sock)
		nl_socket_free(d->rt_sock);
	fzk_nl_close(d->nl);
	/* Last: who waits for the name (down, a new agent) finds us done. */
	ctl_release(&d->ctl_name);
	free(d);
}

static void log_start(struct daemon *d)
{
	if (d->divisor > 1)
		daemon_log(d,
			   "test mode: handshake timers divided by %u, as "
			   "fz.ko's",
			   d->divisor);
	daemon_log(d, "agent running (pid %ld)", (long)getpid());
}

int daemon_run(const char *cmd, const char *ifname, const char *config_path,
	       struct conf *cfg, struct daemon_role *role)
{
	struct daemon *d = calloc(1, sizeof(*d));
	int ret = 0, status;

	if (!d || uv_loop_init(&d->loop)) {
		free(d);
		conf_free(cfg);
		fz_cli_error(cmd, "out of memory");
		return FZ_CLI_EXIT_FAILURE;
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(d->ifname, sizeof(d->ifname), "%s", ifname);
	d->cmd = cmd;
	d->config_path = config_path;
	d->ctl_fd = -1;
	d->ctl_name.lock_fd = -1;
	d->role = role;
	if (role)
		ret = role->ops->create(d);
	if (!ret)
		ret = setup(d, cfg);
	conf_free(cfg);
	if (!ret)
		ret = start_handles(d);
	if (!ret && !d->stopping) {
		log_start(d);
		uv_run(&d->loop, UV_RUN_DEFAULT);
	}
	status = ret ? FZ_CLI_EXIT_FAILURE : d->status;
	if (role)
		role->ops->stop(d);
	teardown(d);
	return status;
}

int daemon_up(const char *ifname, const char *config_path, struct conf *cfg)
{
	return daemon_run("up", ifname, config_path, cfg, NULL);
}
