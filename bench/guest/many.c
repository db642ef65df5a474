/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * many: the task load of the scaling benchmark guest (bench/mkdump-many.sh).
 *
 *   many NTASKS [PER_PROCESS]
 *
 * Parks NTASKS threads, PER_PROCESS (default 50) to a process, each asleep
 * in the kernel in one of a few common ways (pause, nanosleep, pipe read,
 * poll, futex, epoll_wait, select), so that the dump has stacks of several
 * shapes, like a real machine's, and not one stack copied N times.  Prints
 * "many: N tasks parked" once every thread has entered its call, then
 * sleeps forever (the host dumps the guest).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TASKS 100000
#define WAYS 7

static atomic_int *started;	/* shared by every process (MAP_SHARED) */
static int pipe_fd[2];		/* per process: never written */
static int epfd;
static int futex_word;

static void *park(void *arg)
{
	long way = (long)arg;
	char c;
	struct timespec ts = { .tv_sec = 24 * 3600 };

	atomic_fetch_add(started, 1);
	/* Each call blocks for good: nothing ever writes the pipe, wakes the
	 * futex or sends a signal.  A spurious return just parks again. */
	for (int i = 0; i < 1000000; i++) {
		switch (way) {
		case 0: pause(); break;
		case 1: nanosleep(&ts, NULL); break;
		case 2: if (read(pipe_fd[0], &c, 1) < 0 && errno != EINTR) return NULL; break;
		case 3: { struct pollfd p = { .fd = pipe_fd[0], .events = POLLIN };
			  poll(&p, 1, -1); } break;
		case 4: syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0); break;
		case 5: { struct epoll_event ev; epoll_wait(epfd, &ev, 1, -1); } break;
		default: { fd_set r; FD_ZERO(&r); FD_SET(pipe_fd[0], &r);
			   select(pipe_fd[0] + 1, &r, NULL, NULL, NULL); } break;
		}
	}
	return NULL;
}

static int process(int first, int n)
{
	pthread_attr_t a;
	struct epoll_event ev = { .events = EPOLLIN };

	if (pipe(pipe_fd) || (epfd = epoll_create1(0)) < 0 ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, pipe_fd[0], &ev)) {
		perror("many: pipe/epoll");
		return 1;
	}
	pthread_attr_init(&a);
	/* Small user stacks: thousands of threads in a small guest. */
	pthread_attr_setstacksize(&a, 64 * 1024);
	/* The process's own thread is task number "first" and parks too. */
	for (int i = 1; i < n; i++) {
		pthread_t t;
		int rc = pthread_create(&t, &a, park, (void *)(long)((first + i) % WAYS));
		if (rc) {
			fprintf(stderr, "many: pthread_create: %s\n", strerror(rc));
			return 1;
		}
	}
	park((void *)(long)(first % WAYS));
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
	long per = argc > 2 ? strtol(argv[2], NULL, 10) : 50;

	if (n < 1 || n > MAX_TASKS || per < 1 || per > 10000) {
		fprintf(stderr, "usage: many NTASKS(1-%d) [PER_PROCESS]\n", MAX_TASKS);
		return 2;
	}
	started = mmap(NULL, sizeof(*started), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (started == MAP_FAILED) {
		perror("many: mmap");
		return 1;
	}
	for (long first = 0; first < n; first += per) {
		int k = (int)(n - first < per ? n - first : per);
		pid_t p = fork();
		if (p < 0) {
			perror("many: fork");
			return 1;
		}
		if (p == 0)
			_exit(process((int)first, k));
	}
	/* Bounded wait: 10 minutes at most, then report what is there. */
	for (int i = 0; i < 6000 && atomic_load(started) < n; i++)
		usleep(100000);
	/* The last threads have bumped the counter but may not have entered
	 * their call yet: let them. */
	sleep(2);
	printf("many: %d tasks parked\n", atomic_load(started));
	fflush(stdout);
	for (;;)
		pause();
}
