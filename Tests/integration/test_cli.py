# SPDX-License-Identifier: Apache-2.0
"""The command line as a user runs it: check-config, hash-token, version, defaults, signals."""

import hashlib
import os
import signal
import subprocess
import time
import urllib.request

from conftest import BINARY, REPO, free_port, wait_healthy


def run(*args, **kw):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=30, **kw)


def test_version():
    r = run("version")
    assert r.returncode == 0
    assert r.stdout.startswith("modelwatch ")


def test_hash_token_matches_hashlib():
    token = "s3cret-token-for-fraud-service"
    r = run("hash-token", token)
    assert r.returncode == 0
    assert r.stdout.strip() == hashlib.sha256(token.encode()).hexdigest()


def test_hash_token_rejects_short_tokens():
    r = run("hash-token", "short")
    assert r.returncode != 0
    assert "16 characters" in r.stderr


def test_check_config_accepts_the_documented_example():
    r = run("check-config", "--config", os.path.join(REPO, "config", "modelwatch.yaml"))
    assert r.returncode == 0, r.stderr
    assert 'listen: "127.0.0.1:9464"' in r.stdout
    assert "max_body_bytes: 16777216" in r.stdout


def test_check_config_names_unknown_key_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("listen: \"127.0.0.1:9464\"\nlimits:\n  max_body_bytes: 1048576\n  max_bodie_bytes: 3\n")
    r = run("check-config", "--config", str(bad))
    assert r.returncode == 1
    assert "limits.max_bodie_bytes" in r.stderr
    assert "line 4" in r.stderr


def test_check_config_names_bad_value(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("models:\n  fraud:\n    task: ranking\n")
    r = run("check-config", "--config", str(bad))
    assert r.returncode == 1
    assert "models.fraud.task" in r.stderr and "line 3" in r.stderr
    assert "binary, multiclass, regression" in r.stderr


def test_check_config_refuses_open_listener_without_auth(tmp_path):
    bad = tmp_path / "open.yaml"
    bad.write_text('listen: "0.0.0.0:9464"\n')
    r = run("check-config", "--config", str(bad))
    assert r.returncode == 1
    assert "auth" in r.stderr


def test_no_subcommand_serves_with_defaults(tmp_path):
    """`modelwatch` alone listens on 127.0.0.1:9464 and creates ./data."""
    proc = subprocess.Popen([BINARY], cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_healthy(9464, proc)
        assert (tmp_path / "data").is_dir()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=6) == 0
    log = proc.stderr.read().decode()
    assert "address=127.0.0.1:9464" in log


def test_flags_override_the_config_file(make_daemon):
    d = make_daemon(config='listen: "127.0.0.1:1"\nlog_level: debug\n')
    with urllib.request.urlopen(d.base + "/healthz", timeout=2) as r:
        assert r.status == 200


def test_sigterm_finishes_and_exits_zero_quickly(tmp_path):
    port = free_port()
    proc = subprocess.Popen([BINARY, "serve", "--listen", "127.0.0.1:%d" % port, "--data-dir", str(tmp_path / "d")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_healthy(port, proc)
    # An idle keep-alive connection must not hold the shutdown up.
    import socket
    idle = socket.create_connection(("127.0.0.1", port))
    idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    idle.recv(1000)
    started = time.time()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=6) == 0
    assert time.time() - started < 5
    assert idle.recv(1000) == b""  # closed by the server
    err = proc.stderr.read().decode()
    assert "modelwatch listening" in err and "stopped" in err


def test_bad_listen_flag_is_a_clear_error(tmp_path):
    r = run("serve", "--listen", "nowhere", "--data-dir", str(tmp_path / "d"))
    assert r.returncode == 2
    assert "--listen" in r.stderr and "HOST:PORT" in r.stderr


def test_deploy_compose_config_is_valid():
    r = run("check-config", "--config", os.path.join(REPO, "deploy", "modelwatch.compose.yaml"))
    assert r.returncode == 0, r.stderr


def test_serve_refuses_tls_files_it_cannot_read_naming_them(tmp_path):
    cfg = tmp_path / "tls.yaml"
    cfg.write_text("tls:\n  cert_file: /etc/modelwatch/missing.crt\n  key_file: /etc/modelwatch/missing.key\n")
    assert run("check-config", "--config", str(cfg)).returncode == 0  # valid syntax
    r = run("serve", "--config", str(cfg), "--listen", "127.0.0.1:0", "--data-dir", str(tmp_path / "d"))
    assert r.returncode == 1
    assert "tls.cert_file /etc/modelwatch/missing.crt cannot be read" in r.stderr, r.stderr


def test_demo_sends_predictions_and_labels_that_become_metrics(daemon):
    r = subprocess.run([BINARY, "demo", "--target", daemon.base, "--rate", "400", "--duration", "4",
                        "--label-delay", "0.3", "--prefix", "demo-"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "predictions" in r.stdout
    lines = urllib.request.urlopen(daemon.base + "/metrics", timeout=5).read().decode().splitlines()

    def has(prefix):
        return any(l.startswith(prefix) for l in lines)
    # three models, each with its task's metrics and its reference's drift statistics
    for model in ("demo-fraud", "demo-churn", "demo-demand"):
        total = [l for l in lines if l.startswith('modelwatch_predictions_total{model="%s"' % model)]
        assert total and float(total[0].split()[-1]) >= 500, model
        assert has('modelwatch_reference_rows{model="%s"} 2000' % model), model
    assert has('modelwatch_accuracy{model="demo-fraud"') and has('modelwatch_roc_auc{model="demo-fraud"')
    assert has('modelwatch_accuracy{model="demo-churn"') and has('modelwatch_roc_auc{model="demo-churn"')
    assert has('modelwatch_recall{class="leave",model="demo-churn"')
    assert has('modelwatch_mae{model="demo-demand"') and has('modelwatch_rmse{model="demo-demand"')
    assert has('modelwatch_alert_threshold{metric="accuracy",model="demo-churn"} 0.7')
    for model, features in (("demo-fraud", ("amount", "country", "age", "is_new")),
                            ("demo-churn", ("tenure_months", "plan", "support_calls", "monthly_spend")),
                            ("demo-demand", ("store", "temperature", "promo", "price"))):
        for feature in features:
            assert has('modelwatch_drift_score{feature="%s",method="psi",model="%s"' % (feature, model)), (model, feature)
        assert any(l.startswith('modelwatch_label_drift_score{method=') and 'model="%s"' % model in l for l in lines), model


def test_demo_refuses_a_bad_target():
    r = subprocess.run([BINARY, "demo", "--target", "https://example.com"], capture_output=True, text=True, timeout=10)
    assert r.returncode != 0 and "--target" in r.stderr


def test_demo_refuses_an_unknown_model():
    r = subprocess.run([BINARY, "demo", "--models", "fraud,spam"], capture_output=True, text=True, timeout=10)
    assert r.returncode != 0 and "unknown model 'spam'" in r.stderr
