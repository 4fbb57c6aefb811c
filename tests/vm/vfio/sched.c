// SPDX-License-Identifier: GPL-2.0
/*
 * sched: the engine scheduler of a GPU's runlists, as its sysfs, debugfs
 * and tracepoints show it (Documentation/testing.rst; the contract:
 * vgpu_mgr/sched/policy.c and the sched_stats/wait_hist files).
 *
 * On the simulated h100 (one GR runlist, gr0), three h100-10c vGPUs A, B
 * and C. A busy vGPU has one GR channel kept full by a feeder (lib/work.c):
 * a 1024-entry GPFIFO of 500 us SIM_BUSY launches, refilled every 10 ms as
 * GP_GET advances, so that its vGPU always has work. A share is the
 * vGPU's sched_stats busy_ns delta over a measurement window divided by
 * the window's wall time. Checked:
 *  1. fixed_share, A and B busy, weights 1 and 9: share_ppm 100000 and
 *     900000, delivered shares within SHARE_TOL of them;
 *  2. equal_share, C with an idle channel: A and B about 1/3 each, the
 *     engine idle about 1/3 (not work conserving), C's busy_ns unmoved;
 *  3. best_effort, the same three: A and B about 1/2, utilisation >= 0.95;
 *  4. fixed 1:9 switched to equal_share while A and B keep submitting:
 *     the window right after the switch already shows 1/2 each;
 *  5. timeslice_ms 1 and 10, then exec_quantum_ms: slices per second times
 *     the quantum follows the share; preempt_timeout_us 20000 stops A's
 *     single 2 s launch with NVKM_VGPU_CHAN_ERR_TIMEOUT long before it
 *     would end, counted in `timeouts`; CHAN_RESET counted in `resets`;
 *  6. out-of-range values of every knob: EINVAL, the value unchanged;
 *  7. accounting: A alone runs 4 launches of 500 ms, busy_ns grows by the
 *     2 s submitted within ACCT_TOL; `channels` follows CHAN_ALLOC and
 *     CHAN_FREE; `fb_used` grows when A's FB pages are touched via BAR1;
 *  8. debugfs sched_log: at most 200 lines, run and end lines naming A and
 *     B; the nvkm_vgpu tracepoints exist and slice_start traces.
 * The GPU's scheduler and timeslice_ms are put back to best_effort and 0
 * at exit, whatever happened.
 *
 * Usage: sched
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>
#include <linux/nvkm_vgpu.h>

#include "cleanup.h"
#include "sysfs.h"
#include "tap.h"
#include "work.h"

#define NR		3		/* vGPUs A, B, C */
/*
 * Each feeder's GPFIFO: 512 ms of launches, so that a busy vGPU never runs
 * dry while this program waits for a vCPU of a loaded TCG host.
 */
#define ENTRIES		1024
#define LAUNCH_NS	500000ull	/* each feeder launch */
#define FEED_MS		10		/* the feeders' refill period */
#define SETTLE_MS	300		/* after a change, before measuring */
#define WINDOW_MS	3000		/* a measurement window */
#define SWITCH_MS	1000		/* the window right after a switch */
#define KNOB_MS		1500		/* windows of the knob checks */
/*
 * Delivered against configured share, in parts of the engine's time: the
 * share policies' credits are exact to one quantum plus one launch over a
 * window (2.5 ms / 3 s, < 0.1 %), so what is left is the engine time
 * nobody is charged for (the engine thread's switch between slices, slow
 * under TCG and a debug kernel), which fixed_share splits evenly between
 * the busy vGPUs: 0.03 allows 6 % of the engine lost.
 */
#define SHARE_TOL	0.03
#define UTIL_MIN	0.95		/* best_effort's utilisation */
/*
 * busy_ns against the work submitted: busy_ns is the engine's time in the
 * channel's turns, so each launch adds the fetch and decoding of its GPFIFO
 * entry and push segment and the wake-up after its last sleep: 0.9 to
 * 1.6 ms a launch under TCG on the debug kernel, more on a loaded host (40
 * launches of 25 ms measured +3.6 %, 10 of 100 ms +0.5 to +1.6 %): 4
 * launches of 500 ms keep that well under 1 %.
 */
