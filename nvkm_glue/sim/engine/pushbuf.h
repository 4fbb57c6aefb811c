/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_PUSHBUF_H__
#define __NVKM_VGPU_SIM_PUSHBUF_H__

#include "chan_types.h"

enum nvkm_vgpu_sim_turn nvkm_vgpu_sim_pushbuf_run(struct nvkm_vgpu_sim_chan *chan);

#endif /* __NVKM_VGPU_SIM_PUSHBUF_H__ */
