"""The parameter-count explorer: a fully connected network and a CNN on the same images, side by side.

Chapter 4 goes from a fully connected network (3,738,506 parameters on 32×32×3 images) to a small
CNN (18,354). :func:`parameter_comparison` gives both families' layers, totals and memory from the
settings alone (through :mod:`ainotes.param_counts`, so no model is built: a 1024×1024 photo's
fully connected network has billions of weights); :func:`parameter_figure` draws them; and
:class:`ParameterExplorer` is a thin widget layer over both. It uses only ipywidgets APIs common to
versions 7.7 (Google Colab) and 8. Nothing changes matplotlib's style on import.
"""

from __future__ import annotations

import html
import math
from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ainotes._signatures import init_signature
from ainotes.arguments import real, whole
from ainotes.channelplot import CHANNEL_COLOURS, GREY
from ainotes.notebook import show_figure
from ainotes.param_counts import LayerCount, cnn_counts, fc_counts, total_parameters

__all__ = ["ParameterExplorer", "memory_text", "parameter_comparison", "parameter_figure"]

BYTES_PER_PARAMETER = 4  # float32
FC_COLOUR, CNN_COLOUR = CHANNEL_COLOURS[0], CHANNEL_COLOURS[2]  # the book's red and blue
IMAGE_SIZES = (8, 16, 28, 32, 64, 128, 224, 256, 512, 1024)
HIDDEN_WIDTHS = tuple(2**n for n in range(4, 13))  # 16 ... 4096
KERNEL_SIZES = (1, 3, 5, 7)
CONV_LAYERS = (1, 5)  # the slider's range
CNN_HIDDEN = 32
_WIDTH = 9.6  # inches: about 770 pixels at the book's dpi of 80


