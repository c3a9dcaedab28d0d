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
    assert re.search(r"^make test$", ci, re.M) and re.search(r"^make book$", ci, re.M)
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