#define ACCT_TOL	0.02
#define ACCT_LAUNCHES	4
#define ACCT_NS		500000000ull
#define LONG_NS		2000000000ull	/* the launch the timeout stops */
#define PREEMPT_US	20000
#define STOP_MAX_MS	400		/* timeout + slice + TCG; << 2000 */
#define TOUCH_PAGES	64
#define TOUCH_STRIDE	(64u << 10)
#define TOUCH_OFF	(16u << 20)	/* in A's FB, away from anything used */

#define ERR_STATE(code) \
	(NVKM_VGPU_CHAN_STATE_ERROR | (code) << NVKM_VGPU_CHAN_STATE_ERR_SHIFT)

static struct vgpu_parent par;
static struct work_vgpu g[NR];
static struct work_chan ch[NR];
static bool has_chan[NR];
static const char *const names[NR] = { "A", "B", "C" };

/* What one measurement window saw. */
struct window {
	double wall_s;
	double share[NR];	/* busy_ns delta / wall */
	double rate[NR];	/* slices per second */
	double util;		/* sum of the shares */
	struct work_stats d[NR];	/* deltas (share_ppm: the end's) */
	struct work_stats end[NR];
};

static void restore_gpu(void)
{
	parent_set(&par, "scheduler", "best_effort");
	parent_set(&par, "timeslice_ms", "0");
}

static int vgpu_set(int i, const char *knob, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), MDEV_DEV_DIR "/%s/nvkm_vgpu/%s",
		 g[i].d.uuid, knob);
	return sysfs_write(path, val);
}

static void set_ok(int i, const char *knob, const char *val)
{
	int ret = i < 0 ? parent_set(&par, knob, val) : vgpu_set(i, knob, val);

	if (ret)
		tap_bail("write %s to %s%s: %s", val, i < 0 ? "the GPU's " : names[i],
			 knob, errno_name(-ret));
}

static void stats(int i, struct work_stats *st)
{
	int ret = work_stats_read(g[i].d.uuid, "gr0", st);

	if (ret)
		tap_bail("%s: sched_stats/wait_hist gr0: %s", names[i],
			 errno_name(-ret));
}

/* Keeps every feeder full for @ms. */
static void feed_for(unsigned int ms)
{
	work_feed_for(ch, has_chan, NR, ms, FEED_MS);
}

static void measure(unsigned int ms, struct window *w)
{
	struct work_stats a[NR];
	u64 t0, t1;
	unsigned int k;
	int i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < NR; i++)
		stats(i, &a[i]);
	t0 = now_us();
	feed_for(ms);
	for (i = 0; i < NR; i++)
		stats(i, &w->end[i]);
	t1 = now_us();
	w->wall_s = (t1 - t0) / 1e6;
	for (i = 0; i < NR; i++) {
		struct work_stats *d = &w->d[i], *e = &w->end[i];

		d->busy_ns = e->busy_ns - a[i].busy_ns;
		d->slices = e->slices - a[i].slices;
		d->preemptions = e->preemptions - a[i].preemptions;
		d->timeouts = e->timeouts - a[i].timeouts;
		d->resets = e->resets - a[i].resets;
		d->share_ppm = e->share_ppm;
		for (k = 0; k < WORK_HIST_BUCKETS; k++)
			d->hist[k] = e->hist[k] - a[i].hist[k];
		w->share[i] = d->busy_ns / 1e9 / w->wall_s;
		w->rate[i] = d->slices / w->wall_s;
		w->util += w->share[i];
	}
	tap_diag("  %.2f s: A %.4f (%llu slices), B %.4f (%llu), C %.4f (%llu), util %.4f",
		 w->wall_s, w->share[0], (unsigned long long)w->d[0].slices,
		 w->share[1], (unsigned long long)w->d[1].slices, w->share[2],
		 (unsigned long long)w->d[2].slices, w->util);
	tap_diag("  share_ppm %llu %llu %llu",
		 (unsigned long long)w->d[0].share_ppm,
		 (unsigned long long)w->d[1].share_ppm,
		 (unsigned long long)w->d[2].share_ppm);
}

