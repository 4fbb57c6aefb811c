#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/vgpu-smi against fake sysfs trees (standard library only).

Each test builds a tree in a temporary directory laid out as the kernel's:
devices/<parent>/ with nvkm_vgpu/ and mdev_supported_types/, the links
class/mdev_bus/<parent> and bus/mdev/devices/<uuid>, each vGPU's
mdev_type link. vgpu-smi runs in this process with a fake clock and a
fake sleep that rewrites sched_stats between two samples, so nothing
sleeps; the tests of exit codes and messages run it as a program.

    python3 tests/smi/test_vgpu_smi.py          # unittest's output
    python3 tests/smi/test_vgpu_smi.py --tap    # TAP (tests/smi/run.sh)
"""

import contextlib
import csv
import importlib.machinery
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
SMI = os.path.join(HERE, "..", "..", "scripts", "vgpu-smi")


def load_smi():
    loader = importlib.machinery.SourceFileLoader("vgpu_smi", SMI)
    spec = importlib.util.spec_from_loader("vgpu_smi", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


smi = load_smi()

U1 = "11111111-2222-3333-4444-555555555555"
U2 = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
U3 = "01234567-89ab-cdef-0123-456789abcdef"
GIB = 1 << 30
MIB = 1 << 20
HEADER = "engine busy_ns slices preemptions timeouts resets wait_p50_us wait_p99_us share_ppm"


def stats_text(rows):
    """sched_stats for {engine: (busy_ns, slices, preemptions, timeouts,
    resets, wait_p50_us, wait_p99_us, share_ppm)}."""
    lines = [HEADER]
    for engine, vals in rows.items():
        lines.append(" ".join([engine] + [str(v) for v in vals]))
    return "\n".join(lines) + "\n"


def stat(busy, share=500000, slices=10, preempt=2, timeouts=0, resets=0, p50=850, p99=3900):
    return (busy, slices, preempt, timeouts, resets, p50, p99, share)


class FakeSysfs:
    """A sysfs tree under root, shaped as the kernel's."""

    def __init__(self, root):
        self.root = root
        self.gpus = {}
        self.vgpus = {}
        for d in ("class/mdev_bus", "bus/mdev/devices", "devices"):
            os.makedirs(os.path.join(root, d), exist_ok=True)

    def write(self, path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def link(self, target_abs, link_path):
        """A relative symlink, as sysfs has."""
        os.makedirs(os.path.dirname(link_path), exist_ok=True)
        os.symlink(os.path.relpath(target_abs, os.path.dirname(link_path)), link_path)

    def add_gpu(self, name, board="h100 sim", scheduler="fixed_share", timeslice=0,
                fb_total=81559, fb_free=51559, engines="gr0 ce0 ce1", vgpus=None,
                devpath=None, driver="nvkm_vgpu_sim", omit=(), nvkm=True):
        dev = os.path.join(self.root, "devices", devpath or name)
        os.makedirs(dev, exist_ok=True)
        files = {"board": board, "scheduler": scheduler, "timeslice_ms": timeslice,
                 "fb_total_mib": fb_total, "fb_free_mib": fb_free,
                 "vgpus": 0 if vgpus is None else vgpus, "engines": engines,
                 "placement": "mixed", "chids_total": 2048, "chids_free": 1536}
        if nvkm:
            for k, v in files.items():
                if k not in omit:
                    self.write(os.path.join(dev, "nvkm_vgpu", k), "%s\n" % v)
        self.link(dev, os.path.join(self.root, "class/mdev_bus", name))
        self.gpus[name] = (dev, driver)
        return dev

    def add_vgpu(self, gpu, uuid, vtype, stats=None, fb_size=10 * GIB, fb_used=3 * MIB,
                 channels=2, weight=10, quantum=0, timeout=0, omit=()):
        dev, driver = self.gpus[gpu]
        tdir = os.path.join(dev, "mdev_supported_types", "%s-%s" % (driver, vtype))
        os.makedirs(tdir, exist_ok=True)
        vdir = os.path.join(dev, uuid)
        files = {"type": vtype, "fb_size": fb_size, "fb_used": fb_used,
                 "fb_offset": "0x1e000000", "chids": "256-511",
                 "engines": "GR CE NVDEC NVJPG OFA", "channels": channels,
                 "weight": weight, "exec_quantum_ms": quantum,
                 "preempt_timeout_us": timeout, "interrupts": 0, "placement": 0}
        for k, v in files.items():
            if k not in omit:
                self.write(os.path.join(vdir, "nvkm_vgpu", k), "%s\n" % v)
        if "sched_stats" not in omit:
            self.write(os.path.join(vdir, "nvkm_vgpu", "sched_stats"), stats_text(stats or {}))
        self.link(tdir, os.path.join(vdir, "mdev_type"))
        self.link(vdir, os.path.join(self.root, "bus/mdev/devices", uuid))
        self.vgpus[uuid] = vdir
        vg = os.path.join(dev, "nvkm_vgpu", "vgpus")
        if os.path.exists(vg):
            with open(vg) as f:
                n = int(f.read())
            self.write(vg, "%d\n" % (n + 1))
        return vdir

    def set_stats(self, uuid, stats):
        self.write(os.path.join(self.vgpus[uuid], "nvkm_vgpu", "sched_stats"), stats_text(stats))

    def set_file(self, uuid, name, value):
        self.write(os.path.join(self.vgpus[uuid], "nvkm_vgpu", name), "%s\n" % value)


class FakeTime:
    """A clock in ns that only sleep() moves; each sleep first runs the
    next of the callbacks given (rewriting the tree for the next sample)."""

    def __init__(self, steps=()):
        self.now = 5 * 10**9
        self.steps = list(steps)
        self.slept = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += int(round(seconds * 1e9))
        if self.steps:
            self.steps.pop(0)()


class SmiCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="vgpu-smi-test.")
        self.root = os.path.join(self.tmp, "sys")
        self.fs = FakeSysfs(self.root)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def smi(self, *args, steps=(), fake=None):
        """Runs vgpu-smi in this process: (exit status, stdout, stderr)."""
        fake = fake or FakeTime(steps)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err):
            rc = smi.main(["--sysfs", self.root] + list(args), clock=fake.clock,
                          sleep=fake.sleep, stdout=out, stderr=err)
        return rc, out.getvalue(), err.getvalue()

    def run_prog(self, *args, env=None):
        """Runs vgpu-smi as a program: (exit status, stdout, stderr)."""
        r = subprocess.run([sys.executable, SMI, "--sysfs", self.root] + list(args),
                           capture_output=True, text=True, env=env, timeout=60)
        return r.returncode, r.stdout, r.stderr

    def two_vgpus(self, scheduler="fixed_share"):
        """h100 GPU nvkm_vgpu_sim0 with U1 (h100-10c) and U2 (h100-20c);
        the step rewrites their stats for the second sample: over the 1 s
        interval U1 is busy 0.5 s on gr0 and 0.1 s on ce0, U2 0.25 s on gr0."""
        self.fs.add_gpu("nvkm_vgpu_sim0", scheduler=scheduler, timeslice=2)
        share = 0 if scheduler == "best_effort" else None
        s1 = {"gr0": stat(10**9, share if share is not None else 333333),
              "ce0": stat(0, share if share is not None else 500000),
              "ce1": stat(0, share if share is not None else 500000)}
        s2 = {"gr0": stat(4 * 10**9, share if share is not None else 666667),
              "ce0": stat(0, share if share is not None else 500000),
              "ce1": stat(0, share if share is not None else 500000)}
        self.fs.add_vgpu("nvkm_vgpu_sim0", U1, "h100-10c", s1, fb_size=10 * GIB,
                         fb_used=3 * MIB, channels=2, weight=10)
        self.fs.add_vgpu("nvkm_vgpu_sim0", U2, "h100-20c", s2, fb_size=20 * GIB,
                         fb_used=0, channels=1, weight=20, quantum=5, timeout=200000)

        def step():
            s1b = dict(s1, gr0=stat(10**9 + 500000000, s1["gr0"][7], slices=20, preempt=3),
                       ce0=stat(100000000, s1["ce0"][7], slices=11))
            s2b = dict(s2, gr0=stat(4 * 10**9 + 250000000, s2["gr0"][7], slices=15))
            self.fs.set_stats(U1, s1b)
            self.fs.set_stats(U2, s2b)
        return step


