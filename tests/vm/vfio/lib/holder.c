// SPDX-License-Identifier: GPL-2.0
/*
 * Holder children: processes that keep a vGPU open (see holder.h). The
 * parent can then remove the mdev or its GPU and watch the kernel ask the
 * holder to let go.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "cleanup.h"
#include "holder.h"
#include "tap.h"
#include "vdev.h"

#define HOLDER_MAX 64
/* How long a holder waits for a request before giving up. */
#define HOLDER_REQ_TIMEOUT_MS 60000

static struct {
	pid_t pid;
	pid_t owner;
} holder_tracked[HOLDER_MAX];

static void holder_say(int wfd, char event)
{
	ssize_t ignored = write(wfd, &event, 1);

	(void)ignored;
}

/* A last look at the device while its removal waits for us. */
static bool holder_access(struct vdev *d, u8 *map)
{
	u64 v = 0;
	u32 magic = 0;

	if (bar0_read(d, NVKM_VGPU_REG_MAGIC, &magic) ||
	    magic != NVKM_VGPU_MAGIC)
		return false;
	if (vdev_pread(d, VFIO_PCI_BAR1_REGION_INDEX, 0, &v, 8) != 8)
		return false;
	return !map || map[0] == 0xa5;
}

static __noreturn void
holder_child(int wfd, const char *uuid, enum holder_mode mode, int delay_ms,
	     bool map_bar1)
{
	struct vdev d;
	void *map = NULL;
	size_t map_len = 0;
	int efd = -1, ret;

	ret = vdev_open(&d, uuid);
	if (ret) {
		holder_say(wfd, 'E');
		_exit(-ret);
	}
	cfg_enable(&d, PCI_COMMAND_MEMORY);
	if (map_bar1 && d.region[VFIO_PCI_BAR1_REGION_INDEX].size) {
		map_len = 1 << 20;
		map = vdev_mmap(&d, VFIO_PCI_BAR1_REGION_INDEX, 0, map_len,
				MAP_SHARED);
		if (map == MAP_FAILED) {
			holder_say(wfd, 'E');
			_exit(errno);
		}
		memset(map, 0xa5, 4096);
	}
	if (mode == HOLDER_RELEASE_ON_REQ) {
		efd = efd_new();
		if (efd < 0 ||
		    vdev_irq_eventfd(&d, VFIO_PCI_REQ_IRQ_INDEX, efd)) {
			holder_say(wfd, 'E');
			_exit(EINVAL);
		}
	}
	holder_say(wfd, 'R');

	if (mode == HOLDER_RELEASE_ON_REQ) {
		ret = efd_wait(efd, HOLDER_REQ_TIMEOUT_MS, NULL);
		holder_say(wfd, ret == 1 ? 'Q' : 'T');
		if (ret == 1)
			holder_say(wfd, holder_access(&d, map) ? 'A' : 'X');
	} else {
		struct timespec ts = {
			.tv_sec = delay_ms / 1000,
			.tv_nsec = (delay_ms % 1000) * 1000000L,
		};

		nanosleep(&ts, NULL);
		ret = 1;
	}
	if (map)
		vdev_munmap(map, map_len);
	vdev_close(&d);
	holder_say(wfd, 'C');
	_exit(ret == 1 ? 0 : 2);
}

static int holder_read(struct holder *h, int timeout_ms)
{
	struct pollfd pfd = { .fd = h->rfd, .events = POLLIN };
	char c;
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIMEDOUT;
	ret = read(h->rfd, &c, 1);
	if (ret < 0)
		return -errno;
	if (!ret)
		return -EPIPE;
	if (h->nlog < sizeof(h->log) - 1)
		h->log[h->nlog++] = c;
	return c;
}

/**
 * holder_start() - fork a holder and wait until it has the vGPU open
 * @h: filled in
 * @uuid: the mdev
 * @mode: when to let go
 * @delay_ms: for HOLDER_RELEASE_AFTER
 * @map_bar1: also map the first MiB of BAR1 and dirty a page
 *
 * Return: 0 when the holder is ready; a negative errno otherwise (the
 * holder has exited then).
 */
