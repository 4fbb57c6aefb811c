// SPDX-License-Identifier: GPL-2.0
/*
 * Board presets: the geometries of real boards a simulated GPU can take.
 *
 * The values match the boards the manager's KUnit suites use
 * (tests/kunit/fixtures.c), so what the tests prove about a board's type
 * catalogue holds for the simulated GPU of the same name. The H100 figures
 * are a real board's (shared/reference/h100-nvidia-smi-q.txt).
 *
 * NV_PMC_BOOT_0 is the chip's nouveau chipset number in bits 28:20 and its
 * revision in bits 7:0, as nouveau composes it when told a chipset
 * (nvkm/engine/device/base.c): GH100 0x180, AD102 0x192, GA107 0x177, and
 * for "tiny", a T4's TU104 0x164; revision 0xa1, the real H100's PCI
 * revision ID (shared/reference/h100-pci-config.txt).
 */
#include <linux/kernel.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "preset.h"

static const struct nvkm_vgpu_sim_preset nvkm_vgpu_sim_presets[] = {
	{
		/* H100 80GB HBM3: compute only. */
		.name = "h100-80gb",
		.geo = {
			.board = "h100",
			.fb_nominal_gib = 80,
			.fb_size = 81559ULL * SZ_1M,
			.fb_reserved = 480ULL * SZ_1M,
			.chid_count = 2048,
			.engines = {
				[NVKM_VGPU_ENGINE_GR] = 1,
				[NVKM_VGPU_ENGINE_CE] = 10,
				[NVKM_VGPU_ENGINE_NVDEC] = 7,
				[NVKM_VGPU_ENGINE_NVJPG] = 7,
				[NVKM_VGPU_ENGINE_OFA] = 1,
			},
			.bar0_size = SZ_16M,
			.bar1_size = 128ULL * SZ_1G,
			.bar3_size = SZ_32M,
			.vendor_id = 0x10de,
			.device_id = 0x2330,
			.subsystem_vendor_id = 0x10de,
			.subsystem_id = 0x16c1,
			.boot0 = 0x180000a1,
		},
	},
	{
		/* L40S 48GB: display. */
		.name = "l40s-48gb",
		.geo = {
			.board = "l40s",
			.fb_nominal_gib = 48,
			.fb_size = 46068ULL * SZ_1M,
			.fb_reserved = 512ULL * SZ_1M,
			.chid_count = 2048,
			.engines = {
				[NVKM_VGPU_ENGINE_GR] = 1,
				[NVKM_VGPU_ENGINE_CE] = 2,
				[NVKM_VGPU_ENGINE_NVDEC] = 3,
				[NVKM_VGPU_ENGINE_NVENC] = 3,
				[NVKM_VGPU_ENGINE_NVJPG] = 4,
				[NVKM_VGPU_ENGINE_OFA] = 1,
			},
			.bar0_size = SZ_16M,
			.bar1_size = 64ULL * SZ_1G,
			.bar3_size = SZ_32M,
			.vendor_id = 0x10de,
			.device_id = 0x26b9,
			.subsystem_vendor_id = 0x10de,
			.subsystem_id = 0x1851,
			.boot0 = 0x192000a1,
			.display = true,
		},
	},
	{
		/* A16: one of the board's four 16 GB GPUs; display. */
		.name = "a16-16gb",
		.geo = {
			.board = "a16",
			.fb_nominal_gib = 16,
			.fb_size = 16384ULL * SZ_1M,
			.fb_reserved = 256ULL * SZ_1M,
			.chid_count = 512,
			.engines = {
				[NVKM_VGPU_ENGINE_GR] = 1,
				[NVKM_VGPU_ENGINE_CE] = 2,
				[NVKM_VGPU_ENGINE_NVDEC] = 2,
				[NVKM_VGPU_ENGINE_NVENC] = 1,
				[NVKM_VGPU_ENGINE_NVJPG] = 1,
			},
			.bar0_size = SZ_16M,
			.bar1_size = 32ULL * SZ_1G,
			.bar3_size = SZ_32M,
			.vendor_id = 0x10de,
			.device_id = 0x25b6,
			.subsystem_vendor_id = 0x10de,
			.subsystem_id = 0x14a9,
			.boot0 = 0x177000a1,
			.display = true,
		},
	},
	{
		/* A small board with display, for fast tests: 4 GiB, 64 CHIDs. */
		.name = "tiny",
		.geo = {
			.board = "tiny",
			.fb_nominal_gib = 4,
			.fb_size = 4160ULL * SZ_1M,
			.fb_reserved = 64ULL * SZ_1M,
			.chid_count = 64,
			.engines = {
				[NVKM_VGPU_ENGINE_GR] = 1,
				[NVKM_VGPU_ENGINE_CE] = 1,
			},
			.bar0_size = SZ_16M,
			.bar1_size = SZ_8G,
			.vendor_id = 0x10de,
			.device_id = 0x1eb8,
			.boot0 = 0x164000a1,
			.display = true,
		},
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
