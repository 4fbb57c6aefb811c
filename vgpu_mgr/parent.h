/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_PARENT_H__
#define __NVKM_VGPU_PARENT_H__

#include "parent_types.h"

struct nvkm_vgpu_parent *nvkm_vgpu_parent_new(struct nvkm_vgpu_gpu *gpu);
void nvkm_vgpu_parent_del(struct nvkm_vgpu_parent *parent);
void nvkm_vgpu_parent_fini(void);
const struct nvkm_vgpu_type *
nvkm_vgpu_parent_type(struct mdev_type *mtype, struct nvkm_vgpu_gpu **gpu);

#endif /* __NVKM_VGPU_PARENT_H__ */
