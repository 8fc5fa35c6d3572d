/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ctl wing (agent/ctl/): the control socket between the commands and
 * a running agent: its wire format, its table of verbs and the one client
 * helper every command uses. It may use conf (set words) and lib.
 *
 * The control socket between `fzagent set|down|authorize|revoke` and a
 * running agent.
 *
 * Socket: AF_UNIX, SOCK_SEQPACKET, at /run/fzagent/IFACE@NETNS.sock, where
 * NETNS is the inode of the network namespace (lsns -t net shows it), as
 * fz links belong to one: one agent per interface per namespace. The
 * directory is root's, mode 0700, so no other user can reach a socket or
 * take a name first (an abstract name, which has no permissions, could be
 * bound by any local user before the agent starts). The agent holds a
 * lock on IFACE@NETNS.lock until it stops serving (as the abstract name
 * was, so that `fzagent down; fzagent up` works at once) or dies; the
 * lock, not the socket, says that an agent is there, so a dead agent's
 * socket is replaced. Each end
 * still checks the other with SO_PEERCRED: the agent serves only uid 0,
 * and clients talk only to an agent of uid 0. One request per connection.
 *
 * Request, one packet:  u32 length L (host order), then L bytes: words,
 *                       each ending in NUL. 1 <= L <= CTL_MAX_WORDS_LEN.
 *                       The first word is the command:
 *     "set" WORDS...    apply `wg set` words (see ctl_words_from_config)
 *     "stop"            close the socket, answer, and exit; the interface
 *                       and its sessions stay in the kernel
 *     "authorize" CLIENT RESOURCE EXPIRES   (gateway) grant CLIENT (a
 *                       base64 public key) RESOURCE (a Name or ID) until
 *                       EXPIRES: real-time nanoseconds, or 0 for never
 *     "revoke" CLIENT RESOURCE|all          (gateway) take back one grant or all
 *     "client-show" ["json"]                (client) its resources, states,
 *                       gateways and DNS names, as text or JSON
 * Reply, one packet:    u8 status (0, or a positive errno), then a message
 *                       of at most CTL_MAX_MESSAGE bytes, no NUL: text
 *                       for the user, empty if there is nothing to say.
 *
 * In "set" requests the values of private-key and preshared-key are not
 * file names but the keys themselves, in base64, or "" to remove the key;
 * endpoints are numeric. The client reads key files and resolves names
 * where the user runs it, so the agent never opens a client's files or
 * blocks on DNS. Requests carry secrets: buffers are wiped after use.
 */
#ifndef FZ_AGENT_CTL_H
#define FZ_AGENT_CTL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct conf;

#define CTL_DIR "/run/fzagent"
#define CTL_DIR_ENV "FZAGENT_RUN_DIR" /* another directory (tests) */
#define CTL_MAX_WORDS_LEN (64 * 1024 - 4)
#define CTL_MAX_REQUEST (4 + CTL_MAX_WORDS_LEN)
#define CTL_MAX_MESSAGE 4095
#define CTL_MAX_REPLY (1 + CTL_MAX_MESSAGE)
#define CTL_TIMEOUT_MS 10000 /* client: wait this long for a reply */
#define CTL_STOP_WAIT_MS 10000 /* down: for a stopping agent to exit */

/* A request's words; argv points into the decoded buffer. */
struct ctl_words {
	char **argv;
	size_t argc;
};

/*
 * The requests, one table (ctl.c) for both ends: what the first word
 * names, and whether a role serves it rather than the daemon itself.
 */
enum ctl_verb {
	CTL_VERB_NONE, /* not a request this agent knows */
	CTL_VERB_STOP,
	CTL_VERB_SET,
	CTL_VERB_AUTHORIZE, /* the gateway role's */
	CTL_VERB_REVOKE, /* the gateway role's */
	CTL_VERB_CLIENT_SHOW, /* the client role's: ["json"] */
};

struct ctl_verb_info {
	const char *name;
	enum ctl_verb verb;
	int argc; /* words, the verb included; 0: any number */
	bool role; /* served by the agent's role (gateway), not the daemon */
};

/* The entry for words (NULL if none); argc is the caller's to check. */
const struct ctl_verb_info *ctl_find_verb(const struct ctl_words *w);

/* Encoding. *out is malloc()ed; wipe and free it after sending. */
int ctl_encode_request(char *const *argv, size_t argc, uint8_t **out,
		       size_t *len);
