"""The training loop the chapters stop writing by hand once they have taught it.

``fit`` does what a careful hand-written loop does (``train()``/``eval()`` switching, zeroing
gradients, validation under ``torch.no_grad``), plus the bookkeeping a reader wants to see:
losses, accuracies and learning rates per epoch and per step, and a progress bar.

Data can be given three ways:

* a pair of tensors ``(images, labels)`` or a ``TensorDataset`` of two tensors: the fast path.
  The tensors are moved to the device once and batches are cut by indexing, with no per-sample
  Python work;
* any map-style ``Dataset`` (a torchvision dataset with a transform, say): wrapped in a
  ``DataLoader``;
* a ``DataLoader``: used as it is.
"""

from __future__ import annotations

from ainotes.model_summary import readable_units, summary
from ainotes.train.basics import count_parameters, seed_everything
from ainotes.train.history import Evaluation, History
from ainotes.train.loop import NonFiniteLossError, evaluate, fit, predict
from ainotes.train.lr_range import LRRangeResult, lr_range_test, plot_lr_range
from ainotes.train.one_cycle import one_cycle_curves

__all__ = [
    "Evaluation",
    "History",
    "LRRangeResult",
    "NonFiniteLossError",
    "count_parameters",
    "evaluate",
    "fit",
    "lr_range_test",
    "one_cycle_curves",
    "plot_lr_range",
    "predict",
    "readable_units",
    "seed_everything",
    "summary",
]
