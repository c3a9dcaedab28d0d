"""The transfer-learning explorer: chapter 7's four ways to train, on small and large training sets.

The chapter's notebook trains each method on N images per class and keeps, for each N, the
validation accuracy of every epoch and the final test accuracy, as plain data::

    results = {
        "fine-tuning": {50: {"curve": [0.61, 0.70, ...], "test": 0.767}, 500: {...}},
        ...,
    }

:func:`transfer_figure` draws them (the curves for one N, and the test accuracy against N);
:func:`transfer_caption` says in words which method wins for that N; and :class:`TransferExplorer`
is a thin widget layer over both that only redraws, never trains. It uses only ipywidgets APIs
common to versions 7.7 (Google Colab) and 8. Nothing changes matplotlib's style on import.
"""

from __future__ import annotations

import difflib
import html
import numbers
from collections.abc import Iterable
from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator

from ainotes._signatures import init_signature
from ainotes.arguments import flag, whole
from ainotes.notebook import show_figure

__all__ = ["METHOD_COLOURS", "TransferExplorer", "transfer_caption", "transfer_figure"]

#: One colour per method, in the order of the results dict (the book's blue, red, green, then purple,
#: orange and grey); a method keeps its colour in both panels, whichever methods are shown.
METHOD_COLOURS = ("#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#57606a")
GREY = "#57606a"
_WIDTH = 9.6  # inches: about 770 pixels at the book's dpi of 80
_SHAPE = ("method -> {images per class (int) -> {'curve': [validation accuracy per epoch, fractions from 0 to 1], "
          "'test': test accuracy (fraction)}}, e.g. {'fine-tuning': {50: {'curve': [0.61, 0.7], 'test': 0.72}}}")  # fmt: skip
_NO_METHOD = "Tick at least one method to see its curves and test accuracy."


def _kind(value: Any) -> str:
    return f"{type(value).__name__} {value!r}" if len(repr(value)) <= 40 else type(value).__name__


def _fraction(value: Any, where: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.number)):
        fix = ": use .item() for a tensor's number" if type(value).__name__ == "Tensor" else ""
        raise ValueError(f"{where} must be a number, the {what} as a fraction from 0 to 1, got {_kind(value)}{fix}.")
    if not 0 <= value <= 1:  # NaN too
        hint = f": give fractions ({value / 100:g}, not {value:g})" if 1 < value <= 100 else ""
        raise ValueError(f"{where} = {value:g} is not a fraction from 0 to 1 ({what}){hint}.")
    return float(value)


def _checked(results: Any) -> dict[str, dict[int, dict]]:
    """A checked copy of ``results``: method -> {N -> {"curve": [floats], "test": float}}, N ascending."""
    if not isinstance(results, dict) or not results:
        raise ValueError(f"results must be a non-empty dict {_SHAPE}; got {_kind(results)}.")
    checked: dict[str, dict[int, dict]] = {}
    first = None
    for method, runs in results.items():
        if not isinstance(method, str) or not method:
            raise ValueError(f"results: the method name {method!r} must be a non-empty string, e.g. 'fine-tuning'.")
        where = f"results[{method!r}]"
        if not isinstance(runs, dict) or not runs:
            raise ValueError(f"{where} must be a non-empty dict {{images per class: {{'curve': [...], 'test': ...}}}}"
                             f", got {_kind(runs)}. Expected: {_SHAPE}.")  # fmt: skip
        for n in runs:
            if isinstance(n, bool) or not isinstance(n, (numbers.Integral, np.integer)) or n < 1:
                fix = (
                    " (keys read back from JSON are strings: convert them with int(key))" if isinstance(n, str) else ""
                )
                raise ValueError(f"{where}: the key {n!r} must be a number of images per class, a whole number of "
                                 f"at least 1, e.g. 50{fix}.")  # fmt: skip
        ns = sorted(int(n) for n in runs)
        if first is None:
            first = (method, ns)
        elif ns != first[1]:
            raise ValueError(f"{where} has images per class {', '.join(map(str, ns))} but results[{first[0]!r}] has "
                             f"{', '.join(map(str, first[1]))}: every method needs results for the same N.")  # fmt: skip
        checked[method] = {}
        for n in ns:
            run, at = runs[n], f"{where}[{n}]"
            if not isinstance(run, dict) or "curve" not in run or "test" not in run:
                lacks = (
                    " and ".join(repr(k) for k in ("curve", "test") if k not in run) if isinstance(run, dict) else ""
                )
                raise ValueError(f"{at} must be a dict {{'curve': [validation accuracy per epoch], 'test': test "
                                 f"accuracy}}, got {_kind(run)}{': it lacks ' + lacks if lacks else ''}.")  # fmt: skip
            curve = run["curve"]
            if isinstance(curve, np.ndarray):
                curve = curve.tolist() if curve.ndim == 1 else curve
            if not isinstance(curve, (list, tuple)) or not curve:
                fix = ": convert a tensor with .tolist()" if type(curve).__name__ == "Tensor" else ""
                raise ValueError(f"{at}['curve'] must be a non-empty list of validation accuracies, one per epoch "
                                 f"(fractions from 0 to 1), got {_kind(curve)}{fix}.")  # fmt: skip
            curve = [_fraction(a, f"{at}['curve'][{i}]", "validation accuracy") for i, a in enumerate(curve)]
            checked[method][n] = {"curve": curve, "test": _fraction(run["test"], f"{at}['test']", "test accuracy")}
    return checked


