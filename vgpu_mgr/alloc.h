/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_ALLOC_H__
#define __NVKM_VGPU_ALLOC_H__

#include <nvkm_vgpu/backend.h>
#include "alloc_types.h"
#include "catalogue_types.h"

extern const char * const nvkm_vgpu_placement_names[NVKM_VGPU_PLACEMENT_NR];

int nvkm_vgpu_alloc_init(struct nvkm_vgpu_alloc *alloc, struct device *dev,
			 const struct nvkm_vgpu_geometry *geo);
void nvkm_vgpu_alloc_fini(struct nvkm_vgpu_alloc *alloc);
void nvkm_vgpu_alloc_close(struct nvkm_vgpu_alloc *alloc);
int nvkm_vgpu_alloc_set_mode(struct nvkm_vgpu_alloc *alloc,
			     enum nvkm_vgpu_placement_mode mode);
enum nvkm_vgpu_placement_mode
nvkm_vgpu_alloc_mode(struct nvkm_vgpu_alloc *alloc);
void nvkm_vgpu_alloc_usage(struct nvkm_vgpu_alloc *alloc,
			   struct nvkm_vgpu_alloc_usage *usage);
u32 nvkm_vgpu_alloc_available(struct nvkm_vgpu_alloc *alloc,
			      const struct nvkm_vgpu_type *type);
u32 nvkm_vgpu_alloc_available_locked(struct nvkm_vgpu_alloc *alloc,
				     const struct nvkm_vgpu_type *type);
struct nvkm_vgpu_slice *nvkm_vgpu_slice_new(struct nvkm_vgpu_alloc *alloc,
					    const struct nvkm_vgpu_type *type,
					    u32 placement);
void nvkm_vgpu_slice_del(struct nvkm_vgpu_alloc *alloc,
			 struct nvkm_vgpu_slice *slice);

#endif /* __NVKM_VGPU_ALLOC_H__ */
