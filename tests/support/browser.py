"""Shared helpers for the real-browser tests: Debian's chromium through Playwright, a JupyterLab
server the test owns, one default-plan build per session, and the test-artifacts folder.

Nothing here writes into the repository except screenshots under ``test-artifacts/`` (git-ignored):
the lab server runs on a temporary clean COPY of the project (a git repository of the tracked files,
started like `make lab`) with its runtime, config, workspace and user-settings folders in a temporary
directory. The kernel still imports
``ocop_helpers`` from the repository (editable install in ``.venv``), so data paths resolve through
``ocop_helpers.core.paths`` exactly as for a planner.

Never run ``playwright install``: the browser is Debian's ``/usr/bin/chromium``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ocop_helpers.core import paths

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = paths.ROOT
ARTIFACTS = ROOT / "test-artifacts"
# The project's JupyterLab defaults (news pop-up off); `make lab` passes the same folder.
LAB_SETTINGS_DIR = ROOT / "jupyter-config" / "lab" / "settings"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"


def missing_browser_tools() -> list[str]:
    """What the browser tests need and this machine lacks, each with how to install it."""
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(
            f"Debian's chromium at {CHROMIUM} (apt-get install -y chromium; the tests never download a browser)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (make setup installs the test dependencies)")
    return missing


def require_browser_tools() -> None:
    """Skip a browser test when its tools are missing; FAIL instead when CI is set, so a machine
    without Chromium cannot pass the suite silently. Called by tests/conftest.py for every test
    marked ``browser``."""
    missing = missing_browser_tools()
    if not missing:
        return
    message = "missing for the browser tests: " + "; ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {message}", pytrace=False)
    pytest.skip(f"{message} (in CI this fails)")


# Marks a test module as needing Chromium (the check itself runs in conftest.py before each test).
requires_chromium = pytest.mark.browser


def artifact(name: str) -> Path:
    """A path under test-artifacts/ (created on demand)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


# --------------------------------------------------------------------------------------------
# Chromium


@contextlib.contextmanager
def chromium_context(**context_options) -> Iterator[BrowserContext]:  # noqa: F821
    """A headless Debian-chromium browser context with its own temporary --user-data-dir.

    ``context_options`` go to ``launch_persistent_context`` (viewport, locale, ...).
    """
    from playwright.sync_api import sync_playwright

    profile = Path(tempfile.mkdtemp(prefix="ocop-chromium-"))
    options = {"viewport": {"width": 1280, "height": 900}, "locale": "vi-VN"}
    options.update(context_options)
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(profile),
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                **options,
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class RequestLog:
    """Blocks and records every request whose URL does not start with an allowed prefix."""

    def __init__(self, allowed_prefixes: tuple[str, ...]):
        self.allowed = allowed_prefixes
        self.blocked: list[str] = []
        self.seen: list[str] = []

    def handler(self, route) -> None:
        url = route.request.url
        self.seen.append(url)
        if url.startswith(self.allowed):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")


def block_network(context, allowed_prefixes: tuple[str, ...]) -> RequestLog:
    """Route every request of ``context``: allowed prefixes pass, the rest are aborted and recorded.

    (data: URLs never reach the router; file: URLs do.)
    """
    log = RequestLog(allowed_prefixes)
    context.route("**/*", log.handler)
    return log


# --------------------------------------------------------------------------------------------
# One default-plan build per test session


