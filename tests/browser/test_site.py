"""The built website in a real browser (headless Chromium), as readers see it.

Every page is opened from a local server at a desktop width (1280 px, light and dark mode) and a
phone width (390 px), with every request to another host refused, so the site must work offline.
A page passes when it shows no console error and no failed request, renders all its math and
saved widgets, loads every image with a caption or a meaningful alt text, keeps inline code
readable, repeats no id, keeps widget controls on a phone's screen, cuts no code line at desktop
width (unless its cell is tagged ``scroll-ok``) and its sidebar buttons open and close their
drawers; a solution opens when its title is clicked. Screenshots of each view land in ``_build/screenshots`` for a reviewer.

Run after ``make book``: ``make test`` does both (``.venv/bin/python -m pytest tests/browser``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHECKS = (Path(__file__).parent / "checks.js").read_text(encoding="utf-8")
ALLOW_SCROLL_TAG = "scroll-ok"


@dataclass(frozen=True)
class View:
    name: str
    width: int
    height: int
    scheme: str

    @property
    def phone(self) -> bool:
        return self.width < 600


VIEWS = [View("desktop", 1280, 900, "light"), View("phone", 390, 844, "light"), View("desktop-dark", 1280, 900, "dark")]


@dataclass
class Visit:
    """What a page did while it loaded: console errors, failed requests, requests to other hosts."""

    errors: list[str] = field(default_factory=list)

    def listen(self, page, server: str) -> None:
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"script error: {e}"))
        page.on("requestfailed", lambda r: self._failed(r, server))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"))

    def _failed(self, request, server: str) -> None:
        if request.url.startswith(server):
            self.errors.append(f"request failed ({request.failure}): {request.url}")


def open_page(browser, server: str, path: str, view: View):
    """Load ``path`` in a fresh context and wait until its math and widgets had time to render."""
    context = browser.new_context(viewport={"width": view.width, "height": view.height}, color_scheme=view.scheme)
    visit = Visit()
    local = urlsplit(server).netloc

    def route(r):
        if urlsplit(r.request.url).netloc == local:
            r.continue_()
        else:
            visit.errors.append(f"request to another host: {r.request.url}")
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    visit.listen(page, server)
    page.goto(f"{server}/{path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        """() => [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
                   .every(s => s.previousElementSibling?.classList.contains('widget-subarea')
                               && s.previousElementSibling.firstElementChild)""",
        timeout=30_000,
    )
    page.wait_for_timeout(300)  # layout settles (fonts, MathJax's last pass)
    return context, page, visit


def sidebar_state(page) -> dict[str, bool]:
    """Whether the chapter list (primary) and the page contents (secondary) are on screen."""
    return page.evaluate(
        """() => {
          const shown = (selector) => [...document.querySelectorAll(selector)].some(a => {
            const r = a.getBoundingClientRect();
            return r.width > 0 && r.left >= 0 && r.right <= innerWidth && a.checkVisibility({visibilityProperty: true});
          });
          return {primary: shown('.bd-sidebar-primary .bd-links a, dialog .bd-links a'),
                  secondary: shown('.bd-sidebar-secondary a, dialog .bd-toc a')};
        }"""
    )


def toggle_problems(page, view: View, screenshots: Path, stem: str) -> list[str]:
    """Click each visible sidebar button: its drawer must open (or close), then close (or open) again."""
    problems = []
    has_contents = page.locator(".bd-sidebar-secondary a").count() > 0
    for side in ("primary", "secondary"):
        buttons = page.locator(f"button.{side}-toggle:visible")
        if buttons.count() == 0:
            if side == "primary" or (view.phone and has_contents):
                problems.append(f"no visible {side} sidebar button at {view.width} px")
            continue
        before = sidebar_state(page)[side]
        buttons.first.click()
        page.wait_for_timeout(600)
        after = sidebar_state(page)[side]
        if after == before:
            problems.append(f"the {side} sidebar button does nothing at {view.width} px")
            continue
        if view.phone:
            page.screenshot(path=screenshots / f"{stem}-{side}-drawer.png")
        # Close again the way a reader would: the same button if it can be clicked, else Escape.
        button = page.locator(f"button.{side}-toggle:visible").first
        try:
            button.click(timeout=1_000)
        except Exception:
            page.keyboard.press("Escape")
        page.wait_for_timeout(600)
        if sidebar_state(page)[side] != before:
            problems.append(f"the {side} sidebar does not close again at {view.width} px")
    return problems


def test_the_site_serves_the_patched_widget_bundle(site):
    """`make book` copies embed-amd.js with web/patch_embed_amd.py's repairs (fonts, MathJax 3, alt text)."""
    bundle = site / "_static" / "widgets" / "embed-amd.js"
    assert bundle.is_file(), "the site loads the widget manager from a CDN: run `make book` with npm installed"
    text = bundle.read_text(encoding="utf-8")
    assert ".uri,document.location" not in text and "MathJax.typesetPromise" in text and "c.alt=e.alt" in text


def solution_problems(page) -> list[str]:
    """Clicking the exercise link in a solution's title must open the solution, not jump away."""
    link = page.locator(".solution.dropdown > .admonition-title a.reference").first
    if link.count() == 0:
        return []
    solution = page.locator(".solution.dropdown").first
    url = page.url
    link.click(force=True)  # at the link's position, as a reader clicks (the title receives it)
    page.wait_for_timeout(300)
    problems = []
    if page.url != url:
        problems.append(f"clicking a solution's title left the page for {page.url}")
    if "toggle-hidden" in (solution.get_attribute("class") or ""):
        problems.append("clicking a solution's title did not open the solution")
    return problems


@pytest.mark.parametrize("view", VIEWS, ids=[v.name for v in VIEWS])
def test_page(browser, server, screenshots, path, view):
    """One page at one view (``path`` runs over every page: see conftest.py)."""
    context, page, visit = open_page(browser, server, path, view)
    try:
        stem = f"{path.removesuffix('.html').replace('/', '-')}-{view.name}"
        problems = page.evaluate(f"{CHECKS}\ncheckPage({{phone: {str(view.phone).lower()}, "
                                 f"allowScrollTag: '{ALLOW_SCROLL_TAG}'}})")  # fmt: skip
        page.screenshot(path=screenshots / f"{stem}.png")
        if view.scheme == "light":
            problems += toggle_problems(page, view, screenshots, stem)
        if view.name == "desktop":
            problems += solution_problems(page)
        problems = visit.errors + problems
        assert not problems, f"{path} at {view.name} ({view.width} px): {len(problems)} problem(s)\n" + "\n".join(
            f"  - {p}" for p in problems
        )
    finally:
        context.close()
