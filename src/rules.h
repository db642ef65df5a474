/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every rule a walk can fail, in one list: KS_RULE(NAME, "message").
 * The arch lists live next to the code that applies them
 * (arch/<arch>/rules.h); each rule is applied in exactly one place,
 * a function or block named after it.
 */
#ifndef KLPSTACK_RULES_H
#define KLPSTACK_RULES_H

#include "../arch/x86_64/rules.h"
#include "../arch/s390x/rules.h"

#define KS_GENERIC_RULES(X)                                                   \
	X(NONE, "no rule failed")                                             \
	/* kernel/livepatch/transition.c: MAX_STACK_ENTRIES = 100; the      \
	 * consume callback fails once the buffer is full (all versions). */ \
	X(TOO_DEEP, "100 or more entries: klp_check_stack's buffer is full")  \
	/* __kernel_text_address() fails (arch stacktrace.c, all versions) */ \
	X(NON_TEXT_RA, "return address is not kernel text")                   \
	/* s390 5.5-5.17 rejects the trampoline outright; all arches reject  \
	 * it when recovery left it in place */                              \
	X(KRETPROBE_TRAMPOLINE, "kretprobe/rethook trampoline on the stack")  \
	/* strict mode only: the kernel accepts these, the caller is lost */  \
	X(FGRAPH_UNRECOVERED,                                                 \
	  "return_to_handler without its ret_stack entry hides the caller")  \
	X(KRETPROBE_UNRECOVERED,                                              \
	  "kretprobe trampoline without its instance hides the caller")      \
	/* klp_have_reliable_stack() is false: no arch_stack_walk_reliable */ \
	X(NO_RELIABLE_STACKTRACE,                                             \
	  "this kernel has no reliable stack walker")                        \
	/* post-mortem only: the dump lacks what the kernel would have read */\
	X(DUMP_UNREADABLE, "memory needed for the walk is not in the dump")   \
	X(WALK_LIMIT, "walk stopped at klpstack's own frame limit")

#define KS_ALL_RULES(X) KS_GENERIC_RULES(X) KS_X86_64_RULES(X) KS_S390X_RULES(X)

enum ks_rule {
#define KS_RULE_ENUM(name, msg) KS_RULE_##name,
	KS_ALL_RULES(KS_RULE_ENUM)
#undef KS_RULE_ENUM
	KS_RULE_COUNT
};

const char *ks_rule_name(enum ks_rule r);
const char *ks_rule_message(enum ks_rule r);

#endif
