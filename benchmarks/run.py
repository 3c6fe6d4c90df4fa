"""Speed and memory of the app on this machine, printed as a markdown table.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/run.py [--quick] [--only NAME ...] [--torch-threads N]

Sections (NAME): startup, visits, models, memory, reruns, trace, threads, projection, vocabulary.
A section whose module, model or browser is missing prints "n/a" with the reason instead of
failing. Timings are medians of a few repeats (one or two with --quick); progress goes to
stderr, the table to stdout.
Run by `make benchmark`, never by `make test`: these figures are for reading, not asserting.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as app.py sets it at start (the library sets nothing)

log = logging.getLogger("benchmark")

SECTIONS = (
    "startup", "visits", "models", "memory", "reruns", "trace", "threads", "convoy", "projection",
    "vocabulary",
)  # fmt: skip
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]  # fmt: skip
SETTLED = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return app !== null && app.getAttribute("data-test-script-state") === "notRunning"
    && !document.querySelector("[data-testid='stExpanderIconSpinner'], [data-testid='stSpinner']")
    && document.querySelector("[data-testid='stMain'] [data-testid='stElementContainer']") !== null;
}"""
MEMORY_GOAL_MB = 1200
TRACE_GOAL = 1.5
SHORT_PROMPT = "The storm is coming, and the river bank will soon be under water, so"
LONG_PROMPT = " ".join(["The dog chased the cat across the garden and over the old stone wall."] * 4)

# One widget per page to change between two values for the rerun timing: (kind, key, a, b).
# Pages not listed here get the first select box of their own whose options differ.
RERUN_CHANGES: dict[str, tuple[str, str, object, object]] = {
    "dot-products": ("selectbox", "dp_a", "runs", "dog"),
    "projections": ("selectbox", "pj_preset", "Dog, cat, runs, quickly", "Royalty beside fruit"),
    "context": ("selectbox", "cx_preset", "crane", "bank"),
    "trace": ("text_area", "tr_prompt", "The capital of France is", "The storm is"),
    "learning": ("selectbox", "ln_preset", "The cat sat", "The dog ran (the seeds' example)"),
}


@dataclass
class Row:
    measurement: str
    result: str
    goal: str = ""


