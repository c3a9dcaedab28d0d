"""The Colab and student editions of each chapter, generated from the executed chapter notebook.

A chapter in ``book/`` is written for the website (MyST markup, glued numbers, hidden asserts).
From it this module makes, without executing anything:

- the **Colab edition** (``colab/``): glued numbers filled in, directives as plain Markdown,
  solution prose folded in ``<details>``, solution code behind Colab's form view (``#@title``),
  hidden ``remove-cell`` asserts removed, and a set-up cell that installs the book's version of
  ``ainotes``;
- the **student edition** (``student/``): the Colab edition without solutions, each coding
  exercise left as a stub, outputs of exercise cells cleared, self-checks kept.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from tools.editions.cite import Bibliography
from tools.editions.myst import Directive, EditionError, Links, blocks_to_markdown, split_blocks

ROOT = Path(__file__).resolve().parents[2]
EDITIONS = ("colab", "student")
GLUE_MIME = "application/papermill.record/"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
INSTALL = re.compile(r'"ainotes @ git\+(?P<url>https://[^"@\s]+)"')


@dataclass(frozen=True)
class Book:
    """Where the book lives: repository, branch, website, and the version of ``ainotes``."""

    root: Path
    repo_url: str
    branch: str
    website: str
    version: str
    bibfiles: tuple[str, ...] = ()  # bibtex_bibfiles in _config.yml, relative to the root

    @classmethod
    def load(cls, root: Path = ROOT) -> Book:
        config = yaml.safe_load((root / "_config.yml").read_text())
        version = re.search(r'__version__ = "([^"]+)"', (root / "ainotes" / "__init__.py").read_text())[1]
        return cls(root, config["repository"]["url"].rstrip("/"), config["repository"].get("branch", "main"),
                   config["html"]["baseurl"].rstrip("/") + "/", version,
                   tuple(config.get("bibtex_bibfiles") or ()))  # fmt: skip

    @property
    def chapters(self) -> list[Path]:
        return sorted((self.root / "book").glob("[0-9][0-9]-*.ipynb"))

    def links(self, docname: str, glue: dict[str, str]) -> Links:
        raw = self.repo_url.replace("https://github.com/", "https://raw.githubusercontent.com/")
        titles, labels = _index(self)
        return Links(glue, self.website, f"{raw}/{self.branch}/", titles, labels, docname, _bibliography(self))


REFERENCES = "book/references"  # the page with the {bibliography} directive: citations link to its entries


@functools.cache
def _bibliography(book: Book) -> Bibliography | None:
    """The book's BibTeX file (one, read only when a chapter cites something), or None without one."""
    if not book.bibfiles:
        return None
    if len(book.bibfiles) > 1:
        raise EditionError(f"bibtex_bibfiles in _config.yml lists {len(book.bibfiles)} files; the editions read one.")
    return Bibliography(book.root / book.bibfiles[0], f"{book.website}{REFERENCES}.html")


@functools.cache
def _index(book: Book) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Page titles and the labels a role may point at (exercises, headings), over the whole book."""
    titles, labels = {}, {}
    for path in [*sorted((book.root / "book").glob("*.md")), *book.chapters]:
        doc = f"book/{path.stem}"
        text = path.read_text() if path.suffix == ".md" else "\n".join(_markdown_sources(read_notebook(path)))
        titles[doc] = re.search(r"^# (.+)$", text, re.M)[1].strip()
        exercise_labels = re.findall(r"^(?:```+|:::+)\{exercise\}.*\n(?::\w+:.*\n)*?:label: (\S+)", text, re.M)
        for number, label in enumerate(exercise_labels, 1):
            labels[label] = (doc, f"Exercise {chapter_number(path)}.{number}")
        for label, heading in re.findall(r"^\(([\w:-]+)\)=\s*\n#+ (.+)$", text, re.M):
            labels[label] = (doc, heading.strip())
    return titles, labels


@dataclass
class Piece:
    """A run of one chapter in one *state*: ordinary text, an exercise, or a solution."""

    kind: str  # "markdown" or "code"
    state: str  # "text", "exercise" or "solution"
    exercise: str  # "2.1" in an exercise or its solution, else ""
    blocks: list  # markdown: text and directives; code: [the cell]


def read_notebook(path: Path) -> dict:
    """A notebook file as the JSON dictionary it is (no validation, nothing added)."""
    return json.loads(path.read_text())


def cell_source(cell: dict) -> str:
    """A cell's source as one string (notebooks store it as a list of lines)."""
    return "".join(cell["source"])


