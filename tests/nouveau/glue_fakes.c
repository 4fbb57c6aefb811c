// SPDX-License-Identifier: GPL-2.0
/*
 * A fake NVKM device, and fakes of the NVKM calls the nouveau backend
 * makes (patches 0002-0006) and of the manager's scheduler calls,
 * for the backend's glue compiled into this test module: a carve-out of a
 * size the test sets, a BAR1 handed out from its bottom (a fixed address
 * and size, or memory of the test's), and a channel ID reservation that
 * records what it was asked. No GPU, no nouveau.ko.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/set_memory.h>
#include <linux/slab.h>

#include <core/device.h>
#include <nvkm_vgpu/backend.h>

#include "glue/fb.h"
#include "glue_fakes.h"

struct glue_fake glue_fake;
struct glue_fake_chans glue_fake_chans;

static const struct nvkm_device_chip fake_chip = { .name = "GA102" };

static void fake_gpu_add_engn(struct fake_gpu *f, int i, int runl,
			      enum nvkm_subdev_type type)
{
	f->engine[i].subdev.type = type;
	f->engn[i].engine = &f->engine[i];
	f->engn[i].runl = &f->runl[runl];
	list_add_tail(&f->engn[i].head, &f->runl[runl].engns);
}

/**
 * fake_gpu_new() - a fake device for a case, and the fakes reset
 * @test: the case
 * @chid_nr: IDs of runlists 0 and 1's allocators
 * @cgid_nr: IDs of runlist 2's
 *
 * Return: the device; a 1 GiB carve-out at 7 GiB.
 */
struct fake_gpu *fake_gpu_new(struct kunit *test, int chid_nr, int cgid_nr)
{
	struct fake_gpu *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->device.chip = &fake_chip;
	f->device.card_type = GA100;
	f->device.type = NVKM_DEVICE_PCI;
	f->regs[0] = BOOT0;
	f->device.pri = (__force void __iomem *)f->regs;
	f->device.fifo = &f->fifo;
	INIT_LIST_HEAD(&f->fifo.runls);
	for (i = 0; i < 3; i++) {
		/* Per-runlist allocators, as on Ampere. */
		f->chid[i] = kunit_kzalloc(test, sizeof(*f->chid[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, f->chid[i]);
		f->chid[i]->nr = i == 2 ? cgid_nr : chid_nr;
		f->runl[i].chid = f->chid[i];
		f->runl[i].cgid = f->chid[i];
		f->runl[i].id = i;
		INIT_LIST_HEAD(&f->runl[i].engns);
		list_add_tail(&f->runl[i].head, &f->fifo.runls);
	}
	fake_gpu_add_engn(f, 0, 0, NVKM_ENGINE_GR);
	fake_gpu_add_engn(f, 1, 0, NVKM_ENGINE_CE);
	fake_gpu_add_engn(f, 2, 1, NVKM_ENGINE_CE);
	fake_gpu_add_engn(f, 3, 1, NVKM_ENGINE_CE);
	fake_gpu_add_engn(f, 4, 2, NVKM_ENGINE_NVDEC);
	fake_gpu_add_engn(f, 5, 2, NVKM_ENGINE_NVDEC);
	fake_gpu_add_engn(f, 6, 2, NVKM_ENGINE_SEC2);

	f->pdev.vendor = PCI_VENDOR_ID_NVIDIA;
	f->pdev.device = 0x2204;
	f->pdev.subsystem_vendor = 0x10de;
	f->pdev.subsystem_device = 0x1454;
	f->pdev.resource[0].start = 0xfb000000;
	f->pdev.resource[0].end = 0xfb000000 + SZ_16M - 1;
	f->pdev.resource[1].start = GLUE_FAKE_BAR1_ADDR;
	f->pdev.resource[1].end = GLUE_FAKE_BAR1_ADDR + GLUE_FAKE_BAR1_SIZE - 1;
	f->pdev.resource[3].start = 0xf0000000;
	f->pdev.resource[3].end = 0xf0000000 + SZ_32M - 1;

	/* Named after the case: a device's name outlives it for a while. */
	f->dev = kunit_device_register(test, test->name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, f->dev);

	memset(&glue_fake, 0, sizeof(glue_fake));
	glue_fake.vram_addr = 7ULL * SZ_1G;
	glue_fake.vram_size = SZ_1G;
	glue_fake.chid_nr = chid_nr;
	glue_fake.chid_free = chid_nr;
	return f;
}

/**
 * fb_new() - the backend's framebuffer of @f
 * @test: the case
 * @f: the device
 *
 * Return: the framebuffer, the whole carve-out.
 */
struct nvkm_vgpu_nouveau_fb *fb_new(struct kunit *test, struct fake_gpu *f)
{
	struct nvkm_vgpu_nouveau_fb *fb = kunit_kzalloc(test, sizeof(*fb),
							GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fb);
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_init(fb, &f->device, f->dev),
			0);
	KUNIT_EXPECT_EQ(test, fb->size, (u64)SZ_1G);
	return fb;
}

static void fake_bar1_free(void *data)
{
	struct page *pages = data;
	unsigned long i;

	/* ioremap_wc() left the pages' direct mapping uncached. */
	set_memory_wb((unsigned long)page_address(pages),
		      1 << FAKE_BAR1_ORDER);
	for (i = 0; i < 1UL << FAKE_BAR1_ORDER; i++)
		ClearPageReserved(pages + i);
	__free_pages(pages, FAKE_BAR1_ORDER);
}

/**
 * fake_bar1_new() - a BAR1 the glue can ioremap_wc()
 * @test: the case
 *
 * Points the fakes' BAR1 at FAKE_BAR1_SIZE bytes of zeroed memory the glue
 * can ioremap_wc(), freed when the test ends.
 *
 * Return: their kernel address, for the test to look at BAR1 behind the
 * glue's back.
 */
u8 *fake_bar1_new(struct kunit *test)
{
	struct page *pages;
	unsigned long i;

	pages = alloc_pages(GFP_KERNEL | __GFP_ZERO, FAKE_BAR1_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	for (i = 0; i < 1UL << FAKE_BAR1_ORDER; i++)
		SetPageReserved(pages + i);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, fake_bar1_free,
							   pages));
	glue_fake.bar1_addr = page_to_phys(pages);
	glue_fake.bar1_size = FAKE_BAR1_SIZE;
	return page_address(pages);
}

