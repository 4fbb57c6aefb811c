// SPDX-License-Identifier: GPL-2.0
/*
 * The nouveau backend's guest channels (nvkm_glue/nouveau/chan/) against
 * the fake device, fakes of patches 0005 and 0006 and a fake round-robin
 * scheduler (glue_fakes.c): what the backend asks nouveau to make, which
 * vGPU's channels its runlist threads put on the runlist and when, what
 * they report to the scheduler, and how nouveau's error and non-stall
 * notifications reach the manager. USERD and the error notifier live in
 * the fakes' BAR1 (RAM pages, as in glue_test.c), where the case plays
 * the GPU: it moves GP_GET.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/sizes.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "glue/chan/chan.h"
#include "glue/fb.h"
#include "glue_fakes.h"

#define SLICE_SIZE SZ_1M
#define GPFIFO 0x10000
#define USERD 0x20000
#define NOTIFIER 0x30000

/* The manager's side of the channels: counts what it is told. */
struct test_host {
	atomic_t nonstalls;
	atomic_t errors;
	u32 code;
};

static int test_host_sysmem_rw(void *host, u64 iova, void *buf, size_t len,
			       bool write)
{
	return -EFAULT;
}

static void test_host_nonstall(void *data)
{
	struct test_host *host = data;

	atomic_inc(&host->nonstalls);
}

static void test_host_error(void *data, u32 code)
{
	struct test_host *host = data;

	WRITE_ONCE(host->code, code);
	atomic_inc(&host->errors);
}

static const struct nvkm_vgpu_chan_host_ops test_host_ops = {
	.sysmem_rw = test_host_sysmem_rw,
	.nonstall = test_host_nonstall,
	.error = test_host_error,
};

/*
 * A GPU whose carve-out's first @vgpus MiB are reserved one MiB per vGPU,
 * in order, so that BAR1 offsets are carve-out offsets; its channels
 * enabled or not; a fake scheduler of @vgpus entities on CE runlist 1.
 */
struct test_gpu {
	struct fake_gpu *f;
	struct nvkm_vgpu_nouveau_fb *fb;
	struct nvkm_vgpu_nouveau_chans chans;
	struct nvkm_vgpu_sched sched;
	struct test_host host[GLUE_FAKE_ENTITIES];
	u8 *bar1;
	int vgpus;
};

static void test_gpu_fini(void *data)
{
	struct test_gpu *g = data;
	int i;

	nvkm_vgpu_nouveau_chans_fini(&g->chans);
	for (i = 0; i < g->vgpus; i++)
		nvkm_vgpu_nouveau_fb_release(g->fb, (u64)i * SLICE_SIZE);
	nvkm_vgpu_nouveau_fb_fini(g->fb);
}

static struct test_gpu *test_gpu_new(struct kunit *test, int vgpus,
				     bool enabled)
{
	struct test_gpu *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, g);
	g->f = fake_gpu_new(test, 2048, 2048);
	g->bar1 = fake_bar1_new(test);
	g->fb = fb_new(test, g->f);
	glue_fake_chans_reset(test);
	for (i = 0; i < vgpus; i++)
		KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(g->fb,
								   (u64)i * SLICE_SIZE,
								   SLICE_SIZE), 0);
	g->vgpus = vgpus;
	nvkm_vgpu_nouveau_chans_init(&g->chans, &g->f->device, g->fb, g->f->dev,
				     enabled);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, test_gpu_fini, g));
	glue_fake_sched_init(&g->sched, vgpus, 2 * NSEC_PER_MSEC);
	return g;
}

/* A copy channel of vGPU @vgpu on CE @runlist (1 and 2: NVKM runlist 1). */
static struct nvkm_vgpu_chan_desc test_desc(struct test_gpu *g, int vgpu,
					    u32 chid, u32 runlist)
{
	return (struct nvkm_vgpu_chan_desc) {
		.chid = chid,
		.engine = NVKM_VGPU_ENGINE_CE,
		.runlist = runlist,
		.fb_base = (u64)vgpu * SLICE_SIZE,
		.fb_size = SLICE_SIZE,
		.gpfifo = GPFIFO,
		.gpfifo_entries = 64,
		.userd = USERD,
		.notifier = NOTIFIER,
		.timeslice_us = 1000,
		.preempt_timeout_us = 1000,
		.sched = &g->sched.entity[vgpu],
		.host_ops = &test_host_ops,
		.host = &g->host[vgpu],
	};
}

static void *test_chan_new(struct kunit *test, struct test_gpu *g, int vgpu,
			   u32 chid)
{
	struct nvkm_vgpu_chan_desc desc = test_desc(g, vgpu, chid, 1);
	void *chan = nvkm_vgpu_nouveau_chan_create(&g->chans, &desc);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, chan);
	return chan;
}

