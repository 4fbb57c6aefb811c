// SPDX-License-Identifier: GPL-2.0
/*
 * The slice allocator of one GPU: FB ranges and channel-ID ranges.
 *
 * A type of n instances divides the usable FB into n equal slots; placement
 * ID p is slot p. A slice takes one free slot of its type and one free,
 * naturally aligned block of its type's CHID count. Occupied FB ranges live
 * in a maple tree (which refuses overlapping ranges), channel IDs in a
 * bitmap.
 *
 * Because a new slice of type T takes exactly one of T's disjoint slots and
 * exactly one of its disjoint aligned CHID blocks, the number of further
 * instances of T that can be created is the smaller of the two free counts:
 * nvkm_vgpu_alloc_available() is exact, and create succeeds exactly that
 * many times.
 *
 * In equal mode (the default) every live slice has the same type; in mixed
 * mode sizes may differ. The mode changes only while no slice lives.
 */
#include <linux/align.h>
#include <linux/bitmap.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "alloc.h"
#include "geometry.h"

/* The words sysfs shows and accepts for each mode. */
const char * const nvkm_vgpu_placement_names[NVKM_VGPU_PLACEMENT_NR] = {
	[NVKM_VGPU_PLACEMENT_EQUAL] = "equal",
	[NVKM_VGPU_PLACEMENT_MIXED] = "mixed",
};
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_placement_names);

/**
 * nvkm_vgpu_alloc_init() - set up the allocator of a GPU
 * @alloc: allocator to initialise
 * @dev: device to name in log lines
 * @geo: the GPU's checked geometry
 *
 * Return: 0 or -ENOMEM.
 */
int nvkm_vgpu_alloc_init(struct nvkm_vgpu_alloc *alloc, struct device *dev,
			 const struct nvkm_vgpu_geometry *geo)
{
	alloc->chids = bitmap_zalloc(geo->chid_count, GFP_KERNEL);
	if (!alloc->chids)
		return -ENOMEM;

	mutex_init(&alloc->lock);
	alloc->dev = dev;
	alloc->fb_base = geo->fb_reserved;
	alloc->fb_usable = nvkm_vgpu_geometry_fb_usable(geo);
	alloc->chid_count = geo->chid_count;
	alloc->mode = NVKM_VGPU_PLACEMENT_EQUAL;
	alloc->closed = false;
	alloc->nr_slices = 0;
	alloc->equal_type = NULL;
	mt_init(&alloc->fb);
	xa_init_flags(&alloc->slices, XA_FLAGS_ALLOC);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_alloc_init);

/**
 * nvkm_vgpu_alloc_fini() - tear an allocator down
 * @alloc: allocator from nvkm_vgpu_alloc_init()
 *
 * Every slice must have been deleted; one still alive is a bug in the
 * caller, warned about and freed.
 */
void nvkm_vgpu_alloc_fini(struct nvkm_vgpu_alloc *alloc)
{
	struct nvkm_vgpu_slice *slice;
	unsigned long id;

	WARN_ON(alloc->nr_slices);
	xa_for_each(&alloc->slices, id, slice)
		kfree(slice);
	xa_destroy(&alloc->slices);
	mtree_destroy(&alloc->fb);
	bitmap_free(alloc->chids);
	mutex_destroy(&alloc->lock);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_alloc_fini);

/**
 * nvkm_vgpu_alloc_close() - allocate nothing more: the GPU is going away
 * @alloc: the allocator
 *
 * Live slices stay until deleted; nvkm_vgpu_slice_new() fails with -ENODEV
 * and every type has 0 instances available.
 */
void nvkm_vgpu_alloc_close(struct nvkm_vgpu_alloc *alloc)
{
	mutex_lock(&alloc->lock);
	alloc->closed = true;
	mutex_unlock(&alloc->lock);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_alloc_close);

