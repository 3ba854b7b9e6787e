#!/usr/bin/env python3
"""RFC 5849 signatures checked both ways against oauthlib.

    signatures.py verify CASES.json
        Verifies every request of CASES.json (signed by our `oauth1-sign`) with
        oauthlib's `SignatureOnlyEndpoint`, whose validator knows each case's
        credentials. Prints a JSON report; exits 1 when any case disagrees
        with its expectation, each failure naming the request.

    signatures.py sign --count N --seed S --out CASES.json
        Generates N random requests from a seeded PRNG (random Unicode
        parameters, duplicate names, ports, paths, form bodies, the three
        transports, realms, callbacks, verifiers) and signs them with
        oauthlib's `Client`, for our verifier to check.

A case is a JSON object:
    name             a unique name, quoted in every failure
    method, url      the HTTP request line as sent (url includes the query)
    authorization    the Authorization header value, or null
    content_type     the Content-Type header value, or null
    body             the body as a UTF-8 string ("" when none)
    consumer_key, consumer_secret, token, token_secret, signature_method
    base_string      the RFC 5849 signature base string of the request
    expect           "valid" (default); "peer-rejects" when oauthlib is
                     known to refuse it; "peer-wrong" when oauthlib signed
                     a base string other than RFC 5849's, so that a
                     correct verifier refuses it (`note` names the RFC 5849
                     sections)
"""

import argparse
import hmac
import json
import random
import sys
import re
import time
import types
import urllib.parse
import urllib.request

from oauthlib.oauth1 import Client, RequestValidator, SignatureOnlyEndpoint
from oauthlib.oauth1.rfc5849 import signature as oauth_signature

FORM = "application/x-www-form-urlencoded"


class CaseValidator(RequestValidator):
    """Knows the credentials of every case; oauthlib's format rules kept.

    Only plain http is allowed in addition (the cases use both schemes).
    """

    enforce_ssl = False

    def __init__(self, cases):
        super().__init__()
        self.clients = {}
        self.tokens = {}
        for case in cases:
            self.clients[case["consumer_key"]] = case["consumer_secret"]
            if case.get("token"):
                self.tokens[(case["consumer_key"], case["token"])] = case.get("token_secret") or ""
        self.nonces = set()

    @property
    def dummy_client(self):
        return "dummyclient0000000000"

    @property
    def dummy_access_token(self):
        return "dummyaccesstoken00000"

    def validate_client_key(self, client_key, request):
        return client_key in self.clients

    def validate_access_token(self, client_key, token, request):
        return (client_key, token) in self.tokens

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request,
                                     request_token=None, access_token=None):
        key = (client_key, timestamp, nonce, request_token or access_token)
        if key in self.nonces:
            return False
        self.nonces.add(key)
        return True

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        return True

    def get_client_secret(self, client_key, request):
        return self.clients.get(client_key, "dummy-secret")

    def get_access_token_secret(self, client_key, token, request):
        return self.tokens.get((client_key, token), "dummy-secret")


