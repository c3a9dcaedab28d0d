"""Self-checks of chapter 4, fully connected vs convolutional: softmax and a network's parameter count.

Like the checks in :mod:`ainotes.exercises`, each returns a :class:`~ainotes.feedback.Feedback`
and follows the attempts policy of :func:`~ainotes.feedback.judge`: a right answer shows the
working, the first wrong answer gets a hint (:func:`softmax_hint` and :func:`fc_parameters_hint`
recognise the common mistakes by value), the second the worked answer, and ``show_answer=True``
gives it at once. The parameter counts come from :func:`ainotes.param_counts.fc_counts`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from ainotes.arguments import flag, whole
from ainotes.feedback import Feedback, answer_shown, judge, not_answered, parse_numbers, question_key, read_answer
from ainotes.hints import _matching
from ainotes.param_counts import fc_counts, total_parameters

__all__ = ["GENERIC_FC", "check_fc_parameters", "check_softmax", "fc_parameters_hint", "generic_softmax_hint",
           "softmax", "softmax_hint"]  # fmt: skip


def _g(value: float) -> str:
    return f"{value:g}"


def _logits(
    logits: Any, least: int = 2, name: str = "logits", example: str = "like [2.0, 1.0, 0.1]"
) -> tuple[float, ...]:
    """``logits`` as at least ``least`` finite floats; a TypeError or ValueError that says how to give them."""
    if isinstance(logits, (torch.Tensor, np.ndarray)):
        if logits.ndim != 1:
            raise ValueError(f"{name} must be 1-D, one score per class, {example}; got shape {tuple(logits.shape)}.")
        logits = logits.tolist()
    if isinstance(logits, (str, bytes)) or not isinstance(logits, Sequence):
        raise TypeError(f"{name} must be a 1-D sequence of numbers, {example}; got {logits!r}.")
    if any(isinstance(v, bool) or not isinstance(v, (numbers.Real, np.number)) for v in logits):
        raise TypeError(f"{name}={logits!r} must hold numbers only, one score per class, {example}.")
    values = tuple(float(v) for v in logits)
    if len(values) < least and least == 2:
        raise ValueError(f"{name}={logits!r} has {len(values)} value(s): softmax of a single logit is always 1, so "
                         f"give at least 2, {example}.")  # fmt: skip
    if len(values) < least:
        raise ValueError(f"{name}={logits!r} is empty: give at least {least} number{'s' * (least > 1)}, {example}.")
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"{name}={logits!r} must be finite numbers: no inf or nan.")
    return values


def softmax(logits: Sequence[float]) -> list[float]:
    """Softmax of ``logits``: exp(logit) over the sum of the exps, computed stably in double precision.

    Examples
    --------
    >>> from ainotes.classifier_checks import softmax
    >>> [round(p, 4) for p in softmax([2.0, 1.0, 0.1])]
    [0.659, 0.2424, 0.0986]
    """
    logits = _logits(logits, least=1)  # a flat list or 1-D tensor of finite numbers
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def _softmax_working(logits: Sequence[float]) -> str:
    """exp of each logit (after taking away the largest one when exps would be huge or tiny), sum, divisions."""
    top = max(logits)
    shift = top if abs(top) > 10 else 0.0
    exps = [math.exp(v - shift) for v in logits]
    total = sum(exps)
    if shift:
        start = (f"softmax does not change when the same number is taken from every logit, so take away the "
                 f"largest, {_g(shift)}, first (as PyTorch does): ")  # fmt: skip
        taken = f"− {_g(shift)}" if shift > 0 else f"+ {_g(-shift)}"
        terms = [f"exp({_g(v)} {taken}) = {e:.4f}" for v, e in zip(logits, exps)]
    else:
        start, terms = "", [f"exp({_g(v)}) = {e:.4f}" for v, e in zip(logits, exps)]
    divisions = ", ".join(f"{e:.4f} / {total:.4f} = {e / total:.4f}" for e in exps)
    return f"{start}{', '.join(terms)}; their sum is {total:.4f}; {divisions}"


#: The hint shown for a wrong parameter count that matches no common mistake.
GENERIC_FC = ("Flatten the image to channels × height × width input values; each Linear layer then has in × out "
              "weights and out biases. Add up all the layers.")  # fmt: skip


def generic_softmax_hint(decimals: int) -> str:
    """How to work out a softmax, without the numbers.

    Examples
    --------
    >>> from ainotes.classifier_checks import generic_softmax_hint
    >>> generic_softmax_hint(2)
    'Take exp of each logit, add the exps up and divide each exp by that sum; give each probability to 2 decimals.'
    """
    decimals = whole(decimals, "decimals", least=1, most=6, example="decimals=2")
    return (f"Take exp of each logit, add the exps up and divide each exp by that sum; give each probability to "
            f"{decimals} decimal{'s' * (decimals != 1)}.")  # fmt: skip


def _near(tolerance: float, relative: float = 0.0) -> Callable[[Sequence[float], Sequence[float]], bool]:
    def close(a: Sequence[float], b: Sequence[float]) -> bool:
        return len(a) == len(b) and all(abs(x - y) <= tolerance + relative * abs(y) for x, y in zip(a, b))

    return close


def softmax_hint(given: Sequence[float], logits: Sequence[float], decimals: int = 2) -> str:
    """The hint for wrong softmax probabilities of ``logits``, or "" if no common mistake explains them.

    Examples
    --------
    >>> from ainotes.classifier_checks import softmax_hint
    >>> softmax_hint([0.65, 0.32, 0.03], [2, 1, 0.1])[:46]
    'That divides the logits by their sum; softmax '
    """
    logits, decimals = _logits(logits), whole(decimals, "decimals", least=1, most=6, example="decimals=2")
    given, n = _logits(given, 0, "given", "like [0.66, 0.24, 0.10]"), len(logits)
    if len(given) != n:
        return (f"There are {n} logits, so softmax gives {n} probabilities, one per logit; you gave {len(given)} "
                f"value{'s' * (len(given) != 1)}.")  # fmt: skip
    expected, total, top = softmax(logits), sum(logits), max(logits)
    tolerance = 0.5 * 10**-decimals + 1e-9
    close, scale = _near(tolerance), 10**decimals
    log_sum = top + math.log(sum(math.exp(v - top) for v in logits))
    candidates: list[tuple[list[float] | None, Callable[[Sequence[float], Sequence[float]], bool], str]] = [
        ([v - log_sum for v in logits], close, "Those look like log-probabilities (log_softmax): take exp of each to "
         "get the probabilities."),
        ([v / total for v in logits] if abs(total) > 1e-12 else None, close, "That divides the logits by their sum; "
         "softmax divides exp(logit) by the sum of the exps, so larger logits win much more."),
        ([math.exp(v) for v in logits] if top < 700 else None, _near(tolerance, 0.01), "Those are the exps of the "
         "logits: divide each by their sum, so that the probabilities add up to 1."),
        ([100 * p for p in expected], _near(100 * tolerance), "Give probabilities between 0 and 1, not percentages."),
        (softmax([-v for v in logits]), close, "That is the softmax of the negated logits: softmax takes exp(logit), "
         "not exp(−logit), so the largest logit gets the largest probability."),
        ([math.floor(p * scale + 1e-9) / scale for p in expected], _near(1e-9), f"Round each probability to "
         f"{decimals} decimals rather than cutting off the digits after them: a next digit of 5 or more rounds up."),
    ]  # fmt: skip
    for guess, near, hint in candidates:
        if guess is not None and not close(guess, expected) and near(given, guess):
            return hint
    if close(sorted(given), sorted(expected)):
        return ("Those are the right probabilities in the wrong order: each goes with its own logit, in the order of "
                "the logits, so the largest logit gets the largest probability.")  # fmt: skip
    if min(given) < 0:
        return "A probability is never negative: softmax takes exp of each logit, and an exp is always positive."
    if abs(sum(given) - 1) > n * tolerance:
        return f"Probabilities must add up to 1; yours add up to {round(sum(given), decimals + 2):g}."
    return ""


def fc_parameters_hint(value: int, image_size: int, channels: int = 3, hidden: Sequence[int] = (1024, 512, 128),
                       classes: int = 10) -> str:  # fmt: skip
    """The hint for a wrong parameter count of a fully connected network, or "" if no common mistake gives it.

    Examples
    --------
    >>> from ainotes.classifier_checks import fc_parameters_hint
    >>> fc_parameters_hint(13_174_016, image_size=64)
    'You forgot the biases: each Linear layer also has one bias per output feature.'
    """
    value, layers = whole(value, "value"), fc_counts(image_size, channels, hidden, classes)
    several = len(layers) > 1
    candidates = [
        (sum(n.weights for n in layers), "You forgot the biases: each Linear layer also has one bias per output "
         "feature."),
        (total_parameters(fc_counts(image_size, 1, hidden, classes)) if channels != 1 else None, f"You left out the "
         f"channels: a {channels}-channel image flattens to channels × height × width values, not height × width."),
        (total_parameters(fc_counts(image_size, 3, hidden, classes)) if channels == 1 else None, "These images are "
         "grey, with 1 channel: they flatten to 1 × height × width values, not 3 × height × width."),
        (layers[0].total if several else None, "That is the first layer only: add the parameters of every Linear "
         "layer, up to the one that gives the classes."),
        (total_parameters(layers[1:]) if several else None, "You left out the first layer, from the flattened image "
         "to the first hidden layer: count its in × out weights and out biases too."),
    ]  # fmt: skip
    for c in dict.fromkeys((channels, 3)):  # the chapter's count is for 3×32×32 images
        if (c, 32) != (channels, image_size):
            candidates.insert(2, (total_parameters(fc_counts(32, c, hidden, classes)), f"That is the count for "
                                  f"{c}×32×32 images; the first layer grows with the number of input values, so work "
                                  f"it out for {channels}×{image_size}×{image_size} images."))  # fmt: skip
    return _matching(value, total_parameters(layers), candidates)


def _as_float(value: float) -> str:
    text = _g(value)
    return text if any(c in text for c in ".e") else f"{text}.0"


def check_softmax(answer: str | Sequence[float] | torch.Tensor | np.ndarray | None, logits: Sequence[float], *,
                  decimals: int = 2, show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check the softmax probabilities of ``logits``, worked out by hand.

    ``answer`` is one probability per logit: a list, tuple, tensor or NumPy array, or a string
    such as ``"0.66, 0.24, 0.10"``. Values rounded to ``decimals`` decimal places count as right:
    each must be within half a unit of the last decimal of the true value.

    Parameters
    ----------
    answer : str, sequence of float, Tensor, ndarray or None
        The reader's probabilities; ``None`` before the reader has answered.
    logits : sequence of float or 1-D Tensor or ndarray
        At least 2 finite scores, one per class.
    decimals : int, default 2
        Decimal places the answer needs, from 1 to 6.
    show_answer : bool, default False
        Give the worked answer at once.

    Returns
    -------
    Feedback
        The verdict, with the working or a hint.

    Examples
    --------
    >>> from ainotes.classifier_checks import check_softmax
    >>> check_softmax("0.66, 0.24, 0.10", logits=[2, 1, 0.1])
    ✓ Right. exp(2) = 7.3891, exp(1) = 2.7183, exp(0.1) = 1.1052; their sum is 11.2125; 7.3891 / 11.2125 = 0.6590, 2.7183 / 11.2125 = 0.2424, 1.1052 / 11.2125 = 0.0986. `torch.softmax(torch.tensor([2.0, 1.0, 0.1]), dim=0)` gives the same.
    """
    values, show_answer = _logits(logits), flag(show_answer, "show_answer")
    if isinstance(decimals, bool) or not isinstance(decimals, numbers.Integral):
        raise TypeError(f"decimals must be a whole number from 1 to 6, got {decimals!r}.")
    if not 1 <= decimals <= 6:
        raise ValueError(f"decimals={decimals} is impossible: give a whole number from 1 to 6.")
    expected = softmax(values)
    working = _softmax_working(values)
    call = f"`torch.softmax(torch.tensor([{', '.join(map(_as_float, values))}]), dim=0)`"
    rounded = f"({', '.join(f'{p:.{decimals}f}' for p in expected)})"
    worked = f"{working}, so to {decimals} decimals {rounded}. In PyTorch: {call}."
    if answer is None:
        return not_answered(show_answer, worked)
    try:
        given = parse_numbers(answer)
    except (TypeError, ValueError):
        digits = "0." + "x" * decimals
        return Feedback(False, f"Could not read {answer!r}: give {len(values)} numbers between 0 and 1, one "
                               f"probability per logit, as a list or separated by commas, like "
                               f"\"{', '.join([digits] * len(values))}\".")  # fmt: skip
    tolerance = 0.5 * 10**-decimals + 1e-9
    correct = len(given) == len(expected) and all(abs(g - e) <= tolerance for g, e in zip(given, expected))
    hint = "" if correct else softmax_hint(given, values, decimals)
    shown = _g(given[0]) if len(given) == 1 else f"({', '.join(map(_g, given))})"
    return judge("check_softmax", question_key([_g(v) for v in values], int(decimals)), correct=correct, given=shown,
                 right=f"{working}. {call} gives the same.", worked=worked, hint=hint,
                 generic_hint=generic_softmax_hint(int(decimals)), show_answer=show_answer)  # fmt: skip


