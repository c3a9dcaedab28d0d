"""The Colab and student editions: fresh, free of MyST, the chapter's code, solutions folded or removed."""

import dataclasses
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.editions.build import (  # noqa: E402
    Book,
    asks_for_answer,
    cell_source,
    content_problems,
    edition,
    exercise_cells,
    expected_files,
    glued_values,
    is_self_check,
    pieces,
)
from tools.editions.cite import Bibliography, anchor  # noqa: E402
from tools.editions.myst import EditionError, Links, format_glue, to_markdown  # noqa: E402

BOOK = Book.load(ROOT)
BOOK_CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
CHAPTERS = BOOK.chapters
LINKS = Links(glue={"n": "1600", "acc": "91.75999999999999", "name": "'Shirt'"},
              website="https://book.example/", raw_files="https://raw.example/main/",
              titles={"book/intro": "The intro"}, labels={"ex-a": ("book/02-x", "Exercise 2.1")},
              docname="book/02-x")  # fmt: skip


def load(path):
    return json.loads(Path(path).read_text())


def source(cell):
    return "".join(cell["source"])


# --- MyST to Markdown -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("myst", "markdown"),
    [
        ("{glue:text}`n:,` values, {glue:text}`acc:.1f`%, {glue:text}`name`.", "1,600 values, 91.8%, Shirt."),
        ("See {doc}`intro`.", "See [The intro](https://book.example/book/intro.html)."),
        ("See {doc}`the start <intro>`.", "See [the start](https://book.example/book/intro.html)."),
        ("Try {ref}`ex-a`.", "Try [Exercise 2.1](https://book.example/book/02-x.html#ex-a)."),
        ("(sec-a)=\n## A section", "## A section"),
        ("```{admonition} Learning objectives\n:class: tip\n- one\n```", "> **Learning objectives**\n>\n> - one"),
        ("Text.\n```{warning}\nCareful.\n```\nMore.", "Text.\n\n> **Warning**\n>\n> Careful.\n\nMore."),
        (
            "```{figure} img/a.png\n:name: fig-a\nA caption.\n```",
            "![A caption.](https://raw.example/main/book/img/a.png)\n\n*A caption.*",
        ),
        ("````{note}\n```python\nx = 1\n```\n````", "> **Note**\n>\n> ```python\n> x = 1\n> ```"),
        ("```{math}\na^2\n```", "$$\na^2\n$$"),
        ("Run it.\n```{only} html\nUse the rocket icon.\n```\nThen read.", "Run it.\nThen read."),
    ],
)
def test_myst_becomes_markdown(myst, markdown):
    assert to_markdown(myst, LINKS) == markdown


@pytest.mark.parametrize(
    ("myst", "message"),
    [
        ("```{margin}\nx\n```", r"directive \{margin\} in book/02-x has no Colab rendering"),
        ("{sub-ref}`x`", r"role \{sub-ref\} in book/02-x has no Colab rendering"),
        ("{glue:text}`missing`", r"nothing was glued as 'missing'.*make notebooks"),
        ("{ref}`nowhere`", r"unknown label 'nowhere'"),
        ("```{note}\nnever closed", r"never closed"),
        ("```{exercise} Title\nx\n```", r"directive \{exercise\}"),  # only inside an edition, which numbers it
    ],
)
def test_unknown_or_broken_markup_is_refused_with_a_reason(myst, message):
    with pytest.raises(EditionError, match=message):
        to_markdown(myst, LINKS)


def test_glued_values_are_formatted_as_on_the_website():
    from myst_nb.core.variables import format_plain_text

    for chapter in CHAPTERS:
        markdown = "\n".join(source(c) for c in load(chapter)["cells"] if c["cell_type"] == "markdown")
        glue = glued_values(load(chapter))
        for key, spec in re.findall(r"\{glue:text\}`([^:`]+):?([^`]*)`", markdown):
            assert format_glue(glue[key], spec) == format_plain_text(glue[key], spec), (chapter.name, key)


def test_self_check_calls_are_told_apart_from_other_code():
    assert is_self_check("check_output_size(16, size=32, kernel_size=5)")
    assert is_self_check("check_a(1)\ncheck_b(2)")
    assert not is_self_check("print(check_output_size(16, size=32, kernel_size=5))")
    assert not is_self_check("answer = 16\ncheck_output_size(answer, size=32, kernel_size=5)")
    assert not is_self_check("")