def table_rows(text):
    """{first word: [words]} of the table's lines."""
    rows = {}
    for line in text.splitlines():
        w = line.split()
        if w:
            rows[w[0]] = w
    return rows


def table_columns(text):
    """{uuid or TOTAL: {column header: cell}} of the table."""
    lines = [ln.split() for ln in text.splitlines()]
    head = next(w for w in lines if w and w[0] == "UUID")
    out = {}
    for w in lines:
        if w and (UUID_LIKE.match(w[0])):
            out[w[0]] = dict(zip(head, w))
        elif w and w[0] == "TOTAL":
            # TOTAL has empty TYPE/FB/CH cells: the engines follow it.
            engines = [h for h in head if h.endswith("%") and h != "SHARE%"]
            out["TOTAL"] = dict(zip(engines, w[1:]))
    return out


UUID_LIKE = re.compile(r"^[0-9a-f]{8}-")


class TestTable(SmiCase):
    def test_table_shows_gpu_header_and_a_row_per_vgpu(self):
        step = self.two_vgpus()
        rc, out, err = self.smi(steps=[step])
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, "")
        first = out.splitlines()[0]
        self.assertEqual(first, "nvkm_vgpu_sim0: board h100 sim, scheduler fixed_share, "
                         "time slice 2 ms, FB 81559 MiB (51559 MiB free), vGPUs 2")
        cols = table_columns(out)
        self.assertEqual(set(cols), {U1, U2, "TOTAL"})
        r1, r2 = cols[U1], cols[U2]
        self.assertEqual(r1["TYPE"], "h100-10c")
        self.assertEqual(r2["TYPE"], "h100-20c")
        self.assertEqual(r1["FB_MiB(used/total)"], "3.0/10240")
        self.assertEqual(r2["FB_MiB(used/total)"], "0.0/20480")
        self.assertEqual(r1["CH"], "2")
        self.assertEqual(r2["CH"], "1")
        self.assertEqual(r1["POLICY"], "fixed_share")
        self.assertEqual(r1["WEIGHT"], "10")
        self.assertEqual(r2["WEIGHT"], "20")

    def test_half_a_second_busy_in_one_second_is_50_percent(self):
        step = self.two_vgpus()
        rc, out, err = self.smi("--interval", "1", steps=[step])
        self.assertEqual(rc, 0, err)
        cols = table_columns(out)
        self.assertEqual(cols[U1]["gr0%"], "50.0")
        self.assertEqual(cols[U1]["ce0%"], "10.0")
        self.assertEqual(cols[U1]["ce1%"], "0.0")
        self.assertEqual(cols[U2]["gr0%"], "25.0")

    def test_utilisation_divides_by_the_interval_slept(self):
        step = self.two_vgpus()
        fake = FakeTime([step])
        rc, out, err = self.smi("--interval", "2.5", fake=fake)
        self.assertEqual(rc, 0, err)
        self.assertEqual(fake.slept, [2.5])
        cols = table_columns(out)
        self.assertEqual(cols[U1]["gr0%"], "20.0")   # 0.5 s of 2.5 s
        self.assertEqual(cols[U2]["gr0%"], "10.0")

    def test_gpu_total_row_sums_the_vgpus_per_engine(self):
        step = self.two_vgpus()
        rc, out, err = self.smi(steps=[step])
        self.assertEqual(rc, 0, err)
        total = table_columns(out)["TOTAL"]
        self.assertEqual(total["gr0%"], "75.0")
        self.assertEqual(total["ce0%"], "10.0")
        self.assertEqual(total["ce1%"], "0.0")

    def test_engine_columns_follow_the_parent_engines_file(self):
        self.two_vgpus()
        rc, out, _ = self.smi()
        head = next(ln.split() for ln in out.splitlines() if ln.split()[:1] == ["UUID"])
        self.assertEqual(head[4:7], ["gr0%", "ce0%", "ce1%"])

    def test_share_is_share_ppm_in_percent(self):
        self.fs.add_gpu("g", scheduler="equal_share")
        self.fs.add_vgpu("g", U1, "h100-10c", {"gr0": stat(0, 500000), "ce0": stat(0, 500000),
                                               "ce1": stat(0, 500000)})
        self.fs.add_vgpu("g", U2, "h100-10c", {"gr0": stat(0, 333333), "ce0": stat(0, 1000000),
                                               "ce1": stat(0, 0)})
        rc, out, err = self.smi()
        self.assertEqual(rc, 0, err)
        cols = table_columns(out)
        self.assertEqual(cols[U1]["SHARE%"], "50.0")
        # ce1: no channel there, no share owed, left out.
        self.assertEqual(cols[U2]["SHARE%"], "gr0:33.3,ce0:100.0")
        self.assertEqual(cols[U1]["POLICY"], "equal_share")

    def test_share_is_a_dash_under_best_effort(self):
        step = self.two_vgpus(scheduler="best_effort")
        rc, out, err = self.smi(steps=[step])
        self.assertEqual(rc, 0, err)
        cols = table_columns(out)
        self.assertEqual(cols[U1]["SHARE%"], "-")
        self.assertEqual(cols[U1]["POLICY"], "best_effort")
        self.assertEqual(cols[U1]["gr0%"], "50.0")

    def test_timeslice_0_reads_as_the_type_default(self):
        self.fs.add_gpu("g", timeslice=0)
        rc, out, _ = self.smi()
        self.assertIn("time slice type default,", out.splitlines()[0])
        self.assertIn("  no vGPU", out)

    def test_only_parents_with_nvkm_vgpu_count_and_gpu_filters(self):
        self.fs.add_gpu("nvkm_vgpu_sim0")
        self.fs.add_gpu("0000:00:11.0", devpath="pci0000:00/0000:00:11.0")
        self.fs.add_gpu("mtty", nvkm=False)
        self.fs.add_vgpu("0000:00:11.0", U1, "h100-10c", {"gr0": stat(0)})
        self.fs.add_vgpu("nvkm_vgpu_sim0", U2, "h100-20c", {"gr0": stat(0)})
        rc, out, err = self.smi()
        self.assertEqual(rc, 0, err)
        heads = [ln.split(":")[0] for ln in out.splitlines() if ln and not ln.startswith(" ")]
        self.assertEqual(heads, ["0000", "nvkm_vgpu_sim0"])
        self.assertTrue(out.startswith("0000:00:11.0: board"))
        rc, out, err = self.smi("--gpu", "0000:00:11.0")
        self.assertEqual(rc, 0, err)
        self.assertIn(U1, out)
        self.assertNotIn(U2, out)
        self.assertNotIn("nvkm_vgpu_sim0", out)

    def test_vgpus_are_found_through_bus_mdev_links(self):
        self.fs.add_gpu("g")
        vdir = self.fs.add_vgpu("g", U1, "h100-10c", {"gr0": stat(0)})
        # Moved out of the parent: only bus/mdev/devices finds it, and it
        # is no longer the parent's.
        other = os.path.join(self.root, "devices", "elsewhere", U1)
        os.makedirs(os.path.dirname(other))
        os.rename(vdir, other)
        link = os.path.join(self.root, "bus/mdev/devices", U1)
        os.unlink(link)
        os.symlink(os.path.relpath(other, os.path.dirname(link)), link)
        rc, out, _ = self.smi()
        self.assertNotIn(U1, out)

    def test_type_falls_back_to_the_mdev_type_link(self):
        self.fs.add_gpu("g")
        self.fs.add_vgpu("g", U1, "h100-40c", {"gr0": stat(0)}, omit=("type",))
        rc, out, err = self.smi()
        self.assertEqual(rc, 0, err)
        self.assertEqual(table_columns(out)[U1]["TYPE"], "h100-40c")


