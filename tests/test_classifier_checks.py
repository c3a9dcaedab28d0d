"""The self-checks of chapter 4 (fully connected vs convolutional): verdicts, the attempts policy, hints and bad calls."""

import re

import numpy as np
import pytest
import torch
from torch import nn

from ainotes.exercises import check_fc_parameters, check_softmax
from ainotes.feedback import NO_ANSWER, TRY_AGAIN
from ainotes.param_counts import fc_counts, total_parameters

LOGITS = [2, 1, 0.1]  # softmax 0.6590, 0.2424, 0.0986
SOFTMAX_ANSWER = "(0.66, 0.24, 0.10)"
FC_64 = 13_175_690  # 3×64×64 images through 12,288 → 1,024 → 512 → 128 → 10
FC_ANSWER = "= 13,175,690."

# Each question: (check, its arguments after the answer, right answer, a wrong answer no known mistake explains,
# the answer as the worked answer writes it).
QUESTIONS = {
    "softmax": (check_softmax, dict(logits=LOGITS), "0.66, 0.24, 0.10", (0.6, 0.3, 0.1), SOFTMAX_ANSWER),
    "fc": (check_fc_parameters, dict(image_size=64), FC_64, 1_000_000, FC_ANSWER),
}


def test_the_counts_are_pytorchs():
    model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 64 * 64, 1024), nn.ReLU(), nn.Linear(1024, 512), nn.ReLU(),
                          nn.Linear(512, 128), nn.ReLU(), nn.Linear(128, 10))  # fmt: skip
    assert sum(p.numel() for p in model.parameters()) == FC_64 == total_parameters(fc_counts(64, 3))
    expected = torch.softmax(torch.tensor(LOGITS), dim=0)
    assert check_softmax(expected, LOGITS).correct and check_softmax(expected.tolist(), LOGITS, decimals=4).correct


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_the_attempts_policy(name, attempts_policy):
    attempts_policy(*QUESTIONS[name])


def test_attempts_are_counted_per_question():
    assert check_softmax((0.6, 0.3, 0.1), LOGITS).message.endswith(TRY_AGAIN)
    assert check_softmax((0.6, 0.3, 0.1), LOGITS, decimals=3).message.endswith(TRY_AGAIN)  # another question
    assert check_softmax((0.6, 0.3, 0.1), torch.tensor([2.0, 1.0, 0.1])).message.count(", but ") == 1  # the same
    assert check_fc_parameters(1, 64).message.endswith(TRY_AGAIN)
    assert check_fc_parameters(1, 64, channels=1).message.endswith(TRY_AGAIN)


def test_right_answers_show_the_working():
    """The notebooks' outputs show these texts."""
    assert repr(check_softmax([0.66, 0.24, 0.10], LOGITS)) == (
        "✓ Right. exp(2) = 7.3891, exp(1) = 2.7183, exp(0.1) = 1.1052; their sum is 11.2125; 7.3891 / 11.2125 = "
        "0.6590, 2.7183 / 11.2125 = 0.2424, 1.1052 / 11.2125 = 0.0986. `torch.softmax(torch.tensor([2.0, 1.0, 0.1]), "
        "dim=0)` gives the same."
    )
    assert repr(check_fc_parameters(FC_64, 64)) == (
        "✓ Right. A 3×64×64 image flattens to 3 × 64 × 64 = 12,288 values. Each Linear layer has in × out weights and "
        "out biases: 12,288 × 1,024 + 1,024 = 12,583,936; 1,024 × 512 + 512 = 524,800; 512 × 128 + 128 = 65,664; "
        "128 × 10 + 10 = 1,290. In all 12,583,936 + 524,800 + 65,664 + 1,290 = 13,175,690."
    )
    assert check_fc_parameters(None, 28, 1, hidden=(), show_answer=True).message == (
        "The worked answer: a 1×28×28 image flattens to 1 × 28 × 28 = 784 values. Each Linear layer has in × out "
        "weights and out biases: 784 × 10 + 10 = 7,850."
    )


@pytest.mark.parametrize("answer", [
    "0.66, 0.24, 0.10", "[0.66 0.24 0.1]", "0,66; 0,24; 0,10", "tensor([0.6590, 0.2424, 0.0986])", (0.66, 0.24, 0.10),
    [0.659, 0.242, 0.099], [0.664, 0.238, 0.096], np.array([0.66, 0.24, 0.10]), torch.tensor([0.66, 0.24, 0.10]),
    torch.tensor([2.0, 1.0, 0.1], requires_grad=True).softmax(0),
])  # fmt: skip
def test_check_softmax_accepts_right_answers_in_several_forms(answer):
    assert check_softmax(answer, LOGITS).correct is True


def test_check_softmax_rounds_to_the_decimals_asked_for():
    assert not check_softmax((0.666, 0.24, 0.10), LOGITS).correct  # more than half a unit off: 0.659 → 0.66
    assert check_softmax((0.7, 0.2, 0.1), LOGITS, decimals=1).correct
    assert not check_softmax((0.66, 0.24, 0.10), LOGITS, decimals=4).correct
    assert check_softmax("0.6590, 0.2424, 0.0986", LOGITS, decimals=4).correct
    assert check_softmax((0.5, 0.5), np.array([3.0, 3.0])).correct