def _n(checked: dict, n: Any) -> int:
    ns = next(iter(checked.values())).keys()
    if n is None:
        return min(ns)
    n = whole(n, "n", example=f"n={min(ns)}")
    if n not in ns:
        raise ValueError(f"n={n} is not in the results: give one of {', '.join(map(str, ns))} (images per class).")
    return n


def _methods(checked: dict, methods: Any) -> list[str]:
    """The chosen methods, in the results' order (so each keeps its colour)."""
    if methods is None:
        return list(checked)
    available = ", ".join(map(repr, checked))
    if isinstance(methods, str) or not isinstance(methods, Iterable):
        raise TypeError(f"methods must be a list of method names, got {_kind(methods)}: e.g. [{next(iter(checked))!r}]"
                        f"; available: {available}.")  # fmt: skip
    methods = list(methods)
    unknown = [m for m in methods if not isinstance(m, str) or m not in checked]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(checked), n=1) if isinstance(unknown[0], str) else []
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"methods: {', '.join(map(repr, unknown))} not in the results; available: {available}{guess}.")
    if not methods:
        raise ValueError(f"methods is empty: give at least one of {available}, or None for all.")
    return [m for m in checked if m in methods]


def _colours(checked: dict) -> dict[str, str]:
    return {m: METHOD_COLOURS[i] if i < len(METHOD_COLOURS) else f"C{i}" for i, m in enumerate(checked)}


def _draw(checked: dict, n: int, methods: list[str]) -> Figure:
    colours, ns = _colours(checked), list(next(iter(checked.values())))
    fig, (left, right) = plt.subplots(1, 2, figsize=(_WIDTH, 4.2), layout="constrained")
    epochs = max(len(checked[m][n]["curve"]) for m in methods)
    for m in methods:
        curve = 100 * np.asarray(checked[m][n]["curve"])
        left.plot(np.arange(1, len(curve) + 1), curve, "-o", color=colours[m], linewidth=2,
                  markersize=4 if epochs <= 15 else 0, label=m)  # fmt: skip
        right.plot(ns, [100 * checked[m][k]["test"] for k in ns], "-o", color=colours[m], linewidth=2, markersize=6,
                   label=m)  # fmt: skip
    left.set_xlim(0.5, epochs + 0.5)
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.axvline(n, color=GREY, linestyle="--", linewidth=1.5, zorder=0, label=f"{n:,} per class (left panel)")
    right.set_xscale("log")
    right.set_xlim(min(ns) / 1.6, max(ns) * 1.6)
    right.xaxis.set_major_locator(FixedLocator(ns))
    right.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    right.xaxis.set_minor_locator(NullLocator())
    for ax, title, xlabel, ylabel in (
        (left, f"Validation accuracy while training, {n:,} images per class", "epoch", "validation accuracy (%)"),
        (right, "Test accuracy against training-set size", "images per class (log scale)", "test accuracy (%)"),
    ):  # fmt: skip
        ax.set_title(title, fontsize=11)
        ax.set_xlabel(xlabel, fontsize=10)
        ax.set_ylabel(ylabel, fontsize=10)
        ax.tick_params(labelsize=9)
        ax.grid(alpha=0.3)
    handles = right.get_lines()[:-1] + right.get_lines()[-1:]  # the methods, then the chosen N
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 5), fontsize=9, frameon=False)
    return fig


