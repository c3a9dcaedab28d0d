"""The self-checks of chapter 6 (batch normalisation): verdicts, the attempts policy, hints and bad calls."""

import math
import re

import numpy as np
import pytest
import torch
from torch import nn

from ainotes.feedback import NO_ANSWER, TRY_AGAIN
from ainotes.norm_checks import check_batchnorm_counts, check_batchnorm_output, check_running_mean

BATCH = (2, 4, 6, 8)  # mean 5, biased variance 5
OUTPUT = [-1.342, -0.447, 0.447, 1.342]

# Each question: (check, its arguments after the answer, right answer, a wrong answer no known mistake explains,
# the answer as the worked answer writes it).
QUESTIONS = {
    "counts": (check_batchnorm_counts, dict(num_features=64), (128, 129), (200, 300), "= 129 values"),
    "running_mean": (check_running_mean, dict(batch_means=(2, 4)), 0.58, 0.5, "= 0.58."),
    "output": (check_batchnorm_output, dict(values=BATCH), OUTPUT, [1, 2, 3, 4], "(-1.342, -0.447, 0.447, 1.342)"),
}


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_the_attempts_policy(name, attempts_policy):
    attempts_policy(*QUESTIONS[name])


# ---------------------------------------------------------------- parameters and buffers
@pytest.mark.parametrize("c", [1, 3, 16, 64, 512])
def test_the_expected_counts_are_a_real_layers(c):
    layer = nn.BatchNorm2d(c)
    parameters = sum(p.numel() for p in layer.parameters())
    buffers = sum(b.numel() for b in layer.buffers())
    assert (parameters, buffers) == (2 * c, 2 * c + 1)
    assert check_batchnorm_counts((parameters, buffers), c).correct is True
    assert check_batchnorm_counts((parameters, buffers + 1), c).correct is False
    assert f"= {2 * c} parameters" in check_batchnorm_counts(None, c, show_answer=True).message


def test_the_worked_counts():
    assert repr(check_batchnorm_counts((128, 129), 64)) == (
        "✓ Right. `nn.BatchNorm2d(64)` learns weight (gamma) 64 + bias (beta) 64 = 128 parameters. Its buffers are "
        "running_mean 64 + running_var 64 + num_batches_tracked 1 = 129 values: they are saved in the state_dict and "
        "moved by `.to()`, but the optimiser never sees them."
    )
    assert "learns weight (gamma) 3 + bias (beta) 3 = 6 parameters" in check_batchnorm_counts((6, 7), 3).message


@pytest.mark.parametrize("answer", [
    (128, 129), [128, 129], "128, 129", "(128, 129)", " 128 129 ", torch.tensor([128, 129]), np.array([128, 129]),
    (np.int64(128), 129), (128.0, 129.0),
])  # fmt: skip
def test_counts_in_several_forms(answer):
    assert check_batchnorm_counts(answer, 64).correct is True


@pytest.mark.parametrize("answer", ["abc", (100,), 129, (128, 129, 1), (128.5, 129), "", {"p": 128}, ("a", "b")])
def test_counts_of_the_wrong_kind_name_the_form(answer):
    assert check_batchnorm_counts(answer, 64).message == (
        "The answer is a pair of whole numbers, (learnable parameters, buffer values), like (100, 200) or "
        f'"100, 200"; you gave {answer!r}.'
    )


def test_one_count_alone_is_asked_for_as_a_pair():
    total = check_batchnorm_counts(257, 64)
    assert total.correct is False and total.message.startswith("257 looks like both counts together: give them apart.")
    one = check_batchnorm_counts("128", 64)
    assert one.correct is False and one.message.startswith("128 is one count: give both. The answer is a pair")
    assert check_batchnorm_counts((200, 300), 64).message.endswith(TRY_AGAIN)  # those did not count as attempts