/* USERD's GP_GET and GP_PUT of @vgpu's channels (one USERD per vGPU). */
static void test_userd_set(struct test_gpu *g, int vgpu, u32 get, u32 put)
{
	u32 *userd = (u32 *)(g->bar1 + (u64)vgpu * SLICE_SIZE + USERD);

	WRITE_ONCE(userd[NVKM_VGPU_USERD_GP_GET / 4], get);
	WRITE_ONCE(userd[NVKM_VGPU_USERD_GP_PUT / 4], put);
}

static struct glue_fake_chan test_fake_chan(int i)
{
	struct glue_fake_chan copy;

	spin_lock(&glue_fake_chans.lock);
	copy = *glue_fake_chans.chan[i];
	spin_unlock(&glue_fake_chans.lock);
	return copy;
}

/* Polls @cond for up to 2 s: the runlist threads run on their own. */
#define test_wait(cond) ({						\
	unsigned long __end = jiffies + 2 * HZ;				\
	bool __ok;							\
	while (!(__ok = (cond)) && time_before(jiffies, __end))		\
		usleep_range(500, 1000);				\
	__ok;								\
})

/*
 * A channel of vGPU @vgpu with one GPFIFO entry pending, kicked, and on
 * the runlist: the start of most cases.
 */
static void *test_busy_chan_new(struct kunit *test, struct test_gpu *g,
				int vgpu, u32 chid)
{
	void *chan = test_chan_new(test, g, vgpu, chid);
	int i = glue_fake_chans.chan_nr - 1;

	test_userd_set(g, vgpu, 0, 1);
	nvkm_vgpu_nouveau_chan_kick(chan);
	KUNIT_ASSERT_TRUE(test, test_wait(test_fake_chan(i).on));
	return chan;
}

static void test_chan_refused_when_off_pre_volta_not_copy_or_outside_fb(struct kunit *test)
{
	struct test_gpu *g = test_gpu_new(test, 1, false);
	struct nvkm_vgpu_chan_desc desc = test_desc(g, 0, 1024, 1);

	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_nouveau_chan_create(&g->chans, &desc)),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.vmm_news, 0);

	g->chans.enabled = true;
	/* Pascal: USERD in nouveau's BAR, no doorbell. */
	g->f->device.card_type = GP100;
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_nouveau_chan_create(&g->chans, &desc)),
			-EOPNOTSUPP);
	g->f->device.card_type = GA100;
	desc.engine = NVKM_VGPU_ENGINE_GR;
	desc.runlist = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_nouveau_chan_create(&g->chans, &desc)),
			-EOPNOTSUPP);
	/* Three copy engines: 0 on runlist 0, 1 and 2 on runlist 1. */
	desc = test_desc(g, 0, 1024, 3);
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_nouveau_chan_create(&g->chans, &desc)),
			-EINVAL);
	desc = test_desc(g, 0, 1024, 1);
	desc.gpfifo = NVKM_VGPU_VA_SYSMEM;
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_nouveau_chan_create(&g->chans, &desc)),
			-EOPNOTSUPP);
	desc = test_desc(g, 0, 1024, 1);
	desc.userd = SLICE_SIZE - NVKM_VGPU_USERD_SIZE / 2;
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_nouveau_chan_create(&g->chans, &desc)),
			-EINVAL);
	desc = test_desc(g, 0, 1024, 1);
	desc.notifier = SLICE_SIZE - 8;
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_nouveau_chan_create(&g->chans, &desc)),
			-EOPNOTSUPP);
	desc = test_desc(g, 0, 1024, 1);
	desc.gpfifo_entries = 48;
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_nouveau_chan_create(&g->chans, &desc)),
			-EINVAL);

	/* nouveau's own refusal passes through, leaving nothing behind. */
	glue_fake_chans.chan_new_ret = -EBUSY;
	desc = test_desc(g, 0, 1024, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_nouveau_chan_create(&g->chans, &desc)),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.vmm_news, 1);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.vmm_dels, 1);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.chan_nr, 0);
}

