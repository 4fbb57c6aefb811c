// SPDX-License-Identifier: GPL-2.0
/*
 * The nouveau backend's glue (nvkm_glue/nouveau/ fb.c, chid.c,
 * geometry.c) against a fake NVKM device and fakes of the hook's calls
 * (glue_fakes.c): what the backend tells the manager and what it asks
 * nouveau, with no GPU. fb_rw and fb_scrub reach BAR1 with ioremap_wc();
 * their cases give the fakes a BAR1 of RAM pages marked reserved, which
 * x86's ioremap() maps as it maps memory the firmware reserved.
 */
#include <kunit/test.h>
#include <linux/pfn.h>
#include <linux/string.h>
#include <linux/suspend.h>

#include "glue/chid.h"
#include "glue/fb.h"
#include "glue/geometry.h"
#include "glue/pm.h"
#include "glue_fakes.h"

static void test_geometry_is_the_carveout_the_runlists_and_the_pci_function(struct kunit *test)
{
	struct fake_gpu *f = fake_gpu_new(test, 2048, 2048);
	struct nvkm_vgpu_nouveau_geometry *g;
	const struct nvkm_vgpu_geometry *geo;

	g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g);
	nvkm_vgpu_nouveau_geometry_read(g, &f->device, &f->pdev, SZ_1G, 1024);
	geo = &g->geo;
	KUNIT_EXPECT_STREQ(test, geo->board, "ga102");
	KUNIT_EXPECT_EQ(test, geo->fb_size, (u64)SZ_1G);
	KUNIT_EXPECT_EQ(test, geo->fb_reserved, 0);
	KUNIT_EXPECT_EQ(test, geo->fb_nominal_gib, 0);
	KUNIT_EXPECT_EQ(test, geo->chid_count, 1024);
	KUNIT_EXPECT_EQ(test, geo->engines[NVKM_VGPU_ENGINE_GR], 1);
	KUNIT_EXPECT_EQ(test, geo->engines[NVKM_VGPU_ENGINE_CE], 3);
	KUNIT_EXPECT_EQ(test, geo->engines[NVKM_VGPU_ENGINE_NVDEC], 2);
	KUNIT_EXPECT_EQ(test, geo->engines[NVKM_VGPU_ENGINE_NVENC], 0);
	KUNIT_EXPECT_EQ(test, geo->bar0_size, (u64)SZ_16M);
	KUNIT_EXPECT_EQ(test, geo->bar1_size, (u64)GLUE_FAKE_BAR1_SIZE);
	KUNIT_EXPECT_EQ(test, geo->bar3_size, (u64)SZ_32M);
	KUNIT_EXPECT_EQ(test, geo->vendor_id, PCI_VENDOR_ID_NVIDIA);
	KUNIT_EXPECT_EQ(test, geo->device_id, 0x2204);
	KUNIT_EXPECT_EQ(test, geo->subsystem_id, 0x1454);
	KUNIT_EXPECT_EQ(test, geo->boot0, BOOT0);
	KUNIT_EXPECT_FALSE(test, geo->display);
	KUNIT_EXPECT_STREQ(test, nvkm_vgpu_nouveau_family(&f->device), "Ampere");
}

static void test_chid_reserves_half_the_smallest_allocator(struct kunit *test)
{
	struct fake_gpu *f = fake_gpu_new(test, 2048, 512);
	struct nvkm_vgpu_nouveau_chid chid = {};

	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_chid_reserve(&chid, &f->device,
							     f->dev, 0), 0);
	KUNIT_EXPECT_EQ(test, glue_fake.chid_asked, 256);
	KUNIT_EXPECT_EQ(test, chid.count, 256);
	KUNIT_EXPECT_EQ(test, chid.first, 2048 - 256);
	nvkm_vgpu_nouveau_chid_release(&chid);
	KUNIT_EXPECT_EQ(test, glue_fake.chid_reserved, 0);
}

static void test_chid_asked_count_and_failure_pass_through(struct kunit *test)
{
	struct fake_gpu *f = fake_gpu_new(test, 2048, 2048);
	struct nvkm_vgpu_nouveau_chid chid = {};

	glue_fake.chid_free = 64;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_chid_reserve(&chid, &f->device,
							     f->dev, 100),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, glue_fake.chid_asked, 100);
	KUNIT_EXPECT_EQ(test, glue_fake.chid_reserved, 0);
	/* No runlist: no allocator to reserve from. */
	INIT_LIST_HEAD(&f->fifo.runls);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_chid_reserve(&chid, &f->device,
							     f->dev, 0),
			-ENODEV);
}

