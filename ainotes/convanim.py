"""The sliding-window animation of a convolution (chapter 2), and a player for it that needs no web request.

:mod:`ainotes.plot` re-exports both public names here, so ``from ainotes.plot import animate_convolution``
keeps working. Nothing changes matplotlib's style on import.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import torch

from ainotes.arguments import choice, whole
from ainotes.convplot import draw_map, number
from ainotes.kernels import _as_grid

if TYPE_CHECKING:
    from matplotlib.animation import FuncAnimation

__all__ = ["animate_convolution", "animation_html"]


def _product_label(a: float, b: float, short: bool) -> str:
    """``"0.7×(−1)\\n= −0.7"`` for one cell of the products grid (only the product if ``short``)."""
    product = number(a * b)
    if short:
        return product
    right = number(b)
    return f"{number(a)}×{f'({right})' if right.startswith('−') else right}\n= {product}"


def _sum_text(products: np.ndarray, value: float, r: int, c: int) -> str:
    """``"output[0, 1] = 0 + 1.4 − 0.1 + … = 3.6"``: the sum of the products, term by term."""
    if products.size > 9:
        return f"output[{r}, {c}] = sum of the {products.size} products = {number(value)}"
    terms = [number(p) for p in products.flat]
    text = terms[0]
    for term in terms[1:]:
        text += f" − {term[1:]}" if term.startswith("−") else f" + {term}"
    return f"output[{r}, {c}] = {text} = {number(value)}"


def _font_for(labels: Sequence[str], cell_inches: float, largest: float = 9) -> float:
    """Largest font size (points, at most ``largest``) at which every label fits in a cell."""
    longest = max(len(label) for label in labels)
    return max(5.0, min(largest, 1.4 * cell_inches * 72 / max(longest, 2)))


def _cell_grid(ax, height: int, width: int) -> None:
    ax.set_xticks(np.arange(-0.5, width, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, height, 1), minor=True)
    ax.grid(which="minor", color="0.6", linewidth=0.6)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)


def animate_convolution(
    image: torch.Tensor,
    kernel: torch.Tensor | Sequence[Sequence[float]],
    stride: int = 1,
    padding: int = 0,
    interval: int = 700,
    title: str = "A kernel sliding over an image: multiply, then add",
) -> FuncAnimation:
    """Animation of a kernel sliding over a small grey image, filling in the output cell by cell.

    Each frame shows four panels: the input with the current window framed, the kernel, the
    products *window value × kernel value* (one per kernel cell), and the output so far; and,
    underneath, their sum written out term by term (``0 + 1.4 − 0.1 + … = 3.6``), which is the
    new output value. Show it with ``IPython.display.HTML(anim.to_jshtml())``: the HTML plays in
    any browser, with no Python kernel behind it.

    Parameters
    ----------
    image : tensor (H, W)
        A small grey image, at most 12×12 pixels (one value is written in each cell).
    kernel : tensor or nested list (k, k)
        A square kernel of at most 5×5.
    stride, padding : int
        As in ``nn.Conv2d``; ``padding`` is a number of zero pixels added on each side.
    interval : int
        Milliseconds per frame.
    title : str
        Title over the four panels.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        One frame per output value; its ``output`` attribute holds the finished output (equal to
        ``torch.nn.functional.conv2d``) and ``products`` the products of every frame, shape
        (frames, k, k).

    Examples
    --------
    >>> import torch
    >>> from ainotes.plot import animate_convolution
    >>> anim = animate_convolution(torch.eye(4), [[1.0, 0.0], [0.0, 1.0]])
    >>> anim.output.tolist()[0], len(anim.products)
    ([2.0, 0.0, 0.0], 9)
    """
    from matplotlib.animation import FuncAnimation
    from matplotlib.patches import Rectangle

    from ainotes.conv import apply_kernel

    image, weight = _as_grid(image, "image").detach().cpu(), _as_grid(kernel, "kernel").detach().cpu()
    if image.ndim != 2 or max(image.shape) > 12:
        raise ValueError(f"Animate a small grey image (H, W) of at most 12×12 pixels, got shape {tuple(image.shape)}.")
    padding = whole(padding, "padding", least=0, example="padding=1 (a number of pixels per side here)")
    whole(interval, "interval", least=1, example="interval=700 (milliseconds per frame)")
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {title!r} ({type(title).__name__}).")
    if weight.ndim == 2 and max(weight.shape) > 5:
        raise ValueError(f"Animate a kernel of at most 5×5 (its products are written out), got {tuple(weight.shape)}.")
    output = apply_kernel(image, weight, stride=stride, padding=padding)  # checks the kernel and the settings
    padded = torch.nn.functional.pad(image, (padding,) * 4).numpy()
    k, w = weight.shape[0], weight.numpy()
    out_h, out_w = output.shape
    products = np.stack([padded[r * stride : r * stride + k, c * stride : c * stride + k] * w
                         for r in range(out_h) for c in range(out_w)])  # fmt: skip
    limit, product_limit = float(output.abs().max()) or 1.0, float(np.abs(products).max()) or 1.0

    cell_width = 2.2 if k <= 3 else 1.4  # the products grid needs wide cells for "0.7×(−1)"
    widths = [padded.shape[1], k, k * cell_width, out_w]
    cell = min(0.36, 7.6 / sum(widths))  # inches: the figure stays within about 800 pixels at dpi 80
    rows = max(padded.shape[0], k, out_h)
    fig, (ax_in, ax_k, ax_p, ax_out) = plt.subplots(
        1,
        4,
        figsize=(cell * sum(widths) + 2.4, cell * rows + 1.2),
        dpi=80,
        gridspec_kw={"width_ratios": widths, "wspace": 0.35},
    )
    low, high = min(0.0, float(padded.min())), max(float(padded.max()), 1e-6)
    ax_in.imshow(padded, cmap="gray", vmin=low, vmax=high)
    labels = [number(v) for v in padded.flat]
    size = _font_for(labels, cell)
    for (r, c), v, label in zip(np.ndindex(padded.shape), padded.flat, labels):
        ax_in.text(
            c, r, label, ha="center", va="center", fontsize=size, color="black" if v > (low + high) / 2 else "white"
        )
    pad_text = f", padding {padding}" if padding else ""
    ax_in.set_title(f"input {image.shape[0]}×{image.shape[1]}{pad_text}", fontsize=10)
    draw_map(ax_k, w, annotate=True, colorbar=False, fontsize=_font_for([number(v) for v in w.flat], cell))
    ax_k.set_title(f"kernel {k}×{k}", fontsize=10)
    product_image = ax_p.imshow(products[0], cmap="RdBu_r", vmin=-product_limit, vmax=product_limit,
                              aspect=1 / cell_width)  # fmt: skip
    ax_p.set_title("window × kernel", fontsize=10)
    for spine in ax_p.spines.values():  # framed like the window it comes from
        spine.set(edgecolor="tab:orange", linewidth=3)
    size = 9 if k <= 3 else _font_for([number(p) for p in products.flat], cell * cell_width)
    product_texts = [ax_p.text(c, r, "", ha="center", va="center", fontsize=size)
                     for r in range(k) for c in range(k)]  # fmt: skip
    shown = np.full((out_h, out_w), np.nan)
    out_image = ax_out.imshow(shown, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax_out.set_title(f"output {out_h}×{out_w}", fontsize=10)
    for ax, (h, w_) in ((ax_in, padded.shape), (ax_k, (k, k)), (ax_p, (k, k)), (ax_out, (out_h, out_w))):
        _cell_grid(ax, h, w_)
    window = Rectangle((-0.5, -0.5), k, k, fill=False, edgecolor="tab:orange", linewidth=3)
    ax_in.add_patch(window)
    cell = Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor="tab:orange", linewidth=3)
    ax_out.add_patch(cell)
    fig.suptitle(title, fontsize=11)
    caption = fig.text(0.5, 0.03, "", ha="center", fontsize=10)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.82, bottom=0.13)
    for left, right, symbol in ((ax_in, ax_k, "×"), (ax_k, ax_p, "="), (ax_p, ax_out, "sum\n→")):
        x = (left.get_position().x1 + right.get_position().x0) / 2
        fig.text(x, (left.get_position().y0 + left.get_position().y1) / 2, symbol, ha="center", va="center",
                 fontsize=16 if len(symbol) == 1 else 11, color="0.3")  # fmt: skip
    texts = []

    def draw(frame: int):
        r, c = divmod(frame, out_w)
        if frame == 0:
            shown[:] = np.nan
            for t in texts:
                t.remove()
            texts.clear()
        window.set_xy((c * stride - 0.5, r * stride - 0.5))
        cell.set_xy((c - 0.5, r - 0.5))
        window_values = padded[r * stride : r * stride + k, c * stride : c * stride + k]
        product_image.set_data(products[frame])
        for t, a, b, p in zip(product_texts, window_values.flat, w.flat, products[frame].flat):
            t.set_text(_product_label(a, b, short=k > 3))
            t.set_color("white" if abs(p) > product_limit / 2 else "black")
        value = float(output[r, c])
        shown[r, c] = value
        out_image.set_data(shown)
        colour = "white" if abs(value) > limit / 2 else "black"
        texts.append(ax_out.text(c, r, number(value), ha="center", va="center", fontsize=9, color=colour))
        caption.set_text(_sum_text(products[frame], value, r, c))
        return [window, cell, out_image, product_image, caption, *product_texts]

    anim = FuncAnimation(fig, draw, frames=out_h * out_w, interval=interval, blit=False, repeat=True)
    draw(0)  # the first frame is complete even before the animation runs (for a static save)
    anim._draw_was_started = True  # so matplotlib does not warn when an animation only inspected is deleted
    anim.output = output
    anim.products = torch.from_numpy(products)
    plt.close(fig)
    return anim


# matplotlib's player draws its buttons with Font Awesome 4 icons from a CDN; these characters need no font.
_PLAYER_ICONS = {"fa-fast-backward": "⇤", "fa-step-backward": "◁", "fa-play fa-flip-horizontal": "◀",
                 "fa-pause": "‖", "fa-play": "▶", "fa-step-forward": "▷", "fa-fast-forward": "⇥",
                 "fa-minus": "−", "fa-plus": "+"}  # fmt: skip


def animation_html(animation: FuncAnimation, default_mode: str = "loop") -> str:
    """The animation as a self-contained HTML player, like ``animation.to_jshtml()`` with no web request.

    matplotlib's player links a Font Awesome stylesheet on a CDN for its button icons: offline (a
    classroom, the book's website served locally) the buttons are blank, and every page view asks a
    third-party server for it. Here the link is dropped and each icon is a plain character that
    common fonts have (▶, ‖, ⇤, ...), with the buttons' titles unchanged. The frame image gets an
    alt text from the figure's title.

    Parameters
    ----------
    animation : matplotlib.animation.FuncAnimation
        For example from :func:`animate_convolution`.
    default_mode : {"loop", "once", "reflect"}
        What the player does at the last frame, as in ``to_jshtml``.

    Returns
    -------
    str
        HTML for ``IPython.display.HTML``.

    Examples
    --------
    >>> import torch
    >>> html = animation_html(animate_convolution(torch.eye(3), [[1.0]]))
    >>> "font-awesome" in html, "fa-play" in html, "▶" in html
    (False, False, True)
    >>> 'alt="A kernel sliding over an image' in html
    True
    """
    from matplotlib.animation import Animation

    if not isinstance(animation, Animation):
        raise TypeError(f"animation must be a matplotlib animation, e.g. animate_convolution(image, kernel), got "
                        f"{type(animation).__name__}.")  # fmt: skip
    default_mode = choice(default_mode, "default_mode", ("loop", "once", "reflect"))
    html = animation.to_jshtml(default_mode=default_mode)
    html = re.sub(r"<link[^>]*font-awesome[^>]*>", "", html)
    # The frame is an <img>: give it a text alternative, from the figure's title when it has one.
    suptitle = animation._fig._suptitle
    title = suptitle.get_text() if suptitle is not None else "an animation"
    alt = f"{title} (animation; the buttons below play it and step through its frames)"
    html = html.replace("<img id=", f'<img alt="{escape(alt)}" id=', 1)

    def icon(match: re.Match) -> str:
        return _PLAYER_ICONS.get(match.group(1).removeprefix("fa ").strip(), "•")

    html = re.sub(r'<i class="(fa [^"]*)"></i>', icon, html)
    if "fa fa-" in html or "font-awesome" in html:
        raise RuntimeError("matplotlib's animation player changed: update ainotes.convplot.animation_html.")
    return html
