"""The Python peers of the Rust benches, timed in the same run.

oauthlib signs the requests of `crates/oauth1-sign/benches/matrix.rs`
(the typical GET and the 20-parameter form POST, with HMAC-SHA1,
HMAC-SHA256 and PLAINTEXT), and oauthlib's provider
(`ResourceEndpoint.validate_protected_resource_request`, with an in-memory
validator) authenticates the requests of
`crates/oauth1-dance/benches/provider.rs`.

Prints one JSON object: {"peer": ..., "results": {name: median ns per call}}.
`cargo xtask bench` runs it from the project's venv and prints the ratios.
Run by hand: target/py-venv/bin/python bench/python_peers.py [--quick]
"""

import json
import platform
import sys
import threading
import time
import timeit
from urllib.parse import quote

import oauthlib
from oauthlib.oauth1 import (
    SIGNATURE_HMAC_SHA1,
    SIGNATURE_HMAC_SHA256,
    SIGNATURE_PLAINTEXT,
    Client,
    RequestValidator,
    ResourceEndpoint,
)

# The matrix bench's credentials and request shapes (kept in step with matrix.rs).
CONSUMER_KEY = "bench-consumer-7Qm2xK9pLw"
CONSUMER_SECRET = "c0nsumer-s3cret-Vb8nR4tYzq1Jx6Hd"
TOKEN = "41871-bench-token-Pq3Zr8Lm5Nw2Ks7Xv"
TOKEN_SECRET = "t0ken-s3cret-Hy6Fd2Qa9Wm4Rc7Tg"
TIMESTAMP = "1700000000"
NONCE = "Kq7Vb2Xm9Pz4Lw8Nc3Rt6Yh1Gd"
GET_URL = ("https://api.example.com/1.1/statuses/home_timeline.json"
           "?count=20&include_entities=true&since_id=12345")
POST_URL = "https://api.example.com/1.1/statuses/update.json"
FORM = "application/x-www-form-urlencoded"

# The provider bench's credentials (alphanumeric, as oauthlib's provider wants).
P_CONSUMER_KEY = "BenchConsumerKey7Qm2xK9pL"
P_CONSUMER_SECRET = "BenchConsumerSecretVb8nR4tYzq1Jx6Hd"
P_TOKEN = "BenchAccessToken4Pq3Zr8Lm5"
P_TOKEN_SECRET = "BenchTokenSecretHy6Fd2Qa9Wm4Rc7Tg"
PROVIDER_CASES = {
    "demographics": "https://smart.example.org/records/1000001/demographics",
    "medications": "https://smart.example.org/records/1000001/medications/?limit=5&offset=5",
}

METHODS = {
    "hmac-sha1": SIGNATURE_HMAC_SHA1,
    "hmac-sha256": SIGNATURE_HMAC_SHA256,
    "plaintext": SIGNATURE_PLAINTEXT,
}


def encode(text):
    """RFC 5849 section 3.6 percent-encoding."""
    return quote(text, safe="-._~")


def post_body():
    """The 20-parameter form body of matrix.rs, encoded the same way."""
    pairs = []
    for i in range(20):
        kind = i % 4
        if kind == 0:
            value = str(1000 + i * 37)
        elif kind == 1:
            value = f"plain value {i} with spaces"
        elif kind == 2:
            value = f"a&b=c/{i}?~*"
        else:
            value = f"caf\u00e9 {i} \u2713"
        pairs.append(f"{encode(f'field_{i:02}')}={encode(value)}")
    return "&".join(pairs)


def median_ns(fn, quick):
    """Median time of one call of `fn`, in nanoseconds."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, number // (4 if quick else 1))
    runs = timer.repeat(repeat=5 if quick else 9, number=number)
    runs.sort()
    return runs[len(runs) // 2] / number * 1e9


def sign_cases(quick):
    results = {}
    body = post_body()
    for shape, (method, url, data, headers) in {
        "get": ("GET", GET_URL, None, {}),
        "post20": ("POST", POST_URL, body, {"Content-Type": FORM}),
    }.items():
        for name, sm in METHODS.items():
            def sign(sm=sm, method=method, url=url, data=data, headers=headers):
                client = Client(
                    CONSUMER_KEY,
                    client_secret=CONSUMER_SECRET,
                    resource_owner_key=TOKEN,
                    resource_owner_secret=TOKEN_SECRET,
                    signature_method=sm,
                    nonce=NONCE,
                    timestamp=TIMESTAMP,
                )
                return client.sign(url, http_method=method, body=data, headers=headers)

            sign()  # fail here, not in the timer, on a bad fixture
            results[f"matrix-{shape}-{name}/oauthlib-sign"] = median_ns(sign, quick)
    return results


class MemoryValidator(RequestValidator):
    """Everything oauthlib's resource endpoint asks, in memory."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.nonces = {}
        self.last_purge = 0

    @property
    def allowed_signature_methods(self):
        return (SIGNATURE_HMAC_SHA1,)

    @property
    def dummy_client(self):
        return "DummyClientKeyNeverValid0"

    @property
    def dummy_access_token(self):
        return "DummyAccessTokenNeverValid"

    def validate_client_key(self, client_key, request):
        return client_key == P_CONSUMER_KEY

    def validate_access_token(self, client_key, token, request):
        return client_key == P_CONSUMER_KEY and token == P_TOKEN

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        return True

    def get_client_secret(self, client_key, request):
        return P_CONSUMER_SECRET if client_key == P_CONSUMER_KEY else "dummy-secret"

    def get_access_token_secret(self, client_key, token, request):
        return P_TOKEN_SECRET if token == P_TOKEN else "dummy-secret"

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


def provider_cases(quick):
    results = {}
    for name, url in PROVIDER_CASES.items():
        endpoint = ResourceEndpoint(MemoryValidator())
        count = 2000 if quick else 6000
        now = str(int(time.time()))
        headers = []
        for i in range(count + 1):
            client = Client(
                P_CONSUMER_KEY,
                client_secret=P_CONSUMER_SECRET,
                resource_owner_key=P_TOKEN,
                resource_owner_secret=P_TOKEN_SECRET,
                nonce=f"N{i:021}",
                timestamp=now,
            )
            _, h, _ = client.sign(url, http_method="GET")
            headers.append(h)
        ok, _ = endpoint.validate_protected_resource_request(url, "GET", None, headers[0])
        if not ok:
            raise SystemExit(f"oauthlib refused the {name} fixture")
        ok, _ = endpoint.validate_protected_resource_request(url, "GET", None, headers[0])
        if ok:
            raise SystemExit("oauthlib accepted a replay")
        pending = headers[1:]
        failures = 0
        runs = []
        chunk = count // 5
        for r in range(5):
            part = pending[r * chunk:(r + 1) * chunk]
            start = time.perf_counter_ns()
            for h in part:
                ok, _ = endpoint.validate_protected_resource_request(url, "GET", None, h)
                failures += not ok
            runs.append((time.perf_counter_ns() - start) / len(part))
        if failures:
            raise SystemExit(f"oauthlib refused {failures} fresh {name} requests")
        runs.sort()
        results[f"provider-{name}/oauthlib-authenticate"] = runs[len(runs) // 2]
    return results


def main():
    quick = "--quick" in sys.argv
    results = {}
    results.update(sign_cases(quick))
    results.update(provider_cases(quick))
    print(json.dumps({
        "peer": f"oauthlib {oauthlib.__version__}",
        "python": platform.python_version(),
        "results": results,
    }, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
