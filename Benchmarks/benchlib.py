# SPDX-License-Identifier: Apache-2.0
"""Shared helpers of the benchmarks: tools, ports, wrk, nginx, /proc figures."""

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def ensure_tools():
    missing = [pkg for tool, pkg in (("wrk", "wrk"), ("nginx", "nginx-light")) if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool)]
    if missing:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq"] + missing, check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url, timeout=10):
    """Polls `url` until it answers (an https URL is not verified: the benchmarks make their own certificates)."""
    context = None
    if url.startswith("https:"):
        import ssl
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1, context=context).read()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("server did not come up: " + url)


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wrk(url, connections, duration, pids, script=None, cpu=None):
    """Runs wrk (on CPU `cpu` only, when given) and returns its rate and the server's CPU per request."""
    before = cpu_ticks(pids)
    threads = 1 if connections < 100 else 2
    cmd = (["taskset", "-c", str(cpu)] if cpu is not None else []) + \
        ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % duration, "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True).stdout
    cpu = cpu_ticks(pids) - before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p99_ms": p99, "cpu_us": cpu / max(total, 1) * 1e6,
            "non2xx": int(errors.group(1)) if errors else 0, "socket_errors": socket_errors.group(1) if socket_errors else ""}


def start_nginx(workdir, port, cert=None, key=None):
    """nginx with one worker on loopback: `/204`, a 20 KB `/page.html`, `/post` answering 202;
    over TLS 1.2/1.3 with `cert` and `key` (no session cache or tickets: every connection is a
    full handshake)."""
    page = os.path.join(workdir, "page.html")
    with open(page, "w") as f:
        f.write("<html><body>" + ("x" * 20460) + "</body></html>")
    conf = os.path.join(workdir, "nginx.conf")
    with open(conf, "w") as f:
        f.write("""
worker_processes 1;
daemon off;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:%(port)d%(tls)s
    location = /204 { return 204; }
    location = /page.html { root %(dir)s; }
    location /post { client_body_buffer_size 1m; return 202 '{"accepted":1,"duplicates":0,"rejected":0,"errors":[]}'; }
  }
}
""" % {"dir": workdir, "port": port, "tls": ";" if not cert else (
            " ssl;\n    ssl_certificate %s;\n    ssl_certificate_key %s;\n    ssl_protocols TLSv1.2 TLSv1.3;\n"
            "    ssl_session_cache off;\n    ssl_session_tickets off;" % (cert, key))})
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen([nginx, "-c", conf, "-p", workdir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up("%s://127.0.0.1:%d/page.html" % ("https" if cert else "http", port))
    return proc




def build_release():
    subprocess.run(["swift", "build", "-c", "release", "--product", "modelwatch"], cwd=REPO, check=True)
    return os.path.join(REPO, ".build", "release", "modelwatch")


def release_binary(skip_build):
    """The release binary: the one already built with `skip_build` (--skip-build), else built now."""
    return os.path.join(REPO, ".build", "release", "modelwatch") if skip_build else build_release()


def start_modelwatch(binary, workdir, port, config=None, cpu=None):
    """Starts the daemon (on CPU `cpu` only, when given) and waits until it answers."""
    cmd = (["taskset", "-c", str(cpu)] if cpu is not None else []) + \
        [binary, "serve", "--listen", "127.0.0.1:%d" % port, "--data-dir", os.path.join(workdir, "data"),
         "--log-level", "warning"]
    if config:
        path = os.path.join(workdir, "modelwatch.yaml")
        with open(path, "w") as f:
            f.write(config)
        cmd += ["--config", path]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up("http://127.0.0.1:%d/readyz" % port)
    return proc


def children(pid):
    return [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]


def stop(proc, sig=None):
    """Signals a server (SIGTERM unless told) and waits for it, killing it after 10 s."""
    import signal
    proc.send_signal(sig or signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
