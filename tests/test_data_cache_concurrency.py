"""Several processes preparing one data set in one empty cache folder at once, as a class sharing a network home
folder does: all must succeed and get the same data. Uses the offline mirror (AINOTES_MIRROR), as test_data.py."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ainotes.data import DataUnavailableError, _lock, mnist

REPO = Path(__file__).resolve().parents[1]
WORKERS = 4
# Each round: a loader; whether the system lock is taken away (the fallback: a file created exclusively); and the
# seconds between the starts of the processes (the old code failed most when they were at different steps).
ROUNDS = [("mnist", False, 0.1), ("mnist", True, 0.15), ("mnist", False, 0.25), ("fashion_mnist", False, 0.1)]

WORKER = """
import hashlib, json, os, sys, time, traceback
from pathlib import Path

repo, me, workers, plan = json.loads(sys.argv[1])
sys.path.insert(0, repo)
from ainotes.data import _lock, fashion_mnist, mnist

system_locks = _lock.fcntl, _lock.msvcrt
for number, (cache, loader, fallback, stagger) in enumerate(plan):
    _lock.fcntl, _lock.msvcrt = (None, None) if fallback else system_locks
    os.environ["AINOTES_DATA"] = cache
    Path(cache, f".ready-{me}").touch()  # all start together: the race is at its widest
    deadline = time.monotonic() + 120
    while len(list(Path(cache).glob(".ready-*"))) < workers and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(me * stagger)
    try:
        data = {"mnist": mnist, "fashion_mnist": fashion_mnist}[loader](train=True)
        digest = hashlib.sha256(data.data.numpy().tobytes() + data.targets.numpy().tobytes()).hexdigest()
        result = [len(data), digest[:16], data.targets[:3].tolist()]
    except Exception:
        result = traceback.format_exc()
    print(json.dumps(result), flush=True)
"""


def test_four_processes_prepare_one_empty_cache_folder(tmp_path):
    plan = []
    for number, (loader, fallback, stagger) in enumerate(ROUNDS):
        (tmp_path / f"round{number}").mkdir()
        plan.append((str(tmp_path / f"round{number}"), loader, fallback, stagger))
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps([str(REPO), me, WORKERS, plan])],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for me in range(WORKERS)
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (_, err) in zip(processes, outputs):
        assert process.returncode == 0, err[-3000:]
    results = [[json.loads(line) for line in out.splitlines()] for out, _ in outputs]  # [worker][round]
    for number, (loader, fallback, _) in enumerate(ROUNDS):
        seen = [worker[number] for worker in results]
        failures = [r for r in seen if isinstance(r, str)]
        assert not failures, (
            f"round {number} ({loader}, fallback={fallback}): {len(failures)} of {WORKERS} failed:\n{failures[0]}"
        )
        assert all(r == seen[0] for r in seen), f"round {number}: the processes got different data: {seen}"
        assert seen[0][0] == 60000
        cache = Path(plan[number][0])
        leftovers = [p.name for p in cache.rglob("*") if p.suffix in (".part", ".claim")]
        assert not leftovers, f"temporary files left in the cache: {leftovers}"
    assert [r[2] for r in results[0]] == [[5, 0, 4]] * 3 + [[9, 0, 0]]  # the first labels of each data set
    assert time.perf_counter() - start < 120


# ---------------------------------------------------------------- the lock itself
@pytest.fixture
def short_wait(monkeypatch):
    monkeypatch.setattr(_lock, "_LOCK_WAIT_S", 0.3)


@pytest.fixture
def no_system_lock(monkeypatch):
    """As where neither flock nor msvcrt works: the lock is a file created exclusively."""
    monkeypatch.setattr(_lock, "fcntl", None)
    monkeypatch.setattr(_lock, "msvcrt", None)


def test_a_stale_claim_file_is_named_with_what_to_do(tmp_path, short_wait, no_system_lock):
    (tmp_path / ".MNIST.claim").write_text("a-killed-kernel 1234\n")
    start = time.perf_counter()
    with pytest.raises(DataUnavailableError, match=r"another process.*MNIST.*stale: delete .*\.MNIST\.claim"):
        with _lock._cache_lock(tmp_path, "MNIST"):
            pytest.fail("the lock was taken although another process holds it")
    assert time.perf_counter() - start < 5


def test_a_lock_held_elsewhere_makes_a_process_wait_then_explain(tmp_path, short_wait):
    with open(tmp_path / ".MNIST.lock", "a+b") as other:  # another open file: locked as by another process
        assert _lock._try_lock(other) is True
        with pytest.raises(DataUnavailableError, match=r"Waited 0 s .*lock file .*\.MNIST\.lock.*delete"):
            with _lock._cache_lock(tmp_path, "MNIST"):
                pytest.fail("the lock was taken although another process holds it")
    with _lock._cache_lock(tmp_path, "MNIST"):  # closed by the other, so released: free again
        pass


@pytest.mark.parametrize("system_lock", [True, False], ids=["flock", "claim-file"])
def test_the_lock_is_released_after_an_error(tmp_path, monkeypatch, short_wait, system_lock):
    if not system_lock:
        monkeypatch.setattr(_lock, "fcntl", None)
        monkeypatch.setattr(_lock, "msvcrt", None)
    with pytest.raises(KeyError):
        with _lock._cache_lock(tmp_path, "MNIST"):
            raise KeyError("failed while preparing")
    with _lock._cache_lock(tmp_path, "MNIST"):
        pass
    assert not (tmp_path / ".MNIST.claim").exists()


def test_a_prepared_cache_is_read_without_the_lock(fresh_cache, monkeypatch):
    """A cache folder prepared once (by a teacher, say) may be read-only: reading it takes no lock."""
    from ainotes.data import digits

    mnist(train=False)
    monkeypatch.setattr(digits, "_cache_lock", lambda *a: pytest.fail("locked although nothing is prepared"))
    assert len(mnist(train=False)) == 10000


def test_a_file_being_written_elsewhere_is_never_read(fresh_cache, monkeypatch):
    """A half-written IDX file (another process's download) is waited for and repaired, never read."""
    mnist(train=False)
    target = fresh_cache / "MNIST" / "raw" / "t10k-images-idx3-ubyte"
    whole = target.read_bytes()
    target.write_bytes(whole[: len(whole) // 3])
    assert len(mnist(train=False)) == 10000 and target.read_bytes() == whole
