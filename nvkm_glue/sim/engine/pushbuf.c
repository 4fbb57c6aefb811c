// SPDX-License-Identifier: GPL-2.0
/*
 * GPFIFO fetch and push buffer decode, as Volta's host does them (clc36f.h).
 *
 * GPFIFO: when the channel has run every entry it knew of (GP_GET ==
 * GP_PUT), it reads GP_PUT from USERD + 0x8c again; a GP_PUT at or past
 * desc->gpfifo_entries stops the channel (NVKM_VGPU_CHAN_ERR_PUSHBUFFER),
 * an equal one ends the turn. Each entry is 8 little-endian bytes: the
 * push buffer segment's GPU address (bits 39:2) and its length in dwords;
 * a length of 0 is a no-op entry. After an entry's segment has run, GP_GET
 * moves on (modulo the ring) and is written to USERD + 0x88.
 *
 * Push buffer: a segment holds whole methods. Each header is one of
 *   0                    a NOP, no data;
 *   SEC_OP INC_METHOD    COUNT data dwords to methods ADDRESS, +4, +8, ...;
 *   SEC_OP NON_INC_METHOD COUNT data dwords, all to method ADDRESS;
 *   SEC_OP IMMD_DATA_METHOD one method ADDRESS, its data the COUNT field;
 *   SEC_OP ONE_INC       COUNT data dwords: the first to ADDRESS, the rest
 *                        to ADDRESS + 4;
 * on subchannel SUBCH. Any other SEC_OP, or a COUNT running past the end
 * of the segment, stops the channel (NVKM_VGPU_CHAN_ERR_PUSHBUFFER).
 *
 * Methods below 0x100 are the host's (host.c) on every subchannel; from
 * 0x100 they go to the object SET_OBJECT bound to the subchannel: copy.c
 * on a CE channel, busy.c on a GR channel. A method on a subchannel with no
 * engine object stops the channel (NVKM_VGPU_CHAN_ERR_METHOD).
 *
 * The decoder keeps its place between methods (chan_types.h: the entry,
 * the segment, the header and its remaining count), so a switch between
 * two methods of one header resumes exactly there, and a semaphore acquire
 * that waits is run again, from its own data, on the next turn.
 *
 * Errors inside map onto the channel's: -EFAULT an MMU fault, -EINVAL a bad
 * method, -EPROTO a bad GPFIFO entry or header, -ETIMEDOUT a method past
 * the preemption timeout.
 */
#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "busy.h"
#include "copy.h"
#include "engine.h"
#include "host.h"
#include "mem.h"
#include "pushbuf.h"

/* Ends a turn: the GPFIFO is empty. */
#define NVKM_VGPU_SIM_PUSHBUF_EMPTY ENODATA

/* The next dword of the segment, read ahead NVKM_VGPU_SIM_FETCH_DWORDS at once. */
static int nvkm_vgpu_sim_pushbuf_fetch(struct nvkm_vgpu_sim_chan *chan,
				       u32 *dword)
{
	struct nvkm_vgpu_sim_chan_exec *exec = &chan->exec;
	u64 addr = exec->seg_addr;
	int ret;

	if (!exec->fetch_n || addr < exec->fetch_addr ||
	    addr - exec->fetch_addr >= (u64)exec->fetch_n * 4) {
		u32 n = min_t(u32, exec->seg_left, NVKM_VGPU_SIM_FETCH_DWORDS);

		exec->fetch_n = 0;
		ret = nvkm_vgpu_sim_mem_rw(chan, addr, exec->fetch, n * 4,
					   false);
		if (ret)
			return ret;
		exec->fetch_addr = addr;
		exec->fetch_n = n;
	}
	*dword = le32_to_cpu(exec->fetch[(addr - exec->fetch_addr) / 4]);
	return 0;
}

static void nvkm_vgpu_sim_pushbuf_consume(struct nvkm_vgpu_sim_chan *chan)
{
	chan->exec.seg_addr += 4;
	chan->exec.seg_left--;
}

