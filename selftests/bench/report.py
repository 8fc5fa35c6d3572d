#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turns the benchmark's raw runs into raw.json and a markdown table with
medians, min-max and ratios against in-kernel WireGuard."""
import json
import statistics
import sys

raw_path, out, kernel, cpus, accel = sys.argv[1:6]
runs = [json.loads(l) for l in open(raw_path) if l.strip()]
by = {}
for r in runs:
    by.setdefault((r["test"], r["system"]), []).append(r)

names = {"veth": "plain veth (limit)", "wg": "in-kernel WireGuard",
         "wggo": "wireguard-go", "fz": "fz"}
lines = [f"Kernel {kernel}, {cpus} guest CPUs, QEMU acceleration: {accel}; "
         f"{max(r['round'] for r in runs)} interleaved rounds.", "",
         "| system | TCP 1 stream Mbit/s (median) | min-max | vs WireGuard | CPU s per GB |",
         "|---|---|---|---|---|"]
wg = statistics.median(r["mbps"] for r in by.get(("tcp1", "wg"), [{"mbps": 0}]))
for s in ["veth", "wg", "wggo", "fz"]:
    rs = by.get(("tcp1", s))
    if not rs:
        continue
    mb = [r["mbps"] for r in rs]
    med = statistics.median(mb)
    gb = sum(r["bytes"] for r in rs) / 1e9
    cpu = sum(r["cpu_s"] for r in rs) / gb if gb else 0
    ratio = f"{med / wg:.2f}x" if wg else "-"
    lines.append(f"| {names[s]} | {med:.0f} | {min(mb):.0f}-{max(mb):.0f} | {ratio} | {cpu:.1f} |")
open(f"{out}/results.md", "w").write("\n".join(lines) + "\n")
json.dump({"kernel": kernel, "cpus": int(cpus), "accel": accel, "runs": runs},
          open(f"{out}/raw.json", "w"), indent=1)
print("\n".join(lines))
