// SPDX-License-Identifier: GPL-2.0
/*
 * bench: what a vGPU's register traps, doorbells and copy engine cost, as
 * a VFIO user sees them (make bench; scripts/bench.sh, tests/vm/bench.sh).
 *
 * Everything a channel needs (GPFIFO, USERD, error notifier, push buffers,
 * semaphores) is in the vGPU's FB, written and read through a BAR1 mapping;
 * registers go through the device fd (BAR0 is trapped, never mapped). One
 * copy-engine channel, asked for through the mailbox, runs every
 * submission. A submission's time starts when GP_PUT moves, just before
 * the doorbell (NOTIFY_CHANNEL_PENDING): an engine still in its turn reads
 * GP_PUT again and may start before the doorbell. Measured, each many
 * times:
 *
 *   bar0-write       pwrite() of SCRATCH on the device fd: the trap alone;
 *   bar0-write-read  that pwrite() and a pread() of SCRATCH, value checked:
 *                    the baseline;
 *   doorbell-sem     a GPFIFO entry whose push buffer holds only a host
 *                    semaphore release (SEM_ADDR_LO/HI, PAYLOAD_LO/HI,
 *                    EXECUTE RELEASE with a timestamp), GP_PUT and the
 *                    doorbell, until a poll of the semaphore through BAR1
 *                    sees the payload;
 *   doorbell-stamp   the same submissions, until the timestamp the engine
 *                    wrote with the payload (the engine's ktime_get_ns()
 *                    is this VM's CLOCK_MONOTONIC);
 *   doorbell-msi     a release and a NON_STALL_INTERRUPT, until poll() on
 *                    the MSI eventfd returns;
 *   doorbell-msi-spin the same, reading the (non-blocking) eventfd in a
 *                    loop instead: the interrupt without the wake-up;
 *   ce-copy-<N>MiB   one LAUNCH_DMA copying N MiB from one FB range to
 *                    another, until the timestamp of its four-word
 *                    semaphore;
 *   memcpy-<N>MiB    memcpy() between the same two ranges through their
 *                    BAR1 mappings in this process.
 * Copies of each size alternate between the engine and memcpy(); the
 * first engine copy of each size is checked byte for byte.
 *
 * Writes to OUT (default $NVKM_RESULTS, else .): samples.tsv, one line per
 * sample (measurement, sample number, microseconds), and summary.tsv, one
 * line per measurement (measurement, description, samples, median, p99,
 * unit, ratio): latencies in microseconds; copies in MiB/s, the p99 column
 * being the throughput of the 99th percentile (slow) copy; the ratio of a
 * latency is its median over bar0-write-read's, of an engine copy the
 * median, over its pairs, of its throughput over that of the memcpy() run
 * right after it (a busy host slows both of a pair). Percentiles are
 * nearest-rank. Prints TAP, one line per measurement.
 *
 * Every wait has a deadline. A submission that does not complete in time,
 * or a channel that stops, ends the program with "Bail out!", the
 * channel's state, and exit 1; the vGPU it created is removed.
 *
 * Usage: bench [--reps N] [--copy-reps N] [--sizes MIB[,MIB...]] [--out DIR]
 *              [--type TYPE] [UUID]
 * With UUID, uses that vGPU; otherwise creates one of TYPE (default
 * <board>-10c) on the simulated h100. The vGPU's host-memory budget
 * (nvkm_vgpu_sim's vram_vgpu_cap_mib) must cover twice the largest size
 * plus 1 MiB.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "cleanup.h"
#include "sysfs.h"
#include "tap.h"
#include "vdev.h"
#include "work.h"

#define BAR1 VFIO_PCI_BAR1_REGION_INDEX

/* The channel's memory, at the start of the FB (GPU address = FB offset). */
#define CTL_SIZE	0x100000
#define CTL_GPFIFO	0x0000
#define GPFIFO_ENTRIES	512
#define CTL_USERD	0x1000
#define CTL_NOTIFIER	0x1200
#define CTL_SEM		0x1400		/* host releases: payload, ns */
#define CTL_SEM_CE	0x1440		/* the copy engine's: payload, 0, ns */
#define CTL_PB		0x10000		/* one push buffer slot per entry */
#define PB_SLOT		256
#define PB_DWORDS	(PB_SLOT / 4)

