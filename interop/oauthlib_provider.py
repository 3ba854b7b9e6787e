#!/usr/bin/env python3
"""A small SMART container built on oauthlib's OAuth 1.0a provider endpoints.

It is the independent peer for our client side: `smart-client` and the
`smart-rest-minimal` app dance against it and read a patient's name.

The OAuth work is done by oauthlib's `RequestTokenEndpoint`,
`AuthorizationEndpoint`, `AccessTokenEndpoint` and `ResourceEndpoint`; this
file only supplies a plain in-memory `RequestValidator` (oauthlib's default
nonce, token and verifier format rules are kept) and the HTTP routing of the
SMART endpoints:

    GET  /manifest                       the container manifest (JSON)
    GET  /apps/{app_id}/launch           redirects to the app's index with
                                         record_id and api_base
    POST /oauth/request_token            needs smart_record_id in the signed body
    GET  /oauth/authorize?oauth_token=t  auto-approves for user `peer-user`
                                         (with `&decision=deny` it refuses)
    POST /oauth/access_token             replies record_id and user_id too
    GET  /records/{id}/demographics      a fixed demographics RDF/XML document

Usage: oauthlib_provider.py PORT [--consumer-key K] [--consumer-secret S]
       [--callback URL] [--app-index URL] [--record-id ID]

It prints one line `listening on http://127.0.0.1:PORT` once it accepts
connections, and a short line per request on stderr.
"""

import argparse
import hmac
import json
import re
import socketserver
import sys
import threading
import urllib.parse
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from oauthlib.oauth1 import (
    AccessTokenEndpoint,
    AuthorizationEndpoint,
    RequestTokenEndpoint,
    RequestValidator,
    ResourceEndpoint,
)
from oauthlib.oauth1.rfc5849 import errors as oauth_errors
from oauthlib.oauth1.rfc5849 import utils as oauth_utils

USER_ID = "peer-user"
GIVEN_NAME = "Odalys"
FAMILY_NAME = "Wrenfield"

DEMOGRAPHICS = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:sp="http://smartplatforms.org/terms#"
         xmlns:v="http://www.w3.org/2006/vcard/ns#"
         xmlns:foaf="http://xmlns.com/foaf/0.1/"
         xmlns:dcterms="http://purl.org/dc/terms/">
  <sp:Demographics rdf:about="{api_base}/records/{record_id}/demographics">
    <sp:belongsTo rdf:resource="{api_base}/records/{record_id}"/>
    <v:n>
      <v:Name>
        <v:given-name>{given}</v:given-name>
        <v:additional-name>Q</v:additional-name>
        <v:family-name>{family}</v:family-name>
      </v:Name>
    </v:n>
    <v:adr>
      <v:Address>
        <rdf:type rdf:resource="http://www.w3.org/2006/vcard/ns#Home"/>
        <v:street-address>12 Imaginary Lane</v:street-address>
        <v:locality>Nowhereville</v:locality>
        <v:region>ZZ</v:region>
        <v:postal-code>00000</v:postal-code>
        <v:country>Utopia</v:country>
      </v:Address>
    </v:adr>
    <v:tel>
      <v:Tel>
        <rdf:type rdf:resource="http://www.w3.org/2006/vcard/ns#Home"/>
        <rdf:value>555-0100</rdf:value>
      </v:Tel>
    </v:tel>
    <v:email>odalys.wrenfield@example.invalid</v:email>
    <foaf:gender>female</foaf:gender>
    <v:bday>1961-04-09</v:bday>
    <sp:medicalRecordNumber>
      <sp:Code>
        <dcterms:title>My Hospital Record 123</dcterms:title>
        <dcterms:identifier>123</dcterms:identifier>
        <sp:system>My Hospital Record</sp:system>
      </sp:Code>
    </sp:medicalRecordNumber>
  </sp:Demographics>
