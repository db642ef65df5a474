/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpt_initwait - test module of tests/e2e/mkdump-x86_64.sh whose init
 * function never returns: the task that loads it ("klpt modinit") stays
 * asleep in the module's init text (MOD_INIT_TEXT since 6.4, init_layout
 * before), which the kernel's unwinders treat as module text with the
 * module's own ORC entries.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/wait.h>

static DECLARE_WAIT_QUEUE_HEAD(klpt_initwait_wq);

static int __init klpt_initwait_init(void)
{
	/* nothing ever wakes the queue; a signal ends the wait and the load
	 * fails, as the guest is being torn down anyway then */
	return wait_event_interruptible(klpt_initwait_wq, false);
}

module_init(klpt_initwait_init);
MODULE_LICENSE("GPL");
