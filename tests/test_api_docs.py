"""The API reference (book/api.md) covers every public name of ainotes, each with a docstring and an example.

The public names of a module are its ``__all__``. Every function and class among them needs a numpydoc
docstring with an ``Examples`` section holding at least one ``>>>`` line (``pytest ainotes`` runs them as
doctests); every constant needs a doc comment (``#:`` before the assignment) that Sphinx can show. Every
module with an ``__all__`` has a section in book/api.md (an ``automodule`` directive), and each of its
names is listed there: documented by that directive, or in the section's ``autosummary`` table.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import ainotes

ROOT = Path(__file__).resolve().parents[1]
API_PAGE = ROOT / "book" / "api.md"
EXAMPLES = re.compile(r"^Examples\n-{8,}\n(.*?)(?=^\S[^\n]*\n-{3,}\n|\Z)", re.M | re.S)


def public_modules() -> list[ModuleType]:
    """``ainotes`` and each of its modules and packages with an ``__all__``, private ones (``_name``) left out."""
    names = ["ainotes"] + [
        info.name
        for info in pkgutil.walk_packages(ainotes.__path__, "ainotes.")
        if not any(part.startswith("_") for part in info.name.split("."))
    ]
    modules = [importlib.import_module(name) for name in names]
    return [module for module in modules if hasattr(module, "__all__")]


def is_constant(obj: object) -> bool:
    return not (inspect.isclass(obj) or inspect.isroutine(obj))


MODULES = public_modules()
NAMES = [(module.__name__, name) for module in MODULES for name in module.__all__]
CONSTANTS = [(module, name) for module, name in NAMES if is_constant(getattr(importlib.import_module(module), name))]
DOCUMENTED = [pair for pair in NAMES if pair not in CONSTANTS]  # functions and classes


def ids(pairs: list[tuple[str, str]]) -> list[str]:
    return [f"{module}.{name}" for module, name in pairs]


def examples_problem(doc: str | None) -> str | None:
    """What is wrong with a docstring's ``Examples`` section, or None when it has one with a doctest."""
    if not doc or not doc.strip():
        return "has no docstring"
    section = EXAMPLES.search(inspect.cleandoc(doc))
    if section is None:
        return "has no 'Examples' section (a line 'Examples', then a line of dashes)"
    if ">>>" not in section[1]:
        return "has an 'Examples' section without a '>>>' example"
    return None


@functools.cache
def api_sections() -> dict[str, str]:
    """The text of book/api.md's section for each module, keyed by the module of its ``automodule`` directive."""
    text = API_PAGE.read_text()
    sections = {}
    for chunk in re.split(r"^#{2,3} ", text, flags=re.M):
        modules = re.findall(r"^\.\. automodule:: (\S+)", chunk, re.M)
        for module in modules:
            sections[module] = chunk
    return sections


def listed_in_section(section: str, name: str) -> bool:
    """Whether ``name`` is in the section's autosummary table or documented by its automodule directive."""
    table_entries = set()
    for table in re.findall(r"^\.\. autosummary::\n((?:[ \t]+.*\n|\n)*)", section, re.M):
        table_entries |= {line.strip().lstrip("~").rsplit(".", 1)[-1] for line in table.splitlines()}
    if name in table_entries:
        return True
    directive = re.search(r"^\.\. automodule:: \S+\n((?:[ \t]+:.*\n)*)", section, re.M)
    options = dict(re.findall(r"^\s+:([\w-]+):[ \t]*(.*)$", directive[1], re.M)) if directive else {}
    excluded = {n.strip() for n in options.get("exclude-members", "").split(",")}
    if "members" not in options or name in excluded:
        return False
    members = options["members"].strip()
    if not members:  # every name of __all__, except dunder names such as __version__, which must be named
        return not name.startswith("__")
    return name in {n.strip() for n in members.split(",")}


@functools.cache
def doc_comments() -> dict[tuple[str, int], str]:
    """The doc comment of every documented module-level constant of ainotes, by its name and the id of its value.

    A constant is documented in the module that assigns it; a module that imports it has the same value.
    """
    analyzer = pytest.importorskip("sphinx.pycode").ModuleAnalyzer
    docs = {}
    for module in MODULES:
        attr_docs = analyzer.for_module(module.__name__).find_attr_docs()
        for (scope, name), lines in attr_docs.items():
            if scope == "" and hasattr(module, name) and "".join(lines).strip():
                docs[name, id(getattr(module, name))] = "\n".join(lines)
    return docs


def test_the_walk_finds_the_package_modules():
    found = {module.__name__ for module in MODULES}
    assert {"ainotes", "ainotes.data", "ainotes.train", "ainotes.models", "ainotes.device", "ainotes.plot"} <= found


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_module_has_a_docstring_and_a_section_of_the_api_page(module):
    assert (module.__doc__ or "").strip(), f"{module.__name__} has no module docstring (the API page starts with it)."
    assert module.__name__ in api_sections(), (
        f"{module.__name__} has an __all__ but no section in book/api.md: add a heading and "
        f"'.. automodule:: {module.__name__}' (see how the other modules of its group are documented)."
    )


@pytest.mark.parametrize(("module_name", "name"), NAMES, ids=ids(NAMES))
def test_public_name_is_listed_in_its_module_section(module_name, name):
    section = api_sections().get(module_name)
    if section is None:
        pytest.skip(f"{module_name} has no section (test_module_has_a_docstring_and_a_section_of_the_api_page fails)")
    assert listed_in_section(section, name), (
        f"{module_name}.{name} is in __all__ but not in its section of book/api.md: add it to the section's "
        "autosummary table, or to the members of its automodule directive."
    )


@pytest.mark.parametrize(("module_name", "name"), DOCUMENTED, ids=ids(DOCUMENTED))
def test_public_function_or_class_has_a_docstring_with_examples(module_name, name):
    obj = getattr(importlib.import_module(module_name), name)
    problem = examples_problem(obj.__doc__)
    assert problem is None, f"{module_name}.{name} {problem}; see the numpydoc format of the other public names."


@pytest.mark.parametrize(("module_name", "name"), CONSTANTS, ids=ids(CONSTANTS))
def test_public_constant_has_a_doc_comment(module_name, name):
    obj = getattr(importlib.import_module(module_name), name)
    assert (name, id(obj)) in doc_comments(), (
        f"{module_name}.{name} is a public constant without a doc comment: write '#: what it is' on the line "
        "before its assignment, in the module that assigns it."
    )


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        (None, "has no docstring"),
        ("Add two numbers.", "has no 'Examples' section"),
        ("Add.\n\n    Examples\n    --------\n    Call it with two numbers.\n", "without a '>>>' example"),
        (
            "Add.\n\n    Examples\n    --------\n    Call it.\n\n    Notes\n    -----\n    >>> add(1, 2)\n",
            "without a '>>>'",
        ),
        ("Add.\n\n    Examples\n    --------\n    >>> add(1, 2)\n    3\n", None),
    ],
)
def test_the_examples_check_catches_what_it_should(doc, problem):
    found = examples_problem(doc)
    assert found == problem if problem is None else problem in found
