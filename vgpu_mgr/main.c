// SPDX-License-Identifier: GPL-2.0
/*
 * nvkm_vgpu.ko: the vGPU manager. It turns each physical GPU a backend
 * registers into a catalogue of vGPU types, a slice allocator and an mdev
 * parent whose vGPUs are VFIO PCI devices.
 *
 * Backends link against this module, so it cannot be unloaded while one is
 * loaded, and backends unregister their GPUs (removing every vGPU) before
 * they unload: rmmod with live vGPUs is refused by the module references.
 */
#include <linux/mdev.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <nvkm_vgpu/backend.h>

#include "parent.h"
#include "registry.h"
#include "sched/sched.h"
#include "vgpu.h"

static int __init nvkm_vgpu_module_init(void)
{
	int ret;

	nvkm_vgpu_sched_debugfs_root_init();
	ret = mdev_register_driver(&nvkm_vgpu_mdev_driver);
	if (ret) {
		nvkm_vgpu_sched_debugfs_root_fini();
		return ret;
	}
	pr_info("nvkm_vgpu: vGPU manager loaded, backend contract v%d\n",
		NVKM_VGPU_BACKEND_VERSION);
	return 0;
}

static void __exit nvkm_vgpu_module_exit(void)
{
	nvkm_vgpu_registry_fini();
	nvkm_vgpu_parent_fini();
	mdev_unregister_driver(&nvkm_vgpu_mdev_driver);
	nvkm_vgpu_sched_debugfs_root_fini();
	pr_info("nvkm_vgpu: vGPU manager unloaded\n");
}

module_init(nvkm_vgpu_module_init);
module_exit(nvkm_vgpu_module_exit);

MODULE_DESCRIPTION("vGPU manager for GPUs driven by nouveau's NVKM");
MODULE_LICENSE("GPL");
MODULE_VERSION(NVKM_VGPU_VERSION);
