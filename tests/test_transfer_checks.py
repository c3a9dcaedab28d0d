"""The self-checks of chapter 7 (transfer learning): verdicts, the attempts policy, hints and bad calls."""

import re

import numpy as np
import pytest
import torch
from torch import nn

from ainotes import exercises
from ainotes.feedback import NO_ANSWER, TRY_AGAIN
from ainotes.models.resnet import SmallResNet
from ainotes.transfer_checks import (
    _one_frozen_batch,
    check_bn_buffers_changed,
    check_head_parameters,
    check_trainable_parameters,
)

# Each question: (check, its arguments after the answer, right answer, a wrong answer no known mistake explains,
# the answer as the worked answer writes it).
QUESTIONS = {
    "head": (check_head_parameters, dict(in_features=128, classes=3), 387, 5, "= 387 parameters"),
    "trainable": (check_trainable_parameters, dict(unfrozen=("layer4", "fc")), "230,531", 5, "= 230,531 trainable"),
    "buffers": (check_bn_buffers_changed, {}, 36, 5, "= 36 of"),
}


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_the_attempts_policy(name, attempts_policy):
    attempts_policy(*QUESTIONS[name])


def count(parameters):
    return sum(p.numel() for p in parameters)


def trainable_by_hand(unfrozen, classes=3):
    """Freeze a SmallResNet, unfreeze the parts named, and count what still has requires_grad."""
    model = SmallResNet(classes)
    model.requires_grad_(False)
    for name in unfrozen:
        getattr(model, name).requires_grad_(True)
    return model, count(p for p in model.parameters() if p.requires_grad)


def frozen_batch_by_hand(mode, seed=123, batch=4):
    """What a frozen SmallResNet's state_dict holds before and after one batch under no_grad, in ``mode``."""
    torch.manual_seed(seed)
    model = SmallResNet(3)
    model.requires_grad_(False)
    before = {key: t.clone() for key, t in model.state_dict().items()}
    getattr(model, mode)()
    with torch.no_grad():
        model(torch.randn(batch, 3, 32, 32))
    return model, [key for key, t in model.state_dict().items() if not torch.equal(t, before[key])]


# ---------------------------------------------------------------- the parameters of a new head
@pytest.mark.parametrize("in_features, classes", [(128, 3), (128, 10), (512, 2), (2048, 1000), (1, 1), (128, 7)])
def test_the_expected_head_is_a_real_linear_layer(in_features, classes):
    real = count(nn.Linear(in_features, classes).parameters())
    assert real == in_features * classes + classes
    assert check_head_parameters(real, in_features, classes).correct is True
    assert check_head_parameters(real + 1, in_features, classes).correct is False
    assert f"= {real:,} parameters" in check_head_parameters(None, in_features, classes, show_answer=True).message


def test_the_worked_head():
    assert repr(check_head_parameters(387)) == (
        "✓ Right. `nn.Linear(128, 3)` has 128 × 3 = 384 weights + 3 biases = 387 parameters: a weight for each "
        "(input, output) pair and a bias for each output, one output per class of the new task."
    )
    assert "512 × 10 = 5,120 weights + 10 biases = 5,130 parameters" in check_head_parameters(5130, 512, 10).message


@pytest.mark.parametrize("answer", [387, "387", " 387 ", np.int64(387), torch.tensor(387), 387.0])
def test_head_counts_in_several_forms(answer):
    assert check_head_parameters(answer).correct is True


def test_head_counts_with_thousands_separators():
    assert check_head_parameters("1,539", 512, 3).correct is True and check_head_parameters("1 539", 512, 3)
    assert check_head_parameters("129,000", 128, 1000).correct is True


@pytest.mark.parametrize("answer, hint", [
    (384, "Each output of a linear layer has a bias too: `nn.Linear` adds one per output."),
    (512, "The biases belong to the outputs, not to the inputs: one per output, that is per class."),
    (903, "That is a head for the 7 classes of the source task. The new head needs one output per class of the new "
     "task (3 here)"),
    (129_000, "That is a head for ImageNet's 1,000 classes. The new head needs one output per class of the new task"),
    (131, "A linear layer connects every input to every output: the weights multiply, they do not add."),
    (5, "Count the weights (one per input and output pair) and the biases (one per output)"),
])  # fmt: skip
def test_head_hints_point_to_the_mistake_without_the_answer(answer, hint, attempts_policy):
    first = check_head_parameters(answer)
    assert first.correct is False and hint in first.message and first.message.endswith(TRY_AGAIN), first.message
    assert "387" not in attempts_policy.after_said(first.message)
    second = check_head_parameters(answer)
    assert second.message.startswith(f"You said {answer:,}, but `nn.Linear(128, 3)` has") and "= 387 parameters" in (
        second.message
    )


