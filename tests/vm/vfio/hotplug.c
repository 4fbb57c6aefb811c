// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug: a simulated GPU goes away under its vGPUs.
 *
 * On the nvkm_vgpu_sim bus, new_device creates a GPU (its own, so the GPUs
 * other tests use stay), vGPUs are created on it, and del_device removes
 * it: with closed vGPUs only; with one held open by a process that lets go
 * when the REQ eventfd fires (and has BAR1 mapped); with one held by a
 * process without a REQ eventfd that lets go after a delay. Each deletion
 * must complete in bounded time, remove every mdev and the parent, and
 * leave the other GPUs untouched. A GPU going away is a surprise removal
 * for its vGPUs: before their users are asked to let go, each vGPU goes
 * dead, and the user that gets the request finds config space, BAR0 and
 * BAR1 reading all-ones, its writes dropped and its BAR1 mapping raising
 * SIGBUS; the deletion then waits for it. Then del_device while another process
 * keeps creating, opening and removing vGPUs on that GPU; unloading the
 * backend or the manager while a vGPU is open is refused and changes
 * nothing. Also the bus files' input checking.
 *
 * Usage: hotplug
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "cleanup.h"
#include "holder.h"
#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

#define SIM_NEW SIM_BUS_DIR "/new_device"
#define SIM_DEL SIM_BUS_DIR "/del_device"
#define SIM_DEVS SIM_BUS_DIR "/devices"
#define DEL_MAX_US 10000000ull
#define SIM_MAX 64
/* How long the user of a dead vGPU holds on after its checks. */
#define DEAD_HOLD_MS 1000

static unsigned int sim_ids(long *ids)
{
	struct dirent *de;
	unsigned int n = 0;
	DIR *dir = opendir(SIM_DEVS);
	long id;

	if (!dir)
		return 0;
	while ((de = readdir(dir)) && n < SIM_MAX)
		if (sscanf(de->d_name, "nvkm_vgpu_sim%ld", &id) == 1)
			ids[n++] = id;
	closedir(dir);
	return n;
}

/* The GPU this program made and has not deleted yet, for the cleanup. */
static long sim_made = -1;

static void sim_cleanup(void)
{
	char val[32];

	if (sim_made < 0)
		return;
	snprintf(val, sizeof(val), "%ld", sim_made);
	sysfs_write(SIM_DEL, val);
	sim_made = -1;
}

/* Creates a GPU from @preset; returns its N, or a negative errno. */
static long sim_new(const char *preset, struct vgpu_parent *p)
{
	long before[SIM_MAX], after[SIM_MAX], found = -ENOENT;
	unsigned int nb = sim_ids(before), na, i, j;
	char path[256];
	sigset_t old;
	int ret;

	cleanup_hold(&old);
	ret = sysfs_write(SIM_NEW, preset);
	na = ret ? 0 : sim_ids(after);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && before[j] != after[i]; j++)
			;
		if (j == nb)
			found = after[i];
	}
	if (!ret && found >= 0)
		sim_made = found;
	cleanup_release(&old);
	if (ret)
		return ret;
	if (found < 0)
		return found;
	snprintf(path, sizeof(path), SIM_DEVS "/nvkm_vgpu_sim%ld", found);
	ret = parent_find_under(path, p);
	return ret ? ret : found;
}

static int sim_del(long id, u64 *us)
{
	char val[32];
	u64 t0 = now_us();
	int ret;

	snprintf(val, sizeof(val), "%ld", id);
	ret = sysfs_write(SIM_DEL, val);
	*us = now_us() - t0;
	if (!ret || ret == -ENODEV)
		sim_made = -1;
	return ret;
}

static bool gone(long id, const struct vgpu_parent *p, char uuids[][UUID_LEN + 1],
		 unsigned int n)
{
	char path[256];
	unsigned int i;
	bool ok = true;

	snprintf(path, sizeof(path), SIM_DEVS "/nvkm_vgpu_sim%ld", id);
	if (path_exists(path) || path_exists(p->path)) {
		tap_diag("  %s or %s still exists", path, p->path);
		ok = false;
	}
	for (i = 0; i < n; i++) {
		if (mdev_exists(uuids[i])) {
			tap_diag("  mdev %s still exists", uuids[i]);
			ok = false;
		} else {
			mdev_forget(uuids[i]);
		}
	}
	return ok;
}

static void bus_input(void)
{
	tap_errno(sysfs_write(SIM_NEW, "bogus"), EINVAL,
		  "new_device with an unknown preset fails with EINVAL");
	tap_errno(sysfs_write(SIM_DEL, "abc"), EINVAL,
		  "del_device with a non-number fails with EINVAL");
	tap_errno(sysfs_write(SIM_DEL, "-1"), EINVAL,
		  "del_device -1 fails with EINVAL");
	tap_errno(sysfs_write(SIM_DEL, "99999"), ENODEV,
		  "del_device of a GPU that does not exist fails with ENODEV");
}

