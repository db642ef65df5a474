/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpt_livepatch2 - a second livepatch of klpt_sleeper_wait(), stacked on
 * klpt_livepatch, for the stacked scenario set of tests/e2e/mkdump-x86_64.sh:
 * its transition stalls on the tasks sleeping in klpt_livepatch's
 * replacement (the range klp_check_stack_func() takes from func_stack).
 */
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/wait.h>

/* Sleeps like the versions before it. */
static DECLARE_WAIT_QUEUE_HEAD(klpt_lp2_wq);

noinline int livepatch2_klpt_sleeper_wait(void)
{
	return wait_event_interruptible(klpt_lp2_wq, 0);
}

static struct klp_func klpt_funcs[] = {
	{
		.old_name = "klpt_sleeper_wait",
		.new_func = livepatch2_klpt_sleeper_wait,
	}, { }
};

static struct klp_object klpt_objs[] = {
	{
		.name = "klpt_sleeper",
		.funcs = klpt_funcs,
	}, { }
};

static struct klp_patch klpt_patch = {
	.mod = THIS_MODULE,
	.objs = klpt_objs,
};

static int __init klpt_livepatch_init(void)
{
	return klp_enable_patch(&klpt_patch);
}

static void __exit klpt_livepatch_exit(void)
{
}

module_init(klpt_livepatch_init);
module_exit(klpt_livepatch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("klpstack e2e: a livepatch stacked on klpt_livepatch");