static void test_fb_without_carveout_is_refused(struct kunit *test)
{
	struct fake_gpu *f = fake_gpu_new(test, 2048, 2048);
	struct nvkm_vgpu_nouveau_fb fb = {};

	glue_fake.vram_size = 0;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_init(&fb, &f->device, f->dev),
			-ENODEV);
}

static void test_fb_pfn_is_the_ranges_bar1_window(struct kunit *test)
{
	struct nvkm_vgpu_nouveau_fb *fb = fb_new(test, fake_gpu_new(test, 2048, 2048));
	unsigned long pfn = 0;

	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, SZ_256M, SZ_64M), 0);
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, SZ_512M, SZ_64M), 0);
	KUNIT_EXPECT_EQ(test, glue_fake.maps, 2);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_pfn(fb, SZ_256M + SZ_8K, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, PHYS_PFN(GLUE_FAKE_BAR1_ADDR + SZ_8K));
	/* The second range's window follows the first in the fake BAR1. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_pfn(fb, SZ_512M, &pfn), 0);
	KUNIT_EXPECT_EQ(test, pfn, PHYS_PFN(GLUE_FAKE_BAR1_ADDR + SZ_64M));
	/* Outside every reserved range: no frame. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_pfn(fb, SZ_256M + SZ_64M, &pfn),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_pfn(fb, 0, &pfn), -EINVAL);
	nvkm_vgpu_nouveau_fb_release(fb, SZ_256M);
	nvkm_vgpu_nouveau_fb_release(fb, SZ_512M);
	KUNIT_EXPECT_EQ(test, glue_fake.unmaps, 2);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_pfn(fb, SZ_512M, &pfn), -EINVAL);
	nvkm_vgpu_nouveau_fb_fini(fb);
}

static void test_fb_overlapping_or_outside_reserve_is_refused(struct kunit *test)
{
	struct nvkm_vgpu_nouveau_fb *fb = fb_new(test, fake_gpu_new(test, 2048, 2048));

	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, SZ_32M, SZ_32M), 0);
	/* Enclosing the first range: mapped, then refused and unmapped. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, 0, SZ_128M), -EINVAL);
	KUNIT_EXPECT_EQ(test, glue_fake.maps, 2);
	KUNIT_EXPECT_EQ(test, glue_fake.unmaps, 1);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, SZ_1G - SZ_2M, SZ_4M),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, glue_fake.maps, 2);
	nvkm_vgpu_nouveau_fb_release(fb, SZ_32M);
	nvkm_vgpu_nouveau_fb_fini(fb);
}

static void test_fb_reserve_past_bar1_is_enospc(struct kunit *test)
{
	struct nvkm_vgpu_nouveau_fb *fb = fb_new(test, fake_gpu_new(test, 2048, 2048));

	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, 0, SZ_128M), 0);
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, SZ_128M, SZ_64M), 0);
	/* 256 MiB of BAR1, 192 MiB mapped: 128 MiB more does not fit. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, SZ_256M, SZ_128M),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_used(fb, 0, SZ_1G), (u64)SZ_128M + SZ_64M);
	/* A scrub outside a reservation needs a window of its own: none. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_scrub(fb, SZ_512M, SZ_128M),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_scrub(fb, SZ_1G, SZ_2M), -EINVAL);
	nvkm_vgpu_nouveau_fb_release(fb, 0);
	nvkm_vgpu_nouveau_fb_release(fb, SZ_128M);
	KUNIT_EXPECT_EQ(test, glue_fake.unmaps, 2);
	nvkm_vgpu_nouveau_fb_fini(fb);
}

static void test_fb_used_counts_reserved_bytes_in_the_range(struct kunit *test)
{
	struct nvkm_vgpu_nouveau_fb *fb = fb_new(test, fake_gpu_new(test, 2048, 2048));

	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, 0, SZ_64M), 0);
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, SZ_128M, SZ_64M), 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_used(fb, 0, SZ_1G), (u64)SZ_128M);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_used(fb, SZ_32M, SZ_128M), (u64)SZ_64M);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_used(fb, SZ_64M, SZ_64M), 0);
	nvkm_vgpu_nouveau_fb_release(fb, 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_used(fb, 0, SZ_1G), (u64)SZ_64M);
	nvkm_vgpu_nouveau_fb_release(fb, SZ_128M);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_used(fb, 0, SZ_1G), 0);
	nvkm_vgpu_nouveau_fb_fini(fb);
}

static void test_pm_refuses_sleep_while_vgpus_hold_vram(struct kunit *test)
{
	struct nvkm_vgpu_nouveau_fb *fb = fb_new(test, fake_gpu_new(test, 2048, 2048));

	/* No vGPU: every event passes. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_pm_check(fb, PM_SUSPEND_PREPARE), 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_pm_check(fb, PM_HIBERNATION_PREPARE), 0);

	/* One range reserved: suspend and hibernation are refused ... */
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, SZ_64M, SZ_64M), 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_pm_check(fb, PM_SUSPEND_PREPARE), -EBUSY);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_pm_check(fb, PM_HIBERNATION_PREPARE), -EBUSY);
	/* ... the events after them, and restoring an image, are not. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_pm_check(fb, PM_POST_SUSPEND), 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_pm_check(fb, PM_POST_HIBERNATION), 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_pm_check(fb, PM_RESTORE_PREPARE), 0);

	/* Released: sleep is allowed again. */
	nvkm_vgpu_nouveau_fb_release(fb, SZ_64M);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_pm_check(fb, PM_SUSPEND_PREPARE), 0);
	nvkm_vgpu_nouveau_fb_fini(fb);
}

