#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Writes the livepatch triage samples (samples/livepatch/*.sample): small
# kernel images with task stacks and the livepatch state in memory
# (klp_patches, klp_transition_patch, klp_target_state, klp_ops and the
# klp_patch / klp_object / klp_func structures), each task with the answer
# klp_try_switch_task() would give.  Stacks, ORC entries, back chains and
# livepatch structures are laid out together here so they always agree.
# Run it only to change the samples:
#   python3 samples/livepatch/mksamples.py samples/livepatch
#
# Layouts (x86_64 and s390x, LP64):
#   6.1 .. 6.18 (5.1+ dynamic lists, include/linux/livepatch.h):
#     klp_func   old_name 0, new_func 8, old_sympos 16, old_func 24,
#                kobj 32 (64 bytes), node 96, stack_node 112, old_size 128,
#                new_size 136, nop 144, patched 145, transition 146; 152
#     klp_object name 0, funcs 8, callbacks 16, kobj 56, func_list 120,
#                node 136, mod 152, dynamic 160, patched 161; 168
#     klp_patch  mod 0, objs 8, states 16, replace 24, list 32, kobj 48,
#                obj_list 112, enabled 128, forced 129, free_work 136,
#                finish 168; 200
#   5.0 (static arrays, unsigned long old_addr):
#     klp_func   old_name 0, new_func 8, old_sympos 16, old_addr 24,
#                kobj 32, stack_node 96, old_size 112, new_size 120,
#                patched 128, transition 129; 136
#     klp_object name 0, funcs 8, callbacks 16, kobj 56, mod 120,
#                patched 128; 136
#     klp_patch  mod 0, objs 8, list 16, kobj 32, enabled 96, finish 104;
#                136
#   klp_ops (kernel/livepatch/patch.h): node 0, func_stack 16.
#   struct module: list 8, name 24.
#
# x86_64 stacks: thread.sp points at struct inactive_task_frame (56 bytes,
# ret_addr at 48); every function has one ORC entry "call, sp + frame
# size" (the return address is the word below the caller's sp); user
# tasks end at entry_SYSCALL_64_after_hwframe (ORC REGS) with user
# pt_regs (168 bytes) at the stack top, kthreads at ret_from_fork (end
# bit, < 6.5) or ret_from_fork_asm (END_OF_STACK, 6.5+).
# s390x stacks: packed struct stack_frame (back_chain 152, r14 at 136,
# r15 at 144); the frame at thread.ksp holds the return address into
# __schedule; the outermost frame has a zero back chain and the final
# pt_regs (200 bytes) sit above it at the stack top.

import os
import sys

# "expect-klp ... pending=0|1" (TIF_PATCH_PENDING as the report shows
# it) needs a loader that knows the key; off until it does.
EXPECT_PENDING = os.environ.get("KLP_EXPECT_PENDING", "1") == "1"

# ---------------------------------------------------------------- output


def hx(v):
    return "0x%x" % (v & 0xffffffffffffffff)


def cstr(s):
    return (s.encode() + b"\0").hex()


class Lines:
    def __init__(self):
        self.out = []

    def add(self, line=""):
        self.out.append(line)

    def comment(self, text):
        for l in text.strip("\n").split("\n"):
            self.out.append(("# " + l).rstrip())

    def word(self, addr, val, note=""):
        self.add("mem %s %s%s" % (hx(addr), hx(val), ("  # " + note) if note else ""))

    def words(self, addr, vals, note=""):
        self.add("mem %s %s%s" % (hx(addr), " ".join(hx(v) for v in vals),
                                  ("  # " + note) if note else ""))

    def word32(self, addr, val, note=""):
        self.add("mem32 %s %s%s" % (hx(addr), hx(val & 0xffffffff),
                                    ("  # " + note) if note else ""))

    def raw(self, addr, hexstr, note=""):
        self.add("bytes %s %s%s" % (hx(addr), hexstr, ("  # " + note) if note else ""))


# ------------------------------------------------------- livepatch layouts

LAYOUT_DYN = dict(
    func=dict(old_name=0, new_func=8, old_sympos=16, old_func=24, node=96,
              stack_node=112, old_size=128, new_size=136, nop=144,
              patched=145, transition=146),
    func_size=152,
    obj=dict(name=0, funcs=8, func_list=120, node=136, mod=152, dynamic=160,
             patched=161),
    obj_size=168,
    patch=dict(mod=0, objs=8, states=16, replace=24, list=32, obj_list=112,
               enabled=128, forced=129),
    patch_size=200,
)

LAYOUT_50 = dict(
    func=dict(old_name=0, new_func=8, old_sympos=16, old_addr=24,
              stack_node=96, old_size=112, new_size=120, patched=128,
              transition=129),
    func_size=136,
    obj=dict(name=0, funcs=8, mod=120, patched=128),
    obj_size=136,
    patch=dict(mod=0, objs=8, list=16, enabled=96),
    patch_size=136,
)

KLP_IDLE, KLP_UNPATCHED, KLP_PATCHED = -1, 0, 1


class Func:
    """A klp_func: old_name, the old function (name in the image or an
    explicit address/size) and the replacement in the livepatch module."""

    def __init__(self, old_name, new_name, old=None, nop=False):
        self.old_name, self.new_name, self.old = old_name, new_name, old
        # a nop (atomic replace, 5.1+): allocated by the kernel, on
        # func_list only; klp_init_object_loaded() sets new_func =
        # old_func, so its "replacement" is the original function
        self.nop = nop
        self.addr = 0


class Obj:
    def __init__(self, name, funcs, patched=True):
        self.name, self.funcs, self.patched = name, funcs, patched
        self.addr = 0


class Patch:
    def __init__(self, module, objs, enabled=True, replace=False):
        self.module, self.objs, self.enabled = module, objs, enabled
        self.replace = replace
        self.addr = 0
        self.mod_addr = 0


