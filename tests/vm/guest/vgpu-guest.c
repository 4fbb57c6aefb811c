// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu-guest: what a nested guest does with its vGPU, as a driver would.
 *
 * Runs as /init's only job in the guest initramfs (tests/vm/guest/init).
 * Finds the PCI function with vendor 0x10de in /sys/bus/pci/devices,
 * enables it, maps BAR0 (resource0) and reads the vGPU's identity and
 * geometry registers (include/uapi/linux/nvkm_vgpu.h), checks the scratch
 * register, maps BAR1 (resource1, the vGPU's framebuffer slice), checks
 * the slice is zero (scrubbed) where it looks, writes the pattern of
 * pattern.h for the seed given as vgpu.seed=N on the kernel command line
 * over its head and its last page, and reads it back. Then it drives the
 * GPU: asks the host for a copy-engine channel through the mailbox, has it
 * copy 64 KiB of the FB and release a semaphore, then a 64-bit semaphore
 * with a timestamp, waits for the second, checks every byte, and frees the
 * channel (Documentation/channels.rst). Then, when the kernel command line
 * has vgpu.busy_ms=N (N > 0), it keeps the GR engine busy for N ms of
 * engine time: a channel of the simulator's busy class, 1 ms launches (a
 * short method, which a share policy never has to stop), N of them in
 * segments of BUSY_SEG, between two host semaphore releases with
 * timestamps; it waits for the last one and frees the channel. Prints one
 * line,
 *
 *   VGPU-GUEST: result=ok|fail key=value ...
 *
 * (reason=... on failure) and exits 0 only when everything held. The
 * line's keys: bdf, vendor/device/subsys (config space, as sysfs shows
 * them), magic, version, type, fb (bytes), channels (how many: a guest
 * numbers them 0..n-1 and sees nothing of the host's), engines, bar1 (BAR1
 * size), seed, fresh (zero: the slice read zero
 * before the guest wrote it; dirty: it did not), written (bytes), write_ms,
 * verify_ms, chan (the channel number the host gave), copy (ok when the
 * copy and both semaphores landed), copy_us (doorbell to the second
 * semaphore, by the guest's clock: 0 where that clock is coarser than the
 * copy, as under TCG), busy (ok when every launch ran and the last
 * semaphore landed, skip without vgpu.busy_ms), busy_ms (doorbell to the
 * last semaphore seen, by the guest's clock: N, or more when the engine
 * was shared), busy_host_ms (first to last semaphore, by the host's
 * timestamps), uptime (seconds since the guest kernel started).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/nvkm_vgpu.h>

#include "pattern.h"

#define PCI_DEVICES	"/sys/bus/pci/devices"
#define NVIDIA_VENDOR	0x10de
#define LINE_MAX_LEN	1024

/* The result line, built up as facts are learnt. */
static char line[LINE_MAX_LEN];
static size_t line_len;

