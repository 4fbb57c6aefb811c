/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_PARENT_TYPES_H__
#define __NVKM_VGPU_PARENT_TYPES_H__

#include <linux/kref.h>
#include <linux/mdev.h>
#include <linux/workqueue.h>

struct nvkm_vgpu_gpu;
struct nvkm_vgpu_parent;
struct nvkm_vgpu_type;

/**
 * enum nvkm_vgpu_sched_policy - how a GPU's engines are shared among vGPUs
 * @NVKM_VGPU_SCHED_BEST_EFFORT: work conserving: an idle vGPU's time goes to
 *	the busy ones.
 * @NVKM_VGPU_SCHED_EQUAL_SHARE: every running vGPU gets the same share.
 * @NVKM_VGPU_SCHED_FIXED_SHARE: every vGPU gets its type's share, used or not.
 * @NVKM_VGPU_SCHED_NR: number of policies
 */
enum nvkm_vgpu_sched_policy {
	NVKM_VGPU_SCHED_BEST_EFFORT,
	NVKM_VGPU_SCHED_EQUAL_SHARE,
	NVKM_VGPU_SCHED_FIXED_SHARE,
	NVKM_VGPU_SCHED_NR,
};

/**
 * struct nvkm_vgpu_mdev_type - a catalogue type as the mdev core sees it
 * @mtype: the mdev core's type; its sysfs_name is the type's name.
 * @type: the catalogue type; immutable.
 * @parent: the parent the type belongs to; immutable.
 */
struct nvkm_vgpu_mdev_type {
	struct mdev_type mtype;
	const struct nvkm_vgpu_type *type;
	struct nvkm_vgpu_parent *parent;
};

/**
 * struct nvkm_vgpu_parent - the mdev parent of one GPU
 * @kref: one reference for the GPU, from nvkm_vgpu_parent_new() to
 *	nvkm_vgpu_parent_del(), and one per mdev type from its registration
 *	to its release (which the mdev core may run late).
 * @free_work: frees a parent whose mdev registration failed, once the
 *	types the mdev core made are surely released.
 * @mparent: the mdev core's parent, on the GPU's own device (@gpu->dev).
 * @gpu: the GPU, referenced until the parent is freed; immutable.
 * @nr_types: entries in @types and @type_list; immutable.
 * @types: one mdev type per catalogue type; immutable.
 * @type_list: pointers to @types[i].mtype, for the mdev core; immutable.
 *
 * The scheduling knobs in <parent>/nvkm_vgpu/ are the GPU's scheduler's
 * own (&nvkm_vgpu_gpu.sched); the parent keeps no copy.
 */
struct nvkm_vgpu_parent {
	struct kref kref;
	struct delayed_work free_work;
	struct mdev_parent mparent;
	struct nvkm_vgpu_gpu *gpu;
	u32 nr_types;
	struct nvkm_vgpu_mdev_type *types;
	struct mdev_type **type_list;
};

#endif /* __NVKM_VGPU_PARENT_TYPES_H__ */
