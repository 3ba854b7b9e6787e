#!/usr/bin/env python3
"""Reads every data type beyond the seed's from our container with rdflib, as an app would.

With a background app's token for the first record (two-legged POST to
`/apps/{app_id}/tokens/records/first`, requests-oauthlib), it reads the
photograph and fetches the image its `sp:resource/sp:location` names; the
documents, each in the three formats (`metadata`, `raw`, `combined`), the
raw one an attachment with `nosniff`, its bytes matching `sp:hash` and the
embedded base64; the lab panels, whose `sp:labResult`s are lab results of the
record; fulfillments, procedures, social and family history. Then it posts a
clinical note built with rdflib as RDF/XML (signed; the body is no form, so
it is not in the base string), reads it back from `Location` and from the
list, and posts a malformed one, which is a 400 that stores nothing.

Usage: data_types_peer.py --api-base URL --app-id ID --consumer-secret S

Prints one JSON report on stdout; exits 1 when any check fails.
"""

import argparse
import base64
import hashlib
import json
import sys
import urllib.parse
from importlib import metadata

import rdflib
import requests
from rdflib import RDF, Literal, Namespace
from requests_oauthlib import OAuth1

PEERS = ("requests-oauthlib", "oauthlib", "rdflib", "requests")
SP = Namespace("http://smartplatforms.org/terms#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
RDF_XML = "application/rdf+xml"


class Report:
    """The checks made so far; each names its request."""

    def __init__(self):
        self.checks = []

    def check(self, name, ok, detail=""):
        self.checks.append({"check": name, "ok": bool(ok), "detail": str(detail)[:300]})
        return ok

    def status(self, name, response, expected):
        detail = f"{response.request.method} {response.request.url} -> {response.status_code}"
        if response.status_code != expected:
            detail += f" (expected {expected}): {response.text[:200]!r}"
        return self.check(name, response.status_code == expected, detail)


def graph_of(response):
    graph = rdflib.Graph()
    graph.parse(data=response.content, format="xml")
    return graph


def one(graph, subject, predicate):
    """The one object of (subject, predicate), or None."""
    values = list(graph.objects(subject, predicate))
    return values[0] if len(values) == 1 else None


def attachment(report, name, response, media_type):
    headers = response.headers
    report.check(f"{name}: Content-Type {media_type}",
                 headers.get("Content-Type") == media_type, headers.get("Content-Type"))
    report.check(f"{name}: nosniff", headers.get("X-Content-Type-Options") == "nosniff",
                 headers.get("X-Content-Type-Options"))
    report.check(f"{name}: an attachment",
                 headers.get("Content-Disposition", "").startswith("attachment; filename="),
                 headers.get("Content-Disposition"))
    report.check(f"{name}: sandboxed", "sandbox" in headers.get("Content-Security-Policy", ""),
                 headers.get("Content-Security-Policy"))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--api-base", required=True)
    p.add_argument("--app-id", required=True)
    p.add_argument("--consumer-secret", required=True)
    args = p.parse_args()
    report = Report()
    api = args.api_base.rstrip("/")
    key, secret = args.app_id, args.consumer_secret
    first = requests.post(f"{api}/apps/{urllib.parse.quote(key, safe='@')}/tokens/records/first",
                          auth=OAuth1(key, client_secret=secret))
    if not report.status("a background token for the first record", first, 200):
        return finish(report)
    token = dict(urllib.parse.parse_qsl(first.text))
    auth = OAuth1(key, client_secret=secret, resource_owner_key=token["oauth_token"],
                  resource_owner_secret=token["oauth_token_secret"])
    record = f"{api}/records/{token['smart_record_id']}"

    def get(path_or_url, **params):
        url = path_or_url if path_or_url.startswith("http") else f"{record}/{path_or_url}"
        return requests.get(url, params=params, auth=auth)

    # The photograph and its image.
    photo = get("photograph")
    if report.status("GET photograph", photo, 200):
        g = graph_of(photo)
        photos = list(g.subjects(RDF.type, SP.Photograph))
        report.check("one sp:Photograph, at the record's photograph URL",
                     [str(s) for s in photos] == [f"{record}/photograph"], photos)
        if photos:
            resource = one(g, photos[0], SP.resource)
            location = one(g, resource, SP.location) if resource is not None else None
            report.check("the photograph names its image (sp:resource/sp:location)",
                         location is not None, location)
            if location is not None:
                image = get(str(location))
                if report.status("GET the photograph's image", image, 200):
                    attachment(report, "the image", image, "image/png")
                    report.check("the image is a PNG", image.content.startswith(b"\x89PNG\r\n\x1a\n"))
                    size = one(g, photos[0], SP.fileSize)
                    report.check("sp:fileSize is the image's size",
                                 size is not None and int(size) == len(image.content), size)

    # Documents in their three formats.
    listing = get("documents/")
    if report.status("GET documents/", listing, 200):
        g = graph_of(listing)
        docs = sorted(g.subjects(RDF.type, SP.Document))
        report.check("the record has documents", len(docs) >= 2, len(docs))
        for doc in docs:
            doc_id = str(doc).rsplit("/", 1)[-1]
            media = str(one(g, doc, DCTERMS["format"]) or "").rsplit("mediatypes/", 1)[-1]
            report.check(f"document {doc_id}: sp:fileName and a media type",
                         one(g, doc, SP.fileName) is not None and "/" in media, media)
            meta = get(f"documents/{doc_id}", format="metadata")
            if report.status(f"GET documents/{doc_id} metadata", meta, 200):
                report.check(f"document {doc_id}: metadata is the same sp:Document",
                             (doc, RDF.type, SP.Document) in graph_of(meta))
            raw = get(f"documents/{doc_id}", format="raw")
            if not report.status(f"GET documents/{doc_id} raw", raw, 200):
                continue
            attachment(report, f"document {doc_id} raw", raw, media)
            resource = one(g, doc, SP.resource)
            digest = one(g, one(g, resource, SP.hash), RDF.value) if resource is not None else None
            report.check(f"document {doc_id}: the raw bytes match sp:hash (SHA-256)",
                         digest is not None and str(digest) == hashlib.sha256(raw.content).hexdigest(),
                         digest)
            combined = get(f"documents/{doc_id}", format="combined")
            if report.status(f"GET documents/{doc_id} combined", combined, 200):
                c = graph_of(combined)
                values = [str(v) for content in c.objects(None, SP.content)
                          for v in c.objects(content, SP.value)]
                report.check(f"document {doc_id}: combined embeds the raw bytes in base64",
                             len(values) == 1 and base64.b64decode(values[0]) == raw.content,
                             len(values))
        bad = get(f"documents/{str(docs[0]).rsplit('/', 1)[-1]}", format="pdf") if docs else None
        if bad is not None:
            report.status("an unknown format is 400", bad, 400)

    # Lab panels group the record's own lab results.
    panels, labs = get("lab_panels/"), get("lab_results/", limit=1000)
    if report.status("GET lab_panels/", panels, 200) and report.status("GET lab_results/", labs, 200):
        g, lab_graph = graph_of(panels), graph_of(labs)
        lab_uris = set(lab_graph.subjects(RDF.type, SP.LabResult))
        members = [(p, r) for p in g.subjects(RDF.type, SP.LabPanel) for r in g.objects(p, SP.labResult)]
        report.check("the record has lab panels with results", members, len(members))
        report.check("every sp:labResult of a panel is a lab result of the record",
                     all(r in lab_uris for _, r in members),
                     [str(r) for _, r in members if r not in lab_uris][:3])

    # The kinds the container now writes through smart-rdf.
    for path, kind, prop in [
        ("fulfillments/", SP.Fulfillment, SP.medication),
        ("social_history", SP.SocialHistory, SP.smokingStatus),
        ("family_history/", SP.FamilyHistory, SP.relation),
    ]:
        reply = get(path)
        if report.status(f"GET {path}", reply, 200):
            g = graph_of(reply)
            items = list(g.subjects(RDF.type, kind))
            report.check(f"{path}: each item has {prop.n3(g.namespace_manager)}",
                         items and all(one(g, i, prop) is not None for i in items), len(items))

    # A clinical note built with rdflib, posted as RDF/XML.
    notes_url = f"{record}/clinical_notes/"
    before = len(list(graph_of(get("clinical_notes/", limit=1000)).subjects(RDF.type, SP.ClinicalNote)))
    body = clinical_note(title=True)
    posted = requests.post(notes_url, data=body, headers={"Content-Type": RDF_XML}, auth=auth)
    if report.status("POST clinical_notes/ (rdflib RDF/XML)", posted, 201):
        location = posted.headers.get("Location", "")
        report.check("Location names the new note", location.startswith(notes_url), location)
        again = get(location)
        if report.status("GET the posted note", again, 200):
            g = graph_of(again)
            report.check("the note reads back with its title",
                         (rdflib.URIRef(location), DCTERMS.title, Literal("Posted by rdflib")) in g)
    after = len(list(graph_of(get("clinical_notes/", limit=1000)).subjects(RDF.type, SP.ClinicalNote)))
    report.check("the list has one more note", after == before + 1, f"{before} -> {after}")
    malformed = requests.post(notes_url, data=b"<rdf:RDF", headers={"Content-Type": RDF_XML}, auth=auth)
    report.status("a malformed note is 400", malformed, 400)
    missing = requests.post(notes_url, data=clinical_note(title=False),
                            headers={"Content-Type": RDF_XML}, auth=auth)
    report.status("a note without a title is 400", missing, 400)
    report.check("the 400 names the missing field", "title" in missing.text, missing.text[:200])
    last = len(list(graph_of(get("clinical_notes/", limit=1000)).subjects(RDF.type, SP.ClinicalNote)))
    report.check("the refused notes stored nothing", last == after, f"{after} -> {last}")
    return finish(report)


def clinical_note(title):
    """A clinical note as rdflib writes RDF/XML: a blank node, as an app that has no id for it."""
    note = rdflib.Graph()
    n = rdflib.BNode()
    note.add((n, RDF.type, SP.ClinicalNote))
    note.add((n, DCTERMS.date, Literal("2015-04-05")))
    if title:
        note.add((n, DCTERMS.title, Literal("Posted by rdflib")))
    note.add((n, SP.value, Literal("Written in Python; read back in Python.")))
    return note.serialize(format="xml").encode()


def finish(report):
    failed = [c for c in report.checks if not c["ok"]]
    versions = {name: metadata.version(name) for name in PEERS}
    print(json.dumps({"peer": versions, "checks": report.checks, "failed": len(failed)}, indent=1))
    for check in failed:
        print(f"FAILED: {check['check']}: {check['detail']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