/*
 * A new tiny GPU with @closed closed vGPUs and, unless @mode is -1, one
 * more held open by a holder; then del_device.
 */
static void unplug(const char *what, unsigned int closed, int mode,
		   int delay_ms)
{
	char uuids[4][UUID_LEN + 1], type[48];
	struct vgpu_parent p;
	unsigned int n = 0, i;
	struct holder h;
	bool held = false;
	u64 us;
	int ret = 0, status = 0;
	long id;

	id = sim_new("tiny", &p);
	if (!tap_check(id >= 0, "%s: new_device tiny creates a GPU (%ld)",
		       what, id))
		return;
	tap_diag("%s: simulated GPU %ld is %s", what, id, p.name);
	snprintf(type, sizeof(type), "%s-1c", p.board);
	for (i = 0; i < closed + (mode >= 0); i++) {
		struct vdev d;

		ret = vgpu_new(&d, &p, type);
		if (ret)
			break;
		/* Leave something in the FB for the deletion to free. */
		vdev_pwrite(&d, VFIO_PCI_BAR1_REGION_INDEX, 0, "dirty", 5);
		vdev_close(&d);
		memcpy(uuids[n++], d.uuid, sizeof(uuids[0]));
	}
	tap_errno(ret, 0, "%s: %u vGPUs created on it", what, n);
	if (mode >= 0 && n) {
		ret = holder_start(&h, uuids[n - 1], mode, delay_ms,
				   mode == HOLDER_RELEASE_ON_REQ);
		held = tap_errno(ret, 0, "%s: a holder has one open", what);
	}

	ret = sim_del(id, &us);
	if (held)
		status = holder_wait(&h, 30000);
	tap_errno(ret, 0, "%s: del_device succeeds", what);
	if (mode == HOLDER_RELEASE_AFTER)
		tap_check(us >= (u64)delay_ms * 900 &&
			  us < delay_ms * 1000ull + DEL_MAX_US,
			  "%s: del_device waited for the holder's %d ms (%llu ms)",
			  what, delay_ms, (unsigned long long)us / 1000);
	else
		tap_check(us < DEL_MAX_US,
			  "%s: del_device completed in %llu ms (bound %llu)",
			  what, (unsigned long long)us / 1000, DEL_MAX_US / 1000);
	if (held && mode == HOLDER_RELEASE_ON_REQ)
		tap_check(holder_saw(&h, 'Q') && holder_saw(&h, 'X') &&
			  holder_saw(&h, 'C') && status == 0,
			  "%s: the holder was asked to let go, found the vGPU dead and let go (events \"%s\", exit %d)",
			  what, h.log, status);
	else if (held)
		tap_check(holder_saw(&h, 'C') && status == 0,
			  "%s: the holder let go on its own (events \"%s\", exit %d)",
			  what, h.log, status);
	tap_check(gone(id, &p, uuids, n),
		  "%s: the GPU, its parent and its %u mdevs are gone", what, n);
}

/* What the user of a vGPU whose GPU goes away saw; shared with it. */
struct dead {
	int ready;		/* 1: open and mapped; a negative errno: failed */
	int req;		/* efd_wait() on the REQ eventfd */
	bool cfg_ones;
	bool bar0_ones;
	bool bar1_ones;
	bool writes_dropped;
	bool map_sigbus;
};

static bool all_ones(const u8 *b, size_t len)
{
	size_t i;

	for (i = 0; i < len && b[i] == 0xff; i++)
		;
	return i == len;
}

/* Whether touching @addr kills a child with SIGBUS. */
static bool touch_sigbus(u8 *addr, bool write)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return false;
	if (!pid) {
		signal(SIGBUS, SIG_DFL);
		if (write)
			*addr = 1;
		else if (*addr == 0x42)
			_exit(3);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS;
}

/* Reads config space, BAR0 and BAR1: which of them read all-ones. */
static void dead_reads(struct vdev *d, struct dead *st)
{
	u8 cfg[256], page[4096];
	u32 magic = 0, scratch = 0;

	st->cfg_ones = vdev_pread(d, VFIO_PCI_CONFIG_REGION_INDEX, 0, cfg,
				  sizeof(cfg)) == sizeof(cfg) &&
		       all_ones(cfg, sizeof(cfg));
	st->bar0_ones = !bar0_read(d, NVKM_VGPU_REG_MAGIC, &magic) &&
			!bar0_read(d, NVKM_VGPU_REG_SCRATCH, &scratch) &&
			magic == 0xffffffff && scratch == 0xffffffff;
	st->bar1_ones = vdev_pread(d, VFIO_PCI_BAR1_REGION_INDEX, 0, page,
				   sizeof(page)) == sizeof(page) &&
			all_ones(page, sizeof(page));
}

