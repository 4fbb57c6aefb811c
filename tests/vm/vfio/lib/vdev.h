/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vGPU opened as a VFIO user would: the legacy group API (container,
 * group, device fd), then region access, BAR1 mappings, interrupts and
 * reset. Functions return 0 (or a byte count) or a negative errno.
 */
#ifndef NVKM_VGPU_TEST_VDEV_H
#define NVKM_VGPU_TEST_VDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/vfio.h>

#include "sysfs.h"
#include "util.h"

struct vdev {
	int container;
	int group;
	int fd;
	char uuid[UUID_LEN + 1];
	struct vfio_device_info info;
	struct vfio_region_info region[VFIO_PCI_NUM_REGIONS];
};

int vdev_open(struct vdev *d, const char *uuid);
void vdev_close(struct vdev *d);
int vgpu_new(struct vdev *d, const struct vgpu_parent *p, const char *type);
int vgpu_del(struct vdev *d);

u64 vdev_offset(unsigned int index);
ssize_t vdev_pread(struct vdev *d, unsigned int index, u64 off,
		   void *buf, size_t len);
ssize_t vdev_pwrite(struct vdev *d, unsigned int index, u64 off,
		    const void *buf, size_t len);
void *vdev_mmap(struct vdev *d, unsigned int index, u64 off, size_t len,
		int flags);
int vdev_munmap(void *addr, size_t len);

int cfg_read(struct vdev *d, u32 off, unsigned int len, u32 *val);
int cfg_write(struct vdev *d, u32 off, unsigned int len, u32 val);
u32 cfg_rd(struct vdev *d, u32 off, unsigned int len);
int cfg_find_cap(struct vdev *d, u8 id);
int cfg_enable(struct vdev *d, u16 bits);

int bar0_read(struct vdev *d, u32 off, u32 *val);
int bar0_write(struct vdev *d, u32 off, u32 val);
u32 bar0_rd(struct vdev *d, u32 off);

int vdev_irq_info(struct vdev *d, unsigned int index,
		  struct vfio_irq_info *info);
int vdev_irq_eventfd(struct vdev *d, unsigned int index, int efd);
int vdev_irq_action(struct vdev *d, unsigned int index, u32 action);
int vdev_set_irqs(struct vdev *d, struct vfio_irq_set *set);
int vdev_reset(struct vdev *d);

int efd_new(void);
int efd_wait(int efd, int timeout_ms, u64 *count);

#endif /* NVKM_VGPU_TEST_VDEV_H */
