"""Figures of the activation statistics recorded by :class:`~ainotes.stats.ActivationStats`.

:func:`plot_layer_stats` draws the mean, standard deviation and near-zero share of each watched
layer's output per training step; :func:`plot_color_dim` draws the histograms of one layer's output
per step as an image (the "colour-dim" plot). Both accept one recording or a dict of run name →
recording, to compare training runs. Both are re-exported by :mod:`ainotes.plot`. Each titles and
labels what it draws and returns the matplotlib ``Figure``; nothing changes matplotlib's style on
import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ainotes.arguments import _a
from ainotes.stats import _NO_STEPS, ActivationStats

__all__ = ["plot_color_dim", "plot_layer_stats"]

_MAX_WIDTH = 9.6  # inches: about 770 pixels at the book's dpi of 80


def _runs(stats: object) -> list[tuple[str | None, ActivationStats]]:
    """``(run name or None, recording)`` pairs, each with steps recorded, or a clear error."""
    if isinstance(stats, ActivationStats):
        runs: list[tuple[str | None, ActivationStats]] = [(None, stats)]
    elif isinstance(stats, Mapping):
        if not stats:
            raise ValueError("stats is an empty dict: give at least one run, e.g. {'baseline': stats}.")
        runs = []
        for name, value in stats.items():
            if not isinstance(value, ActivationStats):
                raise TypeError(f"stats[{name!r}] is {_a(value)}, not an ActivationStats: map each run "
                                "name to the ActivationStats recorded while training it.")  # fmt: skip
            runs.append((str(name), value))
    else:
        hint = " For several runs, name them: {'run A': stats_a, 'run B': stats_b}." if isinstance(
            stats, (list, tuple)) else ""  # fmt: skip
        raise TypeError(f"stats must be an ActivationStats (from `with ActivationStats(model) as stats:`) or a dict "
                        f"of run name -> ActivationStats, got {_a(stats)}.{hint}")  # fmt: skip
    for name, run in runs:
        if run.steps == 0:
            raise ValueError(f"{'stats' if name is None else f'stats[{name!r}]'} has {_NO_STEPS}")
    return runs


def _check_steps(steps: int, run_name: str | None, layer: str) -> None:
    if steps == 0:
        where = "stats" if run_name is None else f"stats[{run_name!r}]"
        raise ValueError(f"{where} has no steps recorded for layer {layer!r}: did this layer run during training?")


def plot_layer_stats(
    stats: ActivationStats | Mapping[str, ActivationStats],
    layer: str | int | Sequence[str | int] | None = None,
    *,
    title: str | None = None,
) -> Figure:
    """The mean, standard deviation and near-zero share of each layer's output, per training step.

    Three panels side by side, one line per layer. With a dict of run name → recording, one row
    of three panels per run, labelled with the run name; each column shares its y-axis so that the
    runs compare at a glance.

    Parameters
    ----------
    stats : ActivationStats, or dict of run name → ActivationStats
        Recordings made with ``with ActivationStats(model) as stats:`` around training.
    layer : layer name or index, a list of them, or None
        The layers to draw (names or indices into ``stats.layers``); by default all of them.
    title : str, optional
        Figure title.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from ainotes.stats import ActivationStats
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> with ActivationStats(model) as stats:
    ...     outputs = [model(torch.randn(16, 4)) for step in range(5)]
    >>> fig = plot_layer_stats(stats)
    >>> [ax.get_title() for ax in fig.axes], len(fig.axes[0].lines)
    (['mean', 'standard deviation', 'near-zero share (|a| ≤ 0.05)'], 2)
    >>> fig = plot_layer_stats({"run A": stats, "run B": stats}, layer=-1)
    >>> len(fig.axes), fig.axes[3].get_ylabel()
    (6, 'run B')
    """
    runs = _runs(stats)
    if layer is None:
        selections = [run.layers for _, run in runs]
    else:
        chosen = list(layer) if isinstance(layer, Sequence) and not isinstance(layer, str) else [layer]
        if not chosen:
            raise ValueError("layer is an empty list: name at least one layer, or pass None for all of them.")
        selections = [[run._layer_name(item) for item in chosen] for _, run in runs]
        for names in selections:
            twice = next((name for k, name in enumerate(names) if name in names[:k]), None)
            if twice is not None:
                raise ValueError(f"layer lists layer {twice!r} twice: list each layer once.")
    nrows = len(runs)
    fig, axes = plt.subplots(nrows, 3, figsize=(_MAX_WIDTH, 2.5 * nrows + 0.9), sharex=True, sharey="col",
                             squeeze=False, layout="constrained")  # fmt: skip
    thresholds_differ = len({run.threshold for _, run in runs}) > 1
    legend: dict[str, object] = {}
    for r, ((run_name, run), names) in enumerate(zip(runs, selections)):
        row = axes[r]
        for k, name in enumerate(names):
            values = (run.mean(name), run.std(name), run.near_zero(name))
            _check_steps(len(values[0]), run_name, name)
            steps = np.arange(len(values[0]))
            for ax, value in zip(row, values):
                (line,) = ax.plot(steps, value.numpy(), color=f"C{k % 10}", linewidth=1.2, label=f"layer {name}")
            legend.setdefault(f"layer {name}", line)
        if r == 0 or thresholds_differ:
            row[2].set_title(f"near-zero share (|a| ≤ {run.threshold:g})")
        if run_name is not None:
            row[0].set_ylabel(run_name, fontweight="bold")
        row[2].set_ylim(-0.02, 1.02)
        row[2].yaxis.set_major_formatter(PercentFormatter(1.0))
    axes[0, 0].set_title("mean")
    axes[0, 1].set_title("standard deviation")
    for ax in axes[-1]:
        ax.set_xlabel("training step")
    fig.legend(list(legend.values()), list(legend), loc="outside lower center", ncols=min(len(legend), 6),
               frameon=False)  # fmt: skip
    fig.suptitle(title if title is not None else "Activation statistics per training step")
    return fig


def plot_color_dim(
    stats: ActivationStats | Mapping[str, ActivationStats], layer: str | int = -1, *, title: str | None = None
) -> Figure:
    """The "colour-dim" plot: the histogram of one layer's output at every training step, as an image.

    Each column of the image is one step; each row one bin of activation values (the bins of the
    recording, over its ``hist_range``: the bottom row also counts smaller values, the top row
    larger ones). The colour is ``log(1 + count)``, so that small counts stay visible next to the
    large ones. With a dict of run name → recording, one panel per run side by side, on the same
    colour scale and axes.

    Parameters
    ----------
    stats : ActivationStats, or dict of run name → ActivationStats
        Recordings made with ``with ActivationStats(model) as stats:`` around training.
    layer : layer name or index, default -1
        The layer to draw: a name or an index into ``stats.layers`` (the last layer by default).
    title : str, optional
        Figure title; by default "Activation histogram per step, layer {name}".

    Returns
    -------
    Figure

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from ainotes.stats import ActivationStats
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> with ActivationStats(model, bins=10) as stats:
    ...     outputs = [model(torch.randn(16, 4)) for step in range(5)]
    >>> fig = plot_color_dim(stats, "0")
    >>> fig.get_suptitle(), fig.axes[0].images[0].get_array().shape
    ('Activation histogram per step, layer 0', (10, 5))
    """
    runs = _runs(stats)
    if isinstance(layer, (list, tuple)):
        raise TypeError(f"layer must be one layer name or index, got {_a(layer)}: plot_color_dim draws "
                        "one layer, so call it once per layer (plot_layer_stats draws several).")  # fmt: skip
    names = [run._layer_name(layer) for _, run in runs]
    images = []
    for (run_name, run), name in zip(runs, names):
        counts = run.histograms(name)
        _check_steps(len(counts), run_name, name)
        images.append(torch.log1p(counts).T.numpy())
    vmax = max(float(image.max()) for image in images) or 1.0
    same_range = len({run.hist_range for _, run in runs}) == 1
    fig, axes = plt.subplots(1, len(runs), figsize=(_MAX_WIDTH, 3.4), sharex=True, sharey=same_range,
                             squeeze=False, layout="constrained")  # fmt: skip
    for ax, (run_name, run), image in zip(axes[0], runs, images):
        lo, hi = run.hist_range
        shown = ax.imshow(image, origin="lower", aspect="auto", extent=(0, image.shape[1], lo, hi), cmap="viridis",
                          vmin=0, vmax=vmax)  # fmt: skip
        ax.grid(False)
        ax.set_xlabel("training step")
        if run_name is not None:
            ax.set_title(run_name)
    axes[0, 0].set_ylabel("activation value")
    fig.colorbar(shown, ax=list(axes[0]), label="log(1 + count)")
    fig.suptitle(title if title is not None else f"Activation histogram per step, layer {names[0]}")
    return fig