static bool near(double got, double want, double tol)
{
	return got >= want - tol && got <= want + tol;
}

static void chan_open(int i)
{
	u32 status = work_chan_new(&ch[i], &g[i], NVKM_VGPU_CLASS_SIM_BUSY,
				   ENTRIES);

	if (status)
		tap_bail("%s: GR channel: CHAN_ALLOC/bind status %#x", names[i],
			 status);
	has_chan[i] = true;
}

static void chan_close(int i)
{
	if (!work_feed_stop(&ch[i], WORK_WAIT_MS))
		tap_diag("%s: the feeder did not drain", names[i]);
	tap_check(work_chan_free(&ch[i]) == NVKM_VGPU_MBOX_OK,
		  "%s: CHAN_FREE of its GR channel", names[i]);
	has_chan[i] = false;
}

static void drain(int i)
{
	if (!work_feed_stop(&ch[i], WORK_WAIT_MS))
		tap_bail("%s: the feeder's GPFIFO stays busy: GP_GET %u, GP_PUT %u, CHAN_STATE %#x",
			 names[i], work_gp_get(&ch[i]), ch[i].put,
			 work_chan_state(&ch[i]));
}

/* Both feeders drained and their last launch over: the engines sleep. */
static void engines_idle(void)
{
	drain(0);
	drain(1);
	usleep(20 * LAUNCH_NS / 1000);
}

/* 1. */
static void check_fixed(void)
{
	struct window w;

	set_ok(0, "weight", "1");
	set_ok(1, "weight", "9");
	set_ok(-1, "scheduler", "fixed_share");
	work_feed_start(&ch[0], LAUNCH_NS);
	work_feed_start(&ch[1], LAUNCH_NS);
	feed_for(SETTLE_MS);
	measure(WINDOW_MS, &w);
	tap_check(w.d[0].share_ppm == 100000 && w.d[1].share_ppm == 900000,
		  "fixed_share 1:9: share_ppm %llu and %llu (want 100000, 900000)",
		  (unsigned long long)w.d[0].share_ppm,
		  (unsigned long long)w.d[1].share_ppm);
	tap_check(near(w.share[0], 0.1, SHARE_TOL) &&
		  near(w.share[1], 0.9, SHARE_TOL),
		  "fixed_share 1:9: A %.4f, B %.4f of gr0 over %.2f s (want 0.1, 0.9 +-%.2f)",
		  w.share[0], w.share[1], w.wall_s, SHARE_TOL);
}

