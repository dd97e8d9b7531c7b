#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Send predictions and labels to modelwatch with a bearer token and signed bodies, with the
standard library only.

    MODELWATCH_TOKEN=... python3 examples/send_events.py --url http://127.0.0.1:9464 --model fraud \\
        [--secret-file fraud.hmac] [--cacert ca.crt] [--gzip]

Each body is signed as SPEC section 6 says: HMAC-SHA256 over `timestamp + "." + body`, the body
exactly as sent (after gzip when --gzip), in `X-Modelwatch-Timestamp` and
`X-Modelwatch-Signature: sha256=<hex>`; a fresh timestamp and signature per request (the daemon
accepts each signature once, within ±300 s). With an https URL, --cacert names the CA that
signed the daemon's certificate (TLS is verified; pass a client certificate with --cert/--key
when the daemon asks for one).
"""

import argparse
import gzip
import hashlib
import hmac
import http.client
import json
import os
import ssl
import sys
import time
import urllib.parse


class Client:
    def __init__(self, url, token, secret=None, cacert=None, cert=None, key=None, compress=False):
        u = urllib.parse.urlsplit(url)
        if u.scheme == "https":
            context = ssl.create_default_context(cafile=cacert)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            if cert:
                context.load_cert_chain(cert, key)
            self.conn = http.client.HTTPSConnection(u.hostname, u.port or 443, context=context, timeout=10)
        else:
            self.conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=10)
        self.token, self.secret, self.compress = token, secret, compress

    def post(self, path, events):
        body = "\n".join(json.dumps(e, separators=(",", ":")) for e in events).encode()
        headers = {"Content-Type": "application/x-ndjson", "Authorization": "Bearer " + self.token}
        if self.compress:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        if self.secret:
            stamp = str(int(time.time()))
            mac = hmac.new(self.secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            headers["X-Modelwatch-Timestamp"] = stamp
            headers["X-Modelwatch-Signature"] = "sha256=" + mac
        self.conn.request("POST", path, body=body, headers=headers)
        response = self.conn.getresponse()
        reply = json.loads(response.read() or b"{}")
        if response.status not in (202, 422):
            raise SystemExit("%s: %d %s" % (path, response.status, reply.get("error", reply)))
        return reply


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:9464")
    ap.add_argument("--model", default="fraud")
    ap.add_argument("--token", default=os.environ.get("MODELWATCH_TOKEN"), help="default: $MODELWATCH_TOKEN")
    ap.add_argument("--secret-file", help="the principal's hmac_secret_file (signs every body)")
    ap.add_argument("--cacert"), ap.add_argument("--cert"), ap.add_argument("--key")
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("--count", type=int, default=10)
    args = ap.parse_args()
    if not args.token:
        sys.exit("send_events.py: give --token or set MODELWATCH_TOKEN")
    secret = open(args.secret_file, "rb").read().rstrip(b"\r\n") if args.secret_file else None
    client = Client(args.url, args.token, secret, args.cacert, args.cert, args.key, args.gzip)
    run = int(time.time())
    predictions = [{"id": "ex-%d-%d" % (run, i), "features": {"amount": 20.0 + i, "country": "ES"},
                    "prediction": i % 2, "score": 0.3 + i / (2 * args.count)} for i in range(args.count)]
    print("predictions:", client.post("/v1/models/%s/predictions" % args.model, predictions))
    labels = [{"id": p["id"], "label": p["prediction"] if i % 4 else 1 - p["prediction"]} for i, p in enumerate(predictions)]
    print("labels:", client.post("/v1/models/%s/labels" % args.model, labels))


if __name__ == "__main__":
    main()
