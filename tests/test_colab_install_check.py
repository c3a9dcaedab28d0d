"""The CI check that installing ainotes over Colab's packages changes none of them (.ci/check_install_report.py)."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("check_install_report", ROOT / ".ci" / "check_install_report.py")
check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check)

AINOTES = {"name": "ainotes", "version": "0.1.0",
           "requires_dist": ["torch>=2.2", "torchinfo>=1.8", "ipywidgets>=7.7", "pytest>=8; extra == \"test\""]}  # fmt: skip


def run(tmp_path, installs):
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"install": [{"metadata": m} for m in installs]}))
    return check.main(str(report), str(ROOT / ".ci" / "colab-pins.txt"))


def test_adding_ainotes_and_a_missing_light_dependency_passes(tmp_path, capsys):
    assert run(tmp_path, [AINOTES, {"name": "torchinfo", "version": "1.8.0"}]) == 0
    assert "none of the 10 Colab packages changes" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"name": "ipywidgets", "version": "8.1.9"}, "ipywidgets 8.1.9 would replace Colab's 7.7.1"),
        ({"name": "Torch", "version": "2.15.0"}, "torch 2.15.0 would replace Colab's 2.14.1"),
        ({"name": "pytest", "version": "9.0"}, "pytest is neither ainotes nor one of its direct dependencies"),
    ],
)
def test_replacing_a_colab_package_or_adding_anything_else_fails(tmp_path, capsys, extra, problem):
    assert run(tmp_path, [AINOTES, extra]) == 1
    assert problem in capsys.readouterr().out


def test_the_pins_hold_colabs_widget_and_kernel_stack():
    pins = (ROOT / ".ci" / "colab-pins.txt").read_text()
    for pin in ("ipywidgets==7.7.1", "ipykernel==6.17.1", "ipython==7.34.0"):
        assert pin in pins


def test_ainotes_accepts_colabs_ipywidgets():
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "ipywidgets>=7.7" in deps and "pandas>=1.5" in deps
    assert "ipywidgets>=7.7" in (ROOT / "requirements.txt").read_text()