static void test_chan_one_address_space_per_vgpu_freed_with_its_last_channel(struct kunit *test)
{
	struct test_gpu *g = test_gpu_new(test, 2, true);
	struct nvkm_vgpu_chan_desc desc = test_desc(g, 1, 1030, 2);
	void *a0, *a1, *b0;
	struct glue_fake_chan c;

	a0 = test_chan_new(test, g, 0, 1024);
	a1 = test_chan_new(test, g, 0, 1025);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.vmm_news, 1);
	b0 = nvkm_vgpu_nouveau_chan_create(&g->chans, &desc);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b0);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.vmm_news, 2);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.vmm_maps, 2);
	/* B's slice, at GPU address 0 of its own address space. */
	KUNIT_EXPECT_EQ(test, glue_fake_chans.map_addr, 0ULL);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.map_offset, (u64)SLICE_SIZE);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.map_size, (u64)SLICE_SIZE);

	/* What nouveau was asked for: B's channel on CE 2, runlist 1. */
	c = test_fake_chan(2);
	KUNIT_EXPECT_EQ(test, c.args.runl, 1);
	KUNIT_EXPECT_EQ(test, c.args.chid, 1030);
	KUNIT_EXPECT_EQ(test, c.args.gpfifo, (u64)GPFIFO);
	KUNIT_EXPECT_EQ(test, c.args.entries, 64U);
	KUNIT_EXPECT_EQ(test, c.args.userd, (u64)SLICE_SIZE + USERD);
	KUNIT_EXPECT_PTR_EQ(test, test_fake_chan(0).args.vmm, test_fake_chan(1).args.vmm);
	KUNIT_EXPECT_PTR_NE(test, test_fake_chan(0).args.vmm, c.args.vmm);
	KUNIT_EXPECT_FALSE(test, c.on);

	nvkm_vgpu_nouveau_chan_destroy(&g->chans, a0);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.vmm_dels, 0);
	nvkm_vgpu_nouveau_chan_destroy(&g->chans, a1);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.vmm_dels, 1);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.vmm_unmaps, 1);
	nvkm_vgpu_nouveau_chan_destroy(&g->chans, b0);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.vmm_dels, 2);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.chan_dels, 3);
}

static void test_chan_kick_runs_the_vgpu_until_its_userd_is_drained(struct kunit *test)
{
	struct test_gpu *g = test_gpu_new(test, 1, true);
	struct nvkm_vgpu_sched_entity *e = &g->sched.entity[0];
	void *chan = test_chan_new(test, g, 0, 1024);
	struct nvkm_vgpu_sched_entity got;
	u64 t0 = ktime_get_ns();

	/* Work for the GPU, then the doorbell. */
	test_userd_set(g, 0, 0, 3);
	nvkm_vgpu_nouveau_chan_kick(chan);
	KUNIT_EXPECT_TRUE(test, test_wait(test_fake_chan(0).on && test_fake_chan(0).kicks));
	KUNIT_EXPECT_EQ(test, glue_fake_entity(e).queued, 1);
	/* Still pending across several slices: it stays on. */
	KUNIT_EXPECT_TRUE(test, test_wait(glue_fake_entity(e).slices >= 3));
	got = glue_fake_entity(e);
	KUNIT_EXPECT_TRUE(test, got.work_left);
	KUNIT_EXPECT_EQ(test, test_fake_chan(0).inserts, 1);

	/* The GPU fetched it all: idle, out of the manager's queue. */
	test_userd_set(g, 0, 3, 3);
	KUNIT_EXPECT_TRUE(test, test_wait(glue_fake_entity(e).queued == 0));
	got = glue_fake_entity(e);
	KUNIT_EXPECT_FALSE(test, got.work_left);
	/* Busy for the three 2 ms slices it was pending, at most the run. */
	KUNIT_EXPECT_GE(test, got.busy_ns, 3 * 2 * NSEC_PER_MSEC);
	KUNIT_EXPECT_LE(test, got.busy_ns, ktime_get_ns() - t0);

	nvkm_vgpu_nouveau_chan_destroy(&g->chans, chan);
	KUNIT_EXPECT_FALSE(test, test_fake_chan(0).on);
	KUNIT_EXPECT_EQ(test, test_fake_chan(0).removes, 1);
}

