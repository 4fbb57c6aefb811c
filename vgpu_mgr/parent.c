// SPDX-License-Identifier: GPL-2.0
/*
 * The mdev parent of a GPU is the backend's own device (for a real GPU its
 * PCI function), so the parent is named by that device (its PCI address),
 * the mdev core names the type directories "<driver>-<type>" after the
 * device's driver, and libvirt, which looks for mdev types under PCI
 * devices, finds them. On it: one mdev type per catalogue type, and the
 * parent's knobs in <parent>/nvkm_vgpu/
 * (Documentation/ABI/testing/sysfs-bus-pci-devices-nvkm_vgpu).
 *
 * Lifetime. The mdev core embeds its type kobjects in memory of ours
 * (struct nvkm_vgpu_mdev_type) and reads that memory from their release,
 * and from the release of each mdev device (which holds a type): both may
 * run after mdev_unregister_parent() returns, several seconds later on a
 * kernel with CONFIG_DEBUG_KOBJECT_RELEASE. So a parent is reference
 * counted: one reference for its GPU, one per registered type, dropped by
 * the type's release, which this file wraps (nvkm_vgpu_mdev_type_release()).
 * When mdev_register_parent() fails, the types it made are already being
 * released under the core's own release, so the parent is freed only after
 * the longest a kobject release can be delayed. Module unload waits for
 * every parent to be freed.
 */
#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "alloc.h"
#include "parent.h"
#include "registry.h"
#include "sched/sched.h"
#include "vgpu.h"

static const char * const nvkm_vgpu_sched_names[NVKM_VGPU_SCHED_NR] = {
	[NVKM_VGPU_SCHED_BEST_EFFORT] = "best_effort",
	[NVKM_VGPU_SCHED_EQUAL_SHARE] = "equal_share",
	[NVKM_VGPU_SCHED_FIXED_SHARE] = "fixed_share",
};

/*
 * A kobject release may be delayed by up to 4 s (CONFIG_DEBUG_KOBJECT_RELEASE,
 * lib/kobject.c), and a type's release can wait for that of its "devices"
 * kobject: a parent whose registration failed is freed after this long.
 */
#define NVKM_VGPU_KOBJ_RELEASE_GRACE (IS_ENABLED(CONFIG_DEBUG_KOBJECT_RELEASE) ? 10 * HZ : 0)

/* Parents not yet freed: module unload waits until there are none. */
static atomic_t nvkm_vgpu_parents_live = ATOMIC_INIT(0);

/*
 * The mdev core's kobj_type for types, and a copy of it whose release also
 * drops the type's parent reference. Set by the first parent's registration
 * under nvkm_vgpu_mdev_ktype_lock; read-only after.
 */
static DEFINE_MUTEX(nvkm_vgpu_mdev_ktype_lock);
static const struct kobj_type *nvkm_vgpu_mdev_core_ktype;
static const struct kobj_type *nvkm_vgpu_mdev_ktype;

/*
 * The knobs live on the backend's device, so a knob finds its GPU through
 * the registry (nvkm_vgpu_gpu_find()): none while the GPU is not registered,
 * yet or any more, and the knob answers -ENODEV.
 */

static ssize_t placement_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct nvkm_vgpu_gpu *gpu __free(nvkm_vgpu_gpu_put) =
		nvkm_vgpu_gpu_find(dev);

	if (!gpu)
		return -ENODEV;

	return sysfs_emit(buf, "%s\n",
			  nvkm_vgpu_placement_names[nvkm_vgpu_alloc_mode(&gpu->alloc)]);
}

