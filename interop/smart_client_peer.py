#!/usr/bin/env python3
"""An independent SMART REST client (requests-oauthlib) against our container.

It does the whole SMART dance as another implementation would: the request
token with `smart_record_id` in the signed form body, the user's login and
approval through the container's HTML forms, the access token, then signed
GETs of the demographics and of a filtered, paged collection. The RDF is
parsed with rdflib; what rdflib extracts is printed as JSON (and the raw
documents saved under --out) so that the Rust side can compare it with what
`smart-rdf` extracts from the same bytes. It then tries the other signature
method and transport, and the negative cases.

Usage: smart_client_peer.py --api-base URL --app-id ID --consumer-secret S
       --callback URL --username U --password P --out DIR
       [--record-id R|auto] [--other-record R2|auto]
       [--expect-sha256 accept|reject] [--expect-query accept|reject]  (form-body transport of the request token)
       [--expect-data-query accept|reject]  (query transport of a data call)

Prints one JSON report on stdout; exits 1 when any check fails, each failed
check naming the request.
"""

import argparse
import json
import os
import re
import sys
import time
import urllib.parse
from importlib import metadata
from html.parser import HTMLParser

import rdflib
from rdflib.container import Seq
import requests
from oauthlib.oauth1 import (
    SIGNATURE_HMAC_SHA256,
    SIGNATURE_PLAINTEXT,
    SIGNATURE_TYPE_BODY,
    SIGNATURE_TYPE_QUERY,
)
from requests_oauthlib import OAuth1, OAuth1Session

PEERS = ("requests-oauthlib", "oauthlib", "rdflib", "requests")

NAME_QUERY = """
PREFIX vc: <http://www.w3.org/2006/vcard/ns#>
SELECT ?given ?family
WHERE { [] vc:n ?vcard .
        OPTIONAL { ?vcard vc:given-name ?given . }
        OPTIONAL { ?vcard vc:family-name ?family . } }
"""

DEMOGRAPHICS_QUERY = """
PREFIX v: <http://www.w3.org/2006/vcard/ns#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX sp: <http://smartplatforms.org/terms#>
SELECT ?gender ?bday ?email WHERE {
  ?d a sp:Demographics .
  OPTIONAL { ?d foaf:gender ?gender . }
  OPTIONAL { ?d v:bday ?bday . }
  OPTIONAL { ?d v:email ?email . } }
"""

MEDICATION_QUERY = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX sp: <http://smartplatforms.org/terms#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?med ?drugname ?start WHERE {
  ?med rdf:type sp:Medication .
  ?med sp:drugName ?c .
  ?c dcterms:title ?drugname .
  OPTIONAL { ?med sp:startDate ?start . } }
"""

SUMMARY_QUERY = """
PREFIX api: <http://smartplatforms.org/terms/api#>
SELECT ?total ?returned ?order ?next WHERE {
  ?s a api:ResponseSummary .
  OPTIONAL { ?s api:totalResultCount ?total . }
  OPTIONAL { ?s api:resultsReturned ?returned . }
  OPTIONAL { ?s api:resultOrder ?order . }
  OPTIONAL { ?s api:nextPageURL ?next . } }
"""


class Report:
    """The checks made so far; each names its request."""

    def __init__(self):
        self.checks = []

    def check(self, name, ok, detail=""):
        self.checks.append({"check": name, "ok": bool(ok), "detail": detail})
        return ok

    def status(self, name, response, expected):
        """Checks that a response's status is one of the expected ones."""
        want = expected if isinstance(expected, (list, tuple)) else [expected]
        detail = f"{response.request.method} {response.request.url} -> {response.status_code}"
        if response.status_code not in want:
            detail += f" (expected {' or '.join(map(str, want))}): {response.text[:200]!r}"
        return self.check(name, response.status_code in want, detail)

    @property
    def failed(self):
        return [c for c in self.checks if not c["ok"]]