def test_check_softmax_works_big_logits_out_stably():
    shown = check_softmax(None, [1000, 999, 998], show_answer=True).message
    assert "take away the largest, 1000, first" in shown and "exp(999 − 1000) = 0.3679" in shown
    assert "(0.67, 0.24, 0.09)" in shown
    assert "exp(-31 + 30) = 0.3679" in check_softmax(None, [-30, -31], show_answer=True).message
    assert check_softmax((0.73, 0.27), [-30, -31]).correct


@pytest.mark.parametrize("answer, hint", [
    ((0.65, 0.32, 0.03), "That divides the logits by their sum; softmax divides exp(logit) by the sum of the exps, "
     "so larger logits win much more."),
    ((7.39, 2.72, 1.11), "Those are the exps of the logits: divide each by their sum"),
    ((7.4, 2.7, 1.1), "Those are the exps of the logits"),
    ((65.9, 24.24, 9.86), "Give probabilities between 0 and 1, not percentages."),
    ("66%, 24%, 10%", "Give probabilities between 0 and 1"),
    ((0.10, 0.26, 0.64), "That is the softmax of the negated logits"),
    ((0.10, 0.24, 0.66), "Those are the right probabilities in the wrong order"),
    ((0.24, 0.66, 0.10), "Those are the right probabilities in the wrong order"),
    ((-0.42, -1.42, -2.32), "Those look like log-probabilities (log_softmax): take exp"),
    ((0.65, 0.24, 0.09), "Round each probability to 2 decimals rather than cutting off the digits after them"),
    ((0.66, 0.24), "There are 3 logits, so softmax gives 3 probabilities, one per logit; you gave 2 values."),
    (0.66, "There are 3 logits, so softmax gives 3 probabilities, one per logit; you gave 1 value."),
    ((0.5, 0.3, 0.1), "Probabilities must add up to 1; yours add up to 0.9."),
    ((-0.1, 0.5, 0.6), "A probability is never negative"),
    ((0.6, 0.3, 0.1), "Take exp of each logit, add the exps up and divide each exp by that sum"),
])  # fmt: skip
def test_check_softmax_hints_point_to_the_mistake_without_the_answer(answer, hint, attempts_policy):
    first = check_softmax(answer, LOGITS)
    assert first.correct is False and hint in first.message and first.message.endswith(TRY_AGAIN), first.message
    assert SOFTMAX_ANSWER not in attempts_policy.after_said(first.message) and "0.659" not in first.message, (
        first.message
    )
    second = check_softmax(answer, LOGITS)
    assert SOFTMAX_ANSWER in second.message and "torch.softmax(torch.tensor([2.0, 1.0, 0.1]), dim=0)" in second.message


def test_check_softmax_hints_that_would_be_right_are_skipped():
    # For equal logits dividing by their sum gives the softmax: that answer is right, never a "mistake".
    assert check_softmax((0.5, 0.5), [1, 1]).correct
    # Two logits: the negated softmax and the reversed one coincide; the first hint found is given.
    assert "negated logits" in check_softmax((0.27, 0.73), [1, 0]).message


def test_check_fc_parameters_accepts_right_answers_in_several_forms():
    for answer in (FC_64, "13,175,690", "13_175_690", "13 175 690", " 13175690 ", "13\u202f175\u202f690",
                   13_175_690.0, np.int64(FC_64), torch.tensor(FC_64)):  # fmt: skip
        assert check_fc_parameters(answer, 64).correct is True, answer
    assert check_fc_parameters(1_395_594, image_size=28, channels=1).correct
    assert check_fc_parameters(3_738_506, image_size=32).correct  # the chapter's own network


@pytest.mark.parametrize("answer, kwargs, hint", [
    (13_174_016, {}, "You forgot the biases: each Linear layer also has one bias per output feature."),
    (total_parameters(fc_counts(64, 1)), {}, "You left out the channels: a 3-channel image flattens to channels × "
     "height × width values, not height × width."),
    ("3,738,506", {}, "That is the count for 3×32×32 images; the first layer grows with the number of input values, "
     "so work it out for 3×64×64 images."),
    (3_738_506, dict(channels=1, image_size=28), "That is the count for 3×32×32 images"),
    (total_parameters(fc_counts(32, 1)), dict(channels=1, image_size=28), "That is the count for 1×32×32 images"),
    (total_parameters(fc_counts(28, 3)), dict(channels=1, image_size=28), "These images are grey, with 1 channel"),
    (12_583_936, {}, "That is the first layer only: add the parameters of every Linear layer"),
    (591_754, {}, "You left out the first layer, from the flattened image to the first hidden layer"),
    (42, {}, "Flatten the image to channels × height × width input values; each Linear layer then has in × out "
     "weights and out biases."),
])  # fmt: skip
def test_check_fc_parameters_hints_point_to_the_mistake_without_the_answer(answer, kwargs, hint):
    kwargs = {"image_size": 64, **kwargs}
    expected = f"{total_parameters(fc_counts(kwargs['image_size'], kwargs.get('channels', 3))):,}"
    first = check_fc_parameters(answer, **kwargs)
    assert first.correct is False and hint in first.message and first.message.endswith(TRY_AGAIN), first.message
    assert expected not in first.message, first.message
    second = check_fc_parameters(answer, **kwargs)
    assert f"= {expected}." in second.message and ", but a " in second.message, second.message


