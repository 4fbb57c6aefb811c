// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the vGPU's PCI configuration space. Expected values come
 * from the PCI/PCIe specifications and from the real H100 in
 * shared/reference/h100-pci-config.txt, not from the object under test.
 */
#include <kunit/test.h>
#include <linux/pci_regs.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../../vgpu_mgr/config.h"

/* The H100 80GB HBM3 of shared/reference/. */
static const struct nvkm_vgpu_config_id h100_id = {
	.vendor_id = 0x10de,
	.device_id = 0x2330,
	.subsystem_vendor_id = 0x10de,
	.subsystem_id = 0x16c1,
	.class_code = 0x030200,
	.revision = 0xa1,
	.bar0_size = SZ_16M,
	.bar1_size = 128ULL * SZ_1G,
	.bar3_size = SZ_32M,
};

/* Capability offsets on the H100: PM, MSI, PCIe (then MSI-X, not shown). */
#define PM	0x40
#define MSI	0x48
#define EXP	0x60

static struct nvkm_vgpu_config *config_new(struct kunit *test,
					   const struct nvkm_vgpu_config_id *id)
{
	struct nvkm_vgpu_config *cfg = kunit_kzalloc(test, sizeof(*cfg),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cfg);
	nvkm_vgpu_config_init(cfg, id);
	return cfg;
}

static u32 rd(struct kunit *test, struct nvkm_vgpu_config *cfg, u32 pos,
	      u32 len)
{
	u8 b[4] = {};
	u32 val = 0;
	u32 i;

	KUNIT_ASSERT_EQ(test, nvkm_vgpu_config_read(cfg, pos, b, len), len);
	for (i = 0; i < len; i++)
		val |= (u32)b[i] << (8 * i);
	return val;
}

static void wr(struct kunit *test, struct nvkm_vgpu_config *cfg, u32 pos,
	       u32 len, u32 val)
{
	u8 b[4];
	u32 i;

	for (i = 0; i < len; i++)
		b[i] = val >> (8 * i);
	KUNIT_ASSERT_EQ(test, nvkm_vgpu_config_write(cfg, pos, b, len), len);
}

/* Size a BAR the way a BIOS does, both dwords for a 64-bit BAR. */
static u64 size_bar(struct kunit *test, struct nvkm_vgpu_config *cfg,
		    u32 pos, bool is_64)
{
	u64 mask;

	wr(test, cfg, pos, 4, 0xffffffff);
	mask = rd(test, cfg, pos, 4) & PCI_BASE_ADDRESS_MEM_MASK;
	if (is_64) {
		wr(test, cfg, pos + 4, 4, 0xffffffff);
		mask |= (u64)rd(test, cfg, pos + 4, 4) << 32;
	} else {
		mask |= 0xffffffff00000000ULL;
	}
	return ~mask + 1;
}

static void test_vendor_and_device_ids_read_back(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_VENDOR_ID, 4), 0x233010de);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_SUBSYSTEM_VENDOR_ID, 4),
			0x16c110de);
	/* Revision a1, class 03 02 00: as bytes 08..0b of the capture. */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_CLASS_REVISION, 4), 0x030200a1);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_HEADER_TYPE, 1), 0);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_COMMAND, 2), 0);
}

static void test_display_type_reports_vga_class(struct kunit *test)
{
	struct nvkm_vgpu_config_id id = h100_id;
	struct nvkm_vgpu_config *cfg;

	id.class_code = NVKM_VGPU_CONFIG_CLASS_DISPLAY | 0xff000000;
	cfg = config_new(test, &id);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_CLASS_REVISION, 4), 0x030000a1);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_HEADER_TYPE, 1), 0);
}

static void test_bar0_sizing_returns_16mib_mask(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_0, 4), 0);
	wr(test, cfg, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	/* 32-bit, non-prefetchable memory: type bits stay 0. */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_0, 4), 0xff000000);
	KUNIT_EXPECT_EQ(test, size_bar(test, cfg, PCI_BASE_ADDRESS_0, false),
			(u64)SZ_16M);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_bar_size(cfg, 0), (u64)SZ_16M);
}