/* The copies' ranges: source from COPY_BASE, destination after it. */
#define COPY_BASE	(16ull << 20)
#define SIZES_MAX	8

#define WAIT_MS		5000		/* a submission with (almost) nothing in it */
#define COPY_WAIT_MS	120000		/* a copy of 64 MiB under TCG takes < 2 s */
#define SPIN_NS		50000000ull	/* latencies: spin, then sleep-poll */
#define POLL_US		200		/* between looks when not spinning */
#define STATE_NS	10000000ull	/* between looks at CHAN_STATE */
#define WARMUP		20
#define RATIO_ONE	1000000ull	/* fixed point for the copies' ratios */
#define WATCHDOG_S	1500

struct bench {
	struct vdev d;
	const char *out;
	u64 fb_size;
	u8 *ctl;
	u8 *src;
	u8 *dst;
	u64 copy_max;
	u32 chan;
	u32 put;
	u32 seq;
	unsigned int reps;
	unsigned int copy_reps;
	unsigned int nr_sizes;
	unsigned int sizes_mib[SIZES_MAX];
	FILE *samples;
	FILE *summary;
	double baseline_us;
	unsigned int stamps;
	unsigned int stamps_late;
};

static struct bench b;

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

static void cpu_relax(void)
{
	__builtin_ia32_pause();
}

/* Statistics */

/* Writes @n samples (ns) of @name to samples.tsv; sorts them. */
static void samples_out(const char *name, u64 *ns, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		fprintf(b.samples, "%s\t%u\t%.3f\n", name, i, ns[i] / 1e3);
	sort_u64(ns, n);
}

/* A latency: samples in ns; its median over the baseline's is its ratio. */
static double latency(const char *name, const char *what, u64 *ns,
		      unsigned int n)
{
	double med, p99;

	samples_out(name, ns, n);
	med = percentile_u64(ns, n, 50) / 1e3;
	p99 = percentile_u64(ns, n, 99) / 1e3;
	if (b.baseline_us > 0)
		fprintf(b.summary, "%s\t%s\t%u\t%.1f\t%.1f\tus\t%.2f\n", name,
			what, n, med, p99, med / b.baseline_us);
	else
		fprintf(b.summary, "%s\t%s\t%u\t%.1f\t%.1f\tus\t\n", name, what,
			n, med, p99);
	tap_check(true, "%s: median %.1f us, p99 %.1f us (%u samples)", what,
		  med, p99, n);
	return med;
}

/* MiB/s of @bytes moved in @ns. */
static double mib_s(u64 bytes, u64 ns)
{
	return ns ? bytes / (1024.0 * 1024.0) / (ns / 1e9) : 0;
}

/* Fatal */

static void chan_report(const char *what, unsigned int i)
{
	u32 state = bar0_rd(&b.d, NVKM_VGPU_REG_CHAN_STATE(b.chan));
	const u8 *n = b.ctl + CTL_NOTIFIER;
	char why[256];

	snprintf(why, sizeof(why),
		 "channel %u CHAN_STATE %#x (state %u, error %u), GP_GET %u, GP_PUT %u, notifier info32 %u status %#x, INTR_STATUS %#x",
		 b.chan, state, state & NVKM_VGPU_CHAN_STATE_MASK,
		 state >> NVKM_VGPU_CHAN_STATE_ERR_SHIFT,
		 work_rd32(b.ctl + CTL_USERD + NVKM_VGPU_USERD_GP_GET),
		 work_rd32(b.ctl + CTL_USERD + NVKM_VGPU_USERD_GP_PUT),
		 work_rd32(n + 8), work_rd32(n + 12) >> 16,
		 bar0_rd(&b.d, NVKM_VGPU_REG_INTR_STATUS));
	tap_bail("%s, submission %u: %s", what, i, why);
}

static bool chan_active(void)
{
	return (bar0_rd(&b.d, NVKM_VGPU_REG_CHAN_STATE(b.chan)) &
		NVKM_VGPU_CHAN_STATE_MASK) == NVKM_VGPU_CHAN_STATE_ACTIVE;
}

