/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_GPU_H__
#define __NVKM_VGPU_SIM_GPU_H__

#include "gpu_types.h"

struct nvkm_vgpu_sim_gpu *
nvkm_vgpu_sim_gpu_new(const struct nvkm_vgpu_sim_preset *preset);
void nvkm_vgpu_sim_gpu_del(struct nvkm_vgpu_sim_gpu *sim);
void nvkm_vgpu_sim_gpu_wait_released(void);

#endif /* __NVKM_VGPU_SIM_GPU_H__ */
