"""Self-checks of chapter 5, training: the one-cycle learning rate at a step, and forward hooks left behind.

Like the checks in :mod:`ainotes.exercises`, each returns a :class:`~ainotes.feedback.Feedback`
and follows the attempts policy of :func:`~ainotes.feedback.judge`: a right answer shows the
working, the first wrong answer gets a hint (:func:`one_cycle_lr_hint` and :func:`hook_count_hint`
recognise the common mistakes by value), the second the worked answer, and ``show_answer=True``
gives it at once. The learning rates come from ``OneCycleLR`` itself, through
:func:`ainotes.train.one_cycle_curves`.
"""

from __future__ import annotations

import math

from torch import nn

from ainotes.arguments import _kind, choice, flag, module, real, whole
from ainotes.feedback import Feedback, judge, not_answered, question_key, read_answer, read_number
from ainotes.hints import _matching
from ainotes.train.one_cycle import one_cycle_curves

__all__ = ["GENERIC_HOOKS", "check_hook_count", "check_one_cycle_lr", "generic_one_cycle_hint", "hook_count_hint",
           "one_cycle_lr_hint"]  # fmt: skip

TOLERANCE = 0.02  # a learning rate within 2% of OneCycleLR's counts as right
#: Hint for a wrong number of forward hooks that matches no common mistake.
GENERIC_HOOKS = ("Count the forward hooks of every module: each `register_forward_hook` call adds one to the module it "
                 "is called on, and it stays until its handle's `remove()`; `model.modules()` goes through the model "
                 "and all its submodules.")  # fmt: skip


def _g(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}g}"


def _close(value: float, target: float) -> bool:
    return abs(value - target) <= TOLERANCE * abs(target)


# --------------------------------------------------------------------------------------------
# The one-cycle learning rate
# --------------------------------------------------------------------------------------------
def _schedule(max_lr: float, total_steps: int, pct_start: float, div_factor: float, final_div_factor: float,
              anneal_strategy: str) -> dict:  # fmt: skip
    """The curves for both annealing strategies (checking the settings) and the phases' numbers."""
    settings = dict(pct_start=pct_start, div_factor=div_factor, final_div_factor=final_div_factor)
    lr, _ = one_cycle_curves(max_lr, total_steps, anneal_strategy=anneal_strategy, **settings)
    other = "linear" if anneal_strategy == "cos" else "cos"
    other_lr, _ = one_cycle_curves(max_lr, total_steps, anneal_strategy=other, **settings)
    return dict(lr=lr, other=other, other_lr=other_lr, start=max_lr / div_factor, peak=float(max_lr),
                final=max_lr / (div_factor * final_div_factor), warm_end=float(pct_start * total_steps) - 1,
                last=int(total_steps) - 1)  # fmt: skip


def _step(step: int, s: dict) -> int:
    """``step`` if it is a step of the schedule ``s``: 0 (the first batch) to total_steps − 1."""
    step = whole(step, "step", example="step=100")
    if not 0 <= step <= s["last"]:
        raise ValueError(f"step={step} is not a step of this schedule: give 0 (the first batch) to total_steps − 1 = "
                         f"{s['last']}.")  # fmt: skip
    return step


def _curve(first: float, last: float, t: float, anneal_strategy: str) -> float:
    """From ``first`` at t = 0 to ``last`` at t = 1, as OneCycleLR goes (half a cosine, or a line)."""
    if anneal_strategy == "cos":
        return last + (first - last) * (1 + math.cos(math.pi * t)) / 2
    return first + (last - first) * t


