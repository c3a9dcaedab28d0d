"""The self-checks of chapter 5 (training): verdicts, the attempts policy, hints and bad calls."""

import re

import numpy as np
import pytest
import torch
from torch import nn

from ainotes.feedback import NO_ANSWER, TRY_AGAIN
from ainotes.schedule_explorer import one_cycle_curves
from ainotes.training_checks import check_hook_count, check_one_cycle_lr

SHORT = dict(max_lr=0.01, total_steps=20)  # warm-up up to step 5; step 10 is at 0.00716943 (cos)
LR_10 = 0.00716943


def hooked_model():
    """A model with 2 forward hooks on its convolution and 1 on its linear layer: 3 in all."""
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    for _ in range(2):
        model[0].register_forward_hook(lambda m, i, o: None)
    model[3].register_forward_hook(lambda m, i, o: None)
    return model


HOOKED = hooked_model()

# Each question: (check, its arguments after the answer, right answer, a wrong answer no known mistake explains,
# the answer as the worked answer writes it).
QUESTIONS = {
    "one_cycle": (check_one_cycle_lr, dict(step=10, **SHORT), "0.00717", 0.5, "= 0.00717."),
    "hooks": (check_hook_count, dict(model=HOOKED), 3, 7, "in all 2 + 1 = 3."),
}


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_the_attempts_policy(name, attempts_policy):
    attempts_policy(*QUESTIONS[name])


# ---------------------------------------------------------------- the one-cycle learning rate
def test_the_expected_learning_rate_is_onecyclelrs():
    lr, _ = one_cycle_curves(**SHORT)
    assert lr[10] == pytest.approx(LR_10, rel=1e-6)
    for step in (0, 3, 5, 10, 19):
        assert check_one_cycle_lr(lr[step], step, **SHORT).correct, step
    assert check_one_cycle_lr(0.01, 257, max_lr=0.01, total_steps=860).correct  # the chapter's peak


@pytest.mark.parametrize("answer", [
    "0.00717", "7.17e-3", " 0,00717 ", "7.17E-03", 0.00717, np.float32(0.00717), np.float64(LR_10),
    torch.tensor(0.00717), torch.tensor([0.00717]), LR_10 * 1.019, LR_10 * 0.981,
])  # fmt: skip
def test_right_answers_in_several_forms(answer):
    assert check_one_cycle_lr(answer, 10, **SHORT).correct is True


def test_within_two_percent_only():
    assert not check_one_cycle_lr(LR_10 * 1.021, 10, **SHORT).correct
    assert not check_one_cycle_lr(LR_10 * 0.979, 10, **SHORT).correct


def test_the_working_follows_the_scheduler_at_every_step():
    """The worked answer's formula, with its rounded numbers, gives OneCycleLR's value at every step."""
    for kwargs in (SHORT, dict(max_lr=0.1, total_steps=25, pct_start=0.3, anneal_strategy="linear"),
                   dict(max_lr=3e-3, total_steps=37, pct_start=0.4, div_factor=10, final_div_factor=100)):  # fmt: skip
        lr, _ = one_cycle_curves(**kwargs)
        for step in range(kwargs["total_steps"]):
            message = check_one_cycle_lr(None, step, **kwargs, show_answer=True).message
            formula = float(re.search(r" = ([0-9.e+-]+)\. OneCycleLR itself gives ([0-9.e+-]+) ", message).group(1))
            exact = float(re.search(r"OneCycleLR itself gives ([0-9.e+-]+) ", message).group(1))
            assert formula == pytest.approx(lr[step], rel=0.006, abs=1e-9), (kwargs, step, message)
            assert exact == pytest.approx(lr[step], rel=1e-5), (kwargs, step)


def test_the_worked_answers():
    warm = check_one_cycle_lr(None, 3, **SHORT, show_answer=True).message
    assert warm == (
        "The worked answer: step 3 is in the warm-up, up to step 5 (pct_start × total_steps − 1 = 0.3 × 20 − 1), "
        "where the learning rate rises along half a cosine from max_lr / div_factor = 0.01 / 25 = 0.0004 to max_lr = "
        "0.01: t = 3 / 5 = 0.6000 of the warm-up is done, so lr = 0.0004 + (0.01 − 0.0004) × (1 − cos(π × 0.6000)) "
        "/ 2 = 0.00668. OneCycleLR itself gives 0.00668328 (steps count from 0: step 0 is the first batch)."
    )
    annealing = check_one_cycle_lr(None, 10, **SHORT, anneal_strategy="linear", show_answer=True).message
    assert "step 10 is in the annealing phase, from step 5 (pct_start × total_steps − 1 = 0.3 × 20 − 1) to the last " \
           "step, 19, where the learning rate falls along a straight line" in annealing  # fmt: skip
    assert "t = (10 − 5) / (19 − 5) = 0.3571 of the annealing is done, so lr = 0.01 − (0.01 − 4e-08) × 0.3571" in (
        annealing
    )


