"""Guided tasks for the convolution explorer, checked by pure functions (no widgets needed).

:class:`ExplorerState` is what the explorer shows (its settings and the sizes they give);
each check below reads one state. :class:`TaskProgress` remembers what a reader has found, so a
task that needs two different answers can be ticked, and a ticked task stays ticked.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import torch

from ainotes.arguments import _kind, choice, whole
from ainotes.kernels import PADDING_MODES

__all__ = [
    "TASKS",
    "ExplorerState",
    "TaskProgress",
    "bottom_edge_problem",
    "gives_five_by_five_field",
    "halving_setting",
    "size_keeping_way",
]

#: (key, text) of each task, in the order shown.
TASKS = (
    ("halve", "Find two different settings that turn the 28×28 digit into a 14×14 map."),
    (
        "bottom edge",
        "Make a kernel that finds bottom edges (bright above, dark below): positive there, "
        "negative on the reverse edge, about 0 on flat patches.",
    ),
    ("dilation", "Find the dilation that gives a 3×3 kernel a 5×5 field."),
    (
        "keep size",
        "Keep a 28×28 image at 28×28 with a 5×5 kernel and stride 1, in two ways: with a number "
        "of pixels and with a padding kind.",
    ),
)


@dataclass(frozen=True, eq=False)
class ExplorerState:
    """The explorer's settings and what they give; ``output_size`` is None for impossible settings.

    Examples
    --------
    >>> import torch
    >>> from ainotes.explorer_tasks import ExplorerState
    >>> ExplorerState(
    ...     (28, 28),
    ...     torch.zeros(5, 5),
    ...     stride=1,
    ...     padding=2,
    ...     dilation=1,
    ...     output_size=(28, 28),
    ... ).kernel_size
    5
    """

    image_size: tuple[int, int]
    kernel: torch.Tensor
    stride: int = 1
    padding: int | str = 0
    dilation: int = 1
    padding_mode: str = "zeros"
    output_size: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        size = self.image_size
        if not isinstance(size, tuple) or len(size) != 2:
            raise TypeError(f"image_size must be a pair (height, width), like (28, 28); got {size!r}.")
        for i, side in enumerate(size):
            whole(side, f"image_size[{i}]", least=1, example="image_size=(28, 28)")
        if not isinstance(self.kernel, torch.Tensor):
            raise TypeError(f"kernel must be a torch.Tensor, got {_kind(self.kernel)}: e.g. torch.zeros(3, 3).")
        _kernel(self.kernel)
        if self.kernel.shape[0] != self.kernel.shape[1]:
            raise ValueError(f"kernel has shape {tuple(self.kernel.shape)}: the explorer's kernels are square, "
                             "like 3×3 or 5×5.")  # fmt: skip
        whole(self.stride, "stride", least=1, example="stride=1")
        whole(self.dilation, "dilation", least=1, example="dilation=1")
        if isinstance(self.padding, str):
            choice(self.padding, "padding", ("valid", "same", "full"))
        else:
            whole(self.padding, "padding", least=0, example="padding=1")
        choice(self.padding_mode, "padding_mode", PADDING_MODES)  # the modes apply_kernel supports
        if self.output_size is not None and (not isinstance(self.output_size, tuple) or len(self.output_size) != 2):
            raise TypeError(f"output_size must be a pair (height, width) or None, got {self.output_size!r}.")

    @property
    def kernel_size(self) -> int:
        """The kernel's side, in weights."""
        return int(self.kernel.shape[0])


def _kernel(kernel: object) -> torch.Tensor:
    """``kernel`` as a 2-D float tensor; a clear error otherwise."""
    example = "torch.tensor([[1.0, 1, 1], [0, 0, 0], [-1, -1, -1]])"
    try:
        weights = torch.as_tensor(kernel, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"kernel must be a 2-D tensor of weights, like {example}; got {kernel!r}.") from None
    if weights.ndim != 2 or not weights.numel():
        raise ValueError(f"kernel must be 2-D (rows, columns), like {example}; got shape {tuple(weights.shape)}.")
    return weights


def _state(state: object) -> ExplorerState:
    if not isinstance(state, ExplorerState):
        raise TypeError(f"state must be an ExplorerState (what the explorer shows), got {_kind(state)}.")
    return state


def halving_setting(state: ExplorerState) -> tuple[int, int, int | str, int] | None:
    """(kernel size, stride, padding, dilation) if the state turns a 28×28 image into 14×14, else None.

    Examples
    --------
    >>> import torch
    >>> from ainotes.explorer_tasks import ExplorerState, halving_setting
    >>> halving_setting(
    ...     ExplorerState((28, 28), torch.zeros(3, 3), 2, 1, 1, output_size=(14, 14))
    ... )
    (3, 2, 1, 1)
    """
    if _state(state).image_size == (28, 28) and state.output_size == (14, 14):
        return state.kernel_size, state.stride, state.padding, state.dilation
    return None


def _step_responses(kernel: torch.Tensor) -> dict[str, torch.Tensor]:
    """The kernel's responses on step images (1 bright, 0 dark), at every offset of the edge.

    On a horizontal step whose top ``t`` rows of the window are bright, the response is the sum of
    the kernel's first ``t`` rows, so the responses are cumulative sums of the row (or column) sums.
    """
    zero = torch.zeros(1)
    above = torch.cat([zero, kernel.sum(1).cumsum(0)])  # t = 0 (all dark) ... k (all bright)
    left = torch.cat([zero, kernel.sum(0).cumsum(0)])
    total = kernel.sum()
    return {"bright above": above, "bright below": total - above, "bright left": left, "bright right": total - left}


