"""Self-checks of chapter 6, batch normalisation: a layer's counts, its running mean and its output.

Like the checks in :mod:`ainotes.exercises`, each returns a :class:`~ainotes.feedback.Feedback`
and follows the attempts policy of :func:`~ainotes.feedback.judge`: a right answer shows the
working, the first wrong answer gets a hint (the common mistakes are recognised by value), the
second the worked answer, and ``show_answer=True`` gives it at once. The expected counts and
outputs come from real ``nn.BatchNorm2d`` and ``nn.BatchNorm1d`` layers.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from ainotes.arguments import flag, real, whole
from ainotes.feedback import Feedback, judge, not_answered, parse_numbers, question_key, read_number

__all__ = ["check_batchnorm_counts", "check_batchnorm_output", "check_running_mean"]

TOLERANCE = 0.01  # a running mean within 1% counts as right; each output within 0.01
_LABELS = {"weight": "weight (gamma)", "bias": "bias (beta)"}


def _g(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}g}"


def _numbers(value: Any, name: str, least: int, example: str) -> tuple[float, ...]:
    """The chapter author's ``value`` as floats; a TypeError or ValueError that says how to give them."""
    if isinstance(value, (torch.Tensor, np.ndarray)):
        if value.ndim != 1:
            raise ValueError(f"{name} must be 1-D, {example}; got shape {tuple(value.shape)}.")
        value = value.tolist()
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a sequence of numbers, {example}; got {value!r}.")
    if any(isinstance(v, bool) or not isinstance(v, (numbers.Real, np.number)) for v in value):
        raise TypeError(f"{name}={value!r} must hold numbers only, {example}.")
    if len(value) < least:
        raise ValueError(f"{name}={value!r} is empty: give at least one number, {example}.")
    result = tuple(float(v) for v in value)
    if not all(math.isfinite(v) for v in result):
        raise ValueError(f"{name}={value!r} must be finite numbers: no inf or nan.")
    return result


def _read(answer: Any) -> tuple[float, ...] | None:
    """The reader's answer as floats, or None if it cannot be read as numbers."""
    try:
        return parse_numbers(answer)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------------------------
# Parameters and buffers of nn.BatchNorm2d
# --------------------------------------------------------------------------------------------
def _counts_hint(given: tuple[int, int], c: int, expected: tuple[int, int]) -> str:
    """The hints for a wrong (parameters, buffer values) pair, or "" if no common mistake gives it."""
    if given == (expected[1], expected[0]):
        return ("Swapped? The learnable parameters come first, and only gamma and beta are learned: the running "
                "statistics and the counter are buffers.")  # fmt: skip
    counter = ("`num_batches_tracked` is not a parameter: it is a counter, a buffer kept with the running statistics "
               "(the optimiser never updates it).")  # fmt: skip
    running = ("The running mean and variance are not learnable parameters: they are buffers, updated by the forward "
               "pass in training mode, not by the optimiser.")  # fmt: skip
    parameters = [(c, "Each channel has two learnable values: a scale gamma (`weight`) and a shift beta (`bias`)."),
                  (2 * c + 1, counter), (4 * c + 1, running), (4 * c, running)]  # fmt: skip
    buffers = [(2 * c, "Besides `running_mean` and `running_var` the layer keeps one more buffer, "
                "`num_batches_tracked`: a single counter of the training batches seen."),
               (c, "There are two running statistics per channel: `running_mean` and `running_var`."),
               (c + 1, "There are two running statistics per channel: `running_mean` and `running_var`."),
               (0, "The layer has buffers too: tensors that are not learned but are saved with it "
                "(`module.buffers()` lists them).")]  # fmt: skip
    hints = []
    for value, right, candidates in ((given[0], expected[0], parameters), (given[1], expected[1], buffers)):
        hints += [next((hint for guess, hint in candidates if guess != right and value == guess), "")]
    return " ".join(hint for hint in hints if hint)


