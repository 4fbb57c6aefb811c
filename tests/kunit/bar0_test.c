// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the vGPU's BAR0 register emulation.
 */
#include <kunit/test.h>
#include <linux/sizes.h>
#include <uapi/linux/nvkm_vgpu.h>

#include "../../vgpu_mgr/bar0.h"

static const struct nvkm_vgpu_bar0_info info = {
	.boot0 = 0x180000a1,
	.device = 0x10de | 0x2330 << 16,
	.type_index = 3,
	.fb_size = 10120ULL * SZ_1M,
	.chid_count = 128,
	.engines = NVKM_VGPU_ENGINE_BIT_GR | NVKM_VGPU_ENGINE_BIT_CE,
};

static void bar0_fini_action(void *bar0)
{
	nvkm_vgpu_bar0_fini(bar0);
}

static struct nvkm_vgpu_bar0 *bar0_new(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = kunit_kzalloc(test, sizeof(*bar0), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bar0);
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_bar0_init(bar0, &info), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, bar0_fini_action, bar0));
	return bar0;
}

static u32 rd32(struct kunit *test, struct nvkm_vgpu_bar0 *bar0, u32 reg)
{
	__le32 v;

	KUNIT_ASSERT_EQ(test, nvkm_vgpu_bar0_read(bar0, reg, &v, 4), 4);
	return le32_to_cpu(v);
}

static void wr32(struct kunit *test, struct nvkm_vgpu_bar0 *bar0, u32 reg, u32 val)
{
	__le32 v = cpu_to_le32(val);

	KUNIT_ASSERT_EQ(test, nvkm_vgpu_bar0_write(bar0, reg, &v, 4), 4);
}

static void test_identity_registers_read_back(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);

	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_BOOT_0), 0x180000a1);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_MAGIC), NVKM_VGPU_MAGIC);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_VERSION),
			NVKM_VGPU_UAPI_VERSION);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_DEVICE), 0x233010de);
}

static void test_geometry_registers_describe_the_slice(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);
	u64 fb = rd32(test, bar0, NVKM_VGPU_REG_FB_SIZE_LO) |
		 (u64)rd32(test, bar0, NVKM_VGPU_REG_FB_SIZE_HI) << 32;

	KUNIT_EXPECT_EQ(test, fb, 10120ULL * SZ_1M);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_CHID_COUNT), 128);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_TYPE), 3);
	/* Version 1's CHID_BASE and PLACEMENT: the host's layout, now hidden. */
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, 0xf00018), 0);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, 0xf00024), 0);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_ENGINES), 3);
}

static void test_readonly_registers_ignore_writes(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);

	wr32(test, bar0, NVKM_VGPU_REG_MAGIC, 0);
	wr32(test, bar0, NVKM_VGPU_REG_CHID_COUNT, 1);
	wr32(test, bar0, NVKM_VGPU_REG_FB_SIZE_LO, 0);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_MAGIC), NVKM_VGPU_MAGIC);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_CHID_COUNT), 128);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_FB_SIZE_LO),
			lower_32_bits(10120ULL * SZ_1M));
}

static void test_scratch_is_writable_and_reset_clears_it(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);

	wr32(test, bar0, NVKM_VGPU_REG_SCRATCH, 0xdeadbeef);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_SCRATCH), 0xdeadbeef);
	nvkm_vgpu_bar0_reset(bar0);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_SCRATCH), 0);
}

static void test_trigger_asserts_only_when_enabled(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);

	wr32(test, bar0, NVKM_VGPU_REG_INTR_TRIGGER, NVKM_VGPU_INTR_SOFTWARE);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_INTR_STATUS),
			NVKM_VGPU_INTR_SOFTWARE);
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_bar0_irq_asserted(bar0));
	wr32(test, bar0, NVKM_VGPU_REG_INTR_ENABLE, NVKM_VGPU_INTR_SOFTWARE);
	KUNIT_EXPECT_TRUE(test, nvkm_vgpu_bar0_irq_asserted(bar0));
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_INTR_TRIGGER), 0);
}

