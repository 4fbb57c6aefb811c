/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_SIM_CHAN_TYPES_H__
#define __NVKM_VGPU_SIM_CHAN_TYPES_H__

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <nvkm_vgpu/backend.h>

struct nvkm_vgpu_sim_engine;
struct nvkm_vgpu_sim_vram;

/* Subchannels a channel binds objects to (a method header's 3 bits). */
#define NVKM_VGPU_SIM_SUBCH_NR 8
/* Push buffer dwords read from memory at once. */
#define NVKM_VGPU_SIM_FETCH_DWORDS 64

/**
 * enum nvkm_vgpu_sim_turn - how a channel's turn on its engine ended
 * @NVKM_VGPU_SIM_TURN_IDLE: its GPFIFO is empty (GP_GET == GP_PUT).
 * @NVKM_VGPU_SIM_TURN_WAIT: a semaphore acquire is not satisfied; the
 *	channel is parked on its runlist and polled again.
 * @NVKM_VGPU_SIM_TURN_SWITCH: it was asked to leave the engine (timeslice
 *	over while another channel waits, a preempt, a reset or a destroy);
 *	it resumes at the method it had reached.
 * @NVKM_VGPU_SIM_TURN_ERROR: it stopped with an error, reported.
 */
enum nvkm_vgpu_sim_turn {
	NVKM_VGPU_SIM_TURN_IDLE,
	NVKM_VGPU_SIM_TURN_WAIT,
	NVKM_VGPU_SIM_TURN_SWITCH,
	NVKM_VGPU_SIM_TURN_ERROR,
};

/**
 * struct nvkm_vgpu_sim_host_state - host class (channel) method state
 * @sem_addr: GPU address of SEM_ADDR_LO/HI (40 bits, 4-byte aligned).
 * @sem_payload: SEM_PAYLOAD_LO/HI.
 */
struct nvkm_vgpu_sim_host_state {
	u64 sem_addr;
	u64 sem_payload;
};

/**
 * struct nvkm_vgpu_sim_copy_state - VOLTA_DMA_COPY_A method state
 * @offset_in: OFFSET_IN_UPPER/LOWER, the source's GPU address.
 * @offset_out: OFFSET_OUT_UPPER/LOWER, the destination's.
 * @pitch_in: PITCH_IN, bytes between source lines.
 * @pitch_out: PITCH_OUT, bytes between destination lines.
 * @line_length: LINE_LENGTH_IN: bytes, or elements with REMAP.
 * @line_count: LINE_COUNT, lines of a MULTI_LINE copy.
 * @sem_upper: SET_SEMAPHORE_A, address bits 48:32.
 * @sem_lower: SET_SEMAPHORE_B, address bits 31:0.
 * @sem_payload: SET_SEMAPHORE_PAYLOAD.
 * @const_a: SET_REMAP_CONST_A.
 * @const_b: SET_REMAP_CONST_B.
 * @components: SET_REMAP_COMPONENTS.
 */
struct nvkm_vgpu_sim_copy_state {
	u64 offset_in;
	u64 offset_out;
	u32 pitch_in;
	u32 pitch_out;
	u32 line_length;
	u32 line_count;
	u32 sem_upper;
	u32 sem_lower;
	u32 sem_payload;
	u32 const_a;
	u32 const_b;
	u32 components;
};

/**
 * struct nvkm_vgpu_sim_busy_state - NVKM_VGPU_CLASS_SIM_BUSY method state
 * @ns: BUSY_NS_LO/HI, how long a LAUNCH keeps the engine busy.
 * @deadline_ns: while a LAUNCH runs, when it ends (ktime_get_ns()); 0
 *	otherwise. Written by the engine's thread only, read locklessly by
 *	KUnit to know a launch is under way.
 */
struct nvkm_vgpu_sim_busy_state {
	u64 ns;
	u64 deadline_ns;
};

