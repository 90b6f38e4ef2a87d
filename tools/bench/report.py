#!/usr/bin/env python3
"""Turns the JSON lines written by the bench binaries into results/latest.{md,json}."""
import json
import os
import platform
import subprocess
import sys
import time


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt(v):
    if v is None:
        return "n/a"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


# Google Benchmark pairs (recovery-bench-store-micro): (subject, baseline, metric, baseline name).
GBENCH_PAIRS = [
    ("BM_StoreInsert", "BM_RawInsert", "handler write via Store/Tx, 1 row + commit",
     "raw sqlite3 prepared INSERT + COMMIT"),
    ("BM_StoreInsertOutbox", "BM_StoreInsert", "same write + Outbox::Append (handler side of the outbox)",
     "same write without an event"),
    ("BM_StoreInsertPlainRow", "BM_StoreInsert", "same write + the outbox row into a table without AUTOINCREMENT",
     "same write without an event"),
]


def gbench_rows(path):
    if not path or not os.path.exists(path):
        return []
    with open(path) as f:
        data = json.load(f)
    us = {}
    for b in data.get("benchmarks", []):
        scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[b.get("time_unit", "ns")]
        us[b["name"].split("/")[0]] = b["real_time"] * scale
    rows = []
    for subject, base, metric, base_name in GBENCH_PAIRS:
        if subject in us and base in us:
            rows.append({"bench": "store (gbench)", "metric": metric, "unit": "us/commit", "value": us[subject],
                         "baseline_name": base_name, "baseline": us[base], "ratio": us[subject] / us[base],
                         "higher_is_better": False, "goal": "", "goal_met": None,
                         "note": "Google Benchmark, one transaction per iteration, WAL synchronous=NORMAL"})
    return rows


def main(lines_path, out_dir, not_measured_path, gbench_path=None):
    rows = []
    if os.path.exists(lines_path):
        with open(lines_path) as f:
            rows = [json.loads(l) for l in f if l.strip()]
    rows += gbench_rows(gbench_path)
    skipped = []
    if os.path.exists(not_measured_path):
        with open(not_measured_path) as f:
            skipped = [l.strip() for l in f if l.strip()]
    machine = {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model(),
        "kernel": platform.release(),
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
    }
    try:
        machine["loadavg"] = open("/proc/loadavg").read().split()[:3]
    except OSError:
        pass
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "latest.json"), "w") as f:
        json.dump({"machine": machine, "results": rows, "not_measured": skipped}, f, indent=2)
    md = [
        "# Benchmark results (latest run)",
        "",
        f"Machine: {machine['nproc']} CPUs, {machine['cpu_model']}, Linux {machine['kernel']}, "
        f"load average at the end {' '.join(machine.get('loadavg', []))}; run finished {machine['date_utc']} UTC.",
        "",
        "Ratio = value / baseline, both measured in this run. For latencies and sizes lower is better.",
        "",
        "| bench | metric | value | baseline | ratio | goal | met | notes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        met = {True: "yes", False: "**NO**", None: ""}[r.get("goal_met")]
        md.append(
            f"| {r['bench']} | {r['metric']} | {fmt(r['value'])} {r['unit']} | {fmt(r['baseline'])} {r['unit']} "
            f"({r['baseline_name']}) | {fmt(r['ratio'])}x | {r['goal']} | {met} | {r['note']} |")
    for s in skipped:
        md.append(f"| {s} | not measured | | | | | | |")
    with open(os.path.join(out_dir, "latest.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main(*sys.argv[1:5])
