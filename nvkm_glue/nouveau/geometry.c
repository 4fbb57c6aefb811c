// SPDX-License-Identifier: GPL-2.0
/*
 * A nouveau GPU's geometry, as the manager wants it: the board from the
 * chip, the framebuffer from the VRAM carve-out (fb.c), the channel IDs
 * from the reserved range (chid.c), the engines from the FIFO's runlists,
 * the BARs and PCI identity from the PCI function.
 */
#include <linux/ctype.h>
#include <linux/minmax.h>
#include <linux/pci.h>
#include <linux/string.h>

#include <core/device.h>
#include <engine/fifo.h>
/* nouveau's private FIFO header: the runlists and their engines. */
#include <engine/fifo/runl.h>

#include "geometry.h"

/**
 * nvkm_vgpu_nouveau_family() - a chip's architecture, for log lines
 * @device: the NVKM device
 *
 * Return: "Tesla" to "Ada", or "pre-Tesla".
 */
const char *nvkm_vgpu_nouveau_family(const struct nvkm_device *device)
{
	switch (device->card_type) {
	case NV_50: return "Tesla";
	case NV_C0: return "Fermi";
	case NV_E0: return "Kepler";
	case GM100: return "Maxwell";
	case GP100: return "Pascal";
	case GV100: return "Volta";
	case TU100: return "Turing";
	case GA100: return "Ampere";
	case AD100: return "Ada";
	default: return "pre-Tesla";
	}
}

/**
 * nvkm_vgpu_nouveau_engine_class() - the contract's class of an NVKM engine
 * @type: the engine's subdev type
 *
 * The geometry counts engines by it, and chan/chan.c finds a channel's
 * runlist by the same count.
 *
 * Return: the class, or NVKM_VGPU_ENGINE_NR for an engine not offered.
 */
enum nvkm_vgpu_engine nvkm_vgpu_nouveau_engine_class(enum nvkm_subdev_type type)
{
	switch (type) {
	case NVKM_ENGINE_GR: return NVKM_VGPU_ENGINE_GR;
	case NVKM_ENGINE_CE: return NVKM_VGPU_ENGINE_CE;
	case NVKM_ENGINE_NVDEC: return NVKM_VGPU_ENGINE_NVDEC;
	case NVKM_ENGINE_NVENC: return NVKM_VGPU_ENGINE_NVENC;
	case NVKM_ENGINE_NVJPG: return NVKM_VGPU_ENGINE_NVJPG;
	case NVKM_ENGINE_OFA: return NVKM_VGPU_ENGINE_OFA;
	default: return NVKM_VGPU_ENGINE_NR;
	}
}

/* Count the engines on the FIFO's runlists, by class. */
static void nvkm_vgpu_nouveau_engines_read(struct nvkm_vgpu_geometry *geo,
					   struct nvkm_device *device)
{
	enum nvkm_vgpu_engine class;
	struct nvkm_runl *runl;
	struct nvkm_engn *engn;

	if (!device->fifo)
		return;
	nvkm_runl_foreach(runl, device->fifo) {
		nvkm_runl_foreach_engn(engn, runl) {
			class = nvkm_vgpu_nouveau_engine_class(engn->engine->subdev.type);
			if (class < NVKM_VGPU_ENGINE_NR && geo->engines[class] < U8_MAX)
				geo->engines[class]++;
		}
	}
}

/* The chip's name as a board name: "GA102" -> "ga102". */
static void nvkm_vgpu_nouveau_board_read(char *board, const char *chip)
{
	size_t i;

	strscpy(board, chip ? chip : "nv", NVKM_VGPU_BOARD_NAME_MAX + 1);
	for (i = 0; board[i]; i++) {
		board[i] = tolower(board[i]);
		if (!isalnum(board[i]))
			board[i] = '-';
	}
}

/**
 * nvkm_vgpu_nouveau_geometry_read() - describe a GPU to the manager
 * @g: to fill in
 * @device: the NVKM device
 * @pdev: its PCI function
 * @fb_size: the carve-out's bytes, the vGPUs' whole framebuffer
 * @chid_count: channel IDs reserved for vGPUs
 *
 * The carve-out is the framebuffer: fb_reserved is 0, and the nominal
 * size is left to the manager (the carve-out rounded to a GiB), since the
 * board's own VRAM size is not what vGPUs share.
 */
void nvkm_vgpu_nouveau_geometry_read(struct nvkm_vgpu_nouveau_geometry *g,
				     struct nvkm_device *device,
				     struct pci_dev *pdev, u64 fb_size,
				     u32 chid_count)
{
	struct nvkm_vgpu_geometry *geo = &g->geo;

	memset(g, 0, sizeof(*g));
	nvkm_vgpu_nouveau_board_read(g->board, device->chip->name);
	geo->board = g->board;
	geo->fb_size = fb_size;
	geo->chid_count = chid_count;
	nvkm_vgpu_nouveau_engines_read(geo, device);
	geo->bar0_size = pci_resource_len(pdev, 0);
	geo->bar1_size = pci_resource_len(pdev, 1);
	geo->bar3_size = pci_resource_len(pdev, 3);
	geo->vendor_id = pdev->vendor;
	geo->device_id = pdev->device;
	geo->subsystem_vendor_id = pdev->subsystem_vendor;
	geo->subsystem_id = pdev->subsystem_device;
	geo->boot0 = nvkm_rd32(device, 0x000000);
	geo->display = !!device->disp;
}