# --- Citations -------------------------------------------------------------------------------

BIBFILE = ROOT / "book" / "references.bib"
REFS = "https://book.example/book/references.html"
CITING = dataclasses.replace(LINKS, bibliography=Bibliography(BIBFILE, REFS))


@pytest.mark.parametrize(
    ("myst", "markdown"),
    [
        ("Data {cite:p}`xiao2017fashion`.", f"Data ([Xiao et al., 2017]({REFS}#cite-xiao2017fashion))."),
        ("{cite}`krizhevsky2009cifar`", f"([Krizhevsky, 2009]({REFS}#cite-krizhevsky2009cifar))"),
        ("As {cite:t}`dumoulin2016guide` show", f"As Dumoulin and Visin ([2016]({REFS}#cite-dumoulin2016guide)) show"),
        (
            "{cite:p}`dumoulin2016guide, xiao2017fashion`",
            f"([Dumoulin and Visin, 2016]({REFS}#cite-dumoulin2016guide); [Xiao et al., 2017]({REFS}#cite-xiao2017fashion))",
        ),
        (
            "{cite:t}`he2015resnet,ioffe2015batchnorm,krizhevsky2012imagenet`",
            f"He et al. ([2015]({REFS}#cite-he2015resnet)), Ioffe and Szegedy ([2015]({REFS}#cite-ioffe2015batchnorm)), "
            f"and Krizhevsky et al. ([2012]({REFS}#cite-krizhevsky2012imagenet))",
        ),
        ("{cite:p}`{see}lecun1998gradient{section II}`", f"(see [LeCun et al., 1998]({REFS}#cite-lecun1998gradient), section II)"),
        ("{cite:p}`article-b-jercoli`", f"([jercoli, n.d.]({REFS}#cite-article-b-jercoli))"),
        (
            "{cite:t}`article-d-fastai-deep-dive`",
            f"*FastAI deeplearning Part 14.1: Convolutions Deep Dive* ([n.d.]({REFS}#cite-article-d-fastai-deep-dive))",
        ),
        ("## References\n\n```{bibliography}\n:filter: docname in docnames\n```",
         f"## References\n\nThe works cited are listed on the [references page]({REFS}) of the book's website."),
    ],
)  # fmt: skip
def test_citations_become_text_with_links_to_the_references_page(myst, markdown):
    assert to_markdown(myst, CITING) == markdown


@pytest.mark.parametrize(
    ("myst", "message"),
    [
        ("{cite:p}`xiao2017fashon`", r"no entry 'xiao2017fashon' in references.bib\. Did you mean xiao2017fashion\?"),
        (
            "{cite:t}`xiao2017fashion,nobody1999`",
            r"\{cite:t\}`xiao2017fashion,nobody1999` in book/02-x: no entry 'nobody1999'",
        ),
        ("{cite:p}`xiao2017fashion dumoulin2016guide`", r"keys separated by commas"),
        ("{cite:p}`xiao2017fashion;dumoulin2016guide`", r"Did you mean dumoulin2016guide, xiao2017fashion\?"),
        ("{cite:p}``", r"keys separated by commas"),
        ("{cite:ps}`xiao2017fashion`", r"role \{cite:ps\} in book/02-x has no Colab rendering"),
        ("{footcite}`xiao2017fashion`", r"role \{footcite\} in book/02-x has no Colab rendering"),
    ],
)
def test_unknown_or_malformed_citations_are_refused(myst, message):
    with pytest.raises(EditionError, match=message):
        to_markdown(myst, CITING)


def test_citations_need_a_readable_bibliography(tmp_path):
    with pytest.raises(EditionError, match="has no bibliography to cite from"):
        to_markdown("{cite:p}`xiao2017fashion`", LINKS)
    missing = dataclasses.replace(LINKS, bibliography=Bibliography(tmp_path / "none.bib", REFS))
    with pytest.raises(EditionError, match="none.bib does not exist"):
        to_markdown("{cite:p}`xiao2017fashion`", missing)
    broken = tmp_path / "broken.bib"
    broken.write_text("@misc{a, title={A}}\n@misc{a, title={Again}}\n")
    with pytest.raises(EditionError, match="Cannot read the bibliography .*broken.bib"):
        to_markdown("{cite:p}`a`", dataclasses.replace(LINKS, bibliography=Bibliography(broken, REFS)))