def memory_text(n_bytes: float) -> str:
    """A number of bytes in readable decimal units (1 kB = 1,000 bytes, 1 MB = 1,000,000 bytes).

    Examples
    --------
    >>> from ainotes.param_explorer import memory_text
    >>> (
    ...     memory_text(18_354 * 4),
    ...     memory_text(3_738_506 * 4),
    ...     memory_text(3_221_236_746 * 4),
    ...     memory_text(512),
    ... )
    ('73.4 kB', '15.0 MB', '12.9 GB', '512 B')
    """
    if isinstance(n_bytes, torch.Tensor) and n_bytes.numel() == 1:  # e.g. a count computed with torch
        n_bytes = n_bytes.item()
    n_bytes = real(n_bytes, "n_bytes", example="memory_text(18_354 * 4)")
    if n_bytes < 0:
        raise ValueError(f"n_bytes={n_bytes:g} is impossible: a memory size is 0 bytes or more.")
    if n_bytes < 999.5:
        return f"{n_bytes:.0f} B"
    for unit, size in (("kB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12)):
        value = n_bytes / size
        if value < 999.5 or unit == "TB":
            return f"{value:.{2 if value < 9.995 else 1 if value < 99.95 else 0}f} {unit}"
    raise AssertionError("unreachable")


def _times(ratio: float) -> str:
    return f"{ratio:,.0f}" if ratio >= 9.95 else f"{ratio:.1f}"


def _percent(share: float) -> str:
    p = 100 * share
    if p < 0.01:
        return "<0.01%"
    if 99.5 <= p < 100:
        return ">99%"
    return f"{p:.0f}%" if p >= 9.95 else f"{p:.1f}%" if p >= 0.995 else f"{p:.2f}%"


def parameter_comparison(image_size: int = 32, channels: int = 3, hidden: int = 1024, kernel_size: int = 3,
                         conv_layers: int = 2, classes: int = 10) -> dict:  # fmt: skip
    """The parameters of chapter 4's fully connected network and CNN on the same images.

    The fully connected network has hidden widths ``(hidden, hidden // 2, hidden // 8)``; the CNN
    has ``conv_layers`` blocks of ``Conv2d`` (16 output channels, then 8) and ``MaxPool2d(2)``,
    then linear layers to 32 and to the classes (see :mod:`ainotes.param_counts`).

    Parameters
    ----------
    image_size, channels : int, default 32 and 3
        The square input images: size and channels (3 colour, 1 grey).
    hidden : int, default 1024
        The fully connected network's first hidden width; at least 8.
    kernel_size : int, default 3
        The CNN's (odd) kernel size.
    conv_layers : int, default 2
        The CNN's convolution blocks; each pooling halves the size, so ``image_size`` must be at
        least ``2 ** conv_layers``.
    classes : int, default 10

    Returns
    -------
    dict
        ``settings`` (the arguments), ``fc_hidden`` and ``conv_channels`` (the widths used),
        ``fc_layers`` and ``cnn_layers`` (lists of :class:`~ainotes.param_counts.LayerCount`),
        ``fc_total``, ``cnn_total``, ``fc_bytes`` and ``cnn_bytes`` (as float32),
        ``fc_first_layer`` and ``fc_first_share`` (the first layer's parameters and share of the
        total), ``cnn_conv_total`` (all convolutions), ``cnn_first_linear`` (the one layer of the
        CNN that grows with the image) and ``ratio`` (``fc_total / cnn_total``).

    Examples
    --------
    >>> from ainotes.param_explorer import parameter_comparison
    >>> c = parameter_comparison()
    >>> c["fc_hidden"], c["conv_channels"], c["fc_total"], c["cnn_total"], round(c["ratio"])
    ((1024, 512, 128), (16, 8), 3738506, 18354, 204)
    >>> c["fc_first_layer"], f"{c['fc_first_share']:.0%}", c["fc_bytes"]
    (3146752, '84%', 14954024)
    """
    hidden = whole(hidden, "hidden", example="hidden=1024")
    if hidden < 8:
        raise ValueError(f"hidden={hidden} is too small: the fully connected network's hidden widths are hidden, "
                         "hidden // 2 and hidden // 8, so hidden must be at least 8 (e.g. hidden=1024).")  # fmt: skip
    conv_layers = whole(conv_layers, "conv_layers", example="conv_layers=2")
    if conv_layers < 1:
        raise ValueError(f"conv_layers={conv_layers} is impossible: the CNN needs at least one convolution layer "
                         "(e.g. conv_layers=2).")  # fmt: skip
    fc_hidden, conv_channels = (hidden, hidden // 2, hidden // 8), (16,) + (8,) * (conv_layers - 1)
    fc = fc_counts(image_size, channels, fc_hidden, classes)
    cnn = cnn_counts(image_size, channels, conv_channels, kernel_size, CNN_HIDDEN, classes)
    fc_total, cnn_total = total_parameters(fc), total_parameters(cnn)
    settings = dict(image_size=image_size, channels=channels, hidden=hidden, kernel_size=kernel_size,
                    conv_layers=conv_layers, classes=classes)  # fmt: skip
    return dict(settings=settings, fc_hidden=fc_hidden, conv_channels=conv_channels, fc_layers=fc, cnn_layers=cnn,
                fc_total=fc_total, cnn_total=cnn_total, fc_bytes=fc_total * BYTES_PER_PARAMETER,
                cnn_bytes=cnn_total * BYTES_PER_PARAMETER, fc_first_layer=fc[0].total,
                fc_first_share=fc[0].total / fc_total, cnn_first_linear=cnn[-2].total,
                cnn_conv_total=total_parameters(cnn[:-2]), ratio=fc_total / cnn_total)  # fmt: skip


def _count_tick(value: float, _: Any = None) -> str:
    for word, size in (("billion", 1e9), ("million", 1e6)):
        if value >= size:
            return f"{value / size:g} {word}"
    return f"{value:,.0f}" if value >= 1 else ""


def _memory_tick(value: float, _: Any = None) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3), ("B", 1)):
        if value >= size:
            return f"{value / size:g} {unit}"
    return ""


def _totals(ax: Axes, values: tuple[int, int], texts: tuple[str, str], low: float, high: float, title: str,
            ylabel: str, ticks: Any) -> None:  # fmt: skip
    """Two bars on a log scale from ``low``, each with its exact value written above it."""
    ax.set_yscale("log")
    ax.bar([0, 1], [v - low for v in values], bottom=low, width=0.55, color=[FC_COLOUR, CNN_COLOUR])
    for x, value, text in zip((0, 1), values, texts):
        ax.annotate(text, (x, value), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                    fontsize=10, fontweight="bold")  # fmt: skip
    ax.set_xticks([0, 1], ["fully connected", "convolutional"], fontsize=10)
    ax.set_xlim(-0.6, 1.6)
    ax.set_ylim(low, high)
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=12))
    ax.yaxis.set_major_formatter(FuncFormatter(ticks))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.tick_params(axis="y", labelsize=9)
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel, fontsize=10)
    ax.grid(False, axis="x")


