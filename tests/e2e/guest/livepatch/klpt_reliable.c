/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpt_reliable - test module of tests/e2e/mkdump-x86_64.sh: the kernel's
 * own reliable-stack verdict of any task, the check a livepatch transition
 * makes (klp_check_stack() -> stack_trace_save_tsk_reliable() ->
 * arch_stack_walk_reliable()), so the end-to-end tests compare klpstack's
 * verdicts with the kernel's task by task, in every scenario set.
 *
 * Writing a TID to /sys/kernel/debug/klpt_reliable walks that task's stack
 * as the livepatch core does; the write returns the length written when the
 * stack is reliable and fails with the walker's error (EINVAL) when not,
 * EBUSY when the task is running on a CPU, ESRCH when there is no such task.
 *
 * Neither stack_trace_save_tsk_reliable() nor task_call_func() is exported:
 * their addresses come from a kprobe registered and removed at once (the
 * kprobe core looks the symbol up).  task_call_func() (5.16+) keeps the task
 * off the CPUs during the walk as the livepatch core does; before it, the
 * walk runs unlocked and the caller only asks about sleeping tasks.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#define KLPT_MAX_ENTRIES 100	/* MAX_STACK_ENTRIES of kernel/livepatch/transition.c */

typedef int (*save_reliable_fn)(struct task_struct *, unsigned long *, unsigned int);
typedef int (*task_call_fn)(struct task_struct *, int (*)(struct task_struct *, void *), void *);

static save_reliable_fn klpt_save_reliable;
static task_call_fn klpt_task_call;
static struct dentry *klpt_file;
static DEFINE_MUTEX(klpt_lock);
static unsigned long klpt_entries[KLPT_MAX_ENTRIES];

static void *klpt_lookup(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	void *addr;

	if (register_kprobe(&kp))
		return NULL;
	addr = kp.addr;
	unregister_kprobe(&kp);
	return addr;
}

static int klpt_walk(struct task_struct *task, void *arg)
{
	/* on_cpu: on a CPU or being switched (task_curr(), which the
	 * livepatch core asks, is not exported; on_cpu is the stricter) */
	if (READ_ONCE(task->on_cpu) && task != current)
		return -EBUSY;
	return klpt_save_reliable(task, klpt_entries, KLPT_MAX_ENTRIES);
}

static ssize_t klpt_write(struct file *file, const char __user *ubuf, size_t len, loff_t *pos)
{
	char buf[16];
	struct task_struct *task;
	struct pid *pid;
	int tid, ret;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (kstrtoint(strim(buf), 10, &tid))
		return -EINVAL;
	pid = find_get_pid(tid);
	task = pid ? get_pid_task(pid, PIDTYPE_PID) : NULL;
	put_pid(pid);
	if (!task)
		return -ESRCH;
	mutex_lock(&klpt_lock);
	if (klpt_task_call)
		ret = klpt_task_call(task, klpt_walk, NULL);
	else
		ret = klpt_walk(task, NULL);
	mutex_unlock(&klpt_lock);
	put_task_struct(task);
	return ret < 0 ? ret : (ssize_t)len;
}

static const struct file_operations klpt_fops = {
	.owner = THIS_MODULE,
	.write = klpt_write,
	.llseek = noop_llseek,
};

static int __init klpt_reliable_init(void)
{
	klpt_save_reliable = klpt_lookup("stack_trace_save_tsk_reliable");
	if (!klpt_save_reliable)
		return -ENOENT;
	klpt_task_call = klpt_lookup("task_call_func");
	klpt_file = debugfs_create_file("klpt_reliable", 0600, NULL, NULL, &klpt_fops);
	return IS_ERR(klpt_file) ? PTR_ERR(klpt_file) : 0;
}

static void __exit klpt_reliable_exit(void)
{
	debugfs_remove(klpt_file);
}

module_init(klpt_reliable_init);
module_exit(klpt_reliable_exit);
MODULE_LICENSE("GPL");
