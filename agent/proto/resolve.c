// SPDX-License-Identifier: GPL-2.0
/*
 * DNS-resource resolution; see resolve.h. Blocking lookups run only on
 * libuv's worker threads, each with its own ldns resolver; everything
 * else (cache, in-flight list, callbacks) only on the loop thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <ldns/ldns.h>

#include "resolve.h"

/* --- One blocking lookup --- */

static void add_addr(struct proto_resolve_result *out, const ldns_rdf *rdf)
{
	struct fz_cidr *slot;
	size_t len = ldns_rdf_size(rdf);

	if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_A && len == 4 &&
	    out->n4 < PROTO_RESOLVE_MAX_ADDRS) {
		slot = &out->v4[out->n4++];
		slot->family = AF_INET;
		slot->cidr = 32;
	} else if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_AAAA && len == 16 &&
		   out->n6 < PROTO_RESOLVE_MAX_ADDRS) {
		slot = &out->v6[out->n6++];
		slot->family = AF_INET6;
		slot->cidr = 128;
	} else {
		return;
	}
	memset(slot->addr, 0, sizeof(slot->addr));
	memcpy(slot->addr, ldns_rdf_data(rdf), len);
}

/* owner is "name." in presentation form; hosts entries are absolute. */
static bool owner_is(const ldns_rr *rr, const char *name)
{
	char *owner = ldns_rdf2str(ldns_rr_owner(rr));
	size_t n = strlen(name);
	bool same;

	same = owner && !strncasecmp(owner, name, n) &&
	       (!strcmp(owner + n, ".") || !owner[n]);
	free(owner);
	return same;
}

/* As nsswitch's "files dns": a name in the hosts file is not looked up. */
static bool from_hosts(const char *hosts, const char *name,
		       struct proto_resolve_result *out)
{
	ldns_rr_list *list = ldns_get_rr_list_hosts_frm_file((char *)hosts);
	size_t n = list ? ldns_rr_list_rr_count(list) : 0;

	for (size_t i = 0; i < n; i++) {
		ldns_rr *rr = ldns_rr_list_rr(list, i);

		if (owner_is(rr, name) && ldns_rr_rd_count(rr) == 1)
			add_addr(out, ldns_rr_rdf(rr, 0));
	}
	ldns_rr_list_deep_free(list);
	return out->n4 || out->n6;
}

static bool same_dname(const ldns_rdf *a, const ldns_rdf *b)
{
	return ldns_dname_compare(a, b) == 0;
}

/*
 * The names a CNAME chain from qname goes through, qname first: only
 * records of these answer the question. An answer may carry records of
 * other names (a hostile or broken server's), which are not ours to use.
 */
static size_t cname_chain(const ldns_pkt *pkt, const ldns_rdf *qname,
			  const ldns_rdf **chain, size_t max)
{
	ldns_rr_list *an = ldns_pkt_answer(pkt);
	size_t n = 0, count = an ? ldns_rr_list_rr_count(an) : 0;

	chain[n++] = qname;
	while (n < max) {
		const ldns_rdf *next = NULL;
		bool seen = false;

		for (size_t i = 0; i < count && !next; i++) {
			ldns_rr *rr = ldns_rr_list_rr(an, i);

			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			    ldns_rr_rd_count(rr) == 1 &&
			    same_dname(ldns_rr_owner(rr), chain[n - 1]))
				next = ldns_rr_rdf(rr, 0);
		}
		for (size_t k = 0; next && k < n; k++)
			seen = seen || same_dname(chain[k], next);
		if (!next || seen) /* the end, or a loop */
			break;
		chain[n++] = next;
	}
	return n;
}

void proto_resolve_collect(const ldns_pkt *pkt, const ldns_rdf *qname,
			   ldns_rr_type type, struct proto_resolve_result *out)
{
	const ldns_rdf *chain[PROTO_RESOLVE_MAX_CNAMES + 1];
	ldns_rr_list *an = ldns_pkt_answer(pkt);
	size_t n = cname_chain(pkt, qname, chain, PROTO_RESOLVE_MAX_CNAMES + 1);

	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		bool ours = false;

		if (ldns_rr_get_type(rr) != type || ldns_rr_rd_count(rr) != 1)
			continue;
		for (size_t k = 0; k < n && !ours; k++)
			ours = same_dname(ldns_rr_owner(rr), chain[k]);
		if (ours)
			add_addr(out, ldns_rr_rdf(rr, 0));
	}
}

