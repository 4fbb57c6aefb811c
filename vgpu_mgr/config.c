// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI configuration space a guest sees on a vGPU: a type 0 header and a
 * capability list modelled on a real H100 (shared/reference/h100-pci-config.*)
 * with NVIDIA's bare-metal BAR layout, so VFIO region index N is BARN.
 *
 *   0x00  header    IDs, command, status, class, BARs, subsystem, INTA
 *   0x10  BAR0      32-bit memory, non-prefetchable (registers, 16 MiB)
 *   0x14  BAR1      64-bit memory, prefetchable, 0x14/0x18 (framebuffer)
 *   0x1c  BAR3      64-bit memory, prefetchable, 0x1c/0x20 (0 if absent)
 *   0x24  BAR5      unused, reads 0
 *   0x30  ROM       none, reads 0
 *   0x40  PM        cap 0x01 -> 0x48: D0 and D3hot, No_Soft_Reset
 *   0x48  MSI       cap 0x05 -> 0x60: 64-bit address, one vector, no masking
 *   0x60  PCIe      cap 0x10 -> end:  v2 endpoint, Gen5 x16
 *   0x100 extended  one terminating header (ID 0, version 0, next 0)
 *
 * The H100 lists PM, MSI, PCIe, MSI-X at 0x40, 0x48, 0x60, 0xb0. The vGPU
 * signals MSI and INTx only, so MSI-X is left out and the PCIe capability
 * ends the list. Its MSI capability offers one vector instead of sixteen
 * and neither per-vector masking nor extended message data. Its PCIe
 * capability does not offer FLR (resets go through VFIO_DEVICE_RESET), LTR
 * or OBFF (no LTR extended capability, no link to save power on). The
 * H100's extended capabilities (AER, LTR, power budgeting, serial number,
 * NVIDIA's VSEC, the PHY layers) describe the physical link and are not
 * shown. Documentation/config-space.rst has the register table.
 *
 * Every byte has a write mask and a write-1-to-clear mask; a write stores
 * the bits of the first and clears the bits of the second. The only rule a
 * mask cannot express, that a write of the unsupported D1 or D2 to the PM
 * power state field leaves the state unchanged, is applied after the masks.
 */
#include <linux/bits.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/pci_regs.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "config.h"

/* Capability offsets, as on the H100. */
#define CFG_PM	0x40
#define CFG_MSI	0x48
#define CFG_EXP	0x60

/* PM: version 3, Immediate_Readiness_on_Return_to_D0, no PME, no D1/D2. */
#define CFG_PM_PMC		0x0013
/* PMCSR power states (pci_power_t is the kernel's view, not the field). */
#define CFG_PM_D0		0
#define CFG_PM_D1		1
#define CFG_PM_D2		2

/* Command bits a guest can set: no I/O BAR, no PCI-only features. */
#define CFG_COMMAND_WMASK	(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
				 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | \
				 PCI_COMMAND_INTX_DISABLE)
/* Status error bits, write-1-to-clear. */
#define CFG_STATUS_W1C	(PCI_STATUS_PARITY | \
				 PCI_STATUS_SIG_TARGET_ABORT | \
				 PCI_STATUS_REC_TARGET_ABORT | \
				 PCI_STATUS_REC_MASTER_ABORT | \
				 PCI_STATUS_SIG_SYSTEM_ERROR | \
				 PCI_STATUS_DETECTED_PARITY)

/* PCIe v2 endpoint, interrupt message number 0. */
#define CFG_EXP_FLAGS	(2 | (PCI_EXP_TYPE_ENDPOINT << 4))
/* H100: MPS 256, extended tags, role-based errors (FLR dropped). */
#define CFG_EXP_DEVCAP	0x00008021
/* Power-on Device Control: relaxed ordering, no snoop, MRRS 512. */
#define CFG_EXP_DEVCTL	(PCI_EXP_DEVCTL_RELAX_EN | \
				 PCI_EXP_DEVCTL_NOSNOOP_EN | \
				 PCI_EXP_DEVCTL_READRQ_512B)
