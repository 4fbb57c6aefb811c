/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_PRESET_H__
#define __NVKM_VGPU_SIM_PRESET_H__

#include <linux/types.h>
#include <nvkm_vgpu/backend.h>

/**
 * struct nvkm_vgpu_sim_preset - a real board a simulated GPU imitates
 * @name: what an administrator writes to new_device or lists in the gpus
 *	module parameter, e.g. "h100-80gb".
 * @geo: the board's geometry (include/nvkm_vgpu/boards.h), registered
 *	with the manager as it is.
 * @copy_bytes_per_s: how fast its copy engines move bytes: a copy takes
 *	at least its bytes divided by this (engine/copy.c).
 *
 * Presets are constant tables: nothing guards them.
 */
struct nvkm_vgpu_sim_preset {
	const char *name;
	const struct nvkm_vgpu_geometry *geo;
	u64 copy_bytes_per_s;
};

const struct nvkm_vgpu_sim_preset *nvkm_vgpu_sim_preset_find(const char *name);
size_t nvkm_vgpu_sim_preset_names(char *buf, size_t size);

#endif /* __NVKM_VGPU_SIM_PRESET_H__ */