static void __printf(1, 2) fact(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (line_len >= sizeof(line))
		return;
	va_start(ap, fmt);
	n = vsnprintf(line + line_len, sizeof(line) - line_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		line_len += (size_t)n;
}

static double guest_uptime(void)
{
	double up = -1;
	FILE *f = fopen("/proc/uptime", "r");

	if (f) {
		if (fscanf(f, "%lf", &up) != 1)
			up = -1;
		fclose(f);
	}
	return up;
}

static void report(bool ok, const char *reason)
{
	printf("VGPU-GUEST: result=%s%s%s%s uptime=%.1f\n", ok ? "ok" : "fail",
	       reason ? " reason=" : "", reason ? reason : "", line,
	       guest_uptime());
	fflush(stdout);
}

static void __noreturn fail(const char *reason)
{
	report(false, reason);
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reads a sysfs file of the function @bdf into @buf (trailing newline cut). */
static int read_attr(const char *bdf, const char *attr, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", bdf, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

static long attr_num(const char *bdf, const char *attr)
{
	char buf[64];

	if (read_attr(bdf, attr, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 0);
}

/* Finds the first NVIDIA function; returns how many there are. */
static int find_vgpu(char *bdf, size_t len)
{
	struct dirent *de;
	int found = 0;
	DIR *dir;

	dir = opendir(PCI_DEVICES);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (attr_num(de->d_name, "vendor") != NVIDIA_VENDOR)
			continue;
		/* readdir order is not sorted: keep the lowest address. */
		if (!found || strcmp(de->d_name, bdf) < 0)
			snprintf(bdf, len, "%s", de->d_name);
		found++;
	}
	closedir(dir);
	return found;
}

static int enable_function(const char *bdf)
{
	char path[256];
	int fd, ret = 0;

	if (attr_num(bdf, "enable") == 1)
		return 0;
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/enable", bdf);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		ret = -errno;
	close(fd);
	return ret ? ret : (attr_num(bdf, "enable") == 1 ? 0 : -EIO);
}

/* Size of BAR @bar from the function's "resource" file; 0 if unassigned. */
static u64 bar_size(const char *bdf, int bar)
{
	u64 start = 0, end = 0, flags;
	char path[256], buf[128];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		return 0;
	for (i = 0; i <= bar; i++) {
		if (!fgets(buf, sizeof(buf), f) ||
		    sscanf(buf, "%llx %llx %llx", &start, &end,
			   &flags) != 3) {
			start = 0;
			end = 0;
			break;
		}
	}
	fclose(f);
	return end > start ? end - start + 1 : 0;
}

static void *map_bar(const char *bdf, int bar, u64 off, size_t len)
{
	char path[256];
	void *p;
	int fd;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/resource%d", bdf, bar);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0)
		return MAP_FAILED;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	close(fd);
	return p;
}

/*
 * MMIO through a mapping (BAR0's registers, or 32-bit words of the FB
 * through BAR1), one access of the register's width each: the
 * atomic builtins keep the compiler from merging, splitting or dropping
 * them, as readl()/writel() do in the kernel.
 */
static u32 reg(const u8 *map, u32 off)
{
	return __atomic_load_n((const u32 *)(map + off), __ATOMIC_RELAXED);
}

static void reg_write(u8 *map, u32 off, u32 val)
{
	__atomic_store_n((u32 *)(map + off), val, __ATOMIC_RELAXED);
}

static u64 fb_read(const u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void fb_write(u64 *p, u64 val)
{
	__atomic_store_n(p, val, __ATOMIC_RELAXED);
}

/* The value of "@key=" (with its "=") on the kernel command line. */
static bool cmdline_u64(const char *key, u64 *val)
{
	static const char sep[] = { ' ', '\n', '\0' };
	char buf[4096], *w, *save = NULL;
	size_t n, klen = strlen(key);
	bool found = false;
	FILE *f;

	f = fopen("/proc/cmdline", "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (w = strtok_r(buf, sep, &save); w; w = strtok_r(NULL, sep, &save)) {
		if (!strncmp(w, key, klen)) {
			*val = strtoull(w + klen, NULL, 0);
			found = true;
		}
	}
	return found;
}

/* True when every word of [off, off + len) of the slice is zero. */
static bool range_zero(const u64 *p, u64 len)
{
	u64 i;

	for (i = 0; i < len / 8; i++)
		if (fb_read(&p[i]))
			return false;
	return true;
}

static void range_write(u64 *p, u64 off, u64 len,
			u64 seed)
{
	u64 i;

	for (i = 0; i < len / 8; i++)
		fb_write(&p[i], pattern_word(seed, off + 8 * i));
}

/* Offset in the slice of the first wrong word, or PATTERN_NONE. */
static u64 range_verify(const u64 *p, u64 off, u64 len,
			u64 seed)
{
	u64 i;

	for (i = 0; i < len / 8; i++)
		if (fb_read(&p[i]) != pattern_word(seed, off + 8 * i))
			return off + 8 * i;
	return PATTERN_NONE;
}

/*
 * The channel's work area in the FB, just past the pattern's head (the
 * host checks the pattern, and the whole slice is scrubbed at close).
 */
#define WORK_GPFIFO	0x0000
#define WORK_USERD	0x1000
#define WORK_NOTIFIER	0x1200
#define WORK_SEM	0x1400		/* the copy's one-word semaphore */
#define WORK_SEM64	0x1410		/* the host's: payload, timestamp */
#define WORK_PB		0x2000
#define WORK_SRC	0x10000
#define WORK_DST	0x20000
#define WORK_COPY	0x10000		/* bytes copied */
#define WORK_SIZE	0x30000
#define WAIT_MS		20000

/*
 * The busy phase's, in the same window once the copy's channel is free:
 * USERD and the notifier where the copy's were, two timestamped 64-bit
 * semaphores, three push buffer segments (the head binds the class, sets
 * BUSY_NS and releases the first semaphore; the launch segment, which
 * every middle GPFIFO entry points at, is BUSY_SEG launches; the tail has
 * the rest and releases the last semaphore), and the GPFIFO over the
 * copy's source and destination (up to 16384 entries).
 */
#define BUSY_USERD	WORK_USERD
#define BUSY_NOTIFIER	WORK_NOTIFIER
#define BUSY_SEM0	0x1420
#define BUSY_SEM1	0x1440
#define BUSY_PB_HEAD	0x2000
#define BUSY_PB_LAUNCH	0x3000
#define BUSY_PB_TAIL	0x4000
#define BUSY_PB_END	0x5000
#define BUSY_GPFIFO	0x10000
#define BUSY_NS		1000000		/* one launch: 1 ms */
#define BUSY_SEG	500		/* launches per GPFIFO entry */
#define BUSY_MS_MAX	3600000		/* 7202 entries, an 8192-entry GPFIFO */
#define BUSY_WAIT_MS	120000		/* on top of 6 times the busy time */
#define BUSY_POLL_US	10000

/* A method header: @count methods from @method on subchannel 0. */
static u32 hdr(u32 op, u32 method, u32 count)
{
	return op << NVKM_VGPU_DMA_SEC_OP_SHIFT |
	       count << NVKM_VGPU_DMA_COUNT_SHIFT | method >> 2;
}

/* The push buffer: copy SRC to DST, semaphore; then a host release. */
static u32 build_pb(u8 *fb, u64 work, u64 seed)
{
	u64 src = work + WORK_SRC, dst = work + WORK_DST;
	u64 sem = work + WORK_SEM, sem64 = work + WORK_SEM64;
	u32 pb[32], n = 0, i;

	pb[n++] = hdr(NVKM_VGPU_DMA_SEC_OP_INC_METHOD, NVKM_VGPU_HOST_SET_OBJECT, 1);
	pb[n++] = NVKM_VGPU_CLASS_COPY;
	pb[n++] = hdr(NVKM_VGPU_DMA_SEC_OP_INC_METHOD, NVKM_VGPU_COPY_OFFSET_IN_UPPER, 4);
	pb[n++] = src >> 32;
	pb[n++] = (u32)src;
	pb[n++] = dst >> 32;
	pb[n++] = (u32)dst;
	pb[n++] = hdr(NVKM_VGPU_DMA_SEC_OP_INC_METHOD, NVKM_VGPU_COPY_LINE_LENGTH_IN, 1);
	pb[n++] = WORK_COPY;
	pb[n++] = hdr(NVKM_VGPU_DMA_SEC_OP_INC_METHOD, NVKM_VGPU_COPY_SET_SEMAPHORE_A, 3);
	pb[n++] = sem >> 32;
	pb[n++] = (u32)sem;
	pb[n++] = (u32)seed | 1;
	pb[n++] = hdr(NVKM_VGPU_DMA_SEC_OP_INC_METHOD, NVKM_VGPU_COPY_LAUNCH_DMA, 1);
	pb[n++] = 2 | NVKM_VGPU_COPY_LAUNCH_SEM_ONE_WORD << NVKM_VGPU_COPY_LAUNCH_SEM_SHIFT |
		  NVKM_VGPU_COPY_LAUNCH_SRC_PITCH | NVKM_VGPU_COPY_LAUNCH_DST_PITCH;
	pb[n++] = hdr(NVKM_VGPU_DMA_SEC_OP_INC_METHOD, NVKM_VGPU_HOST_SEM_ADDR_LO, 5);
	pb[n++] = (u32)sem64;
	pb[n++] = sem64 >> 32;
	pb[n++] = (u32)~seed;
	pb[n++] = (u32)(~seed >> 32);
	pb[n++] = NVKM_VGPU_SEM_OP_RELEASE | NVKM_VGPU_SEM_PAYLOAD_64BIT |
		  NVKM_VGPU_SEM_RELEASE_TIMESTAMP;
	for (i = 0; i < n; i++)
		reg_write(fb, WORK_PB + 4 * i, pb[i]);
	return n;
}

/* Asks the host for a channel of class @cls; returns the mailbox status. */
static u32 chan_alloc(u8 *bar0, u32 cls, u64 gpfifo, u32 entries, u64 userd,
		      u64 notifier, u32 *chan)
{
	u32 status;

	reg_write(bar0, NVKM_VGPU_REG_MBOX_ARG(0), cls);
	reg_write(bar0, NVKM_VGPU_REG_MBOX_ARG(1), (u32)gpfifo);
	reg_write(bar0, NVKM_VGPU_REG_MBOX_ARG(2), gpfifo >> 32);
	reg_write(bar0, NVKM_VGPU_REG_MBOX_ARG(3), entries);
	reg_write(bar0, NVKM_VGPU_REG_MBOX_ARG(4), (u32)userd);
	reg_write(bar0, NVKM_VGPU_REG_MBOX_ARG(5), userd >> 32);
	reg_write(bar0, NVKM_VGPU_REG_MBOX_ARG(6), (u32)notifier);
	reg_write(bar0, NVKM_VGPU_REG_MBOX_ARG(7), notifier >> 32);
	reg_write(bar0, NVKM_VGPU_REG_MBOX_CMD, NVKM_VGPU_MBOX_CMD_CHAN_ALLOC);
	status = reg(bar0, NVKM_VGPU_REG_MBOX_STATUS);
	if (status == NVKM_VGPU_MBOX_OK)
		*chan = reg(bar0, NVKM_VGPU_REG_MBOX_RESULT);
	return status;
}

static u32 chan_free(u8 *bar0, u32 chan)
{
	reg_write(bar0, NVKM_VGPU_REG_MBOX_ARG(0), chan);
	reg_write(bar0, NVKM_VGPU_REG_MBOX_CMD, NVKM_VGPU_MBOX_CMD_CHAN_FREE);
	return reg(bar0, NVKM_VGPU_REG_MBOX_STATUS);
}

/*
 * A copy and a semaphore round trip on a channel of the copy engine, in
 * the FB at @work (mapped at @fb). Returns NULL, or why it failed.
 */
static const char *copy_roundtrip(u8 *bar0, u8 *fb, u64 work, u64 seed)
{
	static char why[64];
	u64 pb = work + WORK_PB, gpfifo = work + WORK_GPFIFO;
	u64 userd = work + WORK_USERD, notifier = work + WORK_NOTIFIER;
	u64 got, i;
	u32 chan, len, status;
	double t0;

	for (i = 0; i < WORK_SIZE / 8; i++)
		fb_write((u64 *)fb + i, 0);
	range_write((u64 *)(fb + WORK_SRC), work + WORK_SRC, WORK_COPY, seed);

	status = chan_alloc(bar0, NVKM_VGPU_CLASS_COPY, gpfifo, 8, userd,
			    notifier, &chan);
	if (status != NVKM_VGPU_MBOX_OK) {
		snprintf(why, sizeof(why), "chan-alloc-status-%u", status);
		return why;
	}
	fact(" chan=%u", chan);

	len = build_pb(fb, work, seed);
	reg_write(fb, WORK_GPFIFO, (u32)pb & NVKM_VGPU_GP_ENTRY0_GET_MASK);
	reg_write(fb, WORK_GPFIFO + 4, (u32)(pb >> 32) |
	      len << NVKM_VGPU_GP_ENTRY1_LENGTH_SHIFT);
	reg_write(fb, WORK_USERD + NVKM_VGPU_USERD_GP_PUT, 1);
	t0 = now_ms();
	reg_write(bar0, NVKM_VGPU_REG_NOTIFY_CHANNEL_PENDING, chan);

	while (fb_read((u64 *)(fb + WORK_SEM64)) != ~seed) {
		if (now_ms() - t0 > WAIT_MS ||
		    (reg(bar0, NVKM_VGPU_REG_CHAN_STATE(chan)) &
		     NVKM_VGPU_CHAN_STATE_MASK) != NVKM_VGPU_CHAN_STATE_ACTIVE) {
			snprintf(why, sizeof(why), "no-semaphore:state-%#x",
				 reg(bar0, NVKM_VGPU_REG_CHAN_STATE(chan)));
			return why;
		}
		usleep(100);
	}
	fact(" copy_us=%.0f", (now_ms() - t0) * 1000);
	if (reg(fb, WORK_SEM) != ((u32)seed | 1))
		return "copy-semaphore";
	if (!fb_read((u64 *)(fb + WORK_SEM64 + 8)))
		return "no-timestamp";
	if (reg(fb, WORK_USERD + NVKM_VGPU_USERD_GP_GET) != 1)
		return "gp-get";
	got = range_verify((u64 *)(fb + WORK_DST), work + WORK_SRC, WORK_COPY,
			   seed);
	if (got != PATTERN_NONE) {
		snprintf(why, sizeof(why), "copy-mismatch@%#llx", got);
		return why;
	}
	if (chan_free(bar0, chan) != NVKM_VGPU_MBOX_OK)
		return "chan-free";
	return NULL;
}

/* A host release of the 64-bit @payload at @sem, with a timestamp. */
static u32 push_release(u8 *fb, u32 off, u64 sem, u64 payload)
{
	u32 pb[6], i;

	pb[0] = hdr(NVKM_VGPU_DMA_SEC_OP_INC_METHOD, NVKM_VGPU_HOST_SEM_ADDR_LO, 5);
	pb[1] = (u32)sem;
	pb[2] = sem >> 32;
	pb[3] = (u32)payload;
	pb[4] = payload >> 32;
	pb[5] = NVKM_VGPU_SEM_OP_RELEASE | NVKM_VGPU_SEM_PAYLOAD_64BIT |
		NVKM_VGPU_SEM_RELEASE_TIMESTAMP;
	for (i = 0; i < 6; i++)
		reg_write(fb, off + 4 * i, pb[i]);
	return 6;
}

/* GPFIFO entry @idx of the busy channel: @len words at GPU address @pb. */
static void busy_entry(u8 *fb, u32 idx, u64 pb, u32 len)
{
	reg_write(fb, BUSY_GPFIFO + 8 * idx,
		  (u32)pb & NVKM_VGPU_GP_ENTRY0_GET_MASK);
	reg_write(fb, BUSY_GPFIFO + 8 * idx + 4,
		  (u32)(pb >> 32) | len << NVKM_VGPU_GP_ENTRY1_LENGTH_SHIFT);
}

/*
 * Keeps the GR engine busy for @busy_ms of engine time: a channel of the
 * busy class in the FB at @work (mapped at @fb) runs @busy_ms launches of
 * 1 ms, between two host semaphore releases. Returns NULL, or why it
 * failed.
 */
static const char *busy_phase(u8 *bar0, u8 *fb, u64 work, u64 busy_ms,
			      u64 seed)
{
	static char why[80];
	u64 gpfifo = work + BUSY_GPFIFO, userd = work + BUSY_USERD;
	u64 notifier = work + BUSY_NOTIFIER;
	u64 sem0 = work + BUSY_SEM0, sem1 = work + BUSY_SEM1;
	u64 full = busy_ms / BUSY_SEG, rest = busy_ms % BUSY_SEG, i, ts0, ts1;
	u32 entries = 2, put, chan, status, state, n;
	double t0, limit;

	if (busy_ms > BUSY_MS_MAX)
		return "busy_ms-too-large";
	put = full + 2;
	while (entries <= put)
		entries *= 2;
	for (i = BUSY_USERD / 8; i < BUSY_PB_END / 8; i++)
		fb_write((u64 *)fb + i, 0);
	for (i = 0; i < entries; i++)
		fb_write((u64 *)(fb + BUSY_GPFIFO) + i, 0);

	status = chan_alloc(bar0, NVKM_VGPU_CLASS_SIM_BUSY, gpfifo, entries,
			    userd, notifier, &chan);
	if (status != NVKM_VGPU_MBOX_OK) {
		snprintf(why, sizeof(why), "busy-chan-alloc-status-%u", status);
		return why;
	}

	/* Head: bind the class, 1 ms per launch, the first release. */
	reg_write(fb, BUSY_PB_HEAD,
		  hdr(NVKM_VGPU_DMA_SEC_OP_INC_METHOD, NVKM_VGPU_HOST_SET_OBJECT, 1));
	reg_write(fb, BUSY_PB_HEAD + 4, NVKM_VGPU_CLASS_SIM_BUSY);
	reg_write(fb, BUSY_PB_HEAD + 8,
		  hdr(NVKM_VGPU_DMA_SEC_OP_INC_METHOD, NVKM_VGPU_SIM_BUSY_NS_LO, 2));
	reg_write(fb, BUSY_PB_HEAD + 12, (u32)BUSY_NS);
	reg_write(fb, BUSY_PB_HEAD + 16, (u32)((u64)BUSY_NS >> 32));
	n = 5 + push_release(fb, BUSY_PB_HEAD + 20, sem0, seed + 1);
	busy_entry(fb, 0, work + BUSY_PB_HEAD, n);

	/* BUSY_SEG launches (data 0, as the FB was zeroed), n entries. */
	reg_write(fb, BUSY_PB_LAUNCH,
		  hdr(NVKM_VGPU_DMA_SEC_OP_NON_INC_METHOD,
		      NVKM_VGPU_SIM_BUSY_LAUNCH, BUSY_SEG));
	for (i = 0; i < full; i++)
		busy_entry(fb, 1 + i, work + BUSY_PB_LAUNCH, BUSY_SEG + 1);

	/* Tail: the remaining launches, the last release. */
	n = 0;
	if (rest) {
		reg_write(fb, BUSY_PB_TAIL,
			  hdr(NVKM_VGPU_DMA_SEC_OP_NON_INC_METHOD,
			      NVKM_VGPU_SIM_BUSY_LAUNCH, rest));
		n = rest + 1;
	}
	n += push_release(fb, BUSY_PB_TAIL + 4 * n, sem1, seed + 2);
	busy_entry(fb, put - 1, work + BUSY_PB_TAIL, n);

	reg_write(fb, BUSY_USERD + NVKM_VGPU_USERD_GP_PUT, put);
	t0 = now_ms();
	reg_write(bar0, NVKM_VGPU_REG_NOTIFY_CHANNEL_PENDING, chan);

	/* A shared engine runs it at its share: wait for up to 6 times. */
	limit = busy_ms * 6.0 + BUSY_WAIT_MS;
	while (fb_read((u64 *)(fb + BUSY_SEM1)) != seed + 2) {
		state = reg(bar0, NVKM_VGPU_REG_CHAN_STATE(chan));
		if ((state & NVKM_VGPU_CHAN_STATE_MASK) !=
		    NVKM_VGPU_CHAN_STATE_ACTIVE) {
			snprintf(why, sizeof(why),
				 "busy-stopped:state-%#x:gp_get-%u", state,
				 reg(fb, BUSY_USERD + NVKM_VGPU_USERD_GP_GET));
			return why;
		}
		if (now_ms() - t0 > limit) {
			snprintf(why, sizeof(why), "busy-timeout:gp_get-%u",
				 reg(fb, BUSY_USERD + NVKM_VGPU_USERD_GP_GET));
			return why;
		}
		usleep(BUSY_POLL_US);
	}
	fact(" busy_ms=%.0f", now_ms() - t0);
	ts0 = fb_read((u64 *)(fb + BUSY_SEM0 + 8));
	ts1 = fb_read((u64 *)(fb + BUSY_SEM1 + 8));
	if (fb_read((u64 *)(fb + BUSY_SEM0)) != seed + 1 || !ts0 || ts1 < ts0)
		return "busy-semaphores";
	fact(" busy_host_ms=%.0f", (ts1 - ts0) / 1e6);
	if (reg(fb, BUSY_USERD + NVKM_VGPU_USERD_GP_GET) != put)
		return "busy-gp-get";
	if (chan_free(bar0, chan) != NVKM_VGPU_MBOX_OK)
		return "busy-chan-free";
	return NULL;
}

int main(void)
{
	u64 seed, fb, bar1, head, tail, bad, busy_ms;
	u64 *fb_head, *fb_tail;
	u8 *bar0;
	u32 magic, count;
	char bdf[256] = "", why[128];
	const char *reason;
	double t0, t1, t2;
	bool fresh;
	int n, ret;

	if (!cmdline_u64("vgpu.seed=", &seed))
		fail("no-vgpu.seed-on-cmdline");

	n = find_vgpu(bdf, sizeof(bdf));
	if (n <= 0)
		fail("no-10de-function");
	fact(" bdf=%s", bdf);
	if (n > 1)
		fact(" functions=%d", n);
	fact(" vendor=%#06lx device=%#06lx subsys=%#06lx",
	     attr_num(bdf, "vendor"), attr_num(bdf, "device"),
	     attr_num(bdf, "subsystem_device"));

	ret = enable_function(bdf);
	if (ret) {
		snprintf(why, sizeof(why), "enable:%s", strerror(-ret));
		fail(why);
	}

	if (bar_size(bdf, 0) < NVKM_VGPU_BAR0_SIZE)
		fail("bar0-missing-or-small");
	bar0 = map_bar(bdf, 0, 0, NVKM_VGPU_BAR0_SIZE);
	if (bar0 == MAP_FAILED) {
		snprintf(why, sizeof(why), "mmap-resource0:%s", strerror(errno));
		fail(why);
	}
	magic = reg(bar0, NVKM_VGPU_REG_MAGIC);
	fact(" magic=%#x version=%u", magic, reg(bar0, NVKM_VGPU_REG_VERSION));
	if (magic != NVKM_VGPU_MAGIC)
		fail("bad-magic");
	if (reg(bar0, NVKM_VGPU_REG_VERSION) != NVKM_VGPU_UAPI_VERSION)
		fail("bad-version");

	fb = reg(bar0, NVKM_VGPU_REG_FB_SIZE_LO) |
	     (u64)reg(bar0, NVKM_VGPU_REG_FB_SIZE_HI) << 32;
	count = reg(bar0, NVKM_VGPU_REG_CHID_COUNT);
	fact(" type=%u fb=%llu channels=%u engines=%#x",
	     reg(bar0, NVKM_VGPU_REG_TYPE), fb, count,
	     reg(bar0, NVKM_VGPU_REG_ENGINES));
	if (!count)
		fail("no-channels");

	/* A register the guest owns: it must hold what was written. */
	reg_write(bar0, NVKM_VGPU_REG_SCRATCH, (u32)~seed);
	if (reg(bar0, NVKM_VGPU_REG_SCRATCH) != (u32)~seed)
		fail("scratch-readback");

	bar1 = bar_size(bdf, 1);
	fact(" bar1=%llu seed=%llu", bar1, seed);
	if (!fb || fb % PATTERN_TAIL_BYTES)
		fail("fb-size-not-page-multiple");
	if (bar1 < fb)
		fail("bar1-smaller-than-fb");

	head = pattern_head(fb);
	tail = pattern_tail(fb);
	fb_head = map_bar(bdf, 1, 0, head);
	fb_tail = map_bar(bdf, 1, tail, PATTERN_TAIL_BYTES);
	if (fb_head == MAP_FAILED || fb_tail == MAP_FAILED) {
		snprintf(why, sizeof(why), "mmap-resource1:%s", strerror(errno));
		fail(why);
	}

	t0 = now_ms();
	fresh = range_zero(fb_head, head) &&
		range_zero(fb_tail, PATTERN_TAIL_BYTES);
	fact(" fresh=%s", fresh ? "zero" : "dirty");
	range_write(fb_head, 0, head, seed);
	range_write(fb_tail, tail, PATTERN_TAIL_BYTES, seed);
	t1 = now_ms();
	bad = range_verify(fb_head, 0, head, seed);
	if (bad == PATTERN_NONE)
		bad = range_verify(fb_tail, tail, PATTERN_TAIL_BYTES, seed);
	t2 = now_ms();
	fact(" written=%llu write_ms=%.0f verify_ms=%.0f",
	     head + (tail >= head ? PATTERN_TAIL_BYTES : 0), t1 - t0, t2 - t1);
	if (bad != PATTERN_NONE) {
		snprintf(why, sizeof(why), "readback-mismatch@%#llx", bad);
		fail(why);
	}

	munmap(fb_head, head);
	munmap(fb_tail, PATTERN_TAIL_BYTES);

	if (head + WORK_SIZE > tail)
		fail("fb-too-small-for-channel-work");
	fb_head = map_bar(bdf, 1, head, WORK_SIZE);
	if (fb_head == MAP_FAILED) {
		snprintf(why, sizeof(why), "mmap-resource1-work:%s",
			 strerror(errno));
		fail(why);
	}
	reason = copy_roundtrip(bar0, (u8 *)fb_head, head, seed);
	fact(" copy=%s", reason ? "fail" : "ok");
	if (reason)
		fail(reason);
	if (!cmdline_u64("vgpu.busy_ms=", &busy_ms))
		busy_ms = 0;
	if (busy_ms) {
		reason = busy_phase(bar0, (u8 *)fb_head, head, busy_ms, seed);
		fact(" busy=%s", reason ? "fail" : "ok");
		if (reason)
			fail(reason);
	} else {
		fact(" busy=skip");
	}
	munmap(fb_head, WORK_SIZE);
	munmap(bar0, NVKM_VGPU_BAR0_SIZE);
	report(true, NULL);
	return 0;
}