static ssize_t placement_store(struct device *dev, struct device_attribute *attr,
			       const char *buf, size_t count)
{
	int mode, ret;
	struct nvkm_vgpu_gpu *gpu __free(nvkm_vgpu_gpu_put) =
		nvkm_vgpu_gpu_find(dev);

	if (!gpu)
		return -ENODEV;

	mode = sysfs_match_string(nvkm_vgpu_placement_names, buf);
	if (mode < 0) {
		dev_warn_ratelimited(dev, "placement: expected equal or mixed\n");
		return -EINVAL;
	}
	ret = nvkm_vgpu_alloc_set_mode(&gpu->alloc, mode);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(placement);

static ssize_t scheduler_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct nvkm_vgpu_gpu *gpu __free(nvkm_vgpu_gpu_put) =
		nvkm_vgpu_gpu_find(dev);

	if (!gpu)
		return -ENODEV;

	return sysfs_emit(buf, "%s\n",
			  nvkm_vgpu_sched_names[nvkm_vgpu_sched_gpu_policy(gpu->sched)]);
}

static ssize_t scheduler_store(struct device *dev, struct device_attribute *attr,
			       const char *buf, size_t count)
{
	int policy = sysfs_match_string(nvkm_vgpu_sched_names, buf);
	struct nvkm_vgpu_gpu *gpu __free(nvkm_vgpu_gpu_put) =
		nvkm_vgpu_gpu_find(dev);

	if (!gpu)
		return -ENODEV;

	if (policy < 0) {
		dev_warn_ratelimited(dev,
				     "scheduler: expected best_effort, equal_share or fixed_share\n");
		return -EINVAL;
	}
	nvkm_vgpu_sched_gpu_set_policy(gpu->sched, policy);
	return count;
}
static DEVICE_ATTR_RW(scheduler);

static ssize_t timeslice_ms_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct nvkm_vgpu_gpu *gpu __free(nvkm_vgpu_gpu_put) =
		nvkm_vgpu_gpu_find(dev);

	if (!gpu)
		return -ENODEV;

	return sysfs_emit(buf, "%u\n",
			  nvkm_vgpu_sched_gpu_timeslice_us(gpu->sched) /
			  (u32)USEC_PER_MSEC);
}

static ssize_t timeslice_ms_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	u32 ms;
	struct nvkm_vgpu_gpu *gpu __free(nvkm_vgpu_gpu_put) =
		nvkm_vgpu_gpu_find(dev);

	if (!gpu)
		return -ENODEV;

	if (kstrtou32(buf, 10, &ms) || ms > NVKM_VGPU_TIMESLICE_MAX_MS) {
		dev_warn_ratelimited(dev,
				     "timeslice_ms: expected 1-%u, or 0 for the type's default\n",
				     NVKM_VGPU_TIMESLICE_MAX_MS);
		return -EINVAL;
	}
	nvkm_vgpu_sched_gpu_set_timeslice(gpu->sched, ms * USEC_PER_MSEC);
	return count;
}
static DEVICE_ATTR_RW(timeslice_ms);

static ssize_t usage_show(struct device *dev, char *buf,
			  u64 (*pick)(const struct nvkm_vgpu_alloc_usage *))
{
	struct nvkm_vgpu_alloc_usage usage;
	struct nvkm_vgpu_gpu *gpu __free(nvkm_vgpu_gpu_put) =
		nvkm_vgpu_gpu_find(dev);

	if (!gpu)
		return -ENODEV;

	nvkm_vgpu_alloc_usage(&gpu->alloc, &usage);
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
	return usage_show(dev, buf, pick_##_name);			\
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
	struct nvkm_vgpu_gpu *gpu __free(nvkm_vgpu_gpu_put) =
		nvkm_vgpu_gpu_find(dev);

	if (!gpu)
		return -ENODEV;

	return sysfs_emit(buf, "%s %s\n", gpu->board, gpu->ops->name);
}
static DEVICE_ATTR_RO(board);

static ssize_t engines_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct nvkm_vgpu_gpu *gpu __free(nvkm_vgpu_gpu_put) =
		nvkm_vgpu_gpu_find(dev);
	int len = 0;
	u32 i;

	if (!gpu)
		return -ENODEV;

	for (i = 0; i < gpu->sched->nr; i++)
		len += sysfs_emit_at(buf, len, "%s%s", i ? " " : "",
				     gpu->sched->sched[i].name);
	return len + sysfs_emit_at(buf, len, "\n");
}
static DEVICE_ATTR_RO(engines);

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
	&dev_attr_engines.attr,
	NULL
};

