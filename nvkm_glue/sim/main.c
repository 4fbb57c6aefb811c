// SPDX-License-Identifier: GPL-2.0
/*
 * nvkm_vgpu_sim.ko: a simulated GPU backend for the vGPU manager, so the
 * whole vGPU path runs on a machine with no NVIDIA GPU. Simulated GPUs
 * imitate real boards (preset.c), keep their framebuffer sparse in host
 * memory (vram.c) and are registered with the manager as physical GPUs
 * (gpu.c), each on a device that becomes its mdev parent: one of its own,
 * created and deleted on the nvkm_vgpu_sim bus (bus.c), or a PCI function
 * handed to the nvkm_vgpu_sim PCI driver (pci.c).
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "bus.h"
#include "pci.h"

static char *gpus = "tiny";
module_param(gpus, charp, 0444);
MODULE_PARM_DESC(gpus,
		 "simulated GPUs created at load, comma-separated presets: h100-80gb, l40s-48gb, a16-16gb, tiny (default \"tiny\"; empty for none)");

static int nvkm_vgpu_sim_new_gpus(const char *list)
{
	char *copy, *cursor, *name;
	int ret = 0;

	copy = kstrdup(list, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cursor = copy;
	while ((name = strsep(&cursor, ","))) {
		if (!*name)
			continue;
		ret = nvkm_vgpu_sim_bus_new_gpu(name);
		if (ret)
			break;
	}
	kfree(copy);
	return ret;
}

static int __init nvkm_vgpu_sim_init(void)
{
	int ret;

	ret = nvkm_vgpu_sim_bus_init();
	if (ret)
		return ret;
	ret = nvkm_vgpu_sim_new_gpus(gpus ? gpus : "");
	if (ret)
		goto err_fini_bus;
	ret = nvkm_vgpu_sim_pci_init();
	if (ret)
		goto err_fini_bus;
	pr_info("nvkm_vgpu_sim: simulated GPU backend loaded\n");
	return 0;

err_fini_bus:
	nvkm_vgpu_sim_bus_fini();
	return ret;
}

static void __exit nvkm_vgpu_sim_exit(void)
{
	nvkm_vgpu_sim_pci_fini();
	nvkm_vgpu_sim_bus_fini();
	pr_info("nvkm_vgpu_sim: simulated GPU backend unloaded\n");
}

module_init(nvkm_vgpu_sim_init);
module_exit(nvkm_vgpu_sim_exit);

MODULE_DESCRIPTION("Simulated GPU backend for the nvkm_vgpu vGPU manager");
MODULE_LICENSE("GPL");
MODULE_VERSION(NVKM_VGPU_VERSION);