/**
 * struct nvkm_vgpu_sim_chan_exec - where a channel is in its work
 * @gp_get: the next GPFIFO entry to run (GP_GET, written to USERD after
 *	each entry).
 * @gp_put: GP_PUT as last read from USERD.
 * @seg_active: an entry's push buffer segment is being run.
 * @seg_addr: GPU address of the segment's next dword.
 * @seg_left: dwords of the segment not consumed yet.
 * @mthd: the method the next data dword goes to (a byte address).
 * @mthd_subch: its subchannel.
 * @mthd_left: data dwords of the current header still to run; 0 when the
 *	next dword is a header.
 * @mthd_op: the header's NVKM_VGPU_DMA_SEC_OP_*, which says how @mthd
 *	moves after each dword.
 * @mthd_immd: the data of an IMMD_DATA_METHOD header.
 * @fetch: push buffer dwords read ahead from @fetch_addr.
 * @fetch_addr: GPU address of @fetch[0].
 * @fetch_n: dwords valid in @fetch; 0 invalidates it (each turn starts so).
 * @subch_class: the class SET_OBJECT bound to each subchannel, 0 for none.
 * @host: host method state.
 * @copy: copy method state (a CE channel's).
 * @busy: busy method state (a GR channel's).
 * @turn_start_ns: when the turn began (ktime_get_ns()).
 * @slice_end_ns: when the turn's timeslice ends.
 * @preempt_timeout_ns: how long a method may go on once a switch is asked
 *	for: the slice's, or the channel's own without a slice.
 * @switch_requested: a switch was asked for during this turn, at
 *	@switch_request_ns; a method not done within the preemption timeout
 *	of it stops the channel.
 * @switch_request_ns: see @switch_requested.
 * @progress: the turn ran at least one GPFIFO entry, header or method.
 * @error: the NVKM_VGPU_CHAN_ERR_* code the channel stopped with.
 */
struct nvkm_vgpu_sim_chan_exec {
	u32 gp_get;
	u32 gp_put;
	bool seg_active;
	u64 seg_addr;
	u32 seg_left;
	u32 mthd;
	u32 mthd_subch;
	u32 mthd_left;
	u32 mthd_op;
	u32 mthd_immd;
	__le32 fetch[NVKM_VGPU_SIM_FETCH_DWORDS];
	u64 fetch_addr;
	u32 fetch_n;
	u32 subch_class[NVKM_VGPU_SIM_SUBCH_NR];
	struct nvkm_vgpu_sim_host_state host;
	struct nvkm_vgpu_sim_copy_state copy;
	struct nvkm_vgpu_sim_busy_state busy;
	u64 turn_start_ns;
	u64 slice_end_ns;
	u64 preempt_timeout_ns;
	bool switch_requested;
	u64 switch_request_ns;
	bool progress;
	u32 error;
};

/**
 * struct nvkm_vgpu_sim_chan - a channel of a simulated GPU
 * @desc: what the manager asked for (its copy); immutable.
 * @engine: the engine whose runlist the channel is on; immutable.
 * @vram: the GPU's framebuffer; immutable.
 * @class: the class the channel's engine runs (NVKM_VGPU_CLASS_COPY for
 *	CE, NVKM_VGPU_CLASS_SIM_BUSY for GR); immutable.
 * @lock: serialises chan_preempt, chan_reset and chan_destroy of the
 *	channel. Taken before @engine's lock.
 * @runq_node: entry in @engine's runlist while @queued; @engine's lock.
 * @queued: on the runlist; @engine's lock.
 * @pending: kicked since its turn last read GP_PUT, so an empty GPFIFO
 *	is looked at once more; @engine's lock.
 * @waiting: parked on a semaphore acquire (not counted as ready);
 *	@engine's lock.
 * @stopped: stopped on an error: runs nothing and is not queued until
 *	chan_reset; @engine's lock.
 * @holds: chan_preempt, chan_reset or chan_destroy calls keeping the
 *	channel off the engine: the thread does not pick it, and a running
 *	turn switches at the next method boundary. @engine's lock; read
 *	without it by the running turn's checks.
 * @kill: a reset or destroy: the running turn ends at once, even inside
 *	a method, and nothing it did is reported. As @holds.
 * @exec: where the channel is in its work. Whoever runs the channel owns
 *	it, without a lock: the engine thread during a turn (the channel is
 *	@engine->running), a KUnit test calling nvkm_vgpu_sim_chan_turn(),
 *	or chan_reset while it holds the channel off the engine. A turn
 *	never starts on a held channel, so these never overlap.
 */
struct nvkm_vgpu_sim_chan {
	struct nvkm_vgpu_chan_desc desc;
	struct nvkm_vgpu_sim_engine *engine;
	struct nvkm_vgpu_sim_vram *vram;
	u32 class;
	struct mutex lock; /* serialises preempt, reset and destroy */
	struct list_head runq_node;
	bool queued;
	bool pending;
	bool waiting;
	bool stopped;
	unsigned int holds;
	bool kill;
	struct nvkm_vgpu_sim_chan_exec exec;
};

#endif /* __NVKM_VGPU_SIM_CHAN_TYPES_H__ */