def test_citations_read_the_same_as_on_the_website():
    """The editions' text equals what sphinxcontrib-bibtex renders with book/_ext/citation_style.py."""
    import importlib.util
    from types import SimpleNamespace

    import pybtex_docutils
    from docutils.nodes import make_id
    from pybtex.database import parse_file
    from sphinxcontrib.bibtex.plugin import find_plugin
    from sphinxcontrib.bibtex.style.referencing import format_references
    from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo

    spec = importlib.util.spec_from_file_location("citation_style", ROOT / "book" / "_ext" / "citation_style.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.setup(None)
    style = find_plugin(
        "sphinxcontrib.bibtex.style.referencing", BOOK_CONFIG["sphinx"]["config"]["bibtex_reference_style"]
    )()
    entries = parse_file(str(BIBFILE)).entries
    builder = SimpleNamespace(name="html", get_relative_uri=lambda source, target: f"{target}.html")

    def website(role, targets):  # targets: (key, pre-text, post-text)
        refs = [(entries[key], None, SphinxReferenceInfo(builder, "book/intro", "book/references", anchor(key), None, pre, post))
                for key, pre, post in targets]  # fmt: skip
        return "".join(node.astext() for node in format_references(style, role, refs).render(pybtex_docutils.Backend()))

    def edition(role, content):
        markdown = to_markdown(f"{{cite:{role}}}`{content}`", CITING)
        return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown).replace("*", "")

    cases = [[(key, "", "")] for key in entries]
    cases += [[("xiao2017fashion", "", ""), ("dumoulin2016guide", "", "")],
              [("he2015resnet", "", ""), ("article-c-marching-on", "", ""), ("krizhevsky2009cifar", "", "")],
              [("xiao2017fashion", "see", "p. 3")]]  # fmt: skip
    for targets in cases:
        content = ",".join(f"{{{pre}}}{key}{{{post}}}" if pre else key for key, pre, post in targets)
        for role in ("p", "t"):
            assert edition(role, content) == website(role, targets), (role, content)
    for key in entries:
        assert anchor(key) == make_id(BOOK_CONFIG["sphinx"]["config"]["bibtex_cite_id"].format(key=key))


def test_the_bibliography_is_configured_and_listed_on_the_references_page():
    assert BOOK_CONFIG["bibtex_bibfiles"] == ["book/references.bib"]
    config = BOOK_CONFIG["sphinx"]["config"]
    assert config["bibtex_reference_style"] == "author_year_round" and config["bibtex_cite_id"] == "cite-{key}"
    assert "citation_style" in BOOK_CONFIG["sphinx"]["local_extensions"]
    page = (ROOT / "book" / "references.md").read_text()
    assert re.search(r"^```\{bibliography\}\n:all:\n```$", page, re.M), "every entry is listed, cited or not"
    assert BOOK.links("book/intro", {}).bibliography.page == f"{BOOK.website}book/references.html"


# --- Synthetic chapter: the rules on a small notebook ----------------------------------------