/* 2. and 3. */
static void check_equal_best(void)
{
	struct window w;

	chan_open(2);
	set_ok(0, "weight", "0");
	set_ok(1, "weight", "0");
	set_ok(-1, "scheduler", "equal_share");
	feed_for(SETTLE_MS);
	measure(WINDOW_MS, &w);
	tap_check(w.d[0].share_ppm == 333333 && w.d[1].share_ppm == 333333 &&
		  w.d[2].share_ppm == 333333,
		  "equal_share, 3 vGPUs with channels: share_ppm %llu %llu %llu (want 333333)",
		  (unsigned long long)w.d[0].share_ppm,
		  (unsigned long long)w.d[1].share_ppm,
		  (unsigned long long)w.d[2].share_ppm);
	tap_check(near(w.share[0], 1 / 3.0, SHARE_TOL) &&
		  near(w.share[1], 1 / 3.0, SHARE_TOL) && w.d[2].busy_ns == 0 &&
		  near(1 - w.util, 1 / 3.0, 2 * SHARE_TOL),
		  "equal_share, C idle: A %.4f, B %.4f, C %.4f, engine idle %.4f (want 1/3 each +-%.2f, C 0, idle 1/3 +-%.2f)",
		  w.share[0], w.share[1], w.share[2], 1 - w.util, SHARE_TOL,
		  2 * SHARE_TOL);

	set_ok(-1, "scheduler", "best_effort");
	feed_for(SETTLE_MS);
	measure(WINDOW_MS, &w);
	tap_check(!w.d[0].share_ppm && !w.d[1].share_ppm && !w.d[2].share_ppm,
		  "best_effort: share_ppm 0 for all (%llu %llu %llu)",
		  (unsigned long long)w.d[0].share_ppm,
		  (unsigned long long)w.d[1].share_ppm,
		  (unsigned long long)w.d[2].share_ppm);
	tap_check(near(w.share[0], 0.5, SHARE_TOL) &&
		  near(w.share[1], 0.5, SHARE_TOL) && w.util >= UTIL_MIN,
		  "best_effort, C idle: A %.4f, B %.4f, utilisation %.4f (want 1/2 each +-%.2f, >= %.2f)",
		  w.share[0], w.share[1], w.util, SHARE_TOL, UTIL_MIN);
	chan_close(2);
}

/* 4. */
static void check_switch(void)
{
	struct window w;

	set_ok(0, "weight", "1");
	set_ok(1, "weight", "9");
	set_ok(-1, "scheduler", "fixed_share");
	feed_for(SETTLE_MS);
	measure(WINDOW_MS, &w);
	tap_check(near(w.share[0], 0.1, SHARE_TOL) &&
		  near(w.share[1], 0.9, SHARE_TOL),
		  "switch: before, fixed_share 1:9: A %.4f, B %.4f",
		  w.share[0], w.share[1]);
	set_ok(-1, "scheduler", "equal_share");
	measure(SWITCH_MS, &w);
	tap_check(near(w.share[0], 0.5, SHARE_TOL) &&
		  near(w.share[1], 0.5, SHARE_TOL) &&
		  w.d[0].share_ppm == 500000 && w.d[1].share_ppm == 500000,
		  "switch: the %.2f s right after the switch to equal_share, guests submitting: A %.4f, B %.4f, share_ppm %llu %llu (want 1/2 +-%.2f)",
		  w.wall_s, w.share[0], w.share[1],
		  (unsigned long long)w.d[0].share_ppm,
		  (unsigned long long)w.d[1].share_ppm, SHARE_TOL);
	set_ok(0, "weight", "0");
	set_ok(1, "weight", "0");
}

/* slices/s * quantum / share: 1 when each slice lasts its quantum. */
static double fill_ratio(const struct window *w, int i, double quantum_s)
{
	return w->share[i] > 0 ? w->rate[i] * quantum_s / w->share[i] : 0;
}

/*
 * A slice ends at the first launch boundary past its quantum, and each
 * launch carries its fetch (0.1-0.3 ms under TCG on the debug kernel): a
 * 1 ms slice of 500 us launches lasts 1.2-2 ms (ratio 0.5-0.85). No slice
 * is shorter than its quantum, bar the clock reads: at most 1.1.
 */
static bool ratio_ok(double r)
{
	return r >= 0.4 && r <= 1.1;
}