@pytest.mark.parametrize("answer, hint", [
    ((64, 129), "Each channel has two learnable values: a scale gamma (`weight`) and a shift beta (`bias`)."),
    ((128, 128), "Besides `running_mean` and `running_var` the layer keeps one more buffer, `num_batches_tracked`"),
    ((129, 128), "Swapped? The learnable parameters come first, and only gamma and beta are learned"),
    ((129, 129), "`num_batches_tracked` is not a parameter: it is a counter"),
    ((257, 129), "The running mean and variance are not learnable parameters: they are buffers"),
    ((128, 64), "There are two running statistics per channel"),
    ((128, 0), "The layer has buffers too"),
    ((200, 300), "List what the layer stores per channel"),
])  # fmt: skip
def test_count_hints_point_to_the_mistake_without_the_answer(answer, hint, attempts_policy):
    first = check_batchnorm_counts(answer, 64)
    assert first.correct is False and hint in first.message and first.message.endswith(TRY_AGAIN), first.message
    assert "129 values" not in first.message and "128 parameters" not in attempts_policy.after_said(first.message)
    second = check_batchnorm_counts(answer, 64)
    assert f"You said ({answer[0]}, {answer[1]}), but `nn.BatchNorm2d(64)` learns" in second.message


def test_two_count_mistakes_get_both_hints():
    message = check_batchnorm_counts((64, 128), 64).message
    assert "a scale gamma (`weight`) and a shift beta (`bias`). Besides `running_mean`" in message


def test_count_hints_of_a_one_channel_layer():
    assert "Each channel has two learnable values" in check_batchnorm_counts((1, 3), 1).message
    assert "Swapped?" in check_batchnorm_counts((3, 2), 1).message
    assert "one more buffer, `num_batches_tracked`" in check_batchnorm_counts((2, 2), 1).message


# ---------------------------------------------------------------- the running mean
def running_mean_of_a_real_layer(batch_means, momentum, start):
    """Feed nn.BatchNorm1d(1) one training batch per mean (two values, mean ± 1) and read its running mean."""
    layer = nn.BatchNorm1d(1, momentum=momentum).double().train()
    layer.running_mean.fill_(start)
    with torch.no_grad():
        for mean in batch_means:
            layer(torch.tensor([mean - 1.0, mean + 1.0], dtype=torch.float64).view(-1, 1))
    return layer.running_mean.item()


def test_the_rule_by_hand():
    assert running_mean_of_a_real_layer((2, 4), 0.1, 0.0) == pytest.approx(0.58)
    assert check_running_mean(0.58, (2, 4)).correct and not check_running_mean(0.6, (2, 4)).correct


@pytest.mark.parametrize("momentum", [0.1, 0.01, 0.5, 1.0])
@pytest.mark.parametrize("batch_means, start", [
    ((2, 4), 0.0), ((3,), 0.0), ((-1, 0.5, 2, 7.25), 0.0), (tuple(range(10)), 0.0), ((0, 0), 0.0), ((2, 4), 1.5),
    ((-3, 10, 0.25), -2.0),
])  # fmt: skip
def test_the_expected_running_mean_is_a_real_layers(batch_means, momentum, start):
    real = running_mean_of_a_real_layer(batch_means, momentum, start)
    kwargs = dict(momentum=momentum, start=start)
    assert check_running_mean(real, batch_means, **kwargs).correct is True
    wrong = real * 1.02 if real else 1e-3
    assert check_running_mean(wrong, batch_means, **kwargs).correct is False
    worked = check_running_mean(None, batch_means, **kwargs, show_answer=True).message
    last = float(re.search(r"= ([-0-9.e+]+)\.$", worked).group(1))
    assert last == pytest.approx(real, rel=1e-3, abs=1e-9), worked


def test_the_worked_running_means():
    assert repr(check_running_mean(0.58, (2, 4))) == (
        "✓ Right. With momentum = 0.1, each training-mode batch sets running = (1 − momentum) × running + momentum × "
        "batch mean, from 0: 0.9 × 0 + 0.1 × 2 = 0.2, then 0.9 × 0.2 + 0.1 × 4 = 0.58."
    )
    long = check_running_mean(None, tuple(range(10)), show_answer=True).message
    assert "then … (5 more batches), then 0.9 × 2.305 + 0.1 × 8 = 2.874, then 0.9 × 2.874 + 0.1 × 9 = 3.487." in long
    assert "from 1.5: 0.5 × 1.5 + 0.5 × 3 = 2.25." in check_running_mean(None, (3,), momentum=0.5, start=1.5,
                                                                           show_answer=True).message  # fmt: skip


def test_within_one_percent_only():
    assert check_running_mean(0.58 * 1.009, (2, 4)).correct and check_running_mean(0.58 * 0.991, (2, 4)).correct
    assert not check_running_mean(0.58 * 1.011, (2, 4)).correct and not check_running_mean(0.58 * 0.989, (2, 4))
    assert check_running_mean(5e-7, (0, 0)).correct and not check_running_mean(1e-5, (0, 0)).correct


