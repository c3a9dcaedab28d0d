"""The book's conventions, checked on every chapter (see README, 'Conventions for chapters')."""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]-*.ipynb"))


def toc_files():
    files = [TOC["root"]]
    for part in TOC.get("parts", []):
        files += [entry["file"] for entry in part["chapters"]]
    return files


def load(path):
    return json.loads(path.read_text())


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def test_there_are_chapters():
    assert CHAPTERS, "no numbered chapter notebooks in book/"


def test_toc_lists_existing_files_and_every_chapter():
    listed = toc_files()
    for entry in listed:
        assert any((ROOT / (entry + ext)).is_file() for ext in (".md", ".ipynb")), f"{entry} in _toc.yml does not exist"
    for chapter in CHAPTERS:
        assert str(chapter.relative_to(ROOT).with_suffix("")) in listed, f"{chapter.name} is missing from _toc.yml"


def test_launch_buttons_are_configured():
    assert CONFIG["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert CONFIG["repository"]["url"].startswith("https://github.com/")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_first_code_cell_installs_ainotes_only_in_colab_from_the_configured_repository(chapter):
    first = "".join(code_cells(load(chapter))[0]["source"])
    assert 'if "google.colab" in sys.modules' in first
    urls = re.findall(r"git\+(https://\S+?)[\"'\s]", first)
    assert urls == [CONFIG["repository"]["url"]], "the install URL must equal repository.url in _config.yml"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_committed_executed_in_order_with_a_portable_kernel(chapter):
    nb = load(chapter)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    counts = [c["execution_count"] for c in code_cells(nb)]
    assert None not in counts, "every code cell must have a stored execution (make notebooks)"
    assert counts == list(range(1, len(counts) + 1)), "execute top to bottom in one fresh kernel"
    errors = [o for c in code_cells(nb) for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors
    assert chapter.stat().st_size < 2_000_000, "shrink the figures"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_structure_objectives_thresholds_and_exercises(chapter):
    nb = load(chapter)
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert markdown.lstrip().startswith("# ") and "Learning objectives" in markdown
    hidden = [c for c in code_cells(nb) if "remove-cell" in c["metadata"].get("tags", [])]
    assert any("assert" in "".join(c["source"]) for c in hidden), "assert the chapter's thresholds in a remove-cell"
    exercises = re.findall(r"```\{exercise\}", markdown)
    assert len(exercises) >= 6 and len(re.findall(r"```\{solution-start\}", markdown)) == len(exercises)
    assert markdown.count(":class: dropdown") >= len(exercises)
    assert "{glue:text}" in markdown, "quote computed numbers with glue, not by hand"
    # CommonMark: a backtick fence's info string may not hold backticks; such a directive silently
    # becomes plain text (an exercise title with `code` lost its exercise and label once).
    broken = re.findall(r"^(`{3,})\{[\w-]+\}[^\n]*`[^\n]*$", markdown, flags=re.M)
    assert not broken, "no backticks in a directive's title when the fence is made of backticks (use ~~~ or none)"


def test_requirements_are_ranges_not_pins():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    assert not [line for line in lines if "==" in line]


def test_ci_runs_the_readme_test_command():
    readme, ci = (ROOT / "README.md").read_text(), (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make book" in readme
    assert re.search(r"^make test$", ci, re.M)
    # make test itself builds the website and reads it in a browser after the unit tests and notebooks.
    make = (ROOT / "Makefile").read_text()
    test_recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", make, re.M).group(1)
    assert "pytest $(NBVAL)" in test_recipe and "book" in test_recipe and "browser" in test_recipe
    assert re.search(r"^browser:.*\n\t\$\(PY\) -m pytest tests/browser", make, re.M)
    assert re.search(r"^bash .ci/colab-check$", ci, re.M), "CI checks Colab's widget and kernel versions"


def test_offline_assets_are_used_only_when_fetched(tmp_path):
    import importlib.util
    from types import SimpleNamespace

    spec = importlib.util.spec_from_file_location("offline_assets", ROOT / "book" / "_ext" / "offline_assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = SimpleNamespace(srcdir=str(tmp_path))
    config = SimpleNamespace(html_static_path=["_static"], mathjax_path="cdn", nb_ipywidgets_js={"cdn.js": {}})
    module._use_local_assets(app, config)  # nothing fetched: CDN defaults stay
    assert config.mathjax_path == "cdn" and config.html_static_path == ["_static"]
    (tmp_path / "_vendor" / "widgets").mkdir(parents=True)
    (tmp_path / "_vendor" / "widgets" / "embed-amd.js").write_text("")
    module._use_local_assets(app, config)
    assert config.mathjax_path == "mathjax/tex-chtml.js"
    assert config.html_static_path == ["_static", str(tmp_path / "_vendor")]
    assert list(config.nb_ipywidgets_js) == ["widgets/require.js", "widgets/embed-amd.js"]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_the_bar_self_checks_and_a_widget_shown_on_the_website(chapter):
    from tools.editions.guide import exercises

    assert sum(e["self_check"] for e in exercises(chapter)) >= 3, "at least 3 self-checking exercises"
    widget_views = [o for c in code_cells(load(chapter)) for o in c["outputs"]
                    if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]  # fmt: skip
    assert widget_views, "at least one widget, executed, so that the website shows its default state"


def test_readme_run_times_are_the_measured_ones():
    from tools.editions.guide import TIMES, duration

    times = json.loads((ROOT / TIMES).read_text())
    readme = (ROOT / "README.md").read_text()
    for chapter in CHAPTERS:
        cpu = [e for where, e in times[chapter.name].items() if where.startswith("CPU")]
        assert cpu, f"measure {chapter.name} with benchmarks/chapter_times.py"
        row = next(line for line in readme.splitlines() if f"(book/{chapter.name})" in line)
        assert f"| {duration(cpu[0]['median_s'])} |" in row, f"README run time of {chapter.name}: not the measured one"


# What the website's browser test asked of the chapters: every output image a figure with a caption and alt
# text, code that fits the 84-character column the site shows, and the API reference linked from each
# Set-up. The first code cell's Colab install line is the one line allowed to be longer (a test pins it).
CODE_WIDTH = 84
API_LINK = re.compile(r"\{doc\}`(?:[^`<]*<api>|api)`")
ROLE = re.compile(r"\{[\w:-]+\}`")
SETUP = re.compile(r"^## Set-up\s*$", re.M)


def image_outputs(cell):
    return [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]


def figure_and_layout_problems(nb):
    """What keeps a chapter from the figure, line-width and Set-up conventions, one line per problem."""
    problems = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).split("\n"):
            if len(line) > CODE_WIDTH and not line.lstrip().startswith('%pip install --quiet "ainotes @ git+'):
                problems.append(f"cell {i}: a code line of {len(line)} characters: {line.strip()[:60]!r}")
        if image_outputs(cell):
            mystnb = cell["metadata"].get("mystnb", {})
            caption = str(mystnb.get("figure", {}).get("caption", "")).strip()
            alt = str(mystnb.get("image", {}).get("alt", "")).strip()
            if not caption:
                problems.append(f"cell {i}: an image without mystnb.figure.caption")
            if "$" in caption or ROLE.search(caption):
                problems.append(f"cell {i}: a caption with math or a role (plain text and `code` only)")
            if not alt or alt.endswith((".png", ".jpg")):
                problems.append(f"cell {i}: an image without a real mystnb.image.alt")
    setups = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    setups = [text for text in setups if SETUP.search(text)]
    if len(setups) != 1:
        problems.append(f"{len(setups)} markdown cells with a '## Set-up' heading instead of 1")
    elif not API_LINK.search(SETUP.split(setups[0])[1]):
        problems.append("the Set-up text does not link the API reference with {doc}`... <api>`")
    return problems


def figure_names(chapters):
    """Every figure target the chapters make: myst-nb gives the cell's figure name to each of its images."""
    return [mystnb_name for nb in chapters for cell in nb["cells"] if cell["cell_type"] == "code"
            for mystnb_name in [cell["metadata"].get("mystnb", {}).get("figure", {}).get("name")]
            for _ in image_outputs(cell) if mystnb_name]  # fmt: skip


def repeated(names):
    return sorted({n for n in names if names.count(n) > 1})


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_captioned_figures_84_character_code_and_the_api_reference_in_set_up(chapter):
    assert not figure_and_layout_problems(load(chapter))


def test_figure_names_are_unique_in_the_book():
    names = figure_names([load(chapter) for chapter in CHAPTERS])
    # A cell that shows several images gives its name to each of them (a duplicate target): leave its name out.
    assert not repeated(names), "figure names used twice (or by a cell with several images)"


def test_the_figure_and_line_checks_catch_what_they_should():
    import copy

    nb = load(CHAPTERS[0])
    assert not figure_and_layout_problems(nb)
    figures = [c for c in code_cells(nb) if image_outputs(c)]
    broken = copy.deepcopy(nb)
    broken_figures = [c for c in code_cells(broken) if image_outputs(c)]
    del broken_figures[0]["metadata"]["mystnb"]["image"]
    broken_figures[1]["metadata"]["mystnb"]["figure"]["caption"] = ""
    broken_figures[2]["metadata"]["mystnb"]["figure"]["caption"] += " See {numref}`fig-x`."
    code_cells(broken)[1]["source"].append("\n# " + "x" * CODE_WIDTH)
    setup = next(c for c in broken["cells"] if "## Set-up" in "".join(c["source"]))
    setup["source"] = [re.sub(r"\{doc\}`[^`]*<api>`", "the API reference", line) for line in setup["source"]]
    problems = "\n".join(figure_and_layout_problems(broken))
    for expected in ("without a real mystnb.image.alt", "without mystnb.figure.caption", "math or a role",
                     f"code line of {CODE_WIDTH + 2} characters", "does not link the API reference"):  # fmt: skip
        assert expected in problems, expected
    named = [c for c in figures if c["metadata"]["mystnb"]["figure"].get("name")]
    assert not repeated(figure_names([nb]))
    twice = copy.deepcopy(nb)
    twice_named = [c for c in code_cells(twice) if c["metadata"].get("mystnb", {}).get("figure", {}).get("name")]
    twice_named[1]["metadata"]["mystnb"]["figure"]["name"] = named[0]["metadata"]["mystnb"]["figure"]["name"]
    assert repeated(figure_names([twice]))
    several = copy.deepcopy(nb)
    two_images = next(c for c in code_cells(several) if len(image_outputs(c)) > 1)
    two_images["metadata"]["mystnb"]["figure"]["name"] = "fig-several"
    assert repeated(figure_names([several])) == ["fig-several"]
