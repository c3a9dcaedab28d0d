"""Statistics of a model's activations at every training step, recorded with forward hooks.

:class:`ActivationStats` records, after each training forward pass of the layers it watches, the
mean, standard deviation, near-zero share and a histogram of their outputs: a few numbers per step,
never the activations. Use it as a context manager, so that its hooks are always removed::

    with ActivationStats(model) as stats:
        fit(model, (x, y), epochs=1)
    plot_layer_stats(stats)  # from ainotes.plot

:func:`hook_count` counts the forward hooks on a model: hooks never removed pile up.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from ainotes._stats_layers import _check_options, _names_list, _select
from ainotes.arguments import module as _module

if TYPE_CHECKING:  # pandas is imported by ``summary()`` only
    import pandas as pd

__all__ = ["ActivationStats", "hook_count"]

_CHUNK = 256  # steps stacked into one tensor: a few large tensors rather than many tiny ones
_NO_STEPS = "no steps recorded yet: train the model inside `with ActivationStats(model) as stats:`."


def hook_count(model: nn.Module) -> int:
    """The number of forward hooks registered on ``model`` and all its submodules.

    Every hook runs on every forward pass until it is removed: hooks registered again and again
    (say, by re-running a notebook cell that calls ``register_forward_hook``) pile up.

    Examples
    --------
    >>> from torch import nn
    >>> model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    >>> handle = model[0].register_forward_hook(lambda module, inputs, output: None)
    >>> hook_count(model), handle.remove(), hook_count(model)
    (1, None, 0)
    """
    _module(model, "model", example="model = nn.Sequential(nn.Linear(2, 2))")
    return sum(len(module._forward_hooks) for module in model.modules())


def _flat(a: torch.Tensor) -> torch.Tensor:
    """All values of ``a`` as a 1-d view, in memory order (no copy for channels_last tensors)."""
    if not a.is_contiguous():
        a = a.permute(sorted(range(a.ndim), key=a.stride, reverse=True))
    return a.reshape(-1)


def _stacked(rows: list[tuple[torch.Tensor, ...]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-step (sum, squared deviations, near-zero count, histogram) → a (steps, 3) and a (steps, bins) tensor."""
    return torch.stack([value for row in rows for value in row[:3]]).view(-1, 3), torch.stack([r[3] for r in rows])


