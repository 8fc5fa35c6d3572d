// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's side of the control socket (ctl.h). Each client gets one
 * request and one reply; a client that says nothing is dropped after a
 * few seconds, and only a handful are served at once, so a stuck
 * `fzagent set` cannot hold the agent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "daemon_int.h"
#include "role.h"
#include "conf/config.h"
#include "ctl/ctl.h"

#define MAX_CLIENTS 8
#define CLIENT_TIMEOUT_MS 3000

struct daemon_client {
	struct daemon *d;
	int fd;
	uv_poll_t poll;
	uv_timer_t timer;
	int open_handles;
	struct daemon_client *next;
};

static void client_closed(uv_handle_t *h)
{
	struct daemon_client *c = h->data;

	if (--c->open_handles == 0)
		free(c);
}

/* The poll handle is closed before the fd, so libuv never sees it reused. */
static void client_close(struct daemon_client *c)
{
	struct daemon_client **pp = &c->d->clients;

	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp)
		*pp = c->next;
	c->d->n_clients--;
	uv_close((uv_handle_t *)&c->poll, client_closed);
	uv_close((uv_handle_t *)&c->timer, client_closed);
	close(c->fd);
}

static void reply(int fd, int status, const char *msg)
{
	uint8_t buf[CTL_MAX_REPLY];
	size_t len = ctl_encode_reply(buf, status, msg);

	/* The client waits for exactly this; a full socket means it left. */
	(void)!send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* "set": words to config, config to kernel and handshake state. */
static int ctl_set(struct daemon *d, int argc, char **argv, char *msg,
		   size_t msglen)
{
	struct conf cfg;
	int ret;

	ret = ctl_config_from_words(argc, argv, &cfg, msg, msglen);
	if (ret)
		return ret;
	ret = daemon_apply_set(d, &cfg, msg, msglen);
	conf_free(&cfg);
	return ret;
}

/*
 * One request, looked up once in ctl.c's table of verbs. A verb of a role
 * the agent does not run is refused here; the role checks its words.
 */
static int dispatch(struct daemon *d, const struct ctl_words *w, bool *stop,
		    char *msg, size_t msglen)
{
	const struct ctl_verb_info *v = ctl_find_verb(w);

	if (!v || (!v->role && v->argc && (int)w->argc != v->argc))
		return -EINVAL;
	if (v->verb == CTL_VERB_STOP) {
		*stop = true;
		return 0;
	}
	if (v->verb == CTL_VERB_SET)
		return ctl_set(d, (int)w->argc - 1, w->argv + 1, msg, msglen);
	if (!d->role) {
		snprintf(msg, msglen,
			 "the agent of %s is not a %s (it runs "
			 "'fzagent up')",
			 d->ifname,
			 v->verb == CTL_VERB_CLIENT_SHOW ? "client" :
							   "gateway");
		return -EINVAL;
	}
	return d->role->ops->ctl(d, v->verb, (int)w->argc, w->argv, msg,
				 msglen);
}

static void handle_request(struct daemon_client *c, uint8_t *buf, size_t len)
{
	char msg[CTL_MAX_MESSAGE + 1] = "";
	struct daemon *d = c->d;
	struct ctl_words w;
	bool stop = false;
	int ret;

	ret = ctl_decode_request(buf, len, &w);
	if (ret == -EMSGSIZE)
		snprintf(msg, sizeof(msg), "request too large");
	else if (ret)
		snprintf(msg, sizeof(msg), "malformed request");
	else
		ret = dispatch(d, &w, &stop, msg, sizeof(msg));
	if (ret == -EINVAL && !*msg)
		snprintf(msg, sizeof(msg), "unknown request");
	ctl_words_free(&w);
	if (stop) {
		daemon_log(d, "stopping on request; the interface stays up");
		daemon_stop(d, 0);
	}
	reply(c->fd, ret, msg);
	sodium_memzero(msg, sizeof(msg));
}

static void on_client(uv_poll_t *h, int status, int events)
{
	struct daemon_client *c = h->data;
	uint8_t *buf = malloc(CTL_MAX_REQUEST + 1);
	ssize_t n = -1;

	(void)status;
	(void)events;
	if (buf)
		n = recv(c->fd, buf, CTL_MAX_REQUEST + 1,
			 MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR) && buf) {
		free(buf);
		return;
	}
	if (n > 0)
		handle_request(c, buf, (size_t)n);
	if (buf) {
		sodium_memzero(buf, CTL_MAX_REQUEST + 1);
		free(buf);
	}
	client_close(c);
}

static void on_client_timeout(uv_timer_t *t)
{
	client_close(t->data);
}

static void client_new(struct daemon *d, int fd)
{
	struct daemon_client *c = calloc(1, sizeof(*c));

	if (!c || uv_poll_init(&d->loop, &c->poll, fd)) {
		free(c);
		close(fd);
		return;
	}
	c->d = d;
	c->fd = fd;
	c->poll.data = c;
	c->timer.data = c;
	uv_timer_init(&d->loop, &c->timer);
	c->open_handles = 2;
	c->next = d->clients;
	d->clients = c;
	d->n_clients++;
	uv_poll_start(&c->poll, UV_READABLE, on_client);
	uv_timer_start(&c->timer, on_client_timeout, CLIENT_TIMEOUT_MS, 0);
}

static void on_listen(uv_poll_t *h, int status, int events)
{
	struct daemon *d = h->data;
	int fd;

	(void)status;
	(void)events;
	while (d->ctl_fd >= 0) {
		fd = ctl_accept(d->ctl_fd);
		if (fd == -EPERM) {
			daemon_log(d, "refused a control connection: only "
				      "root may control the agent");
			continue;
		}
		if (fd == -EINTR || fd == -ECONNABORTED)
			continue;
		if (fd < 0)
			return;
		if (d->n_clients >= MAX_CLIENTS) {
			reply(fd, EBUSY, "the agent is busy; try again");
			close(fd);
			continue;
		}
		client_new(d, fd);
	}
}

int daemon_ctl_start(struct daemon *d)
{
	int ret = uv_poll_init(&d->loop, &d->ctl_poll, d->ctl_fd);

	d->ctl_poll.data = d;
	return ret ? ret : uv_poll_start(&d->ctl_poll, UV_READABLE, on_listen);
}

/*
 * The socket closes when the agent starts to stop; the name (its lock) is
 * kept until the end (teardown, last), after the role has undone
 * what it did: a new agent on the interface, or `fzagent down`, waits
 * for that (ctl_lock, ctl_wait_released), and an old agent restoring the
 * system's DNS or deleting its interface never undoes a new one's work.
 */
void daemon_ctl_close_listener(struct daemon *d)
{
	if (d->ctl_poll.loop && !uv_is_closing((uv_handle_t *)&d->ctl_poll))
		uv_close((uv_handle_t *)&d->ctl_poll, NULL);
	if (d->ctl_fd >= 0)
		close(d->ctl_fd);
	d->ctl_fd = -1;
	ctl_unlisten(&d->ctl_name);
}

void daemon_ctl_close_all(struct daemon *d)
{
	daemon_ctl_close_listener(d);
	while (d->clients)
		client_close(d->clients);
}
