"""Shared test set-up: a headless plotting backend, a private data cache per test session, CIFAR-10 when the
machine has it, and the attempts policy every self-check follows."""

import os
import re

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def cache_root(tmp_path_factory):
    """A fresh cache folder, so tests prove data can be prepared from scratch."""
    return tmp_path_factory.mktemp("ainotes-data")


@pytest.fixture
def fresh_cache(cache_root, monkeypatch):
    monkeypatch.setenv("AINOTES_DATA", str(cache_root))
    return cache_root


@pytest.fixture
def no_network(monkeypatch):
    """Downloads fail as they do on a machine without internet, without sending anything."""
    from ainotes.data import sources

    def refuse(host, timeout):
        raise OSError(f"Name or service not known: {host}")

    monkeypatch.setattr(sources, "_resolve", refuse)


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Every test starts with no wrong answers counted by the self-checks."""
    from ainotes.feedback import reset_attempts

    reset_attempts()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def pytest_report_header(config):
    return f"AINOTES_MIRROR={os.environ.get('AINOTES_MIRROR', '(unset)')}"


@pytest.fixture(scope="session")
def cifar_train():
    """CIFAR-10's training set, or a skip where it is not available (no mirror, no network)."""
    from ainotes.data import DataUnavailableError, cifar10

    try:
        return cifar10()
    except DataUnavailableError as exc:
        pytest.skip(f"CIFAR-10 is not available here: {exc}")


class AttemptsPolicy:
    """Asserts that a self-check follows ainotes.feedback's attempts policy for one question."""

    @staticmethod
    def after_said(message: str) -> str:
        """The message past "You said ...", where the answer must not appear before the second wrong answer."""
        return re.sub(r"^You said .*?(\. |, but )", "", message)

    def __call__(self, check, kwargs, right, wrong, answer):
        from ainotes.feedback import NO_ANSWER, TRY_AGAIN, reset_attempts

        reset_attempts()
        feedback = check(None, **kwargs)  # no answer: the reminder
        assert feedback.correct is None and feedback.message == NO_ANSWER
        verdict = check(right, **kwargs)  # a first wrong answer gets a hint, a second the worked answer
        assert verdict.correct is True
        first = check(wrong, **kwargs)
        assert first.correct is False and first.message.endswith(TRY_AGAIN)
        assert answer not in self.after_said(first.message), first.message
        second = check(wrong, **kwargs)
        assert second.correct is False and ", but " in second.message and answer in second.message
        assert TRY_AGAIN not in second.message and check(wrong, **kwargs).message == second.message
        assert check(right, **kwargs).message == verdict.message
        reset_attempts()  # show_answer=True gives the worked answer at once
        shown = check(wrong, **kwargs, show_answer=True)
        assert shown.correct is False and answer in shown.message and TRY_AGAIN not in shown.message
        unanswered = check(None, **kwargs, show_answer=True)
        assert unanswered.correct is None and unanswered.message.startswith("The worked answer: ")
        assert answer in unanswered.message
        assert check(right, **kwargs, show_answer=True).correct


@pytest.fixture
def attempts_policy():
    return AttemptsPolicy()
