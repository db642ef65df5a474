#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write a small synthetic kdump-compressed file (makedumpfile's
disk_dump_header format, version 6), healthy or with one corruption.

    mkkdump.py OUT [--arch x86_64|s390x] [--corrupt KIND] [--build-id HEX]
               [--kallsyms unmapped]

KIND names a field a hostile or damaged dump gets wrong (see KINDS).
The healthy file holds a VMCOREINFO note and a few pages, some
zlib-compressed; klpscan's container checks accept it (it then fails for
want of a kernel to go with it).  --kallsyms adds the kallsyms tables'
VMCOREINFO lines (Linux 6.0+) at addresses the dump lacks."""
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
}


KALLSYMS_TABLES = ("num_syms", "names", "token_table", "token_index", "offsets",
                   "relative_base")


def build(arch, corrupt, build_id="0123456789abcdef0123456789abcdef01234567",
          kallsyms=None):
    be = arch == "s390x"
    e = ">" if be else "<"
    max_mapnr = 64
    pfns = list(range(0, 12)) + [40, 41]
    vmcoreinfo = (b"OSRELEASE=6.1.0-synthetic\nPAGESIZE=4096\n"
                  b"BUILD-ID=" + build_id.encode() + b"\n"
                  b"SYMBOL(init_task)=ffffffff82a0c940\nKERNELOFFSET=0\n")
    if kallsyms == "unmapped":
        for i, t in enumerate(KALLSYMS_TABLES):
            vmcoreinfo += b"SYMBOL(kallsyms_%s)=%x\n" % (t.encode(), 0xffffffff81000000 + i * BLOCK)
    name = b"VMCOREINFO\0"
    note = struct.pack(e + "III", len(name), len(vmcoreinfo), 0)
    note += name + b"\0" * (-len(name) % 4)
    note += vmcoreinfo + b"\0" * (-len(vmcoreinfo) % 4)

    sub_hdr_size = 2            # sub-header block + notes block
    bitmap_blocks = 2
    note_off = BLOCK * 2
    bm_off = BLOCK * (1 + sub_hdr_size)
    desc_off = bm_off + BLOCK * bitmap_blocks
    data_off = desc_off + 24 * len(pfns)

    bitmap = bytearray(BLOCK)
    for p in pfns:
        bitmap[p // 8] |= 1 << (p % 8)
    first_bitmap = bytearray(BLOCK)
    for p in range(max_mapnr):
        first_bitmap[p // 8] |= 1 << (p % 8)

    descs, data = [], b""
    for i, p in enumerate(pfns):
        page = bytes((p * 7 + j) & 0xff for j in range(16)) * (BLOCK // 16)
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
        bitmap = bytearray(b"\xff" * BLOCK)
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


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        for k, v in KINDS.items():
            print(f"  {k:22} {v}")
        return 0 if args else 64
    out, arch, corrupt, build_id, kallsyms = args[0], "x86_64", "none", "0" * 40, None
    i = 1
    while i < len(args):
        if args[i] == "--arch":
            arch = args[i + 1]
        elif args[i] == "--build-id":
            build_id = args[i + 1]
        elif args[i] == "--corrupt":
            corrupt = args[i + 1]
        elif args[i] == "--kallsyms" and i + 1 < len(args) and \
                args[i + 1] == "unmapped":
            kallsyms = args[i + 1]
        else:
            print(f"mkkdump.py: unknown argument {args[i]}", file=sys.stderr)
            return 64
        i += 2
    if corrupt not in KINDS or arch not in ("x86_64", "s390x"):
        print("mkkdump.py: unknown --corrupt or --arch", file=sys.stderr)
        return 64
    with open(out, "wb") as f:
        f.write(build(arch, corrupt, build_id, kallsyms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