static void test_chan_two_busy_vgpus_take_turns_never_together(struct kunit *test)
{
	struct test_gpu *g = test_gpu_new(test, 2, true);
	void *a = test_chan_new(test, g, 0, 1024);
	void *b = test_chan_new(test, g, 1, 1025);
	struct nvkm_vgpu_sched_entity ga, gb;

	test_userd_set(g, 0, 0, 1);
	test_userd_set(g, 1, 0, 1);
	nvkm_vgpu_nouveau_chan_kick(a);
	nvkm_vgpu_nouveau_chan_kick(b);
	/* 2 ms slices: each vGPU on and off the runlist several times. */
	KUNIT_EXPECT_TRUE(test, test_wait(test_fake_chan(0).inserts >= 5 &&
					  test_fake_chan(1).inserts >= 5));
	ga = glue_fake_entity(&g->sched.entity[0]);
	gb = glue_fake_entity(&g->sched.entity[1]);
	KUNIT_EXPECT_GE(test, ga.picks, 5);
	KUNIT_EXPECT_GE(test, gb.picks, 5);
	KUNIT_EXPECT_EQ(test, glue_fake_chans.mixed, 0);
	/* Each came off before the other went on. */
	KUNIT_EXPECT_GE(test, test_fake_chan(0).removes, 4);
	KUNIT_EXPECT_GE(test, test_fake_chan(1).removes, 4);

	test_userd_set(g, 0, 1, 1);
	test_userd_set(g, 1, 1, 1);
	KUNIT_EXPECT_TRUE(test, test_wait(glue_fake_entity(&g->sched.entity[0]).queued == 0 &&
					  glue_fake_entity(&g->sched.entity[1]).queued == 0));
	nvkm_vgpu_nouveau_chan_destroy(&g->chans, a);
	nvkm_vgpu_nouveau_chan_destroy(&g->chans, b);
}

static void test_chan_error_writes_the_notifier_then_tells_the_manager(struct kunit *test)
{
	struct test_gpu *g = test_gpu_new(test, 1, true);
	struct nvkm_vgpu_notifier *notifier =
		(struct nvkm_vgpu_notifier *)(g->bar1 + NOTIFIER);
	void *chan = test_busy_chan_new(test, g, 0, 1024);
	struct glue_fake_chan c;

	/* nouveau stops the channel: its notification is atomic. */
	c = test_fake_chan(0);
	local_irq_disable();
	c.args.error(c.args.data);
	local_irq_enable();
	KUNIT_EXPECT_TRUE(test, test_wait(atomic_read(&g->host[0].errors) == 1));
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->host[0].code), NVKM_VGPU_CHAN_ERR_MMU_FAULT);
	KUNIT_EXPECT_EQ(test, notifier->info32, NVKM_VGPU_CHAN_ERR_MMU_FAULT);
	KUNIT_EXPECT_EQ(test, notifier->status, NVKM_VGPU_NOTIFIER_STATUS_ERROR);
	KUNIT_EXPECT_NE(test, notifier->timestamp, 0ULL);
	KUNIT_EXPECT_EQ(test, glue_fake_entity(&g->sched.entity[0]).queued, 0);

	/* Kicks do nothing until a reset. */
	nvkm_vgpu_nouveau_chan_kick(chan);
	KUNIT_EXPECT_EQ(test, glue_fake_entity(&g->sched.entity[0]).queued, 0);
	nvkm_vgpu_nouveau_chan_reset(chan);
	c = test_fake_chan(0);
	KUNIT_EXPECT_EQ(test, c.resets, 1);
	KUNIT_EXPECT_FALSE(test, c.on);
	nvkm_vgpu_nouveau_chan_kick(chan);
	KUNIT_EXPECT_TRUE(test, test_wait(test_fake_chan(0).inserts == 2));
	KUNIT_EXPECT_EQ(test, atomic_read(&g->host[0].errors), 1);

	test_userd_set(g, 0, 1, 1);
	nvkm_vgpu_nouveau_chan_destroy(&g->chans, chan);
}

static void test_chan_preemption_timeout_is_reported_as_timeout(struct kunit *test)
{
	struct test_gpu *g = test_gpu_new(test, 1, true);
	struct nvkm_vgpu_notifier *notifier =
		(struct nvkm_vgpu_notifier *)(g->bar1 + NOTIFIER);
	void *chan = test_busy_chan_new(test, g, 0, 1024);

	/* The method does not stop in time: nouveau stops the channel. */
	spin_lock(&glue_fake_chans.lock);
	glue_fake_chans.chan[0]->remove_ret = -ETIMEDOUT;
	spin_unlock(&glue_fake_chans.lock);
	nvkm_vgpu_nouveau_chan_preempt(chan);
	KUNIT_EXPECT_FALSE(test, test_fake_chan(0).on);
	KUNIT_EXPECT_TRUE(test, test_wait(atomic_read(&g->host[0].errors) == 1));
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->host[0].code), NVKM_VGPU_CHAN_ERR_TIMEOUT);
	KUNIT_EXPECT_EQ(test, notifier->info32, NVKM_VGPU_CHAN_ERR_TIMEOUT);
	/* Errored: the thread does not put it back. */
	msleep(20);
	KUNIT_EXPECT_EQ(test, test_fake_chan(0).inserts, 1);

	nvkm_vgpu_nouveau_chan_destroy(&g->chans, chan);
}

