// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of physical GPUs that backends have registered.
 *
 * Lock order, outermost first:
 *   nvkm_vgpu_registry_lock -> nvkm_vgpu_alloc.lock
 *   nvkm_vgpu.lock (a vGPU's) is never held with either.
 * The registry xarray's own spinlock is innermost: lookups take it only to
 * pair xa_load() with kref_get_unless_zero().
 *
 * A GPU lives as long as a reference does. Register builds it, makes it an
 * mdev parent and publishes it. Unregister removes it from the registry
 * (lookups stop finding it), closes its allocator (nothing new is carved
 * from it), removes its mdev parent (which waits for every vGPU's user to
 * let go) and drops the registry's reference; holders keep reading its
 * immutable fields until they put theirs.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

#include "alloc.h"
#include "catalogue.h"
#include "parent.h"
#include "registry.h"
#include "sched/sched.h"
#include "vgpu.h"

static DEFINE_MUTEX(nvkm_vgpu_registry_lock);
/* GPU ID to GPU: written under nvkm_vgpu_registry_lock, read under xa_lock. */
static DEFINE_XARRAY_ALLOC(nvkm_vgpu_registry);

static void nvkm_vgpu_gpu_release(struct kref *kref)
{
	struct nvkm_vgpu_gpu *gpu = container_of(kref, struct nvkm_vgpu_gpu, kref);

	nvkm_vgpu_alloc_fini(&gpu->alloc);
	nvkm_vgpu_sched_gpu_del(gpu->sched);
	nvkm_vgpu_catalogue_del(gpu->catalogue);
	mutex_destroy(&gpu->vgpus_lock);
	put_device(gpu->dev);
	kfree(gpu);
}

/**
 * nvkm_vgpu_gpu_put() - drop a reference to a GPU
 * @gpu: GPU from nvkm_vgpu_gpu_get() or nvkm_vgpu_gpu_find(), or NULL
 */
void nvkm_vgpu_gpu_put(struct nvkm_vgpu_gpu *gpu)
{
	if (gpu)
		kref_put(&gpu->kref, nvkm_vgpu_gpu_release);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_gpu_put);

/**
 * nvkm_vgpu_gpu_get() - look a registered GPU up by ID
 * @id: registry ID
 *
 * Return: the GPU with a new reference (drop it with nvkm_vgpu_gpu_put()),
 * or NULL when no registered GPU has that ID.
 */
struct nvkm_vgpu_gpu *nvkm_vgpu_gpu_get(u32 id)
{
	struct nvkm_vgpu_gpu *gpu;

	xa_lock(&nvkm_vgpu_registry);
	gpu = xa_load(&nvkm_vgpu_registry, id);
	if (gpu && !kref_get_unless_zero(&gpu->kref))
		gpu = NULL;
	xa_unlock(&nvkm_vgpu_registry);
	return gpu;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_gpu_get);

/**
 * nvkm_vgpu_gpu_find() - look a registered GPU up by its backend's device
 * @dev: the device the backend registered the GPU with
 *
 * Return: the GPU with a new reference, or NULL.
 */
struct nvkm_vgpu_gpu *nvkm_vgpu_gpu_find(const struct device *dev)
{
	struct nvkm_vgpu_gpu *gpu, *found = NULL;
	unsigned long id;

	xa_lock(&nvkm_vgpu_registry);
	xa_for_each(&nvkm_vgpu_registry, id, gpu) {
		if (gpu->dev == dev && kref_get_unless_zero(&gpu->kref)) {
			found = gpu;
			break;
		}
	}
	xa_unlock(&nvkm_vgpu_registry);
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_gpu_find);

/**
 * nvkm_vgpu_registry_count() - number of registered GPUs
 *
 * Return: how many GPUs are registered now.
 */
u32 nvkm_vgpu_registry_count(void)
{
	struct nvkm_vgpu_gpu *gpu;
	unsigned long id;
	u32 count = 0;

	xa_lock(&nvkm_vgpu_registry);
	xa_for_each(&nvkm_vgpu_registry, id, gpu)
		count++;
	xa_unlock(&nvkm_vgpu_registry);
	return count;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_registry_count);

/**
 * nvkm_vgpu_gpu_register() - hand a physical GPU to the vGPU manager
 * @dev: the backend's device for the GPU; one registration per device
 * @ops: the backend's operations, which must outlive the registration
 * @geo: the GPU's geometry; copied
 * @priv: the backend's private data, returned by nvkm_vgpu_gpu_priv()
 *
 * Builds the GPU's type catalogue and slice allocator from @geo.
 *
 * Return: the GPU, to pass to nvkm_vgpu_gpu_unregister(), or ERR_PTR() of
 * -EINVAL (missing argument or op, both or neither of fb_page and fb_rw,
 * another contract version, or a geometry the manager refuses), -EEXIST
 * (@dev is registered already) or -ENOMEM.
 */
struct nvkm_vgpu_gpu *nvkm_vgpu_gpu_register(struct device *dev,
					     const struct nvkm_vgpu_backend_ops *ops,
					     const struct nvkm_vgpu_geometry *geo,
					     void *priv)
{
	struct nvkm_vgpu_gpu *gpu, *other;
	int ret;

	if (!dev || !ops || !geo) {
		pr_warn("nvkm_vgpu: register: device, backend ops and geometry are required\n");
		return ERR_PTR(-EINVAL);
	}
	/* Before any op: another version's table has other fields. */
	if (ops->version != NVKM_VGPU_BACKEND_VERSION) {
		dev_warn(dev, "nvkm_vgpu: backend %s speaks contract version %u, the manager %u\n",
			 ops->name, ops->version, NVKM_VGPU_BACKEND_VERSION);
		return ERR_PTR(-EINVAL);
	}
	if (!ops->name || !ops->fb_pfn ||
	    !ops->fb_scrub || !ops->fb_reserve || !ops->fb_release ||
	    !ops->fb_used ||
	    !ops->chan_create || !ops->chan_destroy || !ops->chan_kick ||
	    !ops->chan_preempt || !ops->chan_reset) {
		dev_warn(dev, "nvkm_vgpu: backend %s: a name and every op but fb_page or fb_rw are required\n",
			 ops->name);
		return ERR_PTR(-EINVAL);
	}
	/* BAR1's read and write go through one or the other, never both. */
	if (!ops->fb_page == !ops->fb_rw) {
		dev_warn(dev, "nvkm_vgpu: backend %s has %s of fb_page and fb_rw; exactly one is required\n",
			 ops->name, ops->fb_page ? "both" : "neither");
		return ERR_PTR(-EINVAL);
	}

	gpu = kzalloc(sizeof(*gpu), GFP_KERNEL);
	if (!gpu)
		return ERR_PTR(-ENOMEM);

	gpu->catalogue = nvkm_vgpu_catalogue_new(geo);
	if (IS_ERR(gpu->catalogue)) {
		ret = PTR_ERR(gpu->catalogue);
		goto err_free;
	}
	gpu->sched = nvkm_vgpu_sched_gpu_new(geo);
	if (!gpu->sched) {
		ret = -ENOMEM;
		goto err_del_catalogue;
	}
	gpu->geo = *geo;
	strscpy(gpu->board, geo->board, sizeof(gpu->board));
	gpu->geo.board = gpu->board;
	gpu->ops = ops;
	gpu->priv = priv;
	mutex_init(&gpu->vgpus_lock);
	INIT_LIST_HEAD(&gpu->vgpus);

	ret = nvkm_vgpu_alloc_init(&gpu->alloc, dev, &gpu->geo);
	if (ret)
		goto err_del_catalogue;
	gpu->dev = get_device(dev);
	kref_init(&gpu->kref);

	mutex_lock(&nvkm_vgpu_registry_lock);
	other = nvkm_vgpu_gpu_find(dev);
	if (other) {
		nvkm_vgpu_gpu_put(other);
		dev_warn(dev, "nvkm_vgpu: device is registered already\n");
		ret = -EEXIST;
		goto err_unlock;
	}
	/* Reserve the ID, name the GPU, then publish it. */
	ret = xa_alloc(&nvkm_vgpu_registry, &gpu->id, NULL, xa_limit_31b,
		       GFP_KERNEL);
	if (ret)
		goto err_unlock;
	snprintf(gpu->name, sizeof(gpu->name), "gpu%u", gpu->id);
	gpu->parent = nvkm_vgpu_parent_new(gpu);
	if (IS_ERR(gpu->parent)) {
		ret = PTR_ERR(gpu->parent);
		dev_warn(dev, "nvkm_vgpu: mdev parent: %d\n", ret);
		goto err_put_gpu;
	}
	ret = xa_err(xa_store(&nvkm_vgpu_registry, gpu->id, gpu, GFP_KERNEL));
	if (ret)
		goto err_del_parent;
	nvkm_vgpu_sched_debugfs_init(gpu->sched, dev_name(dev));
	mutex_unlock(&nvkm_vgpu_registry_lock);

	dev_info(dev, "nvkm_vgpu: %s: %s GPU from %s, %u vGPU types\n",
		 gpu->name, gpu->board, ops->name, gpu->catalogue->count);
	return gpu;

err_del_parent:
	nvkm_vgpu_parent_del(gpu->parent);
err_put_gpu:
	xa_erase(&nvkm_vgpu_registry, gpu->id);
	mutex_unlock(&nvkm_vgpu_registry_lock);
	/*
	 * A parent, even one that failed half-way, holds a reference until
	 * its device is released, which may come later (a sysfs file held
	 * open, a delayed kobject release): the last put frees everything,
	 * as for a GPU that was registered.
	 */
	nvkm_vgpu_gpu_put(gpu);
	return ERR_PTR(ret);
err_unlock:
	mutex_unlock(&nvkm_vgpu_registry_lock);
	put_device(gpu->dev);
	nvkm_vgpu_alloc_fini(&gpu->alloc);
err_del_catalogue:
	mutex_destroy(&gpu->vgpus_lock);
	nvkm_vgpu_sched_gpu_del(gpu->sched);
	nvkm_vgpu_catalogue_del(gpu->catalogue);
err_free:
	kfree(gpu);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(nvkm_vgpu_gpu_register);

/**
 * nvkm_vgpu_gpu_unregister() - take a GPU back from the vGPU manager
 * @gpu: GPU from nvkm_vgpu_gpu_register()
 *
 * Lookups stop finding @gpu, no new slice is carved from it, and its vGPUs
 * are removed. First every vGPU goes dead, as a surprise-removed PCI device
 * does: its BAR1 mappings are zapped (a touch is SIGBUS), reads return
 * all-ones and writes are dropped. Then a vGPU a user holds open is asked
 * to be released (the VFIO request IRQ), and this waits until it is; each
 * vGPU's slice is scrubbed and released to the backend as it is removed.
 * The GPU's memory stays until the last reference is put. When this
 * returns the manager makes no more calls into the backend for @gpu, which
 * the backend must not use again.
 */
void nvkm_vgpu_gpu_unregister(struct nvkm_vgpu_gpu *gpu)
{
	mutex_lock(&nvkm_vgpu_registry_lock);
	xa_erase(&nvkm_vgpu_registry, gpu->id);
	mutex_unlock(&nvkm_vgpu_registry_lock);

	nvkm_vgpu_sched_debugfs_fini(gpu->sched);
	nvkm_vgpu_alloc_close(&gpu->alloc);
	nvkm_vgpu_gpu_surprise_removal(gpu);
	nvkm_vgpu_parent_del(gpu->parent);
	dev_info(gpu->dev, "nvkm_vgpu: %s unregistered\n", gpu->name);
	nvkm_vgpu_gpu_put(gpu);
}
EXPORT_SYMBOL_GPL(nvkm_vgpu_gpu_unregister);

/**
 * nvkm_vgpu_gpu_priv() - a backend's private data for its GPU
 * @gpu: a registered GPU
 *
 * Return: the @priv given to nvkm_vgpu_gpu_register().
 */
void *nvkm_vgpu_gpu_priv(const struct nvkm_vgpu_gpu *gpu)
{
	return gpu->priv;
}
EXPORT_SYMBOL_GPL(nvkm_vgpu_gpu_priv);

/**
 * nvkm_vgpu_registry_fini() - empty the registry at module unload
 *
 * Backends depend on this module, so all have unregistered by now; a GPU
 * left behind is a backend bug and is warned about.
 */
void nvkm_vgpu_registry_fini(void)
{
	WARN_ON(!xa_empty(&nvkm_vgpu_registry));
	xa_destroy(&nvkm_vgpu_registry);
}
