"""The one-cycle schedule explorer: the learning rate and momentum ``OneCycleLR`` gives at every step.

:func:`~ainotes.train.one_cycle_curves` (re-exported here) reads both curves from
``torch.optim.lr_scheduler.OneCycleLR`` itself; :func:`schedule_figure` draws them; and
:class:`OneCycleExplorer` is a thin widget layer over both. It uses only ipywidgets APIs common
to versions 7.7 (Google Colab) and 8. Nothing changes matplotlib's style on import.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Set

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ainotes._signatures import init_signature
from ainotes.arguments import flag, fraction
from ainotes.notebook import show_figure
from ainotes.train.one_cycle import _settings, one_cycle_curves

__all__ = ["OneCycleExplorer", "one_cycle_curves", "schedule_figure"]

LR_COLOUR, MOMENTUM_COLOUR, GREY = "#0969da", "#cf222e", "#57606a"  # the book's blue, red and grey
MAX_LR_RANGE = (1e-4, 1.0)  # the explorer's sliders
PCT_START_RANGE = (0.05, 0.9)
DIV_FACTOR_RANGE = (1.0, 1e3)
FINAL_DIV_FACTOR_RANGE = (1.0, 1e5)
MOMENTUM_RANGE = (0.5, 0.99)
TOTAL_STEPS_RANGE = (10, 5000)
_WIDTH = 9.6  # inches: about 770 pixels at the book's dpi of 80


def _lr(value: float) -> str:
    return f"{value:.3g}"


def _warmup_steps(lr: np.ndarray) -> int:
    """Steps whose learning rate rises, the peak included."""
    return int(np.argmax(lr)) + 1


def _title(s: dict) -> str:
    return (f"One-cycle schedule over {s['total_steps']:,} steps: peak lr {_lr(s['max_lr'])}, pct_start "
            f"{s['pct_start']:g}, div_factor {s['div_factor']:g}, final_div_factor {s['final_div_factor']:g}, "
            f"{s['anneal_strategy']} annealing")  # fmt: skip


def _panel(ax: Axes, values: np.ndarray, colour: str, ylabel: str, title: str, warmup_end: float) -> None:
    ax.plot(np.arange(len(values)), values, color=colour, linewidth=2)
    ax.axvline(warmup_end, color=GREY, linestyle=":", linewidth=1.5, label="end of warm-up")
    ax.set_xlim(0, len(values) - 1)
    ax.set_xlabel("optimiser step", fontsize=10)
    ax.set_ylabel(ylabel, fontsize=10)
    ax.set_title(title, fontsize=11)
    ax.tick_params(labelsize=9)


def _draw(lr: np.ndarray, momentum: np.ndarray, s: dict) -> Figure:
    fig, (left, right) = plt.subplots(1, 2, figsize=(_WIDTH, 3.8), layout="constrained")
    warmup_end = s["pct_start"] * s["total_steps"] - 1  # where OneCycleLR's warm-up phase ends
    _panel(left, lr, LR_COLOUR, "learning rate", "Learning rate per step", warmup_end)
    _panel(right, momentum, MOMENTUM_COLOUR, "momentum (Adam's beta1)", "Momentum per step", warmup_end)
    peak, last = int(np.argmax(lr)), len(lr) - 1
    left.set_ylim(-0.12 * lr[peak], 1.18 * lr[peak])  # room under the curve for the start and final labels
    left.plot([0, peak, last], lr[[0, peak, last]], "o", color=LR_COLOUR, markersize=5, clip_on=False)
    text = dict(textcoords="offset points", fontsize=9)
    left.annotate(f"start {_lr(lr[0])}", (0, lr[0]), xytext=(6, -6), ha="left", va="top", **text)
    right_side = peak > 0.6 * last  # a peak late in the cycle is labelled on its left
    left.annotate(f"peak {_lr(lr[peak])} at step {peak}", (peak, lr[peak]), xytext=(-6 if right_side else 6, 6),
                  ha="right" if right_side else "left", va="bottom", **text)  # fmt: skip
    left.annotate(f"final {_lr(lr[last])}", (last, lr[last]), xytext=(-6, -6), ha="right", va="top", **text)
    low, high = float(momentum.min()), float(momentum.max())
    pad = 0.1 * (high - low) if high > low else 0.01
    right.set_ylim(low - pad, high + pad)
    right.legend(loc="lower right", fontsize=9)
    fig.suptitle(_title(s), fontsize=11)
    return fig


def schedule_figure(max_lr: float = 0.01, total_steps: int = 860, *, pct_start: float = 0.3, div_factor: float = 25.0,
                    final_div_factor: float = 1e4, anneal_strategy: str = "cos", base_momentum: float = 0.85,
                    max_momentum: float = 0.95) -> Figure:  # fmt: skip
    """Two panels side by side: the learning rate and the momentum (Adam's beta1) at every optimiser step.

    A dotted line marks the end of the warm-up; the start, peak and final learning rates are
    written on the curve; the title states the settings. 9.6 inches wide. Settings and errors as
    :func:`~ainotes.train.one_cycle_curves`.

    Examples
    --------
    >>> from ainotes.schedule_explorer import schedule_figure
    >>> fig = schedule_figure(0.01, 860)
    >>> [ax.get_ylabel() for ax in fig.axes], [t.get_text() for t in fig.axes[0].texts]
    (['learning rate', "momentum (Adam's beta1)"], ['start 0.0004', 'peak 0.01 at step 257', 'final 4e-08'])
    """
    s = _settings(max_lr, total_steps, pct_start, div_factor, final_div_factor, anneal_strategy, base_momentum,
                  max_momentum)  # fmt: skip
    return _draw(*one_cycle_curves(**s), s)


def _caption(lr: np.ndarray, s: dict) -> str:
    warmup = _warmup_steps(lr)
    return (f"<p>Start lr <b>{_lr(lr[0])}</b> (max_lr / div_factor), peak <b>{_lr(lr.max())}</b> at step "
            f"{warmup - 1}, final <b>{_lr(lr[-1])}</b> (max_lr / (div_factor × final_div_factor)); the warm-up takes "
            f"{warmup:,} of the {s['total_steps']:,} steps.</p>")  # fmt: skip


@init_signature
class OneCycleExplorer(w.VBox):
    """Choose the one-cycle settings; see the learning rate and momentum at every step (figure from
    :func:`~ainotes.schedule_explorer.schedule_figure`, the start, peak and final learning rates in words below it).

    Parameters
    ----------
    max_lr : float, default 0.01
        The peak learning rate, from 1e-4 to 1.
    total_steps : int, default 860
        Optimiser steps in all, from 10 to 5000.
    pct_start : float, default 0.3
        Fraction of the steps spent warming up, from 0.05 to 0.9.
    div_factor, final_div_factor : float, default 25 and 1e4
        From 1 to 1e3, and from 1 to 1e5.
    anneal_strategy : {"cos", "linear"}, default "cos"
    momentum : (float, float), default (0.85, 0.95)
        ``(base_momentum, max_momentum)``, each from 0.5 to 0.99.
    show : bool, default True
        Draw the figure at once, so that a page built from the executed notebook shows it; with
        False the figure is drawn at the first change of a control (or call of :meth:`update`).

    Attributes
    ----------
    max_lr, total_steps, pct_start, div_factor, final_div_factor, anneal_strategy, momentum : widgets
        The controls, one per argument.
    drawn : dict
        What is shown: the settings (as :func:`~ainotes.train.one_cycle_curves`'s arguments), and ``start``,
        ``peak``, ``final`` (learning rates), ``warmup_steps`` and ``title`` (the figure's, None
        before it is drawn), or ``error`` (the message) for impossible settings.

    Examples
    --------
    In a notebook, the last line of a cell shows it; outside one, the figures go to stdout as text.

    >>> import contextlib, io
    >>> from ainotes.schedule_explorer import OneCycleExplorer
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     explorer = OneCycleExplorer()
    >>> f"{explorer.drawn['start']:.2g}", explorer.drawn["warmup_steps"]
    ('0.0004', 258)
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     explorer.pct_start.value = 0.5
    >>> explorer.drawn["warmup_steps"]
    430
    """

    def __init__(self, max_lr: float = 0.01, total_steps: int = 860, *, pct_start: float = 0.3,
                 div_factor: float = 25.0, final_div_factor: float = 1e4, anneal_strategy: str = "cos",
                 momentum: tuple[float, float] = (0.85, 0.95), show: bool = True) -> None:  # fmt: skip
        if (isinstance(momentum, (str, bytes, Set, Mapping)) or not hasattr(momentum, "__len__")
                or len(momentum) != 2):  # fmt: skip
            raise TypeError(f"momentum must be a pair (base_momentum, max_momentum), got {momentum!r}: e.g. "
                            "momentum=(0.85, 0.95).")  # fmt: skip
        momentum = [fraction(m, f"momentum[{i}]", example="momentum=(0.85, 0.95)") for i, m in enumerate(momentum)]
        show = flag(show, "show")
        s = _settings(max_lr, total_steps, pct_start, div_factor, final_div_factor, anneal_strategy, *momentum)
        for name, value, (low, high) in (
            ("max_lr", s["max_lr"], MAX_LR_RANGE), ("total_steps", s["total_steps"], TOTAL_STEPS_RANGE),
            ("pct_start", s["pct_start"], PCT_START_RANGE), ("div_factor", s["div_factor"], DIV_FACTOR_RANGE),
            ("final_div_factor", s["final_div_factor"], FINAL_DIV_FACTOR_RANGE),
            ("momentum", s["base_momentum"], MOMENTUM_RANGE), ("momentum", s["max_momentum"], MOMENTUM_RANGE),
        ):  # fmt: skip
            if not low <= value <= high:
                raise ValueError(f"{name}: {value:g} is outside the explorer's range: give {low:g} to {high:g}.")
        style = {"description_width": "105px"}
        log = dict(base=10, continuous_update=False, style=style)

        def exponent(x: float) -> float:
            return math.log10(x)

        self.max_lr = w.FloatLogSlider(value=s["max_lr"], min=exponent(MAX_LR_RANGE[0]), max=exponent(MAX_LR_RANGE[1]),
                                       step=0.05, description="peak lr", readout_format=".2g", **log)  # fmt: skip
        self.pct_start = w.FloatSlider(value=s["pct_start"], min=PCT_START_RANGE[0], max=PCT_START_RANGE[1], step=0.01,
                                       description="pct_start", continuous_update=False, style=style)  # fmt: skip
        self.div_factor = w.FloatLogSlider(value=s["div_factor"], min=0, max=exponent(DIV_FACTOR_RANGE[1]), step=0.05,
                                           description="div_factor", readout_format=".3g", **log)  # fmt: skip
        self.final_div_factor = w.FloatLogSlider(value=s["final_div_factor"], min=0,
                                                 max=exponent(FINAL_DIV_FACTOR_RANGE[1]), step=0.1,
                                                 description="final_div_factor", readout_format=".2g", **log)  # fmt: skip
        self.anneal_strategy = w.ToggleButtons(options=["cos", "linear"], value=s["anneal_strategy"],
                                               description="annealing", style={**style, "button_width": "64px"})  # fmt: skip
        self.momentum = w.FloatRangeSlider(value=(s["base_momentum"], s["max_momentum"]), min=MOMENTUM_RANGE[0],
                                           max=MOMENTUM_RANGE[1], step=0.01, description="momentum",
                                           continuous_update=False, style=style)  # fmt: skip
        self.total_steps = w.BoundedIntText(value=s["total_steps"], min=TOTAL_STEPS_RANGE[0],
                                            max=TOTAL_STEPS_RANGE[1], description="total steps", style=style)  # fmt: skip
        self.figure, self.caption = w.Output(), w.HTML()
        self.drawn: dict = {}
        controls = [self.max_lr, self.pct_start, self.div_factor, self.final_div_factor, self.anneal_strategy,
                    self.momentum, self.total_steps]  # fmt: skip
        wrap = w.Layout(flex_flow="row wrap")  # on a phone the controls wrap instead of being cut off
        super().__init__([w.HBox(controls, layout=wrap), self.figure, self.caption])
        for control in controls:
            control.observe(lambda _: self.update(), "value")
        self.update(draw=bool(show))

    def settings(self) -> dict:
        """The controls' values, as arguments of :func:`~ainotes.train.one_cycle_curves` and :func:`schedule_figure`."""
        base, top = self.momentum.value
        return dict(max_lr=self.max_lr.value, total_steps=self.total_steps.value, pct_start=self.pct_start.value,
                    div_factor=self.div_factor.value, final_div_factor=self.final_div_factor.value,
                    anneal_strategy=self.anneal_strategy.value, base_momentum=base, max_momentum=top)  # fmt: skip

    def update(self, draw: bool = True) -> None:
        """Recompute and redraw (called whenever a control changes); ``draw=False`` updates the caption only."""
        settings = self.settings()
        try:
            lr, momentum = one_cycle_curves(**settings)
        except (ValueError, TypeError) as error:  # e.g. a warm-up of less than one step
            self.caption.value = (f'<p style="color:#cf222e"><b>Impossible settings:</b> '
                                  f"{html.escape(str(error), quote=False)}</p>")  # fmt: skip
            self.figure.clear_output()
            self.drawn = dict(settings, error=str(error))
            return
        self.caption.value = _caption(lr, settings)
        self.drawn = dict(settings, start=float(lr[0]), peak=float(lr.max()), final=float(lr[-1]),
                          warmup_steps=_warmup_steps(lr), title=None)  # fmt: skip
        if not draw:
            return
        with self.figure:
            self.figure.clear_output(wait=True)
            fig = _draw(lr, momentum, settings)
            self.drawn["title"] = fig.get_suptitle()
            show_figure(fig)
            plt.close(fig)