class Livepatch:
    """Writes klp_patches (with the patches in order), the transition,
    klp_target_state and klp_ops.  ops: {old function name: [klp_func,
    top of func_stack first]} is derived from the patches whose objects
    are patched, in klp_patches order (a later patch stacks on top)."""

    def __init__(self, img, layout, patches, transition, target,
                 data_base, heap_base, loop_patches=False,
                 unreadable_func=None):
        self.img, self.l, self.patches = img, layout, patches
        self.transition, self.target = transition, target
        self.data, self.heap = data_base, heap_base
        self.loop_patches = loop_patches
        self.unreadable_func = unreadable_func

    def members(self, out):
        l = self.l
        for k, v in l["func"].items():
            out.add("member klp_func %s %d" % (k, v))
        out.add("type klp_func %d" % l["func_size"])
        for k, v in l["obj"].items():
            out.add("member klp_object %s %d" % (k, v))
        out.add("type klp_object %d" % l["obj_size"])
        for k, v in l["patch"].items():
            out.add("member klp_patch %s %d" % (k, v))
        out.add("type klp_patch %d" % l["patch_size"])
        out.add("member klp_ops node 0")
        out.add("member klp_ops func_stack 16")
        out.add("member module name 24")

    def write(self, out):
        img, l = self.img, self.l
        dyn = "obj_list" in l["patch"]
        fo, oo, po = l["func"], l["obj"], l["patch"]
        old_key = "old_func" if "old_func" in fo else "old_addr"
        cur = self.data
        strings = []

        def alloc(n):
            nonlocal cur
            a = cur
            cur += (n + 0x3f) & ~0x3f
            return a

        def string(s):
            a = alloc(len(s) + 1)
            strings.append((a, s))
            return a

        # addresses first: patch, objects (array), funcs (array per object)
        for p in self.patches:
            p.addr = alloc(l["patch_size"])
            # the livepatch module's struct module: the one on the
            # modules list when the image has it
            p.mod_addr = img.module_struct(p.module) or alloc(0x80)
            p.own_mod = not img.module_struct(p.module)
            p.objs_addr = alloc(l["obj_size"] * (len(p.objs) + 1))
            for i, o in enumerate(p.objs):
                o.addr = p.objs_addr + i * l["obj_size"]
                o.static = [f for f in o.funcs if not f.nop]
                o.funcs_addr = alloc(l["func_size"] * (len(o.static) + 1))
                for j, f in enumerate(o.static):
                    f.addr = o.funcs_addr + j * l["func_size"]
                for f in o.funcs:
                    if f.nop:
                        f.addr = alloc(l["func_size"])
        head = img.sym_addr("klp_patches")
        out.add()
        out.add("# ---- livepatch state ----")
        # klp_patches: circular list through klp_patch.list
        nodes = [p.addr + po["list"] for p in self.patches]
        ring = [head] + nodes
        for i, a in enumerate(ring):
            nxt = ring[(i + 1) % len(ring)]
            prv = ring[i - 1]
            if self.loop_patches and i == len(ring) - 1:
                nxt = ring[1]  # the last patch points back at the first
            what = "LIST_HEAD(klp_patches)" if i == 0 else \
                "%s: klp_patch.list" % self.patches[i - 1].module
            out.words(a, [nxt, prv], what + (" (loops back to the first patch)"
                                              if self.loop_patches and i == len(ring) - 1 else ""))
        tp = self.transition.addr if self.transition else 0
        out.word(img.sym_addr("klp_transition_patch"), tp, "klp_transition_patch")
        out.word32(img.sym_addr("klp_target_state"), self.target,
                   "klp_target_state (%s)" % {-1: "IDLE", 0: "UNPATCHED", 1: "PATCHED"}[self.target])
        for p in self.patches:
            out.add("# patch %s: struct klp_patch at %s" % (p.module, hx(p.addr)))
            out.word(p.addr + po["mod"], p.mod_addr, "klp_patch.mod")
            out.word(p.addr + po["objs"], p.objs_addr, "klp_patch.objs")
            out.raw(p.addr + po["enabled"], "01" if p.enabled else "00", "klp_patch.enabled")
            if p.replace:
                out.raw(p.addr + po["replace"], "01", "klp_patch.replace")
            if p.own_mod:
                out.raw(p.mod_addr + 24, cstr(p.module), "struct module.name")
            if dyn:
                objn = [o.addr + oo["node"] for o in p.objs]
                ring = [p.addr + po["obj_list"]] + objn
                for i, a in enumerate(ring):
                    out.words(a, [ring[(i + 1) % len(ring)], ring[i - 1]],
                              "klp_patch.obj_list" if i == 0 else
                              "klp_object.node (%s)" % (p.objs[i - 1].name or "vmlinux"))
            for o in p.objs:
                oname = o.name or "vmlinux"
                out.add("# object %s of %s: struct klp_object at %s" % (oname, p.module, hx(o.addr)))
                out.word(o.addr + oo["name"], string(o.name) if o.name else 0,
                         "klp_object.name" + ("" if o.name else " (NULL: vmlinux)"))
                out.word(o.addr + oo["funcs"], o.funcs_addr, "klp_object.funcs")
                out.raw(o.addr + oo["patched"], "01" if o.patched else "00",
                        "klp_object.patched")
                if dyn:
                    fn = [f.addr + fo["node"] for f in o.funcs]
                    ring = [o.addr + oo["func_list"]] + fn
                    for i, a in enumerate(ring):
                        out.words(a, [ring[(i + 1) % len(ring)], ring[i - 1]],
                                  "klp_object.func_list" if i == 0 else
                                  "klp_func.node (%s)" % o.funcs[i - 1].old_name)
                for f in o.funcs:
                    if f is self.unreadable_func:
                        out.add("# klp_func %s at %s: not in the dump" % (f.old_name, hx(f.addr)))
                        continue
                    if o.patched:
                        oa, osz = img.func_range(f.old) if isinstance(f.old, str) else f.old
                    else:
                        # klp_free_object_loaded(): old_func = NULL once
                        # the module is gone; the sizes stay
                        oa, osz = 0, (f.old[1] if isinstance(f.old, tuple) else 0x200)
                    na, nsz = img.func_range(f.new_name)
                    out.add("# klp_func %s -> %s%s" % (f.old_name, f.new_name,
                                                      " (nop, dynamic)" if f.nop else ""))
                    out.words(f.addr + fo["old_name"], [string(f.old_name), na, 0, oa],
                              "old_name, new_func, old_sympos, %s" % old_key)
                    out.words(f.addr + fo["old_size"], [osz, nsz], "old_size, new_size")
                    out.raw(f.addr + fo["patched"], "01" if o.patched else "00", "klp_func.patched")
                    if f.nop:
                        out.raw(f.addr + fo["nop"], "01", "klp_func.nop")
            # the static arrays end with a zeroed entry
            end_obj = p.objs_addr + len(p.objs) * l["obj_size"]
            out.words(end_obj, [0, 0], "objs[] terminator (name, funcs = NULL)")
            for o in p.objs:
                end_f = o.funcs_addr + len(o.static) * l["func_size"]
                out.words(end_f, [0, 0, 0], "funcs[] terminator (old_name, new_func, old_sympos = 0)")
        for a, s in strings:
            out.raw(a, cstr(s), '"%s"' % s)
        # klp_ops: one per old function, func_stack newest first
        stacks = {}
        order = []
        for p in self.patches:
            for o in p.objs:
                if not o.patched:
                    continue
                for f in o.funcs:
                    key = f.old if isinstance(f.old, str) else f.old[0]
                    if key not in stacks:
                        stacks[key] = []
                        order.append(key)
                    stacks[key].insert(0, f)
        head = img.sym_addr("klp_ops")
        opsaddr = [self.heap + i * 0x100 for i in range(len(order))]
        ring = [head] + opsaddr
        out.add("# klp_ops (static LIST_HEAD in patch.c), one per patched function")
        for i, a in enumerate(ring):
            out.words(a, [ring[(i + 1) % len(ring)], ring[i - 1]],
                      "LIST_HEAD(klp_ops)" if i == 0 else "klp_ops.node (%s)" % order[i - 1])
        for i, key in enumerate(order):
            fs = stacks[key]
            h = opsaddr[i] + 16
            ring = [h] + [f.addr + fo["stack_node"] for f in fs]
            for j, a in enumerate(ring):
                out.words(a, [ring[(j + 1) % len(ring)], ring[j - 1]],
                          "klp_ops.func_stack (%s)" % key if j == 0 else
                          "klp_func.stack_node (%s of %s)" % (fs[j - 1].old_name, fs[j - 1].new_name))


# ------------------------------------------------------------------ x86_64

X86_TEXT = 0xffffffff81000000
X86_DATA = 0xffffffff82a00000
X86_STACKS = 0xffffc90000010000
X86_TASKS = 0xffff888003000000
X86_HEAP = 0xffff888006000000
X86_MODTEXT = 0xffffffffc0a00000
X86_MODDATA = 0xffffffffc0f00000
PT_REGS = 168
REGS = dict(r15=0, r14=8, r13=16, r12=24, bp=32, bx=40, r11=48, r10=56,
            r9=64, r8=72, ax=80, cx=88, dx=96, si=104, di=112, orig_ax=120,
            ip=128, cs=136, flags=144, sp=152, ss=160)
PATCH_STATE_X86 = 0x9c8   # offsetof(struct task_struct, patch_state), plausible
FGRAPH_CURR = 0x9a0       # offsetof(struct task_struct, curr_ret_stack)
FGRAPH_RET_STACK = 0x9a8  # offsetof(struct task_struct, ret_stack)

# name, size, ORC: ("call", frame size incl. return address) | "regs" | "end"
X86_FUNCS = [
    ("__schedule", 0x900, ("call", 0x48)),
    ("schedule", 0x100, ("call", 0x18)),
    ("schedule_timeout", 0x180, ("call", 0x40)),
    ("do_nanosleep", 0x180, ("call", 0x40)),
    ("hrtimer_nanosleep", 0x120, ("call", 0x48)),
    ("__x64_sys_nanosleep", 0xb0, ("call", 0x28)),
    ("__x64_sys_pause", 0x40, ("call", 0x10)),
    ("pipe_read", 0x480, ("call", 0x60)),
    ("vfs_read", 0x1c0, ("call", 0x40)),
    ("ksys_read", 0xe0, ("call", 0x38)),
    ("__x64_sys_read", 0x20, ("call", 0x10)),
    ("ep_poll", 0x4c0, ("call", 0x70)),
    ("do_epoll_wait", 0x120, ("call", 0x50)),
    ("__x64_sys_epoll_wait", 0xa0, ("call", 0x18)),
    ("do_exit", 0x8c0, ("call", 0x48)),
    ("do_group_exit", 0x90, ("call", 0x18)),
    # __x64_sys_exit_group ends with its call to the noreturn
    # do_group_exit: the return address is the next function's first byte
    ("__x64_sys_exit_group", 0x40, ("call", 0x10)),
    ("cmdline_proc_show", 0x40, ("call", 0x18)),
    ("worker_thread", 0x3a0, ("call", 0x38)),
    ("rcu_gp_kthread", 0x1f0, ("call", 0x28)),
    ("kthread", 0x120, ("call", 0x30)),
    ("do_syscall_64", 0x100, ("call", 0x20)),
    ("ret_from_fork", 0x60, "end"),
    ("ftrace_stub", 0x40, ("call", 0x8)),
    ("return_to_handler", 0x40, ("call", 0x8)),
    ("__switch_to_asm", 0x80, ("call", 0x8)),
    ("ret_from_fork_asm", 0x20, "end"),
    ("entry_SYSCALL_64_after_hwframe", 0x100, "regs"),
]


