"""The one-cycle schedule, step by step, read from ``torch.optim.lr_scheduler.OneCycleLR`` itself.

:func:`~ainotes.train.one_cycle_curves` steps ``OneCycleLR`` on a dummy optimiser (nothing here re-implements its
formula), with clear errors for settings it would refuse cryptically or silently mishandle. The
explorer of :mod:`ainotes.schedule_explorer` draws these curves, and the self-check
:func:`ainotes.training_checks.check_one_cycle_lr` compares answers with them; this module needs
neither widgets nor matplotlib.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ainotes.arguments import real, whole

__all__ = ["one_cycle_curves"]


def _settings(max_lr: Any, total_steps: Any, pct_start: Any, div_factor: Any, final_div_factor: Any,
              anneal_strategy: Any, base_momentum: Any, max_momentum: Any) -> dict:  # fmt: skip
    """The settings checked and as plain Python numbers; a clear TypeError or ValueError otherwise."""
    max_lr = real(max_lr, "max_lr", example="max_lr=0.01")
    if max_lr <= 0:
        raise ValueError(f"max_lr={max_lr:g} is impossible: the peak learning rate must be positive, e.g. 0.01.")
    total_steps = whole(total_steps, "total_steps", example="total_steps=860 (epochs × batches per epoch)")
    if total_steps < 2:
        raise ValueError(f"total_steps={total_steps} is too few: a one-cycle schedule needs at least 2 steps "
                         "(epochs × batches per epoch), e.g. total_steps=860.")  # fmt: skip
    pct_start = real(pct_start, "pct_start", example="pct_start=0.3")
    if not 0 < pct_start < 1:
        raise ValueError(f"pct_start={pct_start:g} is impossible: it is the fraction of the steps spent warming up, "
                         "strictly between 0 and 1 (0.3 means 30%), e.g. pct_start=0.3.")  # fmt: skip
    if pct_start * total_steps <= 1:
        raise ValueError(f"pct_start={pct_start:g} of total_steps={total_steps} is a warm-up of "
                         f"{pct_start * total_steps:g} step(s): it must last more than 1 step (OneCycleLR divides by "
                         "zero or skips it). Raise pct_start or total_steps.")  # fmt: skip
    factors = {}
    for name, value, example in (("div_factor", div_factor, "25"), ("final_div_factor", final_div_factor, "1e4")):
        factors[name] = real(value, name, example=f"{name}={example}")
        if factors[name] <= 0:
            raise ValueError(f"{name}={factors[name]:g} is impossible: it divides the learning rate, so it must be "
                             f"positive, e.g. {name}={example}.")  # fmt: skip
    if anneal_strategy not in ("cos", "linear"):
        raise ValueError(f'anneal_strategy must be "cos" or "linear", got {anneal_strategy!r}.')
    momenta = {}
    for name, value, example in (("base_momentum", base_momentum, "0.85"), ("max_momentum", max_momentum, "0.95")):
        momenta[name] = real(value, name, example=f"{name}={example}")
        if not 0 <= momenta[name] < 1:
            raise ValueError(f"{name}={momenta[name]:g} is impossible: Adam's beta1 (the momentum) must be from 0 to "
                             f"less than 1, e.g. {name}={example}.")  # fmt: skip
    if momenta["base_momentum"] > momenta["max_momentum"]:
        raise ValueError(f"base_momentum={momenta['base_momentum']:g} is larger than max_momentum="
                         f"{momenta['max_momentum']:g}: the momentum runs from max_momentum down to base_momentum and "
                         "back, so swap them (e.g. base_momentum=0.85, max_momentum=0.95).")  # fmt: skip
    return dict(max_lr=max_lr, total_steps=total_steps, pct_start=pct_start, **factors,
                anneal_strategy=anneal_strategy, **momenta)  # fmt: skip


def one_cycle_curves(max_lr: float = 0.01, total_steps: int = 860, *, pct_start: float = 0.3, div_factor: float = 25.0,
                     final_div_factor: float = 1e4, anneal_strategy: str = "cos", base_momentum: float = 0.85,
                     max_momentum: float = 0.95) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The learning rate and momentum (Adam's beta1) of ``OneCycleLR`` at each of ``total_steps`` optimiser steps.

    Read from ``torch.optim.lr_scheduler.OneCycleLR`` itself, stepping a dummy ``AdamW``: value
    ``i`` is what the optimiser uses for batch ``i`` (0-based), read before the ``i``-th
    ``scheduler.step()``, as in :func:`ainotes.train.fit` with ``one_cycle=True``. The warm-up
    runs from ``max_lr / div_factor`` (step 0) up to ``max_lr`` over the first ``pct_start`` of
    the steps; the annealing then goes down to ``max_lr / (div_factor * final_div_factor)`` at the
    last step, both along half a cosine (``anneal_strategy="cos"``) or a straight line
    (``"linear"``). The momentum moves the opposite way, between ``max_momentum`` and
    ``base_momentum``.

    Parameters
    ----------
    max_lr : float, default 0.01
        The peak learning rate.
    total_steps : int, default 860
        Optimiser steps in all, epochs × batches per epoch; at least 2.
    pct_start : float, default 0.3
        Fraction of the steps spent warming up, strictly between 0 and 1; the warm-up must last
        more than one step (``pct_start * total_steps > 1``).
    div_factor, final_div_factor : float, default 25 and 1e4
        The start learning rate is ``max_lr / div_factor``; the final one is ``final_div_factor``
        times smaller still.
    anneal_strategy : {"cos", "linear"}, default "cos"
    base_momentum, max_momentum : float, default 0.85 and 0.95
        The momentum's range, from 0 to less than 1, ``base_momentum <= max_momentum``.

    Returns
    -------
    lr, momentum : ndarray
        Two float arrays of length ``total_steps``.

    Raises
    ------
    TypeError, ValueError
        For settings that are not numbers or impossible, with what to give instead.

    Examples
    --------
    >>> from ainotes.train.one_cycle import one_cycle_curves
    >>> lr, momentum = one_cycle_curves(0.01, 860)
    >>> f"{lr[0]:.2g}", f"{lr.max():.2g}", int(lr.argmax()), f"{lr[-1]:.2g}", len(lr)
    ('0.0004', '0.01', 257, '4e-08', 860)
    >>> f"{momentum[0]:.2f}", f"{momentum[257]:.2f}", f"{momentum[-1]:.2f}"
    ('0.95', '0.85', '0.95')
    """
    s = _settings(max_lr, total_steps, pct_start, div_factor, final_div_factor, anneal_strategy, base_momentum,
                  max_momentum)  # fmt: skip
    optimizer = torch.optim.AdamW([torch.zeros(1, requires_grad=True)], lr=s["max_lr"])
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=s["max_lr"], total_steps=s["total_steps"], pct_start=s["pct_start"],
        anneal_strategy=s["anneal_strategy"], base_momentum=s["base_momentum"], max_momentum=s["max_momentum"],
        div_factor=s["div_factor"], final_div_factor=s["final_div_factor"],
    )  # fmt: skip
    optimizer.step()  # no gradient: changes nothing, but avoids the "scheduler.step() before optimizer.step()" warning
    n = s["total_steps"]
    lr, momentum = np.empty(n), np.empty(n)
    group = optimizer.param_groups[0]
    for i in range(n):
        lr[i], momentum[i] = float(group["lr"]), float(group["betas"][0])
        if i < n - 1:
            scheduler.step()
    return lr, momentum
