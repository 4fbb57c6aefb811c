// SPDX-License-Identifier: GPL-2.0
/*
 * The mdev parent of a GPU: a "nvkm_vgpu" class device under the backend's
 * device, one mdev type per catalogue type, and the parent's knobs in
 * <parent>/nvkm_vgpu/ (Documentation/ABI/testing/sysfs-class-nvkm_vgpu).
 *
 * The class device is the same for every backend, so the mdev core names
 * the type directories "nvkm_vgpu-<type>" whether the GPU is simulated or
 * real.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/kstrtox.h>
#include <linux/mdev.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include <nvkm_vgpu/compat.h>

#include "alloc.h"
#include "parent.h"
#include "registry.h"
#include "vgpu.h"

static const char * const nvkm_vgpu_sched_names[NVKM_VGPU_SCHED_NR] = {
	[NVKM_VGPU_SCHED_BEST_EFFORT] = "best_effort",
	[NVKM_VGPU_SCHED_EQUAL_SHARE] = "equal_share",
	[NVKM_VGPU_SCHED_FIXED_SHARE] = "fixed_share",
};

#define NVKM_VGPU_TIMESLICE_MAX_MS 30

static struct nvkm_vgpu_parent *to_parent(struct device *dev)
{
	return container_of(dev, struct nvkm_vgpu_parent, dev);
}

static ssize_t placement_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct nvkm_vgpu_parent *parent = to_parent(dev);

	return sysfs_emit(buf, "%s\n",
			  nvkm_vgpu_placement_names[nvkm_vgpu_alloc_mode(&parent->gpu->alloc)]);
}

static ssize_t placement_store(struct device *dev, struct device_attribute *attr,
			       const char *buf, size_t count)
{
	struct nvkm_vgpu_parent *parent = to_parent(dev);
	int mode, ret;

	mode = sysfs_match_string(nvkm_vgpu_placement_names, buf);
	if (mode < 0) {
		dev_warn_ratelimited(dev, "placement: expected equal or mixed\n");
		return -EINVAL;
	}
	ret = nvkm_vgpu_alloc_set_mode(&parent->gpu->alloc, mode);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(placement);

static ssize_t scheduler_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct nvkm_vgpu_parent *parent = to_parent(dev);
	enum nvkm_vgpu_sched_policy policy;

	mutex_lock(&parent->lock);
	policy = parent->policy;
	mutex_unlock(&parent->lock);
	return sysfs_emit(buf, "%s\n", nvkm_vgpu_sched_names[policy]);
}

static ssize_t scheduler_store(struct device *dev, struct device_attribute *attr,
			       const char *buf, size_t count)
{
	struct nvkm_vgpu_parent *parent = to_parent(dev);
	int policy = sysfs_match_string(nvkm_vgpu_sched_names, buf);

	if (policy < 0) {
		dev_warn_ratelimited(dev,
				     "scheduler: expected best_effort, equal_share or fixed_share\n");
		return -EINVAL;
	}
	mutex_lock(&parent->lock);
	parent->policy = policy;
	mutex_unlock(&parent->lock);
	return count;
}
static DEVICE_ATTR_RW(scheduler);

static ssize_t timeslice_ms_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct nvkm_vgpu_parent *parent = to_parent(dev);
	u32 ms;

	mutex_lock(&parent->lock);
	ms = parent->timeslice_ms;
	mutex_unlock(&parent->lock);
	return sysfs_emit(buf, "%u\n", ms);
}

static ssize_t timeslice_ms_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	struct nvkm_vgpu_parent *parent = to_parent(dev);
	u32 ms;

	if (kstrtou32(buf, 10, &ms) || ms > NVKM_VGPU_TIMESLICE_MAX_MS) {
		dev_warn_ratelimited(dev,
				     "timeslice_ms: expected 1-%u, or 0 for the type's default\n",
				     NVKM_VGPU_TIMESLICE_MAX_MS);
		return -EINVAL;
	}
	mutex_lock(&parent->lock);
	parent->timeslice_ms = ms;
	mutex_unlock(&parent->lock);
	return count;
}
static DEVICE_ATTR_RW(timeslice_ms);

static ssize_t usage_show(struct nvkm_vgpu_parent *parent, char *buf,
			  u64 (*pick)(const struct nvkm_vgpu_alloc_usage *))
{
	struct nvkm_vgpu_alloc_usage usage;

	nvkm_vgpu_alloc_usage(&parent->gpu->alloc, &usage);
	return sysfs_emit(buf, "%llu\n", pick(&usage));
}

#define NVKM_VGPU_USAGE_ATTR(_name, _expr)				\
static u64 pick_##_name(const struct nvkm_vgpu_alloc_usage *u)	\
{									\
	return _expr;							\
}									\
static ssize_t _name##_show(struct device *dev,			\
			    struct device_attribute *attr, char *buf)	\
{									\
	return usage_show(to_parent(dev), buf, pick_##_name);		\
}									\
static DEVICE_ATTR_RO(_name)

NVKM_VGPU_USAGE_ATTR(fb_total_mib, u->fb_total >> 20);
NVKM_VGPU_USAGE_ATTR(fb_free_mib, (u->fb_total - u->fb_used) >> 20);
NVKM_VGPU_USAGE_ATTR(chids_total, u->chids_total);
NVKM_VGPU_USAGE_ATTR(chids_free, u->chids_total - u->chids_used);
NVKM_VGPU_USAGE_ATTR(vgpus, u->nr_slices);

static ssize_t board_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct nvkm_vgpu_gpu *gpu = to_parent(dev)->gpu;

	return sysfs_emit(buf, "%s %s\n", gpu->board, gpu->ops->name);
}
static DEVICE_ATTR_RO(board);

static struct attribute *nvkm_vgpu_parent_attrs[] = {
	&dev_attr_placement.attr,
	&dev_attr_scheduler.attr,
	&dev_attr_timeslice_ms.attr,
	&dev_attr_fb_total_mib.attr,
	&dev_attr_fb_free_mib.attr,
	&dev_attr_chids_total.attr,
	&dev_attr_chids_free.attr,
	&dev_attr_vgpus.attr,
	&dev_attr_board.attr,
	NULL
};

static const struct attribute_group nvkm_vgpu_parent_group = {
	.name = "nvkm_vgpu",
	.attrs = nvkm_vgpu_parent_attrs,
};

static const struct attribute_group *nvkm_vgpu_parent_groups[] = {
	&nvkm_vgpu_parent_group,
	NULL
};

/*
 * The class is allocated by the driver core (class_create()), not static:
 * its release may run after this module is gone (a delayed kobject release,
 * as CONFIG_DEBUG_KOBJECT_RELEASE makes every one), and the core's own
 * release frees a class it allocated without calling into this module.
 * Set once at module load, before any parent exists.
 */