/* 5. */
static void check_knobs(void)
{
	double r[4], rate1;
	struct window w;

	set_ok(-1, "scheduler", "fixed_share");
	set_ok(-1, "timeslice_ms", "1");
	feed_for(SETTLE_MS);
	measure(KNOB_MS, &w);
	r[0] = fill_ratio(&w, 0, 0.001);
	r[1] = fill_ratio(&w, 1, 0.001);
	rate1 = w.rate[0] + w.rate[1];
	tap_check(ratio_ok(r[0]) && ratio_ok(r[1]),
		  "timeslice_ms 1: %.0f and %.0f slices/s, slices/s x 1 ms / share %.2f and %.2f (want 0.4-1.1)",
		  w.rate[0], w.rate[1], r[0], r[1]);
	set_ok(-1, "timeslice_ms", "10");
	feed_for(SETTLE_MS);
	measure(KNOB_MS, &w);
	r[0] = fill_ratio(&w, 0, 0.010);
	r[1] = fill_ratio(&w, 1, 0.010);
	tap_check(ratio_ok(r[0]) && ratio_ok(r[1]) &&
		  rate1 >= 4 * (w.rate[0] + w.rate[1]),
		  "timeslice_ms 10: %.0f and %.0f slices/s, ratio %.2f and %.2f; %.1fx fewer than at 1 ms (want >= 4)",
		  w.rate[0], w.rate[1], r[0], r[1],
		  rate1 / (w.rate[0] + w.rate[1] + 0.001));
	set_ok(0, "exec_quantum_ms", "2");
	feed_for(SETTLE_MS);
	measure(KNOB_MS, &w);
	r[2] = fill_ratio(&w, 0, 0.002);
	r[3] = fill_ratio(&w, 1, 0.010);
	tap_check(ratio_ok(r[2]) && ratio_ok(r[3]) && w.rate[0] >= 2.5 * w.rate[1],
		  "exec_quantum_ms 2 on A (B 10 ms from timeslice_ms): %.0f and %.0f slices/s, ratio %.2f and %.2f; shares %.4f %.4f",
		  w.rate[0], w.rate[1], r[2], r[3], w.share[0], w.share[1]);
	set_ok(0, "exec_quantum_ms", "0");
	set_ok(-1, "timeslice_ms", "0");
}

static void check_timeout(void)
{
	struct work_mem started = work_sys_get(&g[0], 16, 16);
	struct work_stats a, b;
	struct nvkm_vgpu_notifier n;
	struct work_chan *c = &ch[0];
	struct work_push p;
	u64 t0, start_ns, ms, engine_us;
	u32 st, status;

	/* fixed_share, B busy: A's slices end on time, contended. */
	drain(0);
	set_ok(0, "preempt_timeout_us", "20000");
	stats(0, &a);
	work_push_begin(&p, c);
	work_push_sem(&p, started.gpu, 1,
		      WORK_SEM_RELEASE | NVKM_VGPU_SEM_RELEASE_TIMESTAMP);
	work_push_busy(&p, LONG_NS);
	work_push_fence(&p);
	work_push_kick(&p);
	t0 = now_us();
	while (work_rd32(started.cpu) != 1 && now_us() - t0 < WORK_WAIT_MS * 1000ull) {
		work_feed(&ch[1]);
		usleep(200);
	}
	if (!tap_check(work_rd32(started.cpu) == 1, "preempt_timeout_us: A's 2 s launch starts"))
		return;
	t0 = now_us();
	while ((st = work_chan_state(c)) != ERR_STATE(NVKM_VGPU_CHAN_ERR_TIMEOUT) &&
	       now_us() - t0 < 2 * LONG_NS / 1000) {
		work_feed(&ch[1]);
		usleep(500);
	}
	ms = (now_us() - t0) / 1000;
	memcpy(&n, c->notifier.cpu, sizeof(n));
	start_ns = work_rd64(started.cpu + 8);
	engine_us = n.timestamp > start_ns ? (n.timestamp - start_ns) / 1000 : 0;
	stats(0, &b);
	/*
	 * By the engine's clock: from the timestamp of the release just before
	 * the launch to the notifier's. The switch is asked for at the end of
	 * A's slice, after the launch started; the stop comes the timeout
	 * (and at most one 1 ms step) later.
	 */
	tap_check(st == ERR_STATE(NVKM_VGPU_CHAN_ERR_TIMEOUT) &&
		  n.info32 == NVKM_VGPU_CHAN_ERR_TIMEOUT &&
		  engine_us >= PREEMPT_US && engine_us <= STOP_MAX_MS * 1000,
		  "preempt_timeout_us %u, B busy: A's 2 s launch stopped %llu us after it started (engine clock; want %u-%u; seen here %llu ms after the start): CHAN_STATE %#x, info32 %u",
		  PREEMPT_US, (unsigned long long)engine_us, PREEMPT_US,
		  STOP_MAX_MS * 1000, (unsigned long long)ms, st, n.info32);
	tap_check(b.timeouts == a.timeouts + 1,
		  "preempt_timeout_us: sched_stats timeouts %llu -> %llu",
		  (unsigned long long)a.timeouts, (unsigned long long)b.timeouts);
	status = work_chan_reset(c);
	stats(0, &a);
	tap_check(status == NVKM_VGPU_MBOX_OK && a.resets == b.resets + 1 &&
		  work_chan_state(c) == NVKM_VGPU_CHAN_STATE_ACTIVE,
		  "CHAN_RESET (status %#x): ACTIVE again, sched_stats resets %llu -> %llu",
		  status, (unsigned long long)b.resets,
		  (unsigned long long)a.resets);
	set_ok(0, "preempt_timeout_us", "0");
	work_feed_start(c, LAUNCH_NS);
}

