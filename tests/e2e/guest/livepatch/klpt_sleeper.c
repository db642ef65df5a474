/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpt_sleeper - test module for the livepatch scenario set of
 * tests/e2e/mkdump-x86_64.sh.  A read() of /dev/klpt_sleeper sleeps in
 * klpt_sleeper_wait() until the module is unloaded, so test tasks sit in a
 * function that klpt_livepatch.ko replaces: the transition cannot finish
 * while they sleep there.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/wait.h>

static DECLARE_WAIT_QUEUE_HEAD(klpt_wq);
static bool klpt_release_all;

/*
 * noinline + __noclone: the function must exist under exactly this name
 * (no .isra/.constprop copies), or the livepatch could not find it.
 */
noinline __noclone int klpt_sleeper_wait(void)
{
	return wait_event_interruptible(klpt_wq, READ_ONCE(klpt_release_all));
}
EXPORT_SYMBOL_GPL(klpt_sleeper_wait);

static ssize_t klpt_read(struct file *file, char __user *buf, size_t len, loff_t *pos)
{
	int ret = klpt_sleeper_wait();

	return ret ? ret : 0;
}

static const struct file_operations klpt_fops = {
	.owner = THIS_MODULE,
	.read = klpt_read,
	.llseek = noop_llseek,
};

static struct miscdevice klpt_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "klpt_sleeper",
	.fops = &klpt_fops,
};

static int __init klpt_init(void)
{
	return misc_register(&klpt_dev);
}

static void __exit klpt_exit(void)
{
	WRITE_ONCE(klpt_release_all, true);
	wake_up_all(&klpt_wq);
	misc_deregister(&klpt_dev);
}

module_init(klpt_init);
module_exit(klpt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpstack e2e: tasks sleep in a function a livepatch replaces");