class TestMissingFiles(SmiCase):
    def test_an_older_module_shows_dashes_not_a_traceback(self):
        self.fs.add_gpu("g", omit=("engines", "scheduler"))
        self.fs.add_vgpu("g", U1, "tiny-1c", omit=("sched_stats", "channels", "fb_used",
                                                  "weight", "exec_quantum_ms",
                                                  "preempt_timeout_us"))
        rc, out, err = self.smi()
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, "")
        self.assertIn("scheduler -,", out)
        row = table_columns(out)[U1]
        self.assertEqual(row["TYPE"], "tiny-1c")
        self.assertEqual(row["FB_MiB(used/total)"], "-/10240")
        self.assertEqual(row["CH"], "-")
        self.assertEqual(row["POLICY"], "-")
        self.assertEqual(row["SHARE%"], "-")
        self.assertEqual(row["WEIGHT"], "-")

        rc, out, err = self.smi("--json")
        self.assertEqual(rc, 0, err)
        doc = json.loads(out)
        v = doc["gpus"][0]["vgpus"][0]
        self.assertIsNone(v["engines"])
        self.assertIsNone(v["channels"])
        self.assertIsNone(v["fb_used"])
        self.assertEqual(v["fb_size"], 10 * GIB)
        self.assertEqual(doc["gpus"][0]["engines"], [])
        self.assertIsNone(doc["gpus"][0]["scheduler"])

        rc, out, err = self.smi("--prometheus")
        self.assertEqual(rc, 0, err)
        self.assertNotIn("nvkm_vgpu_channels{", out)
        self.assertIn('nvkm_vgpu_fb_size_bytes{gpu="g",vgpu="%s",type="tiny-1c"} %d'
                      % (U1, 10 * GIB), out)

    def test_unreadable_and_garbled_files_show_dashes(self):
        self.fs.add_gpu("g")
        vdir = self.fs.add_vgpu("g", U1, "h100-10c", {"gr0": stat(0)})
        # A read error (ENODEV for a GPU going away; here EISDIR).
        os.unlink(os.path.join(vdir, "nvkm_vgpu", "channels"))
        os.mkdir(os.path.join(vdir, "nvkm_vgpu", "channels"))
        self.fs.set_file(U1, "weight", "heavy")
        self.fs.set_file(U1, "sched_stats", HEADER + "\ngr0 notanumber 1 2 3 4 5 6 7\n\n")
        rc, out, err = self.smi()
        self.assertEqual(rc, 0, err)
        row = table_columns(out)[U1]
        self.assertEqual(row["CH"], "-")
        self.assertEqual(row["WEIGHT"], "-")
        self.assertEqual(row["gr0%"], "-")

    def test_a_vgpu_new_in_the_second_sample_has_no_utilisation(self):
        self.fs.add_gpu("g")
        self.fs.add_vgpu("g", U1, "h100-10c", {"gr0": stat(0)})

        def step():
            self.fs.add_vgpu("g", U2, "h100-10c", {"gr0": stat(10**9)})
            self.fs.set_stats(U1, {"gr0": stat(10**9)})
        rc, out, err = self.smi(steps=[step])
        self.assertEqual(rc, 0, err)
        cols = table_columns(out)
        self.assertEqual(cols[U1]["gr0%"], "100.0")
        self.assertEqual(cols[U2]["gr0%"], "-")
        self.assertEqual(cols["TOTAL"]["gr0%"], "100.0")

    def test_a_counter_that_went_back_gives_no_utilisation(self):
        self.fs.add_gpu("g")
        self.fs.add_vgpu("g", U1, "h100-10c", {"gr0": stat(5 * 10**9)})
        rc, out, _ = self.smi(steps=[lambda: self.fs.set_stats(U1, {"gr0": stat(10)})])
        self.assertEqual(table_columns(out)[U1]["gr0%"], "-")

    def test_sched_stats_without_header_is_read_in_documented_order(self):
        self.fs.add_gpu("g")
        self.fs.add_vgpu("g", U1, "h100-10c")
        self.fs.set_file(U1, "sched_stats", "gr0 100 7 1 0 0 850 3900 250000")
        rc, out, err = self.smi("--json")
        self.assertEqual(rc, 0, err)
        e = json.loads(out)["gpus"][0]["vgpus"][0]["engines"]["gr0"]
        self.assertEqual((e["busy_ns"], e["slices"], e["share_ppm"]), (100, 7, 250000))