/* 6. */
static void check_einval(void)
{
	static const struct {
		bool gpu;
		const char *knob, *bad, *good;
	} cases[] = {
		{ true, "scheduler", "nope", "best_effort" },
		{ true, "timeslice_ms", "31", "30" },
		{ false, "weight", "1001", "1000" },
		{ false, "exec_quantum_ms", "31", "30" },
		{ false, "preempt_timeout_us", "999", "1000" },
		{ false, "preempt_timeout_us", "1000001", "1000000" },
	};
	char before[64], after[64], path[512];
	const char *reset;
	unsigned int i;
	int ret, good;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (cases[i].gpu)
			snprintf(path, sizeof(path), "%s/nvkm_vgpu/%s", par.path,
				 cases[i].knob);
		else
			snprintf(path, sizeof(path), MDEV_DEV_DIR "/%s/nvkm_vgpu/%s",
				 g[0].d.uuid, cases[i].knob);
		sysfs_read(path, before, sizeof(before));
		ret = sysfs_write(path, cases[i].bad);
		sysfs_read(path, after, sizeof(after));
		tap_check(ret == -EINVAL && !strcmp(before, after),
			  "%s \"%s\": %s, still \"%s\" (was \"%s\")",
			  cases[i].knob, cases[i].bad, errno_name(-ret), after,
			  before);
		good = sysfs_write(path, cases[i].good);
		sysfs_read(path, after, sizeof(after));
		tap_check(!good && !strcmp(after, cases[i].good),
			  "%s \"%s\" (the bound) is taken: %s, reads \"%s\"",
			  cases[i].knob, cases[i].good, errno_name(-good), after);
		reset = i ? "0" : "best_effort";
		sysfs_write(path, reset);
	}
}

