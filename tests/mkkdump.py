#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write a small synthetic kdump-compressed file (makedumpfile's
disk_dump_header format, version 6), healthy or with one corruption.

    mkkdump.py OUT [--arch x86_64|s390x] [--corrupt KIND] [--build-id HEX]
               [--vmlinux MINIKERNEL [--format kdump|elf] [--poke WHERE=VALUE]...]
               [--kallsyms unmapped] [--self-btf BTF]
    mkkdump.py OUT --format s390x-lowcore

--vmlinux takes the pages from an x86_64 vmlinux's loaded image
(tests/fuzz/minikernel.c), its build-id and release: a dump klpscan
opens and walks; --poke overwrites a word of its memory (a damaged list):
WHERE and VALUE are numbers, symbols or SYMBOL+OFFSET.
--kallsyms unmapped adds the kallsyms tables' VMCOREINFO lines (Linux
6.0+) at addresses the dump lacks.  --self-btf (with --vmlinux) makes the
dump describe itself as a 6.0+ kernel does: its symbols as kallsyms
tables (VMCOREINFO SYMBOL(kallsyms_*)), and BTF (a detached BTF of the
vmlinux, pahole --btf_encode_detached) between __start_BTF and __stop_BTF,
in pages after the image: klpscan --no-debuginfo reads it.
--format s390x-lowcore writes an s390x ELF vmcore as QEMU's dump-guest-memory
does: no VMCOREINFO note in the file, only the kernel's pointer to it in
the lowcore (vmcore_info at 0xe0c), which klpscan follows.

