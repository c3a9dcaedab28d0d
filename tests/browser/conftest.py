"""The built website, served from 127.0.0.1, and a headless Chromium to read it with.

Chromium comes from the system (Debian: ``apt-get install chromium``; elsewhere any Chromium or
Chrome, named by ``AINOTES_CHROMIUM``): Playwright drives it through ``executable_path``, so no
browser is ever downloaded and the test runs offline.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str:
    """The Chromium to drive: ``AINOTES_CHROMIUM``, else the first one on the PATH."""
    named = os.environ.get("AINOTES_CHROMIUM")
    if named:
        if not Path(named).is_file():
            raise FileNotFoundError(f"AINOTES_CHROMIUM={named} is not a file: point it at a Chromium or Chrome binary.")
        return named
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    raise FileNotFoundError(
        "The browser test needs Chromium and found none on the PATH. Install it (Debian/Ubuntu: "
        "`sudo apt-get install chromium`; macOS: `brew install --cask chromium`) or set AINOTES_CHROMIUM to a "
        "Chromium or Chrome binary. Never `playwright install`: it downloads browsers."
    )


def site_pages() -> list[str]:
    """Every page of the built site, as paths relative to its root (redirect stubs left out)."""
    if not (SITE / "book" / "intro.html").is_file():
        raise FileNotFoundError(f"No built website in {SITE}: run `make book` first (`make test` does it for you).")
    pages = []
    for path in sorted(SITE.rglob("*.html")):
        relative = path.relative_to(SITE).as_posix()
        if relative.startswith(("_static/", "_sources/", "_images/")):
            continue
        if 'http-equiv="Refresh"' in path.read_text(encoding="utf-8")[:500]:
            continue
        pages.append(relative)
    return pages


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the standard library's name
        pass


def pytest_generate_tests(metafunc) -> None:
    """Run every test that takes ``path`` once per page of the built site."""
    if "path" in metafunc.fixturenames:
        metafunc.parametrize("path", site_pages())


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1 (a free port), as a reader's browser gets it."""
    site_pages()
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site() -> Path:
    """The folder of the built website."""
    return SITE


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