static void test_status_is_write_one_to_clear(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);
	const u32 rest = NVKM_VGPU_INTR_ALL & ~NVKM_VGPU_INTR_SOFTWARE;

	wr32(test, bar0, NVKM_VGPU_REG_INTR_ENABLE, NVKM_VGPU_INTR_ALL);
	wr32(test, bar0, NVKM_VGPU_REG_INTR_TRIGGER, NVKM_VGPU_INTR_ALL);
	wr32(test, bar0, NVKM_VGPU_REG_INTR_STATUS, NVKM_VGPU_INTR_SOFTWARE);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_INTR_STATUS), rest);
	KUNIT_EXPECT_TRUE(test, nvkm_vgpu_bar0_irq_asserted(bar0));
	wr32(test, bar0, NVKM_VGPU_REG_INTR_STATUS, 0);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_INTR_STATUS), rest);
	wr32(test, bar0, NVKM_VGPU_REG_INTR_STATUS, rest);
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_bar0_irq_asserted(bar0));
}

static void test_unknown_interrupt_bits_are_ignored(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);

	wr32(test, bar0, NVKM_VGPU_REG_INTR_ENABLE, 0xffffffff);
	wr32(test, bar0, NVKM_VGPU_REG_INTR_TRIGGER, 0x80000000);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_INTR_ENABLE),
			NVKM_VGPU_INTR_ALL);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_INTR_STATUS), 0);
}

static void test_doorbell_records_value_and_raises_status(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);

	wr32(test, bar0, NVKM_VGPU_REG_DOORBELL(127), 0x1234);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_DOORBELL(127)), 0x1234);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_INTR_STATUS),
			NVKM_VGPU_INTR_DOORBELL);
}

static void test_doorbell_past_channel_count_is_not_a_register(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);

	wr32(test, bar0, NVKM_VGPU_REG_DOORBELL(128), 0x1234);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_DOORBELL(128)), 0);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_INTR_STATUS), 0);
}

static void test_narrow_reads_return_addressed_bytes(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);
	u8 b;
	__le16 h;

	KUNIT_ASSERT_EQ(test, nvkm_vgpu_bar0_read(bar0, NVKM_VGPU_REG_MAGIC + 3, &b, 1), 1);
	KUNIT_EXPECT_EQ(test, b, 0x56);
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_bar0_read(bar0, NVKM_VGPU_REG_MAGIC + 1, &h, 2), 2);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(h), 0x4756);
	/* Straddling two registers: top byte of MAGIC, low byte of VERSION. */
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_bar0_read(bar0, NVKM_VGPU_REG_MAGIC + 3, &h, 2), 2);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(h),
			(NVKM_VGPU_UAPI_VERSION & 0xff) << 8 | 0x56);
}

static void test_narrow_or_unaligned_writes_are_dropped(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);
	u8 b = 0xff;
	__le32 v = cpu_to_le32(0xffffffff);

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_write(bar0, NVKM_VGPU_REG_SCRATCH, &b, 1), 1);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_write(bar0, NVKM_VGPU_REG_SCRATCH + 2, &v, 4), 4);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_SCRATCH), 0);
}

static void test_eight_byte_access_is_two_registers(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);
	__le64 q;

	KUNIT_ASSERT_EQ(test, nvkm_vgpu_bar0_read(bar0, NVKM_VGPU_REG_FB_SIZE_LO, &q, 8), 8);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(q), 10120ULL * SZ_1M);
	q = cpu_to_le64(0x0000000100000002ULL);
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_bar0_write(bar0, NVKM_VGPU_REG_SCRATCH, &q, 8), 8);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_SCRATCH), 2);
	/* The high half went to the unassigned offset after SCRATCH. */
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_bar0_read(bar0, NVKM_VGPU_REG_SCRATCH, &q, 8), 8);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(q), 2ULL);
}

