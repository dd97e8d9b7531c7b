# SPDX-License-Identifier: Apache-2.0
"""TLS (SPEC section 6) with real clients: curl --cacert, Python's ssl + http.client, and
openssl s_client for the protocol versions; client certificates naming the principal; stalled
and garbage handshakes that must not hold the event loop; decrypted bytes OpenSSL buffered
that no readiness event announces; certificate rotation on SIGHUP without dropping connections;
the start-up refusals that name the file."""

import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time

import pytest

from conftest import BINARY, Daemon, free_port



TOKEN = "tok-tls-ingest-77c1"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class PKI:
    """A CA, a server certificate for localhost/127.0.0.1, and client certificates."""

    def __init__(self, root):
        self.root = root
        root.mkdir(exist_ok=True)
        self.ca = self.make_ca("ca", "modelwatch test CA")
        self.other_ca = self.make_ca("other-ca", "some other CA")
        self.server_cert, self.server_key = self.issue("server", "localhost", "O=first", server=True)

    def path(self, name):
        return str(self.root / name)

    def make_ca(self, name, cn):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".crt", "-days", "30", "-subj", "/CN=" + cn, cwd=self.root)
        return self.path(name + ".crt")

    def issue(self, name, cn, extra="", server=False, ca="ca"):
        subject = "/CN=%s" % cn + ("/" + extra if extra else "")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", subject, cwd=self.root)
        ext = self.root / (name + ".ext")
        ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n" if server else "extendedKeyUsage=clientAuth\n")
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "30", "-extfile", name + ".ext", cwd=self.root)
        os.chmod(self.path(name + ".key"), 0o600)
        return self.path(name + ".crt"), self.path(name + ".key")

    def client_context(self, cert=None, key=None):
        context = ssl.create_default_context(cafile=self.ca)
        if cert:
            context.load_cert_chain(cert, key)
        return context


def tls_config(pki, client_ca=False, tokens=True, request_timeout=None):
    text = "tls:\n  cert_file: %s\n  key_file: %s\n" % (pki.server_cert, pki.server_key)
    if client_ca:
        text += "  client_ca_file: %s\n" % pki.ca
    if tokens:
        import hashlib
        text += "auth:\n  tokens:\n"
        text += "    - {principal: tls-service, sha256: %s, scopes: [ingest, read]}\n" % hashlib.sha256(TOKEN.encode()).hexdigest()
        if client_ca:
            # No sha256: only a client certificate with this common name authenticates it.
            text += "    - {principal: fraud-service, scopes: [ingest], models: [fraud]}\n"
    if request_timeout:
        text += "limits: {request_timeout: %s}\n" % request_timeout
    return text


@pytest.fixture
def pki(tmp_path):
    return PKI(tmp_path / "pki")


@pytest.fixture
def tls_daemon(tmp_path, pki):
    d = Daemon(tmp_path, config=tls_config(pki, request_timeout="2s"), tls=pki.client_context())
    yield d
    d.stop()


def https(d, context=None, host="localhost"):
    return http.client.HTTPSConnection(host, d.port, context=context or d.tls, timeout=10)


def request(conn, method, path, body=None, token=TOKEN):
    headers = {"Authorization": "Bearer " + token} if token else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    return r.status, r.read()


def metric(d, name):
    conn = https(d)
    status, body = request(conn, "GET", "/metrics")
    conn.close()
    for line in body.decode().splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            if line.split(" ")[0] == name:
                return float(line.split(" ")[1])
    return None


def handshakes(d, result):
    return metric(d, 'modelwatch_tls_handshakes_total{result="%s"}' % result)