static const struct attribute_group nvkm_vgpu_parent_group = {
	.name = "nvkm_vgpu",
	.attrs = nvkm_vgpu_parent_attrs,
};

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

static void nvkm_vgpu_parent_free(struct nvkm_vgpu_parent *parent)
{
	nvkm_vgpu_gpu_put(parent->gpu);
	kfree(parent->type_list);
	kfree(parent->types);
	kfree(parent);
	if (atomic_dec_and_test(&nvkm_vgpu_parents_live))
		wake_up_var(&nvkm_vgpu_parents_live);
}

static void nvkm_vgpu_parent_release(struct kref *kref)
{
	nvkm_vgpu_parent_free(container_of(kref, struct nvkm_vgpu_parent,
					   kref));
}

static void nvkm_vgpu_parent_put(struct nvkm_vgpu_parent *parent)
{
	kref_put(&parent->kref, nvkm_vgpu_parent_release);
}

static void nvkm_vgpu_parent_free_work(struct work_struct *work)
{
	nvkm_vgpu_parent_free(container_of(to_delayed_work(work),
					   struct nvkm_vgpu_parent, free_work));
}

/* The mdev core's release of a type, then the type's parent reference. */
static void nvkm_vgpu_mdev_type_release(struct kobject *kobj)
{
	struct nvkm_vgpu_mdev_type *t =
		container_of(kobj, struct nvkm_vgpu_mdev_type, mtype.kobj);
	struct nvkm_vgpu_parent *parent = t->parent;

	nvkm_vgpu_mdev_core_ktype->release(kobj);
	nvkm_vgpu_parent_put(parent);
}

/*
 * Makes each registered type hold a parent reference, dropped by its
 * release. Called right after mdev_register_parent(): no type can be
 * released before mdev_unregister_parent().
 */
static int nvkm_vgpu_parent_hold_types(struct nvkm_vgpu_parent *parent)
{
	const struct kobj_type *ktype = parent->types[0].mtype.kobj.ktype;
	const struct kobj_type ours = {
		.release = nvkm_vgpu_mdev_type_release,
		.sysfs_ops = ktype->sysfs_ops,
		.default_groups = ktype->default_groups,
		.child_ns_type = ktype->child_ns_type,
		.namespace = ktype->namespace,
		.get_ownership = ktype->get_ownership,
	};
	int ret = 0;
	u32 i;

	mutex_lock(&nvkm_vgpu_mdev_ktype_lock);
	if (!nvkm_vgpu_mdev_ktype) {
		nvkm_vgpu_mdev_ktype = kmemdup(&ours, sizeof(ours), GFP_KERNEL);
		if (nvkm_vgpu_mdev_ktype)
			nvkm_vgpu_mdev_core_ktype = ktype;
		else
			ret = -ENOMEM;
	} else if (WARN_ON_ONCE(ktype != nvkm_vgpu_mdev_core_ktype)) {
		ret = -EINVAL;
	}
	mutex_unlock(&nvkm_vgpu_mdev_ktype_lock);
	if (ret)
		return ret;

	for (i = 0; i < parent->nr_types; i++) {
		kref_get(&parent->kref);
		parent->types[i].mtype.kobj.ktype = nvkm_vgpu_mdev_ktype;
	}
	return 0;
}

/**
 * nvkm_vgpu_parent_new() - make a GPU an mdev parent
 * @gpu: a GPU being registered; the parent takes a reference
 *
 * Adds the parent's knobs to the GPU's device and registers the device as
 * an mdev parent with one mdev type per catalogue type.
 *
 * Return: the parent, or ERR_PTR() of a negative errno.
 */