def _working(step: int, s: dict, max_lr: float, total_steps: int, pct_start: float, div_factor: float,
             final_div_factor: float, anneal_strategy: str) -> str:  # fmt: skip
    warm_end, cos = s["warm_end"], anneal_strategy == "cos"
    shape = "along half a cosine" if cos else "along a straight line"
    if step <= warm_end:
        t = step / warm_end
        phase = (f"step {step} is in the warm-up, up to step {_g(warm_end)} (pct_start × total_steps − 1 = "
                 f"{pct_start:g} × {total_steps} − 1), where the learning rate rises {shape} from max_lr / div_factor "
                 f"= {max_lr:g} / {div_factor:g} = {_g(s['start'])} to max_lr = {max_lr:g}: t = {step} / {_g(warm_end)}"
                 f" = {t:.4f} of the warm-up is done")  # fmt: skip
        first, last = s["start"], s["peak"]
        formula = (f"{_g(first)} + ({_g(last)} − {_g(first)}) × (1 − cos(π × {t:.4f})) / 2" if cos
                   else f"{_g(first)} + ({_g(last)} − {_g(first)}) × {t:.4f}")  # fmt: skip
    else:
        t = (step - warm_end) / (s["last"] - warm_end)
        phase = (f"step {step} is in the annealing phase, from step {_g(warm_end)} (pct_start × total_steps − 1 = "
                 f"{pct_start:g} × {total_steps} − 1) to the last step, {s['last']}, where the learning rate falls "
                 f"{shape} from max_lr = {max_lr:g} to max_lr / (div_factor × final_div_factor) = {max_lr:g} / "
                 f"({div_factor:g} × {final_div_factor:g}) = {_g(s['final'])}: t = ({step} − {_g(warm_end)}) / "
                 f"({s['last']} − {_g(warm_end)}) = {t:.4f} of the annealing is done")  # fmt: skip
        first, last = s["peak"], s["final"]
        formula = (f"{_g(last)} + ({_g(first)} − {_g(last)}) × (1 + cos(π × {t:.4f})) / 2" if cos
                   else f"{_g(first)} − ({_g(first)} − {_g(last)}) × {t:.4f}")  # fmt: skip
    value = _curve(first, last, t, anneal_strategy)
    return (f"{phase}, so lr = {formula} = {_g(value, 3)}. OneCycleLR itself gives {_g(float(s['lr'][step]), 6)} "
            "(steps count from 0: step 0 is the first batch).")  # fmt: skip


def generic_one_cycle_hint(anneal_strategy: str = "cos") -> str:
    """How OneCycleLR's learning rate goes, without the numbers.

    Examples
    --------
    >>> from ainotes.training_checks import generic_one_cycle_hint
    >>> generic_one_cycle_hint()[:64]
    'OneCycleLR warms up from max_lr / div_factor to max_lr over the '
    """
    anneal_strategy = choice(anneal_strategy, "anneal_strategy", ("cos", "linear"))
    start = ("OneCycleLR warms up from max_lr / div_factor to max_lr over the first pct_start of the steps (up to step "
             "pct_start × total_steps − 1), then anneals down to max_lr / (div_factor × final_div_factor) at the last "
             "step. ")  # fmt: skip
    if anneal_strategy == "cos":
        return start + ("With \"cos\" both phases follow half a cosine: while annealing, lr = final + (peak − final) × "
                        "(1 + cos(π t)) / 2, where t is the fraction of the phase done. Steps count from 0.")  # fmt: skip
    return start + ("With \"linear\" both phases are straight lines: while annealing, lr = peak − (peak − final) × t, "
                    "where t is the fraction of the phase done. Steps count from 0.")  # fmt: skip


def one_cycle_lr_hint(value: float, step: int, *, max_lr: float, total_steps: int, pct_start: float = 0.3,
                      div_factor: float = 25.0, final_div_factor: float = 1e4, anneal_strategy: str = "cos") -> str:  # fmt: skip
    """The hint for a wrong one-cycle learning rate at ``step``, or "" if no common mistake gives it.

    Examples
    --------
    >>> from ainotes.training_checks import one_cycle_lr_hint
    >>> one_cycle_lr_hint(0.01, 500, max_lr=0.01, total_steps=860)[:55]
    'That is the peak learning rate, max_lr, which OneCycleL'
    """
    s = _schedule(max_lr, total_steps, pct_start, div_factor, final_div_factor, anneal_strategy)
    value, step = real(value, "value", example="0.004"), _step(step, s)
    expected, lr, warming = float(s["lr"][step]), s["lr"], step <= s["warm_end"]
    where = "it is still rising" if warming else "it is already falling"
    counting = "steps count from 0 (step 0 is the first batch) and the scheduler moves on after each batch."
    linear_warmup = warming and anneal_strategy == "cos"
    anneal_t = None if warming else _curve(s["peak"], s["final"], step / s["last"], anneal_strategy)
    candidates = [
        (s["peak"], f"That is the peak learning rate, max_lr, which OneCycleLR reaches only at the end of the warm-up "
         f"(step {_g(s['warm_end'])}); at step {step} {where}."),
        (s["start"], "That is the learning rate of step 0, max_lr / div_factor: " + (
            "the warm-up raises it towards max_lr from there." if warming else
            f"the warm-up raised it to max_lr, and step {step} is in the annealing phase after it.")),
        (s["final"], f"That is the final learning rate, max_lr / (div_factor × final_div_factor), reached only at the "
         f"last step, {s['last']}."),
        (float(s["other_lr"][step]), "That is a straight-line warm-up: OneCycleLR's warm-up follows half a cosine too "
         '(anneal_strategy="cos" shapes both phases).' if linear_warmup else
         f'That is the value with anneal_strategy="{s["other"]}"; this schedule\'s is "{anneal_strategy}".'),
        (float(lr[step + 1]) if step < s["last"] else None, f"That is the learning rate of step {step + 1}: {counting}"),
        (float(lr[step - 1]) if step > 0 else None, f"That is the learning rate of step {step - 1}: {counting}"),
        (anneal_t, f"t is the fraction of the annealing phase done, counted from the end of the warm-up (step "
         f"{_g(s['warm_end'])}) to the last step, not the fraction of all the steps."),
        (expected / max_lr, f"That is the learning rate as a fraction of max_lr: multiply by max_lr = {max_lr:g}."),
        (100 * expected / max_lr, "That looks like the learning rate as a percentage of max_lr: give the learning "
         "rate itself."),
        (100 * expected, "Give the learning rate itself, not a percentage."),
    ]  # fmt: skip
    for guess, hint in candidates:
        if guess is not None and not _close(guess, expected) and _close(value, guess):
            return hint
    if value <= 0:
        return "A learning rate is always positive: OneCycleLR's lowest is the final one, max_lr / (div_factor × final_div_factor)."
    return ""


