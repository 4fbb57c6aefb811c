// SPDX-License-Identifier: GPL-2.0
/*
 * nvkm_vgpu_nouveau.ko: the vGPU manager's backend for GPUs driven by
 * nouveau, through the hook of nouveau/patches/ (Documentation/nouveau.rst).
 * nouveau offers each NVKM device on the hook's probe and takes it back on
 * its remove; each device taken is registered with the manager (gpu.c).
 */
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/suspend.h>

#include <core/device.h>

#include "gpu.h"
#include "pm.h"

/*
 * The GPUs registered, by NVKM device. The hook calls probe and remove
 * under its own mutex; this one makes the list's scope plain.
 */
static DEFINE_MUTEX(nvkm_vgpu_nouveau_mutex);
static LIST_HEAD(nvkm_vgpu_nouveau_gpus);

static int nvkm_vgpu_nouveau_probe(struct nvkm_device *device)
{
	struct nvkm_vgpu_nouveau_gpu *gpu;

	gpu = nvkm_vgpu_nouveau_gpu_new(device);
	if (IS_ERR(gpu))
		return PTR_ERR(gpu);
	mutex_lock(&nvkm_vgpu_nouveau_mutex);
	list_add_tail(&gpu->head, &nvkm_vgpu_nouveau_gpus);
	mutex_unlock(&nvkm_vgpu_nouveau_mutex);
	return 0;
}

static void nvkm_vgpu_nouveau_remove(struct nvkm_device *device)
{
	struct nvkm_vgpu_nouveau_gpu *gpu, *found = NULL;

	mutex_lock(&nvkm_vgpu_nouveau_mutex);
	list_for_each_entry(gpu, &nvkm_vgpu_nouveau_gpus, head) {
		if (gpu->device == device) {
			list_del(&gpu->head);
			found = gpu;
			break;
		}
	}
	mutex_unlock(&nvkm_vgpu_nouveau_mutex);
	if (!WARN_ON(!found))
		nvkm_vgpu_nouveau_gpu_del(found);
}

/* System sleep would lose the vGPUs' VRAM: refused while any exists (pm.c). */
static int nvkm_vgpu_nouveau_pm_notify(struct notifier_block *nb,
				       unsigned long action, void *data)
{
	struct nvkm_vgpu_nouveau_gpu *gpu;
	int ret = 0;

	mutex_lock(&nvkm_vgpu_nouveau_mutex);
	list_for_each_entry(gpu, &nvkm_vgpu_nouveau_gpus, head) {
		ret = nvkm_vgpu_nouveau_pm_check(&gpu->fb, action);
		if (ret)
			break;
	}
	mutex_unlock(&nvkm_vgpu_nouveau_mutex);
	return notifier_from_errno(ret);
}

static struct notifier_block nvkm_vgpu_nouveau_pm_nb = {
	.notifier_call = nvkm_vgpu_nouveau_pm_notify,
};

static const struct nvkm_vgpu_hook_ops nvkm_vgpu_nouveau_hook_ops = {
	.probe = nvkm_vgpu_nouveau_probe,
	.remove = nvkm_vgpu_nouveau_remove,
};

static int __init nvkm_vgpu_nouveau_init(void)
{
	int ret;

	ret = register_pm_notifier(&nvkm_vgpu_nouveau_pm_nb);
	if (ret)
		return ret;
	ret = nvkm_vgpu_hook_register(&nvkm_vgpu_nouveau_hook_ops);
	if (ret) {
		pr_err("nvkm_vgpu_nouveau: nouveau's vGPU hook is taken (%d)\n",
		       ret);
		unregister_pm_notifier(&nvkm_vgpu_nouveau_pm_nb);
		return ret;
	}
	pr_info("nvkm_vgpu_nouveau: nouveau backend loaded\n");
	return 0;
}

static void __exit nvkm_vgpu_nouveau_exit(void)
{
	/* Calls remove for every GPU still registered. */
	nvkm_vgpu_hook_unregister(&nvkm_vgpu_nouveau_hook_ops);
	unregister_pm_notifier(&nvkm_vgpu_nouveau_pm_nb);
	pr_info("nvkm_vgpu_nouveau: nouveau backend unloaded\n");
}

module_init(nvkm_vgpu_nouveau_init);
module_exit(nvkm_vgpu_nouveau_exit);

MODULE_DESCRIPTION("nouveau backend for the nvkm_vgpu vGPU manager");
MODULE_LICENSE("GPL");
MODULE_VERSION(NVKM_VGPU_VERSION);
MODULE_SOFTDEP("pre: nouveau nvkm_vgpu");