def verify(path):
    """Checks every case of the file with oauthlib; returns the exit code."""
    with open(path, encoding="utf-8") as f:
        cases = json.load(f)
    endpoint = SignatureOnlyEndpoint(CaseValidator(cases))
    failures = []
    counts = {"valid": 0, "peer-rejects": 0, "peer-wrong": 0, "peer-double-decode": 0,
              "peer-empty-params": 0}
    quirks = []
    for case in cases:
        expect = case.get("expect", "valid")
        headers = {}
        if case.get("authorization") is not None:
            headers["Authorization"] = case["authorization"]
        if case.get("content_type") is not None:
            headers["Content-Type"] = case["content_type"]
        reason = ""
        try:
            valid, request = endpoint.validate_request(
                case["url"], http_method=case["method"], body=case["body"] or None,
                headers=headers)
            if request is None:
                reason = "oauthlib could not parse the request"
            elif not valid:
                reason = "oauthlib rejected it: " + json.dumps(
                    {k: v for k, v in request.validator_log.items()})
        except Exception as err:  # any peer exception is a named failure
            valid, reason = False, f"oauthlib raised {type(err).__name__}: {err}"
        if valid and expect == "valid":
            counts["valid"] += 1
        elif not valid and expect == "peer-rejects":
            counts["peer-rejects"] += 1
        elif valid and expect == "peer-wrong":
            # oauthlib agrees with its own non-RFC signature.
            counts["peer-wrong"] += 1
        elif not valid and expect == "valid" and double_decode_trigger(case) and rfc_signature_matches(case):
            # oauthlib decodes oauth_* query and body parameters twice: a
            # documented peer defect (see DOUBLE_DECODE_NOTE), not ours.
            counts["peer-double-decode"] += 1
            quirks.append(case["name"])
        elif not valid and expect == "valid" and empty_params_trigger(case["url"]) and rfc_signature_matches(case):
            # oauthlib drops a trailing ";" from the path: a documented peer
            # defect (see EMPTY_PARAMS_NOTE), not ours.
            counts["peer-empty-params"] += 1
            quirks.append(case["name"])
        else:
            theirs = their_base_string(case)
            failures.append({
                "name": case["name"],
                "expect": expect,
                "reason": reason or "oauthlib accepted a request expected to be rejected",
                "note": case.get("note", ""),
                "method": case["method"],
                "url": case["url"],
                "ours_base_string": case.get("base_string"),
                "oauthlib_base_string": theirs,
            })
    report = {"peer": "oauthlib", "checked": len(cases), "agreed": counts,
              "peer_defects": {"double-decode": DOUBLE_DECODE_NOTE,
                               "empty-params": EMPTY_PARAMS_NOTE},
              "peer_defect_cases": quirks[:10],
              "failed": len(failures), "failures": failures[:25]}
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 1 if failures else 0


DOUBLE_DECODE_NOTE = (
    "oauthlib percent-decodes oauth_* parameters taken from the query or the "
    "form body a second time after form-decoding them (collect_parameters), "
    "so a protocol value whose decoded form still holds %XX (a PLAINTEXT "
    "signature of a secret with reserved characters, a callback with an "
    "encoded query) is changed; RFC 5849 sections 3.5.2 and 3.5.3 with "
    "3.4.1.3.1 decode them once.")


EMPTY_PARAMS_NOTE = (
    "oauthlib builds the base string URI with urlparse and urlunparse, which "
    "drop an empty ';' parameter section ending the last path segment "
    "('/a;' is signed as '/a'); RFC 5849 section 3.4.1.2 takes the path as "
    "the request has it, and RFC 3986 section 3.3 counts ';' as a path "
    "character.")


def empty_params_trigger(url):
    """True when the URL's path ends with ';' (oauthlib loses it)."""
    return urllib.parse.urlsplit(url).path.endswith(";")


def double_decode_trigger(case):
    """True when a query or body oauth_* value still holds %XX once decoded."""
    sources = [urllib.parse.urlsplit(case["url"]).query]
    if (case.get("content_type") or "").find(FORM) >= 0:
        sources.append(case["body"])
    for source in sources:
        for name, value in urllib.parse.parse_qsl(source, keep_blank_values=True):
            if name.startswith("oauth_") and PERCENT_TRIPLET.search(value):
                return True
    return False