class FormParser(HTMLParser):
    """Collects the forms of a page with their fields and submit buttons."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self.links = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                               "fields": {}, "types": {}, "buttons": []})
        elif tag in ("input", "button", "select", "textarea") and self.forms:
            form = self.forms[-1]
            name = a.get("name")
            kind = (a.get("type") or ("submit" if tag == "button" else "text")).lower()
            if not name:
                return
            if kind == "submit":
                form["buttons"].append((name, a.get("value") or ""))
            else:
                form["fields"][name] = a.get("value") or ""
                form["types"][name] = kind
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])


def parse_forms(html):
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def submit(session, page, form, extra):
    """Submits a form of a page the way a browser would, redirects not followed."""
    action = urllib.parse.urljoin(page.url, form["action"] or page.url)
    data = dict(form["fields"])
    data.update(extra)
    if form["method"] == "post":
        return session.post(action, data=data, allow_redirects=False)
    return session.get(action, params=data, allow_redirects=False)


def follow(session, response, limit=10):
    """Follows redirects on the container's origin by hand (keeps cookies)."""
    for _ in range(limit):
        if response.status_code not in (301, 302, 303, 307, 308):
            return response
        target = urllib.parse.urljoin(response.url, response.headers["Location"])
        response = session.get(target, allow_redirects=False)
    return response


def authorize_as_user(report, args, authorize_url, request_token, decision):
    """Logs in and approves (or denies) through the container's HTML forms.

    Returns the redirect Location given after the decision, or None.
    """
    browser = requests.Session()
    page = follow(browser, browser.get(authorize_url, params={"oauth_token": request_token},
                                       allow_redirects=False))
    forms = parse_forms(page.text)
    login = next((f for f in forms if "password" in f["fields"] and "username" in f["fields"]), None)
    if login is not None:
        report.check("login form has return_url", "return_url" in login["fields"],
                     f"fields: {sorted(login['fields'])}")
        page = follow(browser, submit(browser, page, login,
                                      {"username": args.username, "password": args.password}))
        forms = parse_forms(page.text)
    approve = next((f for f in forms if "csrf_token" in f["fields"]), None)
    if not report.check(f"authorize page shown ({decision})", page.status_code == 200 and approve is not None,
                        f"GET {page.url} -> {page.status_code}, forms: {[sorted(f['fields']) for f in forms]}"):
        return None
    report.check("authorize form carries the request token",
                 approve["fields"].get("oauth_token") == request_token,
                 f"oauth_token field {approve['fields'].get('oauth_token')!r}")
    for header, value in (("X-Frame-Options", "DENY"), ("Cache-Control", "no-store")):
        report.check(f"authorize page sends {header}", (page.headers.get(header) or "").upper() == value.upper(),
                     f"{header}: {page.headers.get(header)!r}")
    result = submit(browser, page, approve, {"decision": decision})
    if decision == "deny":
        return result
    report.check("approval redirects to the registered callback",
                 result.status_code in (302, 303) and result.headers.get("Location", "").startswith(args.callback),
                 f"POST {result.url} -> {result.status_code}, Location {result.headers.get('Location')!r}")
    return result.headers.get("Location")


def discover_records(report, args, app_launch):
    """Logs in through the app's launch page and lists the records it offers."""
    launch = re.sub(r"\{\{\s*app_id\s*\}\}", urllib.parse.quote(args.app_id, safe=""), app_launch)
    browser = requests.Session()
    page = follow(browser, browser.get(launch, allow_redirects=False))
    login = next((f for f in parse_forms(page.text) if "password" in f["fields"]), None)
    if login is not None:
        page = follow(browser, submit(browser, page, login,
                                      {"username": args.username, "password": args.password}))
    links = FormParser()
    links.feed(page.text)
    found = []
    for href in links.links:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(href).query))
        if query.get("record_id") and query["record_id"] not in found:
            found.append(query["record_id"])
    report.check("launch page lists records after login", bool(found),
                 f"GET {page.url} -> {page.status_code}, {len(found)} records")
    return found


