/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Frame names as the kernel prints them.
 *
 * /proc/PID/stack prints "%pB" (proc_pid_stack(), fs/proc/base.c):
 * sprint_backtrace() looks up ip-1 and prints the offset from there plus
 * one, so a return address just past a function's last call (at the very
 * start of the next symbol) names that function, at +size (walk.c does the
 * ip-1).  kallsyms_lookup() then names the address with ONE of the symbols
 * at the highest symbol address below it; which one depends on an order
 * fixed when the kernel was built.  Targets list every alias they know
 * (target.h symbols_at); this file decides, for all of them:
 *
 * vmlinux (kernel/kallsyms.c get_symbol_pos(), 2.6.x to 6.12 unchanged):
 *   the first of the aliases in kallsyms' table.  Code symbols (nm's
 *   T, t, W, w, i) go first here; kallsyms has no such rule, but in a
 *   kernel image no data symbol shares an address with code (markers
 *   that end or start a text section are typed 't'/'T' by the section
 *   they sit in), so it changes no kernel's answer and keeps a target
 *   that knows better from naming code after data.  Then scripts/
 *   kallsyms.c (compare_symbols(), the same from 4.x to 6.12) sorts equal
 *   addresses
 *   1. non-weak before weak (nm type 'W'/'w'; a weak *object* is 'V' to
 *      nm and counts as non-weak),
 *   2. then names a linker script may have provided last: at least 8
 *      characters, "__" then "start_", "stop_" or "end_", or "__...start"
 *      / "__..._end" (may_be_linker_script_provide_symbol()): section
 *      markers such as __noinstr_text_start or __end_rodata,
 *   3. then fewer leading underscores first (__s390x_sys_X and __se_sys_X
 *      tie here),
 *   4. then the input order: "nm -n vmlinux", which sorts equal values by
 *      name, byte-wise under Kbuild's LC_COLLATE=C (binutils nm
 *      non_numeric_forward()): __s390x_sys_X before __se_sys_X.
 *   Names are kept whole: gcc's clones (.isra.0, .constprop.0, .part.0,
 *   .cold) are separate symbols to kallsyms and printed with the suffix
 *   (only clang LTO's ".llvm." suffixes are cut, 6.1's
 *   cleanup_symbol_name(), and Debian builds with gcc).
 *   Which symbols are in the table at all: scripts/mksysmap (6.1) drops
 *   nm types a, N, U, w and names "$...", ".L...", "__crc_...",
 *   "__kstrtab_...", "__kstrtabns_...", "L0"; scripts/kallsyms.c
 *   is_ignored_symbol() (6.1) drops the kallsyms_* tables, absolute
 *   symbols but four, and the arm/ppc/mips linker stubs and
 *   "__kcfi_typeid_" / "__efistub_" names.
 *
 * modules (kernel/module/kallsyms.c find_kallsyms_symbol(), 6.1; the same
 *   loop in kernel/module.c since 2.6): no ranking, the module's symtab is
 *   scanned in order and the FIRST symbol of the highest address wins;
 *   undefined and unnamed symbols and ARM mapping symbols are skipped.
 *   The core reads module symbols itself, in symtab order
 *   (ks_module_symbolize(), modules.c); the order rule below serves
 *   any list of module aliases that carries it (ks_symbol.order), and
 *   one without it gets the vmlinux order as the best remaining guess.
 */
#include <string.h>

#include "symbols.h"

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

int ks_sym_in_kallsyms(const char *name, char type)
{
	static const char *const exact[] = {
		"kallsyms_addresses", "kallsyms_offsets", "kallsyms_relative_base",
		"kallsyms_num_syms", "kallsyms_names", "kallsyms_markers",
		"kallsyms_token_table", "kallsyms_token_index",
		"kallsyms_seqs_of_names", "_SDA_BASE_", "_SDA2_BASE_", "L0",
	};
	static const char *const prefixes[] = {
		"$", ".L", "__crc_", "__kstrtab_", "__kstrtabns_", "__efistub_",
		"__kvm_nvhe_$", "__kvm_nvhe_.L", "__AArch64ADRPThunk_",
		"__ARMV5PILongThunk_", "__ARMV7PILongThunk_",
		"__ThumbV7PILongThunk_", "__LA25Thunk_", "__microLA25Thunk_",
		"__kcfi_typeid_",
	};
	static const char *const suffixes[] = { "_from_arm", "_from_thumb", "_veneer" };
	static const char *const absolute_kept[] = {
		"__kernel_syscall_via_break", "__kernel_syscall_via_epc",
		"__kernel_sigtramp", "__gp",
	};
	size_t i;

	if (!name || !name[0])
		return 0;
	switch (type) {
	case 'U': case 'u': case 'N': case 'n': case 'a': case 'w': case 'v':
		return 0;
	case 'A':
		for (i = 0; i < sizeof(absolute_kept) / sizeof(absolute_kept[0]); i++)
			if (strcmp(name, absolute_kept[i]) == 0)
				return 1;
		return 0;
	default:
		break;
	}
	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(name, exact[i]) == 0)
			return 0;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (has_prefix(name, prefixes[i]))
			return 0;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (has_suffix(name, suffixes[i]))
			return 0;
	if (strstr(name, ".long_branch.") || strstr(name, ".plt_branch."))
		return 0;
	return 1;
}

