#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The review's findings as tests (70-harden.sh), on sigclient.py's peers.
    harden.py setup DB DATA.json
    harden.py run URL CAFILE DB DATA.json
"""
import asyncio
import base64
import http.client
import json
import os
import ssl
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigclient as S  # noqa: E402
from sigclient import check, Peer, T  # noqa: E402


def setup(path, out):
    S.setup(path, out)
    with open(out) as f:
        d = json.load(f)
    db = S.Db(path)
    # dave sees 60 resources whose names, addresses and descriptions are
    # long: about 700 bytes each in a message, 40 KiB in all.
    d["big"] = db.insert("groups", name="big")
    d["dave"] = db.insert("actors", type="user", role="member", name="dave")
    db.c.execute("INSERT INTO memberships VALUES (?, ?)", (d["big"], d["dave"]))
    d["bigres"] = []
    for i in range(60):
        label = ("l%02d" % i) + "x" * 57
        addr = "*.%s.%s.%s.example" % (label, label, label)
        r = db.insert("resources", site_id=d["siteA"],
                      name="big-%02d-" % i + "n" * 200, type="dns",
                      address=addr, address_description="d" * 200,
                      filters="[]")
        db.insert("policies", group_id=d["big"], resource_id=r,
                  conditions="[]")
        d["bigres"].append(r)
    tid, text, h = S.mint_token()
    db.insert("tokens", id=tid, kind="client", hash=h, name="tDave",
              actor_id=d["dave"], expires_at=S.now_ns() + 86400 * S.NS)
    d["tDave"], d["tDave_id"] = text, tid
    with open(out, "w") as f:
        json.dump(d, f)


async def closed_within(p, seconds):
    try:
        await asyncio.wait_for(p.closed.wait(), seconds)
        return True
    except asyncio.TimeoutError:
        return False


async def hijack(t):
    """A site A gateway token claims site B's gateway's public key."""
    d = t.d
    gB = await S.gateway(t, d["tGwB"])
    t.gws = {gB.id: gB}
    al = await S.client(t, d["tAlice"])
    ans = await al.answer(await al.request(d["rB1"]))
    check(ans and ans["event"] == "authorization_created",
          "hijack: alice is authorized through site B's gateway", ans)
    held = t.db.one("SELECT count(*) FROM authorizations WHERE gateway_id=?",
                    gB.id)
    atk = Peer(t.base, t.cafile, "gateway", d["tGwA"])
    atk.key = gB.key
    await atk.open()
    reply, init = await atk.join()
    check(reply and reply["payload"]["status"] == "error" and
          reply["payload"]["response"].get("reason") == "public_key_in_use"
          and init is None,
          "hijack: site A's token joining with B's gateway key is refused",
          reply)
    check(await closed_within(atk, 2),
          "hijack: the refused socket is closed")
    disc = await gB.expect("disconnect", 1.5)
    check(disc is None and not gB.closed.is_set(),
          "hijack: the real gateway keeps its socket", disc)
    site = t.db.one("SELECT site_id FROM gateways WHERE id=?", gB.id)
    check(site == d["siteB"], "hijack: the gateway's row stays in site B",
          site)
    now = t.db.one("SELECT count(*) FROM authorizations WHERE gateway_id=?",
                   gB.id)
    check(held >= 1 and now == held,
          "hijack: its authorizations stay (%s)" % now)
    gB.drain()
    ans = await al.answer(await al.request(d["rB1"]))
    check(ans and ans["event"] == "authorization_created" and
          ans["payload"]["gateway_id"] == gB.id,
          "hijack: site B's gateway is still chosen", ans)
    for p in (al, gB):
        await p.close()


def refused_body(t, path, token):
    """(status, body) of a WebSocket handshake with token."""
    u = urllib.parse.urlparse(t.base)
    ctx = ssl.create_default_context(cafile=t.cafile)
    c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx,
                                    timeout=5)
    c.request("GET", path, headers={
        "Upgrade": "websocket", "Connection": "Upgrade",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        "Sec-WebSocket-Version": "13",
        "Authorization": "Bearer " + token})
    r = c.getresponse()
    out = r.status, r.read()
    c.close()
    return out


async def small_order(t):
    """A join with a public key of small order (0, 1, ...) is refused
    before anything is stored: no key exchange can come of it, and a
    gateway would refuse every init that named it."""
    d = t.d
    for role, tok in (("client", d["tAlice"]), ("gateway", d["tGwA"])):
        for name, raw in (("0", bytes(32)), ("1", b"\x01" + bytes(31))):
            p = Peer(t.base, t.cafile, role, tok)
            p.key = base64.b64encode(raw).decode()
            await p.open()
            reply, init = await p.join()
            check(reply and reply["payload"]["status"] == "error" and
                  reply["payload"]["response"].get("reason") ==
                  "invalid_public_key" and init is None,
                  "small order: a %s joining with the key %s is refused "
                  "(invalid_public_key)" % (role, name), reply)
            await p.close()
    n = t.db.one("SELECT count(*) FROM clients WHERE public_key IN (?, ?)",
                 bytes(32), b"\x01" + bytes(31))
    check(n == 0, "small order: no client row holds such a key", n)
    # A row from before such joins were refused, holding an
    # authorization: the gateway's init leaves it out (an agent refuses
    # a whole init naming such a key) and the row's authorization goes.
    gw = await S.gateway(t, d["tGwB"])
    cl = await S.client(t, d["tAlice"])
    ans = await cl.answer(await cl.request(d["rB1"]))
    check(ans and ans["event"] == "authorization_created",
          "small order: alice is authorized through site B's gateway", ans)
    await gw.close()
    t.db.c.execute("UPDATE clients SET public_key = ? WHERE id = ?",
                   (b"\x01" + bytes(31), cl.id))
    again = Peer(t.base, t.cafile, "gateway", d["tGwB"])
    again.key = gw.key
    await again.open()
    reply, init = await again.join()
    held = init["payload"]["authorizations"] if init else None
    check(reply and reply["payload"]["status"] == "ok" and held is not None
          and all(z["client"]["id"] != cl.id for z in held),
          "small order: the gateway's init leaves out an old client row "
          "with such a key", reply)
    n = t.db.one("SELECT count(*) FROM authorizations WHERE client_id = ?",
                 cl.id)
    check(n == 0, "small order: and its authorization is dropped (%s)" % n)
    await again.close()
    await cl.close()


async def body401(t):
    """A refused token's 401 does not say why."""
    d = t.d
    tid = d["tAlice"][4:26]  # 16 bytes: 22 characters
    wrong = "fz1_%s_%s" % (tid, S.b64url(os.urandom(32)))
    unknown = S.mint_token()[1]
    got = {}
    for what, tok in (("wrong secret", wrong), ("unknown id", unknown),
                      ("not a token", "fz1_nope")):
        got[what] = await asyncio.to_thread(refused_body, t,
                                            "/client/websocket", tok)
    check(got["wrong secret"][0] == 401 and
          got["wrong secret"] == got["unknown id"] == got["not a token"],
          "401: a wrong secret, an unknown id and junk get the same body",
          got)
    check(b"invalid token" in got["unknown id"][1],
          "401: the body says only 'invalid token'", got["unknown id"])


