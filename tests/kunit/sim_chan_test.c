// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the simulated GPU's channels and engines
 * (nvkm_glue/sim/engine/): push buffers decoded, host, copy and busy
 * methods run, errors stopping a channel with its notifier written, and
 * the engine threads' kicks, preemption timeout, parking and destroy.
 *
 * Most cases run a channel turn by turn with nvkm_vgpu_sim_chan_turn() on
 * engines without threads, over a small simulated framebuffer and fake
 * host ops whose guest memory is a kmalloc'd buffer; what the channel
 * wrote is read back through the framebuffer's pages, not through the
 * engine's own memory code. The last cases start the engine threads.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "../../nvkm_glue/sim/engine/chan.h"
#include "../../nvkm_glue/sim/engine/engine.h"
#include "../../nvkm_glue/sim/preset.h"
#include "../../nvkm_glue/sim/vram.h"
#include "../../vgpu_mgr/sched/sched.h"

/* The GPU's framebuffer, and the vGPU slice inside it. */
#define TEST_VRAM_SIZE SZ_8M
#define TEST_FB_BASE SZ_1M
#define TEST_FB_SIZE SZ_4M
/* The guest memory the fake sysmem_rw reaches, at IOVA 0. */
#define TEST_SYSMEM_SIZE SZ_64K
#define TEST_SYSMEM(off) (NVKM_VGPU_VA_SYSMEM + (off))

/* Each test channel's slot of the FB: GPFIFO, USERD, notifier, push buffer. */
#define TEST_SLOT(n) ((u64)(n) * SZ_256K)
#define TEST_GPFIFO 0x0000
#define TEST_USERD 0x1000
#define TEST_NOTIFIER 0x2000
#define TEST_SEM 0x3000
#define TEST_PB 0x10000
#define TEST_PB_SIZE SZ_64K
#define TEST_ENTRIES 16
/* Data for copies, past the slots. */
#define TEST_DATA SZ_2M

/* Method headers (clc36f.h). */
#define HDR(op, subch, mthd, count)					\
	((u32)(op) << NVKM_VGPU_DMA_SEC_OP_SHIFT |			\
	 (u32)(count) << NVKM_VGPU_DMA_COUNT_SHIFT |			\
	 (u32)(subch) << NVKM_VGPU_DMA_SUBCH_SHIFT | (u32)(mthd) >> 2)
#define INC(subch, mthd, n) HDR(NVKM_VGPU_DMA_SEC_OP_INC_METHOD, subch, mthd, n)
#define NON_INC(subch, mthd, n) \
	HDR(NVKM_VGPU_DMA_SEC_OP_NON_INC_METHOD, subch, mthd, n)
#define IMMD(subch, mthd, data) \
	HDR(NVKM_VGPU_DMA_SEC_OP_IMMD_DATA_METHOD, subch, mthd, data)
#define ONE_INC(subch, mthd, n) HDR(NVKM_VGPU_DMA_SEC_OP_ONE_INC, subch, mthd, n)

/* SEM_EXECUTE data. */
#define SEM_RELEASE NVKM_VGPU_SEM_OP_RELEASE
#define SEM_ACQUIRE NVKM_VGPU_SEM_OP_ACQUIRE
#define SEM_GEQ NVKM_VGPU_SEM_OP_ACQ_STRICT_GEQ
#define SEM_64 NVKM_VGPU_SEM_PAYLOAD_64BIT
#define SEM_TS NVKM_VGPU_SEM_RELEASE_TIMESTAMP

/* LAUNCH_DMA of a pitch, virtual copy. */
#define LAUNCH_PITCH (2 | NVKM_VGPU_COPY_LAUNCH_SRC_PITCH | \
		      NVKM_VGPU_COPY_LAUNCH_DST_PITCH)
#define LAUNCH_SEM(type) ((type) << NVKM_VGPU_COPY_LAUNCH_SEM_SHIFT)
#define LAUNCH_INTR (NVKM_VGPU_COPY_LAUNCH_INTR_NON_BLOCKING << \
		     NVKM_VGPU_COPY_LAUNCH_INTR_SHIFT)

#define TURN_IDLE NVKM_VGPU_SIM_TURN_IDLE
#define TURN_WAIT NVKM_VGPU_SIM_TURN_WAIT
#define TURN_ERROR NVKM_VGPU_SIM_TURN_ERROR

/**
 * struct test_gpu - a simulated GPU's framebuffer, engines and guest memory
 * @test: the test
 * @vram: the framebuffer
 * @engines: its engines; threads only if the test started them
 * @sysmem: guest memory, at IOVA 0
 * @sched: the manager's schedulers of its runlists
 * @owner: the one vGPU every channel of the test belongs to
 */
struct test_gpu {
	struct kunit *test;
	struct nvkm_vgpu_sim_vram *vram;
	struct nvkm_vgpu_sim_engines engines;
	u8 *sysmem;
	struct nvkm_vgpu_sched_gpu *sched;
	struct nvkm_vgpu_sched_vgpu *owner;
};

/**
 * struct test_chan - a channel and the fake manager behind it
 * @gpu: its GPU
 * @desc: what it was made from
 * @chan: the backend's channel
 * @slot: GPU address of its slot in the FB
 * @put: the next GPFIFO entry the test writes
 * @pb: GPU address of the next push buffer dword the test writes
 * @nonstalls: nonstall host ops so far
 * @errors: error host ops so far
 * @code: the last error's code
 * @stopped: completed by each error host op
 */
struct test_chan {
	struct test_gpu *gpu;
	struct nvkm_vgpu_chan_desc desc;
	struct nvkm_vgpu_sim_chan *chan;
	u64 slot;
	u32 put;
	u64 pb;
	atomic_t nonstalls;
	atomic_t errors;
	u32 code;
	struct completion stopped;
};

static int test_sysmem_rw(void *host, u64 iova, void *buf, size_t len,
			  bool write)
{
	struct test_chan *tc = host;
	u8 *mem = tc->gpu->sysmem;

	if (iova >= TEST_SYSMEM_SIZE || len > TEST_SYSMEM_SIZE - iova)
		return -EFAULT;
	if (write)
		memcpy(mem + iova, buf, len);
	else
		memcpy(buf, mem + iova, len);
	return 0;
}

static void test_nonstall(void *host)
{
	struct test_chan *tc = host;

	atomic_inc(&tc->nonstalls);
}

static void test_error(void *host, u32 code)
{
	struct test_chan *tc = host;

	WRITE_ONCE(tc->code, code);
	atomic_inc(&tc->errors);
	complete(&tc->stopped);
}

static const struct nvkm_vgpu_chan_host_ops test_host_ops = {
	.sysmem_rw = test_sysmem_rw,
	.nonstall = test_nonstall,
	.error = test_error,
};

static void vram_fini_action(void *vram)
{
	nvkm_vgpu_sim_vram_fini(vram);
}

static void engines_fini_action(void *engines)
{
	nvkm_vgpu_sim_engines_fini(engines);
}

static void engines_stop_action(void *engines)
{
	nvkm_vgpu_sim_engines_stop(engines);
}

static void sched_del_action(void *sched)
{
	nvkm_vgpu_sched_gpu_del(sched);
}

static void owner_del_action(void *owner)
{
	nvkm_vgpu_sched_vgpu_del(owner);
}

/* A GPU of the tiny preset's engines (1 GR, 1 CE); @threads starts them. */
static struct test_gpu *gpu_new(struct kunit *test, bool threads)
{
	const struct nvkm_vgpu_sim_preset *tiny = nvkm_vgpu_sim_preset_find("tiny");
	static atomic_t serial = ATOMIC_INIT(0);
	struct test_gpu *gpu;
	struct device *dev;
	char name[40];

	KUNIT_ASSERT_NOT_NULL(test, tiny);
	gpu = kunit_kzalloc(test, sizeof(*gpu), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, gpu);
	gpu->test = test;
	gpu->sysmem = kunit_kzalloc(test, TEST_SYSMEM_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, gpu->sysmem);
	gpu->vram = kunit_kzalloc(test, sizeof(*gpu->vram), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, gpu->vram);

