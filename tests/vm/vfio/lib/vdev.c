// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO user side of a vGPU, through the legacy group API as QEMU's
 * hw/vfio/container.c uses it: a container on /dev/vfio/vfio, the mdev's
 * group /dev/vfio/<N> set to it, the type1 IOMMU (the vGPU is an
 * emulated-IOMMU device), then VFIO_GROUP_GET_DEVICE_FD with the UUID.
 *
 * Open devices and BAR mappings are tracked per process, so that
 * vdev_cleanup() can let go of them before the mdevs are removed (a
 * mapping keeps the device open, and removal waits for that).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "cleanup.h"
#include "tap.h"
#include "vdev.h"

#define VDEV_TRACK_MAX 256
#define MAP_TRACK_MAX 256

static struct {
	struct vdev *d;
	pid_t owner;
} vdev_tracked[VDEV_TRACK_MAX];

static struct {
	void *addr;
	size_t len;
	pid_t owner;
} map_tracked[MAP_TRACK_MAX];

static void vdev_track(struct vdev *d, bool add)
{
	unsigned int i;

	for (i = 0; i < VDEV_TRACK_MAX; i++) {
		if (add && !vdev_tracked[i].owner) {
			vdev_tracked[i].d = d;
			vdev_tracked[i].owner = getpid();
			return;
		}
		if (!add && vdev_tracked[i].d == d &&
		    vdev_tracked[i].owner == getpid())
			vdev_tracked[i].owner = 0;
	}
}

static void vdev_fds_close(struct vdev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
	d->fd = -1;
	d->group = -1;
	d->container = -1;
}

static int vdev_group_number(const char *uuid)
{
	char link[256], target[PATH_MAX], *base;
	ssize_t n;

	snprintf(link, sizeof(link), MDEV_DEV_DIR "/%.36s/iommu_group", uuid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	return base ? atoi(base + 1) : -EINVAL;
}

/* vdev_open() with the cleanup's signals held off. */
static int vdev_open_tracked(struct vdev *d, const char *uuid)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64], name[UUID_LEN + 1];
	unsigned int i;
	int group, iommu, ret;

	/* @uuid may be d->uuid: copy it before clearing @d. */
	snprintf(name, sizeof(name), "%s", uuid);
	uuid = name;
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->group = -1;
	d->container = -1;
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);

	group = vdev_group_number(uuid);
	if (group < 0)
		return group;
	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (d->container < 0)
		goto err_errno;
	if (ioctl(d->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		ret = -EINVAL;
		goto err_close;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->group < 0)
		goto err_errno;
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &status))
		goto err_errno;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		ret = -EINVAL;
		goto err_close;
	}
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		goto err_errno;
	iommu = ioctl(d->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0 ?
		VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU;
	if (ioctl(d->container, VFIO_SET_IOMMU, iommu))
		goto err_errno;
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (d->fd < 0)
		goto err_errno;

	d->info.argsz = sizeof(d->info);
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &d->info))
		goto err_errno;
	for (i = 0; i < VFIO_PCI_NUM_REGIONS && i < d->info.num_regions; i++) {
		d->region[i].argsz = sizeof(d->region[i]);
		d->region[i].index = i;
		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &d->region[i]))
			goto err_errno;
	}
	vdev_track(d, true);
	return 0;

err_errno:
	ret = -errno;
err_close:
	vdev_fds_close(d);
	return ret;
}

/**
 * vdev_open() - open an mdev's VFIO device
 * @d: filled in
 * @uuid: the mdev
 *
 * Return: 0, or the errno of the step that failed (nothing stays open).
 */
int vdev_open(struct vdev *d, const char *uuid)
{
	sigset_t old;
	int ret;

	cleanup_hold(&old);
	ret = vdev_open_tracked(d, uuid);
	cleanup_release(&old);
	return ret;
}

/** vdev_close() - close the device, its group and container */
void vdev_close(struct vdev *d)
{
	vdev_track(d, false);
	vdev_fds_close(d);
}

/**
 * vgpu_new() - create a vGPU and open it
 * @d: filled in; d->uuid is the new mdev's
 * @p: the parent
 * @type: catalogue type name
 *
 * Also enables memory decoding and bus mastering, as a guest driver would.
 *
 * Return: 0, or the errno of create or open (nothing is left then).
 */