class TestErrors(SmiCase):
    def test_no_gpu_is_exit_1_with_one_line(self):
        rc, out, err = self.run_prog()
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertRegex(err, r"^vgpu-smi: no GPU found")
        self.assertNotIn("Traceback", err)

    def test_no_sysfs_at_all_is_exit_1(self):
        rc, _, err = self.run_prog("--sysfs", os.path.join(self.tmp, "nonexistent"))
        self.assertEqual(rc, 1)
        self.assertIn("no GPU found", err)

    def test_a_parent_without_nvkm_vgpu_is_no_gpu(self):
        self.fs.add_gpu("mtty", nvkm=False)
        rc, _, err = self.run_prog("--json")
        self.assertEqual(rc, 1)
        self.assertIn("no GPU found", err)

    def test_unknown_gpu_is_exit_1_naming_it(self):
        self.fs.add_gpu("nvkm_vgpu_sim0")
        rc, out, err = self.run_prog("--gpu", "0000:00:10.0", "--interval", "0.01")
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        self.assertRegex(err, r"^vgpu-smi: no GPU 0000:00:10.0 ")
        self.assertEqual(len(err.splitlines()), 1)

    def test_bad_options_are_one_line_and_exit_2(self):
        for args in (["--interval", "0"], ["--interval", "x"], ["--json", "--prometheus"],
                     ["--duration", "5"], ["--engine", "gr0"], ["--bogus"]):
            rc, _, err = self.run_prog(*args)
            self.assertEqual(rc, 2, args)
            self.assertEqual(len(err.splitlines()), 1, (args, err))
            self.assertTrue(err.startswith("vgpu-smi: "), err)

    def test_help_documents_every_option(self):
        rc, out, _ = self.run_prog("--help")
        self.assertEqual(rc, 0)
        for opt in ("--sysfs", "--gpu", "--interval", "--json", "--prometheus", "--plot",
                    "--watch", "--output", "--duration", "--engine", "--samples", "--help"):
            self.assertIn(opt, out)

    def test_runs_as_a_program_with_a_real_clock(self):
        step = self.two_vgpus()
        step()
        rc, out, err = self.run_prog("--interval", "0.05")
        self.assertEqual(rc, 0, err)
        cols = table_columns(out)
        self.assertEqual(cols[U1]["gr0%"], "0.0")   # nothing moved
        self.assertEqual(cols[U1]["TYPE"], "h100-10c")

    def test_the_script_is_executable_with_its_license_line(self):
        self.assertTrue(os.access(SMI, os.X_OK))
        with open(SMI) as f:
            head = f.read().splitlines()[:2]
        self.assertEqual(head, ["#!/usr/bin/env python3", "# SPDX-License-Identifier: GPL-2.0"])


