/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __NVKM_VGPU_VGPU_TYPES_H__
#define __NVKM_VGPU_VGPU_TYPES_H__

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/vfio.h>

#include "bar0_types.h"
#include "channel/channel_types.h"
#include "config_types.h"

struct eventfd_ctx;
struct address_space;
struct mdev_device;
struct nvkm_vgpu_gpu;
struct nvkm_vgpu_sched_vgpu;
struct nvkm_vgpu_slice;
struct nvkm_vgpu_type;
struct virqfd;

/**
 * struct nvkm_vgpu - one virtual GPU: an mdev, its slice and its VFIO device
 * @vdev: the VFIO device; its refcount is the vGPU's lifetime.
 * @mdev: the mediated device; immutable.
 * @gpu: the physical GPU, referenced; immutable.
 * @type: the vGPU's type; immutable.
 * @slice: FB range and channel IDs, reserved with the backend; set by init,
 *	given back by the mdev remove (after the last user is gone) or, for a
 *	vGPU whose probe failed, by release. Used only while a user holds the
 *	device, so it needs no lock.
 * @sched: the vGPU's scheduling knobs and its entity on each runlist;
 *	from init to release, guarded by the runlists' locks.
 * @bar1_size: size of the FB BAR: the slice's FB rounded up to a power of
 *	two; bytes past the FB read as zero; immutable.
 * @node: entry in the GPU's &nvkm_vgpu_gpu.vgpus, under its vgpus_lock.
 * @chans: the vGPU's channels, guarded by their own lock, which is taken
 *	before @lock.
 * @intx_unmask: the INTx unmask eventfd's virqfd, or NULL; guarded by the
 *	VFIO core's virqfd lock, and enabled or disabled only without @lock.
 * @lock: guards every field below. Taken in BAR1's fault handler, under
 *	the faulting task's mmap lock: no user copy is made while it is held.
 * @removed: the GPU is being unregistered: reads return all-ones, writes
 *	are dropped, BAR1 faults get SIGBUS.
 * @bar1_mapping: the address space BAR1's mappings are linked into (the
 *	device file's: its own inode's since 6.10, the anonymous inode all
 *	VFIO device files share before), set by the first mmap; NULL before.
 * @config: emulated PCI configuration space.
 * @bar0: emulated registers.
 * @intx_trigger: eventfd for INTx, or NULL.
 * @intx_masked: INTx is masked, by the user or automatically after firing.
 * @intx_line: level of the INTx line: asserted, MSI off and INTx Disable
 *	clear in the command register.
 * @msi_trigger: eventfd for the MSI vector, or NULL.
 * @req_trigger: eventfd for the request IRQ, or NULL.
 * @err_trigger: eventfd for the error IRQ, or NULL; never signalled.
 * @irqs_fired: interrupts delivered, for tests and debugging.
 */
struct nvkm_vgpu {
	struct vfio_device vdev;
	struct mdev_device *mdev;
	struct nvkm_vgpu_gpu *gpu;
	const struct nvkm_vgpu_type *type;
	struct nvkm_vgpu_slice *slice;
	struct nvkm_vgpu_sched_vgpu *sched;
	u64 bar1_size;
	struct list_head node;
	struct nvkm_vgpu_chans chans;
	struct virqfd *intx_unmask;
	struct mutex lock; /* guards the fields below */
	bool removed;
	struct address_space *bar1_mapping;
	struct nvkm_vgpu_config config;
	struct nvkm_vgpu_bar0 bar0;
	struct eventfd_ctx *intx_trigger;
	bool intx_masked;
	bool intx_line;
	struct eventfd_ctx *msi_trigger;
	struct eventfd_ctx *req_trigger;
	struct eventfd_ctx *err_trigger;
	u64 irqs_fired;
};

#endif /* __NVKM_VGPU_VGPU_TYPES_H__ */