static int nvkm_vgpu_sim_pushbuf_method(struct nvkm_vgpu_sim_chan *chan,
					u32 subch, u32 mthd, u32 data)
{
	if (mthd < 0x100)
		return nvkm_vgpu_sim_host_method(chan, subch, mthd, data);
	switch (chan->exec.subch_class[subch]) {
	case NVKM_VGPU_CLASS_COPY:
		return nvkm_vgpu_sim_copy_method(chan, mthd, data);
	case NVKM_VGPU_CLASS_SIM_BUSY:
		return nvkm_vgpu_sim_busy_method(chan, mthd, data);
	default:
		/* Nothing bound, or the host object, which has no such method. */
		return -EINVAL;
	}
}

/* Runs the next data dword of the current header. */
static int nvkm_vgpu_sim_pushbuf_data(struct nvkm_vgpu_sim_chan *chan)
{
	struct nvkm_vgpu_sim_chan_exec *exec = &chan->exec;
	bool immd = exec->mthd_op == NVKM_VGPU_DMA_SEC_OP_IMMD_DATA_METHOD;
	u32 data;
	int ret;

	if (immd) {
		data = exec->mthd_immd;
	} else {
		ret = nvkm_vgpu_sim_pushbuf_fetch(chan, &data);
		if (ret)
			return ret;
	}
	ret = nvkm_vgpu_sim_pushbuf_method(chan, exec->mthd_subch, exec->mthd,
					   data);
	if (ret)
		return ret;
	if (!immd)
		nvkm_vgpu_sim_pushbuf_consume(chan);
	exec->mthd_left--;
	switch (exec->mthd_op) {
	case NVKM_VGPU_DMA_SEC_OP_INC_METHOD:
		exec->mthd += 4;
		break;
	case NVKM_VGPU_DMA_SEC_OP_ONE_INC:
		exec->mthd += 4;
		exec->mthd_op = NVKM_VGPU_DMA_SEC_OP_NON_INC_METHOD;
		break;
	}
	return 0;
}

/* Decodes the next header of the segment. */
static int nvkm_vgpu_sim_pushbuf_header(struct nvkm_vgpu_sim_chan *chan)
{
	struct nvkm_vgpu_sim_chan_exec *exec = &chan->exec;
	u32 hdr, op, count;
	int ret;

	ret = nvkm_vgpu_sim_pushbuf_fetch(chan, &hdr);
	if (ret)
		return ret;
	if (!hdr) {
		nvkm_vgpu_sim_pushbuf_consume(chan);
		return 0;
	}
	op = hdr >> NVKM_VGPU_DMA_SEC_OP_SHIFT;
	count = (hdr >> NVKM_VGPU_DMA_COUNT_SHIFT) & NVKM_VGPU_DMA_COUNT_MASK;
	switch (op) {
	case NVKM_VGPU_DMA_SEC_OP_INC_METHOD:
	case NVKM_VGPU_DMA_SEC_OP_NON_INC_METHOD:
	case NVKM_VGPU_DMA_SEC_OP_ONE_INC:
		if (count > exec->seg_left - 1)
			return -EPROTO;
		exec->mthd_left = count;
		break;
	case NVKM_VGPU_DMA_SEC_OP_IMMD_DATA_METHOD:
		exec->mthd_immd = count;
		exec->mthd_left = 1;
		break;
	default:
		return -EPROTO;
	}
	exec->mthd = (hdr & NVKM_VGPU_DMA_ADDRESS_MASK) << 2;
	exec->mthd_subch = (hdr >> NVKM_VGPU_DMA_SUBCH_SHIFT) & 0x7;
	exec->mthd_op = op;
	nvkm_vgpu_sim_pushbuf_consume(chan);
	return 0;
}

/* The segment has run: on to the next GPFIFO entry. */
static int nvkm_vgpu_sim_pushbuf_entry_done(struct nvkm_vgpu_sim_chan *chan)
{
	struct nvkm_vgpu_sim_chan_exec *exec = &chan->exec;
	int ret;

	exec->gp_get = (exec->gp_get + 1) & (chan->desc.gpfifo_entries - 1);
	ret = nvkm_vgpu_sim_mem_wr32(chan, chan->desc.userd +
				     NVKM_VGPU_USERD_GP_GET, exec->gp_get);
	if (ret)
		return ret;
	exec->seg_active = false;
	return 0;
}