class ActivationStats:
    """Record the statistics of some layers' outputs at every training step.

    ``with ActivationStats(model) as stats:`` registers one forward hook per watched layer and removes
    them all on exit, also when training raises; :meth:`attach` and :meth:`remove` do it without
    ``with``. After each training forward pass of a watched layer, for its output ``a`` (the first
    tensor of a tuple), it records:

    * the mean and the standard deviation of all values of ``a`` (dividing by N, not N - 1);
    * the share of values with ``|a| <= near_zero``, from 0 to 1 ("near-zero share");
    * a histogram of ``a``: ``bins`` equal bins over ``hist_range``; the first bin also counts the
      smaller values and the last bin the larger ones, so the counts add up to the number of values.

    All of it is computed where the output is (on the GPU if the model is there) without waiting
    for the device; only these few numbers are kept, never the activations.

    Parameters
    ----------
    model : nn.Module
    modules : list of layer names or layers, optional
        Names from ``model.named_modules()`` (``"0"``, ``"3.1"``, ``"conv1"``) and/or layers of the
        model (``model[0]``). By default, the model's direct children that hold parameters, named
        as in the model (``"0"``, ``"1"``, ... for an ``nn.Sequential``); for a model without
        children, the model itself, named by its class.
    bins : int, default 40
        Histogram bins, from 1 to 1000.
    hist_range : (float, float), default (0.0, 10.0)
        The range of the histograms; the default suits the outputs of ReLU blocks.
    near_zero : float, default 0.05
        Values with ``|a| <= near_zero`` count as near zero.
    train_only : bool, default True
        Record only forward passes in training mode: ``fit``'s validation passes are not steps.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Conv2d(4, 8, 3), nn.ReLU())
    >>> with ActivationStats(model, bins=20) as stats:
    ...     outputs = [model(torch.randn(2, 1, 8, 8)) for step in range(3)]
    >>> stats
    ActivationStats(2 layers: 0, 2; 3 steps recorded; hooks removed)
    >>> stats.mean("0").shape, stats.histograms(-1).shape, hook_count(model)
    (torch.Size([3]), torch.Size([3, 20]), 0)
    """

    def __init__(self, model: nn.Module, modules: Sequence[str | nn.Module] | None = None, *, bins: int = 40,
                 hist_range: tuple[float, float] = (0.0, 10.0), near_zero: float = 0.05,
                 train_only: bool = True) -> None:  # fmt: skip
        _module(model, "model", example="model = nn.Sequential(nn.Linear(2, 2))")
        lo, hi = _check_options(bins, hist_range, near_zero, train_only)
        self.model, self.bins, self.hist_range, self.threshold = model, int(bins), (lo, hi), float(near_zero)
        self.train_only = train_only
        self._names, self._modules = _select(model, modules)
        # per layer and step: the number of values; (sum, sum of squared deviations from the mean, near-zero
        # count, histogram) as tensors where the output is, pending until stacked into chunks of _CHUNK steps
        self._numels: dict[str, list[int]] = {name: [] for name in self._names}
        self._rows: dict[str, list[tuple[torch.Tensor, ...]]] = {name: [] for name in self._names}
        self._chunks: dict[str, list[tuple[torch.Tensor, torch.Tensor]]] = {name: [] for name in self._names}
        self._cache: dict[str, tuple[int, torch.Tensor, torch.Tensor]] = {}
        self._handles: list[Any] = []

    def attach(self) -> ActivationStats:
        """Register the forward hooks (one per watched layer) and return ``self``.

        Prefer ``with ActivationStats(model) as stats:``, which removes them for you.

        Examples
        --------
        >>> from torch import nn
        >>> model = nn.Sequential(nn.Linear(2, 2))
        >>> stats = ActivationStats(model).attach()
        >>> stats.attached, hook_count(model), stats.remove(), hook_count(model)
        (True, 1, None, 0)
        """
        if self._handles:
            raise RuntimeError("These ActivationStats are already attached to the model: attaching again would record "
                               "every step twice. Call stats.remove() first, or use a single `with` block.")  # fmt: skip
        self._handles = [m.register_forward_hook(self._hook(name)) for name, m in zip(self._names, self._modules)]
        return self

    def remove(self) -> None:
        """Remove the hooks; the recorded statistics stay readable. Safe to call more than once.

        Examples
        --------
        >>> from torch import nn
        >>> stats = ActivationStats(nn.Linear(2, 2)).attach()
        >>> stats.remove(), stats.remove(), stats.attached
        (None, None, False)
        """
        for handle in self._handles:
            handle.remove()
        self._handles = []

    @property
    def attached(self) -> bool:
        """Whether the hooks are registered on the model."""
        return bool(self._handles)

    def __enter__(self) -> ActivationStats:
        return self.attach()

    def __exit__(self, *exc_info: object) -> None:
        self.remove()  # returns None: an exception raised in the block goes on

    def _hook(self, name: str) -> Any:
        (lo, hi), bins, threshold, train_only = self.hist_range, self.bins, self.threshold, self.train_only
        numels, rows, chunks = self._numels[name], self._rows[name], self._chunks[name]
        scale, index_type = bins / (hi - lo), torch.int8 if bins <= 127 else torch.int32

        def hook(module: nn.Module, inputs: Any, output: Any) -> None:
            if train_only and not module.training:
                return
            if isinstance(output, (tuple, list)):
                output = next((item for item in output if isinstance(item, torch.Tensor)), None)
            if not isinstance(output, torch.Tensor):
                raise TypeError(f"ActivationStats: layer {name!r} ({type(module).__name__}) returned no tensor, so it "
                                "has no activations to record. Pass modules=[...] without this layer.")  # fmt: skip
            with torch.no_grad():  # few operations, no .item(): nothing waits for the GPU
                a = _flat(output.detach() if output.dtype == torch.float32 else output.detach().float())
                total = a.sum()
                deviations = torch.sub(a, total, alpha=1 / max(a.numel(), 1))  # a - mean
                near = a.abs().le_(threshold).sum()
                if a.device.type == "cpu":  # bincount: 3x faster than histc; on a GPU it would wait for the device
                    index = (a.mul(scale) if lo == 0 else (a - lo).mul_(scale)).clamp_(0, bins - 1).to(index_type)
                    # NaN turns into 0 in int8, but may turn negative in int32: clamp it there
                    hist = torch.bincount(index if bins <= 127 else index.clamp_(0, bins - 1), minlength=bins)
                else:
                    hist = torch.histc(a.clamp(lo, hi), bins, lo, hi)
                row = (total, torch.dot(deviations, deviations), near, hist)
            if rows and (len(rows) >= _CHUNK or rows[0][3].device != hist.device):
                chunks.append(_stacked(rows))
                rows.clear()
            numels.append(a.numel())
            rows.append(row)

        return hook

    @property
    def layers(self) -> list[str]:
        """The names of the watched layers, in model order."""
        return list(self._names)

    @property
    def steps(self) -> int:
        """The number of steps recorded for the first layer (0 before training)."""
        return len(self._numels[self._names[0]])

    @property
    def bin_edges(self) -> torch.Tensor:
        """The ``bins + 1`` edges of the histogram bins, from ``hist_range[0]`` to ``hist_range[1]``."""
        return torch.linspace(*self.hist_range, self.bins + 1)

    def _layer_name(self, layer: str | int) -> str:
        """The name of ``layer``, given as a name or as an index into :attr:`layers` (negative allowed)."""
        if isinstance(layer, str):
            if layer not in self._rows:
                close = difflib.get_close_matches(layer, self._names, n=1)
                guess = f" (did you mean {close[0]!r}?)" if close else ""
                raise ValueError(f"layer {layer!r} is not watched. Watched layers: {_names_list(self._names)}{guess}.")
            return layer
        if isinstance(layer, numbers.Integral) and not isinstance(layer, bool):
            if not -len(self._names) <= layer < len(self._names):
                raise IndexError(f"layer {layer} is out of range: there are {len(self._names)} watched layers "
                                 f"({_names_list(self._names)}); use 0 to {len(self._names) - 1}, or -1 for the last.")  # fmt: skip
            return self._names[int(layer)]
        if isinstance(layer, nn.Module) and any(layer is m for m in self._modules):
            name = self._names[next(i for i, m in enumerate(self._modules) if m is layer)]
            raise TypeError(f"layer must be a layer name (str) or an index (int), not the layer itself: use {name!r}.")
        raise TypeError(f"layer must be a layer name (str) or an index (int), got {layer!r}: use one of stats.layers "
                        f"({_names_list(self._names)}) or its index.")  # fmt: skip

    def _table(self, layer: str | int) -> tuple[torch.Tensor, torch.Tensor]:
        """``layer``'s [mean, std, near-zero share] (steps, 3) and histograms (steps, bins), on the CPU."""
        name = self._layer_name(layer)
        rows, steps, cached = self._rows[name], len(self._numels[name]), self._cache.get(name)
        if cached is None or cached[0] != steps:
            parts = self._chunks[name] + ([_stacked(rows)] if rows else [])
            sums = torch.cat([r.cpu().double() for r, _ in parts]) if parts else torch.zeros(0, 3, dtype=torch.float64)
            hists = torch.cat([h.cpu().float() for _, h in parts]) if parts else torch.zeros(0, self.bins)
            n = torch.tensor(self._numels[name], dtype=torch.float64).clamp(min=1)
            values = torch.stack((sums[:, 0] / n, (sums[:, 1] / n).sqrt(), sums[:, 2] / n), dim=1).float()
            self._cache[name] = cached = (steps, values, hists)
        return cached[1], cached[2]

    def mean(self, layer: str | int) -> torch.Tensor:
        """The mean of ``layer``'s output at each recorded step: a CPU tensor of shape (steps,).

        Examples
        --------
        >>> import torch
        >>> from torch import nn
        >>> model = nn.Sequential(nn.Identity(), nn.Linear(1, 1))
        >>> with ActivationStats(model, modules=["0"]) as stats:
        ...     _ = model(torch.tensor([[1.0], [3.0]]))
        >>> stats.mean("0"), stats.std("0"), stats.near_zero("0")
        (tensor([2.]), tensor([1.]), tensor([0.]))
        """
        return self._table(layer)[0][:, 0].clone()

    def std(self, layer: str | int) -> torch.Tensor:
        """The standard deviation (dividing by N) of ``layer``'s output at each step, shape (steps,).

        Examples
        --------
        >>> from torch import nn
        >>> ActivationStats(nn.Linear(2, 2)).std(0)  # nothing recorded yet
        tensor([])
        """
        return self._table(layer)[0][:, 1].clone()

    def near_zero(self, layer: str | int) -> torch.Tensor:
        """The share of values of ``layer``'s output with ``|a| <= threshold`` at each step, in [0, 1].

        Examples
        --------
        >>> import torch
        >>> from torch import nn
        >>> relu = nn.ReLU()
        >>> with ActivationStats(relu, modules=[relu]) as stats:
        ...     _ = relu(torch.tensor([-1.0, 0.0, 2.0, 3.0]))
        >>> stats.layers, stats.near_zero("ReLU")
        (['ReLU'], tensor([0.5000]))
        """
        return self._table(layer)[0][:, 2].clone()

    def histograms(self, layer: str | int) -> torch.Tensor:
        """The histogram counts of ``layer``'s output at each step: shape (steps, bins).

        Bin ``j`` counts the values between ``bin_edges[j]`` and ``bin_edges[j + 1]``; the first
        bin also counts the values below ``hist_range``, the last bin those above it.

        Examples
        --------
        >>> import torch
        >>> from torch import nn
        >>> layer = nn.Identity()
        >>> model = nn.Sequential(layer, nn.Linear(1, 1))
        >>> with ActivationStats(model, [layer], bins=4, hist_range=(0, 4)) as stats:
        ...     _ = model(torch.tensor([[-5.0], [0.5], [1.5], [9.0]]))
        >>> stats.bin_edges, stats.histograms(0)
        (tensor([0., 1., 2., 3., 4.]), tensor([[2., 1., 0., 1.]]))
        """
        return self._table(layer)[1].clone()

    def summary(self) -> pd.DataFrame:
        """One row per layer: mean, standard deviation and near-zero share over the last 10% of steps.

        Examples
        --------
        >>> import torch
        >>> from torch import nn
        >>> model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2))
        >>> with ActivationStats(model) as stats:
        ...     _ = model(torch.randn(4, 2))
        >>> list(stats.summary().columns), list(stats.summary().index)
        (['steps', 'mean', 'std', 'near-zero share'], ['0', '2'])
        """
        import pandas as pd

        if self.steps == 0:
            raise ValueError(_NO_STEPS)
        tables = [self._table(name)[0] for name in self._names]
        rows = [[len(t), *t[-math.ceil(0.1 * len(t)) :].mean(0).tolist()] for t in tables]  # NaN for no steps
        columns = ["steps", "mean", "std", "near-zero share"]
        return pd.DataFrame(rows, columns=columns, index=pd.Index(self._names, name="layer"))

    def __repr__(self) -> str:
        names = ", ".join(self._names[:8]) + (", ..." if len(self._names) > 8 else "")
        plural = "" if len(self._names) == 1 else "s"
        hooks = "hooks attached" if self.attached else "hooks removed"
        return f"ActivationStats({len(self._names)} layer{plural}: {names}; {self.steps} steps recorded; {hooks})"