static struct class *nvkm_vgpu_class;

/**
 * nvkm_vgpu_parent_class_register() - register the "nvkm_vgpu" device class
 *
 * Return: 0 or a negative errno from class_create().
 */
int nvkm_vgpu_parent_class_register(void)
{
	struct class *cls;

	cls = nvkm_vgpu_class_create("nvkm_vgpu");
	if (IS_ERR(cls))
		return PTR_ERR(cls);
	/* Read by device_add(), so any time before the first parent. */
	cls->dev_groups = nvkm_vgpu_parent_groups;
	nvkm_vgpu_class = cls;
	return 0;
}

/**
 * nvkm_vgpu_parent_class_unregister() - unregister the device class
 */
void nvkm_vgpu_parent_class_unregister(void)
{
	class_destroy(nvkm_vgpu_class);
	nvkm_vgpu_class = NULL;
}

/**
 * nvkm_vgpu_parent_type() - the catalogue type behind an mdev type
 * @mtype: an mdev type of one of our parents
 * @gpu: set to the type's GPU (not referenced) when non-NULL
 *
 * Return: the catalogue type.
 */
const struct nvkm_vgpu_type *
nvkm_vgpu_parent_type(struct mdev_type *mtype, struct nvkm_vgpu_gpu **gpu)
{
	struct nvkm_vgpu_mdev_type *t =
		container_of(mtype, struct nvkm_vgpu_mdev_type, mtype);

	if (gpu)
		*gpu = t->parent->gpu;
	return t->type;
}

