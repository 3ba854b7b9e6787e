"""A minimal Python SMART data provider: the load test's side-by-side peer.

oauthlib's `ResourceEndpoint` authenticates each request (HMAC-SHA1, the
timestamp window, a nonce table in memory) and waitress serves the WSGI
app. It answers the two calls the load generator makes with the very
documents the container served (saved by `smart-load --save-docs`):
`GET /records/{id}/demographics` and `GET /records/{id}/medications/`
(`offset=0` or `offset=5`). A token reads only its own record (403).

Run by `cargo xtask load`; by hand:
  target/py-venv/bin/python bench/python_provider.py --listen 127.0.0.1:7100 \
      --public-url http://127.0.0.1:7100 --docs DIR --consumer-key K \
      --consumer-secret S --token T --token-secret TS
"""

import argparse
import os
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs

from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, RequestValidator, ResourceEndpoint
from waitress import serve


class Validator(RequestValidator):
    """One consumer and one access token, nonces in a dict."""

    def __init__(self, consumer_key, consumer_secret, token, token_secret):
        super().__init__()
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.token = token
        self.token_secret = token_secret
        self.lock = threading.Lock()
        self.nonces = {}
        self.last_purge = 0

    @property
    def allowed_signature_methods(self):
        return (SIGNATURE_HMAC_SHA1,)

    @property
    def enforce_ssl(self):
        # Loopback only: the load test speaks plain http.
        return False

    @property
    def timestamp_lifetime(self):
        return 300

    def check_client_key(self, client_key):
        # SMART consumer keys are app ids such as `name@apps.example.org`.
        return 0 < len(client_key) <= 256 and client_key.isprintable() and " " not in client_key

    @property
    def dummy_client(self):
        return "dummy-client@apps.invalid"

    @property
    def dummy_access_token(self):
        return "DummyAccessTokenNeverValid"

    def validate_client_key(self, client_key, request):
        return client_key == self.consumer_key

    def validate_access_token(self, client_key, token, request):
        return client_key == self.consumer_key and token == self.token

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        return True

    def get_client_secret(self, client_key, request):
        if client_key == self.consumer_key:
            return self.consumer_secret
        return "dummy-secret-never-valid"

    def get_access_token_secret(self, client_key, token, request):
        if token == self.token:
            return self.token_secret
        return "dummy-secret-never-valid"

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request,
                                     request_token=None, access_token=None):
        now = int(time.time())
        key = (client_key, access_token, timestamp, nonce)
        with self.lock:
            if now > self.last_purge:
                self.nonces = {k: e for k, e in self.nonces.items() if e >= now}
                self.last_purge = now
            if key in self.nonces:
                return False
            self.nonces[key] = int(timestamp) + self.timestamp_lifetime
            return True


def make_app(public_url, endpoint, record_id, docs):
    demographics = (docs / "demographics.rdf").read_bytes()
    medications = {
        "0": (docs / "medications-0.rdf").read_bytes(),
        "5": (docs / "medications-5.rdf").read_bytes(),
    }

    def app(environ, start_response):
        def answer(status, body, content_type="text/plain"):
            start_response(status, [("Content-Type", content_type),
                                    ("Content-Length", str(len(body)))])
            return [body]

        if environ["REQUEST_METHOD"] != "GET":
            return answer("405 Method Not Allowed", b"method not allowed")
        path = environ.get("PATH_INFO", "/")
        query = environ.get("QUERY_STRING", "")
        uri = public_url + path + ("?" + query if query else "")
        headers = {}
        if environ.get("HTTP_AUTHORIZATION"):
            headers["Authorization"] = environ["HTTP_AUTHORIZATION"]
        ok, _ = endpoint.validate_protected_resource_request(
            uri, http_method="GET", body=None, headers=headers)
        if not ok:
            return answer("401 Unauthorized", b"invalid oauth request")
        parts = path.split("/")
        # ['', 'records', rid, 'demographics'] or ['', 'records', rid, 'medications', '']
        if len(parts) < 4 or parts[1] != "records":
            return answer("404 Not Found", b"not found")
        if parts[2] != record_id:
            return answer("403 Forbidden", b"token not valid for this record")
        if parts[3] == "demographics" and len(parts) == 4:
            return answer("200 OK", demographics, "application/rdf+xml")
        if parts[3] == "medications" and len(parts) == 5 and parts[4] == "":
            offset = parse_qs(query).get("offset", ["0"])[0]
            if offset in medications:
                return answer("200 OK", medications[offset], "application/rdf+xml")
        return answer("404 Not Found", b"not found")

    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="HOST:PORT (loopback)")
    parser.add_argument("--public-url", required=True)
    parser.add_argument("--docs", required=True, type=Path)
    parser.add_argument("--consumer-key", required=True)
    parser.add_argument("--consumer-secret", default=os.environ.get("SMART_LOAD_CONSUMER_SECRET"))
    parser.add_argument("--token", required=True)
    parser.add_argument("--token-secret", default=os.environ.get("SMART_LOAD_TOKEN_SECRET"))
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if not args.consumer_secret or not args.token_secret:
        parser.error("the consumer secret and token secret are required")
    host, port = args.listen.rsplit(":", 1)
    record_id = (args.docs / "record_id").read_text().strip()
    validator = Validator(args.consumer_key, args.consumer_secret, args.token, args.token_secret)
    app = make_app(args.public_url.rstrip("/"), ResourceEndpoint(validator), record_id, args.docs)
    serve(app, host=host, port=int(port), threads=args.threads, ident="python-provider",
          connection_limit=1000, channel_timeout=30)


if __name__ == "__main__":
    main()