int ks_sym_noise(const char *name)
{
	static const char *const prefixes[] = {
		"__crc_", "__kstrtab_", "__kstrtabns_", "__efistub_",
		"__kcfi_typeid_", ".L", "$", "__UNIQUE_ID_",
	};
	if (!name || !name[0])
		return 1;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (has_prefix(name, prefixes[i]))
			return 1;
	return 0;
}

int ks_sym_module_mapping(const char *s)
{
	if (s[0] == '.' && s[1] == 'L')
		return 1;
	return s[0] == '$' && s[1] && strchr("axtd", s[1]) &&
	       (s[2] == 0 || s[2] == '.');
}

static int usable(const struct ks_symbol *s)
{
	if (!s->name || !s->name[0])
		return 0;
	if (s->module && s->order >= 0)
		return !ks_sym_module_mapping(s->name) && s->type != 'U';
	return ks_sym_in_kallsyms(s->name, s->type);
}

static int is_weak(const struct ks_symbol *s)
{
	return s->type == 'W' || s->type == 'w';
}

/* nm letters of code: text, weak, indirect function; 0 = unknown. */
static int is_code(const struct ks_symbol *s)
{
	return !s->type || strchr("TtWwi", s->type) != NULL;
}

static int linker_provided(const char *s)
{
	size_t len = strlen(s);

	if (len < 8 || s[0] != '_' || s[1] != '_')
		return 0;
	return has_prefix(s + 2, "start_") || has_prefix(s + 2, "stop_") ||
	       has_prefix(s + 2, "end_") || has_suffix(s, "_start") ||
	       has_suffix(s, "_end");
}

int ks_sym_alias_cmp(const struct ks_symbol *a, const struct ks_symbol *b)
{
	int wa, wb;

	/* a module's own symtab order, when both come from it */
	if (a->module && b->module && a->order >= 0 && b->order >= 0 &&
	    a->order != b->order)
		return a->order < b->order ? -1 : 1;
	wa = !is_code(a);
	wb = !is_code(b);
	if (wa != wb)
		return wa - wb;
	wa = is_weak(a);
	wb = is_weak(b);
	if (wa != wb)
		return wa - wb;
	wa = linker_provided(a->name);
	wb = linker_provided(b->name);
	if (wa != wb)
		return wa - wb;
	wa = (int)strspn(a->name, "_");
	wb = (int)strspn(b->name, "_");
	if (wa != wb)
		return wa - wb;
	return strcmp(a->name, b->name);
}

/* How far below an address whose aliases kallsyms all ignores the search
 * goes on: a few steps cover local labels and stubs between functions. */
#define KS_SYM_MAX_STEPS 8

int ks_symbolize(const struct ks_target *t, kaddr_t addr, struct ks_symbol *out)
{
	struct ks_symbol c[KS_MAX_ALIASES];

	if (!t->ops->symbols_at)
		return -1;
	for (int step = 0; step < KS_SYM_MAX_STEPS; step++) {
		int n = t->ops->symbols_at(t->priv, addr, c, KS_MAX_ALIASES);
		int best = -1;
		uint64_t size = 0;

		if (n <= 0)
			return -1;
		if (n > KS_MAX_ALIASES)
			n = KS_MAX_ALIASES;
		for (int i = 0; i < n; i++) {
			/* a target must hand out one address only */
			if (c[i].value != c[0].value || c[i].value > addr)
				return -1;
			if (c[i].size > size)
				size = c[i].size;
			if (!usable(&c[i]))
				continue;
			if (best < 0 || ks_sym_alias_cmp(&c[i], &c[best]) < 0)
				best = i;
		}
		if (best >= 0) {
			*out = c[best];
			out->size = size;
			return 0;
		}
		/* Nothing kallsyms keeps here (e.g. only a local label):
		 * the kernel names the address by the symbol below. */
		if (c[0].value == 0)
			return -1;
		addr = c[0].value - 1;
	}
	return -1;
}

char ks_sym_nm_type(unsigned bind, unsigned type, int shndx_kind,
		    uint64_t sec_flags, int sec_nobits)
{
	/* ELF constants, spelled out: the core includes no ELF header. */
	enum { STB_LOCAL_ = 0, STB_GLOBAL_ = 1, STB_WEAK_ = 2, STB_GNU_UNIQUE_ = 10 };
	enum { STT_OBJECT_ = 1, STT_GNU_IFUNC_ = 10 };
	enum { SHF_WRITE_ = 0x1, SHF_ALLOC_ = 0x2, SHF_EXECINSTR_ = 0x4 };
	char c;

	if (shndx_kind == 1)
		return bind == STB_WEAK_ ? (type == STT_OBJECT_ ? 'v' : 'w') : 'U';
	if (bind == STB_GNU_UNIQUE_)
		return 'u';
	if (bind == STB_WEAK_)
		return type == STT_OBJECT_ ? 'V' : 'W';
	if (type == STT_GNU_IFUNC_)
		return 'i';
	if (shndx_kind == 2)
		c = 'a';
	else if (sec_flags & SHF_EXECINSTR_)
		c = 't';
	else if (!(sec_flags & SHF_ALLOC_))
		c = 'n';
	else if (sec_nobits)
		c = 'b';
	else if (sec_flags & SHF_WRITE_)
		c = 'd';
	else
		c = 'r';
	return bind == STB_LOCAL_ ? c : (char)(c - 'a' + 'A');
}
