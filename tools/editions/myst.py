"""MyST Markdown, as the website reads it, turned into plain Markdown that Colab and Jupyter render.

The chapters use a few MyST features: directives in fences (```` ```{note} ````), roles
(``{glue:text}`name:,` ``, ``{cite:p}`key` ``), and targets (``(label)=``). Colab shows all of them
as raw text. This module rewrites each known one into Markdown, and refuses an unknown one with a
message that names it, so that a new chapter cannot ship raw markup to readers without anybody
noticing.
"""

from __future__ import annotations

import re
from ast import literal_eval
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.editions.cite import Bibliography

__all__ = ["Directive", "EditionError", "Links", "blocks_to_markdown", "format_glue", "split_blocks", "to_markdown"]

FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<args>.*)$")
ROLE = re.compile(r"\{(?P<name>[\w:-]+)\}`(?P<content>[^`]*)`")
OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")
TARGET = re.compile(r"^\((?P<label>[\w:-]+)\)=[ \t]*$")
ADMONITIONS = ("note", "tip", "hint", "important", "warning", "caution", "attention", "danger", "error", "seealso")


class EditionError(ValueError):
    """A chapter the editions cannot be made from (unknown markup, a missing glue, a bare solution cell).

    The message says what was wrong, where, and what to write instead.
    """


@dataclass
class Directive:
    """One fenced MyST directive: ```` ```{name} args ```` with ``:key: value`` options and a body."""

    name: str
    args: str
    options: dict[str, str]
    body: str


@dataclass
class Links:
    """What roles need to know about the whole book: glued values, page titles, labels."""

    glue: dict[str, str]
    website: str  # ends with "/"
    raw_files: str  # where the repository's files are served, ends with "/"
    titles: dict[str, str] = field(default_factory=dict)  # docname ("book/intro") -> title
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (docname, text)
    docname: str = ""
    bibliography: Bibliography | None = None  # what {cite:p} and {cite:t} cite (tools/editions/cite.py)

    def page(self, docname: str, anchor: str = "") -> str:
        return f"{self.website}{docname}.html" + (f"#{anchor}" if anchor else "")


def split_blocks(text: str) -> Iterator[str | Directive]:
    """Cut Markdown into plain text and top-level directives, in order.

    Examples
    --------
    >>> blocks = list(split_blocks("Hi.\\n```{note}\\n:class: tip\\nBody.\\n```\\nBye."))
    >>> blocks[0], blocks[1].name, blocks[1].options, blocks[1].body, blocks[2]
    ('Hi.\\n', 'note', {'class': 'tip'}, 'Body.', 'Bye.')
    """
    lines = text.splitlines(keepends=True)
    plain: list[str] = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i].rstrip("\n"))
        if not match:
            plain.append(lines[i])
            i += 1
            continue
        close = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == match["fence"]), None)
        if close is None:
            raise EditionError(f"The directive {{{match['name']}}} opened by {lines[i].strip()!r} is never closed.")
        if plain:
            yield "".join(plain)
            plain = []
        body = [line.rstrip("\n") for line in lines[i + 1 : close]]
        options = {}
        while body and OPTION.match(body[0]):
            option = OPTION.match(body.pop(0))
            options[option["key"]] = option["value"].strip()
        yield Directive(match["name"], match["args"].strip(), options, "\n".join(body).strip("\n"))
        i = close + 1
    if plain:
        yield "".join(plain)


def format_glue(plain_text: str, spec: str) -> str:
    """Format a glued value as myst-nb's ``{glue:text}`` role does (the value's repr, then the spec).

    Examples
    --------
    >>> (
    ...     format_glue("225034", ","),
    ...     format_glue("91.75999999999999", ".1f"),
    ...     format_glue("'Shirt'", ""),
    ... )
    ('225,034', '91.8', 'Shirt')
    """
    try:
        value = literal_eval(plain_text)
    except (SyntaxError, ValueError):
        value = plain_text
    if spec == "":
        return str(value)
    kind = spec[-1]
    if kind == "s":
        value = str(value)
    elif kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    return format(value, spec)


