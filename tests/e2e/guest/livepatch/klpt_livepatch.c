/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpt_livepatch - livepatch for the livepatch scenario set of
 * tests/e2e/mkdump-x86_64.sh.  Replaces klpt_sleeper_wait() of
 * klpt_sleeper.ko, so the transition stalls on the tasks sleeping inside it
 * (and on running tasks and tasks with unreliable stacks).
 *
 * Built a second time with KLPT_REPLACE defined (klpt_livepatch_replace.c)
 * for the replace set: an atomic-replace patch (.replace, 5.1) that patches
 * only version_proc_show(), a function no test task runs.  Loaded on top of
 * this patch it takes klpt_sleeper_wait() back to the original through a
 * "nop" klp_func the kernel adds for it (klp_add_nops()), and its
 * transition stalls on the tasks sleeping in this patch's replacement.
 */
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/wait.h>
#ifdef KLPT_REPLACE
#include <linux/seq_file.h>
#endif

/* The new version sleeps like the old one: in the stacked and unpatch
 * sets tasks park in it, and a second patch (klpt_livepatch2.ko) or the
 * unpatching transition must wait for them. */
#ifndef KLPT_REPLACE
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
#else
/* /proc/version, which nothing in the test guest reads */
static int livepatch_replace_version_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpt_livepatch_replace\n");
	return 0;
}

static struct klp_func klpt_funcs[] = {
	{
		.old_name = "version_proc_show",
		.new_func = livepatch_replace_version_proc_show,
	}, { }
};

static struct klp_object klpt_objs[] = {
	{
		.name = NULL,	/* vmlinux */
		.funcs = klpt_funcs,
	}, { }
};
#endif

static struct klp_patch klpt_patch = {
	.mod = THIS_MODULE,
	.objs = klpt_objs,
#ifdef KLPT_REPLACE
	.replace = true,
#endif
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
#ifndef KLPT_REPLACE
MODULE_DESCRIPTION("klpstack e2e: a livepatch whose transition stalls");
#else
MODULE_DESCRIPTION("klpstack e2e: an atomic-replace patch dropping klpt_livepatch's function");
#endif
