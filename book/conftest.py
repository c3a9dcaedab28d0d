"""After nbval has executed a chapter, check its exercises in the same kernel (no second training run).

For every chapter notebook collected by nbval, one more test item runs right after its last cell:

- every solution that is a self-check call (``check_...(right answer, ...)``) must say "✓ Right";
- then every exercise cell and stub of the student edition must run without error, and each
  self-check left unanswered must say "Not answered yet".
"""

from __future__ import annotations

import sys
from pathlib import Path
from queue import Empty

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the editions generator, tools/editions, lives beside book/
TIMEOUT = 120  # seconds of silence from the kernel before an exercise cell counts as hung
_cells_run: dict[str, int] = {}  # notebook path -> how many of its cells nbval ran in this session


def _run(kernel, source: str) -> tuple[str, list[str]]:
    """Run ``source`` in an nbval kernel; return its text output and its errors."""
    msg_id = kernel.execute_cell_input(source, allow_stdin=False)
    text, errors = [], []
    while True:
        try:
            msg = kernel.get_message(stream="iopub", timeout=TIMEOUT)
        except Empty:
            errors.append(f"no answer from the kernel for {TIMEOUT} s")
            break
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "status" and content["execution_state"] == "idle":
            break
        if kind == "stream":
            text.append(content["text"])
        elif kind in ("execute_result", "display_data"):
            text.append(content["data"].get("text/plain", ""))
        elif kind == "error":
            errors.append(f"{content['ename']}: {content['evalue']}")
    kernel.await_reply(msg_id, timeout=TIMEOUT)
    return "".join(text), errors


class ExerciseCheck(pytest.Item):
    """Solutions through their self-checks, then the student edition's exercise cells."""

    def runtest(self):
        from tools.editions.build import Book, asks_for_answer, exercise_cells

        kernel = self.parent.kernel
        if _cells_run.get(str(self.parent.path), 0) < self.cells or kernel is None or not kernel.is_alive():
            pytest.skip("needs the whole chapter run first in the same kernel; select all of its cells")
        problems = []
        solutions, student = exercise_cells(Book.load(ROOT), Path(self.parent.path))
        for exercise, source in solutions:
            text, errors = _run(kernel, source)
            if errors or "✓ Right" not in text:
                problems.append(f"solution of Exercise {exercise} does not pass its self-check: {errors or text!r}")
        for exercise, source in student:
            text, errors = _run(kernel, source)
            if errors:
                problems.append(f"student cell of Exercise {exercise} fails: {errors}")
            elif asks_for_answer(source) and "Not answered yet" not in text:
                problems.append(f"unanswered self-check of Exercise {exercise} says {text!r}")
        assert not problems, "\n".join(problems)

    def reportinfo(self):
        return self.path, None, f"{self.name}"


def _is_chapter_cell(item) -> bool:
    path = Path(getattr(item.parent, "path", ""))
    return type(item.parent).__name__ == "IPyNbFile" and path.parent == ROOT / "book" and path.name[:2].isdigit()


def pytest_collection_modifyitems(session, config, items):
    """Add one ExerciseCheck after the last nbval cell of each numbered chapter."""
    last, count = {}, {}
    for index, item in enumerate(items):
        if _is_chapter_cell(item) and not isinstance(item, ExerciseCheck):
            last[item.parent] = index
            count[item.parent] = count.get(item.parent, 0) + 1
    for parent, index in sorted(last.items(), key=lambda pair: -pair[1]):
        check = ExerciseCheck.from_parent(parent, name="exercises: solutions right, student cells run")
        check.cells = count[parent]
        items.insert(index + 1, check)


def pytest_runtest_logreport(report):
    if report.when == "call" and ".ipynb::" in report.nodeid and "exercises:" not in report.nodeid:
        path = str(ROOT / report.nodeid.split("::")[0])
        _cells_run[path] = _cells_run.get(path, 0) + 1