static void sigbus(int sig)
{
	static const char msg[] =
		"Bail out! bench: SIGBUS on BAR1: no host memory for it (vram_vgpu_cap_mib)\n";
	ssize_t ignored;

	ignored = write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	(void)ignored;
	vgpu_cleanup();
	_exit(128 + sig);
}

/*
 * Waits until the u32 at @p reads @want: spins for @spin_ns (a poll loop,
 * as a driver waiting for a fence does), then sleeps between looks and
 * watches the channel's state. Returns when it saw it, or 0 when the
 * channel stopped or @ms passed.
 */
static u64 wait_word(const u8 *p, u32 want, u64 spin_ns, unsigned int ms)
{
	u64 start = now_ns(), end = start + ms * 1000000ull, looked = start, t;

	while (work_rd32(p) != want) {
		t = now_ns();
		if (t - start < spin_ns) {
			cpu_relax();
			continue;
		}
		if (t > end)
			return work_rd32(p) == want ? now_ns() : 0;
		if (t - looked > STATE_NS) {
			looked = t;
			if (!chan_active())
				return work_rd32(p) == want ? now_ns() : 0;
		}
		usleep(POLL_US);
	}
	return now_ns();
}

/*
 * The timestamp at @p once the engine wrote it after @since; 0 if never.
 * Counts the times the payload came before its timestamp could be read.
 */
static u64 wait_stamp(const u8 *p, u64 since)
{
	u64 end = now_ns() + WAIT_MS * 1000000ull, ts;

	b.stamps++;
	if (work_rd64(p) < since)
		b.stamps_late++;
	while ((ts = work_rd64(p)) < since) {
		if (now_ns() > end)
			return 0;
		cpu_relax();
	}
	return ts;
}

/* The channel */

/* A push buffer segment, written into the slot of the next GPFIFO entry. */
struct push {
	u32 dw[PB_DWORDS];
	u32 len;
};

static void push_inc(struct push *p, u32 method, unsigned int n,
		     const u32 *data)
{
	unsigned int i;

	if (p->len + 1 + n > PB_DWORDS)
		tap_bail("push segment longer than %u dwords", PB_DWORDS);
	p->dw[p->len++] = work_hdr(NVKM_VGPU_DMA_SEC_OP_INC_METHOD, 0, method, n);
	for (i = 0; i < n; i++)
		p->dw[p->len++] = data[i];
}

/* A host semaphore release of @payload with a timestamp at @addr. */
static void push_release(struct push *p, u64 addr, u32 payload)
{
	u32 d[5] = { lower_32_bits(addr), upper_32_bits(addr), payload, 0,
		     NVKM_VGPU_SEM_OP_RELEASE | NVKM_VGPU_SEM_RELEASE_TIMESTAMP };

	push_inc(p, NVKM_VGPU_HOST_SEM_ADDR_LO, 5, d);
}

/*
 * Writes @p into the next entry's slot and the entry. The previous
 * submission has completed (every caller waits), so the ring has room.
 */
static void submit(const struct push *p)
{
	u64 pb = CTL_PB + (u64)b.put * PB_SLOT;
	u8 *e = b.ctl + CTL_GPFIFO + 8 * b.put;
	unsigned int i;

	for (i = 0; i < p->len; i++)
		work_wr32(b.ctl + pb + 4 * i, p->dw[i]);
	work_wr32(e, lower_32_bits(pb) & NVKM_VGPU_GP_ENTRY0_GET_MASK);
	work_wr32(e + 4, (upper_32_bits(pb) & NVKM_VGPU_GP_ENTRY1_GET_HI_MASK) |
			 p->len << NVKM_VGPU_GP_ENTRY1_LENGTH_SHIFT);
	b.put = (b.put + 1) % GPFIFO_ENTRIES;
	__sync_synchronize();
}

/*
 * Publishes GP_PUT past the entry submit() wrote and rings the usermode
 * doorbell (NOTIFY_CHANNEL_PENDING). Returns the time just before GP_PUT
 * moved: an engine still in its turn reads GP_PUT again when it has run
 * what it knew of, and may run the entry before the doorbell is rung, so
 * the doorbell alone is not where the work can start.
 */
