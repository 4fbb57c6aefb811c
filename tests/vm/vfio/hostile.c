// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: what a badly-behaved VFIO user tries, and what it must not get.
 *
 * One group of checks per way a user (a VM's QEMU, or anything that can
 * open a vGPU) could once hurt the host or another tenant:
 *
 *   empty-irqs    SET_IRQS with count 0 and a BOOL or EVENTFD payload is
 *                 EINVAL on every index, never a read of the empty payload
 *   unmask-efd    INTx unmask by eventfd (KVM's resampler) unmasks; mask by
 *                 eventfd is ENOTTY, as with vfio-pci
 *   pfnmap        BAR1 is a PFN mapping: get_user_pages() (vmsplice) is
 *                 refused, and the mapping is zapped on reset, memory
 *                 decoding off and D3hot: SIGBUS until decoding is back
 *   user-copy     register accesses whose user buffer is an unfaulted BAR1
 *                 page of the same vGPU complete (no lock is held across a
 *                 user copy that enters BAR1's fault handler)
 *   reuse         a persistent vGPU handed to the next user: not one word
 *                 the last user wrote, over the whole slice
 *   budget        two vGPUs on one simulated GPU with the host-memory cap
 *                 exactly covering both: each gets its whole budget whatever
 *                 the other used; a third vGPU is refused with ENOSPC
 *   surprise      a GPU unregistered while its vGPU is open and mapped: the
 *                 vGPU reads all-ones, drops writes, its mapping SIGBUSes;
 *                 the unregister finishes once the user closes
 *
 * Usage: hostile [GROUP...]   (default: every group, in the order above)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "cleanup.h"
#include "holder.h"
#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

#define PAGE		4096UL
#define FIRE_MS		2000
#define CHUNK		(4UL << 20)
#define SIM_PARAMS	"/sys/module/nvkm_vgpu_sim/parameters/"

/*
 * Touches @addr in a child: 'B' if it got SIGBUS, 'Y' if it read @want,
 * 'N' if it read something else, '?' if it died otherwise.
 */
static char touch(u8 *addr, u8 want)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return '?';
	if (!pid) {
		signal(SIGBUS, SIG_DFL);
		_exit(__atomic_load_n(addr, __ATOMIC_RELAXED) == want ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid)
		return '?';
	if (WIFSIGNALED(status))
		return WTERMSIG(status) == SIGBUS ? 'B' : '?';
	return WEXITSTATUS(status) == 0 ? 'Y' : 'N';
}

static int set_irqs(struct vdev *d, u32 index, u32 flags, u32 count,
		    const void *data, size_t len)
{
	char buf[sizeof(struct vfio_irq_set) + 8] = {};
	struct vfio_irq_set *set = (void *)buf;

	set->argsz = sizeof(*set) + len;
	set->flags = flags;
	set->index = index;
	set->start = 0;
	set->count = count;
	memcpy(set->data, data, len);
	return vdev_set_irqs(d, set);
}

static void check_empty_irqs(struct vdev *d)
{
	static const struct {
		u32 index;
		u32 action;
		const char *name;
	} cases[] = {
		{ VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_MASK, "INTx MASK" },
		{ VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK, "INTx UNMASK" },
		{ VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, "INTx TRIGGER" },
		{ VFIO_PCI_MSI_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, "MSI TRIGGER" },
		{ VFIO_PCI_REQ_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, "REQ TRIGGER" },
	};
	static const struct {
		u32 flag;
		const char *name;
	} data[] = {
		{ VFIO_IRQ_SET_DATA_BOOL, "BOOL" },
		{ VFIO_IRQ_SET_DATA_EVENTFD, "EVENTFD" },
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		for (j = 0; j < 2; j++)
			tap_errno(set_irqs(d, cases[i].index,
					   cases[i].action | data[j].flag, 0,
					   NULL, 0),
				  EINVAL, "empty-irqs: %s, DATA_%s, count 0",
				  cases[i].name, data[j].name);
	tap_check(bar0_rd(d, NVKM_VGPU_REG_MAGIC) == NVKM_VGPU_MAGIC,
		  "empty-irqs: the vGPU still answers afterwards");
}

static void check_unmask_efd(struct vdev *d)
{
	s32 trig = efd_new(), unmask = efd_new();
	u64 one = 1, count = 0;

	tap_errno(vdev_irq_eventfd(d, VFIO_PCI_INTX_IRQ_INDEX, trig), 0,
		  "unmask-efd: INTx trigger eventfd set");
	tap_errno(set_irqs(d, VFIO_PCI_INTX_IRQ_INDEX,
			   VFIO_IRQ_SET_ACTION_UNMASK | VFIO_IRQ_SET_DATA_EVENTFD,
			   1, &unmask, sizeof(unmask)),
		  0, "unmask-efd: INTx unmask eventfd set");
	tap_errno(set_irqs(d, VFIO_PCI_INTX_IRQ_INDEX,
			   VFIO_IRQ_SET_ACTION_MASK | VFIO_IRQ_SET_DATA_EVENTFD,
			   1, &unmask, sizeof(unmask)),
		  ENOTTY, "unmask-efd: INTx mask by eventfd is ENOTTY");

	bar0_write(d, NVKM_VGPU_REG_INTR_ENABLE, NVKM_VGPU_INTR_SOFTWARE);
	bar0_write(d, NVKM_VGPU_REG_INTR_TRIGGER, NVKM_VGPU_INTR_SOFTWARE);
	tap_check(efd_wait(trig, FIRE_MS, &count) == 1 && count == 1,
		  "unmask-efd: INTx fired and is automasked");
	/* Still asserted: a write to the unmask eventfd fires it again. */
	tap_check(efd_wait(trig, 100, NULL) == 0,
		  "unmask-efd: no second interrupt while masked");
	tap_check(write(unmask, &one, sizeof(one)) == sizeof(one),
		  "unmask-efd: unmask eventfd written");
	count = 0;
	tap_check(efd_wait(trig, FIRE_MS, &count) == 1 && count == 1,
		  "unmask-efd: the unmask eventfd unmasked INTx, which fired again");

	tap_errno(set_irqs(d, VFIO_PCI_INTX_IRQ_INDEX,
			   VFIO_IRQ_SET_ACTION_UNMASK | VFIO_IRQ_SET_DATA_EVENTFD,
			   1, &(s32){ -1 }, sizeof(s32)),
		  0, "unmask-efd: unmask eventfd dropped with fd -1");
	tap_check(write(unmask, &one, sizeof(one)) == sizeof(one) &&
		  efd_wait(trig, 200, NULL) == 0,
		  "unmask-efd: a dropped unmask eventfd unmasks nothing");
	bar0_write(d, NVKM_VGPU_REG_INTR_STATUS, NVKM_VGPU_INTR_ALL);
	bar0_write(d, NVKM_VGPU_REG_INTR_ENABLE, 0);
	vdev_irq_eventfd(d, VFIO_PCI_INTX_IRQ_INDEX, -1);
	close(trig);
	close(unmask);
}

static void check_pfnmap(struct vdev *d)
{
	size_t len = 4 * PAGE;
	struct iovec iov;
	int pm, pipefd[2];
	u8 *map;
	ssize_t n;

	map = vdev_mmap(d, VFIO_PCI_BAR1_REGION_INDEX, 0, len, MAP_SHARED);
	if (map == MAP_FAILED) {
		tap_check(false, "pfnmap: BAR1 mapped");
		return;
	}
	map[0] = 0x42;
	tap_check(touch(map, 0x42) == 'Y', "pfnmap: a write through the mapping reads back");

	tap_check(pipe(pipefd) == 0, "pfnmap: pipe");
	iov = (struct iovec){ .iov_base = map, .iov_len = PAGE };
	n = vmsplice(pipefd[1], &iov, 1, 0);
	tap_check(n < 0 && errno == EFAULT,
		  "pfnmap: get_user_pages refuses BAR1 pages (vmsplice: %zd, %s)",
		  n, n < 0 ? strerror(errno) : "accepted");
	close(pipefd[0]);
	close(pipefd[1]);

	tap_errno(vdev_reset(d), 0, "pfnmap: reset");
	tap_check(touch(map, 0x42) == 'B',
		  "pfnmap: after reset (decoding off) the mapping is gone: SIGBUS");
	cfg_enable(d, PCI_COMMAND_MEMORY);
	tap_check(touch(map, 0x42) == 'Y',
		  "pfnmap: decoding on again: the page is back, content kept");

	cfg_write(d, PCI_COMMAND, 2, 0);
	tap_check(touch(map, 0x42) == 'B',
		  "pfnmap: memory decoding off: SIGBUS");
	cfg_enable(d, PCI_COMMAND_MEMORY);
	tap_check(touch(map, 0x42) == 'Y', "pfnmap: decoding on: readable");

	pm = cfg_find_cap(d, PCI_CAP_ID_PM);
	if (pm > 0) {
		cfg_write(d, pm + PCI_PM_CTRL, 2, 3);
		tap_check(touch(map, 0x42) == 'B', "pfnmap: D3hot: SIGBUS");
		cfg_write(d, pm + PCI_PM_CTRL, 2, 0);
		cfg_enable(d, PCI_COMMAND_MEMORY);
		tap_check(touch(map, 0x42) == 'Y', "pfnmap: back in D0: readable");
	} else {
		tap_check(false, "pfnmap: the vGPU has a PM capability");
	}
	vdev_munmap(map, len);
}

static void check_user_copy(struct vdev *d)
{
	size_t len = 4 * PAGE;
	u32 val = 0x5a5a1234, got = 0;
	u8 *map;

	/* Page 2 holds @val, written by pwrite: the mapping has not faulted it. */
	vdev_pwrite(d, VFIO_PCI_BAR1_REGION_INDEX, 2 * PAGE, &val, sizeof(val));
	vdev_reset(d);
	cfg_enable(d, PCI_COMMAND_MEMORY);
	map = vdev_mmap(d, VFIO_PCI_BAR1_REGION_INDEX, 0, len, MAP_SHARED);
	if (map == MAP_FAILED) {
		tap_check(false, "user-copy: BAR1 mapped (%s)", strerror(errno));
		return;
	}
	tap_check(vdev_pwrite(d, VFIO_PCI_BAR0_REGION_INDEX, NVKM_VGPU_REG_SCRATCH,
			      map + 2 * PAGE, 4) == 4 &&
		  bar0_read(d, NVKM_VGPU_REG_SCRATCH, &got) == 0 && got == val,
		  "user-copy: a BAR0 write from an unfaulted BAR1 page (scratch %#x)",
		  got);
	tap_check(vdev_pread(d, VFIO_PCI_BAR0_REGION_INDEX, NVKM_VGPU_REG_MAGIC,
			     map + 3 * PAGE, 4) == 4 &&
		  *(u32 *)(map + 3 * PAGE) == NVKM_VGPU_MAGIC,
		  "user-copy: a BAR0 read into an unfaulted BAR1 page");
	vdev_munmap(map, len);
	map = vdev_mmap(d, VFIO_PCI_BAR1_REGION_INDEX, 0, len, MAP_SHARED);
	tap_check(map != MAP_FAILED &&
		  vdev_pread(d, VFIO_PCI_CONFIG_REGION_INDEX, PCI_VENDOR_ID,
			     map + PAGE, 2) == 2 &&
		  *(u16 *)(map + PAGE) == 0x10de,
		  "user-copy: a config read into an unfaulted BAR1 page");
	if (map != MAP_FAILED)
		vdev_munmap(map, len);
}

static char saved_cap[32], saved_vgpu_cap[32];

/* Puts the simulated GPU's memory caps back as they were. */
static void params_restore(void)
{
	if (saved_cap[0])
		sysfs_write(SIM_PARAMS "vram_cap_mib", saved_cap);
	if (saved_vgpu_cap[0])
		sysfs_write(SIM_PARAMS "vram_vgpu_cap_mib", saved_vgpu_cap);
}

/* Saves the caps, to be put back however the program ends. */
static bool params_save(void)
{
	if (sysfs_read(SIM_PARAMS "vram_cap_mib", saved_cap, sizeof(saved_cap)) ||
	    sysfs_read(SIM_PARAMS "vram_vgpu_cap_mib", saved_vgpu_cap,
		       sizeof(saved_vgpu_cap)))
		return false;
	cleanup_hook(params_restore);
	return true;
}

static u64 word(u64 seed, u64 off)
{
	return (seed ^ off) * 0x9e3779b97f4a7c15ULL | 1;
}

static void check_reuse(const struct vgpu_parent *p, const char *type)
{
	u64 *buf = malloc(CHUNK), fb, off, seed = 0x7e4a47, left = 0;
	unsigned int i;
	struct vdev d;
	int ret;

	/* Let the whole slice be backed for this test: 1 GiB for tiny-1c. */
	tap_errno(sysfs_write(SIM_PARAMS "vram_vgpu_cap_mib", "2048"), 0,
		  "reuse: vram_vgpu_cap_mib=2048");
	ret = vgpu_new(&d, p, type);
	if (ret || !buf) {
		tap_check(false, "reuse: %s created (%s)", type, errno_name(-ret));
		free(buf);
		return;
	}
	fb = mdev_ull(d.uuid, "fb_size");
	for (off = 0; off < fb; off += CHUNK) {
		for (i = 0; i < CHUNK / 8; i++)
			buf[i] = word(seed, off + i * 8);
		if (vdev_pwrite(&d, VFIO_PCI_BAR1_REGION_INDEX, off, buf,
				CHUNK) != (ssize_t)CHUNK)
			break;
	}
	tap_check(off == fb, "reuse: tenant A wrote all %llu MiB of its slice",
		  (unsigned long long)fb >> 20);
	vdev_close(&d);

	/* The same mdev, not removed: the next VM of a persistent vGPU. */
	ret = vdev_open(&d, d.uuid);
	if (!ret)
		ret = cfg_enable(&d, PCI_COMMAND_MEMORY);
	tap_errno(ret, 0, "reuse: tenant B opened the same vGPU");
	for (off = 0; !ret && off < fb; off += CHUNK) {
		if (vdev_pread(&d, VFIO_PCI_BAR1_REGION_INDEX, off, buf,
			       CHUNK) != (ssize_t)CHUNK) {
			left = ~0ULL;
			break;
		}
		for (i = 0; i < CHUNK / 8; i++)
			left += buf[i] != 0;
	}
	tap_check(!ret && !left,
		  "reuse: tenant B reads zeros over the whole slice (%llu words not zero)",
		  (unsigned long long)left);
	tap_errno(vgpu_del(&d), 0, "reuse: remove");
	free(buf);
	params_restore();
}

/* Pages of @d's BAR1 that pwrite can back, up to @max + 1. */
static unsigned int pages_backed(struct vdev *d, unsigned int max)
{
	u64 v = 0xfeed;
	unsigned int n;

	for (n = 0; n <= max; n++)
		if (vdev_pwrite(d, VFIO_PCI_BAR1_REGION_INDEX, (u64)n * PAGE,
				&v, sizeof(v)) != sizeof(v))
			break;
	return n;
}

static void check_budget(const struct vgpu_parent *p, const char *type)
{
	const unsigned int mib_pages = (1 << 20) / PAGE;
	struct vdev a, b, c;
	unsigned int na, nb;
	u8 *map;

	tap_errno(sysfs_write(SIM_PARAMS "vram_vgpu_cap_mib", "1"), 0,
		  "budget: vram_vgpu_cap_mib=1");
	tap_errno(sysfs_write(SIM_PARAMS "vram_cap_mib", "2"), 0,
		  "budget: vram_cap_mib=2");
	if (vgpu_new(&a, p, type) || vgpu_new(&b, p, type)) {
		tap_check(false, "budget: two %s vGPUs created", type);
		params_restore();
		return;
	}
	uuid_new(c.uuid);
	tap_errno(mdev_create(p, type, c.uuid), ENOSPC,
		  "budget: a third vGPU the cap cannot cover is refused");
	if (mdev_exists(c.uuid))
		mdev_remove(c.uuid);

	na = pages_backed(&a, 2 * mib_pages);
	tap_check(na == mib_pages,
		  "budget: A gets exactly its own %u pages, then ENOMEM (%u)",
		  mib_pages, na);
	nb = pages_backed(&b, 2 * mib_pages);
	tap_check(nb == mib_pages,
		  "budget: B still gets all of its %u pages after A spent its own (%u)",
		  mib_pages, nb);
	map = vdev_mmap(&a, VFIO_PCI_BAR1_REGION_INDEX, 0, 2 << 20, MAP_SHARED);
	tap_check(map != MAP_FAILED && touch(map + (1 << 20), 0) == 'B',
		  "budget: A touching past its budget through the mapping: SIGBUS");
	if (map != MAP_FAILED)
		vdev_munmap(map, 2 << 20);
	tap_errno(vgpu_del(&a), 0, "budget: remove A");
	tap_errno(vgpu_del(&b), 0, "budget: remove B");
	params_restore();
}

/* The lowest N with no simulated GPU nvkm_vgpu_sim<N>: the next one made. */
static long sim_next_id(void)
{
	char path[256];
	long n;

	for (n = 0; n < 64; n++) {
		snprintf(path, sizeof(path), SIM_BUS_DIR "/devices/nvkm_vgpu_sim%ld", n);
		if (!path_exists(path))
			return n;
	}
	return -1;
}

static void check_surprise(void)
{
	struct vgpu_parent p;
	u8 *map;
	char type[48], id[32];
	u32 vendor = 0, magic = 0;
	u8 bytes[8];
	s32 req = efd_new();
	long sim = -1;
	int status;
	struct vdev d;
	pid_t pid;

	char path[256];

	sim = sim_next_id();
	tap_errno(sysfs_write(SIM_BUS_DIR "/new_device", "tiny"), 0,
		  "surprise: a second tiny simulated GPU");
	snprintf(path, sizeof(path), SIM_BUS_DIR "/devices/nvkm_vgpu_sim%ld", sim);
	if (sim < 0 || parent_find_under(path, &p)) {
		tap_check(false, "surprise: found the new GPU");
		return;
	}
	snprintf(type, sizeof(type), "%s-1c", p.board);
	if (vgpu_new(&d, &p, type)) {
		tap_check(false, "surprise: vGPU created");
		return;
	}
	vdev_irq_eventfd(&d, VFIO_PCI_REQ_IRQ_INDEX, req);
	map = vdev_mmap(&d, VFIO_PCI_BAR1_REGION_INDEX, 0, PAGE, MAP_SHARED);
	if (map != MAP_FAILED)
		map[0] = 0x42;

	snprintf(id, sizeof(id), "%ld", sim);
	fflush(NULL);
	pid = fork();
	if (!pid) {
		/* The child must not hold the vGPU open itself. */
		if (map != MAP_FAILED)
			munmap(map, PAGE);
		close(d.fd);
		close(d.group);
		close(d.container);
		_exit(sysfs_write(SIM_BUS_DIR "/del_device", id) ? 1 : 0);
	}
	child_track(pid);
	tap_check(efd_wait(req, 60000, NULL) == 1,
		  "surprise: the unregister asked the user to release the vGPU");

	cfg_read(&d, PCI_VENDOR_ID, 4, &vendor);
	bar0_read(&d, NVKM_VGPU_REG_MAGIC, &magic);
	tap_check(vendor == 0xffffffff && magic == 0xffffffff,
		  "surprise: config and BAR0 read all-ones (%#x, %#x)", vendor,
		  magic);
	tap_check(vdev_pread(&d, VFIO_PCI_BAR1_REGION_INDEX, 0, bytes, 8) == 8 &&
		  bytes[0] == 0xff && bytes[7] == 0xff,
		  "surprise: BAR1 reads all-ones");
	tap_check(bar0_write(&d, NVKM_VGPU_REG_SCRATCH, 1) == 0,
		  "surprise: a write goes nowhere, without an error");
	tap_check(map != MAP_FAILED && touch(map, 0x42) == 'B',
		  "surprise: the BAR1 mapping is gone: SIGBUS");
	if (map != MAP_FAILED)
		vdev_munmap(map, PAGE);
	vdev_close(&d);
	tap_check(child_reap(pid, &status) == pid && WIFEXITED(status) &&
		  !WEXITSTATUS(status),
		  "surprise: the unregister finished once the user let go");
	child_untrack(pid);
	mdev_forget(d.uuid);
	close(req);
}

static int nargs;
static char **args;

/* Whether group @name runs: all do without arguments, else those named. */
static bool wanted(const char *name)
{
	int i;

	for (i = 0; i < nargs; i++)
		if (!strcmp(args[i], name))
			return true;
	return !nargs;
}

int main(int argc, char **argv)
{
	struct vgpu_parent p;
	char type[48];
	struct vdev d;
	int ret;

	nargs = argc - 1;
	args = argv + 1;
	tap_init("hostile", 600);
	if (parent_find("tiny", &p) || parent_ready(&p))
		tap_bail("no idle tiny GPU");
	snprintf(type, sizeof(type), "%s-1c", p.board);
	ret = vgpu_new(&d, &p, type);
	if (ret)
		tap_bail("%s: %s", type, errno_name(-ret));
	if (wanted("empty-irqs"))
		check_empty_irqs(&d);
	if (wanted("unmask-efd"))
		check_unmask_efd(&d);
	if (wanted("pfnmap"))
		check_pfnmap(&d);
	if (wanted("user-copy"))
		check_user_copy(&d);
	tap_errno(vgpu_del(&d), 0, "remove the vGPU");

	if (wanted("budget") || wanted("reuse")) {
		if (!params_save())
			tap_bail("the simulated GPU has no vram_cap_mib and vram_vgpu_cap_mib");
	}
	if (wanted("budget"))
		check_budget(&p, type);
	if (wanted("reuse"))
		check_reuse(&p, type);
	if (wanted("surprise"))
		check_surprise();
	return tap_done();
}
