#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Compare klpstack's JSON report of a real dump with what the guest's
kernel said just before the dump (truth.txt), or two reports with each
other (--same).

Truth lines (written by the guest):
  kernel RELEASE
  task TID TGID COMM SCENARIO
  state TID STATE
  frame TID SYMBOL+0xOFF/0xSIZE [MODULE]
  traced TID FUNC LABEL
Checks, for every sleeping task the guest listed:
  - klpstack lists it;
  - its frames equal /proc/TID/stack (symbol names in order, after dropping
    .sched.text functions from ours, which /proc/TID/stack leaves out; an
    alias of the same address counts as equal);
  - every trampoline the scenario put there is labelled, and no other;
  - the verdict follows the arch's rules (--interrupted-unreliable for
    s390x: kernel-mode pt_regs mid-stack makes a stack unreliable;
    --kernel-regs-unreliable for the x86_64 frame-pointer walker, checked
    on every walked task, preempted ones included).
Closing line: "e2e NAME: N passed, N failed".
"""
import argparse
import collections
import json
import re
import subprocess
import sys

TRAMPOLINE_LABELS = {"ftrace-graph", "kretprobe", "ftrace-graph-unrecovered",
                     "kretprobe-unrecovered"}


def load_truth(path):
    tasks, order = {}, []
    meta = {"fgraph": [], "kretprobe": [], "fgraph-notrace": [], "fprobe": ("kretprobe", [])}
    for raw in open(path, encoding="utf-8", errors="replace"):
        parts = raw.split()
        if not parts:
            continue
        kind = parts[0]
        if kind == "kernel":
            meta["kernel"] = parts[1] if len(parts) > 1 else ""
        elif kind == "task" and len(parts) >= 4:
            tid = int(parts[1])
            tasks[tid] = {"tid": tid, "tgid": int(parts[2]), "comm": parts[3],
                          "scenario": parts[4] if len(parts) > 4 else "other",
                          "state": "?", "frames": [], "traced": []}
            order.append(tid)
        elif kind == "state" and len(parts) >= 3 and int(parts[1]) in tasks:
            tasks[int(parts[1])]["state"] = parts[2]
        elif kind == "frame" and len(parts) >= 3 and int(parts[1]) in tasks:
            m = re.match(r"([^+]+)\+0x([0-9a-f]+)/0x([0-9a-f]+)", parts[2])
            if m:
                tasks[int(parts[1])]["frames"].append(
                    (m.group(1), int(m.group(2), 16),
                     parts[3].strip("[]") if len(parts) > 3 else None))
        elif kind == "traced" and len(parts) >= 4 and int(parts[1]) in tasks:
            tasks[int(parts[1])]["traced"].append((parts[2], parts[3]))
        elif kind == "reliable" and len(parts) >= 3 and int(parts[1]) in tasks:
            # the kernel's own stack_trace_save_tsk_reliable() of this task
            # (guest/livepatch/klpt_reliable.c): entries, or -errno
            tasks[int(parts[1])]["kernel_reliable"] = int(parts[2]) >= 0
        elif kind == "moved" and len(parts) >= 2 and int(parts[1]) in tasks:
            # the guest saw this task's stack change between two
            # snapshots right before the dump: not a stable truth
            tasks[int(parts[1])]["moved"] = True
        elif kind == "fgraph-functions":
            meta["fgraph"] = parts[1:]
        elif kind == "kretprobe-functions":
            meta["kretprobe"] = parts[1:]
        elif kind == "fgraph-notrace-functions":
            meta["fgraph-notrace"] = parts[1:]
        elif kind == "fprobe-functions" and len(parts) >= 2:
            # fprobe return probes and the label their hooked return gets
            meta["fprobe"] = (parts[1], parts[2:])
    return tasks, order, meta


def load_symbols(sysmap, vmlinux):
    """name -> address, and the set of .sched.text function names."""
    lines = []
    if sysmap:
        lines = open(sysmap, encoding="utf-8", errors="replace").read().split("\n")
    elif vmlinux:
        out = subprocess.run(["nm", "-n", vmlinux], capture_output=True, text=True,
                             check=True).stdout
        lines = out.split("\n")
    addr, syms = {}, []
    for line in lines:
        p = line.split()
        if len(p) < 3:
            continue
        try:
            a = int(p[0], 16)
        except ValueError:
            continue
        addr.setdefault(p[2], a)
        syms.append((a, p[2], p[1]))
    start, end = addr.get("__sched_text_start"), addr.get("__sched_text_end")
    sched = set()
    if start is not None and end is not None:
        sched = {n for a, n, t in syms if start <= a < end and t in "tT"}
    return addr, sched


CLONE = re.compile(r"(\.(isra|constprop|part|cold|lto_priv)(\.\d+)?)+$")


def base_name(name):
    """A function's name without the suffixes of compiler-made clones:
    crash's symbol table names sigsuspend.isra.0 (6.12) sigsuspend."""
    return CLONE.sub("", name) if name else name