static void nvkm_vgpu_parent_release(struct device *dev)
{
	struct nvkm_vgpu_parent *parent = to_parent(dev);

	nvkm_vgpu_gpu_put(parent->gpu);
	kfree(parent->type_list);
	kfree(parent->types);
	mutex_destroy(&parent->lock);
	kfree(parent);
}

/**
 * nvkm_vgpu_parent_new() - make a GPU an mdev parent
 * @gpu: a GPU being registered; the parent takes a reference
 *
 * Adds the class device and registers one mdev type per catalogue type.
 *
 * Return: the parent, or ERR_PTR() of a negative errno.
 */
struct nvkm_vgpu_parent *nvkm_vgpu_parent_new(struct nvkm_vgpu_gpu *gpu)
{
	const struct nvkm_vgpu_catalogue *cat = gpu->catalogue;
	struct nvkm_vgpu_parent *parent;
	u32 i;
	int ret;

	parent = kzalloc(sizeof(*parent), GFP_KERNEL);
	if (!parent)
		return ERR_PTR(-ENOMEM);
	mutex_init(&parent->lock);
	kref_get(&gpu->kref);
	parent->gpu = gpu;
	parent->policy = NVKM_VGPU_SCHED_BEST_EFFORT;

	device_initialize(&parent->dev);
	parent->dev.class = nvkm_vgpu_class;
	parent->dev.parent = gpu->dev;
	parent->dev.release = nvkm_vgpu_parent_release;
	/* From here on the release callback undoes everything above. */

	parent->nr_types = cat->count;
	parent->types = kcalloc(cat->count, sizeof(*parent->types), GFP_KERNEL);
	parent->type_list = kcalloc(cat->count, sizeof(*parent->type_list),
				    GFP_KERNEL);
	if (!parent->types || !parent->type_list) {
		ret = -ENOMEM;
		goto err_put_dev;
	}
	for (i = 0; i < cat->count; i++) {
		parent->types[i].type = &cat->types[i];
		parent->types[i].parent = parent;
		parent->types[i].mtype.sysfs_name = cat->types[i].name;
		parent->types[i].mtype.pretty_name = cat->types[i].label;
		parent->type_list[i] = &parent->types[i].mtype;
	}

	ret = dev_set_name(&parent->dev, "nvkm_vgpu%u", gpu->id);
	if (ret)
		goto err_put_dev;
	ret = device_add(&parent->dev);
	if (ret)
		goto err_put_dev;
	ret = mdev_register_parent(&parent->mparent, &parent->dev,
				   &nvkm_vgpu_mdev_driver, parent->type_list,
				   parent->nr_types);
	if (ret)
		goto err_del_dev;
	return parent;

err_del_dev:
	device_del(&parent->dev);
err_put_dev:
	put_device(&parent->dev);
	return ERR_PTR(ret);
}

/**
 * nvkm_vgpu_parent_del() - stop being an mdev parent
 * @parent: parent from nvkm_vgpu_parent_new()
 *
 * Removes every vGPU of the parent first: for a vGPU a user holds open, the
 * VFIO core asks the user to let go (the request IRQ) and this waits until
 * the user has closed it.
 */
void nvkm_vgpu_parent_del(struct nvkm_vgpu_parent *parent)
{
	mdev_unregister_parent(&parent->mparent);
	device_del(&parent->dev);
	put_device(&parent->dev);
}