static void test_bad_sizes_and_out_of_bar_are_einval(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);
	u8 buf[16] = {};

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_read(bar0, 0, buf, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_read(bar0, 0, buf, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_read(bar0, 0, buf, 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_read(bar0, NVKM_VGPU_BAR0_SIZE, buf, 4),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_read(bar0, NVKM_VGPU_BAR0_SIZE - 2, buf, 4),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_write(bar0, NVKM_VGPU_BAR0_SIZE - 4, buf, 8),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_write(bar0, U32_MAX, buf, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_read(bar0, NVKM_VGPU_BAR0_SIZE - 4, buf, 4), 4);
}

static void test_unassigned_offsets_read_zero(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);

	wr32(test, bar0, 0x1000, 0xffffffff);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, 0x1000), 0);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_SCRATCH + 4), 0);
}

static void test_reset_clears_interrupts_and_doorbells(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);

	wr32(test, bar0, NVKM_VGPU_REG_INTR_ENABLE, NVKM_VGPU_INTR_ALL);
	wr32(test, bar0, NVKM_VGPU_REG_DOORBELL(5), 9);
	nvkm_vgpu_bar0_reset(bar0);
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_bar0_irq_asserted(bar0));
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_INTR_ENABLE), 0);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_DOORBELL(5)), 0);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_CHID_COUNT), 128);
}

static void test_init_refuses_too_many_channels(struct kunit *test)
{
	struct nvkm_vgpu_bar0_info big = info;
	struct nvkm_vgpu_bar0 bar0 = {};

	big.chid_count = NVKM_VGPU_DOORBELL_MAX + 1;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_init(&bar0, &big), -EINVAL);
	big.chid_count = 0;
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_init(&bar0, &big), -EINVAL);
}

static void test_doorbells_and_notify_record_kicks(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);

	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_bar0_has_work(bar0));
	wr32(test, bar0, NVKM_VGPU_REG_NOTIFY_CHANNEL_PENDING, 7);
	wr32(test, bar0, NVKM_VGPU_REG_DOORBELL(3), 0xabc);
	/* Past the channel count: nothing. */
	wr32(test, bar0, NVKM_VGPU_REG_NOTIFY_CHANNEL_PENDING, info.chid_count);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0,
				   NVKM_VGPU_REG_NOTIFY_CHANNEL_PENDING), 0);
	KUNIT_EXPECT_TRUE(test, nvkm_vgpu_bar0_has_work(bar0));
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_take_kick(bar0), 3);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_take_kick(bar0), 7);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_bar0_take_kick(bar0), -1);
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_bar0_has_work(bar0));
}

static void test_mailbox_records_command_and_arguments(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);
	u32 args[NVKM_VGPU_MBOX_ARGS];
	u32 cmd, i;

	for (i = 0; i < NVKM_VGPU_MBOX_ARGS; i++)
		wr32(test, bar0, NVKM_VGPU_REG_MBOX_ARG(i), 0x100 + i);
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_bar0_take_mbox(bar0, &cmd, args));
	/* Even 0 is a command to answer. */
	wr32(test, bar0, NVKM_VGPU_REG_MBOX_CMD, 0);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_MBOX_CMD), 0);
	KUNIT_EXPECT_TRUE(test, nvkm_vgpu_bar0_has_work(bar0));
	KUNIT_ASSERT_TRUE(test, nvkm_vgpu_bar0_take_mbox(bar0, &cmd, args));
	KUNIT_EXPECT_EQ(test, cmd, 0);
	for (i = 0; i < NVKM_VGPU_MBOX_ARGS; i++) {
		KUNIT_EXPECT_EQ(test, args[i], 0x100 + i);
		KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_MBOX_ARG(i)),
				0x100 + i);
	}
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_bar0_take_mbox(bar0, &cmd, args));

	wr32(test, bar0, NVKM_VGPU_REG_INTR_ENABLE, NVKM_VGPU_INTR_MAILBOX);
	nvkm_vgpu_bar0_mbox_done(bar0, NVKM_VGPU_MBOX_NO_CHANNEL, 5);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_MBOX_STATUS),
			NVKM_VGPU_MBOX_NO_CHANNEL);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_MBOX_RESULT), 5);
	KUNIT_EXPECT_TRUE(test, nvkm_vgpu_bar0_irq_asserted(bar0));
	/* Status and result are read-only. */
	wr32(test, bar0, NVKM_VGPU_REG_MBOX_STATUS, 0);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_MBOX_STATUS),
			NVKM_VGPU_MBOX_NO_CHANNEL);
}

