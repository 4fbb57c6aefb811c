/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_GPU_TYPES_H__
#define __NVKM_VGPU_SIM_GPU_TYPES_H__

#include <linux/device.h>
#include <linux/list.h>

#include "engine/engine_types.h"
#include "preset.h"
#include "vram_types.h"

struct nvkm_vgpu_gpu;

/**
 * struct nvkm_vgpu_sim_gpu - a simulated GPU
 * @dev: the device it is registered with the manager on, and the mdev
 *	parent: a device of its own on the nvkm_vgpu_sim bus, or a PCI
 *	function the nvkm_vgpu_sim PCI driver is bound to. Its driver data
 *	points here. Immutable.
 * @preset: the board it imitates; immutable.
 * @vram: its sparse framebuffer, guarded by its own lock.
 * @engines: its engines and their runlists, each guarded by its own lock
 *	(engine/engine_types.h); they exist, threads running, from before
 *	the GPU is registered until after it is unregistered.
 * @gpu: the manager's handle, from nvkm_vgpu_gpu_register(); set by
 *	nvkm_vgpu_sim_gpu_init() and immutable until nvkm_vgpu_sim_gpu_fini().
 *
 * Whoever embeds it (bus.c, pci.c) keeps it alive until
 * nvkm_vgpu_sim_gpu_fini() has returned.
 */
struct nvkm_vgpu_sim_gpu {
	struct device *dev;
	const struct nvkm_vgpu_sim_preset *preset;
	struct nvkm_vgpu_sim_vram vram;
	struct nvkm_vgpu_sim_engines engines;
	struct nvkm_vgpu_gpu *gpu;
};

#endif /* __NVKM_VGPU_SIM_GPU_TYPES_H__ */