#define CFG_EXP_DEVCTL_WMASK	(PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE | \
				 PCI_EXP_DEVCTL_FERE | PCI_EXP_DEVCTL_URRE | \
				 PCI_EXP_DEVCTL_RELAX_EN | \
				 PCI_EXP_DEVCTL_PAYLOAD | \
				 PCI_EXP_DEVCTL_EXT_TAG | \
				 PCI_EXP_DEVCTL_NOSNOOP_EN | \
				 PCI_EXP_DEVCTL_READRQ)
#define CFG_EXP_DEVSTA_W1C	(PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED | \
				 PCI_EXP_DEVSTA_FED | PCI_EXP_DEVSTA_URD)
/* H100: 32 GT/s x16, ASPM L1, L0s/L1 exit latencies, clock PM. */
#define CFG_EXP_LNKCAP	0x00457905
/* Link Control bits an endpoint implements. */
#define CFG_EXP_LNKCTL_WMASK	(PCI_EXP_LNKCTL_ASPMC | PCI_EXP_LNKCTL_RCB | \
				 PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ES | \
				 PCI_EXP_LNKCTL_CLKREQ_EN | \
				 PCI_EXP_LNKCTL_HAWD)
/* H100: trained at 32 GT/s x16, slot clock. */
#define CFG_EXP_LNKSTA	0x1105
/* H100: completion timeout ranges A+B and disable, 10-bit tags (no LTR, OBFF). */
#define CFG_EXP_DEVCAP2	0x00030013
/* Completion timeout value and disable, AtomicOp requests, 10-bit tags. */
#define CFG_EXP_DEVCTL2_WMASK (PCI_EXP_DEVCTL2_COMP_TIMEOUT | \
				  PCI_EXP_DEVCTL2_COMP_TMOUT_DIS | \
				  PCI_EXP_DEVCTL2_ATOMIC_REQ | 0x1000)
/* H100: 2.5 to 32 GT/s, two retimers supported. */
#define CFG_EXP_LNKCAP2	0x0180003e
/* Power-on Link Control 2: target speed 32 GT/s. */
#define CFG_EXP_LNKCTL2	PCI_EXP_LNKCTL2_TLS_32_0GT
#define CFG_EXP_LNKCTL2_WMASK (PCI_EXP_LNKCTL2_TLS | \
				  PCI_EXP_LNKCTL2_ENTER_COMP | \
				  PCI_EXP_LNKCTL2_HASD)
/* H100: equalization complete, phases 1-3 successful, retimer present. */
#define CFG_EXP_LNKSTA2	0x005e

#define CFG_BAR_FLAGS_64	(PCI_BASE_ADDRESS_SPACE_MEMORY | \
				 PCI_BASE_ADDRESS_MEM_TYPE_64 | \
				 PCI_BASE_ADDRESS_MEM_PREFETCH)

static void config_put(u8 *bytes, u32 pos, u32 val, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		bytes[pos + i] = val >> (8 * i);
}

static u32 config_get(const u8 *bytes, u32 pos, u32 len)
{
	u32 val = 0;
	u32 i;

	for (i = 0; i < len; i++)
		val |= (u32)bytes[pos + i] << (8 * i);
	return val;
}

/* A register: power-on value, bits a write stores, bits a 1 clears. */
static void config_reg(struct nvkm_vgpu_config *cfg, u32 pos, u32 len,
		       u32 val, u32 wmask, u32 w1c)
{
	config_put(cfg->space, pos, val, len);
	config_put(cfg->wmask, pos, wmask, len);
	config_put(cfg->w1cmask, pos, w1c, len);
}

static void config_cap(struct nvkm_vgpu_config *cfg, u32 pos, u8 id, u8 next)
{
	config_reg(cfg, pos, 2, id | next << 8, 0, 0);
}

