/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_PCI_H__
#define __NVKM_VGPU_SIM_PCI_H__

int nvkm_vgpu_sim_pci_init(void);
void nvkm_vgpu_sim_pci_fini(void);

#endif /* __NVKM_VGPU_SIM_PCI_H__ */
