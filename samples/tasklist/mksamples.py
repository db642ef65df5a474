#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the task-list samples: the kernel's own lists (rq->idle of every
possible CPU, init_task.tasks, each group's thread_group) in memory, laid
out as a 6.1 x86_64 kernel keeps them, healthy or damaged, with what the
walk and its cross-checks (idle task per possible CPU, no task twice,
nr_threads) must conclude.

    python3 samples/tasklist/mksamples.py samples/tasklist
"""
import os
import sys

TASKS, THREAD_GROUP, PID, TGID, COMM, STACK, THREAD = 0x10, 0x20, 0x30, 0x34, 0x40, 0x50, 0x100
# signal->thread_head / task->thread_node (3.14's for_each_thread())
SIGNAL, THREAD_NODE, THREAD_HEAD = 0x60, 0x70, 0x10
SP = 0x8
RQ_IDLE = 0x18
INIT_TASK = 0xffffffff82000000
PER_CPU_OFFSET = 0xffffffff82100000
NR_CPU_IDS = 0xffffffff82100100
NR_THREADS = 0xffffffff82100108
POSSIBLE = 0xffffffff82100110
ONLINE = 0xffffffff82100118
RUNQUEUES = 0x30000
PCPU_BASE = 0xffff888100000000


def task_addr(i):
    return 0xffff888003000000 + i * 0x1000


def signal_addr(pid):
    return 0xffff888004000000 + pid * 0x1000


class Kernel:
    """Tasks: name -> (addr, pid, tgid, comm).  Lists are given as
    the order of next pointers; a list that does not come back to its
    head is what the scenario wants."""

    def __init__(self):
        self.lines = []
        self.tasks = {}

    def task(self, name, addr, pid, tgid, comm):
        self.tasks[name] = addr
        self.lines.append(f"mem32 {addr + PID:#x} {pid} {tgid}")
        raw = comm.encode().ljust(16, bytes(1)).hex()
        self.lines.append(f"bytes {addr + COMM:#x} {raw}")
        self.lines.append(f"mem {addr + STACK:#x} 0")
        self.lines.append(f"mem {addr + THREAD + SP:#x} 0")

    def link(self, off, nodes):
        """nodes: addresses of list_heads, in next order; the last one's
        next is the first one (a circular list) unless given explicitly."""
        for a, b in zip(nodes, nodes[1:] + nodes[:1]):
            self.lines.append(f"mem {a + off:#x} {b + off:#x}")


def build(scn):
    k = Kernel()
    ncpu = scn.get("cpus", 2)
    k.task("init", INIT_TASK, 0, 0, "swapper/0")
    idles = [INIT_TASK]
    for c in range(1, ncpu):
        a = task_addr(100 + c)
        k.task(f"idle{c}", a, 0, 0, f"swapper/{c}")
        idles.append(a)
    for c, a in scn.get("idle_override", {}).items():
        idles[c] = a
    # processes: pid -> list of thread pids (leader first)
    groups = scn.get("groups", {1: [1], 2: [2, 20, 21], 3: [3]})
    leaders = []
    for pid, threads in groups.items():
        for t in threads:
            k.task(f"t{t}", task_addr(t), t, pid, f"task-{t}")
        leaders.append(task_addr(pid))
        if scn.get("thread_head"):
            # thread_node: circular through signal->thread_head, next and
            # prev, in list order (the leader first unless exec moved it)
            sig = signal_addr(pid)
            order = scn.get("thread_order", {}).get(pid, threads)
            nodes = [sig + THREAD_HEAD] + [task_addr(t) + THREAD_NODE for t in order]
            for i, n in enumerate(nodes):
                k.lines.append(f"mem {n:#x} {nodes[(i + 1) % len(nodes)]:#x} {nodes[i - 1]:#x}")
            for t in threads:
                k.lines.append(f"mem {task_addr(t) + SIGNAL:#x} {sig:#x}")
        else:
            # thread_group: circular through the leader's own node
            k.link(THREAD_GROUP, [task_addr(t) for t in threads])
    tasks_order = scn.get("tasks_order", [INIT_TASK] + leaders)
    if scn.get("tasks_next"):
        for a, b in scn["tasks_next"]:
            k.lines.append(f"mem {a + TASKS:#x} {b + TASKS:#x}")
    else:
        k.link(TASKS, tasks_order)
    nthreads = sum(len(t) for t in groups.values())
    offs = [PCPU_BASE + c * 0x100000 for c in range(ncpu)]
    for c, o in scn.get("offset_override", {}).items():
        offs[c] = o
    mem = [f"mem {PER_CPU_OFFSET:#x} " + " ".join(f"{o:#x}" for o in offs)]
    for c in range(ncpu):
        if c in scn.get("rq_missing", ()):
            continue
        base = PCPU_BASE + c * 0x100000 + RUNQUEUES
        mem.append(f"mem {base + RQ_IDLE:#x} {idles[c]:#x}")
    possible = scn.get("possible", (1 << ncpu) - 1)
    online = scn.get("online", possible)
    mem.append(f"mem32 {NR_CPU_IDS:#x} {ncpu}")
    mem.append(f"mem32 {NR_THREADS:#x} {scn.get('nr_threads', nthreads)}")
    mem.append(f"mem {POSSIBLE:#x} {possible:#x}")
    mem.append(f"mem {ONLINE:#x} {online:#x}")

    head = [
        "# SPDX-License-Identifier: GPL-2.0-or-later",
        f"# x86_64 6.1 task lists: {scn['title']}",
        "#",
    ] + [f"# {l}" for l in scn["why"]] + [
        "# (Written by samples/tasklist/mksamples.py.)",
        "",
        "arch x86_64",
        "kernel 6.1.115",
        "",
        f"sym init_task {INIT_TASK:#x} 0x2000 data",
        f"sym __per_cpu_offset {PER_CPU_OFFSET:#x} 0x100 data",
        f"sym nr_cpu_ids {NR_CPU_IDS:#x} 4 data",
    ]
    if not scn.get("no_nr_threads"):
        head.append(f"sym nr_threads {NR_THREADS:#x} 4 data")
    if not scn.get("no_masks"):
        head.append(f"sym __cpu_possible_mask {POSSIBLE:#x} 8 data")
        head.append(f"sym __cpu_online_mask {ONLINE:#x} 8 data")
    head += [
        f"sym runqueues {RUNQUEUES:#x} 0x1000 data",
        "",
        f"member task_struct tasks {TASKS:#x}",
    ]
    if scn.get("thread_head"):
        head += [
            f"member task_struct signal {SIGNAL:#x} 8",
            f"member task_struct thread_node {THREAD_NODE:#x}",
            f"member signal_struct thread_head {THREAD_HEAD:#x}",
        ]
    else:
        head.append(f"member task_struct thread_group {THREAD_GROUP:#x}")
    head += [
        f"member task_struct pid {PID:#x} 4",
        f"member task_struct tgid {TGID:#x} 4",
        f"member task_struct comm {COMM:#x} 16",
        f"member task_struct stack {STACK:#x} 8",
        f"member task_struct thread {THREAD:#x}",
        f"member thread_struct sp {SP:#x} 8",
        f"member rq idle {RQ_IDLE:#x} 8",
        "",
    ]
    exp = scn["expect"]
    return "\n".join(head + mem + [""] + k.lines + ["", exp, ""])


SCENARIOS = {
    "healthy": dict(
        title="healthy, 2 CPUs, 3 processes, 5 threads",
        why=["Every possible CPU's idle task (init_task is CPU 0's), then every",
             "thread of every group, each once; nr_threads (5) agrees."],
        expect="expect-tasklist tasks=7 status=ok pids=0,0,1,2,20,21,3"),
    "empty-list": dict(
        title="init_task.tasks points to itself",
        why=["A damaged init_task.tasks that points back to itself looks like",
             "a system with no processes; nr_threads says 59.  Without the check",
             "the scan said 'healthy, 2 tasks'."],
        tasks_order=[INIT_TASK], nr_threads=59,
        expect="expect-tasklist tasks=2 status=error match=59+tasks+are+missing"),
    "wild-percpu-offset": dict(
        title="a wild __per_cpu_offset[1]",
        why=["CPU 1's per-CPU offset points nowhere readable: its runqueue and idle",
             "task cannot be read.  Without the check the idle task was dropped",
             "silently."],
        offset_override={1: 0x4141414141414141},
        expect="expect-tasklist tasks=6 status=error match=CPU+1:+runqueue"),
    "list-loop": dict(
        title="init_task.tasks loops back to a task, not to its head",
        why=["The last group's next pointer goes back to the first group: the",
             "walk would go round again (Brent's check needs about twice the loop",
             "to notice).  Every task is reported once, then the loop is an error."],
        tasks_next=[(INIT_TASK, task_addr(1)), (task_addr(1), task_addr(2)),
                    (task_addr(2), task_addr(3)), (task_addr(3), task_addr(1))],
        expect="expect-tasklist tasks=7 status=error match=met+twice pids=0,0,1,2,20,21,3"),
    "thread-loop": dict(
        title="a thread_group list that loops through another group's thread",
        why=["Thread 21's thread_group next goes to thread 20 instead of back to",
             "the leader: thread 20 would be listed again and again."],
        groups={1: [1], 2: [2, 20, 21], 3: [3]},
        expect="expect-tasklist tasks=7 status=error match=loop pids=0,0,1,2,20,21,3",
        post=[(THREAD_GROUP, task_addr(21), task_addr(20))]),
    "nr-threads-off-by-one": dict(
        title="nr_threads one more than the lists hold",
        why=["A fork caught between adding the task to the lists and counting it",
             "(or the other way round): a warning, not an error."],
        nr_threads=6,
        expect="expect-tasklist tasks=7 status=warning match=nr_threads+says+6"),
    "nr-threads-high": dict(
        title="the lists hold far more threads than nr_threads",
        why=["The lists link into memory that is not the task list."],
        nr_threads=1,
        expect="expect-tasklist tasks=7 status=error match=nr_threads+says+only+1"),
    "idle-shared": dict(
        title="two CPUs with the same idle task",
        why=["rq->idle of CPU 1 is init_task, CPU 0's: one idle task is missing."],
        idle_override={1: INIT_TASK},
        expect="expect-tasklist tasks=6 status=error match=another+CPU's"),
    "idle-null-online": dict(
        title="an online CPU without an idle task",
        why=["CPU 1 is online, its rq->idle is NULL: a damaged runqueue."],
        idle_override={1: 0},
        expect="expect-tasklist tasks=6 status=error match=online+but"),
    "idle-null-possible": dict(
        title="a possible CPU never brought up",
        why=["CPU 2 is possible, not online, and has no idle task: said, not an",
             "error."],
        cpus=3, possible=0b111, online=0b011, idle_override={2: 0},
        expect="expect-tasklist tasks=7 status=warning match=CPU+2:+no+idle+task"),
    "not-possible": dict(
        title="a CPU below nr_cpu_ids that is not possible",
        why=["CPU 1 is not in cpu_possible_mask; its per-CPU area does not exist",
             "and is not read."],
        possible=0b01, online=0b01, offset_override={1: 0x4141414141414141},
        expect="expect-tasklist tasks=6 status=ok pids=0,1,2,20,21,3"),
    "thread-head": dict(
        title="threads on signal->thread_head, each leader first",
        why=["The thread lists of 3.14+ kernels: each leader's thread_node.prev is",
             "its signal_struct's thread_head, so the walk starts at the leader and",
             "never reads signal_struct (a page of its own per process)."],
        thread_head=True,
        expect="expect-tasklist tasks=7 status=ok pids=0,0,1,2,20,21,3"),
    "thread-head-exec": dict(
        title="threads on signal->thread_head, a leader not first",
        why=["After a thread's exec (de_thread()) the new leader keeps its place:",
             "thread 20 comes before leader 2.  Starting at the leader would lose",
             "thread 20; the walk starts at signal->thread_head instead."],
        thread_head=True, thread_order={2: [20, 2, 21]},
        expect="expect-tasklist tasks=7 status=ok pids=0,0,1,20,2,21,3"),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__)
    for name, scn in SCENARIOS.items():
        text = build(scn)
        for off, a, b in scn.get("post", ()):
            # replace the next pointer of node a at off
            key = f"mem {a + off:#x} "
            text = "\n".join(l if not l.startswith(key) else f"{key}{b + off:#x}"
                             for l in text.split("\n"))
        with open(os.path.join(out, name + ".sample"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
