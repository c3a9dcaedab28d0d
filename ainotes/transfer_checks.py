"""Self-checks of chapter 7, transfer learning: a new head, what freezing leaves trainable, and batch norm.

Like the checks in :mod:`ainotes.exercises`, each returns a :class:`~ainotes.feedback.Feedback`
and follows the attempts policy of :func:`~ainotes.feedback.judge`: a right answer shows the
working, the first wrong answer gets a hint (the common mistakes are recognised by value), the
second the worked answer, and ``show_answer=True`` gives it at once. The expected counts come from
real PyTorch objects: an ``nn.Linear``, and :class:`~ainotes.models.resnet.SmallResNet` frozen or run.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from ainotes.arguments import flag, whole
from ainotes.feedback import Feedback, judge, not_answered, question_key, read_answer
from ainotes.hints import _matching
from ainotes.models.resnet import SOURCE_CLASSES, SmallResNet

__all__ = ["check_bn_buffers_changed", "check_head_parameters", "check_trainable_parameters"]


def _numel(parameters: Any) -> int:
    return sum(p.numel() for p in parameters)


def _read(answer: Any, what: str, show_answer: bool, working: str) -> int | Feedback:
    """The reader's whole number, or the Feedback to give instead: not a number, no answer, or the worked answer."""
    value = read_answer(answer, what, show_answer)
    return not_answered(True, working) if value is None else value


def _verdict(check: str, question: str, value: int, expected: int, working: str, hint: str, generic: str,
             show_answer: bool) -> Feedback:  # fmt: skip
    return judge(check, question, correct=value == expected, given=f"{value:,}", right=working[0].upper() + working[1:],
                 worked=working, hint=hint, generic_hint=generic, show_answer=show_answer)  # fmt: skip