int vgpu_new(struct vdev *d, const struct vgpu_parent *p, const char *type)
{
	char uuid[UUID_LEN + 1];
	int ret;

	uuid_new(uuid);
	ret = mdev_create(p, type, uuid);
	if (ret) {
		memset(d, 0, sizeof(*d));
		d->fd = -1;
		d->group = -1;
		d->container = -1;
		snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
		return ret;
	}
	ret = vdev_open(d, uuid);
	if (ret) {
		mdev_remove(uuid);
		return ret;
	}
	return cfg_enable(d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/** vgpu_del() - close a vGPU from vgpu_new() and remove it; 0 or -errno */
int vgpu_del(struct vdev *d)
{
	vdev_close(d);
	return mdev_remove(d->uuid);
}

/* The file offset of a region; also for indexes the device does not have. */
u64 vdev_offset(unsigned int index)
{
	return (u64)index << 40;
}

ssize_t vdev_pread(struct vdev *d, unsigned int index, u64 off,
		   void *buf, size_t len)
{
	ssize_t n = pread(d->fd, buf, len, vdev_offset(index) + off);

	return n < 0 ? -errno : n;
}

ssize_t vdev_pwrite(struct vdev *d, unsigned int index, u64 off,
		    const void *buf, size_t len)
{
	ssize_t n = pwrite(d->fd, buf, len, vdev_offset(index) + off);

	return n < 0 ? -errno : n;
}

/**
 * vdev_mmap() - map part of a region
 * @d: the device
 * @index: region index
 * @off: offset in the region
 * @len: bytes
 * @flags: MAP_SHARED or MAP_PRIVATE
 *
 * Return: the mapping (undo with vdev_munmap()), or MAP_FAILED with errno.
 */
void *vdev_mmap(struct vdev *d, unsigned int index, u64 off, size_t len,
		int flags)
{
	unsigned int i;
	sigset_t old;
	void *p;

	cleanup_hold(&old);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, d->fd,
		 vdev_offset(index) + off);
	for (i = 0; p != MAP_FAILED && i < MAP_TRACK_MAX; i++) {
		if (!map_tracked[i].owner) {
			map_tracked[i].addr = p;
			map_tracked[i].len = len;
			map_tracked[i].owner = getpid();
			break;
		}
	}
	cleanup_release(&old);
	return p;
}

int vdev_munmap(void *addr, size_t len)
{
	unsigned int i;

	for (i = 0; i < MAP_TRACK_MAX; i++)
		if (map_tracked[i].owner == getpid() &&
		    map_tracked[i].addr == addr)
			map_tracked[i].owner = 0;
	return munmap(addr, len) ? -errno : 0;
}

void vdev_cleanup(void)
{
	pid_t self = getpid();
	unsigned int i;

	for (i = 0; i < MAP_TRACK_MAX; i++) {
		if (map_tracked[i].owner != self)
			continue;
		munmap(map_tracked[i].addr, map_tracked[i].len);
		map_tracked[i].owner = 0;
	}
	for (i = 0; i < VDEV_TRACK_MAX; i++) {
		if (vdev_tracked[i].owner != self)
			continue;
		vdev_fds_close(vdev_tracked[i].d);
		vdev_tracked[i].owner = 0;
	}
}

/* Accesses of 1, 2 or 4 bytes to an emulated region, little endian. */
static int region_read(struct vdev *d, unsigned int index, u32 off,
		       unsigned int len, u32 *val)
{
	u8 b[4] = { 0 };
	unsigned int i;
	ssize_t n;

	n = vdev_pread(d, index, off, b, len);
	if (n < 0)
		return n;
	if ((size_t)n != len)
		return -EIO;
	*val = 0;
	for (i = 0; i < len; i++)
		*val |= (u32)b[i] << (8 * i);
	return 0;
}

static int region_write(struct vdev *d, unsigned int index, u32 off,
			unsigned int len, u32 val)
{
	u8 b[4];
	unsigned int i;
	ssize_t n;

	for (i = 0; i < len; i++)
		b[i] = val >> (8 * i);
	n = vdev_pwrite(d, index, off, b, len);
	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -EIO;
}

int cfg_read(struct vdev *d, u32 off, unsigned int len, u32 *val)
{
	return region_read(d, VFIO_PCI_CONFIG_REGION_INDEX, off, len, val);
}

int cfg_write(struct vdev *d, u32 off, unsigned int len, u32 val)
{
	return region_write(d, VFIO_PCI_CONFIG_REGION_INDEX, off, len, val);
}

/* A config read whose failure is reported as a diagnostic and all ones. */
u32 cfg_rd(struct vdev *d, u32 off, unsigned int len)
{
	u32 v;
	int ret = cfg_read(d, off, len, &v);

	if (ret) {
		tap_diag("config read of %u bytes at %#x: %s", len, off,
			 errno_name(-ret));
		return 0xffffffff;
	}
	return v;
}

/**
 * cfg_find_cap() - offset of a standard capability
 * @d: the device
 * @id: PCI_CAP_ID_*
 *
 * Return: the offset, or -ENOENT (also for a list that does not end).
 */
int cfg_find_cap(struct vdev *d, u8 id)
{
	u32 pos = cfg_rd(d, PCI_CAPABILITY_LIST, 1) & 0xfc;
	unsigned int steps;

	for (steps = 0; pos && steps < 48; steps++) {
		if ((cfg_rd(d, pos, 1) & 0xff) == id)
			return pos;
		pos = cfg_rd(d, pos + 1, 1) & 0xfc;
	}
	return -ENOENT;
}

/* Sets bits in the command register, as a guest driver does at probe. */
int cfg_enable(struct vdev *d, u16 bits)
{
	u32 cmd;
	int ret = cfg_read(d, PCI_COMMAND, 2, &cmd);

	return ret ? ret : cfg_write(d, PCI_COMMAND, 2, cmd | bits);
}

int bar0_read(struct vdev *d, u32 off, u32 *val)
{
	return region_read(d, VFIO_PCI_BAR0_REGION_INDEX, off, 4, val);
}

int bar0_write(struct vdev *d, u32 off, u32 val)
{
	return region_write(d, VFIO_PCI_BAR0_REGION_INDEX, off, 4, val);
}

/* A register read whose failure is reported as a diagnostic and all ones. */
u32 bar0_rd(struct vdev *d, u32 off)
{
	u32 v;
	int ret = bar0_read(d, off, &v);

	if (ret) {
		tap_diag("BAR0 read at %#x: %s", off, errno_name(-ret));
		return 0xffffffff;
	}
	return v;
}

int vdev_irq_info(struct vdev *d, unsigned int index,
		  struct vfio_irq_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, info) ? -errno : 0;
}

