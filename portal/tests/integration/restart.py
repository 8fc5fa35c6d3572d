#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A change made while no portal runs (57-restart.sh): phase "grant"
has bob granted rA1 through gateway A and writes A's key down; phase
"rejoin" has gateway A join again with that key and prints what its
init holds. Data from cascade.py's setup.
    restart.py grant|rejoin URL CAFILE DB DATA.json KEYFILE
"""
import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigclient as sc  # noqa: E402
from sigclient import check, Peer  # noqa: E402


async def grant(t, keyfile):
    gw = Peer(t.base, t.cafile, "gateway", t.d["tGwA"])
    await gw.open()
    await gw.join()
    with open(keyfile, "w") as f:
        f.write(gw.key)
    cl = Peer(t.base, t.cafile, "client", t.d["tBob"])
    await cl.open()
    await cl.join()
    ans = await cl.answer(await cl.request(t.d["rA1"]), 5)
    check(ans is not None and ans["event"] == "authorization_created",
          "bob is granted rA1 through gateway A", ans)


async def rejoin(t, keyfile):
    gw = Peer(t.base, t.cafile, "gateway", t.d["tGwA"])
    with open(keyfile) as f:
        gw.key = f.read().strip()
    await gw.open()
    reply, init = await gw.join()
    held = [a["resource"]["id"] for a in init["payload"]["authorizations"]]
    check(t.d["rA1"] not in held, "gateway A's init after the restart does "
          "not hold bob's rA1 any more", held)


async def main(phase, base, cafile, dbpath, datafile, keyfile):
    t = sc.T()
    t.base, t.cafile = base, cafile
    with open(datafile) as f:
        t.d = json.load(f)
    await asyncio.wait_for((grant if phase == "grant" else rejoin)(
        t, keyfile), 60)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:7]))
    sys.exit(1 if sc.FAILS else 0)
