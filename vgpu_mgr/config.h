/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_CONFIG_H__
#define __NVKM_VGPU_CONFIG_H__

#include "config_types.h"

void nvkm_vgpu_config_init(struct nvkm_vgpu_config *cfg,
			   const struct nvkm_vgpu_config_id *id);
void nvkm_vgpu_config_reset(struct nvkm_vgpu_config *cfg);
int nvkm_vgpu_config_read(struct nvkm_vgpu_config *cfg, u32 pos, void *buf,
			  u32 count);
int nvkm_vgpu_config_write(struct nvkm_vgpu_config *cfg, u32 pos,
			   const void *buf, u32 count);

u64 nvkm_vgpu_config_bar_size(const struct nvkm_vgpu_config *cfg,
			      unsigned int bar);
bool nvkm_vgpu_config_memory_enabled(const struct nvkm_vgpu_config *cfg);
bool nvkm_vgpu_config_bus_master_enabled(const struct nvkm_vgpu_config *cfg);
bool nvkm_vgpu_config_intx_disabled(const struct nvkm_vgpu_config *cfg);
void nvkm_vgpu_config_set_intx_status(struct nvkm_vgpu_config *cfg,
				      bool pending);
bool nvkm_vgpu_config_msi_enabled(const struct nvkm_vgpu_config *cfg);
u64 nvkm_vgpu_config_msi_address(const struct nvkm_vgpu_config *cfg);
u16 nvkm_vgpu_config_msi_data(const struct nvkm_vgpu_config *cfg);

#endif /* __NVKM_VGPU_CONFIG_H__ */