struct nvkm_vgpu_parent *nvkm_vgpu_parent_new(struct nvkm_vgpu_gpu *gpu)
{
	const struct nvkm_vgpu_catalogue *cat = gpu->catalogue;
	struct nvkm_vgpu_parent *parent;
	u32 i;
	int ret;

	if (!cat->count)
		return ERR_PTR(-EINVAL);
	parent = kzalloc(sizeof(*parent), GFP_KERNEL);
	if (!parent)
		return ERR_PTR(-ENOMEM);
	atomic_inc(&nvkm_vgpu_parents_live);
	kref_init(&parent->kref);
	INIT_DELAYED_WORK(&parent->free_work, nvkm_vgpu_parent_free_work);
	kref_get(&gpu->kref);
	parent->gpu = gpu;
	/* From here on nvkm_vgpu_parent_free() undoes everything above. */

	parent->nr_types = cat->count;
	parent->types = kcalloc(cat->count, sizeof(*parent->types), GFP_KERNEL);
	parent->type_list = kcalloc(cat->count, sizeof(*parent->type_list),
				    GFP_KERNEL);
	if (!parent->types || !parent->type_list) {
		ret = -ENOMEM;
		goto err_free;
	}
	for (i = 0; i < cat->count; i++) {
		parent->types[i].type = &cat->types[i];
		parent->types[i].parent = parent;
		parent->types[i].mtype.sysfs_name = cat->types[i].name;
		parent->types[i].mtype.pretty_name = cat->types[i].label;
		parent->type_list[i] = &parent->types[i].mtype;
	}

	ret = sysfs_create_group(&gpu->dev->kobj, &nvkm_vgpu_parent_group);
	if (ret)
		goto err_free;
	ret = mdev_register_parent(&parent->mparent, gpu->dev,
				   &nvkm_vgpu_mdev_driver, parent->type_list,
				   parent->nr_types);
	if (ret)
		goto err_remove_group;
	ret = nvkm_vgpu_parent_hold_types(parent);
	if (ret)
		goto err_unregister;
	return parent;

err_unregister:
	mdev_unregister_parent(&parent->mparent);
err_remove_group:
	sysfs_remove_group(&gpu->dev->kobj, &nvkm_vgpu_parent_group);
	/* The mdev core's releases of the types it made may be under way. */
	schedule_delayed_work(&parent->free_work, NVKM_VGPU_KOBJ_RELEASE_GRACE);
	return ERR_PTR(ret);
err_free:
	nvkm_vgpu_parent_free(parent);
	return ERR_PTR(ret);
}

/**
 * nvkm_vgpu_parent_del() - stop being an mdev parent
 * @parent: parent from nvkm_vgpu_parent_new()
 *
 * Removes every vGPU of the parent first: for a vGPU a user holds open, the
 * VFIO core asks the user to let go (the request IRQ) and this waits until
 * the user has closed it. Then the knobs and the mdev types go; the
 * parent's memory goes with the last type's release.
 */
void nvkm_vgpu_parent_del(struct nvkm_vgpu_parent *parent)
{
	struct device *dev = parent->gpu->dev;

	mdev_unregister_parent(&parent->mparent);
	sysfs_remove_group(&dev->kobj, &nvkm_vgpu_parent_group);
	nvkm_vgpu_parent_put(parent);
}

/**
 * nvkm_vgpu_parent_fini() - wait until every parent's memory is freed
 *
 * For module unload, after every GPU was unregistered: the releases of
 * mdev types and devices, which this module's code finishes, may come some
 * seconds after their parent was removed.
 */
void nvkm_vgpu_parent_fini(void)
{
	wait_var_event(&nvkm_vgpu_parents_live,
		       !atomic_read(&nvkm_vgpu_parents_live));
	kfree(nvkm_vgpu_mdev_ktype);
	nvkm_vgpu_mdev_ktype = NULL;
	nvkm_vgpu_mdev_core_ktype = NULL;
}
