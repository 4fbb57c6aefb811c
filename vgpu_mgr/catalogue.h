/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_CATALOGUE_H__
#define __NVKM_VGPU_CATALOGUE_H__

#include <nvkm_vgpu/backend.h>
#include "catalogue_types.h"

const char *nvkm_vgpu_engine_name(enum nvkm_vgpu_engine engine);
struct nvkm_vgpu_catalogue *
nvkm_vgpu_catalogue_new(const struct nvkm_vgpu_geometry *geo);
void nvkm_vgpu_catalogue_del(struct nvkm_vgpu_catalogue *cat);
const struct nvkm_vgpu_type *
nvkm_vgpu_catalogue_find(const struct nvkm_vgpu_catalogue *cat,
			 const char *name);

#endif /* __NVKM_VGPU_CATALOGUE_H__ */
