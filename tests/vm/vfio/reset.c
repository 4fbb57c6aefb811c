// SPDX-License-Identifier: GPL-2.0
/*
 * reset: VFIO_DEVICE_RESET, and the reset every open implies.
 *
 * A reset returns the emulated device to power-on state: config space
 * (command register 0, BAR addresses 0, MSI disabled, interrupt line 0) and
 * BAR0's writable registers (SCRATCH, INTR_ENABLE, INTR_STATUS, doorbells).
 *
 * The framebuffer (BAR1) is NOT cleared by a reset: like VRAM across a
 * function-level reset of a real GPU, its content stays while the vGPU is
 * open. A guest that wants a clean FB after reset clears it itself. What a
 * reset does take is memory decoding (the command register is 0), so every
 * mapping of BAR1 is zapped: touching one raises SIGBUS and pread fails
 * with EIO until the guest sets Memory Space again, after which the same
 * mapping shows the same bytes. Closing the vGPU is different: the manager
 * scrubs the FB when its last user lets go, so after a close and reopen it
 * reads zeros (see scrub.c). A second device fd shares the open device, and
 * closing it resets nothing.
 *
 * Usage: reset
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

#define BAR1 VFIO_PCI_BAR1_REGION_INDEX

static const u64 secret = 0x5ec2e75ec2e75ec2ull;

/* Dirties every piece of state a reset should put back. */
static void dirty(struct vdev *d, int msi)
{
	u32 count = bar0_rd(d, NVKM_VGPU_REG_CHID_COUNT);

	cfg_write(d, PCI_BASE_ADDRESS_0, 4, 0xfe000000);
	cfg_write(d, PCI_INTERRUPT_LINE, 1, 0x0b);
	cfg_write(d, msi + PCI_MSI_FLAGS, 2,
		  cfg_rd(d, msi + PCI_MSI_FLAGS, 2) | PCI_MSI_FLAGS_ENABLE);
	bar0_write(d, NVKM_VGPU_REG_SCRATCH, 0x12345678);
	bar0_write(d, NVKM_VGPU_REG_INTR_ENABLE, NVKM_VGPU_INTR_ALL);
	bar0_write(d, NVKM_VGPU_REG_DOORBELL(count - 1), 0xabcd);
	bar0_write(d, NVKM_VGPU_REG_INTR_TRIGGER, NVKM_VGPU_INTR_SOFTWARE);
	vdev_pwrite(d, BAR1, 4096, &secret, sizeof(secret));
}