static void test_bar_address_keeps_only_bits_above_size(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	wr(test, cfg, PCI_BASE_ADDRESS_0, 4, 0xfd5a5a5f);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_0, 4), 0xfd000000);
	/* BAR3 (32 MiB): bit 25 up in the low dword, all of the high one. */
	wr(test, cfg, PCI_BASE_ADDRESS_3, 4, 0x13fffff3);
	wr(test, cfg, PCI_BASE_ADDRESS_4, 4, 0x00001020);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_3, 4), 0x1200000c);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_4, 4), 0x00001020);
}

static void test_bar1_64bit_sizing_covers_both_dwords(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	/* 64-bit prefetchable memory (type 10b, prefetch 1). */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_1, 4), 0x0000000c);
	wr(test, cfg, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	wr(test, cfg, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
	/* 128 GiB: no address bit in the low dword, 2^37 up in the high. */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_1, 4), 0x0000000c);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_2, 4), 0xffffffe0);
	KUNIT_EXPECT_EQ(test, size_bar(test, cfg, PCI_BASE_ADDRESS_1, true),
			128ULL * SZ_1G);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_bar_size(cfg, 1), 128ULL * SZ_1G);
}

static void test_small_bar1_sizing_uses_low_dword(struct kunit *test)
{
	struct nvkm_vgpu_config_id id = h100_id;
	struct nvkm_vgpu_config *cfg;

	id.bar1_size = SZ_256M;
	cfg = config_new(test, &id);
	wr(test, cfg, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	wr(test, cfg, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_1, 4), 0xf000000c);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_2, 4), 0xffffffff);
	KUNIT_EXPECT_EQ(test, size_bar(test, cfg, PCI_BASE_ADDRESS_1, true),
			(u64)SZ_256M);
}

static void test_bar3_sizing_returns_32mib_mask(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_3, 4), 0x0000000c);
	KUNIT_EXPECT_EQ(test, size_bar(test, cfg, PCI_BASE_ADDRESS_3, true),
			(u64)SZ_32M);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_3, 4), 0xfe00000c);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_bar_size(cfg, 3), (u64)SZ_32M);
}

static void test_unused_bar_reads_zero_and_ignores_writes(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);
	unsigned int bar;

	/* BAR5, CardBus CIS, expansion ROM (none). */
	wr(test, cfg, PCI_BASE_ADDRESS_5, 4, 0xffffffff);
	wr(test, cfg, PCI_CARDBUS_CIS, 4, 0xffffffff);
	wr(test, cfg, PCI_ROM_ADDRESS, 4, 0xffffffff);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_5, 4), 0);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_CARDBUS_CIS, 4), 0);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_ROM_ADDRESS, 4), 0);
	/* As VFIO regions, BAR2 and BAR4 (upper halves) and BAR5 are empty. */
	for (bar = 2; bar <= 6; bar++)
		if (bar != 3)
			KUNIT_EXPECT_EQ_MSG(test,
					    nvkm_vgpu_config_bar_size(cfg, bar),
					    0ULL, "BAR%u", bar);
}

static void test_absent_bar3_reads_zero_and_ignores_writes(struct kunit *test)
{
	struct nvkm_vgpu_config_id id = h100_id;
	struct nvkm_vgpu_config *cfg;

	id.bar3_size = 0;
	cfg = config_new(test, &id);
	wr(test, cfg, PCI_BASE_ADDRESS_3, 4, 0xffffffff);
	wr(test, cfg, PCI_BASE_ADDRESS_4, 4, 0xffffffff);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_3, 4), 0);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_4, 4), 0);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_bar_size(cfg, 3), 0ULL);
	/* BAR1 next to it is unchanged. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_bar_size(cfg, 1), 128ULL * SZ_1G);
}

static void test_bar_size_rounds_up_to_power_of_two(struct kunit *test)
{
	struct nvkm_vgpu_config_id id = h100_id;
	struct nvkm_vgpu_config *cfg;

	id.bar1_size = 10120ULL * SZ_1M;	/* an h100-10c slice */
	id.bar3_size = 1;
	cfg = config_new(test, &id);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_bar_size(cfg, 1), 16ULL * SZ_1G);
	KUNIT_EXPECT_EQ(test, size_bar(test, cfg, PCI_BASE_ADDRESS_1, true),
			16ULL * SZ_1G);
	/* A memory BAR decodes at least 16 bytes. */
	KUNIT_EXPECT_EQ(test, size_bar(test, cfg, PCI_BASE_ADDRESS_3, true),
			16ULL);
}