KIND names a field a hostile or damaged dump gets wrong (see KINDS).
The healthy file holds a VMCOREINFO note and a few pages, some
zlib-compressed; klpscan's container checks accept it (it then fails for
want of a kernel to go with it)."""
import struct
import sys
import zlib

BLOCK = 4096
KINDS = {
    "none": "a healthy file",
    "desc-size-huge": "a compressed page whose size (8192) exceeds the block",
    "desc-size-last-ok": "a bad descriptor in the middle, the last one fine",
    "desc-offset-past-eof": "a page whose data lies past the end of the file",
    "desc-offset-wild": "a page data offset no file of this size could reach",
    "note-size-huge": "sub-header size_note of 2^62",
    "note-past-eof": "sub-header notes that end past the end of the file",
    "bitmap-blocks-huge": "header bitmap_blocks of 0x7fff0000",
    "bitmap-garbage": "the second bitmap full of set bits",
    "sub-hdr-negative": "header sub_hdr_size of -5",
    "truncated": "the file cut in the middle of the page data",
    "split": "a part of a split dump",
    "header32": "a timestamp that reads as a valid 32-bit header",
    "short": "only 100 bytes of header",
    "pagesize-huge": "VMCOREINFO PAGESIZE=9223372036854775808",
    "pagesize-small": "VMCOREINFO PAGESIZE=1024 (below the block size)",
}


START_KERNEL_MAP = 0xffffffff80000000
SYMBOLS = {}
VMCOREINFO_EXTRA = [b""]


def self_describing(image, btf):
    """Append kallsyms tables and a BTF blob to image's pages (kernel/
    kallsyms.c layout, relative-base offsets; every token is the byte
    itself) and say where in VMCOREINFO_EXTRA."""
    global VMCOREINFO_EXTRA
    stext, etext = SYMBOLS["_stext"], SYMBOLS["_etext"]
    at = START_KERNEL_MAP + (max(image) + 1) * BLOCK
    btf_at = at
    syms = dict(SYMBOLS)
    syms["__start_BTF"], syms["__stop_BTF"] = btf_at, btf_at + len(btf)
    tables = at + (len(btf) + BLOCK - 1) // BLOCK * BLOCK
    base = min(v for v in syms.values() if v >= START_KERNEL_MAP)
    order = sorted((v, n) for n, v in syms.items() if v >= base and n)
    names = b""
    for v, n in order:
        t = "T" if stext <= v < etext else "D"
        enc = (t + n).encode()
        names += (bytes([len(enc)]) if len(enc) < 128 else
                  bytes([0x80 | (len(enc) & 0x7f), len(enc) >> 7])) + enc
    token_table = b"".join(bytes([i, 0]) for i in range(256))
    token_index = b"".join(struct.pack("<H", 2 * i) for i in range(256))
    offsets = b"".join(struct.pack("<I", v - base) for v, _ in order)
    layout = [("relative_base", struct.pack("<Q", base)),
              ("num_syms", struct.pack("<I", len(order)) + bytes(4)),
              ("offsets", offsets), ("token_table", token_table),
              ("token_index", token_index), ("names", names)]
    blob, extra = bytearray(), b""
    for name, data in layout:
        blob += bytes(-len(blob) % 8)
        extra += b"SYMBOL(kallsyms_%s)=%x\n" % (name.encode(), tables + len(blob))
        blob += data
    mem = bytes(btf) + bytes(tables - btf_at - len(btf)) + bytes(blob)
    for off in range(0, len(mem), BLOCK):
        image[(at + off - START_KERNEL_MAP) // BLOCK] = mem[off:off + BLOCK].ljust(BLOCK, b"\0")
    VMCOREINFO_EXTRA[0] = extra


def address(expr):
    """NUMBER, SYMBOL or SYMBOL+NUMBER (symbols of --vmlinux)."""
    total = 0
    for term in expr.split("+"):
        total += SYMBOLS[term] if term in SYMBOLS else int(term, 0)
    return total & (2**64 - 1)


def vmlinux_image(path):
    """The loaded image of an x86_64 vmlinux (tests/fuzz/minikernel.c):
    {pfn: page} at phys = virt - __START_KERNEL_map, its build-id and
    release (from linux_banner)."""
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit(f"mkkdump.py: {path}: not a little-endian ELF64 file")
    phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
    phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", data, 0x36)
    pages = {}
    for i in range(phnum):
        ptype, _, off, vaddr, _, filesz, memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize)
        if ptype != 1:
            continue
        image = data[off:off + filesz] + bytes(memsz - filesz)
        for a in range(vaddr & ~(BLOCK - 1), vaddr + memsz, BLOCK):
            pfn = (a - START_KERNEL_MAP) // BLOCK
            page = bytearray(pages.get(pfn, bytes(BLOCK)))
            lo, hi = max(a, vaddr), min(a + BLOCK, vaddr + memsz)
            page[lo - a:hi - a] = image[lo - vaddr:hi - vaddr]
            pages[pfn] = bytes(page)
    build_id = release = None
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = secs[shstrndx]
    for sec in secs:
        if sec[1] == 2:     # SHT_SYMTAB: names for --poke
            names = secs[sec[6]]
            for at in range(sec[4], sec[4] + sec[5], 24):
                st_name, _, _, _, value, _ = struct.unpack_from("<IBBHQQ", data, at)
                name = data[names[4] + st_name:].split(b"\0", 1)[0].decode()
                if name:
                    SYMBOLS[name] = value
    for sec in secs:
        name = data[strtab[4] + sec[0]:].split(b"\0", 1)[0]
        if name == b".note.gnu.build-id":
            namesz, descsz, _ = struct.unpack_from("<III", data, sec[4])
            d = sec[4] + 12 + ((namesz + 3) & ~3)
            build_id = data[d:d + descsz].hex()
        if name == b".rodata":
            blob = data[sec[4]:sec[4] + sec[5]]
            if b"Linux version " in blob:
                release = blob.split(b"Linux version ", 1)[1].split(b" ", 1)[0].decode()
    return pages, build_id, release


def pagesize(corrupt):
    return {"pagesize-huge": b"9223372036854775808", "pagesize-small": b"1024"}.get(
        corrupt, b"4096")


def prstatus_notes(e, cpus=2):
    """NT_PRSTATUS notes as kdump writes them per CPU (x86_64 struct
    elf_prstatus: 336 bytes, pr_pid at 32, pr_reg at 112)."""
    out = b""
    for cpu in range(cpus):
        desc = bytearray(336)
        struct.pack_into(e + "i", desc, 32, cpu)
        struct.pack_into(e + "Q", desc, 112 + 8 * 19, 0xffffc90000003f00 + cpu)  # sp
        out += struct.pack(e + "III", 5, len(desc), 1) + b"CORE\0\0\0\0" + bytes(desc)
    return out


KALLSYMS_TABLES = ("num_syms", "names", "token_table", "token_index", "offsets",
                   "relative_base")


def build(arch, corrupt, build_id="0123456789abcdef0123456789abcdef01234567",
          image=None, release="6.1.0-synthetic", kallsyms=False):
    be = arch == "s390x"
    e = ">" if be else "<"
    max_mapnr = 64
    pfns = list(range(0, 12)) + [40, 41]
    if image:
        pfns = sorted(image)
        max_mapnr = pfns[-1] + 1
    vmcoreinfo = (b"OSRELEASE=" + release.encode() + b"\nPAGESIZE=" + pagesize(corrupt) + b"\n"
                  b"BUILD-ID=" + build_id.encode() + b"\n"
                  b"NUMBER(phys_base)=0\nNUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=0\n"
                  + VMCOREINFO_EXTRA[0])
    if kallsyms:
        for i, t in enumerate(KALLSYMS_TABLES):
            vmcoreinfo += b"SYMBOL(kallsyms_%s)=%x\n" % (t.encode(), 0xffffffff81000000 + i * BLOCK)
    name = b"VMCOREINFO\0"
    note = struct.pack(e + "III", len(name), len(vmcoreinfo), 0)
    note += name + b"\0" * (-len(name) % 4)
    note += vmcoreinfo + b"\0" * (-len(vmcoreinfo) % 4)
    note = prstatus_notes(e) + note

    sub_hdr_size = 2            # sub-header block + notes block
    note_off = BLOCK * 2
    bm_off = BLOCK * (1 + sub_hdr_size)

    bitmap_blocks = 2 * ((max_mapnr + BLOCK * 8 - 1) // (BLOCK * 8))
    bitmap = bytearray(BLOCK * bitmap_blocks // 2)
    for p in pfns:
        bitmap[p // 8] |= 1 << (p % 8)
    first_bitmap = bytearray(BLOCK * bitmap_blocks // 2)
    for p in range(max_mapnr):
        first_bitmap[p // 8] |= 1 << (p % 8)
    desc_off = bm_off + BLOCK * bitmap_blocks
    data_off = desc_off + 24 * len(pfns)

    descs, data = [], b""
    for i, p in enumerate(pfns):
        page = bytes((p * 7 + j) & 0xff for j in range(16)) * (BLOCK // 16)
        if image:
            page = image[p]
        if i % 2:
            body, flags = zlib.compress(page), 1
        else:
            body, flags = page, 0
        descs.append([data_off + len(data), len(body), flags, 0])
        data += body

    version = 6
    split = 0
    note_size = len(note)
    timestamp = (0, 0)
    if corrupt == "desc-size-huge":
        descs[-1][1] = 8192
        descs[-1][0] = data_off
    elif corrupt == "desc-size-last-ok":
        descs[3][1] = 8192
        descs[3][0] = data_off
    elif corrupt == "desc-offset-past-eof":
        descs[4][0] = data_off + len(data) - 100
    elif corrupt == "desc-offset-wild":
        descs[5][0] = 0x0ba3_0000_0000_0000
    elif corrupt == "note-size-huge":
        note_size = 1 << 62
    elif corrupt == "note-past-eof":
        note_off = 10 << 20
    elif corrupt == "bitmap-blocks-huge":
        bitmap_blocks = 0x7fff0000
    elif corrupt == "bitmap-garbage":
        bitmap = bytearray(b"\xff" * len(bitmap))
    elif corrupt == "split":
        split = 1
    elif corrupt == "header32":
        timestamp = (0, 8192)   # tv_usec reads as a 32-bit block size
    sub_hdr = -5 if corrupt == "sub-hdr-negative" else sub_hdr_size

    machine = arch.encode()
    uts = b""
    for field in (b"Linux", b"synthetic", b"6.1.0-synthetic", b"#1 SMP", machine, b""):
        uts += field.ljust(65, b"\0")
    hdr = b"KDUMP   " + struct.pack(e + "i", version) + uts + b"\0" * 6
    hdr += struct.pack(e + "qq", *timestamp)
    status = 1 if corrupt == "header32" else 0
    hdr += struct.pack(e + "IiiIIIIIIi", status, BLOCK, sub_hdr, bitmap_blocks,
                       max_mapnr, len(pfns), 0, 0, 0, 1)
    hdr = hdr.ljust(BLOCK, b"\0")

    sub = struct.pack(e + "QiiQQQQQQQQQQQ", 0, 31, split, 0, max_mapnr,
                      0, 0, note_off, note_size, 0, 0, 0, max_mapnr, max_mapnr)
    sub = sub.ljust(BLOCK, b"\0")
    notes = note.ljust(BLOCK, b"\0")

    table = b"".join(struct.pack(e + "QIIQ", *d) for d in descs)
    out = hdr + sub + notes + bytes(first_bitmap) + bytes(bitmap) + table + data
    if corrupt == "truncated":
        out = out[:data_off + len(data) // 2]
    elif corrupt == "short":
        out = out[:100]
    return out


def build_elf(build_id, image, release, corrupt="none"):
    """An x86_64 ELF vmcore (as /proc/vmcore or QEMU write it): a
    VMCOREINFO note and one PT_LOAD per run of pages (physical
    addresses; the kernel map's virtual ones for the image)."""
    vmcoreinfo = (b"OSRELEASE=" + release.encode() + b"\nPAGESIZE=" + pagesize(corrupt) + b"\n"
                  b"BUILD-ID=" + build_id.encode() + b"\n"
                  b"NUMBER(phys_base)=0\nNUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=0\n"
                  + VMCOREINFO_EXTRA[0])
    name = b"VMCOREINFO\0"
    note = struct.pack("<III", len(name), len(vmcoreinfo), 0)
    note += name + bytes(-len(name) % 4) + vmcoreinfo + bytes(-len(vmcoreinfo) % 4)
    note = prstatus_notes("<") + note
    runs = []
    for pfn in sorted(image):
        if runs and runs[-1][0] + len(runs[-1][1]) == pfn:
            runs[-1][1].append(pfn)
        else:
            runs.append((pfn, [pfn]))
    nph = 1 + len(runs)
    off = 64 + 56 * nph
    phdrs = [struct.pack("<IIQQQQQQ", 4, 0, off, 0, 0, len(note), 0, 4)]
    body = note + bytes(-len(note) % BLOCK)
    data_at = off + len(body)
    for first, pfns in runs:
        phys = first * BLOCK
        size = len(pfns) * BLOCK
        phdrs.append(struct.pack("<IIQQQQQQ", 1, 7, data_at, phys + START_KERNEL_MAP, phys,
                                 size, size, BLOCK))
        body += b"".join(image[p] for p in pfns)
        data_at += size
    ehdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    ehdr += struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, nph, 0, 0, 0)
    return ehdr + b"".join(phdrs) + body


