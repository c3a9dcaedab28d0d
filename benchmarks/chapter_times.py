"""How long does each chapter take to run, top to bottom, in a fresh kernel? (For the teachers' guide.)

Executes every chapter (or the ones named) with nbclient, as `make notebooks` does but into a
temporary copy, and records the wall-clock time with the machine it ran on in
benchmarks/chapter_times.json. `make editions` then writes the guide's table from that file.
Data must already be in the cache or a mirror (AINOTES_MIRROR), so that downloads are not timed.

    python benchmarks/chapter_times.py                          # every chapter, once
    python benchmarks/chapter_times.py book/02-convolutions.ipynb --runs 3

With --runs N each chapter runs N times and the median is kept, with the smallest and largest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "chapter_times.json"


def machine() -> str:
    """The device the chapters train on, named well enough to compare runs."""
    if torch.cuda.is_available():
        return f"GPU: {torch.cuda.get_device_name(0)}"
    cpuinfo = Path("/proc/cpuinfo")  # Linux; elsewhere platform.processor() names the CPU
    lines = cpuinfo.read_text().splitlines() if cpuinfo.is_file() else []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    model = names[0] if names else platform.processor() or platform.machine()
    return f"CPU: {os.cpu_count()} cores of {model}"


def run_once(path: Path) -> float:
    # Imported here: other benchmarks import machine() from this file without nbformat installed.
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as work:
        client = NotebookClient(
            nb, kernel_name="python3", timeout=1800, resources={"metadata": {"path": str(path.parent)}}
        )
        start = time.perf_counter()
        client.execute(cwd=work)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="default: every book/NN-*.ipynb")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    chapters = args.chapters or sorted((ROOT / "book").glob("[0-9][0-9]-*.ipynb"))
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    where = machine()
    for path in chapters:
        seconds = [run_once(path) for _ in range(args.runs)]
        entry = {"median_s": round(statistics.median(seconds), 1), "min_s": round(min(seconds), 1),
                 "max_s": round(max(seconds), 1), "runs": args.runs, "torch": torch.__version__,
                 "date": date.today().isoformat()}  # fmt: skip
        results.setdefault(path.name, {})[where] = entry
        print(f"{path.name}: {entry['median_s']} s ({where}, {args.runs} run(s))", flush=True)
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