	/* A name of its own: a device's release may come late (kobject debug). */
	snprintf(name, sizeof(name), "nvkm-vgpu-sim-chan-test-%d",
		 atomic_inc_return(&serial));
	dev = kunit_device_register(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	nvkm_vgpu_sim_vram_init(gpu->vram, dev, TEST_VRAM_SIZE);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, vram_fini_action,
							   gpu->vram));
	gpu->sched = nvkm_vgpu_sched_gpu_new(tiny->geo);
	KUNIT_ASSERT_NOT_NULL(test, gpu->sched);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, sched_del_action,
							   gpu->sched));
	gpu->owner = nvkm_vgpu_sched_vgpu_new(gpu->sched, "kunit", 1, 1000);
	KUNIT_ASSERT_NOT_NULL(test, gpu->owner);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, owner_del_action,
							   gpu->owner));
	KUNIT_ASSERT_EQ(test, 0, nvkm_vgpu_sim_engines_init(&gpu->engines,
							    gpu->vram, tiny));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, engines_fini_action,
							   &gpu->engines));
	if (threads) {
		KUNIT_ASSERT_EQ(test, 0, nvkm_vgpu_sim_engines_start(&gpu->engines));
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, engines_stop_action,
							  &gpu->engines));
	}
	return gpu;
}

/* Reads or writes the GPU's FB at a GPU address of the slice. */
static void fb_rw(struct test_gpu *gpu, u64 addr, void *buf, size_t len,
		  bool write)
{
	struct kunit *test = gpu->test;
	u64 offset = TEST_FB_BASE + addr;
	u8 *p = buf;

	KUNIT_ASSERT_LE(test, addr + len, (u64)TEST_FB_SIZE);
	while (len) {
		size_t in_page = offset & ~PAGE_MASK;
		size_t n = min_t(size_t, len, PAGE_SIZE - in_page);
		struct page *page;
		u8 *va;

		page = nvkm_vgpu_sim_vram_page(gpu->vram, offset - in_page, true);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, page);
		va = kmap_local_page(page);
		if (write)
			memcpy(va + in_page, p, n);
		else
			memcpy(p, va + in_page, n);
		kunmap_local(va);
		put_page(page);
		p += n;
		offset += n;
		len -= n;
	}
}

/* Reads or writes a GPU address of the FB slice or of guest memory. */
static void gpu_rw(struct test_gpu *gpu, u64 addr, void *buf, size_t len,
		   bool write)
{
	if (addr < NVKM_VGPU_VA_SYSMEM) {
		fb_rw(gpu, addr, buf, len, write);
		return;
	}
	addr -= NVKM_VGPU_VA_SYSMEM;
	KUNIT_ASSERT_LE(gpu->test, addr + len, (u64)TEST_SYSMEM_SIZE);
	if (write)
		memcpy(gpu->sysmem + addr, buf, len);
	else
		memcpy(buf, gpu->sysmem + addr, len);
}

static u32 rd32(struct test_gpu *gpu, u64 addr)
{
	__le32 v;

	gpu_rw(gpu, addr, &v, sizeof(v), false);
	return le32_to_cpu(v);
}

static u64 rd64(struct test_gpu *gpu, u64 addr)
{
	__le64 v;

	gpu_rw(gpu, addr, &v, sizeof(v), false);
	return le64_to_cpu(v);
}

static void wr32(struct test_gpu *gpu, u64 addr, u32 val)
{
	__le32 v = cpu_to_le32(val);

	gpu_rw(gpu, addr, &v, sizeof(v), true);
}

static void wr64(struct test_gpu *gpu, u64 addr, u64 val)
{
	__le64 v = cpu_to_le64(val);

	gpu_rw(gpu, addr, &v, sizeof(v), true);
}

static void chan_del_action(void *tc)
{
	struct test_chan *chan = tc;

	if (chan->chan) {
		nvkm_vgpu_sim_chan_del(chan->chan);
		nvkm_vgpu_sched_detach(chan->desc.sched);
	}
	chan->chan = NULL;
}

/* A channel's description in slot @slot of the FB, not made yet. */
static struct test_chan *chan_desc(struct test_gpu *gpu, unsigned int slot,
				   enum nvkm_vgpu_engine engine)
{
	struct test_chan *tc;

	tc = kunit_kzalloc(gpu->test, sizeof(*tc), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(gpu->test, tc);
	tc->gpu = gpu;
	tc->slot = TEST_SLOT(slot);
	tc->pb = tc->slot + TEST_PB;
	atomic_set(&tc->nonstalls, 0);
	atomic_set(&tc->errors, 0);
	init_completion(&tc->stopped);
	tc->desc = (struct nvkm_vgpu_chan_desc) {
		.chid = slot,
		.engine = engine,
		.runlist = 0,
		.fb_base = TEST_FB_BASE,
		.fb_size = TEST_FB_SIZE,
		.gpfifo = tc->slot + TEST_GPFIFO,
		.gpfifo_entries = TEST_ENTRIES,
		.userd = tc->slot + TEST_USERD,
		.notifier = tc->slot + TEST_NOTIFIER,
		.timeslice_us = 1000,
		.preempt_timeout_us = 100000,
		.sched = nvkm_vgpu_sched_vgpu_entity(gpu->owner, engine, 0),
		.host_ops = &test_host_ops,
		.host = tc,
	};
	return tc;
}

/* Makes the channel chan_desc() described; deleted when the test ends. */
static void chan_make(struct test_chan *tc)
{
	struct kunit *test = tc->gpu->test;
	struct nvkm_vgpu_sim_chan *chan;

	chan = nvkm_vgpu_sim_chan_new(&tc->gpu->engines, &tc->desc);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, chan);
	nvkm_vgpu_sched_attach(tc->desc.sched);
	tc->chan = chan;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, chan_del_action,
							   tc));
}

static struct test_chan *chan_new(struct test_gpu *gpu, unsigned int slot,
				  enum nvkm_vgpu_engine engine)
{
	struct test_chan *tc = chan_desc(gpu, slot, engine);

	chan_make(tc);
	return tc;
}

/* Puts @n dwords in the push buffer as one GPFIFO entry and moves GP_PUT. */
static void push(struct test_chan *tc, const u32 *dw, u32 n)
{
	struct test_gpu *gpu = tc->gpu;
	u64 entry = tc->desc.gpfifo + 8ull * tc->put;
	u32 i;

	KUNIT_ASSERT_LE(gpu->test, tc->pb + 4 * n,
			tc->slot + TEST_PB + TEST_PB_SIZE);
	for (i = 0; i < n; i++)
		wr32(gpu, tc->pb + 4 * i, dw[i]);
	wr32(gpu, entry, lower_32_bits(tc->pb));
	wr32(gpu, entry + 4, upper_32_bits(tc->pb) |
	     n << NVKM_VGPU_GP_ENTRY1_LENGTH_SHIFT);
	tc->pb += 4 * n;
	tc->put = (tc->put + 1) % TEST_ENTRIES;
	wr32(gpu, tc->desc.userd + NVKM_VGPU_USERD_GP_PUT, tc->put);
}

#define PUSH(tc, ...)							\
	push(tc, (const u32[]){ __VA_ARGS__ },				\
	     ARRAY_SIZE(((const u32[]){ __VA_ARGS__ })))

static enum nvkm_vgpu_sim_turn run(struct test_chan *tc)
{
	return nvkm_vgpu_sim_chan_turn(tc->chan);
}

static u32 gp_get(struct test_chan *tc)
{
	return rd32(tc->gpu, tc->desc.userd + NVKM_VGPU_USERD_GP_GET);
}