def transfer_figure(results: dict, n: int | None = None, methods: Iterable[str] | None = None) -> Figure:
    """Two panels side by side, 9.6 inches wide: the validation accuracy (%) of each method at every
    epoch for ``n`` images per class, and every method's test accuracy (%) against the number of
    images per class, on a log scale, with a dashed line at ``n``. Each method keeps one colour
    (from ``METHOD_COLOURS``, by its place in ``results``); one legend below both panels.

    Parameters
    ----------
    results : dict
        ``method -> {images per class (int) -> {"curve": [validation accuracy per epoch], "test":
        test accuracy}}``, accuracies as fractions from 0 to 1; every method with the same N. The
        numbers of epochs may differ from one N (or method) to another.
    n : int or None, default None
        The images per class of the left panel; None: the smallest N.
    methods : list of str or None, default None
        The methods to show, drawn in the order of ``results``; None: all.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        ``results`` of the wrong shape (the message names the method and N), ``n`` not in the
        results, unknown or no methods.
    TypeError
        ``n`` not a whole number, or ``methods`` a single string instead of a list.

    Examples
    --------
    >>> from ainotes.transfer_explorer import transfer_figure
    >>> results = {
    ...     "CNN from scratch": {
    ...         50: {"curve": [0.3, 0.4, 0.45], "test": 0.44},
    ...         500: {"curve": [0.5, 0.6], "test": 0.62},
    ...     },
    ...     "fine-tuning": {
    ...         50: {"curve": [0.7, 0.75, 0.76], "test": 0.77},
    ...         500: {"curve": [0.85, 0.9], "test": 0.91},
    ...     },
    ... }
    >>> fig = transfer_figure(results)
    >>> [ax.get_title() for ax in fig.axes]
    ['Validation accuracy while training, 50 images per class', 'Test accuracy against training-set size']
    >>> fig.axes[1].get_xscale(), [t.get_text() for t in fig.legends[0].get_texts()]
    ('log', ['CNN from scratch', 'fine-tuning', '50 per class (left panel)'])
    >>> transfer_figure(results, n=100)
    Traceback (most recent call last):
    ...
    ValueError: n=100 is not in the results: give one of 50, 500 (images per class).
    """
    checked = _checked(results)
    return _draw(checked, _n(checked, n), _methods(checked, methods))


def _names(methods: list[str]) -> str:
    return methods[0] if len(methods) == 1 else f"{', '.join(methods[:-1])} and {methods[-1]}"


def _caption(checked: dict, n: int, methods: list[str]) -> str:
    tests = {m: round(100 * checked[m][n]["test"], 1) for m in methods}  # compared as shown: to 0.1 point
    high, low = max(tests.values()), min(tests.values())
    best, worst = [m for m in methods if tests[m] == high], [m for m in methods if tests[m] == low]
    start = f"With {n:,} image{'s' if n != 1 else ''} per class,"
    if len(methods) == 1:
        return f"{start} {methods[0]} gets {high:.1f}% on the test images."
    if high == low:
        return f"{start} {_names(methods)} tie: {high:.1f}% each on the test images."
    lead = f"{best[0]} is best" if len(best) == 1 else f"{_names(best)} tie for best"
    return f"{start} {lead}: {high:.1f}% on the test images, {high - low:.1f} points above {_names(worst)}."


def transfer_caption(results: dict, n: int | None, methods: Iterable[str] | None = None) -> str:
    """In words: for ``n`` images per class, the method best on the test images, and by how many
    percentage points it beats the worst. Accuracies are compared as shown, to 0.1 point, so methods
    equal to that precision tie. Arguments and errors as :func:`transfer_figure`.

    Examples
    --------
    >>> from ainotes.transfer_explorer import transfer_caption
    >>> results = {
    ...     "CNN from scratch": {50: {"curve": [0.5], "test": 0.608}},
    ...     "fine-tuning": {50: {"curve": [0.7], "test": 0.767}},
    ... }
    >>> transfer_caption(results, 50)
    'With 50 images per class, fine-tuning is best: 76.7% on the test images, 15.9 points above CNN from scratch.'
    >>> transfer_caption(results, 50, methods=["fine-tuning"])
    'With 50 images per class, fine-tuning gets 76.7% on the test images.'
    """
    checked = _checked(results)
    return _caption(checked, _n(checked, n), _methods(checked, methods))


