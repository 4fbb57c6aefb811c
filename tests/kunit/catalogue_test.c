// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the vGPU type catalogue.
 */
#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../../vgpu_mgr/catalogue.h"
#include "../../vgpu_mgr/geometry.h"
#include "fixtures.h"

static const struct nvkm_vgpu_geometry *const boards[] = {
	&nvkm_vgpu_board_h100_80gb, &nvkm_vgpu_board_l40s_48gb,
	&nvkm_vgpu_board_a16_16gb, &nvkm_vgpu_board_tiny,
};

KUNIT_ARRAY_PARAM(board, boards, nvkm_vgpu_test_board_desc);

static const struct nvkm_vgpu_geometry *board_param(struct kunit *test)
{
	return *(const struct nvkm_vgpu_geometry *const *)test->param_value;
}

static u32 count_series(const struct nvkm_vgpu_catalogue *cat,
			enum nvkm_vgpu_series series)
{
	u32 i, n = 0;

	for (i = 0; i < cat->count; i++)
		n += cat->types[i].series == series;
	return n;
}

static void test_h100_offers_ten_compute_types(struct kunit *test)
{
	struct nvkm_vgpu_catalogue *cat;

	cat = nvkm_vgpu_test_catalogue(test, &nvkm_vgpu_board_h100_80gb);
	/* 80 GiB has ten divisors: 1 2 4 5 8 10 16 20 40 80. */
	KUNIT_EXPECT_EQ(test, cat->count, 10);
	KUNIT_EXPECT_EQ(test, count_series(cat, NVKM_VGPU_SERIES_C), 10);
}

static void test_h100_smallest_type_holds_80_instances(struct kunit *test)
{
	const struct nvkm_vgpu_type *type;
	struct nvkm_vgpu_catalogue *cat;

	cat = nvkm_vgpu_test_catalogue(test, &nvkm_vgpu_board_h100_80gb);
	type = nvkm_vgpu_test_type(test, cat, "h100-1c");
	KUNIT_EXPECT_EQ(test, type->max_instances, 80);
	/* prev_pow2(2048 / 80 = 25) */
	KUNIT_EXPECT_EQ(test, type->chids, 16);
	/* (81559 - 480) MiB / 80 = 1013.4 MiB, aligned down to 2 MiB */
	KUNIT_EXPECT_EQ(test, type->fb_size, 1012ULL * SZ_1M);
	KUNIT_EXPECT_EQ(test, type->timeslice_us, 1000);
}

static void test_h100_largest_type_takes_whole_usable_fb(struct kunit *test)
{
	const struct nvkm_vgpu_type *type;
	struct nvkm_vgpu_catalogue *cat;

	cat = nvkm_vgpu_test_catalogue(test, &nvkm_vgpu_board_h100_80gb);
	type = nvkm_vgpu_test_type(test, cat, "h100-80c");
	KUNIT_EXPECT_EQ(test, type->max_instances, 1);
	KUNIT_EXPECT_EQ(test, type->chids, 2048);
	/* 80 units of 1012 MiB */
	KUNIT_EXPECT_EQ(test, type->fb_size, 80960ULL * SZ_1M);
	KUNIT_EXPECT_EQ(test, type->timeslice_us, 2000);
	KUNIT_EXPECT_EQ(test, type->share_permille, 1000);
}

static void test_names_are_board_size_series(struct kunit *test)
{
	const struct nvkm_vgpu_type *type;
	struct nvkm_vgpu_catalogue *cat;

	cat = nvkm_vgpu_test_catalogue(test, &nvkm_vgpu_board_l40s_48gb);
	type = nvkm_vgpu_test_type(test, cat, "l40s-12q");
	KUNIT_EXPECT_STREQ(test, type->label, "L40S-12Q");
	KUNIT_EXPECT_EQ(test, type->fb_gib, 12);
	KUNIT_EXPECT_EQ(test, type->max_instances, 4);
	KUNIT_EXPECT_EQ(test, type->series, NVKM_VGPU_SERIES_Q);
}

static void test_chids_are_prev_pow2_of_share(struct kunit *test)
{
	const struct nvkm_vgpu_geometry *geo = board_param(test);
	struct nvkm_vgpu_catalogue *cat = nvkm_vgpu_test_catalogue(test, geo);
	u32 i;

	for (i = 0; i < cat->count; i++) {
		const struct nvkm_vgpu_type *t = &cat->types[i];

		KUNIT_EXPECT_EQ_MSG(test, t->chids,
				    rounddown_pow_of_two(geo->chid_count /
							 t->max_instances),
				    "%s", t->name);
		KUNIT_EXPECT_LE(test, t->chids * t->max_instances,
				geo->chid_count);
	}
}

