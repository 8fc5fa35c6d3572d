#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Scripted gateways and clients for fzportal's signalling (50-signal.sh).

Run with Debian's /usr/bin/python3 (python3-websockets 10.4):
    sigclient.py setup DB DATA.json     test data written into DB
    sigclient.py run URL CAFILE DB DATA.json
The data go straight into the database (sites A and B, resources, groups,
members, policies, tokens), as `fzportal admin` would write them, and
later edits append the `changes` rows of the admin wing's contract
(admin/admin.h). `run` prints KTAP lines ("ok - ...", "not ok - ...",
"# ...") and exits 1 if any check failed. Every wait has a timeout.
"""
import asyncio
import base64
import hashlib
import json
import math
import os
import sqlite3
import ssl
import sys
import time
import uuid

import websockets

FAILS = 0
NS = 1000000000


def check(ok, what, detail=""):
    global FAILS
    print(("ok - " if ok else "not ok - ") + what, flush=True)
    if not ok:
        FAILS += 1
        if detail:
            print("#   " + str(detail)[:400], flush=True)
    return ok


def diag(text):
    print("# " + text, flush=True)


# --- the database, as the admin wing writes it

def now_ns():
    return time.time_ns()


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def mint_token():
    """(id text, token text, hash) as core/token.c makes them."""
    tid, secret = uuid.uuid4(), os.urandom(32)
    h = hashlib.blake2b(b"fz-token-v1" + tid.bytes + secret,
                        digest_size=32).digest()
    return str(tid), "fz1_" + b64url(tid.bytes) + "_" + b64url(secret), h


class Db:
    def __init__(self, path):
        self.c = sqlite3.connect(path, timeout=10, isolation_level=None)
        self.account = self.c.execute("SELECT id FROM accounts").fetchone()[0]

    def insert(self, table, **cols):
        cols.setdefault("id", str(uuid.uuid4()))
        cols.setdefault("account_id", self.account)
        cols.setdefault("created_at", now_ns())
        names = ", ".join(cols)
        marks = ", ".join("?" * len(cols))
        self.c.execute("INSERT INTO %s (%s) VALUES (%s)" % (table, names, marks),
                       list(cols.values()))
        return cols["id"]

    def change(self, entity, op, object_id, before, after):
        self.c.execute(
            "INSERT INTO changes (account_id, at, entity, op, object_id, data)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (self.account, now_ns(), entity, op, object_id,
             json.dumps({"before": before, "after": after})))

    def one(self, sql, *args):
        r = self.c.execute(sql, args).fetchone()
        return r[0] if r else None


def setup(path, out):
    db = Db(path)
    d = {"account": db.account}
    for s in ("A", "B"):
        d["site" + s] = db.insert("sites", name="site-" + s)
    filt = json.dumps([{"protocol": "tcp", "port_range_start": 80,
                        "port_range_end": 80}])
    res = {"rA1": ("A", "ip", "10.0.0.1", filt),
           "rA2": ("A", "dns", "*.a.example", "[]"),
           "rB1": ("B", "cidr", "10.2.0.0/16", "[]"),
           "rHidden": ("A", "ip", "10.0.0.9", "[]"),
           "rCond": ("A", "ip", "10.0.0.7", "[]")}
    for k, (site, typ, addr, f) in res.items():
        d[k] = db.insert("resources", site_id=d["site" + site], name=k,
                         type=typ, address=addr, filters=f)
    for g in ("eng", "ops"):
        d[g] = db.insert("groups", name=g)
    for a, g in (("alice", "eng"), ("bob", "eng"), ("carol", "ops")):
        d[a] = db.insert("actors", type="user", role="member", name=a)
        db.c.execute("INSERT INTO memberships VALUES (?, ?)", (d[g], d[a]))
    cond = json.dumps([{"property": "remote_ip", "operator": "is_in_cidr",
                        "values": ["192.0.2.0/24"]}])
    for name, g, r, c in (("pA1", "eng", "rA1", "[]"),
                          ("pA2", "eng", "rA2", "[]"),
                          ("pB1", "eng", "rB1", "[]"),
                          ("pCond", "eng", "rCond", cond),
                          ("pOps", "ops", "rA1", "[]")):
        d[name] = db.insert("policies", group_id=d[g], resource_id=d[r],
                            conditions=c)
    exp = now_ns() + 86400 * NS
    for name, kind, actor, site in (
            ("tGwA", "gateway", None, "siteA"),
            ("tGwB", "gateway", None, "siteB"),
            ("tAlice", "client", "alice", None),
            ("tBob", "client", "bob", None),
            ("tCarol", "client", "carol", None)):
        tid, text, h = mint_token()
        db.insert("tokens", id=tid, kind=kind, hash=h, name=name,
                  actor_id=d[actor] if actor else None,
                  site_id=d[site] if site else None,
                  expires_at=None if kind == "gateway" else exp)
        d[name] = text
        d[name + "_id"] = tid
    with open(out, "w") as f:
        json.dump(d, f)


# --- peers

def key():
    return base64.b64encode(os.urandom(32)).decode()


class Peer:
    """One socket: a reader task queues messages (heartbeat replies
    dropped), a heartbeat task beats every 0.5 s; a gateway with autoack
    answers create_authorization at once."""
    refs = 0

    def __init__(self, base, cafile, role, token, autoack=True):
        self.base, self.cafile, self.role, self.token = base, cafile, role, token
        self.autoack = autoack and role == "gateway"
        self.key = key()
        self.init_done = None
        self.q = asyncio.Queue()
        self.closed = asyncio.Event()
        self.tasks = []

    async def open(self):
        ctx = ssl.create_default_context(cafile=self.cafile)
        self.ws = await websockets.connect(
            self.base + "/%s/websocket" % self.role, ssl=ctx,
            extra_headers={"Authorization": "Bearer " + self.token},
            ping_interval=None, open_timeout=10, close_timeout=2,
            max_size=2 ** 20)
        self.tasks = [asyncio.create_task(self._read()),
                      asyncio.create_task(self._beat())]
        return self

    async def _read(self):
        try:
            async for text in self.ws:
                m = json.loads(text)
                if m.get("topic") == "phoenix":
                    continue
                if self.autoack and m.get("event") == "create_authorization":
                    await self.send("authorization_created",
                                    {"ref": m["payload"]["ref"]})
                await self.q.put(m)
        except websockets.exceptions.ConnectionClosed:
            pass
        self.closed.set()

    async def _beat(self):
        n = 0
        try:
            while True:
                n += 1
                await self.ws.send(json.dumps(
                    {"topic": "phoenix", "event": "heartbeat",
                     "payload": {}, "ref": "hb%d" % n}))
                await asyncio.sleep(0.5)
        except websockets.exceptions.ConnectionClosed:
            pass

    def next_ref(self):
        Peer.refs += 1
        return "r%d" % Peer.refs

    async def send(self, event, payload, ref=None, topic=None):
        await self.ws.send(json.dumps({"topic": topic or self.role,
                                       "event": event, "payload": payload,
                                       "ref": ref}))

    async def expect(self, event, timeout=2.0, ref=None):
        """The next message of event (and ref); others are kept aside."""
        end = time.monotonic() + timeout
        aside = []
        try:
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    return None
                try:
                    m = await asyncio.wait_for(self.q.get(), left)
                except asyncio.TimeoutError:
                    return None
                if m.get("event") == event and (ref is None or
                                                 m.get("ref") == ref):
                    return m
                aside.append(m)
        finally:
            for m in aside:
                self.q.put_nowait(m)

    async def expect_nothing(self, seconds, events):
        """The messages of events that arrive within seconds (want [])."""
        await asyncio.sleep(seconds)
        got, keep = [], []
        while not self.q.empty():
            m = self.q.get_nowait()
            (got if m.get("event") in events else keep).append(m)
        for m in keep:
            self.q.put_nowait(m)
        return got

    def drain(self):
        while not self.q.empty():
            self.q.get_nowait()

    async def join(self, **extra):
        ref = self.next_ref()
        payload = {"public_key": self.key, "name": "t-" + self.role,
                   "version": "0.1"}
        if self.role == "gateway":
            payload.update(listen_port=51820, endpoints=["192.0.2.10:51820"])
        payload.update(extra)
        await self.send("phx_join", payload, ref=ref)
        reply = await self.expect("phx_reply", ref=ref)
        init = await self.expect("init") if reply and \
            reply["payload"]["status"] == "ok" else None
        # The pushes that complete init come before it (none here).
        self.init_done = await self.expect("init_done") if init else None
        return reply, init

    async def request(self, resource, connected=(), failed=()):
        ref = self.next_ref()
        await self.send("request_authorization",
                        {"resource_id": resource,
                         "connected_gateway_ids": list(connected),
                         "failed_gateway_ids": list(failed)}, ref=ref)
        return ref

    async def answer(self, ref, timeout=3.0):
        """authorization_created or _creation_failed for ref."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for ev in ("authorization_created",
                       "authorization_creation_failed"):
                m = await self.expect(ev, 0.05, ref=ref)
                if m:
                    return m
        return None

    async def close(self):
        for t in self.tasks:
            t.cancel()
        await self.ws.close()


