#!/usr/bin/env python3
"""Table of a syscall-bench.sh run: per workload and repeat, syscalls/s
untraced and traced, their ratio, events delivered/s, drops with the non-zero
breakdown, and the consumer's CPU use."""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
untraced = {(r["workload"], r["repeat"]): r for r in rows if r["mode"] == "untraced"}
print(f"{'workload':10} {'rep':>3} {'untraced/s':>12} {'traced/s':>12} {'ratio':>6} "
      f"{'delivered/s':>12} {'n_evts':>10} {'n_drops':>9} {'drop%':>6} {'cons.CPU%':>9}  breakdown")
for r in rows:
    if r["mode"] != "traced":
        continue
    u = untraced[(r["workload"], r["repeat"])]["load"]
    t, c = r["load"], r["consumer"]
    ratio = t["syscalls_per_sec"] / u["syscalls_per_sec"]
    n_evts, drops = c.get("n_evts", 0), c.get("n_drops", 0)
    breakdown = " ".join(f"{k}={v}" for k, v in c.items()
                         if k.startswith("n_drops_") and k != "n_drops_buffer" and v)
    print(f"{r['workload']:10} {r['repeat']:>3} {u['syscalls_per_sec']:>12.0f} "
          f"{t['syscalls_per_sec']:>12.0f} {ratio:>6.2f} {c['delivered'] / c['seconds']:>12.0f} "
          f"{n_evts:>10} {drops:>9} {100.0 * drops / max(n_evts, 1):>6.2f} "
          f"{100.0 * c['cpu_seconds'] / c['seconds']:>9.1f}  {breakdown}")