/* Round a BAR size up to what a BAR can decode; 0 stays 0 (absent). */
static u64 config_bar_size(u64 size, u64 max)
{
	if (!size)
		return 0;
	size = clamp_t(u64, size, 16, max);
	if (size & (size - 1))
		size = 1ULL << fls64(size);
	return size;
}

static void config_init_bar(struct nvkm_vgpu_config *cfg, unsigned int bar,
			    u64 size, u32 flags)
{
	u32 pos = PCI_BASE_ADDRESS_0 + 4 * bar;
	u64 mask = ~(size - 1);

	if (!size)
		return;
	cfg->bar_size[bar] = size;
	cfg->bar_flags[bar] = flags;
	config_reg(cfg, pos, 4, flags,
		   lower_32_bits(mask) & PCI_BASE_ADDRESS_MEM_MASK, 0);
	if (flags & PCI_BASE_ADDRESS_MEM_TYPE_64)
		config_reg(cfg, pos + 4, 4, 0, upper_32_bits(mask), 0);
}

static void config_init_header(struct nvkm_vgpu_config *cfg)
{
	const struct nvkm_vgpu_config_id *id = &cfg->id;

	config_reg(cfg, PCI_VENDOR_ID, 2, id->vendor_id, 0, 0);
	config_reg(cfg, PCI_DEVICE_ID, 2, id->device_id, 0, 0);
	config_reg(cfg, PCI_COMMAND, 2, 0, CFG_COMMAND_WMASK, 0);
	config_reg(cfg, PCI_STATUS, 2, PCI_STATUS_CAP_LIST, 0,
		   CFG_STATUS_W1C);
	config_reg(cfg, PCI_REVISION_ID, 1, id->revision, 0, 0);
	config_reg(cfg, PCI_CLASS_PROG, 3, id->class_code & 0xffffff, 0, 0);
	/* No effect on PCIe, but read-write; the latency timer is 0. */
	config_reg(cfg, PCI_CACHE_LINE_SIZE, 1, 0, 0xff, 0);
	config_reg(cfg, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL, 0, 0);

	config_init_bar(cfg, 0, config_bar_size(id->bar0_size, SZ_2G), 0);
	config_init_bar(cfg, 1, config_bar_size(id->bar1_size, BIT_ULL(63)),
			CFG_BAR_FLAGS_64);
	config_init_bar(cfg, 3, config_bar_size(id->bar3_size, BIT_ULL(63)),
			CFG_BAR_FLAGS_64);

	config_reg(cfg, PCI_SUBSYSTEM_VENDOR_ID, 2, id->subsystem_vendor_id,
		   0, 0);
	config_reg(cfg, PCI_SUBSYSTEM_ID, 2, id->subsystem_id, 0, 0);
	config_reg(cfg, PCI_CAPABILITY_LIST, 1, CFG_PM, 0, 0);
	config_reg(cfg, PCI_INTERRUPT_LINE, 1, 0, 0xff, 0);
	config_reg(cfg, PCI_INTERRUPT_PIN, 1, 1, 0, 0);	/* INTA */
}