class TestJson(SmiCase):
    def test_json_document_has_the_documented_schema_and_values(self):
        step = self.two_vgpus()
        rc, out, err = self.smi("--json", steps=[step])
        self.assertEqual(rc, 0, err)
        doc = json.loads(out)
        self.assertEqual(set(doc), {"interval_s", "gpus"})
        self.assertEqual(doc["interval_s"], 1.0)
        self.assertEqual(len(doc["gpus"]), 1)
        g = doc["gpus"][0]
        self.assertEqual(set(g), {"parent", "board", "scheduler", "timeslice_ms", "fb_total_mib",
                                  "fb_free_mib", "engines", "utilisation", "vgpus"})
        self.assertEqual(g["parent"], "nvkm_vgpu_sim0")
        self.assertEqual(g["board"], "h100 sim")
        self.assertEqual(g["scheduler"], "fixed_share")
        self.assertEqual(g["timeslice_ms"], 2)
        self.assertEqual(g["fb_total_mib"], 81559)
        self.assertEqual(g["fb_free_mib"], 51559)
        self.assertEqual(g["engines"], ["gr0", "ce0", "ce1"])
        self.assertAlmostEqual(g["utilisation"]["gr0"], 0.75)
        v1, v2 = g["vgpus"]
        self.assertEqual(v1["uuid"], U1)
        self.assertEqual(set(v1), {"uuid", "type", "fb_size", "fb_used", "channels", "weight",
                                   "exec_quantum_ms", "preempt_timeout_us", "engines"})
        self.assertEqual((v1["type"], v1["fb_size"], v1["fb_used"], v1["channels"], v1["weight"]),
                         ("h100-10c", 10 * GIB, 3 * MIB, 2, 10))
        self.assertEqual((v2["exec_quantum_ms"], v2["preempt_timeout_us"]), (5, 200000))
        self.assertEqual(list(v1["engines"]), ["gr0", "ce0", "ce1"])
        gr = v1["engines"]["gr0"]
        self.assertEqual(set(gr), set(smi.STAT_FIELDS) | {"utilisation"})
        self.assertEqual(gr["busy_ns"], 1500000000)
        self.assertEqual(gr["slices"], 20)
        self.assertEqual(gr["preemptions"], 3)
        self.assertEqual((gr["timeouts"], gr["resets"]), (0, 0))
        self.assertEqual((gr["wait_p50_us"], gr["wait_p99_us"]), (850, 3900))
        self.assertEqual(gr["share_ppm"], 333333)
        self.assertAlmostEqual(gr["utilisation"], 0.5)
        self.assertAlmostEqual(v1["engines"]["ce0"]["utilisation"], 0.1)
        self.assertAlmostEqual(v2["engines"]["gr0"]["utilisation"], 0.25)

    def test_utilisation_is_capped_at_1(self):
        self.fs.add_gpu("g")
        self.fs.add_vgpu("g", U1, "h100-10c", {"gr0": stat(0)})
        rc, out, _ = self.smi("--json", steps=[lambda: self.fs.set_stats(U1, {"gr0": stat(3 * 10**9)})])
        self.assertEqual(json.loads(out)["gpus"][0]["vgpus"][0]["engines"]["gr0"]["utilisation"], 1.0)

    def test_output_file_gets_the_json(self):
        self.two_vgpus()
        path = os.path.join(self.tmp, "smi.json")
        rc, out, err = self.smi("--json", "--output", path)
        self.assertEqual((rc, out), (0, ""), err)
        with open(path) as f:
            self.assertEqual(json.load(f)["gpus"][0]["parent"], "nvkm_vgpu_sim0")