def same_func(a, b):
    return a == b or (a is not None and b is not None and base_name(a) == base_name(b))


def frame_matches(ours, truth, addr):
    name, off, _mod = truth
    if ours.get("symbol") == name:
        return True
    if same_func(ours.get("symbol"), name) and ours.get("offset") == off:
        return True
    a, b = addr.get(ours.get("symbol") or ""), addr.get(name)
    return a is not None and b is not None and a + ours["offset"] == b + off


def compare_truth(args):
    tasks, order, meta = load_truth(args.truth)
    report = json.load(open(args.report))
    addr, sched = load_symbols(args.sysmap, args.vmlinux)
    ours = {t["pid"]: t for t in report["tasks"]}
    passed = failed = 0
    frames_total = frames_agree = 0
    compared = moved = kernel_checked = 0

    def fail(msg):
        nonlocal failed
        failed += 1
        print("FAIL", msg)

    missing = [tid for tid in order if tid not in ours]
    if missing:
        fail("tasks the guest listed but klpstack did not: %s" % missing[:20])
    else:
        passed += 1
    extra = [p for p in ours if p not in tasks and p != 0]
    print("tasks: guest %d, klpstack %d (idle tasks %d, others not in the guest's list %d: %s)"
          % (len(order), len(ours), sum(1 for t in report["tasks"] if t["pid"] == 0),
             len(extra), [ours[p]["comm"] for p in extra][:10]))

    tramp = {addr[n] for n in ("return_to_handler", "arch_rethook_trampoline",
                                "__kretprobe_trampoline", "kretprobe_trampoline")
             if n in addr}
    strict = (args.mode or report.get("mode")) == "strict"

    for tid in order:
        t, o = tasks[tid], ours.get(tid)
        if o is None:
            continue
        if t["state"] not in ("S", "D", "I") or o["verdict"] == "running":
            continue
        if t["scenario"] in args.skip_scenario:
            continue
        if t.get("moved"):
            moved += 1
            continue
        compared += 1
        mine = [f for f in o["frames"] if (f.get("symbol") or "?") not in sched]
        want = t["frames"]
        # The kernel's own unwinder stopped at a trampoline it could not
        # undo (a kretprobe over a graph-traced return): /proc/PID/stack
        # ends there, and so must a kernel-mode walk.
        truncated = bool(want) and addr.get(want[-1][0]) is not None and \
            addr[want[-1][0]] + want[-1][1] in tramp
        # The frame-pointer unwinder goes on along the rbp chain past such
        # a trampoline: /proc/PID/stack then shows it mid-stack, in the
        # place of the function whose return was hooked twice.
        hidden = [i for i, (n, off, _) in enumerate(want[:-1])
                  if addr.get(n) is not None and addr[n] + off in tramp]
        frames_total += len(want)
        if strict and truncated:
            # the truth: the same frames up to the trampoline, then more
            ok = len(mine) > len(want) and all(
                frame_matches(a, b, addr) for a, b in zip(mine, want[:-1]))
        elif strict and hidden:
            # the truth, with the hidden function in the trampoline's place
            ok = len(mine) == len(want) and all(
                i in hidden or frame_matches(a, b, addr)
                for i, (a, b) in enumerate(zip(mine, want)))
        else:
            ok = len(mine) == len(want) and all(
                frame_matches(a, b, addr) for a, b in zip(mine, want))
        if ok:
            passed += 1
            frames_agree += len(want)
        else:
            agree = 0
            for a, b in zip(mine, want):
                if not frame_matches(a, b, addr):
                    break
                agree += 1
            frames_agree += agree
            fail("task %d %s (%s): frames differ at #%d\n  ours:  %s\n  guest: %s" % (
                tid, t["comm"], t["scenario"], agree,
                " ".join("%s+%#x" % (f.get("symbol"), f["offset"]) for f in mine),
                " ".join("%s+%#x" % (n, off) for n, off, _ in want)))
            continue
        # Labels, over all our frames (a traced function may be in
        # .sched.text, which the frame comparison leaves out): the caller
        # of each traced function carries the label.
        full = o["frames"]
        labelled = {}
        for i, f in enumerate(full):
            for lab in f["labels"]:
                labelled.setdefault(lab, set()).add(i)
        allowed = {lab: set() for lab in TRAMPOLINE_LABELS}
        # kernel mode: the trampoline frames of a walk that went on past
        # them (hidden above), in our frames; the function each one hides
        # is a traced function not on the stack, and its caller the next
        # frame
        tramp_full = [] if strict or not hidden else [
            i for i, f in enumerate(full[:-1]) if addr.get(f.get("symbol") or "") is not None
            and addr[f["symbol"]] + f["offset"] in tramp]
        for func, label in t["traced"]:
            idx = [i for i, f in enumerate(full) if same_func(f.get("symbol"), func) or
                   (addr.get(func) is not None and addr.get(func) == addr.get(f.get("symbol")))]
            if not idx and len(tramp_full) == 1:
                idx = tramp_full
            if not idx and truncated and not strict:
                continue    # hidden behind the trampoline, for the kernel too
            if not idx and not any(same_func(n, func) or (addr.get(func) is not None and
                                                 addr.get(func) == addr.get(n))
                                   for n, _, _ in want):
                # entered (the tracer saw it) but left by a tail call:
                # no frame of its own, for the kernel either
                continue
            if not idx or idx[0] + 1 >= len(full):
                fail("task %d %s: traced function %s not on its stack" % (tid, t["comm"], func))
                continue
            caller = idx[0] + 1
            has = labelled.get(label, set())
            if (truncated and not strict and caller == len(full) - 1) or caller in tramp_full:
                # the kernel could not undo this one: nor does kernel mode
                has = has | labelled.get(label + "-unrecovered", set())
                allowed[label + "-unrecovered"].add(caller)
            if caller not in has:
                fail("task %d %s: frame #%d (%s, caller of %s) lacks label %s" % (
                    tid, t["comm"], caller, full[caller].get("symbol"), func, label))
                continue
            passed += 1
            if label == "kretprobe":
                allowed[label].add(caller)
            else:
                # graph tracing also hijacks every traced callee of func
                allowed[label].update(range(0, caller + 1))
        # Any task that called a graph-filtered or graph-notrace function
        # (6.1's trace_graph_entry() hijacks the return of a notrace
        # function for every caller, before the filter) or a kretprobed
        # function after tracing began holds a real trampoline there.
        for i in range(1, len(full)):
            callee = full[i - 1].get("symbol")
            if any(same_func(callee, n) for n in meta["fgraph"] + meta["fgraph-notrace"]):
                allowed["ftrace-graph"].update(range(0, i + 1))
            if any(same_func(callee, n) for n in meta["kretprobe"]):
                allowed["kretprobe"].add(i)
            if any(same_func(callee, n) for n in meta["fprobe"][1]):
                if meta["fprobe"][0] == "kretprobe":
                    allowed["kretprobe"].add(i)
                else:
                    allowed["ftrace-graph"].update(range(0, i + 1))
        for lab in sorted(TRAMPOLINE_LABELS):
            stray = labelled.get(lab, set()) - allowed.get(lab, set())
            if stray:
                fail("task %d %s (%s): label %s on frames %s the scenario did not trace" % (
                    tid, t["comm"], t["scenario"], lab, sorted(stray)))
        # Verdicts.
        interrupted = any(set(f["labels"]) & {"preempted", "exception", "interrupted"}
                          for f in o["frames"])
        reason = (o["reason"] or {}).get("rule")
        kernel_says = t.get("kernel_reliable")
        if kernel_says is not None and not strict:
            # the kernel's own verdict, asked in the guest, decides in kernel
            # mode (strict mode differs from the kernel on purpose: it
            # recovers callers the kernel's walker gives up on, and objects
            # to callers the kernel silently loses)
            mine_ok = o["verdict"] == "reliable"
            if mine_ok == kernel_says and args.interrupted_unreliable and interrupted and \
                    reason != args.interrupted_unreliable:
                # and the arch's rule says why (s390x: pt_regs mid-stack)
                fail("task %d %s: kernel-mode pt_regs mid-stack, verdict %s %s, expected %s" % (
                    tid, t["comm"], o["verdict"], reason, args.interrupted_unreliable))
            elif mine_ok == kernel_says:
                passed += 1
                kernel_checked += 1
            else:
                fail("task %d %s (%s): the kernel's reliable walk says %s, klpstack %s %s" % (
                    tid, t["comm"], t["scenario"], "reliable" if kernel_says else "unreliable",
                    o["verdict"], json.dumps(o["reason"])))
        elif t["scenario"] in args.unjudged_scenario:
            print("task %d %s (%s): verdict %s %s (no kernel verdict on this line)" % (
                tid, t["comm"], t["scenario"], o["verdict"], reason or ""))
        elif truncated and not strict:
            if o["verdict"] == "unreliable":
                passed += 1
            else:
                fail("task %d %s: the kernel stopped at a trampoline, verdict %s" % (
                    tid, t["comm"], o["verdict"]))
        elif (args.interrupted_unreliable or args.kernel_regs_unreliable) and interrupted:
            rule = args.interrupted_unreliable or args.kernel_regs_unreliable
            if o["verdict"] == "unreliable" and reason == rule:
                passed += 1
            else:
                fail("task %d %s: kernel-mode pt_regs mid-stack, verdict %s %s, expected unreliable %s" % (
                    tid, t["comm"], o["verdict"], reason, rule))
        elif o["verdict"] == "reliable":
            passed += 1
        else:
            fail("task %d %s (%s): verdict %s %s" % (tid, t["comm"], t["scenario"], o["verdict"],
                                                    json.dumps(o["reason"])))
        if t["scenario"] in args.require_interrupted and not interrupted:
            fail("task %d %s (%s): no preempted/exception/interrupted label" % (
                tid, t["comm"], t["scenario"]))
    if args.kernel_regs_unreliable:
        # Every task the walk took through kernel-mode pt_regs -- preempted
        # or interrupted tasks the guest could not ask the kernel about
        # (they were runnable) included -- gets the rule's verdict: the
        # frame-pointer walker's "Kernel mode registers on the stack" is
        # the first failure it can meet there (nothing before the regs
        # frame fails on a well-formed stack).  Running tasks are walked
        # by nobody.
        n = 0
        for o in report["tasks"]:
            if o["verdict"] == "running":
                continue
            if not any(set(f["labels"]) & {"preempted", "exception", "interrupted"}
                       for f in o["frames"]):
                continue
            n += 1
            reason = (o["reason"] or {}).get("rule")
            if o["verdict"] == "unreliable" and reason == args.kernel_regs_unreliable:
                passed += 1
            else:
                fail("task %d %s: kernel-mode pt_regs on its stack, verdict %s %s, expected "
                     "unreliable %s" % (o["pid"], o["comm"], o["verdict"], reason,
                                        args.kernel_regs_unreliable))
        print("tasks through kernel-mode pt_regs: %d" % n)
    for label in args.require_label:
        n = sum(1 for t in report["tasks"] for f in t["frames"] if label in f["labels"])
        if n:
            passed += 1
            print("label %s on %d frames" % (label, n))
        else:
            fail("no frame carries label %s" % label)
    print("sleeping tasks compared %d (%d skipped: stack moved between the guest's snapshots), "
          "verdicts the kernel gave %d, frames agreed %d of %d (%.1f%%)" % (
        compared, moved, kernel_checked, frames_agree, frames_total,
        100.0 * frames_agree / frames_total if frames_total else 100.0))
    if compared == 0:
        fail("no sleeping task was compared")
    return passed, failed