@pytest.mark.parametrize("answer", [
    0.58, "0.58", " 0,58 ", "5.8e-1", np.float32(0.58), np.float64(0.58), torch.tensor(0.58), torch.tensor([0.58]),
])  # fmt: skip
def test_running_means_in_several_forms(answer):
    assert check_running_mean(answer, (2, 4)).correct is True


def test_running_means_of_the_wrong_kind_do_not_count_as_attempts():
    for answer in ("abc", "0.5, 0.6", [0.5, 0.6], "", "nan", torch.zeros(2), {"mean": 0.58}):
        assert check_running_mean(answer, (2, 4)).message == (
            f'A running mean is one number, like 0.58, 5.8e-1 or "0.58"; you gave {answer!r}.'
        )
    assert check_running_mean(None, (2, 4)).message == NO_ANSWER
    assert check_running_mean(0.5, (2, 4)).message.endswith(TRY_AGAIN)  # still the first


@pytest.mark.parametrize("answer, kwargs, hint", [
    (3.78, {}, "PyTorch's momentum is the weight of the new batch mean, not of the old running value"),
    (3.0, {}, "That is the plain average of the batch means, which PyTorch keeps only with momentum=None."),
    (4, {}, "That is the last batch's mean: each batch moves the running mean only momentum = 0.1 of the way"),
    (2.2, {}, "The running mean starts at 0, not at the first batch mean (a new layer fills running_mean with zeros)"),
    (0.2, {}, "That is the running mean after the first batch only: every training-mode batch updates it."),
    (0.58, dict(start=1.5), "The running mean starts at start = 1.5, the value it had before these batches, not at 0."),
    (2.2, dict(start=1.5), "The running mean starts at 1.5, not at the first batch mean: the first batch"),
    (0.5, {}, "Go batch by batch from 0: after each one, running = (1 − momentum) × running + momentum × batch mean"),
])  # fmt: skip
def test_running_mean_hints_point_to_the_mistake_without_the_answer(answer, kwargs, hint, attempts_policy):
    expected = running_mean_of_a_real_layer((2, 4), 0.1, kwargs.get("start", 0.0))
    first = check_running_mean(answer, (2, 4), **kwargs)
    assert first.correct is False and hint in first.message and first.message.endswith(TRY_AGAIN), first.message
    assert f"{expected:.4g}" not in attempts_policy.after_said(first.message)
    second = check_running_mean(answer, (2, 4), **kwargs)
    assert f"= {expected:.4g}." in second.message and ", but with momentum = 0.1" in second.message


def test_with_momentum_one_half_either_way_round_is_right():
    assert check_running_mean(2.5, (2, 4), momentum=0.5).correct  # 0.5 × (0.5 × 0 + 0.5 × 2) + 0.5 × 4
    assert "That is the plain average of the batch means" in check_running_mean(3, (2, 4), momentum=0.5).message


# ---------------------------------------------------------------- the output of a new layer
def by_hand(values, eps):
    x = torch.tensor(values, dtype=torch.float64)
    return ((x - x.mean()) / torch.sqrt(x.var(unbiased=False) + eps)).tolist()


@pytest.mark.parametrize("values", [BATCH, (1, 2), (0.5, -1.25, 3, 3, 10), (5, 5, 5), (-7.5, 100.0, 3.25)])
@pytest.mark.parametrize("eps", [1e-5, 0.1, 1.0])
def test_the_expected_output_is_a_real_layers(values, eps):
    layer = nn.BatchNorm1d(1, eps=eps).train()  # float32, as in the chapter
    with torch.no_grad():
        real = layer(torch.tensor(values, dtype=torch.float32).view(-1, 1)).view(-1).tolist()
    assert real == pytest.approx(by_hand(values, eps), abs=1e-4)
    assert check_batchnorm_output(real, values, eps=eps).correct is True
    assert check_batchnorm_output(by_hand(values, eps), values, eps=eps).correct is True
    worked = check_batchnorm_output(None, values, eps=eps, show_answer=True).message
    shown = re.search(r"gives \(([^)]*)\), as", worked).group(1)
    assert shown == ", ".join(f"{y:.3f}" for y in by_hand(values, eps))
    assert check_batchnorm_output([y + 0.02 for y in real], values, eps=eps).correct is False