static void test_channel_states_read_back_and_reset(struct kunit *test)
{
	struct nvkm_vgpu_bar0 *bar0 = bar0_new(test);
	u32 last = NVKM_VGPU_REG_CHAN_STATE(info.chid_count - 1);

	nvkm_vgpu_bar0_chan_state(bar0, 0, NVKM_VGPU_CHAN_STATE_ACTIVE, 0);
	nvkm_vgpu_bar0_chan_state(bar0, info.chid_count - 1,
				  NVKM_VGPU_CHAN_STATE_ERROR,
				  NVKM_VGPU_CHAN_ERR_MMU_FAULT);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_CHAN_STATE(0)),
			NVKM_VGPU_CHAN_STATE_ACTIVE);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, last),
			NVKM_VGPU_CHAN_STATE_ERROR |
			NVKM_VGPU_CHAN_ERR_MMU_FAULT << NVKM_VGPU_CHAN_STATE_ERR_SHIFT);
	/* Read-only, and nothing past the channel count. */
	wr32(test, bar0, NVKM_VGPU_REG_CHAN_STATE(0), 0);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_CHAN_STATE(0)),
			NVKM_VGPU_CHAN_STATE_ACTIVE);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, last + 4), 0);

	nvkm_vgpu_bar0_reset(bar0);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, NVKM_VGPU_REG_CHAN_STATE(0)), 0);
	KUNIT_EXPECT_EQ(test, rd32(test, bar0, last), 0);
}

static struct kunit_case nvkm_vgpu_bar0_cases[] = {
	KUNIT_CASE(test_identity_registers_read_back),
	KUNIT_CASE(test_geometry_registers_describe_the_slice),
	KUNIT_CASE(test_readonly_registers_ignore_writes),
	KUNIT_CASE(test_scratch_is_writable_and_reset_clears_it),
	KUNIT_CASE(test_trigger_asserts_only_when_enabled),
	KUNIT_CASE(test_status_is_write_one_to_clear),
	KUNIT_CASE(test_unknown_interrupt_bits_are_ignored),
	KUNIT_CASE(test_doorbell_records_value_and_raises_status),
	KUNIT_CASE(test_doorbell_past_channel_count_is_not_a_register),
	KUNIT_CASE(test_narrow_reads_return_addressed_bytes),
	KUNIT_CASE(test_narrow_or_unaligned_writes_are_dropped),
	KUNIT_CASE(test_eight_byte_access_is_two_registers),
	KUNIT_CASE(test_bad_sizes_and_out_of_bar_are_einval),
	KUNIT_CASE(test_unassigned_offsets_read_zero),
	KUNIT_CASE(test_reset_clears_interrupts_and_doorbells),
	KUNIT_CASE(test_init_refuses_too_many_channels),
	KUNIT_CASE(test_doorbells_and_notify_record_kicks),
	KUNIT_CASE(test_mailbox_records_command_and_arguments),
	KUNIT_CASE(test_channel_states_read_back_and_reset),
	{}
};

static struct kunit_suite nvkm_vgpu_bar0_suite = {
	.name = "nvkm_vgpu_bar0",
	.test_cases = nvkm_vgpu_bar0_cases,
};

kunit_test_suite(nvkm_vgpu_bar0_suite);