def _markdown_sources(nb: dict) -> list[str]:
    return [cell_source(c) for c in nb["cells"] if c["cell_type"] == "markdown"]


def chapter_number(path: Path) -> int:
    """The chapter number in a file name such as ``02-convolutions.ipynb``."""
    return int(path.name[:2])


def glued_values(nb: dict) -> dict[str, str]:
    """Every value a chapter glued, as the text/plain that myst-nb formats."""
    return {out["metadata"]["scrapbook"]["name"]: out["data"][GLUE_MIME + "text/plain"]
            for cell in nb["cells"] for out in cell.get("outputs", [])
            if GLUE_MIME + "text/plain" in out.get("data", {})}  # fmt: skip


def pieces(nb: dict, chapter: int, labels: dict[str, str] | None = None) -> list[Piece]:
    """Cut a chapter into pieces of ordinary text, exercises and solutions, in order."""
    labels = {} if labels is None else labels
    state, exercise, count, out = "text", "", 0, []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            out.append(Piece("code", state, exercise, [cell]))
            continue
        buffer: list = []
        for block in split_blocks(cell_source(cell)):
            name = block.name if isinstance(block, Directive) else None
            if name not in ("exercise", "solution-start", "solution-end"):
                buffer.append(block)
                continue
            if buffer:
                out.append(Piece("markdown", state, exercise, buffer))
                buffer = []
            if name == "exercise":
                count += 1
                state, exercise = "exercise", f"{chapter}.{count}"
                labels[block.options.get("label", "")] = exercise
                buffer.append(block)
            elif name == "solution-start":
                if block.args not in labels:
                    raise EditionError(f"{{solution-start}} {block.args} names no exercise before it.")
                state, exercise = "solution", labels[block.args]
            else:
                state, exercise = "text", ""
        if buffer:
            out.append(Piece("markdown", state, exercise, buffer))
    return out


ANSWER_CHECK = re.compile(r"\bcheck_\w+\(")


def asks_for_answer(source: str) -> bool:
    """Whether a cell runs a self-check: it calls a ``check_...`` function on the reader's ``answer``
    (``answer = None`` until answered) or on a function the reader writes (a stub until written)."""
    return bool(ANSWER_CHECK.search(source))