</rdf:RDF>
"""


class MemoryValidator(RequestValidator):
    """Plain in-memory storage for one consumer, as oauthlib's contract asks.

    Only two rules differ from oauthlib's defaults: plain http is allowed
    (the peer runs on loopback), and the consumer key may hold the `@`, `.`
    and `-` that SMART's e-mail-like app ids need. The nonce, token and
    verifier format rules, the timestamp window and the dummy values are
    oauthlib's own.
    """

    def __init__(self, consumer_key, consumer_secret, callback):
        super().__init__()
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.callback = callback
        self.lock = threading.Lock()
        self.nonces = set()
        # token -> {"secret", "record_id", "verifier", "user_id"}
        self.request_tokens = {}
        # token -> {"secret", "record_id", "user_id"}
        self.access_tokens = {}

    # --- format rules and policies -----------------------------------
    enforce_ssl = False
    allowed_signature_methods = ("HMAC-SHA1",)

    def check_client_key(self, client_key):
        return bool(re.fullmatch(r"[A-Za-z0-9@._-]{3,128}", client_key))

    @property
    def dummy_client(self):
        return "dummy-client@apps.invalid"

    @property
    def dummy_request_token(self):
        return "dummyrequesttoken0000000"

    @property
    def dummy_access_token(self):
        return "dummyaccesstoken00000000"

    # --- validation --------------------------------------------------
    def validate_client_key(self, client_key, request):
        return hmac.compare_digest(client_key, self.consumer_key)

    def validate_request_token(self, client_key, token, request):
        with self.lock:
            return token in self.request_tokens

    def validate_access_token(self, client_key, token, request):
        with self.lock:
            return token in self.access_tokens

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce,
                                     request, request_token=None,
                                     access_token=None):
        key = (client_key, timestamp, nonce, request_token or access_token)
        with self.lock:
            if key in self.nonces:
                return False
            self.nonces.add(key)
            return True

    def validate_redirect_uri(self, client_key, redirect_uri, request):
        return redirect_uri == "oob" or redirect_uri == self.callback

    def validate_requested_realms(self, client_key, realms, request):
        return True

    def validate_realms(self, client_key, token, request, uri=None,
                        realms=None):
        return True

    def validate_verifier(self, client_key, token, verifier, request):
        with self.lock:
            entry = self.request_tokens.get(token)
        if entry is None or entry.get("verifier") is None:
            return False
        return hmac.compare_digest(entry["verifier"], verifier)

    def verify_request_token(self, token, request):
        with self.lock:
            return token in self.request_tokens

    def verify_realms(self, token, realms, request):
        return True

    def invalidate_request_token(self, client_key, request_token, request):
        with self.lock:
            self.request_tokens.pop(request_token, None)

    # --- secrets -----------------------------------------------------
    def get_client_secret(self, client_key, request):
        if hmac.compare_digest(client_key, self.consumer_key):
            return self.consumer_secret
        return "dummy-secret-for-timing"

    def get_request_token_secret(self, client_key, token, request):
        with self.lock:
            entry = self.request_tokens.get(token)
        return entry["secret"] if entry else "dummy-secret-for-timing"

    def get_access_token_secret(self, client_key, token, request):
        with self.lock:
            entry = self.access_tokens.get(token)
        return entry["secret"] if entry else "dummy-secret-for-timing"

    def get_rsa_key(self, client_key, request):
        raise NotImplementedError("RSA is not offered by this provider")

    def get_realms(self, token, request):
        return []

    def get_default_realms(self, client_key, request):
        return []

    def get_redirect_uri(self, token, request):
        # SMART: always the callback registered for the app, never the one
        # given at request-token time.
        return self.callback

    # --- saving ------------------------------------------------------
    def save_request_token(self, token, request):
        record_id = dict(request.params).get("smart_record_id")
        with self.lock:
            self.request_tokens[token["oauth_token"]] = {
                "secret": token["oauth_token_secret"],
                "record_id": record_id,
                "verifier": None,
            }

    def save_verifier(self, token, verifier, request):
        with self.lock:
            entry = self.request_tokens.get(token)
            if entry is not None:
                entry["verifier"] = verifier["oauth_verifier"]
                # Auto-approval: the one user of this peer approved.
                entry["user_id"] = USER_ID

    def save_access_token(self, token, request):
        with self.lock:
            self.access_tokens[token["oauth_token"]] = {
                "secret": token["oauth_token_secret"],
                "record_id": token.get("record_id"),
                "user_id": token.get("user_id"),
            }

    # --- helpers for the routes ----------------------------------------
    def request_token_record(self, token):
        """Returns (record_id, user_id) bound to a request token, or None."""
        with self.lock:
            entry = self.request_tokens.get(token)
        if entry is None:
            return None
        return entry["record_id"], entry.get("user_id", USER_ID)

    def access_token_record(self, token):
        """Returns the record id an access token reads, or None."""
        with self.lock:
            entry = self.access_tokens.get(token)
        return entry["record_id"] if entry else None


class Provider:
    """The WSGI application: SMART routes over oauthlib's endpoints."""

    def __init__(self, public_url, validator, app_index, default_record):
        self.public_url = public_url.rstrip("/")
        self.validator = validator
        self.app_index = app_index
        self.default_record = default_record
        self.request_token_endpoint = RequestTokenEndpoint(validator)
        self.authorization_endpoint = AuthorizationEndpoint(validator)
        self.access_token_endpoint = AccessTokenEndpoint(validator)
        self.resource_endpoint = ResourceEndpoint(validator)

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        # The URI every signature is checked against is built from the
        # configured public URL, never from the Host header.
        raw_path = urllib.parse.quote(path.encode("latin-1"), safe="/@:!$&'()*+,;=-._~")
        uri = self.public_url + raw_path + ("?" + query if query else "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode("utf-8") if length else ""
        headers = {}
        if environ.get("HTTP_AUTHORIZATION"):
            headers["Authorization"] = environ["HTTP_AUTHORIZATION"]
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        try:
            status, reply_headers, reply = self.route(method, path, uri, body, headers)
        except oauth_errors.OAuth1Error as err:
            status, reply_headers, reply = err.status_code, {
                "Content-Type": "application/x-www-form-urlencoded"}, err.urlencoded
        except ValueError as err:
            status, reply_headers, reply = 400, {"Content-Type": "text/plain"}, f"bad request: {err}"
        reply_headers.setdefault("Cache-Control", "no-store")
        start_response(f"{status} {STATUS_TEXT.get(status, 'Status')}",
                       list(reply_headers.items()))
        return [(reply or "").encode("utf-8")]

    def route(self, method, path, uri, body, headers):
        if method == "GET" and path == "/manifest":
            return 200, {"Content-Type": "application/json"}, json.dumps(self.manifest())
        match = re.fullmatch(r"/apps/([^/]+)/launch", path)
        if method == "GET" and match:
            return self.launch(uri)
        if method == "POST" and path == "/oauth/request_token":
            form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
            if not form.get("smart_record_id"):
                return 400, {"Content-Type": "text/plain"}, "smart_record_id is required"
            h, b, s = self.request_token_endpoint.create_request_token_response(
                uri, http_method=method, body=body, headers=headers)
            return s, dict(h), b
        if method == "GET" and path == "/oauth/authorize":
            return self.authorize(uri)
        if method == "POST" and path == "/oauth/access_token":
            token = header_param(headers, "oauth_token")
            bound = self.validator.request_token_record(token) if token else None
            credentials = {}
            if bound is not None:
                credentials = {"record_id": bound[0], "user_id": bound[1]}
            h, b, s = self.access_token_endpoint.create_access_token_response(
                uri, http_method=method, body=body, headers=headers,
                credentials=credentials)
            return s, dict(h), b
        match = re.fullmatch(r"/records/([^/]+)/demographics", path)
        if method == "GET" and match:
            return self.demographics(match.group(1), uri, body, headers)
        return 404, {"Content-Type": "text/plain"}, "not found"

    def manifest(self):
        base = self.public_url
        return {
            "smart_version": "1.0",
            "api_base": base,
            "name": "oauthlib peer container",
            "description": "An independent OAuth 1.0a provider built on oauthlib",
            "admin": "admin@example.invalid",
            "launch_urls": {
                "app_launch": base + "/apps/{{app_id}}/launch",
                "request_token": base + "/oauth/request_token",
                "authorize_token": base + "/oauth/authorize",
                "exchange_token": base + "/oauth/access_token",
            },
            "capabilities": {
                "http://smartplatforms.org/terms#Demographics": {"methods": ["GET"]},
            },
        }

    def launch(self, uri):
        if not self.app_index:
            return 404, {"Content-Type": "text/plain"}, "no app index configured"
        query = urllib.parse.urlencode(
            {"record_id": self.default_record, "api_base": self.public_url})
        sep = "&" if "?" in self.app_index else "?"
        return 302, {"Location": self.app_index + sep + query}, ""

    def authorize(self, uri):
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(uri).query))
        token = query.get("oauth_token", "")
        if query.get("decision") == "deny":
            self.validator.invalidate_request_token(None, token, None)
            return 403, {"Content-Type": "text/plain"}, "access denied by the user"
        h, b, s = self.authorization_endpoint.create_authorization_response(
            uri, http_method="GET")
        return s, dict(h), b

    def demographics(self, record_id, uri, body, headers):
        valid, request = self.resource_endpoint.validate_protected_resource_request(
            uri, http_method="GET", body=body, headers=headers)
        if not valid:
            return 401, {"Content-Type": "text/plain"}, "invalid signature, token, nonce or timestamp"
        bound = self.validator.access_token_record(request.resource_owner_key)
        if bound is None or not hmac.compare_digest(bound, record_id):
            return 403, {"Content-Type": "text/plain"}, "the token does not read this record"
        document = DEMOGRAPHICS.format(api_base=self.public_url, record_id=record_id,
                                       given=GIVEN_NAME, family=FAMILY_NAME)
        return 200, {"Content-Type": "application/rdf+xml"}, document


