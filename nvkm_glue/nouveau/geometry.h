/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_NOUVEAU_GEOMETRY_H__
#define __NVKM_VGPU_NOUVEAU_GEOMETRY_H__

#include <nvkm_vgpu/backend.h>

#include <core/subdev.h>

struct nvkm_device;
struct pci_dev;

/**
 * struct nvkm_vgpu_nouveau_geometry - a GPU's geometry and its board name
 * @geo: what is registered with the manager; @geo.board points to @board
 * @board: the chip's name in lower case, e.g. "ga102"
 */
struct nvkm_vgpu_nouveau_geometry {
	struct nvkm_vgpu_geometry geo;
	char board[NVKM_VGPU_BOARD_NAME_MAX + 1];
};

const char *nvkm_vgpu_nouveau_family(const struct nvkm_device *device);
enum nvkm_vgpu_engine nvkm_vgpu_nouveau_engine_class(enum nvkm_subdev_type type);
void nvkm_vgpu_nouveau_geometry_read(struct nvkm_vgpu_nouveau_geometry *g,
				     struct nvkm_device *device,
				     struct pci_dev *pdev, u64 fb_size,
				     u32 chid_count);

#endif /* __NVKM_VGPU_NOUVEAU_GEOMETRY_H__ */