def test_the_32_pixel_hint_is_not_given_for_32_pixel_images(attempts_policy):
    first = check_fc_parameters(3_736_832, 32)  # biases forgotten, the only known mistake that gives it
    assert "You forgot the biases" in first.message and "32×32" not in attempts_policy.after_said(first.message)


def test_answers_that_cannot_be_read_do_not_count_as_attempts():
    for answer in ("abc", [[0.6, 0.3, 0.1]], [0.6, "x", 0.1], [0.6, None, 0.4], {"a": 1}, [float("nan"), 0.5, 0.5],
                   "", np.zeros((3, 1))):  # fmt: skip
        message = check_softmax(answer, LOGITS).message
        assert message.startswith("Could not read") and "give 3 numbers between 0 and 1, one probability per logit, "
        assert 'as a list or separated by commas, like "0.xx, 0.xx, 0.xx".' in message, message
    assert check_softmax(None, [1, 2, 3, 4], decimals=1).message == NO_ANSWER
    assert '"0.x, 0.x, 0.x, 0.x"' in check_softmax("four", [1, 2, 3, 4], decimals=1).message
    for answer in ("abc", "1,2,3", "13,175,690.5", "13.175.690", "thirteen million"):
        assert check_fc_parameters(answer, 64).message == (
            'A parameter count is a whole number, like 1234567 or "1,234,567" (commas, spaces or underscores between '
            f"the thousands are fine); you gave {answer!r}."
        )
    assert check_fc_parameters(3.5, 64).message == "A parameter count is a whole number; you gave 3.5."
    assert check_fc_parameters(True, 64).correct is False
    assert check_softmax((0.6, 0.3, 0.1), LOGITS).message.endswith(TRY_AGAIN)  # still the first
    assert check_fc_parameters(42, 64).message.endswith(TRY_AGAIN)


# ---------------------------------------------------------------- bad calls by the chapter author
@pytest.mark.parametrize("call, error, message", [
    (lambda: check_softmax(None, "2, 1, 0.1"), TypeError, "logits must be a 1-D sequence of numbers, like "
     "[2.0, 1.0, 0.1]; got '2, 1, 0.1'."),
    (lambda: check_softmax(None, 2.0), TypeError, "logits must be a 1-D sequence of numbers"),
    (lambda: check_softmax(None, {2, 1}), TypeError, "logits must be a 1-D sequence of numbers"),
    (lambda: check_softmax(None, [2, "1"]), TypeError, "must hold numbers only, one score per class"),
    (lambda: check_softmax(None, [True, False]), TypeError, "must hold numbers only"),
    (lambda: check_softmax(None, torch.tensor([True, False])), TypeError, "must hold numbers only"),
    (lambda: check_softmax(None, [[2, 1], [0, 1]]), TypeError, "must hold numbers only"),
    (lambda: check_softmax(None, torch.zeros(2, 3)), ValueError, "logits must be 1-D, one score per class, like "
     "[2.0, 1.0, 0.1]; got shape (2, 3)."),
    (lambda: check_softmax(None, np.array(2.0)), ValueError, "logits must be 1-D"),
    (lambda: check_softmax(None, [2.0]), ValueError, "softmax of a single logit is always 1, so give at least 2"),
    (lambda: check_softmax(None, []), ValueError, "has 0 value(s)"),
    (lambda: check_softmax(None, [2.0, float("inf")]), ValueError, "must be finite numbers: no inf or nan."),
    (lambda: check_softmax(None, LOGITS, decimals=2.0), TypeError, "decimals must be a whole number from 1 to 6"),
    (lambda: check_softmax(None, LOGITS, decimals=0), ValueError, "decimals=0 is impossible"),
    (lambda: check_softmax(None, LOGITS, decimals=7), ValueError, "give a whole number from 1 to 6"),
    (lambda: check_fc_parameters(None, "64"), TypeError, "image_size must be a whole number, got '64'."),
    (lambda: check_fc_parameters(None, 0), ValueError, "image_size=0 is too small: give at least 1"),
    (lambda: check_fc_parameters(None, 64, channels=0), ValueError, "channels=0 is too small: give at least 1"),
    (lambda: check_fc_parameters(None, 64, hidden="1024"), TypeError, "hidden must be a sequence of widths"),
    (lambda: check_fc_parameters(None, 64, hidden=(1024, 0)), ValueError, "each of hidden=0 is too small: give at least 1"),
    (lambda: check_fc_parameters(None, 64, classes=1.5), TypeError, "classes must be a whole number"),
    (lambda: check_fc_parameters(FC_64, 64.0), TypeError, "image_size must be a whole number"),
])  # fmt: skip
def test_bad_questions_get_clear_errors(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()
