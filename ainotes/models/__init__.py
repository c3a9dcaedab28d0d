"""The book's small pretrained network, with torchvision's model-building API.

::

    from ainotes.models import small_resnet, SmallResNetWeights

    weights = SmallResNetWeights.DEFAULT  # like torchvision's ResNet18_Weights.DEFAULT
    model = small_resnet(weights=weights)  # like resnet18(weights=weights)
    preprocess = weights.transforms()  # scaling and normalisation the weights expect
    weights.meta["categories"]  # the 7 classes of the source task

The checkpoint ships inside the package (no download); ``scripts/pretrain_small_resnet.py``
made it. Importing this package reads no file.
"""

from __future__ import annotations

from ainotes.arguments import whole
from ainotes.models.resnet import SOURCE_CLASSES, BasicBlock, SmallResNet
from ainotes.models.weights import CheckpointError, Preprocess, SmallResNetWeights, checkpoint_folder, load_checkpoint

__all__ = [
    "BasicBlock",
    "CheckpointError",
    "Preprocess",
    "SmallResNet",
    "SmallResNetWeights",
    "checkpoint_folder",
    "load_checkpoint",
    "small_resnet",
]


def small_resnet(*, weights: SmallResNetWeights | str | None = None, num_classes: int | None = None) -> SmallResNet:
    """Build a :class:`SmallResNet`, randomly initialised or with pretrained weights.

    Parameters
    ----------
    weights : SmallResNetWeights, str or None
        ``None`` for a random initialisation; ``SmallResNetWeights.CIFAR7_V1`` (or ``"DEFAULT"``)
        for the book's pretrained weights, checked and loaded from the package.
    num_classes : int, optional
        Outputs of the last layer, ``fc``. With weights it must be the number of their categories
        (7): replace ``model.fc`` afterwards for another task. Without weights, default 7.

    Returns
    -------
    SmallResNet

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.models import small_resnet
    >>> model = small_resnet(weights="DEFAULT")
    >>> model.fc
    Linear(in_features=128, out_features=7, bias=True)
    >>> model.fc = nn.Linear(model.fc.in_features, 3)  # a new head for 3 classes
    >>> small_resnet(num_classes=3).fc.out_features
    3
    """
    weights = SmallResNetWeights.resolve(weights)
    if weights is None:
        return SmallResNet(SOURCE_CLASSES if num_classes is None else num_classes)
    categories = len(weights.meta["categories"])
    if num_classes is not None and whole(num_classes, "num_classes", least=1) != categories:
        raise ValueError(
            f"The {weights.name} weights have a head for {categories} classes, so num_classes must be {categories} "
            f"(or left out), not {num_classes}. For another task, load them and then replace the head: "
            f"model.fc = nn.Linear(model.fc.in_features, {num_classes})."
        )
    model = SmallResNet(categories)
    model.load_state_dict(weights.get_state_dict())
    return model
