#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seeded corruptions of a real dump: every answer is a JSON object with
tasks or an error, never a dead worker.

    hostile.py KLPSCAN VMLINUX DUMP [--count N] [--seed S] [--work DIR]

DUMP is kdump-compressed or ELF.  One copy of it is made in DIR (default:
a temporary directory); each corruption is written into the copy, klpscan
runs on it, and the bytes are put back.  The corruptions hit what a
damaged or hostile file gets wrong: kdump header, sub-header, bitmap,
page descriptors, compressed page data, truncation; ELF header, program
headers, notes.  Exit 0 when every answer was clean, 1 otherwise."""
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile


def kdump_targets(f, size, rnd):
    """(offset, bytes) patches for a kdump-compressed file."""
    h = f.read(464)
    le_block = struct.unpack_from("<I", h, 428)[0]
    be = not 4096 <= le_block <= (1 << 18)
    e = ">" if be else "<"
    block, sub, bitmap_blocks = struct.unpack_from(e + "iiI", h, 428)
    f.seek(block)
    sh = f.read(104)
    desc_off = (1 + sub + bitmap_blocks) * block
    pages = (size - desc_off) // (24 + 64)     # a lower bound, enough to pick from
    def u32(v): return struct.pack(e + "I", v & 0xffffffff)
    def u64(v): return struct.pack(e + "Q", v & (2**64 - 1))
    wild32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, block * 2, block - 1]
    wild64 = [0, size, size - 1, size + 4096, 1 << 62, 2**64 - 1]
    out = []
    for at in (428, 432, 436, 440, 8):          # block, sub, bitmap blocks, max_mapnr, version
        out.append(("header@%d" % at, at, u32(rnd.choice(wild32 + [rnd.getrandbits(32)]))))
    for name, at in (("note offset", 48), ("note size", 56), ("vmcoreinfo offset", 32),
                     ("vmcoreinfo size", 40), ("max_mapnr_64", 96), ("split", 12)):
        out.append(("sub-header " + name, block + at, u64(rnd.choice(wild64 + [rnd.getrandbits(64)]))))
    for _ in range(3):
        at = (1 + sub) * block + rnd.randrange(bitmap_blocks * block)
        out.append(("bitmap@%d" % at, at, bytes(rnd.getrandbits(8) for _ in range(8))))
    for _ in range(6):
        i = rnd.randrange(max(pages, 1))
        at = desc_off + 24 * i
        kind = rnd.choice(["size", "offset", "flags"])
        if kind == "size":
            out.append(("descriptor %d size" % i, at + 8, u32(rnd.choice([block + 1, 8192, 0xffffffff, 0]))))
        elif kind == "offset":
            out.append(("descriptor %d offset" % i, at, u64(rnd.choice(wild64))))
        else:
            out.append(("descriptor %d flags" % i, at + 12, u32(rnd.choice([1, 2, 4, 0x20, 0xff]))))
    for _ in range(3):
        at = desc_off + rnd.randrange(max(size - desc_off, 1))
        out.append(("page data@%d" % at, at, bytes(rnd.getrandbits(8) for _ in range(32))))
    return out


def elf_targets(f, size, rnd):
    h = f.read(64)
    e = ">" if h[5] == 2 else "<"
    order = "big" if e == ">" else "little"
    phoff = struct.unpack_from(e + "Q", h, 32)[0]
    phnum = struct.unpack_from(e + "H", h, 56)[0]
    wild64 = [0, size, size + 4096, 1 << 62, 2**64 - 1]
    out = []
    for name, at, n in (("e_phoff", 32, 8), ("e_shoff", 40, 8), ("e_phentsize", 54, 2),
                        ("e_phnum", 56, 2), ("e_shentsize", 58, 2), ("e_shnum", 60, 2),
                        ("e_shstrndx", 62, 2)):
        v = rnd.choice([0, 1, 0xffff, rnd.getrandbits(16)]) if n == 2 else rnd.choice(wild64)
        out.append((name, at, v.to_bytes(n, order)))
    for _ in range(6):
        i = rnd.randrange(max(phnum, 1))
        at = phoff + 56 * i
        field, off = rnd.choice([("p_offset", 8), ("p_filesz", 32), ("p_paddr", 24), ("p_type", 0)])
        v = rnd.choice(wild64) if field != "p_type" else rnd.choice([1, 4, 0])
        n = 4 if field == "p_type" else 8
        out.append(("phdr %d %s" % (i, field), at + off, (v & (2 ** (8 * n) - 1)).to_bytes(n, order)))
    # the notes: the first PT_NOTE's bytes
    for i in range(phnum):
        f.seek(phoff + 56 * i)
        p = struct.unpack(e + "IIQQQQQQ", f.read(56))
        if p[0] == 4:
            for _ in range(3):
                at = p[2] + rnd.randrange(max(p[5], 1))
                out.append(("note@%d" % at, at, struct.pack(e + "I", rnd.choice([0, 0xffffffff, 0x7fffffff]))))
            break
    return out


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        print(__doc__)
        return 64
    klpscan, vmlinux, dump = args[:3]
    count, seed, work = 40, 1, None
    i = 3
    while i < len(args):
        if args[i] == "--count":
            count = int(args[i + 1])
        elif args[i] == "--seed":
            seed = int(args[i + 1])
        elif args[i] == "--work":
            work = args[i + 1]
        i += 2
    rnd = random.Random(seed)
    tmp = work or tempfile.mkdtemp(prefix="klpstack-hostile-")
    copy = os.path.join(tmp, "hostile-" + os.path.basename(dump))
    shutil.copyfile(dump, copy)
    size = os.path.getsize(copy)
    with open(copy, "rb") as f:
        kind = "elf" if f.read(4) == b"\x7fELF" else "kdump"
        f.seek(0)
        targets = (elf_targets if kind == "elf" else kdump_targets)(f, size, rnd)
    rnd.shuffle(targets)
    targets = targets[:count]
    bad = 0
    results = {"tasks": 0, "error": 0}
    for name, at, patch in targets + [("truncated", None, None)]:
        if at is None:
            cut = rnd.randrange(size // 4, size)
            with open(copy, "r+b") as f:
                f.truncate(cut)
        else:
            if at + len(patch) > size:
                continue
            with open(copy, "r+b") as f:
                f.seek(at)
                old = f.read(len(patch))
                f.seek(at)
                f.write(patch)
        p = subprocess.run([klpscan, "--json", "--no-progress", "--vmlinux", vmlinux, copy],
                           capture_output=True, text=True, timeout=300)
        verdict = ""
        try:
            o = json.loads(p.stdout)
            if p.returncode not in (0, 1, 2):
                verdict = "exit %d" % p.returncode
            elif o.get("error") and "worker" in o["error"]:
                verdict = o["error"]
            else:
                results["error" if o.get("error") else "tasks"] += 1
        except (ValueError, json.JSONDecodeError):
            verdict = "not one JSON object: %r" % p.stdout[:200]
        if verdict:
            bad += 1
            print("FAIL %s %s (%s): %s" % (kind, name, patch.hex() if patch else "", verdict))
            print(p.stderr[-2000:])
        if at is None:
            shutil.copyfile(dump, copy)
        else:
            with open(copy, "r+b") as f:
                f.seek(at)
                f.write(old)
    print("hostile %s %s: %d corruptions, %d answered with tasks, %d with an error, %d bad"
          % (kind, os.path.basename(dump), len(targets) + 1, results["tasks"], results["error"], bad))
    os.unlink(copy)
    if not work:
        shutil.rmtree(tmp)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