static void config_init_caps(struct nvkm_vgpu_config *cfg)
{
	u32 exp = CFG_EXP;

	config_cap(cfg, CFG_PM, PCI_CAP_ID_PM, CFG_MSI);
	config_reg(cfg, CFG_PM + PCI_PM_PMC, 2, CFG_PM_PMC, 0, 0);
	config_reg(cfg, CFG_PM + PCI_PM_CTRL, 2,
		   PCI_PM_CTRL_NO_SOFT_RESET | CFG_PM_D0,
		   PCI_PM_CTRL_STATE_MASK, 0);

	config_cap(cfg, CFG_MSI, PCI_CAP_ID_MSI, CFG_EXP);
	config_reg(cfg, CFG_MSI + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_64BIT,
		   PCI_MSI_FLAGS_ENABLE, 0);
	config_reg(cfg, CFG_MSI + PCI_MSI_ADDRESS_LO, 4, 0, 0xfffffffc, 0);
	config_reg(cfg, CFG_MSI + PCI_MSI_ADDRESS_HI, 4, 0, 0xffffffff, 0);
	config_reg(cfg, CFG_MSI + PCI_MSI_DATA_64, 2, 0, 0xffff, 0);

	config_cap(cfg, exp, PCI_CAP_ID_EXP, 0);
	config_reg(cfg, exp + PCI_EXP_FLAGS, 2, CFG_EXP_FLAGS, 0, 0);
	config_reg(cfg, exp + PCI_EXP_DEVCAP, 4, CFG_EXP_DEVCAP, 0, 0);
	config_reg(cfg, exp + PCI_EXP_DEVCTL, 2, CFG_EXP_DEVCTL,
		   CFG_EXP_DEVCTL_WMASK, 0);
	config_reg(cfg, exp + PCI_EXP_DEVSTA, 2, 0, 0, CFG_EXP_DEVSTA_W1C);
	config_reg(cfg, exp + PCI_EXP_LNKCAP, 4, CFG_EXP_LNKCAP, 0, 0);
	config_reg(cfg, exp + PCI_EXP_LNKCTL, 2, 0, CFG_EXP_LNKCTL_WMASK, 0);
	config_reg(cfg, exp + PCI_EXP_LNKSTA, 2, CFG_EXP_LNKSTA, 0, 0);
	config_reg(cfg, exp + PCI_EXP_DEVCAP2, 4, CFG_EXP_DEVCAP2, 0, 0);
	config_reg(cfg, exp + PCI_EXP_DEVCTL2, 2, 0,
		   CFG_EXP_DEVCTL2_WMASK, 0);
	config_reg(cfg, exp + PCI_EXP_LNKCAP2, 4, CFG_EXP_LNKCAP2, 0, 0);
	config_reg(cfg, exp + PCI_EXP_LNKCTL2, 2, CFG_EXP_LNKCTL2,
		   CFG_EXP_LNKCTL2_WMASK, 0);
	config_reg(cfg, exp + PCI_EXP_LNKSTA2, 2, CFG_EXP_LNKSTA2, 0, 0);

	/* No extended capability: 0x100 holds a zero, terminating header. */
}

/**
 * nvkm_vgpu_config_init() - build a vGPU's configuration space
 * @cfg: configuration space to build
 * @id: identity and BAR sizes; copied, the caller may free it afterwards
 *
 * Sets @cfg to its power-on state: IDs and class from @id, BARs unassigned
 * (address bits 0), command register 0, PM state D0, MSI disabled. BAR
 * sizes are rounded as &struct nvkm_vgpu_config_id describes.
 */
void nvkm_vgpu_config_init(struct nvkm_vgpu_config *cfg,
			   const struct nvkm_vgpu_config_id *id)
{
	struct nvkm_vgpu_config_id copy = *id;

	memset(cfg, 0, sizeof(*cfg));
	cfg->id = copy;
	config_init_header(cfg);
	config_init_caps(cfg);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_config_init);

/**
 * nvkm_vgpu_config_reset() - return a configuration space to power-on state
 * @cfg: configuration space, initialised
 *
 * Every register takes the value nvkm_vgpu_config_init() gave it: BAR
 * addresses, command, MSI and PM state are lost, as on a function reset.
 */
void nvkm_vgpu_config_reset(struct nvkm_vgpu_config *cfg)
{
	nvkm_vgpu_config_init(cfg, &cfg->id);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_config_reset);

static bool config_access_ok(u32 pos, u32 count)
{
	return count >= 1 && count <= 4 && pos < NVKM_VGPU_CONFIG_SIZE &&
	       count <= NVKM_VGPU_CONFIG_SIZE - pos;
}

