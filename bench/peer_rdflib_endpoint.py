"""The peer for the SPARQL benchmark: rdflib-endpoint serving the same N-Triples (``PEER_DATA``)."""

from __future__ import annotations

import os

from rdflib import Graph
from rdflib_endpoint import SparqlEndpoint

graph = Graph().parse(os.environ["PEER_DATA"], format="nt")
app = SparqlEndpoint(graph=graph, cors_enabled=True, public_url="http://127.0.0.1/")
