"""The verdict on a self-check answer, and the policy that makes readers think before they see the answer.

Policy: a right answer always shows the working. The first wrong answer to a question gets a hint
only, never the number; the second wrong answer (and every later one) gets the worked answer;
``show_answer=True`` gets it at once. Wrong answers are counted per question, in a dictionary
keyed by the check's name and the question's arguments; :func:`reset_attempts` empties it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from ainotes._parsing import parse_numbers, parse_shape
from ainotes.arguments import _kind, flag, whole

__all__ = [
    "NO_ANSWER",
    "read_answer",
    "TRY_AGAIN",
    "Feedback",
    "answer_shown",
    "judge",
    "not_answered",
    "parse_numbers",
    "parse_shape",
    "question_key",
    "reset_attempts",
    "staged",
    "whole_number",
]

#: What a self-check says while its answer is still ``None``.
NO_ANSWER = "Not answered yet: replace `None` with your answer and run the cell again."
#: What a self-check adds to the first wrong answer, before it shows the worked answer.
TRY_AGAIN = "Try again: a second wrong answer shows the worked answer (or pass `show_answer=True`)."

_WRONG_ANSWERS: dict[tuple[str, str], int] = {}  # (check name, question) -> wrong answers so far


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer. ``correct`` is None when there was no answer yet.

    Examples
    --------
    >>> from ainotes.feedback import Feedback
    >>> Feedback(False, "You said 3.")
    ✗ Not quite. You said 3.
    >>> bool(Feedback(None, "Not answered yet."))
    False
    """

    correct: bool | None
    message: str

    def __post_init__(self) -> None:
        if not (self.correct is None or isinstance(self.correct, (bool, np.bool_))):
            raise TypeError(f"correct must be True, False or None (no answer yet), got {self.correct!r}.")
        if not isinstance(self.message, str):
            raise TypeError(f"message must be a string, got {_kind(self.message)}.")

    def __bool__(self) -> bool:
        return bool(self.correct)

    def __repr__(self) -> str:
        mark = {True: "✓ Right.", False: "✗ Not quite.", None: "…"}[self.correct]
        return f"{mark} {self.message}"

    def _repr_html_(self) -> str:
        colour = {True: "#1a7f37", False: "#cf222e", None: "#6e7781"}[self.correct]
        mark = {True: "✓ Right.", False: "✗ Not quite.", None: "…"}[self.correct]
        text = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(self.message))
        return (f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
                f'<b style="color:{colour}">{mark}</b> {text}</div>')  # fmt: skip


_GROUPED = re.compile(r"\d{1,3}(?:[,_ \u00a0\u2009\u202f]\d{3})+")  # 13,175,690 or 13_175_690 or 13 175 690


def whole_number(answer: Any, what: str) -> int | Feedback | None:
    """``answer`` as an int; None if there is no answer; a Feedback if it is not a whole number.

    Besides ints, a whole float (``26.0``, also written ``"26.0"``), a NumPy integer, a one-element
    tensor and a string of digits, with commas, spaces or underscores between the thousands
    (``"3,146,752"``), are accepted.

    Examples
    --------
    >>> from ainotes.feedback import whole_number
    >>> (
    ...     whole_number(26.0, "An output size"),
    ...     whole_number("3,146,752", "A count"),
    ...     whole_number(None, "A count"),
    ... )
    (26, 3146752, None)
    >>> whole_number(13.5, "An output size")
    ✗ Not quite. An output size is a whole number; you gave 13.5.
    """
    _texts(what=what)
    if answer is None:
        return None
    if isinstance(answer, str):
        text = answer.strip()
        if re.fullmatch(r"\d+", text) or _GROUPED.fullmatch(text):
            return int(re.sub(r"\D", "", text))
        if re.fullmatch(r"\d+\.0*", text):  # "26.0", as 26.0 is accepted
            return int(text.split(".")[0])
        return Feedback(False, f'{what} is a whole number, like 1234567 or "1,234,567" (commas, spaces or '
                               f"underscores between the thousands are fine); you gave {answer!r}.")  # fmt: skip
    if isinstance(answer, np.generic) or (isinstance(answer, torch.Tensor) and answer.numel() == 1):
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, int):
        if isinstance(answer, float) and answer.is_integer():
            return int(answer)
        return Feedback(False, f"{what} is a whole number; you gave {answer!r}.")
    return answer