/* 7. */
static void check_accounting(void)
{
	struct work_stats a, b;
	struct work_chan extra;
	long long used0, used1, chans[3];
	unsigned int i;
	double err;
	u8 *bar1;
	u32 seq = 0;

	set_ok(-1, "scheduler", "best_effort");
	drain(0);
	drain(1);
	stats(0, &a);
	if (!work_push_launches(&ch[0], ACCT_LAUNCHES, ACCT_NS, &seq))
		tap_bail("A: no room in its GPFIFO");
	if (!work_chan_wait(&ch[0], seq, WORK_WAIT_MS))
		tap_bail("A: %u launches of %llu ms do not complete", ACCT_LAUNCHES,
			 ACCT_NS / 1000000);
	stats(0, &b);
	err = ((double)(b.busy_ns - a.busy_ns) - ACCT_LAUNCHES * ACCT_NS) /
	      (ACCT_LAUNCHES * ACCT_NS);
	tap_check(err >= 0 && err <= ACCT_TOL,
		  "accounting: A alone, %u x %llu ms submitted: busy_ns grew by %llu ns, %+.3f %% (want 0 to +%.0f %%)",
		  ACCT_LAUNCHES, ACCT_NS / 1000000,
		  (unsigned long long)(b.busy_ns - a.busy_ns), 100 * err,
		  100 * ACCT_TOL);

	chans[0] = mdev_ull(g[0].d.uuid, "channels");
	i = work_chan_new(&extra, &g[0], NVKM_VGPU_CLASS_COPY, 16);
	chans[1] = mdev_ull(g[0].d.uuid, "channels");
	work_chan_free(&extra);
	chans[2] = mdev_ull(g[0].d.uuid, "channels");
	tap_check(!i && chans[0] == 1 && chans[1] == 2 && chans[2] == 1 &&
		  mdev_ull(g[2].d.uuid, "channels") == 0,
		  "channels: %lld, %lld after CHAN_ALLOC (status %u), %lld after CHAN_FREE; C (all freed) %lld",
		  chans[0], chans[1], i, chans[2], mdev_ull(g[2].d.uuid, "channels"));

	used0 = mdev_ull(g[0].d.uuid, "fb_used");
	bar1 = vdev_mmap(&g[0].d, VFIO_PCI_BAR1_REGION_INDEX, TOUCH_OFF,
			 TOUCH_PAGES * TOUCH_STRIDE, MAP_SHARED);
	if (!tap_check(bar1 != MAP_FAILED, "mmap of A's BAR1 at %#x", TOUCH_OFF))
		return;
	for (i = 0; i < TOUCH_PAGES; i++)
		work_wr32(bar1 + (size_t)i * TOUCH_STRIDE, 0x5eb0 + i);
	used1 = mdev_ull(g[0].d.uuid, "fb_used");
	tap_check(used0 >= 0 && used1 >= used0 + TOUCH_PAGES * 4096 &&
		  used1 <= used0 + (long long)TOUCH_PAGES * TOUCH_STRIDE,
		  "fb_used: %lld, %lld after %u pages of A's FB %u KiB apart were written through BAR1",
		  used0, used1, TOUCH_PAGES, TOUCH_STRIDE >> 10);
	vdev_munmap(bar1, TOUCH_PAGES * TOUCH_STRIDE);
	work_feed_start(&ch[0], LAUNCH_NS);
	work_feed_start(&ch[1], LAUNCH_NS);
}

static bool mounted(const char *dir, const char *probe, const char *fs)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, probe);
	if (path_exists(path))
		return true;
	if (mount(fs, dir, fs, 0, NULL))
		tap_diag("mount -t %s %s: %s", fs, dir, errno_name(errno));
	return path_exists(path);
}

