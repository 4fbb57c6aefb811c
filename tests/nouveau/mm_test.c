// SPDX-License-Identifier: GPL-2.0
/*
 * nvkm_mm, nouveau's VRAM allocator (nvkm/core/mm.c), taking a vGPU
 * carve-out the way patch 0002 does: nvkm_ram_get(..., contig, back) is
 * nvkm_mm_tail() with size_min == size_max, 2 MiB aligned, in 4 KiB
 * blocks. Sizes here are in those blocks.
 */
#include <kunit/test.h>

#include <core/mm.h>

#define HEAP 1		/* NVKM_RAM_MM_NORMAL */
#define TYPE 1		/* any type but NONE and HOLE */
#define ALIGN_2M 512	/* 2 MiB in 4 KiB blocks */
#define CHUNK 1000	/* nouveau's own buffers while fragmenting */
#define TOTAL 16384	/* a 64 MiB VRAM */
#define NCHUNK (TOTAL / CHUNK)

struct mm_test {
	struct nvkm_mm mm;
	struct nvkm_mm_node *chunk[NCHUNK];
};

static void mm_test_fini(void *data)
{
	struct mm_test *t = data;
	int i;

	for (i = 0; i < NCHUNK; i++)
		nvkm_mm_free(&t->mm, &t->chunk[i]);
	nvkm_mm_fini(&t->mm);
}

static struct mm_test *mm_test_new(struct kunit *test)
{
	struct mm_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, nvkm_mm_init(&t->mm, HEAP, 0, TOTAL, 1), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mm_test_fini, t), 0);
	return t;
}

/* Fill the heap with CHUNK-block buffers from the bottom, then free every
 * other one: holes of CHUNK blocks, none adjacent.
 */
static void mm_test_fragment(struct kunit *test, struct mm_test *t)
{
	int i;

	for (i = 0; i < NCHUNK; i++)
		KUNIT_ASSERT_EQ(test, nvkm_mm_head(&t->mm, HEAP, TYPE, CHUNK,
						   CHUNK, 1, &t->chunk[i]), 0);
	for (i = 0; i < NCHUNK; i += 2)
		nvkm_mm_free(&t->mm, &t->chunk[i]);
}

static bool overlaps(u32 a, u32 alen, u32 b, u32 blen)
{
	return a < b + blen && b < a + alen;
}

static void test_carveout_on_empty_vram_is_at_the_top(struct kunit *test)
{
	struct mm_test *t = mm_test_new(test);
	struct nvkm_mm_node *node = NULL;

	KUNIT_ASSERT_EQ(test, nvkm_mm_tail(&t->mm, HEAP, TYPE, 4096, 4096,
					   ALIGN_2M, &node), 0);
	KUNIT_EXPECT_TRUE(test, nvkm_mm_contiguous(node));
	KUNIT_EXPECT_EQ(test, nvkm_mm_addr(node), TOTAL - 4096);
	KUNIT_EXPECT_EQ(test, nvkm_mm_size(node), 4096);
	nvkm_mm_free(&t->mm, &node);
}

static void test_carveout_under_fragmentation_takes_highest_aligned_hole(struct kunit *test)
{
	struct mm_test *t = mm_test_new(test);
	struct nvkm_mm_node *node = NULL;
	u32 addr, hole;

	mm_test_fragment(test, t);
	/* 800 blocks fit 2 MiB aligned in a 1000-block hole only where the
	 * hole starts at most 200 blocks below an aligned address.
	 */
	KUNIT_ASSERT_EQ(test, nvkm_mm_tail(&t->mm, HEAP, TYPE, 800, 800,
					   ALIGN_2M, &node), 0);
	addr = nvkm_mm_addr(node);
	KUNIT_EXPECT_EQ(test, addr % ALIGN_2M, 0);
	hole = addr / CHUNK;
	KUNIT_EXPECT_EQ(test, hole % 2, 0);
	KUNIT_EXPECT_LE(test, addr + 800, (hole + 1) * CHUNK);
	/* The highest such hole: 16 holes of 1000, aligned 512. */
	for (hole += 2; hole < NCHUNK; hole += 2) {
		u32 start = round_up(hole * CHUNK, ALIGN_2M);

		KUNIT_EXPECT_GT(test, start + 800, (hole + 1) * CHUNK);
	}
	nvkm_mm_free(&t->mm, &node);
}