/* Reads the next GPFIFO entry, if GP_PUT says there is one. */
static int nvkm_vgpu_sim_pushbuf_entry(struct nvkm_vgpu_sim_chan *chan)
{
	struct nvkm_vgpu_sim_chan_exec *exec = &chan->exec;
	__le32 entry[2];
	u32 len;
	int ret;

	if (exec->gp_get == exec->gp_put) {
		ret = nvkm_vgpu_sim_mem_rd32(chan, chan->desc.userd +
					     NVKM_VGPU_USERD_GP_PUT,
					     &exec->gp_put);
		if (ret)
			return ret;
		if (exec->gp_put >= chan->desc.gpfifo_entries)
			return -EPROTO;
		if (exec->gp_get == exec->gp_put)
			return -NVKM_VGPU_SIM_PUSHBUF_EMPTY;
	}
	ret = nvkm_vgpu_sim_mem_rw(chan, chan->desc.gpfifo +
				   (u64)exec->gp_get * sizeof(entry), entry,
				   sizeof(entry), false);
	if (ret)
		return ret;
	len = (le32_to_cpu(entry[1]) >> NVKM_VGPU_GP_ENTRY1_LENGTH_SHIFT) &
	      NVKM_VGPU_GP_ENTRY1_LENGTH_MASK;
	exec->seg_active = true;
	exec->seg_addr = (u64)(le32_to_cpu(entry[1]) &
			       NVKM_VGPU_GP_ENTRY1_GET_HI_MASK) << 32 |
			 (le32_to_cpu(entry[0]) & NVKM_VGPU_GP_ENTRY0_GET_MASK);
	exec->seg_left = len;
	exec->fetch_n = 0;
	return 0;
}

/* One step: an entry read or finished, a header decoded, or a method run. */
static int nvkm_vgpu_sim_pushbuf_step(struct nvkm_vgpu_sim_chan *chan)
{
	struct nvkm_vgpu_sim_chan_exec *exec = &chan->exec;

	if (exec->mthd_left)
		return nvkm_vgpu_sim_pushbuf_data(chan);
	if (exec->seg_left)
		return nvkm_vgpu_sim_pushbuf_header(chan);
	if (exec->seg_active)
		return nvkm_vgpu_sim_pushbuf_entry_done(chan);
	return nvkm_vgpu_sim_pushbuf_entry(chan);
}

static u32 nvkm_vgpu_sim_pushbuf_error(int ret)
{
	switch (ret) {
	case -EPROTO:
		return NVKM_VGPU_CHAN_ERR_PUSHBUFFER;
	case -EINVAL:
		return NVKM_VGPU_CHAN_ERR_METHOD;
	case -ETIMEDOUT:
		return NVKM_VGPU_CHAN_ERR_TIMEOUT;
	default:
		return NVKM_VGPU_CHAN_ERR_MMU_FAULT;
	}
}

/**
 * nvkm_vgpu_sim_pushbuf_run() - run a channel's GPFIFO for one turn
 * @chan: the channel, run by the caller (chan_types.h)
 *
 * Runs step after step from where the channel stopped, checking between
 * any two whether it should switch (engine.c). On an error the code is
 * left in the channel's exec.error; nothing is reported here. May sleep.
 *
 * Return: how the turn ended.
 */
enum nvkm_vgpu_sim_turn nvkm_vgpu_sim_pushbuf_run(struct nvkm_vgpu_sim_chan *chan)
{
	int ret;

	nvkm_vgpu_sim_engine_turn_start(chan);
	chan->exec.fetch_n = 0;
	for (;;) {
		ret = nvkm_vgpu_sim_pushbuf_step(chan);
		if (ret)
			break;
		chan->exec.progress = true;
		if (nvkm_vgpu_sim_engine_should_switch(chan))
			return NVKM_VGPU_SIM_TURN_SWITCH;
		cond_resched();
	}
	switch (ret) {
	case -NVKM_VGPU_SIM_PUSHBUF_EMPTY:
		return NVKM_VGPU_SIM_TURN_IDLE;
	case -EAGAIN:
		return NVKM_VGPU_SIM_TURN_WAIT;
	case -EINTR:
		/* Killed by a reset or destroy: nothing to report. */
		return NVKM_VGPU_SIM_TURN_SWITCH;
	default:
		chan->exec.error = nvkm_vgpu_sim_pushbuf_error(ret);
		return NVKM_VGPU_SIM_TURN_ERROR;
	}
}