/*
 * The user of a vGPU whose GPU is deleted: opens it, maps and dirties BAR1,
 * sets SCRATCH and a REQ eventfd; when the request comes, looks at the
 * device, then holds on for DEAD_HOLD_MS before it closes.
 */
static __noreturn void dead_user(const char *uuid, struct dead *st)
{
	const u64 v = 0x1122334455667788ull;
	const size_t len = 1 << 20;
	struct vdev d;
	int efd, ret;
	u8 *map;

	ret = vdev_open(&d, uuid);
	if (ret) {
		st->ready = ret;
		_exit(1);
	}
	cfg_enable(&d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	map = vdev_mmap(&d, VFIO_PCI_BAR1_REGION_INDEX, 0, len, MAP_SHARED);
	efd = efd_new();
	if (map == MAP_FAILED || efd < 0 ||
	    vdev_irq_eventfd(&d, VFIO_PCI_REQ_IRQ_INDEX, efd)) {
		st->ready = -EIO;
		_exit(1);
	}
	memset(map, 0xa5, 4096);
	bar0_write(&d, NVKM_VGPU_REG_SCRATCH, 0x600d);
	st->ready = 1;

	st->req = efd_wait(efd, 30000, NULL);
	if (st->req == 1) {
		dead_reads(&d, st);
		st->map_sigbus = touch_sigbus(map, false) &&
				 touch_sigbus(map + 4096, true);
		st->writes_dropped =
			!cfg_write(&d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY) &&
			!bar0_write(&d, NVKM_VGPU_REG_SCRATCH, 0x1234) &&
			vdev_pwrite(&d, VFIO_PCI_BAR1_REGION_INDEX, 0, &v,
				    sizeof(v)) == sizeof(v);
		/* Dropped: everything still reads all-ones, no mapping works. */
		dead_reads(&d, st);
		st->writes_dropped &= st->cfg_ones && st->bar0_ones &&
				      st->bar1_ones && touch_sigbus(map, false);
	}
	usleep(DEAD_HOLD_MS * 1000);
	vdev_munmap(map, len);
	vdev_close(&d);
	_exit(0);
}

/*
 * del_device of a GPU whose vGPU a user holds open: the vGPU goes dead as
 * a surprise-removed PCI function does, then the user is asked to let go
 * and the deletion waits for it.
 */
static void unplug_dead(void)
{
	char uuid[1][UUID_LEN + 1], type[48];
	struct vgpu_parent p;
	int status = -1, ret;
	struct dead *st;
	u64 us, t0;
	pid_t pid;
	long id;

	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		tap_bail("shared memory: %s", strerror(errno));
	memset(st, 0, sizeof(*st));
	id = sim_new("tiny", &p);
	if (!tap_check(id >= 0, "dead: new_device tiny creates a GPU (%ld)", id))
		goto out;
	snprintf(type, sizeof(type), "%s-1c", p.board);
	uuid_new(uuid[0]);
	ret = mdev_create(&p, type, uuid[0]);
	if (!tap_errno(ret, 0, "dead: create a %s on it", type))
		goto out;
	pid = child_fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (!pid)
		dead_user(uuid[0], st);
	for (t0 = now_us(); !st->ready && now_us() - t0 < 30000000;)
		usleep(10000);
	if (!tap_check(st->ready == 1,
		       "dead: a user opened it, mapped BAR1 and set a REQ eventfd (%s)",
		       errno_name(st->ready < 0 ? -st->ready : 0))) {
		kill(pid, SIGKILL);
		child_reap(pid, &status);
		goto out;
	}

	ret = sim_del(id, &us);
	child_reap(pid, &status);
	tap_errno(ret, 0, "dead: del_device succeeds");
	tap_check(st->req == 1, "dead: the user was asked to let go (REQ)");
	tap_check(st->cfg_ones, "dead: by then config space reads all-ones");
	tap_check(st->bar0_ones,
		  "dead: by then BAR0 (MAGIC, SCRATCH) reads all-ones");
	tap_check(st->bar1_ones,
		  "dead: by then a BAR1 pread returns all-ones, not the FB");
	tap_check(st->map_sigbus,
		  "dead: by then touching the BAR1 mapping raises SIGBUS");
	tap_check(st->writes_dropped,
		  "dead: config, BAR0 and BAR1 writes succeed and change nothing (setting Memory Space brings no mapping back)");
	tap_check(us >= DEAD_HOLD_MS * 900ull &&
		  us < DEAD_HOLD_MS * 1000ull + DEL_MAX_US,
		  "dead: del_device waited for the user to close (%llu ms)",
		  (unsigned long long)us / 1000);
	tap_check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "dead: the user closed and exited (status %#x)", status);
	tap_check(gone(id, &p, uuid, 1),
		  "dead: the GPU, its parent and the mdev are gone");
out:
	munmap(st, sizeof(*st));
}

