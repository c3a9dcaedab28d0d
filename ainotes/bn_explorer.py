"""The batch-norm explorer: one channel of a BatchNorm2d layer, before and after, in train and eval mode.

:func:`~ainotes.bn_view.batchnorm_view` (in :mod:`ainotes.bn_view`, re-exported here) reads it from a
copy of the model, with how an image's prediction in train mode depends on its batch;
:func:`batchnorm_figure` draws a view;
:class:`BatchNormExplorer` is a thin widget layer over both. It uses only ipywidgets APIs common to
versions 7.7 (Google Colab) and 8. Nothing changes matplotlib's style on import.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from torch import nn

from ainotes._signatures import init_signature
from ainotes.arguments import _kind, flag, real
from ainotes.bn_view import _checked, _learned, batchnorm_view
from ainotes.notebook import show_figure

__all__ = ["BatchNormExplorer", "batchnorm_figure", "batchnorm_view"]

TRAIN_COLOUR, EVAL_COLOUR, GREY = "#0969da", "#cf222e", "#57606a"  # the book's blue, red and grey
BATCH_SIZES = (2, 4, 8, 16, 32, 64, 128, 256, 512)  # the explorer's slider
GAMMA_BETA_RANGE = (-3.0, 3.0)  # the explorer's sliders
_STEP, _BINS = 0.05, 40  # the sliders' step; the histograms' bins
_WIDTH = 9.6  # inches: about 770 pixels at the book's dpi of 80
_VIEW_KEYS = ("layer", "channel", "batch_size", "gamma", "beta", "image", "label", "before", "after_train", "after_eval",
              "batch_mean", "batch_std", "running_mean", "running_std", "train_probs", "eval_prob")  # fmt: skip


def _a(label: int) -> str:  # "a 7", "an 8", "an 11"
    return f"{'an' if str(label).startswith('8') or label in (11, 18) else 'a'} {label}"


def _number(value: float) -> str:
    return f"{value:.3g}"


def batchnorm_figure(view: dict) -> Figure:
    """Three panels, 9.6 inches wide: the channel's input of BN, with the batch mean (blue, dashed) and
    running mean (red, dotted); its output in train and eval mode (same bins); and the image's
    probability of its true class in train mode, one dot per companion batch, against eval mode (line).

    Parameters
    ----------
    view : dict
        From :func:`~ainotes.bn_view.batchnorm_view`.

    Examples
    --------
    >>> import torch, torch.nn as nn
    >>> from ainotes.bn_explorer import batchnorm_figure, batchnorm_view
    >>> _ = torch.manual_seed(0)
    >>> net = nn.Sequential(
    ...     nn.Conv2d(1, 4, 2, 2),
    ...     nn.BatchNorm2d(4),
    ...     nn.AvgPool2d(14),
    ...     nn.Flatten(),
    ...     nn.Linear(4, 10),
    ... )
    >>> images, labels = torch.randn(100, 1, 28, 28), torch.tensor([7] * 100)
    >>> fig = batchnorm_figure(batchnorm_view(net, images, labels, layer="1", batch_size=8))
    >>> [
    ...     " ".join(ax.get_title().split()) for ax in fig.axes
    ... ]  # doctest: +NORMALIZE_WHITESPACE
    ['Layer 1, channel 0: input of BN (batch of 8)', 'After BN with γ = 1.00, β = 0.00',
     'Image 0 (a 7): train mode depends on the batch']
    """
    if not isinstance(view, Mapping):
        raise TypeError(f"view must be the dict batchnorm_view returns, got {_kind(view)}: e.g. "
                        "batchnorm_figure(batchnorm_view(model, images, labels)).")  # fmt: skip
    missing = [key for key in _VIEW_KEYS if key not in view]
    if missing:
        raise ValueError(f"view lacks {', '.join(map(repr, missing))}: give the dict batchnorm_view returns, e.g. "
                         "batchnorm_figure(batchnorm_view(model, images, labels)).")  # fmt: skip
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(_WIDTH, 3.9), layout="constrained")
    before, after_train, after_eval = (view[key].numpy() for key in ("before", "after_train", "after_eval"))
    counts = left.hist(before, bins=_BINS, color=GREY, alpha=0.55)[0]
    for key, colour, style in (("batch_mean", TRAIN_COLOUR, "--"), ("running_mean", EVAL_COLOUR, ":")):
        left.axvline(view[key], color=colour, linestyle=style, linewidth=2.2, label=f"{key.replace('_', ' ')} "
                     f"{_number(view[key])}")  # fmt: skip
    bins = np.histogram_bin_edges(np.concatenate([after_train, after_eval]), bins=_BINS)
    counts = [counts, middle.hist(after_train, bins=bins, color=TRAIN_COLOUR, alpha=0.45,
                                  label="train mode (batch statistics)")[0],
              middle.hist(after_eval, bins=bins, histtype="step", color=EVAL_COLOUR, linewidth=1.8,
                          label="eval mode (running statistics)")[0]]  # fmt: skip
    probs = view["train_probs"]
    right.axhline(view["eval_prob"], color=EVAL_COLOUR, linestyle="--", linewidth=2,
                  label=f"eval mode: {view['eval_prob']:.2f}")  # fmt: skip
    right.plot(range(1, len(probs) + 1), probs, "o", color=TRAIN_COLOUR, markersize=6, clip_on=False,
               label=f"train mode, batches of {view['batch_size']}")  # fmt: skip
    right.set(xlim=(0.5, len(probs) + 0.5), ylim=(-0.02, 1.04))  # a line at 0 or 1 stays visible
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax, title, xlabel, ylabel, top in (
        (left, f"Layer {view['layer']}, channel {view['channel']}:\ninput of BN (batch of {view['batch_size']})",
         "value before BN", "number of values", max(counts[0].max(), 1)),
        (middle, f"After BN with γ = {view['gamma']:.2f}, β = {view['beta']:.2f}", "value after BN",
         "number of values", max(counts[1].max(), counts[2].max(), 1)),
        (right, f"Image {view['image']} ({_a(view['label'])}):\ntrain mode depends on the batch", "companion batch",
         "probability of the true class", None),
    ):  # fmt: skip
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel, fontsize=10)
        ax.set_ylabel(ylabel, fontsize=10)
        ax.tick_params(labelsize=9)
        if top is not None:
            ax.set_ylim(0, 1.45 * top)  # room for the legend
        ax.legend(loc="best" if top is None else "upper right", fontsize=9)
    fig.suptitle(f"Train mode uses this batch's mean {_number(view['batch_mean'])} and std "
                 f"{_number(view['batch_std'])}; eval mode the running mean {_number(view['running_mean'])} and std "
                 f"{_number(view['running_std'])}", fontsize=11)  # fmt: skip
    return fig


def _caption(view: dict) -> str:
    probs = view["train_probs"]
    return (f"<p>This batch of {view['batch_size']}: mean <b>{_number(view['batch_mean'])}</b>, std <b>"
            f"{_number(view['batch_std'])}</b>; running statistics (used in eval mode): mean <b>"
            f"{_number(view['running_mean'])}</b>, std <b>{_number(view['running_std'])}</b>. In train mode, image "
            f"{view['image']} ({_a(view['label'])}) gets probability <b>{min(probs):.2f}</b> to <b>{max(probs):.2f}"
            f"</b> for its true class, depending on the {view['batch_size'] - 1} other images in its batch "
            f"({len(probs)} batches); in eval mode always <b>{view['eval_prob']:.2f}</b> (predicted "
            f"{view['eval_pred']}).</p>")  # fmt: skip


def _slider(value: float) -> float:  # rounded to the sliders' step, within their range
    return round(min(max(round(value / _STEP) * _STEP, GAMMA_BETA_RANGE[0]), GAMMA_BETA_RANGE[1]), 2)


@init_signature
class BatchNormExplorer(w.VBox):
    """Choose a batch size, channel, γ, β and image; see a BatchNorm2d layer's input and output in train
    and eval mode, and how train mode's prediction depends on the batch (figure from
    :func:`~ainotes.bn_explorer.batchnorm_figure`, the statistics and probabilities in words below it).

    Parameters
    ----------
    model, images, labels, layer, channel, image, companions, seed
        As :func:`~ainotes.bn_view.batchnorm_view`; the model is never changed.
    batch_size : int, default 64
        One of 2, 4, 8, …, 512 and at most ``len(images)`` (the slider's values).
    gamma, beta : float or None
        From -3 to 3; None: the layer's learned values, exactly (shown rounded) until a slider moves.
    show : bool, default True
        Draw the figure at once, so that a page built from the executed notebook shows it (else at
        the first change of a control, or call of :meth:`update`).

    Attributes
    ----------
    batch_size, gamma, beta, channel, image, learned : widgets
        The controls; the ``learned`` button, like a change of channel, resets γ and β.
    drawn : dict
        What is shown: the view without its tensors, and ``title`` (the figure's, None before it is
        drawn); or the settings and ``error`` (the message).

    Examples
    --------
    >>> import contextlib, io, torch, torch.nn as nn
    >>> from ainotes.bn_explorer import BatchNormExplorer
    >>> _ = torch.manual_seed(0)
    >>> net = nn.Sequential(
    ...     nn.Conv2d(1, 4, 2, 2),
    ...     nn.BatchNorm2d(4),
    ...     nn.AvgPool2d(14),
    ...     nn.Flatten(),
    ...     nn.Linear(4, 10),
    ... )
    >>> images, labels = torch.randn(100, 1, 28, 28), torch.randint(0, 10, (100,))
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     explorer = BatchNormExplorer(net, images, labels, layer="1", batch_size=8)
    >>> (
    ...     explorer.batch_size.options,
    ...     explorer.drawn["batch_size"],
    ...     explorer.drawn["title"] is not None,
    ... )
    ((2, 4, 8, 16, 32, 64), 8, True)
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     explorer.gamma.value = 2.0
    >>> explorer.drawn["gamma"]
    2.0
    """

    def __init__(self, model: nn.Module, images: torch.Tensor, labels: torch.Tensor, *,
                 layer: str | nn.Module = "1.2", channel: int = 0, batch_size: int = 64, gamma: float | None = None,
                 beta: float | None = None, image: int = 0, companions: int = 12, seed: int = 0,
                 show: bool = True) -> None:  # fmt: skip
        c = _checked(model, images, labels, layer, channel, batch_size, image, companions, seed)
        show = flag(show, "show")
        sizes = tuple(size for size in BATCH_SIZES if size <= len(images))
        if c["batch_size"] not in sizes:
            raise ValueError(f"batch_size={c['batch_size']} is not on the slider: give one of {str(sizes)[1:-1]}.")
        for name, value in (("gamma", gamma), ("beta", beta)):
            if value is not None and not GAMMA_BETA_RANGE[0] <= real(value, name) <= GAMMA_BETA_RANGE[1]:
                raise ValueError(f"{name}={value:g} is outside the sliders' range: give -3 to 3, or None (learned).")
        self.model, self.images, self.labels, self.layer = model, images, labels, c["layer"]
        self._module, self._companions, self._seed, self._hold = c["module"], c["companions"], c["seed"], False
        self._exact = {"gamma": gamma is None, "beta": beta is None}  # the learned value, exactly
        learned = _learned(self._module, c["channel"])
        style = {"description_width": "80px"}
        slider = dict(min=GAMMA_BETA_RANGE[0], max=GAMMA_BETA_RANGE[1], step=_STEP, readout_format=".2f",
                      continuous_update=False, style=style)  # fmt: skip
        self.batch_size = w.SelectionSlider(options=sizes, value=c["batch_size"], description="batch size",
                                            continuous_update=False, style=style)  # fmt: skip
        self.gamma = w.FloatSlider(value=_slider(learned[0]) if gamma is None else gamma, description="γ (scale)",
                                   **slider)  # fmt: skip
        self.beta = w.FloatSlider(value=_slider(learned[1]) if beta is None else beta, description="β (shift)",
                                  **slider)  # fmt: skip
        self.channel = w.IntSlider(value=c["channel"], min=0, max=self._module.num_features - 1, description="channel",
                                   continuous_update=False, style=style)  # fmt: skip
        self.image = w.BoundedIntText(value=c["image"], min=0, max=len(images) - 1, description="image", style=style)
        self.learned = w.Button(description="learned γ, β", tooltip="the layer's learned γ and β for this channel")
        self.figure, self.caption, self.drawn = w.Output(), w.HTML(), {}
        # The first view, computed now: data that do not fit the model are refused here, before anything is shown.
        self._first: dict | None = batchnorm_view(self.model, self.images, self.labels, **self.settings())
        controls = [self.batch_size, self.channel, self.gamma, self.beta, self.learned, self.image]
        # on a phone the controls wrap instead of being cut off
        super().__init__([w.HBox(controls, layout=w.Layout(flex_flow="row wrap")), self.figure, self.caption])
        for control, moved in ((self.batch_size, None), (self.image, None), (self.gamma, "gamma"), (self.beta, "beta")):
            control.observe(lambda _, moved=moved: self._changed(moved), "value")
        self.channel.observe(lambda _: self.reset(), "value")
        self.learned.on_click(lambda _: self.reset())
        self.update(draw=show)

    def _changed(self, moved: str | None = None) -> None:
        if not self._hold:
            self._exact.update({moved: False} if moved else {})
            self.update()

    def reset(self) -> None:
        """Put γ and β back to the layer's learned values for the channel, and redraw."""
        gamma, beta = _learned(self._module, self.channel.value)
        self._hold = True  # one redraw, not three
        self.gamma.value, self.beta.value, self._hold = _slider(gamma), _slider(beta), False
        self._exact = {"gamma": True, "beta": True}
        self.update()

    def settings(self) -> dict:
        """The controls' values, as keyword arguments of :func:`~ainotes.bn_view.batchnorm_view` (γ, β None when learned)."""
        gamma, beta = (None if self._exact[key] else getattr(self, key).value for key in ("gamma", "beta"))
        return dict(layer=self.layer, channel=self.channel.value, batch_size=self.batch_size.value, gamma=gamma,
                    beta=beta, image=self.image.value, companions=self._companions, seed=self._seed)  # fmt: skip

    def update(self, draw: bool = True) -> None:
        """Recompute and redraw (called whenever a control changes); ``draw=False`` updates the caption only."""
        settings, view, self._first = self.settings(), self._first, None
        try:
            view = view or batchnorm_view(self.model, self.images, self.labels, **settings)
        except (ValueError, TypeError, RuntimeError) as error:
            self.caption.value = (f'<p style="color:#cf222e"><b>Impossible settings:</b> '
                                  f"{html.escape(str(error), quote=False)}</p>")  # fmt: skip
            self.figure.clear_output()
            self.drawn = dict(settings, error=str(error))
            return
        self.caption.value = _caption(view)
        self.drawn = {k: v for k, v in view.items() if not isinstance(v, torch.Tensor)} | {"title": None}
        if not draw:
            return
        with self.figure:
            self.figure.clear_output(wait=True)
            fig = batchnorm_figure(view)
            self.drawn["title"] = fig.get_suptitle()
            show_figure(fig)
            plt.close(fig)
