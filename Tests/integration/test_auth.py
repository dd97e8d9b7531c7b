# SPDX-License-Identifier: Apache-2.0
"""Access control (SPEC section 6) with real clients: bearer tokens, scopes and models, signed
bodies and replays, a body refused before it is read, token rotation on SIGHUP, the audit log,
the counters, and no token, secret or signature in any log line."""

import gzip
import hashlib
import hmac
import http.client
import json
import os
import signal
import socket
import subprocess
import time

import pytest

from conftest import BINARY, Daemon

TOKENS = {"ingest": "tok-ingest-6f1c9e2a", "reader": "tok-reader-0b77d3", "admin": "tok-admin-9911aa",
          "signer": "tok-signer-55e0c1", "rotated": "tok-reader-NEW-42aa"}
SECRET = b"s3cr3t-hmac-key-0123456789abcdef"


def sha(token):
    out = subprocess.run([BINARY, "hash-token", token], capture_output=True, text=True, check=True).stdout.strip()
    assert out == hashlib.sha256(token.encode()).hexdigest()  # the CLI hashes as SHA-256 hex
    return out


def config(tmp_path, reader_token="reader"):
    secret = tmp_path / "signer.hmac"
    secret.write_bytes(SECRET + b"\n")
    os.chmod(secret, 0o600)
    return """auth:
  tokens:
    - {principal: fraud-service, sha256: %s, scopes: [ingest], models: [fraud]}
    - {principal: prometheus, sha256: %s, scopes: [read]}
    - {principal: operator, sha256: %s, scopes: [admin, read]}
    - {principal: signed-service, sha256: %s, scopes: [ingest], hmac_secret_file: %s}
""" % (sha(TOKENS["ingest"]), sha(TOKENS[reader_token]), sha(TOKENS["admin"]), sha(TOKENS["signer"]), secret)


@pytest.fixture
def secured(tmp_path):
    d = Daemon(tmp_path, config=config(tmp_path))
    yield d, tmp_path
    d.stop()


def call(d, method, path, token=None, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + TOKENS[token]
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        payload = json.loads(data)
    except ValueError:
        payload = data.decode(errors="replace")
    return r.status, payload, r


def event(i):
    return json.dumps({"id": "e%d" % i, "features": {"amount": 10.0 + i}, "prediction": 1, "score": 0.5})


def signed(body, stamp=None, secret=SECRET):
    stamp = str(int(time.time())) if stamp is None else str(stamp)
    mac = hmac.new(secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"X-Modelwatch-Timestamp": stamp, "X-Modelwatch-Signature": "sha256=" + mac}


def test_open_routes_and_401s(secured):
    d, _ = secured
    assert call(d, "GET", "/healthz")[0] == 200 and call(d, "GET", "/readyz")[0] == 200
    status, body, r = call(d, "GET", "/metrics")
    assert status == 401 and body["error"]["code"] == "missing_token"
    assert r.getheader("WWW-Authenticate").startswith("Bearer")
    status, body, r = call(d, "GET", "/metrics", headers={"Authorization": "Bearer nope"})
    assert status == 401 and body["error"]["code"] == "invalid_token" and 'error="invalid_token"' in r.getheader("WWW-Authenticate")
    status, body, _ = call(d, "GET", "/metrics", headers={"Authorization": "Basic " + TOKENS["reader"]})
    assert status == 401 and body["error"]["code"] == "missing_token"
    # curl, as an operator would
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer " + TOKENS["reader"],
                          "http://127.0.0.1:%d/metrics" % d.port], capture_output=True, text=True).stdout
    assert out == "200"


