#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check klpstack's alias rule against a kernel's own kallsyms table.

    kallsyms-names.py CHOOSER VMLINUX

A vmlinux carries the table kallsyms_lookup() searches (kallsyms_offsets
from kallsyms_relative_base or, in newer kernels, from their own slots, or
kallsyms_addresses; kallsyms_names, kallsyms_token_table/_index), built
from "nm -n vmlinux" by scripts/kallsyms.  For every address of that table
the kernel names it by its first entry there: the name /proc/PID/stack
prints.  This script decodes the table from the file, takes every address
in kernel text that nm lists with two or more symbols, hands those candidates (nm's letter
and name, all of them, unfiltered) to CHOOSER (tests/names/choose.c, the
core's ks_symbolize()) and counts where the two differ.

Prints one line per disagreement (at most 50) and a closing summary
"names: N text addresses with aliases, N agree, N differ" (data addresses,
never frames, are only counted); exits 1 on any difference in text, 2 when
the table cannot be read.
"""
import os
import struct
import subprocess
import sys
from collections import defaultdict


def die(msg):
    print("kallsyms-names: " + msg, file=sys.stderr)
    sys.exit(2)


class Elf:
    def __init__(self, path):
        self.f = open(path, "rb")
        ident = self.f.read(16)
        if ident[:4] != b"\x7fELF" or ident[4] != 2:
            die("%s: not an ELF64 file" % path)
        self.e = ">" if ident[5] == 2 else "<"
        hdr = self.f.read(48)
        (_, _, _, _, _, shoff, _, _, _, _, shentsize, shnum, shstrndx) = \
            struct.unpack(self.e + "HHIQQQIHHHHHH", hdr)
        self.sections = []
        for i in range(shnum):
            self.f.seek(shoff + i * shentsize)
            (name, typ, flags, addr, off, size, link, info, align, entsize) = \
                struct.unpack(self.e + "IIQQQQIIQQ", self.f.read(64))
            self.sections.append((name, typ, flags, addr, off, size, link, entsize))
        self.syms = {}
        for (_, typ, _, _, off, size, link, entsize) in self.sections:
            if typ != 2:        # SHT_SYMTAB
                continue
            strsec = self.sections[link]
            self.f.seek(strsec[4])
            strtab = self.f.read(strsec[5])
            self.f.seek(off)
            raw = self.f.read(size)
            for i in range(size // entsize):
                (st_name, _, _, shndx, value, _) = struct.unpack_from(
                    self.e + "IBBHQQ", raw, i * entsize)
                if shndx == 0:
                    continue
                n = strtab[st_name:strtab.index(b"\0", st_name)].decode()
                if n.startswith("kallsyms_"):
                    self.syms[n] = value

    def read(self, addr, length):
        for (_, typ, flags, saddr, off, size, _, _) in self.sections:
            if typ != 8 and flags & 2 and saddr <= addr < saddr + size:
                self.f.seek(off + addr - saddr)
                return self.f.read(length)
        die("address %#x is in no section of the file" % addr)

    def u32(self, addr):
        return struct.unpack(self.e + "I", self.read(addr, 4))[0]


def kernel_names(elf, nm_first_addr):
    s = elf.syms
    for need in ("kallsyms_num_syms", "kallsyms_names", "kallsyms_token_table",
                 "kallsyms_token_index"):
        if need not in s:
            die("no %s: a kernel without kallsyms?" % need)
    num = elf.u32(s["kallsyms_num_syms"])
    if "kallsyms_offsets" in s:
        offs = struct.unpack(elf.e + "%di" % num, elf.read(s["kallsyms_offsets"], 4 * num))
        if "kallsyms_relative_base" in s:
            base = struct.unpack(elf.e + "Q", elf.read(s["kallsyms_relative_base"], 8))[0]
            addrs = None
        else:
            # newer kernels (6.16+): each offset relative to its own slot
            addrs = [s["kallsyms_offsets"] + 4 * i + o for i, o in enumerate(offs)]
            base = None
    else:
        addrs = struct.unpack(elf.e + "%dQ" % num, elf.read(s["kallsyms_addresses"], 8 * num))
        base = None
    tok_index = struct.unpack(elf.e + "256H", elf.read(s["kallsyms_token_index"], 512))
    tok_raw = elf.read(s["kallsyms_token_table"], 65536)
    tokens = [tok_raw[i:tok_raw.index(b"\0", i)] for i in tok_index]
    names_raw = elf.read(s["kallsyms_names"], 64 << 20)
    names, pos = [], 0
    for _ in range(num):
        ln = names_raw[pos]
        pos += 1
        if ln & 0x80:           # 6.1+: two-byte length
            ln = (ln & 0x7f) | (names_raw[pos] << 7)
            pos += 1
        full = b"".join(tokens[t] for t in names_raw[pos:pos + ln])
        pos += ln
        names.append(full[1:].decode())
    if addrs is None and base is not None:
        # A relocatable image (s390x) leaves the relative base to the
        # boot-time relocation: then it is the first symbol's address.
        if base == 0:
            base = nm_first_addr.get(names[0], 0)
        neg = any(o < 0 for o in offs)
        addrs = [(base - 1 - o) if (neg and o < 0) else (o if neg else base + (o & 0xffffffff))
                 for o in offs]
    first = {}
    for a, n in zip(addrs, names):
        first.setdefault(a, n)
    return first


def main():
    if len(sys.argv) != 3:
        die("usage: kallsyms-names.py CHOOSER VMLINUX")
    chooser, vmlinux = sys.argv[1:]
    if not os.access(chooser, os.X_OK):
        die("%s: not an executable (make build/names-choose)" % chooser)
    nm = subprocess.run(["nm", "-n", vmlinux], capture_output=True, text=True,
                        env={"LC_ALL": "C"})
    if nm.returncode:
        die("nm failed: " + nm.stderr.strip())
    at = defaultdict(list)
    name_addr = {}
    for line in nm.stdout.splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        a = int(parts[0], 16)
        at[a].append((parts[1], parts[2]))
        name_addr.setdefault(parts[2], a)
    kernel = kernel_names(Elf(vmlinux), name_addr)
    # Without CONFIG_KALLSYMS_ALL scripts/kallsyms drops every symbol but
    # _etext/_einittext at their addresses (symbol_valid(), 6.1): exit
    # text or the next section, never a stack frame.  Not modelled.
    ends = {name_addr.get("_etext"), name_addr.get("_einittext")}
    # Frames are text: the core text and init text.  (Data addresses can
    # hold symbols that older kernels keep and 6.1's rules drop, e.g. the
    # string labels .LC0 in 5.10's table.)
    text = [(name_addr.get(s), name_addr.get(e)) for s, e in
            (("_stext", "_etext"), ("_sinittext", "_einittext"))]
    def is_text(a):
        return any(lo is not None and hi is not None and lo <= a < hi for lo, hi in text)

    todo = [a for a in sorted(kernel) if len(at.get(a, ())) > 1 and a not in ends]
    feed = "".join("%x\n" % a + "".join("%s %s\n" % c for c in at[a]) + "\n" for a in todo)
    out = subprocess.run([chooser], input=feed, capture_output=True, text=True)
    if out.returncode:
        die("%s failed: %s" % (chooser, out.stderr.strip()))
    chosen = out.stdout.split("\n")
    n_text = sum(1 for a in todo if is_text(a))
    differ = data_differ = 0
    for a, ours in zip(todo, chosen):
        if ours == kernel[a]:
            continue
        if not is_text(a):
            data_differ += 1
            continue
        differ += 1
        if differ <= 50:
            print("%#x kernel %s, klpstack %s (of %s)" %
                  (a, kernel[a], ours or "?", " ".join(n for _, n in at[a])))
    print("data addresses (never frames): %d with aliases, %d differ" %
          (len(todo) - n_text, data_differ))
    print("names: %d text addresses with aliases, %d agree, %d differ" %
          (n_text, n_text - differ, differ))
    # the closing line tests/e2e/run.sh counts
    print("kallsyms-names: %d passed, %d failed" % (n_text - differ, differ))
    sys.exit(1 if differ else 0)


main()