static u8 fake_pattern(size_t i)
{
	return (u8)(i * 13 + i / 509) | 0x80;
}

/* The index of the first byte of @p that is not @c, or @len. */
static size_t first_not(const u8 *p, size_t len, u8 c)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != c)
			return i;
	return len;
}

static void test_fb_rw_goes_through_the_ranges_bar1_window(struct kunit *test)
{
	struct fake_gpu *f = fake_gpu_new(test, 2048, 2048);
	struct nvkm_vgpu_nouveau_fb *fb = fb_new(test, f);
	u8 *bar1 = fake_bar1_new(test);
	/* Unaligned, across the 2 MiB chunk of BAR1 the glue maps at once. */
	u64 at = SZ_256M + 123;
	size_t len = SZ_2M + SZ_512K, i;
	u8 *buf, *got;

	buf = kunit_kmalloc(test, len, GFP_KERNEL);
	got = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, got);
	for (i = 0; i < len; i++)
		buf[i] = fake_pattern(i);

	/* A's window is BAR1's first MiB, B's the three after it. */
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, SZ_64M, SZ_1M), 0);
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, SZ_256M, SZ_2M + SZ_1M),
			0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_rw(fb, at, buf, len, true), 0);
	KUNIT_EXPECT_EQ(test, memcmp(bar1 + SZ_1M + 123, buf, len), 0);
	KUNIT_EXPECT_EQ(test, first_not(bar1, SZ_1M + 123, 0), SZ_1M + 123);
	KUNIT_EXPECT_EQ(test, first_not(bar1 + SZ_1M + 123 + len,
					FAKE_BAR1_SIZE - SZ_1M - 123 - len, 0),
			FAKE_BAR1_SIZE - SZ_1M - 123 - len);

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_rw(fb, at, got, len, false), 0);
	KUNIT_EXPECT_EQ(test, memcmp(got, buf, len), 0);

	/* A few bytes of A, written behind the glue's back. */
	memcpy(bar1 + SZ_1M - 7, "abcdefg", 7);
	memset(got, 0, 8);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_rw(fb, SZ_64M + SZ_1M - 7, got,
						      7, false), 0);
	KUNIT_EXPECT_MEMEQ(test, got, "abcdefg\0", 8);
	KUNIT_EXPECT_EQ(test, glue_fake.maps, 2);

	nvkm_vgpu_nouveau_fb_release(fb, SZ_64M);
	nvkm_vgpu_nouveau_fb_release(fb, SZ_256M);
	nvkm_vgpu_nouveau_fb_fini(fb);
}

