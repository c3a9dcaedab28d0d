"""Serve MathJax and the Jupyter widget manager from the website itself, when available.

`make book` fetches them with npm into `_vendor/` (see web/README.md). With them, the built pages
show math and widgets with no internet, as in a classroom. Without them (no npm), the pages load
both from public CDNs, which is myst-nb's default.
"""

from pathlib import Path


def _use_local_assets(app, config) -> None:
    vendor = Path(app.srcdir) / "_vendor"
    if not (vendor / "widgets" / "embed-amd.js").is_file():
        return
    config.html_static_path = [*config.html_static_path, str(vendor)]
    config.mathjax_path = "mathjax/tex-chtml.js"
    config.nb_ipywidgets_js = {
        "widgets/require.js": {},
        "widgets/embed-amd.js": {"data-jupyter-widgets-cdn": "https://cdn.jsdelivr.net/npm/"},
    }


def setup(app):
    app.connect("config-inited", _use_local_assets, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