async def pushed(p, event, seconds):
    """Every message of event within seconds."""
    got = []
    while True:
        m = await p.expect(event, seconds)
        if m is None:
            return got
        got.append(m)
        seconds = 0.5


async def big(t):
    """Inits past 16 KiB reach their peer whole: init and then pushes."""
    d = t.d
    want = set(d["bigres"])
    dave = await S.client(t, d["tDave"])
    init = dave.init["payload"]["resources"] if dave.init else []
    more = await pushed(dave, "resource_created_or_updated", 1.5)
    ids = {r["id"] for r in init} | {m["payload"]["id"] for m in more}
    check(dave.init is not None and ids == want,
          "big: all 60 long resources reach the client (%d in init, %d "
          "pushed)" % (len(init), len(more)), len(ids))
    gw = await S.gateway(t, d["tGwA"])
    await gw.close()
    exp = S.now_ns() + 3600 * S.NS
    for r in d["bigres"][:40]:
        t.db.insert("authorizations", client_id=dave.id, gateway_id=gw.id,
                    resource_id=r, policy_id=d["pA1"],
                    token_id=d["tDave_id"], expires_at=exp)
    again = Peer(t.base, t.cafile, "gateway", d["tGwA"], autoack=False)
    again.key = gw.key
    await again.open()
    reply, init = await again.join()
    held = init["payload"]["authorizations"] if init else []
    more = await pushed(again, "create_authorization", 1.5)
    res = {a["resource"]["id"] for a in held} | \
        {m["payload"]["resource"]["id"] for m in more}
    check(init is not None and res == set(d["bigres"][:40]),
          "big: all 40 long authorizations reach the gateway on rejoin (%d "
          "in init, %d pushed)" % (len(held), len(more)), len(res))
    for p in (dave, again):
        await p.close()


def short_token(t, kind, seconds, actor=None, site=None):
    """A token that expires in seconds, minted now: (text, expires_at)."""
    tid, text, h = S.mint_token()
    exp = S.now_ns() + int(seconds * S.NS)
    t.db.insert("tokens", id=tid, kind=kind, hash=h, name="short-" + tid[:8],
                actor_id=actor, site_id=site, expires_at=exp)
    return text, exp