# --- the scenarios

class T:
    pass


async def gateway(t, token):
    p = Peer(t.base, t.cafile, "gateway", token)
    await p.open()
    reply, init = await p.join()
    p.id = t.db.one("SELECT id FROM gateways WHERE public_key = ?",
                    base64.b64decode(p.key))
    p.init = init
    return p


async def client(t, token):
    p = Peer(t.base, t.cafile, "client", token)
    await p.open()
    p.reply, p.init = await p.join()
    p.id = t.db.one("SELECT id FROM clients WHERE public_key = ?",
                    base64.b64decode(p.key))
    return p


async def where(t, cl, resource, connected=(), failed=()):
    """(gateway peer that got create_authorization, its message, the
    client's answer)."""
    ref = await cl.request(resource, connected, failed)
    ans = await cl.answer(ref)
    if not ans or ans["event"] != "authorization_created":
        return None, None, ans
    gid = ans["payload"]["gateway_id"]
    gw = t.gws.get(gid)
    ca = await gw.expect("create_authorization", 1) if gw else None
    return gw, ca, ans


async def joins(t):
    d = t.d
    t.gA1 = await gateway(t, d["tGwA"])
    t.gA2 = await gateway(t, d["tGwA"])
    t.gB = await gateway(t, d["tGwB"])
    t.gws = {g.id: g for g in (t.gA1, t.gA2, t.gB)}
    ok = all(g.init and g.init["payload"]["interface"]["ipv4"].startswith(
        "100.") for g in t.gws.values())
    check(ok and len(t.gws) == 3,
          "three gateways join and get init with their tunnel addresses",
          [g.init for g in t.gws.values()])
    check(all(g.init_done and g.init_done["topic"] == "gateway" and
              g.init_done["payload"] == {} for g in t.gws.values()),
          "each gateway's init is followed by init_done",
          [g.init_done for g in t.gws.values()])
    t.alice = await client(t, d["tAlice"])
    check(t.alice.reply and t.alice.reply["payload"]["status"] == "ok",
          "a client joins with an ok reply", t.alice.reply)
    check(t.alice.init_done and t.alice.init_done["topic"] == "client",
          "the client's init is followed by init_done", t.alice.init_done)
    init = t.alice.init["payload"] if t.alice.init else {}
    names = sorted(r["name"] for r in init.get("resources", []))
    check(names == ["rA1", "rA2", "rB1", "rCond"],
          "client init lists exactly the resources its policies allow", names)
    ra1 = [r for r in init.get("resources", []) if r["name"] == "rA1"]
    check(ra1 and ra1[0]["sites"][0]["id"] == d["siteA"] and
          ra1[0]["filters"][0]["port_range_start"] == 80,
          "a resource in init carries its site and filters", ra1)
    check(init.get("interface", {}).get("ipv6", "").startswith("fd00:2021:1111:"),
          "client init has its tunnel addresses", init.get("interface"))
    t.carol = await client(t, d["tCarol"])
    names = sorted(r["name"] for r in t.carol.init["payload"]["resources"])
    check(names == ["rA1"], "another actor's init shows only its group's", names)
    t.bob = await client(t, d["tBob"])


