"""The repairs applied to the website's vendored assets (web/patch_embed_amd.py) and pages (book/_ext/site_fixes.py).

The browser test (tests/browser) checks their effect on the built site, and that the site serves the patched
bundle; these tests check the repairs themselves, without a build, and that a changed upstream file fails loudly
instead of silently going unrepaired.
"""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


patcher = load(ROOT / "web" / "patch_embed_amd.py")
site_fixes = load(ROOT / "book" / "_ext" / "site_fixes.py")

BUNDLE = (
    "r=i(3325),(o=new URL(r.uri,document.location)).pathname=o.pathname;"
    "a=o(3325),(r=new URL(a.uri,document.location));"
    "module=__webpack_require__(73325),url=new URL(module.uri,document.location);"
    'function t(e,t){void 0!==window.MathJax&&MathJax.Hub.Queue(["Typeset",MathJax.Hub,e])}'
    "const c=document.createElement('img');return c.src=`data:${n};base64,${r}`,t.appendChild(c)"
    "}({host:this.node,needsBackground:e.metadata.needs_background,unconfined:t&&t.unconfined})"
)


def test_the_widget_bundle_finds_its_fonts_typesets_with_mathjax_3_and_gives_images_alt_text():
    patched = patcher.patch(BUNDLE)
    assert ',c.alt=e.alt||""' in patched and "unconfined:t&&t.unconfined,alt:t&&t.alt}" in patched
    assert ".uri,document.location" not in patched
    assert patched.count('script[src*="embed-amd.js"]') == 3
    assert "MathJax.typesetPromise([e])" in patched
    assert patcher.patch(patched) == patched  # applying it twice changes nothing


@pytest.mark.parametrize(
    "missing", ["new URL(r.uri,document.location)", 'MathJax.Hub.Queue(["Typeset",MathJax.Hub,e])']
)
def test_a_changed_widget_bundle_fails_loudly(missing):
    with pytest.raises(ValueError, match="no longer contains"):
        patcher.patch(BUNDLE.replace(missing, "something else"))


def test_only_widgets_with_controls_get_the_frozen_note():
    state = {
        "box": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_bar", "IPY_MODEL_label"]}},
        "bar": {"model_name": "FloatProgressModel", "state": {}},
        "label": {"model_name": "HTMLModel", "state": {}},
        "panel": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_box", "IPY_MODEL_slider"]}},
        "slider": {"model_name": "IntSliderModel", "state": {}},
    }
    assert not site_fixes._has_controls(state, "box")  # a progress bar: nothing to operate
    assert site_fixes._has_controls(state, "panel")
    assert not site_fixes._has_controls(state, "unknown")