def test_the_worked_output():
    assert repr(check_batchnorm_output(OUTPUT, BATCH)) == (
        "✓ Right. The mean is (2 + 4 + 6 + 8) / 4 = 5; the biased variance, dividing by N = 4, is ((-3)² + (-1)² + 1² "
        "+ 3²) / 4 = 5; sqrt(5 + 1e-05) = 2.236; so (x − 5) / 2.236 gives (-1.342, -0.447, 0.447, 1.342), as "
        "`nn.BatchNorm1d(1)` in training mode does (a new layer's gamma = 1 and beta = 0 change nothing)."
    )


@pytest.mark.parametrize("answer", [
    OUTPUT, tuple(OUTPUT), "-1.34, -0.45, 0.45, 1.34", "[-1.342 -0.447 0.447 1.342]", "−1,34; −0,45; 0,45; 1,34",
    "tensor([-1.3416, -0.4472, 0.4472, 1.3416])", torch.tensor(OUTPUT), np.array(OUTPUT),
    [-1.3416 + 0.0099, -0.4472 - 0.0099, 0.4472, 1.3416],
])  # fmt: skip
def test_outputs_in_several_forms(answer):
    assert check_batchnorm_output(answer, BATCH).correct is True


def test_outputs_within_a_hundredth_only():
    assert not check_batchnorm_output([-1.3416 + 0.011, -0.4472, 0.4472, 1.3416], BATCH).correct


def test_outputs_of_the_wrong_kind_do_not_count_as_attempts():
    assert check_batchnorm_output("a b", BATCH).message == (
        "Could not read 'a b': give 4 numbers, one output per value, as a list or separated by commas, like "
        '"x.xx, x.xx, x.xx, x.xx".'
    )
    assert check_batchnorm_output([[-1.3, -0.4], [0.4, 1.3]], BATCH).message.startswith("Could not read")
    assert check_batchnorm_output([-1.34, 1.34], BATCH).message == (
        "You gave 2 numbers, but the layer gives one output per value: give 4."
    )
    assert check_batchnorm_output(1.34, BATCH).message.startswith("You gave 1 number, but")
    assert check_batchnorm_output([1, 2, 3, 4], BATCH).message.endswith(TRY_AGAIN)  # still the first


@pytest.mark.parametrize("answer, hint", [
    ([-1.162, -0.387, 0.387, 1.162], "You divided by N − 1 = 3: batch norm normalises with the biased variance, "
     "dividing by N = 4"),
    ([-3, -1, 1, 3], "You subtracted the mean but did not divide by the standard deviation, sqrt(variance + eps)."),
    ([-0.6, -0.2, 0.2, 0.6], "You divided by the variance: divide by the standard deviation"),
    ([2, 4, 6, 8], "That is a new layer in eval mode, which uses running_mean 0 and running_var 1"),
    ([1.342, 0.447, -0.447, -1.342], "Check the sign: the output is (x − mean) / sqrt(variance + eps)."),
    ([1, 2, 3, 4], "In training mode the layer uses the batch's own statistics"),
])  # fmt: skip
def test_output_hints_point_to_the_mistake_without_the_answer(answer, hint, attempts_policy):
    first = check_batchnorm_output(answer, BATCH)
    assert first.correct is False and hint in first.message and first.message.endswith(TRY_AGAIN), first.message
    assert "1.342" not in attempts_policy.after_said(first.message) and "2.236" not in first.message
    second = check_batchnorm_output(answer, BATCH)
    assert "gives (-1.342, -0.447, 0.447, 1.342)" in second.message
    assert ", but the mean is (2 + 4 + 6 + 8) / 4 = 5;" in second.message


def test_the_eval_mode_hint_is_what_a_new_layer_gives_in_eval_mode():
    layer = nn.BatchNorm1d(1).eval()
    with torch.no_grad():
        evaluated = layer(torch.tensor(BATCH, dtype=torch.float32).view(-1, 1)).view(-1).tolist()
    assert evaluated == pytest.approx(BATCH, abs=1e-4)
    assert "a new layer in eval mode" in check_batchnorm_output(evaluated, BATCH).message


def test_one_value_is_refused_as_pytorch_refuses_it():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(1).train()(torch.tensor([[3.0]]))
    with pytest.raises(ValueError, match=re.escape("values=[3.0] has 1 value: batch normalisation in training mode "
                                                   "needs more than one value per channel")):  # fmt: skip
        check_batchnorm_output(None, [3.0])