PROM_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\} (\S+)$')
PROM_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prom(text):
    """Parses the text format line by line; fails on any other line.
    Returns ({name: type}, [(name, {labels}, value)])."""
    types, helps, samples = {}, set(), []
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name = line.split()[2]
            assert name not in helps, "second HELP for " + name
            helps.add(name)
            continue
        if line.startswith("# TYPE "):
            _, _, name, mtype = line.split()
            assert mtype in ("counter", "gauge"), line
            assert name not in types, "second TYPE for " + name
            types[name] = mtype
            continue
        m = PROM_LINE.match(line)
        assert m, "not a sample line: %r" % line
        name = m.group(1)
        assert name in types, "sample before its TYPE line: " + line
        assert name in helps, "sample with no HELP: " + line
        labels = dict(PROM_LABEL.findall(m.group(2)))
        samples.append((name, labels, float(m.group(3))))
    return types, samples


class TestPrometheus(SmiCase):
    def prom(self, steps=()):
        rc, out, err = self.smi("--prometheus", steps=steps)
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.endswith("\n"))
        return parse_prom(out)

    def test_every_line_parses_with_names_types_and_labels(self):
        step = self.two_vgpus()
        types, samples = self.prom([step])
        self.assertTrue(samples)
        for name in types:
            self.assertTrue(name.startswith("nvkm_vgpu_"), name)
            self.assertEqual(name.endswith("_total"), types[name] == "counter", name)
        for name in ("busy_seconds_total", "slices_total", "preemptions_total",
                     "timeouts_total", "resets_total"):
            self.assertEqual(types["nvkm_vgpu_" + name], "counter")
        for name in ("fb_used_bytes", "fb_size_bytes", "channels", "utilisation_ratio",
                     "share_ratio", "gpu_utilisation_ratio"):
            self.assertEqual(types["nvkm_vgpu_" + name], "gauge")
        per_engine = {"nvkm_vgpu_" + n for n in ("busy_seconds_total", "slices_total",
                                                 "preemptions_total", "timeouts_total",
                                                 "resets_total", "utilisation_ratio",
                                                 "share_ratio")}
        per_vgpu = {"nvkm_vgpu_" + n for n in ("fb_used_bytes", "fb_size_bytes", "channels")}
        seen = set()
        for name, labels, _ in samples:
            seen.add(name)
            if name in per_engine:
                self.assertEqual(set(labels), {"gpu", "vgpu", "type", "engine"}, name)
            if name in per_vgpu:
                self.assertEqual(set(labels), {"gpu", "vgpu", "type"}, name)
        self.assertTrue(per_engine <= seen and per_vgpu <= seen, (per_engine | per_vgpu) - seen)

    def test_values_are_those_of_the_second_sample(self):
        step = self.two_vgpus()
        _, samples = self.prom([step])
        by = {(n, tuple(sorted(lab.items()))): v for n, lab, v in samples}

        def get(name, **labels):
            return by[("nvkm_vgpu_" + name, tuple(sorted(labels.items())))]
        e = dict(gpu="nvkm_vgpu_sim0", vgpu=U1, type="h100-10c")
        self.assertEqual(get("busy_seconds_total", engine="gr0", **e), 1.5)
        self.assertEqual(get("slices_total", engine="gr0", **e), 20)
        self.assertEqual(get("preemptions_total", engine="gr0", **e), 3)
        self.assertAlmostEqual(get("utilisation_ratio", engine="gr0", **e), 0.5)
        self.assertAlmostEqual(get("utilisation_ratio", engine="ce0", **e), 0.1)
        self.assertAlmostEqual(get("share_ratio", engine="gr0", **e), 0.333333)
        self.assertEqual(get("fb_used_bytes", **e), 3 * MIB)
        self.assertEqual(get("fb_size_bytes", **e), 10 * GIB)
        self.assertEqual(get("channels", **e), 2)
        self.assertAlmostEqual(get("wait_p99_seconds", engine="gr0", **e), 0.0039)
        self.assertAlmostEqual(get("gpu_utilisation_ratio", gpu="nvkm_vgpu_sim0", engine="gr0"), 0.75)
        self.assertEqual(get("gpu_info", gpu="nvkm_vgpu_sim0", board="h100 sim",
                             scheduler="fixed_share"), 1)
        self.assertEqual(get("gpu_fb_total_bytes", gpu="nvkm_vgpu_sim0"), 81559 * MIB)

    def test_counters_do_not_go_back_between_runs(self):
        step = self.two_vgpus()
        _, first = self.prom()
        step()
        _, second = self.prom()
        c1 = {(n, tuple(sorted(lab.items()))): v for n, lab, v in first if n.endswith("_total")}
        c2 = {(n, tuple(sorted(lab.items()))): v for n, lab, v in second if n.endswith("_total")}
        self.assertEqual(set(c1), set(c2))
        self.assertTrue(all(c2[k] >= c1[k] for k in c1))
        self.assertTrue(any(c2[k] > c1[k] for k in c1))

    def test_label_values_are_escaped(self):
        self.fs.add_gpu("g", board='odd "board"\\x')
        self.fs.add_vgpu("g", U1, "h100-10c", {"gr0": stat(0)})
        rc, out, _ = self.smi("--prometheus")
        _, samples = parse_prom(out)
        info = [lab for n, lab, _ in samples if n == "nvkm_vgpu_gpu_info"]
        self.assertEqual(info[0]["board"], 'odd \\"board\\"\\\\x')

    def test_output_is_written_through_a_tmp_file_and_a_rename(self):
        step = self.two_vgpus()
        path = os.path.join(self.tmp, "nvkm_vgpu.prom")
        with open(path, "w") as f:
            f.write("old\n")
        renames = []
        real_replace = os.replace

        def spy(src, dst):
            with open(src) as f:
                renames.append((src, dst, f.read()))
            return real_replace(src, dst)
        with mock.patch.object(smi.os, "replace", spy):
            rc, out, err = self.smi("--prometheus", "--output", path, steps=[step])
        self.assertEqual((rc, out), (0, ""), err)
        self.assertEqual(len(renames), 1)
        self.assertEqual(renames[0][:2], (path + ".tmp", path))
        with open(path) as f:
            text = f.read()
        self.assertEqual(text, renames[0][2])
        parse_prom(text)
        self.assertIn("nvkm_vgpu_busy_seconds_total{", text)
        self.assertFalse(os.path.exists(path + ".tmp"))
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o644)

    def test_output_in_a_missing_directory_is_exit_1(self):
        self.two_vgpus()
        rc, _, err = self.smi("--prometheus", "--output", os.path.join(self.tmp, "no", "x.prom"))
        self.assertEqual(rc, 1)
        self.assertRegex(err, r"^vgpu-smi: cannot write .*x\.prom: ")
        self.assertEqual(len(err.splitlines()), 1)