static void query(ldns_resolver *res, const ldns_rdf *dname, ldns_rr_type type,
		  struct proto_resolve_result *out)
{
	ldns_pkt *pkt = ldns_resolver_query(res, dname, type, LDNS_RR_CLASS_IN,
					    LDNS_RD);

	if (!pkt)
		return;
	proto_resolve_collect(pkt, dname, type, out);
	ldns_pkt_free(pkt);
}

/*
 * ldns tries each name server in turn, retry times, each for the
 * resolver's timeout: split the budget so A and AAAA together stay in it.
 */
static void set_budget(ldns_resolver *res,
		       const struct proto_resolve_config *cfg)
{
	size_t servers = ldns_resolver_nameserver_count(res);
	unsigned int ms = cfg->timeout_ms ? cfg->timeout_ms :
					    PROTO_RESOLVE_TIMEOUT_MS;
	struct timeval tv;

	ms /= 2 * (unsigned int)(servers ? servers : 1);
	if (ms < 200)
		ms = 200;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	ldns_resolver_set_timeout(res, tv);
	ldns_resolver_set_retry(res, 1);
	ldns_resolver_set_retrans(res, 0);
	if (cfg->port)
		ldns_resolver_set_port(res, cfg->port);
}

int proto_resolve_blocking(const struct proto_resolve_config *cfg,
			   const char *name, struct proto_resolve_result *out)
{
	ldns_resolver *res = NULL;
	ldns_rdf *dname;

	memset(out, 0, sizeof(*out));
	if (from_hosts(cfg->hosts, name, out))
		return 0;
	if (ldns_resolver_new_frm_file(&res, cfg->resolv_conf) !=
	    LDNS_STATUS_OK)
		return -ENOENT;
	dname = ldns_dname_new_frm_str(name);
	if (!dname) {
		ldns_resolver_deep_free(res);
		return -EINVAL;
	}
	set_budget(res, cfg);
	query(res, dname, LDNS_RR_TYPE_A, out);
	query(res, dname, LDNS_RR_TYPE_AAAA, out);
	ldns_rdf_deep_free(dname);
	ldns_resolver_deep_free(res);
	return 0;
}

/* --- Cache --- */

struct cache_entry {
	char name[FZ_DOMAIN_MAX + 1];
	struct proto_resolve_result result;
	uint64_t when_ns;
};

struct proto_resolve_cache {
	uint64_t ttl_ns;
	struct cache_entry *entries;
	size_t n;
};

struct proto_resolve_cache *proto_resolve_cache_new(uint64_t ttl_ns)
{
	struct proto_resolve_cache *c = calloc(1, sizeof(*c));

	if (c)
		c->ttl_ns = ttl_ns;
	return c;
}

void proto_resolve_cache_free(struct proto_resolve_cache *c)
{
	if (!c)
		return;
	free(c->entries);
	free(c);
}

static bool fresh(const struct proto_resolve_cache *c,
		  const struct cache_entry *e, uint64_t now_ns)
{
	return now_ns >= e->when_ns && now_ns - e->when_ns < c->ttl_ns;
}

const struct proto_resolve_result *
proto_resolve_cache_get(struct proto_resolve_cache *c, const char *name,
			uint64_t now_ns)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->entries[i].name, name))
			return fresh(c, &c->entries[i], now_ns) ?
				       &c->entries[i].result :
				       NULL;
	return NULL;
}

static void prune(struct proto_resolve_cache *c, uint64_t now_ns)
{
	size_t kept = 0;

	for (size_t i = 0; i < c->n; i++)
		if (fresh(c, &c->entries[i], now_ns))
			c->entries[kept++] = c->entries[i];
	c->n = kept;
}

