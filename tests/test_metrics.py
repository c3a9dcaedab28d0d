import math

import pytest
import torch

from ainotes.metrics import confusion_matrix, most_confused, per_class_accuracy


def test_confusion_matrix_counts_every_pair():
    true = torch.tensor([0, 0, 1, 2, 2, 2])
    pred = torch.tensor([0, 1, 1, 2, 0, 2])
    cm = confusion_matrix(true, pred, 3)
    expected = torch.zeros(3, 3, dtype=torch.long)
    for t, p in zip(true.tolist(), pred.tolist()):
        expected[t, p] += 1
    assert torch.equal(cm, expected) and cm.sum() == 6


def test_per_class_accuracy_and_empty_class():
    acc = per_class_accuracy([0, 0, 1, 1], [0, 1, 1, 1], 3)
    assert acc[:2].tolist() == [0.5, 1.0] and math.isnan(acc[2])


def test_most_confused_orders_the_mistakes():
    cm = torch.tensor([[9, 3, 0], [1, 8, 5], [0, 0, 7]])
    assert most_confused(cm, ["a", "b", "c"], k=3) == [("b", "c", 5), ("a", "b", 3), ("b", "a", 1)]


def test_metric_errors():
    with pytest.raises(ValueError, match="3 true labels but 2"):
        confusion_matrix([0, 1, 1], [0, 1], 2)
    with pytest.raises(TypeError, match="argmax"):
        confusion_matrix(torch.tensor([0.0]), torch.tensor([0]), 2)
    with pytest.raises(ValueError, match=r"y_true run from 0 to 2, but there are 2 classes \(indices 0 to 1\)"):
        confusion_matrix([0, 2], [0, 1], 2)
    with pytest.raises(ValueError, match="1-D"):
        confusion_matrix(torch.zeros(2, 2, dtype=torch.long), torch.zeros(2, 2, dtype=torch.long), 2)
    with pytest.raises(ValueError, match="square"):
        most_confused(torch.zeros(2, 3), ["a", "b"])
