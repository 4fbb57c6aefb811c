/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_GPU_H__
#define __NVKM_VGPU_SIM_GPU_H__

#include "gpu_types.h"

extern const struct attribute_group *nvkm_vgpu_sim_gpu_groups[];

int nvkm_vgpu_sim_gpu_init(struct nvkm_vgpu_sim_gpu *sim, struct device *dev,
			   const struct nvkm_vgpu_sim_preset *preset);
void nvkm_vgpu_sim_gpu_fini(struct nvkm_vgpu_sim_gpu *sim);

#endif /* __NVKM_VGPU_SIM_GPU_H__ */
