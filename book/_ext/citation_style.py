"""Author-year citations for sphinxcontrib-bibtex: "(Xiao et al., 2017)", "Xiao et al. (2017)".

sphinxcontrib-bibtex's own ``author_year`` style uses square brackets and an italic *et al.*, and
its bibliography styles sort by author with untitled entries first and number every entry. This
registers, for ``_config.yml``:

- ``author_year_round`` (``bibtex_reference_style``): round brackets, "; " between the works of one
  parenthetical citation, "and" between those of a textual one;
- ``plain_author_year`` (``bibtex_default_style``): pybtex's ``plain`` entries, sorted as a reader
  looks them up: by what the citation shows first (authors' last names, or the title of a work
  without an author), then year. ``_static/citations.css`` hides the entries' numeric labels.

The Colab and student editions write citations as plain text with the same brackets and
separators (``tools/editions/cite.py``); ``tests/test_editions.py`` checks that both agree.
"""

import re
from dataclasses import dataclass, field

import pybtex.plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.sorting import BaseSortingStyle
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle


def _parenthetical() -> BracketStyle:  # (Dumoulin and Visin, 2016; Xiao et al., 2017)
    return BracketStyle(left="(", right=")", sep="; ")


def _textual() -> BracketStyle:  # Dumoulin and Visin (2016) and Xiao et al. (2017)
    return BracketStyle(left="(", right=")", sep=", ", sep2=" and ", last_sep=", and ")


def _person() -> PersonStyle:  # Krizhevsky; Dumoulin and Visin; Xiao et al. (three or more authors)
    return PersonStyle(other=Text(" et al."))


@dataclass
class RoundAuthorYearStyle(AuthorYearReferenceStyle):
    bracket_parenthetical: BracketStyle = field(default_factory=_parenthetical)
    bracket_textual: BracketStyle = field(default_factory=_textual)
    bracket_author: BracketStyle = field(default_factory=_parenthetical)
    bracket_label: BracketStyle = field(default_factory=_parenthetical)
    bracket_year: BracketStyle = field(default_factory=_parenthetical)
    person: PersonStyle = field(default_factory=_person)


def _plain(text: str) -> str:
    return re.sub(r"[{}]", "", text).lower()


class AuthorTitleYearSorting(BaseSortingStyle):
    def sorting_key(self, entry):
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        names = "   ".join(" ".join(p.prelast_names + p.last_names + p.first_names + p.middle_names) for p in persons)
        return (_plain(names or entry.fields.get("title", "")), entry.fields.get("year", ""),
                _plain(entry.fields.get("title", "")))  # fmt: skip


class PlainAuthorYearStyle(PlainStyle):
    default_sorting_style = "author_title_year"


def setup(app):
    register_plugin("sphinxcontrib.bibtex.style.referencing", "author_year_round", RoundAuthorYearStyle, force=True)
    pybtex.plugin.register_plugin("pybtex.style.sorting", "author_title_year", AuthorTitleYearSorting, force=True)
    pybtex.plugin.register_plugin("pybtex.style.formatting", "plain_author_year", PlainAuthorYearStyle, force=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
