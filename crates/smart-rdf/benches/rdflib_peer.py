"""The rdflib peer of benches/rdf.rs: the same parse and query work in Python rdflib 7.

Usage: rdflib_peer.py DEMOGRAPHICS_XML MEDICATIONS_XML SEED_QUERY_FILE DRUG_QUERY_FILE
Prints one JSON object: median nanoseconds per operation, keyed like the Rust summary.
"""

import json
import statistics
import sys
import time

import rdflib
from rdflib.plugins.sparql import prepareQuery


def median_ns(work, runs):
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        work()
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples)


def parse(data):
    graph = rdflib.Graph()
    graph.parse(data=data, format="xml")
    return graph


def rows(graph, query):
    return [tuple(row) for row in graph.query(query)]


def main():
    demographics_path, medications_path, seed_path, drug_path = sys.argv[1:5]
    with open(demographics_path, "rb") as f:
        demographics = f.read()
    with open(medications_path, "rb") as f:
        medications = f.read()
    with open(seed_path, encoding="utf-8") as f:
        seed = prepareQuery(f.read())
    with open(drug_path, encoding="utf-8") as f:
        drugs = prepareQuery(f.read())

    demo_graph = parse(demographics)
    got = rows(demo_graph, seed)
    assert [(str(g), str(f)) for g, f in got] == [("Given", "Family")], got
    med_graph = parse(medications)

    result = {
        "rdflib_version": rdflib.__version__,
        "demographics_parse_query_ns": median_ns(lambda: rows(parse(demographics), seed), 200),
        "medications_triples": len(med_graph),
        "medications_parse_ns": median_ns(lambda: parse(medications), 3),
        "medications_seed_query_ns": median_ns(lambda: rows(med_graph, seed), 5),
        "medications_drug_query_ns": median_ns(lambda: rows(med_graph, drugs), 5),
        "medications_drug_rows": len(rows(med_graph, drugs)),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