# ---------------------------------------------------------------- attempts per question
def test_attempts_are_counted_per_question():
    assert check_batchnorm_counts((200, 300), 64).message.endswith(TRY_AGAIN)
    assert check_batchnorm_counts((200, 300), 32).message.endswith(TRY_AGAIN)  # another layer
    assert ", but " in check_batchnorm_counts((200, 300), np.int64(64)).message  # the same
    assert check_running_mean(0.5, (2, 4)).message.endswith(TRY_AGAIN)
    assert check_running_mean(0.5, (2, 4), momentum=0.2).message.endswith(TRY_AGAIN)  # another momentum
    assert ", but " in check_running_mean(0.5, [2.0, 4.0]).message  # the same
    assert check_batchnorm_output([1, 2, 3, 4], BATCH).message.endswith(TRY_AGAIN)
    assert check_batchnorm_output([1, 2, 3, 4], BATCH, eps=0.1).message.endswith(TRY_AGAIN)  # another eps
    assert ", but " in check_batchnorm_output([1, 2, 3, 4], np.array(BATCH)).message  # the same


# ---------------------------------------------------------------- bad calls by the chapter author
@pytest.mark.parametrize("call, error, name", [
    (lambda: check_batchnorm_counts(None, 0), ValueError, "num_features=0 is too small: give at least 1"),
    (lambda: check_batchnorm_counts(None, 64.0), TypeError, "num_features must be a whole number, got 64.0"),
    (lambda: check_batchnorm_counts(None, "64"), TypeError, "num_features must be a whole number, got '64'"),
    (lambda: check_batchnorm_counts(None, True), TypeError, "num_features must be a whole number, got True"),
    (lambda: check_running_mean(None, []), ValueError, "batch_means=[] is empty: give at least one number"),
    (lambda: check_running_mean(None, "2, 4"), TypeError, "batch_means must be a sequence of numbers"),
    (lambda: check_running_mean(None, 2), TypeError, "batch_means must be a sequence of numbers"),
    (lambda: check_running_mean(None, [2, "4"]), TypeError, "batch_means=[2, '4'] must hold numbers only"),
    (lambda: check_running_mean(None, [2, math.nan]), ValueError, "batch_means=[2, nan] must be finite numbers"),
    (lambda: check_running_mean(None, torch.zeros(2, 2)), ValueError, "batch_means must be 1-D"),
    (lambda: check_running_mean(None, (2, 4), momentum=0), ValueError, "momentum=0 is impossible: give a number in "
     "(0, 1]"),
    (lambda: check_running_mean(None, (2, 4), momentum=1.5), ValueError, "momentum=1.5 is impossible"),
    (lambda: check_running_mean(None, (2, 4), momentum=0.9 * 2), ValueError, "momentum=1.8 is impossible"),
    (lambda: check_running_mean(None, (2, 4), momentum="0.1"), TypeError, "momentum must be a number, got '0.1'"),
    (lambda: check_running_mean(None, (2, 4), momentum=None), TypeError, "momentum=None (PyTorch's cumulative "
     "average) is not covered by this check"),
    (lambda: check_running_mean(None, (2, 4), start="0"), TypeError, "start must be a number, got '0'"),
    (lambda: check_running_mean(None, (2, 4), start=math.inf), ValueError, "start=inf is not a finite number"),
    (lambda: check_batchnorm_output(None, []), ValueError, "values=[] has 0 values: batch normalisation in training"),
    (lambda: check_batchnorm_output(None, (5,)), ValueError, "values=(5,) has 1 value"),
    (lambda: check_batchnorm_output(None, "2 4 6 8"), TypeError, "values must be a sequence of numbers"),
    (lambda: check_batchnorm_output(None, [2, None]), TypeError, "values=[2, None] must hold numbers only"),
    (lambda: check_batchnorm_output(None, np.zeros((2, 2))), ValueError, "values must be 1-D"),
    (lambda: check_batchnorm_output(None, BATCH, eps=0), ValueError, "eps=0 is impossible: give a positive number"),
    (lambda: check_batchnorm_output(None, BATCH, eps="1e-5"), TypeError, "eps must be a number, got '1e-5'"),
])  # fmt: skip
def test_bad_questions_get_clear_errors(call, error, name):
    with pytest.raises(error, match=re.escape(name)):
        call()
