#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Deletes, memberships, acks and budgets through `fzportal admin` and
the signalling (55-cascade.sh). Peers and database helpers are
sigclient.py's; the writes that matter here go through the real
`fzportal admin` (FZPORTAL, FZPORTAL_DB in the environment), so the
change rows are the admin wing's own, cascade lists included.
    cascade.py setup DB DATA.json
    cascade.py run URL CAFILE DB DATA.json
"""
import asyncio
import base64
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigclient as sc  # noqa: E402
from sigclient import check, diag, Peer  # noqa: E402


def setup(path, out):
    db = sc.Db(path)
    d = {}
    for s in ("A", "C", "N", "R"):
        d["site" + s] = db.insert("sites", name="site-" + s)
    for k, site, addr in (("rA1", "A", "10.0.0.1"), ("rA2", "A", "10.0.0.2"),
                          ("rN", "N", "10.9.0.1"), ("rR", "R", "10.8.0.1")):
        d[k] = db.insert("resources", site_id=d["site" + site], name=k,
                         type="ip", address=addr, filters="[]")
    for g in ("eng", "temp"):
        d[g] = db.insert("groups", name=g)
    for a, groups in (("alice", ("eng",)), ("bob", ("eng",)),
                      ("dave", ("temp",)), ("frank", ("eng",))):
        d[a] = db.insert("actors", type="user", role="member", name=a)
        for g in groups:
            db.c.execute("INSERT INTO memberships VALUES (?, ?)",
                         (d[g], d[a]))
    for name, g, r in (("pA1", "eng", "rA1"), ("pA2", "eng", "rA2"),
                       ("pN", "eng", "rN"), ("pR", "eng", "rR"),
                       ("pT", "temp", "rA2")):
        d[name] = db.insert("policies", group_id=d[g], resource_id=d[r],
                            conditions="[]")
    exp = sc.now_ns() + 86400 * sc.NS
    for name, kind, actor, site in (
            ("tGwA", "gateway", None, "siteA"),
            ("tGwC", "gateway", None, "siteC"),
            ("tGwN", "gateway", None, "siteN"),
            ("tGwR", "gateway", None, "siteR"),
            ("tAlice", "client", "alice", None),
            ("tBob", "client", "bob", None),
            ("tDave", "client", "dave", None),
            ("tFrank", "client", "frank", None)):
        tid, text, h = sc.mint_token()
        db.insert("tokens", id=tid, kind=kind, hash=h, name=name,
                  actor_id=d[actor] if actor else None,
                  site_id=d[site] if site else None,
                  expires_at=None if kind == "gateway" else exp)
        d[name] = text
    with open(out, "w") as f:
        json.dump(d, f)


def admin(*args):
    r = subprocess.run([os.environ["FZPORTAL"], "admin"] + list(args),
                       capture_output=True, text=True, timeout=20)
    if r.returncode:
        diag("admin %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.returncode == 0


async def peer(t, role, token, autoack=True):
    p = Peer(t.base, t.cafile, role, token, autoack)
    await p.open()
    p.reply, p.init = await p.join()
    table = "gateways" if role == "gateway" else "clients"
    p.id = t.db.one("SELECT id FROM %s WHERE public_key = ?" % table,
                    base64.b64decode(p.key))
    return p


async def granted(cl, resource, timeout=3.0):
    ans = await cl.answer(await cl.request(resource), timeout)
    return ans if ans and ans["event"] == "authorization_created" else None


async def rejects(gw, seconds):
    """The (client, resource) pairs of reject_access within seconds."""
    got = await gw.expect_nothing(seconds, ["reject_access"])
    return {(m["payload"]["client_id"], m["payload"]["resource_id"])
            for m in got}


async def busy_gateway(t, n=200):
    """n new authorizations on one gateway within 2 s: every ack counts
    against the gateway's budget, which must take them."""
    d = t.d
    gw = await peer(t, "gateway", d["tGwR"])
    sem = asyncio.Semaphore(16)

    async def one():
        async with sem:
            return await peer(t, "client", d["tAlice"])
    clients = await asyncio.gather(*(one() for _ in range(n)))
    t0 = time.monotonic()

    async def ask(i, c):
        await asyncio.sleep(i * 1.8 / n)  # spread over 1.8 s
        return await granted(c, d["rR"], 8)
    answers = await asyncio.gather(*(ask(i, c) for i, c in
                                     enumerate(clients)))
    el = time.monotonic() - t0
    ok = sum(1 for a in answers if a)
    check(ok == n, "a gateway acking %d authorizations in 2 s: all %d "
          "clients get authorization_created (%d, %.1f s)" % (n, n, ok, el))
    check(not gw.closed.is_set(), "and the gateway keeps its socket")
    for c in clients:
        await c.close()
    await gw.close()


async def flood(t):
    c = await peer(t, "client", t.d["tBob"])
    for i in range(120):
        await c.send("no_such_event", {}, ref="f%d" % i)
    limited = False
    end = time.monotonic() + 3
    while time.monotonic() < end and not limited:
        m = await c.expect("phx_reply", 0.5)
        if not m:
            break
        limited = m["payload"].get("response", {}).get("reason") == \
            "rate_limited"
    check(limited, "a flooding client still gets rate_limited")
    await c.close()