/**
 * nvkm_vgpu_config_read() - a guest reads configuration space
 * @cfg: configuration space
 * @pos: offset of the first byte
 * @buf: receives @count bytes in bus (little-endian) order
 * @count: bytes, 1 to 4
 *
 * Any alignment is accepted: the access reads @count consecutive bytes, so
 * an access that is not naturally aligned, or crosses a register or dword
 * boundary, reads exactly the bytes it covers. Reads have no side effects.
 * The VFIO layer splits longer accesses.
 *
 * Return: @count, or -EINVAL (nothing read) when @count is 0 or above 4 or
 * the access does not end within the 4096 bytes.
 */
int nvkm_vgpu_config_read(struct nvkm_vgpu_config *cfg, u32 pos, void *buf,
			  u32 count)
{
	if (!config_access_ok(pos, count))
		return -EINVAL;
	memcpy(buf, &cfg->space[pos], count);
	return count;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_config_read);

static bool config_written(u32 pos, u32 count, u32 reg, u32 len)
{
	return pos < reg + len && reg < pos + count;
}

/**
 * nvkm_vgpu_config_write() - a guest writes configuration space
 * @cfg: configuration space
 * @pos: offset of the first byte
 * @buf: @count bytes in bus (little-endian) order
 * @count: bytes, 1 to 4
 *
 * Any alignment is accepted and works byte by byte: each byte written
 * stores its writable bits and clears the write-1-to-clear bits it has set;
 * read-only bits and the bytes the access does not cover keep their value,
 * as a byte-enabled write on PCI does. A write of D1 or D2 (not supported)
 * to the PM power state leaves the state unchanged.
 *
 * Return: @count, or -EINVAL (nothing written) when @count is 0 or above 4
 * or the access does not end within the 4096 bytes.
 */
int nvkm_vgpu_config_write(struct nvkm_vgpu_config *cfg, u32 pos,
			   const void *buf, u32 count)
{
	const u32 pmcsr = CFG_PM + PCI_PM_CTRL;
	const u8 *src = buf;
	u8 pm_state = cfg->space[pmcsr] & PCI_PM_CTRL_STATE_MASK;
	u32 i;

	if (!config_access_ok(pos, count))
		return -EINVAL;

	for (i = 0; i < count; i++) {
		u32 p = pos + i;
		u8 val = cfg->space[p];

		val = (val & ~cfg->wmask[p]) | (src[i] & cfg->wmask[p]);
		val &= ~(src[i] & cfg->w1cmask[p]);
		cfg->space[p] = val;
	}

	if (config_written(pos, count, pmcsr, 1)) {
		u8 state = cfg->space[pmcsr] & PCI_PM_CTRL_STATE_MASK;

		if (state == CFG_PM_D1 || state == CFG_PM_D2)
			cfg->space[pmcsr] = (cfg->space[pmcsr] &
					     ~PCI_PM_CTRL_STATE_MASK) | pm_state;
	}
	return count;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_config_write);

/**
 * nvkm_vgpu_config_bar_size() - bytes a BAR decodes
 * @cfg: configuration space
 * @bar: BAR number, which is also the VFIO region index
 *
 * Return: the size, rounded as &struct nvkm_vgpu_config_id describes; 0 for
 * an absent BAR, for BAR2 and BAR4 (upper halves of BAR1 and BAR3), BAR5
 * and any @bar above 5.
 */
u64 nvkm_vgpu_config_bar_size(const struct nvkm_vgpu_config *cfg,
			      unsigned int bar)
{
	return bar < PCI_STD_NUM_BARS ? cfg->bar_size[bar] : 0;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_config_bar_size);

static u32 config_reg_get(const struct nvkm_vgpu_config *cfg, u32 pos,
			  u32 len)
{
	return config_get(cfg->space, pos, len);
}

