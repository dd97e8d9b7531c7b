# SPDX-License-Identifier: Apache-2.0
"""Fixtures that run the real modelwatch binary on a free loopback port."""

import os
import socket
import subprocess
import time
import urllib.request

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.path.abspath(os.environ.get("MODELWATCH_BIN", os.path.join(REPO, ".build", "debug", "modelwatch")))
SHARED = os.environ.get("MODELWATCH_SHARED", os.path.join(REPO, "..", "shared"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port, proc, timeout=10.0, tls=None):
    """Polls /readyz (200 once the state is restored); `tls` is the ssl.SSLContext of an HTTPS daemon."""
    deadline = time.time() + timeout
    scheme = "https" if tls else "http"
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("modelwatch exited early: %s" % proc.stderr.read().decode(errors="replace"))
        try:
            with urllib.request.urlopen("%s://127.0.0.1:%d/readyz" % (scheme, port), timeout=1, context=tls) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("modelwatch did not become healthy on port %d" % port)


def stop_process(proc, timeout):
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Daemon:
    """A running modelwatch process."""

    def __init__(self, tmp_path, args=(), config=None, tls=None):
        self.port = free_port()
        self.tls = tls
        self.base = "%s://127.0.0.1:%d" % ("https" if tls else "http", self.port)
        cmd = [BINARY, "serve", "--listen", "127.0.0.1:%d" % self.port, "--data-dir", str(tmp_path / "data")]
        if config is not None:
            path = tmp_path / "modelwatch.yaml"
            path.write_text(config)
            cmd += ["--config", str(path)]
        cmd += list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(tmp_path))
        wait_healthy(self.port, self.proc, tls=tls)

    def stop(self):
        stop_process(self.proc, 6)


@pytest.fixture
def daemon(tmp_path):
    d = Daemon(tmp_path)
    yield d
    d.stop()


@pytest.fixture
def make_daemon(tmp_path):
    started = []

    def make(args=(), config=None):
        d = Daemon(tmp_path, args=args, config=config)
        started.append(d)
        return d

    yield make
    for d in started:
        d.stop()
