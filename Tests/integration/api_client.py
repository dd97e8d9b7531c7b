# SPDX-License-Identifier: Apache-2.0
"""A small JSON client over http.client (keep-alive), and a Prometheus text parser."""

import gzip
import http.client
import json
import re


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)

    def request(self, method, path, body=None, headers=None, raw=False):
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        self.conn.request(method, path, body=body, headers=headers or {})
        r = self.conn.getresponse()
        data = r.read()
        if raw:
            return r.status, r, data
        return r.status, (json.loads(data) if data and r.getheader("Content-Type", "").startswith("application/json") else data)

    def post(self, path, body, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=b"", **kw):
        return self.request("PUT", path, body, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def metrics(self):
        status, text = self.get("/metrics")
        assert status == 200
        return parse_metrics(text.decode())


def gz(text):
    return gzip.compress(text.encode() if isinstance(text, str) else text)


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """{(name, frozenset(labels.items())): value}"""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, line
        labels = frozenset(LABEL.findall(m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def value(metrics, name, **labels):
    """The sample with exactly these labels, or None."""
    return metrics.get((name, frozenset(labels.items())))


def series(metrics, name, **labels):
    """Every sample of `name` whose labels include these, as {frozenset: value}."""
    want = set(labels.items())
    return {k[1]: v for k, v in metrics.items() if k[0] == name and want <= set(k[1])}


def ndjson(items):
    """Items as an NDJSON body."""
    return "\n".join(json.dumps(i) for i in items)


def sample(text, family, **labels):
    """In exposition `text`, the value of the first sample of `family` whose labels include
    `labels` (None if none)."""
    for line in text.splitlines():
        if line.startswith(family + "{") and all('%s="%s"' % kv in line for kv in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None
