"""What :func:`ainotes.train.fit` records (:class:`History`) and what evaluation returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import NamedTuple


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass
class History:
    """What happened during :func:`fit`: one value per epoch, and learning rate per step.

    Accuracies are fractions in [0, 1]. ``valid_*`` lists are empty without validation data.
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)
    valid_acc: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    momentum: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.train_loss)

    def as_dict(self) -> dict[str, list[float]]:
        """The history as a plain dictionary (handy for ``pandas.DataFrame``)."""
        return asdict(self)

    def epoch_line(self, epoch: int, total: int | None = None) -> str:
        """One line summing up epoch ``epoch`` (0-based) of ``total`` (default: all recorded)."""
        total = self.epochs if total is None else total
        width = len(str(total))
        text = f"epoch {epoch + 1:>{width}}/{total} train loss {self.train_loss[epoch]:.3f} acc {self.train_acc[epoch]:.2%}"
        if self.valid_loss:
            text += f" | valid loss {self.valid_loss[epoch]:.3f} acc {self.valid_acc[epoch]:.2%}"
        return text + f" | {self.epoch_seconds[epoch]:.1f} s"

    def __str__(self) -> str:
        return "\n".join(self.epoch_line(e) for e in range(self.epochs))


class Evaluation(NamedTuple):
    """Mean loss and accuracy (fraction in [0, 1]) of a model on a data set."""

    loss: float
    accuracy: float