class X86Image:
    def __init__(self, kernel, orc_version=None):
        self.kernel = kernel
        self.major_minor = tuple(int(x) for x in kernel.split(".")[:2])
        self.new_fork = self.major_minor >= (6, 5)
        self.orc_version = orc_version
        self.funcs = {}     # name -> [addr, size, orc, module]
        self.order = []
        self.extra_orc = []  # (ip, spec, note)
        a = X86_TEXT
        for n, s, orc in X86_FUNCS:
            if n == "ret_from_fork" and self.new_fork:
                orc = ("call", 0x10)  # C since 6.5, called by ret_from_fork_asm
            if n == "ret_from_fork_asm" and not self.new_fork:
                continue
            self.funcs[n] = [a, s, orc, None]
            self.order.append(n)
            a += (s + 0x3f) & ~0x3f
        self.etext = a
        self.modules = []   # (name, base, [func names], struct module addr)
        self.datasyms = []
        self.data_cur = X86_DATA

    def module(self, name, funcs):
        """funcs: [(name, size, frame size)] laid out in a module."""
        base = X86_MODTEXT + len(self.modules) * 0x100000
        a = base + 0x100
        names = []
        for n, s, fs in funcs:
            self.funcs[n] = [a, s, ("call", fs), name]
            names.append(n)
            a += (s + 0x3f) & ~0x3f
        self.modules.append((name, base, names, X86_MODDATA + len(self.modules) * 0x10000))
        return base

    def module_struct(self, name):
        for mname, _, _, maddr in self.modules:
            if mname == name:
                return maddr
        return None

    def data(self, name, size):
        self.datasyms.append((name, self.data_cur, size))
        self.data_cur += 0x40

    def sym_addr(self, name):
        for n, a, s in self.datasyms:
            if n == name:
                return a
        return self.funcs[name][0]

    def func_range(self, name):
        return self.funcs[name][0], self.funcs[name][1]

    def ip(self, name, off):
        a, s = self.func_range(name)
        assert 0 <= off <= s, (name, off)
        return a + off

    def header(self, out):
        out.add("arch x86_64")
        out.add("kernel %s" % self.kernel)
        if self.orc_version:
            out.add("orc-version %d" % self.orc_version)
        out.add()
        out.add("# text: vmlinux, then modules")
        for n in self.order:
            a, s, _, _ = self.funcs[n]
            out.add("sym %s %s 0x%x" % (n, hx(a), s))
        out.add("sym _stext %s 0 data" % hx(X86_TEXT))
        out.add("sym _etext %s 0 data" % hx(self.etext))
        for mname, base, names, _ in self.modules:
            for n in names:
                a, s, _, _ = self.funcs[n]
                out.add("sym %s %s 0x%x text %s" % (n, hx(a), s, mname))
        for n, a, s in self.datasyms:
            out.add("sym %s %s %d data" % (n, hx(a), s))
        if self.modules:
            out.add("sym modules %s 16 data" % hx(self.data_cur))
        out.add()
        out.add("# task_struct: thread_info first (THREAD_INFO_IN_TASK), patch_state")
        out.add("member task_struct thread_info 0")
        out.add("member thread_info flags 0")
        out.add("member task_struct patch_state 0x%x 4" % PATCH_STATE_X86)
        if self.modules:
            out.add("member module list 8")
            out.add("member module name 24")
            out.add("member module arch 0x300")
            out.add("member mod_arch_specific num_orcs 0")
            out.add("member mod_arch_specific orc_unwind_ip 8")
            out.add("member mod_arch_specific orc_unwind 16")
            if self.major_minor >= (6, 4):
                out.add("member module mem 0x140")
                out.add("member module_memory base 0")
                out.add("member module_memory size 8")
                out.add("type module_memory 0x50")
            else:
                out.add("member module core_layout 0x140")
                out.add("member module_layout base 0")
                out.add("member module_layout text_size 12")

    def orc_spec(self, orc):
        if orc == "regs":
            return "regs sp 0 undefined 0"
        if orc == "end":
            return "end_of_stack undefined 0 undefined 0"
        if orc == "undefined":
            return "undefined undefined 0 undefined 0"
        return "call sp %d undefined 0" % orc[1]

    def orc_table(self, out):
        out.add()
        out.add("# ORC: one entry per vmlinux function (sp offset = frame size)")
        ents = [(self.funcs[n][0], self.orc_spec(self.funcs[n][2]), n) for n in self.order]
        ents += self.extra_orc
        for ip, spec, note in sorted(ents):
            out.add("orc %s %s  # %s" % (hx(ip), spec, note))
        out.add("orc-end")

    def module_tables(self, out):
        if not self.modules:
            return
        head = self.data_cur
        out.add()
        out.add("# modules list with each module's text range and ORC tables")
        mods = [m[3] + 8 for m in self.modules]
        ring = [head] + mods
        for i, a in enumerate(ring):
            out.words(a, [ring[(i + 1) % len(ring)], ring[i - 1]],
                      "LIST_HEAD(modules)" if i == 0 else "%s: module.list" % self.modules[i - 1][0])
        v3 = self.major_minor >= (6, 4)
        for mname, base, names, maddr in self.modules:
            out.raw(maddr + 24, cstr(mname), "module.name")
            ipt = maddr + 0x1000
            orct = maddr + 0x1800
            out.word32(maddr + 0x300, len(names), "module.arch.num_orcs")
            out.words(maddr + 0x308, [ipt, orct], "module.arch.orc_unwind_ip, orc_unwind")
            out.word(maddr + 0x140, base, "text base")
            out.word32(maddr + (0x148 if v3 else 0x14c), 0x10000,
                       "text size (%s)" % ("mem[MOD_TEXT].size" if v3 else "core_layout.text_size"))
            ips, raw = [], ""
            for i, n in enumerate(sorted(names, key=lambda x: self.funcs[x][0])):
                a, _, orc, _ = self.funcs[n]
                ips.append((a - (ipt + 4 * i)) & 0xffffffff)
                # sp_offset, bp_offset (s16), sp_reg SP (5) | bp_reg
                # UNDEFINED (0) << 4, type CALL: 0 in the v1 layout
                # (4.14-6.2), 2 in v3 (6.4-7.0)
                raw += "%02x%02x0000%02x%02x" % (orc[1] & 0xff, orc[1] >> 8, 5, 2 if v3 else 0)
            for i, v in enumerate(ips):
                out.word32(ipt + 4 * i, v, "orc_unwind_ip[%d] (self-relative)" % i)
            out.raw(orct, raw, "orc_unwind: call, sp + frame size")


class X86Task:
    def __init__(self, comm, frames, end="user", pid=0, patch_state=None,
                 pending=None, on_cpu=False, cpu=None, kthread=False,
                 raw=None, stack=True, tif_bit=13, fgraph=()):
        self.comm, self.frames, self.end = comm, frames, end
        self.pid, self.patch_state, self.pending = pid, patch_state, pending
        self.on_cpu, self.cpu, self.kthread = on_cpu, cpu, kthread
        self.raw = raw or {}     # frame index -> raw return address
        self.stack = stack
        self.tif_bit = tif_bit
        self.fgraph = fgraph     # frame indexes whose return address
                                 # function_graph replaced


def x86_task(img, out, n, t, expect):
    """Lay out task number n and write its memory, task line and
    expectations.  frames: [(fn, off)] innermost first; the last one is
    entry_SYSCALL_64_after_hwframe (user) or the kthread's end."""
    stack = X86_STACKS + n * 0x10000
    task = X86_TASKS + n * 0x4000
    top = stack + 0x4000
    top_regs = top - PT_REGS
    out.add()
    out.add("# ---- task %d: %s ----" % (t.pid, t.comm))
    flags = (1 << t.tif_bit) if t.pending else 0
    out.word(task, flags, "thread_info.flags" + (" (TIF_PATCH_PENDING, bit %d)" % t.tif_bit if t.pending else ""))
    if t.patch_state is not None:
        out.word32(task + PATCH_STATE_X86, t.patch_state, "task_struct.patch_state")
    ksp = 0
    if t.stack and not t.on_cpu:
        fr = t.frames
        nfr = len(fr)
        sps = [0] * nfr
        sps[-1] = top_regs
        for i in range(nfr - 2, -1, -1):
            orc = img.funcs[fr[i][0]][2]
            sps[i] = sps[i + 1] - orc[1]
        ksp = sps[0] - 56
        mem = {}
        for j, r in enumerate(("r15", "r14", "r13", "r12", "bx", "bp")):
            mem[ksp + 8 * j] = (0, "inactive_task_frame.%s" % r)

        def ipof(i):
            return t.raw.get(i, img.ip(*fr[i]))
        mem[ksp + 48] = (ipof(0), "inactive_task_frame.ret_addr: %s+0x%x" % fr[0])
        for i in range(nfr - 1):
            for a in range(sps[i], sps[i + 1] - 8, 8):
                mem[a] = (0, "locals of %s" % fr[i][0])
            note = "return to %s+0x%x" % fr[i + 1]
            if (i + 1) in t.raw:
                note = "return address %s" % hx(t.raw[i + 1])
            if (i + 1) in t.fgraph:
                note = "return_to_handler (function_graph hid %s+0x%x)" % fr[i + 1]
                mem[sps[i + 1] - 8] = (img.ip("return_to_handler", 0), note)
                continue
            mem[sps[i + 1] - 8] = (ipof(i + 1), note)
        user = t.end == "user"
        for k, off in REGS.items():
            v = 0
            if user:
                v = dict(cs=0x33, ss=0x2b, flags=0x246, ip=0x7f3a5c2e1a4d,
                         sp=0x7ffd1c3b8e48, orig_ax=0).get(k, 0)
            else:
                v = dict(cs=0x10, ss=0x18, flags=0x246).get(k, 0)
            mem[top_regs + off] = (v, "pt_regs.%s (%s)" % (k, "user" if user else "kthread"))
        for a in sorted(mem):
            out.word(a, mem[a][0], mem[a][1])
        if t.fgraph:
            # <= 6.10: task->ret_stack is an array of struct
            # ftrace_ret_stack {ret, func, calltime, retp}, curr_ret_stack
            # the index of the newest entry (outermost call first)
            rs = task + 0x2000
            out.word(task + FGRAPH_RET_STACK, rs, "task_struct.ret_stack")
            out.word(task + FGRAPH_CURR, len(t.fgraph) - 1, "task_struct.curr_ret_stack")
            for j, i in enumerate(sorted(t.fgraph, reverse=True)):
                callee = fr[i - 1][0]
                out.words(rs + 32 * j, [img.ip(*fr[i]), img.funcs[callee][0], 0x1a2b3c4d,
                                        sps[i - 1] + img.funcs[callee][2][1] - 8],
                          "ret_stack[%d]: ret %s+0x%x, func %s, calltime, retp" % ((j,) + fr[i] + (callee,)))
    line = "task task=%s pid=%d comm=%s stack=%s ksp=%s flags=%s state=1" % (
        hx(task), t.pid, t.comm, hx(stack) if t.stack else "0", hx(ksp),
        "0x00208040" if t.kthread else "0x400000")
    if t.on_cpu:
        line += " on_cpu=1 cpu=%d" % (t.cpu or 0)
    out.add(line)
    for e in expect:
        if EXPECT_PENDING and e.startswith("expect-klp") and " error" not in e + " ":
            # the bit the kernel of this image uses: 9 from 6.18, 13 before
            bit = 9 if img.major_minor >= (6, 18) else 13
            e += " pending=%d" % (1 if t.pending and t.tif_bit == bit else 0)
        out.add(e)