def _tint(colour: str, amount: float) -> tuple[float, float, float]:
    return tuple(c + (1 - c) * amount for c in to_rgb(colour))  # type: ignore[return-value]


def _short(layer: LayerCount) -> str:
    return layer.layer.split(", ")[0]  # "Conv2d 3→16, 3×3" → "Conv2d 3→16": the row says the kernel size


def _breakdown(ax: Axes, rows: list[tuple[str, list[LayerCount], LayerCount, str]]) -> None:
    """Each network as one bar of 100%, a segment per layer; ``rows`` hold (name, layers, highlighted, colour).

    A segment wide enough is labelled inside; the others are listed under the bar, in order.
    """
    axis_inches, char_inches = 0.85 * _WIDTH, 0.62 * 8 / 72  # about the axes' width and an 8 pt character's
    for row, (_, layers, highlight, colour) in enumerate(rows):
        y, layers = 1.3 * row, [layer for layer in layers if layer.total]  # pooling has no parameters
        total, start, small = total_parameters(layers), 0.0, []
        for i, layer in enumerate(layers):
            share = layer.total / total
            tint = colour if layer is highlight else _tint(colour, 0.45 if i % 2 else 0.7)
            ax.barh(y, share, left=start, height=0.5, color=tint, edgecolor="white", linewidth=1)
            lines = [_short(layer), f"{layer.total:,} ({_percent(share)})"]
            if share * axis_inches > char_inches * max(map(len, lines)) + 0.12:
                ax.text(start + share / 2, y, "\n".join(lines), ha="center", va="center", fontsize=8,
                        color="white" if layer is highlight else "black")  # fmt: skip
            else:
                small.append(f"{lines[0]}: {lines[1]}")
            start += share
        text, line = "", "also "
        for item in small:  # at most two lines, broken between layers
            if len(line) + len(item) > 0.95 * axis_inches / char_inches:
                text, line = text + line.rstrip("; ") + "\n", ""
            line += item + "; "
        if small:
            ax.text(0.003, y + 0.3, text + line.rstrip("; "), ha="left", va="top", fontsize=8, color=GREY)
    ax.set_yticks([1.3 * row for row in range(len(rows))], [name for name, *_ in rows], fontsize=10)
    ax.set_ylim(1.3 * len(rows) - 0.55, -0.4)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.tick_params(axis="x", labelsize=9)
    ax.set_xlabel("share of the network's parameters, layer by layer", fontsize=10)
    ax.set_title("Where the parameters are: each layer's share (linear scale)", fontsize=11)
    ax.grid(False)