def read_answer(answer: Any, what: str, show_answer: bool = False) -> int | Feedback | None:
    """A reader's numeric answer, or the Feedback that ends the check before any computing.

    Not a whole number: a verdict saying so. ``None``: the "Not answered yet" reminder, unless
    ``show_answer`` asks for the worked answer (then None comes back).

    Examples
    --------
    >>> from ainotes.feedback import read_answer
    >>> (
    ...     read_answer(26.0, "An output size"),
    ...     read_answer(None, "An output size", show_answer=True),
    ... )
    (26, None)
    >>> read_answer(None, "An output size").correct is None
    True
    """
    show_answer = flag(show_answer, "show_answer")
    value = whole_number(answer, what)
    if value is None and not show_answer:
        return Feedback(None, NO_ANSWER)
    return value


def read_number(answer: Any, what: str, like: str) -> float | Feedback | None:
    """``answer`` as one float: None if there is no answer yet, a Feedback if it is not one number.

    Accepts what :func:`parse_numbers` reads, plus a single number with a decimal comma (``"0,58"``).
    ``what`` names the quantity and ``like`` shows how to write it, for the message.

    Examples
    --------
    >>> from ainotes.feedback import read_number
    >>> (
    ...     read_number("0,58", "A running mean", '0.58 or "0.58"'),
    ...     read_number(None, "A running mean", "0.58"),
    ... )
    (0.58, None)
    >>> read_number("fast", "A learning rate", '0.004 or "0.004"')
    ✗ Not quite. A learning rate is one number, like 0.004 or "0.004"; you gave 'fast'.
    """
    _texts(what=what, like=like)
    if answer is None:
        return None
    if isinstance(answer, str) and re.fullmatch(r"\s*[-−]?\d+,\d+\s*", answer):
        answer = answer.replace(",", ".")  # a decimal comma: "0,004"
    try:
        values = parse_numbers(answer)
    except (TypeError, ValueError):
        values = ()
    if len(values) != 1:
        return Feedback(False, f"{what} is one number, like {like}; you gave {answer!r}.")
    return values[0]


def _texts(**texts: Any) -> None:
    """A TypeError that names the first of ``texts`` (name=value) that is not a string."""
    for name, value in texts.items():
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string, got {value!r} ({type(value).__name__}).")