static void test_fb_share_fits_usable_fb(struct kunit *test)
{
	const struct nvkm_vgpu_geometry *geo = board_param(test);
	struct nvkm_vgpu_catalogue *cat = nvkm_vgpu_test_catalogue(test, geo);
	u64 usable = geo->fb_size - geo->fb_reserved;
	u64 unit = round_down(usable / geo->fb_nominal_gib, SZ_2M);
	u32 i;

	for (i = 0; i < cat->count; i++) {
		const struct nvkm_vgpu_type *t = &cat->types[i];

		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED(t->fb_size, SZ_2M),
				      "%s", t->name);
		KUNIT_EXPECT_EQ(test, t->fb_size, unit * t->fb_gib);
		KUNIT_EXPECT_LE(test, t->fb_size * t->max_instances, usable);
		/* Only alignment is lost: less than 2 MiB per nominal GiB. */
		KUNIT_EXPECT_GT(test, t->fb_size * t->max_instances +
				(u64)SZ_2M * geo->fb_nominal_gib, usable);
	}
}

static void test_sizes_divide_nominal_fb(struct kunit *test)
{
	const struct nvkm_vgpu_geometry *geo = board_param(test);
	struct nvkm_vgpu_catalogue *cat = nvkm_vgpu_test_catalogue(test, geo);
	u32 i;

	for (i = 0; i < cat->count; i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    cat->types[i].fb_gib * cat->types[i].max_instances,
				    geo->fb_nominal_gib, "%s", cat->types[i].name);
}

static void test_timeslice_default_follows_instances(struct kunit *test)
{
	struct nvkm_vgpu_catalogue *cat =
		nvkm_vgpu_test_catalogue(test, board_param(test));
	u32 i;

	for (i = 0; i < cat->count; i++) {
		const struct nvkm_vgpu_type *t = &cat->types[i];

		KUNIT_EXPECT_EQ_MSG(test, t->timeslice_us,
				    t->max_instances <= 8 ? 2000 : 1000,
				    "%s", t->name);
	}
}

static void test_engines_are_present_on_board(struct kunit *test)
{
	const struct nvkm_vgpu_geometry *geo = board_param(test);
	struct nvkm_vgpu_catalogue *cat = nvkm_vgpu_test_catalogue(test, geo);
	u32 i;
	int e;

	for (i = 0; i < cat->count; i++) {
		KUNIT_EXPECT_TRUE(test, cat->types[i].engines &
				  BIT(NVKM_VGPU_ENGINE_GR));
		for_each_set_bit(e, &cat->types[i].engines, NVKM_VGPU_ENGINE_NR)
			KUNIT_EXPECT_NE_MSG(test, geo->engines[e], 0,
					    "%s engine %d", cat->types[i].name, e);
	}
}

static void test_types_ordered_by_series_then_size(struct kunit *test)
{
	struct nvkm_vgpu_catalogue *cat =
		nvkm_vgpu_test_catalogue(test, board_param(test));
	u32 i;

	for (i = 0; i < cat->count; i++) {
		KUNIT_EXPECT_EQ(test, cat->types[i].index, i);
		if (!i)
			continue;
		KUNIT_EXPECT_LE(test, cat->types[i - 1].series,
				cat->types[i].series);
		if (cat->types[i - 1].series == cat->types[i].series)
			KUNIT_EXPECT_LT(test, cat->types[i - 1].fb_gib,
					cat->types[i].fb_gib);
	}
}

static void test_display_board_offers_q_b_a(struct kunit *test)
{
	struct nvkm_vgpu_catalogue *cat;

	cat = nvkm_vgpu_test_catalogue(test, &nvkm_vgpu_board_tiny);
	/* 4 GiB: 1, 2, 4 for C, Q, A; B stops at 2 GiB. */
	KUNIT_EXPECT_EQ(test, count_series(cat, NVKM_VGPU_SERIES_C), 3);
	KUNIT_EXPECT_EQ(test, count_series(cat, NVKM_VGPU_SERIES_Q), 3);
	KUNIT_EXPECT_EQ(test, count_series(cat, NVKM_VGPU_SERIES_B), 2);
	KUNIT_EXPECT_EQ(test, count_series(cat, NVKM_VGPU_SERIES_A), 3);
	KUNIT_EXPECT_EQ(test, cat->count, 11);
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_catalogue_find(cat, "tiny-4b"));
}

