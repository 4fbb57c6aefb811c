/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_GEOMETRY_H__
#define __NVKM_VGPU_GEOMETRY_H__

#include <nvkm_vgpu/backend.h>

int nvkm_vgpu_geometry_check(const struct nvkm_vgpu_geometry *geo);
u32 nvkm_vgpu_geometry_nominal_gib(const struct nvkm_vgpu_geometry *geo);
u64 nvkm_vgpu_geometry_fb_usable(const struct nvkm_vgpu_geometry *geo);

#endif /* __NVKM_VGPU_GEOMETRY_H__ */