def _plain(value: Any) -> Any:
    if isinstance(value, nn.Module):
        return repr(value)  # the same layer built again is the same question
    if isinstance(value, torch.Tensor):
        return tuple(value.tolist()) if value.ndim else value.item()
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _plain(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    return value


def question_key(*arguments: Any) -> str:
    """A key for a question from its arguments: layers count by their repr, lists as tuples.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.feedback import question_key
    >>> question_key(nn.Conv2d(1, 4, 3)) == question_key(nn.Conv2d(1, 4, 3))
    True
    """
    return repr(_plain(arguments))


def reset_attempts() -> None:
    """Forget every wrong answer counted so far (each question starts again with a hint).

    Examples
    --------
    >>> from ainotes.feedback import reset_attempts
    >>> reset_attempts()
    """
    _WRONG_ANSWERS.clear()


def staged(given: str, worked: str, hint: str, wrong_answers: int, show_answer: bool = False,
           try_again: str = TRY_AGAIN, lead: str = "You said ") -> Feedback:  # fmt: skip
    """Feedback on a wrong answer: the hint only the first time, the worked answer after.

    Parameters
    ----------
    given : str
        The answer as it was given, for "You said ...".
    worked : str
        The worked answer, a sentence ending in a full stop that follows "but".
    hint : str
        Points to the mistake without giving the answer.
    wrong_answers : int
        Wrong answers to this question so far, this one included.
    show_answer : bool
        Give the worked answer even on the first wrong answer.
    try_again : str
        What the first wrong answer ends with.
    lead : str
        What comes before ``given``; a code check passes "" and a ``given`` that is a sentence.

    Examples
    --------
    >>> from ainotes.feedback import staged
    >>> staged("15", "7 + 9 = 16.", "Check the ones.", 1, try_again="Try again.")
    ✗ Not quite. You said 15. Check the ones. Try again.
    >>> staged("15", "7 + 9 = 16.", "Check the ones.", 2)
    ✗ Not quite. You said 15, but 7 + 9 = 16. Check the ones.
    """
    _texts(given=given, worked=worked, hint=hint, try_again=try_again, lead=lead)
    wrong_answers = whole(wrong_answers, "wrong_answers", least=1, example="wrong_answers=1 for the first")
    if flag(show_answer, "show_answer") or wrong_answers >= 2:
        return Feedback(False, f"{lead}{given}, but {worked}" + (f" {hint}" if hint else ""))
    return Feedback(False, f"{lead}{given}. {hint} {try_again}")


def judge(check: str, question: str, *, correct: bool, given: str, right: str, worked: str, hint: str,
          generic_hint: str, show_answer: bool = False, lead: str = "You said ") -> Feedback:  # fmt: skip
    """Apply the attempts policy to one answer (see the module's docstring), counting wrong answers.

    ``hint`` is the hint for a recognised mistake ("" if none); the first wrong answer gets it, or
    ``generic_hint`` when it is empty. The worked answer is followed by ``hint`` only. ``lead`` goes
    before ``given`` (see :func:`staged`).

    Examples
    --------
    >>> from ainotes.feedback import judge, reset_attempts
    >>> reset_attempts()
    >>> ask = dict(
    ...     right="7 + 9 = 16.",
    ...     worked="7 + 9 = 16.",
    ...     hint="",
    ...     generic_hint="Add the ones first.",
    ... )
    >>> judge("sum", "7 + 9", correct=False, given="15", **ask)
    ✗ Not quite. You said 15. Add the ones first. Try again: a second wrong answer shows the worked answer (or pass `show_answer=True`).
    >>> judge("sum", "7 + 9", correct=False, given="17", **ask)
    ✗ Not quite. You said 17, but 7 + 9 = 16.
    """
    _texts(check=check, question=question, given=given, right=right, worked=worked, hint=hint,
           generic_hint=generic_hint, lead=lead)  # fmt: skip
    show_answer = flag(show_answer, "show_answer")
    if flag(correct, "correct"):
        return Feedback(True, right)
    key = (check, question)
    wrong = _WRONG_ANSWERS[key] = _WRONG_ANSWERS.get(key, 0) + 1
    first = wrong < 2 and not show_answer
    return staged(given, worked, (hint or generic_hint) if first else hint, wrong, show_answer, lead=lead)


def answer_shown(worked: str) -> Feedback:
    """What ``show_answer=True`` gives before any answer: the worked answer, with no verdict.

    Examples
    --------
    >>> from ainotes.feedback import answer_shown
    >>> answer_shown("7 + 9 = 16.")
    … The worked answer: 7 + 9 = 16.
    """
    _texts(worked=worked)
    return Feedback(None, f"The worked answer: {worked}")


def not_answered(show_answer: bool, worked: str) -> Feedback:
    """An answer left as ``None``: the "Not answered yet" reminder, or the worked answer if asked for.

    Examples
    --------
    >>> from ainotes.feedback import not_answered
    >>> (
    ...     not_answered(False, "7 + 9 = 16.").correct is None,
    ...     not_answered(True, "7 + 9 = 16."),
    ... )
    (True, … The worked answer: 7 + 9 = 16.)
    """
    _texts(worked=worked)
    return answer_shown(worked) if flag(show_answer, "show_answer") else Feedback(None, NO_ANSWER)