int proto_resolve_cache_put(struct proto_resolve_cache *c, const char *name,
			    const struct proto_resolve_result *r,
			    uint64_t now_ns)
{
	struct cache_entry *e = NULL, *grown;

	if (strlen(name) > FZ_DOMAIN_MAX)
		return -EINVAL;
	prune(c, now_ns);
	for (size_t i = 0; i < c->n && !e; i++)
		if (!strcmp(c->entries[i].name, name))
			e = &c->entries[i];
	if (!e && c->n == PROTO_RESOLVE_CACHE_MAX)
		return -ENOSPC; /* all fresh: the next lookup asks again */
	if (!e) {
		grown = realloc(c->entries, (c->n + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		c->entries = grown;
		e = &c->entries[c->n++];
		strcpy(e->name, name);
	}
	e->result = *r;
	e->when_ns = now_ns;
	return 0;
}

/* --- On the loop --- */

struct waiter {
	proto_resolver_cb cb;
	void *arg;
	struct waiter *next;
};

/* One name being resolved on a worker thread, and who waits for it. */
struct lookup {
	uv_work_t work;
	struct proto_resolver *r;
	char name[FZ_DOMAIN_MAX + 1];
	struct proto_resolve_config cfg;
	struct proto_resolve_result result;
	int err;
	struct waiter *waiters;
	struct lookup *next;
};

struct proto_resolver {
	uv_loop_t *loop;
	struct proto_resolve_config cfg;
	struct proto_resolve_cache *cache;
	uint64_t (*now_ns)(void);
	struct lookup *inflight;
	bool closing;
};

struct proto_resolver *
proto_resolver_new(uv_loop_t *loop, const struct proto_resolve_config *cfg,
		   uint64_t (*now_ns)(void))
{
	struct proto_resolver *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->cache = proto_resolve_cache_new(PROTO_RESOLVE_CACHE_NS);
	if (!r->cache) {
		free(r);
		return NULL;
	}
	r->loop = loop;
	r->cfg = *cfg;
	r->now_ns = now_ns;
	return r;
}

static void release(struct proto_resolver *r)
{
	proto_resolve_cache_free(r->cache);
	free(r);
}

void proto_resolver_free(struct proto_resolver *r)
{
	if (!r)
		return;
	r->closing = true;
	for (struct lookup *l = r->inflight; l; l = l->next)
		uv_cancel((uv_req_t *)&l->work);
	if (!r->inflight)
		release(r);
}

static void work(uv_work_t *w)
{
	struct lookup *l = w->data;

	l->err = proto_resolve_blocking(&l->cfg, l->name, &l->result);
}

static void unlink_lookup(struct proto_resolver *r, struct lookup *l)
{
	struct lookup **pp = &r->inflight;

	while (*pp != l)
		pp = &(*pp)->next;
	*pp = l->next;
}

static void after_work(uv_work_t *w, int status)
{
	struct lookup *l = w->data;
	struct proto_resolver *r = l->r;
	bool ok = !status && !l->err && !r->closing;

	unlink_lookup(r, l);
	if (ok)
		proto_resolve_cache_put(r->cache, l->name, &l->result,
					r->now_ns());
	while (l->waiters) {
		struct waiter *wt = l->waiters;

		l->waiters = wt->next;
		wt->cb(wt->arg, ok ? &l->result : NULL,
		       status ? status : l->err, false);
		free(wt);
	}
	free(l);
	if (r->closing && !r->inflight)
		release(r);
}

static struct lookup *find_inflight(struct proto_resolver *r, const char *name)
{
	for (struct lookup *l = r->inflight; l; l = l->next)
		if (!strcmp(l->name, name))
			return l;
	return NULL;
}

static struct lookup *start_lookup(struct proto_resolver *r, const char *name)
{
	struct lookup *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->r = r;
	l->cfg = r->cfg;
	l->work.data = l;
	strcpy(l->name, name);
	if (uv_queue_work(r->loop, &l->work, work, after_work)) {
		free(l);
		return NULL;
	}
	l->next = r->inflight;
	r->inflight = l;
	return l;
}

int proto_resolver_lookup(struct proto_resolver *r, const char *name,
			  proto_resolver_cb cb, void *arg)
{
	const struct proto_resolve_result *cached;
	struct waiter *wt;
	struct lookup *l;

	if (strlen(name) > FZ_DOMAIN_MAX || r->closing)
		return -EINVAL;
	cached = proto_resolve_cache_get(r->cache, name, r->now_ns());
	if (cached) {
		cb(arg, cached, 0, true);
		return 0;
	}
	wt = calloc(1, sizeof(*wt));
	l = wt ? find_inflight(r, name) : NULL;
	if (wt && !l)
		l = start_lookup(r, name);
	if (!l) {
		free(wt);
		return -ENOMEM;
	}
	wt->cb = cb;
	wt->arg = arg;
	wt->next = l->waiters;
	l->waiters = wt;
	return 0;
}