static u64 kick(void)
{
	u64 t0 = now_ns();
	int ret;

	work_wr32(b.ctl + CTL_USERD + NVKM_VGPU_USERD_GP_PUT, b.put);
	__sync_synchronize();
	ret = bar0_write(&b.d, NVKM_VGPU_REG_NOTIFY_CHANNEL_PENDING, b.chan);
	if (ret)
		tap_bail("doorbell write: %s", errno_name(-ret));
	return t0;
}

static void chan_alloc(void)
{
	static const struct work_alloc_args args = {
		NVKM_VGPU_CLASS_COPY, CTL_GPFIFO, GPFIFO_ENTRIES, CTL_USERD,
		CTL_NOTIFIER,
	};
	struct push p = { .len = 0 };
	u32 status, one = 1;

	status = work_mbox_alloc(&b.d, &args, &b.chan);
	if (status != NVKM_VGPU_MBOX_OK)
		tap_bail("CHAN_ALLOC of a copy channel: mailbox status %u", status);

	/* Bind the copy class, and see the channel run at all. */
	b.seq = 1;
	push_inc(&p, NVKM_VGPU_HOST_SET_OBJECT, 1,
		 (const u32[]){ NVKM_VGPU_CLASS_COPY });
	push_release(&p, CTL_SEM, one);
	submit(&p);
	kick();
	if (!wait_word(b.ctl + CTL_SEM, one, SPIN_NS, WAIT_MS))
		chan_report("the channel's first submission (SET_OBJECT, release)", 0);
	tap_check(true, "copy channel %u allocated, runs a release", b.chan);
}

/* Measurements */

static void bench_bar0(void)
{
	u64 *wr = calloc(b.reps, sizeof(u64)), *rt = calloc(b.reps, sizeof(u64));
	unsigned int i;
	u64 t0, t1, t2;
	u32 v;
	int ret;

	if (!wr || !rt)
		tap_bail("out of memory");
	for (i = 0; i < b.reps + WARMUP; i++) {
		t0 = now_ns();
		ret = bar0_write(&b.d, NVKM_VGPU_REG_SCRATCH, i);
		t1 = now_ns();
		if (!ret)
			ret = bar0_read(&b.d, NVKM_VGPU_REG_SCRATCH, &v);
		t2 = now_ns();
		if (ret || v != i)
			tap_bail("SCRATCH write %u: %s, read back %#x", i,
				 errno_name(-ret), v);
		if (i >= WARMUP) {
			wr[i - WARMUP] = t1 - t0;
			rt[i - WARMUP] = t2 - t0;
		}
	}
	latency("bar0-write", "BAR0 SCRATCH write (pwrite, trapped)", wr, b.reps);
	b.baseline_us = latency("bar0-write-read",
				"BAR0 SCRATCH write and read back (baseline)",
				rt, b.reps);
	free(wr);
	free(rt);
}

static void bench_doorbell(void)
{
	u64 *seen = calloc(b.reps, sizeof(u64)), *stamp = calloc(b.reps, sizeof(u64));
	u8 *sem = b.ctl + CTL_SEM;
	unsigned int i;
	struct push p;
	u64 t0, t1, ts;

	if (!seen || !stamp)
		tap_bail("out of memory");
	for (i = 0; i < b.reps + WARMUP; i++) {
		p.len = 0;
		push_release(&p, CTL_SEM, ++b.seq);
		work_wr32(sem + 8, 0);
		work_wr32(sem + 12, 0);
		submit(&p);
		t0 = kick();
		t1 = wait_word(sem, b.seq, SPIN_NS, WAIT_MS);
		if (!t1)
			chan_report("doorbell to semaphore: no release within the deadline", i);
		ts = wait_stamp(sem + 8, t0);
		if (!ts)
			chan_report("doorbell to semaphore: no timestamp after the doorbell", i);
		if (i >= WARMUP) {
			seen[i - WARMUP] = t1 - t0;
			stamp[i - WARMUP] = ts - t0;
		}
	}
	latency("doorbell-sem",
		"doorbell to semaphore seen (host release, BAR1 poll)", seen,
		b.reps);
	latency("doorbell-stamp", "doorbell to semaphore written (engine timestamp)",
		stamp, b.reps);
	free(seen);
	free(stamp);
}

