"""Property: no request to ``/search`` or ``/reconcile``, however odd, gets a 5xx or a traceback.

Like tests/test_fuzz_requests.py (same byte-for-byte client), with the vocabulary of these paths:
their parameters, JSON fragments of query batches, Thai and Latin text. Bounded: 120 examples.
"""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import RunningServer
from tests.raw_http import raw_request

from .test_fuzz_requests import TRACE_MARKERS

PATHS = [
    "/search", "/search.json", "/reconcile", "/reconcile/suggest/entity",
    "/reconcile/suggest/type", "/reconcile/suggest/property", "/reconcile/preview",
    "/reconcile/properties", "/link",
]  # fmt: skip
NAMES = ["q", "limit", "kind", "lang", "queries", "extend", "callback", "prefix", "cursor",
         "type", "id"]  # fmt: skip
JSON_PARTS = [
    "{", "}", "[", "]", ",", ":", '"q0"', '"query"', '"type"', '"limit"', '"properties"',
    '"pid"', '"v"', '"ids"', '"id"', '"acronym"', '"iso_code"', '"province"', '"HRDF"',
    '"เชียงใหม่"', "null", "true", "1e999", "-1", "0", "NaN", '"\\ud800"', "50", "1.5",
]  # fmt: skip
text = st.text(max_size=30)
jsonish = st.lists(st.sampled_from(JSON_PARTS) | text, max_size=16).map("".join)
value = jsonish | text | st.sampled_from(["th", "en", "province", "organization/sc", "cb", "a.b"])
params = st.lists(st.tuples(st.sampled_from(NAMES), value), max_size=4)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["GET", "GET", "POST", "HEAD", "OPTIONS"]),
    path=st.sampled_from(PATHS),
    params=params,
    as_form=st.booleans(),
    accept=st.none() | st.sampled_from(["application/json", "text/html", "*/*", "image/png"]),
)
def test_no_5xx_and_no_traceback(server: RunningServer, method, path, params, as_form, accept):
    encoded = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params)
    headers = {"Accept": accept} if accept else {}
    body = None
    target = path
    if method == "POST" and as_form:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = encoded.encode()
    elif encoded:
        target += "?" + encoded
    response = raw_request(server.url, method, target, headers, body)
    assert response.status < 500, (method, target, body, response.text[:300])
    assert not any(marker in response.text for marker in TRACE_MARKERS)