static void test_compute_board_offers_only_c(struct kunit *test)
{
	struct nvkm_vgpu_catalogue *cat;

	cat = nvkm_vgpu_test_catalogue(test, &nvkm_vgpu_board_h100_80gb);
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_catalogue_find(cat, "h100-10q"));
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_catalogue_find(cat, "h100-1b"));
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_catalogue_find(cat, "h100-10a"));
}

static void test_h100_compute_has_no_encoder(struct kunit *test)
{
	const struct nvkm_vgpu_type *type;
	struct nvkm_vgpu_catalogue *cat;

	cat = nvkm_vgpu_test_catalogue(test, &nvkm_vgpu_board_h100_80gb);
	type = nvkm_vgpu_test_type(test, cat, "h100-10c");
	KUNIT_EXPECT_FALSE(test, type->engines & BIT(NVKM_VGPU_ENGINE_NVENC));
	KUNIT_EXPECT_TRUE(test, type->engines & BIT(NVKM_VGPU_ENGINE_NVJPG));
	KUNIT_EXPECT_TRUE(test, type->engines & BIT(NVKM_VGPU_ENGINE_OFA));
}

static void test_workstation_type_sees_every_engine(struct kunit *test)
{
	const struct nvkm_vgpu_type *type;
	struct nvkm_vgpu_catalogue *cat;

	cat = nvkm_vgpu_test_catalogue(test, &nvkm_vgpu_board_l40s_48gb);
	type = nvkm_vgpu_test_type(test, cat, "l40s-48q");
	KUNIT_EXPECT_EQ(test, type->engines, BIT(NVKM_VGPU_ENGINE_NR) - 1);
}

static void test_description_names_label_and_engines(struct kunit *test)
{
	const struct nvkm_vgpu_type *type;
	struct nvkm_vgpu_catalogue *cat;

	cat = nvkm_vgpu_test_catalogue(test, &nvkm_vgpu_board_h100_80gb);
	type = nvkm_vgpu_test_type(test, cat, "h100-10c");
	KUNIT_EXPECT_STREQ(test, type->description,
			   "H100-10C: 10 GiB compute vGPU, 10120 MiB framebuffer, 256 channels, up to 8 per GPU, engines GR CE NVDEC NVJPG OFA");
}

static void test_weight_and_share_follow_size(struct kunit *test)
{
	const struct nvkm_vgpu_type *type;
	struct nvkm_vgpu_catalogue *cat;

	cat = nvkm_vgpu_test_catalogue(test, &nvkm_vgpu_board_a16_16gb);
	type = nvkm_vgpu_test_type(test, cat, "a16-4q");
	KUNIT_EXPECT_EQ(test, type->weight, 4);
	KUNIT_EXPECT_EQ(test, type->share_permille, 250);
}

static void test_find_unknown_or_null_name_is_null(struct kunit *test)
{
	struct nvkm_vgpu_catalogue *cat;

	cat = nvkm_vgpu_test_catalogue(test, &nvkm_vgpu_board_h100_80gb);
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_catalogue_find(cat, "h100-3c"));
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_catalogue_find(cat, "H100-10C"));
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_catalogue_find(cat, ""));
	KUNIT_EXPECT_NULL(test, nvkm_vgpu_catalogue_find(cat, NULL));
}

static void test_nominal_size_rounds_when_unset(struct kunit *test)
{
	struct nvkm_vgpu_geometry geo = nvkm_vgpu_board_h100_80gb;

	geo.fb_nominal_gib = 0;
	/* 81559 MiB is 79.6 GiB */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_geometry_nominal_gib(&geo), 80);
	geo.fb_size = 1536ULL * SZ_1M + geo.fb_reserved;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_geometry_nominal_gib(&geo), 2);
}

static void test_few_chids_cap_instances(struct kunit *test)
{
	struct nvkm_vgpu_geometry geo = nvkm_vgpu_board_h100_80gb;
	struct nvkm_vgpu_catalogue *cat;

	geo.chid_count = 4;
	cat = nvkm_vgpu_test_catalogue(test, &geo);
	/* Only 1, 2 and 4 instances leave each vGPU a channel. */
	KUNIT_EXPECT_EQ(test, cat->count, 3);
	KUNIT_EXPECT_EQ(test, cat->types[0].max_instances, 4);
	KUNIT_EXPECT_EQ(test, cat->types[0].chids, 1);
	KUNIT_EXPECT_STREQ(test, cat->types[0].name, "h100-20c");
}

