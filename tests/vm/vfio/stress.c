// SPDX-License-Identifier: GPL-2.0
/*
 * stress: bounded concurrency on one GPU.
 *
 * N worker processes each run M iterations of: create a vGPU (retrying
 * while the GPU is full), open it, check that the framebuffer reads zero at
 * the offsets every tenant writes (the previous tenant of the slot was
 * scrubbed), write BAR1 through pwrite and a mapping and read it back,
 * write and read a register, close and remove. A reader process polls the
 * parent's counters meanwhile. Phase 1 uses the tiny GPU's 1 GiB type (as
 * many slots as workers), phase 2 its 2 GiB type (half as many: creates
 * race for slots and meet ENOSPC). Afterwards no mdev may remain and every
 * counter must be back where it started. Phase 3 races removal against a
 * process that keeps opening and closing the vGPU being removed: every
 * remove must complete, and the opener must end up refused.
 *
 * Usage: stress [-w WORKERS] [-i ITERATIONS]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "holder.h"
#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

#define BAR1 VFIO_PCI_BAR1_REGION_INDEX
#define WORKERS_MAX 16
#define CREATE_TRIES 5000

struct worker_stats {
	unsigned int done;
	unsigned int enospc;
	unsigned int scrub_checks;
	unsigned int dirty;
	unsigned int errors;
	char first_error[160];
};

struct shared {
	int stop;
	unsigned int opens;
	int open_err;
	unsigned int reads;
	unsigned int out_of_range;
	char reader_error[160];
	struct worker_stats w[WORKERS_MAX];
};

static struct shared *sh;

static u64 rnd(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fail(struct worker_stats *st, const char *what, int err)
{
	if (!st->errors++)
		snprintf(st->first_error, sizeof(st->first_error),
			 "iteration %u: %s: %s", st->done, what,
			 errno_name(-err));
}

/* One tenant's life; returns false after recording an error. */
static bool iteration(const struct vgpu_parent *p, const char *type,
		      unsigned int k, u64 *seed, struct worker_stats *st)
{
	u64 fixed[3], rand_off, map_off, fb, bar, token, v;
	char uuid[UUID_LEN + 1];
	unsigned int tries, i;
	struct vdev d;
	u8 *map;
	int ret;

	for (tries = 0; tries < CREATE_TRIES; tries++) {
		/*
		 * A fresh UUID each try: the mdev core keeps a refused one
		 * taken (EEXIST) until its device is released, which a debug
		 * kernel (DEBUG_KOBJECT_RELEASE) delays by seconds.
		 */
		uuid_new(uuid);
		ret = mdev_create(p, type, uuid);
		if (ret != -ENOSPC)
			break;
		st->enospc++;
		usleep(200 + rnd(seed) % 2000);
	}
	if (ret) {
		fail(st, "create", ret);
		return false;
	}
	ret = vdev_open(&d, uuid);
	if (ret) {
		fail(st, "open", ret);
		mdev_remove(uuid);
		return false;
	}
	cfg_enable(&d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	fb = mdev_ull(uuid, "fb_size");
	bar = d.region[BAR1].size;
	fixed[0] = 0;
	fixed[1] = 3 * 4096 + 8 * k;
	fixed[2] = fb - 8;
	for (i = 0; i < 3; i++) {
		v = ~0ull;
		if (vdev_pread(&d, BAR1, fixed[i], &v, 8) != 8) {
			fail(st, "pread", -EIO);
			goto out;
		}
		st->scrub_checks++;
		if (v) {
			st->dirty++;
			fail(st, "fresh vGPU reads a previous tenant's bytes", -EEXIST);
		}
	}
	token = (u64)(k + 1) << 48 | (u64)st->done << 16 | 0xbeef;
	rand_off = (rnd(seed) % (fb / 8)) * 8;
	map_off = (rnd(seed) % (fb / 4096)) * 4096;
	for (i = 0; i < 3; i++)
		vdev_pwrite(&d, BAR1, fixed[i], &token, 8);
	vdev_pwrite(&d, BAR1, rand_off, &token, 8);
	map = vdev_mmap(&d, BAR1, map_off, 4096, MAP_SHARED);
	if (map == MAP_FAILED) {
		fail(st, "mmap", -errno);
		goto out;
	}
	*(u64 *)(map + 64) = token;
	v = 0;
	vdev_pread(&d, BAR1, map_off + 64, &v, 8);
	vdev_munmap(map, 4096);
	if (v != token) {
		fail(st, "mapping write not seen by pread", -EIO);
		goto out;
	}
	for (i = 0; i < 3; i++) {
		v = 0;
		vdev_pread(&d, BAR1, fixed[i], &v, 8);
		if (v != token) {
			fail(st, "pwrite did not read back", -EIO);
			goto out;
		}
	}
	bar0_write(&d, NVKM_VGPU_REG_SCRATCH, (u32)token);
	if (bar0_rd(&d, NVKM_VGPU_REG_SCRATCH) != (u32)token ||
	    bar != d.region[BAR1].size) {
		fail(st, "register", -EIO);
		goto out;
	}
out:
	vdev_close(&d);
	ret = mdev_remove(uuid);
	if (ret) {
		fail(st, "remove", ret);
		return false;
	}
	return true;
}

static void worker(const struct vgpu_parent *p, const char *type,
		   unsigned int k, unsigned int iters)
{
	struct worker_stats *st = &sh->w[k];
	u64 seed = (now_us() ^ getpid()) | 1;

	while (st->done < iters) {
		iteration(p, type, k, &seed, st);
		st->done++;
	}
	exit(0);
}

static void reader(const struct vgpu_parent *p, const char *type,
		   long long max)
{
	while (!sh->stop) {
		long long avail = type_available(p, type);
		long long vgpus = parent_ull(p, "vgpus");

		sh->reads++;
		if (avail < 0 || avail > max || vgpus < 0 || vgpus > max) {
			if (!sh->out_of_range++)
				snprintf(sh->reader_error,
					 sizeof(sh->reader_error),
					 "available_instances %lld, vgpus %lld, max %lld",
					 avail, vgpus, max);
		}
		usleep(1000);
	}
	exit(0);
}

static void phase(const struct vgpu_parent *p, const char *type,
		  unsigned int workers, unsigned int iters)
{
	pid_t pids[WORKERS_MAX], rpid;
	unsigned int k, errors = 0, scrub = 0, dirty = 0, enospc = 0;
	long long max = type_available(p, type);
	u64 t0 = now_us();
	int status;

	memset(sh, 0, sizeof(*sh));
	if (!tap_check(max > 0, "%s: %lld instances on the idle GPU", type, max))
		return;
	rpid = child_fork();
	if (!rpid)
		reader(p, type, max);
	for (k = 0; k < workers; k++) {
		pids[k] = child_fork();
		if (!pids[k])
			worker(p, type, k, iters);
	}
	for (k = 0; k < workers; k++) {
		struct worker_stats *st = &sh->w[k];

		status = -1;
		if (pids[k] > 0)
			child_reap(pids[k], &status);
		tap_check(status == 0 && st->done == iters && !st->errors,
			  "%s: worker %u ran %u iterations without error", type,
			  k, st->done);
		if (st->errors)
			tap_diag("  %u errors, first: %s", st->errors,
				 st->first_error);
		errors += st->errors;
		scrub += st->scrub_checks;
		dirty += st->dirty;
		enospc += st->enospc;
	}
	sh->stop = 1;
	if (rpid > 0)
		child_reap(rpid, NULL);
	tap_diag("%s: %u workers x %u iterations in %llu ms, %u ENOSPC retries",
		 type, workers, iters,
		 (unsigned long long)(now_us() - t0) / 1000, enospc);
	tap_check(scrub == workers * iters * 3 && !dirty,
		  "%s: no new tenant read a previous tenant's bytes (%u checks, %u dirty)",
		  type, scrub, dirty);
	tap_check(sh->reads && !sh->out_of_range,
		  "%s: counters stayed within 0..%lld during the run (%u reads)",
		  type, max, sh->reads);
	if (sh->out_of_range)
		tap_diag("  %s", sh->reader_error);
	tap_check(mdev_count() == 0, "%s: no mdev remains", type);
	tap_check(type_available(p, type) == max,
		  "%s: available_instances back to %lld", type, max);
	tap_check(parent_ull(p, "vgpus") == 0 &&
		  parent_ull(p, "fb_free_mib") == parent_ull(p, "fb_total_mib") &&
		  parent_ull(p, "chids_free") == parent_ull(p, "chids_total"),
		  "%s: parent vgpus 0, FB and channels all free", type);
	(void)errors;
}

/* Opens, reads MAGIC and closes @uuid until opening fails. */
static __noreturn void opener(const char *uuid)
{
	struct vdev d;
	int ret;

	for (;;) {
		ret = vdev_open(&d, uuid);
		if (ret)
			break;
		sh->opens++;
		cfg_enable(&d, PCI_COMMAND_MEMORY);
		if (bar0_rd(&d, NVKM_VGPU_REG_MAGIC) != NVKM_VGPU_MAGIC)
			ret = -EIO;
		vdev_close(&d);
		if (ret)
			break;
	}
	sh->open_err = ret;
	_exit(0);
}

static void race_open_remove(const struct vgpu_parent *p, const char *type,
			     unsigned int rounds)
{
	unsigned int r, removed = 0, clean = 0, opens = 0, errs[4] = { 0 };
	u64 seed = now_us() | 1, worst = 0;
	char uuid[UUID_LEN + 1];

	for (r = 0; r < rounds; r++) {
		u64 t0, us;
		int ret, status = -1;
		pid_t pid;

		uuid_new(uuid);
		if (mdev_create(p, type, uuid))
			continue;
		sh->opens = 0;
		sh->open_err = 0;
		pid = child_fork();
		if (!pid)
			opener(uuid);
		usleep(rnd(&seed) % 20000);
		t0 = now_us();
		ret = mdev_remove(uuid);
		us = now_us() - t0;
		if (us > worst)
			worst = us;
		if (pid > 0)
			child_reap(pid, &status);
		removed += !ret && !mdev_exists(uuid);
		clean += WIFEXITED(status) && !WEXITSTATUS(status) && sh->open_err;
		opens += sh->opens;
		switch (-sh->open_err) {
		case ENOENT:
			errs[0]++;
			break;
		case ENODEV:
		case ENXIO:
			errs[1]++;
			break;
		case EBUSY:
		/*
		 * 6.1's VFIO core answers a group or container ioctl on a
		 * group whose device has just gone with EINVAL; the vGPU's
		 * own open never returns it.
		 */
		case EINVAL:
			errs[2]++;
			break;
		default:
			errs[3]++;
			tap_diag("  round %u: opener stopped with %s", r,
				 errno_name(-sh->open_err));
		}
	}
	tap_diag("%s: %u opens raced %u removes", type, opens, rounds);
	tap_diag("%s: openers stopped with ENOENT %u, ENODEV/ENXIO %u, EBUSY/EINVAL %u, other %u",
		 type, errs[0], errs[1], errs[2], errs[3]);
	tap_check(removed == rounds && worst < 30000000,
		  "%s: %u of %u removes racing an opener completed (slowest %llu ms)",
		  type, removed, rounds, (unsigned long long)worst / 1000);
	tap_check(clean == rounds && !errs[3],
		  "%s: each opener ended refused with ENOENT, ENODEV, ENXIO, EBUSY or EINVAL",
		  type);
	tap_check(mdev_count() == 0 && parent_ull(p, "vgpus") == 0,
		  "%s: nothing remains after the races", type);
}

int main(int argc, char **argv)
{
	unsigned int workers = 4, iters = 50;
	char t1[48], t2[48];
	struct vgpu_parent p;
	int opt;

	while ((opt = getopt(argc, argv, "w:i:")) != -1) {
		switch (opt) {
		case 'w':
			workers = strtoul(optarg, NULL, 0);
			break;
		case 'i':
			iters = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-w WORKERS] [-i ITERATIONS]\n",
				argv[0]);
			return 2;
		}
	}
	if (!workers || workers > WORKERS_MAX || !iters)
		workers = 4;
	tap_init("stress", 600);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		tap_bail("shared memory: %s", strerror(errno));
	if (parent_find("tiny", &p) || parent_ready(&p))
		tap_bail("no idle tiny GPU");
	snprintf(t1, sizeof(t1), "%s-1c", p.board);
	snprintf(t2, sizeof(t2), "%s-2c", p.board);
	phase(&p, t1, workers, iters);
	phase(&p, t2, workers, iters / 2 ? iters / 2 : 1);
	race_open_remove(&p, t1, 20);
	return tap_done();
}