/* The channel stopped with @code: notifier written, error op called once. */
static void expect_stopped(struct kunit *test, struct test_chan *tc, u32 code)
{
	u64 now = ktime_get_ns();
	u64 stamp = rd64(tc->gpu, tc->desc.notifier);

	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tc->code), code);
	KUNIT_EXPECT_EQ(test, rd32(tc->gpu, tc->desc.notifier + 8), code);
	/* info16 0, status 0xffff. */
	KUNIT_EXPECT_EQ(test, rd32(tc->gpu, tc->desc.notifier + 12), 0xffff0000);
	KUNIT_EXPECT_GT(test, stamp, 0ull);
	KUNIT_EXPECT_LE(test, stamp, now);
	/* Stopped: another turn runs nothing and reports nothing. */
	KUNIT_EXPECT_EQ(test, run(tc), TURN_ERROR);
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 1);
}

/* Sets up subchannel 0 of @tc with its engine's class. */
static void bind(struct test_chan *tc, u32 class)
{
	PUSH(tc, INC(0, NVKM_VGPU_HOST_SET_OBJECT, 1), class);
}

static void sem_release(struct test_chan *tc, u64 addr, u32 payload)
{
	PUSH(tc, INC(0, NVKM_VGPU_HOST_SEM_ADDR_LO, 4), lower_32_bits(addr),
	     upper_32_bits(addr), payload, 0,
	     INC(0, NVKM_VGPU_HOST_SEM_EXECUTE, 1), SEM_RELEASE);
}

static void test_headers_of_each_kind_reach_their_methods(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *tc = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);
	u64 sem = tc->slot + TEST_SEM;

	wr64(gpu, sem + 0x10, ~0ull);
	PUSH(tc,
	     /* INC: ADDR_LO, ADDR_HI, PAYLOAD_LO, PAYLOAD_HI. */
	     INC(0, NVKM_VGPU_HOST_SEM_ADDR_LO, 4), lower_32_bits(sem), 0,
	     0x11223344, 0x55667788,
	     0,
	     /* ONE_INC: PAYLOAD_HI, then SEM_EXECUTE. */
	     ONE_INC(0, NVKM_VGPU_HOST_SEM_PAYLOAD_HI, 2), 0x99aabbcc,
	     SEM_RELEASE | SEM_64,
	     /* NON_INC: three references, the last one stays. */
	     NON_INC(0, NVKM_VGPU_HOST_SET_REFERENCE, 3), 1, 2, 3,
	     INC(0, NVKM_VGPU_HOST_SEM_ADDR_LO, 1), lower_32_bits(sem + 0x10),
	     /* IMMD: a 32-bit release. */
	     IMMD(0, NVKM_VGPU_HOST_SEM_EXECUTE, SEM_RELEASE));

	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	KUNIT_EXPECT_EQ(test, rd64(gpu, sem), 0x99aabbcc11223344ull);
	KUNIT_EXPECT_EQ(test, rd32(gpu, tc->desc.userd + NVKM_VGPU_USERD_REFERENCE),
			3u);
	KUNIT_EXPECT_EQ(test, rd32(gpu, sem + 0x10), 0x11223344u);
	KUNIT_EXPECT_EQ(test, rd32(gpu, sem + 0x14), 0xffffffffu);
	KUNIT_EXPECT_EQ(test, gp_get(tc), 1u);
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 0);
}

static void test_empty_entries_and_gpfifo_wrap(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *tc = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);
	u64 sem = tc->slot + TEST_SEM;
	u32 i;

	/* Entries of length 0 are no-ops; the ring wraps past its end. */
	for (i = 0; i < TEST_ENTRIES - 2; i++)
		push(tc, NULL, 0);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	KUNIT_EXPECT_EQ(test, gp_get(tc), TEST_ENTRIES - 2);
	sem_release(tc, sem, 1);
	sem_release(tc, sem + 4, 2);
	sem_release(tc, sem + 8, 3);
	KUNIT_EXPECT_EQ(test, tc->put, 1u);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	KUNIT_EXPECT_EQ(test, gp_get(tc), 1u);
	KUNIT_EXPECT_EQ(test, rd32(gpu, sem), 1u);
	KUNIT_EXPECT_EQ(test, rd32(gpu, sem + 4), 2u);
	KUNIT_EXPECT_EQ(test, rd32(gpu, sem + 8), 3u);
	/* Nothing new: the turn ends at once. */
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 0);
}

static void test_set_object_binds_host_and_the_engine_class_only(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *tc = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);

	PUSH(tc, INC(1, NVKM_VGPU_HOST_SET_OBJECT, 1), NVKM_VGPU_CLASS_COPY,
	     INC(2, NVKM_VGPU_HOST_SET_OBJECT, 1), NVKM_VGPU_CLASS_HOST,
	     INC(1, NVKM_VGPU_COPY_SET_SEMAPHORE_PAYLOAD, 1), 7);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 0);

	/* The GR engine's class, on a CE channel. */
	PUSH(tc, INC(3, NVKM_VGPU_HOST_SET_OBJECT, 1), NVKM_VGPU_CLASS_SIM_BUSY);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_ERROR);
	expect_stopped(test, tc, NVKM_VGPU_CHAN_ERR_METHOD);
	KUNIT_EXPECT_EQ(test, gp_get(tc), 1u);
}

static void test_engine_methods_need_the_engine_object(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *unbound = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);
	struct test_chan *host = chan_new(gpu, 1, NVKM_VGPU_ENGINE_CE);

	PUSH(unbound, INC(0, NVKM_VGPU_COPY_SET_SEMAPHORE_PAYLOAD, 1), 7);
	KUNIT_EXPECT_EQ(test, run(unbound), TURN_ERROR);
	expect_stopped(test, unbound, NVKM_VGPU_CHAN_ERR_METHOD);

	bind(host, NVKM_VGPU_CLASS_HOST);
	PUSH(host, INC(0, NVKM_VGPU_COPY_SET_SEMAPHORE_PAYLOAD, 1), 7);
	KUNIT_EXPECT_EQ(test, run(host), TURN_ERROR);
	expect_stopped(test, host, NVKM_VGPU_CHAN_ERR_METHOD);
}

static void test_reset_clears_error_position_and_bindings(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *tc = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);
	u64 sem = tc->slot + TEST_SEM;

	bind(tc, NVKM_VGPU_CLASS_COPY);
	PUSH(tc, INC(0, 0x0004, 1), 0);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_ERROR);
	expect_stopped(test, tc, NVKM_VGPU_CHAN_ERR_METHOD);

	nvkm_vgpu_sim_chan_reset(tc->chan);
	KUNIT_EXPECT_EQ(test, gp_get(tc), 0u);
	KUNIT_EXPECT_EQ(test, rd32(gpu, tc->desc.userd + NVKM_VGPU_USERD_GP_PUT),
			0u);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);

	/* It runs again from entry 0, with nothing bound. */
	tc->put = 0;
	tc->pb = tc->slot + TEST_PB;
	sem_release(tc, sem, 5);
	PUSH(tc, INC(0, NVKM_VGPU_COPY_SET_SEMAPHORE_PAYLOAD, 1), 7);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_ERROR);
	KUNIT_EXPECT_EQ(test, rd32(gpu, sem), 5u);
	KUNIT_EXPECT_EQ(test, gp_get(tc), 1u);
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 2);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tc->code), NVKM_VGPU_CHAN_ERR_METHOD);
}