def rfc_base_string(method, url, authorization, content_type, body):
    """The RFC 5849 base string, each source decoded exactly once.

    A plain reading of sections 3.4.1 and 3.5, kept only to tell which of
    oauthlib's own signatures its defects (double decoding, the lost ';')
    changed.
    """
    params = urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)
    if content_type is not None and content_type.find(FORM) >= 0 and body:
        params += urllib.parse.parse_qsl(body, keep_blank_values=True)
    if authorization:
        for item in urllib.request.parse_http_list(authorization[len("OAuth "):]):
            name, _, value = item.strip().partition("=")
            if name != "realm":
                params.append((name, urllib.parse.unquote(value.strip('"'))))
    params = [(n, v) for n, v in params if n != "oauth_signature"]
    normalized = oauth_signature.normalize_parameters(params)
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.netloc.rpartition("@")[2].lower()
    if (scheme, parts.port) in (("http", 80), ("https", 443)):
        host = host.rsplit(":", 1)[0]
    uri = f"{scheme}://{host}{parts.path or '/'}"
    return oauth_signature.signature_base_string(method, uri, normalized)


def rfc_signature_matches(case):
    """True when the case's signature is right for the RFC 5849 base string.

    Only then is an oauthlib refusal put down to one of its defects: the
    signature is recomputed with oauthlib's own HMAC and PLAINTEXT
    primitives over the base string read as RFC 5849 says.
    """
    base = rfc_base_string(case["method"], case["url"], case.get("authorization"),
                           case.get("content_type"), case["body"])
    params = urllib.parse.parse_qsl(urllib.parse.urlsplit(case["url"]).query, keep_blank_values=True)
    if (case.get("content_type") or "").find(FORM) >= 0:
        params += urllib.parse.parse_qsl(case["body"], keep_blank_values=True)
    if case.get("authorization"):
        for item in urllib.request.parse_http_list(case["authorization"][len("OAuth "):]):
            name, _, value = item.strip().partition("=")
            params.append((name, urllib.parse.unquote(value.strip('"'))))
    sent = [v for n, v in params if n == "oauth_signature"]
    if len(sent) != 1:
        return False
    client = types.SimpleNamespace(client_secret=case["consumer_secret"],
                                   resource_owner_secret=case.get("token_secret") or "")
    signers = {
        "HMAC-SHA1": oauth_signature.sign_hmac_sha1_with_client,
        "HMAC-SHA256": oauth_signature.sign_hmac_sha256_with_client,
        "HMAC-SHA512": oauth_signature.sign_hmac_sha512_with_client,
        "PLAINTEXT": oauth_signature.sign_plaintext_with_client,
    }
    signer = signers.get(case["signature_method"])
    return signer is not None and hmac.compare_digest(signer(base, client), sent[0])


def their_base_string(case):
    """oauthlib's signature base string for a case, for the diagnosis."""
    try:
        query = urllib.parse.urlsplit(case["url"]).query
        body = case["body"] if (case.get("content_type") or "").find(FORM) >= 0 else None
        headers = {"Authorization": case["authorization"]} if case.get("authorization") else {}
        params = oauth_signature.collect_parameters(uri_query=query, body=body, headers=headers)
        normalized = oauth_signature.normalize_parameters(params)
        uri = oauth_signature.base_string_uri(case["url"])
        return oauth_signature.signature_base_string(case["method"], uri, normalized)
    except Exception as err:  # diagnosis only
        return f"<oauthlib could not build it: {type(err).__name__}: {err}>"


# --- generation ------------------------------------------------------------

ASCII_PRINTABLE = [chr(c) for c in range(0x20, 0x7F)]
SPECIAL = ["é", "ß", "ø", "Ω", "ж", "中", "文", "日", "本", "한", "ا", "🦀", "👍🏽",
           "\u0301", "\u200d", "\ufeff", "\u00a0", "\t", "\n", "\r", "\u2028",
           "%", "&", "=", "+", "~", "*", "'", "!", "(", ")", ";", ",", "/", "?", "#"]
RANGES = [(0xA0, 0x2FF), (0x370, 0x4FF), (0x600, 0x6FF), (0x3040, 0x30FF),
          (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xE000, 0xF8FF), (0x1F300, 0x1FAFF),
          (0x10000, 0x10FFFF)]
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
QUERY_RAW_SAFE = "-._~!$'()*,:@/?"
PERCENT_TRIPLET = re.compile(r"%[0-9A-Fa-f]{2}")