def rdf_graph(report, name, response):
    graph = rdflib.Graph()
    try:
        graph.parse(data=response.content, format="xml", publicID=response.url)
    except Exception as err:  # a named failure, not a crash
        report.check(f"{name} parses as RDF/XML", False, f"{type(err).__name__}: {err}")
        return None
    report.check(f"{name} parses as RDF/XML", len(graph) > 0, f"{len(graph)} triples")
    return graph


def text(term):
    return None if term is None else str(term)


def save(out, name, response):
    with open(os.path.join(out, name), "wb") as f:
        f.write(response.content)


def collection_extract(graph):
    meds = sorted({(text(r.drugname), text(r.start)) for r in graph.query(MEDICATION_QUERY)},
                  key=lambda m: (m[0] or "", m[1] or ""))
    summary = []
    for r in graph.query(SUMMARY_QUERY):
        order = [str(item) for item in Seq(graph, r.order).items()] if r.order is not None else None
        summary.append({"total": text(r.total), "returned": text(r.returned), "order": order,
                        "next": text(r.next)})
    return {"medications": [{"drug_name": d, "start_date": s} for d, s in meds],
            "summary": summary[0] if len(summary) == 1 else summary}


def peer_versions():
    """The versions of the peers this run used (for the suite's report)."""
    return {name: metadata.version(name) for name in PEERS}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--api-base", required=True)
    p.add_argument("--consumer-secret", required=True)
    p.add_argument("--callback", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--app-id", required=True, help="the app id (also the consumer key)")
    p.add_argument("--record-id", default="auto",
                   help="the record to read; `auto` picks the first one the launch page lists")
    p.add_argument("--other-record", default="auto",
                   help="a record the token must not read; `auto` picks the second one listed")
    p.add_argument("--out", required=True)
    p.add_argument("--expect-sha256", choices=["accept", "reject"], default="reject")
    p.add_argument("--expect-query", choices=["accept", "reject"], default="reject")
    p.add_argument("--expect-data-query", choices=["accept", "reject"], default="reject")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    report, data = REPORT, DATA
    api = args.api_base.rstrip("/")
    key, secret = args.app_id, args.consumer_secret

    manifest = requests.get(api + "/manifest")
    report.status("GET /manifest", manifest, 200)
    urls = manifest.json()["launch_urls"]

    # 0. Launch: log in and read the record picker, as a person would.
    listed = discover_records(report, args, urls["app_launch"])
    rid = listed[0] if args.record_id == "auto" and listed else args.record_id
    other = listed[1] if args.other_record == "auto" and len(listed) > 1 else args.other_record
    if not report.check("the launch page lists two records", rid != "auto" and other != "auto",
                        json.dumps(listed[:5])):
        return finish(report, data)
    data["record_id"], data["other_record"] = rid, other

    # 1. Request token: smart_record_id in the signed form body.
    oauth = OAuth1Session(key, client_secret=secret, callback_uri="oob")
    request_token = oauth.fetch_request_token(urls["request_token"], data={"smart_record_id": rid})
    report.check("request token reply has oauth_callback_confirmed=true",
                 request_token.get("oauth_callback_confirmed") == "true", json.dumps(sorted(request_token)))
    missing = requests.post(urls["request_token"], data={"other": "x"},
                            auth=OAuth1(key, client_secret=secret, callback_uri="oob"))
    report.status("request token without smart_record_id", missing, 400)
    plaintext = requests.post(urls["request_token"], data={"smart_record_id": rid},
                              auth=OAuth1(key, client_secret=secret, callback_uri="oob",
                                          signature_method=SIGNATURE_PLAINTEXT))
    report.status("PLAINTEXT over http refused", plaintext, [400, 401])
    # A form sent as "application/x-www-form-urlencoded; charset=utf-8": requests-oauthlib
    # signs its parameters (it sets the bare type while signing), the charset is added after.
    charset = requests.Request("POST", urls["request_token"], data={"smart_record_id": rid},
                               auth=OAuth1(key, client_secret=secret, callback_uri="oob")).prepare()
    charset.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    report.status("request token as a form with ; charset=utf-8", requests.Session().send(charset), 200)
    wrong_secret = requests.post(urls["request_token"], data={"smart_record_id": rid},
                                 auth=OAuth1(key, client_secret=secret + "x", callback_uri="oob"))
    report.status("request token with a wrong consumer secret", wrong_secret, 401)

    # 2. Authorization by the user, through the HTML forms.
    location = authorize_as_user(report, args, urls["authorize_token"], request_token["oauth_token"], "approve")
    if location is None:
        return finish(report, data)
    callback = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    report.check("callback carries the request token", callback.get("oauth_token") == request_token["oauth_token"],
                 location)

    # 3. Access token.
    exchange = OAuth1Session(key, client_secret=secret, resource_owner_key=request_token["oauth_token"],
                             resource_owner_secret=request_token["oauth_token_secret"],
                             verifier=callback.get("oauth_verifier"))
    access = exchange.fetch_access_token(urls["exchange_token"])
    report.check("access token reply names the record", access.get("record_id") == rid, json.dumps(sorted(access)))
    report.check("access token reply names the user", bool(access.get("user_id")), json.dumps(sorted(access)))
    again = requests.post(urls["exchange_token"], auth=OAuth1(
        key, client_secret=secret, resource_owner_key=request_token["oauth_token"],
        resource_owner_secret=request_token["oauth_token_secret"], verifier=callback.get("oauth_verifier")))
    report.status("second exchange of the same request token", again, 401)

    token, token_secret = access["oauth_token"], access["oauth_token_secret"]
    signed = OAuth1Session(key, client_secret=secret, resource_owner_key=token, resource_owner_secret=token_secret)

    # 4. Data calls.
    demo_url = f"{api}/records/{rid}/demographics"
    demo = signed.get(demo_url)
    if report.status("GET demographics", demo, 200):
        report.check("demographics is RDF/XML", demo.headers.get("Content-Type", "").startswith("application/rdf+xml"),
                     demo.headers.get("Content-Type", ""))
        report.check("demographics sends Cache-Control: no-store", demo.headers.get("Cache-Control") == "no-store",
                     repr(demo.headers.get("Cache-Control")))
        save(args.out, "demographics.rdf", demo)
        graph = rdf_graph(report, "demographics", demo)
        if graph is not None:
            names = [{"given": text(r.given), "family": text(r.family)} for r in graph.query(NAME_QUERY)]
            rows = [{"gender": text(r.gender), "bday": text(r.bday), "email": text(r.email)}
                    for r in graph.query(DEMOGRAPHICS_QUERY)]
            report.check("demographics has exactly one name", len(names) == 1, json.dumps(names))
            report.check("demographics has one gender and birthday", len(rows) == 1, json.dumps(rows))
            data["demographics"] = {"names": names, "fields": rows}

    page1 = signed.get(f"{api}/records/{rid}/medications/", params={"limit": "2", "offset": "0"})
    if report.status("GET medications page 1 (limit=2)", page1, 200):
        save(args.out, "medications-page1.rdf", page1)
        graph = rdf_graph(report, "medications page 1", page1)
        if graph is not None:
            data["medications_page1"] = collection_extract(graph)
            report.check("page 1 holds at most 2 medications", len(data["medications_page1"]["medications"]) <= 2,
                         json.dumps(data["medications_page1"]))
    # Page 2 is the nextPageURL page 1 gave, signed as the container wrote it.
    summary1 = data.get("medications_page1", {}).get("summary")
    next_url = summary1.get("next") if isinstance(summary1, dict) else None
    report.check("page 1 names its next page", bool(next_url), json.dumps(summary1))
    page2 = signed.get(next_url or f"{api}/records/{rid}/medications/?limit=2&offset=2")
    if report.status("GET medications page 2 (nextPageURL)", page2, 200):
        save(args.out, "medications-page2.rdf", page2)
        graph = rdf_graph(report, "medications page 2", page2)
        if graph is not None:
            data["medications_page2"] = collection_extract(graph)
    everything = signed.get(f"{api}/records/{rid}/medications/")
    filtered = signed.get(f"{api}/records/{rid}/medications/", params={"date_from": "2015-01-01", "limit": "50"})
    if report.status("GET all medications", everything, 200) and report.status(
            "GET medications filtered (date_from=2015-01-01)", filtered, 200):
        save(args.out, "medications-all.rdf", everything)
        save(args.out, "medications-filtered.rdf", filtered)
        g_all, g_filtered = rdf_graph(report, "all medications", everything), rdf_graph(report, "filtered", filtered)
        if g_all is not None and g_filtered is not None:
            data["medications_all"] = collection_extract(g_all)
            data["medications_filtered"] = collection_extract(g_filtered)
            starts = [m["start_date"] for m in data["medications_filtered"]["medications"]]
            report.check("the date filter keeps only later medications",
                         all(s is None or s[:10] >= "2015-01-01" for s in starts), json.dumps(starts))
            both = data.get("medications_page1", {}).get("medications", []) + \
                data.get("medications_page2", {}).get("medications", [])
            report.check("pages are part of the whole collection",
                         all(m in data["medications_all"]["medications"] for m in both), json.dumps(both))

    # A scratchpad PUT as requests-oauthlib signs it: RFC 5849 signs no
    # non-form body, so it sends no oauth_body_hash.
    pad_url = f"{api}/records/{rid}/apps/{urllib.parse.quote(key, safe='@')}/scratchpad"
    pad_body = b"notes from requests-oauthlib\n"
    pad = signed.put(pad_url, data=pad_body, headers={"Content-Type": "text/plain"})
    if report.status("PUT scratchpad without oauth_body_hash (requests-oauthlib)", pad, 200):
        back = signed.get(pad_url)
        report.status("GET scratchpad after the PUT", back, 200)
        report.check("the scratchpad holds what was PUT", back.content == pad_body, repr(back.content[:80]))
        report.check("the scratchpad is served as an attachment",
                     (back.headers.get("Content-Disposition") or "").startswith("attachment"),
                     repr(back.headers.get("Content-Disposition")))
        report.check("API replies send nosniff", back.headers.get("X-Content-Type-Options") == "nosniff",
                     repr(back.headers.get("X-Content-Type-Options")))
    html = signed.put(pad_url, data=b"<script>alert(1)</script>", headers={"Content-Type": "text/html"})
    report.status("PUT scratchpad as text/html is refused", html, 415)

    # 5. The other signature method and the query transport.
    sha256 = requests.get(demo_url, auth=OAuth1(key, client_secret=secret, resource_owner_key=token,
                                                resource_owner_secret=token_secret,
                                                signature_method=SIGNATURE_HMAC_SHA256))
    report.status(f"HMAC-SHA256 ({args.expect_sha256} expected)", sha256,
                  200 if args.expect_sha256 == "accept" else [400, 401])
    query = requests.get(demo_url, auth=OAuth1(key, client_secret=secret, resource_owner_key=token,
                                               resource_owner_secret=token_secret,
                                               signature_type=SIGNATURE_TYPE_QUERY))
    report.status(f"query-string transport of a data call ({args.expect_data_query} expected)", query,
                  200 if args.expect_data_query == "accept" else 400)
    in_body = requests.post(urls["request_token"], data={"smart_record_id": rid},
                            auth=OAuth1(key, client_secret=secret, callback_uri="oob",
                                        signature_type=SIGNATURE_TYPE_BODY))
    report.status(f"form-body transport of the request token ({args.expect_query} expected)", in_body,
                  200 if args.expect_query == "accept" else [400, 401])
    twice = requests.Request("GET", demo_url, auth=OAuth1(key, client_secret=secret, resource_owner_key=token,
                                                          resource_owner_secret=token_secret)).prepare()
    twice.url += "?oauth_nonce=anothernonce0123456789"
    report.status("oauth_nonce in the header and the query", requests.Session().send(twice), 400)

    # 6. Negative cases.
    fixed = OAuth1(key, client_secret=secret, resource_owner_key=token, resource_owner_secret=token_secret,
                   nonce="replayednonce0123456789", timestamp=str(int(time.time())))
    report.status("first use of a nonce", requests.get(demo_url, auth=fixed), 200)
    report.status("replayed request (same nonce and timestamp)", requests.get(demo_url, auth=fixed), 401)

    tampered = requests.Request("GET", f"{api}/records/{rid}/medications/?limit=2",
                                auth=OAuth1(key, client_secret=secret, resource_owner_key=token,
                                            resource_owner_secret=token_secret)).prepare()
    tampered.url = tampered.url.replace("limit=2", "limit=3")
    report.status("tampered query parameter (limit=2 signed, limit=3 sent)", requests.Session().send(tampered), 401)

    forged = requests.Request("GET", demo_url, auth=OAuth1(key, client_secret=secret, resource_owner_key=token,
                                                           resource_owner_secret=token_secret)).prepare()
    header = forged.headers["Authorization"]
    if isinstance(header, bytes):
        header = header.decode("ascii")
    start = header.index('oauth_signature="') + len('oauth_signature="')
    flipped = "B" if header[start] != "B" else "C"
    forged.headers["Authorization"] = header[:start] + flipped + header[start + 1:]
    report.status("tampered signature", requests.Session().send(forged), 401)

    stale = OAuth1(key, client_secret=secret, resource_owner_key=token, resource_owner_secret=token_secret,
                   timestamp=str(int(time.time()) - 3600))
    report.status("timestamp an hour old", requests.get(demo_url, auth=stale), 401)
    wrong_token_secret = OAuth1(key, client_secret=secret, resource_owner_key=token,
                                resource_owner_secret=token_secret + "x")
    report.status("wrong token secret", requests.get(demo_url, auth=wrong_token_secret), 401)
    report.status("another record's demographics", signed.get(f"{api}/records/{other}/demographics"), 403)

    # 7. A denied authorization gives no verifier.
    oauth2 = OAuth1Session(key, client_secret=secret, callback_uri="oob")
    second = oauth2.fetch_request_token(urls["request_token"], data={"smart_record_id": rid})
    denied = authorize_as_user(report, args, urls["authorize_token"], second["oauth_token"], "deny")
    if denied is not None:
        report.check("denial redirects to the callback without a verifier",
                     denied.status_code in (302, 303)
                     and denied.headers.get("Location", "").startswith(args.callback)
                     and "oauth_verifier=" not in denied.headers.get("Location", ""),
                     f"{denied.status_code} Location {denied.headers.get('Location')!r}")
        late = requests.post(urls["exchange_token"], auth=OAuth1(
            key, client_secret=secret, resource_owner_key=second["oauth_token"],
            resource_owner_secret=second["oauth_token_secret"], verifier="x" * 20))
        report.status("exchange after a denial", late, 401)
    return finish(report, data)


def finish(report, data):
    failed = report.failed
    print(json.dumps({"peer": peer_versions(), "checks": report.checks, "failed": len(failed),
                      "data": data}, ensure_ascii=False, indent=1))
    for check in failed:
        print(f"FAILED: {check['check']}: {check['detail']}", file=sys.stderr)
    return 1 if failed else 0


REPORT = Report()
DATA = {}


def guarded_main():
    """Runs main; an unexpected exception is reported as a failed check."""
    try:
        return main()
    except Exception as err:  # a named failure with the request, not a bare traceback
        REPORT.check("the peer ran to the end", False, f"{type(err).__name__}: {err}")
        return finish(REPORT, DATA)


if __name__ == "__main__":
    sys.exit(guarded_main())