/* buf must stay alive while words is used; ctl_words_free() after. */
int ctl_decode_request(uint8_t *buf, size_t len, struct ctl_words *words);
void ctl_words_free(struct ctl_words *words);

/* Returns the reply's length; a longer message is cut. */
size_t ctl_encode_reply(uint8_t out[CTL_MAX_REPLY], int status,
			const char *msg);
int ctl_decode_reply(const uint8_t *buf, size_t len, int *status, char *msg,
		     size_t msglen);

/*
 * The "set" words for a parsed configuration, in canonical form: keys
 * inline, endpoints numeric. argv[0] is "set". Free with
 * ctl_words_free_all(), which wipes them.
 */
int ctl_words_from_config(const struct conf *cfg, struct ctl_words *out);
void ctl_words_free_all(struct ctl_words *words);

/*
 * The inverse, in the agent: argv are the words after "set". Returns 0 or
 * a negative errno with a message in err, as conf_parse_set().
 */
int ctl_config_from_words(int argc, char **argv, struct conf *out, char *err,
			  size_t errlen);

/* An agent's hold on its interface's name. */
struct ctl_name {
	int lock_fd; /* -1: none held */
	char sock_path[108]; /* sizeof(sockaddr_un.sun_path) */
	char lock_path[108];
};

/* The directory of the sockets: CTL_DIR, or $FZAGENT_RUN_DIR if set. */
const char *ctl_run_dir(void);

/*
 * Sockets. Return the fd, or a negative errno. ctl_listen takes name (a
 * lock) for the interface: -EADDRINUSE when another agent holds it,
 * -ENOTDIR when the directory is not root's alone, -EALREADY when an
 * agent of an earlier fzagent runs for it (ctl_old_agent). ctl_release() gives
 * it back and removes the socket; close the listening fd as well.
 */
int ctl_listen(const char *ifname, struct ctl_name *name);
/* The pid of a root agent on the earlier abstract name @fzagent/IFACE, or 0. */
pid_t ctl_old_agent(const char *ifname);
void ctl_release(struct ctl_name *name);
/*
 * A stopping agent's socket goes (close its fd too) while it keeps the
 * name: an agent that starts meanwhile waits for the release (up to 10 s)
 * instead of finding the name taken.
 */
void ctl_unlisten(struct ctl_name *name);
/*
 * Waits until no process holds ifname's name in this namespace: 0 when
 * none does (or once its holder let go or died), -ETIMEDOUT after
 * timeout_ms. An agent asked to stop answers first, then undoes what its
 * role did, and lets go of its name last.
 */
int ctl_wait_released(const char *ifname, unsigned int timeout_ms);
/* -EPERM (closed) for a client that is not uid 0; -EAGAIN: none waiting. */
int ctl_accept(int listen_fd);
/*
 * -ECONNREFUSED: no agent runs for ifname in this namespace; -EACCES: the
 * caller is not root; -EPERM: the socket is held by a process that is
 * not root (only in a test's own directory), which is never trusted.
 */
int ctl_connect(const char *ifname);

/*
 * One round trip on a connected socket. On success *status and msg hold
 * the agent's answer. Returns 0, or a negative errno for the transport.
 */
int ctl_call(int fd, const struct ctl_words *words, int *status, char *msg,
	     size_t msglen);

/*
 * The client helpers every command uses (client.c); cmd names the
 * command in messages ("fzagent: CMD: IFACE: ...").
 *
 * ctl_client_connect: ctl_connect(), saying why not on stderr:
 * for -ECONNREFUSED (no agent runs) only when no_agent is not NULL, as
 * "IFACE: no_agent"; for -EACCES "permission denied: only root...";
 * for -ENOTDIR that the directory is not root's alone; for -EPERM
 * "...held by a process that is not root;
 * not_root" ("nothing was sent", "ignored"); else "cannot reach its agent".
 *
 * ctl_client_call: one round trip on fd (which stays open). Returns 0
 * with the agent's message in msg, or -1 after printing "IFACE: no answer
 * from its agent: ..." or "IFACE: the agent's message (or strerror)";
 * ctl_client_result() is that judgement alone, for a transport error
 * ret (a negative errno) or the agent's status and msg.
 */
int ctl_client_connect(const char *cmd, const char *ifname,
		       const char *no_agent, const char *not_root);
int ctl_client_call(const char *cmd, const char *ifname, int fd,
		    const struct ctl_words *words, char *msg, size_t msglen);
int ctl_client_result(const char *cmd, const char *ifname, int ret, int status,
		      const char *msg);

#endif /* FZ_AGENT_CTL_H */
