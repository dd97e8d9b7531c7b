#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""What access control costs (issue 12's budget: auth and HMAC under 10 % of the single-event
POST rate), in one run against the release binary:

    python3 Benchmarks/auth_bench.py [--skip-build] [--rounds 3] [--duration 4]

Single-event POSTs on 16 keep-alive connections (wrk), alternating per round between a daemon
without tokens, one that checks a bearer token with the ingest scope, and one whose principal
also signs every body (HMAC-SHA256 over timestamp + "." + body; each request has its own body
and signature, generated before the run, so no replay is refused).
"""

import argparse
import hashlib
import hmac
import json
import os
import shutil
import statistics
import tempfile
import time

from benchlib import ensure_tools, release_binary, free_port, start_modelwatch, stop, wrk

TOKEN = "bench-token-1f2e3d4c"
SECRET = b"bench-hmac-secret-0123456789"

SIGNED_LUA = """
-- Every request is formatted once, before the run: request() only hands out the next one, so
-- the client does the same (little) work whatever the headers.
local signed = %s
local requests = {}
for line in io.lines("%s") do
  local stamp, signature, body = line:match("([^\t]*)\t([^\t]*)\t(.*)")
  local headers = {["Host"] = "127.0.0.1", ["Content-Type"] = "application/json", ["Authorization"] = "Bearer %s"}
  if signed then
    headers["X-Modelwatch-Timestamp"] = stamp
    headers["X-Modelwatch-Signature"] = "sha256=" .. signature
  end
  requests[#requests + 1] = wrk.format("POST", "/v1/models/m/predictions", headers, body)
end
local i = 0
request = function()
  i = i %% #requests + 1
  return requests[i]
end
"""


def write_requests(path, count, sign):
    stamp = str(int(time.time()))
    with open(path, "w") as f:
        for i in range(count):
            body = json.dumps({"id": "b%d-%d" % (os.getpid(), i), "features": {"amount": 10.0 + i % 100, "country": "ES"},
                               "prediction": 1, "score": 0.5}, separators=(",", ":"))
            mac = hmac.new(SECRET, (stamp + "." + body).encode(), hashlib.sha256).hexdigest() if sign else ""
            f.write("%s\t%s\t%s\n" % (stamp, mac, body))


def run(binary, mode, duration, work):
    port = free_port()
    config = None
    if mode != "open":
        secret = os.path.join(work, "secret.hmac")
        with open(secret, "wb") as f:
            f.write(SECRET)
        os.chmod(secret, 0o600)
        config = "auth:\n  tokens:\n    - {principal: bench, sha256: %s, scopes: [ingest]%s}\n" % (
            hashlib.sha256(TOKEN.encode()).hexdigest(), ", hmac_secret_file: %s" % secret if mode == "hmac" else "")
    mw = start_modelwatch(binary, work, port, config=config)
    try:
        requests = os.path.join(work, "requests.tsv")
        # The same signed requests in every mode (the client's work and memory alike); only the
        # hmac mode sends the signature headers.
        write_requests(requests, 320_000, sign=True)
        lua = os.path.join(work, "signed.lua")
        with open(lua, "w") as f:
            f.write(SIGNED_LUA % ("true" if mode == "hmac" else "false", requests, TOKEN))
        r = wrk("http://127.0.0.1:%d/v1/models/m/predictions" % port, 16, duration, [mw.pid], lua)
        return r
    finally:
        stop(mw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=4)
    args = ap.parse_args()
    ensure_tools()
    binary = release_binary(args.skip_build)
    modes = ["open", "token", "hmac"]
    rates = {m: [] for m in modes}
    for r in range(args.rounds):
        for mode in modes:
            work = tempfile.mkdtemp(prefix="mw-auth-")
            try:
                result = run(binary, mode, args.duration, work)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            rates[mode].append(result["rps"])
            print("round %d %-5s %8.0f req/s  p99 %.2f ms  server CPU %.1f us/req  non-2xx %d" % (
                r + 1, mode, result["rps"], result["p99_ms"], result["cpu_us"], result["non2xx"]), flush=True)
    med = {m: statistics.median(v) for m, v in rates.items()}
    print("single-event POSTs, 16 connections, median of %d rounds: no auth %.0f, bearer token %.0f (%.1f %%), "
          "token + HMAC %.0f req/s (%.1f %%)" % (args.rounds, med["open"], med["token"], 100 * med["token"] / med["open"],
                                                 med["hmac"], 100 * med["hmac"] / med["open"]))


if __name__ == "__main__":
    main()
