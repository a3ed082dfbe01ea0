"""``/reconcile``: the Reconciliation Service API v0.2 on the real server, as OpenRefine uses it.

Every response is validated against the published v0.2 JSON Schemas
(``tests/reconciliation_api_0_2``, copied from the W3C Entity Reconciliation CG's ``specs``
repository; README there). The cases are names written from the source page
(data/sources/mwg-about.th.txt), ISO codes from the data's IRIs (a province's slug is its
ISO 3166-2 code, README "IRIs"), and the expected ``match`` flag from the rule the API's users rely
on: true only when the query is a name, acronym or code of exactly one entity letter for letter
(case, spaces and punctuation aside).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from jsonschema import Draft7Validator
from rdflib import URIRef
from rdflib.namespace import OWL
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).parent / "reconciliation_api_0_2"
WIKIDATA = "http://www.wikidata.org/entity/"


def _validators() -> dict[str, Draft7Validator]:
    documents = {p.stem: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    registry = Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc, default_specification=DRAFT7))
        for doc in documents.values()
    )
    return {name: Draft7Validator(doc, registry=registry) for name, doc in documents.items()}


VALIDATORS = _validators()


def test_the_vendored_schemas_are_the_published_set():
    """The ten published 0.2 schemas but ``openapi.json`` (README there), and the licence notice
    that must travel with them."""
    names = {"data-extension-property-proposal", "data-extension-query", "data-extension-response",
             "manifest", "reconciliation-query-batch", "reconciliation-result-batch", "type",
             "suggest-entities-response", "suggest-properties-response",
             "suggest-types-response"}  # fmt: skip
    assert {p.stem for p in SCHEMAS.glob("*.json")} == names
    notice = (SCHEMAS / "LICENSE.txt").read_text(encoding="utf-8")
    assert "W3C SOFTWARE AND DOCUMENT NOTICE AND LICENSE" in notice and "Disclaimers" in notice


def valid(schema: str, document: object) -> object:
    errors = sorted(VALIDATORS[schema].iter_errors(document), key=lambda e: list(e.path))
    assert not errors, f"{schema}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors)
    return document


def reconcile(server, queries: dict, method: str = "POST") -> dict:
    valid("reconciliation-query-batch", queries)
    payload = {"queries": json.dumps(queries, ensure_ascii=False)}
    if method == "POST":
        response = server.post("/reconcile", data=payload)
    else:
        response = server.get("/reconcile", params=payload)
    assert response.status_code == 200, response.text
    return valid("reconciliation-result-batch", response.json())


# (query object, expected id of the top candidate, expected match flag)
CASES = [
    # organisations: English names, acronyms, the source's misspellings
    ({"query": "Solidarity Center", "type": "organization"}, "organization/sc", True),
    ({"query": "Environmental Justice Foundation"}, "organization/ejf", True),
    ({"query": "International Organization for Migration"}, "organization/iom", True),
    ({"query": "Jesuit Refugee Service", "type": "organization"}, "organization/jrs", True),
    ({"query": "International Rescue Committee"}, "organization/irc", True),
    ({"query": "Asylum Access Thailand"}, "organization/aat", True),
    ({"query": "Myanmar Rivers in Thailand", "type": "organization"}, "organization/mrt", True),
    ({"query": "Baan Dek Foundation"}, "organization/baan-dek-foundation", True),
    ({"query": "MAP Foundation"}, "organization/map-foundation", True),
    ({"query": "Save the Children Thailand"}, "organization/save-the-children-thailand", True),
    ({"query": "HRDF"}, "organization/hrdf", True),
    ({"query": "FED", "type": "organization"}, "organization/fed", True),
    ({"query": "NCCM"}, "organization/nccm", True),
    ({"query": "disac"}, "organization/disac", True),
    ({"query": "Word Vision Foundation of Thailand"}, "organization/wvft", True),
    ({"query": "Friend of Women"}, "organization/fow", True),
    ({"query": "Foundation of AIDS Rights"}, "organization/far", True),
    ({"query": "Human Right Development Foundation"}, "organization/hrdf", True),
    ({"query": "Word Vision", "type": "organization"}, "organization/wvft", False),
    ({"query": "Solidarty Center", "type": "organization"}, "organization/sc", False),
    ({"query": "Jesuit Refugee Servise"}, "organization/jrs", False),
    ({"query": "Migrant Workers Rights Network"}, "organization/mwrn", False),
    ({"query": "มูลนิธิศุภนิมิตแห่งประเทศไทย"}, "organization/wvft", True),
    ({"query": "มูลนิธิศุภนิมิต", "type": "organization"}, "organization/wvft", False),
    ({"query": "เครือข่ายองค์กรด้านประชากรข้ามชาติ"}, "organization/mwg", True),
    ({"query": "Foundation", "type": "organization",
      "properties": [{"pid": "acronym", "v": "FRY"}]}, "organization/fry", True),
    ({"query": "Rights Foundation", "properties": [{"pid": "acronym", "v": "HRDF"}]},
     "organization/hrdf", True),
    # the rest of the page's list, and two names one letter apart that must not be confused
    ({"query": "Migrant Worker Rights Network"}, "organization/mwrn", True),
    ({"query": "National Catholic Commission Migration"}, "organization/nccm", True),
    ({"query": "Diocesan Social Action of Suratthani Catholic Foundation"},
     "organization/disac", True),
    ({"query": "Fortify Rights"}, "organization/fortify-rights", True),
    ({"query": "FoW", "type": "organization"}, "organization/fow", True),
    ({"query": "Foundation for Women"}, "organization/foundation-for-women", True),
    ({"query": "Word Vision Foundation"}, "organization/wvft", False),
    # มูลนิธิผู้หญิง (the Foundation for Women's Thai name, members.ttl) without its tone mark
    ({"query": "มูลนิธิผูหญิง", "type": "organization"}, "organization/foundation-for-women", False),
    # provinces: Thai name, English name, ISO code, missing marks
    ({"query": "กรุงเทพมหานคร", "type": "province"}, "province/th-10", True),
    ({"query": "เชียงใหม่"}, "province/th-50", True),
    ({"query": "สมุทรสาคร", "type": "province"}, "province/th-74", True),
    ({"query": "ตราด"}, "province/th-23", True),
    ({"query": "Surat Thani", "type": "province"}, "province/th-84", True),
    ({"query": "Kanchanaburi"}, "province/th-71", True),
    ({"query": "TH-83"}, "province/th-83", True),
    ({"query": "th 20", "type": "province"}, "province/th-20", True),
    ({"properties": [{"pid": "iso_code", "v": "TH-85"}], "type": "province"},
     "province/th-85", True),
    ({"query": "Chiangmai", "properties": [{"pid": "iso_code", "v": "TH-50"}]},
     "province/th-50", True),
    ({"query": "เชียงใหม", "type": "province"}, "province/th-50", False),
    ({"query": "สุราษฎรธานี"}, "province/th-84", False),
    ({"query": "Samut Prakarn", "type": "province"}, "province/th-11", False),
    ({"query": "สุราษฎร์ธานี"}, "province/th-84", True),
    ({"query": "Phang Nga", "type": "province"}, "province/th-82", True),
    ({"query": "TH-82"}, "province/th-82", True),
    # nationalities and countries (the page's target groups: Myanmar, Lao, Cambodian workers)
    ({"query": "สัญชาติพม่า", "type": "nationality"}, "nationality/myanmar", True),
    ({"query": "สัญชาติลาว"}, "nationality/lao", True),
    ({"query": "กัมพูชา", "type": "nationality"}, "nationality/cambodian", False),
    ({"query": "Lao", "type": "nationality"}, "nationality/lao", False),
    ({"query": "Myanmar nationality"}, "nationality/myanmar", True),
    ({"query": "สัญชาติกัมพูชา"}, "nationality/cambodian", True),
    ({"query": "Cambodian nationality", "type": "nationality"}, "nationality/cambodian", True),
    ({"query": "สัญชาติพมา", "type": "nationality"}, "nationality/myanmar", False),  # no ่
    ({"query": "พม่า", "type": "country"}, "country/mm", True),
    ({"query": "MMR"}, "country/mm", True),
    ({"query": "เมียนมา"}, "country/mm", True),
    # themes, groups, statements
    ({"query": "สิทธิแรงงาน"}, "theme/labour-rights", True),
    ({"query": "Health", "type": "theme"}, "theme/health", True),
    ({"query": "ผู้ไร้สัญชาติ"}, "target-group/stateless-people", True),
    # A line of the page names its group exactly; a part of the line names the part exactly.
    ({"query": "แรงงานระดับล่างสัญชาติพม่า ลาว กัมพูชา ในประเทศไทย และผู้ติดตาม"},
     "target-group/low-skilled-migrant-workers-and-dependants", True),
    ({"query": "แรงงานระดับล่างสัญชาติพม่า ลาว กัมพูชา ในประเทศไทย"},
     "target-group/low-skilled-migrant-workers", True),
    ({"query": "ผู้ติดตาม", "type": "target-group"}, "target-group/accompanying-dependants", True),
    # The source's own spelling of สถานทูต, kept in the data as a hidden label (collaborators.ttl),
    # is a name of the category like "Word Vision Foundation of Thailand" is of WVFT: exact.
    ({"query": "สถานฑูต"}, "collaborator-category/embassies", True),
]  # fmt: skip


def case_id(case) -> str:
    query = case[0]
    return query.get("query") or json.dumps(query["properties"], ensure_ascii=False)


@pytest.mark.parametrize(("query", "expected", "match"), CASES, ids=map(case_id, CASES))
def test_top_candidate_and_match_flag(server, query, expected, match):
    result = reconcile(server, {"q0": query})["q0"]["result"]
    assert result, "no candidate"
    top = result[0]
    assert top["id"] == expected, result[:3]
    assert top["match"] is match, top
    assert not any(candidate["match"] for candidate in result[1:])


def test_enough_cases():
    assert len(CASES) >= 40


def test_get_and_post_give_the_same_answer(server):
    queries = {"a": {"query": "ระนอง"}, "b": {"query": "IRC", "limit": 1}}
    assert reconcile(server, queries, "GET") == reconcile(server, queries, "POST")


# Queries the v0.2 query schema allows (each is validated against it before it is sent): a
# spreadsheet cell can be a number or a boolean, and OpenRefine sends it as it is. One odd cell must
# not turn the whole batch of ten into a 400; a condition that cannot hold just demotes.
SCHEMA_VALID_QUERIES = [
    ({"query": "HRDF", "properties": [{"pid": "acronym", "v": True}]}, "organization/hrdf"),
    ({"query": "Tak", "properties": [{"pid": "iso_code", "v": 63}]}, "province/th-63"),
    ({"query": "FED", "properties": [{"pid": "acronym", "v": [False, "FED", 1.5]}]},
     "organization/fed"),
    ({"query": "Trat", "properties": [{"pid": "iso_code", "v": {"id": "TH-23", "name": "x"}}]},
     "province/th-23"),
    ({"query": "Ranong", "type": ["province", "country"], "type_strict": "all"}, "province/th-85"),
    ({"query": "เมียนมา", "type": []}, "country/mm"),
]  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), SCHEMA_VALID_QUERIES)
def test_every_query_the_schema_allows_is_answered(server, query, expected):
    result = reconcile(server, {"q": query})["q"]["result"]
    assert result and result[0]["id"] == expected, result[:2]


def test_limit_and_ambiguous_names_are_never_matched(server):
    result = reconcile(server, {"q": {"query": "Foundation", "limit": 3}})["q"]["result"]
    assert len(result) == 3
    assert not any(candidate["match"] for candidate in result)
    scores = [candidate["score"] for candidate in result]
    assert scores == sorted(scores, reverse=True)


def test_a_condition_that_fails_demotes_the_candidate(server):
    query = {"query": "HRDF", "properties": [{"pid": "acronym", "v": "EJF"}]}
    result = reconcile(server, {"q": query})["q"]["result"]
    assert result[0]["id"] == "organization/ejf" and result[0]["match"] is True
    hrdf = next(c for c in result if c["id"] == "organization/hrdf")
    assert hrdf["match"] is False and hrdf["score"] < result[0]["score"]


def test_manifest(server, built_settings, release_graph):
    response = server.get("/reconcile")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    manifest = valid("manifest", response.json())
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == built_settings.base_iri + "id/"
    assert manifest["schemaSpace"] == built_settings.base_iri + "def#"
    kinds = {t["id"] for t in manifest["defaultTypes"]}
    assert {"organization", "province", "country", "nationality", "theme", "strategy"} <= kinds
    # a default type for each kind the release mints ({base}id/{kind}/{slug}, README "IRIs")
    space = manifest["identifierSpace"]
    minted = {str(s)[len(space) :].split("/", 1)[0] for s in release_graph.subjects()
              if isinstance(s, URIRef) and str(s).startswith(space)}  # fmt: skip
    assert kinds == minted
    for part in ("entity", "type", "property"):
        assert manifest["suggest"][part]["service_path"] == f"/reconcile/suggest/{part}"
    assert manifest["extend"]["propose_properties"]["service_path"] == "/reconcile/properties"


def served_path(url: str, server) -> str:
    assert url.startswith(server.url), url
    return url[len(server.url) :]


def test_openrefine_flow_manifest_batch_extend(server, release_graph, built_settings):
    """What OpenRefine 3.x does: read the manifest, reconcile a column in batches of 10 (form
    POST), show previews, propose properties for the chosen type, then add columns by ``extend``."""
    manifest = valid("manifest", server.get("/reconcile").json())
    province = next(t for t in manifest["defaultTypes"] if t["id"] == "province")
    column = ["กรุงเทพมหานคร", "Phuket", "TH-63", "ชลบุรี", "Nong Khai", "ระยอง", "Trat",
              "สมุทรปราการ", "Chumphon", "พังงา", "Ranong", "กาญจนบุรี"]  # fmt: skip
    matched: dict[str, str] = {}
    for start in range(0, len(column), 10):
        batch = {f"q{i}": {"query": name, "type": province["id"], "type_strict": "should"}
                 for i, name in enumerate(column[start : start + 10], start)}  # fmt: skip
        answer = reconcile(server, batch)
        for key, value in answer.items():
            top = value["result"][0]
            assert top["match"], (batch[key], top)
            matched[batch[key]["query"]] = top["id"]
    assert len(set(matched.values())) == len(column)

    preview_url = manifest["preview"]["url"].replace("{{id}}", quote(matched["Phuket"], safe=""))
    preview = server.get(served_path(preview_url, server))
    assert preview.status_code == 200 and "ภูเก็ต" in preview.text
    assert "frame-ancestors *" in preview.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in preview.headers  # DENY there would forbid OpenRefine's iframe
    view = server.get(
        served_path(manifest["view"]["url"].replace("{{id}}", matched["Phuket"]), server),
        headers={"Accept": "text/html"},
    )
    assert view.status_code == 200 and "ภูเก็ต" in view.text

    service = manifest["extend"]["propose_properties"]
    proposal = server.get(
        served_path(service["service_url"] + service["service_path"], server),
        params={"type": province["id"]},
    ).json()
    valid("data-extension-property-proposal", proposal)
    wanted = {p["id"] for p in proposal["properties"]}
    assert {"iso_code", "wikidata", "name_th", "name_en"} <= wanted
    query = {"ids": list(matched.values()), "properties": [{"id": p} for p in sorted(wanted)]}
    valid("data-extension-query", query)
    response = server.post("/reconcile", data={"extend": json.dumps(query)})
    assert response.status_code == 200, response.text
    extension = valid("data-extension-response", response.json())
    for entity in matched.values():
        row = extension["rows"][entity]
        iri = URIRef(built_settings.base_iri + "id/" + entity)
        # the ISO 3166-2 code is the slug, upper-cased (README "IRIs"); Wikidata from owl:sameAs
        assert row["iso_code"] == [{"str": entity.rsplit("/", 1)[1].upper()}]
        items = {str(o)[len(WIKIDATA) :] for o in release_graph.objects(iri, OWL.sameAs)
                 if str(o).startswith(WIKIDATA)}  # fmt: skip
        assert {v["str"] for v in row["wikidata"]} == items and items
    assert extension["rows"][matched["TH-63"]]["name_th"] == [{"str": "ตาก"}]
    assert extension["rows"][matched["TH-63"]]["name_en"] == [{"str": "Tak"}]


def test_extend_organisations_by_get(server):
    query = {"ids": ["organization/hrdf", "organization/baan-dek-foundation", "no/such"],
             "properties": [{"id": "acronym"}, {"id": "name_en"}]}  # fmt: skip
    response = server.get("/reconcile", params={"extend": json.dumps(query)})
    rows = valid("data-extension-response", response.json())["rows"]
    assert rows["organization/hrdf"]["acronym"] == [{"str": "HRDF"}]
    assert rows["organization/baan-dek-foundation"]["acronym"] == []  # the page gives none
    assert rows["no/such"] == {"acronym": [], "name_en": []}


def test_suggest_services(server):
    entity = server.get("/reconcile/suggest/entity", params={"prefix": "Chum"}).json()
    valid("suggest-entities-response", entity)
    assert entity["result"][0]["id"] == "province/th-86"
    typed = server.get("/reconcile/suggest/entity", params={"prefix": "สม", "type": "province"})
    ids = [r["id"] for r in valid("suggest-entities-response", typed.json())["result"]]
    assert set(ids) == {"province/th-11", "province/th-74", "province/th-75"}
    kinds = server.get("/reconcile/suggest/type", params={"prefix": "prov"}).json()
    valid("suggest-types-response", kinds)
    assert [t["id"] for t in kinds["result"]] == ["province"]
    thai_kind = server.get("/reconcile/suggest/type", params={"prefix": "จังหวัด"}).json()
    assert [t["id"] for t in thai_kind["result"]] == ["province"]
    props = server.get("/reconcile/suggest/property", params={"prefix": "iso"}).json()
    valid("suggest-properties-response", props)
    assert [p["id"] for p in props["result"]] == ["iso_code"]
    assert valid("suggest-entities-response",
                 server.get("/reconcile/suggest/entity").json())["result"] == []  # fmt: skip


@pytest.mark.parametrize("lang", ["th", "en"])
def test_preview_is_small_and_in_the_asked_language(server, lang):
    response = server.get("/reconcile/preview", params={"id": "organization/wvft", "lang": lang})
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert len(response.content) < 2000
    assert "<script" not in response.text
    first = "มูลนิธิศุภนิมิตแห่งประเทศไทย" if lang == "th" else "World Vision Foundation of Thailand"
    assert f"<strong>{first}</strong>" in response.text


# One request of every kind the API answers in JSON: (schema, method, path, parameters, the part of
# the answer that must not be empty, so that a schema cannot pass on an empty list).
EXTEND = {"ids": ["organization/hrdf", "province/th-50"],
          "properties": [{"id": "acronym"}, {"id": "iso_code"}, {"id": "name_th"}]}  # fmt: skip
BATCH = {"q0": {"query": "Word Vision", "type": "organization"},
         "q1": {"properties": [{"pid": "iso_code", "v": "TH-50"}], "type": "province"}}  # fmt: skip
EVERY_RESPONSE = [
    ("manifest", "GET", "/reconcile", {}, "defaultTypes"),
    ("reconciliation-result-batch", "GET", "/reconcile", {"queries": json.dumps(BATCH)}, "q0"),
    ("reconciliation-result-batch", "POST", "/reconcile", {"queries": json.dumps(BATCH)}, "q1"),
    ("suggest-entities-response", "GET", "/reconcile/suggest/entity", {"prefix": "สมุทร"},
     "result"),
    ("suggest-types-response", "GET", "/reconcile/suggest/type", {"prefix": "org"}, "result"),
    ("suggest-properties-response", "GET", "/reconcile/suggest/property", {"prefix": "name"},
     "result"),
    ("data-extension-property-proposal", "GET", "/reconcile/properties",
     {"type": "organization"}, "properties"),
    ("data-extension-response", "GET", "/reconcile", {"extend": json.dumps(EXTEND)}, "rows"),
    ("data-extension-response", "POST", "/reconcile", {"extend": json.dumps(EXTEND)}, "rows"),
]  # fmt: skip


def ask(server, method: str, path: str, params: dict, **kwargs):
    if method == "POST":
        return server.post(path, data=params, **kwargs)
    return server.get(path, params=params, **kwargs)


@pytest.mark.parametrize(
    ("schema", "method", "path", "params", "filled"),
    EVERY_RESPONSE,
    ids=[f"{method} {path} {schema}" for schema, method, path, *_ in EVERY_RESPONSE],
)
def test_every_json_answer_validates_plain_and_as_jsonp_with_cors(
    server, schema, method, path, params, filled
):
    """The spec: CORS on every endpoint, uniformly; JSONP (optional there) wherever we offer it."""
    origin = {"Origin": "https://openrefine.example"}
    plain = ask(server, method, path, params, headers=origin)
    assert plain.status_code == 200, plain.text
    assert plain.headers["Content-Type"].startswith("application/json")
    assert plain.headers["Access-Control-Allow-Origin"] == "*"
    document = valid(schema, plain.json())
    part = document[filled]
    assert part and (not isinstance(part, dict) or "result" not in part or part["result"]), part

    wrapped = ask(server, method, path, {**params, "callback": "cb.done"}, headers=origin)
    assert wrapped.status_code == 200, wrapped.text
    assert wrapped.headers["Content-Type"].startswith("application/javascript")
    assert wrapped.headers["Access-Control-Allow-Origin"] == "*"
    body = wrapped.text
    assert body.startswith("/**/cb.done(") and body.endswith(");"), body[:80]
    assert valid(schema, json.loads(body[len("/**/cb.done(") : -2])) == document


@pytest.mark.parametrize(
    "path",
    ["/reconcile", "/reconcile/suggest/entity", "/reconcile/suggest/type",
     "/reconcile/suggest/property", "/reconcile/properties", "/reconcile/preview"],
)  # fmt: skip
def test_every_endpoint_answers_a_cors_preflight(server, path):
    preflight = server.request(
        "OPTIONS",
        path,
        headers={"Origin": "https://openrefine.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code in (200, 204), preflight.text
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_the_preview_and_errors_are_open_to_other_origins_too(server):
    """A browser client must be able to read the preview card and the reason for a 400 as well."""
    origin = {"Origin": "https://openrefine.example"}
    preview = server.get("/reconcile/preview", params={"id": "province/th-50"}, headers=origin)
    assert preview.status_code == 200 and preview.headers["Content-Type"].startswith("text/html")
    assert preview.headers["Access-Control-Allow-Origin"] == "*"
    asks_json = {**origin, "Accept": "application/json"}
    error = server.post("/reconcile", data={"queries": "{not json"}, headers=asks_json)
    assert error.status_code == 400
    assert error.headers["Access-Control-Allow-Origin"] == "*"
    assert "not valid JSON" in error.json()["message"]


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("entity", ["organization/disac", "target-group/accompanying-dependants"])
def test_the_preview_fits_the_frame_the_manifest_asks_for(server, browser, lang, entity):
    """OpenRefine frames the preview at the manifest's width and height; the longest names of the
    page (a member's, a target group's) must fit without scrolling."""
    manifest = server.get("/reconcile", params={"lang": lang}).json()
    width, height = manifest["preview"]["width"], manifest["preview"]["height"]
    url = manifest["preview"]["url"].replace("{{id}}", quote(entity, safe=""))
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    assert page.goto(url).status == 200
    over = page.evaluate(
        "[document.documentElement.scrollWidth - innerWidth,"
        " document.documentElement.scrollHeight - innerHeight]"
    )
    context.close()
    assert over[0] <= 0 and over[1] <= 0, f"{entity} ({lang}) overflows by {over} px"


def test_jsonp(server):
    response = server.get("/reconcile", params={"callback": "jQuery123_456"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/javascript")
    body = response.text
    assert body.startswith("/**/jQuery123_456(") and body.endswith(");")
    valid("manifest", json.loads(body[len("/**/jQuery123_456(") : -2]))


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"callback": "alert(1)"}, "callback"),
        ({"callback": "a" * 100}, "callback"),
        ({"queries": "{not json"}, "not valid JSON"),
        ({"queries": "[1, 2]"}, "JSON object of queries"),
        ({"queries": '{"q": "HRDF"}'}, "must be an object"),
        ({"queries": '{"q": {}}'}, "non-empty 'query'"),
        ({"queries": '{"q": {"query": "x", "limit": "ten"}}'}, "whole number"),
        ({"queries": '{"q": {"query": "x", "limit": 100000}}'}, "between 1 and 50"),
        ({"queries": '{"q": {"query": "x", "bogus": 1}}'}, "unknown field"),
        ({"queries": '{"q": {"query": "x", "properties": [{"pid": "colour", "v": "red"}]}}'},
         "unknown property"),
        ({"queries": json.dumps({f"q{i}": {"query": "x"} for i in range(201)})}, "at most 200"),
        ({"queries": "[" * 100_000 + "]" * 100_000}, "nested too deeply"),
        ({"queries": '{"q": {"query": "x", "limit": ' + "9" * 5000 + "}}"}, "too long to read"),
        ({"queries": '{"q": {"query": "x", "limit": NaN}}'}, "whole number"),
        ({"queries": '{"q": {"query": "x", "limit": 1e400}}'}, "whole number"),
        ({"queries": '{"q": {"query": "x", "limit": 2.5}}'}, "whole number"),
        ({"queries": '{"q": {"query": "x", "properties": [{"pid": "acronym", "v": {}}]}}'},
         "property value"),
        ({"queries": '{"q": {"query": 5}}'}, "'query' must be a string"),
        ({"extend": '{"ids": "organization/sc"}'}, "'ids'"),
        ({"extend": '{"ids": [1], "properties": []}'}, "must be a string"),
        ({"extend": '{"ids": [], "properties": [{"id": "shoe_size"}]}'}, "unknown property"),
    ],
)  # fmt: skip
def test_bad_requests_are_clear_400s(server, params, needle):
    response = server.post("/reconcile", data=params, headers={"Accept": "application/json"})
    assert response.status_code == 400, response.text
    assert needle in response.json()["message"]


def test_unknown_preview_is_404_and_cors_preflight_allows_post(server):
    missing = server.get("/reconcile/preview", params={"id": "organization/nope"})
    assert missing.status_code == 404
    preflight = server.request(
        "OPTIONS",
        "/reconcile",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


def test_namesakes_are_ranked_but_never_matched(built_settings):
    """Two entities with the same name (none in our data today): neither may be auto-matched, but
    an identifying condition (acronym) that holds for one of them makes that one a match."""
    from mwg_graph.names import Index
    from mwg_graph.web.app import create_app
    from mwg_graph.web.reconciliation import reconcile_one

    def org(slug: str, acronym: str) -> dict:
        return {"id": f"organization/{slug}", "kind": "organization", "label": {"en": "Twin"},
                "values": {"acronym": [acronym]},
                "names": [{"text": "Twin", "lang": "en", "field": "pref", "words": ["Twin"]},
                          {"text": acronym, "lang": None, "field": "acronym",
                           "words": [acronym]}]}  # fmt: skip

    index = Index.from_entries([org("a", "TA"), org("b", "TB")])
    with create_app(built_settings).test_request_context("/reconcile"):
        plain = reconcile_one(index, {"query": "Twin"}, "q", lambda text: "en")
        assert [c["match"] for c in plain] == [False, False]
        by_acronym = reconcile_one(
            index,
            {"query": "Twin", "properties": [{"pid": "acronym", "v": "TB"}]},
            "q",
            lambda text: "en",
        )
        assert (by_acronym[0]["id"], by_acronym[0]["match"]) == ("organization/b", True)
        assert by_acronym[1]["match"] is False


def test_an_identifying_condition_vouches_for_a_loose_name(server):
    query = {"query": "Rights Foundation", "properties": [{"pid": "acronym", "v": "HRDF"}]}
    top = reconcile(server, {"q": query})["q"]["result"][0]
    assert (top["id"], top["match"]) == ("organization/hrdf", True)
    assert top["score"] >= 90
    assert {"id": "properties_hold", "value": True} in top["features"]