def test_curl_with_cacert(tls_daemon, pki):
    d = tls_daemon
    r = subprocess.run(["curl", "-sS", "--cacert", pki.ca, "https://localhost:%d/healthz" % d.port],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
    event = json.dumps({"id": "c1", "features": {"x": 1.5}, "prediction": 1, "score": 0.7})
    r = subprocess.run(["curl", "-sS", "--cacert", pki.ca, "-H", "Authorization: Bearer " + TOKEN,
                        "-H", "Content-Type: application/json", "--data-binary", event,
                        "https://localhost:%d/v1/models/fraud/predictions" % d.port],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 0 and '"accepted":1' in r.stdout.replace(" ", ""), r.stdout + r.stderr
    # Without the CA, curl refuses the self-made chain: the certificate really is verified.
    r = subprocess.run(["curl", "-sS", "https://localhost:%d/healthz" % d.port], capture_output=True, text=True, timeout=10)
    assert r.returncode == 60, r.stderr
    # Plain HTTP on the TLS port is not served.
    r = subprocess.run(["curl", "-sS", "http://127.0.0.1:%d/healthz" % d.port], capture_output=True, text=True, timeout=10)
    assert r.returncode != 0


def test_python_ssl_keep_alive_and_pipelining(tls_daemon):
    d = tls_daemon
    conn = https(d)
    for i in range(50):
        body = json.dumps({"id": "p%d" % i, "features": {"x": i}, "prediction": i % 2, "score": 0.5})
        status, data = request(conn, "POST", "/v1/models/fraud/predictions", body)
        assert status == 202, data
    assert conn.sock.version() in ("TLSv1.2", "TLSv1.3")
    status, data = request(conn, "GET", "/v1/models/fraud")
    assert status == 200 and json.loads(data)["model"] == "fraud"
    conn.close()
    assert handshakes(d, "completed") >= 1
    # Eight pipelined requests in one TLS write, answered in order on one connection.
    raw = d.tls.wrap_socket(socket.create_connection(("127.0.0.1", d.port)), server_hostname="localhost")
    raw.sendall(b"".join(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n" for _ in range(8)))
    received = b""
    raw.settimeout(5)
    while received.count(b"HTTP/1.1 200") < 8:
        chunk = raw.recv(65536)
        assert chunk, received
        received += chunk
    raw.close()


def test_bytes_openssl_already_decrypted_are_served_without_another_readiness_event(tls_daemon):
    """The body of a POST and two pipelined requests arrive in one TLS record after the head.
    The server reads exactly the body's length into the request (the rest of the record stays
    decrypted inside OpenSSL, the socket is empty): the two requests behind it must be answered
    without the client sending anything more."""
    d = tls_daemon
    raw = d.tls.wrap_socket(socket.create_connection(("127.0.0.1", d.port)), server_hostname="localhost")
    body = json.dumps({"id": "buffered", "features": {"x": 1}, "prediction": 1, "score": 0.9}).encode()
    raw.sendall(b"POST /v1/models/fraud/predictions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer %s\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (TOKEN.encode(), len(body)))
    time.sleep(0.3)  # the head is parsed; the server waits for the body
    raw.sendall(body + b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n" * 2)
    raw.settimeout(5)
    received = b""
    while received.count(b"HTTP/1.1 ") < 3:
        chunk = raw.recv(65536)
        assert chunk, received
        received += chunk
    assert received.startswith(b"HTTP/1.1 202") and received.count(b"HTTP/1.1 200") == 2
    raw.close()


@pytest.mark.parametrize("flag,accepted", [("-tls1", False), ("-tls1_1", False), ("-tls1_2", True), ("-tls1_3", True)])
def test_protocol_versions(tls_daemon, pki, flag, accepted):
    d = tls_daemon
    # SECLEVEL=0 lets this client offer TLS 1.0/1.1 at all: the refusal must be the server's.
    args = ["openssl", "s_client", "-connect", "127.0.0.1:%d" % d.port, flag, "-CAfile", pki.ca, "-servername", "localhost", "-ign_eof"]
    if not accepted:
        args += ["-cipher", "DEFAULT@SECLEVEL=0"]
    before = handshakes(d, "failed")
    r = subprocess.run(args, input=b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                       capture_output=True, timeout=15)
    out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    if accepted:
        version = {"-tls1_2": "TLSv1.2", "-tls1_3": "TLSv1.3"}[flag]
        assert "Protocol  : " + version in out or "Protocol: " + version in out or ", " + version + "," in out, out
        assert "HTTP/1.1 200" in out, out
    else:
        assert r.returncode != 0 and "HTTP/1.1" not in out, out
        assert "alert protocol version" in out or "no protocols available" in out, out
        assert handshakes(d, "failed") == before + 1


def test_client_certificates_name_the_principal(tmp_path, pki):
    fraud_cert, fraud_key = pki.issue("fraud", "fraud-service")
    stranger_cert, stranger_key = pki.issue("stranger", "fraud-service", ca="other-ca")
    d = Daemon(tmp_path, config=tls_config(pki, client_ca=True), tls=pki.client_context(fraud_cert, fraud_key))
    try:
        event = json.dumps({"id": "m1", "features": {"x": 1}, "prediction": 1, "score": 0.8})
        # The certificate's common name is the principal: no bearer token needed, its models hold.
        conn = https(d)
        assert request(conn, "POST", "/v1/models/fraud/predictions", event, token=None)[0] == 202
        status, data = request(conn, "POST", "/v1/models/churn/predictions", event, token=None)
        assert status == 403 and b"forbidden_model" in data
        assert request(conn, "GET", "/v1/models", token=None)[0] == 403  # no read scope
        # A bearer token on the same connection speaks for its own principal.
        assert request(conn, "GET", "/v1/models")[0] == 200
        conn.close()
        # No client certificate, or one from another CA: the handshake is refused.
        for context in (pki.client_context(), pki.client_context(stranger_cert, stranger_key)):
            conn = https(d, context=context)
            with pytest.raises((ssl.SSLError, ConnectionError, http.client.RemoteDisconnected)):
                request(conn, "GET", "/healthz")
            conn.close()
        r = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % d.port, "-CAfile", pki.ca,
                            "-cert", fraud_cert, "-key", fraud_key, "-servername", "localhost", "-ign_eof"],
                           input=b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                           capture_output=True, timeout=15)
        assert b"HTTP/1.1 200" in r.stdout, r.stdout + r.stderr
        assert handshakes(d, "failed") >= 2
    finally:
        d.stop()


def test_stalled_and_garbage_handshakes_do_not_block_other_clients(tmp_path, pki):
    # 20 stalled handshakes cover every event loop: one that held its loop would stall clients.
    d = Daemon(tmp_path, config=tls_config(pki, request_timeout="2s"), tls=pki.client_context())
    try:
        stalled = [socket.create_connection(("127.0.0.1", d.port)) for _ in range(20)]
        # Half a ClientHello: the record header promises 512 bytes, 5 arrive.
        partial = socket.create_connection(("127.0.0.1", d.port))
        partial.sendall(b"\x16\x03\x01\x02\x00")
        garbage = socket.create_connection(("127.0.0.1", d.port))
        garbage.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + os.urandom(2000))
        started = time.monotonic()
        conn = https(d)
        for _ in range(20):
            t = time.monotonic()
            assert request(conn, "GET", "/healthz", token=None)[0] == 200
            assert time.monotonic() - t < 0.5
        conn.close()
        # Garbage is refused at once.
        garbage.settimeout(3)
        data = b""
        try:
            while True:
                chunk = garbage.recv(4096)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
        assert time.monotonic() - started < 2
        # The stalled ones get the request timeout (2 s here, 10 s by default) and are closed.
        for s in stalled + [partial]:
            s.settimeout(6)
            try:
                assert s.recv(4096) == b""
            except ConnectionResetError:
                pass
        elapsed = time.monotonic() - started
        assert 1.5 < elapsed < 5.5, elapsed
        assert handshakes(d, "timeout") >= 21
        assert handshakes(d, "failed") >= 1
    finally:
        d.stop()


def test_sighup_rotates_the_certificate_without_dropping_connections(tmp_path, pki):
    d = Daemon(tmp_path, config=tls_config(pki), tls=pki.client_context())
    try:
        old = https(d)
        assert request(old, "GET", "/healthz", token=None)[0] == 200
        assert dict(x[0] for x in old.sock.getpeercert()["subject"])["organizationName"] == "first"
        # Rotate: a new certificate and key in the same files.
        pki.issue("server", "localhost", "O=second", server=True)
        os.kill(d.proc.pid, signal.SIGHUP)
        deadline = time.time() + 5
        while time.time() < deadline:
            fresh = https(d)
            assert request(fresh, "GET", "/healthz", token=None)[0] == 200
            org = dict(x[0] for x in fresh.sock.getpeercert()["subject"])["organizationName"]
            fresh.close()
            if org == "second":
                break
            time.sleep(0.1)
        assert org == "second"
        # The connection opened before the rotation is still served.
        assert request(old, "GET", "/healthz", token=None)[0] == 200
        # A bad rotation (a key that is not the certificate's) is refused; the second stays.
        shutil.copy(pki.path("ca.key"), pki.server_key)
        os.chmod(pki.server_key, 0o600)
        os.kill(d.proc.pid, signal.SIGHUP)
        time.sleep(1)
        fresh = https(d)
        assert request(fresh, "GET", "/healthz", token=None)[0] == 200
        assert dict(x[0] for x in fresh.sock.getpeercert()["subject"])["organizationName"] == "second"
        fresh.close()
        assert request(old, "GET", "/healthz", token=None)[0] == 200
        old.close()
    finally:
        d.stop()
    log = d.proc.stderr.read().decode()
    assert "TLS certificate reloaded" in log
    assert "tls refused" in log and pki.server_key in log
    key_material = open(pki.path("ca.key")).read().splitlines()[1]
    assert key_material not in log and TOKEN not in log


def start_refused(tmp_path, config_text):
    path = tmp_path / "refused.yaml"
    path.write_text(config_text)
    return subprocess.run([BINARY, "serve", "--config", str(path), "--listen", "127.0.0.1:%d" % free_port(),
                           "--data-dir", str(tmp_path / "data")], capture_output=True, text=True, timeout=10)


def test_start_refuses_bad_certificate_files_naming_them(tmp_path, pki):
    # A key that is not the certificate's.
    text = tls_config(pki).replace(pki.server_key, pki.path("ca.key"))
    os.chmod(pki.path("ca.key"), 0o600)
    r = start_refused(tmp_path, text)
    assert r.returncode != 0 and "ca.key" in r.stderr and "not the private key" in r.stderr, r.stderr
    # A key readable by every user.
    os.chmod(pki.server_key, 0o644)
    r = start_refused(tmp_path, tls_config(pki))
    assert r.returncode != 0 and pki.server_key in r.stderr and "chmod 600" in r.stderr, r.stderr
    os.chmod(pki.server_key, 0o600)
    # A certificate file that is missing, and one that is not PEM.
    r = start_refused(tmp_path, tls_config(pki).replace(pki.server_cert, pki.path("missing.crt")))
    assert r.returncode != 0 and "missing.crt" in r.stderr, r.stderr
    (tmp_path / "junk.crt").write_text("not a certificate\n")
    r = start_refused(tmp_path, tls_config(pki).replace(pki.server_cert, str(tmp_path / "junk.crt")))
    assert r.returncode != 0 and "junk.crt" in r.stderr and "cert_file" in r.stderr, r.stderr
    # A principal without sha256 needs client certificates.
    text = tls_config(pki) + "    - {principal: cert-only, scopes: [read]}\n"
    r = start_refused(tmp_path, text)
    assert r.returncode != 0 and "cert-only" in r.stderr and "client_ca_file" in r.stderr, r.stderr


def test_the_examples_send_over_tls(tmp_path, pki):
    import hashlib
    secret = tmp_path / "signer.hmac"
    secret.write_bytes(b"tls-example-secret-0123456789\n")
    os.chmod(secret, 0o600)
    config = tls_config(pki) + "    - {principal: signer, sha256: %s, scopes: [ingest], hmac_secret_file: %s}\n" % (
        hashlib.sha256(b"tok-signer-tls").hexdigest(), secret)
    d = Daemon(tmp_path, config=config, tls=pki.client_context())
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    env = dict(os.environ, MODELWATCH_TOKEN="tok-signer-tls")
    base = "https://localhost:%d" % d.port
    try:
        r = subprocess.run(["python3", os.path.join(repo, "examples", "send_events.py"), "--url", base, "--model", "ex",
                            "--secret-file", str(secret), "--cacert", pki.ca],
                           capture_output=True, text=True, env=env, timeout=30)
        assert r.returncode == 0, r.stdout + r.stderr
        r = subprocess.run(["bash", os.path.join(repo, "examples", "send_events.sh"), base, "ex", str(secret), pki.ca],
                           capture_output=True, text=True, env=env, timeout=30)
        assert r.returncode == 0 and '"accepted":1' in r.stdout.replace(" ", ""), r.stdout + r.stderr
    finally:
        d.stop()


def test_prometheus_scrapes_over_tls_with_the_documented_settings(tmp_path, pki):
    """The commented auth and TLS blocks of prometheus/prometheus.yml, uncommented and pointed at
    this run's files, make a real Prometheus scrape the daemon (client certificate, read token)."""
    import hashlib
    import re
    import yaml
    from monitoring import prometheus

    prom_cert, prom_key = pki.issue("prometheus", "prometheus")
    read_token = "tok-prometheus-read-31"
    config = tls_config(pki, client_ca=True) + "    - {principal: prometheus, sha256: %s, scopes: [read]}\n" % (
        hashlib.sha256(read_token.encode()).hexdigest())
    d = Daemon(tmp_path, config=config, tls=pki.client_context(prom_cert, prom_key))
    token_file = tmp_path / "read.token"
    token_file.write_text(read_token + "\n")
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    text = open(os.path.join(repo, "prometheus", "prometheus.yml")).read()
    # Uncomment the documented blocks (both levels of '#'), then point them at this run.
    lines = []
    for line in text.splitlines():
        m = re.match(r"^    # (?:# )?((?:authorization|  type|  credentials_file|scheme|tls_config|  ca_file|  server_name|"
                     r"  cert_file|  key_file)\b.*)$", line)
        lines.append("    " + m.group(1) if m else line)
    settings = yaml.safe_load("\n".join(lines))
    job = next(j for j in settings["scrape_configs"] if j["job_name"] == "model_metrics")
    assert job["scheme"] == "https" and job["authorization"]["type"] == "Bearer"
    job["authorization"]["credentials_file"] = str(token_file)
    job["tls_config"].update({"ca_file": pki.ca, "server_name": "localhost", "cert_file": prom_cert, "key_file": prom_key})
    job["static_configs"] = [{"targets": ["127.0.0.1:%d" % d.port]}]
    job["scrape_interval"] = "1s"
    settings["scrape_configs"] = [job]
    settings.pop("rule_files", None)
    settings.pop("alerting", None)
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(settings))
    prom = prometheus(str(path), str(tmp_path))
    try:
        deadline = time.time() + 20
        up = None
        while time.time() < deadline:
            result = prom.get("/api/v1/query", query='up{job="model_metrics"}')["data"]["result"]
            up = result[0]["value"][1] if result else None
            if up == "1":
                break
            time.sleep(0.5)
        targets = prom.get("/api/v1/targets")["data"]["activeTargets"]
        assert up == "1", targets
        result = prom.get("/api/v1/query", query='modelwatch_tls_handshakes_total{result="completed"}')["data"]["result"]
        assert result and float(result[0]["value"][1]) >= 1
    finally:
        prom.stop()
        d.stop()