static void test_readonly_ids_ignore_writes(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	wr(test, cfg, PCI_VENDOR_ID, 4, 0x12345678);
	wr(test, cfg, PCI_CLASS_REVISION, 4, 0xffffffff);
	wr(test, cfg, PCI_SUBSYSTEM_VENDOR_ID, 4, 0);
	wr(test, cfg, PCI_CAPABILITY_LIST, 1, 0x80);
	wr(test, cfg, PCI_HEADER_TYPE, 1, 0x80);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_VENDOR_ID, 4), 0x233010de);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_CLASS_REVISION, 4), 0x030200a1);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_SUBSYSTEM_VENDOR_ID, 4),
			0x16c110de);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_CAPABILITY_LIST, 1), PM);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_HEADER_TYPE, 1), 0);
}

static void test_command_register_keeps_io_bit_clear(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_config_memory_enabled(cfg));
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_config_bus_master_enabled(cfg));
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_config_intx_disabled(cfg));

	wr(test, cfg, PCI_COMMAND, 2, 0xffff);
	/* Memory, master, parity, SERR, INTx disable: nothing else. */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_COMMAND, 2), 0x0546);
	KUNIT_EXPECT_TRUE(test, nvkm_vgpu_config_memory_enabled(cfg));
	KUNIT_EXPECT_TRUE(test, nvkm_vgpu_config_bus_master_enabled(cfg));
	KUNIT_EXPECT_TRUE(test, nvkm_vgpu_config_intx_disabled(cfg));

	/* What Linux writes to enable the H100: memory + master + INTx off. */
	wr(test, cfg, PCI_COMMAND, 2, 0x0406);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_COMMAND, 2), 0x0406);
	wr(test, cfg, PCI_COMMAND, 2, PCI_COMMAND_IO);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_COMMAND, 2), 0);
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_config_memory_enabled(cfg));
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_config_intx_disabled(cfg));
}

static void test_status_error_bits_write_one_to_clear(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	/* The device has latched every error and has INTx pending. */
	cfg->space[PCI_STATUS + 1] = 0xf9;
	nvkm_vgpu_config_set_intx_status(cfg, true);
	KUNIT_ASSERT_EQ(test, rd(test, cfg, PCI_STATUS, 2), 0xf918);

	/* Writing 0 clears nothing; writing 1 clears only the bit written. */
	wr(test, cfg, PCI_STATUS, 2, 0);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_STATUS, 2), 0xf918);
	wr(test, cfg, PCI_STATUS, 2, PCI_STATUS_REC_MASTER_ABORT);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_STATUS, 2), 0xd918);
	/* Interrupt status and capability list are read-only. */
	wr(test, cfg, PCI_STATUS, 2, 0xffff);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_STATUS, 2), 0x0018);
	/* A write to the command register does not touch status. */
	cfg->space[PCI_STATUS + 1] = 0x20;
	wr(test, cfg, PCI_COMMAND, 2, 0);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_STATUS, 2), 0x2018);
}

static void test_intx_status_is_set_by_device_only(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	wr(test, cfg, PCI_STATUS, 2, PCI_STATUS_INTERRUPT);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	nvkm_vgpu_config_set_intx_status(cfg, true);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_STATUS, 2),
			PCI_STATUS_CAP_LIST | PCI_STATUS_INTERRUPT);
	/* Still reported with INTx disabled, as on a real function. */
	wr(test, cfg, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	KUNIT_EXPECT_TRUE(test, rd(test, cfg, PCI_STATUS, 2) &
			  PCI_STATUS_INTERRUPT);
	nvkm_vgpu_config_set_intx_status(cfg, false);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
}