class TestWatch(SmiCase):
    def test_watch_clears_the_screen_each_round_and_ctrl_c_exits_0(self):
        self.fs.add_gpu("g")
        self.fs.add_vgpu("g", U1, "h100-10c", {"gr0": stat(0)})
        busy = [0]

        def step():
            busy[0] += 250000000
            self.fs.set_stats(U1, {"gr0": stat(busy[0])})

        def interrupt():
            raise KeyboardInterrupt
        fake = FakeTime([step, step, interrupt])
        rc, out, err = self.smi("--watch", "2", fake=fake)
        self.assertEqual(rc, 0, err)
        self.assertEqual(fake.slept, [2.0, 2.0, 2.0])
        rounds = out.split(smi.CLEAR)
        self.assertEqual(rounds[0], "")
        self.assertEqual(len(rounds), 3)    # two tables
        for r in rounds[1:]:
            self.assertEqual(table_columns(r)[U1]["gr0%"], "12.5")   # 0.25 s of 2 s

    def test_watch_without_seconds_uses_the_interval(self):
        self.fs.add_gpu("g")

        def interrupt():
            raise KeyboardInterrupt
        fake = FakeTime([lambda: None, interrupt])
        rc, out, _ = self.smi("--watch", "--interval", "0.5", fake=fake)
        self.assertEqual(rc, 0)
        self.assertEqual(fake.slept, [0.5, 0.5])

    def test_watch_json_prints_a_document_per_line(self):
        self.fs.add_gpu("g")
        self.fs.add_vgpu("g", U1, "h100-10c", {"gr0": stat(0)})

        def interrupt():
            raise KeyboardInterrupt
        rc, out, _ = self.smi("--watch", "1", "--json",
                              fake=FakeTime([lambda: None, lambda: None, interrupt]))
        self.assertEqual(rc, 0)
        lines = out.splitlines()
        self.assertEqual(len(lines), 2)
        for ln in lines:
            self.assertEqual(json.loads(ln)["gpus"][0]["vgpus"][0]["uuid"], U1)
        self.assertNotIn(smi.CLEAR, out)


