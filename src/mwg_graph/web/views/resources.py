"""Dereferencing: every IRI the release mints resolves here (W3C "Cool URIs for the Semantic Web").

- ``/id/{kind}/{slug}`` answers ``303 See Other`` to its document ``/doc/{kind}/{slug}``
  (https://www.w3.org/TR/cooluris/#r303gendocument);
- ``/doc/{kind}/{slug}`` negotiates HTML, Turtle, JSON-LD, N-Triples and RDF/XML (``Vary: Accept``),
  names the chosen variant in ``Content-Location`` and lists every variant in ``Link`` headers;
  ``/doc/{kind}/{slug}.ttl`` (``.html .jsonld .nt .rdf``) always returns that format;
- ``/def`` is the ontology's documentation (terms ``{base}def#Term`` are anchors on it), with the
  same negotiation and suffixes; the version IRI ``/def/{version}`` redirects to it.

Every format of a document is made from one graph (:mod:`mwg_graph.web.documents`). Unknown
IRIs are a 404 in the format asked for (see :mod:`mwg_graph.web.views.pages`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, render_template, request
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from mwg_graph.formats import RDF_FORMATS, RdfFormat, rdf_format_by_media_type, rdf_format_by_suffix
from mwg_graph.iris import GEO, KINDS, SLUG
from mwg_graph.web import http
from mwg_graph.web.citation import cite_dataset, cite_resource, dataset_facts
from mwg_graph.web.documents import (
    describe,
    describe_ontology,
    exists,
    for_page,
    holds,
    in_named_graph,
    ontology_terms,
    shared_around,
)
from mwg_graph.web.i18n import LANGUAGES, kind_name, kind_one
from mwg_graph.web.releases import PublishedRelease
from mwg_graph.web.schema_org import breadcrumb_page, describe_for_search, script_json
from mwg_graph.web.state import state
from mwg_graph.web.svgmap import layout
from mwg_graph.web.views import common, resource_facts
from mwg_graph.web.views.common import HTML, href_for, lang, require_release, site_href

bp = Blueprint("resources", __name__)

SUFFIXES = (".html", *(f.suffix for f in RDF_FORMATS))


def split_suffix(name: str) -> tuple[str, str | None]:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)], suffix
    return name, None


def minted(kind: str, name: str) -> tuple[PublishedRelease, URIRef, str, str | None]:
    """The release and the IRI ``{base}id/{kind}/{slug}`` named by a path, or 404 when the release
    mints no such resource."""
    slug, suffix = split_suffix(name)
    release = require_release()
    iri = URIRef(f"{common.iris().base}id/{kind}/{slug}")
    if kind not in KINDS or not SLUG.match(slug) or not exists(release.store, iri):
        abort(404)
    return release, iri, slug, suffix


@bp.route("/id/<kind>/<name>")
def identifier(kind: str, name: str):
    release, _, slug, suffix = minted(kind, name)
    http.mark(release)
    target = site_href(f"doc/{kind}/{slug}{suffix or ''}", keep_lang=False)
    if request.args.get("lang") in LANGUAGES:  # a link that names its language keeps it (widget)
        target += "?" + urlencode({"lang": request.args["lang"]})
    return redirect(target, 303)


@bp.route("/id/<kind>/")
def kind_index(kind: str):
    if kind not in KINDS:
        abort(404)
    return redirect(site_href(f"browse/{kind}/"), 302)


@bp.route("/doc/<kind>/<name>")
def document(kind: str, name: str):
    release, iri, slug, suffix = minted(kind, name)
    return respond(
        f"doc/{kind}/{slug}",
        suffix,
        key=("doc", iri),
        graph_fn=lambda: describe(release.store, iri, common.iris()),
        html_fn=lambda description: resource_page(release, iri, description),
    )


@bp.route("/def")
@bp.route("/def.<ext>")
def ontology(ext: str | None = None):
    release = require_release()
    suffix = f".{ext}" if ext else None
    if suffix and suffix not in SUFFIXES:
        abort(404)
    if not exists(release.store, common.iris().ontology):
        abort(404)
    return respond(
        "def",
        suffix,
        key=("def",),
        graph_fn=lambda: describe_ontology(release.store, common.iris()),
        html_fn=lambda description: ontology_page(release, description),
    )


@bp.route("/def/<version>")
def ontology_version(version: str):
    release = require_release()
    version_iri = URIRef(f"{common.iris().base}def/{version}")
    if not holds(release.store, (common.iris().ontology, OWL.versionIRI, version_iri)):
        abort(404)
    http.mark(release)
    return redirect(site_href("def", keep_lang=False), 303)


# ---- one document in every format ---------------------------------------------------------


def alternates(path: str) -> list[dict[str, str]]:
    found = [{"media_type": HTML, "suffix": ".html", "name": "HTML"}]
    for fmt in RDF_FORMATS:
        found.append({"media_type": fmt.media_type, "suffix": fmt.suffix, "name": fmt.label})
    for alt in found:  # the HTML page keeps the reader's language; data has both
        alt["href"] = site_href(path + alt["suffix"], keep_lang=alt["media_type"] == HTML)
    return found


def respond(
    path: str,
    suffix: str | None,
    key: tuple,
    graph_fn: Callable[[], Graph],
    html_fn: Callable[[Graph], str],
) -> Response:
    release = require_release()
    http.mark(release)
    if suffix is None:
        media_type = common.choose_offer()
        if media_type is None:
            response = Response(
                "Not Acceptable. Available: text/html, "
                + ", ".join(f.media_type for f in RDF_FORMATS) + "\n",
                406, mimetype="text/plain",
            )  # fmt: skip
            http.add_vary(response, "Accept")
            return response
    else:
        media_type = HTML if suffix == ".html" else rdf_format_by_suffix(suffix).media_type

    def description() -> Graph:
        return state().memo.get(release.version, ("graph", key), graph_fn)  # type: ignore[return-value]

    if media_type == HTML:
        cacheable = set(request.args) <= {"lang"}
        memo_key = ("html", key, lang(), common.lang_fixed(), request.path, common.public_root())
        body = (
            state().memo.get(release.version, memo_key, lambda: html_fn(description()))
            if cacheable
            else html_fn(description())
        )
        response = Response(body, mimetype=HTML)
        response.headers["Content-Language"] = lang()
        http.add_vary(response, "Accept-Language")
        chosen_suffix = ".html"
    else:
        fmt: RdfFormat = rdf_format_by_media_type(media_type)  # type: ignore[assignment]
        body = common.serialized(release, key, description, fmt)
        # Under the type asked for: a near-miss alias (formats.RDF_OFFERS) names the same bytes.
        response = Response(body, content_type=common.media_type_header(media_type))
        chosen_suffix = fmt.suffix
    if suffix is None:
        http.add_vary(response, "Accept")
        response.headers["Content-Location"] = site_href(path + chosen_suffix, keep_lang=False)
    links = [
        f'<{alt["href"]}>; rel="alternate"; type="{alt["media_type"]}"' for alt in alternates(path)
    ]
    response.headers["Link"] = ", ".join(links)
    return response


# ---- HTML -----------------------------------------------------------------------------


def sources_of(graph: Graph, description: Graph, iri: URIRef, language: str) -> list[common.Value]:
    found = sorted(set(description.objects(iri, PROV.wasDerivedFrom)), key=str)
    return [common.node_value(graph, description, s, language) for s in found]


def partner_sections(release, vocab: Graph, iri: URIRef, language: str) -> list[dict]:
    """ "Linked from partner data": per partner dataset that says something about ``iri`` or links
    to it, its statements and its attribution (title, publisher, licence), from its named graph."""
    sections = []
    for partner in release.info.get("partners", []):
        found = in_named_graph(release.store, iri, partner["graph"], common.iris())
        if not len(found):
            continue
        names = vocab + found
        sections.append({
            "partner": partner,
            "license_name": common.friendly_outside_name(partner["license"]) or partner["license"],
            "rows": common.rows(names, found, iri, language),
            "incoming": common.incoming_rows(names, found, iri, language),
        })  # fmt: skip
    return sections


def page_context(release, graph: Graph, iri: URIRef, path: str) -> dict:
    """What every document page has: schema.org markup (from ``graph``, which holds ``iri`` and
    what it links to), the release version and the other formats."""
    language = lang()
    page_url = common.absolute(site_href(path, keep_lang=False))
    embedded = describe_for_search(
        graph, iri, common.iris(), language, page_url,
        lambda other: common.absolute(href_for(other)),
    )  # fmt: skip
    return {
        "embedded_jsonld": script_json(embedded),
        "release_version": release.version,
        "alternates": alternates(path),
    }


DESCRIBING = (SKOS.definition, DCTERMS.description, RDFS.comment)
DESCRIPTION_MAX = 300


def page_description(graph: Graph, iri: URIRef, title: str, path: str) -> str:
    """The meta description: what the data says the resource is, else what kind of thing it is."""
    language = lang()
    for prop in DESCRIBING:
        chosen = common.pick(list(graph.objects(iri, prop)), language)
        if chosen is not None and chosen.language in (language, None):
            text = " ".join(str(chosen).split())
            return text if len(text) <= DESCRIPTION_MAX else text[: DESCRIPTION_MAX - 1] + "…"
    kind = kind_one(path.split("/")[1], language)
    return common.t_("page_about").replace("{name}", title).replace("{kind}", kind)


def breadcrumbs(kind: str, title: str, title_lang: str | None) -> list[dict]:
    """Home › the kind's index › this page (the last one is not a link)."""
    return [
        {"text": common.t_("nav_home"), "href": site_href(""), "lang": None},
        {"text": kind_name(kind, lang()), "href": site_href(f"browse/{kind}/"), "lang": None},
        {"text": title, "href": None, "lang": title_lang},
    ]