static void test_capability_list_matches_h100_ids(struct kunit *test)
{
	/* The capture's list: 0x40 PM, 0x48 MSI, 0x60 PCIe, 0xb0 MSI-X. */
	static const u8 h100[][2] = {
		{ 0x40, PCI_CAP_ID_PM }, { 0x48, PCI_CAP_ID_MSI },
		{ 0x60, PCI_CAP_ID_EXP },
	};
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);
	u32 pos = rd(test, cfg, PCI_CAPABILITY_LIST, 1);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(h100); i++) {
		KUNIT_ASSERT_EQ_MSG(test, pos, h100[i][0], "capability %u", i);
		KUNIT_EXPECT_EQ(test, rd(test, cfg, pos, 1), h100[i][1]);
		pos = rd(test, cfg, pos + 1, 1);
	}
	/* MSI-X is not offered, so the list ends after PCIe. */
	KUNIT_EXPECT_EQ(test, pos, 0);
	/* PCIe v2 endpoint, as on the H100. */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, EXP + PCI_EXP_FLAGS, 2), 0x0002);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, EXP + PCI_EXP_LNKCAP, 4),
			0x00457905);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, EXP + PCI_EXP_LNKSTA, 2), 0x1105);
}

static void test_capability_walk_terminates(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);
	u32 pos = rd(test, cfg, PCI_CAPABILITY_LIST, 1);
	unsigned int seen = 0;

	KUNIT_EXPECT_TRUE(test, rd(test, cfg, PCI_STATUS, 2) &
			  PCI_STATUS_CAP_LIST);
	while (pos) {
		/* Within the header's capability area, dword aligned, forward. */
		KUNIT_ASSERT_GE(test, pos, 0x40);
		KUNIT_ASSERT_LE(test, pos, 0xfc);
		KUNIT_ASSERT_EQ(test, pos & 3, 0);
		seen++;
		KUNIT_ASSERT_LT(test, seen, 48);
		KUNIT_ASSERT_NE(test, rd(test, cfg, pos, 1), 0);
		KUNIT_ASSERT_GT_MSG(test, rd(test, cfg, pos + 1, 1) ?: 0x100, pos,
				    "capability at %#x points back", pos);
		pos = rd(test, cfg, pos + 1, 1);
	}
	KUNIT_EXPECT_EQ(test, seen, 3);
	/* Extended capabilities: one zero header, so the walk ends at once. */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, 0x100, 4), 0);
}

static void test_msi_enable_and_address_data(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_config_msi_enabled(cfg));
	wr(test, cfg, MSI + PCI_MSI_ADDRESS_LO, 4, 0xfee01007);
	wr(test, cfg, MSI + PCI_MSI_ADDRESS_HI, 4, 0x00000001);
	wr(test, cfg, MSI + PCI_MSI_DATA_64, 2, 0x4041);
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_config_msi_enabled(cfg));
	wr(test, cfg, MSI + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);

	KUNIT_EXPECT_TRUE(test, nvkm_vgpu_config_msi_enabled(cfg));
	/* The address is dword aligned: bits 1:0 are read-only 0. */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, MSI + PCI_MSI_ADDRESS_LO, 4),
			0xfee01004);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_msi_address(cfg),
			0x1fee01004ULL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_msi_data(cfg), 0x4041);
	/* Extended message data is not offered: 0x56 stays 0. */
	wr(test, cfg, MSI + PCI_MSI_DATA_64 + 2, 2, 0xffff);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, MSI + PCI_MSI_DATA_64, 4), 0x4041);

	wr(test, cfg, MSI + PCI_MSI_FLAGS, 2, 0);
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_config_msi_enabled(cfg));
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_msi_address(cfg),
			0x1fee01004ULL);
}