def parameter_figure(image_size: int = 32, channels: int = 3, hidden: int = 1024, kernel_size: int = 3,
                     conv_layers: int = 2, classes: int = 10) -> Figure:  # fmt: skip
    """Parameters and memory of the fully connected network and the CNN, and where their parameters are.

    Top: the two totals as bars on a log scale, parameters and memory as float32, each bar with its
    exact value. Bottom: each network as one bar of 100%, a segment per layer: the fully connected
    network's first layer (in full colour) holds most of its weights, and so does the CNN's first
    linear layer, the only one that grows with the image. 9.6 inches wide, fonts of 8 pt or more.
    Settings and errors as :func:`parameter_comparison`.

    Examples
    --------
    >>> from ainotes.param_explorer import parameter_figure
    >>> fig = parameter_figure()
    >>> (
    ...     [ax.get_yscale() for ax in fig.axes],
    ...     fig.axes[0].texts[0].get_text(),
    ...     fig.axes[1].texts[1].get_text(),
    ... )
    (['log', 'log', 'linear'], '3,738,506', '73.4 kB')
    """
    c = parameter_comparison(image_size, channels, hidden, kernel_size, conv_layers, classes)
    fc_total, cnn_total = c["fc_total"], c["cnn_total"]
    low_exp = math.floor(math.log10(min(fc_total, cnn_total))) - 1
    high_exp = math.log10(max(fc_total, cnn_total)) + 0.18 * (math.log10(max(fc_total, cnn_total)) - low_exp)
    fig = plt.figure(figsize=(_WIDTH, 6.2), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.45, 1])
    left, right = top.subplots(1, 2)
    _totals(left, (fc_total, cnn_total), (f"{fc_total:,}", f"{cnn_total:,}"), 10.0**low_exp, 10**high_exp,
            "Parameters (log scale)", "parameters", _count_tick)  # fmt: skip
    _totals(right, (c["fc_bytes"], c["cnn_bytes"]), (memory_text(c["fc_bytes"]), memory_text(c["cnn_bytes"])),
            BYTES_PER_PARAMETER * 10.0**low_exp, BYTES_PER_PARAMETER * 10**high_exp,
            "Memory as float32, 4 bytes each (log scale)", "memory (1 MB = 1,000,000 bytes)", _memory_tick)  # fmt: skip
    fc_name, cnn_name = "fully\nconnected\n4 linear", f"CNN\n{conv_layers} conv {kernel_size}×{kernel_size}\n+ 2 linear"
    cnn_rows = [layer for layer in c["cnn_layers"] if layer.total]
    _breakdown(bottom.subplots(), [(fc_name, c["fc_layers"], c["fc_layers"][0], FC_COLOUR),
                                   (cnn_name, c["cnn_layers"], cnn_rows[-2], CNN_COLOUR)])  # fmt: skip
    ratio = c["ratio"]
    fewer = f"{_times(ratio)} times fewer" if ratio >= 1 else f"{_times(1 / ratio)} times more"
    widths = ", ".join(f"{n:,}" for n in c["fc_hidden"])
    fig.suptitle(f"{image_size}×{image_size}×{channels} images: fully connected (hidden {widths}) vs CNN "
                 f"({', '.join(map(str, c['conv_channels']))} channels, {kernel_size}×{kernel_size} kernels, hidden "
                 f"{CNN_HIDDEN})\nThe CNN needs {fewer} parameters", fontsize=11)  # fmt: skip
    return fig


def _caption(c: dict) -> str:
    ratio = c["ratio"]
    fewer = (f"{_times(ratio)} times fewer" if ratio >= 1 else
             f"{_times(1 / ratio)} times more: on images this small, the fully connected network is the smaller one")  # fmt: skip
    return (f"<p>The fully connected network needs <b>{c['fc_total']:,}</b> parameters "
            f"({memory_text(c['fc_bytes'])} as float32); its first layer alone holds {c['fc_first_layer']:,} of them "
            f"({c['fc_first_share']:.0%}). The CNN needs <b>{c['cnn_total']:,}</b> ({memory_text(c['cnn_bytes'])}): "
            f"{fewer}. The CNN's convolutions have {c['cnn_conv_total']:,} parameters at any image size: only its "
            f"first linear layer ({c['cnn_first_linear']:,} here) grows with the image.</p>")  # fmt: skip