static bool dirty_ok(struct vdev *d, int msi)
{
	u32 count = bar0_rd(d, NVKM_VGPU_REG_CHID_COUNT);

	return cfg_rd(d, PCI_COMMAND, 2) != 0 &&
	       cfg_rd(d, PCI_BASE_ADDRESS_0, 4) == 0xfe000000 &&
	       (cfg_rd(d, msi + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_ENABLE) &&
	       bar0_rd(d, NVKM_VGPU_REG_SCRATCH) == 0x12345678 &&
	       bar0_rd(d, NVKM_VGPU_REG_INTR_ENABLE) == NVKM_VGPU_INTR_ALL &&
	       bar0_rd(d, NVKM_VGPU_REG_INTR_STATUS) ==
		(NVKM_VGPU_INTR_SOFTWARE | NVKM_VGPU_INTR_DOORBELL) &&
	       bar0_rd(d, NVKM_VGPU_REG_DOORBELL(count - 1)) == 0xabcd;
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

/*
 * Checks power-on state; config first, as BAR access needs memory enabled.
 * @fb_kept: the secret is still in the FB (a reset), or it reads zeros (a
 * close, which scrubbed it).
 */
static void power_on(struct vdev *d, int msi, const char *what, bool fb_kept)
{
	u32 count, cmd = cfg_rd(d, PCI_COMMAND, 2);
	u64 v = ~0ull;
	ssize_t n;

	tap_check(cmd == 0, "%s: command register is 0 (%#x)", what, cmd);
	tap_check(cfg_rd(d, PCI_BASE_ADDRESS_0, 4) == 0 &&
		  cfg_rd(d, PCI_INTERRUPT_LINE, 1) == 0 &&
		  !(cfg_rd(d, msi + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_ENABLE),
		  "%s: BAR0 address, interrupt line and MSI enable are 0", what);
	cfg_enable(d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	count = bar0_rd(d, NVKM_VGPU_REG_CHID_COUNT);
	tap_check(bar0_rd(d, NVKM_VGPU_REG_SCRATCH) == 0 &&
		  bar0_rd(d, NVKM_VGPU_REG_INTR_ENABLE) == 0 &&
		  bar0_rd(d, NVKM_VGPU_REG_INTR_STATUS) == 0 &&
		  bar0_rd(d, NVKM_VGPU_REG_DOORBELL(count - 1)) == 0,
		  "%s: SCRATCH, INTR_ENABLE, INTR_STATUS and doorbells are 0",
		  what);
	tap_check(bar0_rd(d, NVKM_VGPU_REG_MAGIC) == NVKM_VGPU_MAGIC &&
		  bar0_rd(d, NVKM_VGPU_REG_FB_SIZE_LO) ==
		  (u32)mdev_ull(d->uuid, "fb_size"),
		  "%s: identity registers survive", what);
	n = vdev_pread(d, BAR1, 4096, &v, sizeof(v));
	if (fb_kept)
		tap_check(n == sizeof(v) && v == secret,
			  "%s: framebuffer content is kept (a reset is not a scrub)",
			  what);
	else
		tap_check(n == sizeof(v) && v == 0,
			  "%s: the framebuffer reads zeros (the last close scrubbed it)",
			  what);
}

int main(void)
{
	struct vgpu_parent p;
	char type[48];
	struct vdev d;
	int msi, ret, efd, fd2;
	u8 *map;
	u64 n, v;

	tap_init("reset", 300);
	if (parent_find("tiny", &p) || parent_ready(&p))
		tap_bail("no idle tiny GPU");
	snprintf(type, sizeof(type), "%s-1c", p.board);
	ret = vgpu_new(&d, &p, type);
	if (ret)
		tap_bail("%s: %s", type, errno_name(-ret));
	msi = cfg_find_cap(&d, PCI_CAP_ID_MSI);
	if (msi < 0)
		tap_bail("no MSI capability");

	map = vdev_mmap(&d, BAR1, 0, 2 * 4096, MAP_SHARED);
	if (map == MAP_FAILED)
		tap_bail("mmap of BAR1: %s", strerror(errno));
	dirty(&d, msi);
	tap_check(dirty_ok(&d, msi), "state before reset took every write");
	tap_check(*(u64 *)(map + 4096) == secret && !map[0],
		  "BAR1's mapping shows the framebuffer before reset");
	ret = vdev_reset(&d);
	tap_errno(ret, 0, "VFIO_DEVICE_RESET succeeds");
	tap_check(touch_sigbus(map + 4096, false) && touch_sigbus(map, true),
		  "after VFIO_DEVICE_RESET: memory decoding is off, touching BAR1's mapping raises SIGBUS");
	ret = (int)vdev_pread(&d, BAR1, 4096, &v, sizeof(v));
	tap_errno(ret < 0 ? ret : 0, EIO,
		  "after VFIO_DEVICE_RESET: a BAR1 pread fails with EIO");
	power_on(&d, msi, "after VFIO_DEVICE_RESET", true);
	tap_check(*(u64 *)(map + 4096) == secret,
		  "after VFIO_DEVICE_RESET: with Memory Space set again, the same mapping shows the kept framebuffer");
	vdev_munmap(map, 2 * 4096);

	/* A reset with an MSI eventfd set: the device must not fire. */
	efd = efd_new();
	vdev_irq_eventfd(&d, VFIO_PCI_MSI_IRQ_INDEX, efd);
	dirty(&d, msi);
	efd_wait(efd, 0, &n);
	vdev_reset(&d);
	cfg_enable(&d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	bar0_write(&d, NVKM_VGPU_REG_INTR_TRIGGER, NVKM_VGPU_INTR_SOFTWARE);
	tap_check(efd_wait(efd, 100, NULL) == 0,
		  "after reset, a trigger does not fire: INTR_ENABLE and MSI are off");
	vdev_irq_eventfd(&d, VFIO_PCI_MSI_IRQ_INDEX, -1);

	/* VFIO opens a device once however many fds: closing one resets nothing. */
	fd2 = ioctl(d.group, VFIO_GROUP_GET_DEVICE_FD, d.uuid);
	if (tap_check(fd2 >= 0, "a second device fd for the same vGPU")) {
		u32 v = 0;

		bar0_write(&d, NVKM_VGPU_REG_SCRATCH, 0x2222);
		pread(fd2, &v, 4, vdev_offset(VFIO_PCI_BAR0_REGION_INDEX) +
		      NVKM_VGPU_REG_SCRATCH);
		tap_check(v == 0x2222, "both fds see the same registers");
		close(fd2);
		tap_check(bar0_rd(&d, NVKM_VGPU_REG_SCRATCH) == 0x2222,
			  "closing the second fd does not reset the device");
	}

	dirty(&d, msi);
	vdev_close(&d);
	ret = vdev_open(&d, d.uuid);
	if (tap_errno(ret, 0, "reopen the vGPU"))
		power_on(&d, msi, "after close and reopen", false);
	tap_errno(vgpu_del(&d), 0, "remove the vGPU");
	return tap_done();
}
