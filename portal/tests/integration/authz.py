#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""How many authorizations a client can make the portal hold, and for how
long (52-authz.sh), on sigclient.py's peers and data.
    authz.py setup DB DATA.json
    authz.py run URL CAFILE DB DATA.json
"""
import asyncio
import base64
import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigclient as S  # noqa: E402
from sigclient import check, Peer, T  # noqa: E402

# sig/priv.h: SIG_AUTHZ_PER_RESOURCE, SIG_PENDING_WAITERS
PER_RESOURCE = 8
WAITERS = 8
# Dave's resources: some 600 bytes each as a push, 480 KB in all.
WIDE = 800
# Frank's resources: as many as make their resource_deleted messages
# (some 100 bytes each) more than the socket's queue (256 KiB).
MANY = 3000
# sig/priv.h: SIG_DENY_BURST
DENY_BURST = 30
# sig/sig.h: SIG_CLIENT_DEVICES_DEFAULT (52-authz.sh leaves it as it is)
DEVICES = 16


def setup(path, out):
    S.setup(path, out)
    with open(out) as f:
        d = json.load(f)
    db = S.Db(path)
    # Site C has more gateways than a client may hold authorizations of
    # one resource.
    d["siteC"] = db.insert("sites", name="site-C")
    d["rC"] = db.insert("resources", site_id=d["siteC"], name="rC",
                        type="ip", address="10.3.0.1", filters="[]")
    d["pC"] = db.insert("policies", group_id=d["eng"], resource_id=d["rC"],
                        conditions="[]")
    # Site D's gateway comes back to more authorizations than its
    # socket's queue holds at once.
    d["siteD"] = db.insert("sites", name="site-D")
    d["rD"] = db.insert("resources", site_id=d["siteD"], name="rD-" + "n" * 60,
                        type="ip", address="10.4.0.1", filters="[]")
    d["pD"] = db.insert("policies", group_id=d["eng"], resource_id=d["rD"],
                        conditions="[]")
    # A resource of site D whose address the codec does not take (one
    # written to the database by hand, or by an older portal).
    d["rBad"] = db.insert("resources", site_id=d["siteD"], name="rBad",
                          type="ip", address="not-an-address", filters="[]")
    # Dave, alone in group wide, sees more resources than his socket's
    # queue (256 KiB) takes at once when they are all pushed in a turn.
    d["siteE"] = db.insert("sites", name="site-E")
    d["wide"] = db.insert("groups", name="wide")
    d["dave"] = db.insert("actors", type="user", role="member", name="dave")
    db.c.execute("INSERT INTO memberships VALUES (?, ?)", (d["wide"], d["dave"]))
    # Erin joins group wide while her client is online.
    d["erin"] = db.insert("actors", type="user", role="member", name="erin")
    db.c.execute("BEGIN")
    d["rWide"] = []
    for i in range(WIDE):
        r = db.insert("resources", site_id=d["siteE"],
                      name="w%03d-" % i + "n" * 200, type="ip",
                      address="10.5.%d.%d" % (i // 250, i % 250 + 1),
                      filters="[]")
        db.insert("policies", group_id=d["wide"], resource_id=r,
                  conditions="[]")
        d["rWide"].append(r)
    # Frank, alone in group many, loses all of his at once.
    d["many"] = db.insert("groups", name="many")
    d["frank"] = db.insert("actors", type="user", role="member", name="frank")
    db.c.execute("INSERT INTO memberships VALUES (?, ?)", (d["many"], d["frank"]))
    d["rMany"] = []
    for i in range(MANY):
        r = db.insert("resources", site_id=d["siteE"], name="m%04d" % i,
                      type="ip", address="10.6.%d.%d" % (i // 250, i % 250 + 1),
                      filters="[]")
        db.insert("policies", group_id=d["many"], resource_id=r,
                  conditions="[]")
        d["rMany"].append(r)
    db.c.execute("COMMIT")
    for name, kind, actor, site, life in (
            ("tGwC", "gateway", None, "siteC", None),
            ("tGwD", "gateway", None, "siteD", None),
            ("tAliceHour", "client", "alice", None, 3600),
            ("tDave", "client", "dave", None, 3600),
            ("tDevices", "client", "alice", None, 3600),
            ("tErin", "client", "erin", None, 3600),
            ("tFrank", "client", "frank", None, 3600)):
        tid, text, h = S.mint_token()
        db.insert("tokens", id=tid, kind=kind, hash=h, name=name,
                  actor_id=d[actor] if actor else None,
                  site_id=d[site] if site else None,
                  expires_at=S.now_ns() + life * S.NS if life else None)
        d[name] = text
        d[name + "_id"] = tid
    with open(out, "w") as f:
        json.dump(d, f)


def rows(t, client, resource):
    return t.db.one("SELECT count(*) FROM authorizations WHERE client_id = ? "
                    "AND resource_id = ?", client.id, resource)


async def creates(gw, seconds=0.3):
    return await gw.expect_nothing(seconds, ["create_authorization"])


async def shorter(t):
    """A held authorization that outlives what a fresh decision gives (here
    the client's new token expires sooner) is not handed out again."""
    d = t.d
    gw = await S.gateway(t, d["tGwA"])
    t.gws = {gw.id: gw}
    al = await S.client(t, d["tAlice"])
    g, ca, first = await S.where(t, al, d["rA1"])
    check(g is gw and first["payload"]["expires_at"] > time.time() + 7200,
          "shorter: alice holds rA1 for a day, on her day token", first)
    key, cid = al.key, al.id
    await al.close()
    al = Peer(t.base, t.cafile, "client", d["tAliceHour"])
    al.key, al.id = key, cid
    await al.open()
    await al.join()
    gw.drain()
    ans = await al.answer(await al.request(d["rA1"]))
    ok = ans and ans["event"] == "authorization_created"
    exp = ans["payload"]["expires_at"] if ok else None
    check(ok and exp <= time.time() + 3600 + 5,
          "shorter: asked with a token of an hour, the answer ends within "
          "the hour (%s s from now)" % (exp and int(exp - time.time())),
          ans)
    rej = await gw.expect("reject_access", 1.0)
    check(rej is not None, "shorter: the gateway is told to drop the "
          "longer one", rej)
    ca = await gw.expect("create_authorization", 1.0)
    check(ca and ca["payload"]["expires_at"] == exp,
          "shorter: and holds the new one, with the same expiry", ca)
    left = t.db.one("SELECT max(expires_at) FROM authorizations WHERE "
                    "client_id = ? AND resource_id = ?", cid, d["rA1"])
    check(left is not None and left <= (time.time() + 3600 + 5) * S.NS,
          "shorter: no row outlives the hour", left)
    for p in (al, gw):
        await p.close()


async def phantom(t):
    """A request naming a connected gateway that does not exist falls back
    as the choice does, to the authorization held: no new row."""
    d = t.d
    gw = await S.gateway(t, d["tGwA"])
    t.gws = {gw.id: gw}
    bob = await S.client(t, d["tBob"])
    g, ca, first = await S.where(t, bob, d["rA1"])
    check(g is gw and ca is not None, "phantom: bob holds rA1", first)
    answers = []
    for _ in range(10):
        ref = await bob.request(d["rA1"], connected=[str(uuid.uuid4())])
        answers.append(await bob.answer(ref))
    check(all(a and a["event"] == "authorization_created" and
              a["payload"]["gateway_id"] == gw.id for a in answers),
          "phantom: 10 requests naming unknown connected gateways are "
          "answered", answers[:2])
    extra = await creates(gw)
    n = rows(t, bob, d["rA1"])
    check(n == 1 and not extra,
          "phantom: from the one authorization held: %s row(s), %d more "
          "create_authorization" % (n, len(extra)))
    for p in (bob, gw):
        await p.close()


async def pending(t):
    """Requests while the first waits for the gateway's ack join it: one
    row, one create_authorization, every request answered with the ack.
    More than SIG_PENDING_WAITERS are refused."""
    d = t.d
    gw = Peer(t.base, t.cafile, "gateway", d["tGwB"], autoack=False)
    await gw.open()
    await gw.join()
    bob = await S.client(t, d["tBob"])
    refs = [await bob.request(d["rB1"]) for _ in range(1 + WAITERS + 2)]
    ca = await gw.expect("create_authorization", 2.0)
    extra = await creates(gw)
    n = rows(t, bob, d["rB1"])
    check(ca is not None and not extra and n == 1,
          "pending: %d requests before the ack make one row (%s) and one "
          "create_authorization (%d more)" % (len(refs), n, len(extra)))
    over = []
    for ref in refs[1 + WAITERS:]:
        m = await bob.expect("phx_reply", 1.0, ref=ref)
        over.append(m and m["payload"]["status"] == "error" and
                    m["payload"]["response"].get("reason") ==
                    "authorization_pending")
    check(over and all(over), "pending: past %d waiting, a request is "
          "refused: authorization_pending" % WAITERS)
    if ca:
        await gw.send("authorization_created",
                      {"ref": ca["payload"]["ref"]})
    answers = [await bob.answer(ref) for ref in refs[:1 + WAITERS]]
    check(all(a and a["event"] == "authorization_created" for a in answers),
          "pending: the ack answers every waiting request",
          [a and a["event"] for a in answers])
    for p in (bob, gw):
        await p.close()


async def cap(t):
    """A client holds at most SIG_AUTHZ_PER_RESOURCE live authorizations
    of one resource; past that a request is refused, and nothing is
    written."""
    d = t.d
    gws = [await S.gateway(t, d["tGwC"]) for _ in range(PER_RESOURCE + 1)]
    t.gws = {g.id: g for g in gws}
    al = await S.client(t, d["tAlice"])
    got = []
    for g in gws[:PER_RESOURCE]:
        got.append(await S.where(t, al, d["rC"], connected=[g.id]))
    check(all(x[0] is g for x, g in zip(got, gws)),
          "cap: %d requests, each naming another connected gateway, are "
          "granted there" % PER_RESOURCE, [x[2] for x in got[:2]])
    audit = t.db.one("SELECT count(*) FROM audit")
    ref = await al.request(d["rC"], connected=[gws[-1].id])
    m = await al.expect("phx_reply", 2.0, ref=ref)
    check(m and m["payload"]["status"] == "error" and
          m["payload"]["response"].get("reason") ==
          "too_many_authorizations",
          "cap: one more is refused: too_many_authorizations", m)
    extra = await creates(gws[-1])
    n = rows(t, al, d["rC"])
    check(n == PER_RESOURCE and not extra and
          t.db.one("SELECT count(*) FROM audit") == audit,
          "cap: no row (%s), no audit row, nothing to the gateway" % n)
    # Held ones are still reused past the cap.
    g, ca, ans = await S.where(t, al, d["rC"], connected=[gws[0].id])
    check(ans and ans["event"] == "authorization_created" and
          ans["payload"]["gateway_id"] == gws[0].id,
          "cap: a held one is still answered", ans)
    for p in gws + [al]:
        await p.close()


async def stale(t):
    """Rows on gateways gone, or named failed, do not hold the cap: at
    the cap the oldest of them is revoked (its gateway, still online, is
    told) and the request is granted."""
    d = t.d
    gws = [await S.gateway(t, d["tGwC"]) for _ in range(PER_RESOURCE + 1)]
    t.gws = {g.id: g for g in gws}
    al = await S.client(t, d["tAlice"])
    for g in gws[:PER_RESOURCE]:
        await S.where(t, al, d["rC"], connected=[g.id])
    for g in gws[1:PER_RESOURCE]:
        await g.close()
    g, ca, ans = await S.where(t, al, d["rC"], connected=[gws[-1].id],
                               failed=[gws[0].id])
    check(g is gws[-1], "stale: %d held on gateways gone or failed, a "
          "request is granted" % PER_RESOURCE, ans)
    n = rows(t, al, d["rC"])
    left = t.db.one("SELECT count(*) FROM authorizations WHERE client_id = ?"
                    " AND gateway_id = ?", al.id, gws[0].id)
    check(n == PER_RESOURCE and not left, "stale: the oldest, on the "
          "failed gateway, is revoked: %d rows, %d there" % (n, left))
    rej = await gws[0].expect("reject_access", 1.0)
    check(rej and rej["payload"]["client_id"] == al.id,
          "stale: the failed gateway, online, is told", rej)
    for p in [gws[0], gws[-1], al]:
        await p.close()


async def acked(t):
    """Of two eligible authorizations, an acked one answers at once
    rather than one still waiting for its gateway's ack."""
    d = t.d
    slow = Peer(t.base, t.cafile, "gateway", d["tGwC"], autoack=False)
    await slow.open()
    await slow.join()
    slow.id = t.db.one("SELECT id FROM gateways WHERE public_key = ?",
                       base64.b64decode(slow.key))
    fast = await S.gateway(t, d["tGwC"])
    t.gws = {fast.id: fast}
    al = await S.client(t, d["tAlice"])
    await al.request(d["rC"], connected=[slow.id])
    ca = await slow.expect("create_authorization", 1.0)
    g, _, first = await S.where(t, al, d["rC"], connected=[fast.id])
    check(ca and g is fast, "acked: one pending on a gateway, one acked "
          "on another", first)
    ref = await al.request(d["rC"], connected=[slow.id, fast.id])
    ans = await al.answer(ref, 1.0)
    check(ans and ans["event"] == "authorization_created" and
          ans["payload"]["gateway_id"] == fast.id,
          "acked: a request either serves is answered at once from the "
          "acked one", ans)
    for p in [slow, fast, al]:
        await p.close()


def hold(t, gateway_id, n, resource="rD"):
    """n clients of bob's, each holding rD on the gateway, for a day."""
    d, exp = t.d, S.now_ns() + 86400 * S.NS
    base = t.db.one("SELECT count(*) FROM clients")
    t.db.c.execute("BEGIN")
    for i in range(n):
        cid = t.db.insert("clients", actor_id=d["bob"],
                          name="c%d" % (base + i),
                          public_key=os.urandom(32),
                          tunnel_offset=100000 + base + i)
        t.db.insert("authorizations", client_id=cid,
                    gateway_id=gateway_id, resource_id=d[resource],
                    policy_id=d["pD"], expires_at=exp)
    t.db.c.execute("COMMIT")


async def messages(p, seconds):
    """p's messages as they come, until its socket closed or the time ran
    out."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            yield await asyncio.wait_for(p.q.get(), 0.2)
        except asyncio.TimeoutError:
            if p.closed.is_set() and p.q.empty():
                return


async def until_init_done(p, seconds):
    """Everything p gets up to init_done or its socket's close."""
    got = []
    async for m in messages(p, seconds):
        got.append(m)
        if m.get("event") == "init_done":
            break
    return got


async def gateway_d(t):
    """Site D's gateway joins once (its row), and goes: its id and key,
    the same for every step (another key would be another gateway)."""
    if getattr(t, "gwd", None):
        return t.gwd
    gw = Peer(t.base, t.cafile, "gateway", t.d["tGwD"], autoack=False)
    await gw.open()
    await gw.join()
    gid = t.db.one("SELECT id FROM gateways WHERE site_id = ?", t.d["siteD"])
    await gw.close()
    t.gwd = gid, gw.key
    return t.gwd


async def send_join_d(t, key):
    """Site D's gateway's socket again, its phx_join sent (ref "j"), not
    waited for: the caller reads what comes."""
    again = Peer(t.base, t.cafile, "gateway", t.d["tGwD"], autoack=False)
    again.key = key
    await again.open()
    await again.send("phx_join", {"public_key": again.key, "name": "d",
                                  "version": "0.1", "listen_port": 51820,
                                  "endpoints": ["192.0.2.10:51820"]},
                     ref="j")
    return again


async def join_again(t, name, gid, key):
    """Site D's gateway joins again: all its rows of rD reach it, in
    order: init, the pushes, init_done last."""
    n = t.db.one("SELECT count(*) FROM authorizations WHERE gateway_id = ? "
                 "AND resource_id = ?", gid, t.d["rD"])
    again = await send_join_d(t, key)
    got = await until_init_done(again, 45)
    events = [m.get("event") for m in got]
    init = [m for m in got if m.get("event") == "init"]
    # Each of the n is another client's.
    refs = set()
    for m in init:
        refs |= {a["client"]["id"] for a in m["payload"]["authorizations"]}
    refs |= {m["payload"]["client"]["id"] for m in got
             if m.get("event") == "create_authorization"}
    closed = again.closed.is_set() and "init_done" not in events
    check(not closed, "%s: the socket stays open" % name,
          "closed: %s %s" % (again.ws.close_code, again.ws.close_reason))
    check(len(init) == 1 and events.index("init") == 1 and
          events[-1] == "init_done",
          "%s: phx_reply, init, the pushes, then init_done" % name,
          events[:3] + ["..."] + events[-2:])
    check(len(refs) == n, "%s: all %d authorizations reach the "
          "gateway (%d)" % (name, n, len(refs)))
    await again.close()


async def rejoin(t, n=1000):
    """A gateway holding more authorizations than its socket's queue
    takes at once (256 KiB) gets them all when it joins again."""
    gid, key = await gateway_d(t)
    hold(t, gid, n)
    await join_again(t, "rejoin", gid, key)


async def reuse_paging(t, n=3000):
    """A held authorization handed out again while its gateway's init is
    still paging goes to the gateway at once, out of turn, and once: not
    pages later (before, the client was told of it while the gateway
    would not know it for seconds)."""
    d = t.d
    gid, key = await gateway_d(t)
    hold(t, gid, n)
    bob = await S.client(t, d["tBob"])
    # The last of the gateway's rows, in the order of the store and in
    # that of ids (the rest's): without the push out of turn, it would go
    # last either way.
    aid = t.db.insert("authorizations", id="ffffffff-ffff-4fff-bfff-"
                      "ffffffffffff", client_id=bob.id, gateway_id=gid,
                      resource_id=d["rD"], policy_id=d["pD"],
                      expires_at=S.now_ns() + 3600 * S.NS)
    again = await send_join_d(t, key)
    reply = await again.expect("phx_reply", 10, ref="j")
    ans = await bob.answer(await bob.request(d["rD"]), 10)
    check(reply and ans and ans["event"] == "authorization_created" and
          ans["payload"]["gateway_id"] == gid,
          "reuse_paging: the client's request is answered from the row "
          "held on the paging gateway", ans)
    ans2 = await bob.answer(await bob.request(d["rD"]), 10)
    n = rows(t, bob, d["rD"])
    check(ans2 and ans2["event"] == "authorization_created" and n == 1,
          "reuse_paging: asked again before the pages reach it, the same "
          "row is handed out (%d rows)" % n, ans2)
    got = await until_init_done(again, 60)
    pushes = [m["payload"]["client"]["id"] for m in got
              if m.get("event") == "create_authorization"]
    at = pushes.index(bob.id) if bob.id in pushes else -1
    check(pushes.count(bob.id) == 1 and 0 <= at < len(pushes) // 2 and
          got[-1].get("event") == "init_done",
          "reuse_paging: the gateway gets it once, out of turn (push %d of "
          "%d), before init_done" % (at, len(pushes)), aid)
    await again.close()
    await bob.close()


async def refused(t):
    """A push the codec refuses (rBad's address) leaves the socket open:
    it is skipped, the rows after it still go, and init_done after them
    (before, the pages stopped there: no init_done, no pruning)."""
    gid, key = await gateway_d(t)
    hold(t, gid, 100)
    hold(t, gid, 1, "rBad")
    hold(t, gid, 20)
    await join_again(t, "refused", gid, key)


async def wide(t):
    """A client whose actor sees more resources than its socket's queue
    takes at once gets them all at its join: init, the pushes in pages,
    init_done last (before, it was closed with 1013 before init_done, at
    every join)."""
    dave, got = await join_until_init_done(t, "tDave", "dave", 45)
    events = [m.get("event") for m in got]
    closed = dave.closed.is_set() and "init_done" not in events
    check(not closed, "wide: the client's socket stays open",
          "closed: %s %s" % (dave.ws.close_code, dave.ws.close_reason))
    check("init" in events and events.index("init") == 1 and
          events[-1] == "init_done",
          "wide: phx_reply, init, the pushes, then init_done",
          events[:3] + ["..."] + events[-2:])
    ids = set()
    for m in got:
        if m.get("event") == "init":
            ids |= {r["id"] for r in m["payload"]["resources"]}
        elif m.get("event") == "resource_created_or_updated":
            ids.add(m["payload"]["id"])
    pushes = events.count("resource_created_or_updated")
    check(ids == set(t.d["rWide"]) and pushes > 0,
          "wide: all %d resources reach the client (%d, %d of them "
          "pushed)" % (WIDE, len(ids), pushes))
    await dave.close()


async def pushed_ids(p, event, n, seconds=45):
    """The ids of p's pushes of event, until n of them came, its socket
    closed or the time ran out."""
    ids = set()
    async for m in messages(p, seconds):
        if m.get("event") == event:
            ids.add(m["payload"]["id"])
            if len(ids) >= n:
                break
    return ids


async def join_until_init_done(t, token, name, seconds):
    """A new client of token joins (it does not wait for the reply):
    the client, and all it got up to init_done."""
    p = Peer(t.base, t.cafile, "client", t.d[token])
    await p.open()
    await p.send("phx_join", {"public_key": p.key, "name": name,
                              "version": "0.1"}, ref="j")
    return p, await until_init_done(p, seconds)


async def wide_sync(t):
    """A client online when its actor comes to see more resources than
    its socket's queue takes at once (a membership of group wide) gets
    them all, in pages, and stays open (before, the sync pushed them in
    one turn and the client was closed with 1013)."""
    d = t.d
    erin = Peer(t.base, t.cafile, "client", d["tErin"])
    await erin.open()
    reply, init = await erin.join()
    check(init is not None and not init["payload"]["resources"],
          "wide_sync: erin joins seeing nothing", reply)
    t.db.c.execute("INSERT INTO memberships VALUES (?, ?)",
                   (d["wide"], d["erin"]))
    t.db.change("member", "create", d["erin"], None,
                {"group_id": d["wide"], "actor_id": d["erin"]})
    ids = await pushed_ids(erin, "resource_created_or_updated", WIDE)
    check(not erin.closed.is_set(), "wide_sync: the client's socket stays "
          "open", "closed: %s %s" % (erin.ws.close_code, erin.ws.close_reason))
    check(ids == set(d["rWide"]), "wide_sync: all %d resources reach the "
          "client (%d)" % (WIDE, len(ids)))
    await erin.close()


async def sync_deletes(t):
    """A client online when its actor stops seeing more resources than
    their resource_deleted messages fit in its socket's queue at once (a
    membership of group many removed) is told of them all, in pages, and
    stays open (before, the deletions went in one turn and the client was
    closed with 1013)."""
    d = t.d
    frank, got = await join_until_init_done(t, "tFrank", "frank", 60)
    seen = set()
    for m in got:
        if m.get("event") == "init":
            seen |= {r["id"] for r in m["payload"]["resources"]}
        elif m.get("event") == "resource_created_or_updated":
            seen.add(m["payload"]["id"])
    check(seen == set(d["rMany"]), "sync_deletes: frank's client is told "
          "of all %d resources (%d)" % (MANY, len(seen)))
    t.db.c.execute("DELETE FROM memberships WHERE group_id = ? AND "
                   "actor_id = ?", (d["many"], d["frank"]))
    t.db.change("member", "delete", d["frank"],
                {"group_id": d["many"], "actor_id": d["frank"]}, None)
    gone = await pushed_ids(frank, "resource_deleted", MANY)
    check(not frank.closed.is_set(), "sync_deletes: the client's socket "
          "stays open", "closed: %s %s" % (frank.ws.close_code,
                                            frank.ws.close_reason))
    check(gone == set(d["rMany"]), "sync_deletes: all %d deletions reach "
          "the client (%d)" % (MANY, len(gone)))
    await frank.close()


async def denials(t, n=60, m=10):
    """A client asking again and again for a resource it may not see:
    each is answered, but the audit table grows by the first ones and a
    trickle (SIG_DENY_BURST, then one per 2 s), not by one row each, and a
    new socket for the same client does not start the budget again; the
    rest are counted in the next row, and in a row of their own when the
    socket goes, however it goes (here: replaced by the client's next
    socket, then closed by the client), so that none is lost."""
    cl = await S.client(t, t.d["tBob"])
    who = "client:" + cl.id

    def deny_rows():
        return t.db.c.execute("SELECT reason, detail FROM audit WHERE "
                              "who = ? AND decision = 'deny' ORDER BY id",
                              (who,)).fetchall()

    async def refuse(p, k):
        got = 0
        for i in range(k):
            ref = await p.request(t.d["rHidden"])
            a = await p.answer(ref)
            got += bool(a and a.get("event") ==
                        "authorization_creation_failed")
            await asyncio.sleep(0.06)  # under the socket's 20 a second
        return got

    before = len(deny_rows())
    start = time.monotonic()
    answered = await refuse(cl, n)
    trickle = int((time.monotonic() - start) / 2) + 2
    rows = deny_rows()[before:]
    check(answered == n, "denials: all %d requests are refused (%d)" %
          (n, answered))
    check(DENY_BURST <= len(rows) <= DENY_BURST + trickle,
          "denials: %d of them audited one by one, and a trickle (%d)" % (
              DENY_BURST, len(rows)))
    # The same client again, on a new socket: the portal closes the old
    # one (replaced), and the new one gets no new budget.
    again = Peer(t.base, t.cafile, "client", t.d["tBob"])
    again.key = cl.key
    await again.open()
    await again.join()
    mid = len(deny_rows()[before:])
    start = time.monotonic()
    answered = await refuse(again, m)
    trickle = int((time.monotonic() - start) / 2) + 2
    audited = [r for r, d in deny_rows()[before + mid:] if r != "unaudited"]
    check(answered == m and len(audited) <= trickle,
          "denials: a new socket of the same client starts no new budget "
          "(%d of %d audited one by one)" % (len(audited), m))
    await again.close()
    await cl.close()
    for _ in range(50):
        rows = deny_rows()[before:]
        if sum(r == "unaudited" for r, d in rows) >= 2:
            break
        await asyncio.sleep(0.1)
    told = sum(1 + json.loads(d)["unaudited_before"] for r, d in rows
               if r != "unaudited")
    told += sum(json.loads(d)["unaudited_before"] for r, d in rows
                if r == "unaudited")
    check(told == n + m,
          "denials: the rest are counted, in a row of their own when a "
          "socket goes (the one replaced too): %d of %d in all" % (
              told, n + m), rows[-3:])


async def devices(t, cap=DEVICES):
    """One token joining with fresh keys holds at most `cap` clients (each
    a tunnel address of the account's pool): all online, one more is
    refused (too_many_devices) and nothing is written; offline for a
    moment, still refused; offline for ten minutes, a new key evicts the
    longest unseen of them, as a delete would (its authorization revoked
    at its gateway, a change and an audit row), and takes its place. A
    known key joins at the cap."""
    d = t.d
    tid = d["tDevices_id"]
    gw = await S.gateway(t, d["tGwA"])
    t.gws = {gw.id: gw}

    def count():
        return t.db.one("SELECT count(*) FROM clients WHERE token_id = ?", tid)

    peers = [await S.client(t, d["tDevices"]) for _ in range(cap)]
    check(all(p.init for p in peers) and count() == cap,
          "devices: %d clients of one token join (%d rows)" % (cap, count()))
    extra = Peer(t.base, t.cafile, "client", d["tDevices"])
    await extra.open()
    reply, init = await extra.join()
    check(reply and reply["payload"]["status"] == "error" and
          reply["payload"]["response"].get("reason") == "too_many_devices"
          and not init and count() == cap and
          not t.db.one("SELECT count(*) FROM clients WHERE public_key = ?",
                       base64.b64decode(extra.key)),
          "devices: one more, with all of them online, is refused "
          "(too_many_devices) and writes nothing", reply)
    # The first holds an authorization; it goes offline first, the
    # second after it.
    g, ca, ans = await S.where(t, peers[0], d["rA1"])
    check(g is gw, "devices: the first client holds rA1", ans)
    first, second = peers[0], peers[1]
    await first.close()
    await asyncio.sleep(0.05)
    await second.close()
    for _ in range(50):
        if t.db.one("SELECT count(*) FROM clients WHERE token_id = ? AND "
                    "online_since IS NOT NULL AND online_since > 0",
                    tid) == cap - 2:
            break
        await asyncio.sleep(0.05)
    gw.drain()
    reply, init = await extra.join()
    check(reply and reply["payload"]["response"].get("reason") ==
          "too_many_devices" and count() == cap,
          "devices: offline for less than SIG_EVICT_UNSEEN_S, none goes: "
          "refused", reply)
    # Ten minutes and more later (for the portal, which reads the rows).
    for p, ago in ((first, 1200), (second, 1100)):
        t.db.c.execute("UPDATE clients SET last_seen_at = ? WHERE id = ?",
                       (S.now_ns() - ago * S.NS, p.id))
    reply, init = await extra.join()
    gone = t.db.one("SELECT count(*) FROM clients WHERE id = ?", first.id)
    kept = t.db.one("SELECT count(*) FROM clients WHERE id = ?", second.id)
    check(init is not None and count() == cap and not gone and kept,
          "devices: with two offline, a new key joins in the place of the "
          "longest unseen (%d rows; first %s, second %s)" % (
              count(), "gone" if not gone else "kept",
              "kept" if kept else "gone"), reply)
    rej = await gw.expect("reject_access", 2.0)
    check(rej is not None and rej["payload"].get("client_id") == first.id,
          "devices: the evicted client's authorization is revoked at its "
          "gateway", rej)
    ch = t.db.one("SELECT count(*) FROM changes WHERE entity = 'client' AND "
                  "op = 'delete' AND object_id = ?", first.id)
    au = t.db.one("SELECT count(*) FROM audit WHERE action = 'client.evict' "
                  "AND object_id = ? AND reason = 'devices_per_token'",
                  first.id)
    check(ch == 1 and au == 1,
          "devices: the eviction is a change row and an audit row (%s, %s)"
          % (ch, au))
    back = Peer(t.base, t.cafile, "client", d["tDevices"])
    back.key = second.key
    await back.open()
    reply, init = await back.join()
    check(init is not None and count() == cap and
          t.db.one("SELECT count(*) FROM clients WHERE id = ?", second.id),
          "devices: a known key joins at the cap, evicting nothing", reply)
    for p in peers[2:] + [extra, back, gw]:
        await p.close()


STEPS = [shorter, phantom, pending, cap, stale, acked, rejoin, refused,
         reuse_paging, wide, wide_sync, sync_deletes, denials, devices]


async def run(base, cafile, dbpath, datafile):
    t = T()
    t.base, t.cafile = base, cafile
    t.db = S.Db(dbpath)
    with open(datafile) as f:
        t.d = json.load(f)
    only = os.environ.get("AUTHZ_STEPS", "")
    for step in STEPS:
        if only and step.__name__ not in only.split(","):
            continue
        try:
            await asyncio.wait_for(step(t), 60)
        except Exception as e:
            check(False, "%s ran to its end" % step.__name__, repr(e))


def main():
    if sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3])
        return 0
    asyncio.run(run(*sys.argv[2:6]))
    return 1 if S.FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
