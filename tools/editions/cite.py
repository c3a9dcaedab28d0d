"""Citations as the website writes them, for the editions: ``{cite:p}`xiao2017fashion``` → "(Xiao et al., 2017)".

On the website, sphinxcontrib-bibtex turns the roles ``{cite}``/``{cite:p}`` (parenthetical) and
``{cite:t}`` (textual) into author-year citations with the style of ``book/_ext/citation_style.py``,
linked to the entry on the references page. Colab shows roles as raw text, so the editions write the
same words in Markdown, with the same links: author and year in brackets, "; " between the works of
one parenthetical citation, "and" between those of a textual one, "et al." for three authors or
more, the title in italics for a work without an author or editor, "n.d." for one without a year.
Pre- and post-text (``{cite:p}`{see}xiao2017fashion{p. 3}```) work as on the website.

The BibTeX file is read with pybtex (installed with sphinxcontrib-bibtex, the ``[book]`` extra)
only when a chapter cites something.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from tools.editions.myst import EditionError

__all__ = ["Bibliography", "Work", "anchor", "cite"]

ROLES = {"cite": "p", "cite:p": "p", "cite:t": "t"}
TARGET = re.compile(r"\s*(\{(?P<pre>[^{}]+)\})?\s*(?P<key>[^{}\s,]+)\s*(\{(?P<post>[^{}]+)\})?\s*")


@dataclass(frozen=True)
class Work:
    """What a citation shows of one entry: ``who`` ("Xiao et al.", or "*A title*") and ``year``."""

    who: str
    year: str


class Bibliography:
    """The entries of a BibTeX file by key, as :class:`Work`; read on first use."""

    def __init__(self, path: Path, page: str):
        self.path = Path(path)
        self.page = page  # the website page that lists the entries, e.g. ".../book/references.html"

    @functools.cached_property
    def works(self) -> dict[str, Work]:
        if not self.path.is_file():
            raise EditionError(f"A chapter cites a work, but the bibliography {self.path} does not exist.")
        try:
            return _read_works(self.path)
        except ImportError as error:
            raise EditionError(f"Citations need pybtex to read {self.path.name}: install the book's tools "
                            "(pip install -e '.[book]').") from error  # fmt: skip
        except Exception as error:  # pybtex's syntax and duplicate-key errors, a missing title
            raise EditionError(f"Cannot read the bibliography {self.path}: {error!r}") from error


def _read_works(path: Path) -> dict[str, Work]:
    from pybtex.database import parse_file  # strict by default: a broken entry raises
    from pybtex.richtext import Text

    def text(latex: str) -> str:
        return Text.from_latex(latex).render_as("text")

    def last_name(person) -> str:
        return " ".join(text(part) for part in [*person.prelast_names, *person.last_names])

    works = {}
    for key, entry in parse_file(str(path), bib_format="bibtex").entries.items():
        persons = entry.persons.get("author") or entry.persons.get("editor")
        if persons:
            names = [last_name(p) for p in persons]
            who = names[0] if len(names) == 1 else " and ".join(names) if len(names) == 2 else f"{names[0]} et al."
        else:
            who = f"*{text(entry.fields['title'])}*"
        works[key] = Work(who, text(entry.fields["year"]) if "year" in entry.fields else "n.d.")
    return works


def anchor(key: str) -> str:
    """The id of an entry on the references page (``bibtex_cite_id: "cite-{key}"``, made an id by docutils).

    >>> anchor("xiao2017fashion"), anchor("Article_A:2021")
    ('cite-xiao2017fashion', 'cite-article-a-2021')
    """
    return re.sub(r"[^a-z0-9]+", "-", f"cite-{key}".lower()).strip("-")


def cite(role: str, content: str, bibliography: Bibliography, where: str) -> str:
    """The Markdown of one citation role, ``{role}`content```, as the website words it.

    >>> import tempfile
    >>> bib = Path(tempfile.mkdtemp()) / "refs.bib"
    >>> _ = bib.write_text(
    ...     "@book{k, author={Knuth, Donald E.}, title={TAOCP}, year={1968}}"
    ...     "@misc{w, title={A {Web} Page}}"
    ... )
    >>> refs = Bibliography(bib, "https://b.example/references.html")
    >>> print(cite("cite:p", "k,w", refs, "intro"))
    ([Knuth, 1968](https://b.example/references.html#cite-k); [*A Web Page*, n.d.](https://b.example/references.html#cite-w))
    >>> print(cite("cite:t", "{see}k{ch. 1}", refs, "intro"))
    Knuth (see [1968](https://b.example/references.html#cite-k), ch. 1)
    """
    kind = ROLES[role]
    targets, position = [], 0
    while True:
        match = TARGET.match(content, position)
        if not match or not match["key"] or (match.end() < len(content) and content[match.end()] != ","):
            raise EditionError(f"{{{role}}}`{content}` in {where}: write the keys separated by commas, each "
                            "with an optional {pre-text} before it and {post-text} after it.")  # fmt: skip
        targets.append(match)
        if match.end() == len(content):
            break
        position = match.end() + 1
    parts = []
    for target in targets:
        key = target["key"]
        if key not in bibliography.works:
            close = difflib.get_close_matches(key, bibliography.works, n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise EditionError(f"{{{role}}}`{content}` in {where}: no entry {key!r} in {bibliography.path.name}.{hint}")
        work, link = bibliography.works[key], f"{bibliography.page}#{anchor(key)}"
        pre, post = target["pre"] or "", target["post"] or ""
        if kind == "p":
            parts.append(_join(pre, f"[{work.who}, {work.year}]({link})", post))
        else:
            parts.append(f"{work.who} ({_join(pre, f'[{work.year}]({link})', post)})")
    if kind == "p":
        return "(" + "; ".join(parts) + ")"
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + ", and " + parts[-1]


def _join(pre: str, reference: str, post: str) -> str:
    return (f"{pre} " if pre else "") + reference + (f", {post}" if post else "")