async def allowed(t):
    d = t.d
    gw, ca, ans = await where(t, t.alice, d["rA1"])
    check(gw in (t.gA1, t.gA2), "an allowed request reaches a gateway of the "
          "resource's site", ans)
    if not gw:
        return
    p, c = ans["payload"], ca["payload"] if ca else {}
    check(ca is not None, "that gateway got create_authorization", ca)
    check(c.get("client", {}).get("public_key") == t.alice.key and
          c.get("resource", {}).get("id") == d["rA1"] and
          c["resource"]["filters"][0]["protocol"] == "tcp",
          "create_authorization names the client's key and the resource", c)
    check(p["gateway_public_key"] == gw.key and p["site_id"] == d["siteA"] and
          p["gateway_endpoints"] == ["192.0.2.10:51820"] and
          p["gateway_ipv4"].startswith("100."),
          "authorization_created names the gateway's key, endpoints, site", p)
    check(p["preshared_key"] == c.get("client", {}).get("preshared_key"),
          "client and gateway get the same preshared key")
    check(p["expires_at"] > time.time() + 3600 and
          p["expires_at"] == c.get("expires_at"),
          "both get the same expiry, the token's at most", p["expires_at"])
    t.psk_alice = (gw, p["preshared_key"])
    got = await (t.gB.expect_nothing(0.2, ["create_authorization"]))
    check(not got, "the other site's gateway hears nothing", got)
    rows = t.db.one("SELECT count(*) FROM audit WHERE action = "
                    "'authorization.create' AND decision = 'allow' AND "
                    "policy_id = ?", d["pA1"])
    check(rows == 1, "the grant is audited with its policy", rows)
    gw, ca, ans = await where(t, t.alice, d["rB1"])
    check(gw is t.gB, "a site B resource goes to site B's gateway", ans)