def small_chapter(tmp_path, solution_code="# Print the answer.\nprint(16)"):
    root = tmp_path / "book-root"
    (root / "book").mkdir(parents=True)
    (root / "ainotes").mkdir()
    (root / "ainotes" / "__init__.py").write_text('__version__ = "9.8.7"\n')
    (root / "_config.yml").write_text((ROOT / "_config.yml").read_text())
    (root / "book" / "intro.md").write_text("# Intro\n")

    def md(text):
        return {"cell_type": "markdown", "metadata": {}, "source": text}

    def code(text, tags=(), outputs=()):
        return {"cell_type": "code", "execution_count": 1, "metadata": {"tags": list(tags)},
                "outputs": list(outputs), "source": text}  # fmt: skip

    glue_output = {"output_type": "display_data", "data": {"application/papermill.record/text/plain": "1600"},
                   "metadata": {"scrapbook": {"name": "n", "mime_prefix": "application/papermill.record/"}}}  # fmt: skip
    printed = {"output_type": "stream", "name": "stdout", "text": "printed\n"}
    nb = {"cells": [
        md("# Small\n\nIt has {glue:text}`n:,` values."),
        code('import sys\nif "google.colab" in sys.modules:\n    %pip install "ainotes @ git+https://github.com/o/r"'),
        code("glue('n', 1600)", outputs=[glue_output]),
        code("assert True", tags=["remove-cell"]),
        md("## Exercises\n\n```{exercise} Size\n:label: small-ex\n\nWhat size?\n```"),
        code("answer = None  # your answer\ncheck_output_size(answer, size=32, kernel_size=5)", outputs=[printed]),
        md("```{solution-start} small-ex\n:class: dropdown\n```\nIt is 28."),
        code("check_output_size(28, size=32, kernel_size=5)", outputs=[printed]),
        code(solution_code, outputs=[printed]),
        md("```{solution-end}\n```\n\nThe end."),
    ], "metadata": {"kernelspec": {"name": "python3"}, "widgets": {}}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    path = root / "book" / "03-small.ipynb"
    path.write_text(json.dumps(nb))
    return Book.load(root), path


def test_colab_edition_of_a_small_chapter(tmp_path):
    book, path = small_chapter(tmp_path)
    nb = edition(book, path, "colab")
    texts = [source(c) for c in nb["cells"]]
    assert texts[0] == "# Small\n\nIt has 1,600 values."
    assert "Colab edition" in texts[1] and "9.8.7" in texts[1]
    assert '"ainotes @ git+https://github.com/o/r@v9.8.7"' in texts[2]
    assert "assert True" not in "".join(texts), "remove-cell asserts stay out"
    glue_cell = next(c for c in nb["cells"] if source(c) == "glue('n', 1600)")
    assert glue_cell["outputs"] == [], "glue records are not shown in Colab"
    assert any(t.startswith("> **Exercise 3.1 (Size)**") for t in texts)
    details = next(t for t in texts if t.startswith("<details>"))
    assert "Solution to Exercise 3.1" in details and "It is 28." in details and details.endswith("</details>")
    folded = [c for c in nb["cells"] if source(c).startswith("#@title Solution to Exercise 3.1\n")]
    assert len(folded) == 2 and all(c["metadata"] == {"cellView": "form"} and not c["outputs"] for c in folded)
    assert texts[-1] == "The end."
    assert "widgets" not in nb["metadata"] and not content_problems(nb)


def test_student_edition_of_a_small_chapter(tmp_path):
    book, path = small_chapter(tmp_path)
    nb = edition(book, path, "student")
    texts = [source(c) for c in nb["cells"]]
    assert "Student edition" in texts[1]
    assert not [t for t in texts if "It is 28" in t or "check_output_size(28" in t], "solutions are removed"
    stub = next(c for c in nb["cells"] if source(c).startswith("# Exercise 3.1: Print the answer."))
    assert source(stub).rstrip().endswith("...") and not stub["outputs"]
    exercise = next(c for c in nb["cells"] if source(c).startswith("answer = None"))
    assert exercise["outputs"] == [] and exercise["execution_count"] is None, "exercise outputs are cleared"
    assert not content_problems(nb)
    solutions, student = exercise_cells(book, path)
    assert solutions == [("3.1", "check_output_size(28, size=32, kernel_size=5)")]
    assert [number for number, _ in student] == ["3.1", "3.1"]


def test_citations_in_a_chapter_use_the_books_bibliography(tmp_path):
    book, path = small_chapter(tmp_path)
    (book.root / "book" / "references.bib").write_text(
        "@book{k, author={Knuth, Donald E.}, title={TAOCP}, year={1968}}"
    )
    nb = json.loads(path.read_text())
    nb["cells"][-1]["source"] = nb["cells"][-1]["source"].replace("The end.", "The end {cite:p}`k`.")
    path.write_text(json.dumps(nb))
    for which in ("colab", "student"):
        last = edition(book, path, which)["cells"][-1]
        assert source(last) == f"The end ([Knuth, 1968]({book.website}book/references.html#cite-k))."
    nb["cells"][-1]["source"] = nb["cells"][-1]["source"].replace("`k`", "`nobody`")
    path.write_text(json.dumps(nb))
    with pytest.raises(EditionError, match=r"\{cite:p\}`nobody` in book/03-small: no entry 'nobody'"):
        edition(book, path, "colab")


def test_a_solution_without_a_leading_comment_is_refused(tmp_path):
    book, path = small_chapter(tmp_path, solution_code="print(16)")
    with pytest.raises(EditionError, match="must start with a comment saying what the code does"):
        edition(book, path, "student")


def test_content_check_finds_leftover_markup():
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "```{note}\nx\n```\n{glue:text}`a`"},
                    {"cell_type": "code", "metadata": {"tags": ["remove-cell"]}, "source": "x"}]}  # fmt: skip
    problems = content_problems(nb)
    assert len(problems) == 3 and "cell 1" in problems[-1]
    assert content_problems({"cells": [{"cell_type": "markdown", "metadata": {}, "source": "See {cite:p}`a`."}]})


