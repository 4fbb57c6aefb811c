// SPDX-License-Identifier: GPL-2.0
/*
 * Board presets: the real boards a simulated GPU can imitate, by the names
 * an administrator uses. The geometries live in include/nvkm_vgpu/boards.h,
 * shared with the manager's KUnit suites.
 */
#include <linux/kernel.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include <nvkm_vgpu/boards.h>

#include "preset.h"

/*
 * Copy bandwidth: one figure for every board, 50 GB/s, of the order of a
 * copy engine's; what matters is that copies cost time in proportion to
 * their size.
 */
#define NVKM_VGPU_SIM_PRESET_COPY_BW (50ULL * 1000 * 1000 * 1000)

static const struct nvkm_vgpu_sim_preset nvkm_vgpu_sim_presets[] = {
	{
		.name = "h100-80gb",
		.geo = &nvkm_vgpu_board_h100_80gb,
		.copy_bytes_per_s = NVKM_VGPU_SIM_PRESET_COPY_BW,
	},
	{
		.name = "l40s-48gb",
		.geo = &nvkm_vgpu_board_l40s_48gb,
		.copy_bytes_per_s = NVKM_VGPU_SIM_PRESET_COPY_BW,
	},
	{
		.name = "a16-16gb",
		.geo = &nvkm_vgpu_board_a16_16gb,
		.copy_bytes_per_s = NVKM_VGPU_SIM_PRESET_COPY_BW,
	},
	{
		.name = "tiny",
		.geo = &nvkm_vgpu_board_tiny,
		.copy_bytes_per_s = NVKM_VGPU_SIM_PRESET_COPY_BW,
	},
};

/**
 * nvkm_vgpu_sim_preset_find() - look a board preset up by name
 * @name: the preset's name; one trailing newline is ignored, so a buffer
 *	written to a sysfs file can be passed as it is
 *
 * Return: the preset, or NULL when no preset has that name.
 */
const struct nvkm_vgpu_sim_preset *nvkm_vgpu_sim_preset_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(nvkm_vgpu_sim_presets); i++) {
		if (sysfs_streq(name, nvkm_vgpu_sim_presets[i].name))
			return &nvkm_vgpu_sim_presets[i];
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_sim_preset_find);

/**
 * nvkm_vgpu_sim_preset_names() - list the presets' names, for messages
 * @buf: where to write the names, separated by spaces, NUL terminated
 * @size: size of @buf; a list that does not fit is cut short
 *
 * Return: the number of characters written, NUL excluded.
 */
size_t nvkm_vgpu_sim_preset_names(char *buf, size_t size)
{
	size_t len = 0, i;

	if (size)
		buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(nvkm_vgpu_sim_presets); i++)
		len += scnprintf(buf + len, size - len, "%s%s", i ? " " : "",
				 nvkm_vgpu_sim_presets[i].name);
	return len;
}