def citations(release, iri: URIRef, title: str, kind: str) -> dict:
    """The "cite this" texts (resource, dataset), from the release's own description."""
    dataset = common.iris().dataset
    # The same for every page of the release (and once the dearest part of one)
    graph = shared_around(release.version, release.store, [dataset], common.iris(), hops=1)
    facts = dataset_facts(graph, dataset, lang(), common.friendly_outside_name)
    words = {key: common.t_(f"cite_{key}") for key in ("in", "release", "data_set")}
    words["licence"] = common.t_("licence")
    return {
        "resource": cite_resource(facts, title, str(iri), kind_one(kind, lang()), words),
        "dataset": cite_dataset(facts, words),
    }


def resource_page(release, iri: URIRef, description: Graph) -> str:
    language = lang()
    # The same for the page in every language (the key is the document's: mwg_graph.publish.export
    # drops it once the document is written); only read from here on.
    graph: Graph = state().memo.get(  # type: ignore[assignment]
        release.version,
        ("page graph", ("doc", iri)),
        lambda: for_page(release.store, description, [iri], common.iris()),
    )
    title, title_lang = common.label(graph, iri, language)
    other = "en" if language == "th" else "th"
    other_title, other_lang = common.label(graph, iri, other)
    types = [
        common.node_value(graph, description, t, language)
        for t in sorted(description.objects(iri, RDF.type), key=str)
    ]
    path = "doc/" + str(iri)[len(common.iris().base) + 3 :]
    kind = path.split("/")[1]
    map_layout = None
    if (iri, GEO.lat, None) in description:
        map_layout = layout(common.province_points(graph, [iri], language))
    context = page_context(release, graph, iri, path)
    trail = breadcrumbs(kind, title, title_lang)
    embedded = json.loads(context["embedded_jsonld"])
    embedded["mainEntityOfPage"] = breadcrumb_page(
        common.absolute(site_href(path, keep_lang=False)),
        [(c["text"], common.absolute(c["href"] or site_href(path))) for c in trail],
    )
    context["embedded_jsonld"] = script_json(embedded)
    return render_template(
        "resource.html",
        iri=str(iri),
        title=title,
        title_lang=title_lang,
        other_title=other_title if other_title != title else None,
        other_title_lang=other_lang,
        kind={"text": kind_one(kind, language), "href": site_href(f"browse/{kind}/")},
        breadcrumbs=trail,
        names=resource_facts.names(description, iri),
        in_network=resource_facts.in_network(release.store, graph, description, iri, language),
        network_scope=resource_facts.network_scope(release.store, description, iri, language)
        if kind == "organization"
        else None,
        facts=resource_facts.plain_facts(graph, description, iri, language),
        cite=citations(release, iri, title, kind),
        types=types,
        rows=common.rows(graph, description, iri, language),
        incoming=common.incoming_rows(graph, description, iri, language),
        sources=sources_of(graph, description, iri, language),
        partners=partner_sections(release, graph, iri, language),
        map=map_layout,
        page_description=page_description(graph, iri, title, path),
        **context,
    )


def ontology_page(release, description: Graph) -> str:
    language = lang()
    onto = common.iris().ontology
    # The description already names what the ontology links to; following those links reads
    # each linked resource whole (at 1M synthetic triples: 1,718 publishers and creators, 76k
    # triples, 5 s a page).
    graph = for_page(release.store, description, [onto], common.iris(), hops=0)
    terms = ontology_terms(release.store, common.iris())
    classes, properties = [], []
    for term in terms:
        entry = {
            "anchor": str(term).rpartition("#")[2],
            "iri": str(term),
            "title": common.label(graph, term, language),
            "rows": [r for r in common.rows(graph, description, term, language)
                     if r.prop not in (RDF.type, RDFS.label, RDFS.isDefinedBy)],
        }  # fmt: skip
        if (term, RDF.type, OWL.Class) in graph:
            classes.append(entry)
        else:
            properties.append(entry)
    title, title_lang = common.label(graph, onto, language)
    return render_template(
        "ontology.html",
        iri=str(onto),
        title=title,
        title_lang=title_lang,
        rows=[r for r in common.rows(graph, description, onto, language) if r.prop != RDF.type],
        classes=classes,
        properties=properties,
        **page_context(release, graph, onto, "def"),
    )