@init_signature
class TransferExplorer(w.VBox):
    """Choose the training-set size and the methods; see the validation curves, the test accuracy
    against the training-set size (figure from :func:`~ainotes.transfer_explorer.transfer_figure`) and the winner in words
    (:func:`~ainotes.transfer_explorer.transfer_caption`). The results are computed beforehand: the controls only redraw.

    Parameters
    ----------
    results : dict
        As :func:`transfer_figure` (a checked copy is kept: later changes to the dict are not seen).
    n : int or None, default None
        The images per class shown first; None: the smallest.
    methods : list of str or None, default None
        The methods ticked at first; None: all.
    show : bool, default True
        Draw the figure at once, so that a page built from the executed notebook shows it (else at
        the first change of a control, or call of :meth:`update`).

    Attributes
    ----------
    n : ToggleButtons
        The images per class, labelled like "50 per class".
    checkboxes : dict of str to Checkbox
        One per method, in the results' order.
    figure, caption : Output, HTML
        Where the figure and the words go.
    drawn : dict
        What is shown: ``n``, ``methods``, ``caption`` (plain text) and ``title`` (the left panel's,
        None before it is drawn); with no method ticked, ``message`` instead of the caption.

    Examples
    --------
    In a notebook, the last line of a cell shows it; outside one, the figures go to stdout as text.

    >>> import contextlib, io
    >>> from ainotes.transfer_explorer import TransferExplorer
    >>> results = {
    ...     "CNN from scratch": {
    ...         50: {"curve": [0.3, 0.45], "test": 0.44},
    ...         500: {"curve": [0.6], "test": 0.62},
    ...     },
    ...     "fine-tuning": {
    ...         50: {"curve": [0.7, 0.76], "test": 0.77},
    ...         500: {"curve": [0.9], "test": 0.91},
    ...     },
    ... }
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     explorer = TransferExplorer(results)
    >>> explorer.n.label, explorer.drawn["title"]
    ('50 per class', 'Validation accuracy while training, 50 images per class')
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     explorer.n.value = 500
    >>> explorer.drawn["caption"]
    'With 500 images per class, fine-tuning is best: 91.0% on the test images, 29.0 points above CNN from scratch.'
    """

    def __init__(self, results: dict, n: int | None = None, methods: Iterable[str] | None = None, *,
                 show: bool = True) -> None:  # fmt: skip
        self.results = _checked(results)
        show = flag(show, "show")
        n, chosen = _n(self.results, n), _methods(self.results, methods)
        ns = list(next(iter(self.results.values())))
        self.n = w.ToggleButtons(options=[(f"{k:,} per class", k) for k in ns], value=n, description="images",
                                 style={"description_width": "60px", "button_width": "110px"})  # fmt: skip
        self.checkboxes = {m: w.Checkbox(value=m in chosen, description=m, indent=False,
                                         layout=w.Layout(width="auto", margin="0 16px 0 0")) for m in self.results}  # fmt: skip
        self.figure, self.caption = w.Output(), w.HTML()
        self.drawn: dict = {}
        wrap = w.Layout(flex_flow="row wrap")  # on a phone the controls wrap instead of being cut off
        boxes = w.HBox([w.Label("methods:"), *self.checkboxes.values()], layout=wrap)
        super().__init__([self.n, boxes, self.figure, self.caption])
        for control in (self.n, *self.checkboxes.values()):
            control.observe(lambda _: self.update(), "value")
        self.update(draw=show)

    def settings(self) -> dict:
        """The controls' values, as arguments of :func:`transfer_figure` (``methods`` may be empty)."""
        return dict(n=self.n.value, methods=[m for m, box in self.checkboxes.items() if box.value])

    def update(self, draw: bool = True) -> None:
        """Redraw (called whenever a control changes); ``draw=False`` updates the caption only."""
        s = self.settings()
        if not s["methods"]:  # a message, not an error
            self.caption.value = f'<p style="color:#cf222e">{_NO_METHOD}</p>'
            self.figure.clear_output()
            self.drawn = dict(s, message=_NO_METHOD, title=None)
            return
        text = _caption(self.results, s["n"], s["methods"])
        self.caption.value = f"<p>{html.escape(text, quote=False)}</p>"
        self.drawn = dict(s, caption=text, title=None)
        if not draw:
            return
        with self.figure:
            self.figure.clear_output(wait=True)
            fig = _draw(self.results, s["n"], s["methods"])
            self.drawn["title"] = fig.axes[0].get_title()
            show_figure(fig)
            plt.close(fig)