# --------------------------------------------------------------------------------------------
# JupyterLab server owned by the test


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    """A running JupyterLab the test started (and will stop by ``pid``)."""

    url: str  # http://127.0.0.1:<port>
    token: str
    pid: int
    root: Path  # the temporary copy of the project the server serves (its root_dir)
    scenario_dir: Path  # OCOP_SCENARIO_DIR of the server (and its kernels)
    log_path: Path
    env: dict[str, str] = field(repr=False, default_factory=dict)

    def lab_url(self, notebook: str, workspace: str | None = None) -> str:
        """URL opening ``notebook`` in JupyterLab (in its own workspace when ``workspace`` is given,
        so tabs from earlier tests are not restored)."""
        prefix = f"/lab/workspaces/{workspace}" if workspace else "/lab"
        return f"{self.url}{prefix}/tree/{notebook}?token={self.token}"

    def api(self, method: str, path: str, timeout: float = 10) -> object:
        """Call the server's REST API with the token; returns the decoded JSON (or None)."""
        req = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel session (keeps 2 shared cores free between notebooks)."""
        for s in self.api("GET", "/api/sessions") or []:
            with contextlib.suppress(urllib.error.URLError):
                self.api("DELETE", f"/api/sessions/{s['id']}")

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def lab_command(port: int | None = None, token: str | None = None, root: Path | None = None) -> list[str]:
    """The JupyterLab command line (the Makefile's `lab` target uses the same settings flag)."""
    cmd = [
        str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable)),
        "-m",
        "jupyterlab",
        "--allow-root",
        "--ServerApp.open_browser=False",
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.app_settings_dir={LAB_SETTINGS_DIR}",
    ]
    if port is not None:
        cmd += ["--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if token is not None:
        cmd += [f"--IdentityProvider.token={token}"]
    if root is not None:
        cmd += [f"--ServerApp.root_dir={root}"]
    return cmd


def project_copy(workdir: Path) -> Path:
    """A git repository with the project's tracked files (what a clean checkout holds), the notebook
    clean filter registered as `make setup` does, and everything committed: JupyterLab serves it
    like `make lab` serves the project root, and ``git status`` there shows what a Lab session did."""
    files = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    )
    target = Path(workdir) / "project"
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / name)
    python = VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=target, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "test@example.invalid")
    git("config", "user.name", "test")
    git("config", "filter.ocop-nbclean.clean", f"{python} -m ocop_helpers.lab.nbclean")
    git("add", "-A")
    git("commit", "-q", "-m", "clean checkout")
    (target / "outputs").mkdir(exist_ok=True)
    return target