def check_batchnorm_counts(answer: Sequence[int] | str | None, num_features: int = 64, *,
                           show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check the learnable parameters and the buffer values of ``nn.BatchNorm2d(num_features)``.

    ``answer`` is a pair, (learnable parameters, buffer values): a tuple, a list, a tensor, a
    NumPy array or a string such as ``"128, 129"``. The expected numbers are counted on a real
    layer, with ``parameters()`` and ``buffers()``.

    Parameters
    ----------
    answer : pair of int, str or None
        The reader's two counts; ``None`` before the reader has answered.
    num_features : int, default 64
        The channels C of the layer, at least 1.
    show_answer : bool, default False
        Give the worked answer at once.

    Returns
    -------
    Feedback
        The verdict, with the working or a hint.

    Examples
    --------
    >>> from ainotes.norm_checks import check_batchnorm_counts
    >>> check_batchnorm_counts("128, 129", 64).correct
    True
    >>> check_batchnorm_counts((128, 129), 64)
    ✓ Right. `nn.BatchNorm2d(64)` learns weight (gamma) 64 + bias (beta) 64 = 128 parameters. Its buffers are running_mean 64 + running_var 64 + num_batches_tracked 1 = 129 values: they are saved in the state_dict and moved by `.to()`, but the optimiser never sees them.
    """
    c = whole(num_features, "num_features", least=1, example="num_features=64")
    show_answer = flag(show_answer, "show_answer")
    layer = nn.BatchNorm2d(c)
    expected = (sum(p.numel() for p in layer.parameters()), sum(b.numel() for b in layer.buffers()))
    learned = " + ".join(f"{_LABELS.get(n, n)} {p.numel()}" for n, p in layer.named_parameters())
    kept = " + ".join(f"{n} {b.numel()}" for n, b in layer.named_buffers())
    working = (f"`nn.BatchNorm2d({c})` learns {learned} = {expected[0]} parameters. Its buffers are {kept} = "
               f"{expected[1]} values: they are saved in the state_dict and moved by `.to()`, but the optimiser never "
               "sees them.")  # fmt: skip
    if answer is None:
        return not_answered(show_answer, working)
    values = _read(answer)
    form = ('The answer is a pair of whole numbers, (learnable parameters, buffer values), like (100, 200) or '
            f'"100, 200"; you gave {answer!r}.')  # fmt: skip
    if values is not None and len(values) == 1 and values[0] in (4 * c + 1, 2 * c):
        both = values[0] == 4 * c + 1
        what = "looks like both counts together: give them apart" if both else "is one count: give both"
        return Feedback(False, f"{values[0]:g} {what}. {form}")
    if values is None or len(values) != 2 or not all(v.is_integer() for v in values):
        return Feedback(False, form)
    given = (int(values[0]), int(values[1]))
    correct = given == expected
    hint = "" if correct else _counts_hint(given, c, expected)
    generic = ("List what the layer stores per channel: the tensors it learns are in `parameters()`, the ones it only "
               "keeps (running statistics, a counter) in `buffers()`; count the values of each.")  # fmt: skip
    return judge("check_batchnorm_counts", question_key(c), correct=correct, given=f"({given[0]}, {given[1]})",
                 right=working, worked=working, hint=hint, generic_hint=generic, show_answer=show_answer)  # fmt: skip


# --------------------------------------------------------------------------------------------
# The running mean
# --------------------------------------------------------------------------------------------
def _running(batch_means: Sequence[float], momentum: float, start: float, new_weight: float | None = None) -> float:
    """The running mean after ``batch_means``; ``new_weight`` is the weight of each batch mean (momentum)."""
    weight = momentum if new_weight is None else new_weight
    running = start
    for mean in batch_means:
        running = (1 - weight) * running + weight * mean
    return running


def _close(value: float, target: float) -> bool:
    return abs(value - target) <= max(TOLERANCE * abs(target), 1e-6)


def _running_hint(value: float, means: tuple[float, ...], momentum: float, start: float) -> str:
    """The hint for a wrong running mean, or "" if no common mistake gives it."""
    expected = _running(means, momentum, start)
    candidates = [
        (_running(means, momentum, start, 1 - momentum), "PyTorch's momentum is the weight of the new batch mean, "
         "not of the old running value (the other way round from an optimiser's momentum or Keras's): running = "
         "(1 − momentum) × running + momentum × batch mean."),
        (sum(means) / len(means), "That is the plain average of the batch means, which PyTorch keeps only with "
         "momentum=None. With a momentum, each batch moves the running mean only a fraction momentum of the way "
         "towards its batch mean."),
        (means[-1], f"That is the last batch's mean: each batch moves the running mean only momentum = {momentum:g} "
         "of the way towards its batch mean, so it lags behind."),
        (_running(means[1:], momentum, means[0]), f"The running mean starts at {start:g}, not at the first batch "
         "mean" + (" (a new layer fills running_mean with zeros)" if start == 0 else "") + ": the first batch moves "
         "it only a fraction momentum of the way."),
        (_running(means, momentum, 0.0) if start != 0 else None, f"The running mean starts at start = {start:g}, "
         "the value it had before these batches, not at 0."),
        (_running(means[:1], momentum, start) if len(means) > 1 else None, "That is the running mean after the "
         "first batch only: every training-mode batch updates it."),
    ]  # fmt: skip
    for guess, hint in candidates:
        if guess is not None and not _close(guess, expected) and _close(value, guess):
            return hint
    return ""


def check_running_mean(answer: float | str | None, batch_means: Sequence[float], *, momentum: float = 0.1,
                       start: float = 0.0, show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check the running mean of one channel after training-mode batches with means ``batch_means``.

    PyTorch's rule, after each batch: running = (1 − momentum) × running + momentum × batch mean,
    from ``start`` (0 for a new layer). An answer within 1% of it (1e-6 if it is 0) counts as
    right; ``answer`` is a number or a string such as ``"0.58"``.

    Parameters
    ----------
    answer : float, str or None
        The reader's running mean; ``None`` before the reader has answered.
    batch_means : sequence of float
        The channel's mean in each batch, in order; at least one.
    momentum : float, default 0.1
        The layer's ``momentum``, in (0, 1].
    start : float, default 0.0
        The running mean before these batches.
    show_answer : bool, default False
        Give the worked answer at once.

    Returns
    -------
    Feedback
        The verdict, with each step or a hint.

    Examples
    --------
    >>> from ainotes.norm_checks import check_running_mean
    >>> check_running_mean(0.58, (2, 4))
    ✓ Right. With momentum = 0.1, each training-mode batch sets running = (1 − momentum) × running + momentum × batch mean, from 0: 0.9 × 0 + 0.1 × 2 = 0.2, then 0.9 × 0.2 + 0.1 × 4 = 0.58.
    """
    means = _numbers(batch_means, "batch_means", 1, "one mean per batch, like [2.0, 4.0]")
    if momentum is None:
        raise TypeError("momentum=None (PyTorch's cumulative average) is not covered by this check: give a number in "
                        "(0, 1], e.g. momentum=0.1.")  # fmt: skip
    m = real(momentum, "momentum", example="momentum=0.1")
    if not 0 < m <= 1:
        raise ValueError(f"momentum={momentum!r} is impossible: give a number in (0, 1], e.g. momentum=0.1.")
    first, show_answer = real(start, "start", example="start=0.0"), flag(show_answer, "show_answer")
    steps, running = [], first
    for mean in means:
        new = (1 - m) * running + m * mean
        steps.append(f"{_g(1 - m)} × {_g(running)} + {_g(m)} × {_g(mean)} = {_g(new)}")
        running = new
    if len(steps) > 6:
        steps = [*steps[:3], f"… ({len(steps) - 5} more batches)", *steps[-2:]]
    working = (f"with momentum = {m:g}, each training-mode batch sets running = (1 − momentum) × running + momentum × "
               f"batch mean, from {first:g}: {', then '.join(steps)}.")  # fmt: skip
    value = read_number(answer, "A running mean", '0.58, 5.8e-1 or "0.58"')
    if isinstance(value, Feedback):
        return value
    if value is None:
        return not_answered(show_answer, working)
    correct = _close(value, running)
    hint = "" if correct else _running_hint(value, means, m, first)
    generic = (f"Go batch by batch from {first:g}: after each one, running = (1 − momentum) × running + momentum × "
               f"batch mean, with momentum = {m:g}.")  # fmt: skip
    return judge("check_running_mean", question_key(means, m, first), correct=correct, given=_g(value, 6),
                 right=working[0].upper() + working[1:], worked=working, hint=hint, generic_hint=generic,
                 show_answer=show_answer)  # fmt: skip


# --------------------------------------------------------------------------------------------
# The output of a new layer in training mode
# --------------------------------------------------------------------------------------------
def _vector(values: Sequence[float], scale: float, centre: float = 0.0) -> list[float]:
    return [(v - centre) / scale for v in values]


def _output_hint(given: tuple[float, ...], xs: tuple[float, ...], eps: float, expected: list[float]) -> str:
    """The hint for wrong outputs, or "" if no common mistake gives them."""
    n, mean = len(xs), sum(xs) / len(xs)
    var = sum((x - mean) ** 2 for x in xs) / n
    candidates = [
        (_vector(xs, math.sqrt(var * n / (n - 1) + eps), mean), f"You divided by N − 1 = {n - 1}: batch norm "
         f"normalises with the biased variance, dividing by N = {n} (`x.var(unbiased=False)`); only its running_var uses N − 1."),
        (_vector(xs, 1.0, mean), "You subtracted the mean but did not divide by the standard deviation, "
         "sqrt(variance + eps)."),
        (_vector(xs, var + eps, mean), "You divided by the variance: divide by the standard deviation, "
         "sqrt(variance + eps)."),
        (_vector(xs, math.sqrt(1 + eps)), "That is a new layer in eval mode, which uses running_mean 0 and "
         "running_var 1, so the values come out (almost) unchanged. In training mode it uses the batch's own mean "
         "and variance."),
        ([-e for e in expected], "Check the sign: the output is (x − mean) / sqrt(variance + eps)."),
    ]  # fmt: skip

    def close(a: Sequence[float], b: Sequence[float]) -> bool:
        return all(abs(x - y) <= TOLERANCE for x, y in zip(a, b))

    for guess, hint in candidates:
        if not close(guess, expected) and close(given, guess):
            return hint
    return ""


def check_batchnorm_output(answer: Sequence[float] | str | None, values: Sequence[float], *, eps: float = 1e-5,
                           show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check the output of a new ``nn.BatchNorm1d(1)`` in training mode for a batch holding ``values``.

    A new layer has gamma 1 and beta 0, so its output is (x − mean) / sqrt(variance + eps), with the
    batch's mean and biased variance (dividing by N). The expected output is computed by a real
    ``nn.BatchNorm1d(1, eps=eps)``; each value within 0.01 of it counts as right. ``answer`` is one
    number per value: a list, tuple, tensor, NumPy array or a string such as ``"-1.34, 1.34"``.

    Parameters
    ----------
    answer : sequence of float, str or None
        The reader's outputs; ``None`` before the reader has answered.
    values : sequence of float
        The channel's values in the batch, at least 2 (in training mode one value is refused).
    eps : float, default 1e-5
        The layer's ``eps``, added to the variance.
    show_answer : bool, default False
        Give the worked answer at once.

    Returns
    -------
    Feedback
        The verdict, with the working or a hint.

    Examples
    --------
    >>> from ainotes.norm_checks import check_batchnorm_output
    >>> check_batchnorm_output([-1.342, -0.447, 0.447, 1.342], (2, 4, 6, 8))
    ✓ Right. The mean is (2 + 4 + 6 + 8) / 4 = 5; the biased variance, dividing by N = 4, is ((-3)² + (-1)² + 1² + 3²) / 4 = 5; sqrt(5 + 1e-05) = 2.236; so (x − 5) / 2.236 gives (-1.342, -0.447, 0.447, 1.342), as `nn.BatchNorm1d(1)` in training mode does (a new layer's gamma = 1 and beta = 0 change nothing).
    """
    example = "one value per example in the batch, like [2.0, 4.0, 6.0, 8.0]"
    xs = _numbers(values, "values", 0, example)
    if len(xs) < 2:
        raise ValueError(f"values={values!r} has {len(xs)} value{'s' * (len(xs) != 1)}: batch normalisation in training mode needs more than one "
                         "value per channel (PyTorch raises 'Expected more than 1 value per channel when training'), "
                         f"since a single value's variance is 0. Give at least 2, {example}.")  # fmt: skip
    e, show_answer = real(eps, "eps", positive=True, example="eps=1e-5"), flag(show_answer, "show_answer")
    layer = nn.BatchNorm1d(1, eps=e).double().train()
    with torch.no_grad():
        expected = layer(torch.tensor(xs, dtype=torch.float64).view(-1, 1)).view(-1).tolist()
    n, mean = len(xs), sum(xs) / len(xs)
    var = sum((x - mean) ** 2 for x in xs) / n
    squares = " + ".join(f"({_g(x - mean)})²" if x < mean else f"{_g(x - mean)}²" for x in xs)
    outputs = ", ".join(f"{round(y, 3) + 0.0:.3f}" for y in expected)  # + 0.0: no "-0.000"
    working = (f"the mean is ({' + '.join(_g(x) for x in xs)}) / {n} = {_g(mean)}; the biased variance, dividing by "
               f"N = {n}, is ({squares}) / {n} = {_g(var)}; sqrt({_g(var)} + {e:g}) = {_g(math.sqrt(var + e))}; so "
               f"(x − {_g(mean)}) / {_g(math.sqrt(var + e))} gives ({outputs}), as `nn.BatchNorm1d(1)` in training "
               "mode does (a new layer's gamma = 1 and beta = 0 change nothing).")  # fmt: skip
    if answer is None:
        return not_answered(show_answer, working)
    given = _read(answer)
    if given is None:
        array = isinstance(answer, (torch.Tensor, np.ndarray)) and answer.ndim > 1  # e.g. the layer's own [N, 1]
        kind = "tensor" if isinstance(answer, torch.Tensor) else "NumPy array"
        got = f"a {kind} of shape {tuple(answer.shape)}" if array else repr(answer)
        return Feedback(False, f"Could not read {got}: give {n} numbers, one output per value, as a list or "
                               f"separated by commas, like \"{', '.join(['x.xx'] * n)}\""
                               + (f" (flatten the {kind}: `.flatten()`)." if array else "."))  # fmt: skip
    if len(given) != n:
        return Feedback(False, f"You gave {len(given)} number{'s' * (len(given) != 1)}, but the layer gives one "
                               f"output per value: give {n}.")  # fmt: skip
    correct = all(abs(g - y) <= TOLERANCE for g, y in zip(given, expected))
    hint = "" if correct else _output_hint(given, xs, e, expected)
    generic = ("In training mode the layer uses the batch's own statistics: subtract the mean of the values, then "
               "divide by sqrt(variance + eps), where the variance divides by N; gamma = 1 and beta = 0 change "
               "nothing.")  # fmt: skip
    return judge("check_batchnorm_output", question_key(xs, e), correct=correct,
                 given=f"({', '.join(_g(g) for g in given)})", right=working[0].upper() + working[1:],
                 worked=working, hint=hint, generic_hint=generic, show_answer=show_answer)  # fmt: skip