@init_signature
class ParameterExplorer(w.VBox):
    """Choose the images and the two networks' sizes; see both parameter counts, their memory, and
    where the parameters are (figure from :func:`~ainotes.param_explorer.parameter_figure`, numbers in words below it).

    Parameters
    ----------
    image_size : int, default 32
        One of ``IMAGE_SIZES`` (8, 16, 28, 32, 64, 128, 224, 256, 512, 1024).
    channels : int, default 3
        1 (grey) or 3 (colour).
    hidden : int, default 1024
        The fully connected network's first hidden width: a power of two from 16 to 4096.
    kernel_size : int, default 3
        The CNN's kernel size: 1, 3, 5 or 7.
    conv_layers : int, default 2
        The CNN's convolution blocks: 1 to 5.

    Attributes
    ----------
    image_size, channels, hidden, kernel_size, conv_layers : widgets
        The controls, one per argument.
    drawn : dict
        What is shown: the settings, and ``fc_total``, ``cnn_total``, ``ratio`` and ``title`` (the
        figure's), or ``error`` (the message) for impossible settings, such as 8×8 images pooled 4 times.

    Examples
    --------
    In a notebook, the last line of a cell shows it; outside one, the figures go to stdout as text.

    >>> import contextlib, io
    >>> from ainotes.param_explorer import ParameterExplorer
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     explorer = ParameterExplorer()
    >>> explorer.drawn["fc_total"], explorer.drawn["cnn_total"]
    (3738506, 18354)
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     explorer.image_size.value = 1024
    >>> explorer.drawn["fc_total"]
    3221818250
    """

    def __init__(self, image_size: int = 32, channels: int = 3, hidden: int = 1024, kernel_size: int = 3,
                 conv_layers: int = 2) -> None:  # fmt: skip
        def check(value: Any, name: str, options: tuple, words: str) -> int:
            value = whole(value, name, example=f"{name}={options[len(options) // 2]}")
            if value not in options:
                raise ValueError(f"{name}={value} is not one of the explorer's choices: {words}.")
            return value

        sizes = ", ".join(map(str, IMAGE_SIZES))
        image_size = check(image_size, "image_size", IMAGE_SIZES, f"give one of {sizes}")
        channels = check(channels, "channels", (1, 3), "give 1 (grey) or 3 (colour)")
        hidden = check(hidden, "hidden", HIDDEN_WIDTHS, "give a power of two from 16 to 4096, e.g. 1024")
        kernel_size = check(kernel_size, "kernel_size", KERNEL_SIZES, "give 1, 3, 5 or 7")
        conv_layers = check(conv_layers, "conv_layers", tuple(range(CONV_LAYERS[0], CONV_LAYERS[1] + 1)),
                            f"give {CONV_LAYERS[0]} to {CONV_LAYERS[1]}")  # fmt: skip
        parameter_comparison(image_size, channels, hidden, kernel_size, conv_layers)  # impossible: refused here
        style = {"description_width": "110px"}
        self.image_size = w.SelectionSlider(options=[(f"{s}×{s}", s) for s in IMAGE_SIZES], value=image_size,
                                            description="image size", continuous_update=False, style=style)  # fmt: skip
        self.channels = w.ToggleButtons(options=[("1 grey", 1), ("3 colour", 3)], value=channels,
                                        description="channels", style={**style, "button_width": "80px"})  # fmt: skip
        self.hidden = w.SelectionSlider(options=[(f"{n:,}", n) for n in HIDDEN_WIDTHS], value=hidden,
                                        description="FC 1st hidden", continuous_update=False, style=style)  # fmt: skip
        self.kernel_size = w.ToggleButtons(options=[(f"{k}×{k}", k) for k in KERNEL_SIZES], value=kernel_size,
                                           description="CNN kernel", style={**style, "button_width": "48px"})  # fmt: skip
        self.conv_layers = w.IntSlider(conv_layers, min=CONV_LAYERS[0], max=CONV_LAYERS[1], description="conv layers",
                                       continuous_update=False, style=style)  # fmt: skip
        self.figure, self.caption = w.Output(), w.HTML()
        self.drawn: dict = {}
        wrap = w.Layout(flex_flow="row wrap")  # on a phone the controls wrap instead of being cut off
        controls = [self.image_size, self.channels, self.hidden, self.kernel_size, self.conv_layers]
        super().__init__([w.HBox(controls, layout=wrap), self.figure, self.caption])
        for control in controls:
            control.observe(lambda _: self.update(), "value")
        self.update()

    def settings(self) -> dict:
        """The controls' values, as arguments of :func:`parameter_comparison` and :func:`parameter_figure`."""
        return dict(image_size=self.image_size.value, channels=self.channels.value, hidden=self.hidden.value,
                    kernel_size=self.kernel_size.value, conv_layers=self.conv_layers.value)  # fmt: skip

    def update(self) -> None:
        """Recompute and redraw (called whenever a control changes)."""
        settings = self.settings()
        try:
            c = parameter_comparison(**settings)
        except (ValueError, TypeError) as error:  # e.g. 8×8 images cannot be pooled 4 times
            self.caption.value = (f'<p style="color:#cf222e"><b>Impossible settings:</b> '
                                  f"{html.escape(str(error), quote=False)}</p>")  # fmt: skip
            self.figure.clear_output()
            self.drawn = dict(settings, error=str(error))
            return
        self.caption.value = _caption(c)
        with self.figure:
            self.figure.clear_output(wait=True)
            fig = parameter_figure(**settings)
            self.drawn = dict(settings, fc_total=c["fc_total"], cnn_total=c["cnn_total"], ratio=c["ratio"],
                              title=fig.get_suptitle())  # fmt: skip
            show_figure(fig)
            plt.close(fig)