async def closed_at(p, exp_ns, what):
    """The socket gets disconnect token_expired and closes soon after
    exp_ns, not before."""
    m = await p.expect("disconnect", (exp_ns - S.now_ns()) / S.NS + 3)
    late = (S.now_ns() - exp_ns) / S.NS
    shut = await closed_within(p, 1)
    check(m is not None and m["payload"]["reason"] == "token_expired" and
          shut and -0.05 <= late <= 1.0,
          "expire: a %s socket is told token_expired and closed %.2f s "
          "after its token expires" % (what, late), m)


async def expire(t):
    d = t.d
    text, exp = short_token(t, "client", 3, actor=d["alice"])
    cl = await S.client(t, text)
    check(cl.reply and cl.reply["payload"]["status"] == "ok",
          "expire: a 3 s client token joins", cl.reply)
    text, gexp = short_token(t, "gateway", 2, site=d["siteA"])
    gw = await S.gateway(t, text)
    check(gw.init is not None, "expire: a 2 s gateway token joins")
    await asyncio.gather(closed_at(gw, gexp, "gateway"),
                         closed_at(cl, exp, "client"))


async def cap(t):
    """A token holds 4 client or 16 gateway sockets; one more is closed
    with 1008 and the others stay."""
    d = t.d
    gtok = short_token(t, "gateway", 3600, site=d["siteB"])[0]
    for role, tok, n in (("client", d["tCarol"], 4),
                         ("gateway", gtok, 16)):
        socks = [await Peer(t.base, t.cafile, role, tok).open()
                 for _ in range(n)]
        extra = await Peer(t.base, t.cafile, role, tok).open()
        shut = await closed_within(extra, 2)
        check(shut and extra.ws.close_code == 1008,
              "cap: socket %d of one %s token is closed with 1008" %
              (n + 1, role), extra.ws.close_code)
        await asyncio.sleep(0.3)
        check(not any(p.closed.is_set() for p in socks),
              "cap: the first %d stay open" % n)
        await socks[0].close()
        await asyncio.sleep(0.3)
        again = await Peer(t.base, t.cafile, role, tok).open()
        check(not await closed_within(again, 1),
              "cap: once one closes, another %s socket may open" % role)
        for p in socks[1:] + [again, extra]:
            await p.close()


async def reuse(t):
    """Asking again for a held resource reuses the authorization, also
    when the client names its gateway as failed but the choice would
    pick it anyway."""
    d = t.d
    gw = await S.gateway(t, d["tGwA"])
    t.gws = {gw.id: gw}
    bob = await S.client(t, d["tBob"])
    g, ca, first = await S.where(t, bob, d["rA1"])
    check(g is gw and ca is not None,
          "reuse: the first request reaches the gateway", first)
    answers = []
    for _ in range(20):
        answers.append(await bob.answer(await bob.request(d["rA1"])))
    same = all(a and a["event"] == "authorization_created" and
               a["payload"]["gateway_id"] == gw.id and
               a["payload"]["preshared_key"] ==
               first["payload"]["preshared_key"] for a in answers)
    check(same, "reuse: 20 more requests are answered with the same "
          "gateway and key", answers[:2])
    extra = await gw.expect_nothing(0.3, ["create_authorization"])
    rows = t.db.one("SELECT count(*) FROM authorizations WHERE client_id=? "
                    "AND resource_id=?", bob.id, d["rA1"])
    check(not extra and rows == 1,
          "reuse: no new row (%s) and nothing more to the gateway (%d)" %
          (rows, len(extra)))
    # Named as failed, the held authorization is still the answer: this
    # gateway is the site's only one, so the choice picks it again (the
    # newest joiner), and a gateway that restarted got the authorization
    # back in its init. A new row each time would let a client grow the
    # table by naming its gateway failed.
    g2, ca2, ans = await S.where(t, bob, d["rA1"], failed=[gw.id])
    check(ans and ans["event"] == "authorization_created" and
          ans["payload"]["gateway_id"] == gw.id,
          "reuse: named as failed, the only gateway is chosen again",
          ans and ans["event"])
    rows = t.db.one("SELECT count(*) FROM authorizations WHERE client_id=? "
                    "AND resource_id=?", bob.id, d["rA1"])
    check(ca2 is None and rows == 1,
          "reuse: from the authorization held (%s row)" % rows)
    for p in (bob, gw):
        await p.close()


async def run(base, cafile, dbpath, datafile):
    t = T()
    t.base, t.cafile = base, cafile
    t.db = S.Db(dbpath)
    with open(datafile) as f:
        t.d = json.load(f)
    for step in STEPS:
        try:
            await asyncio.wait_for(step(t), 60)
        except Exception as e:
            check(False, "%s ran to its end" % step.__name__, repr(e))


STEPS = [hijack, body401, big, expire, cap, reuse, small_order]


def main():
    if sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3])
        return 0
    asyncio.run(run(*sys.argv[2:6]))
    return 1 if S.FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