static void test_fb_rw_outside_one_reserved_range_is_einval(struct kunit *test)
{
	struct fake_gpu *f = fake_gpu_new(test, 2048, 2048);
	struct nvkm_vgpu_nouveau_fb *fb = fb_new(test, f);
	u8 *bar1 = fake_bar1_new(test);
	u8 buf[16];

	memset(buf, 0x5a, sizeof(buf));
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, SZ_64M, SZ_1M), 0);
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, SZ_64M + SZ_1M, SZ_1M),
			0);
	/* Before, after, across the end of a range (into the next), empty. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_rw(fb, SZ_64M - 1, buf, 2, true),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_rw(fb, SZ_64M + SZ_2M, buf, 1,
						      true),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_rw(fb, SZ_64M + SZ_1M - 8, buf,
						      16, true),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_rw(fb, SZ_64M, buf, 0, true),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, first_not(bar1, SZ_2M, 0), SZ_2M);

	nvkm_vgpu_nouveau_fb_release(fb, SZ_64M);
	/* Released: its window is gone. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_rw(fb, SZ_64M, buf, 1, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_rw(fb, SZ_64M + SZ_1M, buf, 16,
						      true), 0);
	KUNIT_EXPECT_EQ(test, first_not(bar1 + SZ_1M, 16, 0x5a), 16);
	nvkm_vgpu_nouveau_fb_release(fb, SZ_64M + SZ_1M);
	nvkm_vgpu_nouveau_fb_fini(fb);
}

static void test_fb_scrub_zeroes_only_the_range_in_bar1(struct kunit *test)
{
	struct fake_gpu *f = fake_gpu_new(test, 2048, 2048);
	struct nvkm_vgpu_nouveau_fb *fb = fb_new(test, f);
	u8 *bar1 = fake_bar1_new(test);

	KUNIT_ASSERT_EQ(test, nvkm_vgpu_nouveau_fb_reserve(fb, SZ_64M, SZ_4M), 0);
	memset(bar1, 0xff, FAKE_BAR1_SIZE);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_nouveau_fb_scrub(fb, SZ_64M + SZ_1M,
							 SZ_2M + SZ_512K), 0);
	KUNIT_EXPECT_EQ(test, first_not(bar1, SZ_1M, 0xff), SZ_1M);
	KUNIT_EXPECT_EQ(test, first_not(bar1 + SZ_1M, SZ_2M + SZ_512K, 0),
			SZ_2M + SZ_512K);
	KUNIT_EXPECT_EQ(test, first_not(bar1 + SZ_4M - SZ_512K, SZ_512K, 0xff),
			SZ_512K);
	nvkm_vgpu_nouveau_fb_release(fb, SZ_64M);
	nvkm_vgpu_nouveau_fb_fini(fb);
}

static struct kunit_case nvkm_glue_test_cases[] = {
	KUNIT_CASE(test_geometry_is_the_carveout_the_runlists_and_the_pci_function),
	KUNIT_CASE(test_chid_reserves_half_the_smallest_allocator),
	KUNIT_CASE(test_chid_asked_count_and_failure_pass_through),
	KUNIT_CASE(test_fb_without_carveout_is_refused),
	KUNIT_CASE(test_fb_pfn_is_the_ranges_bar1_window),
	KUNIT_CASE(test_fb_overlapping_or_outside_reserve_is_refused),
	KUNIT_CASE(test_fb_reserve_past_bar1_is_enospc),
	KUNIT_CASE(test_fb_used_counts_reserved_bytes_in_the_range),
	KUNIT_CASE(test_pm_refuses_sleep_while_vgpus_hold_vram),
	KUNIT_CASE(test_fb_rw_goes_through_the_ranges_bar1_window),
	KUNIT_CASE(test_fb_rw_outside_one_reserved_range_is_einval),
	KUNIT_CASE(test_fb_scrub_zeroes_only_the_range_in_bar1),
	{}
};

static struct kunit_suite nvkm_glue_test_suite = {
	.name = "nvkm_vgpu_nouveau_glue",
	.test_cases = nvkm_glue_test_cases,
};

kunit_test_suite(nvkm_glue_test_suite);

MODULE_DESCRIPTION("KUnit suite for the nouveau backend's glue, against fake NVKM calls");
MODULE_LICENSE("GPL");