int vdev_set_irqs(struct vdev *d, struct vfio_irq_set *set)
{
	return ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set) ? -errno : 0;
}

/**
 * vdev_irq_eventfd() - signal @efd for vector 0 of an IRQ index
 * @d: the device
 * @index: VFIO_PCI_*_IRQ_INDEX
 * @efd: an eventfd, or -1 to stop signalling
 *
 * Return: 0 or the ioctl's errno.
 */
int vdev_irq_eventfd(struct vdev *d, unsigned int index, int efd)
{
	union {
		struct vfio_irq_set set;
		u8 bytes[sizeof(struct vfio_irq_set) + sizeof(s32)];
	} arg;
	s32 fd = efd;

	memset(&arg, 0, sizeof(arg));
	arg.set.argsz = sizeof(arg);
	arg.set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	arg.set.index = index;
	arg.set.start = 0;
	arg.set.count = 1;
	memcpy(arg.set.data, &fd, sizeof(fd));
	return vdev_set_irqs(d, &arg.set);
}

/* VFIO_IRQ_SET_ACTION_{MASK,UNMASK,TRIGGER} with no data on vector 0. */
int vdev_irq_action(struct vdev *d, unsigned int index, u32 action)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | action,
		.index = index,
		.start = 0,
		.count = 1,
	};

	return vdev_set_irqs(d, &set);
}

int vdev_reset(struct vdev *d)
{
	return ioctl(d->fd, VFIO_DEVICE_RESET) ? -errno : 0;
}

int efd_new(void)
{
	return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

/**
 * efd_wait() - wait for an eventfd to be signalled, and consume it
 * @efd: the eventfd
 * @timeout_ms: how long to wait; 0 just looks
 * @count: if non-NULL, the counter read (signals since the last read)
 *
 * Return: 1 when signalled, 0 on timeout, or a negative errno.
 */
int efd_wait(int efd, int timeout_ms, u64 *count)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	u64 v;
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (!ret)
		return 0;
	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return -errno;
	if (count)
		*count = v;
	return 1;
}