@pytest.mark.parametrize("answer, kwargs, hint", [
    (0.01, {}, "That is the peak learning rate, max_lr, which OneCycleLR reaches only at the end of the warm-up (step "
     "5); at step 10 it is already falling."),
    (0.01, dict(step=3), "at step 3 it is still rising."),
    (0.0004, {}, "That is the learning rate of step 0, max_lr / div_factor: the warm-up raised it to max_lr, and step "
     "10 is in the annealing phase after it."),
    ("4e-4", dict(step=3), "the warm-up raises it towards max_lr from there."),
    (4e-8, {}, "That is the final learning rate, max_lr / (div_factor × final_div_factor), reached only at the last "
     "step, 19."),
    (0.0064286, {}, 'That is the value with anneal_strategy="linear"; this schedule\'s is "cos".'),
    (LR_10, dict(anneal_strategy="linear"), 'That is the value with anneal_strategy="cos"; this schedule\'s is '
     '"linear".'),
    (0.00616, dict(step=3), "That is a straight-line warm-up: OneCycleLR's warm-up follows half a cosine too"),
    (0.0061126, {}, "That is the learning rate of step 11: steps count from 0 (step 0 is the first batch)"),
    (0.0081175, {}, "That is the learning rate of step 9: steps count from 0"),
    (0.0045866, {}, "t is the fraction of the annealing phase done, counted from the end of the warm-up (step 5) to "
     "the last step, not the fraction of all the steps."),
    (0.717, {}, "That is the learning rate as a fraction of max_lr: multiply by max_lr = 0.01."),
    ("0.717%", {}, "That is the learning rate as a fraction of max_lr"),
    (0.717, dict(max_lr=0.02), "That is the learning rate as a fraction of max_lr: multiply by max_lr = 0.02."),
    (71.7, dict(max_lr=0.02), "That looks like the learning rate as a percentage of max_lr"),
    (1.434, dict(max_lr=0.02), "Give the learning rate itself, not a percentage."),
    (-0.007, {}, "A learning rate is always positive"),
    (0.5, {}, "OneCycleLR warms up from max_lr / div_factor to max_lr over the first pct_start of the steps"),
    (0.5, dict(anneal_strategy="linear"), 'With "linear" both phases are straight lines'),
])  # fmt: skip
def test_one_cycle_hints_point_to_the_mistake_without_the_answer(answer, kwargs, hint, attempts_policy):
    kwargs = {"step": 10, **SHORT, **kwargs}
    lr, _ = one_cycle_curves(kwargs["max_lr"], kwargs["total_steps"], anneal_strategy=kwargs.get("anneal_strategy",
                             "cos"))  # fmt: skip
    exact = f"{lr[kwargs['step']]:.6g}"
    first = check_one_cycle_lr(answer, **kwargs)
    assert first.correct is False and hint in first.message and first.message.endswith(TRY_AGAIN), first.message
    assert exact not in first.message and f"{lr[kwargs['step']]:.3g}" not in attempts_policy.after_said(first.message)
    second = check_one_cycle_lr(answer, **kwargs)
    assert f"OneCycleLR itself gives {exact} " in second.message and ", but step " in second.message


def test_off_by_one_is_right_where_neighbouring_steps_are_within_two_percent():
    lr, _ = one_cycle_curves(0.01, 860)
    assert check_one_cycle_lr(lr[501], 500, max_lr=0.01, total_steps=860).correct


def test_attempts_are_counted_per_question():
    assert check_one_cycle_lr(0.5, 10, **SHORT).message.endswith(TRY_AGAIN)
    assert check_one_cycle_lr(0.5, 11, **SHORT).message.endswith(TRY_AGAIN)  # another step
    assert check_one_cycle_lr(0.5, 10, **SHORT, pct_start=0.4).message.endswith(TRY_AGAIN)  # another schedule
    assert ", but " in check_one_cycle_lr(0.5, np.int64(10), max_lr=0.01, total_steps=20).message  # the same


def test_answers_that_cannot_be_read_do_not_count_as_attempts():
    for answer in ("abc", "0.1, 0.2", [0.1, 0.2], {"lr": 0.1}, "", "nan", torch.zeros(2), "1,000,000"):
        assert check_one_cycle_lr(answer, 10, **SHORT).message == (
            f'A learning rate is one number, like 0.004, 4e-3 or "0.004"; you gave {answer!r}.'
        )
    assert check_one_cycle_lr(None, 10, **SHORT).message == NO_ANSWER
    assert check_one_cycle_lr(0.5, 10, **SHORT).message.endswith(TRY_AGAIN)  # still the first