def rand_char(rng):
    pick = rng.random()
    if pick < 0.45:
        return rng.choice(ASCII_PRINTABLE)
    if pick < 0.7:
        return rng.choice(SPECIAL)
    lo, hi = rng.choice(RANGES)
    return chr(rng.randint(lo, hi))


def rand_text(rng, lo, hi):
    return "".join(rand_char(rng) for _ in range(rng.randint(lo, hi)))


def rand_alnum(rng, lo, hi):
    return "".join(rng.choice(ALNUM) for _ in range(rng.randint(lo, hi)))


def form_encode(rng, pairs):
    """Form-encodes pairs the ways real clients do: %20 or +, some sub-delims raw."""
    plus = rng.random() < 0.3
    safe = QUERY_RAW_SAFE if rng.random() < 0.3 else "-._~"
    parts = []
    for name, value in pairs:
        if plus:
            enc_n = urllib.parse.quote_plus(name, safe=safe)
            enc_v = urllib.parse.quote_plus(value, safe=safe)
        else:
            enc_n = urllib.parse.quote(name, safe=safe)
            enc_v = urllib.parse.quote(value, safe=safe)
        if value == "" and rng.random() < 0.3:
            parts.append(enc_n)  # a name without "=" has an empty value
        else:
            parts.append(enc_n + "=" + enc_v)
    return "&".join(parts)


def rand_params(rng, max_count):
    """Random non-protocol parameters, with duplicate names and values."""
    pairs = []
    for _ in range(rng.randint(0, max_count)):
        roll = rng.random()
        if pairs and roll < 0.2:
            name = rng.choice(pairs)[0]  # a duplicate name
        else:
            name = rand_text(rng, 1, 8)
            if name.startswith("oauth_") or name == "realm":
                name = "x" + name
        if pairs and rng.random() < 0.1:
            value = rng.choice(pairs)[1]  # a duplicate value
        elif rng.random() < 0.1:
            value = ""
        else:
            value = rand_text(rng, 0, 16)
        pairs.append((name, value))
    return pairs


def rand_url(rng, scheme):
    host = rng.choice(["example.com", "photos.example.net", "127.0.0.1", "[::1]",
                       "api." + rand_alnum(rng, 3, 10).lower() + ".test", "EXAMPLE.org",
                       "Sub.Example.COM", "localhost"])
    port_roll = rng.random()
    if port_roll < 0.4:
        port = ""
    elif port_roll < 0.55:
        port = ":80" if scheme == "http" else ":443"
    elif port_roll < 0.65:
        port = ":443" if scheme == "http" else ":80"
    else:
        port = ":" + str(rng.randint(1, 65535))
    segments = []
    for _ in range(rng.randint(0, 4)):
        seg = rand_text(rng, 0, 6).replace("/", "")
        segments.append(urllib.parse.quote(seg, safe="-._~!$&'()*+,;=:@"))
    path = "/" + "/".join(segments)
    if rng.random() < 0.15:
        path += "/"
    scheme_text = scheme.upper() if rng.random() < 0.1 else scheme
    return f"{scheme_text}://{host}{port}{path}"


