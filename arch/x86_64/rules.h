/* SPDX-License-Identifier: GPL-2.0-or-later */
/* x86_64 rules: arch/x86/kernel/unwind_orc.c, unwind_frame.c, stacktrace.c */
#ifndef KLPSTACK_X86_64_RULES_H
#define KLPSTACK_X86_64_RULES_H

#define KS_X86_64_RULES(X)                                                    \
	X(ORC_BAD_START, "ORC: saved stack pointer is not on the task stack") \
	X(ORC_NO_ENTRY, "ORC: no ORC entry for this address")                 \
	X(ORC_UNDEFINED, "ORC: entry is UNDEFINED (unwinding not possible)")  \
	X(ORC_BAD_SP_REG, "ORC: unknown or unavailable sp_reg")               \
	X(ORC_BAD_BP_REG, "ORC: unknown or unavailable bp_reg")               \
	X(ORC_BAD_TYPE, "ORC: unknown entry type")                            \
	X(ORC_OFF_STACK, "ORC: frame or pt_regs is not on the stack")         \
	X(ORC_WRONG_DIRECTION, "ORC: stack going in the wrong direction")     \
	X(ORC_FORKED_TASK,                                                    \
	  "ORC: never-run task starts at ret_from_fork, looked up as a call " \
	  "site (< 5.8, 6.5-6.12)")                                          \
	X(FP_BAD_ADDRESS, "frame pointer: next frame is not on the stack")    \
	X(FP_KERNEL_REGS, "frame pointer: kernel-mode pt_regs on the stack")  \
	X(FP_USER_REGS_NOT_LAST, "frame pointer: user pt_regs not at the end") \
	X(USER_TASK_NO_USER_REGS,                                             \
	  "user task's stack ends without user pt_regs (4.18-5.6)")

#endif
