#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Frame names exactly as the kernel printed them.

    frame-names.py TRUTH REPORT.json [REPORT.json...]

TRUTH is a guest's truth.txt (tests/e2e: /proc/PID/stack of every task,
"frame PID NAME+OFF/SIZE [MOD]"), each REPORT a klpstack/1 JSON report
(crash's klpstack -j or klpscan --json) of the dump taken right after.  For
every task the guest listed with frames, not moved, and walked to the same
number of frames (after the scheduler's own, which x86 leaves out), every frame must carry the kernel's name and offset
letter for letter (compare.py accepts an alias at the same address; this
does not).  Prints the differing frames and per report "NAME: N tasks,
N agree, N differ", closing with "N passed, N failed" (one per report).
"""
import json
import sys


def load_truth(path):
    tasks, moved = {}, set()
    for line in open(path, encoding="utf-8", errors="replace"):
        p = line.split()
        if len(p) >= 3 and p[0] == "frame":
            name, _, rest = p[2].partition("+")
            off = int(rest.split("/")[0], 16) if rest else 0
            tasks.setdefault(int(p[1]), []).append((name, off, p[3].strip("[]") if len(p) > 3 else None))
        elif len(p) >= 2 and p[0] == "moved":
            moved.add(int(p[1]))
    return {k: v for k, v in tasks.items() if k not in moved}


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().split("\n")[2], file=sys.stderr)
        sys.exit(2)
    truth = load_truth(sys.argv[1])
    passed = failed = 0
    for path in sys.argv[2:]:
        report = json.load(open(path))
        ours = {t["pid"]: t for t in report["tasks"] if t["pid"]}
        n = agree = 0
        for pid, frames in sorted(truth.items()):
            o = ours.get(pid)
            if not o or o["verdict"] != "reliable" or len(o["frames"]) < len(frames):
                continue
            # the kernel leaves out the scheduler's own frames (x86:
            # in_sched_functions()); the rest must be the same frames
            mine = o["frames"][len(o["frames"]) - len(frames):]
            n += 1
            bad = [(i, f, t) for i, (f, t) in enumerate(zip(mine, frames))
                   if (f.get("symbol"), f.get("offset")) != (t[0], t[1])]
            if not bad:
                agree += 1
            for i, f, t in bad[:3]:
                print("%s: pid %d frame %d: kernel %s+%#x, klpstack %s+%#x" %
                      (path, pid, i, t[0], t[1], f.get("symbol"), f.get("offset") or 0))
        print("%s: %d tasks, %d agree, %d differ" % (path, n, agree, n - agree))
        if n and agree == n:
            passed += 1
        else:
            failed += 1
    print("names: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


main()
