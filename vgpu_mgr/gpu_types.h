/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_GPU_TYPES_H__
#define __NVKM_VGPU_GPU_TYPES_H__

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <nvkm_vgpu/backend.h>

#include "alloc_types.h"
#include "catalogue_types.h"

struct nvkm_vgpu_parent;
struct nvkm_vgpu_sched_gpu;

/**
 * struct nvkm_vgpu_gpu - a physical GPU registered by a backend
 * @kref: references: one held by the registry from register to
 *	unregister, one by every nvkm_vgpu_gpu_get() until its put.
 * @id: registry ID; immutable.
 * @name: "gpu<id>", for logs; immutable.
 * @board: copy of the geometry's board name; immutable.
 * @dev: the backend's device, referenced; immutable.
 * @ops: the backend's operations; immutable.
 * @priv: the backend's private data; immutable.
 * @geo: copy of the backend's geometry (@geo.board points at @board);
 *	immutable.
 * @catalogue: the GPU's vGPU types; immutable.
 * @sched: the schedulers of the GPU's runlists, guarded by their own
 *	locks; freed with the GPU.
 * @alloc: the GPU's slice allocator, guarded by its own lock.
 * @parent: the GPU's mdev parent; set before the GPU is published, and
 *	torn down by unregister.
 * @vgpus_lock: guards @vgpus and @gone; taken before a vGPU's lock.
 * @vgpus: the GPU's vGPUs (&nvkm_vgpu.node), from init to remove.
 * @gone: unregister has begun: the GPU is as good as surprise-removed, and
 *	a vGPU made after this is refused.
 *
 * Everything but @alloc, @vgpus and @gone is immutable from register to
 * release, so a holder of a reference reads it without locks, even after
 * unregister.
 */
struct nvkm_vgpu_gpu {
	struct kref kref;
	u32 id;
	char name[16];
	char board[NVKM_VGPU_BOARD_NAME_MAX + 1];
	struct device *dev;
	const struct nvkm_vgpu_backend_ops *ops;
	void *priv;
	struct nvkm_vgpu_geometry geo;
	struct nvkm_vgpu_catalogue *catalogue;
	struct nvkm_vgpu_sched_gpu *sched;
	struct nvkm_vgpu_alloc alloc;
	struct nvkm_vgpu_parent *parent;
	struct mutex vgpus_lock; /* guards @vgpus and @gone */
	struct list_head vgpus;
	bool gone;
};

#endif /* __NVKM_VGPU_GPU_TYPES_H__ */
