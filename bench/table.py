# SPDX-License-Identifier: GPL-2.0-or-later
#
# table.py MACHINE.res DUMP.res...
#
# Print bench/run.sh's figures as Markdown tables.  A .res file holds
# "KEY<TAB>VALUE" lines; a figure that is missing or was not taken shows
# as "n/a" (with the reason where run.sh recorded one), never as a guess.
import sys


def load(path):
    d = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            if k:
                d[k] = v
    return d


def num(d, k):
    """A figure; for a list of repetitions, the fastest."""
    try:
        return min(float(w) for w in d.get(k, "").split())
    except ValueError:
        return None


def nums(d, k):
    out = []
    for w in d.get(k, "").split():
        try:
            out.append(float(w))
        except ValueError:
            return []
    return out


def median(v):
    v = sorted(v)
    if not v:
        return None
    m = len(v) // 2
    return v[m] if len(v) % 2 else (v[m - 1] + v[m]) / 2


def per_task(d, all_key, one_key, n):
    """Marginal cost of one more task: the median over the repetitions of
    (all tasks - one task) / (n - 1).  The two commands of a pair ran
    seconds apart, so a load change on the shared machine hits both."""
    a, b = nums(d, "session." + all_key), nums(d, "session." + one_key)
    if not a or len(a) != len(b) or not n or n < 2:
        return None
    return median([(x - y) / (n - 1) for x, y in zip(a, b)])


def fmt_s(x):
    if x is None:
        return "n/a"
    if x >= 10:
        return f"{x:.1f} s"
    if x >= 0.1:
        return f"{x:.2f} s"
    return f"{x * 1000:.1f} ms"


def fmt_ms(x):
    if x is None:
        return "n/a"
    if x >= 10:
        return f"{x:.0f} ms"
    if x >= 0.1:
        return f"{x:.2f} ms"
    return f"{x * 1000:.0f} µs"


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return "n/a"
    r = a / b
    return f"{r:.0f}×" if r >= 10 else f"{r:.1f}×"


def mib(kb):
    return "n/a" if kb is None or kb <= 0 else f"{kb / 1024:.0f} MiB"


def paired(d, a_key, b_key):
    """Pairs of per-repetition figures (same repetition, seconds apart)."""
    a, b = nums(d, a_key), nums(d, b_key)
    if not a or len(a) != len(b):
        return []
    return list(zip(a, b))


def drgn_kv(d, core=None):
    v = d.get("drgn." + (core or d.get("drgn.core", "vmcore")), "")
    if not v.startswith("tasks "):
        return None
    w = v.split()
    return dict(zip(w[0::2], w[1::2]))


def tasks_of(d):
    n = num(d, "klpscan.tasks")
    return int(n) if n else None


def klpscan_fixed(d):
    """Fixed cost of a klpscan run: --read-floor's wall less its loop,
    median over the repetitions."""
    return median([w - l for w, l in paired(d, "floor.walls", "floor.loops")])


def klpscan_per_task(d):
    """The walk's wall less the fixed cost of the same repetition, per task."""
    n = tasks_of(d)
    walls, fw, fl = nums(d, "klpscan.walls"), nums(d, "floor.walls"), nums(d, "floor.loops")
    if not n or not walls or not (len(walls) == len(fw) == len(fl)):
        return None
    return median([(w - (a - b)) / n for w, a, b in zip(walls, fw, fl)])


def floor_per_task(d):
    n = tasks_of(d)
    loops = nums(d, "floor.loops")
    return median([x / n for x in loops]) if n and loops else None


