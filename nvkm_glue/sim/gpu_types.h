/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_GPU_TYPES_H__
#define __NVKM_VGPU_SIM_GPU_TYPES_H__

#include <linux/device.h>
#include <linux/list.h>

#include "preset.h"
#include "vram_types.h"

struct nvkm_vgpu_gpu;

/**
 * struct nvkm_vgpu_sim_gpu - a simulated GPU
 * @dev: its device on the nvkm_vgpu_sim bus, "nvkm_vgpu_sim<N>" where N is
 *	@dev.id, taken from an IDA; the device's refcount keeps this structure
 *	alive. The driver core guards the device.
 * @preset: the board it imitates; immutable.
 * @vram: its sparse framebuffer, guarded by its own lock.
 * @gpu: the manager's handle, from nvkm_vgpu_gpu_register(); set before the
 *	GPU is listed on the bus and immutable until nvkm_vgpu_sim_gpu_del().
 * @node: entry in the bus's list of GPUs, guarded by nvkm_vgpu_sim_bus_lock
 *	(nvkm_glue/sim/bus.c).
 */
struct nvkm_vgpu_sim_gpu {
	struct device dev;
	const struct nvkm_vgpu_sim_preset *preset;
	struct nvkm_vgpu_sim_vram vram;
	struct nvkm_vgpu_gpu *gpu;
	struct list_head node;
};

#endif /* __NVKM_VGPU_SIM_GPU_TYPES_H__ */
