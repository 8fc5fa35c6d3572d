#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turns the benchmark's raw runs (one JSON object per line) into raw.json
and results.md: medians, min-max, and ratios against in-kernel WireGuard."""
import glob
import json
import os
import re
import statistics
import sys

raw_path, out, kernel, cpus, accel = sys.argv[1:6]
runs = [json.loads(l) for l in open(raw_path) if l.strip()]
by = {}
for r in runs:
    by.setdefault((r["test"], r["system"]), []).append(r)

SYSTEMS = ["veth", "wg", "wggo", "fz", "fzgw", "wgnft"]
NAMES = {"veth": "plain veth (limit)", "wg": "in-kernel WireGuard",
         "wggo": "wireguard-go", "fz": "fz",
         "fzgw": "fz + gateway path (filters, DNS translation, masquerade)",
         "wgnft": "in-kernel WireGuard + the same policy in nftables",
         "fzagent": "fz", "fzagentgw": "fz gateway"}
# How the scale test configured each system.
HOW = {"wg": "`wg addconf`", "fz": "netlink, a request per peer",
       "fzgw": "netlink, a request per peer and per mapping",
       "fzagent": "`fzagent up CONFIG` on a new interface (parse, DH, kernel)",
       "fzagentgw": "`fzagent gateway CONFIG -a FILE` on a new interface (each client a peer with one resource)"}


def values(test, system, key):
    return [r[key] for r in by.get((test, system), []) if key in r]


def med(test, system, key="mbps"):
    v = values(test, system, key)
    return statistics.median(v) if v else None


def ratio(x, base):
    return f"{x / base:.2f}x" if x is not None and base else "-"


def cell(test, system, key="mbps", fmt="{:.0f}"):
    v = values(test, system, key)
    if not v:
        return "-"
    return (fmt.format(statistics.median(v)) + " (" + fmt.format(min(v)) +
            "-" + fmt.format(max(v)) + ")")


rounds = max((r["round"] for r in runs if r["test"] == "tcp1"), default=0)
lines = [f"Kernel {kernel}, {cpus} guest CPUs, QEMU acceleration: {accel}; "
         f"{rounds} interleaved rounds per system. Medians, (min-max), and "
         "ratios against in-kernel WireGuard.", ""]

lines += ["### TCP throughput, Mbit/s", "",
          "| system | 1 stream | 1 stream reversed | 4 streams | 4 streams reversed | 1 stream vs WireGuard | 4 streams vs WireGuard |",
          "|---|---|---|---|---|---|---|"]
for s in SYSTEMS:
    if (("tcp1", s)) not in by:
        continue
    lines.append(f"| {NAMES[s]} | {cell('tcp1', s)} | {cell('tcp1r', s)} | "
                 f"{cell('tcp4', s)} | {cell('tcp4r', s)} | "
                 f"{ratio(med('tcp1', s), med('tcp1', 'wg'))} | "
                 f"{ratio(med('tcp4', s), med('tcp4', 'wg'))} |")

lines += ["", "### UDP (1252-byte payloads, 1280-byte packets, unlimited rate), CPU cost and latency", "",
          "| system | UDP received Mbit/s | UDP loss % | CPU s per GB (TCP) | ping median ms idle | p99 idle | median loaded | p99 loaded |",
          "|---|---|---|---|---|---|---|---|"]
for s in SYSTEMS:
    if (("tcp1", s)) not in by:
        continue
    tcp = [r for t in ("tcp1", "tcp1r", "tcp4", "tcp4r")
           for r in by.get((t, s), [])]
    gb = sum(r["bytes"] for r in tcp) / 1e9
    cpu = f"{sum(r['cpu_s'] for r in tcp) / gb:.1f}" if gb else "-"
    lines.append(f"| {NAMES[s]} | {cell('udp', s)} | "
                 f"{cell('udp', s, 'loss', '{:.1f}')} | {cpu} | "
                 f"{cell('lat', s, 'median_ms', '{:.2f}')} | "
                 f"{cell('lat', s, 'p99_ms', '{:.2f}')} | "
                 f"{cell('latload', s, 'median_ms', '{:.2f}')} | "
                 f"{cell('latload', s, 'p99_ms', '{:.2f}')} |")

# The gateway path's goals (#16): at least 0.95x plain fz, and at least
# the hand-built WireGuard + nftables gateway, on every figure.
GW_TESTS = [("tcp1", "TCP 1 stream"), ("tcp1r", "TCP 1 reversed"),
            ("tcp4", "TCP 4 streams"), ("tcp4r", "TCP 4 reversed"),
            ("udp", "UDP")]
if ("tcp1", "fzgw") in by:
    lines += ["", "### The gateway path against its anchors (medians)", "",
              "| figure | fz + gateway path | plain fz | WireGuard + nftables | vs plain fz | vs WireGuard + nftables |",
              "|---|---|---|---|---|---|"]
    for t, label in GW_TESTS:
        g, f, n = med(t, "fzgw"), med(t, "fz"), med(t, "wgnft")
        show = lambda x: f"{x:.0f}" if x is not None else "-"
        lines.append(f"| {label} | {show(g)} | {show(f)} | {show(n)} | "
                     f"{ratio(g, f)} | {ratio(g, n)} |")

hs_n = next((r["n"] for r in runs if r["test"] == "handshakes"), None)
if hs_n:
    wg_hs = med("handshakes", "wg", "per_s")
    lines += ["", f"### Handshakes: {hs_n} in-kernel WireGuard initiators at once, 5 per source address", "",
              "| responder | handshakes/s | seconds for all | vs WireGuard |", "|---|---|---|---|"]
    for s in ("wg", "fz"):
        lines.append(f"| {NAMES[s]} | {cell('handshakes', s, 'per_s', '{:.1f}')} | "
                     f"{cell('handshakes', s, 'seconds', '{:.2f}')} | "
                     f"{ratio(med('handshakes', s, 'per_s'), wg_hs)} |")

hc = [r for r in runs if r["test"] == "hs_capacity"]
if hc:
    wg_hc = med("hs_capacity", "wg", "per_s")
    lines += ["", f"### Handshake capacity: {hc[0]['messages']} precomputed initiations "
              "(fz-hsgen, one CPU), many sources", "",
              "The responder's completed handshakes per second; its CPU per "
              "handshake (the guest's busy CPU less the generator's); a "
              "legitimate WireGuard peer's handshake time in the middle of the flood.", "",
              "| responder | handshakes/s | completed of sent | cookie replies | CPU ms per handshake | legitimate peer, ms | vs WireGuard |",
              "|---|---|---|---|---|---|---|"]
    for s in ("wg", "fz"):
        if ("hs_capacity", s) not in by:
            continue
        legit = values("hs_capacity", s, "legit_ms")
        done = f"{med('hs_capacity', s, 'responses'):.0f} of {hc[0]['messages']}"
        lines.append(f"| {NAMES[s]} | {cell('hs_capacity', s, 'per_s', '{:.0f}')} | {done} | "
                     f"{cell('hs_capacity', s, 'cookie_replies', '{:.0f}')} | "
                     f"{cell('hs_capacity', s, 'responder_cpu_ms_per_hs', '{:.2f}')} | "
                     f"{', '.join(str(v) if v else 'none in 30 s' for v in legit)} | "
                     f"{ratio(med('hs_capacity', s, 'per_s'), wg_hc)} |")

scale = [r for r in runs if r["test"].startswith("scale_")]
if scale:
    lines += ["", "### Scale", "",
              "| system | how | configured | seconds | per second | slab growth MB | TCP 1 stream with them, Mbit/s | vs without |",
              "|---|---|---|---|---|---|---|---|"]
    for r in scale:
        s, what = r["system"], r["test"][len("scale_"):]
        thr = cell("tcp1_scaled", s) if what == "peers" else ""
        vs = (ratio(med("tcp1_scaled", s), med("tcp1", s))
              if what == "peers" else "")
        rate = r["count"] / r["seconds"] if r["seconds"] else 0
        label = {"peers": "peers", "maps": "DNS mappings",
                 "clients": "clients"}[what]
        lines.append(f"| {NAMES[s]} | {HOW[s]} | {r['count']} {label} | {r['seconds']:.1f} | "
                     f"{rate:.0f} | {r['slab_kb'] / 1024:.1f} | {thr} | {vs} |")

fo = [r for r in runs if r["test"].startswith("failover_")]
if fo:
    lines += ["", "### Failover between two gateways of a site (13-failover.sh's rounds)", "",
              "The time from a gateway's end to the client's first successful "
              "request through the other one (a request every 100 ms). Crash: "
              "link cut and agent killed; the client's quiet timeout is 10 s. "
              "Graceful: SIGTERM, the gateway says Goodbye.", "",
              "| how | rounds | median, s | max, s |", "|---|---|---|---|"]
    for kind in ("crash", "graceful"):
        v = sorted(r["ms"] for r in fo if r["test"] == "failover_" + kind)
        if v:
            lines.append(f"| {kind} | {len(v)} | {statistics.median(v) / 1000:.3f} | {v[-1] / 1000:.3f} |")

profiles = sorted(glob.glob(f"{out}/profile-*.txt"))
if profiles:
    lines += ["", "### Profiles (perf, cpu-clock, whole guest; top entries)", "",
              "Under TCG there is no PMU: samples are timer interrupts, which land "
              "where interrupts are re-enabled, so time spent with them off "
              "shows up at `_raw_spin_unlock_irqrestore` and the like. "
              "Full lists in `profile-*.txt`.", ""]
    for path in profiles:
        name = os.path.basename(path)[len("profile-"):-len(".txt")]
        top = [re.sub(r"\s{2,}", "  ", re.sub(r"(\s+-){2}\s*$", "", l.strip()))
               for l in open(path) if l.strip() and not l.startswith("#")][:12]
        lines += [f"**{name}**", "", "```"] + top + ["```", ""]

open(f"{out}/results.md", "w").write("\n".join(lines) + "\n")
json.dump({"kernel": kernel, "cpus": int(cpus), "accel": accel, "runs": runs},
          open(f"{out}/raw.json", "w"), indent=1)
print("\n".join(lines))