# --- The committed editions -------------------------------------------------------------------


def test_every_chapter_has_fresh_editions():
    expected = expected_files(BOOK)
    assert len(expected) == 2 * len(CHAPTERS)
    stale = [str(p.relative_to(ROOT)) for p, text in expected.items() if not p.is_file() or p.read_text() != text]
    assert not stale, f"stale or missing editions (run `make editions`): {stale}"
    extra = {p for folder in ("colab", "student") for p in (ROOT / folder).glob("*.ipynb")} - set(expected)
    assert not extra, f"editions without a chapter: {extra}"


@pytest.mark.parametrize("path", [ROOT / f / c.name for c in CHAPTERS for f in ("colab", "student")], ids=str)
def test_editions_contain_no_myst_markup(path):
    assert not content_problems(load(path))
    text = path.read_text()
    assert "application/papermill.record" not in text and "widget-view+json" not in text


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_colab_code_is_the_chapter_code_minus_removed_cells(chapter):
    original = [source(c) for c in load(chapter)["cells"]
                if c["cell_type"] == "code" and "remove-cell" not in c["metadata"].get("tags", [])]  # fmt: skip
    colab = [re.sub(r"\A#@title [^\n]*\n", "", source(c)) for c in load(ROOT / "colab" / chapter.name)["cells"]
             if c["cell_type"] == "code"]  # fmt: skip
    colab[0] = colab[0].replace(f'@v{BOOK.version}"', '"')
    assert colab == original


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_colab_edition_fills_in_numbers_and_folds_solutions(chapter):
    nb = load(ROOT / "colab" / chapter.name)
    markdown = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    exercises = [
        p for p in pieces(load(chapter), int(chapter.name[:2])) if p.state == "exercise" and p.kind == "markdown"
    ]
    assert markdown.count("> **Exercise ") == len({p.exercise for p in exercises}) >= 3
    for number in {p.exercise for p in exercises}:
        assert f"<summary><b>Solution to Exercise {number}</b>" in markdown
    for cell in nb["cells"]:
        if source(cell).startswith("#@title Solution"):
            assert cell["metadata"]["cellView"] == "form" and cell["outputs"] == []
    setup = source(next(c for c in nb["cells"] if c["cell_type"] == "code"))
    assert f'"ainotes @ git+{BOOK.repo_url}@v{BOOK.version}"' in setup


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_student_edition_has_no_solutions_and_keeps_self_checks(chapter):
    nb = load(ROOT / "student" / chapter.name)
    text = "\n".join(source(c) for c in nb["cells"])
    assert "Solution to Exercise" not in text and "#@title" not in text
    solutions, student = exercise_cells(BOOK, chapter)
    for _, solution in solutions:
        assert solution not in text, "a self-check called with the right answer gives the answer away"
    kept = [cell_source(c) for c in nb["cells"] if asks_for_answer(cell_source(c))]
    assert kept == [source for _, source in student if asks_for_answer(source)], "every self-check is kept"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and (source(cell).startswith("# Exercise ") or "answer = None" in source(cell)):
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_colab_button_opens_the_colab_edition():
    import importlib.util

    spec = importlib.util.spec_from_file_location("colab_editions", ROOT / "book" / "_ext" / "colab_editions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    colab = {
        "type": "link",
        "text": "Colab",
        "url": "https://colab.research.google.com/github/o/r/blob/main/book/01-x.ipynb",
    }
    context = {"header_buttons": [{"label": "launch-buttons", "buttons": [colab]}]}
    module._use_editions(None, "book/01-x", "page.html", context, None)
    urls = [b["url"] for b in context["header_buttons"][0]["buttons"]]
    assert urls == ["https://colab.research.google.com/github/o/r/blob/main/colab/01-x.ipynb",
                    "https://colab.research.google.com/github/o/r/blob/main/student/01-x.ipynb"]  # fmt: skip