# ---------------------------------------------------------------- forward hooks
def test_check_hook_count_counts_every_hook_of_every_module():
    model = hooked_model()
    assert check_hook_count(3, model).correct and sum(len(m._forward_hooks) for m in model.modules()) == 3
    assert repr(check_hook_count(3, model)) == (
        "✓ Right. The forward hooks per module are: 0 (Conv2d) 2, 3 (Linear) 1; in all 2 + 1 = 3. Each "
        "`register_forward_hook` call adds one hook, even on a module that already has one, and each stays until its "
        "handle's `remove()`."
    )
    handle = model.register_forward_hook(lambda m, i, o: None)
    assert (
        check_hook_count(4, model).correct and "the model itself (Sequential) 1" in check_hook_count(4, model).message
    )
    handle.remove()
    model(torch.zeros(1, 3, 8, 8))  # running the model changes nothing
    assert check_hook_count(3, model).correct
    for m in model.modules():
        m._forward_hooks.clear()
    assert check_hook_count(None, model, show_answer=True).message == (
        "The worked answer: no module of the model has a forward hook now: in all 0. Each `register_forward_hook` call "
        "adds one hook, even on a module that already has one, and each stays until its handle's `remove()`."
    )
    assert check_hook_count(0, model).correct


def test_check_hook_count_reads_counts_in_several_forms():
    for answer in (3, "3", " 3 ", 3.0, np.int64(3), torch.tensor(3)):
        assert check_hook_count(answer, HOOKED).correct is True, answer
    assert check_hook_count("three", HOOKED).message == (
        'A number of hooks is a whole number, like 1234567 or "1,234,567" (commas, spaces or underscores between the '
        "thousands are fine); you gave 'three'."
    )
    assert check_hook_count(2.5, HOOKED).message == "A number of hooks is a whole number; you gave 2.5."
    assert check_hook_count(None, HOOKED).message == NO_ANSWER


@pytest.mark.parametrize("answer, hint", [
    (2, "Hooks pile up: each `register_forward_hook` call adds one more, even on a module that already has one"),
    (0, "Hooks stay registered until their handle's `remove()` is called"),
    (5, "That is the number of modules (the model and all its submodules), not of hooks."),
    (7, "Count the forward hooks of every module"),
])  # fmt: skip
def test_hook_hints_point_to_the_mistake_without_the_answer(answer, hint):
    first = check_hook_count(answer, HOOKED)
    assert first.correct is False and hint in first.message and first.message.endswith(TRY_AGAIN), first.message
    assert "in all" not in first.message
    second = check_hook_count(answer, HOOKED)
    assert "in all 2 + 1 = 3." in second.message and f"You said {answer}, but the forward hooks" in second.message


def test_hook_hints_for_the_model_alone_and_pre_hooks():
    model = hooked_model()
    model.register_forward_hook(lambda m, i, o: None)
    model[1].register_forward_pre_hook(lambda m, i: None)
    assert "counts the hooks on the model itself only" in check_hook_count(1, model).message
    assert "not the forward pre-hooks" in check_hook_count(5, model).message


def test_hook_attempts_are_counted_per_model_and_hooks():
    model = hooked_model()
    assert check_hook_count(7, model).message.endswith(TRY_AGAIN)
    assert ", but " in check_hook_count(7, model).message
    model[1].register_forward_hook(lambda m, i, o: None)  # another question: the hooks changed
    assert check_hook_count(7, model).message.endswith(TRY_AGAIN)


# ---------------------------------------------------------------- bad calls by the chapter author
@pytest.mark.parametrize("call, error, name", [
    (lambda: check_one_cycle_lr(None, -1, **SHORT), ValueError, "step=-1 is not a step of this schedule: give 0"),
    (lambda: check_one_cycle_lr(None, 20, **SHORT), ValueError, "step=20 is not a step of this schedule"),
    (lambda: check_one_cycle_lr(None, 1.5, **SHORT), TypeError, "step must be a whole number, got 1.5"),
    (lambda: check_one_cycle_lr(None, "3", **SHORT), TypeError, "step must be a whole number"),
    (lambda: check_one_cycle_lr(None, 3, max_lr=0, total_steps=20), ValueError, "max_lr=0 is impossible"),
    (lambda: check_one_cycle_lr(None, 3, max_lr="0.01", total_steps=20), TypeError, "max_lr must be a number"),
    (lambda: check_one_cycle_lr(None, 3, max_lr=0.01, total_steps=1), ValueError, "total_steps=1 is too few"),
    (lambda: check_one_cycle_lr(None, 3, **SHORT, pct_start=30), ValueError, "pct_start=30 is impossible"),
    (lambda: check_one_cycle_lr(None, 3, **SHORT, div_factor=-1), ValueError, "div_factor=-1 is impossible"),
    (lambda: check_one_cycle_lr(None, 3, **SHORT, final_div_factor=0), ValueError, "final_div_factor=0 is"),
    (lambda: check_one_cycle_lr(None, 3, **SHORT, anneal_strategy="cosine"), ValueError, "anneal_strategy must be"),
    (lambda: check_hook_count(None, "model"), TypeError, "model must be a torch.nn.Module (the model whose hooks to "
     "count), got str."),
    (lambda: check_hook_count(3, [nn.Linear(2, 2)]), TypeError, "model must be a torch.nn.Module"),
])  # fmt: skip
def test_bad_questions_get_clear_errors(call, error, name):
    with pytest.raises(error, match=re.escape(name)):
        call()
