import pytest
import torch

from ainotes.device import DEVICE_ENV, get_device


def test_cpu_by_name_prints_one_line(capsys):
    assert get_device("cpu") == torch.device("cpu")
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("Using cpu")


def test_auto_falls_back_to_cpu_without_gpus(monkeypatch, capsys):
    monkeypatch.delenv(DEVICE_ENV, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr("ainotes.device._mps_available", lambda: False)
    assert get_device() == torch.device("cpu")
    assert "no CUDA or Apple GPU found" in capsys.readouterr().out


def test_auto_prefers_cuda(monkeypatch):
    monkeypatch.delenv(DEVICE_ENV, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device(verbose=False) == torch.device("cuda")


def test_environment_variable_forces_a_device(monkeypatch, capsys):
    monkeypatch.setenv(DEVICE_ENV, "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device() == torch.device("cpu")
    assert DEVICE_ENV in capsys.readouterr().out


@pytest.mark.parametrize("name", ["gpu", "tpu", "cuda:x", ""])
def test_unknown_name_is_a_clear_value_error(name):
    with pytest.raises(ValueError, match="device name"):
        get_device(name, verbose=False)


def test_unknown_name_from_environment_mentions_the_variable(monkeypatch):
    monkeypatch.setenv(DEVICE_ENV, "gpu")
    with pytest.raises(ValueError, match=DEVICE_ENV):
        get_device(verbose=False)


def test_unavailable_cuda_says_what_to_do(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="Change runtime type"):
        get_device("cuda", verbose=False)


def test_unavailable_mps(monkeypatch):
    monkeypatch.setattr("ainotes.device._mps_available", lambda: False)
    with pytest.raises(RuntimeError, match="Metal"):
        get_device("mps", verbose=False)


def test_cuda_index_out_of_range(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(RuntimeError, match="only 1"):
        get_device("cuda:3", verbose=False)