STATUS_TEXT = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized",
               403: "Forbidden", 404: "Not Found", 500: "Internal Server Error"}


def header_param(headers, name):
    """One decoded parameter of the OAuth Authorization header, or None."""
    value = headers.get("Authorization")
    if not value:
        return None
    try:
        return dict(oauth_utils.parse_authorization_header(value)).get(name)
    except ValueError:
        return None


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    """The stdlib WSGI server, one thread per connection."""

    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    """Logs one short line per request to stderr."""

    def log_message(self, format, *args):  # noqa: A002 (stdlib signature)
        sys.stderr.write("oauthlib_provider: " + (format % args) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--consumer-key", default="rest-minimal@apps.smartplatforms.org")
    parser.add_argument("--consumer-secret", default="interop-peer-secret-0123456789")
    parser.add_argument("--callback", default="http://localhost:8000/authorized")
    parser.add_argument("--app-index", default="")
    parser.add_argument("--record-id", default="1000001")
    args = parser.parse_args()

    public_url = f"http://{args.host}:{args.port}"
    validator = MemoryValidator(args.consumer_key, args.consumer_secret, args.callback)
    app = Provider(public_url, validator, args.app_index, args.record_id)
    with make_server(args.host, args.port, app, server_class=ThreadingServer,
                     handler_class=QuietHandler) as server:
        print(f"listening on {public_url}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