async def psk(t):
    d = t.d
    gw, first = t.psk_alice
    key, cid = t.alice.key, t.alice.id
    await t.alice.close()
    t.alice = Peer(t.base, t.cafile, "client", d["tAlice"])
    t.alice.key, t.alice.id = key, cid
    await t.alice.open()
    await t.alice.join()
    g2, ca, ans = await where(t, t.alice, d["rA1"], connected=[gw.id])
    check(g2 is gw and ans["payload"]["preshared_key"] == first,
          "the preshared key is the same after a reconnect", ans)
    other = t.gA2 if gw is t.gA1 else t.gA1
    g3, ca, ans = await where(t, t.alice, d["rA1"], connected=[other.id])
    check(g3 is other and ans["payload"]["preshared_key"] != first,
          "another gateway gets another preshared key")
    g4, ca, ans = await where(t, t.bob, d["rA1"], connected=[gw.id])
    check(g4 is gw and ans["payload"]["preshared_key"] != first,
          "another client gets another preshared key")


async def denied(t):
    d = t.d
    for res, reason, what in ((d["rHidden"], "not_found", "no policy"),
                              (d["rCond"], "forbidden",
                               "a failing remote_ip condition"),
                              (str(uuid.uuid4()), "not_found",
                               "an unknown resource")):
        ref = await t.alice.request(res)
        ans = await t.alice.answer(ref)
        check(ans and ans["event"] == "authorization_creation_failed" and
              ans["payload"]["reason"] == reason and
              ans["payload"]["resource_id"] == res,
              "%s is denied with %s" % (what, reason), ans)
    got = []
    for g in t.gws.values():
        got += await g.expect_nothing(0.1, ["create_authorization"])
    check(not got, "denied requests reach no gateway", got)
    rows = t.db.one("SELECT count(*) FROM audit WHERE decision = 'deny' AND "
                    "reason IN ('not_found', 'forbidden')")
    check(rows == 3, "each denial is audited with its reason", rows)


async def choice(t):
    d = t.d
    seen = set()
    for _ in range(10):
        gw, ca, ans = await where(t, t.bob, d["rA1"], failed=[t.gA1.id])
        seen.add(gw)
    check(seen == {t.gA2}, "a gateway in failed_gateway_ids is not chosen "
          "while another is online")
    seen = set()
    for _ in range(10):
        gw, ca, ans = await where(t, t.bob, d["rA1"],
                                  failed=[t.gA1.id, t.gA2.id])
        seen.add(gw)
    check(seen == {t.gA2}, "when all failed the client, the gateway that "
          "joined last is chosen", seen)
    seen = set()
    for _ in range(10):
        gw, ca, ans = await where(t, t.bob, d["rA1"], connected=[t.gA1.id])
        seen.add(gw)
    check(seen == {t.gA1}, "a gateway in connected_gateway_ids is preferred")


