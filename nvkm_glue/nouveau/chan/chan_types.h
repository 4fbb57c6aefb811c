/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_NOUVEAU_CHAN_TYPES_H__
#define __NVKM_VGPU_NOUVEAU_CHAN_TYPES_H__

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <nvkm_vgpu/backend.h>

struct device;
struct nvkm_chan;
struct nvkm_device;
struct nvkm_vmm;
struct nvkm_vgpu_nouveau_fb;
struct task_struct;

/*
 * Lock order: chans->mutex -> runl->mutex -> runl->lock -> the manager's
 * scheduler lock. runl->mutex is held across nouveau's channel calls,
 * which sleep; runl->lock never is, and no memory access, host op or
 * sleep happens under it.
 */

/**
 * struct nvkm_vgpu_nouveau_chans - a GPU's guest channels
 * @device: the NVKM device
 * @fb: the carve-out, through whose BAR1 windows USERD and the error
 *	notifier are read and written
 * @dev: for log lines
 * @enabled: chan_create makes channels (module parameter channels);
 *	otherwise it refuses them. Set before registration, read-only after.
 * @mutex: guards @vmms and the creation of runlists in @runls
 * @vmms: &struct nvkm_vgpu_nouveau_vmm, one per vGPU with channels
 * @runls: &struct nvkm_vgpu_nouveau_runl by NVKM runlist ID, each made
 *	with its thread at the first channel on it, freed at fini; the
 *	xarray locks itself, entries are only added under @mutex
 */
struct nvkm_vgpu_nouveau_chans {
	struct nvkm_device *device;
	struct nvkm_vgpu_nouveau_fb *fb;
	struct device *dev;
	bool enabled;
	struct mutex mutex; /* protects @vmms, adding to @runls */
	struct list_head vmms;
	struct xarray runls;
};

/**
 * struct nvkm_vgpu_nouveau_vmm - one vGPU's GPU address space
 * @head: in &nvkm_vgpu_nouveau_chans.vmms, under its mutex
 * @refs: channels using it, under &nvkm_vgpu_nouveau_chans.mutex
 * @fb_base: the vGPU's slice in the carve-out, mapped at GPU address 0
 * @fb_size: its bytes
 * @vmm: NVKM's address space
 */
struct nvkm_vgpu_nouveau_vmm {
	struct list_head head;
	unsigned int refs;
	u64 fb_base;
	u64 fb_size;
	struct nvkm_vmm *vmm;
};

/**
 * struct nvkm_vgpu_nouveau_runl - one NVKM runlist and the thread that
 * switches vGPUs on it (the mechanism: the manager's scheduler decides)
 * @chans: the GPU's channels
 * @id: NVKM's runlist ID
 * @thread: "nvkm_nv/runl<id>", asks nvkm_vgpu_sched_pick() and puts the
 *	picked vGPU's channels on the runlist, taking the others off
 * @wq: where @thread sleeps; woken by kicks and by ops that change what
 *	may run
 * @mutex: guards what is on NVKM's runlist (&nvkm_vgpu_nouveau_chan.on)
 *	and @slice, @slice_busy_ns, @last_ns, @pending; held by @thread while
 *	it switches and polls, and by preempt, reset and destroy
 * @lock: guards @list, @gen and each channel's @queued, @kicked,
 *	@errored, @timed_out; taken with interrupts saved (kicks and
 *	nouveau's error callbacks come from any context)
 * @list: the runlist's channels, &nvkm_vgpu_nouveau_chan.head
 * @gen: bumped by every kick and every change @thread must see
 * @slice: the current scheduling decision; @slice.entity NULL: none
 * @slice_busy_ns: time in @slice with work pending
 * @last_ns: when @thread last looked at USERD
 * @pending: whether work was pending then
 */
struct nvkm_vgpu_nouveau_runl {
	struct nvkm_vgpu_nouveau_chans *chans;
	int id;
	struct task_struct *thread;
	wait_queue_head_t wq;
	struct mutex mutex; /* protects what is on the runlist, @slice */
	spinlock_t lock; /* protects @list, @gen, channels' queue state */
	struct list_head list;
	unsigned long gen;
	struct nvkm_vgpu_sched_slice slice;
	u64 slice_busy_ns;
	u64 last_ns;
	bool pending;
};

/**
 * struct nvkm_vgpu_nouveau_chan - a guest channel on an NVKM channel
 * @runl: its runlist
 * @vmm: its vGPU's address space
 * @desc: as the manager asked for it
 * @nvchan: NVKM's channel, on the reserved ID @desc.chid
 * @head: in @runl's list, under its lock
 * @on: on NVKM's runlist; written under @runl's mutex and lock, read
 *	under either
 * @queued: has work the manager knows of (nvkm_vgpu_sched_enqueue())
 * @kicked: kicked since @runl's thread last read its USERD
 * @errored: nouveau stopped it; nothing runs it until chan_reset
 * @timed_out: it was stopped because a preemption timed out
 * @error_work: tells the manager of an error (host op error)
 * @nonstall_work: tells the manager of a non-stall interrupt
 */
struct nvkm_vgpu_nouveau_chan {
	struct nvkm_vgpu_nouveau_runl *runl;
	struct nvkm_vgpu_nouveau_vmm *vmm;
	struct nvkm_vgpu_chan_desc desc;
	struct nvkm_chan *nvchan;
	struct list_head head;
	bool on;
	bool queued;
	bool kicked;
	bool errored;
	bool timed_out;
	struct work_struct error_work;
	struct work_struct nonstall_work;
};

#endif /* __NVKM_VGPU_NOUVEAU_CHAN_TYPES_H__ */
