"""The tables of the teachers' guide (book/teachers.md), made from the chapters and measured run times.

- ``book/_generated/chapter-needs.md``: run time per chapter (from benchmarks/chapter_times.json,
  written by benchmarks/chapter_times.py), the data each chapter downloads, its exercises;
- ``book/_generated/exercises.md``: every exercise, whether it checks itself, and where it is;
- ``book/_generated/chapters.md``: the chapters with their measured run times, for the introduction;
- the run-time line at the top of every chapter (the last paragraph of its first cell), so that each
  chapter states its own measured time, on a CPU and on a GPU.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tools.editions.build import (
    Book,
    asks_for_answer,
    cell_source,
    chapter_number,
    is_self_check,
    pieces,
    read_notebook,
)
from tools.editions.myst import Directive

# What the chapters' data loaders fetch on their first run: the archives torchvision downloads
# (sizes in bytes, as served by the data sets' own sites).
DATASETS = {
    "fashion_mnist": ("Fashion-MNIST", 26_421_880 + 29_515 + 4_422_102 + 5_148),
    "mnist": ("MNIST", 9_912_422 + 28_881 + 1_648_877 + 4_542),
    "cifar10": ("CIFAR-10", 170_498_071),
}
TIMES = "benchmarks/chapter_times.json"


def _title(path: Path) -> str:
    first = cell_source(read_notebook(path)["cells"][0])
    return re.search(r"^# (.+)$", first, re.M)[1].strip()


def exercises(path: Path) -> list[dict]:
    """Every exercise of a chapter: number, title, label and whether it checks itself."""
    found: dict[str, dict] = {}
    for piece in pieces(read_notebook(path), chapter_number(path)):
        if piece.kind == "markdown":
            for block in piece.blocks:
                if isinstance(block, Directive) and block.name == "exercise":
                    found[piece.exercise] = {"number": piece.exercise, "title": block.args,
                                             "label": block.options.get("label", ""), "self_check": False}  # fmt: skip
        elif piece.state in ("exercise", "solution") and piece.exercise in found:
            source = cell_source(piece.blocks[0])
            if (piece.state == "solution" and is_self_check(source)) or asks_for_answer(source):
                found[piece.exercise]["self_check"] = True
    return list(found.values())


def _data(path: Path) -> str:
    code = "\n".join(cell_source(c) for c in read_notebook(path)["cells"] if c["cell_type"] == "code")
    used = [DATASETS[name] for name in DATASETS if re.search(rf"(?<![\w.]){name}\(", code)]
    return ", ".join(f"{name} ({size / 2**20:.0f} MiB)" for name, size in used) or "none"


def duration(seconds: float) -> str:
    """A measured run time as the guide and the README write it: "103 s", "3.5 min"."""
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _times(book: Book, path: Path, gpu: bool) -> str:
    """Measured run times of one chapter (benchmarks/chapter_times.json) on CPUs or on GPUs."""
    file = book.root / TIMES
    runs = json.loads(file.read_text()).get(path.name, {}) if file.is_file() else {}
    cells = []
    for where, e in sorted(runs.items()):
        if where.startswith("GPU") != gpu:
            continue
        low, high = duration(e["min_s"]), duration(e["max_s"])
        spread = f", {low}–{high} over {e['runs']} runs" if e["runs"] > 1 and low != high else ""
        cells.append(f"{duration(e['median_s'])} ({where.split(': ', 1)[1]}{spread})")
    return "; ".join(cells) or "not measured yet"


def _short_times(book: Book, path: Path, gpu: bool) -> str:
    """The median run time alone ("107 s"), or "not measured yet"."""
    file = book.root / TIMES
    runs = json.loads(file.read_text()).get(path.name, {}) if file.is_file() else {}
    found = [duration(e["median_s"]) for where, e in sorted(runs.items()) if where.startswith("GPU") == gpu]
    return ", ".join(found) or "not measured yet"


RUN_TIME = re.compile(r"^\*\*Run time\*\*.*?(\n\n|\Z)", re.M | re.S)


def run_time_line(book: Book, path: Path) -> str:
    """The paragraph that states a chapter's measured run time on a CPU and on a GPU."""
    return (f"**Run time** (top to bottom, measured by `benchmarks/chapter_times.py`): "
            f"{_short_times(book, path, gpu=False)} on a 2-core CPU, like a laptop's; on a GPU: "
            f"{_short_times(book, path, gpu=True)}. All chapters: {{doc}}`the teachers' guide <teachers>`.")  # fmt: skip


def timed_chapters(book: Book) -> dict[Path, str]:
    """Every chapter notebook with its run-time paragraph brought up to date.

    The paragraph ends the chapter's opening, in its first cell: before the ``## Set-up`` heading
    when that cell has one, else at the cell's end.
    """
    files = {}
    for path in book.chapters:
        nb = read_notebook(path)
        first = RUN_TIME.sub("", cell_source(nb["cells"][0])).rstrip()
        opening, heading, rest = first.partition("\n## ")
        first = opening.rstrip() + "\n\n" + run_time_line(book, path) + (f"\n\n## {rest}" if heading else "")
        lines = first.split("\n")
        nb["cells"][0]["source"] = [line + "\n" for line in lines[:-1]] + [lines[-1]]
        files[path] = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    return files


def chapter_table(book: Book) -> str:
    rows = ["| chapter | run time on a 2-core CPU | on a GPU |", "|---|---|---|"]
    for path in book.chapters:
        rows.append(f"| {chapter_number(path)}. {{doc}}`{_title(path)} <{path.stem}>` | "
                    f"{_short_times(book, path, gpu=False)} | {_short_times(book, path, gpu=True)} |")  # fmt: skip
    return "\n".join(rows) + "\n"


def chapter_needs(book: Book) -> str:
    rows = ["| chapter | time on a CPU | time on a GPU | downloads on first run | exercises (self-checking) |",
            "|---|---|---|---|---|"]  # fmt: skip
    for path in book.chapters:
        found = exercises(path)
        rows.append(f"| {chapter_number(path)}. {{doc}}`{_title(path)} <{path.stem}>` | {_times(book, path, gpu=False)} | "
                    f"{_times(book, path, gpu=True)} | {_data(path)} | {len(found)} ({sum(e['self_check'] for e in found)}) |")  # fmt: skip
    return "\n".join(rows) + "\n"


def exercise_table(book: Book) -> str:
    rows = ["| exercise | title | checks itself |", "|---|---|---|"]
    for path in book.chapters:
        for e in exercises(path):
            rows.append(
                f"| {{ref}}`{e['number']} <{e['label']}>` | {e['title']} | {'yes' if e['self_check'] else ''} |"
            )
    return "\n".join(rows) + "\n"


def guide_files(book: Book) -> dict[Path, str]:
    """The generated tables, by the path they are written to."""
    folder = book.root / "book" / "_generated"
    header = "<!-- Generated by `make editions` (tools/editions/guide.py); do not edit. -->\n\n"
    return {
        folder / "chapter-needs.md": header + chapter_needs(book),
        folder / "exercises.md": header + exercise_table(book),
        folder / "chapters.md": header + chapter_table(book),
    }