static void test_semaphore_releases_write_4_8_or_16_bytes(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *tc = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);
	u64 sem = TEST_SYSMEM(0x100);
	u64 before, after;
	int i;

	for (i = 0; i < 16; i++)
		wr32(gpu, sem + 4 * i, 0xeeeeeeee);
	PUSH(tc, INC(0, NVKM_VGPU_HOST_SEM_ADDR_LO, 4), lower_32_bits(sem),
	     upper_32_bits(sem), 0x01020304, 0x05060708,
	     INC(0, NVKM_VGPU_HOST_SEM_EXECUTE, 1), SEM_RELEASE,
	     INC(0, NVKM_VGPU_HOST_SEM_ADDR_LO, 1), lower_32_bits(sem + 0x10),
	     INC(0, NVKM_VGPU_HOST_SEM_EXECUTE, 1), SEM_RELEASE | SEM_64,
	     INC(0, NVKM_VGPU_HOST_SEM_ADDR_LO, 1), lower_32_bits(sem + 0x20),
	     INC(0, NVKM_VGPU_HOST_SEM_EXECUTE, 1), SEM_RELEASE | SEM_TS,
	     INC(0, NVKM_VGPU_HOST_SEM_ADDR_LO, 1), lower_32_bits(sem + 0x30),
	     INC(0, NVKM_VGPU_HOST_SEM_EXECUTE, 1),
	     SEM_RELEASE | SEM_64 | SEM_TS | NVKM_VGPU_SEM_RELEASE_WFI);
	before = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	after = ktime_get_ns();

	KUNIT_EXPECT_EQ(test, rd32(gpu, sem), 0x01020304u);
	KUNIT_EXPECT_EQ(test, rd32(gpu, sem + 0x4), 0xeeeeeeeeu);
	KUNIT_EXPECT_EQ(test, rd64(gpu, sem + 0x10), 0x0506070801020304ull);
	KUNIT_EXPECT_EQ(test, rd32(gpu, sem + 0x18), 0xeeeeeeeeu);
	KUNIT_EXPECT_EQ(test, rd64(gpu, sem + 0x20), 0x01020304ull);
	KUNIT_EXPECT_GE(test, rd64(gpu, sem + 0x28), before);
	KUNIT_EXPECT_LE(test, rd64(gpu, sem + 0x28), after);
	KUNIT_EXPECT_EQ(test, rd64(gpu, sem + 0x30), 0x0506070801020304ull);
	KUNIT_EXPECT_GE(test, rd64(gpu, sem + 0x38), before);
	KUNIT_EXPECT_LE(test, rd64(gpu, sem + 0x38), after);
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 0);
}

static void test_semaphore_acquire_parks_until_satisfied(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *tc = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);
	u64 sem = TEST_SYSMEM(0x200), done = tc->slot + TEST_SEM;

	wr32(gpu, sem, 4);
	wr64(gpu, sem + 8, 0xfffffffeull);
	PUSH(tc, INC(0, NVKM_VGPU_HOST_SEM_ADDR_LO, 4), lower_32_bits(sem),
	     upper_32_bits(sem), 5, 0,
	     INC(0, NVKM_VGPU_HOST_SEM_EXECUTE, 1), SEM_ACQUIRE,
	     INC(0, NVKM_VGPU_HOST_SEM_ADDR_LO, 4), lower_32_bits(sem + 8),
	     upper_32_bits(sem + 8), 0, 1,
	     INC(0, NVKM_VGPU_HOST_SEM_EXECUTE, 1), SEM_GEQ | SEM_64,
	     INC(0, NVKM_VGPU_HOST_SEM_ADDR_LO, 4), lower_32_bits(done), 0, 9, 0,
	     INC(0, NVKM_VGPU_HOST_SEM_EXECUTE, 1), SEM_RELEASE);

	KUNIT_EXPECT_EQ(test, run(tc), TURN_WAIT);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_WAIT);
	/* EQ: 6 is not 5. */
	wr32(gpu, sem, 6);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_WAIT);
	wr32(gpu, sem, 5);
	/* STRICT_GEQ, 64 bits: 0xfffffffe is below 1 << 32. */
	KUNIT_EXPECT_EQ(test, run(tc), TURN_WAIT);
	KUNIT_EXPECT_EQ(test, gp_get(tc), 0u);
	KUNIT_EXPECT_EQ(test, rd32(gpu, done), 0u);
	wr64(gpu, sem + 8, 0x100000001ull);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	KUNIT_EXPECT_EQ(test, rd32(gpu, done), 9u);
	KUNIT_EXPECT_EQ(test, gp_get(tc), 1u);
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 0);
}

static void fill_pattern(u8 *buf, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)(seed + i * 7 + (i >> 8));
}

static void test_copy_moves_lines_byte_for_byte(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *tc = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);
	u64 src = TEST_DATA + 0x123, dst = TEST_SYSMEM(0x1001);
	u64 msrc = TEST_DATA + SZ_64K, mdst = TEST_DATA + SZ_128K;
	u64 sem = tc->slot + TEST_SEM;
	const size_t len = 10000;
	u8 *want, *got;
	int line;

	want = kunit_kzalloc(test, SZ_16K, GFP_KERNEL);
	got = kunit_kzalloc(test, SZ_16K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_NOT_NULL(test, got);

	/* One line, FB to guest memory, across pages. */
	fill_pattern(want, len, 1);
	fb_rw(gpu, src, want, len, true);
	memset(gpu->sysmem + 0x1001 + len, 0xee, 16);
	wr32(gpu, sem, ~0u);
	wr32(gpu, sem + 4, ~0u);
	bind(tc, NVKM_VGPU_CLASS_COPY);
	PUSH(tc, INC(0, NVKM_VGPU_COPY_OFFSET_IN_UPPER, 4), upper_32_bits(src),
	     lower_32_bits(src), upper_32_bits(dst), lower_32_bits(dst),
	     INC(0, NVKM_VGPU_COPY_LINE_LENGTH_IN, 1), len,
	     INC(0, NVKM_VGPU_COPY_SET_SEMAPHORE_A, 3), 0, lower_32_bits(sem),
	     0xabcd,
	     INC(0, NVKM_VGPU_COPY_LAUNCH_DMA, 1),
	     LAUNCH_PITCH | LAUNCH_SEM(NVKM_VGPU_COPY_LAUNCH_SEM_ONE_WORD) |
	     LAUNCH_INTR);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	KUNIT_EXPECT_EQ(test, memcmp(gpu->sysmem + 0x1001, want, len), 0);
	KUNIT_EXPECT_EQ(test, gpu->sysmem[0x1001 + len], 0xee);
	KUNIT_EXPECT_EQ(test, gpu->sysmem[0x1000], 0);
	KUNIT_EXPECT_EQ(test, rd32(gpu, sem), 0xabcdu);
	KUNIT_EXPECT_EQ(test, rd32(gpu, sem + 4), ~0u);
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->nonstalls), 1);

	/* Three lines of 100 bytes, pitch 256 in, 128 out, FB to FB. */
	fill_pattern(want, 3 * 256, 9);
	fb_rw(gpu, msrc, want, 3 * 256, true);
	memset(got, 0xee, 3 * 128);
	fb_rw(gpu, mdst, got, 3 * 128, true);
	PUSH(tc, INC(0, NVKM_VGPU_COPY_OFFSET_IN_UPPER, 8), 0,
	     lower_32_bits(msrc), 0, lower_32_bits(mdst), 256, 128, 100, 3,
	     INC(0, NVKM_VGPU_COPY_LAUNCH_DMA, 1),
	     LAUNCH_PITCH | NVKM_VGPU_COPY_LAUNCH_MULTI_LINE);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	fb_rw(gpu, mdst, got, 3 * 128, false);
	for (line = 0; line < 3; line++) {
		KUNIT_EXPECT_EQ(test, memcmp(got + 128 * line, want + 256 * line,
					     100), 0);
		KUNIT_EXPECT_EQ(test, got[128 * line + 100], 0xee);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->nonstalls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 0);
}

/* Pushes one line of @len bytes from @src to @dst, a pitch copy. */
static void copy_line(struct test_chan *tc, u64 src, u64 dst, u32 len)
{
	PUSH(tc, INC(0, NVKM_VGPU_COPY_OFFSET_IN_UPPER, 4), upper_32_bits(src),
	     lower_32_bits(src), upper_32_bits(dst), lower_32_bits(dst),
	     INC(0, NVKM_VGPU_COPY_LINE_LENGTH_IN, 1), len,
	     INC(0, NVKM_VGPU_COPY_LAUNCH_DMA, 1), LAUNCH_PITCH);
}