static void test_carveout_larger_than_every_hole_fails(struct kunit *test)
{
	struct mm_test *t = mm_test_new(test);
	struct nvkm_mm_node *node = NULL;
	u32 free_before = TOTAL - (NCHUNK / 2) * CHUNK;
	u32 free_after = 0;
	struct nvkm_mm_node *n;

	mm_test_fragment(test, t);
	/* Half the heap is free, but in holes of CHUNK blocks. */
	KUNIT_EXPECT_EQ(test, nvkm_mm_tail(&t->mm, HEAP, TYPE, 1536, 1536,
					   ALIGN_2M, &node), -ENOSPC);
	KUNIT_EXPECT_NULL(test, node);
	list_for_each_entry(n, &t->mm.free, fl_entry)
		free_after += n->length;
	KUNIT_EXPECT_EQ(test, free_after, free_before);
}

static void test_nothing_else_is_placed_in_the_carveout(struct kunit *test)
{
	struct mm_test *t = mm_test_new(test);
	struct nvkm_mm_node *carve = NULL, **node;
	u32 base, placed = 0;
	int i, n, ret = 0;

	node = kunit_kcalloc(test, TOTAL / 64, sizeof(*node), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, node);
	KUNIT_ASSERT_EQ(test, nvkm_mm_tail(&t->mm, HEAP, TYPE, 2048, 2048,
					   ALIGN_2M, &carve), 0);
	base = nvkm_mm_addr(carve);
	/* TTM's placements: everything left, in 64-block pieces. */
	for (n = 0; n < TOTAL / 64; n++) {
		ret = nvkm_mm_head(&t->mm, HEAP, TYPE, 64, 1, 1, &node[n]);
		if (ret)
			break;
		KUNIT_EXPECT_FALSE(test, overlaps(node[n]->offset,
						  node[n]->length, base, 2048));
		placed += nvkm_mm_size(node[n]);
	}
	KUNIT_EXPECT_EQ(test, ret, -ENOSPC);
	KUNIT_EXPECT_EQ(test, placed, TOTAL - 2048);
	for (i = 0; i < n; i++)
		nvkm_mm_free(&t->mm, &node[i]);
	nvkm_mm_free(&t->mm, &carve);
}

static void test_freed_carveout_merges_back_into_one_hole(struct kunit *test)
{
	struct mm_test *t = mm_test_new(test);
	struct nvkm_mm_node *carve = NULL, *all = NULL;

	KUNIT_ASSERT_EQ(test, nvkm_mm_tail(&t->mm, HEAP, TYPE, 4096, 4096,
					   ALIGN_2M, &carve), 0);
	nvkm_mm_free(&t->mm, &carve);
	KUNIT_EXPECT_EQ(test, nvkm_mm_head(&t->mm, HEAP, TYPE, TOTAL, TOTAL,
					   1, &all), 0);
	KUNIT_EXPECT_TRUE(test, all && nvkm_mm_contiguous(all));
	nvkm_mm_free(&t->mm, &all);
}

static struct kunit_case nvkm_mm_test_cases[] = {
	KUNIT_CASE(test_carveout_on_empty_vram_is_at_the_top),
	KUNIT_CASE(test_carveout_under_fragmentation_takes_highest_aligned_hole),
	KUNIT_CASE(test_carveout_larger_than_every_hole_fails),
	KUNIT_CASE(test_nothing_else_is_placed_in_the_carveout),
	KUNIT_CASE(test_freed_carveout_merges_back_into_one_hole),
	{}
};

static struct kunit_suite nvkm_mm_test_suite = {
	.name = "nvkm_vgpu_nouveau_mm",
	.test_cases = nvkm_mm_test_cases,
};

kunit_test_suite(nvkm_mm_test_suite);
