/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_BUSY_H__
#define __NVKM_VGPU_SIM_BUSY_H__

#include "chan_types.h"

int nvkm_vgpu_sim_busy_method(struct nvkm_vgpu_sim_chan *chan, u32 mthd,
			      u32 data);

#endif /* __NVKM_VGPU_SIM_BUSY_H__ */