/* Has the FB page holding GPU address @addr ever been written? */
static bool fb_touched(struct test_gpu *gpu, u64 addr)
{
	struct page *page;

	page = nvkm_vgpu_sim_vram_page(gpu->vram,
				       round_down(TEST_FB_BASE + addr, PAGE_SIZE),
				       false);
	KUNIT_ASSERT_FALSE(gpu->test, IS_ERR(page));
	if (page)
		put_page(page);
	return page;
}

static void test_copy_fb_to_fb_crosses_pages_at_any_offset(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *tc = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);
	/* Past one 64 KiB step; neither end on a page boundary. */
	const u32 len = SZ_64K + 4 * PAGE_SIZE + 7;
	u64 src = TEST_DATA + 0x123, dst = TEST_DATA + SZ_256K + 0xabc;
	/* A source page never written, inside the line: it reads as zeros. */
	u64 hole = TEST_DATA + 3 * PAGE_SIZE;
	size_t before = hole - src, after = src + len - (hole + PAGE_SIZE);
	u8 *want, *got;

	want = kunit_kzalloc(test, len + 32, GFP_KERNEL);
	got = kunit_kzalloc(test, len + 32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_NOT_NULL(test, got);

	fill_pattern(want, len, 3);
	memset(want + before, 0, PAGE_SIZE);
	fb_rw(gpu, src, want, before, true);
	fb_rw(gpu, hole + PAGE_SIZE, want + before + PAGE_SIZE, after, true);
	memset(got, 0xee, len + 32);
	fb_rw(gpu, dst - 16, got, len + 32, true);
	bind(tc, NVKM_VGPU_CLASS_COPY);
	copy_line(tc, src, dst, len);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 0);
	fb_rw(gpu, dst - 16, got, len + 32, false);
	KUNIT_EXPECT_EQ(test, memcmp(got + 16, want, len), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(got, 0xee, 16));
	KUNIT_EXPECT_NULL(test, memchr_inv(got + 16 + len, 0xee, 16));
	KUNIT_EXPECT_FALSE(test, fb_touched(gpu, hole));

	/*
	 * Overlapping, within one step: as memmove(), the destination ahead
	 * of the source and behind it.
	 */
	fill_pattern(want, 3000 + 100, 5);
	fb_rw(gpu, src, want, 3000 + 100, true);
	copy_line(tc, src, src + 100, 3000);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	memmove(want + 100, want, 3000);
	fb_rw(gpu, src, got, 3000 + 100, false);
	KUNIT_EXPECT_EQ(test, memcmp(got, want, 3000 + 100), 0);
	copy_line(tc, src + 100, src + 1, 3000);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	memmove(want + 1, want + 100, 3000);
	fb_rw(gpu, src, got, 3000 + 100, false);
	KUNIT_EXPECT_EQ(test, memcmp(got, want, 3000 + 100), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 0);
}

static void test_copy_between_fb_and_guest_memory_crosses_pages(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *tc = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);
	u64 dst = TEST_DATA + 0xff1, hole = TEST_DATA + SZ_1M + 0x10;
	const u32 len = 10000, zeros = 9000;
	u8 *want, *got;

	want = kunit_kzalloc(test, len + 32, GFP_KERNEL);
	got = kunit_kzalloc(test, len + 32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_NOT_NULL(test, got);

	/* Guest memory to FB. */
	fill_pattern(want, len, 11);
	memcpy(gpu->sysmem + 0x777, want, len);
	memset(got, 0xee, len + 32);
	fb_rw(gpu, dst - 16, got, len + 32, true);
	bind(tc, NVKM_VGPU_CLASS_COPY);
	copy_line(tc, TEST_SYSMEM(0x777), dst, len);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	fb_rw(gpu, dst - 16, got, len + 32, false);
	KUNIT_EXPECT_EQ(test, memcmp(got + 16, want, len), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(got, 0xee, 16));
	KUNIT_EXPECT_NULL(test, memchr_inv(got + 16 + len, 0xee, 16));

	/* FB never written to guest memory: zeros, and still not written. */
	memset(gpu->sysmem + 0x5000 - 16, 0xee, zeros + 32);
	copy_line(tc, hole, TEST_SYSMEM(0x5000), zeros);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	KUNIT_EXPECT_NULL(test, memchr_inv(gpu->sysmem + 0x5000, 0, zeros));
	KUNIT_EXPECT_NULL(test, memchr_inv(gpu->sysmem + 0x5000 - 16, 0xee, 16));
	KUNIT_EXPECT_NULL(test, memchr_inv(gpu->sysmem + 0x5000 + zeros, 0xee,
					   16));
	KUNIT_EXPECT_FALSE(test, fb_touched(gpu, hole));
	KUNIT_EXPECT_FALSE(test, fb_touched(gpu, hole + zeros - 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 0);
}

static void vgpu_cap_restore_action(void *old)
{
	WRITE_ONCE(nvkm_vgpu_sim_vram_vgpu_cap_mib, (unsigned int)(uintptr_t)old);
}

/* Scrubs and releases the FB slice, as the manager does when a vGPU goes. */
static void slice_release_action(void *vram)
{
	nvkm_vgpu_sim_vram_scrub(vram, TEST_FB_BASE, TEST_FB_SIZE);
	nvkm_vgpu_sim_vram_release(vram, TEST_FB_BASE);
}

static void test_copy_past_the_fb_budget_faults(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *tc;
	uintptr_t old = READ_ONCE(nvkm_vgpu_sim_vram_vgpu_cap_mib);
	/* A source never written: only the destination takes host memory. */
	u64 src = SZ_512K, dst = TEST_DATA;
	u8 first[16];

	/* The slice gets 1 MiB of host memory; the copy needs 1.5. */
	WRITE_ONCE(nvkm_vgpu_sim_vram_vgpu_cap_mib, 1);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, vgpu_cap_restore_action,
						  (void *)old));
	KUNIT_ASSERT_EQ(test, 0, nvkm_vgpu_sim_vram_reserve(gpu->vram,
							    TEST_FB_BASE,
							    TEST_FB_SIZE));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, slice_release_action,
						  gpu->vram));
	tc = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);
	/* The notifier's page, written before the budget runs out. */
	wr32(gpu, tc->desc.notifier, 0);
	wr32(gpu, src, 0x01020304);
	memset(first, 0xee, sizeof(first));
	fb_rw(gpu, dst, first, sizeof(first), true);
	bind(tc, NVKM_VGPU_CLASS_COPY);
	copy_line(tc, src, dst, SZ_1M + SZ_512K);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_ERROR);
	expect_stopped(test, tc, NVKM_VGPU_CHAN_ERR_MMU_FAULT);
	/* Done in part, up to the budget: the first page was copied. */
	KUNIT_EXPECT_EQ(test, rd32(gpu, dst), 0x01020304u);
	KUNIT_EXPECT_EQ(test, rd32(gpu, dst + 4), 0u);
	KUNIT_EXPECT_FALSE(test, fb_touched(gpu, src + PAGE_SIZE));
	KUNIT_EXPECT_FALSE(test, fb_touched(gpu, dst + SZ_1M + SZ_512K - 1));
	KUNIT_EXPECT_LE(test, nvkm_vgpu_sim_vram_used(gpu->vram),
			(u64)SZ_1M);
}

#define COMPONENTS(size, nsrc, ndst, x, y, z, w)			\
	(((size) - 1) << NVKM_VGPU_REMAP_COMPONENT_SIZE_SHIFT |		\
	 ((nsrc) - 1) << NVKM_VGPU_REMAP_NUM_SRC_SHIFT |		\
	 ((ndst) - 1) << NVKM_VGPU_REMAP_NUM_DST_SHIFT |		\
	 (x) | (y) << 4 | (z) << 8 | (w) << 12)

