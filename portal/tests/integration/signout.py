#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Signed-in client tokens against a running fzportal (45-signin-admin.sh).

    signout.py URL CAFILE DB FZPORTAL ACTOR

A signed-in token (NONCE || fz1_..., its hash over SHA-256(nonce) || secret) goes
into DB as the sign-in wing writes one, made here from SIGNIN.md with
Python's hashlib, so the format is checked by a second implementation.
Its client joins; POST /api/v1/sign_out with it closes that socket and
no other; `fzportal admin session revoke --actor` closes the rest.
Prints KTAP lines; exits 1 if any failed. Every wait has a timeout.
"""
import asyncio
import hashlib
import os
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigclient  # noqa: E402
from sigclient import Db, Peer, b64url, check, now_ns, NS  # noqa: E402


def signin_token(db, actor, name="sign-in via test"):
    """A signed-in client token of actor: (id, whole text, fragment)."""
    tid, nonce, secret = uuid.uuid4(), os.urandom(32), os.urandom(32)
    h = hashlib.blake2b(b"fz-token-v1" + tid.bytes +
                        hashlib.sha256(nonce).digest() + secret,
                        digest_size=32).digest()
    frag = "fz1_" + b64url(tid.bytes) + "_" + b64url(secret)
    db.insert("tokens", id=str(tid), kind="client", actor_id=actor,
              hash=h, name=name, expires_at=now_ns() + 3600 * NS)
    return str(tid), b64url(nonce) + frag, frag


def sign_out(base, cafile, token):
    ctx = ssl.create_default_context(cafile=cafile)
    req = urllib.request.Request(base + "/api/v1/sign_out", method="POST",
                                 data=b"")
    if token is not None:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


async def closed(peer, seconds=3.0):
    try:
        await asyncio.wait_for(peer.closed.wait(), seconds)
        return True
    except asyncio.TimeoutError:
        return False


async def run(wss, cafile, dbpath, fzportal, actor_name):
    https = "https://" + wss.split("://", 1)[1]
    db = Db(dbpath)
    actor = db.one("SELECT id FROM actors WHERE name = ?", actor_name)
    tid, text, frag = signin_token(db, actor)
    check(len(text) == 113 and text[43:47] == "fz1_",
          "a signed-in token is 113 characters, nonce then fz1_")
    one = await Peer(wss, cafile, "client", text).open()
    reply, _ = await one.join()
    check(reply and reply["payload"]["status"] == "ok",
          "a client joins with a signed-in token", reply)
    # The fragment alone is not the token (its hash is over nonce||secret).
    try:
        bad = await Peer(wss, cafile, "client", frag).open()
        r, _ = await bad.join()
        check(not r or r["payload"]["status"] != "ok",
              "the fragment alone does not join", r)
        await bad.close()
    except Exception:
        check(True, "the fragment alone does not join")
    _, text2, _ = signin_token(db, actor)
    two = await Peer(wss, cafile, "client", text2).open()
    reply, _ = await two.join()
    check(reply and reply["payload"]["status"] == "ok",
          "a second signed-in client joins", reply)

    for desc, tok in (("no token", None), ("the fragment alone", frag),
                      ("a wrong nonce", b64url(os.urandom(32)) + frag),
                      ("garbage", "fz1_nope")):
        st, body = sign_out(https, cafile, tok)
        check(st == 401, "sign_out with %s: 401" % desc, (st, body))
    check(not one.closed.is_set(), "refused sign-outs close nothing")
    st, body = sign_out(https, cafile, text)
    check(st == 204 and body == b"", "sign_out with the token: 204, no body",
          (st, body))
    check(await closed(one), "its socket closes")
    check(db.one("SELECT count(*) FROM tokens WHERE id = ?", tid) == 0,
          "its token is gone")
    check(not two.closed.is_set(), "the other client's socket stays open")
    st, _ = sign_out(https, cafile, text)
    check(st == 401, "sign_out again: 401", st)

    out = subprocess.run([fzportal, "admin", "--db", dbpath, "session",
                          "revoke", "--actor", actor_name],
                         capture_output=True, timeout=10)
    check(out.returncode == 0, "admin session revoke --actor", out.stderr)
    check(await closed(two), "revoking the actor's sessions closes its socket")
    for p in (one, two):
        await p.close()


def main():
    asyncio.run(run(*sys.argv[1:6]))
    return 1 if sigclient.FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
