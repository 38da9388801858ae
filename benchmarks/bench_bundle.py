"""How big the PyInstaller bundle is and how fast it starts, next to the pip-installed app.

Usage: .venv/bin/python benchmarks/bench_bundle.py [--build] [--bundle dist/composer-gui]
                                                  [--runs 5] [--sample MELODY.mid]
--build runs packaging/build_bundle.sh first and times it. Prints the bundle's size on disk,
its download size as .tar.gz, and wall-clock start-up times (median of --runs) of
`composer-gui --version` and of `composer-gui accompany` on a shipped sample melody, each
beside the same command from the checkout's venv (.venv/bin/composer-gui) as the baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def folder_bytes(folder: Path) -> int:
    """Bytes of every file under folder (symlinks counted as links, as on disk)."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            total += os.lstat(os.path.join(root, name)).st_size
    return total


def targz_bytes(folder: Path) -> tuple[int, float]:
    """Size of folder packed as .tar.gz (gzip level 6, what `tar czf` does) and seconds taken."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "bundle.tar.gz"
        start = time.perf_counter()
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            tar.add(folder, arcname=folder.name)
        return archive.stat().st_size, time.perf_counter() - start


def median_seconds(command: list[str], runs: int, cwd: Path) -> float | str:
    """Median wall-clock seconds of a command after one warm-up run, or why it failed."""
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            lines = result.stderr.strip().splitlines() or [f"exit code {result.returncode}"]
            return f"failed: {lines[-1]}"
    return statistics.median(times[1:])  # the first run only fills the page cache


def seconds_text(value: float | str) -> str:
    return f"{value:7.2f} s" if isinstance(value, float) else value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "composer-gui")
    parser.add_argument("--build", action="store_true", help="build the bundle first")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sample", type=Path, help="melody for accompany (default: shipped)")
    args = parser.parse_args()

    if args.build:
        start = time.perf_counter()
        env = {**os.environ, "DIST_DIR": str(args.bundle.parent)}
        subprocess.run([str(REPO / "packaging" / "build_bundle.sh")], check=True, env=env)
        print(f"build time (build_bundle.sh)      {time.perf_counter() - start:8.0f} s")
    executable = args.bundle / "composer-gui"
    if not executable.is_file():
        raise SystemExit(f"No bundle at {args.bundle}: run packaging/build_bundle.sh or --build.")
    baseline = REPO / ".venv" / "bin" / "composer-gui"  # the same app, pip-installed

    disk = folder_bytes(args.bundle)
    download, pack_seconds = targz_bytes(args.bundle)
    print(f"bundle on disk                    {disk / MIB:8.0f} MiB  ({args.bundle})")
    print(
        f"download (.tar.gz, level 6)       {download / MIB:8.0f} MiB  "
        f"(packed in {pack_seconds:.0f} s)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        rows = [("--version", ["--version"])]
        melodies = args.bundle / "_internal" / "composer_gui" / "resources" / "melodies"
        sample = args.sample or next(iter(sorted(melodies.glob("*.mid"))), None)
        if sample is None:
            print("accompany: skipped, the bundle has no sample melody")
        else:
            rows.append(
                (
                    f"accompany {sample.name}",
                    ["accompany", str(sample), "-o", str(cwd / "out.mid"), "--seed", "1"],
                )
            )
        print(f"start-up, median of {args.runs} runs     bundle    .venv   bundle/.venv")
        for label, command in rows:
            bundle_s = median_seconds([str(executable), *command], args.runs, cwd)
            venv_s = median_seconds([str(baseline), *command], args.runs, cwd)
            ratio = ""
            if isinstance(bundle_s, float) and isinstance(venv_s, float):
                ratio = f"{bundle_s / venv_s:6.2f}x"
            print(f"  {label:30} {seconds_text(bundle_s)} {seconds_text(venv_s)}  {ratio}")
    print(f"machine: {os.cpu_count()} CPU cores, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