def test_scopes_and_models(secured):
    d, _ = secured
    assert call(d, "POST", "/v1/models/fraud/predictions", "ingest", event(1))[0] == 202
    status, body, _ = call(d, "POST", "/v1/models/churn/predictions", "ingest", event(2))
    assert status == 403 and body["error"]["code"] == "forbidden_model" and "churn" in body["error"]["message"]
    status, body, _ = call(d, "GET", "/v1/models/fraud", "ingest")
    assert status == 403 and body["error"]["code"] == "forbidden_scope"
    status, body, _ = call(d, "GET", "/v1/models", "ingest")  # a model-limited token cannot list every model
    assert status == 403
    # a read token cannot write
    assert call(d, "POST", "/v1/models/fraud/labels", "reader", json.dumps({"id": "e1", "label": 1}))[0] == 403
    assert call(d, "PUT", "/v1/models/fraud", "reader", json.dumps({"task": "binary"}))[0] == 403
    assert call(d, "GET", "/v1/models/fraud", "reader")[0] == 200
    assert call(d, "PUT", "/v1/models/fraud", "admin", json.dumps({"task": "binary"}))[0] == 200
    assert call(d, "DELETE", "/v1/models/nothing", "admin")[0] == 404


def test_an_unauthenticated_large_body_is_refused_before_it_is_read(secured):
    d, _ = secured
    for auth in ("", "Authorization: Bearer %s\r\n" % TOKENS["reader"]):  # none, and a token without the scope
        s = socket.create_connection(("127.0.0.1", d.port), timeout=5)
        s.sendall(("POST /v1/models/fraud/predictions HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/x-ndjson\r\n"
                   "Content-Length: 16000000\r\n\r\n" % auth).encode() + b"x" * 1000)
        started = time.time()
        head = s.recv(4096).decode()
        assert head.startswith("HTTP/1.1 401" if not auth else "HTTP/1.1 403"), head
        assert "Connection: close" in head
        assert time.time() - started < 2  # answered at once, not after 16 MB or the request timeout
        s.settimeout(5)
        rest = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        s.close()


def test_signed_bodies_replays_and_skew(secured):
    d, _ = secured
    body = event(10).encode()
    h = signed(body)
    assert call(d, "POST", "/v1/models/any/predictions", "signer", body, h)[0] == 202
    status, reply, _ = call(d, "POST", "/v1/models/any/predictions", "signer", body, h)
    assert status == 401 and reply["error"]["code"] == "replayed_signature"
    for stamp in (int(time.time()) - 301, int(time.time()) + 400):
        status, reply, _ = call(d, "POST", "/v1/models/any/predictions", "signer", body, signed(body, stamp))
        assert status == 401 and reply["error"]["code"] == "stale_timestamp", stamp
    status, reply, _ = call(d, "POST", "/v1/models/any/predictions", "signer", body, signed(body, secret=b"wrong"))
    assert status == 401 and reply["error"]["code"] == "invalid_signature"
    status, reply, _ = call(d, "POST", "/v1/models/any/predictions", "signer", body)
    assert status == 401 and reply["error"]["code"] == "missing_signature"
    tampered = signed(body)
    assert call(d, "POST", "/v1/models/any/predictions", "signer", event(11).encode(), tampered)[0] == 401
    # the signature covers the body as sent: here gzip-compressed
    packed = gzip.compress(event(12).encode())
    status, reply, _ = call(d, "POST", "/v1/models/any/predictions", "signer", packed,
                            {**signed(packed), "Content-Encoding": "gzip"})
    assert status == 202 and reply["accepted"] == 1
    # unsigned principals are unaffected
    assert call(d, "POST", "/v1/models/fraud/predictions", "ingest", event(13))[0] == 202


def test_counters_audit_log_and_no_secrets_in_logs(secured):
    d, _ = secured
    call(d, "GET", "/metrics")
    call(d, "GET", "/metrics", headers={"Authorization": "Bearer " + TOKENS["ingest"] + "x"})
    call(d, "PUT", "/v1/models/m", "reader", json.dumps({"task": "binary"}))
    body = event(20).encode()
    h = signed(body)
    call(d, "POST", "/v1/models/m/predictions", "signer", body, h)
    call(d, "POST", "/v1/models/m/predictions", "signer", body, h)
    assert call(d, "PUT", "/v1/models/m", "admin", json.dumps({"task": "binary"}))[0] in (200, 201)
    _, text, _ = call(d, "GET", "/metrics", "reader")
    lines = text.splitlines()
    for reason in ("missing_token", "invalid_token", "forbidden_scope", "replayed_signature"):
        assert 'modelwatch_auth_failures_total{reason="%s"} 1' % reason in lines, reason
    assert 'modelwatch_auth_requests_total{principal="signed-service",scope="ingest"} 2' in lines
    assert any(l.startswith('modelwatch_auth_requests_total{principal="prometheus",scope="read"}') for l in lines)
    d.stop()
    log = d.proc.stderr.read().decode()
    audits = [l for l in log.splitlines() if "audit" in l]
    assert any("principal=operator" in l and "action=put" in l and "model=m" in l and "client=127.0.0.1:" in l for l in audits), audits
    assert any("outcome=refused: forbidden_scope" in l and "principal=prometheus" in l for l in audits), audits
    assert any("outcome=refused: missing_token" in l for l in audits)
    for secret in list(TOKENS.values()) + [SECRET.decode(), h["X-Modelwatch-Signature"][7:]]:
        assert secret not in log, "a secret reached the log"