/* MSI on, as a guest driver enables it, with @efd as its eventfd. */
static int msi_on(int efd, u16 *flags)
{
	int cap = cfg_find_cap(&b.d, PCI_CAP_ID_MSI);
	int ret;

	if (cap < 0)
		return cap;
	ret = vdev_irq_eventfd(&b.d, VFIO_PCI_MSI_IRQ_INDEX, efd);
	if (ret)
		return ret;
	cfg_write(&b.d, cap + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	cfg_write(&b.d, cap + PCI_MSI_ADDRESS_HI, 4, 0);
	cfg_write(&b.d, cap + PCI_MSI_DATA_64, 2, 0x0041);
	*flags = cfg_rd(&b.d, cap + PCI_MSI_FLAGS, 2);
	cfg_write(&b.d, cap + PCI_MSI_FLAGS, 2, *flags | PCI_MSI_FLAGS_ENABLE);
	bar0_write(&b.d, NVKM_VGPU_REG_INTR_STATUS, NVKM_VGPU_INTR_ALL);
	bar0_write(&b.d, NVKM_VGPU_REG_INTR_ENABLE, NVKM_VGPU_INTR_NONSTALL);
	return cap;
}

static void msi_off(int cap, u16 flags)
{
	bar0_write(&b.d, NVKM_VGPU_REG_INTR_ENABLE, 0);
	bar0_write(&b.d, NVKM_VGPU_REG_INTR_STATUS, NVKM_VGPU_INTR_ALL);
	cfg_write(&b.d, cap + PCI_MSI_FLAGS, 2, flags);
	vdev_irq_eventfd(&b.d, VFIO_PCI_MSI_IRQ_INDEX, -1);
}

/*
 * Waits for @efd: asleep in poll(), or, with @spin, reading it (it is
 * non-blocking) until it is signalled. 1 when signalled, 0 at the
 * deadline, or a negative errno.
 */
static int msi_wait(int efd, bool spin, u64 *count)
{
	u64 end;
	int ret;

	if (!spin)
		return efd_wait(efd, WAIT_MS, count);
	end = now_ns() + WAIT_MS * 1000000ull;
	do {
		ret = efd_wait(efd, 0, count);
		if (ret)
			return ret;
		cpu_relax();
	} while (now_ns() < end);
	return efd_wait(efd, 0, count);
}

static void bench_msi(bool spin)
{
	u64 *lat = calloc(b.reps, sizeof(u64)), count, t0, t1;
	u8 *sem = b.ctl + CTL_SEM;
	int efd = efd_new(), cap, ret;
	unsigned int i;
	struct push p;
	u16 flags = 0;

	if (!lat || efd < 0)
		tap_bail("out of memory or eventfds");
	cap = msi_on(efd, &flags);
	if (cap < 0)
		tap_bail("MSI: no capability, or SET_IRQS: %s", errno_name(-cap));
	for (i = 0; i < b.reps + WARMUP; i++) {
		p.len = 0;
		push_release(&p, CTL_SEM, ++b.seq);
		push_inc(&p, NVKM_VGPU_HOST_NON_STALL_INTERRUPT, 1, (const u32[]){ 0 });
		submit(&p);
		t0 = kick();
		count = 0;
		ret = msi_wait(efd, spin, &count);
		t1 = now_ns();
		if (ret != 1)
			chan_report(ret ? "doorbell to MSI: eventfd wait failed" :
				    "doorbell to MSI: no interrupt within the deadline", i);
		if (work_rd32(sem) != b.seq)
			chan_report("doorbell to MSI: an interrupt but not the release before it",
				    i);
		if (count != 1)
			tap_bail("doorbell to MSI, submission %u: %llu interrupts for one",
				 i, (unsigned long long)count);
		bar0_write(&b.d, NVKM_VGPU_REG_INTR_STATUS, NVKM_VGPU_INTR_NONSTALL);
		if (i >= WARMUP)
			lat[i - WARMUP] = t1 - t0;
	}
	msi_off(cap, flags);
	close(efd);
	if (spin)
		latency("doorbell-msi-spin",
			"doorbell to NON_STALL_INTERRUPT's MSI (eventfd read in a loop)",
			lat, b.reps);
	else
		latency("doorbell-msi",
			"doorbell to NON_STALL_INTERRUPT's MSI (eventfd, asleep in poll)",
			lat, b.reps);
	free(lat);
}

/* One engine copy of @bytes from the source range to the destination. */
static u64 ce_copy(u64 bytes, unsigned int i)
{
	u64 src = COPY_BASE, dst = COPY_BASE + b.copy_max;
	u8 *sem = b.ctl + CTL_SEM_CE;
	struct push p = { .len = 0 };
	u64 t0, ts;

	push_inc(&p, NVKM_VGPU_COPY_OFFSET_IN_UPPER, 4,
		 (const u32[]){ upper_32_bits(src), lower_32_bits(src),
				upper_32_bits(dst), lower_32_bits(dst) });
	push_inc(&p, NVKM_VGPU_COPY_LINE_LENGTH_IN, 1, (const u32[]){ (u32)bytes });
	push_inc(&p, NVKM_VGPU_COPY_SET_SEMAPHORE_A, 3,
		 (const u32[]){ upper_32_bits(CTL_SEM_CE),
				lower_32_bits(CTL_SEM_CE), ++b.seq });
	push_inc(&p, NVKM_VGPU_COPY_LAUNCH_DMA, 1,
		 (const u32[]){ 2 | NVKM_VGPU_COPY_LAUNCH_SEM_FOUR_WORD <<
				    NVKM_VGPU_COPY_LAUNCH_SEM_SHIFT |
				NVKM_VGPU_COPY_LAUNCH_SRC_PITCH |
				NVKM_VGPU_COPY_LAUNCH_DST_PITCH });
	work_wr32(sem + 8, 0);
	work_wr32(sem + 12, 0);
	submit(&p);
	t0 = kick();
	if (!wait_word(sem, b.seq, 0, COPY_WAIT_MS))
		chan_report("copy engine: no semaphore within the deadline", i);
	ts = wait_stamp(sem + 8, t0);
	if (!ts)
		chan_report("copy engine: the payload came, no timestamp after the doorbell", i);
	return ts - t0;
}

static u64 host_copy(u64 bytes)
{
	u64 t0 = now_ns();

	memcpy(b.dst, b.src, bytes);
	__sync_synchronize();
	return now_ns() - t0;
}

static void fill(u8 *p, u64 len)
{
	u64 i, *w = (u64 *)p;

	for (i = 0; i < len / 8; i++)
		w[i] = (i * 0x9e3779b97f4a7c15ull) ^ (i >> 7) ^ 0x5a5a5a5a00000001ull;
}

static void bench_copy(unsigned int mib)
{
	u64 *ce = calloc(b.copy_reps, sizeof(u64));
	u64 *mc = calloc(b.copy_reps, sizeof(u64));
	u64 *ratio = calloc(b.copy_reps, sizeof(u64));
	u64 bytes = (u64)mib << 20;
	double ce_med, mc_med, ce_p99, mc_p99, r;
	char name[32], what[96];
	unsigned int i;

	if (!ce || !mc || !ratio)
		tap_bail("out of memory");
	memset(b.dst, 0, bytes);
	for (i = 0; i < b.copy_reps; i++) {
		ce[i] = ce_copy(bytes, i);
		if (!i && memcmp(b.dst, b.src, bytes))
			tap_bail("copy engine, %u MiB: the destination differs from the source",
				 mib);
		mc[i] = host_copy(bytes);
		/* Each pair back to back: a slower moment slows both. */
		ratio[i] = ce[i] ? mc[i] * RATIO_ONE / ce[i] : 0;
	}

	snprintf(name, sizeof(name), "ce-copy-%uMiB", mib);
	samples_out(name, ce, b.copy_reps);
	snprintf(name, sizeof(name), "memcpy-%uMiB", mib);
	samples_out(name, mc, b.copy_reps);
	sort_u64(ratio, b.copy_reps);
	r = (double)percentile_u64(ratio, b.copy_reps, 50) / RATIO_ONE;
	ce_med = mib_s(bytes, percentile_u64(ce, b.copy_reps, 50));
	ce_p99 = mib_s(bytes, percentile_u64(ce, b.copy_reps, 99));
	mc_med = mib_s(bytes, percentile_u64(mc, b.copy_reps, 50));
	mc_p99 = mib_s(bytes, percentile_u64(mc, b.copy_reps, 99));
	snprintf(what, sizeof(what), "copy engine, %u MiB FB to FB", mib);
	fprintf(b.summary, "ce-copy-%uMiB\t%s\t%u\t%.0f\t%.0f\tMiB/s\t%.2f\n", mib,
		what, b.copy_reps, ce_med, ce_p99, r);
	fprintf(b.summary, "memcpy-%uMiB\tmemcpy(), %u MiB BAR1 to BAR1\t%u\t%.0f\t%.0f\tMiB/s\t\n",
		mib, mib, b.copy_reps, mc_med, mc_p99);
	tap_check(true,
		  "%u MiB copies: copy engine %.0f MiB/s (p99 %.0f), memcpy %.0f MiB/s (p99 %.0f), ratio %.2f (%u each)",
		  mib, ce_med, ce_p99, mc_med, mc_p99, r, b.copy_reps);
	free(ce);
	free(mc);
	free(ratio);
}

/* Setup */

static void *map_fb(u64 off, u64 len, const char *what)
{
	void *p = vdev_mmap(&b.d, BAR1, off, len, MAP_SHARED);

	if (p == MAP_FAILED)
		tap_bail("mmap of BAR1 [%#llx, +%#llx) for %s: %s",
			 (unsigned long long)off, (unsigned long long)len, what,
			 errno_name(errno));
	return p;
}

static void open_vgpu(const char *uuid, const char *type)
{
	struct vgpu_parent p;
	char t[48];
	int ret;

	if (uuid) {
		ret = vdev_open(&b.d, uuid);
		if (!ret)
			ret = cfg_enable(&b.d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
		if (ret)
			tap_bail("open vGPU %s: %s", uuid, errno_name(-ret));
		return;
	}
	if (parent_find("h100", &p))
		tap_bail("no simulated h100 GPU");
	snprintf(t, sizeof(t), "%s-10c", p.board);
	ret = vgpu_new(&b.d, &p, type ? type : t);
	if (ret)
		tap_bail("create a %s vGPU: %s", type ? type : t, errno_name(-ret));
}

static void setup(void)
{
	struct sigaction sa = { .sa_handler = sigbus };
	u64 need;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	if (bar0_rd(&b.d, NVKM_VGPU_REG_MAGIC) != NVKM_VGPU_MAGIC ||
	    bar0_rd(&b.d, NVKM_VGPU_REG_VERSION) < 3)
		tap_bail("MAGIC %#x, VERSION %u: no channels",
			 bar0_rd(&b.d, NVKM_VGPU_REG_MAGIC),
			 bar0_rd(&b.d, NVKM_VGPU_REG_VERSION));
	if (!(bar0_rd(&b.d, NVKM_VGPU_REG_ENGINES) & NVKM_VGPU_ENGINE_BIT_CE))
		tap_bail("the vGPU has no copy engine (ENGINES %#x)",
			 bar0_rd(&b.d, NVKM_VGPU_REG_ENGINES));
	b.fb_size = (u64)bar0_rd(&b.d, NVKM_VGPU_REG_FB_SIZE_HI) << 32 |
		    bar0_rd(&b.d, NVKM_VGPU_REG_FB_SIZE_LO);
	need = COPY_BASE + 2 * b.copy_max;
	if (b.fb_size < need)
		tap_bail("FB of %llu MiB: the copies need %llu MiB",
			 (unsigned long long)(b.fb_size >> 20),
			 (unsigned long long)(need >> 20));
	tap_diag("vGPU %s: FB %llu MiB, %u channels, engines %#x", b.d.uuid,
		 (unsigned long long)(b.fb_size >> 20),
		 bar0_rd(&b.d, NVKM_VGPU_REG_CHID_COUNT),
		 bar0_rd(&b.d, NVKM_VGPU_REG_ENGINES));

	b.ctl = map_fb(0, CTL_SIZE, "the channel");
	memset(b.ctl, 0, CTL_PB + (u64)GPFIFO_ENTRIES * PB_SLOT);
	b.src = map_fb(COPY_BASE, b.copy_max, "the copies' source");
	b.dst = map_fb(COPY_BASE + b.copy_max, b.copy_max, "the copies' destination");
	/* Every page touched before anything is timed. */
	fill(b.src, b.copy_max);
	memset(b.dst, 0, b.copy_max);
}

static FILE *open_out(const char *file, const char *header)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", b.out, file);
	f = fopen(path, "w");
	if (!f)
		tap_bail("%s: %s", path, errno_name(errno));
	fprintf(f, "%s\n", header);
	return f;
}

static void parse_sizes(const char *arg)
{
	char *end;
	unsigned long v;

	b.nr_sizes = 0;
	do {
		v = strtoul(arg, &end, 10);
		if (end == arg || !v || v > 1024 || b.nr_sizes == SIZES_MAX ||
		    (*end && *end != ','))
			tap_bail("--sizes takes up to %u sizes in MiB, 1 to 1024, comma separated",
				 SIZES_MAX);
		b.sizes_mib[b.nr_sizes++] = (unsigned int)v;
		arg = end + 1;
	} while (*end);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "copy-reps", required_argument, NULL, 'c' },
		{ "sizes", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "type", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *type = NULL;
	unsigned int i;
	int opt;

	tap_init("bench", WATCHDOG_S);
	b.reps = 5000;
	b.copy_reps = 15;
	parse_sizes("4,16,64");
	b.out = getenv("NVKM_RESULTS") ? getenv("NVKM_RESULTS") : ".";
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			b.reps = tap_count_arg("--reps", optarg, 10000000);
			break;
		case 'c':
			b.copy_reps = tap_count_arg("--copy-reps", optarg, 10000000);
			break;
		case 's':
			parse_sizes(optarg);
			break;
		case 'o':
			b.out = optarg;
			break;
		case 't':
			type = optarg;
			break;
		default:
			tap_bail("usage: %s",
				 "bench [--reps N] [--copy-reps N] [--sizes MIB,...] [--out DIR] [--type TYPE] [UUID]");
		}
	}
	for (i = 0; i < b.nr_sizes; i++)
		if (((u64)b.sizes_mib[i] << 20) > b.copy_max)
			b.copy_max = (u64)b.sizes_mib[i] << 20;

	b.samples = open_out("samples.tsv", "measurement\tsample\tus");
	b.summary = open_out("summary.tsv",
			     "measurement\tdescription\tsamples\tmedian\tp99\tunit\tratio");
	open_vgpu(optind < argc ? argv[optind] : NULL, type);
	setup();
	chan_alloc();
	tap_diag("progress: BAR0, %u writes", b.reps);
	bench_bar0();
	tap_diag("progress: doorbell to semaphore, %u submissions", b.reps);
	bench_doorbell();
	tap_diag("progress: doorbell to MSI, %u submissions", b.reps);
	bench_msi(false);
	tap_diag("progress: doorbell to MSI, eventfd read in a loop, %u submissions",
		 b.reps);
	bench_msi(true);
	for (i = 0; i < b.nr_sizes; i++) {
		tap_diag("progress: %u MiB copies, %u each", b.sizes_mib[i],
			 b.copy_reps);
		bench_copy(b.sizes_mib[i]);
	}

	tap_diag("timestamps read late (payload seen first): %u of %u",
		 b.stamps_late, b.stamps);
	tap_check(work_mbox_chan(&b.d, NVKM_VGPU_MBOX_CMD_CHAN_FREE, b.chan) ==
		  NVKM_VGPU_MBOX_OK, "CHAN_FREE of channel %u", b.chan);
	fclose(b.samples);
	fclose(b.summary);
	return tap_done();
}
