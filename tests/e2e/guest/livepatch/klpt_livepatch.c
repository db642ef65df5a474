/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpt_livepatch - livepatch for the livepatch scenario set of
 * tests/e2e/mkdump-x86_64.sh.  Replaces klpt_sleeper_wait() of
 * klpt_sleeper.ko, so the transition stalls on the tasks sleeping inside it
 * (and on running tasks and tasks with unreliable stacks).
 */
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/wait.h>

/* The new version sleeps like the old one: in the stacked and unpatch
 * sets tasks park in it, and a second patch (klpt_livepatch2.ko) or the
 * unpatching transition must wait for them. */
static DECLARE_WAIT_QUEUE_HEAD(klpt_lp_wq);

noinline int livepatch_klpt_sleeper_wait(void)
{
	return wait_event_interruptible(klpt_lp_wq, 0);
}

static struct klp_func klpt_funcs[] = {
	{
		.old_name = "klpt_sleeper_wait",
		.new_func = livepatch_klpt_sleeper_wait,
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
MODULE_DESCRIPTION("klpstack e2e: a livepatch whose transition stalls");
