// SPDX-License-Identifier: GPL-2.0
/*
 * Release everything the calling process holds: holders first (their
 * devices keep a remove waiting), then our own open devices, then the mdevs
 * we created. Async-signal-safe enough for a test: only syscalls, no stdio.
 */
#include <unistd.h>

#include "cleanup.h"

#define HOOKS_MAX 4

static struct {
	void (*fn)(void);
	pid_t owner;
} hooks[HOOKS_MAX];

void cleanup_hook(void (*fn)(void))
{
	unsigned int i;

	for (i = 0; i < HOOKS_MAX; i++) {
		if (!hooks[i].owner) {
			hooks[i].fn = fn;
			hooks[i].owner = getpid();
			return;
		}
	}
}

void cleanup_hold(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, old);
}

void cleanup_release(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

void vgpu_cleanup(void)
{
	unsigned int i;

	holder_cleanup();
	vdev_cleanup();
	for (i = 0; i < HOOKS_MAX; i++) {
		if (hooks[i].owner == getpid()) {
			hooks[i].owner = 0;
			hooks[i].fn();
		}
	}
	mdev_cleanup();
}
