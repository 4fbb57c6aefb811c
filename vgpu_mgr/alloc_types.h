/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_ALLOC_TYPES_H__
#define __NVKM_VGPU_ALLOC_TYPES_H__

#include <linux/maple_tree.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct device;
struct nvkm_vgpu_type;

/**
 * enum nvkm_vgpu_placement_mode - how slices share a GPU
 * @NVKM_VGPU_PLACEMENT_EQUAL: every slice has the same type (the default:
 *	most instances, no fragmentation).
 * @NVKM_VGPU_PLACEMENT_MIXED: slices of different sizes side by side.
 * @NVKM_VGPU_PLACEMENT_NR: number of modes
 */
enum nvkm_vgpu_placement_mode {
	NVKM_VGPU_PLACEMENT_EQUAL,
	NVKM_VGPU_PLACEMENT_MIXED,
	NVKM_VGPU_PLACEMENT_NR,
};

/** define NVKM_VGPU_PLACEMENT_ANY - let the allocator pick the placement */
#define NVKM_VGPU_PLACEMENT_ANY U32_MAX

/**
 * struct nvkm_vgpu_slice - the resources one vGPU holds on its GPU
 * @id: allocator-unique ID.
 * @type: the slice's type, from the GPU's catalogue.
 * @placement: placement ID: the slice is the @placement-th of its type's
 *	equal divisions of the usable FB.
 * @fb_offset: first FB byte, in the GPU's FB address space.
 * @fb_size: FB bytes (@type->fb_size).
 * @chid_base: first channel ID, aligned to @chid_count.
 * @chid_count: channel IDs (@type->chids).
 *
 * Written once by nvkm_vgpu_slice_new() before the slice is published;
 * read-only afterwards until nvkm_vgpu_slice_del().
 */
struct nvkm_vgpu_slice {
	u32 id;
	const struct nvkm_vgpu_type *type;
	u32 placement;
	u64 fb_offset;
	u64 fb_size;
	u32 chid_base;
	u32 chid_count;
};

/**
 * struct nvkm_vgpu_alloc - FB and channel-ID allocator of one GPU
 * @lock: guards every field below marked "@lock".
 * @dev: device named in log lines; immutable.
 * @fb_base: first usable FB byte; immutable.
 * @fb_usable: usable FB bytes; immutable.
 * @chid_count: channel IDs to hand out; immutable.
 * @mode: placement mode (@lock).
 * @closed: the GPU is going away; nothing new is allocated (@lock).
 * @nr_slices: live slices (@lock).
 * @equal_type: in equal mode, the type every live slice has; NULL when no
 *	slice lives (@lock).
 * @fb: FB ranges [offset, offset + size - 1] to their slice (@lock).
 * @chids: bitmap of channel IDs in use (@lock).
 * @slices: slice ID to slice (@lock).
 */
struct nvkm_vgpu_alloc {
	struct mutex lock; /* guards the fields documented "(@lock)" */
	struct device *dev;
	u64 fb_base;
	u64 fb_usable;
	u32 chid_count;
	enum nvkm_vgpu_placement_mode mode;
	bool closed;
	u32 nr_slices;
	const struct nvkm_vgpu_type *equal_type;
	struct maple_tree fb;
	unsigned long *chids;
	struct xarray slices;
};

/**
 * struct nvkm_vgpu_alloc_usage - a snapshot of an allocator's use
 * @fb_total: usable FB bytes.
 * @fb_used: FB bytes held by slices.
 * @chids_total: channel IDs to hand out.
 * @chids_used: channel IDs held by slices.
 * @nr_slices: live slices.
 */
struct nvkm_vgpu_alloc_usage {
	u64 fb_total;
	u64 fb_used;
	u64 chids_total;
	u64 chids_used;
	u64 nr_slices;
};

#endif /* __NVKM_VGPU_ALLOC_TYPES_H__ */
