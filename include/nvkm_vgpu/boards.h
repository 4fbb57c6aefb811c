/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Geometries of real boards (and one small board for fast tests), for the
 * simulated GPU's presets and the manager's KUnit suites alike, so what the
 * suites prove about a board's types holds for the simulated GPU of the
 * same name. The H100 figures are a real board's
 * (shared/reference/h100-nvidia-smi-q.txt).
 *
 * NV_PMC_BOOT_0 is the chip's nouveau chipset number in bits 28:20 and its
 * revision in bits 7:0, as nouveau composes it (nvkm/engine/device/base.c):
 * GH100 0x180, AD102 0x192, GA107 0x177, and for "tiny", a T4's TU104
 * 0x164; revision 0xa1, the real H100's PCI revision ID.
 *
 * Each file that includes this header gets its own copy of the tables it
 * uses; the compiler drops the others.
 */
#ifndef __NVKM_VGPU_BOARDS_H__
#define __NVKM_VGPU_BOARDS_H__

#include <linux/compiler_attributes.h>
#include <linux/sizes.h>
#include <nvkm_vgpu/backend.h>

/* H100 80GB HBM3: compute only. */
static const struct nvkm_vgpu_geometry nvkm_vgpu_board_h100_80gb __maybe_unused = {
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
};

/* L40S 48GB: display. */
static const struct nvkm_vgpu_geometry nvkm_vgpu_board_l40s_48gb __maybe_unused = {
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
};

/* A16: one of the board's four 16 GB GPUs; display. */
static const struct nvkm_vgpu_geometry nvkm_vgpu_board_a16_16gb __maybe_unused = {
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
};

/* A small board with display, for fast tests: 4 GiB, 64 CHIDs. */
static const struct nvkm_vgpu_geometry nvkm_vgpu_board_tiny __maybe_unused = {
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
};

#endif /* __NVKM_VGPU_BOARDS_H__ */
