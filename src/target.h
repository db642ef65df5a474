/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The target interface: the only way the core sees a kernel image.
 *
 * A target is a crash session (extensions/), a dump opened with libkdumpfile
 * (klpscan) or a pre-baked stack image (a test target).  The core never includes a
 * crash or libkdumpfile header; it calls these operations and checks every
 * result, because any read of dump memory can fail.
 */
#ifndef KLPSTACK_TARGET_H
#define KLPSTACK_TARGET_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t kaddr_t;

enum ks_arch_id {
	KS_ARCH_UNKNOWN = 0,
	KS_ARCH_X86_64,
	KS_ARCH_S390X,
};

/* A symbol as a target knows it (vmlinux), or as the core reads it from
 * a module (src/modules.c).  Strings stay valid until the next call of
 * the same operation on the same target. */
struct ks_symbol {
	const char *name;
	kaddr_t value;
	uint64_t size;		/* 0 when unknown */
	const char *module;	/* NULL for vmlinux (every target symbol) */
	/* nm(1)'s letter: 'T'/'t' text, 'W' weak, 'D'/'d' 'B'/'b' 'R'/'r'
	 * data, 'A'/'a' absolute, 'V' weak object...; 0 when unknown.  The
	 * kernel's kallsyms ranks aliases by it (src/symbols.c). */
	char type;
	/* Module symbols: the index in the module's ELF symtab (the order
	 * the kernel's module lookup scans); -1 for vmlinux symbols. */
	long order;
};

/* At most this many symbols at one address are considered. */
#define KS_MAX_ALIASES 256

struct ks_target_ops {
	/* Read len bytes of kernel virtual memory into buf, in the target's
	 * own byte order.  0 on success, -1 if any byte is unreadable. */
	int (*read)(void *priv, kaddr_t addr, void *buf, size_t len);

	/* vmlinux symbol (static ones included) -> address.  0 on success,
	 * -1 when the vmlinux has no such symbol.  Module symbols are not
	 * the target's: the core reads each module's own kallsyms copy
	 * (src/modules.c). */
	int (*lookup_symbol)(void *priv, const char *name, kaddr_t *value);

	/* Every vmlinux symbol at the highest symbol address <= addr, i.e.
	 * all the aliases there, in any order, without judging them: up to
	 * max of them into out.  Returns how many there are (more than max
	 * when some were left out), -1 when no vmlinux symbol lies at or
	 * below addr or addr is outside the vmlinux image.  Which one names
	 * the address is the core's decision (ks_symbolize(),
	 * src/symbols.c), the same for every target; module addresses never
	 * get here (src/modules.c). */
	int (*symbols_at)(void *priv, kaddr_t addr, struct ks_symbol *out, int max);

	/* Nonzero when addr is in vmlinux text (module text too if the
	 * target knows it; the core adds the kernel's module list, init
	 * text, BPF and ftrace trampolines: ks_is_text()). */
	int (*is_kernel_text)(void *priv, kaddr_t addr);

	/* Offset of a direct member of "struct type" (members of anonymous
	 * structs and unions included), -1 when unknown.  type is the bare
	 * struct name, e.g. ("task_struct", "thread"). */
	long (*member_offset)(void *priv, const char *type, const char *member);

	/* Size of that member, -1 when unknown. */
	long (*member_size)(void *priv, const char *type, const char *member);

	/* sizeof(struct type), -1 when unknown. */
	long (*type_size)(void *priv, const char *type);
};

struct ks_target;

/* A NUL-terminated string at addr through t's read operation, of at most
 * len - 1 bytes (cut there).  Read in pieces up to page ends, so that a
 * string just before a page the dump lacks still reads.  0 ok, -1 when
 * a byte up to the NUL is unreadable.  (src/kernel.c) */
int ks_target_read_cstr(const struct ks_target *t, kaddr_t addr, char *buf, size_t len);

struct ks_target {
	const struct ks_target_ops *ops;
	void *priv;
	enum ks_arch_id arch;
	/* utsname release, e.g. "6.1.0-27-cloud-amd64" or "6.1.115";
	 * the core derives the kernel version that decides the rules. */
	const char *osrelease;
	/* Optional: the kernel's linux_banner; the core reads the upstream
	 * version from it where the release string hides it (Debian
	 * "6.1.0-27" is 6.1.115, Ubuntu "5.15.0-91" is 5.15.131). */
	const char *banner;
	/* Optional full upstream version, overriding both; 0 = derive. */
	uint32_t version;
};

#endif