static void test_chan_preempt_takes_it_off_and_work_puts_it_back(struct kunit *test)
{
	struct test_gpu *g = test_gpu_new(test, 1, true);
	void *chan = test_busy_chan_new(test, g, 0, 1024);

	nvkm_vgpu_nouveau_chan_preempt(chan);
	KUNIT_EXPECT_GE(test, test_fake_chan(0).removes, 1);
	/* Work left: the thread puts it back. */
	KUNIT_EXPECT_TRUE(test, test_wait(test_fake_chan(0).inserts >= 2));
	KUNIT_EXPECT_EQ(test, atomic_read(&g->host[0].errors), 0);

	test_userd_set(g, 0, 1, 1);
	nvkm_vgpu_nouveau_chan_destroy(&g->chans, chan);
}

static void test_chan_nonstall_reaches_only_channels_on_the_runlist(struct kunit *test)
{
	struct test_gpu *g = test_gpu_new(test, 2, true);
	void *a = test_busy_chan_new(test, g, 0, 1024);
	void *b = test_chan_new(test, g, 1, 1025);
	struct glue_fake_chan ca, cb;

	/* The runlist's event reaches every channel's callback. */
	ca = test_fake_chan(0);
	cb = test_fake_chan(1);
	local_irq_disable();
	ca.args.nonstall(ca.args.data);
	cb.args.nonstall(cb.args.data);
	local_irq_enable();
	KUNIT_EXPECT_TRUE(test, test_wait(atomic_read(&g->host[0].nonstalls) == 1));
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&g->host[1].nonstalls), 0);

	test_userd_set(g, 0, 1, 1);
	nvkm_vgpu_nouveau_chan_destroy(&g->chans, a);
	nvkm_vgpu_nouveau_chan_destroy(&g->chans, b);
	KUNIT_EXPECT_EQ(test, atomic_read(&g->host[0].nonstalls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&g->host[0].errors), 0);
}

static void test_chan_destroy_ends_its_vgpus_slice_for_good(struct kunit *test)
{
	struct test_gpu *g = test_gpu_new(test, 1, true);
	struct nvkm_vgpu_sched_entity *e = &g->sched.entity[0];
	void *chan = test_chan_new(test, g, 0, 1024);
	int picks, slices;

	/* A long slice, so that it is the destroy that ends it. */
	g->sched.slice_ns = 10ULL * NSEC_PER_SEC;
	test_userd_set(g, 0, 0, 1);
	nvkm_vgpu_nouveau_chan_kick(chan);
	KUNIT_ASSERT_TRUE(test, test_wait(test_fake_chan(0).on));
	picks = glue_fake_entity(e).picks;
	slices = glue_fake_entity(e).slices;
	KUNIT_EXPECT_EQ(test, slices, picks - 1);

	nvkm_vgpu_nouveau_chan_destroy(&g->chans, chan);
	KUNIT_EXPECT_EQ(test, glue_fake_entity(e).slices, picks);
	KUNIT_EXPECT_FALSE(test, glue_fake_entity(e).work_left);
	KUNIT_EXPECT_EQ(test, glue_fake_entity(e).queued, 0);
	/* The manager may free the entity now: the thread never uses it again. */
	msleep(20);
	KUNIT_EXPECT_EQ(test, glue_fake_entity(e).slices, picks);
	KUNIT_EXPECT_EQ(test, glue_fake_entity(e).picks, picks);
}

static struct kunit_case nvkm_glue_chan_test_cases[] = {
	KUNIT_CASE(test_chan_refused_when_off_pre_volta_not_copy_or_outside_fb),
	KUNIT_CASE(test_chan_one_address_space_per_vgpu_freed_with_its_last_channel),
	KUNIT_CASE(test_chan_kick_runs_the_vgpu_until_its_userd_is_drained),
	KUNIT_CASE(test_chan_two_busy_vgpus_take_turns_never_together),
	KUNIT_CASE(test_chan_error_writes_the_notifier_then_tells_the_manager),
	KUNIT_CASE(test_chan_preemption_timeout_is_reported_as_timeout),
	KUNIT_CASE(test_chan_preempt_takes_it_off_and_work_puts_it_back),
	KUNIT_CASE(test_chan_nonstall_reaches_only_channels_on_the_runlist),
	KUNIT_CASE(test_chan_destroy_ends_its_vgpus_slice_for_good),
	{}
};

static struct kunit_suite nvkm_glue_chan_test_suite = {
	.name = "nvkm_vgpu_nouveau_chan",
	.test_cases = nvkm_glue_chan_test_cases,
};

kunit_test_suite(nvkm_glue_chan_test_suite);
