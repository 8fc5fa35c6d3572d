#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Scripted WebSocket peers for fzportal's web wing (20-web.sh).

Run with Debian's /usr/bin/python3 (python3-websockets 10.4):
    wsclient.py BASE_URL CAFILE SCENARIO [ARG]
BASE_URL is wss://127.0.0.1:PORT; the tokens come from the environment
(GW_TOKEN, CL_TOKEN). Each scenario prints KTAP lines ("ok - ...",
"not ok - ...", "# ...") and the script exits 1 if any check failed.
Every wait has a timeout, so a broken server fails a check rather than
hanging the test.
"""
import asyncio
import json
import os
import ssl
import sys
import time

import websockets

BASE, CAFILE, SCENARIO = sys.argv[1], sys.argv[2], sys.argv[3]
ARG = sys.argv[4] if len(sys.argv) > 4 else None
GW, CL = os.environ["GW_TOKEN"], os.environ["CL_TOKEN"]
FAILS = 0


def check(ok, what, detail=""):
    global FAILS
    print(("ok - " if ok else "not ok - ") + what, flush=True)
    if not ok:
        FAILS += 1
        if detail:
            print("#   " + str(detail), flush=True)


def ctx():
    c = ssl.create_default_context(cafile=CAFILE)
    return c


async def connect(path, token, **kw):
    headers = {"Authorization": "Bearer " + token} if token is not None else {}
    return await websockets.connect(
        BASE + path, ssl=ctx(), extra_headers=headers, ping_interval=None,
        open_timeout=10, close_timeout=2, max_size=2 ** 20, **kw)


def heartbeat(ref):
    return json.dumps({"topic": "phoenix", "event": "heartbeat",
                       "payload": {}, "ref": ref})


async def recv_json(ws, timeout=3):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def beat(ws, ref, timeout=3):
    """Sends a heartbeat; True if the reply is ok with the same ref."""
    await ws.send(heartbeat(ref))
    while True:
        m = await recv_json(ws, timeout)
        if m.get("ref") == ref:
            return (m.get("event") == "phx_reply" and
                    m["payload"]["status"] == "ok" and
                    m.get("topic") == "phoenix"), m


async def closed_with(ws, timeout):
    """Reads until the server closes; returns (code, seconds waited)."""
    t0 = time.monotonic()
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    except websockets.exceptions.ConnectionClosed:
        return ws.close_code, time.monotonic() - t0
    except asyncio.TimeoutError:
        return None, time.monotonic() - t0


async def refused_status(path, token):
    try:
        ws = await connect(path, token)
    except websockets.exceptions.InvalidStatusCode as e:
        return e.status_code
    except Exception as e:  # a dropped handshake is a refusal too
        return type(e).__name__
    await ws.close()
    return None


async def auth():
    for path, token, what in [
            ("/gateway/websocket", None, "no token"),
            ("/gateway/websocket", "not-a-token-at-all-xx", "a wrong token"),
            ("/client/websocket", "Basic abc", "a wrong token (client)"),
            ("/client/websocket", GW, "the gateway token on /client"),
            ("/gateway/websocket", CL, "the client token on /gateway"),
            ("/nowhere/websocket", GW, "an unknown WebSocket path")]:
        st = await refused_status(path, token)
        want = 404 if "unknown" in what else 401
        check(st == want, "handshake with %s refused with HTTP %d" %
              (what, want), "got %r" % (st,))
    for path, token, role in [("/gateway/websocket", GW, "gateway"),
                              ("/client/websocket", CL, "client")]:
        try:
            ws = await connect(path, token)
            ok, m = await beat(ws, "1")
            check(ok, "the %s token opens %s and gets heartbeat answers" %
                  (role, path), m)
            await ws.close()
        except Exception as e:
            check(False, "the %s token opens %s" % (role, path), repr(e))


async def heartbeats():
    ws = await connect("/client/websocket", CL)
    for ref in ["42", "ref-x", 7]:
        ok, m = await beat(ws, ref)
        check(ok, "heartbeat with ref %r answered with the same ref" % (ref,),
              m)
    await ws.send(json.dumps({"topic": "phoenix", "event": "heartbeat",
                              "payload": {}, "ref": None}))
    m = await recv_json(ws)
    check(m.get("ref") is None and m["payload"]["status"] == "ok",
          "heartbeat with a null ref answered", m)
    await ws.close()


async def malformed():
    ws = await connect("/gateway/websocket", GW)
    for text, ref, what in [
            ("this is not json{", None, "text that is not JSON"),
            ('{"topic":"x","event":"y","ref":"r5"}', "r5", "no payload"),
            ('[1,2,3]', None, "an array"),
            ('{"topic":1,"event":"y","payload":{},"ref":"r6"}', "r6",
             "a number as topic"),
            ('{"topic":"t","event":"e","payload":{},"ref":"r7"} x', None,
             "trailing garbage"),
            ('{"a":' * 20 + '1' + '}' * 20, None, "nesting 20 deep")]:
        await ws.send(text)
        try:
            m = await recv_json(ws)
            good = (m.get("event") == "phx_reply" and m.get("ref") == ref and
                    m["payload"] == {"status": "error",
                                     "response": {"reason":
                                                  "invalid_message"}})
        except Exception as e:
            good, m = False, repr(e)
        check(good, "%s gets invalid_message (ref %r)" % (what, ref), m)
    await ws.send(b'{"topic":"phoenix","event":"heartbeat","payload":{}}')
    m = await recv_json(ws)
    check(m["payload"]["status"] == "error",
          "a binary frame gets invalid_message", m)
    ok, m = await beat(ws, "after")
    check(ok, "the socket stays open after malformed input", m)
    await ws.close()


def padded_heartbeat(ref, size):
    text = heartbeat(ref)
    return text[:-1] + " " * (size - len(text)) + "}"


async def too_big():
    other = await connect("/client/websocket", CL)
    ws = await connect("/gateway/websocket", GW)
    await ws.send(padded_heartbeat("exact", 16384))
    m = await recv_json(ws)
    check(m.get("ref") == "exact" and m["payload"]["status"] == "ok",
          "a 16384-byte message is taken", m)
    text = padded_heartbeat("frag", 15000)
    await ws.send(iter([text[:5000], text[5000:10000], text[10000:]]))
    m = await recv_json(ws)
    check(m.get("ref") == "frag" and m["payload"]["status"] == "ok",
          "a message in 3 fragments is reassembled", m)
    await ws.send(padded_heartbeat("big", 16385))
    code, _ = await closed_with(ws, 5)
    check(code == 1009, "a 16385-byte message closes the socket with 1009",
          code)
    ws = await connect("/gateway/websocket", GW)
    text = padded_heartbeat("bigfrag", 18000)
    await ws.send(iter([text[:6000], text[6000:12000], text[12000:]]))
    code, _ = await closed_with(ws, 5)
    check(code == 1009, "18000 bytes in fragments close with 1009", code)
    ws = await connect("/gateway/websocket", GW)
    await ws.send("x" * (1 << 20))
    code, _ = await closed_with(ws, 5)
    check(code == 1009, "a 1 MiB frame closes with 1009", code)
    ok, m = await beat(other, "still")
    check(ok, "another socket still gets heartbeat answers", m)
    await other.close()


async def flood():
    # A client's budget (20/s, burst 50); a gateway's is far larger.
    other = await connect("/gateway/websocket", GW)
    ws = await connect("/client/websocket", CL)
    for i in range(500):
        try:
            await ws.send(heartbeat("f%d" % i))
        except websockets.exceptions.ConnectionClosed:
            break
    oks = limited = 0
    code = None
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < 10:
            m = await recv_json(ws, 5)
            st = m["payload"]["status"]
            if st == "ok":
                oks += 1
            elif m["payload"]["response"].get("reason") == "rate_limited":
                limited += 1
    except websockets.exceptions.ConnectionClosed:
        code = ws.close_code
    except asyncio.TimeoutError:
        pass
    print("# flood of 500: %d answered, %d rate_limited, close %r" %
          (oks, limited, code))
    check(50 <= oks <= 60, "the burst of 50 (plus refill) is answered", oks)
    check(limited >= 50, "messages over the budget get rate_limited", limited)
    check(code == 1008, "a peer that keeps flooding is closed with 1008", code)
    t0 = time.monotonic()
    ok, m = await beat(other, "calm", 2)
    check(ok and time.monotonic() - t0 < 1,
          "another socket is answered at once after the flood", m)
    await other.close()


async def silent(interval):
    quiet = await connect("/gateway/websocket", GW)
    alive = await connect("/client/websocket", CL)

    async def keep_beating():
        for i in range(int(6 * interval / (interval / 2))):
            await beat(alive, "k%d" % i)
            await asyncio.sleep(interval / 2)

    task = asyncio.create_task(keep_beating())
    code, waited = await closed_with(quiet, 8 * interval)
    print("# silent peer closed after %.2f s (interval %g s)" %
          (waited, interval))
    check(code is not None and 2.5 * interval <= waited <= 4.5 * interval,
          "a peer silent for 3 intervals is closed (%.1f s)" % waited, code)
    try:
        await asyncio.wait_for(task, 10 * interval)
        check(alive.open, "a peer that sends heartbeats stays open")
    except Exception as e:
        check(False, "a peer that sends heartbeats stays open", repr(e))
    await alive.close()


async def idle(n):
    socks = []
    sem = asyncio.Semaphore(50)

    async def one(i):
        async with sem:
            path, tok = (("/gateway/websocket", GW) if i % 2 else
                         ("/client/websocket", CL))
            socks.append(await connect(path, tok))

    t0 = time.monotonic()
    results = await asyncio.gather(*(one(i) for i in range(n)),
                                   return_exceptions=True)
    errors = [r for r in results if isinstance(r, Exception)]
    print("# %d sockets opened in %.1f s, %d failed" %
          (len(socks), time.monotonic() - t0, len(errors)))
    check(len(socks) == n, "%d idle sockets open at once" % n,
          errors[:3])
    print("READY", flush=True)
    # The shell measures the server's memory now, then sends a newline.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    t0 = time.monotonic()
    fresh = await connect("/client/websocket", CL)
    ok, m = await beat(fresh, "fresh", 3)
    dt = time.monotonic() - t0
    print("# a new client: connected and answered in %.3f s" % dt)
    check(ok and dt < 2, "with %d idle sockets a new client is answered" % n,
          m)
    await fresh.close()
    open_now = sum(1 for s in socks if s.open)
    check(open_now == n, "the idle sockets are all still open", open_now)
    await asyncio.gather(*(s.close() for s in socks), return_exceptions=True)


async def hold():
    """Holds one socket until the server closes it (the SIGTERM test)."""
    ws = await connect("/client/websocket", CL)
    ok, _ = await beat(ws, "h")
    print("READY", flush=True)
    code, _ = await closed_with(ws, 10)
    check(code == 1001, "on SIGTERM the server closes sockets with 1001",
          code)


async def main():
    if SCENARIO == "auth":
        await auth()
    elif SCENARIO == "heartbeat":
        await heartbeats()
    elif SCENARIO == "malformed":
        await malformed()
    elif SCENARIO == "toobig":
        await too_big()
    elif SCENARIO == "flood":
        await flood()
    elif SCENARIO == "silent":
        await silent(float(ARG))
    elif SCENARIO == "idle":
        await idle(int(ARG))
    elif SCENARIO == "hold":
        await hold()
    else:
        check(False, "known scenario " + SCENARIO)


try:
    asyncio.run(asyncio.wait_for(main(), 120))
except Exception as e:
    check(False, "scenario %s ran to the end" % SCENARIO, repr(e))
sys.exit(1 if FAILS else 0)