def test_sighup_rotates_a_token_without_dropping_connections(tmp_path):
    path = tmp_path / "modelwatch.yaml"
    d = Daemon(tmp_path, config=config(tmp_path))
    try:
        keep = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
        keep.request("GET", "/metrics", headers={"Authorization": "Bearer " + TOKENS["reader"]})
        assert keep.getresponse().read() and True
        path.write_text(config(tmp_path, reader_token="rotated"))
        d.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 5
        while time.time() < deadline and call(d, "GET", "/metrics", "reader")[0] != 401:
            time.sleep(0.05)
        assert call(d, "GET", "/metrics", "reader")[0] == 401
        assert call(d, "GET", "/metrics", "rotated")[0] == 200
        # the connection opened before the rotation is still served (with the new token)
        keep.request("GET", "/metrics", headers={"Authorization": "Bearer " + TOKENS["rotated"]})
        assert keep.getresponse().status == 200
        # a bad new file (a world-readable secret) is refused and the tokens in force stay
        path.write_text(config(tmp_path, reader_token="reader"))
        os.chmod(tmp_path / "signer.hmac", 0o644)  # config() wrote the secret again, mode 600
        d.proc.send_signal(signal.SIGHUP)
        time.sleep(1.0)  # the reload is logged; the log is read once the daemon has stopped
        assert call(d, "GET", "/metrics", "rotated")[0] == 200
    finally:
        d.stop()
    assert "auth.tokens refused" in d.proc.stderr.read().decode()


def test_start_refuses_exposed_or_missing_secret_files(tmp_path):
    text = config(tmp_path)
    os.chmod(tmp_path / "signer.hmac", 0o644)
    path = tmp_path / "c.yaml"
    path.write_text(text)
    r = subprocess.run([BINARY, "serve", "--config", str(path), "--listen", "127.0.0.1:0", "--data-dir", str(tmp_path / "d")],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 1 and "signer.hmac" in r.stderr and "chmod 600" in r.stderr
    path.write_text(text.replace(str(tmp_path / "signer.hmac"), str(tmp_path / "missing.hmac")))
    r = subprocess.run([BINARY, "serve", "--config", str(path), "--listen", "127.0.0.1:0", "--data-dir", str(tmp_path / "d")],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 1 and "missing.hmac" in r.stderr


def test_the_examples_sign_and_send(secured):
    d, tmp_path = secured
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, MODELWATCH_TOKEN=TOKENS["signer"])
    secret = str(tmp_path / "signer.hmac")
    r = subprocess.run(["python3", os.path.join(repo, "examples", "send_events.py"), "--url", d.base, "--model", "ex",
                        "--secret-file", secret, "--gzip", "--count", "8"], capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "'accepted': 8" in r.stdout
    r = subprocess.run(["bash", os.path.join(repo, "examples", "send_events.sh"), d.base, "ex", secret],
                       capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0 and '"accepted":1' in r.stdout.replace(" ", ""), r.stdout + r.stderr
    _, text, _ = call(d, "GET", "/metrics", "reader")
    assert 'modelwatch_predictions_total{model="ex",version="default"} 9' in text
    # without the signature the same principal is refused
    r = subprocess.run(["bash", os.path.join(repo, "examples", "send_events.sh"), d.base, "ex"],
                       capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode != 0 and "missing_signature" in r.stdout
