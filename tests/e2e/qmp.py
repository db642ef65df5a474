#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Minimal QMP client for the end-to-end dump scripts (tests/e2e/).

Subcommands:
  dump   wait for a marker line on the guest console, stop the guest at once,
         write the dumps with dump-guest-memory, then quit QEMU.
  cmd    run one QMP command (JSON arguments) and print the answer.

Every wait has a time limit; exit status 0 = done, 1 = failure (the reason is
printed on stderr), 2 = usage.
"""

import argparse
import json
import os
import socket
import sys
import time


class QMPError(Exception):
    pass


class QMP:
    """One QMP session on a unix socket; events are skipped."""

    def __init__(self, path, timeout, pid=None):
        deadline = time.monotonic() + timeout
        self.sock = None
        last = None
        # QEMU creates the socket a moment after it starts: retry until then.
        while time.monotonic() < deadline:
            if pid is not None and not pid_alive(pid):
                raise QMPError("QEMU (pid %d) exited before its QMP socket came up" % pid)
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                self.sock = s
                break
            except OSError as e:
                last = e
                s.close()
                time.sleep(0.05)
        if self.sock is None:
            raise QMPError("cannot connect to QMP socket %s: %s" % (path, last))
        self.buf = b""
        greeting = self._read_msg(timeout=10)
        if "QMP" not in greeting:
            raise QMPError("unexpected QMP greeting: %r" % greeting)
        self.execute("qmp_capabilities", timeout=10)

    def _read_msg(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QMPError("QMP: no answer within %d s" % timeout)
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise QMPError("QMP: connection closed by QEMU")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            raise QMPError("QMP: bad JSON from QEMU: %r" % line[:200])

    def execute(self, cmd, args=None, timeout=30):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QMPError("QMP %s: no answer within %d s" % (cmd, timeout))
            reply = self._read_msg(left)
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                err = reply["error"]
                raise QMPError("QMP %s failed: %s: %s" % (cmd, err.get("class"), err.get("desc")))
            # an asynchronous event (STOP, RESUME, DUMP_COMPLETED ...): skip

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child still "exists": look at its state as well
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_marker(console, marker, fail_markers, timeout, pid):
    """Poll the console file until MARKER appears; fail fast on FAIL_MARKERS."""
    deadline = time.monotonic() + timeout
    pos = 0
    tail = b""
    mark = marker.encode()
    fails = [m.encode() for m in fail_markers]
    while True:
        try:
            with open(console, "rb") as f:
                f.seek(pos)
                data = f.read()
        except FileNotFoundError:
            data = b""
        if data:
            pos += len(data)
            # keep a tail so a marker split across two reads is still found
            window = tail + data
            if mark in window:
                return
            for m in fails:
                idx = window.find(m)
                if idx >= 0:
                    end = window.find(b"\n", idx)
                    line = window[idx:end if end >= 0 else len(window)]
                    raise QMPError("guest failed: %s" % line.decode(errors="replace").strip())
            tail = window[-512:]
        if pid is not None and not pid_alive(pid):
            raise QMPError("QEMU exited before the guest was ready (see %s)" % console)
        if time.monotonic() > deadline:
            raise QMPError("guest not ready within %d s (no '%s' on %s)" % (timeout, marker, console))
        time.sleep(0.01)


def cmd_dump(a):
    t0 = a.start if a.start else time.time()
    q = QMP(a.sock, a.connect_timeout, a.pid)
    try:
        wait_marker(a.console, a.marker, a.fail_marker, a.ready_timeout, a.pid)
        # stop at once: the stacks were printed just before the marker
        q.execute("stop", timeout=30)
        t_stop = time.time()
        print("qmp: guest ready and stopped %.1f s after start" % (t_stop - t0), flush=True)
        if a.elf:
            t = time.time()
            q.execute("dump-guest-memory",
                      {"paging": False, "protocol": "file:" + os.path.abspath(a.elf)},
                      timeout=a.dump_timeout)
            print("qmp: ELF dump written in %.1f s" % (time.time() - t), flush=True)
        if a.kdump:
            t = time.time()
            q.execute("dump-guest-memory",
                      {"paging": False, "format": "kdump-zlib",
                       "protocol": "file:" + os.path.abspath(a.kdump)},
                      timeout=a.dump_timeout)
            print("qmp: kdump-zlib dump written in %.1f s" % (time.time() - t), flush=True)
        try:
            q.execute("quit", timeout=10)
        except QMPError:
            pass  # QEMU may close the socket before it answers
    finally:
        q.close()


def cmd_cmd(a):
    q = QMP(a.sock, a.connect_timeout, a.pid)
    try:
        args = json.loads(a.args) if a.args else None
        print(json.dumps(q.execute(a.command, args, timeout=a.timeout)))
    finally:
        q.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="sub", required=True)

    d = sub.add_parser("dump", help="wait for the guest, stop it, dump it, quit")
    d.add_argument("--sock", required=True)
    d.add_argument("--console", required=True)
    d.add_argument("--marker", required=True)
    d.add_argument("--fail-marker", action="append", default=[])
    d.add_argument("--pid", type=int)
    d.add_argument("--start", type=float, help="epoch time QEMU was started")
    d.add_argument("--connect-timeout", type=float, default=30)
    d.add_argument("--ready-timeout", type=float, default=180)
    d.add_argument("--dump-timeout", type=float, default=300)
    d.add_argument("--elf")
    d.add_argument("--kdump")

    c = sub.add_parser("cmd", help="run one QMP command")
    c.add_argument("--sock", required=True)
    c.add_argument("--pid", type=int)
    c.add_argument("--connect-timeout", type=float, default=30)
    c.add_argument("--timeout", type=float, default=60)
    c.add_argument("command")
    c.add_argument("args", nargs="?")

    a = p.parse_args()
    try:
        if a.sub == "dump":
            cmd_dump(a)
        else:
            cmd_cmd(a)
    except QMPError as e:
        print("qmp: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