static void test_memset_and_remap_follow_the_components(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *tc = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);
	u64 dst = TEST_DATA + 0x10, src = TEST_DATA + SZ_64K;
	/* Never read: outside the address space. */
	u64 nowhere = 0x10000000000ull;
	u64 sem = tc->slot + TEST_SEM;
	u64 before, after;
	u8 *buf;
	u32 i;

	buf = kunit_kzalloc(test, SZ_8K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	/* A memset: 1000 elements of CONST_A, 4 bytes each; no input read. */
	bind(tc, NVKM_VGPU_CLASS_COPY);
	PUSH(tc, INC(0, NVKM_VGPU_COPY_OFFSET_IN_UPPER, 4),
	     upper_32_bits(nowhere), lower_32_bits(nowhere), 0,
	     lower_32_bits(dst),
	     INC(0, NVKM_VGPU_COPY_LINE_LENGTH_IN, 1), 1000,
	     INC(0, NVKM_VGPU_COPY_SET_REMAP_CONST_A, 3), 0xdeadbeef, 0,
	     COMPONENTS(4, 1, 1, NVKM_VGPU_REMAP_CONST_A, 0, 0, 0),
	     INC(0, NVKM_VGPU_COPY_SET_SEMAPHORE_A, 3), 0, lower_32_bits(sem),
	     0x1234,
	     INC(0, NVKM_VGPU_COPY_LAUNCH_DMA, 1),
	     LAUNCH_PITCH | NVKM_VGPU_COPY_LAUNCH_REMAP |
	     LAUNCH_SEM(NVKM_VGPU_COPY_LAUNCH_SEM_FOUR_WORD));
	before = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	after = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 0);
	fb_rw(gpu, dst - 0x10, buf, 4016, false);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, buf[i], 0);
	for (i = 0; i < 1000; i++)
		KUNIT_EXPECT_EQ(test, rd32(gpu, dst + 4 * i), 0xdeadbeefu);
	KUNIT_EXPECT_EQ(test, rd32(gpu, dst + 4000), 0u);
	KUNIT_EXPECT_EQ(test, rd32(gpu, sem), 0x1234u);
	KUNIT_EXPECT_EQ(test, rd32(gpu, sem + 4), 0u);
	KUNIT_EXPECT_GE(test, rd64(gpu, sem + 8), before);
	KUNIT_EXPECT_LE(test, rd64(gpu, sem + 8), after);

	/*
	 * A swizzle of 4-byte pixels: out X = in W, Y = CONST_B's low byte,
	 * Z kept, W = in X; 9000 pixels, more than one step of the engine's
	 * bounce buffer. Input byte k is (u8)k.
	 */
	for (i = 0; i < SZ_4K; i++)
		buf[i] = (u8)i;
	for (i = 0; i < 9; i++)
		fb_rw(gpu, src + i * SZ_4K, buf, SZ_4K, true);
	memset(buf, 0x5a, SZ_4K);
	for (i = 0; i < 9; i++)
		fb_rw(gpu, dst + i * SZ_4K, buf, SZ_4K, true);
	PUSH(tc, INC(0, NVKM_VGPU_COPY_OFFSET_IN_UPPER, 4), 0,
	     lower_32_bits(src), 0, lower_32_bits(dst),
	     INC(0, NVKM_VGPU_COPY_LINE_LENGTH_IN, 1), 9000,
	     INC(0, NVKM_VGPU_COPY_SET_REMAP_CONST_B, 2), 0x776655c3,
	     COMPONENTS(1, 4, 4, NVKM_VGPU_REMAP_SRC_W, NVKM_VGPU_REMAP_CONST_B,
			NVKM_VGPU_REMAP_NO_WRITE, NVKM_VGPU_REMAP_SRC_X),
	     INC(0, NVKM_VGPU_COPY_LAUNCH_DMA, 1),
	     LAUNCH_PITCH | NVKM_VGPU_COPY_LAUNCH_REMAP);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 0);
	for (i = 0; i < 9000; i++) {
		u32 px = rd32(gpu, dst + 4 * i);
		u8 x = (u8)(4 * i), w = (u8)(4 * i + 3);

		if (px != (w | 0xc3u << 8 | 0x5au << 16 | (u32)x << 24)) {
			KUNIT_FAIL(test, "pixel %u is %#x", i, px);
			break;
		}
	}
	KUNIT_EXPECT_EQ(test, rd32(gpu, dst + 4 * 9000), 0x5a5a5a5au);
}

static void test_mmu_faults_stop_the_channel(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *fb = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);
	struct test_chan *hole = chan_new(gpu, 1, NVKM_VGPU_ENGINE_CE);
	struct test_chan *sys = chan_desc(gpu, 2, NVKM_VGPU_ENGINE_CE);
	u64 unmapped = TEST_SYSMEM(TEST_SYSMEM_SIZE - 8);

	/* A 64-bit release running past the FB slice's end. */
	PUSH(fb, INC(0, NVKM_VGPU_HOST_SEM_ADDR_LO, 4), TEST_FB_SIZE - 4, 0, 1, 0,
	     INC(0, NVKM_VGPU_HOST_SEM_EXECUTE, 1), SEM_RELEASE | SEM_64);
	KUNIT_EXPECT_EQ(test, run(fb), TURN_ERROR);
	expect_stopped(test, fb, NVKM_VGPU_CHAN_ERR_MMU_FAULT);
	KUNIT_EXPECT_EQ(test, gp_get(fb), 0u);

	/* Between the windows. */
	sem_release(hole, TEST_FB_SIZE, 1);
	KUNIT_EXPECT_EQ(test, run(hole), TURN_ERROR);
	expect_stopped(test, hole, NVKM_VGPU_CHAN_ERR_MMU_FAULT);

	/* A copy from guest memory the guest has not mapped, all of it. */
	sys->desc.notifier = TEST_SYSMEM(0x40);
	chan_make(sys);
	bind(sys, NVKM_VGPU_CLASS_COPY);
	PUSH(sys, INC(0, NVKM_VGPU_COPY_OFFSET_IN_UPPER, 4),
	     upper_32_bits(unmapped), lower_32_bits(unmapped), 0,
	     lower_32_bits(TEST_DATA),
	     INC(0, NVKM_VGPU_COPY_LINE_LENGTH_IN, 1), 16,
	     INC(0, NVKM_VGPU_COPY_LAUNCH_DMA, 1), LAUNCH_PITCH);
	KUNIT_EXPECT_EQ(test, run(sys), TURN_ERROR);
	expect_stopped(test, sys, NVKM_VGPU_CHAN_ERR_MMU_FAULT);
	KUNIT_EXPECT_EQ(test, rd32(gpu, TEST_DATA), 0u);
}

static void test_bad_gpfifo_and_headers_are_pushbuffer_errors(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *op = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);
	struct test_chan *past = chan_new(gpu, 1, NVKM_VGPU_ENGINE_CE);
	struct test_chan *put = chan_new(gpu, 2, NVKM_VGPU_ENGINE_CE);

	/* SEC_OP 6, END_PB_SEGMENT, is not one we run. */
	PUSH(op, HDR(6, 0, NVKM_VGPU_HOST_WFI, 0));
	KUNIT_EXPECT_EQ(test, run(op), TURN_ERROR);
	expect_stopped(test, op, NVKM_VGPU_CHAN_ERR_PUSHBUFFER);

	/* Three data dwords announced, two in the segment. */
	PUSH(past, INC(0, NVKM_VGPU_HOST_SET_REFERENCE, 3), 1, 2);
	KUNIT_EXPECT_EQ(test, run(past), TURN_ERROR);
	expect_stopped(test, past, NVKM_VGPU_CHAN_ERR_PUSHBUFFER);
	KUNIT_EXPECT_EQ(test, rd32(gpu, past->desc.userd +
				   NVKM_VGPU_USERD_REFERENCE), 0u);

	/* GP_PUT past the ring. */
	wr32(gpu, put->desc.userd + NVKM_VGPU_USERD_GP_PUT, TEST_ENTRIES);
	KUNIT_EXPECT_EQ(test, run(put), TURN_ERROR);
	expect_stopped(test, put, NVKM_VGPU_CHAN_ERR_PUSHBUFFER);
}

