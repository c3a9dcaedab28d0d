"""The shape quiz: predict the output shape of a layer, or of each layer of a model in turn.

Answers follow the policy of :mod:`ainotes.feedback`: the first wrong answer to a question gets a
hint (:func:`ainotes.hints.shape_hint`), the second the worked answer, and a "Show answer"
button gives it at once. Each quiz keeps its own count of wrong answers. It uses only ipywidgets
APIs common to versions 7.7 (Google Colab) and 8.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as w
from torch import nn

from ainotes._questions import question_shape
from ainotes._signatures import init_signature
from ainotes.arguments import _kind, nonempty
from ainotes.exercises import output_shape, parse_shape
from ainotes.feedback import Feedback, answer_shown, staged
from ainotes.hints import shape_hint

__all__ = ["ShapeQuiz"]

_SHAPE_CHANGERS = (nn.modules.conv._ConvNd, nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd,
                   nn.modules.pooling._AdaptiveAvgPoolNd, nn.modules.pooling._AdaptiveMaxPoolNd, nn.Flatten,
                   nn.Linear)  # fmt: skip


def _changes_shape(layer: nn.Module) -> bool:
    if isinstance(layer, (nn.Sequential, nn.ModuleList)):
        return any(_changes_shape(inner) for inner in layer)
    return isinstance(layer, _SHAPE_CHANGERS)


def _shown(shape: Sequence[int]) -> str:
    return f"[{', '.join(map(str, shape))}]"


@dataclass(frozen=True)
class _Question:
    input_shape: tuple[int, ...]
    layer: nn.Module  # what runs on input_shape
    expected: tuple[int, ...]
    prompt: str  # HTML
    right: str  # the message for a right answer, which shows the working
    worked: str  # follows "but": the worked answer
    hint_layer: nn.Module  # the layer whose settings explain a wrong answer, and its input shape
    hint_input: tuple[int, ...]


def _question(number: int, question: object) -> _Question:
    if isinstance(question, _Question):
        return question
    if not isinstance(question, (tuple, list)) or len(question) not in (2, 3):
        raise ValueError(f"Question {number}: expected (input_shape, layer) or (input_shape, layer, label), "
                         f"got {question!r}.")  # fmt: skip
    shape, layer, label = (*question, None)[:3]
    if isinstance(shape, nn.Module) and not isinstance(layer, nn.Module):
        raise TypeError(f"Question {number}: give (input_shape, layer) in that order; got the layer first.")
    if label is not None and not isinstance(label, str):
        raise TypeError(f"Question {number}: the label must be a string, got {_kind(label)}.")
    try:
        expected, shape = output_shape(layer, shape), question_shape(shape, "input_shape")
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"Question {number}: {exc}") from None
    what = html.escape(label) if label else f"<code>{html.escape(repr(layer))}</code>"
    name = label or f"`{layer}`"
    return _Question(shape, layer, expected,
                     f"What shape does {what} give for an input of shape <code>{list(shape)}</code>?",
                     f"{name} turns {list(shape)} into {_shown(expected)}.", f"{name} gives {_shown(expected)}.",
                     layer, shape)  # fmt: skip


@init_signature
class ShapeQuiz(w.VBox):
    """ "Predict the output shape": one question at a time, Check, Show answer, Next, and a score.

    Parameters
    ----------
    questions : sequence of (input shape, layer) or (input shape, layer, label)
        For each, the reader predicts ``layer(torch.zeros(input_shape)).shape``. A ``label``
        names the layer in the question and the feedback instead of its repr.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.quiz import ShapeQuiz
    >>> quiz = ShapeQuiz(
    ...     [((1, 3, 32, 32), nn.Conv2d(3, 16, 3), "a 3×3 convolution with 16 filters")]
    ... )
    >>> quiz.answer.value = "1, 16, 30, 30"
    >>> quiz.check()
    ✓ Right. a 3×3 convolution with 16 filters turns [1, 3, 32, 32] into [1, 16, 30, 30].
    """

    TRY_AGAIN = "Try again, or press Show answer."

    def __init__(self, questions: Sequence[tuple]) -> None:
        example = "[((1, 3, 32, 32), nn.Conv2d(3, 16, 3))]"
        if isinstance(questions, tuple) and len(questions) in (2, 3) and any(
                isinstance(part, nn.Module) for part in questions[:2]):  # fmt: skip
            raise TypeError(f"questions must be a list of questions; for a single one write [(input_shape, layer)], "
                            f"e.g. {example}.")  # fmt: skip
        questions = nonempty(questions, "questions", example=example)
        self._questions = [_question(n, q) for n, q in enumerate(questions, 1)]
        self.questions = [(q.input_shape, q.layer) for q in self._questions]
        self.index, self.right, self.revealed = 0, set(), set()
        self.wrong_answers = {i: 0 for i in range(len(self._questions))}
        self.prompt = w.HTML()
        self.answer = w.Text(placeholder="e.g. 1, 16, 30, 30", description="shape:", continuous_update=False)
        self.check_button = w.Button(description="Check", button_style="primary", icon="check")
        self.show_button = w.Button(description="Show answer", icon="eye")
        self.next_button = w.Button(description="Next question", icon="arrow-right")
        self.feedback = w.HTML()
        self.score = w.HTML()
        self.check_button.on_click(lambda _: self.check())
        self.show_button.on_click(lambda _: self.show_answer())
        self.next_button.on_click(lambda _: self.next())
        buttons = w.HBox([self.answer, self.check_button, self.show_button, self.next_button])
        super().__init__([self.prompt, buttons, self.feedback, self.score])
        self._show()

    @classmethod
    def walk(cls, model: nn.Sequential, input_shape: Sequence[int]) -> ShapeQuiz:
        """A quiz through ``model``: the shape after each layer that changes it, for one input.

        Convolution, pooling, Flatten and Linear layers (and blocks holding one) each get a
        question; activations, normalisation and dropout keep the shape and are skipped.

        Examples
        --------
        >>> from torch import nn
        >>> from ainotes.quiz import ShapeQuiz
        >>> model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
        >>> quiz = ShapeQuiz.walk(model, (1, 1, 28, 28))
        >>> len(quiz.questions), quiz._questions[1].expected
        (3, (1, 8, 13, 13))
        """
        if isinstance(model, type):
            raise TypeError(f"ShapeQuiz.walk needs an nn.Sequential model, got the class {model.__name__}: create "
                            "the model, e.g. nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU()).")  # fmt: skip
        if not isinstance(model, nn.Sequential):
            raise TypeError(f"ShapeQuiz.walk needs an nn.Sequential model, got {_kind(model)}.")
        shapes = [question_shape(input_shape, "input_shape")]
        for i, layer in enumerate(model):
            try:
                shapes.append(output_shape(layer, shapes[-1]))
            except ValueError as exc:
                raise ValueError(f"Layer {i} of the model: {exc}") from None
        steps = [f"{_shown(shapes[0])}"] + [
            f"{type(layer).__name__} → {_shown(s)}" for layer, s in zip(model, shapes[1:])
        ]
        questions = []
        for i, layer in enumerate(model):
            if not _changes_shape(layer):
                continue
            text = f"after layer {i}, `{layer}`, the shape is {_shown(shapes[i + 1])}."
            chain = f" Layer by layer: {' → '.join(steps[: i + 2])}."
            questions.append(_Question(
                shapes[0], model[: i + 1], shapes[i + 1],
                f"The whole model gets an input of shape <code>{list(shapes[0])}</code>. After layer {i}, "
                f"<code>{html.escape(repr(layer))}</code>, what is the shape?",
                text[0].upper() + text[1:] + chain, text + chain, layer, shapes[i]))  # fmt: skip
        if not questions:
            raise ValueError("The model has no layer that changes the shape (convolution, pooling, Flatten, Linear): "
                             "there is nothing to ask.")  # fmt: skip
        return cls(questions)

    def _show(self) -> None:
        q = self._questions[self.index]
        self.prompt.value = f"<b>Question {self.index + 1} of {len(self._questions)}.</b> {q.prompt}"
        self.answer.value = ""
        self.feedback.value = "<i>Type the shape (batch, channels, height, width) and press Check.</i>"
        self._score()

    def _score(self) -> None:
        self.score.value = f"<small>{len(self.right)} of {len(self._questions)} right so far.</small>"

    def check(self) -> Feedback:
        """Check the typed answer against the current question; shows and returns the verdict.

        A question counts as right if it is answered right before its answer was shown.
        """
        q = self._questions[self.index]
        text = self.answer.value.strip()
        if not text:
            verdict = Feedback(None, "Type the shape first, numbers separated by commas, like 1, 16, 30, 30.")
        else:
            try:
                given = parse_shape(text)
            except ValueError as exc:
                given, verdict = None, Feedback(False, str(exc))
            if given is not None and given == q.expected:
                verdict = Feedback(True, q.right)
                if self.index not in self.revealed:
                    self.right.add(self.index)
            elif given is not None:
                self.wrong_answers[self.index] += 1
                hint = shape_hint(given, q.expected, q.hint_input, q.hint_layer)
                verdict = staged(_shown(given), q.worked, hint, self.wrong_answers[self.index],
                                 try_again=self.TRY_AGAIN)  # fmt: skip
        self.feedback.value = verdict._repr_html_()
        self._score()
        return verdict

    def show_answer(self) -> Feedback:
        """Show the worked answer to the current question (it then no longer counts towards the score)."""
        self.revealed.add(self.index)
        verdict = answer_shown(self._questions[self.index].worked)
        self.feedback.value = verdict._repr_html_()
        return verdict

    def next(self) -> None:
        """Go to the next question (after the last, back to the first)."""
        self.index = (self.index + 1) % len(self._questions)
        self._show()
