// SPDX-License-Identifier: GPL-2.0
/*
 * A simulated GPU on a PCI function: the nvkm_vgpu_sim PCI driver. It
 * matches no device ID, so it binds only to a function an administrator
 * hands it with driver_override (in the test VM, a QEMU pci-testdev):
 *
 *   echo nvkm_vgpu_sim > /sys/bus/pci/devices/0000:00:10.0/driver_override
 *   echo 0000:00:10.0 > /sys/bus/pci/drivers_probe
 *
 * The function becomes a simulated GPU of the preset the pci_preset module
 * parameter names when it binds, and that GPU's mdev parent, as a real
 * GPU's PCI function is: the mdev types and the manager's nvkm_vgpu/ knobs
 * sit on the PCI device, named by its address, where libvirt and OpenStack
 * Nova look for them. Nothing of the function itself is used: the
 * framebuffer is the simulator's sparse memory. Unbinding the function
 * removes the GPU and its vGPUs.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gpu.h"
#include "pci.h"
#include "preset.h"

/* Longest preset name read from pci_preset. */
#define NVKM_VGPU_SIM_PCI_PRESET_MAX 32

/* Written by the administrator at any time: read under kernel_param_lock(). */
static char *pci_preset = "tiny";
module_param(pci_preset, charp, 0644);
MODULE_PARM_DESC(pci_preset,
		 "preset of the simulated GPU a PCI function becomes when it binds to the nvkm_vgpu_sim driver (through driver_override): h100-80gb, l40s-48gb, a16-16gb, tiny (default \"tiny\")");

static int nvkm_vgpu_sim_pci_probe(struct pci_dev *pdev,
				   const struct pci_device_id *id)
{
	const struct nvkm_vgpu_sim_preset *preset;
	char name[NVKM_VGPU_SIM_PCI_PRESET_MAX];
	struct nvkm_vgpu_sim_gpu *sim;
	int ret;

	kernel_param_lock(THIS_MODULE);
	strscpy(name, pci_preset ? pci_preset : "", sizeof(name));
	kernel_param_unlock(THIS_MODULE);
	preset = nvkm_vgpu_sim_preset_find(name);
	if (!preset) {
		pci_warn(pdev, "nvkm_vgpu_sim: pci_preset \"%s\" names no preset\n",
			 name);
		return -EINVAL;
	}

	sim = kzalloc(sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return -ENOMEM;
	pci_set_drvdata(pdev, sim);
	ret = nvkm_vgpu_sim_gpu_init(sim, &pdev->dev, preset);
	if (ret) {
		pci_set_drvdata(pdev, NULL);
		kfree(sim);
	}
	return ret;
}

static void nvkm_vgpu_sim_pci_remove(struct pci_dev *pdev)
{
	struct nvkm_vgpu_sim_gpu *sim = pci_get_drvdata(pdev);

	/* Once it returns, the manager makes no call for @sim. */
	nvkm_vgpu_sim_gpu_fini(sim);
	pci_set_drvdata(pdev, NULL);
	kfree(sim);
}

static struct pci_driver nvkm_vgpu_sim_pci_driver = {
	.name = "nvkm_vgpu_sim",
	/* No ID table: only driver_override (or new_id) binds a function. */
	.probe = nvkm_vgpu_sim_pci_probe,
	.remove = nvkm_vgpu_sim_pci_remove,
	.dev_groups = nvkm_vgpu_sim_gpu_groups,
};

/**
 * nvkm_vgpu_sim_pci_init() - register the nvkm_vgpu_sim PCI driver
 *
 * Return: 0, or the errno of pci_register_driver().
 */
int nvkm_vgpu_sim_pci_init(void)
{
	return pci_register_driver(&nvkm_vgpu_sim_pci_driver);
}

/**
 * nvkm_vgpu_sim_pci_fini() - unbind every function and unregister the driver
 *
 * Each function's GPU is removed as when it is unbound, which may wait for
 * the users of its vGPUs.
 */
void nvkm_vgpu_sim_pci_fini(void)
{
	pci_unregister_driver(&nvkm_vgpu_sim_pci_driver);
}