def bottom_edge_problem(kernel: torch.Tensor) -> str:
    """Why ``kernel`` is not a bottom-edge detector yet, or "" if it is one.

    A bottom-edge detector responds positively where it is bright above and dark below, negatively
    on the reverse edge, and (about) 0 on flat patches and on vertical edges. The kernel is tried
    on step images (every offset of the edge under the window); "about 0" means within 5 % of the
    sum of the absolute weights.

    Examples
    --------
    >>> import torch
    >>> from ainotes.explorer_tasks import bottom_edge_problem
    >>> bottom_edge_problem(torch.tensor([[1.0, 1, 1], [0, 0, 0], [-1, -1, -1]]))
    ''
    >>> bottom_edge_problem(torch.ones(3, 3))
    'it responds to flat patches: its weights add up to 9, not 0.'
    """
    kernel = _kernel(kernel)
    if not bool(kernel.isfinite().all()):
        return "some of its weights are not finite numbers (inf or nan)."
    scale = float(kernel.abs().sum())
    if scale == 0:
        return "all its weights are 0, so it responds to nothing."
    tol, clear = 0.05 * scale, 0.25 * scale
    total = float(kernel.sum())
    if abs(total) > tol:
        return f"it responds to flat patches: its weights add up to {total:g}, not 0."
    r = _step_responses(kernel)
    if r["bright above"].max() <= clear:
        return "it gives no clear positive response where it is bright above and dark below."
    if r["bright above"].min() < -tol:
        return "it also responds negatively near a bright-above edge: it finds lines, not one kind of edge."
    if r["bright below"].min() >= -clear or r["bright below"].max() > tol:
        return "it does not respond negatively to the reverse edge (dark above, bright below)."
    if max(float(r[side].abs().max()) for side in ("bright left", "bright right")) > tol:
        return "it also responds to vertical edges (bright left or right), so it is not a bottom-edge detector only."
    return ""


def gives_five_by_five_field(state: ExplorerState) -> bool:
    """Whether a 3×3 kernel sees a 5×5 field: dilation 2 (it spans 2 × (3 − 1) + 1 = 5 pixels).

    Examples
    --------
    >>> import torch
    >>> from ainotes.explorer_tasks import ExplorerState, gives_five_by_five_field
    >>> gives_five_by_five_field(ExplorerState((28, 28), torch.zeros(3, 3), dilation=2))
    True
    """
    return _state(state).kernel_size == 3 and state.dilation * (state.kernel_size - 1) + 1 == 5


def size_keeping_way(state: ExplorerState) -> str | None:
    """How a 5×5 kernel with stride 1 keeps a 28×28 image at 28×28: "a number", "a padding kind", or None.

    Examples
    --------
    >>> import torch
    >>> from ainotes.explorer_tasks import ExplorerState, size_keeping_way
    >>> size_keeping_way(
    ...     ExplorerState((28, 28), torch.zeros(5, 5), 1, "same", 1, output_size=(28, 28))
    ... )
    'a padding kind'
    """
    if (_state(state).image_size, state.output_size, state.kernel_size, state.stride) != ((28, 28), (28, 28), 5, 1):
        return None
    return "a padding kind" if isinstance(state.padding, str) else "a number"


@dataclass
class TaskProgress:
    """What a reader has found so far; :meth:`update` with each new state ticks the tasks.

    Examples
    --------
    >>> import torch
    >>> from ainotes.explorer_tasks import ExplorerState, TaskProgress
    >>> progress = TaskProgress()
    >>> progress.update(
    ...     ExplorerState((28, 28), torch.zeros(3, 3), 2, 1, 1, output_size=(14, 14))
    ... )
    >>> progress.done["halve"], progress.note("halve")
    (False, '1 of 2 found')
    >>> progress.update(
    ...     ExplorerState((28, 28), torch.zeros(2, 2), 2, 0, 1, output_size=(14, 14))
    ... )
    >>> progress.done["halve"]
    True
    """

    halvings: set = field(default_factory=set)
    ways: set = field(default_factory=set)
    done: dict = field(default_factory=lambda: {key: False for key, _ in TASKS})
    edge_problem: str = ""

    def update(self, state: ExplorerState) -> None:
        """Record what ``state`` shows; a ticked task stays ticked."""
        _state(state)
        setting = halving_setting(state)
        if setting is not None:
            self.halvings.add(setting)
        way = size_keeping_way(state)
        if way is not None:
            self.ways.add(way)
        self.edge_problem = bottom_edge_problem(state.kernel)
        found = {"halve": len(self.halvings) >= 2, "bottom edge": not self.edge_problem,
                 "dilation": gives_five_by_five_field(state), "keep size": len(self.ways) >= 2}  # fmt: skip
        for key, ok in found.items():
            self.done[key] = self.done[key] or ok

    def note(self, key: str) -> str:
        """Progress towards a task, in words ("" when there is nothing to add)."""
        choice(key, "key", [name for name, _ in TASKS])
        if self.done[key]:
            return ""
        if key == "halve" and self.halvings:
            return f"{len(self.halvings)} of 2 found"
        if key == "keep size" and self.ways:
            return f"found with {next(iter(self.ways))}; now the other way"
        if key == "bottom edge":
            return f"this kernel: {self.edge_problem}"
        return ""

    def html(self) -> str:
        """The task list: ✓ for a task done, ○ for one still open, with its progress."""
        rows = []
        for key, text in TASKS:
            mark = '<b style="color:#1a7f37">✓</b>' if self.done[key] else "○"
            note = self.note(key)
            rows.append(f"<li style='list-style:none'>{mark} {html.escape(text)}"
                        + (f" <small><i>({html.escape(note)})</i></small>" if note else "") + "</li>")  # fmt: skip
        return "<b>Tasks</b><ul style='margin:2px 0;padding-left:8px'>" + "".join(rows) + "</ul>"
