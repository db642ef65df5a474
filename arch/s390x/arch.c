/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s390x: the facts the back-chain unwinder needs, read from type info
 * once per kernel, and the ops table the core calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include "s390x.h"

/*
 * struct stack_frame (arch/s390/include/asm/stacktrace.h, 5.2+; before
 * in processor.h): the packed layout (-mpacked-stack, used by every
 * kernel build since at least 4.x) puts back_chain at 152 and
 * gprs[0..9] = r6..r15 at 72, size 160 (6.x: a union of empty[9] / sie_*
 * fields, 4.x/5.x: empty1[5] + empty2[8] u32).  Without type info we
 * take those; a layout given by type info always wins, so a kernel (or
 * pre-baked stack image) with another layout is unwound with its own offsets.
 */
#define SF_BACK_CHAIN_PACKED 152
#define SF_GPRS_PACKED 72
#define SF_SIZE 160
/* gprs[] of stack_frame starts at r6: r14 is element 8. */
#define SF_R14_INDEX 8

/*
 * struct pt_regs (arch/s390/include/asm/ptrace.h): args[1] @0,
 * psw_t psw @8 (mask @8, addr @16), gprs[16] @24 (r15 @144) in every
 * version since 2.6.  The size grew: 184 in 5.x (orig_gpr2, int_code,
 * int_parm, int_parm_long, flags), 200 once cr1 and last_break follow
 * flags (last_break: "s390/ptrace: add last_break member to pt_regs",
 * s390 pull for 5.16; Debian's 6.1 kernel: 200, flags @176).  When cr1
 * arrived is not pinned down here, so a 5.1x kernel before 5.16 may be
 * 192 (UNVERIFIED): type info decides, the fallback only matters
 * without it.  Debian's 6.12 has the 6.1 layout; 7.2 has no cr1 any more
 * but unsigned int cpu and unsigned char percpu_register after
 * last_break (orig_gpr2 now in a union with monitor_code), still 200
 * bytes with psw and gprs in place: the e2e guests of both read them
 * from the types.
 */
#define REGS_PSW_DEFAULT 8
#define PSW_MASK_DEFAULT 0
#define PSW_ADDR_DEFAULT 8
#define REGS_GPRS_DEFAULT 24
#define REGS_SIZE_5_16 200
#define REGS_SIZE_OLD 184

static int plausible_frame(const struct s390x_layout *l)
{
	return l->sf_size >= 16 && l->sf_size <= 4096 && l->sf_size % 8 == 0 &&
	       l->sf_back_chain >= 0 && l->sf_back_chain % 8 == 0 &&
	       l->sf_back_chain + 8 <= l->sf_size &&
	       l->sf_gprs >= 0 && l->sf_gprs % 8 == 0 &&
	       l->sf_gprs + 10 * 8 <= l->sf_size;
}

static int plausible_regs(const struct s390x_layout *l)
{
	return l->regs_size >= 16 && l->regs_size <= 4096 &&
	       l->regs_psw_mask >= 0 && l->regs_psw_mask + 8 <= l->regs_size &&
	       l->regs_psw_addr >= 0 && l->regs_psw_addr + 8 <= l->regs_size &&
	       l->regs_gprs >= 0 && l->regs_gprs + 16 * 8 <= l->regs_size;
}

static int s390x_probe(struct ks_kernel *k, char *err, size_t errlen)
{
	struct s390x_layout *l;
	long bc, gprs, psw, mask, addr, rg;

	l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	k->arch_priv = l;

	bc = ks_offset(k, "stack_frame", "back_chain", -1);
	gprs = ks_offset(k, "stack_frame", "gprs", -1);
	l->sf_from_types = bc >= 0 && gprs >= 0;
	l->sf_back_chain = bc >= 0 ? bc : SF_BACK_CHAIN_PACKED;
	l->sf_gprs = gprs >= 0 ? gprs : SF_GPRS_PACKED;
	l->sf_r14 = l->sf_gprs + 8 * SF_R14_INDEX;
	l->sf_size = ks_type_size(k, "stack_frame", SF_SIZE);
	if (!plausible_frame(l)) {
		snprintf(err, errlen,
			 "s390x: implausible struct stack_frame (back_chain %ld, gprs %ld, size %ld)",
			 l->sf_back_chain, l->sf_gprs, l->sf_size);
		return -1;
	}

	/* psw is a psw_t (a typedef'd anonymous struct): its members are
	 * looked up under the typedef name. */
	psw = ks_offset(k, "pt_regs", "psw", -1);
	mask = ks_offset(k, "psw_t", "mask", -1);
	addr = ks_offset(k, "psw_t", "addr", -1);
	rg = ks_offset(k, "pt_regs", "gprs", -1);
	l->regs_from_types = psw >= 0 && rg >= 0;
	if (psw < 0)
		psw = REGS_PSW_DEFAULT;
	l->regs_psw_mask = psw + (mask >= 0 ? mask : PSW_MASK_DEFAULT);
	l->regs_psw_addr = psw + (addr >= 0 ? addr : PSW_ADDR_DEFAULT);
	l->regs_gprs = rg >= 0 ? rg : REGS_GPRS_DEFAULT;
	l->regs_r15 = l->regs_gprs + 8 * 15;
	l->regs_size = ks_type_size(k, "pt_regs",
				    k->version >= KS_VERSION(5, 16, 0) ?
				    REGS_SIZE_5_16 : REGS_SIZE_OLD);
	if (!plausible_regs(l)) {
		snprintf(err, errlen,
			 "s390x: implausible struct pt_regs (psw %ld/%ld, gprs %ld, size %ld)",
			 l->regs_psw_mask, l->regs_psw_addr, l->regs_gprs,
			 l->regs_size);
		return -1;
	}
	return 0;
}

static void s390x_release(struct ks_kernel *k)
{
	free(k->arch_priv);
	k->arch_priv = NULL;
}

static const char *s390x_unwinder_name(const struct ks_kernel *k)
{
	(void)k;
	/* s390 has only the back-chain unwinder (unwind_bc.c, 5.2+). */
	return "back-chain";
}

int s390x_read_psw_mask(const struct ks_kernel *k, kaddr_t regs,
			uint64_t *mask)
{
	return ks_read_u64(k, regs + (kaddr_t)s390x_layout(k)->regs_psw_mask,
			   mask);
}

const struct ks_arch_ops ks_arch_s390x = {
	.id = KS_ARCH_S390X,
	.name = "s390x",
	.big_endian = 1,
	.default_thread_size = S390X_THREAD_SIZE,
	.probe = s390x_probe,
	.release = s390x_release,
	.unwinder_name = s390x_unwinder_name,
	.walk_reliable = s390x_walk_reliable,
};
