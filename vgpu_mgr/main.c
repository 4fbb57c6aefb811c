// SPDX-License-Identifier: GPL-2.0
/*
 * nvkm_vgpu.ko: the vGPU manager. It turns each physical GPU a backend
 * registers into a catalogue of vGPU types and a slice allocator.
 */
#include <linux/module.h>
#include <linux/printk.h>
#include <nvkm_vgpu/backend.h>

#include "registry.h"

static int __init nvkm_vgpu_init(void)
{
	pr_info("nvkm_vgpu: vGPU manager loaded, backend contract v%d\n",
		NVKM_VGPU_BACKEND_VERSION);
	return 0;
}

static void __exit nvkm_vgpu_exit(void)
{
	nvkm_vgpu_registry_fini();
	pr_info("nvkm_vgpu: vGPU manager unloaded\n");
}

module_init(nvkm_vgpu_init);
module_exit(nvkm_vgpu_exit);

MODULE_DESCRIPTION("vGPU manager for GPUs driven by nouveau's NVKM");
MODULE_LICENSE("GPL");