int nvkm_vgpu_vram(struct nvkm_device *device, u64 *addr, u64 *size)
{
	if (!glue_fake.vram_size)
		return -ENODEV;
	*addr = glue_fake.vram_addr;
	*size = glue_fake.vram_size;
	return 0;
}

/* BAR1 space is handed out from its bottom, never reused: enough here. */
int nvkm_vgpu_bar1_map(struct nvkm_device *device, u64 offset, u64 size,
		       struct nvkm_vma **pvma, resource_size_t *paddr)
{
	u64 bar1_addr = glue_fake.bar1_addr ?: GLUE_FAKE_BAR1_ADDR;
	u64 bar1_size = glue_fake.bar1_size ?: GLUE_FAKE_BAR1_SIZE;

	if (!size || offset + size > glue_fake.vram_size)
		return -EINVAL;
	if (glue_fake.bar1_used + size > bar1_size)
		return -ENOSPC;
	*paddr = bar1_addr + glue_fake.bar1_used;
	glue_fake.bar1_used += size;
	glue_fake.maps++;
	/* Any non-NULL cookie: the backend only hands it back. */
	*pvma = (struct nvkm_vma *)&glue_fake;
	return 0;
}

void nvkm_vgpu_bar1_unmap(struct nvkm_device *device, struct nvkm_vma **pvma)
{
	if (*pvma)
		glue_fake.unmaps++;
	*pvma = NULL;
}

int nvkm_vgpu_chid_reserve(struct nvkm_device *device, int count)
{
	glue_fake.chid_asked = count;
	if (count <= 0)
		return -EINVAL;
	if (count > glue_fake.chid_free)
		return -ENOSPC;
	glue_fake.chid_reserved += count;
	return glue_fake.chid_nr - count;
}

void nvkm_vgpu_chid_release(struct nvkm_device *device, int first, int count)
{
	glue_fake.chid_reserved -= count;
}

/* Patch 0005: an address space is a cookie; maps are counted. */
int nvkm_vgpu_vmm_new(struct nvkm_device *device, u64 size,
		      struct nvkm_vmm **pvmm)
{
	*pvmm = kzalloc(8, GFP_KERNEL);
	if (!*pvmm)
		return -ENOMEM;
	spin_lock(&glue_fake_chans.lock);
	glue_fake_chans.vmm_news++;
	spin_unlock(&glue_fake_chans.lock);
	return 0;
}

