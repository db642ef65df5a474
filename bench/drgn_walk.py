# SPDX-License-Identifier: GPL-2.0-or-later
#
# drgn_walk.py VMCORE VMLINUX
#
# The drgn column of bench/run.sh: open the dump with drgn, then take the
# stack trace of every task (drgn's own unwinder, no reliability rules).
# Prints one line "tasks N frames N errors N open S walk S" on success;
# on failure one line "cannot: REASON" and exit status 1.  Timing is
# monotonic; "open" covers the dump and the debug info, "walk" the task
# list and the traces.
import sys
import time


def main():
    if len(sys.argv) != 3:
        print("usage: drgn_walk.py VMCORE VMLINUX", file=sys.stderr)
        return 2
    core, vmlinux = sys.argv[1], sys.argv[2]
    try:
        import drgn
        from drgn.helpers.linux.pid import for_each_task
    except ImportError as e:
        print(f"cannot: drgn is not installed ({e})")
        return 1

    t0 = time.monotonic()
    try:
        prog = drgn.Program()
        prog.set_core_dump(core)
        prog.load_debug_info([vmlinux])
    except Exception as e:  # drgn raises plain Exception for dump formats
        print(f"cannot: open: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
        return 1
    t1 = time.monotonic()
    # Without a VMCOREINFO note drgn takes the file for a user-space core:
    # no task list, no kernel stack traces.
    if not (prog.flags & drgn.ProgramFlags.IS_LINUX_KERNEL):
        print("cannot: drgn does not see a Linux kernel in this dump "
              "(no VMCOREINFO note)")
        return 1

    tasks = frames = errors = 0
    first_error = None
    try:
        # Bounded by the kernel's own list; drgn stops on a fault.
        for task in for_each_task(prog):
            tasks += 1
            try:
                frames += len(prog.stack_trace(task))
            except Exception as e:
                errors += 1
                if first_error is None:
                    first_error = str(e).splitlines()[0] if str(e) else type(e).__name__
    except Exception as e:
        print(f"cannot: task list: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
        return 1
    t2 = time.monotonic()
    if tasks and errors == tasks:
        print(f"cannot: every stack trace failed ({first_error})")
        return 1
    print(f"tasks {tasks} frames {frames} errors {errors} "
          f"open {t1 - t0:.3f} walk {t2 - t1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
