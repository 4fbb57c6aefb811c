/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A holder: a child process that opens a vGPU, as a VM would, and keeps it
 * open until asked to let go (the VFIO request IRQ) or for a set time. It
 * reports what happens on a pipe, one letter per event:
 *   R  opened, ready          Q  the request eventfd fired
 *   A  after Q, BAR0 and BAR1 still answered (X: they did not)
 *   C  device closed          T  no request came in time
 *   E  opening failed (the child exits with the errno)
 */
#ifndef NVKM_VGPU_TEST_HOLDER_H
#define NVKM_VGPU_TEST_HOLDER_H

#include <stdbool.h>
#include <sys/types.h>

enum holder_mode {
	HOLDER_RELEASE_ON_REQ,	/* REQ eventfd set; close when it fires */
	HOLDER_RELEASE_AFTER,	/* no REQ eventfd; close after delay_ms */
};

struct holder {
	pid_t pid;
	int rfd;
	char log[32];
	unsigned int nlog;
};

int holder_start(struct holder *h, const char *uuid, enum holder_mode mode,
		 int delay_ms, bool map_bar1);
int holder_wait(struct holder *h, int timeout_ms);
bool holder_saw(const struct holder *h, char event);

/* Any other child the cleanup must stop (SIGTERM, then SIGKILL). */
pid_t child_fork(void);
pid_t child_reap(pid_t pid, int *status);
void child_track(pid_t pid);
void child_untrack(pid_t pid);

#endif /* NVKM_VGPU_TEST_HOLDER_H */