static void test_msi_multiple_message_enable_stays_one_vector(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	/* 64-bit, MMC 0 (one vector), no per-vector masking. */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, MSI + PCI_MSI_FLAGS, 2),
			PCI_MSI_FLAGS_64BIT);
	wr(test, cfg, MSI + PCI_MSI_FLAGS, 2, 0xffff);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, MSI + PCI_MSI_FLAGS, 2),
			PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_ENABLE);
	/* What Linux writes for 8 vectors it never asked for. */
	wr(test, cfg, MSI + PCI_MSI_FLAGS, 2, 0x0031);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, MSI + PCI_MSI_FLAGS, 2) &
			(PCI_MSI_FLAGS_QMASK | PCI_MSI_FLAGS_QSIZE), 0);
	/* No mask or pending bits behind the data register. */
	wr(test, cfg, MSI + PCI_MSI_MASK_64, 4, 0xffffffff);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, MSI + PCI_MSI_MASK_64, 4), 0);
}

static void test_access_past_end_is_einval(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);
	u8 buf[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
	static const u8 ones[4] = { 0xff, 0xff, 0xff, 0xff };

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_read(cfg, 4093, buf, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_read(cfg, 4096, buf, 1), -EINVAL);
	/* pos + count wraps around 32 bits. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_read(cfg, 0xfffffffe, buf, 4),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, buf[0], 0xaa);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_write(cfg, 4095, ones, 2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_write(cfg, 0xffffffff, ones, 1),
			-EINVAL);
	/* The last dword and the last byte are in range. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_read(cfg, 4092, buf, 4), 4);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_write(cfg, 4095, ones, 1), 1);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, 4092, 4), 0);
}

static void test_zero_or_oversized_count_is_einval(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);
	u8 buf[8] = {};

	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_read(cfg, 0, buf, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_read(cfg, 0, buf, 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_read(cfg, 0, buf, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, buf[0], 0);
	/* A rejected write stores nothing, not even its first bytes. */
	memset(buf, 0xff, sizeof(buf));
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_write(cfg, PCI_COMMAND, buf, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_write(cfg, PCI_COMMAND, buf, 8),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_COMMAND, 2), 0);
	/* Three bytes is a legal access. */
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_read(cfg, 0, buf, 3), 3);
	KUNIT_EXPECT_EQ(test, buf[2], 0x30);
	KUNIT_EXPECT_EQ(test, buf[3], 0xff);
}

static void test_unaligned_byte_access(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	/* Bytes 0x03..0x06: device ID high, command, status low. */
	wr(test, cfg, PCI_DEVICE_ID + 1, 4, 0xffffffff);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_DEVICE_ID, 2), 0x2330);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_COMMAND, 2), 0x0546);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_STATUS, 2), 0x0010);
	/* A read across a dword boundary returns the bytes it covers. */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_DEVICE_ID + 1, 3), 0x054623);
	/* One byte of the MSI address high dword, the rest untouched. */
	wr(test, cfg, MSI + PCI_MSI_ADDRESS_HI + 2, 1, 0x5a);
	KUNIT_EXPECT_EQ(test, nvkm_vgpu_config_msi_address(cfg),
			0x005a000000000000ULL);
	/* The high byte of BAR0 alone. */
	wr(test, cfg, PCI_BASE_ADDRESS_0 + 3, 1, 0xfe);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_BASE_ADDRESS_0, 4), 0xfe000000);
}

static void test_reset_restores_power_on_state(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);
	struct nvkm_vgpu_config *fresh = config_new(test, &h100_id);

	wr(test, cfg, PCI_COMMAND, 2, 0x0546);
	wr(test, cfg, PCI_BASE_ADDRESS_0, 4, 0xfd000000);
	wr(test, cfg, PCI_BASE_ADDRESS_2, 4, 0x1000);
	wr(test, cfg, PCI_INTERRUPT_LINE, 1, 11);
	wr(test, cfg, MSI + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	wr(test, cfg, MSI + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	wr(test, cfg, PM + PCI_PM_CTRL, 2, 3);
	wr(test, cfg, EXP + PCI_EXP_DEVCTL, 2, 0x513e);
	nvkm_vgpu_config_set_intx_status(cfg, true);
	KUNIT_ASSERT_NE(test, memcmp(cfg->space, fresh->space,
				     sizeof(cfg->space)), 0);

	nvkm_vgpu_config_reset(cfg);
	KUNIT_EXPECT_MEMEQ(test, cfg->space, fresh->space, sizeof(cfg->space));
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_config_msi_enabled(cfg));
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_config_memory_enabled(cfg));
	/* Reset keeps the identity and the BAR sizes. */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_VENDOR_ID, 4), 0x233010de);
	KUNIT_EXPECT_EQ(test, size_bar(test, cfg, PCI_BASE_ADDRESS_1, true),
			128ULL * SZ_1G);
}

