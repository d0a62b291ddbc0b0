#!/usr/bin/env python3
"""What the search index costs: `annalist build` with and without
`--no-search` on the shared generated corpora, interleaved, output on tmpfs.

Prints, per corpus size, the median wall time of each, the difference, the
size of the index (`search/`, bytes and files) and the load average before
and after the runs (another process on the machine skews every figure).
Generates the corpora with ../shared/bench/gen_corpus.py when they are
missing. Not part of the test suite.

    cargo build --release
    python3 bench/search.py                      # 1k and 10k, 5 runs each
    python3 bench/search.py --sizes 1000 --runs 9
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = REPO.parent / "shared" / "bench" / "gen_corpus.py"
WORK = Path(os.environ.get("ANNALIST_BENCH_DIR", "/tmp/annalist-bench"))
OUT = Path("/dev/shm") if Path("/dev/shm").is_dir() else WORK
BIN = REPO / "target" / "release" / "annalist"


def corpus(n: int) -> Path:
    root = WORK / f"annalist-{n}"
    if not (root / "content").is_dir():
        subprocess.run(
            [sys.executable, str(GEN), "--n", str(n), "--tool", "annalist", "--out", str(root)],
            check=True,
        )
    return root


def build(root: Path, out: Path, search: bool) -> float:
    args = [str(BIN), "build", "--root", str(root), "--output", str(out)]
    if not search:
        args.append("--no-search")
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not BIN.exists():
        sys.exit(f"{BIN} is missing: run `cargo build --release` first")
    for n in args.sizes:
        root = corpus(n)
        out = {True: OUT / f"annalist-search-{n}", False: OUT / f"annalist-nosearch-{n}"}
        times: dict[bool, list[float]] = {True: [], False: []}
        load_before = os.getloadavg()
        build(root, out[True], True)  # warm-up: page cache, output folders
        build(root, out[False], False)
        for _ in range(args.runs):
            for search in (True, False):
                times[search].append(build(root, out[search], search))
        load_after = os.getloadavg()
        with_search = statistics.median(times[True])
        without = statistics.median(times[False])
        index_bytes, index_files = size(out[True] / "search")
        site_bytes, site_files = size(out[False])
        print(f"{n} reports, {args.runs} runs each, interleaved, output in {OUT}")
        print(f"  build --no-search   median {without:.3f} s   runs {', '.join(f'{t:.3f}' for t in times[False])}")
        print(f"  build               median {with_search:.3f} s   runs {', '.join(f'{t:.3f}' for t in times[True])}")
        print(f"  search costs        {with_search - without:+.3f} s ({(with_search / without - 1) * 100:+.1f}%)")
        print(f"  index (search/)     {index_bytes / 1e6:.1f} MB in {index_files} files; "
              f"the site without it {site_bytes / 1e6:.1f} MB in {site_files} files")
        print(f"  load average        {load_before[0]:.2f} before, {load_after[0]:.2f} after")
        for folder in out.values():
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