def overview_table(dumps):
    print("### Per dump: whole runs, start to exit\n")
    print("Fastest run of each (`/usr/bin/time -v`, wall).  crash = a batch "
          "process `crash -s VMLINUX VMCORE -i CMDS` with one command "
          "(`extend klpstack.so` + `klpstack -j`, or `foreach bt`) and `quit`; "
          "drgn = `python3 drgn_walk.py` (import, open, every task's "
          "`stack_trace`; on vmcore.elf where the dump has one, see table 4).  Ratios: that run ÷ klpscan `-j 1`.\n")
    print("| dump | tasks klpscan / crash / bt / drgn | klpscan -j 1 | klpscan -j 2 | "
          "read floor run | crash + klpstack | ÷ | crash `foreach bt` | ÷ | drgn | ÷ | "
          "peak RSS klpscan / crash / drgn |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for d in dumps:
        kw = num(d, "klpscan.wall")
        bw, btw = num(d, "batch.wall"), num(d, "batchbt.wall")
        core = d.get("drgn.core", "vmcore")
        dw = num(d, f"drgn.{core}.wall")
        kv = drgn_kv(d)
        if kv is None:
            dw_s = d.get(f"drgn.{core}", "n/a")
            dw = None
        else:
            dw_s = fmt_s(dw)

        def i(k):
            v = num(d, k)
            return "n/a" if v is None else str(int(v))
        counts = (f"{i('klpscan.tasks')} / {i('batch.tasks')} / {i('batchbt.tasks')} / "
                  f"{kv.get('tasks') if kv else 'n/a'}")
        print(f"| {d.get('name')} | {counts} | {fmt_s(kw)} | {fmt_s(num(d, 'klpscan.wall.j2'))} | "
              f"{fmt_s(num(d, 'floor.wall'))} | {fmt_s(bw)} | {ratio(bw, kw)} | "
              f"{fmt_s(btw)} | {ratio(btw, kw)} | {dw_s} | {ratio(dw, kw)} | "
              f"{mib(num(d, 'klpscan.rss'))} / {mib(num(d, 'batch.rss'))} / "
              f"{mib(num(d, 'drgn.' + core + '.rss'))} |")
    print()


def pertask_table(dumps):
    print("### Per task\n")
    print("klpscan: wall of the walk less the fixed cost of a run (the "
          "`--read-floor` run's wall less its task loop, same repetition), "
          "÷ tasks, median over the repetitions; read floor: `--read-floor`'s "
          "task loop (each task's facts and whole stack, read from the dump, "
          "no walk) ÷ tasks.  In one crash session: `klpstack` = (all tasks − "
          "one task) ÷ (tasks − 1), median of the rounds; `foreach bt` = its "
          "time ÷ the tasks it printed.  drgn: drgn_walk.py's walk phase "
          "(`for_each_task` + `stack_trace`) ÷ tasks.\n")
    print("| dump | tasks | klpscan | read floor | klpscan ÷ floor | klpstack in crash | "
          "÷ klpscan | `foreach bt` | ÷ klpscan | drgn | ÷ klpscan | klpscan fixed |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for d in dumps:
        n = tasks_of(d)
        k = klpscan_per_task(d)
        f = floor_per_task(d)
        esc = num(d, "session.noop") or 0.0
        ks = per_task(d, "Kall", "K1", num(d, "session.tasks.klpstack"))
        if ks is not None and ks <= 0:
            ks = None
        bt = num(d, "session.bt")
        nbt = num(d, "session.tasks.bt")
        bt_pt = max(bt - esc, 0.0) / nbt if bt is not None and nbt else None
        kv = drgn_kv(d)
        dr = float(kv["walk"]) / int(kv["tasks"]) if kv and int(kv.get("tasks", 0)) else None

        def us(x):
            return fmt_ms(None if x is None else x * 1000)
        print(f"| {d.get('name')} | {n or 'n/a'} | {us(k)} | {us(f)} | "
              f"{'n/a' if not k or not f else f'{k / f:.2f}×'} | {us(ks)} | {ratio(ks, k)} | "
              f"{us(bt_pt)} | {ratio(bt_pt, k)} | {us(dr)} | {ratio(dr, k)} | "
              f"{fmt_s(klpscan_fixed(d))} |")
    print()


def session_table(dumps):
    print("### 1. One crash session: `foreach bt` vs `klpstack` vs `klpstack -R`\n")
    print("Times: fastest of the repetitions, less the cost of a bare `!date` "
          "escape.  \"fixed\" = the same command on one task (`klpstack 1`, "
          "`klpstack -R 1`); \"per task\" = median over the repetitions of "
          "(all − one) / (tasks − 1); `foreach bt` per task = its time / the tasks "
          "crash sees.  n/a per task: below the timing noise.\n")
    print("| dump | tasks klpstack / bt | `foreach bt` | bt per task | `klpstack` | "
          "fixed | per task | `klpstack -R` | fixed | per task | bt ÷ klpstack per task | "
          "-R ÷ klpstack per task |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for d in dumps:
        name = d.get("name", "?")
        if d.get("arch") == "s390x":
            name += " (crash under qemu-user)"
        if "session.error" in d or num(d, "session.Kall") is None:
            why = d.get("session.error", "no session figures")
            print(f"| {name} | {why} |" + " |" * 10)
            continue
        esc = num(d, "session.noop") or 0.0

        def t(k):
            v = num(d, "session." + k)
            return None if v is None else max(v - esc, 0.0)
        n = num(d, "session.tasks.klpstack")
        nbt = num(d, "session.tasks.bt")
        bt, k1, kall, r1, rall = t("bt"), t("K1"), t("Kall"), t("R1"), t("Rall")
        bt_pt = bt / nbt if bt is not None and nbt else None
        k_pt = per_task(d, "Kall", "K1", n)
        r_pt = per_task(d, "Rall", "R1", n)
        # A median below zero is noise around a cost too small to see.
        if k_pt is not None and k_pt <= 0:
            k_pt = None
        if r_pt is not None and r_pt < 0:
            r_pt = 0.0
        print(f"| {name} | {n and int(n)} / {nbt and int(nbt)} | {fmt_s(bt)} | "
              f"{fmt_ms(None if bt_pt is None else bt_pt * 1000)} | {fmt_s(kall)} | "
              f"{fmt_s(k1)} | {fmt_ms(None if k_pt is None else k_pt * 1000)} | "
              f"{fmt_s(rall)} | {fmt_s(r1)} | "
              f"{fmt_ms(None if r_pt is None else r_pt * 1000)} | "
              f"{ratio(bt_pt, k_pt)} | "
              f"{'n/a' if r_pt is None or not k_pt else f'{100 * r_pt / k_pt:.0f} %'} |")
    print()


def batch_table(dumps):
    print("### 2. klpscan vs crash batch mode (whole process, `/usr/bin/time -v`)\n")
    print("| dump | vmcore | klpscan wall | tasks/s | peak RSS | klpscan -j 2 wall | "
          "crash batch wall | tasks/s | peak RSS | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for d in dumps:
        name = d.get("name", "?")
        size = num(d, "vmcore.bytes")
        kw, kn = num(d, "klpscan.wall"), num(d, "klpscan.tasks")
        bw, bn = num(d, "batch.wall"), num(d, "batch.tasks")
        note = " (crash under qemu-user)" if d.get("arch") == "s390x" and bw else ""
        berr = d.get("batch.error")
        print(f"| {name} | {mib(size / 1024 if size else None)} | {fmt_s(kw)} | "
              f"{'n/a' if not kw or not kn else f'{kn / kw:.0f}'} | {mib(num(d, 'klpscan.rss'))} | "
              f"{fmt_s(num(d, 'klpscan.wall.j2'))} | "
              f"{berr or fmt_s(bw) + note} | "
              f"{'n/a' if not bw or not bn else f'{bn / bw:.1f}'} | {mib(num(d, 'batch.rss'))} | "
              f"{ratio(bw, kw)} |")
    print()


def callgrind_table(dumps):
    rows = [d for d in dumps if num(d, "callgrind.ir")]
    print("### 3. klpscan instruction counts (`valgrind --tool=callgrind`)\n")
    if not rows:
        print("Not taken (NO_CALLGRIND, or valgrind missing).\n")
        return
    print("| dump | tasks | total Ir | open dump + debug info | probe kernel "
          "(`ks_kernel_open`) | task list + walks | steady per task | "
          "read floor per task | walk ÷ floor |")
    print("|---|---|---|---|---|---|---|---|---|")
    for d in rows:
        ir = num(d, "callgrind.ir")
        st = d.get("callgrind.steady", "").split()
        per = f"{int(st[0]) / int(st[1]) / 1e3:.0f} k Ir ({st[1]} tasks)" if len(st) == 2 else "n/a"
        # the thread-list loop alone (visit_thread), walk and --read-floor
        lw, lf = num(d, "callgrind.loop.walk"), num(d, "callgrind.loop.floor")
        floor = ratio_fl = "n/a"
        if len(st) == 2 and lw and lf:
            floor = f"{lf / int(st[1]) / 1e3:.0f} k Ir"
            ratio_fl = f"{lw / lf:.2f}x"

        def g(k):
            v = num(d, "callgrind.fn." + k)
            return "n/a" if v is None else f"{v / 1e6:.0f} M ({100 * v / ir:.0f} %)"
        print(f"| {d.get('name')} | {int(num(d, 'klpscan.tasks') or 0)} | {ir / 1e6:.0f} M | "
              f"{g('ks_dump_open')} | {g('ks_kernel_open')} | {g('ks_task_foreach_checked')} | {per} | "
              f"{floor} | {ratio_fl} |")
    print()


def drgn_table(dumps):
    print("### 4. drgn (all tasks' stack traces, drgn's own unwinder)\n")
    print("| dump | drgn | file | result | whole process (fastest) | peak RSS |")
    print("|---|---|---|---|---|---|")
    for d in dumps:
        for core in ("vmcore.elf", "vmcore"):
            v = d.get("drgn." + core)
            if v is None:
                continue
            if v.startswith("tasks "):
                w = v.split()
                kv = dict(zip(w[0::2], w[1::2]))
                v = (f"{kv.get('tasks')} tasks, {kv.get('frames')} frames, "
                     f"{kv.get('errors')} errors: open {kv.get('open')} s, walk {kv.get('walk')} s")
            print(f"| {d.get('name')} | {d.get('drgn.version', '?')} | {core} | {v} | "
                  f"{fmt_s(num(d, 'drgn.' + core + '.wall'))} | "
                  f"{mib(num(d, 'drgn.' + core + '.rss'))} |")
    print()


def fit(points):
    """Least squares time = a + b * tasks; None with fewer than 2 points."""
    pts = [(x, y) for x, y in points if x is not None and y is not None]
    if len(pts) < 2:
        return None
    n = len(pts)
    mx = sum(x for x, _ in pts) / n
    my = sum(y for _, y in pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    if sxx == 0:
        return None
    b = sum((x - mx) * (y - my) for x, y in pts) / sxx
    return my - b * mx, b


def scaling_table(dumps):
    print("### 5. Growth with the task count\n")
    # One guest set-up, only the task count changes (bench/mkdump-many.sh);
    # the e2e dumps run other scenarios (tracers on) and stay out of the fit.
    rows = [d for d in dumps if d.get("name", "").startswith("x86_64-many-")
            and num(d, "klpscan.tasks")]
    rows.sort(key=lambda d: num(d, "klpscan.tasks"))
    if len(rows) < 2:
        print("No series of dumps that differ only in the task count "
              "(make one with bench/mkdump-many.sh): not measured.\n")
        return
    print("Dumps of one guest set-up that differ only in the number of parked "
          "threads (bench/mkdump-many.sh), all measured.\n")
    print("| dump | tasks | klpscan wall | peak RSS | crash session `klpstack` | "
          "`klpstack -R` | crash batch wall | crash batch RSS |")
    print("|---|---|---|---|---|---|---|---|")
    series = {"klpscan": [], "klpstack": [], "-R": [], "batch": [], "ir": []}
    for d in rows:
        n = num(d, "klpscan.tasks")
        esc = num(d, "session.noop") or 0.0

        def sess(k):
            v = num(d, "session." + k)
            return None if v is None else max(v - esc, 0.0)
        kw, kall, rall, bw = num(d, "klpscan.wall"), sess("Kall"), sess("Rall"), num(d, "batch.wall")
        series["klpscan"].append((n, kw))
        series["klpstack"].append((n, kall))
        series["-R"].append((n, rall))
        series["batch"].append((n, bw))
        if num(d, "callgrind.ir"):
            series["ir"].append((n, num(d, "callgrind.ir")))
        print(f"| {d.get('name')} | {int(n)} | {fmt_s(kw)} | {mib(num(d, 'klpscan.rss'))} | "
              f"{d.get('session.error') or fmt_s(kall)} | {fmt_s(rall)} | "
              f"{d.get('batch.error') or fmt_s(bw)} | {mib(num(d, 'batch.rss'))} |")
    print()
    print("Straight-line fit over these rows, time = fixed + tasks × per task:\n")
    print("| what | fixed | per task | at 5000 tasks |")
    print("|---|---|---|---|")
    for key, label in (("klpscan", "klpscan (whole process)"),
                       ("klpstack", "`klpstack` in a crash session"),
                       ("-R", "`klpstack -R` in a crash session"),
                       ("batch", "crash batch (whole process)")):
        f = fit(series[key])
        if f is None:
            print(f"| {label} | n/a | n/a | n/a |")
            continue
        a, b = f
        print(f"| {label} | {fmt_s(max(a, 0.0))} | {fmt_ms(b * 1000)} | {fmt_s(a + 5000 * b)} |")
    f = fit(series["ir"])
    if f is not None:
        a, b = f
        print(f"| klpscan instructions (callgrind, {len(series['ir'])} dumps) | "
              f"{a / 1e6:.0f} M Ir | {b / 1e3:.0f} k Ir | {(a + 5000 * b) / 1e6:.0f} M Ir |")
    print()


def main():
    if len(sys.argv) < 3:
        print("usage: table.py MACHINE.res DUMP.res...", file=sys.stderr)
        return 2
    m = load(sys.argv[1])
    dumps = [load(p) for p in sys.argv[2:]]
    print(f"Machine: {m.get('cpus', '?')} CPUs ({m.get('model', '?')}), "
          f"{m.get('mem', '?')}; load average at the start {m.get('load.start', '?')}, "
          f"at the end {m.get('load', '?')}; {m.get('date.start', '')} to "
          f"{m.get('date', '')}; {m.get('reps', '')}\n")
    print(f"crash {m.get('crash', '?')}; drgn {m.get('drgn') or 'not run'}\n")
    overview_table(dumps)
    pertask_table(dumps)
    session_table(dumps)
    batch_table(dumps)
    callgrind_table(dumps)
    drgn_table(dumps)
    scaling_table(dumps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