void nvkm_vgpu_vmm_del(struct nvkm_vmm **pvmm)
{
	if (!*pvmm)
		return;
	kfree(*pvmm);
	*pvmm = NULL;
	spin_lock(&glue_fake_chans.lock);
	glue_fake_chans.vmm_dels++;
	spin_unlock(&glue_fake_chans.lock);
}

int nvkm_vgpu_vmm_map(struct nvkm_vmm *vmm, u64 addr, u64 offset, u64 size)
{
	spin_lock(&glue_fake_chans.lock);
	glue_fake_chans.vmm_maps++;
	glue_fake_chans.map_addr = addr;
	glue_fake_chans.map_offset = offset;
	glue_fake_chans.map_size = size;
	spin_unlock(&glue_fake_chans.lock);
	return 0;
}

void nvkm_vgpu_vmm_unmap(struct nvkm_vmm *vmm, u64 addr, u64 size)
{
	spin_lock(&glue_fake_chans.lock);
	glue_fake_chans.vmm_unmaps++;
	spin_unlock(&glue_fake_chans.lock);
}

/* Patch 0006: channels that record what is done to them. */
static struct glue_fake_chan *glue_fake_chan(struct nvkm_chan *chan)
{
	return (struct glue_fake_chan *)chan;
}

int nvkm_vgpu_chan_new(struct nvkm_device *device,
		       const struct nvkm_vgpu_chan_args *args,
		       struct nvkm_chan **pchan)
{
	struct glue_fake_chan *chan;
	int ret;

	spin_lock(&glue_fake_chans.lock);
	ret = glue_fake_chans.chan_new_ret;
	if (!ret && glue_fake_chans.chan_nr == GLUE_FAKE_CHANS)
		ret = -ENOSPC;
	spin_unlock(&glue_fake_chans.lock);
	if (ret)
		return ret;
	chan = kzalloc(sizeof(*chan), GFP_KERNEL);
	if (!chan)
		return -ENOMEM;
	chan->args = *args;
	spin_lock(&glue_fake_chans.lock);
	glue_fake_chans.chan[glue_fake_chans.chan_nr++] = chan;
	spin_unlock(&glue_fake_chans.lock);
	*pchan = (struct nvkm_chan *)chan;
	return 0;
}

/* The case frees the record, so that it can look at it afterwards. */
void nvkm_vgpu_chan_del(struct nvkm_chan **pchan)
{
	struct glue_fake_chan *chan = glue_fake_chan(*pchan);

	if (!chan)
		return;
	spin_lock(&glue_fake_chans.lock);
	WARN_ON(chan->on);
	glue_fake_chans.chan_dels++;
	spin_unlock(&glue_fake_chans.lock);
	*pchan = NULL;
}

void nvkm_vgpu_chan_insert(struct nvkm_chan *nvchan)
{
	struct glue_fake_chan *chan = glue_fake_chan(nvchan);
	int i;

	spin_lock(&glue_fake_chans.lock);
	for (i = 0; i < glue_fake_chans.chan_nr; i++) {
		struct glue_fake_chan *other = glue_fake_chans.chan[i];

		if (other->on && other->args.runl == chan->args.runl &&
		    other->args.vmm != chan->args.vmm)
			glue_fake_chans.mixed++;
	}
	chan->on = true;
	chan->inserts++;
	spin_unlock(&glue_fake_chans.lock);
}

int nvkm_vgpu_chan_remove(struct nvkm_chan *nvchan, u64 timeout_ns)
{
	struct glue_fake_chan *chan = glue_fake_chan(nvchan);
	int ret;

	spin_lock(&glue_fake_chans.lock);
	chan->on = false;
	chan->removes++;
	ret = chan->remove_ret;
	chan->remove_ret = 0;
	spin_unlock(&glue_fake_chans.lock);
	if (ret == -ETIMEDOUT) {
		/* nouveau's nvkm_chan_error(): atomic context. */
		local_irq_disable();
		chan->args.error(chan->args.data);
		local_irq_enable();
	}
	return ret;
}

void nvkm_vgpu_chan_kick(struct nvkm_chan *nvchan)
{
	struct glue_fake_chan *chan = glue_fake_chan(nvchan);

	spin_lock(&glue_fake_chans.lock);
	if (chan->on)
		chan->kicks++;
	else
		chan->lost_kicks++;
	spin_unlock(&glue_fake_chans.lock);
}

