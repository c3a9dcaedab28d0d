"""What :func:`ainotes.train.fit` records (:class:`History`) and what evaluation returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import NamedTuple

from ainotes.arguments import whole

__all__ = ["Evaluation", "History"]


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass
class History:
    """What happened during :func:`~ainotes.train.fit`: one value per epoch, and learning rate per step.

    Accuracies are fractions in [0, 1]. ``valid_*`` lists are empty without validation data.

    Examples
    --------
    >>> from ainotes.train import History
    >>> history = History(
    ...     train_loss=[0.92, 0.51], train_acc=[0.69, 0.83], epoch_seconds=[3.1, 2.9]
    ... )
    >>> history.epochs
    2
    >>> print(history)
    epoch 1/2 train loss 0.920 acc 69.00% | 3.1 s
    epoch 2/2 train loss 0.510 acc 83.00% | 2.9 s
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)
    valid_acc: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    momentum: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__"):
                raise TypeError(f"{f.name} must be a list of numbers (one per epoch, or per step for lr and momentum), "
                                f"got {value!r} ({type(value).__name__}): e.g. {f.name}=[0.9, 0.5].")  # fmt: skip

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.train_loss)

    def as_dict(self) -> dict[str, list[float]]:
        """The history as a plain dictionary (handy for ``pandas.DataFrame``)."""
        return asdict(self)

    def epoch_line(self, epoch: int, total: int | None = None) -> str:
        """One line summing up epoch ``epoch`` (0-based) of ``total`` (default: all recorded)."""
        if not self.epochs:
            raise ValueError("This History has no epochs recorded (train_loss is empty): there is no line to show.")
        epoch = whole(epoch, "epoch", least=0, most=self.epochs - 1, example="epoch=0 for the first (0-based)")
        total = self.epochs if total is None else whole(total, "total", least=epoch + 1, example=f"total={self.epochs}")
        for name in ("train_acc", "epoch_seconds") + (("valid_acc",) if self.valid_loss else ()):
            if len(getattr(self, name)) <= epoch:
                raise ValueError(f"This History has {self.epochs} train_loss values but {len(getattr(self, name))} "
                                 f"{name}: record one per epoch in each.")  # fmt: skip
        if self.valid_loss and len(self.valid_loss) <= epoch:
            raise ValueError(f"This History has {self.epochs} train_loss values but {len(self.valid_loss)} valid_loss: "
                             "record one per epoch in each.")  # fmt: skip
        width = len(str(total))
        text = f"epoch {epoch + 1:>{width}}/{total} train loss {self.train_loss[epoch]:.3f} acc {self.train_acc[epoch]:.2%}"
        if self.valid_loss:
            text += f" | valid loss {self.valid_loss[epoch]:.3f} acc {self.valid_acc[epoch]:.2%}"
        return text + f" | {self.epoch_seconds[epoch]:.1f} s"

    def __str__(self) -> str:
        return "\n".join(self.epoch_line(e) for e in range(self.epochs))


class Evaluation(NamedTuple):
    """Mean loss and accuracy (fraction in [0, 1]) of a model on a data set.

    Examples
    --------
    >>> from ainotes.train import Evaluation
    >>> loss, accuracy = result = Evaluation(loss=0.35, accuracy=0.875)
    >>> result.accuracy, f"{accuracy:.1%}"
    (0.875, '87.5%')
    """

    loss: float
    accuracy: float