async def ack_timeout(t):
    d = t.d
    gw = await peer(t, "gateway", d["tGwN"], autoack=False)
    cl = await peer(t, "client", d["tAlice"])
    t0 = time.monotonic()
    ans = await cl.answer(await cl.request(d["rN"]), 10)
    el = time.monotonic() - t0
    ca = await gw.expect("create_authorization", 1)
    check(ca is not None and ans and
          ans["event"] == "authorization_creation_failed" and
          ans["payload"]["reason"] == "offline" and
          t.ack - 0.5 < el < t.ack + 1.5,
          "a gateway that never acks: authorization_creation_failed "
          "(offline) after the %d s ack timeout (%.1f s)" % (t.ack, el), ans)
    await cl.close()
    await gw.close()


async def member_removed(t):
    d = t.d
    gw = t.gA
    bob = await peer(t, "client", d["tBob"])
    alice = await peer(t, "client", d["tAlice"])
    ok = await granted(bob, d["rA1"]) and await granted(alice, d["rA1"])
    gw.drain()
    t0 = time.monotonic()
    check(ok and admin("member", "remove", "--group", "eng", "--actor",
                       "bob"), "member remove runs")
    m = await gw.expect("reject_access", 1.0)
    el = time.monotonic() - t0
    check(m and m["payload"] == {"client_id": bob.id,
                                 "resource_id": d["rA1"]},
          "member removal sends reject_access for that actor's "
          "authorization within 1 s (%.0f ms)" % (el * 1000), m)
    more = await rejects(gw, 0.5)
    check(not any(c == alice.id for c, r in more),
          "and none for another member's", more)
    await bob.close()
    await alice.close()


async def group_deleted(t):
    """dave (temp) and alice (eng) both hold rA2; temp goes while dave's
    client is offline: only dave's authorization goes, through pT, and
    only dave's other (online) client is told resource_deleted."""
    d = t.d
    gw = t.gA
    dave = await peer(t, "client", d["tDave"])
    dave2 = await peer(t, "client", d["tDave"])
    alice = await peer(t, "client", d["tAlice"])
    ok = await granted(dave, d["rA2"]) and await granted(alice, d["rA2"])
    await dave.close()
    await asyncio.sleep(0.3)
    gw.drain()
    check(ok and admin("group", "delete", "temp"), "group delete runs")
    got = await rejects(gw, 1.0)
    check(got == {(dave.id, d["rA2"])},
          "a group delete revokes exactly its policies' authorizations, "
          "an offline member's too", got)
    m = await dave2.expect("resource_deleted", 1.0)
    check(m and m["payload"]["id"] == d["rA2"],
          "a member's online client is told resource_deleted", m)
    gone = await alice.expect_nothing(0.2, ["resource_deleted"])
    check(not gone, "a client of another group keeps the resource", gone)
    left = t.db.one("SELECT count(*) FROM authorizations WHERE policy_id = ?",
                    d["pT"])
    check(left == 0, "the group's policies hold no authorization", left)
    await alice.close()
    await dave2.close()


async def actor_deleted(t):
    d = t.d
    gw = t.gA
    frank = await peer(t, "client", d["tFrank"])
    ok = await granted(frank, d["rA1"])
    await frank.close()
    await asyncio.sleep(0.3)
    gw.drain()
    t0 = time.monotonic()
    check(ok and admin("actor", "delete", "frank"), "actor delete runs")
    m = await gw.expect("reject_access", 1.0)
    el = time.monotonic() - t0
    check(m and m["payload"] == {"client_id": frank.id,
                                 "resource_id": d["rA1"]},
          "an actor deleted while its client is offline: the gateway gets "
          "reject_access for that client (%.0f ms)" % (el * 1000), m)


async def site_deleted(t):
    gw = await peer(t, "gateway", t.d["tGwC"])
    t0 = time.monotonic()
    check(admin("site", "delete", "site-C"), "site delete runs")
    m = await gw.expect("disconnect", 1.0)
    try:
        await asyncio.wait_for(gw.closed.wait(), 1.0)
        closed = True
    except asyncio.TimeoutError:
        closed = False
    el = time.monotonic() - t0
    check(m is not None and closed, "a site delete disconnects its "
          "gateways: disconnect, then closed (%.0f ms)" % (el * 1000), m)


async def run(base, cafile, dbpath, datafile):
    t = sc.T()
    t.base, t.cafile = base, cafile
    t.db = sc.Db(dbpath)
    t.ack = int(os.environ.get("ACK_TIMEOUT", "5"))
    with open(datafile) as f:
        t.d = json.load(f)
    t.gA = await peer(t, "gateway", t.d["tGwA"])
    for step in (busy_gateway, flood, ack_timeout, member_removed,
                 group_deleted, actor_deleted, site_deleted):
        try:
            await asyncio.wait_for(step(t), 120)
        except Exception as e:
            check(False, "%s ran to its end" % step.__name__, repr(e))


def main():
    if sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3])
        return 0
    asyncio.run(run(*sys.argv[2:6]))
    return 1 if sc.FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
