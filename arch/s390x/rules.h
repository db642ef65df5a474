/* SPDX-License-Identifier: GPL-2.0-or-later */
/* s390x rules: arch/s390/kernel/unwind_bc.c, stacktrace.c */
#ifndef KLPSTACK_S390X_RULES_H
#define KLPSTACK_S390X_RULES_H

#define KS_S390X_RULES(X)                                                     \
	X(S390_BAD_KSP, "s390: saved ksp is zero, misaligned or off the stack") \
	X(S390_BAD_BACKCHAIN, "s390: back chain leaves the task stack or goes down") \
	X(S390_PTREGS_OFF_STACK, "s390: pt_regs after a zero back chain is off the stack") \
	X(S390_INTERRUPTED, "s390: kernel-mode pt_regs in the middle of the stack") \
	X(S390_MISALIGNED_SP, "s390: stack pointer is not 8-byte aligned")   \
	X(S390_FINAL_REGS_NOT_USER,                                           \
	  "s390 (2019 rules): final pt_regs of a user task are not user mode")

#endif