def check_fc_parameters(answer: int | str | None, image_size: int, channels: int = 3,
                        hidden: Sequence[int] = (1024, 512, 128), classes: int = 10, *,
                        show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check the parameter count of a fully connected network on images of ``channels × size × size`` values.

    The network flattens the image, then has ``nn.Linear`` layers of widths ``hidden`` and one to
    ``classes`` (chapter 4's 3072 → 1024 → 512 → 128 → 10 for 32×32 colour images). ``answer``
    may be an int or a string with thousands separators, such as ``"13,175,690"``.

    Parameters
    ----------
    answer : int, str or None
        The reader's count; ``None`` before the reader has answered.
    image_size : int
        Height and width of the square input images.
    channels : int, default 3
        Colour channels of the images.
    hidden : sequence of int, default (1024, 512, 128)
        Widths of the hidden layers.
    classes : int, default 10
        Outputs of the last layer.
    show_answer : bool, default False
        Give the worked answer at once.

    Returns
    -------
    Feedback
        The verdict, with the working or a hint.

    Examples
    --------
    >>> from ainotes.classifier_checks import check_fc_parameters
    >>> check_fc_parameters("13,175,690", image_size=64)
    ✓ Right. A 3×64×64 image flattens to 3 × 64 × 64 = 12,288 values. Each Linear layer has in × out weights and out biases: 12,288 × 1,024 + 1,024 = 12,583,936; 1,024 × 512 + 512 = 524,800; 512 × 128 + 128 = 65,664; 128 × 10 + 10 = 1,290. In all 12,583,936 + 524,800 + 65,664 + 1,290 = 13,175,690.
    """
    layers = fc_counts(image_size, channels, hidden, classes)
    expected = total_parameters(layers)
    inputs = layers[0].weights // layers[0].biases
    steps = "; ".join(f"{n.weights // n.biases:,} × {n.biases:,} + {n.biases:,} = {n.total:,}" for n in layers)
    working = (f"a {channels}×{image_size}×{image_size} image flattens to {channels} × {image_size} × {image_size} = "
               f"{inputs:,} values. Each Linear layer has in × out weights and out biases: {steps}.")  # fmt: skip
    if len(layers) > 1:
        working += f" In all {' + '.join(f'{n.total:,}' for n in layers)} = {expected:,}."
    value = read_answer(answer, "A parameter count", show_answer)
    if isinstance(value, Feedback):
        return value
    if value is None:
        return answer_shown(working)
    hint = fc_parameters_hint(value, image_size, channels, hidden, classes) if value != expected else ""
    question = question_key(int(image_size), int(channels), tuple(n.biases for n in layers))
    return judge("check_fc_parameters", question, correct=value == expected, given=f"{value:,}",
                 right=working[0].upper() + working[1:], worked=working, hint=hint, generic_hint=GENERIC_FC,
                 show_answer=show_answer)  # fmt: skip
