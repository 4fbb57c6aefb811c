// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the guest's channel requests: the CHAN_ALLOC decoder and
 * the GPU address windows it checks against.
 */
#include <kunit/test.h>
#include <linux/sizes.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "../../vgpu_mgr/channel/mailbox.h"

#define FB_SIZE		(1024ULL * SZ_1M)
#define ENGINES		(NVKM_VGPU_ENGINE_BIT_GR | NVKM_VGPU_ENGINE_BIT_CE)

/* A good request: GPFIFO in FB, USERD in guest memory, notifier in FB. */
static void good_args(u32 *args)
{
	u64 userd = NVKM_VGPU_VA_SYSMEM + SZ_1M;

	args[0] = NVKM_VGPU_CLASS_COPY;
	args[1] = 0x1000;
	args[2] = 0;
	args[3] = 512;
	args[4] = lower_32_bits(userd);
	args[5] = upper_32_bits(userd);
	args[6] = 0x3000;
	args[7] = 0;
}

static u32 decode(u32 *args, struct nvkm_vgpu_chan_req *req)
{
	return nvkm_vgpu_mbox_chan_alloc_decode(args, FB_SIZE, ENGINES, req);
}

static void test_good_request_decodes(struct kunit *test)
{
	struct nvkm_vgpu_chan_req req;
	u32 args[NVKM_VGPU_MBOX_ARGS];

	good_args(args);
	KUNIT_ASSERT_EQ(test, decode(args, &req), NVKM_VGPU_MBOX_OK);
	KUNIT_EXPECT_EQ(test, req.engine, NVKM_VGPU_ENGINE_CE);
	KUNIT_EXPECT_EQ(test, req.gpfifo, 0x1000ULL);
	KUNIT_EXPECT_EQ(test, req.gpfifo_entries, 512U);
	KUNIT_EXPECT_EQ(test, req.userd, NVKM_VGPU_VA_SYSMEM + SZ_1M);
	KUNIT_EXPECT_EQ(test, req.notifier, 0x3000ULL);

	args[0] = NVKM_VGPU_CLASS_SIM_BUSY;
	KUNIT_ASSERT_EQ(test, decode(args, &req), NVKM_VGPU_MBOX_OK);
	KUNIT_EXPECT_EQ(test, req.engine, NVKM_VGPU_ENGINE_GR);
}

static void test_class_must_run_on_an_engine_of_the_vgpu(struct kunit *test)
{
	static const u32 classes[] = { 0, NVKM_VGPU_CLASS_HOST, 0xc5b5,
				       0xffffffff };
	struct nvkm_vgpu_chan_req req;
	u32 args[NVKM_VGPU_MBOX_ARGS];
	unsigned int i;

	good_args(args);
	for (i = 0; i < ARRAY_SIZE(classes); i++) {
		args[0] = classes[i];
		KUNIT_EXPECT_EQ(test, decode(args, &req),
				NVKM_VGPU_MBOX_BAD_CLASS);
	}
	/* A vGPU without copy engines refuses the copy class. */
	args[0] = NVKM_VGPU_CLASS_COPY;
	KUNIT_EXPECT_EQ(test,
			nvkm_vgpu_mbox_chan_alloc_decode(args, FB_SIZE,
							 NVKM_VGPU_ENGINE_BIT_GR,
							 &req),
			NVKM_VGPU_MBOX_BAD_CLASS);
}

static void test_gpfifo_entries_power_of_two_in_range(struct kunit *test)
{
	static const u32 bad[] = { 0, 1, 3, 100, 2 * NVKM_VGPU_GPFIFO_ENTRIES_MAX,
				   NVKM_VGPU_GPFIFO_ENTRIES_MAX + 1, 0x80000000 };
	struct nvkm_vgpu_chan_req req;
	u32 args[NVKM_VGPU_MBOX_ARGS];
	unsigned int i;

	good_args(args);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		args[3] = bad[i];
		KUNIT_EXPECT_EQ(test, decode(args, &req),
				NVKM_VGPU_MBOX_BAD_SIZE);
	}
	args[3] = 2;
	KUNIT_EXPECT_EQ(test, decode(args, &req), NVKM_VGPU_MBOX_OK);
	args[3] = NVKM_VGPU_GPFIFO_ENTRIES_MAX;
	KUNIT_EXPECT_EQ(test, decode(args, &req), NVKM_VGPU_MBOX_OK);
}