class TestPlot(SmiCase):
    def ramp(self):
        """U1 busy 0.1 s more on gr0 each second, U2 0.2 s on ce0."""
        self.fs.add_gpu("g")
        self.fs.add_vgpu("g", U1, "h100-10c", {"gr0": stat(0), "ce0": stat(0)})
        self.fs.add_vgpu("g", U2, "h100-20c", {"gr0": stat(0), "ce0": stat(0)})
        n = [0]

        def step():
            n[0] += 1
            self.fs.set_stats(U1, {"gr0": stat(n[0] * 100000000), "ce0": stat(0)})
            self.fs.set_stats(U2, {"gr0": stat(0), "ce0": stat(n[0] * 200000000)})
        return [step] * 10

    def test_samples_csv_keeps_every_sample(self):
        path = os.path.join(self.tmp, "s.csv")
        fake = FakeTime(self.ramp())
        rc, out, err = self.smi("--samples", path, "--duration", "3", fake=fake)
        self.assertEqual(rc, 0, err)
        self.assertEqual(fake.slept, [1.0, 1.0, 1.0])
        with open(path) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), 4 * 2 * 2)     # samples x vGPUs x engines
        u1 = [r for r in rows if r["vgpu"] == U1 and r["engine"] == "gr0"]
        self.assertEqual([r["t_s"] for r in u1], ["0.000", "1.000", "2.000", "3.000"])
        self.assertEqual([r["busy_ns"] for r in u1], ["0", "100000000", "200000000", "300000000"])
        self.assertEqual([r["utilisation"] for r in u1], ["", "0.100000", "0.100000", "0.100000"])
        u2 = [r for r in rows if r["vgpu"] == U2 and r["engine"] == "ce0"]
        self.assertEqual(u2[-1]["utilisation"], "0.200000")
        self.assertEqual(u2[-1]["type"], "h100-20c")
        self.assertEqual(u2[-1]["gpu"], "g")

    def test_plot_series_per_engine_filtered_and_summed(self):
        fake = FakeTime(self.ramp())
        args = smi.parse_args(["--sysfs", self.root, "--plot", "x.png", "--duration", "2"])
        samples = [smi.sample(args.sysfs, None, fake.clock)]
        for _ in range(2):
            fake.sleep(1)
            samples.append(smi.sample(args.sysfs, None, fake.clock))
        all_ = smi.plot_series(samples, None)
        self.assertEqual(len(all_), 4)
        self.assertEqual(all_["11111111 h100-10c gr0"], [(1.0, 10.0), (2.0, 10.0)])
        only = smi.plot_series(samples, "ce0")
        self.assertEqual(sorted(only), ["11111111 h100-10c ce0", "aaaaaaaa h100-20c ce0"])
        self.assertEqual(only["aaaaaaaa h100-20c ce0"], [(1.0, 20.0), (2.0, 20.0)])
        summed = smi.plot_series(samples, "sum")
        self.assertEqual(sorted(summed), ["11111111 h100-10c", "aaaaaaaa h100-20c"])

    @unittest.skipUnless(shutil.which("gnuplot"), "gnuplot is not installed")
    def test_plot_writes_a_png(self):
        png = os.path.join(self.tmp, "u.png")
        csvp = os.path.join(self.tmp, "u.csv")
        rc, out, err = self.smi("--plot", png, "--samples", csvp, "--duration", "4",
                                "--interval", "0.5", steps=self.ramp())
        self.assertEqual(rc, 0, err)
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertGreater(os.path.getsize(png), 1000)
        self.assertTrue(os.path.exists(csvp))

    @unittest.skipUnless(shutil.which("gnuplot"), "gnuplot is not installed")
    def test_plot_of_an_engine_no_vgpu_has_is_exit_1(self):
        png = os.path.join(self.tmp, "u.png")
        rc, _, err = self.smi("--plot", png, "--engine", "nvdec0", "--duration", "2",
                              steps=self.ramp())
        self.assertEqual(rc, 1)
        self.assertIn("nothing to plot", err)
        self.assertFalse(os.path.exists(png))

    def test_plot_without_gnuplot_is_exit_1_with_a_clear_message(self):
        self.ramp()
        empty = os.path.join(self.tmp, "empty-bin")
        os.mkdir(empty)
        png = os.path.join(self.tmp, "u.png")
        rc, out, err = self.run_prog("--plot", png, "--interval", "0.01", "--duration", "0.02",
                                     env=dict(os.environ, PATH=empty))
        self.assertEqual(rc, 1)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertRegex(err, r"^vgpu-smi: gnuplot not found")
        self.assertFalse(os.path.exists(png))


# ---- TAP ---------------------------------------------------------------------

class TapResult(unittest.TestResult):
    """One TAP line per test: "ok N - Class: test name", "# SKIP reason"
    for a skipped test, the failure's traceback as "#" lines after a
    "not ok"."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream
        self.n = 0

    def desc(self, test):
        name = test.id().split(".")[-1]
        if name.startswith("test_"):
            name = name[5:]
        return "%s: %s" % (type(test).__name__, name.replace("_", " "))

    def line(self, text, diag=None):
        self.n += 1
        self.stream.write("%s\n" % text.replace("%N", str(self.n)))
        for d in (diag or "").splitlines():
            self.stream.write("#   %s\n" % d)
        self.stream.flush()

    def addSuccess(self, test):
        super().addSuccess(test)
        self.line("ok %N - " + self.desc(test))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.line("not ok %N - " + self.desc(test), self.failures[-1][1])

    def addError(self, test, err):
        super().addError(test, err)
        self.line("not ok %N - " + self.desc(test), self.errors[-1][1])

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.line("ok %N - " + self.desc(test) + " # SKIP " + reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.line("ok %N - " + self.desc(test))

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.line("not ok %N - " + self.desc(test) + " (unexpected success)")


def run_tap():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = TapResult(sys.stdout)
    suite.run(result)
    sys.stdout.write("1..%d\n" % result.n)
    bad = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    sys.stdout.write("# smi: %d passed, %d failed, %d skipped\n"
                     % (result.n - bad - len(result.skipped), bad, len(result.skipped)))
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--tap"]:
        sys.exit(run_tap())
    unittest.main()