/* 8. */
static void check_log(void)
{
	static char buf[1 << 16];
	char path[256], ev[16], eng[16], who[64];
	unsigned long long t, v;
	unsigned int lines = 0, bad = 0, run[2] = { 0 }, end[2] = { 0 };
	const char *tdir;
	char *line, *save = NULL;
	ssize_t n;
	int fd, i;

	feed_for(SETTLE_MS);
	if (!tap_check(mounted("/sys/kernel/debug", "nvkm_vgpu", "debugfs"),
		       "debugfs: /sys/kernel/debug/nvkm_vgpu exists"))
		return;
	snprintf(path, sizeof(path), "/sys/kernel/debug/nvkm_vgpu/%s/sched_log",
		 par.name);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (!tap_check(n > 0, "sched_log: %s reads (%zd bytes)", path, n))
		return;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		lines++;
		if (sscanf(line, "%llu %15s %15s %63s %llu", &t, eng, ev, who,
			   &v) != 5) {
			bad++;
			continue;
		}
		for (i = 0; i < 2; i++) {
			if (strcmp(who, g[i].d.uuid) || strcmp(eng, "gr0"))
				continue;
			run[i] += !strcmp(ev, "run");
			end[i] += !strcmp(ev, "end");
		}
	}
	tap_check(lines >= 20 && lines <= 200 && !bad && run[0] && end[0] &&
		  run[1] && end[1],
		  "sched_log: %u lines (want 20-200), %u unparsed; gr0 run/end lines of A %u/%u, of B %u/%u",
		  lines, bad, run[0], end[0], run[1], end[1]);

	tdir = "/sys/kernel/tracing";
	if (!mounted(tdir, "events", "tracefs"))
		tdir = "/sys/kernel/debug/tracing";
	snprintf(path, sizeof(path), "%s/events/nvkm_vgpu", tdir);
	if (!tap_check(path_exists(path), "tracepoints: %s exists", path))
		return;
	snprintf(path, sizeof(path), "%s/trace", tdir);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/tracing_on", tdir);
	sysfs_write(path, "1");
	/*
	 * Enabling or disabling an event patches kernel text (its call
	 * sites, and __schedule's sched_switch site for the comm records)
	 * with int3; under TCG a vCPU running through a site being patched
	 * can trip over a stale int3. So the engines are idle meanwhile.
	 */
	engines_idle();
	snprintf(path, sizeof(path),
		 "%s/events/nvkm_vgpu/nvkm_vgpu_slice_start/enable", tdir);
	i = sysfs_write(path, "1");
	work_feed_start(&ch[0], LAUNCH_NS);
	work_feed_start(&ch[1], LAUNCH_NS);
	feed_for(SETTLE_MS);
	engines_idle();
	sysfs_write(path, "0");
	snprintf(path, sizeof(path), "%s/trace", tdir);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	lines = 0;
	for (line = buf; (line = strstr(line, "nvkm_vgpu_slice_start:")); line++)
		lines++;
	tap_check(!i && lines > 0 && strstr(buf, g[0].d.uuid),
		  "tracepoints: enabling nvkm_vgpu_slice_start (%s) traces %u slice starts in %u ms, naming A",
		  errno_name(-i), lines, SETTLE_MS);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	char type[48], buf[256];
	struct work_stats st;
	int i, ret;

	tap_init("sched", 240);
	if (parent_find("h100", &par) || parent_ready(&par))
		tap_bail("no idle h100 GPU");
	cleanup_hook(restore_gpu);
	snprintf(type, sizeof(type), "%s-10c", par.board);
	for (i = 0; i < NR; i++) {
		ret = work_vgpu_new(&g[i], &par, type, names[i], WORK_SYS_SIZE);
		if (ret)
			tap_bail("%s: create %s: %s", names[i], type, errno_name(-ret));
		tap_diag("%s: %s", names[i], g[i].d.uuid);
	}
	chan_open(0);
	chan_open(1);
	parent_knob(&par, "engines", buf, sizeof(buf));
	stats(0, &st);
	tap_check(!strncmp(buf, "gr0", 3) && mdev_ull(g[0].d.uuid, "weight") == 10 &&
		  st.share_ppm == 0 && mdev_ull(g[0].d.uuid, "channels") == 1,
		  "h100: engines \"%s\", a %s's weight %lld (its FB GiB), best_effort share_ppm %llu, channels %lld",
		  buf, type, mdev_ull(g[0].d.uuid, "weight"),
		  (unsigned long long)st.share_ppm,
		  mdev_ull(g[0].d.uuid, "channels"));

	check_fixed();
	check_equal_best();
	check_switch();
	check_knobs();
	set_ok(-1, "scheduler", "fixed_share");
	check_timeout();
	check_einval();
	check_accounting();
	set_ok(-1, "scheduler", "best_effort");
	check_log();

	chan_close(0);
	chan_close(1);
	restore_gpu();
	for (i = 0; i < NR; i++)
		tap_errno(work_vgpu_del(&g[i]), 0, "%s: remove the vGPU", names[i]);
	return tap_done();
}