void nvkm_vgpu_chan_reset(struct nvkm_chan *nvchan)
{
	struct glue_fake_chan *chan = glue_fake_chan(nvchan);

	spin_lock(&glue_fake_chans.lock);
	WARN_ON(chan->on);
	chan->resets++;
	spin_unlock(&glue_fake_chans.lock);
}

static void glue_fake_chans_free(void *data)
{
	int i;

	for (i = 0; i < glue_fake_chans.chan_nr; i++)
		kfree(glue_fake_chans.chan[i]);
	glue_fake_chans.chan_nr = 0;
}

/**
 * glue_fake_chans_reset() - no channel, no address space, for a case
 * @test: the case; the channels' records are freed when it ends
 */
void glue_fake_chans_reset(struct kunit *test)
{
	memset(&glue_fake_chans, 0, sizeof(glue_fake_chans));
	spin_lock_init(&glue_fake_chans.lock);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, glue_fake_chans_free,
							   NULL));
}

/* The manager's scheduler: round robin over queued vGPUs, fixed slices. */

/**
 * glue_fake_sched_init() - a runlist's fake scheduler of @nr vGPUs
 * @sched: to initialise
 * @nr: its entities, at most %GLUE_FAKE_ENTITIES
 * @slice_ns: every slice's length
 */
void glue_fake_sched_init(struct nvkm_vgpu_sched *sched, int nr, u64 slice_ns)
{
	int i;

	memset(sched, 0, sizeof(*sched));
	spin_lock_init(&sched->lock);
	sched->nr = nr;
	sched->last = nr - 1;
	sched->slice_ns = slice_ns;
	sched->preempt_timeout_ns = NSEC_PER_MSEC;
	for (i = 0; i < nr; i++)
		sched->entity[i].sched = sched;
}

/**
 * glue_fake_entity() - a consistent copy of @entity's counters
 * @entity: one of a fake scheduler's
 *
 * Return: the copy.
 */
struct nvkm_vgpu_sched_entity glue_fake_entity(struct nvkm_vgpu_sched_entity *entity)
{
	struct nvkm_vgpu_sched_entity copy;
	unsigned long flags;

	spin_lock_irqsave(&entity->sched->lock, flags);
	copy = *entity;
	spin_unlock_irqrestore(&entity->sched->lock, flags);
	return copy;
}

struct nvkm_vgpu_sched *
nvkm_vgpu_sched_entity_runlist(const struct nvkm_vgpu_sched_entity *entity)
{
	return entity->sched;
}

void nvkm_vgpu_sched_enqueue(struct nvkm_vgpu_sched_entity *entity, u64 now)
{
	unsigned long flags;

	spin_lock_irqsave(&entity->sched->lock, flags);
	entity->queued++;
	spin_unlock_irqrestore(&entity->sched->lock, flags);
}

void nvkm_vgpu_sched_dequeue(struct nvkm_vgpu_sched_entity *entity, u64 now)
{
	unsigned long flags;

	spin_lock_irqsave(&entity->sched->lock, flags);
	WARN_ON(entity->queued <= 0);
	entity->queued--;
	spin_unlock_irqrestore(&entity->sched->lock, flags);
}

void nvkm_vgpu_sched_pick(struct nvkm_vgpu_sched *sched, u64 now,
			  struct nvkm_vgpu_sched_slice *slice)
{
	unsigned long flags;
	int i, k;

	memset(slice, 0, sizeof(*slice));
	spin_lock_irqsave(&sched->lock, flags);
	for (k = 1; k <= sched->nr; k++) {
		i = (sched->last + k) % sched->nr;
		if (sched->entity[i].queued) {
			sched->last = i;
			sched->entity[i].picks++;
			slice->entity = &sched->entity[i];
			slice->start_ns = now;
			slice->end_ns = now + sched->slice_ns;
			slice->preempt_timeout_ns = sched->preempt_timeout_ns;
			break;
		}
	}
	spin_unlock_irqrestore(&sched->lock, flags);
}

void nvkm_vgpu_sched_slice_done(struct nvkm_vgpu_sched_slice *slice, u64 now,
				u64 busy_ns, bool work_left)
{
	struct nvkm_vgpu_sched_entity *entity = slice->entity;
	unsigned long flags;

	spin_lock_irqsave(&entity->sched->lock, flags);
	entity->slices++;
	entity->busy_ns += busy_ns;
	entity->work_left = work_left;
	spin_unlock_irqrestore(&entity->sched->lock, flags);
}