# --------------------------------------------------------------------------------------------
# The parameters of a new head
# --------------------------------------------------------------------------------------------
def check_head_parameters(answer: int | str | None, in_features: int = 128, classes: int = 3, *,
                          show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check the learnable parameters of a new head, ``nn.Linear(in_features, classes)``.

    The expected count is that of a real ``nn.Linear``: ``in_features × classes`` weights and
    ``classes`` biases. ``answer`` is an int or a string such as ``"387"`` or ``"1,539"``.

    Parameters
    ----------
    answer : int, str or None
        The reader's count; ``None`` before the reader has answered.
    in_features : int, default 128
        The features the backbone gives the head (SmallResNet's ``model.fc.in_features``), at least 1.
    classes : int, default 3
        The classes of the new task, at least 1.
    show_answer : bool, default False
        Give the worked answer at once.

    Returns
    -------
    Feedback
        The verdict, with the working or a hint.

    Examples
    --------
    >>> from ainotes.transfer_checks import check_head_parameters
    >>> check_head_parameters(387)
    ✓ Right. `nn.Linear(128, 3)` has 128 × 3 = 384 weights + 3 biases = 387 parameters: a weight for each (input, output) pair and a bias for each output, one output per class of the new task.
    """
    show_answer = flag(show_answer, "show_answer")
    n_in = whole(in_features, "in_features", least=1, example="in_features=128")
    c = whole(classes, "classes", least=1, example="classes=3")
    with torch.random.fork_rng(devices=[]):  # initialising the layer draws random numbers: not the reader's
        head = nn.Linear(n_in, c)
    expected = _numel(head.parameters())
    working = (f"`nn.Linear({n_in}, {c})` has {n_in:,} × {c:,} = {head.weight.numel():,} weights + "
               f"{head.bias.numel():,} biases = {expected:,} parameters: a weight for each (input, output) pair and "
               "a bias for each output, one output per class of the new task.")  # fmt: skip
    value = _read(answer, "A parameter count", show_answer, working)
    if isinstance(value, Feedback):
        return value
    new = f"The new head needs one output per class of the new task ({c} here), whatever the pretrained head had"
    candidates = [
        (n_in * c, "Each output of a linear layer has a bias too: `nn.Linear` adds one per output."),
        (n_in * c + n_in, "The biases belong to the outputs, not to the inputs: one per output, that is per class."),
        (n_in * SOURCE_CLASSES + SOURCE_CLASSES, f"That is a head for the {SOURCE_CLASSES} classes of the source "
         f"task. {new}."),
        (n_in * 1000 + 1000, f"That is a head for ImageNet's 1,000 classes. {new}."),
        (n_in + c, "A linear layer connects every input to every output: the weights multiply, they do not add."),
    ]  # fmt: skip
    generic = ("Count the weights (one per input and output pair) and the biases (one per output) of the new "
               "`nn.Linear`, with one output per class of the new task.")  # fmt: skip
    hint = _matching(value, expected, candidates)
    return _verdict("check_head_parameters", question_key(n_in, c), value, expected, working, hint, generic,
                    show_answer)  # fmt: skip


# --------------------------------------------------------------------------------------------
# What freezing leaves trainable
# --------------------------------------------------------------------------------------------
def _unfrozen(value: Any, valid: list[str]) -> tuple[str, ...]:
    """The chapter author's ``unfrozen``, in the model's order; a TypeError or ValueError that says how to give it."""
    example = 'e.g. unfrozen=("layer4", "fc")'
    if isinstance(value, str):
        raise TypeError(f"unfrozen must be a sequence of child names, {example}; got the string {value!r} "
                        f"(for one part write ({value!r},)).")  # fmt: skip
    if not isinstance(value, Sequence) or not all(isinstance(name, str) for name in value):
        raise TypeError(f"unfrozen must be a sequence of child names (strings), {example}; got {value!r}.")
    if not value:
        raise ValueError(f"unfrozen={value!r} is empty: name at least one part to unfreeze, {example}.")
    unknown = [name for name in value if name not in valid]
    if unknown:
        raise ValueError(f"unfrozen={value!r}: {', '.join(map(repr, unknown))} is not a child of SmallResNet; "
                         f"the children are {', '.join(valid)} ({example}).")  # fmt: skip
    if len(set(value)) < len(value):
        raise ValueError(f"unfrozen={value!r} names a part twice: name each once, {example}.")
    return tuple(name for name in valid if name in value)


def _breakdown(name: str, part: nn.Module) -> str:
    """``name: count (piece count, ...)``: a part's parameters, by submodule (the block's when it holds one)."""
    groups: dict[str, int] = {}
    single = isinstance(part, nn.Sequential) and len(part) == 1
    for path, p in part.named_parameters():
        pieces = path.split(".")[1:] if single else path.split(".")
        groups[pieces[0]] = groups.get(pieces[0], 0) + p.numel()
    pieces = f" ({', '.join(f'{key} {n:,}' for key, n in groups.items())})" if len(groups) > 1 else ""
    return f"{name}: {_numel(part.parameters()):,}{pieces}"


def check_trainable_parameters(answer: int | str | None, unfrozen: Sequence[str] = ("layer4", "fc"), classes: int = 3,
                               *, show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check how many parameters are trainable after freezing SmallResNet and unfreezing ``unfrozen``.

    The question's code is ``model = SmallResNet(classes)``, ``model.requires_grad_(False)``, then
    ``getattr(model, name).requires_grad_(True)`` for each name in ``unfrozen``. The expected count
    is that of the parameters with ``requires_grad`` once this is done to a real model. ``answer``
    is an int or a string such as ``"230,531"``.

    Parameters
    ----------
    answer : int, str or None
        The reader's count; ``None`` before the reader has answered.
    unfrozen : sequence of str, default ("layer4", "fc")
        Children of SmallResNet to unfreeze: ``conv1``, ``bn1``, ``relu``, ``layer1`` to ``layer4``,
        ``avgpool`` or ``fc``; at least one, each once.
    classes : int, default 3
        The classes of the new task (the outputs of ``fc``), at least 1.
    show_answer : bool, default False
        Give the worked answer at once.

    Returns
    -------
    Feedback
        The verdict, with the count of each unfrozen part or a hint.

    Examples
    --------
    >>> from ainotes.transfer_checks import check_trainable_parameters
    >>> check_trainable_parameters("387", unfrozen=("fc",))
    ✓ Right. Only the unfrozen parts train: fc: 387 (weight 384, bias 3) = 387 trainable parameters, of the model's 307,923; the other 307,536 stay frozen. `requires_grad_(True)` unfreezes every parameter of a part, its batch norms' weights and biases and any 1×1 `downsample` shortcut included.
    """
    c, show_answer = whole(classes, "classes", least=1, example="classes=3"), flag(show_answer, "show_answer")
    with torch.random.fork_rng(devices=[]):  # the reader's random state untouched
        model = SmallResNet(c)
    names = _unfrozen(unfrozen, [name for name, _ in model.named_children()])
    model.requires_grad_(False)
    for name in names:
        getattr(model, name).requires_grad_(True)
    expected, total = _numel(p for p in model.parameters() if p.requires_grad), _numel(model.parameters())
    parts = {name: getattr(model, name) for name in names}
    counts = {name: _numel(part.parameters()) for name, part in parts.items()}
    working = (f"only the unfrozen parts train: {' + '.join(_breakdown(n, part) for n, part in parts.items())} = "
               f"{expected:,} trainable parameters, of the model's {total:,}; the other {total - expected:,} stay "
               "frozen. `requires_grad_(True)` unfreezes every parameter of a part, its batch norms' weights and "
               "biases and any 1×1 `downsample` shortcut included.")  # fmt: skip
    value = _read(answer, "A parameter count", show_answer, working)
    if isinstance(value, Feedback):
        return value
    modules = [(f"{n}.{path}", m) for n, part in parts.items() for path, m in part.named_modules()]
    own = [(path, isinstance(m, nn.BatchNorm2d), _numel(m.parameters(recurse=False))) for path, m in modules]
    norm = sum(n for _, bn, n in own if bn)
    down = sum(n for path, _, n in own if ".downsample" in path)
    bare = sum(n for path, bn, n in own if not bn and ".downsample" not in path)
    where = sorted({path.split(".")[0] for path, _, _ in own if ".downsample" in path})
    norm_hint = ("Batch norm layers learn too: each `BatchNorm2d` of an unfrozen part has a weight (gamma) and a bias "
                 "(beta) per channel, and `requires_grad_(True)` unfroze them with the convolutions.")  # fmt: skip
    down_hint = (f"The residual block{'s' * (len(where) > 1)} of {' and '.join(where)} "
                 f"ha{'ve shortcuts' if len(where) > 1 else 's a shortcut'} with parameters: changing the size and the "
                 "channels, a block's shortcut is `downsample`, a 1×1 convolution with its own batch norm, unfrozen "
                 "with the rest of the layer.")  # fmt: skip
    candidates = [
        (total, "That is every parameter of the model: `model.requires_grad_(False)` froze them all first, and only "
         "the parts named got `requires_grad_(True)` back. Count the parameters whose `requires_grad` is True."),
        (expected - norm, norm_hint),
        (expected - down if where else None, down_hint),
        (bare if where else None, f"{norm_hint} {down_hint}"),
        (total - expected, "That is the frozen part's count: count the parameters that still have "
         "`requires_grad=True`, those of the parts unfrozen."),
        (None if "fc" in names else expected + _numel(model.fc.parameters()), "The head `fc` is frozen here too: "
         "`model.requires_grad_(False)` froze the whole model, and only the parts named were unfrozen."),
    ]  # fmt: skip
    learned = [name for name in names if counts[name]]
    alone = [(counts[n], f"That is {n}'s count alone: {' and '.join(m for m in learned if m != n)} "
              f"{'is' if len(learned) == 2 else 'are'} unfrozen too.") for n in learned]  # fmt: skip
    missing = [(expected - counts[n], f"Count every unfrozen part: {n} is trainable too.") for n in learned]
    candidates += alone + missing if len(learned) > 1 else []
    generic = ("Go part by part: only the parts named in `unfrozen` have `requires_grad=True` again; add up the "
               "`numel()` of all their parameters, batch norms and shortcuts included.")  # fmt: skip
    hint = _matching(value, expected, candidates)
    return _verdict("check_trainable_parameters", question_key(names, c), value, expected, working, hint, generic,
                    show_answer)  # fmt: skip


# --------------------------------------------------------------------------------------------
# What one training-mode batch changes in a frozen model
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _one_frozen_batch() -> dict[str, Any]:
    """Freeze a SmallResNet, run one training-mode batch under no_grad, and say what changed in its state_dict."""
    with torch.random.fork_rng(devices=[]):  # seeded here, the reader's random state untouched
        torch.manual_seed(0)
        model = SmallResNet().requires_grad_(False)
        before = {key: t.clone() for key, t in model.state_dict().items()}
        model.train()
        with torch.no_grad():
            model(torch.rand(8, 3, 32, 32))
    changed = [key for key, t in model.state_dict().items() if not torch.equal(t, before[key])]
    norms = [name for name, m in model.named_modules() if isinstance(m, nn.BatchNorm2d)]
    return dict(changed=len(changed), tensors=len(before), parameters=len(list(model.parameters())), norms=norms,
                buffers=tuple(dict.fromkeys(key.rsplit(".", 1)[1] for key in changed)),
                counter=sum(key.endswith(".num_batches_tracked") for key in changed))  # fmt: skip


def check_bn_buffers_changed(answer: int | str | None, *, show_answer: bool = False) -> Feedback:
    """Check how many tensors of a frozen SmallResNet's ``state_dict()`` one training-mode batch changes.

    The question's code: ``model.requires_grad_(False)``, ``model.train()``, then one forward pass
    of a batch of random images under ``torch.no_grad()``. The expected count is measured: the
    check does just that (seeded, without touching the global random state) and compares the
    ``state_dict()`` before and after. ``answer`` is an int or a string such as ``"36"``.

    Parameters
    ----------
    answer : int, str or None
        The reader's count; ``None`` before the reader has answered.
    show_answer : bool, default False
        Give the worked answer at once.

    Returns
    -------
    Feedback
        The verdict, with the working or a hint.

    Examples
    --------
    >>> from ainotes.transfer_checks import check_bn_buffers_changed
    >>> check_bn_buffers_changed("36")
    ✓ Right. SmallResNet has 12 BatchNorm2d layers (1 in the stem, 8 in the residual blocks, 3 in the downsample shortcuts). In training mode every forward pass updates 3 buffers of each (running_mean, running_var and num_batches_tracked), so 12 × 3 = 36 of the state_dict's 74 tensors change. The 38 parameter tensors do not: freezing and `torch.no_grad()` stop gradients (and no optimiser step runs), not the running statistics batch norm keeps in training mode. To keep a frozen backbone's statistics, put it in eval mode: `model.eval()`, or `.eval()` on the frozen parts after `model.train()`.
    """
    show_answer = flag(show_answer, "show_answer")
    run = _one_frozen_batch()
    norms, changed, buffers = run["norms"], run["changed"], run["buffers"]
    stem = sum("." not in name for name in norms)
    shortcut = sum(".downsample." in name for name in norms)
    listed = f"{', '.join(buffers[:-1])} and {buffers[-1]}" if len(buffers) > 1 else buffers[0]
    working = (f"SmallResNet has {len(norms)} BatchNorm2d layers ({stem} in the stem, {len(norms) - stem - shortcut} "
               f"in the residual blocks, {shortcut} in the downsample shortcuts). In training mode every forward pass "
               f"updates {len(buffers)} buffers of each ({listed}), so {len(norms)} × {len(buffers)} = {changed} of "
               f"the state_dict's {run['tensors']} tensors change. The {run['parameters']} parameter "
               "tensors do not: freezing and `torch.no_grad()` stop gradients (and no optimiser step runs), not the "
               "running statistics batch norm keeps in training mode. To keep a frozen backbone's statistics, put it "
               "in eval mode: `model.eval()`, or `.eval()` on the frozen parts after `model.train()`.")  # fmt: skip
    value = _read(answer, "A number of tensors", show_answer, working)
    if isinstance(value, Feedback):
        return value
    candidates = [
        (0, "Freezing (`requires_grad_(False)`) and `torch.no_grad()` stop gradients, not batch norm: in training "
         "mode each forward pass updates its running statistics, frozen or not. Only `model.eval()` stops that."),
        (changed - run["counter"], "Besides `running_mean` and `running_var`, each batch-norm layer counts the "
         "training batches it has seen in `num_batches_tracked`, a buffer of the state_dict too."),
        (len(norms), f"Count tensors, not layers: each batch-norm layer keeps {len(buffers)} buffers in the "
         "state_dict, and a training-mode batch updates them all."),
        (len(buffers), "That is the buffers of one batch-norm layer: every `BatchNorm2d` of the model, those of the "
         "shortcuts included, updates its own."),
        (run["parameters"], "That is the number of parameter tensors. Frozen, with no gradient and no optimiser step, "
         "none of them changes: what changes are buffers (`model.named_buffers()` lists them)."),
        (run["tensors"], "Not every tensor of the state_dict changes: the parameters are frozen and no optimiser step "
         "runs; only some buffers change."),
    ]  # fmt: skip
    generic = ("Go through `model.state_dict()`: which of its tensors does a training-mode forward pass update, even "
               "with every parameter frozen and under `torch.no_grad()`?")  # fmt: skip
    hint = _matching(value, changed, candidates)
    return _verdict("check_bn_buffers_changed", question_key(), value, changed, working, hint, generic, show_answer)