static void test_misaligned_addresses_refused(struct kunit *test)
{
	struct nvkm_vgpu_chan_req req;
	u32 args[NVKM_VGPU_MBOX_ARGS];

	good_args(args);
	args[1] = 0x1004;
	KUNIT_EXPECT_EQ(test, decode(args, &req), NVKM_VGPU_MBOX_BAD_ADDRESS);
	good_args(args);
	args[4] += 0x100;
	KUNIT_EXPECT_EQ(test, decode(args, &req), NVKM_VGPU_MBOX_BAD_ADDRESS);
	good_args(args);
	args[6] = 0x3008;
	KUNIT_EXPECT_EQ(test, decode(args, &req), NVKM_VGPU_MBOX_BAD_ADDRESS);
}

static void test_addresses_outside_a_window_refused(struct kunit *test)
{
	struct nvkm_vgpu_chan_req req;
	u32 args[NVKM_VGPU_MBOX_ARGS];

	/* GPFIFO whose last entry is the FB's last 8 bytes: fine. */
	good_args(args);
	args[1] = lower_32_bits(FB_SIZE - 512 * 8);
	KUNIT_EXPECT_EQ(test, decode(args, &req), NVKM_VGPU_MBOX_OK);
	/* One entry further runs past the FB. */
	args[1] += 8;
	KUNIT_EXPECT_EQ(test, decode(args, &req), NVKM_VGPU_MBOX_BAD_ADDRESS);
	/* Between the windows. */
	good_args(args);
	args[6] = lower_32_bits(FB_SIZE);
	args[7] = upper_32_bits(FB_SIZE);
	KUNIT_EXPECT_EQ(test, decode(args, &req), NVKM_VGPU_MBOX_BAD_ADDRESS);
	/* Past the guest-memory window. */
	good_args(args);
	args[4] = 0;
	args[5] = upper_32_bits(NVKM_VGPU_VA_SYSMEM + NVKM_VGPU_VA_SYSMEM_SIZE);
	KUNIT_EXPECT_EQ(test, decode(args, &req), NVKM_VGPU_MBOX_BAD_ADDRESS);
	/* High bits that wrap around nothing. */
	good_args(args);
	args[2] = 0xffffffff;
	KUNIT_EXPECT_EQ(test, decode(args, &req), NVKM_VGPU_MBOX_BAD_ADDRESS);
}

static void test_va_windows(struct kunit *test)
{
	const u64 sys = NVKM_VGPU_VA_SYSMEM, size = NVKM_VGPU_VA_SYSMEM_SIZE;

	KUNIT_EXPECT_TRUE(test, nvkm_vgpu_va_valid(0, FB_SIZE, FB_SIZE));
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_va_valid(0, FB_SIZE + 1, FB_SIZE));
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_va_valid(FB_SIZE - 4, 8, FB_SIZE));
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_va_valid(0, 0, FB_SIZE));
	KUNIT_EXPECT_TRUE(test, nvkm_vgpu_va_valid(sys, size, FB_SIZE));
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_va_valid(sys - 4, 8, FB_SIZE));
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_va_valid(sys + size - 4, 8, FB_SIZE));
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_va_valid(U64_MAX, 1, FB_SIZE));
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_va_valid(sys, U64_MAX, FB_SIZE));
}

static struct kunit_case nvkm_vgpu_mailbox_cases[] = {
	KUNIT_CASE(test_good_request_decodes),
	KUNIT_CASE(test_class_must_run_on_an_engine_of_the_vgpu),
	KUNIT_CASE(test_gpfifo_entries_power_of_two_in_range),
	KUNIT_CASE(test_misaligned_addresses_refused),
	KUNIT_CASE(test_addresses_outside_a_window_refused),
	KUNIT_CASE(test_va_windows),
	{}
};

static struct kunit_suite nvkm_vgpu_mailbox_suite = {
	.name = "nvkm_vgpu_mailbox",
	.test_cases = nvkm_vgpu_mailbox_cases,
};

kunit_test_suite(nvkm_vgpu_mailbox_suite);
