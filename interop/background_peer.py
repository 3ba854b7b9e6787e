#!/usr/bin/env python3
"""A background (helper) SMART app written with requests-oauthlib, against our container.

It walks every record as the original's background apps did: a two-legged
POST (consumer key and secret, no token) to
`/apps/{app_id}/tokens/records/first`, then `.../{record_id}/next` until the
container answers 404, each answer a form-encoded `oauth_token`,
`oauth_token_secret` and `smart_record_id`. With each token it reads the
record's demographics, and with one of them it makes filtered calls (a date
bound exactly on an item's date, an RxNorm code) and checks what they kept
against the unfiltered collection, read with rdflib. Then the refusals: a
token on another record, an unknown parameter, a wrong consumer secret.

Usage: background_peer.py --api-base URL --app-id ID --consumer-secret S --expect-records N

Prints one JSON report on stdout; exits 1 when any check fails.
"""

import argparse
import json
import sys
import urllib.parse
from importlib import metadata

import rdflib
import requests
from requests_oauthlib import OAuth1

PEERS = ("requests-oauthlib", "oauthlib", "rdflib", "requests")

MEDICATIONS = """
PREFIX sp: <http://smartplatforms.org/terms#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?med ?start ?code WHERE {
  ?med a sp:Medication ; sp:startDate ?start ; sp:drugName ?c .
  ?c sp:code ?k . ?k dcterms:identifier ?code . }
"""


class Report:
    """The checks made so far; each names its request."""

    def __init__(self):
        self.checks = []

    def check(self, name, ok, detail=""):
        self.checks.append({"check": name, "ok": bool(ok), "detail": detail})
        return ok

    def status(self, name, response, expected):
        detail = f"{response.request.method} {response.request.url} -> {response.status_code}"
        if response.status_code != expected:
            detail += f" (expected {expected}): {response.text[:200]!r}"
        return self.check(name, response.status_code == expected, detail)


def medications(response):
    """(med URI, start day, RxNorm code) of each medication, read by rdflib."""
    graph = rdflib.Graph()
    graph.parse(data=response.content, format="xml")
    return sorted((str(r.med), str(r.start)[:10], str(r.code)) for r in graph.query(MEDICATIONS))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--api-base", required=True)
    p.add_argument("--app-id", required=True)
    p.add_argument("--consumer-secret", required=True)
    p.add_argument("--expect-records", type=int, required=True)
    args = p.parse_args()
    report = Report()
    api = args.api_base.rstrip("/")
    key, secret = args.app_id, args.consumer_secret
    tokens_url = f"{api}/apps/{urllib.parse.quote(key, safe='@')}/tokens/records"
    two_legged = OAuth1(key, client_secret=secret)

    # The loop over every record, one token each.
    tokens = []
    url = f"{tokens_url}/first"
    while len(tokens) <= args.expect_records:
        reply = requests.post(url, auth=two_legged)
        if reply.status_code == 404:
            break
        if not report.status(f"POST {url[len(api):]}", reply, 200):
            break
        report.check("token reply is form-encoded",
                     reply.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"),
                     reply.headers.get("Content-Type"))
        fields = dict(urllib.parse.parse_qsl(reply.text))
        if not report.check("token reply has oauth_token, oauth_token_secret, smart_record_id",
                            all(fields.get(k) for k in ("oauth_token", "oauth_token_secret", "smart_record_id")),
                            json.dumps(sorted(fields))):
            break
        tokens.append(fields)
        url = f"{tokens_url}/{urllib.parse.quote(fields['smart_record_id'])}/next"
    records = [t["smart_record_id"] for t in tokens]
    report.check(f"the loop gave {args.expect_records} tokens, one per record, then 404",
                 len(tokens) == args.expect_records and len(set(records)) == len(records),
                 f"{len(tokens)} tokens, {len(set(records))} records")
    report.check("every token is different", len({t["oauth_token"] for t in tokens}) == len(tokens))

    def signed(t):
        return OAuth1(key, client_secret=secret, resource_owner_key=t["oauth_token"],
                      resource_owner_secret=t["oauth_token_secret"])

    read = [requests.get(f"{api}/records/{t['smart_record_id']}/demographics", auth=signed(t)).status_code
            for t in tokens]
    report.check("each token reads its record's demographics", read and all(s == 200 for s in read),
                 json.dumps(read[:5]))
    if len(tokens) < 2:
        return finish(report)

    # Filtered calls with one token.
    first, second = tokens[0], tokens[1]
    meds_url = f"{api}/records/{first['smart_record_id']}/medications/"
    everything = requests.get(meds_url, auth=signed(first))
    if report.status("GET medications (unfiltered)", everything, 200):
        all_meds = medications(everything)
        if report.check("the record has medications", all_meds, ""):
            bound = sorted(m[1] for m in all_meds)[len(all_meds) // 2]
            for param, keep in [
                ("date_from", lambda d: d >= bound),
                ("date_from_excluding", lambda d: d > bound),
                ("date_to_including", lambda d: d <= bound),
                ("date_to_excluding", lambda d: d < bound),
            ]:
                got = requests.get(meds_url, params={param: bound}, auth=signed(first))
                if report.status(f"GET medications {param}={bound}", got, 200):
                    expected = [m for m in all_meds if keep(m[1])]
                    report.check(f"{param}={bound} keeps exactly the medications it should",
                                 medications(got) == expected,
                                 f"{len(medications(got))} kept, {len(expected)} expected")
            code = all_meds[0][2]
            got = requests.get(meds_url, params={"rxnorm": code}, auth=signed(first))
            if report.status(f"GET medications rxnorm={code}", got, 200):
                report.check(f"rxnorm={code} keeps exactly that code",
                             medications(got) == [m for m in all_meds if m[2] == code],
                             json.dumps(medications(got)[:3]))

    # The refusals.
    unknown = requests.get(meds_url, params={"colour": "blue"}, auth=signed(first))
    report.status("an unknown parameter is 400", unknown, 400)
    report.check("the 400 names the parameter and the accepted ones",
                 "colour" in unknown.text and "date_from_excluding" in unknown.text, unknown.text[:200])
    other = requests.get(f"{api}/records/{second['smart_record_id']}/demographics", auth=signed(first))
    report.status("a record token on another record is 403", other, 403)
    wrong = requests.post(f"{tokens_url}/first", auth=OAuth1(key, client_secret=secret + "x"))
    report.status("a wrong consumer secret is 401", wrong, 401)
    with_token = requests.post(f"{tokens_url}/first", auth=signed(first))
    report.status("a token request carrying an access token is 400", with_token, 400)
    return finish(report)


def finish(report):
    failed = [c for c in report.checks if not c["ok"]]
    versions = {name: metadata.version(name) for name in PEERS}
    print(json.dumps({"peer": versions, "checks": report.checks, "failed": len(failed)}, indent=1))
    for check in failed:
        print(f"FAILED: {check['check']}: {check['detail']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