/**
 * nvkm_vgpu_alloc_set_mode() - switch between equal and mixed placement
 * @alloc: the allocator
 * @mode: the new mode
 *
 * Return: 0; -EINVAL for an unknown mode; -EBUSY while any slice lives.
 */
int nvkm_vgpu_alloc_set_mode(struct nvkm_vgpu_alloc *alloc,
			     enum nvkm_vgpu_placement_mode mode)
{
	int ret = 0;

	if ((unsigned int)mode >= NVKM_VGPU_PLACEMENT_NR) {
		dev_warn_ratelimited(alloc->dev,
				     "placement mode %u unknown\n", mode);
		return -EINVAL;
	}

	mutex_lock(&alloc->lock);
	if (alloc->mode != mode && alloc->nr_slices) {
		dev_warn_ratelimited(alloc->dev,
				     "placement mode stays %s: %u vGPUs exist\n",
				     nvkm_vgpu_placement_names[alloc->mode],
				     alloc->nr_slices);
		ret = -EBUSY;
	} else {
		alloc->mode = mode;
	}
	mutex_unlock(&alloc->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_alloc_set_mode);

/**
 * nvkm_vgpu_alloc_mode() - the current placement mode
 * @alloc: the allocator
 *
 * Return: the mode.
 */
enum nvkm_vgpu_placement_mode nvkm_vgpu_alloc_mode(struct nvkm_vgpu_alloc *alloc)
{
	enum nvkm_vgpu_placement_mode mode;

	mutex_lock(&alloc->lock);
	mode = alloc->mode;
	mutex_unlock(&alloc->lock);
	return mode;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_alloc_mode);

/**
 * nvkm_vgpu_alloc_usage() - how much of the GPU slices hold
 * @alloc: the allocator
 * @usage: filled with a consistent snapshot
 */
void nvkm_vgpu_alloc_usage(struct nvkm_vgpu_alloc *alloc,
			   struct nvkm_vgpu_alloc_usage *usage)
{
	struct nvkm_vgpu_slice *slice;
	unsigned long id;

