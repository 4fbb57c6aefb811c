/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_BUS_H__
#define __NVKM_VGPU_SIM_BUS_H__

#include <linux/device.h>

/*
 * The driver core's struct bus_type is const from Linux 6.4 on (bus
 * attribute callbacks take a const pointer, struct device points to a const
 * bus); before it, bus_register() writes to it. Taking the type from
 * struct device's own field picks whichever the kernel uses without a
 * version test.
 */
#define NVKM_VGPU_SIM_BUS_TYPE typeof(*((struct device *)NULL)->bus)

extern NVKM_VGPU_SIM_BUS_TYPE nvkm_vgpu_sim_bus;

int nvkm_vgpu_sim_bus_init(void);
void nvkm_vgpu_sim_bus_fini(void);
int nvkm_vgpu_sim_bus_new_gpu(const char *preset);
int nvkm_vgpu_sim_bus_del_gpu(unsigned int id);

#endif /* __NVKM_VGPU_SIM_BUS_H__ */