def _role(name: str, content: str, links: Links) -> str:
    if name in ("glue:text", "glue", "glue:md"):
        key, _, spec = content.partition(":")
        if key not in links.glue:
            raise EditionError(f"{{{name}}}`{content}` in {links.docname}: nothing was glued as {key!r}; "
                            "execute the chapter (make notebooks) before generating its editions.")  # fmt: skip
        return format_glue(links.glue[key], spec)
    explicit = re.fullmatch(r"(?P<text>.+?)\s*<(?P<target>[^<>]+)>", content)
    text, target = (explicit["text"], explicit["target"]) if explicit else (None, content)
    if name == "doc":
        docname = target if "/" in target else f"{links.docname.rsplit('/', 1)[0]}/{target}"
        return f"[{text or links.titles.get(docname, target)}]({links.page(docname)})"
    if name in ("ref", "numref"):
        if target not in links.labels:
            raise EditionError(f"{{{name}}}`{content}` in {links.docname}: unknown label {target!r}.")
        docname, label_text = links.labels[target]
        return f"[{text or label_text}]({links.page(docname, target)})"
    if name == "math":
        return f"${content}$"
    if name in ("cite", "cite:p", "cite:t"):
        from tools.editions.cite import cite

        if links.bibliography is None:
            raise EditionError(f"{{{name}}}`{content}` in {links.docname}: the book has no bibliography to cite from.")
        return cite(name, content, links.bibliography, links.docname)
    raise EditionError(f"The role {{{name}}} in {links.docname} has no Colab rendering yet; "
                    "add one to tools/editions/myst.py or write plain Markdown.")  # fmt: skip


def _quote(title: str, body: str) -> str:
    lines = [f"**{title}**", ""] + body.splitlines()
    return "\n".join(f"> {line}".rstrip() for line in lines)


def _image(path: str, alt: str, links: Links) -> str:
    url = path if re.match(r"https?://", path) else f"{links.raw_files}{links.docname.rsplit('/', 1)[0]}/{path}"
    return f"![{alt}]({url})"


def to_markdown(text: str, links: Links, exercise_title: Callable[[Directive], str] | None = None) -> str:
    """Rewrite MyST ``text`` as Markdown: directives as block quotes or images, roles as text or links.

    ``exercise_title`` names an ``{exercise}`` directive (for example "Exercise 2.1 (Shapes)");
    without it, exercises are refused.

    Examples
    --------
    >>> links = Links(
    ...     glue={"n": "1600"},
    ...     website="https://book.example/",
    ...     raw_files="https://raw.example/",
    ... )
    >>> print(
    ...     to_markdown(
    ...         "So {glue:text}`n:,` values.\\n```{note}\\nSee {math}`x^2`.\\n```", links
    ...     )
    ... )
    So 1,600 values.
    <BLANKLINE>
    > **Note**
    >
    > See $x^2$.
    """
    return blocks_to_markdown(split_blocks(text), links, exercise_title)


def blocks_to_markdown(blocks: Iterable[str | Directive], links: Links,
                       exercise_title: Callable[[Directive], str] | None = None) -> str:  # fmt: skip
    """:func:`to_markdown` for text already cut by :func:`split_blocks`."""
    out = []
    for block in blocks:
        if isinstance(block, str):
            kept = [line for line in block.splitlines(keepends=True) if not TARGET.match(line.strip())
                    and not line.startswith("% ") and line.strip() != "+++"]  # fmt: skip
            out.append(ROLE.sub(lambda m: _role(m["name"], m["content"], links), "".join(kept)))
            continue
        name = block.name
        if name == "only":  # website-only text (```{only} html```): rocket icons, "on this page"
            continue
        out.append("\n")  # a blank line before and after each block, so no paragraph runs into it
        body = to_markdown(block.body, links, exercise_title)
        if name == "admonition":
            out.append(_quote(block.args, body))
        elif name in ADMONITIONS:
            title = {"seealso": "See also"}.get(name, name.capitalize())
            out.append(_quote(title, (block.args + "\n" + body).strip()))
        elif name == "exercise" and exercise_title is not None:
            out.append(_quote(exercise_title(block), body))
        elif name in ("figure", "image"):
            caption = to_markdown(block.body, links).strip()
            alt = block.options.get("alt", caption.splitlines()[0] if caption else "figure")
            out.append(_image(block.args, alt, links) + (f"\n\n*{caption}*" if caption else ""))
        elif name == "math":
            out.append(f"$$\n{block.body}\n$$")
        elif name == "bibliography":  # the entries live on the website's references page
            page = links.bibliography.page if links.bibliography else links.page("book/references")
            out.append(f"The works cited are listed on the [references page]({page}) of the book's website.")
        elif name in ("code-block", "code", "code-cell"):
            out.append(f"```{block.args}\n{block.body}\n```")
        else:
            raise EditionError(f"The directive {{{name}}} in {links.docname} has no Colab rendering yet; "
                            "add one to tools/editions/myst.py or write plain Markdown.")  # fmt: skip
        out.append("\n\n")
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip("\n")
