/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvkm-vgpu backend contract.
 *
 * A backend (the simulated GPU, or nouveau's NVKM through its hook) describes
 * each physical GPU it drives with a struct nvkm_vgpu_geometry and registers
 * it with the vGPU manager. The manager derives the vGPU type catalogue and
 * the slice allocator from the geometry alone; it never includes a backend's
 * headers, and a backend never touches VFIO.
 *
 * Version 1: register and unregister a GPU described by its geometry.
 * Version 2: FB access for BAR1 (a page of FB, allocated on first touch) and
 * scrubbing an FB range before a vGPU gets it.
 * Version 3: BAR1 is mapped by PFN, as real BAR memory is (fb_pfn); a
 * vGPU's FB range is reserved with the backend for its life (fb_reserve,
 * fb_release), so a backend can promise each slice its own backing.
 * Version 4: channels (chan_create, chan_destroy, chan_kick, chan_preempt,
 * chan_reset), each bound to one engine's runlist, calling the manager
 * back through struct nvkm_vgpu_chan_host_ops.
 * Version 5: the manager schedules, the backend executes: each channel
 * belongs to its vGPU's entity on its runlist (nvkm_vgpu_chan_desc.sched),
 * and a backend's engine asks nvkm_vgpu_sched_pick() which vGPU runs next
 * and for how long, tells the manager which vGPUs have work
 * (nvkm_vgpu_sched_enqueue(), nvkm_vgpu_sched_dequeue()) and what each
 * slice ran (nvkm_vgpu_sched_slice_done()). fb_used reports the FB a
 * slice has backed.
 * Version 6: fb_rw reads and writes FB bytes through a kernel buffer, for
 * FB without struct page (VRAM behind the GPU's BAR1); a backend provides
 * exactly one of fb_page and fb_rw, and the manager's BAR1 read and write
 * go through whichever it has.
 */
#ifndef __NVKM_VGPU_BACKEND_H__
#define __NVKM_VGPU_BACKEND_H__

#include <linux/types.h>

struct device;
struct module;
struct page;
struct nvkm_vgpu_gpu;
struct nvkm_vgpu_sched;
struct nvkm_vgpu_sched_entity;

/** define NVKM_VGPU_BACKEND_VERSION - version of this contract */
#define NVKM_VGPU_BACKEND_VERSION 6

/** define NVKM_VGPU_BOARD_NAME_MAX - longest board name, NUL excluded */
#define NVKM_VGPU_BOARD_NAME_MAX 15

/**
 * enum nvkm_vgpu_engine - engine classes a GPU offers to its slices
 * @NVKM_VGPU_ENGINE_GR: graphics and compute
 * @NVKM_VGPU_ENGINE_CE: copy engines
 * @NVKM_VGPU_ENGINE_NVDEC: video decoders
 * @NVKM_VGPU_ENGINE_NVENC: video encoders
 * @NVKM_VGPU_ENGINE_NVJPG: JPEG decoders
 * @NVKM_VGPU_ENGINE_OFA: optical flow accelerators
 * @NVKM_VGPU_ENGINE_NR: number of engine classes
 */
enum nvkm_vgpu_engine {
	NVKM_VGPU_ENGINE_GR,
	NVKM_VGPU_ENGINE_CE,
	NVKM_VGPU_ENGINE_NVDEC,
	NVKM_VGPU_ENGINE_NVENC,
	NVKM_VGPU_ENGINE_NVJPG,
	NVKM_VGPU_ENGINE_OFA,
	NVKM_VGPU_ENGINE_NR,
};

/**
 * struct nvkm_vgpu_geometry - what a backend reports about one physical GPU
 * @board: board family in lower case, e.g. "h100"; letters, digits and '-',
 *	at most %NVKM_VGPU_BOARD_NAME_MAX characters. Type names derive from it.
 * @fb_nominal_gib: the board's marketed framebuffer size in GiB (80 for an
 *	H100 80GB); 0 lets the manager round @fb_size to the closest GiB.
 * @fb_size: framebuffer size in bytes.
 * @fb_reserved: bytes at the start of the framebuffer kept by the host;
 *	slices are carved from [@fb_reserved, @fb_size).
 * @chid_count: channel IDs the backend can hand to vGPUs.
 * @engines: number of engines of each &enum nvkm_vgpu_engine class.
 * @bar0_size: register BAR size in bytes.
 * @bar1_size: framebuffer aperture BAR size in bytes.
 * @bar3_size: BAR3 size in bytes (0 when absent).
 * @vendor_id: PCI vendor ID of the physical function.
 * @device_id: PCI device ID of the physical function.
 * @subsystem_vendor_id: PCI subsystem vendor ID.
 * @subsystem_id: PCI subsystem ID.
 * @boot0: the chip's NV_PMC_BOOT_0 (architecture, implementation,
 *	revision), shown to guests in BAR0; 0 when unknown.
 * @display: the board has display engines, so display types (Q, B, A
 *	series) are offered besides compute (C).
 *
 * The manager copies the geometry at registration; the backend may free its
 * copy afterwards.
 */
struct nvkm_vgpu_geometry {
	const char *board;
	u32 fb_nominal_gib;
	u64 fb_size;
	u64 fb_reserved;
	u32 chid_count;
	u8 engines[NVKM_VGPU_ENGINE_NR];
	u64 bar0_size;
	u64 bar1_size;
	u64 bar3_size;
	u16 vendor_id;
	u16 device_id;
	u16 subsystem_vendor_id;
	u16 subsystem_id;
	u32 boot0;
	bool display;
};

/**
 * struct nvkm_vgpu_chan_host_ops - the manager's side of a channel
 * @sysmem_rw: read (@write false) or write @len bytes at IOVA @iova of the
 *	vGPU's guest memory (what GPU addresses from NVKM_VGPU_VA_SYSMEM of
 *	the uAPI reach). Returns 0, or a negative errno for an IOVA the guest
 *	has not mapped: an MMU fault of the channel. May sleep; called from
 *	the backend's engine workers, and from its chan_reset when it writes
 *	USERD in guest memory, so it takes no lock the manager holds across
 *	a chan op.
 * @nonstall: the channel ran a NON_STALL_INTERRUPT method, or a copy asked
 *	for a non-stall interrupt. May sleep.
 * @error: the channel stopped with NVKM_VGPU_CHAN_ERR_@code; the backend
 *	has written the error notifier, and runs nothing more of the channel
 *	until chan_reset. May sleep.
 *
 * Each gets the @host of the channel's &struct nvkm_vgpu_chan_desc. The
 * backend calls none of them after chan_destroy has returned, and none
 * but @sysmem_rw from within an op the manager called (the manager may
 * hold its locks).
 */
struct nvkm_vgpu_chan_host_ops {
	int (*sysmem_rw)(void *host, u64 iova, void *buf, size_t len,
			 bool write);
	void (*nonstall)(void *host);
	void (*error)(void *host, u32 code);
};

/**
 * struct nvkm_vgpu_chan_desc - a channel, as the manager asks for it
 * @chid: the physical channel ID, from the vGPU's slice.
 * @engine: the engine class the channel runs on: %NVKM_VGPU_ENGINE_CE runs
 *	NVKM_VGPU_CLASS_COPY, %NVKM_VGPU_ENGINE_GR NVKM_VGPU_CLASS_SIM_BUSY
 *	(the simulated GPU), both of the uAPI.
 * @runlist: which engine of @engine's class (its runlist), below the
 *	geometry's engines[@engine].
 * @fb_base: where the vGPU's FB slice starts on the GPU; GPU addresses
 *	[0, @fb_size) of the channel reach [@fb_base, @fb_base + @fb_size).
 * @fb_size: the slice's FB bytes.
 * @gpfifo: GPU address of the GPFIFO (8-byte entries).
 * @gpfifo_entries: its entries, a power of two.
 * @userd: GPU address of USERD (GP_PUT read from it, GP_GET written).
 * @notifier: GPU address of the error notifier.
 * @timeslice_us: how long the channel may hold its engine while other
 *	channels of its vGPU wait, before it is asked to switch at the next
 *	method boundary. Between vGPUs, the slices of nvkm_vgpu_sched_pick()
 *	decide.
 * @preempt_timeout_us: how long after a switch request a method may go
 *	on before the channel is stopped with NVKM_VGPU_CHAN_ERR_TIMEOUT,
 *	when no slice says otherwise.
 * @sched: the vGPU's entity on the runlist: every channel of one vGPU on
 *	one runlist has the same; valid until chan_destroy returns.
 * @host_ops: the manager's callbacks.
 * @host: their argument.
 *
 * GPU addresses are the uAPI's: the FB window, then the guest-memory
 * window at NVKM_VGPU_VA_SYSMEM, reached through @host_ops->sysmem_rw.
 * Anything else is an MMU fault of this channel only.
 */
struct nvkm_vgpu_chan_desc {
	u32 chid;
	enum nvkm_vgpu_engine engine;
	u32 runlist;
	u64 fb_base;
	u64 fb_size;
	u64 gpfifo;
	u32 gpfifo_entries;
	u64 userd;
	u64 notifier;
	u32 timeslice_us;
	u32 preempt_timeout_us;
	struct nvkm_vgpu_sched_entity *sched;
	const struct nvkm_vgpu_chan_host_ops *host_ops;
	void *host;
};

/**
 * struct nvkm_vgpu_backend_ops - a backend's operations on its GPUs
 * @version: %NVKM_VGPU_BACKEND_VERSION as the backend was built; the
 *	manager refuses to register a GPU whose backend has another.
 * @owner: the backend's module; the manager pins it while a vGPU of one of
 *	its GPUs is open.
 * @name: short backend name for logs, e.g. "sim" or "nouveau".
 * @fb_page: return the page backing the page-aligned FB byte @offset of the
 *	GPU @priv was registered with, with a reference the caller puts. With
 *	@alloc, a page never touched before is allocated (zeroed); without, it
 *	returns NULL for such a page (it reads as zeros). ERR_PTR(-ENOMEM) when
 *	the backend cannot back more FB (the simulated GPU's host-memory cap):
 *	the manager turns it into an error for a read or write. May sleep.
 *	For FB in memory with struct page, such as the simulated GPU's sparse
 *	FB; a backend provides exactly one of @fb_page and @fb_rw.
 * @fb_rw: read (@write false) @len bytes of FB at @offset into the kernel
 *	buffer @buf, or write them from it, for FB without struct page (the
 *	nouveau backend's VRAM, reached through the GPU's BAR1). No alignment:
 *	any byte @offset and any @len from 1 up; the bytes lie inside one range
 *	from @fb_reserve, as the manager calls it only for a vGPU's slice,
 *	while a VFIO user holds the vGPU open (so never during @fb_scrub or
 *	after @fb_release of the range), and it may call it for the same range
 *	from several threads at once and while the range is mapped. The
 *	manager holds none of its locks across the call, and copies between
 *	@buf and user memory only outside it. Returns 0 with every byte done,
 *	or a negative errno with none to count on: -EINVAL for bytes outside
 *	every reserved range, -ENOMEM when the backend cannot map or back
 *	them; a read or write then returns the bytes done before the failing
 *	call, or the errno if there were none. May sleep.
 *	A backend provides exactly one of @fb_page and @fb_rw.
 * @fb_pfn: store in *@pfn the page frame backing the page-aligned FB byte
 *	@offset, allocating it on first touch as @fb_page does. The manager
 *	maps it into a VFIO user (VM_IO | VM_PFNMAP, write-combining), so the
 *	frame must stay the FB's until the range is scrubbed or released: the
 *	manager zaps every mapping of a range before either. Returns 0,
 *	-ENOMEM when the backend cannot back the page, or -EINVAL. May sleep.
 * @fb_scrub: make every byte of [@offset, @offset + @size) read as zero, so
 *	nothing of a previous tenant survives; both page aligned. The manager
 *	calls it when a vGPU gets a range, when its last user closes it and
 *	when the vGPU is removed, never while the range is mapped. May sleep.
 *	Returns 0 or a negative errno.
 * @fb_reserve: a vGPU is getting the FB range [@offset, @offset + @size)
 *	(page aligned) until @fb_release: commit whatever the backend needs to
 *	back it, so that no other range's use can ever make @fb_page, @fb_rw
 *	or @fb_pfn fail inside it. Returns 0, or -ENOSPC when the backend
 *	cannot promise that (the vGPU is then not created), having logged why
 *	in one line. May sleep.
 * @fb_release: give back a range from @fb_reserve, after its last scrub.
 * @fb_used: bytes of [@offset, @offset + @size) (page aligned) backed by
 *	memory now, for accounting. Never sleeps.
 * @chan_create: make the channel @desc describes (copied) and put it on
 *	its runlist, idle until kicked. Returns the backend's handle for the
 *	other chan ops, or an ERR_PTR: -ENOMEM, -EINVAL for an engine or
 *	runlist the GPU lacks. May sleep.
 * @chan_destroy: take the channel off its engine and runlist and free it;
 *	once it returns, no host op of the channel runs or will run. May
 *	sleep.
 * @chan_kick: GP_PUT in the channel's USERD may have moved: schedule the
 *	channel. Never sleeps; cheap enough for every doorbell.
 * @chan_preempt: switch the channel off its engine at the next method
 *	boundary and return once it is off (it runs again when kicked or when
 *	its runlist comes back to it). May sleep.
 * @chan_reset: stop the channel, drop what it had not run, clear its error,
 *	and put it back to its state at creation: GP_GET and GP_PUT in USERD
 *	written 0 (through @sysmem_rw of &struct nvkm_vgpu_chan_host_ops
 *	when USERD is in guest memory), no object bound. Once it returns no
 *	host op of the channel runs until the next kick. May sleep.
 *
 * Every operation gets the @priv given to nvkm_vgpu_gpu_register(). The
 * manager calls none after nvkm_vgpu_gpu_unregister() has returned.
 */
struct nvkm_vgpu_backend_ops {
	u32 version;
	struct module *owner;
	const char *name;
	struct page *(*fb_page)(void *priv, u64 offset, bool alloc);
	int (*fb_rw)(void *priv, u64 offset, void *buf, size_t len, bool write);
	int (*fb_pfn)(void *priv, u64 offset, unsigned long *pfn);
	int (*fb_scrub)(void *priv, u64 offset, u64 size);
	int (*fb_reserve)(void *priv, u64 offset, u64 size);
	void (*fb_release)(void *priv, u64 offset, u64 size);
	u64 (*fb_used)(void *priv, u64 offset, u64 size);
	void *(*chan_create)(void *priv, const struct nvkm_vgpu_chan_desc *desc);
	void (*chan_destroy)(void *priv, void *chan);
	void (*chan_kick)(void *priv, void *chan);
	void (*chan_preempt)(void *priv, void *chan);
	void (*chan_reset)(void *priv, void *chan);
};

struct nvkm_vgpu_gpu *nvkm_vgpu_gpu_register(struct device *dev,
					     const struct nvkm_vgpu_backend_ops *ops,
					     const struct nvkm_vgpu_geometry *geo,
					     void *priv);
void nvkm_vgpu_gpu_unregister(struct nvkm_vgpu_gpu *gpu);
void *nvkm_vgpu_gpu_priv(const struct nvkm_vgpu_gpu *gpu);

/**
 * struct nvkm_vgpu_sched_slice - a scheduling decision for one runlist
 * @entity: the vGPU whose channels run, or NULL: run nothing for now.
 * @start_ns: when the slice began (ktime_get_ns()).
 * @end_ns: when it ends: at the first method boundary past it the backend
 *	calls nvkm_vgpu_sched_slice_done() and asks again.
 * @preempt_timeout_ns: once a switch is asked for (the slice over while
 *	nvkm_vgpu_sched_contended()), how long a method that cannot stop
 *	may go on before its channel is stopped with
 *	NVKM_VGPU_CHAN_ERR_TIMEOUT.
 * @idle_ns: with @entity NULL: how long to run nothing before asking
 *	again (a share policy holding work back), or 0 to wait for an
 *	enqueue.
 */
struct nvkm_vgpu_sched_slice {
	struct nvkm_vgpu_sched_entity *entity;
	u64 start_ns;
	u64 end_ns;
	u64 preempt_timeout_ns;
	u64 idle_ns;
};

struct nvkm_vgpu_sched *
nvkm_vgpu_sched_entity_runlist(const struct nvkm_vgpu_sched_entity *entity);
void nvkm_vgpu_sched_enqueue(struct nvkm_vgpu_sched_entity *entity, u64 now);
void nvkm_vgpu_sched_dequeue(struct nvkm_vgpu_sched_entity *entity, u64 now);
void nvkm_vgpu_sched_pick(struct nvkm_vgpu_sched *sched, u64 now,
			  struct nvkm_vgpu_sched_slice *slice);
void nvkm_vgpu_sched_slice_done(struct nvkm_vgpu_sched_slice *slice, u64 now,
				u64 busy_ns, bool work_left);
bool nvkm_vgpu_sched_contended(const struct nvkm_vgpu_sched_slice *slice);

#endif /* __NVKM_VGPU_BACKEND_H__ */