def is_self_check(source: str) -> bool:
    """Whether a code cell only calls ``check_...`` functions (a solution run through its self-check)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:  # IPython magics, for example: not a plain call
        return False
    return bool(body) and all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
                              and isinstance(s.value.func, ast.Name) and s.value.func.id.startswith("check_")
                              for s in body)  # fmt: skip


def _markdown_cell(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text.splitlines(keepends=True)}


def _code_cell(cell: dict, source: str | None = None, keep_outputs: bool = True) -> dict:
    outputs = [o for o in cell.get("outputs", []) if keep_outputs
               and not any(k.startswith(GLUE_MIME) or k == WIDGET_MIME for k in o.get("data", {}))]  # fmt: skip
    new = {"cell_type": "code", "execution_count": cell["execution_count"] if keep_outputs else None,
           "metadata": {}, "outputs": outputs,
           "source": (cell_source(cell) if source is None else source).splitlines(keepends=True)}  # fmt: skip
    if "id" in cell:
        new["id"] = cell["id"]
    return new


def _stub(cell: dict, exercise: str, where: str) -> str:
    first = cell_source(cell).lstrip().splitlines()[0]
    if not first.startswith("# "):
        raise EditionError(f"{where}: a solution code cell of Exercise {exercise} must start with a comment saying "
                        f"what the code does (the student edition turns it into the instruction); it starts with {first!r}.")  # fmt: skip
    return (
        f"# Exercise {exercise}: {first[2:]}\n# Write your code below, in place of the `...`, and run the cell.\n...\n"
    )


def _banner(book: Book, path: Path, edition: str, self_checks: bool) -> str:
    web = f"{book.website}book/{path.stem}.html"
    checks = (" Cells that call a `check_...` function check your answer when you run them: first replace the "
              "`None` (or the `...` in a function) with yours." if self_checks else "")  # fmt: skip
    if edition == "colab":
        return (f"> **Colab edition** of chapter {chapter_number(path)}, made from `book/{path.name}` for "
                f"`ainotes` {book.version}. The [website]({web}) shows the same chapter. Run the first code cell "
                f"to install `ainotes`. Solutions are folded: open a *Solution* only after you have tried.{checks}")  # fmt: skip
    return (f"> **Student edition** of chapter {chapter_number(path)} (`ainotes` {book.version}): the solutions are "
            f"removed. Cells that start with `# Exercise` are yours to write.{checks} "
            f"The [website]({web}) has the full chapter.")  # fmt: skip


def edition(book: Book, path: Path, which: str) -> dict:
    """The ``which`` ("colab" or "student") edition of the chapter notebook at ``path``."""
    nb = read_notebook(path)
    docname = f"book/{path.stem}"
    links = book.links(docname, glued_values(nb))
    numbers: dict[str, str] = {}  # exercise label -> "2.1", filled in by pieces()

    def exercise_title(block: Directive) -> str:
        number = numbers[block.options.get("label", "")]
        return f"Exercise {number}" + (f" ({block.args})" if block.args else "")

    cells, first_code = [], True
    for piece in pieces(nb, chapter_number(path), numbers):
        if piece.kind == "markdown":
            text = blocks_to_markdown(piece.blocks, links, exercise_title)
            if not text.strip() or (piece.state == "solution" and which == "student"):
                continue
            if piece.state == "solution":
                text = f"<details>\n<summary><b>Solution to Exercise {piece.exercise}</b> (click to open)</summary>\n\n{text}\n\n</details>"
            cells.append(_markdown_cell(text))
            continue
        cell = piece.blocks[0]
        if "remove-cell" in cell["metadata"].get("tags", []):
            continue
        source = cell_source(cell)
        if first_code:
            first_code = False
            if len(INSTALL.findall(source)) != 1:
                raise EditionError(f"{path.name}: the first code cell must install ainotes from git (the set-up cell).")
            source = INSTALL.sub(lambda m: f'"ainotes @ git+{m["url"]}@v{book.version}"', source)
        if piece.state == "solution" and which == "colab":
            new = _code_cell(cell, f"#@title Solution to Exercise {piece.exercise}\n{source}", keep_outputs=False)
            new["metadata"]["cellView"] = "form"
        elif piece.state == "solution":
            if is_self_check(source):
                continue
            new = _code_cell(cell, _stub(cell, piece.exercise, path.name), keep_outputs=False)
        else:
            new = _code_cell(cell, source, keep_outputs=not (which == "student" and piece.state == "exercise"))
        cells.append(new)
    self_checks = any(asks_for_answer(cell_source(c)) for c in cells)
    cells.insert(1, _markdown_cell(_banner(book, path, which, self_checks)))
    for number, cell in enumerate(cells):  # nbformat 4.5 wants an id on every cell
        cell.setdefault("id", f"{which}-{number}")
    metadata = {k: v for k, v in nb["metadata"].items() if k in ("kernelspec", "language_info")}
    metadata["colab"] = {"name": path.name, "provenance": []}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": nb.get("nbformat_minor", 5)}


def exercise_cells(book: Book, path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A chapter's solutions that are self-check calls, and the student edition's exercise cells and stubs.

    Each list holds ``(exercise number, source)`` pairs, in the chapter's order.
    """
    solutions, student = [], []
    for piece in pieces(read_notebook(path), chapter_number(path)):
        if piece.kind != "code" or "remove-cell" in piece.blocks[0]["metadata"].get("tags", []):
            continue
        source = cell_source(piece.blocks[0])
        if piece.state == "solution" and is_self_check(source):
            solutions.append((piece.exercise, source))
        elif piece.state == "solution":
            student.append((piece.exercise, _stub(piece.blocks[0], piece.exercise, path.name)))
        elif piece.state == "exercise":
            student.append((piece.exercise, source))
    return solutions, student


def dumps(nb: dict) -> str:
    """A notebook as text, the way Jupyter writes it."""
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def expected_files(book: Book, editions: tuple[str, ...] | list[str] = EDITIONS) -> dict[Path, str]:
    """Every edition file the chapters give, with its text."""
    return {book.root / which / path.name: dumps(edition(book, path, which))
            for path in book.chapters for which in editions}  # fmt: skip


FORBIDDEN = re.compile(r"\{glue|\{cite|\{exercise|\{solution|remove-cell|^\s*(```+|:::+)\s*\{", re.M)


def content_problems(nb: dict) -> list[str]:
    """MyST that an edition must not contain: glue and cite roles, exercise or solution markup, hidden cells, fences."""
    problems = []
    for i, cell in enumerate(nb["cells"]):
        text = cell_source(cell) + json.dumps(cell["metadata"])
        for match in FORBIDDEN.finditer(text):
            problems.append(f"cell {i}: {match.group(0).strip()!r}")
    return problems