static void test_bad_board_names_are_refused(struct kunit *test)
{
	static const char *const bad[] = {
		"H100", "", "h100 80gb", "h100/80", "sixteen-chars-xx",
	};
	struct nvkm_vgpu_geometry geo = nvkm_vgpu_board_tiny;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		geo.board = bad[i];
		KUNIT_EXPECT_EQ_MSG(test, nvkm_vgpu_geometry_check(&geo), -EINVAL,
				    "'%s'", bad[i]);
		KUNIT_EXPECT_EQ(test, PTR_ERR(nvkm_vgpu_catalogue_new(&geo)),
				-EINVAL);
	}
	geo.board = NULL;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_geometry_check(&geo), -EINVAL);
	geo.board = "fifteen-chars-x";
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_geometry_check(&geo), 0);
}

static void test_bad_geometry_is_refused(struct kunit *test)
{
	struct nvkm_vgpu_geometry geo;

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_geometry_check(NULL), -EINVAL);

	geo = nvkm_vgpu_board_tiny;
	geo.fb_reserved = geo.fb_size;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_geometry_check(&geo), -EINVAL);

	geo = nvkm_vgpu_board_tiny;
	geo.fb_size = 0;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_geometry_check(&geo), -EINVAL);

	geo = nvkm_vgpu_board_tiny;
	geo.fb_size = geo.fb_reserved + SZ_1G - SZ_2M;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_geometry_check(&geo), -EINVAL);

	geo = nvkm_vgpu_board_tiny;
	geo.fb_reserved = SZ_1M;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_geometry_check(&geo), -EINVAL);

	geo = nvkm_vgpu_board_tiny;
	geo.chid_count = 0;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_geometry_check(&geo), -EINVAL);

	geo = nvkm_vgpu_board_tiny;
	geo.engines[NVKM_VGPU_ENGINE_GR] = 0;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_geometry_check(&geo), -EINVAL);

	geo = nvkm_vgpu_board_tiny;
	geo.bar1_size = 0;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_geometry_check(&geo), -EINVAL);

	geo = nvkm_vgpu_board_tiny;
	geo.fb_nominal_gib = 9;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_geometry_check(&geo), -EINVAL);
}

static struct kunit_case nvkm_vgpu_catalogue_cases[] = {
	KUNIT_CASE(test_h100_offers_ten_compute_types),
	KUNIT_CASE(test_h100_smallest_type_holds_80_instances),
	KUNIT_CASE(test_h100_largest_type_takes_whole_usable_fb),
	KUNIT_CASE(test_names_are_board_size_series),
	KUNIT_CASE_PARAM(test_chids_are_prev_pow2_of_share, board_gen_params),
	KUNIT_CASE_PARAM(test_fb_share_fits_usable_fb, board_gen_params),
	KUNIT_CASE_PARAM(test_sizes_divide_nominal_fb, board_gen_params),
	KUNIT_CASE_PARAM(test_timeslice_default_follows_instances, board_gen_params),
	KUNIT_CASE_PARAM(test_engines_are_present_on_board, board_gen_params),
	KUNIT_CASE_PARAM(test_types_ordered_by_series_then_size, board_gen_params),
	KUNIT_CASE(test_display_board_offers_q_b_a),
	KUNIT_CASE(test_compute_board_offers_only_c),
	KUNIT_CASE(test_h100_compute_has_no_encoder),
	KUNIT_CASE(test_workstation_type_sees_every_engine),
	KUNIT_CASE(test_description_names_label_and_engines),
	KUNIT_CASE(test_weight_and_share_follow_size),
	KUNIT_CASE(test_find_unknown_or_null_name_is_null),
	KUNIT_CASE(test_nominal_size_rounds_when_unset),
	KUNIT_CASE(test_few_chids_cap_instances),
	KUNIT_CASE(test_bad_board_names_are_refused),
	KUNIT_CASE(test_bad_geometry_is_refused),
	{}
};

static struct kunit_suite nvkm_vgpu_catalogue_suite = {
	.name = "nvkm_vgpu_catalogue",
	.test_cases = nvkm_vgpu_catalogue_cases,
};

kunit_test_suite(nvkm_vgpu_catalogue_suite);