def generate(count, seed):
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        scheme = "https" if rng.random() < 0.4 else "http"
        methods = ["HMAC-SHA1"] * 5 + ["HMAC-SHA256"] * 2 + ["HMAC-SHA512"]
        if scheme == "https":
            methods.append("PLAINTEXT")
        sig_method = rng.choice(methods)
        http_method = rng.choice(["GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH"])
        url = rand_url(rng, scheme)
        query_pairs = rand_params(rng, 5)
        if query_pairs:
            url += "?" + form_encode(rng, query_pairs)
        body, content_type = "", None
        if http_method in ("POST", "PUT", "PATCH"):
            roll = rng.random()
            if roll < 0.6:
                content_type = FORM
                body = form_encode(rng, rand_params(rng, 6))
            elif roll < 0.8:
                content_type = "application/json"
                body = json.dumps({"note": rand_text(rng, 0, 20)}, ensure_ascii=False)
        transport = "AUTH_HEADER"
        roll = rng.random()
        if roll < 0.15:
            transport = "QUERY"
        elif roll < 0.3 and content_type == FORM:
            transport = "BODY"
        consumer_key = rand_alnum(rng, 20, 30)
        consumer_secret = rand_text(rng, 1, 24)
        token = rand_alnum(rng, 20, 30) if rng.random() < 0.7 else None
        token_secret = rand_text(rng, 0, 24) if token else None
        callback = None
        verifier = None
        if token is None and rng.random() < 0.5:
            callback = rng.choice(["oob", "http://printer.example.com/ready",
                                   "https://app.example.org/cb?x=1&y=" + urllib.parse.quote(rand_text(rng, 1, 4), safe="")])
        if token is not None and rng.random() < 0.2:
            verifier = rand_alnum(rng, 20, 30)
        realm = rng.choice([None, None, None, "Photos", "http://sp.example.com/"])
        if transport != "AUTH_HEADER":
            realm = None
        client = Client(consumer_key, client_secret=consumer_secret,
                        resource_owner_key=token, resource_owner_secret=token_secret,
                        callback_uri=callback, verifier=verifier,
                        signature_method=sig_method, signature_type=transport,
                        realm=realm)
        headers = {"Content-Type": content_type} if content_type else {}
        signed_uri, signed_headers, signed_body = client.sign(
            url, http_method=http_method, body=body if content_type else None, headers=headers)
        base_string = ""
        if sig_method != "PLAINTEXT":
            query = urllib.parse.urlsplit(signed_uri).query
            params = oauth_signature.collect_parameters(
                uri_query=query,
                body=signed_body if content_type == FORM else None,
                headers={k: v for k, v in signed_headers.items() if k == "Authorization"})
            base_string = oauth_signature.signature_base_string(
                http_method, oauth_signature.base_string_uri(signed_uri),
                oauth_signature.normalize_parameters(params))
        expect, note = "valid", ""
        if base_string:
            correct = rfc_base_string(http_method, signed_uri, signed_headers.get("Authorization"),
                                      signed_headers.get("Content-Type", content_type), signed_body)
            if correct != base_string:
                # oauthlib signed another base string than RFC 5849's (its
                # double decoding, or its lost ';'): a correct verifier
                # must refuse the request.
                expect = "peer-wrong"
                note = EMPTY_PARAMS_NOTE if empty_params_trigger(signed_uri) else DOUBLE_DECODE_NOTE
                base_string = correct
        cases.append({
            "name": f"oauthlib-{seed}-{i:05}-{sig_method}-{transport}-{http_method}",
            "method": http_method,
            "url": signed_uri,
            "authorization": signed_headers.get("Authorization"),
            "content_type": signed_headers.get("Content-Type", content_type),
            "body": signed_body or "",
            "consumer_key": consumer_key,
            "consumer_secret": consumer_secret,
            "token": token,
            "token_secret": token_secret,
            "signature_method": sig_method,
            "base_string": base_string,
            "expect": expect,
            "note": note,
        })
    return cases


def main():
    parser = argparse.ArgumentParser(description="RFC 5849 signatures against oauthlib")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="verify our signed requests with oauthlib")
    v.add_argument("cases")
    s = sub.add_parser("sign", help="sign generated requests with oauthlib")
    s.add_argument("--count", type=int, default=2000)
    s.add_argument("--seed", type=int, default=5849)
    s.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.command == "verify":
        return verify(args.cases)
    started = time.monotonic()
    cases = generate(args.count, args.seed)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False)
    print(json.dumps({"peer": "oauthlib", "signed": len(cases), "seed": args.seed,
                      "seconds": round(time.monotonic() - started, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