KLP_STATE = {"sleeping": "sleeping-on-function", "running": "running",
             "unreliable": "unreliable-stack"}


def compare_klp(args):
    """The kernel's last klp_try_switch_task round (truth "klp TID COMM
    REASON [FUNC]" lines) against klpstack's livepatch report (-p)."""
    tasks, order, _ = load_truth(args.truth)
    kernel = {}
    for raw in open(args.truth, encoding="utf-8", errors="replace"):
        p = raw.split()
        if len(p) >= 4 and p[0] == "klp":
            kernel[int(p[1])] = (KLP_STATE.get(p[3], p[3]), p[4] if len(p) > 4 else None)
    report = json.load(open(args.klp))
    ours = {t["pid"]: t for t in report["tasks"]}
    passed = failed = 0
    if args.whatif and args.predict:
        # A what-if asked on a dump taken before patching (the same
        # scenario, another boot: PIDs differ) predicts the blockers the
        # real patch then hit: the same tasks by name and role, and here
        # exactly the guest's sleepers in the patched function.
        hit = collections.Counter()
        for raw in open(args.predict, encoding="utf-8", errors="replace"):
            p = raw.split()
            if len(p) >= 5 and p[0] == "klp" and p[3] == "sleeping":
                hit[(p[2], p[4])] += 1
        got = collections.Counter((o["comm"], o["function"]) for o in ours.values()
                                  if o["state"] == "sleeping-on-function")
        roles = {tid for tid, t in tasks.items() if t["scenario"] == "klp-sleeper"}
        mine = {tid for tid, o in ours.items() if o["state"] == "sleeping-on-function"}
        for key in sorted(set(hit) | set(got)):
            if hit[key] == got[key]:
                passed += 1
                print("%d x %s sleeping on %s: predicted, and the patch hit them" % (
                    hit[key], key[0], key[1]))
            else:
                failed += 1
                print("FAIL %s on %s: predicted %d, the patch hit %d" % (
                    key[0], key[1], got[key], hit[key]))
        if mine == roles and roles:
            passed += 1
        else:
            failed += 1
            print("FAIL predicted tasks %s, the guest's sleepers %s" % (sorted(mine), sorted(roles)))
        if not hit:
            failed += 1
            print("FAIL the patched guest's truth holds no sleeping klp line")
        return passed, failed
    if args.whatif:
        # A what-if (-f) names the tasks that would sleep on the
        # functions; the kernel's sleepers must be exactly those.
        want = {tid for tid, (st, _) in kernel.items() if st == "sleeping-on-function"}
        got = {tid for tid, o in ours.items() if o["state"] == "sleeping-on-function"}
        for tid in sorted(want | got):
            if tid in want and tid in got:
                passed += 1
                print("task %d %s: predicted: %s" % (tid, ours[tid]["comm"], ours[tid]["reason"]))
            else:
                failed += 1
                print("FAIL task %d: %s" % (tid, "the kernel saw it sleeping on a patched "
                                            "function, the what-if did not predict it"
                                            if tid in want else "predicted, the kernel did not "
                                            "find it on a patched function"))
        if not want:
            failed += 1
            print("FAIL the truth holds no sleeping klp line")
        return passed, failed
    if report.get("direction") not in ("patching", "unpatching"):
        print("FAIL the report sees no transition (direction %s)" % report.get("direction"))
        return 0, 1
    if args.direction:
        if report["direction"] == args.direction:
            passed += 1
        else:
            failed += 1
            print("FAIL direction %s, expected %s" % (report["direction"], args.direction))
    for tid, (state, func) in sorted(kernel.items()):
        o = ours.get(tid)
        if o is None:
            failed += 1
            print("FAIL task %d: the kernel says %s %s, klpstack does not list it" % (tid, state, func))
        elif o["state"] != state or (func and o["function"] != func):
            failed += 1
            print("FAIL task %d %s: kernel %s %s, klpstack %s %s (%s)" % (
                tid, o["comm"], state, func, o["state"], o["function"], o["reason"]))
        elif args.origin and state == "sleeping-on-function" and o["origin"] != args.origin:
            failed += 1
            print("FAIL task %d %s: matched the %s code, expected the %s code" % (
                tid, o["comm"], o["origin"], args.origin))
        else:
            passed += 1
            print("task %d %s: %s" % (tid, o["comm"], o["reason"]))
    blocking = {"sleeping-on-function", "running", "unreliable-stack", "error"}
    for tid, o in sorted(ours.items()):
        if tid in kernel or o["state"] not in blocking:
            continue
        if tasks.get(tid, {}).get("moved"):
            continue
        failed += 1
        print("FAIL task %d %s: klpstack says %s (%s), the kernel switched it or said nothing"
              % (tid, o["comm"], o["state"], o["reason"]))
    print("blockers: kernel %d, klpstack %d; tasks agreeing %d" % (
        len(kernel), sum(1 for o in ours.values() if o["state"] in blocking), passed))
    if not kernel:
        print("FAIL the truth holds no klp line")
        failed += 1
    return passed, failed