/* Shared with the creator child. */
struct churn {
	int go;
	unsigned int created;
	int last_err;
};

static __noreturn void creator(const struct vgpu_parent *p, struct churn *c)
{
	char type[48];
	struct vdev d;
	int ret;

	snprintf(type, sizeof(type), "%s-1c", p->board);
	while (!c->go)
		usleep(100);
	for (;;) {
		ret = vgpu_new(&d, p, type);
		if (ret == -ENOSPC)
			continue;
		if (ret)
			break;
		c->created++;
		bar0_write(&d, NVKM_VGPU_REG_SCRATCH, c->created);
		vdev_close(&d);
		mdev_remove(d.uuid);
	}
	c->last_err = ret;
	/* What the GPU's removal took away is not ours to remove. */
	_exit(0);
}

static void unplug_churning(void)
{
	struct vgpu_parent p;
	struct churn *c;
	int status = -1;
	u64 us;
	pid_t pid;
	long id;
	int ret;

	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		tap_bail("shared memory: %s", strerror(errno));
	memset(c, 0, sizeof(*c));
	id = sim_new("tiny", &p);
	if (!tap_check(id >= 0, "churn: new_device tiny creates a GPU (%ld)", id))
		return;
	pid = child_fork();
	if (!pid)
		creator(&p, c);
	c->go = 1;
	/* Let the creator get going: a few vGPUs, or 30 s. */
	for (us = now_us(); c->created < 3 && now_us() - us < 30000000;)
		usleep(10000);
	ret = sim_del(id, &us);
	if (pid > 0)
		child_reap(pid, &status);
	tap_diag("churn: the creator made %u vGPUs, then got %s", c->created,
		 errno_name(-c->last_err));
	tap_errno(ret, 0, "churn: del_device succeeds while vGPUs come and go");
	tap_check(us < DEL_MAX_US, "churn: del_device completed in %llu ms",
		  (unsigned long long)us / 1000);
	tap_check(c->created > 0 && WIFEXITED(status) && c->last_err,
		  "churn: the creator worked, then was refused and stopped");
	tap_check(!path_exists(p.path) && mdev_count() == 0,
		  "churn: the GPU and every vGPU of it are gone");
	munmap(c, sizeof(*c));
}

static int unload(const char *module)
{
	return syscall(SYS_delete_module, module, O_NONBLOCK) ? -errno : 0;
}

/* Module unload must be refused while a vGPU is open. */
static void unload_busy(const struct vgpu_parent *p)
{
	char type[48];
	struct vdev d;
	int ret;

	snprintf(type, sizeof(type), "%s-1c", p->board);
	ret = vgpu_new(&d, p, type);
	if (!tap_errno(ret, 0, "unload: create and open a %s", type))
		return;
	tap_errno(unload("nvkm_vgpu_sim"), EWOULDBLOCK,
		  "unload: rmmod nvkm_vgpu_sim is refused while a vGPU is open");
	tap_errno(unload("nvkm_vgpu"), EWOULDBLOCK,
		  "unload: rmmod nvkm_vgpu is refused while its backend is loaded");
	bar0_write(&d, NVKM_VGPU_REG_SCRATCH, 0x600d);
	tap_check(bar0_rd(&d, NVKM_VGPU_REG_SCRATCH) == 0x600d &&
		  path_exists(p->path) && mdev_exists(d.uuid),
		  "unload: the vGPU and its GPU still work");
	tap_errno(vgpu_del(&d), 0, "unload: close and remove the vGPU");
}

int main(void)
{
	struct vgpu_parent tiny, h100;

	tap_init("hotplug", 300);
	if (!path_exists(SIM_NEW))
		tap_bail("no nvkm_vgpu_sim bus");
	if (parent_find("tiny", &tiny) || parent_find("h100", &h100))
		tap_bail("the tiny and h100 GPUs are not there");

	cleanup_hook(sim_cleanup);
	bus_input();
	unplug("closed vGPUs", 2, -1, 0);
	unplug("vGPU held with REQ", 1, HOLDER_RELEASE_ON_REQ, 0);
	unplug("vGPU held without REQ", 0, HOLDER_RELEASE_AFTER, 2000);
	unplug_dead();
	unplug_churning();
	unload_busy(&tiny);

	tap_check(path_exists(tiny.path) && path_exists(h100.path) &&
		  parent_ull(&tiny, "vgpus") == 0 &&
		  parent_ull(&h100, "vgpus") == 0,
		  "the other GPUs (%s, %s) are still there and idle", tiny.name,
		  h100.name);
	return tap_done();
}
