/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_VGPU_H__
#define __NVKM_VGPU_VGPU_H__

#include <linux/mdev.h>
#include "vgpu_types.h"

extern struct mdev_driver nvkm_vgpu_mdev_driver;
extern const struct vfio_device_ops nvkm_vgpu_vdev_ops;
extern const struct attribute_group *nvkm_vgpu_sysfs_groups[];

static inline struct nvkm_vgpu *to_vgpu(struct vfio_device *vdev)
{
	return container_of(vdev, struct nvkm_vgpu, vdev);
}

int nvkm_vgpu_init(struct vfio_device *vdev);
void nvkm_vgpu_release(struct vfio_device *vdev);

/* irq.c */
int nvkm_vgpu_irq_info(struct nvkm_vgpu *vgpu, struct vfio_irq_info *info);
int nvkm_vgpu_irq_set(struct nvkm_vgpu *vgpu, struct vfio_irq_set *hdr,
		      void __user *data);
void nvkm_vgpu_irq_update_locked(struct nvkm_vgpu *vgpu, bool was_asserted);
void nvkm_vgpu_irq_fini(struct nvkm_vgpu *vgpu);
void nvkm_vgpu_irq_request(struct nvkm_vgpu *vgpu, unsigned int count);

/* bar1.c */
ssize_t nvkm_vgpu_bar1_rw(struct nvkm_vgpu *vgpu, char __user *buf,
			  size_t count, u64 pos, bool write);
int nvkm_vgpu_bar1_mmap(struct nvkm_vgpu *vgpu, struct vm_area_struct *vma);
void nvkm_vgpu_bar1_zap_locked(struct nvkm_vgpu *vgpu);

/* vgpu.c */
void nvkm_vgpu_gpu_surprise_removal(struct nvkm_vgpu_gpu *gpu);
int nvkm_vgpu_scrub(struct nvkm_vgpu *vgpu);

#endif /* __NVKM_VGPU_VGPU_H__ */