def test_the_source_task_hint_is_left_out_when_the_new_task_has_as_many_classes():
    assert count(nn.Linear(128, 7).parameters()) == 903
    assert check_head_parameters(903, 128, 7).correct is True
    assert "source task" not in check_head_parameters(128 * 7, 128, 7).message


# ---------------------------------------------------------------- what freezing leaves trainable
@pytest.mark.parametrize("unfrozen", [
    ("layer4", "fc"), ("fc",), ("layer4",), ("layer3", "layer4", "fc"), ("bn1",), ("relu", "avgpool", "fc"),
    ("conv1", "bn1", "relu", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"), ["fc", "layer1"],
])  # fmt: skip
def test_the_expected_trainable_count_is_a_real_models(unfrozen):
    _, real = trainable_by_hand(unfrozen)
    assert check_trainable_parameters(real, unfrozen).correct is True
    assert check_trainable_parameters(real + 1, unfrozen).correct is False
    assert f"= {real:,} trainable parameters" in check_trainable_parameters(None, unfrozen, show_answer=True).message


def test_the_trainable_parts_counted_independently():
    model = SmallResNet(3)
    layer4, fc = count(model.layer4.parameters()), count(model.fc.parameters())
    assert fc == 128 * 3 + 3 and check_trainable_parameters(fc, ("fc",)).correct
    assert check_trainable_parameters(layer4 + fc).correct and check_trainable_parameters(layer4 + fc) == (
        check_trainable_parameters(f"{layer4 + fc:,}")
    )
    assert check_trainable_parameters(count(model.parameters()), [name for name, _ in model.named_children()])
    assert check_trainable_parameters(128 * 10 + 10, ("fc",), classes=10).correct


def test_the_worked_trainable_count():
    assert repr(check_trainable_parameters("230,531")) == (
        "✓ Right. Only the unfrozen parts train: layer4: 230,144 (conv1 73,728, bn1 256, conv2 147,456, bn2 256, "
        "downsample 8,448) + fc: 387 (weight 384, bias 3) = 230,531 trainable parameters, of the model's 307,923; the "
        "other 77,392 stay frozen. `requires_grad_(True)` unfreezes every parameter of a part, its batch norms' weights "
        "and biases and any 1×1 `downsample` shortcut included."
    )
    worked = check_trainable_parameters(None, ("conv1", "relu"), show_answer=True).message
    assert "conv1: 432 + relu: 0 = 432 trainable parameters" in worked


def mistakes(unfrozen=("layer4", "fc")):
    """The wrong counts of the usual mistakes, computed on a real model."""
    model, right = trainable_by_hand(unfrozen)
    parts = [getattr(model, name) for name in unfrozen]
    modules = [(name, m) for part in parts for name, m in part.named_modules()]
    norm = count(p for _, m in modules if isinstance(m, nn.BatchNorm2d) for p in m.parameters())
    down = count(p for name, m in modules if name.endswith("downsample") for p in m.parameters())
    down_norm = count(p for name, m in modules if name.endswith("downsample") for p in m[1].parameters())
    return dict(right=right, total=count(model.parameters()), no_norm=right - norm, no_down=right - down,
                neither=right - norm - down + down_norm, fc=count(model.fc.parameters()),
                layer4=count(model.layer4.parameters()))  # fmt: skip


@pytest.mark.parametrize("mistake, hint", [
    ("total", "That is every parameter of the model: `model.requires_grad_(False)` froze them all first"),
    ("no_norm", "Batch norm layers learn too: each `BatchNorm2d` of an unfrozen part has a weight (gamma) and a bias"),
    ("no_down", "The residual block of layer4 has a shortcut with parameters"),
    ("neither", "unfroze them with the convolutions. The residual block of layer4 has a shortcut with parameters"),
    ("fc", "That is fc's count alone: layer4 is unfrozen too."),
    ("layer4", "That is layer4's count alone: fc is unfrozen too."),
    ("frozen", "That is the frozen part's count"),
    ("other", "Go part by part: only the parts named in `unfrozen` have `requires_grad=True` again"),
])  # fmt: skip
def test_trainable_hints_point_to_the_mistake_without_the_answer(mistake, hint, attempts_policy):
    wrong = mistakes()
    wrong.update(frozen=wrong["total"] - wrong["right"], other=5)
    assert (wrong["total"], wrong["no_norm"], wrong["no_down"], wrong["fc"]) == (307_923, 229_763, 222_083, 387)
    first = check_trainable_parameters(wrong[mistake])
    assert first.correct is False and hint in first.message and first.message.endswith(TRY_AGAIN), first.message
    assert "230,531" not in attempts_policy.after_said(first.message)
    second = check_trainable_parameters(wrong[mistake])
    assert f"You said {wrong[mistake]:,}, but only the unfrozen parts train" in second.message
    assert "= 230,531 trainable parameters" in second.message


def test_the_trainable_hints_follow_the_parts_unfrozen():
    wrong = mistakes(("layer2", "layer3"))
    message = check_trainable_parameters(wrong["no_down"], ("layer2", "layer3")).message
    assert "The residual blocks of layer2 and layer3 have shortcuts with parameters" in message
    _, layer1_fc = trainable_by_hand(("layer1", "fc"))
    assert mistakes(("layer1", "fc"))["no_down"] == layer1_fc  # no shortcut to forget: no such hint
    assert "Batch norm layers learn too" in check_trainable_parameters(layer1_fc - 64, ("layer1", "fc")).message
    parts = ("layer3", "layer4", "fc")
    _, three = trainable_by_hand(parts)
    alone = check_trainable_parameters(387, parts).message
    assert "That is fc's count alone: layer3 and layer4 are unfrozen too." in alone
    missing = check_trainable_parameters(three - count(SmallResNet(3).layer3.parameters()), parts).message
    assert "Count every unfrozen part: layer3 is trainable too." in missing


def test_a_frozen_head_gets_its_own_hint():
    _, layer4 = trainable_by_hand(("layer4",))
    message = check_trainable_parameters(layer4 + 387, ("layer4",)).message
    assert "The head `fc` is frozen here too" in message


@pytest.mark.parametrize("answer", ["abc", "230.531,5", "-3", "230,53", 1.5, [230531]])
def test_counts_of_the_wrong_kind_name_the_form(answer):
    form = ' like 1234567 or "1,234,567" (commas, spaces or underscores between the thousands are fine)'
    assert check_trainable_parameters(answer).message == (
        f"A parameter count is a whole number{',' + form if isinstance(answer, str) else ''}; you gave {answer!r}."
    )
    assert check_trainable_parameters(5).message.endswith(TRY_AGAIN)  # those did not count as attempts


# ---------------------------------------------------------------- what one training-mode batch changes
def test_the_expected_buffer_count_is_measured():
    model, changed = frozen_batch_by_hand("train")
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    assert len(changed) == 3 * len(norms) == len(list(model.buffers())) == 36
    assert all(key.rsplit(".", 1)[1] in ("running_mean", "running_var", "num_batches_tracked") for key in changed)
    assert check_bn_buffers_changed(len(changed)).correct is True
    assert check_bn_buffers_changed(len(changed) - 1).correct is False


def test_in_eval_mode_nothing_changes():
    assert frozen_batch_by_hand("eval")[1] == []  # the fix the worked answer gives


def test_the_worked_buffer_count():
    assert repr(check_bn_buffers_changed(36)) == (
        "✓ Right. SmallResNet has 12 BatchNorm2d layers (1 in the stem, 8 in the residual blocks, 3 in the downsample "
        "shortcuts). In training mode every forward pass updates 3 buffers of each (running_mean, running_var and "
        "num_batches_tracked), so 12 × 3 = 36 of the state_dict's 74 tensors change. The 38 parameter tensors do not: "
        "freezing and `torch.no_grad()` stop gradients (and no optimiser step runs), not the running statistics batch "
        "norm keeps in training mode. To keep a frozen backbone's statistics, put it in eval mode: `model.eval()`, or "
        "`.eval()` on the frozen parts after `model.train()`."
    )


@pytest.mark.parametrize("answer", [36, "36", " 36 ", 36.0, np.int32(36), torch.tensor([36])])
def test_buffer_counts_in_several_forms(answer):
    assert check_bn_buffers_changed(answer).correct is True


@pytest.mark.parametrize("answer, hint", [
    (0, "Freezing (`requires_grad_(False)`) and `torch.no_grad()` stop gradients, not batch norm"),
    (24, "each batch-norm layer counts the training batches it has seen in `num_batches_tracked`"),
    (12, "Count tensors, not layers: each batch-norm layer keeps 3 buffers in the state_dict"),
    (3, "That is the buffers of one batch-norm layer"),
    (38, "That is the number of parameter tensors."),
    (74, "Not every tensor of the state_dict changes"),
    (5, "Go through `model.state_dict()`"),
])  # fmt: skip
def test_buffer_hints_point_to_the_mistake_without_the_answer(answer, hint, attempts_policy):
    model = SmallResNet(3)
    assert (len(list(model.parameters())), len(model.state_dict())) == (38, 74)
    first = check_bn_buffers_changed(answer)
    assert first.correct is False and hint in first.message and first.message.endswith(TRY_AGAIN), first.message
    assert "36" not in attempts_policy.after_said(first.message)
    second = check_bn_buffers_changed(answer)
    assert f"You said {answer}, but SmallResNet has 12 BatchNorm2d layers" in second.message
    assert "= 36 of the state_dict's 74 tensors change" in second.message and "`model.eval()`" in second.message


def test_buffer_counts_of_the_wrong_kind_do_not_count_as_attempts():
    assert check_bn_buffers_changed("thirty-six").message.startswith("A number of tensors is a whole number")
    assert check_bn_buffers_changed(None).message == NO_ANSWER
    assert check_bn_buffers_changed(0).message.endswith(TRY_AGAIN)  # still the first


def test_no_check_touches_the_global_random_state():
    _one_frozen_batch.cache_clear()
    torch.manual_seed(7)
    state = torch.get_rng_state()
    check_bn_buffers_changed(36)
    check_head_parameters(387, 512, 10)
    check_trainable_parameters(None, ("layer4", "fc"), show_answer=True)
    assert torch.equal(torch.get_rng_state(), state)


def test_the_measurement_does_not_depend_on_the_global_seed():
    _one_frozen_batch.cache_clear()
    torch.manual_seed(1)
    first = _one_frozen_batch()
    _one_frozen_batch.cache_clear()
    torch.manual_seed(2)
    assert _one_frozen_batch() == first


# ---------------------------------------------------------------- attempts per question, and the re-exports
def test_attempts_are_counted_per_question():
    assert check_head_parameters(5).message.endswith(TRY_AGAIN)
    assert check_head_parameters(5, classes=4).message.endswith(TRY_AGAIN)  # another head
    assert ", but " in check_head_parameters(5, np.int64(128), 3).message  # the same
    assert check_trainable_parameters(5).message.endswith(TRY_AGAIN)
    assert check_trainable_parameters(5, ("layer3", "fc")).message.endswith(TRY_AGAIN)  # other parts
    assert ", but " in check_trainable_parameters(5, ["fc", "layer4"]).message  # the same parts, another order
    assert check_bn_buffers_changed(5).message.endswith(TRY_AGAIN)
    assert ", but " in check_bn_buffers_changed(6).message


def test_the_checks_are_reexported_by_exercises():
    for check in (check_head_parameters, check_trainable_parameters, check_bn_buffers_changed):
        assert getattr(exercises, check.__name__) is check and check.__name__ in exercises.__all__
        assert f":func:`~{check.__module__}.{check.__name__}`" in exercises.__doc__  # linked where it is documented


# ---------------------------------------------------------------- bad calls by the chapter author
CHILDREN = "the children are conv1, bn1, relu, layer1, layer2, layer3, layer4, avgpool, fc"


@pytest.mark.parametrize("call, error, message", [
    (lambda: check_head_parameters(None, 0), ValueError, "in_features=0 is too small: give at least 1, e.g. "
     "in_features=128"),
    (lambda: check_head_parameters(None, 128.0), TypeError, "in_features must be a whole number, got 128.0"),
    (lambda: check_head_parameters(None, 128, "3"), TypeError, "classes must be a whole number, got '3': e.g. "
     "classes=3"),
    (lambda: check_head_parameters(None, 128, True), TypeError, "classes must be a whole number, got True"),
    (lambda: check_head_parameters(None, 128, -2), ValueError, "classes=-2 is too small: give at least 1"),
    (lambda: check_trainable_parameters(None, "fc"), TypeError, "unfrozen must be a sequence of child names, e.g. "
     "unfrozen=(\"layer4\", \"fc\"); got the string 'fc' (for one part write ('fc',))"),
    (lambda: check_trainable_parameters(None, ()), ValueError, "unfrozen=() is empty: name at least one part"),
    (lambda: check_trainable_parameters(None, ["head"]), ValueError, f"'head' is not a child of SmallResNet; "
     f"{CHILDREN}"),
    (lambda: check_trainable_parameters(None, ("layer4", "layer5")), ValueError, "'layer5' is not a child"),
    (lambda: check_trainable_parameters(None, ("layer4.0", "fc")), ValueError, "'layer4.0' is not a child"),
    (lambda: check_trainable_parameters(None, ("fc", 4)), TypeError, "unfrozen must be a sequence of child names "
     "(strings)"),
    (lambda: check_trainable_parameters(None, None), TypeError, "got None"),
    (lambda: check_trainable_parameters(None, ("fc", "fc")), ValueError, "unfrozen=('fc', 'fc') names a part twice"),
    (lambda: check_trainable_parameters(None, ("fc",), 0), ValueError, "classes=0 is too small: give at least 1"),
    (lambda: check_trainable_parameters(None, ("fc",), 3.0), TypeError, "classes must be a whole number, got 3.0"),
])  # fmt: skip
def test_bad_questions_get_clear_errors(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_bad_questions_raise_even_with_an_answer():
    with pytest.raises(ValueError, match="is not a child of SmallResNet"):
        check_trainable_parameters(230_531, ("layer5",))
    with pytest.raises(TypeError, match="in_features must be a whole number"):
        check_head_parameters(387, "128")