class X86Sample:
    def __init__(self, name, title, about, kernel, orc_version=None):
        self.name, self.title, self.about = name, title, about
        self.img = X86Image(kernel, orc_version)
        self.tasks = []
        self.lp = None
        self.whatif = None
        self.no_livepatch = False

    def fgraph_types(self, out):
        out.add("# function_graph shadow stack (<= 6.10 layout)")
        out.add("member task_struct curr_ret_stack 0x%x" % FGRAPH_CURR)
        out.add("member task_struct ret_stack 0x%x" % FGRAPH_RET_STACK)
        out.add("member ftrace_ret_stack ret 0")
        out.add("member ftrace_ret_stack func 8")
        out.add("member ftrace_ret_stack calltime 16")
        out.add("member ftrace_ret_stack retp 24")
        out.add("type ftrace_ret_stack 32")

    def task(self, t, *expect):
        self.tasks.append((t, list(expect)))

    def render(self):
        out = Lines()
        out.add("# SPDX-License-Identifier: GPL-2.0-or-later")
        out.add("# " + self.title)
        out.add("#")
        out.comment(self.about)
        out.add("# (Written by samples/livepatch/mksamples.py.)")
        out.add()
        img = self.img
        if not self.no_livepatch:
            img.data("klp_patches", 16)
            img.data("klp_transition_patch", 8)
            img.data("klp_target_state", 4)
            img.data("klp_ops", 16)
        img.header(out)
        if self.lp:
            self.lp.members(out)
        if any(t.fgraph for t, _ in self.tasks):
            self.fgraph_types(out)
        img.orc_table(out)
        img.module_tables(out)
        if self.lp:
            self.lp.write(out)
        if self.whatif:
            out.add()
            out.add("whatif " + " ".join(self.whatif))
        for i, (t, e) in enumerate(self.tasks):
            x86_task(img, out, i, t, e)
        out.add()
        return "\n".join(out.out)


# ------------------------------------------------------------------- s390x

S390_TASKS = 0x1f2e0000
S390_STACKS = 0x38000a00000
S390_DATA = 0x01600000
S390_HEAP = 0x7f000000
S390_MODTEXT = 0x3ff80010000
PATCH_STATE_S390 = 0x8f8
PSW_USER = 0x0705200180000000
PSW_KERNEL = 0x0704c00180000000

S390_FUNCS = [
    ("kthread", 0x0018c7a8, 0x1a0),
    ("worker_thread", 0x00182f10, 0x4a0),
    ("filemap_read", 0x00312a80, 0x3c8),
    ("vfs_read", 0x0049f0c8, 0x1d0),
    ("ksys_read", 0x004a1d40, 0xf8),
    ("__s390x_sys_read", 0x004a1e38, 0x48),
    ("pipe_read", 0x004b25a0, 0x4c0),
    ("ext4_file_read_iter", 0x0055e6f8, 0x110),
    ("do_io_irq", 0x00a1b9e8, 0x128),
    ("__do_syscall", 0x00a1c038, 0xf0),
    ("__schedule", 0x00a1d6c8, 0x6e8),
    ("schedule", 0x00a1ddb0, 0xb8),
    ("preempt_schedule_irq", 0x00a1de68, 0x90),
    ("irqentry_exit", 0x00a1f2a0, 0x90),
    ("system_call", 0x00a2b400, 0x120),
    ("ret_from_fork", 0x00a2b520, 0x30),
    ("__ret_from_fork", 0x0010e4a0, 0x120),
    ("io_int_handler", 0x00a2b710, 0x140),
]


def s390_frames(out, end, items):
    """items outermost first: ("regs", mask, addr, r15, note) or
    ("frame", r14, size, note).  Returns the innermost sp (thread.ksp)."""
    cur = end
    prev = None
    for it in items:
        if it[0] == "regs":
            _, mask, addr, r15, note = it
            a = cur - 200
            out.add("# pt_regs at %s (%s): psw.mask psw.addr gprs[0..15]" % (hx(a), note))
            out.words(a + 8, [mask, addr] + [0] * 15 + [r15 if r15 is not None else (prev or 0)])
            cur = a
            prev = None
        else:
            _, r14, size, note = it
            sp = cur - size
            out.add("# frame sp %s, size 0x%x  %s" % (hx(sp), size, note))
            out.words(sp + 136, [r14, sp, prev or 0], "r14, r15, back_chain")
            prev = sp
            cur = sp
    return cur


# ------------------------------------------------------------------ samples

SAMPLES = []


def sample(fn):
    SAMPLES.append(fn)
    return fn


def pause(img_sched_off=0x2d3):
    return [("__schedule", img_sched_off), ("schedule", 0x5d),
            ("__x64_sys_pause", 0x1d), ("do_syscall_64", 0x58),
            ("entry_SYSCALL_64_after_hwframe", 0x63)]


def pipe_reader():
    return [("__schedule", 0x2d3), ("schedule", 0x5d), ("pipe_read", 0x1c4),
            ("vfs_read", 0x9e), ("ksys_read", 0x6b), ("__x64_sys_read", 0x15),
            ("do_syscall_64", 0x58), ("entry_SYSCALL_64_after_hwframe", 0x63)]


def epoller():
    return [("__schedule", 0x2d3), ("schedule", 0x5d),
            ("schedule_timeout", 0x8e), ("ep_poll", 0x2f1),
            ("do_epoll_wait", 0xd2), ("__x64_sys_epoll_wait", 0x7a),
            ("do_syscall_64", 0x58), ("entry_SYSCALL_64_after_hwframe", 0x63)]


def kworker(fork61=True):
    f = [("__schedule", 0x2d3), ("schedule", 0x5d), ("worker_thread", 0x1a6),
         ("kthread", 0xe8)]
    return f + ([("ret_from_fork", 0x1f)] if fork61 else
                [("ret_from_fork", 0x31), ("ret_from_fork_asm", 0x1b)])


def frames_line(frames):
    return "frames " + " ".join(f[0] for f in frames)


LP_PIPE = [("livepatch_pipe_read", 0x4a0, 0x60)]


def x86_lp(s, patches, transition, target, **kw):
    img = s.img
    s.lp = Livepatch(img, kw.pop("layout", LAYOUT_DYN), patches, transition,
                     target, X86_MODDATA + 0x80000, X86_HEAP, **kw)