def check_one_cycle_lr(answer: float | str | None, step: int, *, max_lr: float, total_steps: int,
                       pct_start: float = 0.3, div_factor: float = 25.0, final_div_factor: float = 1e4,
                       anneal_strategy: str = "cos", show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check the learning rate ``OneCycleLR`` uses at optimiser step ``step`` (0-based), worked out by hand.

    The expected value is read from the scheduler itself (:func:`~ainotes.train.one_cycle_curves`);
    an answer within 2% of it counts as right. ``answer`` may be a number (also a NumPy number or a
    one-element tensor) or a string such as ``"0.004"`` or ``"4e-3"``.

    Parameters
    ----------
    answer : float, str or None
        The reader's learning rate; ``None`` before the reader has answered.
    step : int
        The optimiser step, from 0 (the first batch) to ``total_steps - 1``.
    max_lr, total_steps, pct_start, div_factor, final_div_factor, anneal_strategy
        The schedule, as given to ``OneCycleLR`` (see :func:`~ainotes.train.one_cycle_curves`).
    show_answer : bool, default False
        Give the worked answer at once.

    Returns
    -------
    Feedback
        The verdict, with the working or a hint.

    Examples
    --------
    >>> from ainotes.training_checks import check_one_cycle_lr
    >>> check_one_cycle_lr(0.01, 257, max_lr=0.01, total_steps=860).correct
    True
    >>> check_one_cycle_lr("0.0036", 100, max_lr=0.01, total_steps=860)
    ✓ Right. Step 100 is in the warm-up, up to step 257 (pct_start × total_steps − 1 = 0.3 × 860 − 1), where the learning rate rises along half a cosine from max_lr / div_factor = 0.01 / 25 = 0.0004 to max_lr = 0.01: t = 100 / 257 = 0.3891 of the warm-up is done, so lr = 0.0004 + (0.01 − 0.0004) × (1 − cos(π × 0.3891)) / 2 = 0.00356. OneCycleLR itself gives 0.00356137 (steps count from 0: step 0 is the first batch).
    """
    show_answer = flag(show_answer, "show_answer")
    s = _schedule(max_lr, total_steps, pct_start, div_factor, final_div_factor, anneal_strategy)
    step = _step(step, s)
    settings = dict(max_lr=float(max_lr), total_steps=int(total_steps), pct_start=float(pct_start),
                    div_factor=float(div_factor), final_div_factor=float(final_div_factor),
                    anneal_strategy=anneal_strategy)  # fmt: skip
    working = _working(step, s, **settings)
    value = read_number(answer, "A learning rate", '0.004, 4e-3 or "0.004"')
    if isinstance(value, Feedback):
        return value
    if value is None:
        return not_answered(show_answer, working)
    expected = float(s["lr"][step])
    correct = _close(value, expected)
    hint = "" if correct else one_cycle_lr_hint(value, step, **settings)
    return judge("check_one_cycle_lr", question_key(step, tuple(settings.values())), correct=correct, given=_g(value, 6),
                 right=working[0].upper() + working[1:], worked=working, hint=hint,
                 generic_hint=generic_one_cycle_hint(anneal_strategy), show_answer=show_answer)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Forward hooks
# --------------------------------------------------------------------------------------------
def _hooks(model: nn.Module) -> list[tuple[str, nn.Module, int]]:
    """(name, module, forward hooks) for the model and each submodule, in ``named_modules`` order."""
    return [(name or "the model itself", module, len(module._forward_hooks)) for name, module in model.named_modules()]


def hook_count_hint(value: int, model: nn.Module) -> str:
    """The hint for a wrong count of ``model``'s forward hooks, or "" if no common mistake gives it.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.training_checks import hook_count_hint
    >>> model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    >>> handles = [model[0].register_forward_hook(lambda m, i, o: None) for _ in range(2)]
    >>> hook_count_hint(1, model)[:40]
    'Hooks pile up: each `register_forward_ho'
    """
    value, model = whole(value, "value"), module(model, "model", example="simple_cnn()")
    hooks = _hooks(model)
    expected = sum(n for *_, n in hooks)
    candidates = [
        (sum(n > 0 for *_, n in hooks), "Hooks pile up: each `register_forward_hook` call adds one more, even on a "
         "module that already has one (running a cell again registers its hooks again). Count the hooks, not the "
         "modules that have some."),
        (0, "Hooks stay registered until their handle's `remove()` is called: running the model, or registering "
         "others, does not take them away."),
        (len(model._forward_hooks), "That counts the hooks on the model itself only: count those of every submodule "
         "too (`model.modules()` goes through them all)."),
        (expected + sum(len(m._forward_pre_hooks) for _, m, _ in hooks), "Count the forward hooks only "
         "(`register_forward_hook`), not the forward pre-hooks (`register_forward_pre_hook`)."),
        (len(hooks), "That is the number of modules (the model and all its submodules), not of hooks."),
    ]  # fmt: skip
    return _matching(value, expected, candidates)


def check_hook_count(answer: int | str | None, model: nn.Module, *, show_answer: bool = False) -> Feedback:
    """Check the number of forward hooks now registered on ``model`` and all its submodules.

    That is ``sum(len(m._forward_hooks) for m in model.modules())``: every
    ``register_forward_hook`` call adds one, even on a module that already has one, until its
    handle's ``remove()``. Global hooks (``torch.nn.modules.module.register_module_forward_hook``)
    and forward pre-hooks are not counted.

    Parameters
    ----------
    answer : int, str or None
        The reader's count; ``None`` before the reader has answered.
    model : nn.Module
        The model, with its hooks as they are now.
    show_answer : bool, default False
        Give the worked answer at once.

    Returns
    -------
    Feedback
        The verdict, with the hooks of each module or a hint.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.training_checks import check_hook_count
    >>> model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())
    >>> handles = [model[0].register_forward_hook(lambda m, i, o: None) for _ in range(2)]
    >>> check_hook_count(2, model)
    ✓ Right. The forward hooks per module are: 0 (Conv2d) 2; in all 2. Each `register_forward_hook` call adds one hook, even on a module that already has one, and each stays until its handle's `remove()`.
    """
    if isinstance(model, type):
        module(model, "model", example="simple_cnn()")  # raises: a class, not a model
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module (the model whose hooks to count), got {_kind(model)}.")
    hooks = _hooks(model)
    hooked = [(name, module, n) for name, module, n in hooks if n]
    expected = sum(n for *_, n in hooked)
    rule = ("Each `register_forward_hook` call adds one hook, even on a module that already has one, and each stays "
            "until its handle's `remove()`.")  # fmt: skip
    if hooked:
        per_module = ", ".join(f"{name} ({type(module).__name__}) {n}" for name, module, n in hooked)
        total = " + ".join(str(n) for *_, n in hooked) + f" = {expected}" if len(hooked) > 1 else str(expected)
        working = f"the forward hooks per module are: {per_module}; in all {total}. {rule}"
    else:
        working = f"no module of the model has a forward hook now: in all 0. {rule}"
    value = read_answer(answer, "A number of hooks", show_answer)
    if isinstance(value, Feedback):
        return value
    if value is None:
        return not_answered(True, working)
    hint = hook_count_hint(value, model) if value != expected else ""
    question = question_key(model, tuple(n for *_, n in hooks))
    return judge("check_hook_count", question, correct=value == expected, given=f"{value:,}",
                 right=working[0].upper() + working[1:],
                 worked=working, hint=hint, generic_hint=GENERIC_HOOKS, show_answer=show_answer)  # fmt: skip