	mutex_lock(&alloc->lock);
	usage->fb_total = alloc->fb_usable;
	usage->fb_used = 0;
	xa_for_each(&alloc->slices, id, slice)
		usage->fb_used += slice->fb_size;
	usage->chids_total = alloc->chid_count;
	usage->chids_used = bitmap_weight(alloc->chids, alloc->chid_count);
	usage->nr_slices = alloc->nr_slices;
	mutex_unlock(&alloc->lock);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_alloc_usage);

/* Whether @type can come from a catalogue built for this allocator's GPU. */
static bool nvkm_vgpu_alloc_type_fits(const struct nvkm_vgpu_alloc *alloc,
				      const struct nvkm_vgpu_type *type)
{
	return type->fb_size && type->max_instances &&
	       IS_ALIGNED(type->fb_size, NVKM_VGPU_FB_ALIGN) &&
	       type->fb_size * type->max_instances <= alloc->fb_usable &&
	       is_power_of_2(type->chids) &&
	       (u64)type->chids * type->max_instances <= alloc->chid_count;
}

static u64 nvkm_vgpu_slot_offset(const struct nvkm_vgpu_alloc *alloc,
				 const struct nvkm_vgpu_type *type, u32 slot)
{
	return alloc->fb_base + (u64)slot * type->fb_size;
}

static bool nvkm_vgpu_slot_free_locked(struct nvkm_vgpu_alloc *alloc,
				       const struct nvkm_vgpu_type *type,
				       u32 slot)
{
	unsigned long index = nvkm_vgpu_slot_offset(alloc, type, slot);

	lockdep_assert_held(&alloc->lock);
	return !mt_find(&alloc->fb, &index, index + type->fb_size - 1);
}

static u32 nvkm_vgpu_free_chid_blocks_locked(struct nvkm_vgpu_alloc *alloc,
					     u32 chids)
{
	u32 base, count = 0;

	lockdep_assert_held(&alloc->lock);
	for (base = 0; base + chids <= alloc->chid_count; base += chids)
		if (find_next_bit(alloc->chids, base + chids, base) >=
		    base + chids)
			count++;
	return count;
}

/* Whether equal mode keeps @type out because slices of another type live. */
static bool nvkm_vgpu_equal_mode_bars_locked(struct nvkm_vgpu_alloc *alloc,
					     const struct nvkm_vgpu_type *type)
{
	lockdep_assert_held(&alloc->lock);
	return alloc->mode == NVKM_VGPU_PLACEMENT_EQUAL && alloc->equal_type &&
	       alloc->equal_type != type;
}

/**
 * nvkm_vgpu_alloc_available_locked() - instances of a type still creatable
 * @alloc: the allocator, whose lock the caller holds
 * @type: a type from the GPU's catalogue
 *
 * Return: how many more slices of @type nvkm_vgpu_slice_new() would grant,
 * exactly, given the slices alive now.
 */
u32 nvkm_vgpu_alloc_available_locked(struct nvkm_vgpu_alloc *alloc,
				     const struct nvkm_vgpu_type *type)
{
	u32 slot, fb_free = 0;

	lockdep_assert_held(&alloc->lock);
	if (alloc->closed || !type || !nvkm_vgpu_alloc_type_fits(alloc, type) ||
	    nvkm_vgpu_equal_mode_bars_locked(alloc, type))
		return 0;

	for (slot = 0; slot < type->max_instances; slot++)
		if (nvkm_vgpu_slot_free_locked(alloc, type, slot))
			fb_free++;
	return min(fb_free, nvkm_vgpu_free_chid_blocks_locked(alloc, type->chids));
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_alloc_available_locked);

/**
 * nvkm_vgpu_alloc_available() - instances of a type still creatable
 * @alloc: the allocator
 * @type: a type from the GPU's catalogue
 *
 * Takes @alloc's lock; see nvkm_vgpu_alloc_available_locked().
 *
 * Return: the exact number of further instances of @type.
 */
u32 nvkm_vgpu_alloc_available(struct nvkm_vgpu_alloc *alloc,
			      const struct nvkm_vgpu_type *type)
{
	u32 avail;

	mutex_lock(&alloc->lock);
	avail = nvkm_vgpu_alloc_available_locked(alloc, type);
	mutex_unlock(&alloc->lock);
	return avail;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_alloc_available);

/* Pick the FB slot for a new slice; returns the slot or a negative errno. */
static int nvkm_vgpu_slot_pick_locked(struct nvkm_vgpu_alloc *alloc,
				      const struct nvkm_vgpu_type *type,
				      u32 placement)
{
	u32 slot;

	lockdep_assert_held(&alloc->lock);
	if (placement != NVKM_VGPU_PLACEMENT_ANY) {
		if (nvkm_vgpu_slot_free_locked(alloc, type, placement))
			return placement;
		dev_warn_ratelimited(alloc->dev,
				     "%s: placement %u is taken\n",
				     type->name, placement);
		return -EBUSY;
	}
	for (slot = 0; slot < type->max_instances; slot++)
		if (nvkm_vgpu_slot_free_locked(alloc, type, slot))
			return slot;
	dev_warn_ratelimited(alloc->dev, "%s: no free framebuffer slot\n",
			     type->name);
	return -ENOSPC;
}

/**
 * nvkm_vgpu_slice_new() - reserve FB and channel IDs for one vGPU
 * @alloc: the allocator
 * @type: the vGPU's type, from the GPU's catalogue
 * @placement: placement ID (< @type->max_instances), or
 *	%NVKM_VGPU_PLACEMENT_ANY for the lowest free one
 *
 * Return: the slice, to give back with nvkm_vgpu_slice_del(), or
 * ERR_PTR() of: -EINVAL for a type that does not fit this GPU or a placement
 * ID out of range; -ENODEV once the GPU is going away; -ENOSPC when no slot
 * or no channel IDs are left, or equal mode holds slices of another type;
 * -EBUSY when the requested placement is taken; -ENOMEM.
 */
struct nvkm_vgpu_slice *nvkm_vgpu_slice_new(struct nvkm_vgpu_alloc *alloc,
					    const struct nvkm_vgpu_type *type,
					    u32 placement)
{
	struct nvkm_vgpu_slice *slice;
	unsigned long chid;
	int slot, ret;

	if (!type || !nvkm_vgpu_alloc_type_fits(alloc, type)) {
		dev_warn_ratelimited(alloc->dev, "vGPU type does not fit this GPU\n");
		return ERR_PTR(-EINVAL);
	}
	if (placement != NVKM_VGPU_PLACEMENT_ANY &&
	    placement >= type->max_instances) {
		dev_warn_ratelimited(alloc->dev,
				     "%s: placement %u out of range 0-%u\n",
				     type->name, placement,
				     type->max_instances - 1);
		return ERR_PTR(-EINVAL);
	}

	slice = kzalloc(sizeof(*slice), GFP_KERNEL);
	if (!slice)
		return ERR_PTR(-ENOMEM);

	mutex_lock(&alloc->lock);
	if (alloc->closed) {
		ret = -ENODEV;
		goto err_unlock;
	}
	if (nvkm_vgpu_equal_mode_bars_locked(alloc, type)) {
		dev_warn_ratelimited(alloc->dev,
				     "%s: equal-size placement holds %s vGPUs\n",
				     type->name, alloc->equal_type->name);
		ret = -ENOSPC;
		goto err_unlock;
	}

	slot = nvkm_vgpu_slot_pick_locked(alloc, type, placement);
	if (slot < 0) {
		ret = slot;
		goto err_unlock;
	}

	chid = bitmap_find_next_zero_area(alloc->chids, alloc->chid_count, 0,
					  type->chids, type->chids - 1);
	if (chid >= alloc->chid_count) {
		dev_warn_ratelimited(alloc->dev, "%s: no %u free channel IDs\n",
				     type->name, type->chids);
		ret = -ENOSPC;
		goto err_unlock;
	}

	slice->type = type;
	slice->placement = slot;
	slice->fb_offset = nvkm_vgpu_slot_offset(alloc, type, slot);
	slice->fb_size = type->fb_size;
	slice->chid_base = chid;
	slice->chid_count = type->chids;

	ret = xa_alloc(&alloc->slices, &slice->id, slice, xa_limit_32b,
		       GFP_KERNEL);
	if (ret)
		goto err_unlock;
	ret = mtree_insert_range(&alloc->fb, slice->fb_offset,
				 slice->fb_offset + slice->fb_size - 1, slice,
				 GFP_KERNEL);
	if (ret)
		goto err_erase_id;

	bitmap_set(alloc->chids, slice->chid_base, slice->chid_count);
	alloc->nr_slices++;
	if (alloc->mode == NVKM_VGPU_PLACEMENT_EQUAL)
		alloc->equal_type = type;
	mutex_unlock(&alloc->lock);
	return slice;

err_erase_id:
	xa_erase(&alloc->slices, slice->id);
err_unlock:
	mutex_unlock(&alloc->lock);
	kfree(slice);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_slice_new);

/**
 * nvkm_vgpu_slice_del() - give a slice's FB and channel IDs back
 * @alloc: the allocator that made @slice
 * @slice: slice from nvkm_vgpu_slice_new()
 */
void nvkm_vgpu_slice_del(struct nvkm_vgpu_alloc *alloc,
			 struct nvkm_vgpu_slice *slice)
{
	mutex_lock(&alloc->lock);
	mtree_erase(&alloc->fb, slice->fb_offset);
	bitmap_clear(alloc->chids, slice->chid_base, slice->chid_count);
	xa_erase(&alloc->slices, slice->id);
	if (!--alloc->nr_slices)
		alloc->equal_type = NULL;
	mutex_unlock(&alloc->lock);
	kfree(slice);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_slice_del);