async def spread(t, n=400):
    """n distinct clients, one request each (the gateways' acks count
    against their budget, 1000/s; 55-cascade.sh pushes it)."""
    d = t.d
    counts = {t.gA1: 0, t.gA2: 0}
    lat = []
    sem = asyncio.Semaphore(8)

    async def one(i):
        async with sem:
            c = Peer(t.base, t.cafile, "client", d["tBob"])
            await c.open()
            await c.join()
            t0 = time.monotonic()
            ref = await c.request(d["rA1"])
            ans = await c.answer(ref, 6)
            lat.append(time.monotonic() - t0)
            await c.close()
            if ans and ans["event"] == "authorization_created":
                g = t.gws.get(ans["payload"]["gateway_id"])
                if g in counts:
                    counts[g] += 1
            await asyncio.sleep(0.2)
    t0 = time.monotonic()
    await asyncio.gather(*(one(i) for i in range(n)))
    el = time.monotonic() - t0
    a, b = counts[t.gA1], counts[t.gA2]
    chi2 = ((a - n / 2) ** 2 + (b - n / 2) ** 2) / (n / 2)
    lat.sort()
    diag("%d requests in %.1f s: %d/%d, chi2 %.2f; request -> "
         "authorization_created p50 %.1f ms p99 %.1f ms" %
         (n, el, a, b, chi2, lat[len(lat) // 2] * 1000,
          lat[int(len(lat) * 0.99)] * 1000))
    check(a + b == n, "all %d requests from distinct clients were granted" % n,
          (a, b))
    check(chi2 < 10.83, "two gateways share them evenly (chi-square %.2f < "
          "10.83, 1 dof)" % chi2, (a, b))
    for g in (t.gA1, t.gA2):
        g.drain()


async def gone(t):
    d = t.d
    await t.gA2.close()
    await asyncio.sleep(0.3)
    seen = set()
    for _ in range(20):
        gw, ca, ans = await where(t, t.bob, d["rA1"])
        seen.add(gw)
    check(seen == {t.gA1}, "a gateway that disconnected is never chosen",
          seen)
    gw, ca, ans = await where(t, t.bob, d["rA1"], failed=[t.gA1.id])
    check(gw is t.gA1, "the only gateway online is chosen though it "
          "failed the client (it may be back)", ans)


async def revoke(t):
    d = t.d
    t.alice.drain()
    gw, ca, ans = await where(t, t.alice, d["rA2"])
    pol = t.db.c.execute("SELECT group_id, resource_id FROM policies "
                         "WHERE id = ?", (d["pA2"],)).fetchone()
    t.db.c.execute("DELETE FROM policies WHERE id = ?", (d["pA2"],))
    t0 = time.monotonic()
    t.db.change("policy", "delete", d["pA2"],
                {"id": d["pA2"], "group_id": pol[0], "resource_id": pol[1],
                 "conditions": [], "enabled": True}, None)
    m = await gw.expect("reject_access", 1.0) if gw else None
    el = time.monotonic() - t0
    check(m and m["payload"] == {"client_id": t.alice.id,
                                 "resource_id": d["rA2"]},
          "deleting a policy sends reject_access within 1 s (%.0f ms)" %
          (el * 1000), m)
    m = await t.alice.expect("resource_deleted", 1.0)
    check(m and m["payload"]["id"] == d["rA2"],
          "and resource_deleted to the client that saw it", m)
    left = t.db.one("SELECT count(*) FROM authorizations WHERE policy_id = ?",
                    d["pA2"])
    check(left == 0, "its authorizations are gone from the store", left)
    # Filters changed: live on the gateway, pushed to clients.
    old = t.db.one("SELECT filters FROM resources WHERE id = ?", d["rA1"])
    new = [{"protocol": "udp", "port_range_start": 53,
            "port_range_end": 53}]
    t.db.c.execute("UPDATE resources SET filters = ? WHERE id = ?",
                   (json.dumps(new), d["rA1"]))
    base = {"id": d["rA1"], "site_id": d["siteA"], "type": "ip",
            "address": "10.0.0.1", "name": "rA1"}
    t.db.change("resource", "update", d["rA1"],
                dict(base, filters=json.loads(old)), dict(base, filters=new))
    m = await t.gA1.expect("resource_updated", 1.0)
    check(m and m["payload"]["id"] == d["rA1"] and
          m["payload"]["filters"][0]["protocol"] == "udp",
          "a filter change reaches the gateway as resource_updated", m)
    m = await t.alice.expect("resource_created_or_updated", 1.0)
    check(m and m["payload"]["filters"][0]["port_range_start"] == 53,
          "and the client as resource_created_or_updated", m)
    # A deleted token: its socket is told and closed at once.
    t.db.c.execute("DELETE FROM tokens WHERE id = ?", (d["tCarol_id"],))
    t0 = time.monotonic()
    t.db.change("token", "delete", d["tCarol_id"],
                {"id": d["tCarol_id"], "kind": "client",
                 "actor_id": d["carol"], "site_id": None}, None)
    m = await t.carol.expect("disconnect", 1.0)
    try:
        await asyncio.wait_for(t.carol.closed.wait(), 1.0)
        closed = True
    except asyncio.TimeoutError:
        closed = False
    el = time.monotonic() - t0
    check(m is not None and closed,
          "a deleted token's socket gets disconnect and is closed within "
          "1 s (%.0f ms)" % (el * 1000), m)


async def hostile(t):
    d = t.d
    bob = t.bob
    bob.drain()
    cases = [
        ('{"topic":"client","event":"request_authorization",'
         '"payload":{"resource_id":5,"connected_gateway_ids":[],'
         '"failed_gateway_ids":[]},"ref":"h1"}', "h1", "a wrongly typed id"),
        ('{"topic":"client","event":"request_authorization",'
         '"payload":{"resource_id":"not-a-uuid","connected_gateway_ids":[],'
         '"failed_gateway_ids":[]},"ref":"h2"}', "h2", "a malformed UUID"),
        ('{"topic":"client","event":"request_authorization",'
         '"payload":{},"ref":"h3"}', "h3", "missing fields"),
        ('{"topic":"client","event":"no_such_event","payload":{},'
         '"ref":"h4"}', "h4", "an unknown event"),
        ('{"topic":"client","event":"phx_join","payload":{"public_key":'
         '"AAAA","name":"x","version":"1"},"ref":"h5"}', "h5",
         "a join with a short key"),
        ('not json at all', None, "text that is not JSON"),
    ]
    for text, ref, what in cases:
        await bob.ws.send(text)
        m = await bob.expect("phx_reply", 2.0, ref=ref)
        check(m and m["payload"]["status"] == "error",
              "%s gets an error reply" % what, m)
    gw, ca, ans = await where(t, bob, d["rB1"])
    check(gw is t.gB, "the socket still works afterwards", ans)
    c = Peer(t.base, t.cafile, "client", d["tAlice"])
    await c.open()
    ref = await c.request(d["rA1"])
    m = await c.expect("phx_reply", 2.0, ref=ref)
    check(m and m["payload"]["response"].get("reason") == "not_joined",
          "a request before joining is refused: not_joined", m)
    c.key = t.bob.key
    reply, init = await c.join()
    try:
        await asyncio.wait_for(c.closed.wait(), 2.0)
        closed = True
    except asyncio.TimeoutError:
        closed = False
    check(reply and reply["payload"]["response"].get("reason") ==
          "public_key_in_use" and closed,
          "another actor's public key is refused, the socket closed", reply)
    await c.close()


async def run(base, cafile, dbpath, datafile):
    t = T()
    t.base, t.cafile = base, cafile
    t.db = Db(dbpath)
    with open(datafile) as f:
        t.d = json.load(f)
    steps = (joins, allowed, psk, denied, choice, spread, gone, revoke,
             hostile)
    only = os.environ.get("SIG_SKIP", "").split(",")
    for step in steps:
        if step.__name__ in only:
            continue
        try:
            await asyncio.wait_for(step(t), 120)
        except Exception as e:
            check(False, "%s ran to its end" % step.__name__, repr(e))


def main():
    if sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3])
        return 0
    asyncio.run(run(*sys.argv[2:6]))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