static void test_bad_methods_are_method_errors(struct kunit *test)
{
	static const u32 bad_launches[] = {
		/* Block linear source, then destination. */
		2 | NVKM_VGPU_COPY_LAUNCH_DST_PITCH,
		2 | NVKM_VGPU_COPY_LAUNCH_SRC_PITCH,
		LAUNCH_PITCH | NVKM_VGPU_COPY_LAUNCH_SRC_PHYSICAL,
		LAUNCH_PITCH | NVKM_VGPU_COPY_LAUNCH_DST_PHYSICAL,
		/* Reserved transfer and semaphore types. */
		3 | NVKM_VGPU_COPY_LAUNCH_SRC_PITCH |
		NVKM_VGPU_COPY_LAUNCH_DST_PITCH,
		LAUNCH_SEM(3),
	};
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *tc;
	unsigned int i, slot = 0;

	/* An unknown host method, a semaphore operation we do not run. */
	tc = chan_new(gpu, slot++, NVKM_VGPU_ENGINE_CE);
	PUSH(tc, INC(0, 0x0004, 1), 0);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_ERROR);
	expect_stopped(test, tc, NVKM_VGPU_CHAN_ERR_METHOD);
	tc = chan_new(gpu, slot++, NVKM_VGPU_ENGINE_CE);
	PUSH(tc, INC(0, NVKM_VGPU_HOST_SEM_EXECUTE, 1), 3);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_ERROR);
	expect_stopped(test, tc, NVKM_VGPU_CHAN_ERR_METHOD);

	for (i = 0; i < ARRAY_SIZE(bad_launches); i++) {
		tc = chan_new(gpu, slot++, NVKM_VGPU_ENGINE_CE);
		bind(tc, NVKM_VGPU_CLASS_COPY);
		PUSH(tc, INC(0, NVKM_VGPU_COPY_LINE_LENGTH_IN, 1), 16,
		     INC(0, NVKM_VGPU_COPY_LAUNCH_DMA, 1), bad_launches[i]);
		KUNIT_EXPECT_EQ_MSG(test, run(tc), TURN_ERROR, "launch %#x",
				    bad_launches[i]);
		expect_stopped(test, tc, NVKM_VGPU_CHAN_ERR_METHOD);
	}

	/* 2^32 - 1 lines of 2^32 - 1 bytes: more than the slice. */
	tc = chan_new(gpu, slot++, NVKM_VGPU_ENGINE_CE);
	bind(tc, NVKM_VGPU_CLASS_COPY);
	PUSH(tc, INC(0, NVKM_VGPU_COPY_LINE_LENGTH_IN, 2), ~0u, ~0u,
	     INC(0, NVKM_VGPU_COPY_LAUNCH_DMA, 1),
	     LAUNCH_PITCH | NVKM_VGPU_COPY_LAUNCH_MULTI_LINE);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_ERROR);
	expect_stopped(test, tc, NVKM_VGPU_CHAN_ERR_METHOD);

	/* The busy class: LAUNCH data must be 0; no method 0x20c. */
	tc = chan_new(gpu, slot++, NVKM_VGPU_ENGINE_GR);
	bind(tc, NVKM_VGPU_CLASS_SIM_BUSY);
	PUSH(tc, INC(0, NVKM_VGPU_SIM_BUSY_LAUNCH, 1), 1);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_ERROR);
	expect_stopped(test, tc, NVKM_VGPU_CHAN_ERR_METHOD);
	tc = chan_new(gpu, slot++, NVKM_VGPU_ENGINE_GR);
	bind(tc, NVKM_VGPU_CLASS_SIM_BUSY);
	PUSH(tc, INC(0, NVKM_VGPU_SIM_BUSY_LAUNCH + 4, 1), 0);
	KUNIT_EXPECT_EQ(test, run(tc), TURN_ERROR);
	expect_stopped(test, tc, NVKM_VGPU_CHAN_ERR_METHOD);
}

static void test_chan_create_refuses_what_the_gpu_lacks(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *tc = chan_desc(gpu, 0, NVKM_VGPU_ENGINE_CE);
	struct nvkm_vgpu_chan_desc desc;

	desc = tc->desc;
	desc.runlist = 1;
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_sim_chan_new(&gpu->engines, &desc)),
			-EINVAL);
	desc = tc->desc;
	desc.engine = NVKM_VGPU_ENGINE_NVDEC;
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_sim_chan_new(&gpu->engines, &desc)),
			-EINVAL);
	desc = tc->desc;
	desc.gpfifo_entries = 12;
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_sim_chan_new(&gpu->engines, &desc)),
			-EINVAL);
	desc = tc->desc;
	desc.fb_size = TEST_VRAM_SIZE;
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_sim_chan_new(&gpu->engines, &desc)),
			-EINVAL);
}

static void test_busy_launch_keeps_the_engine_busy(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, false);
	struct test_chan *tc = chan_new(gpu, 0, NVKM_VGPU_ENGINE_GR);
	u64 start, ns = 3 * NSEC_PER_MSEC;

	bind(tc, NVKM_VGPU_CLASS_SIM_BUSY);
	PUSH(tc, INC(0, NVKM_VGPU_SIM_BUSY_NS_LO, 3), lower_32_bits(ns),
	     upper_32_bits(ns), 0);
	start = ktime_get_ns();
	KUNIT_EXPECT_EQ(test, run(tc), TURN_IDLE);
	KUNIT_EXPECT_GE(test, ktime_get_ns() - start, ns);
	KUNIT_EXPECT_EQ(test, gp_get(tc), 2u);
	KUNIT_EXPECT_EQ(test, atomic_read(&tc->errors), 0);
}

/* Waits up to @ms for the 32-bit word at @addr to read @val. */
static bool wait_for_word(struct test_gpu *gpu, u64 addr, u32 val,
			  unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);

	while (rd32(gpu, addr) != val) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(500, 1000);
	}
	return true;
}

/* Waits up to @ms for @tc to be the channel its engine runs. */
/*
 * Until @tc's LAUNCH is under way on its engine's thread: running alone
 * may be the turn's first methods, which a switch ends cleanly.
 */
static bool wait_launching(struct test_chan *tc, unsigned int ms)
{
	struct nvkm_vgpu_sim_engine *eng = tc->chan->engine;
	unsigned long end = jiffies + msecs_to_jiffies(ms);

	while (READ_ONCE(eng->running) != tc->chan ||
	       !READ_ONCE(tc->chan->exec.busy.deadline_ns)) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(500, 1000);
	}
	return true;
}

/* A long busy launch on @tc, kicked. */
static void busy_forever(struct test_chan *tc)
{
	u64 ns = 60ull * NSEC_PER_SEC;

	bind(tc, NVKM_VGPU_CLASS_SIM_BUSY);
	PUSH(tc, INC(0, NVKM_VGPU_SIM_BUSY_NS_LO, 3), lower_32_bits(ns),
	     upper_32_bits(ns), 0);
	nvkm_vgpu_sim_chan_kick(tc->chan);
}

static void test_kicked_channels_run_on_the_engine_thread(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, true);
	struct test_chan *a = chan_new(gpu, 0, NVKM_VGPU_ENGINE_CE);
	struct test_chan *b = chan_new(gpu, 1, NVKM_VGPU_ENGINE_CE);
	u64 sem = TEST_SYSMEM(0x300);

	/* A waits for B's release, then releases its own. */
	PUSH(a, INC(0, NVKM_VGPU_HOST_SEM_ADDR_LO, 4), lower_32_bits(sem),
	     upper_32_bits(sem), 1, 0,
	     INC(0, NVKM_VGPU_HOST_SEM_EXECUTE, 1), SEM_ACQUIRE);
	sem_release(a, sem + 4, 2);
	nvkm_vgpu_sim_chan_kick(a->chan);
	KUNIT_EXPECT_FALSE(test, wait_for_word(gpu, sem + 4, 2, 20));

	sem_release(b, sem, 1);
	nvkm_vgpu_sim_chan_kick(b->chan);
	KUNIT_EXPECT_TRUE(test, wait_for_word(gpu, sem + 4, 2, 5000));
	KUNIT_EXPECT_TRUE(test, wait_for_word(gpu, a->desc.userd +
					      NVKM_VGPU_USERD_GP_GET, 2, 5000));
	KUNIT_EXPECT_EQ(test, gp_get(b), 1u);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->errors), 0);
}