@contextlib.contextmanager
def jupyter_lab(workdir: Path, startup_timeout: float = 90) -> Iterator[LabServer]:
    """Start JupyterLab like `make lab` (project root, project config) on a clean copy of the
    project (:func:`project_copy`), yield it, stop it by its own PID. Scenarios and built plans go
    to the copy's scenarios/ and outputs/."""
    workdir = Path(workdir)
    root = project_copy(workdir)
    dirs = {name: workdir / name for name in ("runtime", "config", "data", "user-settings", "workspaces")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    dirs["scenarios"] = root / "scenarios"
    env = dict(os.environ)
    env.update(
        {
            "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
            "JUPYTER_CONFIG_DIR": str(dirs["config"]),
            "JUPYTER_CONFIG_PATH": str(ROOT / "jupyter-config"),  # as `make lab`
            "JUPYTER_DATA_DIR": str(dirs["data"]),
            "JUPYTERLAB_SETTINGS_DIR": str(dirs["user-settings"]),
            "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
            "OCOP_SCENARIO_DIR": str(dirs["scenarios"]),
            "OCOP_OUTPUT_DIR": str(root / "outputs"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("JUPYTER_PATH", None)
    port, token = free_port(), secrets.token_hex(24)
    log_path = workdir / "jupyterlab.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        lab_command(port, token, root),
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = LabServer(
        url=f"http://127.0.0.1:{port}",
        token=token,
        pid=proc.pid,
        root=root,
        scenario_dir=dirs["scenarios"],
        log_path=log_path,
        env=env,
    )
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{server.log_tail()}")
            try:
                server.api("GET", "/api/status", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"JupyterLab not ready after {startup_timeout} s:\n{server.log_tail()}"
                    ) from None
                time.sleep(0.3)
        yield server
    finally:
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server (it shuts its kernels down), then SIGKILL its own process group if needed."""
    if proc.poll() is None:
        proc.terminate()  # jupyter_server's SIGTERM handler shuts the kernels down, then exits
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    # Kernels run in the server's process group (start_new_session made its id = the server's PID).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


# --------------------------------------------------------------------------------------------
# JupyterLab page helpers (driving the real client through window.jupyterapp)

JS_NOTEBOOK_READY = """
(name) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return false;
  const w = app.shell.currentWidget;
  if (!w || !w.context || w.context.path !== name || !w.context.isReady) return false;
  const sc = w.sessionContext;
  if (!sc || !sc.session || !sc.session.kernel) return false;
  return sc.session.kernel.status === 'idle' && sc.session.kernel.connectionStatus === 'connected';
}
"""

# Idle and nothing queued: no "[*]" prompt left, kernel idle, and the run-all promise settled.
JS_RUN_FINISHED = """
() => {
  const app = window.jupyterapp;
  const w = app.shell.currentWidget;
  if (!w || !w.sessionContext || !w.sessionContext.session) return false;
  const k = w.sessionContext.session.kernel;
  if (!k || k.status !== 'idle') return false;
  if (window.__ocopRunAll === undefined) return false;
  if (!window.__ocopRunAllDone) return false;
  for (const p of w.node.querySelectorAll('.jp-InputPrompt')) {
    if (p.textContent.includes('*')) return false;
  }
  return true;
}
"""

JS_START_RUN_ALL = """
() => {
  window.__ocopRunAllDone = false;
  window.__ocopRunAll = window.jupyterapp.commands.execute('notebook:run-all-cells')
    .then(r => { window.__ocopRunAllDone = true; return r; },
          e => { window.__ocopRunAllDone = true; window.__ocopRunAllError = String(e); });
  return true;
}
"""

# Every chart-like element in the outputs: top-level <svg> (not icons), <img> of an SVG/PNG data
# URL, <canvas>. Each is scrolled into view first (JupyterLab skips layout of off-screen cells).
JS_CHARTS = """
async (scope) => {
  const root = scope ? document.querySelector(scope) : document;
  const out = [];
  const nodes = root.querySelectorAll(
    '.jp-OutputArea-output svg, .jp-OutputArea-output img, .jp-OutputArea-output canvas');
  for (const el of nodes) {
    if (el.tagName.toLowerCase() === 'svg' && el.parentElement.closest('svg')) continue;
    if (el.tagName.toLowerCase() === 'img' && !/^data:image\\/(svg\\+xml|png)/.test(el.getAttribute('src') || '')) continue;
    el.scrollIntoView({block: 'center'});
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const r = el.getBoundingClientRect();
    const item = {tag: el.tagName.toLowerCase(), width: r.width, height: r.height};
    if (item.tag === 'img') { item.complete = el.complete; item.naturalWidth = el.naturalWidth; }
    if (item.tag === 'svg' && r.width < 40 && r.height < 40) continue;  // an icon, not a chart
    out.push(item);
  }
  return out;
}
"""

JS_ERROR_OUTPUTS = """
() => {
  const found = [];
  for (const el of document.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) {
    found.push({kind: 'stderr', text: el.textContent.slice(0, 2000)});
  }
  for (const el of document.querySelectorAll(
      '.jp-RenderedText[data-mime-type*="error"], .jp-OutputArea-output[data-mime-type*="error"]')) {
    found.push({kind: 'error', text: el.textContent.slice(0, 2000)});
  }
  return found;
}
"""


def chart_problems(charts: list[dict]) -> list[dict]:
    """Charts that did not draw: zero size, or an image that did not decode."""
    bad = []
    for c in charts:
        if c["width"] <= 0 or c["height"] <= 0:
            bad.append(c)
        elif c["tag"] == "img" and (not c.get("complete") or not c.get("naturalWidth")):
            bad.append(c)
    return bad


def ansi_strip(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
