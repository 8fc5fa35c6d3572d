/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon wing (agent/daemon/): the role-neutral agent: the event loop,
 * config sync with fz.ko, the control server. It knows a role only
 * through role.h; role_gw.c adapts the gateway wing to it. It may use
 * every wing below cmd.
 *
 * The agent proper: `fzagent up` brings the interface to its config file
 * and then runs here, in the foreground, until told to stop.
 *
 * One libuv loop owns everything: the fz event group socket, an rtnetlink
 * socket watching for the link's deletion, one retry timer per peer, the
 * control socket (ctl.h) and SIGTERM, SIGINT (exit, leaving the interface
 * and its sessions to the kernel) and SIGHUP (reload the config file).
 */
#ifndef FZ_AGENT_DAEMON_H
#define FZ_AGENT_DAEMON_H

#include <stddef.h>

struct conf;

#define DAEMON_TIME_DIVISOR_PATH "/sys/module/fz/parameters/test_time_divisor"

/*
 * Creates or adopts ifname, applies cfg (which it frees, wiping its keys)
 * and runs the agent. Returns the exit status; errors before the loop
 * starts are reported as "fzagent: up: ..." and leave a link it created
 * deleted again.
 */
int daemon_up(const char *ifname, const char *config_path, struct conf *cfg);

/*
 * The same for `fzagent gateway`, which also sets up the host and runs
 * the gateway role (role_gw.c) with the authorizations in auth, which
 * it takes and frees; auth_path (NULL: none) is read again on SIGHUP.
 */
struct proto_auth;
int daemon_gateway(const char *ifname, const char *config_path,
		   struct conf *cfg, struct proto_auth *auth,
		   const char *auth_path);

/*
 * The same with the gateway's authorizations from the portal
 * (role_gwportal.c): token is copied to locked memory and wiped here;
 * opts must outlive the call.
 */
struct proto_sig_endpoint;
struct daemon_portal_opts {
	const char *url; /* checked by the caller */
	const char *ca_file; /* NULL: the system's */
	const struct proto_sig_endpoint *endpoints; /* none: the default
						       route's addresses */
	size_t n_endpoints; /* at most DAEMON_PORTAL_MAX_ENDPOINTS */
	const char *health_addr; /* NULL: no /healthz */
	int health_port;
};
#define DAEMON_PORTAL_MAX_ENDPOINTS 8
int daemon_gateway_portal(const char *ifname, const char *config_path,
			  struct conf *cfg,
			  const struct daemon_portal_opts *opts, char *token);

/*
 * The client role on the portal (role_client.c): cfg holds only the
 * private key and listen port (the tunnel addresses come from the
 * portal's init); token is copied to locked memory and wiped here;
 * opts must outlive the call.
 */
struct daemon_client_opts {
	const char *url; /* checked by the caller */
	const char *ca_file; /* NULL: the system's */
	int dns_control; /* enum client_sysdns_mode */
	const char *resolv_conf; /* NULL: /etc/resolv.conf */
	const char *state_file; /* NULL: /var/lib/fz/resolv.conf.orig */
	unsigned int gateway_timeout; /* seconds; 0: CLIENT_RES_... */
};
int daemon_client(const char *ifname, struct conf *cfg,
		  const struct daemon_client_opts *opts, char *token);

/* fz.ko's test-only timer divisor from path; 1 if absent or invalid. */
unsigned int daemon_read_time_divisor(const char *path);

#endif /* FZ_AGENT_DAEMON_H */
