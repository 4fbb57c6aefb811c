/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_HOST_H__
#define __NVKM_VGPU_SIM_HOST_H__

#include "chan_types.h"

int nvkm_vgpu_sim_host_method(struct nvkm_vgpu_sim_chan *chan, u32 subch,
			      u32 mthd, u32 data);

#endif /* __NVKM_VGPU_SIM_HOST_H__ */