def build_s390x_lowcore(release):
    """An s390x ELF vmcore without a VMCOREINFO note: physical page 0 (the
    lowcore) holds at 0xe0c the address of the kernel's VMCOREINFO ELF note,
    which sits in page 2."""
    vmcoreinfo = (b"OSRELEASE=" + release.encode() + b"\nPAGESIZE=4096\n"
                  b"BUILD-ID=" + b"0" * 40 + b"\nKERNELOFFSET=0\n")
    name = b"VMCOREINFO\0"
    vnote = struct.pack(">III", len(name), len(vmcoreinfo), 0)
    vnote += name + bytes(-len(name) % 4) + vmcoreinfo + bytes(-len(vmcoreinfo) % 4)
    mem = bytearray(4 * BLOCK)
    mem[0xe0c:0xe14] = struct.pack(">Q", 2 * BLOCK)
    mem[2 * BLOCK:2 * BLOCK + len(vnote)] = vnote
    note = prstatus_notes(">")
    nph = 2
    off = 64 + 56 * nph
    body = note + bytes(-len(note) % BLOCK)
    data_at = off + len(body)
    phdrs = [struct.pack(">IIQQQQQQ", 4, 0, off, 0, 0, len(note), 0, 4),
             struct.pack(">IIQQQQQQ", 1, 7, data_at, 0, 0, len(mem), len(mem), BLOCK)]
    ehdr = b"\x7fELF" + bytes([2, 2, 1, 0]) + bytes(8)
    ehdr += struct.pack(">HHIQQQIHHHHHH", 4, 22, 1, 0, 64, 0, 0, 64, 56, nph, 0, 0, 0)
    return ehdr + b"".join(phdrs) + body + bytes(mem)


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        for k, v in KINDS.items():
            print(f"  {k:22} {v}")
        return 0 if args else 64
    out, arch, corrupt, build_id = args[0], "x86_64", "none", "0" * 40
    vmlinux, fmt, pokes, kallsyms, self_btf = None, "kdump", [], False, None
    i = 1
    while i < len(args):
        if args[i] == "--arch":
            arch = args[i + 1]
        elif args[i] == "--vmlinux":
            vmlinux = args[i + 1]
        elif args[i] == "--poke":
            pokes.append(tuple(args[i + 1].split("=")))
        elif args[i] == "--format":
            fmt = args[i + 1]
        elif args[i] == "--build-id":
            build_id = args[i + 1]
        elif args[i] == "--corrupt":
            corrupt = args[i + 1]
        elif args[i] == "--kallsyms" and i + 1 < len(args) and args[i + 1] == "unmapped":
            kallsyms = True
        elif args[i] == "--self-btf" and i + 1 < len(args):
            self_btf = args[i + 1]
        else:
            print(f"mkkdump.py: unknown argument {args[i]}", file=sys.stderr)
            return 64
        i += 2
    if corrupt not in KINDS or arch not in ("x86_64", "s390x"):
        print("mkkdump.py: unknown --corrupt or --arch", file=sys.stderr)
        return 64
    image, release = None, "6.1.0-synthetic"
    if vmlinux:
        image, build_id, release = vmlinux_image(vmlinux)
        if self_btf:
            self_describing(image, open(self_btf, "rb").read())
        for addr, value in pokes:
            addr, value = address(addr), address(value)
            pfn, at = divmod(addr - START_KERNEL_MAP, BLOCK)
            page = bytearray(image[pfn])
            page[at:at + 8] = struct.pack("<Q", value)
            image[pfn] = bytes(page)
    if fmt == "s390x-lowcore":
        blob = build_s390x_lowcore(release)
    elif fmt == "elf":
        if not image:
            print("mkkdump.py: --format elf needs --vmlinux", file=sys.stderr)
            return 64
        blob = build_elf(build_id, image, release, corrupt)
    else:
        blob = build(arch, corrupt, build_id, image, release, kallsyms)
    with open(out, "wb") as f:
        f.write(blob)
    return 0


if __name__ == "__main__":
    sys.exit(main())