@sample
def x86_61_patching():
    s = X86Sample("x86-6.1-patching",
                  "x86_64 6.1: a patching transition, one task of each kind",
                  """Patch "livepatch_pipe" replaces pipe_read (vmlinux) and is in transition
to KLP_PATCHED (klp_transition_patch set, klp_target_state 1).  It is the
only patch, so each klp_ops func_stack holds one entry and
klp_check_stack_func() compares every stack entry with the ORIGINAL
function, [old_func, old_func + old_size) (kernel/livepatch/transition.c,
klp_check_stack_func(), 4.12+; here 6.1).  What klp_try_switch_task()
says per task:
  pid 101 patch_state 1 == target: already switched (no walk)
  pid 102 on a CPU: task_call_func() -> -EBUSY "is running"
  pid 103 blocked in pipe_read: "is sleeping on function pipe_read"
          (frame 2, pipe_read+0x1c4 is in the original)
  pid 104 returns through a spot ORC marks UNDEFINED (sp_reg undefined,
          no end bit: unwind_next_frame() fails): "has an unreliable
          stack", -EINVAL from stack_trace_save_tsk_reliable()
  pid 105 in epoll_wait, reliable, no patched function: the next
          klp_try_complete_transition() would switch it
  pid 106 exited (no stack): "reliably empty" (stack_trace_save_tsk_reliable
          returns 0 entries), would switch
Pending tasks have TIF_PATCH_PENDING (x86 bit 13 before 6.18) set.""",
                  "6.1.115")
    img = s.img
    img.module("livepatch_pipe", LP_PIPE)
    p = Patch("livepatch_pipe", [Obj(None, [Func("pipe_read", "livepatch_pipe_read", "pipe_read")])])
    x86_lp(s, [p], p, KLP_PATCHED)
    # an UNDEFINED ORC region inside rcu_gp_kthread (e.g. inline asm
    # objtool could not follow), then the normal entry again
    a = img.funcs["rcu_gp_kthread"][0]
    img.extra_orc += [(a + 0x100, "undefined undefined 0 undefined 0", "rcu_gp_kthread+0x100: undefined"),
                      (a + 0x110, "call sp 40 undefined 0", "rcu_gp_kthread+0x110")]
    s.task(X86Task("bash", pause(), pid=101, patch_state=1),
           "expect verdict=reliable rule=NONE", frames_line(pause()),
           "expect-klp switched")
    s.task(X86Task("yes", [], pid=102, patch_state=0, pending=True, on_cpu=True, cpu=1),
           "expect verdict=running", "expect-klp running")
    s.task(X86Task("cat", pipe_reader(), pid=103, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE", frames_line(pipe_reader()),
           "expect-klp sleeping-on-function func=pipe_read frame=2")
    rcu = [("__schedule", 0x2d3), ("schedule", 0x5d), ("schedule_timeout", 0x8e),
           ("rcu_gp_kthread", 0x10a), ("kthread", 0xe8), ("ret_from_fork", 0x1f)]
    s.task(X86Task("rcu_preempt", rcu, end="kthread", kthread=True, pid=104,
                   patch_state=0, pending=True),
           "expect verdict=unreliable rule=ORC_UNDEFINED frame=3",
           "expect-klp unreliable-stack frame=3")
    s.task(X86Task("sshd", epoller(), pid=105, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE", frames_line(epoller()),
           "expect-klp would-switch")
    s.task(X86Task("zombie", [], pid=106, patch_state=0, pending=True, stack=False),
           "expect verdict=no-stack", "expect-klp would-switch")
    return s


@sample
def x86_stacked():
    s = X86Sample("x86-6.1-stacked",
                  "x86_64 6.1: a second patch of the same function (stacked patches)",
                  """livepatch_pipe (enabled, transition done) replaced pipe_read; now
livepatch_pipe2 replaces it again and is in transition to KLP_PATCHED.
klp_ops for pipe_read has two entries on func_stack (newest first:
livepatch_pipe2's klp_func, then livepatch_pipe's), so the range compared
is the PREVIOUS patch's replacement, [prev->new_func, + prev->new_size)
(klp_check_stack_func(): "previously patched function",
list_next_entry(func, stack_node); 4.12+, here 6.1).  The kernel still
prints func->old_name ("pipe_read").
  pid 201 sleeps in livepatch_pipe_read (the first patch's code, module
          livepatch_pipe): sleeping on function pipe_read, frame 2
  pid 202 sleeps in the original pipe_read: NOT compared any more (no
          task can be running the original: all switched to the first
          patch before), would switch
  pid 203 already switched (patch_state 1)""", "6.1.115")
    img = s.img
    img.module("livepatch_pipe", LP_PIPE)
    img.module("livepatch_pipe2", [("livepatch_pipe2_pipe_read", 0x4c0, 0x60)])
    p1 = Patch("livepatch_pipe", [Obj(None, [Func("pipe_read", "livepatch_pipe_read", "pipe_read")])])
    p2 = Patch("livepatch_pipe2", [Obj(None, [Func("pipe_read", "livepatch_pipe2_pipe_read", "pipe_read")])])
    x86_lp(s, [p1, p2], p2, KLP_PATCHED)
    lp = [("__schedule", 0x2d3), ("schedule", 0x5d), ("livepatch_pipe_read", 0x1d0),
          ("vfs_read", 0x9e), ("ksys_read", 0x6b), ("__x64_sys_read", 0x15),
          ("do_syscall_64", 0x58), ("entry_SYSCALL_64_after_hwframe", 0x63)]
    s.task(X86Task("cat", lp, pid=201, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE", frames_line(lp),
           "expect-klp sleeping-on-function func=pipe_read frame=2")
    s.task(X86Task("cat", pipe_reader(), pid=202, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE", frames_line(pipe_reader()),
           "expect-klp would-switch")
    s.task(X86Task("bash", pause(), pid=203, patch_state=1),
           "expect-klp switched")
    return s


@sample
def x86_unpatch():
    s = X86Sample("x86-6.1-unpatching",
                  "x86_64 6.1: unpatching (klp_target_state 0), the range is new_func",
                  """livepatch_pipe is being disabled: klp_target_state is KLP_UNPATCHED (0),
tasks start at patch_state 1.  klp_check_stack_func() compares the stack
with the function being removed, [new_func, new_func + new_size)
("Check for the to-be-unpatched function (the func itself)", 4.12+, here
6.1), and the kernel prints func->old_name although the code found is the
replacement.
  pid 301 sleeps in livepatch_pipe_read: sleeping on function pipe_read
          (frame 2, a livepatch_pipe address)
  pid 302 sleeps in the original pipe_read: would switch (the original
          stays valid after unpatching)
  pid 303 already switched back (patch_state 0)""", "6.1.115")
    img = s.img
    img.module("livepatch_pipe", LP_PIPE)
    p = Patch("livepatch_pipe", [Obj(None, [Func("pipe_read", "livepatch_pipe_read", "pipe_read")])],
              enabled=False)
    x86_lp(s, [p], p, KLP_UNPATCHED)
    lp = [("__schedule", 0x2d3), ("schedule", 0x5d), ("livepatch_pipe_read", 0x1d0),
          ("vfs_read", 0x9e), ("ksys_read", 0x6b), ("__x64_sys_read", 0x15),
          ("do_syscall_64", 0x58), ("entry_SYSCALL_64_after_hwframe", 0x63)]
    s.task(X86Task("cat", lp, pid=301, patch_state=1, pending=True),
           "expect verdict=reliable rule=NONE", frames_line(lp),
           "expect-klp sleeping-on-function func=pipe_read frame=2")
    s.task(X86Task("cat", pipe_reader(), pid=302, patch_state=1, pending=True),
           "expect verdict=reliable rule=NONE", "expect-klp would-switch")
    s.task(X86Task("bash", pause(), pid=303, patch_state=0),
           "expect-klp switched")
    return s


@sample
def x86_50_static():
    s = X86Sample("x86-5.0-static-arrays",
                  "x86_64 5.0: static objs[] / funcs[] arrays and old_addr",
                  """Before 5.1 (atomic replace) a patch had no obj_list / func_list:
klp_for_each_object() walked the static patch->objs[] array up to an
entry with neither funcs nor name, klp_for_each_func() obj->funcs[] up
to an entry without old_name, new_func and old_sympos, and the old
function's address was "unsigned long old_addr" (renamed void *old_func
in 5.1).  klp_patches held every registered patch, enabled or not.  The
type info has no obj_list / func_list / old_func members, so the arrays
are read with sizeof(struct klp_object) = sizeof(struct klp_func) = 136
(5.0 x86_64).  Patch "livepatch_multi" (in transition to PATCHED) has
two functions: pipe_read and ep_poll; a registered but disabled patch
"livepatch_old" sits before it on klp_patches.
  pid 401 in ep_poll: sleeping on function ep_poll (frame 3): the second
          entry of funcs[], after pipe_read found nothing
  pid 402 in pipe_read: sleeping on function pipe_read (frame 2)
  pid 403 in pause(2): would switch""", "5.0.21")
    img = s.img
    img.module("livepatch_multi", [("livepatch_pipe_read", 0x4a0, 0x60),
                                   ("livepatch_ep_poll", 0x4c0, 0x70)])
    img.module("livepatch_old", [("livepatch_cmdline_proc_show", 0x40, 0x18)])
    old = Patch("livepatch_old", [Obj(None, [Func("cmdline_proc_show", "livepatch_cmdline_proc_show",
                                                 "cmdline_proc_show")], patched=False)],
                enabled=False)
    p = Patch("livepatch_multi", [Obj(None, [Func("pipe_read", "livepatch_pipe_read", "pipe_read"),
                                             Func("ep_poll", "livepatch_ep_poll", "ep_poll")])])
    x86_lp(s, [old, p], p, KLP_PATCHED, layout=LAYOUT_50)
    s.task(X86Task("sshd", epoller(), pid=401, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE", frames_line(epoller()),
           "expect-klp sleeping-on-function func=ep_poll frame=3")
    s.task(X86Task("cat", pipe_reader(), pid=402, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE",
           "expect-klp sleeping-on-function func=pipe_read frame=2")
    s.task(X86Task("bash", pause(), pid=403, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE", "expect-klp would-switch")
    return s


@sample
def x86_610_names():
    s = X86Sample("x86-6.12-transition-names",
                  "x86_64 6.12: KLP_TRANSITION_* names, same values",
                  """6.10 (d927752f287f) renamed KLP_UNDEFINED / KLP_UNPATCHED / KLP_PATCHED to
KLP_TRANSITION_IDLE / _UNPATCHED / _PATCHED; the values (-1, 0, 1) did
not change, so klp_target_state and task->patch_state read the same.
A 6.12 kernel (v3 ORC format, ret_from_fork_asm) patching ep_poll and
worker_thread:
  pid 501 kworker asleep in worker_thread: sleeping on function
          worker_thread (frame 2); kthreads are only woken, never
          signalled (klp_send_signals())
  pid 502 in epoll_wait: sleeping on function ep_poll (frame 3)
  pid 503 switched (patch_state 1 == KLP_TRANSITION_PATCHED)
  pid 504 in pause(2), pending: would switch""", "6.12.10", orc_version=3)
    img = s.img
    img.module("livepatch_wq", [("livepatch_worker_thread", 0x3c0, 0x38),
                                ("livepatch_ep_poll", 0x4c0, 0x70)])
    p = Patch("livepatch_wq", [Obj(None, [Func("ep_poll", "livepatch_ep_poll", "ep_poll"),
                                          Func("worker_thread", "livepatch_worker_thread",
                                               "worker_thread")])])
    x86_lp(s, [p], p, KLP_PATCHED)
    kw = kworker(fork61=False)
    s.task(X86Task("kworker/0:1", kw, end="kthread", kthread=True, pid=501,
                   patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE", frames_line(kw),
           "expect-klp sleeping-on-function func=worker_thread frame=2")
    s.task(X86Task("sshd", epoller(), pid=502, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE",
           "expect-klp sleeping-on-function func=ep_poll frame=3")
    s.task(X86Task("bash", pause(), pid=503, patch_state=1),
           "expect-klp switched")
    s.task(X86Task("cat", pause(), pid=504, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE", "expect-klp would-switch")
    return s


@sample
def x86_object_not_loaded():
    s = X86Sample("x86-6.1-object-not-loaded",
                  "x86_64 6.1: an object whose module is not loaded is not checked",
                  """livepatch_nfs patches vmlinux (pipe_read) and the module "nfsd"
(nfsd_dispatch), which is not loaded: klp_object.patched is false for it.
klp_check_stack() skips such objects ("if (!obj->patched) continue",
4.12+, here 6.1).  The transition is UNPATCHING, so the range of
nfsd_dispatch's klp_func would be its replacement,
livepatch_nfsd_dispatch in the (loaded) livepatch module; a task of the
livepatch module's own that sleeps in it is still not a blocker.
klp_free_object_loaded() cleared old_func when nfsd went away.
  pid 601 sleeps in livepatch_nfsd_dispatch: would switch (object skipped)
  pid 602 sleeps in livepatch_pipe_read: sleeping on function pipe_read""",
                  "6.1.115")
    img = s.img
    img.module("livepatch_nfs", [("livepatch_pipe_read", 0x4a0, 0x60),
                                 ("livepatch_nfsd_dispatch", 0x200, 0x30)])
    p = Patch("livepatch_nfs", [
        Obj(None, [Func("pipe_read", "livepatch_pipe_read", "pipe_read")]),
        Obj("nfsd", [Func("nfsd_dispatch", "livepatch_nfsd_dispatch", (0, 0x280))], patched=False)],
        enabled=False)
    x86_lp(s, [p], p, KLP_UNPATCHED)
    nf = [("__schedule", 0x2d3), ("schedule", 0x5d), ("schedule_timeout", 0x8e),
          ("livepatch_nfsd_dispatch", 0x88), ("kthread", 0xe8), ("ret_from_fork", 0x1f)]
    s.task(X86Task("lp_nfs_worker", nf, end="kthread", kthread=True, pid=601,
                   patch_state=1, pending=True),
           "expect verdict=reliable rule=NONE", frames_line(nf),
           "expect-klp would-switch")
    lp = [("__schedule", 0x2d3), ("schedule", 0x5d), ("livepatch_pipe_read", 0x1d0),
          ("vfs_read", 0x9e), ("ksys_read", 0x6b), ("__x64_sys_read", 0x15),
          ("do_syscall_64", 0x58), ("entry_SYSCALL_64_after_hwframe", 0x63)]
    s.task(X86Task("cat", lp, pid=602, patch_state=1, pending=True),
           "expect verdict=reliable rule=NONE",
           "expect-klp sleeping-on-function func=pipe_read frame=2")
    return s


@sample
def x86_half_open():
    s = X86Sample("x86-6.1-half-open-range",
                  "x86_64 6.1: return addresses at the edges of the patched function",
                  """klp_check_stack_func() tests "address >= func_addr && address <
func_addr + func_size" (half-open; 4.12+, here 6.1) on raw return
addresses.  cmdline_proc_show is patched; it directly follows
__x64_sys_exit_group in the text, whose last instruction is the call to
the noreturn do_group_exit.
  pid 701 exiting: do_group_exit was called from the last bytes of
          __x64_sys_exit_group, so the return address is
          cmdline_proc_show + 0, the patched function's first byte: it
          IS in range and the kernel says "sleeping on function
          cmdline_proc_show" although that code never ran (/proc/PID/stack,
          with "%pB", names __x64_sys_exit_group+0x40)
  pid 702 a return address equal to cmdline_proc_show + size (the
          first byte after it, the start of worker_thread, i.e. a call
          at the end of cmdline_proc_show returning): not in range,
          would switch""", "6.1.115")
    img = s.img
    img.module("livepatch_cmdline", [("livepatch_cmdline_proc_show", 0x40, 0x18)])
    p = Patch("livepatch_cmdline", [Obj(None, [Func("cmdline_proc_show", "livepatch_cmdline_proc_show",
                                                    "cmdline_proc_show")])])
    x86_lp(s, [p], p, KLP_PATCHED)
    a, sz = img.func_range("cmdline_proc_show")
    ex = [("__schedule", 0x2d3), ("schedule", 0x5d), ("do_exit", 0x6a1),
          ("do_group_exit", 0x3c), ("__x64_sys_exit_group", 0x40),
          ("do_syscall_64", 0x58), ("entry_SYSCALL_64_after_hwframe", 0x63)]
    s.task(X86Task("exiting", ex, pid=701, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE", frames_line(ex),
           "expect-klp sleeping-on-function func=cmdline_proc_show frame=4")
    # frame 2 returns to cmdline_proc_show + size; ORC looks a return
    # address up at ip - 1, inside cmdline_proc_show, as "%pB" does
    rd = [("__schedule", 0x2d3), ("schedule", 0x5d), ("cmdline_proc_show", sz),
          ("do_syscall_64", 0x58), ("entry_SYSCALL_64_after_hwframe", 0x63)]
    s.task(X86Task("reader", rd, pid=702, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE",
           "frames __schedule schedule cmdline_proc_show do_syscall_64 entry_SYSCALL_64_after_hwframe",
           "expect-klp would-switch")
    return s


@sample
def x86_fgraph():
    s = X86Sample("x86-6.1-fgraph-recovered",
                  "x86_64 6.1: the patched caller hidden by function_graph is still found",
                  """function_graph tracing replaced schedule()'s return address into
pipe_read with return_to_handler.  The reliable ORC walk recovers it
from the task's ret_stack (ftrace_graph_ret_addr(), matched by retp) and
stack_trace_save_tsk_reliable() saves the REAL caller, so
klp_check_stack() finds pipe_read (kernel/livepatch/transition.c 4.12+,
arch/x86/kernel/unwind_orc.c; here 6.1 with the array-of-structs
ret_stack of <= 6.10).  A tool comparing the raw stack words with the
range would miss it.
  pid 1301 sleeping on function pipe_read (frame 2, labelled ftrace-graph)
  pid 1302 the same stack without tracing: the same answer""", "6.1.115")
    img = s.img
    img.module("livepatch_pipe", LP_PIPE)
    p = Patch("livepatch_pipe", [Obj(None, [Func("pipe_read", "livepatch_pipe_read", "pipe_read")])])
    x86_lp(s, [p], p, KLP_PATCHED)
    s.task(X86Task("cat", pipe_reader(), pid=1301, patch_state=0, pending=True, fgraph=(2,)),
           "expect verdict=reliable rule=NONE", frames_line(pipe_reader()),
           "labels 2:ftrace-graph 7:user-entry",
           "expect-klp sleeping-on-function func=pipe_read frame=2")
    s.task(X86Task("cat", pipe_reader(), pid=1302, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE", frames_line(pipe_reader()),
           "labels 7:user-entry",
           "expect-klp sleeping-on-function func=pipe_read frame=2")
    return s


@sample
def x86_atomic_replace():
    s = X86Sample("x86-6.1-atomic-replace",
                  "x86_64 6.1: a cumulative patch with atomic replace and a nop",
                  """livepatch_v1 (enabled) replaced pipe_read and ep_poll.  livepatch_v2 has
"replace" set and only changes pipe_read: klp_add_nops() (5.1+) gave it a
dynamic nop klp_func for ep_poll (new_func = old_func), so reverting
ep_poll to the original is part of the v2 transition.  Every func of v2,
nops included, sits on top of v1's func on klp_ops' func_stack, so the
range checked is v1's replacement for both (klp_check_stack_func(),
"previously patched function"; here 6.1):
  pid 1401 in livepatch_v1's ep_poll: sleeping on function ep_poll,
           a function v2 itself leaves unchanged
  pid 1402 in livepatch_v1's pipe_read: sleeping on function pipe_read
  pid 1403 in pause(2): would switch""", "6.1.115")
    img = s.img
    img.module("livepatch_v1", [("livepatch_v1_pipe_read", 0x4a0, 0x60),
                                ("livepatch_v1_ep_poll", 0x4c0, 0x70)])
    img.module("livepatch_v2", [("livepatch_v2_pipe_read", 0x4c0, 0x60)])
    v1 = Patch("livepatch_v1", [Obj(None, [Func("pipe_read", "livepatch_v1_pipe_read", "pipe_read"),
                                           Func("ep_poll", "livepatch_v1_ep_poll", "ep_poll")])])
    v2 = Patch("livepatch_v2", [Obj(None, [Func("pipe_read", "livepatch_v2_pipe_read", "pipe_read"),
                                           Func("ep_poll", "ep_poll", "ep_poll", nop=True)])],
               replace=True)
    x86_lp(s, [v1, v2], v2, KLP_PATCHED)
    ep = [("__schedule", 0x2d3), ("schedule", 0x5d), ("schedule_timeout", 0x8e),
          ("livepatch_v1_ep_poll", 0x2f1), ("do_epoll_wait", 0xd2),
          ("__x64_sys_epoll_wait", 0x7a), ("do_syscall_64", 0x58),
          ("entry_SYSCALL_64_after_hwframe", 0x63)]
    s.task(X86Task("sshd", ep, pid=1401, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE", frames_line(ep),
           "expect-klp sleeping-on-function func=ep_poll frame=3")
    pr = [("__schedule", 0x2d3), ("schedule", 0x5d), ("livepatch_v1_pipe_read", 0x1d0),
          ("vfs_read", 0x9e), ("ksys_read", 0x6b), ("__x64_sys_read", 0x15),
          ("do_syscall_64", 0x58), ("entry_SYSCALL_64_after_hwframe", 0x63)]
    s.task(X86Task("cat", pr, pid=1402, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE",
           "expect-klp sleeping-on-function func=pipe_read frame=2")
    s.task(X86Task("bash", pause(), pid=1403, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE", "expect-klp would-switch")
    return s


@sample
def x86_whatif():
    s = X86Sample("x86-6.1-whatif-no-livepatch",
                  "x86_64 6.1 without livepatch: what-if for pipe_read and sunrpc:svc_recv",
                  """The kernel has no livepatch state (no klp_patches / klp_transition_patch
symbols: CONFIG_LIVEPATCH off or nothing loaded yet).  "klpstack -f
pipe_read sunrpc:svc_recv" asks which tasks would block a patch of those
functions, with the PATCHED-direction rule for a first patch: every
stack entry against [func, func + size) of the function named, a
"module:func" name looked up in that module's symbols.  patch_state is
not read (no transition).
  pid 801 in pipe_read: sleeping on function pipe_read (frame 2)
  pid 802 nfsd thread in svc_recv (module sunrpc): sleeping on function
          svc_recv (frame 3)
  pid 803 in pause(2): would switch
  pid 804 on a CPU: running""", "6.1.115")
    s.no_livepatch = True
    img = s.img
    img.module("sunrpc", [("svc_recv", 0x300, 0x28), ("nfsd", 0x200, 0x30)])
    s.whatif = ["pipe_read", "sunrpc:svc_recv"]
    s.task(X86Task("cat", pipe_reader(), pid=801),
           "expect verdict=reliable rule=NONE",
           "expect-klp sleeping-on-function func=pipe_read frame=2")
    nf = [("__schedule", 0x2d3), ("schedule", 0x5d), ("schedule_timeout", 0x8e),
          ("svc_recv", 0x7a), ("nfsd", 0x9c), ("kthread", 0xe8), ("ret_from_fork", 0x1f)]
    s.task(X86Task("nfsd", nf, end="kthread", kthread=True, pid=802),
           "expect verdict=reliable rule=NONE", frames_line(nf),
           "expect-klp sleeping-on-function func=svc_recv frame=3")
    s.task(X86Task("bash", pause(), pid=803),
           "expect verdict=reliable rule=NONE", "expect-klp would-switch")
    s.task(X86Task("yes", [], pid=804, on_cpu=True, cpu=0),
           "expect verdict=running", "expect-klp running")
    return s


@sample
def x86_618_tif():
    s = X86Sample("x86-6.18-tif-bit",
                  "x86_64 6.18: TIF_PATCH_PENDING is bit 9 (generic TIF bits)",
                  """6.18 moved x86 to the generic TIF bits (include/asm-generic/
thread_info_tif.h): TIF_PATCH_PENDING is bit 9 there, 13 before on x86
(5 on s390).  klp_try_switch_task() decides by task->patch_state, not by
the flag; the flag is what the report shows as "pending".
  pid 901 bit 9 set, patch_state 0: pending, sleeping in pipe_read
  pid 902 bit 13 set (not TIF_PATCH_PENDING on 6.18), patch_state 1:
          not pending, switched
  pid 903 bit 9 set, in pause(2): would switch""", "6.18.2", orc_version=3)
    img = s.img
    img.module("livepatch_pipe", LP_PIPE)
    p = Patch("livepatch_pipe", [Obj(None, [Func("pipe_read", "livepatch_pipe_read", "pipe_read")])])
    x86_lp(s, [p], p, KLP_PATCHED)
    s.task(X86Task("cat", pipe_reader(), pid=901, patch_state=0, pending=True, tif_bit=9),
           "expect verdict=reliable rule=NONE",
           "expect-klp sleeping-on-function func=pipe_read frame=2")
    s.task(X86Task("bash", pause(), pid=902, patch_state=1, pending=True, tif_bit=13),
           "expect-klp switched")
    s.task(X86Task("sleep", pause(), pid=903, patch_state=0, pending=True, tif_bit=9),
           "expect verdict=reliable rule=NONE", "expect-klp would-switch")
    return s


@sample
def x86_bad_loop():
    s = X86Sample("x86-6.1-bad-patches-loop",
                  "x86_64 6.1: klp_patches loops (corrupt dump): an error, not a hang",
                  """The second patch's list.next points back at the first patch instead of
the list head: a list that never returns to klp_patches.  ks_klp_read()
bounds the walk (cycle check) and fails with a message; every task's
triage is "error" -- the walks themselves are still reported.""", "6.1.115")
    img = s.img
    img.module("livepatch_a", [("livepatch_a_pipe_read", 0x4a0, 0x60)])
    img.module("livepatch_b", [("livepatch_b_ep_poll", 0x4c0, 0x70)])
    a = Patch("livepatch_a", [Obj(None, [Func("pipe_read", "livepatch_a_pipe_read", "pipe_read")])])
    b = Patch("livepatch_b", [Obj(None, [Func("ep_poll", "livepatch_b_ep_poll", "ep_poll")])])
    x86_lp(s, [a, b], b, KLP_PATCHED, loop_patches=True)
    s.task(X86Task("cat", pipe_reader(), pid=1001, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE", "expect-klp error")
    s.task(X86Task("bash", pause(), pid=1002, patch_state=1),
           "expect verdict=reliable rule=NONE", "expect-klp error")
    return s


@sample
def x86_bad_func():
    s = X86Sample("x86-6.1-bad-unreadable-func",
                  "x86_64 6.1: a klp_func missing from the dump: an error, not a guess",
                  """The transition patch's second klp_func (ep_poll) lies on a page the dump
does not hold.  Its old_func / sizes are unknown, so no task can be
cleared: ks_klp_read() fails naming the klp_func and every task's triage
is "error".""", "6.1.115")
    img = s.img
    img.module("livepatch_multi", [("livepatch_pipe_read", 0x4a0, 0x60),
                                   ("livepatch_ep_poll", 0x4c0, 0x70)])
    f2 = Func("ep_poll", "livepatch_ep_poll", "ep_poll")
    p = Patch("livepatch_multi", [Obj(None, [Func("pipe_read", "livepatch_pipe_read", "pipe_read"), f2])])
    x86_lp(s, [p], p, KLP_PATCHED, unreadable_func=f2)
    s.task(X86Task("bash", pause(), pid=1101, patch_state=0, pending=True),
           "expect verdict=reliable rule=NONE", "expect-klp error")
    return s


# s390x ------------------------------------------------------------------

S390_TYPES = [
    "# struct stack_frame (-mpacked-stack) and struct pt_regs, as in 6.1",
    "type stack_frame 160",
    "member stack_frame back_chain 152 8",
    "member stack_frame gprs 72 80",
    "type pt_regs 200",
    "member pt_regs psw 8 16",
    "member psw_t mask 0 8",
    "member psw_t addr 8 8",
    "member pt_regs gprs 24 128",
    "member pt_regs flags 176 8",
    "# task_struct: thread_info first (THREAD_INFO_IN_TASK), patch_state",
    "member task_struct thread_info 0",
    "member thread_info flags 0",
    "member task_struct patch_state 0x%x 4" % PATCH_STATE_S390,
]


class S390Image:
    """Just enough for Livepatch: symbol addresses and function ranges."""

    def __init__(self):
        self.funcs = dict((n, (a, s)) for n, a, s in S390_FUNCS)
        self.datasyms = {}
        self.modules = {}   # name -> struct module address

    def sym_addr(self, name):
        return self.datasyms[name]

    def module_struct(self, name):
        return self.modules.get(name)

    def func_range(self, name):
        return self.funcs[name]

    def ra(self, name, off):
        a, s = self.funcs[name]
        assert 0 < off <= s
        return a + off


@sample
def s390_61():
    name = "s390x-6.1-patching"
    out = Lines()
    out.add("# SPDX-License-Identifier: GPL-2.0-or-later")
    out.add("# s390x 6.1: a patching transition (back-chain stacks)")
    out.add("#")
    out.comment("""Debian's s390x kernel is built without CONFIG_LIVEPATCH; upstream s390x
has had it with reliable stack traces since 5.5, so this image stands for
such a kernel.  Patch livepatch_pipe replaces pipe_read (in transition to
KLP_PATCHED); TIF_PATCH_PENDING is bit 5 on s390 before 6.18.  Same
decision as x86 (kernel/livepatch/transition.c), the stack comes from the
s390 back-chain walker (arch/s390/kernel/stacktrace.c, 5.5+):
  pid 1201 blocked in pipe_read: sleeping on function pipe_read (frame 2)
  pid 1202 in pipe_read too, but preempted by an I/O interrupt: the
           pt_regs in the middle of the stack make the walk fail
           ("if (state.regs) return -EINVAL"): has an unreliable stack,
           reported before any function check (frame 5, filemap_read)
  pid 1203 kworker asleep in worker_thread: would switch
  pid 1204 switched (patch_state 1)""")
    out.add("# (Written by samples/livepatch/mksamples.py.)")
    out.add()
    out.add("arch s390x")
    out.add("kernel 6.1.115")
    img = S390Image()
    lpbase = S390_MODTEXT
    img.funcs["livepatch_pipe_read"] = (lpbase + 0x100, 0x4e0)
    data = S390_DATA
    for i, n in enumerate(("klp_patches", "klp_transition_patch", "klp_target_state", "klp_ops")):
        img.datasyms[n] = data + 0x40 * i
    for n, a, s in sorted(S390_FUNCS, key=lambda x: x[1]):
        out.add("sym %s %s 0x%x" % (n, hx(a), s))
    out.add("sym livepatch_pipe_read %s 0x4e0 text livepatch_pipe" % hx(lpbase + 0x100))
    # the modules list: livepatch_pipe, its core text [lpbase, lpbase + 0x1000)
    img.datasyms["modules"] = data + 0x100
    mod = img.modules["livepatch_pipe"] = S390_MODTEXT + 0x70000
    for n, a in img.datasyms.items():
        out.add("sym %s %s 16 data" % (n, hx(a)))
    out.add()
    for l in S390_TYPES:
        out.add(l)
    out.add("member module list 8")
    out.add("member module core_layout 0x140")
    out.add("member module_layout base 0")
    out.add("member module_layout text_size 12")
    p = Patch("livepatch_pipe", [Obj(None, [Func("pipe_read", "livepatch_pipe_read", "pipe_read")])])
    lp = Livepatch(img, LAYOUT_DYN, [p], p, KLP_PATCHED, S390_MODTEXT + 0x80000, S390_HEAP)
    lp.members(out)
    out.add()
    out.add("# ---- modules list ----")
    out.words(img.datasyms["modules"], [mod + 8, mod + 8], "LIST_HEAD(modules)")
    out.words(mod + 8, [img.datasyms["modules"]] * 2, "livepatch_pipe: module.list")
    out.raw(mod + 24, cstr("livepatch_pipe"), "module.name")
    out.word(mod + 0x140, lpbase, "module.core_layout.base")
    out.word32(mod + 0x14c, 0x1000, "module.core_layout.text_size")
    lp.write(out)

    def user(regs_note="read(2) from user space"):
        return [("regs", PSW_USER, 0x2aa0001c3e4, 0x3ffc47fe6a8, regs_note),
                ("frame", img.ra("system_call", 0x78), 0xa0, "system_call (zero back chain)"),
                ("frame", img.ra("__do_syscall", 0xd4), 0xb8, "__do_syscall"),
                ("frame", img.ra("__s390x_sys_read", 0x2e), 0xa0, "__s390x_sys_read"),
                ("frame", img.ra("ksys_read", 0x9c), 0xc0, "ksys_read"),
                ("frame", img.ra("vfs_read", 0x11a), 0xd8, "vfs_read")]

    def task(n, pid, comm, items, ps, pending, expect, flags=0):
        S = S390_STACKS + n * 0x8000
        E = S + 0x4000
        t = S390_TASKS + n * 0x4000
        out.add()
        out.add("# ---- task %d: %s, stack [%s, %s) ----" % (pid, comm, hx(S), hx(E)))
        out.word(t, (1 << 5) if pending else 0,
                 "thread_info.flags" + (" (TIF_PATCH_PENDING, bit 5)" if pending else ""))
        out.word32(t + PATCH_STATE_S390, ps, "task_struct.patch_state")
        ksp = s390_frames(out, E, items) if items else 0
        out.add("task task=%s pid=%d comm=%s stack=%s ksp=%s flags=%s state=1"
                % (hx(t), pid, comm, hx(S), hx(ksp), hx(flags)))
        for e in expect:
            if EXPECT_PENDING and e.startswith("expect-klp"):
                e += " pending=%d" % (1 if pending else 0)
            out.add(e)

    task(0, 1201, "cat", user() + [
        ("frame", img.ra("pipe_read", 0x1f6), 0xf0, "pipe_read"),
        ("frame", img.ra("schedule", 0x6c), 0xa0, "schedule"),
        ("frame", img.ra("__schedule", 0x3f4), 0xc8, "__schedule (thread.ksp)")],
        0, True, ["expect verdict=reliable rule=NONE",
                  "frames __schedule schedule pipe_read vfs_read ksys_read __s390x_sys_read __do_syscall system_call",
                  "labels 7:user-entry",
                  "expect-klp sleeping-on-function func=pipe_read frame=2"])
    task(1, 1202, "cat", user() + [
        ("frame", img.ra("ext4_file_read_iter", 0x7e), 0xb0, "ext4_file_read_iter"),
        ("frame", 0, 0xe8, "filemap_read's own frame: r14 not saved yet"),
        ("regs", PSW_KERNEL, img.ra("filemap_read", 0x1b4), None,
         "I/O interrupt in kernel mode, in filemap_read"),
        ("frame", img.ra("io_int_handler", 0xda), 0xa0, "io_int_handler (zero back chain above the pt_regs)"),
        ("frame", img.ra("do_io_irq", 0xf2), 0xb0, "do_io_irq"),
        ("frame", img.ra("irqentry_exit", 0x4e), 0xa8, "irqentry_exit"),
        ("frame", img.ra("preempt_schedule_irq", 0x52), 0xa0, "preempt_schedule_irq"),
        ("frame", img.ra("__schedule", 0x3f4), 0xc8, "__schedule (thread.ksp)")],
        0, True, ["expect verdict=unreliable rule=S390_INTERRUPTED frame=5",
                  "expect-klp unreliable-stack frame=5"])
    task(2, 1203, "kworker/0:1", [
        ("regs", PSW_KERNEL, 0, 0, "kernel thread"),
        ("frame", img.ra("ret_from_fork", 0x1a), 0xa0, "ret_from_fork (zero back chain)"),
        ("frame", img.ra("__ret_from_fork", 0x5c), 0xb0, "__ret_from_fork"),
        ("frame", img.ra("kthread", 0xe6), 0xc8, "kthread"),
        ("frame", img.ra("worker_thread", 0x12e), 0xd0, "worker_thread"),
        ("frame", img.ra("schedule", 0x6c), 0xa0, "schedule"),
        ("frame", img.ra("__schedule", 0x3f4), 0xc8, "__schedule (thread.ksp)")],
        0, True, ["expect verdict=reliable rule=NONE",
                  "frames __schedule schedule worker_thread kthread __ret_from_fork ret_from_fork",
                  "expect-klp would-switch"], flags=0x00208020)
    task(3, 1204, "bash", user(), 1, False, ["expect-klp switched"])
    out.add()
    return name, "\n".join(out.out)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: mksamples.py OUTDIR\n")
        return 64
    d = sys.argv[1]
    for fn in SAMPLES:
        r = fn()
        if isinstance(r, tuple):
            name, text = r
        else:
            name, text = r.name, r.render()
        with open(os.path.join(d, name + ".sample"), "w") as f:
            f.write(text if text.endswith("\n") else text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