static void test_interrupt_line_writable_pin_readonly(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_INTERRUPT_PIN, 1), 1);
	wr(test, cfg, PCI_INTERRUPT_LINE, 4, 0xffffff0b);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_INTERRUPT_LINE, 1), 0x0b);
	/* INTA; Min_Gnt and Max_Lat are 0 on PCIe. */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_INTERRUPT_PIN, 1), 1);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_MIN_GNT, 2), 0);
	wr(test, cfg, PCI_INTERRUPT_LINE, 1, 0xff);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_INTERRUPT_LINE, 4), 0x000001ff);
}

static void test_cache_line_size_writable_latency_timer_zero(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	wr(test, cfg, PCI_CACHE_LINE_SIZE, 2, 0x4010);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_CACHE_LINE_SIZE, 1), 0x10);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PCI_LATENCY_TIMER, 1), 0);
}

static void test_pm_state_writable_d0_and_d3hot_only(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	/* Version 3, no D1/D2, no PME: as the H100 (PMC 0x0013). */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PM + PCI_PM_PMC, 2), 0x0013);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PM + PCI_PM_CTRL, 2),
			PCI_PM_CTRL_NO_SOFT_RESET);

	wr(test, cfg, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	wr(test, cfg, PM + PCI_PM_CTRL, 2, 0xffff);	/* D3hot, PME bits */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PM + PCI_PM_CTRL, 2),
			PCI_PM_CTRL_NO_SOFT_RESET | 3);
	KUNIT_EXPECT_FALSE(test, nvkm_vgpu_config_memory_enabled(cfg));

	/* D1 and D2 are not supported: the state does not change. */
	wr(test, cfg, PM + PCI_PM_CTRL, 1, 1);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PM + PCI_PM_CTRL, 1) & 3, 3);
	wr(test, cfg, PM + PCI_PM_CTRL, 4, 2);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PM + PCI_PM_CTRL, 1) & 3, 3);

	/* Back to D0: No_Soft_Reset, so command and BARs survive. */
	wr(test, cfg, PM + PCI_PM_CTRL, 2, 0);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PM + PCI_PM_CTRL, 2),
			PCI_PM_CTRL_NO_SOFT_RESET);
	KUNIT_EXPECT_TRUE(test, nvkm_vgpu_config_memory_enabled(cfg));
	wr(test, cfg, PM + PCI_PM_CTRL, 1, 2);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, PM + PCI_PM_CTRL, 1) & 3, 0);
}

