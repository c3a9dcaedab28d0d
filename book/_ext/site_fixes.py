"""Small repairs to the HTML that the book's toolchain writes, each found by the browser test.

- Scripts added twice to a page (sphinx-thebe and sphinx-togglebutton each register their inline
  configuration twice under Jupyter Book): the second ``const THEBE_JS_URL`` is a SyntaxError on
  every page. Each script is kept once.
- MathJax on pages without math: Sphinx counts the equations of every chapter in the root page's
  table of contents as the root page's own, so the introduction loaded MathJax for nothing.
- Repeated ids: sphinx-exercise gives the body of every exercise the id ``exercise-content`` (and
  every solution ``solution-content``), so a chapter repeats each id eight times. Each body gets
  the id of its exercise with ``-content`` appended, and the old id as a class.

- Widgets that look live but are frozen: the website shows each widget as it was saved, and its
  controls do nothing there. A note right below each widget says so and links to the chapter's
  Colab edition, where it works.

tests/browser/test_site.py checks the built pages for all four.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from docutils import nodes

_SHARED_IDS = ("exercise-content", "solution-content")
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_CONTROLS = {"Button", "Checkbox", "ColorPicker", "Combobox", "DatePicker", "Dropdown", "FloatLogSlider",
             "FloatRangeSlider", "FloatSlider", "FloatText", "BoundedFloatText", "IntRangeSlider", "IntSlider",
             "IntText", "BoundedIntText", "Play", "RadioButtons", "Select", "SelectMultiple", "SelectionSlider",
             "SelectionRangeSlider", "Text", "Textarea", "ToggleButton", "ToggleButtons"}  # fmt: skip


def colab_url(app, docname: str) -> str | None:
    """The Colab edition of chapter ``docname`` (``book/NN-name``), as its launch button opens it."""
    options = app.config.html_theme_options
    repository = options.get("repository_url", "").removeprefix("https://github.com/")
    colab = options.get("launch_buttons", {}).get("colab_url", "")
    if not (repository and colab and docname.startswith("book/")):
        return None
    branch = options.get("repository_branch", "main")
    return f"{colab}/github/{repository}/blob/{branch}/colab/{docname.removeprefix('book/')}.ipynb"


def _has_controls(state: dict, model_id: str, seen: set | None = None) -> bool:
    """Whether the saved widget ``model_id`` holds anything a reader can operate (a progress bar does not)."""
    seen = set() if seen is None else seen
    if model_id in seen or model_id not in state:
        return False
    seen.add(model_id)
    model = state[model_id]
    if model.get("model_name", "").removesuffix("Model") in _CONTROLS:
        return True
    children = model.get("state", {}).get("children", [])
    return any(_has_controls(state, c.removeprefix("IPY_MODEL_"), seen) for c in children if isinstance(c, str))


def _frozen_widget_notes(app, doctree, docname) -> None:
    source = Path(app.env.doc2path(docname))
    if source.suffix != ".ipynb":
        return
    widgets = json.loads(source.read_text(encoding="utf-8")).get("metadata", {}).get("widgets", {})
    state = widgets.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    url = colab_url(app, docname)
    where = f'<a href="{url}">open this chapter in Colab</a>' if url else "run this chapter in Jupyter or Colab"
    note = (f'<p class="frozen-widget-note">A snapshot of the widget: its controls do nothing on this website. '
            f"To use it, {where} (rocket icon at the top).</p>")  # fmt: skip
    for raw in list(doctree.findall(nodes.raw)):
        found = raw.get("format") == "html" and re.search(r'"model_id": *"([0-9a-f]+)"', raw.astext())
        if found and _WIDGET_VIEW in raw.astext() and _has_controls(state, found.group(1)):
            raw.parent.insert(raw.parent.index(raw) + 1, nodes.raw("", note, format="html"))


def _unique_exercise_ids(app, doctree, docname) -> None:
    sections = [s for s in doctree.findall(nodes.section) if any(i in _SHARED_IDS for i in s["ids"])]
    for number, section in enumerate(sections, start=1):
        shared = [i for i in section["ids"] if i in _SHARED_IDS]
        parent_ids = section.parent.get("ids", []) if section.parent is not None else []
        label = parent_ids[0] if parent_ids else f"{shared[0]}-{number}"
        new_id = f"{label}-content" if parent_ids else label
        section["ids"] = [new_id if i in _SHARED_IDS else i for i in section["ids"]]
        section["classes"].extend(shared)


def _tidy_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if scripts is None:
        return
    kept, seen = [], set()
    body = context.get("body", "")
    needs_math = 'class="math' in body or "application/vnd.jupyter.widget-view+json" in body
    for script in scripts:
        filename, attributes = str(getattr(script, "filename", script) or ""), getattr(script, "attributes", {})
        key = (filename, attributes.get("body", ""))
        is_mathjax = filename.endswith(app.config.mathjax_path) or attributes.get("body", "").startswith(
            "window.MathJax"
        )
        if key in seen or (is_mathjax and not needs_math):
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept


def setup(app):
    app.connect("doctree-resolved", _unique_exercise_ids)
    app.connect("doctree-resolved", _frozen_widget_notes)
    app.connect("html-page-context", _tidy_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