# --- The teachers' guide tables ---------------------------------------------------------------


def test_guide_tables_are_fresh_and_count_self_checks():
    from tools.editions.guide import exercises, guide_files

    for path, text in guide_files(BOOK).items():
        assert path.is_file() and path.read_text() == text, f"{path.name} is stale: run `make editions`"
    for chapter in CHAPTERS:
        found = exercises(chapter)
        solutions, _ = exercise_cells(BOOK, chapter)
        assert {number for number, _ in solutions} <= {e["number"] for e in found if e["self_check"]}
    conv = exercises(ROOT / "book" / "02-convolutions.ipynb")
    assert [e["number"] for e in conv if e["self_check"]] == ["2.1", "2.2", "2.3", "2.4", "2.5", "2.9"]
    first = exercises(ROOT / "book" / "01-first-cnn.ipynb")
    assert [e["number"] for e in first if e["self_check"]] == ["1.1", "1.2", "1.3"]
    # Every exercise is still there (a rewritten solution once swallowed the exercise after it).
    assert [e["label"] for e in first][-2:] == ["first-cnn-ex-mlp", "first-cnn-ex-mistakes"]
    images = exercises(ROOT / "book" / "03-images-as-tensors.ipynb")
    assert [e["number"] for e in images if e["self_check"]] == ["3.1", "3.2", "3.3", "3.4", "3.5"]
    assert [e["label"] for e in images][-1] == "images-ex-adam"
    fc_cnn = exercises(ROOT / "book" / "04-fc-vs-cnn.ipynb")
    assert [e["number"] for e in fc_cnn if e["self_check"]] == ["4.1", "4.2", "4.3", "4.4", "4.5"]
    assert [e["label"] for e in fc_cnn][-1] == "fc-cnn-ex-crops"
    stability = exercises(ROOT / "book" / "05-training-stability.ipynb")
    assert [e["number"] for e in stability if e["self_check"]] == ["5.1", "5.2", "5.3", "5.4"]
    assert [e["label"] for e in stability][-1] == "stability-ex-range512"
    batchnorm = exercises(ROOT / "book" / "06-batchnorm.ipynb")
    assert [e["number"] for e in batchnorm if e["self_check"]] == ["6.1", "6.2", "6.3"]
    assert [e["label"] for e in batchnorm][-1] == "batchnorm-ex-group"
    transfer = exercises(ROOT / "book" / "07-transfer-learning.ipynb")
    assert [e["number"] for e in transfer if e["self_check"]] == ["7.1", "7.2", "7.3"]
    assert [e["label"] for e in transfer][-1] == "transfer-ex-neighbours"
    counts = (len(first), len(conv), len(images), len(fc_cnn), len(stability), len(batchnorm), len(transfer))
    assert counts == (8, 9, 8, 9, 8, 8, 8)


def test_every_chapter_states_its_measured_run_time_at_the_top():
    """Each chapter's opening states its run time, as benchmarks/chapter_times.json has it (`make editions`)."""
    from tools.editions.guide import run_time_line, timed_chapters

    for path, text in timed_chapters(BOOK).items():
        first = "".join(json.loads(path.read_text())["cells"][0]["source"])
        line = run_time_line(BOOK, path)
        assert line in first.split("\n## ")[0], f"{path.name}: stale run-time line (run `make editions`)"
        assert re.search(r"\d+(\.\d)? (s|min) on a 2-core CPU", line) and "on a GPU:" in line
        assert path.read_text() == text