/**
 * nvkm_vgpu_config_memory_enabled() - may the guest access the BARs?
 * @cfg: configuration space
 *
 * As vfio-pci does for a physical function, BAR accesses are allowed only
 * when the command register's memory space bit is set and the function is
 * in D0: in D3hot a function answers configuration requests only.
 *
 * Return: true when BAR accesses are allowed.
 */
bool nvkm_vgpu_config_memory_enabled(const struct nvkm_vgpu_config *cfg)
{
	u32 pmcsr = config_reg_get(cfg, CFG_PM + PCI_PM_CTRL, 2);

	return (config_reg_get(cfg, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY) &&
	       (pmcsr & PCI_PM_CTRL_STATE_MASK) == CFG_PM_D0;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_config_memory_enabled);

/**
 * nvkm_vgpu_config_bus_master_enabled() - may the function send requests?
 * @cfg: configuration space
 *
 * An MSI is a memory write the function sends: a device must not signal
 * one while bus mastering is disabled.
 *
 * Return: true when the command register's bus master bit is set.
 */
bool nvkm_vgpu_config_bus_master_enabled(const struct nvkm_vgpu_config *cfg)
{
	return config_reg_get(cfg, PCI_COMMAND, 2) & PCI_COMMAND_MASTER;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_config_bus_master_enabled);

/**
 * nvkm_vgpu_config_intx_disabled() - has the guest disabled INTx?
 * @cfg: configuration space
 *
 * Return: true when the command register's INTx disable bit (bit 10) is
 * set.
 */
bool nvkm_vgpu_config_intx_disabled(const struct nvkm_vgpu_config *cfg)
{
	return config_reg_get(cfg, PCI_COMMAND, 2) & PCI_COMMAND_INTX_DISABLE;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_config_intx_disabled);

/**
 * nvkm_vgpu_config_set_intx_status() - show whether INTx is pending
 * @cfg: configuration space
 * @pending: the device has an interrupt pending on INTA
 *
 * Sets or clears the status register's interrupt status bit (bit 3), which
 * a guest can read but not write. It reflects the device's state whether or
 * not INTx is disabled.
 */
void nvkm_vgpu_config_set_intx_status(struct nvkm_vgpu_config *cfg,
				      bool pending)
{
	if (pending)
		cfg->space[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		cfg->space[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_config_set_intx_status);

/**
 * nvkm_vgpu_config_msi_enabled() - has the guest enabled MSI?
 * @cfg: configuration space
 *
 * Return: true when the MSI enable bit is set. The device signals MSI only
 * when nvkm_vgpu_config_bus_master_enabled() is true as well.
 */
bool nvkm_vgpu_config_msi_enabled(const struct nvkm_vgpu_config *cfg)
{
	return config_reg_get(cfg, CFG_MSI + PCI_MSI_FLAGS, 2) &
	       PCI_MSI_FLAGS_ENABLE;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_config_msi_enabled);

/**
 * nvkm_vgpu_config_msi_address() - where the MSI is written
 * @cfg: configuration space
 *
 * Return: the 64-bit message address (bits 1:0 always 0).
 */
u64 nvkm_vgpu_config_msi_address(const struct nvkm_vgpu_config *cfg)
{
	u64 lo = config_reg_get(cfg, CFG_MSI + PCI_MSI_ADDRESS_LO, 4);
	u64 hi = config_reg_get(cfg, CFG_MSI + PCI_MSI_ADDRESS_HI, 4);

	return hi << 32 | lo;
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_config_msi_address);

/**
 * nvkm_vgpu_config_msi_data() - what the MSI writes
 * @cfg: configuration space
 *
 * Return: the message data; with a single vector it is sent unmodified.
 */
u16 nvkm_vgpu_config_msi_data(const struct nvkm_vgpu_config *cfg)
{
	return config_reg_get(cfg, CFG_MSI + PCI_MSI_DATA_64, 2);
}
EXPORT_SYMBOL_IF_KUNIT(nvkm_vgpu_config_msi_data);