static void test_pcie_control_registers_writable_as_endpoint(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);

	/* Power-on: relaxed ordering, no snoop, MRRS 512 bytes. */
	KUNIT_EXPECT_EQ(test, rd(test, cfg, EXP + PCI_EXP_DEVCTL, 2), 0x2810);
	/* What the H100's driver left there. */
	wr(test, cfg, EXP + PCI_EXP_DEVCTL, 2, 0x513e);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, EXP + PCI_EXP_DEVCTL, 2), 0x513e);
	/* No phantom functions, no aux power, no FLR: those stay 0. */
	wr(test, cfg, EXP + PCI_EXP_DEVCTL, 2, 0xffff);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, EXP + PCI_EXP_DEVCTL, 2), 0x79ff);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, EXP + PCI_EXP_DEVCAP, 4) &
			PCI_EXP_DEVCAP_FLR, 0);
	/* ASPM, RCB, common clock, ext synch, clock PM, HAWD. */
	wr(test, cfg, EXP + PCI_EXP_LNKCTL, 2, 0xffff);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, EXP + PCI_EXP_LNKCTL, 2), 0x03cb);
	/* What the H100's driver left in Device Control 2. */
	wr(test, cfg, EXP + PCI_EXP_DEVCTL2, 2, 0x1046);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, EXP + PCI_EXP_DEVCTL2, 2), 0x1046);
	/* Capabilities and link status are read-only. */
	wr(test, cfg, EXP + PCI_EXP_LNKCAP, 4, 0);
	wr(test, cfg, EXP + PCI_EXP_LNKSTA, 2, 0);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, EXP + PCI_EXP_LNKCAP, 4),
			0x00457905);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, EXP + PCI_EXP_LNKSTA, 2), 0x1105);
	/* Device status error bits are write-1-to-clear. */
	cfg->space[EXP + PCI_EXP_DEVSTA] = 0x0f;
	wr(test, cfg, EXP + PCI_EXP_DEVSTA, 2, PCI_EXP_DEVSTA_URD);
	KUNIT_EXPECT_EQ(test, rd(test, cfg, EXP + PCI_EXP_DEVSTA, 2), 0x07);
}

static void test_extended_space_is_terminated_and_readonly(struct kunit *test)
{
	struct nvkm_vgpu_config *cfg = config_new(test, &h100_id);
	u32 pos;

	wr(test, cfg, 0x100, 4, 0x12c00018);
	wr(test, cfg, 0x800, 2, 0xffff);
	for (pos = 0x100; pos < NVKM_VGPU_CONFIG_SIZE; pos += 4)
		KUNIT_ASSERT_EQ_MSG(test, rd(test, cfg, pos, 4), 0,
				    "offset %#x", pos);
}

static struct kunit_case nvkm_vgpu_config_cases[] = {
	KUNIT_CASE(test_vendor_and_device_ids_read_back),
	KUNIT_CASE(test_display_type_reports_vga_class),
	KUNIT_CASE(test_bar0_sizing_returns_16mib_mask),
	KUNIT_CASE(test_bar_address_keeps_only_bits_above_size),
	KUNIT_CASE(test_bar1_64bit_sizing_covers_both_dwords),
	KUNIT_CASE(test_small_bar1_sizing_uses_low_dword),
	KUNIT_CASE(test_bar3_sizing_returns_32mib_mask),
	KUNIT_CASE(test_unused_bar_reads_zero_and_ignores_writes),
	KUNIT_CASE(test_absent_bar3_reads_zero_and_ignores_writes),
	KUNIT_CASE(test_bar_size_rounds_up_to_power_of_two),
	KUNIT_CASE(test_readonly_ids_ignore_writes),
	KUNIT_CASE(test_command_register_keeps_io_bit_clear),
	KUNIT_CASE(test_status_error_bits_write_one_to_clear),
	KUNIT_CASE(test_intx_status_is_set_by_device_only),
	KUNIT_CASE(test_capability_list_matches_h100_ids),
	KUNIT_CASE(test_capability_walk_terminates),
	KUNIT_CASE(test_msi_enable_and_address_data),
	KUNIT_CASE(test_msi_multiple_message_enable_stays_one_vector),
	KUNIT_CASE(test_access_past_end_is_einval),
	KUNIT_CASE(test_zero_or_oversized_count_is_einval),
	KUNIT_CASE(test_unaligned_byte_access),
	KUNIT_CASE(test_reset_restores_power_on_state),
	KUNIT_CASE(test_interrupt_line_writable_pin_readonly),
	KUNIT_CASE(test_cache_line_size_writable_latency_timer_zero),
	KUNIT_CASE(test_pm_state_writable_d0_and_d3hot_only),
	KUNIT_CASE(test_pcie_control_registers_writable_as_endpoint),
	KUNIT_CASE(test_extended_space_is_terminated_and_readonly),
	{}
};

static struct kunit_suite nvkm_vgpu_config_suite = {
	.name = "nvkm_vgpu_config",
	.test_cases = nvkm_vgpu_config_cases,
};

kunit_test_suite(nvkm_vgpu_config_suite);