# --------------------------------------------------------------------------- helpers


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def median_time(function: Callable[[], object], repeats: int, warm: bool = False) -> float:
    """Median wall time of ``repeats`` calls, after one untimed call when ``warm``."""
    if warm:
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def machine() -> list[tuple[str, str]]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        ram = f"{kib / 2**20:.1f} GiB"
    versions = {}
    for name in ("torch", "transformers", "streamlit", "umap", "sklearn"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = "not installed"
    threads = "?"
    with contextlib.suppress(ImportError):
        import torch

        threads = str(torch.get_num_threads())
    return [
        ("CPU", f"{cpu}, {os.cpu_count()} cores"),
        ("RAM", ram),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("torch", f"{versions['torch']} ({threads} intra-op threads)"),
        ("transformers / streamlit", f"{versions['transformers']} / {versions['streamlit']}"),
        ("umap-learn / scikit-learn", f"{versions['umap']} / {versions['sklearn']}"),
        ("load average at start", " ".join(f"{x:.1f}" for x in os.getloadavg())),
    ]


def in_fresh_process(
    code: str, env: dict[str, str | None] | None = None, timeout: float = 900, args: tuple[str, ...] = ()
) -> dict:
    """Run Python ``code`` (with ``args`` in sys.argv[1:]) in a new interpreter at the repo root.

    The code prints one JSON line last. ``env`` adds variables to this process's environment;
    a value of None removes one.
    """
    merged = {**os.environ, **(env or {})}
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={name: value for name, value in merged.items() if value is not None},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def streamlit_server(port: int, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    command = [str(Path(sys.executable).parent / "streamlit"), "run", "app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer in {timeout} s")


# --------------------------------------------------------------------------- sections


def bench_startup(repeats: int) -> list[Row]:
    """Process start → /_stcore/health → the home page's HTML → the home page drawn in Chromium."""
    playwright, browser = _chromium()
    health, html, drawn = [], [], []
    try:
        for _ in range(repeats):
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            start = time.perf_counter()
            with streamlit_server(port) as process:
                wait_for_http(f"{base}/_stcore/health", process)
                health.append(time.perf_counter() - start)
                wait_for_http(f"{base}/", process)
                html.append(time.perf_counter() - start)
                if browser is not None:
                    page = browser.new_page()
                    page.goto(f"{base}/", wait_until="commit")
                    page.wait_for_function(SETTLED, timeout=180_000, polling=50)
                    drawn.append(time.perf_counter() - start)
                    page.close()
    finally:
        if browser is not None:
            browser.close()
            playwright.stop()
    rows = [
        Row("process start → /_stcore/health answers", seconds(statistics.median(health))),
        Row("process start → home page HTML served", seconds(statistics.median(html))),
    ]
    rows.append(
        Row("process start → home page drawn in Chromium", seconds(statistics.median(drawn)))
        if drawn
        else Row("process start → home page drawn in Chromium", "n/a (no /usr/bin/chromium or Playwright)")
    )
    return rows


def _chromium():
    """(playwright, browser) for Debian's Chromium, or (None, None) when it or Playwright is missing."""
    if not CHROMIUM.exists():
        return None, None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None, None
    playwright = sync_playwright().start()
    return playwright, playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def _proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in MB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            fields[name] = int(value.split()[0]) // 1024
    return fields


def _cpu_seconds(pid: int) -> float:
    utime, stime = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13]
    return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")


def _wait_until_idle(pid: int, timeout: float = 300) -> float:
    """Seconds until the server's CPU use stays under 5% for 3 s (its warm-up has finished)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        before = _cpu_seconds(pid)
        time.sleep(3)
        if _cpu_seconds(pid) - before < 0.15:
            return time.perf_counter() - start - 3
    return timeout


def _time_visit(browser, url: str) -> float:
    page = browser.new_page()
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_function(SETTLED, timeout=300_000, polling=50)
        return time.perf_counter() - start
    finally:
        page.close()


def bench_visits(repeats: int) -> list[Row]:
    """A real server and Chromium: the background warm-up, every page's first and second visit, memory."""
    from ui import journey

    playwright, browser = _chromium()
    if browser is None:
        return [Row("page visits in Chromium", "n/a (no /usr/bin/chromium or Playwright)")]
    rows = []
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    try:
        with streamlit_server(port) as process:
            wait_for_http(f"{base}/_stcore/health", process)
            home = _time_visit(browser, f"{base}/")
            warm_up = _wait_until_idle(process.pid)
            rows.append(
                Row("background warm-up after the first visit", seconds(warm_up), "models, vocabulary, UMAP")
            )
            rows.append(Row("server RSS after the warm-up", f"{_proc_status(process.pid)['VmRSS']} MB"))
            for lesson in journey.LESSONS:
                first = _time_visit(browser, f"{base}/{lesson.url_path}")
                again = _time_visit(browser, f"{base}/{lesson.url_path}")
                rows.append(Row(f"visit {lesson.url_path}: first / again (new tab each)",
                                f"{seconds(first)} / {seconds(again)}"))  # fmt: skip
            status = _proc_status(process.pid)
            rows.insert(0, Row("visit home (fresh server)", seconds(home)))
            rows.append(
                Row(
                    "server RSS after visiting every page (now / peak)",
                    f"{status['VmRSS']} MB / {status['VmHWM']} MB",
                    "both models, vocabularies, caches",
                )
            )
    finally:
        browser.close()
        playwright.stop()
    return rows


LOAD_ONE = """
import json, resource, time
t0 = time.perf_counter()
import torch, transformers, sentence_transformers
t1 = time.perf_counter()
from geometry.models.loading import load_model
load_model({name!r})
t2 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "load": t2 - t1,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def bench_models(repeats: int) -> list[Row]:
    """Each model loaded in a fresh process: first (empty cache, the GGUF is de-quantised) and warm."""
    from geometry.models.catalogue import CAUSAL_LM_NAME, ENCODER_NAME

    rows, imports = [], []
    cache = Path(tempfile.mkdtemp(prefix="semantic-geometry-bench-"))
    try:
        env = {"SEMANTIC_GEOMETRY_CACHE": str(cache)}
        for name in (ENCODER_NAME, CAUSAL_LM_NAME):
            log.info("loading %s cold", name)
            cold = in_fresh_process(LOAD_ONE.format(name=name), env)
            warm = [in_fresh_process(LOAD_ONE.format(name=name), env) for _ in range(repeats)]
            imports += [cold["import"]] + [w["import"] for w in warm]
            first = "first load (de-quantises the GGUF)" if name == CAUSAL_LM_NAME else "first load"
            rows.append(Row(f"{name}: {first}", f"{seconds(cold['load'])}, peak RSS {cold['rss_mb']:.0f} MB"))
            load = statistics.median(w["load"] for w in warm)
            rss = max(w["rss_mb"] for w in warm)
            rows.append(Row(f"{name}: warm load in a new process", f"{seconds(load)}, peak RSS {rss:.0f} MB"))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    rows.insert(
        0, Row("import torch + transformers + sentence-transformers", seconds(statistics.median(imports)))
    )
    return rows


BOTH_MODELS = """
import json, resource, torch
from geometry.models.loading import load_causal_lm, load_encoder
encoder, causal = load_encoder(), load_causal_lm()
encoder.model.encode(["the dog chased the cat"])
with torch.no_grad():
    causal.model(**causal.tokenizer("The storm is", return_tensors="pt"))
print(json.dumps({"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench_memory(repeats: int) -> list[Row]:
    """Peak resident memory of one process holding both models after one forward pass each."""
    peak = max(in_fresh_process(BOTH_MODELS)["rss_mb"] for _ in range(max(1, repeats // 2)))
    verdict = "✓" if peak < MEMORY_GOAL_MB else "✗"
    return [Row("peak RSS, both models loaded + one forward each", f"{peak:.0f} MB {verdict}", "< 1200 MB")]


def _default_change(at, prefix: str) -> tuple[str, str, object, object] | None:
    """The first select box of the page (key starting with its prefix) with two different options."""
    for box in at.selectbox:
        if box.key and (not prefix or box.key.startswith(prefix)) and len(box.options) >= 2:
            return "selectbox", box.key, box.options[1], box.options[0]
    return None


def _set(at, kind: str, key: str, value: object) -> None:
    getattr(at, kind)(key=key).set_value(value)


def bench_reruns(repeats: int) -> list[Row]:
    """AppTest per page: load it once, then time reruns after changing one widget back and forth."""
    from streamlit.testing.v1 import AppTest

    from ui import journey

    rows = []
    for lesson in [journey.HOME, *journey.LESSONS]:
        log.info("page %s", lesson.url_path)
        # run the home page first: AppTest.switch_page needs a script run to switch from
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900).run()
        start = time.perf_counter()
        at.switch_page(lesson.path).run()
        first = time.perf_counter() - start
        if at.exception:
            rows.append(Row(f"page {lesson.url_path}", f"n/a (exception: {at.exception[0].message[:80]})"))
            continue
        rerun = median_time(at.run, repeats)
        prefix = lesson.url_path.split("-")[0][:2]
        change = RERUN_CHANGES.get(lesson.url_path) or _default_change(at, prefix)
        detail = f"first run {seconds(first)}, rerun without change {seconds(rerun)}"
        if change is None:
            rows.append(
                Row(f"page {lesson.url_path}: warm rerun (no widget to change)", seconds(rerun), detail)
            )
            continue
        kind, key, new, old = change
        timings = []
        for step in range(max(3, repeats * 2)):
            _set(at, kind, key, new if step % 2 == 0 else old)
            start = time.perf_counter()
            at.run()
            timings.append(time.perf_counter() - start)
            if at.exception:
                raise RuntimeError(f"{lesson.url_path}: {at.exception[0].message[:120]}")
        rows.append(
            Row(
                f"page {lesson.url_path}: rerun after changing {key} (first new value / median)",
                f"{seconds(timings[0])} / {seconds(statistics.median(timings))}",
                detail,
            )
        )
    return rows


def bench_trace(repeats: int) -> list[Row]:
    """geometry.transformer.trace.trace ÷ the model's own forward pass with attentions and hidden states."""
    from geometry.models.loading import load_causal_lm

    lm = load_causal_lm()
    rows, plain = [], None
    for label, prompt in (("short prompt", SHORT_PROMPT), ("64-token prompt", LONG_PROMPT)):
        row, plain, plain_time = _trace_against_forward(lm, label, prompt, repeats)
        rows.append(row)
    return [*rows, _one_thread_row(plain, plain_time, repeats), *_generation_rows(lm, repeats)]


def _trace_against_forward(lm, label: str, prompt: str, repeats: int):
    """(row, the plain forward pass, its median seconds) for one prompt, at most 64 tokens."""
    import torch

    from geometry.transformer import trace as tracing

    inputs = lm.tokenizer(prompt, return_tensors="pt")
    inputs = {name: tensor[:, -64:] for name, tensor in inputs.items()}
    n_tokens = inputs["input_ids"].shape[1]

    def plain(inputs=inputs):
        with torch.no_grad():
            lm.model(**inputs, output_attentions=True, output_hidden_states=True)

    plain()
    plain_time = median_time(plain, repeats * 2)
    tracing.trace(lm, prompt)
    trace_time = median_time(lambda: tracing.trace(lm, prompt), repeats * 2)
    ratio = trace_time / plain_time
    mark = "✓" if ratio <= TRACE_GOAL else "✗"
    row = Row(
        f"trace ÷ forward with outputs ({label}, {n_tokens} tokens)",
        f"{ratio:.2f}× ({seconds(trace_time)} vs {seconds(plain_time)}) {mark}",
        "≤ 1.5×",
    )
    return row, plain, plain_time


def _one_thread_row(plain: Callable[[], None], plain_time: float, repeats: int) -> Row:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        one_thread = median_time(plain, repeats * 2)
    finally:
        torch.set_num_threads(threads)
    return Row(
        "forward with outputs (64 tokens), 1 torch thread vs default",
        f"{seconds(one_thread)} vs {seconds(plain_time)} ({threads} threads)",
        "informs torch.set_num_threads",
    )


def _generation_rows(lm, repeats: int) -> list[Row]:
    from geometry.transformer.generation import generate

    rows = []
    for use_cache in (True, False):
        run = lambda use_cache=use_cache: generate(lm, SHORT_PROMPT, 20, use_cache=use_cache)  # noqa: E731
        run()
        state = "on" if use_cache else "off"
        rows.append(
            Row(
                f"generate 20 tokens, KV cache {state} (geometry.transformer.generation.generate)",
                seconds(median_time(run, repeats)),
            )
        )
    return rows


TRACE_IN_CHILD = """
import json, statistics, sys, time
import torch  # first, so OpenMP starts with the environment this child was given
torch.set_num_threads(int(sys.argv[1]))
from geometry.models.loading import load_causal_lm
from geometry.transformer.trace import trace
lm = load_causal_lm()
prompt = sys.argv[2]
trace(lm, prompt)
times = []
for _ in range(int(sys.argv[3])):
    start = time.perf_counter()
    trace(lm, prompt)
    times.append(time.perf_counter() - start)
print(json.dumps({"seconds": statistics.median(times)}))
"""


@contextlib.contextmanager
def busy_cores(n: int) -> Iterator[None]:
    """``n`` processes spinning in a Python loop: the machine's other work, simulated."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        time.sleep(1.0)
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def bench_threads(repeats: int) -> list[Row]:
    """The 64-token trace with 1 and 2 torch threads, OpenMP's default waiting vs passive, quiet vs busy."""
    rows = []
    cores = os.cpu_count() or 2
    for load, busy in (("quiet machine", 0), (f"all {cores} cores busy", cores)):
        results = []
        for policy in (None, "PASSIVE"):
            for threads in (1, 2):
                args = (str(threads), LONG_PROMPT, str(repeats * 2))
                with busy_cores(busy):
                    child = in_fresh_process(TRACE_IN_CHILD, {"OMP_WAIT_POLICY": policy}, args=args)
                results.append(f"{policy or 'default'} wait, {threads} thr: {seconds(child['seconds'])}")
        rows.append(Row(f"64-token trace, {load}", "; ".join(results), "the app sets PASSIVE"))
    return rows


CONVOY_IN_CHILD = """
import json, statistics, sys, threading, time
from geometry.context import occurrences
from geometry.models.catalogue import ENCODER_NAME
from geometry.models.loading import load_model
lm = load_model(ENCODER_NAME)
sentences = ["We sat on the bank of the river.", "The bank lent us money.", "The dragon stood by the bank."]
def forward():
    start = time.perf_counter()
    occurrences._hidden_states(lm, sentences)
    return time.perf_counter() - start
stop = False
def busy():  # a session building a chart: pure Python, never waiting
    while not stop:
        sum(i * i for i in range(1000))
result = {}
for interval in (0.005, 0.0002):
    sys.setswitchinterval(interval)
    quiet = min(forward() for _ in range(int(sys.argv[1]) * 3))
    stop = False
    threads = [threading.Thread(target=busy) for _ in range(8)]
    [thread.start() for thread in threads]
    loaded = statistics.median(forward() for _ in range(int(sys.argv[1]) * 2 + 1))
    stop = True
    [thread.join() for thread in threads]
    result[str(interval)] = [quiet, loaded]
print(json.dumps(result))
"""


def bench_convoy(repeats: int) -> list[Row]:
    """One forward pass of the encoder alone and beside 8 busy Python threads, at two switch intervals."""
    child = in_fresh_process(CONVOY_IN_CHILD, {}, args=(str(repeats),))
    rows = []
    for interval, (quiet, loaded) in child.items():
        rows.append(Row(f"encoder forward pass, switch interval {float(interval) * 1000:g} ms",
                        f"alone {seconds(quiet)}; beside 8 busy Python threads {seconds(loaded)}",
                        "the app sets 0.2 ms"))  # fmt: skip
    return rows


def _points(n: int):
    """n real vectors: static embedding rows of the encoder's whole-word tokens (random if absent)."""
    import numpy as np

    try:
        from geometry.models.loading import load_encoder
        from geometry.words.tokens import whole_word_vocabulary

        lm = load_encoder()
        vocabulary = whole_word_vocabulary(lm)
        ids = vocabulary.ids[:n]
        return np.asarray(lm.embedding_matrix()[ids], dtype=np.float32), "encoder embedding rows"
    except Exception:  # noqa: BLE001 - the figure still means something on random points
        return np.random.default_rng(0).normal(size=(n, 384)).astype(np.float32), "random points"


def umap_directly(X):
    """umap-learn as a user would call it, with the page's settings."""
    import umap

    return umap.UMAP(n_neighbors=15, min_dist=0.1, metric="cosine", random_state=0).fit_transform(X)


def bench_projection(repeats: int) -> list[Row]:
    """UMAP and PCA through geometry.projection.methods beside umap-learn and scikit-learn called directly."""
    from sklearn.decomposition import PCA

    from geometry.projection import methods as projection
    from ui.server.warm_up import warm_up

    X_all, what = _points(5_000)
    log.info("compiling UMAP (numba) before timing")
    warm_up()  # each call below is also run once untimed: numba compiles per code path
    rows = []
    for n in (1_000, 5_000):
        X = X_all[:n]
        if len(X) < n:
            rows.append(Row(f"{n:,} points", f"n/a (only {len(X)} {what})"))
            continue
        for method in ("pca", "umap"):
            ours = median_time(lambda X=X, method=method: projection.project(X, method), repeats, warm=True)
            if method == "pca":
                direct = median_time(
                    lambda X=X: PCA(n_components=2, random_state=0).fit_transform(X), repeats, warm=True
                )
                library = "scikit-learn PCA"
            else:
                direct = median_time(lambda X=X: umap_directly(X), repeats, warm=True)
                library = "umap-learn UMAP"
            rows.append(
                Row(
                    f"{method.upper()} of {n:,} {what} (warm)",
                    f"{seconds(ours)} vs {seconds(direct)}",
                    f"vs {library}",
                )
            )
        result = projection.project(X, "pca")
        start = time.perf_counter()
        _ = result.trustworthiness
        rows.append(Row(f"trustworthiness of a {n:,}-point map", seconds(time.perf_counter() - start)))
    return rows


WHOLE_VOCABULARY = "projections?pj_view=Vocabulary&pj_all=true"
PLOTLY_DRAWN = """() => {
  const chart = document.querySelector("[data-testid='stMain'] .js-plotly-plot");
  return chart !== null && chart._fullData !== undefined && chart.querySelector("canvas") !== null
    && chart._fullData.reduce((n, t) => n + (t.x ? t.x.length : 0), 0) > 20000;
}"""


def _time_map_view(browser, url: str) -> tuple[float, float, int, int]:
    """Seconds until the WebGL map is drawn and until the page has finished; bytes and messages received."""
    page = browser.new_page()
    received = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda frame: received.append(len(frame))))
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_function(PLOTLY_DRAWN, timeout=600_000, polling=50)
        drawn = time.perf_counter() - start
        page.wait_for_function(SETTLED, timeout=600_000, polling=50)
        return drawn, time.perf_counter() - start, sum(received), len(received)
    finally:
        page.close()


@contextlib.contextmanager
def cache_without_maps() -> Iterator[Path]:
    """A cache folder for the app (``SEMANTIC_GEOMETRY_CACHE``) holding everything of this machine's
    (links to it: the de-quantised SmolLM2) except the vocabulary maps kept on disk."""
    from geometry.models.loading import cache_root

    folder = Path(tempfile.mkdtemp(prefix="semantic-geometry-maps-"))
    try:
        if cache_root().is_dir():
            for entry in cache_root().iterdir():
                if entry.name != "maps":
                    (folder / entry.name).symlink_to(entry)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _computed_views(browser, base: str, repeats: int) -> list[Row]:
    """PCA then UMAP: the first view (the map computed) and warm views in new tabs."""
    rows = []
    for method in ("pca", "umap"):
        url = f"{base}/{WHOLE_VOCABULARY}&pj_method={method.upper()}"
        first = _time_map_view(browser, url)
        warm = [_time_map_view(browser, url) for _ in range(repeats)]
        drawn, done = (statistics.median(view[i] for view in warm) for i in (0, 1))
        name = method.upper()
        first_what = "first view on a fresh server" if method == "pca" else "first view"
        rows.append(Row(f"whole vocabulary, {name}: {first_what}, computed: map drawn (page finished)",
                        f"{seconds(first[0])} ({seconds(first[1])})"))  # fmt: skip
        rows.append(Row(f"whole vocabulary, {name}: warm view, new tab: map drawn (page finished)",
                        f"{seconds(drawn)} ({seconds(done)})"))  # fmt: skip
        rows.append(Row(f"whole vocabulary, {name}: received by the browser, warm view",
                        f"{warm[0][2] / 1e6:.2f} MB in {warm[0][3]} websocket messages",
                        "goal <= 0.3 MB: the page, the packed map and the tables"))  # fmt: skip
    return rows


def bench_vocabulary(repeats: int) -> list[Row]:
    """The encoder's whole vocabulary on the WebGL map, PCA then UMAP: the first view on a fresh
    server (the map computed, none kept on disk), warm views in new tabs, then the first view on
    another fresh server that reads the map kept on disk; bytes received."""
    playwright, browser = _chromium()
    if browser is None:
        return [Row("whole-vocabulary map in Chromium", "n/a (no /usr/bin/chromium or Playwright)")]
    port = int(os.environ.get("BENCHMARK_PORT") or free_port())
    base, rows = f"http://127.0.0.1:{port}", []
    try:
        with cache_without_maps() as cache:
            env = {"SEMANTIC_GEOMETRY_CACHE": str(cache)}
            with streamlit_server(port, env) as process:
                wait_for_http(f"{base}/_stcore/health", process)
                rows += _computed_views(browser, base, repeats)
                rows.append(Row("server RSS after both maps", f"{_proc_status(process.pid)['VmRSS']} MB"))
            with streamlit_server(port, env) as process:  # a new server: both maps are on disk now
                wait_for_http(f"{base}/_stcore/health", process)
                for method in ("PCA", "UMAP"):
                    view = _time_map_view(browser, f"{base}/{WHOLE_VOCABULARY}&pj_method={method}")
                    rows.append(Row(f"whole vocabulary, {method}: first view on a fresh server, map kept "
                                    "on disk: map drawn (page finished)",
                                    f"{seconds(view[0])} ({seconds(view[1])})"))  # fmt: skip
    finally:
        browser.close()
        playwright.stop()
    return rows


BENCHMARKS: dict[str, Callable[[int], list[Row]]] = {
    "startup": bench_startup,
    "visits": bench_visits,
    "models": bench_models,
    "memory": bench_memory,
    "reruns": bench_reruns,
    "trace": bench_trace,
    "threads": bench_threads,
    "convoy": bench_convoy,
    "projection": bench_projection,
    "vocabulary": bench_vocabulary,
}


# --------------------------------------------------------------------------- main


def run(names: list[str], repeats: int) -> list[Row]:
    rows = []
    for name in names:
        log.info("== %s", name)
        start = time.perf_counter()
        try:
            rows += BENCHMARKS[name](repeats)
        except (ImportError, ModuleNotFoundError) as error:
            rows.append(Row(name, f"n/a (missing: {error.name or error})"))
        except Exception as error:  # noqa: BLE001 - one broken measurement must not hide the others
            log.exception("%s failed", name)
            rows.append(Row(name, f"n/a ({type(error).__name__}: {str(error)[:120]})"))
        log.info("%s took %.0f s", name, time.perf_counter() - start)
    return rows


def table(machine_rows: list[tuple[str, str]], rows: list[Row], quick: bool) -> str:
    lines = ["| machine | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in machine_rows]
    lines += ["", f"| measurement{' (--quick)' if quick else ''} | result | goal / notes |", "|---|---|---|"]
    lines += [f"| {row.measurement} | {row.result} | {row.goal} |" for row in rows]
    lines += ["", f"Load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--only", action="append", choices=SECTIONS, metavar="NAME",
                        help=f"run only this section (repeatable): {', '.join(SECTIONS)}")  # fmt: skip
    parser.add_argument("--torch-threads", type=int, metavar="N",
                        help="torch threads here and in child processes (default: torch's own)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.torch_threads:
        os.environ["OMP_NUM_THREADS"] = str(args.torch_threads)  # children read it when torch starts
        import torch

        torch.set_num_threads(args.torch_threads)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    repeats = 1 if args.quick else 3
    names = args.only or list(SECTIONS)
    machine_rows = machine()
    rows = run(names, repeats)
    print(table(machine_rows, rows, args.quick))  # noqa: T201 - the table is this script's output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