/* @n busy launches of @ms each, SET_REFERENCE i after the i-th; kicked. */
static void busy_launches(struct test_chan *tc, unsigned int n, unsigned int ms)
{
	u64 ns = (u64)ms * NSEC_PER_MSEC;
	u32 dw[4 * 16];
	unsigned int i;

	KUNIT_ASSERT_LE(tc->gpu->test, n, 16u);
	bind(tc, NVKM_VGPU_CLASS_SIM_BUSY);
	PUSH(tc, INC(0, NVKM_VGPU_SIM_BUSY_NS_LO, 2), lower_32_bits(ns),
	     upper_32_bits(ns));
	for (i = 0; i < n; i++) {
		dw[4 * i] = INC(0, NVKM_VGPU_SIM_BUSY_LAUNCH, 1);
		dw[4 * i + 1] = 0;
		dw[4 * i + 2] = INC(0, NVKM_VGPU_HOST_SET_REFERENCE, 1);
		dw[4 * i + 3] = i + 1;
	}
	push(tc, dw, 4 * n);
	nvkm_vgpu_sim_chan_kick(tc->chan);
}

static u32 reference(struct test_chan *tc)
{
	return rd32(tc->gpu, tc->desc.userd + NVKM_VGPU_USERD_REFERENCE);
}

static void test_timeslices_share_an_engine(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, true);
	struct test_chan *a = chan_new(gpu, 0, NVKM_VGPU_ENGINE_GR);
	struct test_chan *b = chan_new(gpu, 1, NVKM_VGPU_ENGINE_GR);
	u32 b_then;

	/* 1 ms slices, 5 ms launches: the channels take turns by launch. */
	busy_launches(a, 10, 5);
	busy_launches(b, 10, 5);
	KUNIT_ASSERT_TRUE(test, wait_for_word(gpu, a->desc.userd +
					      NVKM_VGPU_USERD_REFERENCE, 10,
					      10000));
	b_then = reference(b);
	KUNIT_EXPECT_GE(test, b_then, 5u);
	KUNIT_EXPECT_TRUE(test, wait_for_word(gpu, b->desc.userd +
					      NVKM_VGPU_USERD_REFERENCE, 10,
					      10000));
	KUNIT_EXPECT_EQ(test, atomic_read(&a->errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->errors), 0);
}

static void test_long_launch_stops_at_the_preemption_timeout(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, true);
	struct test_chan *hog = chan_desc(gpu, 0, NVKM_VGPU_ENGINE_GR);
	struct test_chan *other = chan_new(gpu, 1, NVKM_VGPU_ENGINE_GR);
	u64 sem = other->slot + TEST_SEM;
	unsigned long start;

	hog->desc.preempt_timeout_us = 20000;
	chan_make(hog);
	busy_forever(hog);
	KUNIT_ASSERT_TRUE(test, wait_launching(hog, 5000));

	/* Past the hog's timeslice; the other channel is waiting. */
	start = jiffies;
	sem_release(other, sem, 1);
	nvkm_vgpu_sim_chan_kick(other->chan);
	KUNIT_ASSERT_NE(test, 0ul, wait_for_completion_timeout(&hog->stopped,
							       10 * HZ));
	expect_stopped(test, hog, NVKM_VGPU_CHAN_ERR_TIMEOUT);
	KUNIT_EXPECT_TRUE(test, wait_for_word(gpu, sem, 1, 5000));
	/* Not the 60 s the launch asked for. */
	KUNIT_EXPECT_LT(test, jiffies_to_msecs(jiffies - start), 5000u);
	KUNIT_EXPECT_EQ(test, atomic_read(&other->errors), 0);
}

static void test_preempt_returns_once_off_the_engine(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, true);
	struct test_chan *idle = chan_new(gpu, 0, NVKM_VGPU_ENGINE_GR);
	struct test_chan *hog = chan_desc(gpu, 1, NVKM_VGPU_ENGINE_GR);
	unsigned long start;

	/* Not running: returns at once, nothing reported. */
	nvkm_vgpu_sim_chan_preempt(idle->chan);
	KUNIT_EXPECT_EQ(test, atomic_read(&idle->errors), 0);

	/* A method that cannot stop runs to the preemption timeout. */
	hog->desc.preempt_timeout_us = 20000;
	chan_make(hog);
	busy_forever(hog);
	KUNIT_ASSERT_TRUE(test, wait_launching(hog, 5000));
	start = jiffies;
	nvkm_vgpu_sim_chan_preempt(hog->chan);
	KUNIT_EXPECT_LT(test, jiffies_to_msecs(jiffies - start), 5000u);
	KUNIT_EXPECT_PTR_NE(test, READ_ONCE(hog->chan->engine->running),
			    hog->chan);
	KUNIT_EXPECT_EQ(test, atomic_read(&hog->errors), 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(hog->code), NVKM_VGPU_CHAN_ERR_TIMEOUT);
}

static void test_destroy_ends_a_running_method_at_once(struct kunit *test)
{
	struct test_gpu *gpu = gpu_new(test, true);
	struct test_chan *hog = chan_new(gpu, 0, NVKM_VGPU_ENGINE_GR);
	unsigned long start;

	busy_forever(hog);
	KUNIT_ASSERT_TRUE(test, wait_launching(hog, 5000));
	start = jiffies;
	kunit_release_action(test, chan_del_action, hog);
	KUNIT_EXPECT_LT(test, jiffies_to_msecs(jiffies - start), 1000u);
	/* Killed, not stopped: nothing reported. */
	KUNIT_EXPECT_EQ(test, atomic_read(&hog->errors), 0);
}

static struct kunit_case nvkm_vgpu_sim_chan_cases[] = {
	KUNIT_CASE(test_headers_of_each_kind_reach_their_methods),
	KUNIT_CASE(test_empty_entries_and_gpfifo_wrap),
	KUNIT_CASE(test_set_object_binds_host_and_the_engine_class_only),
	KUNIT_CASE(test_engine_methods_need_the_engine_object),
	KUNIT_CASE(test_reset_clears_error_position_and_bindings),
	KUNIT_CASE(test_semaphore_releases_write_4_8_or_16_bytes),
	KUNIT_CASE(test_semaphore_acquire_parks_until_satisfied),
	KUNIT_CASE(test_copy_moves_lines_byte_for_byte),
	KUNIT_CASE(test_copy_fb_to_fb_crosses_pages_at_any_offset),
	KUNIT_CASE(test_copy_between_fb_and_guest_memory_crosses_pages),
	KUNIT_CASE(test_copy_past_the_fb_budget_faults),
	KUNIT_CASE(test_memset_and_remap_follow_the_components),
	KUNIT_CASE(test_mmu_faults_stop_the_channel),
	KUNIT_CASE(test_bad_gpfifo_and_headers_are_pushbuffer_errors),
	KUNIT_CASE(test_bad_methods_are_method_errors),
	KUNIT_CASE(test_chan_create_refuses_what_the_gpu_lacks),
	KUNIT_CASE(test_busy_launch_keeps_the_engine_busy),
	KUNIT_CASE(test_kicked_channels_run_on_the_engine_thread),
	KUNIT_CASE(test_timeslices_share_an_engine),
	KUNIT_CASE(test_long_launch_stops_at_the_preemption_timeout),
	KUNIT_CASE(test_preempt_returns_once_off_the_engine),
	KUNIT_CASE(test_destroy_ends_a_running_method_at_once),
	{}
};

static struct kunit_suite nvkm_vgpu_sim_chan_suite = {
	.name = "nvkm_vgpu_sim_chan",
	.test_cases = nvkm_vgpu_sim_chan_cases,
};

kunit_test_suite(nvkm_vgpu_sim_chan_suite);
