#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""What TLS costs (issue 12's budgets), in one run on loopback against the release binary:

    python3 Benchmarks/tls_bench.py [--skip-build] [--rounds 3] [--duration 4]

With one P-256 certificate made for the run, wrk (one thread, 16 connections) drives:

- `GET /healthz` with keep-alive: modelwatch plain, modelwatch TLS, nginx TLS (`return 204;`);
- single-event POSTs with keep-alive and fresh ids: modelwatch plain, modelwatch TLS, nginx TLS
  (`return 202` with the body modelwatch answers);
- new connections: `GET /healthz` with `Connection: close`, so every request is a full TLS
  handshake (wrk does not resume sessions): modelwatch TLS against nginx TLS.

Targets: TLS at least 60 % of the plain rate, and at least 50 % of nginx's TLS rate. nginx runs
one worker (modelwatch runs one event loop per core; wrk takes one of the two cores here). The
rounds alternate the servers; the medians are printed with their ratios.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from benchlib import children, ensure_tools, free_port, release_binary, start_nginx, stop, wait_up, wrk

SINGLE_LUA = """
local counter = 0
local prefix = tostring(math.random(1, 1e9)) .. "-" .. tostring(os.time())
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"id":"' .. prefix .. "-" .. counter ..
    '","features":{"amount":42.5,"country":"ES"},"prediction":1,"score":0.81}')
end
"""

CLOSE_LUA = """
wrk.headers["Connection"] = "close"
"""


def certificate(work):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", "tls.key", "-out", "tls.crt", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], cwd=work, check=True, capture_output=True)
    os.chmod(os.path.join(work, "tls.key"), 0o600)
    return os.path.join(work, "tls.crt"), os.path.join(work, "tls.key")


def start_modelwatch(binary, work, port, cert=None, key=None):
    cmd = [binary, "serve", "--listen", "127.0.0.1:%d" % port, "--data-dir", os.path.join(work, "data-%d" % port),
           "--log-level", "warning"]
    if cert:
        path = os.path.join(work, "modelwatch-%d.yaml" % port)
        with open(path, "w") as f:
            f.write("tls:\n  cert_file: %s\n  key_file: %s\n" % (cert, key))
        cmd += ["--config", path]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up("%s://127.0.0.1:%d/readyz" % ("https" if cert else "http", port))
    return proc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=4)
    args = ap.parse_args()
    ensure_tools()
    binary = release_binary(args.skip_build)
    work = tempfile.mkdtemp(prefix="mw-tls-")
    os.chmod(work, 0o755)  # nginx's worker (not root) reads the page in it
    cert, key = certificate(work)
    single = os.path.join(work, "single.lua")
    with open(single, "w") as f:
        f.write(SINGLE_LUA)
    close = os.path.join(work, "close.lua")
    with open(close, "w") as f:
        f.write(CLOSE_LUA)
    ports = {"plain": free_port(), "tls": free_port(), "nginx": free_port()}
    servers = {"plain": start_modelwatch(binary, work, ports["plain"]),
               "tls": start_modelwatch(binary, work, ports["tls"], cert, key),
               "nginx": start_nginx(work, ports["nginx"], cert, key)}
    scheme = {"plain": "http", "tls": "https", "nginx": "https"}
    # nginx answers `/204` and `/post` (benchlib.start_nginx) where modelwatch answers these.
    health = {"plain": "/healthz", "tls": "/healthz", "nginx": "/204"}
    post = {"plain": "/v1/models/bench/predictions", "tls": "/v1/models/bench/predictions", "nginx": "/post"}
    cases = [("healthz", server, health[server], None) for server in ("plain", "tls", "nginx")] + \
            [("post", server, post[server], single) for server in ("plain", "tls", "nginx")] + \
            [("handshake", server, health[server], close) for server in ("tls", "nginx")]
    rates = {(kind, server): [] for kind, server, _, _ in cases}
    try:
        for r in range(args.rounds):
            for kind, server, path, script in cases:
                pid = servers[server].pid
                pids = [pid] + children(pid)  # nginx's worker does the work
                result = wrk("%s://127.0.0.1:%d%s" % (scheme[server], ports[server], path), 16, args.duration, pids, script)
                rates[(kind, server)].append(result["rps"])
                print("round %d %-9s %-6s %9.0f req/s  p99 %6.2f ms  server CPU %6.1f us/req  non-2xx %d %s" % (
                    r + 1, kind, server, result["rps"], result["p99_ms"], result["cpu_us"], result["non2xx"],
                    result["socket_errors"]), flush=True)
    finally:
        for proc in servers.values():
            stop(proc)
        shutil.rmtree(work, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in rates.items()}
    for kind in ("healthz", "post"):
        print("%-8s keep-alive, 16 connections, median of %d: plain %.0f, TLS %.0f (%.0f %% of plain; target 60 %%), "
              "nginx TLS %.0f req/s (modelwatch TLS at %.0f %% of it; target 50 %%)" % (
                  kind, args.rounds, med[(kind, "plain")], med[(kind, "tls")], 100 * med[(kind, "tls")] / med[(kind, "plain")],
                  med[(kind, "nginx")], 100 * med[(kind, "tls")] / med[(kind, "nginx")]))
    print("full handshakes (Connection: close), 16 connections: modelwatch %.0f/s, nginx %.0f/s (%.0f %%)" % (
        med[("handshake", "tls")], med[("handshake", "nginx")], 100 * med[("handshake", "tls")] / med[("handshake", "nginx")]))


if __name__ == "__main__":
    main()
