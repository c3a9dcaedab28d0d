"""Three repairs to @jupyter-widgets/html-manager's embed-amd.js (1.0.x), applied by `make book` when it copies the
file into _vendor/widgets/ (web/README.md). The browser test (tests/browser) found both.

1. Icon fonts: the bundle's AMD modules set their webpack public path from their RequireJS module URI, which
   RequireJS resolves relative to the *page*, so the icon fonts that the widget CSS names were requested from
   ``book/@jupyter-widgets/...`` (six 404s per chapter). The fonts sit next to embed-amd.js, so the public path
   becomes that script's folder.
2. MathJax: the bundle typesets widget labels with the MathJax 2 API (``MathJax.Hub.Queue``), but the book loads
   MathJax 3 (a script error on every page with a widget). It now calls ``MathJax.typesetPromise`` when it exists.
3. Alt text: images that widgets draw (the explorers' figures) had none. The image renderer now takes the ``alt``
   of the image's output metadata, which ``ainotes.notebook.show_figure`` writes from the figure's titles.

    python web/patch_embed_amd.py _vendor/widgets/embed-amd.js

Fails, naming what it did not find, when a new version of the bundle no longer has the patched code.
"""

from __future__ import annotations

import sys
from pathlib import Path

SCRIPT_URL = "new URL((document.querySelector('script[src*=\"embed-amd.js\"]')||{src:document.location.href}).src)"
MODULE_URLS = [*(f"new URL({name}.uri,document.location)" for name in ("a", "r", "module"))]
TYPESET_V2 = 'MathJax.Hub.Queue(["Typeset",MathJax.Hub,e])'
IMAGE_OPTIONS = "needsBackground:e.metadata.needs_background,unconfined:t&&t.unconfined})"
IMAGE_SOURCE = "c.src=`data:${n};base64,${r}`"
TYPESET_V3 = "(MathJax.typesetPromise?MathJax.typesetPromise([e]).catch(()=>{}):MathJax.Hub&&" + TYPESET_V2 + ")"


def patch(text: str) -> str:
    """Return ``text`` with the three repairs; raises ``ValueError`` if a pattern is missing."""
    if TYPESET_V3 in text and not any(pattern in text for pattern in MODULE_URLS):
        return text  # already patched
    for pattern in (*MODULE_URLS, TYPESET_V2, IMAGE_OPTIONS, IMAGE_SOURCE):
        if pattern not in text:
            raise ValueError(f"embed-amd.js no longer contains {pattern!r}: check web/patch_embed_amd.py against the "
                             "new @jupyter-widgets/html-manager version (see its docstring for what it repairs).")  # fmt: skip
    for pattern in MODULE_URLS:
        text = text.replace(pattern, SCRIPT_URL)
    text = text.replace(IMAGE_OPTIONS, IMAGE_OPTIONS.replace("})", ",alt:t&&t.alt})"))
    text = text.replace(IMAGE_SOURCE, IMAGE_SOURCE + ',c.alt=e.alt||""')
    return text.replace(TYPESET_V2, TYPESET_V3)


def main() -> None:
    path = Path(sys.argv[1])
    path.write_text(patch(path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