def compare_same(args):
    a = json.load(open(args.same[0]))
    b = json.load(open(args.same[1]))
    passed = failed = 0
    aliases = set()
    ta = {t["task"]: t for t in a["tasks"]}
    tb = {t["task"]: t for t in b["tasks"]}
    if set(ta) != set(tb):
        failed += 1
        print("FAIL task sets differ: only in first %d, only in second %d" % (
            len(set(ta) - set(tb)), len(set(tb) - set(ta))))
    for key in sorted(set(ta) & set(tb)):
        x, y = ta[key], tb[key]
        # A frame is its address: two readers may name an address by
        # different aliases (__x64_sys_pause, __do_sys_pause share one),
        # and crash's symbol table lacks some local symbols
        # (do_pselect.constprop.0), so the name and offset may differ.
        fx = [(f["ip"], f.get("module"), f["labels"]) for f in x["frames"]]
        fy = [(f["ip"], f.get("module"), f["labels"]) for f in y["frames"]]
        if args.exact:
            # one kernel's symbols read two ways (vmlinux, kallsyms):
            # the names and offsets must agree as well
            fx = [t + (f.get("symbol"), f["offset"]) for t, f in zip(fx, x["frames"])]
            fy = [t + (f.get("symbol"), f["offset"]) for t, f in zip(fy, y["frames"])]
        for f, g in zip(x["frames"], y["frames"]):
            if f["ip"] == g["ip"] and (f.get("symbol"), f["offset"]) != \
                    (g.get("symbol"), g["offset"]):
                aliases.add((f.get("symbol"), g.get("symbol")))
        if (x["verdict"], x["reason"] and x["reason"]["rule"], fx) == \
           (y["verdict"], y["reason"] and y["reason"]["rule"], fy):
            passed += 1
        else:
            failed += 1
            print("FAIL task %s pid %d differs:\n  %s %s\n  %s %s" % (
                key, x["pid"], x["verdict"], fx[:6], y["verdict"], fy[:6]))
    print("tasks identical in both reports: %d of %d" % (passed, len(set(ta) | set(tb))))
    if aliases:
        print("same addresses named by different aliases: %s" % sorted(aliases))
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--name", default="dump")
    ap.add_argument("--truth")
    ap.add_argument("--report")
    ap.add_argument("--sysmap")
    ap.add_argument("--vmlinux")
    ap.add_argument("--same", nargs=2)
    ap.add_argument("--exact", action="store_true",
                    help="with --same: frame names and offsets must agree too")
    ap.add_argument("--klp", help="livepatch report (klpstack -p -j) to check against "
                    "the truth's klp lines")
    ap.add_argument("--direction", help="with --klp: patching or unpatching")
    ap.add_argument("--origin", help="with --klp: whose code a sleeper must be found in "
                    "(original, previous patch, new)")
    ap.add_argument("--whatif", action="store_true",
                    help="--klp names a what-if report (klpstack -f -j)")
    ap.add_argument("--predict",
                    help="with --whatif: truth of the guest where the patch was really "
                    "applied; the what-if ran on a dump taken before patching")
    ap.add_argument("--interrupted-unreliable", default="",
                    help="rule expected for kernel-mode pt_regs mid-stack (s390x)")
    ap.add_argument("--kernel-regs-unreliable", default="",
                    help="rule expected of every walked task with kernel-mode pt_regs "
                    "on its stack, runnable ones too (x86_64 frame pointer)")
    ap.add_argument("--require-interrupted", action="append", default=[],
                    help="scenario whose tasks must show a pt_regs label")
    ap.add_argument("--skip-scenario", action="append", default=[])
    ap.add_argument("--unjudged-scenario", action="append", default=[],
                    help="scenario whose verdict only the kernel can judge: "
                         "printed, not checked, where the truth has no kernel verdict")
    ap.add_argument("--mode", choices=("kernel", "strict"),
                    help="the report's mode (default: as the report says)")
    ap.add_argument("--require-label", action="append", default=[],
                    help="some frame of some task must carry this label")
    args = ap.parse_args()
    if args.klp:
        passed, failed = compare_klp(args)
    elif args.same:
        passed, failed = compare_same(args)
    else:
        passed, failed = compare_truth(args)
    print("e2e %s: %d passed, %d failed" % (args.name, passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
