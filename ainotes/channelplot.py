"""Figures of colour channels: an image split into red, green and blue, and the pixel values per channel.

Each function titles and labels what it draws and returns the matplotlib ``Figure``; nothing
changes matplotlib's style on import. :func:`channel_figure` is the figure of
:class:`~ainotes.channel_explorer.ChannelExplorer`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ainotes.arguments import _a, flag, fraction, real, whole
from ainotes.convplot import number
from ainotes.data.stats import _per_channel, channel_stats

__all__ = ["channel_figure", "plot_channel_histograms", "show_channels"]

CHANNEL_COLOURS = ("#cf222e", "#1a7f37", "#0969da")  # red, green, blue: the book's colours (ainotes.plot)
GREY = "#57606a"
_MAX_WIDTH = 9.6  # inches: about 770 pixels at the book's dpi of 80
_NAMES = ("red", "green", "blue")


def _as_float(images: Any, name: str) -> torch.Tensor:
    """A float tensor (uint8 pixels scaled by 1/255), or a clear error for anything else."""
    if not isinstance(images, torch.Tensor):
        advice = " Convert a (H, W, 3) array with torch.from_numpy(array).permute(2, 0, 1)." if isinstance(
            images, np.ndarray) else ""  # fmt: skip
        raise TypeError(f"`{name}` must be a tensor, got {_a(images)}.{advice}")
    if images.dtype == torch.uint8:
        return images.detach().cpu().float() / 255
    if not images.is_floating_point():
        raise TypeError(f"`{name}` holds {images.dtype} values: give float pixels in [0, 1] (or uint8 pixels).")
    return images.detach().cpu().float()


def _colour_image(image: Any, name: str = "image") -> torch.Tensor:
    """``image`` as a float tensor [3, H, W] with values in [0, 1], or a clear error."""
    x = _as_float(image, name)
    shape = tuple(x.shape)
    if x.ndim == 3 and shape[-1] == 3 and shape[0] != 3:
        raise ValueError(f"`{name}` has shape {shape}: it looks channels-last [H, W, 3], as numpy, PIL and "
                         f"matplotlib store images. PyTorch wants [3, H, W]: use {name}.permute(2, 0, 1).")  # fmt: skip
    if x.ndim == 4:
        raise ValueError(f"`{name}` has shape {shape}: a batch. Give one colour image [3, H, W], e.g. {name}[0].")
    if x.ndim != 3 or shape[0] != 3:
        raise ValueError(f"`{name}` has shape {shape}: give a colour image [3, H, W].")
    _check_values(x, name)
    low, high = x.min().item(), x.max().item()
    if low < -1e-3 or high > 1 + 1e-3:
        raise ValueError(f"`{name}` has values from {low:.3g} to {high:.3g}: give pixel values in [0, 1]. For a "
                         "normalised image, undo Normalize first with ainotes.data.unnormalize(image, mean, std).")  # fmt: skip
    return x.clamp(0, 1)


def _check_values(x: torch.Tensor, name: str) -> None:
    """A clear error for an image (or batch) without pixels, or with NaN or infinite values."""
    if x.numel() == 0:
        raise ValueError(f"`{name}` has shape {tuple(x.shape)}: it holds no pixels.")
    if not torch.isfinite(x).all():
        raise ValueError(f"`{name}` holds NaN or infinite values: give finite pixel values, e.g. from ToTensor().")


def _check_names(names: Any, channels: int) -> list[str]:
    if isinstance(names, str) or not isinstance(names, Sequence) or len(names) != channels:
        raise ValueError(f"`names` is {names!r}: give {channels} channel name(s), e.g. {_NAMES[:channels]!r}.")
    return [str(n) for n in names]


def _draw_channels(axes: Sequence[Axes], image: torch.Tensor, names: Sequence[str], tinted: bool) -> None:
    """The colour image on ``axes[0]``, then each channel, grey (0 black, 1 white) or in its own colour."""
    axes[0].imshow(image.permute(1, 2, 0).numpy())
    axes[0].set_title("colour image")
    for c, ax in enumerate(axes[1:4]):
        if tinted:
            only = torch.zeros_like(image)
            only[c] = image[c]
            ax.imshow(only.permute(1, 2, 0).numpy())
        else:
            ax.imshow(image[c].numpy(), cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"{names[c]} channel")
    for ax in axes:
        ax.axis("off")


def show_channels(
    image: torch.Tensor,
    *,
    names: Sequence[str] = _NAMES,
    tinted: bool = False,
    title: str | None = None,
) -> Figure:
    """A colour image and its three channels side by side.

    Parameters
    ----------
    image : tensor [3, H, W]
        Float pixel values in [0, 1] (uint8 pixels are scaled by 1/255), as ``ToTensor()`` gives.
    names : three str
        The channels' names, for the titles ("red channel", ...).
    tinted : bool, default False
        False: each channel as grey levels, 0 black and 1 white. True: each channel in its own
        colour (that channel kept, the other two set to zero).
    title : str, optional
        Figure title; by default it says how the channels are shown.

    Examples
    --------
    >>> import torch
    >>> from ainotes.channelplot import show_channels
    >>> fig = show_channels(torch.rand(3, 8, 8), tinted=True)
    >>> [ax.get_title() for ax in fig.axes]
    ['colour image', 'red channel', 'green channel', 'blue channel']
    """
    x = _colour_image(image)
    names = _check_names(names, 3)
    tinted = flag(tinted, "tinted")
    size = _MAX_WIDTH / 4
    fig, axes = plt.subplots(1, 4, figsize=(_MAX_WIDTH, size + 0.7), layout="constrained")
    _draw_channels(axes, x, names, tinted)
    how = "each in its own colour" if tinted else "each as grey levels (0 black, 1 white)"
    fig.suptitle(title if title is not None else f"A colour image is three channels, {how}")
    return fig


def plot_channel_histograms(
    images: torch.Tensor,
    *,
    ax: Axes | None = None,
    bins: int = 50,
    names: Sequence[str] = _NAMES,
    title: str = "Pixel values per channel",
    xlabel: str = "pixel value",
    show_stats: bool = True,
    value_range: tuple[float, float] | None = None,
) -> Figure:
    """One step histogram per channel, as the share of the channel's pixels in each bin.

    Parameters
    ----------
    images : tensor [C, H, W] or [N, C, H, W]
        Float values (raw in [0, 1], or normalised); uint8 pixels are scaled by 1/255.
    ax : matplotlib Axes, optional
        Draw here (e.g. "raw" and "normalised" side by side); by default a new figure.
    bins : int
        Number of bins, shared by all channels: from 1 to 1000.
    names : sequence of str
        Channel names for the legend: three for colour images; one grey channel is "grey".
    title, xlabel : str
    show_stats : bool, default True
        Mark each channel's mean (solid line) and mean ± std (dotted lines), and give the values in
        the legend, e.g. "red: mean 0.49, std 0.25". The std is the sample std, as ``torch.std``.
    value_range : (low, high), optional
        The range the bins cover. Default: [0, 1] when all values lie there, else the values' range.

    Examples
    --------
    >>> import torch
    >>> from ainotes.channelplot import plot_channel_histograms
    >>> fig = plot_channel_histograms(
    ...     torch.stack([torch.full((4, 4), v) for v in (0.2, 0.5, 0.8)])
    ... )
    >>> ax = fig.axes[0]
    >>> ax.get_ylabel(), [t.get_text() for t in ax.get_legend().get_texts()][:2]
    ('share of pixels per bin', ['red: mean 0.20, std 0', 'green: mean 0.50, std 0'])
    """
    x = _as_float(images, "images")
    if x.ndim == 3:
        x = x.unsqueeze(0)
    if x.ndim != 4:
        raise ValueError(f"`images` has shape {tuple(images.shape)}: give one image [C, H, W] or a batch [N, C, H, W].")
    channels = x.shape[1]
    if channels not in (1, 3) and x.shape[-1] in (1, 3):
        raise ValueError(f"`images` has shape {tuple(images.shape)}: it looks channels-last (H, W, C last), as numpy "
                         "and matplotlib store images. Use images.permute(2, 0, 1) for one image, "
                         "images.permute(0, 3, 1, 2) for a batch.")  # fmt: skip
    _check_values(x, "images")
    whole(bins, "bins", least=1, most=1000, example="bins=50")
    flag(show_stats, "show_stats")
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"`ax` must be a matplotlib Axes, got {_a(ax)}: e.g. fig, ax = plt.subplots().")
    if channels == 1 and (isinstance(names, str) or not isinstance(names, Sequence) or len(names) != 1):
        names = ("grey",)
    if names is _NAMES and channels != 3:
        raise ValueError(
            f"`images` has {channels} channels (shape {tuple(images.shape)}): give {channels} channel "
            "names, e.g. names=" + repr(tuple(f"channel {c}" for c in range(channels))) + "."
        )
    names = _check_names(names, channels)
    colours = CHANNEL_COLOURS if channels == 3 else [GREY] if channels == 1 else [f"C{c}" for c in range(channels)]
    values = x.transpose(0, 1).reshape(channels, -1).double().numpy()
    if value_range is None:
        low, high = float(values.min()), float(values.max())
        value_range = (0.0, 1.0) if low >= 0 and high <= 1 else (low, high)
    pair = isinstance(value_range, (Sequence, np.ndarray, torch.Tensor)) and not isinstance(value_range, str)
    if not pair or len(value_range) != 2:
        raise TypeError(f"`value_range` is {value_range!r}: give two numbers (low, high), e.g. value_range=(0, 1).")
    ends = [end.item() if isinstance(end, (torch.Tensor, np.ndarray)) and end.ndim == 0 else end for end in value_range]
    low, high = (real(end, f"value_range[{i}]", example="value_range=(0, 1)") for i, end in enumerate(ends))
    if not low < high:
        raise ValueError(f"`value_range` is {value_range!r}: give (low, high) with low < high.")
    value_range = (low, high)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.4), layout="constrained")
    mean, std = channel_stats(x, unbiased=values.shape[1] > 1) if show_stats else (None, None)
    for c in range(channels):
        counts, edges = np.histogram(values[c], bins=_edges(values[c], int(bins), value_range))
        label = names[c] if mean is None else f"{names[c]}: mean {number(mean[c], '.2f')}, std {number(std[c], '.2f')}"
        ax.stairs(counts / values.shape[1], edges, color=colours[c], linewidth=1.6, label=label, gid=f"hist {names[c]}")
        if mean is not None:
            ax.axvline(mean[c], color=colours[c], linewidth=1.4, gid=f"mean {names[c]}")
            for sign, end in ((-1, "mean-std"), (1, "mean+std")):
                ax.axvline(mean[c] + sign * std[c], color=colours[c], linewidth=1.1, linestyle=":",
                           gid=f"{end} {names[c]}")  # fmt: skip
    handles, _ = ax.get_legend_handles_labels()
    if mean is not None:
        handles += [Line2D([], [], color="black", linewidth=1.4, label="mean"),
                    Line2D([], [], color="black", linewidth=1.1, linestyle=":", label="mean ± std")]  # fmt: skip
    ax.set(title=title, xlabel=xlabel, ylabel="share of pixels per bin", xlim=_padded(value_range))
    ax.set_ylim(0, ax.get_ylim()[1] * 1.55)  # headroom: the legend sits above the bars, not on them
    ax.legend(handles=handles, fontsize=8, loc="upper center", ncol=2, columnspacing=1.0, handlelength=1.5)
    return ax.figure


def _padded(value_range: tuple[float, float]) -> tuple[float, float]:
    low, high = value_range
    margin = 0.03 * (high - low)
    return low - margin, high + margin


def _edges(values: np.ndarray, bins: int, value_range: tuple[float, float]) -> np.ndarray | int:
    """Bin edges about ``(high - low) / bins`` wide that hold whole levels when the values come from bytes.

    Pixels from uint8 (scaled, or normalised) take at most 256 equally spaced levels. Bins of a
    width that is not a whole number of levels hold 5 or 6 levels in turn, and the histogram shows
    a comb that is not in the data; so such values get edges halfway between levels.
    """
    levels = np.unique(values)
    if not 2 <= len(levels) <= 256:
        return np.linspace(*value_range, bins + 1)
    steps = np.diff(levels)
    step = steps.min()
    if step <= 0 or not np.allclose(steps / step, np.round(steps / step), atol=1e-3):
        return np.linspace(*value_range, bins + 1)
    per_bin = max(1, round((value_range[1] - value_range[0]) / bins / step))
    start = levels[0] - step / 2 - per_bin * step * np.ceil((levels[0] - value_range[0]) / (per_bin * step))
    count = int(np.ceil((max(levels[-1], value_range[1]) + step / 2 - start) / (per_bin * step)))
    return start + per_bin * step * np.arange(count + 1)


def channel_figure(image: torch.Tensor, mean: Sequence[float], std: Sequence[float], *,
                   title: str | None = None) -> Figure:  # fmt: skip
    """An image, its three channels, and its pixel values per channel raw and normalised.

    Top row: the image and its red, green and blue channels, each in its own colour. Bottom row:
    this image's histograms per channel, raw (values in [0, 1]) and after normalising with the
    data set's ``mean`` and ``std``, as ``transforms.Normalize(mean, std)`` does (values about −2 to
    2), each with its mean and mean ± std marked. 9.6 inches wide: readable at 80 dpi.

    Parameters
    ----------
    image : tensor [3, H, W]
        Float pixel values in [0, 1], as ``ToTensor()`` gives.
    mean, std : three float
        The data set's per-channel mean and std, e.g. from :func:`ainotes.data.channel_stats`.
    title : str, optional
        Figure title, e.g. the image's number and class.

    Examples
    --------
    >>> import torch
    >>> from ainotes.channelplot import channel_figure
    >>> fig = channel_figure(
    ...     torch.rand(3, 8, 8),
    ...     (0.49, 0.48, 0.45),
    ...     (0.25, 0.24, 0.26),
    ...     title="image 79: automobile",
    ... )
    >>> len(fig.axes), fig.axes[4].get_title(), fig.axes[5].get_xlabel()
    (6, 'raw pixel values', 'normalised value')
    """
    x = _colour_image(image)
    m = _per_channel(mean, "mean", 3).float()
    s = _per_channel(std, "std", 3, positive=True).float()
    for argument, values in (("mean", m), ("std", s)):  # of pixel values in [0, 1]: percentages are refused
        for c, value in enumerate(values.tolist()):
            fraction(value, f"{argument}[{c}]")
    fig = plt.figure(figsize=(_MAX_WIDTH, 6.0), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=(1, 1.25))
    _draw_channels(top.subplots(1, 4), x, _NAMES, tinted=True)
    raw_ax, normalised_ax = bottom.subplots(1, 2)
    plot_channel_histograms(x, ax=raw_ax, title="raw pixel values", xlabel="pixel value", value_range=(0.0, 1.0))
    normalised = (x - m.view(3, 1, 1)) / s.view(3, 1, 1)
    low, high = float(((0 - m) / s).min()), float(((1 - m) / s).max())  # where pixels 0 and 1 land
    plot_channel_histograms(normalised, ax=normalised_ax, xlabel="normalised value",
                            title="normalised: (value − mean) / std", value_range=(low, high))  # fmt: skip
    fig.suptitle(title if title is not None else "An image, its channels, and its pixel values per channel")
    return fig
