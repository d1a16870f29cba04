#!/usr/bin/env python3
"""Samples the CPU time and memory of one bot process and its whole process
tree (Chromium and its helpers) every INTERVAL seconds for DURATION seconds,
and prints a summary as JSON.

CPU is utime+stime from /proc/<pid>/stat (CPU-seconds, so the result does not
depend on how busy the shared machine is); memory is Rss and Pss from
/proc/<pid>/smaps_rollup. Processes are grouped by Chromium role.

usage: sample.py BOT_PID DURATION_S [INTERVAL_S]
"""
import json
import os
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    rest = s.rsplit(")", 1)[1].split()
    ppid = int(rest[1])
    cpu = (int(rest[11]) + int(rest[12])) / TICK
    return ppid, cpu


def memory(pid):
    rss = pss = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) * 1024
    return rss, pss


def role(pid, root):
    if pid == root:
        return "bot (Rust)"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return "gone"
    # Chromium's helpers rewrite their title: the arguments may arrive as
    # one space-separated string.
    args = " ".join(a.decode(errors="replace") for a in args).split()
    typ = next((a.split("=", 1)[1] for a in args if a.startswith("--type=")), None)
    if typ is None:
        name = os.path.basename(args[0]) if args else "?"
        return "browser" if "chrom" in name else name
    if typ == "utility":
        sub = next((a.split("=", 1)[1] for a in args if a.startswith("--utility-sub-type=")), "")
        return "utility " + sub.split(".")[0]
    if typ == "zygote":
        return "zygote"
    return typ


def tree(root):
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                parents[int(name)] = stat(int(name))[0]
            except (OSError, IndexError, ValueError):
                pass
    members = {root}
    changed = True
    while changed:
        changed = False
        for pid, ppid in parents.items():
            if ppid in members and pid not in members:
                members.add(pid)
                changed = True
    return members


def main():
    root = int(sys.argv[1])
    duration = float(sys.argv[2])
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
    first_cpu = {}  # pid -> cpu at first sight
    last_cpu = {}
    roles = {}
    peak = {"rss": 0, "pss": 0, "bot_rss": 0, "bot_pss": 0}
    peak_role_pss = {}
    samples = 0
    start = time.monotonic()
    deadline = start + duration
    while True:
        now = time.monotonic()
        sum_rss = sum_pss = 0
        by_role = {}
        for pid in tree(root):
            try:
                _, cpu = stat(pid)
                rss, pss = memory(pid)
            except (OSError, IndexError, ValueError):
                continue
            if pid not in roles:
                roles[pid] = role(pid, root)
                # Processes born during the window count from zero.
                first_cpu[pid] = cpu if samples == 0 else 0.0
            last_cpu[pid] = cpu
            sum_rss += rss
            sum_pss += pss
            r = roles[pid]
            by_role[r] = by_role.get(r, 0) + pss
            if pid == root:
                peak["bot_rss"] = max(peak["bot_rss"], rss)
                peak["bot_pss"] = max(peak["bot_pss"], pss)
        for r, v in by_role.items():
            peak_role_pss[r] = max(peak_role_pss.get(r, 0), v)
        peak["rss"] = max(peak["rss"], sum_rss)
        peak["pss"] = max(peak["pss"], sum_pss)
        samples += 1
        if now >= deadline:
            break
        time.sleep(max(0.0, min(interval - (time.monotonic() - now), deadline - time.monotonic())))
    wall = time.monotonic() - start
    cpu_by_role = {}
    procs_by_role = {}
    for pid, r in roles.items():
        cpu_by_role[r] = cpu_by_role.get(r, 0.0) + last_cpu[pid] - first_cpu[pid]
        procs_by_role[r] = procs_by_role.get(r, 0) + 1
    total_cpu = sum(cpu_by_role.values())
    mb = 1024 * 1024
    print(json.dumps({
        "wall_s": round(wall, 2),
        "samples": samples,
        "cpu_s_total": round(total_cpu, 2),
        "cores_total": round(total_cpu / wall, 4),
        "peak_rss_mb_total": round(peak["rss"] / mb, 1),
        "peak_pss_mb_total": round(peak["pss"] / mb, 1),
        "cpu_s_bot": round(cpu_by_role.get("bot (Rust)", 0.0), 2),
        "cores_bot": round(cpu_by_role.get("bot (Rust)", 0.0) / wall, 4),
        "peak_rss_mb_bot": round(peak["bot_rss"] / mb, 1),
        "peak_pss_mb_bot": round(peak["bot_pss"] / mb, 1),
        "by_role": {
            r: {
                "processes": procs_by_role[r],
                "cpu_s": round(cpu_by_role[r], 2),
                "cores": round(cpu_by_role[r] / wall, 4),
                "peak_pss_mb": round(peak_role_pss.get(r, 0) / mb, 1),
            }
            for r in sorted(cpu_by_role, key=lambda r: -cpu_by_role[r])
        },
    }, indent=2))


if __name__ == "__main__":
    main()