int holder_start(struct holder *h, const char *uuid, enum holder_mode mode,
		 int delay_ms, bool map_bar1)
{
	int fds[2], ret;

	memset(h, 0, sizeof(*h));
	if (pipe(fds))
		return -errno;
	h->pid = child_fork();
	if (h->pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (!h->pid) {
		close(fds[0]);
		holder_child(fds[1], uuid, mode, delay_ms, map_bar1);
	}
	close(fds[1]);
	h->rfd = fds[0];

	ret = holder_read(h, 30000);
	if (ret == 'R')
		return 0;
	ret = holder_wait(h, 5000);
	return ret > 0 ? -ret : -EIO;
}

/**
 * holder_wait() - collect a holder's remaining events and its exit
 * @h: the holder
 * @timeout_ms: how long to wait for its exit
 *
 * Return: its exit status (0 when it let go as asked), or -ETIMEDOUT (the
 * holder is killed then).
 */
int holder_wait(struct holder *h, int timeout_ms)
{
	u64 deadline = now_us() + (u64)timeout_ms * 1000;
	int status, ret;

	for (;;) {
		u64 now = now_us();

		if (now >= deadline) {
			kill(h->pid, SIGKILL);
			waitpid(h->pid, &status, 0);
			ret = -ETIMEDOUT;
			break;
		}
		if (holder_read(h, (int)((deadline - now) / 1000) + 1) < 0) {
			/* EOF: the child exited (or timed out). */
			if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
				ret = WIFEXITED(status) ? WEXITSTATUS(status) :
							  128 + WTERMSIG(status);
				break;
			}
			usleep(10000);
		}
	}
	close(h->rfd);
	child_untrack(h->pid);
	return ret;
}

bool holder_saw(const struct holder *h, char event)
{
	return memchr(h->log, event, h->nlog);
}

/**
 * child_fork() - fork a child that vgpu_cleanup() will stop
 *
 * Flushes stdio first, so the child replays nothing.
 *
 * Return: as fork(); reap the child with child_reap().
 */
pid_t child_fork(void)
{
	sigset_t old;
	pid_t pid;

	fflush(NULL);
	cleanup_hold(&old);
	pid = fork();
	if (pid > 0)
		child_track(pid);
	cleanup_release(&old);
	return pid;
}

/** child_reap() - waitpid() for a child from child_fork(); status as waitpid */
pid_t child_reap(pid_t pid, int *status)
{
	pid_t ret = waitpid(pid, status, 0);

	child_untrack(pid);
	return ret;
}

/**
 * child_track() - have vgpu_cleanup() stop a child process
 * @pid: a child of the caller; call child_untrack() once it is reaped
 */
void child_track(pid_t pid)
{
	unsigned int i;

	for (i = 0; i < HOLDER_MAX; i++) {
		if (!holder_tracked[i].owner) {
			holder_tracked[i].pid = pid;
			holder_tracked[i].owner = getpid();
			return;
		}
	}
}

void child_untrack(pid_t pid)
{
	unsigned int i;

	for (i = 0; i < HOLDER_MAX; i++)
		if (holder_tracked[i].owner == getpid() &&
		    holder_tracked[i].pid == pid)
			holder_tracked[i].owner = 0;
}

/*
 * SIGTERM lets a child run its own cleanup (its mdevs, its open device);
 * one that does not exit within 5 s is killed.
 */
void holder_cleanup(void)
{
	struct timespec tick = { .tv_nsec = 10000000 };
	pid_t self = getpid();
	unsigned int i, t;

	for (i = 0; i < HOLDER_MAX; i++)
		if (holder_tracked[i].owner == self)
			kill(holder_tracked[i].pid, SIGTERM);
	for (i = 0; i < HOLDER_MAX; i++) {
		if (holder_tracked[i].owner != self)
			continue;
		for (t = 0; t < 500; t++) {
			if (waitpid(holder_tracked[i].pid, NULL, WNOHANG))
				break;
			nanosleep(&tick, NULL);
		}
		if (t == 500) {
			kill(holder_tracked[i].pid, SIGKILL);
			waitpid(holder_tracked[i].pid, NULL, 0);
		}
		holder_tracked[i].owner = 0;
	}
}
