"""Pages for people: the network's home page, an index page per kind, the widget demo, and 404s.

Language: ``?lang=`` fixes it (and the ``lang`` cookie remembers it), else ``Accept-Language``
chooses, else Thai (:mod:`mwg_graph.web.i18n`);
every page has a visible ไทย · English switch. Pages need no JavaScript; the only script on the site
is the embeddable member widget, shown on ``/widget/``.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request
from rdflib import Graph, URIRef
from werkzeug.exceptions import HTTPException

from mwg_graph.formats import RDF_FORMATS, rdf_format_by_media_type
from mwg_graph.iris import KINDS, ORG, SCHEMA
from mwg_graph.web import http
from mwg_graph.web.collation import by_name
from mwg_graph.web.documents import around
from mwg_graph.web.i18n import kind_name, year_month
from mwg_graph.web.schema_org import describe_for_search, script_json
from mwg_graph.web.state import state
from mwg_graph.web.svgmap import layout
from mwg_graph.web.views import common
from mwg_graph.web.views.common import HTML, href_for, lang, require_release, site_href

bp = Blueprint("pages", __name__)


def network_iri() -> URIRef:
    return common.iris().instance("organization", "mwg")


def _cached_page(release, key: tuple, render) -> str:
    if set(request.args) <= {"lang"}:
        full = (key, lang(), common.lang_fixed(), request.path, common.public_root())
        return state().memo.get(release.version, ("page", full), render)  # type: ignore[return-value]
    return render()


def _html(body: str) -> Response:
    response = Response(body, mimetype=HTML)
    response.headers["Content-Language"] = lang()
    http.add_vary(response, "Accept-Language")
    return response


def _position(graph: Graph, node) -> tuple:
    value = graph.value(node, SCHEMA.position)
    try:
        return (int(value), "") if value is not None else (10**6, "")
    except ValueError:
        return (10**6, "")


def items(graph: Graph, nodes, language: str, source_order: bool = True) -> list[common.Value]:
    """Linked names of ``nodes``: in the source page's order (``schema:position``) when asked and
    stated, else in dictionary order (:mod:`mwg_graph.web.collation`), as an index reads."""
    values = [
        (_position(graph, node), common.node_value(graph, graph, node, language)) for node in nodes
    ]
    first = (lambda x: x[0]) if source_order else None
    return [v for _, v in by_name(values, lambda x: x[1].text, first)]


def with_acronyms(graph: Graph, values: list[common.Value], acronym_prop) -> list[common.Value]:
    """``Solidarity Center (SC)``: the name as the source page lists it."""
    for value in values:
        node = URIRef(common.iris().base + "id/" + value.href.split("/doc/", 1)[1].split("?")[0])
        acronym = graph.value(node, acronym_prop)
        if acronym is not None and f"({acronym})" not in value.text:
            value.text = f"{value.text} ({acronym})"
    return values


@bp.route("/")
def home():
    release = require_release()
    http.mark(release)
    return _html(_cached_page(release, ("home",), lambda: render_home(release)))


def render_home(release) -> str:
    language, terms = lang(), common.iris().terms
    mwg = network_iri()
    # Two links out: members, provinces, statements, target groups and their levels and
    # nationalities, with their names and positions.
    graph = around(release.store, [mwg], common.iris(), hops=2)

    def linked(prop):
        return items(graph, graph.objects(mwg, prop), language)

    history = common.pick(list(graph.objects(mwg, terms.history)), language)
    groups = []
    for group in graph.objects(mwg, terms.targetGroup):
        groups.append({
            "value": common.node_value(graph, graph, group, language),
            "levels": items(graph, graph.objects(group, terms.targetLevel), language),
            "nationalities": items(graph, graph.objects(group, terms.nationality), language),
        })  # fmt: skip
    groups = by_name(
        groups, lambda x: x["value"].text, lambda x: x["levels"][0].text if x["levels"] else ""
    )
    provinces = list(graph.objects(mwg, terms.workingArea))
    page_url = common.absolute(site_href("", keep_lang=False))
    embedded = describe_for_search(
        graph, mwg, common.iris(), language, page_url,
        lambda other: common.absolute(href_for(other)),
    )  # fmt: skip
    title, title_lang = common.label(graph, mwg, language)
    other_title, other_lang = common.label(graph, mwg, "en" if language == "th" else "th")
    return render_template(
        "home.html",
        title=title,
        title_lang=title_lang,
        other_title=other_title,
        other_title_lang=other_lang,
        acronym=graph.value(mwg, terms.acronym),
        founded=graph.value(mwg, SCHEMA.foundingDate),
        founded_text=year_month(str(graph.value(mwg, SCHEMA.foundingDate) or ""), language),
        history=history,
        goals=linked(terms.hasGoal),
        visions=linked(terms.hasVision),
        missions=linked(terms.hasMission),
        strategies=linked(terms.hasStrategy),
        themes=linked(terms.mainIssue),
        sectors=linked(terms.worksWithSector),
        members=with_acronyms(graph, linked(ORG.hasMember), terms.acronym),
        provinces=items(graph, provinces, language),
        map=layout(common.province_points(graph, provinces, language)),
        collaborators=linked(terms.collaboratesWith),
        target_groups=groups,
        network_href=href_for(str(mwg)),
        embedded_jsonld=script_json(embedded),
        release_version=release.version,
    )


def count_text(release, kind: str, count: int) -> str:
    """What a count counts: the organisations are the network itself and its members, so the
    index says "22: MWG and its 21 members" where the home page says 21 members."""
    if kind != "organization":
        return str(count)
    mwg = network_iri()
    graph = around(release.store, [mwg], common.iris(), hops=0)
    members = len(set(graph.objects(mwg, ORG.hasMember)))
    if count != members + 1:
        return str(count)
    return common.t_("count_organizations").format(total=count, members=members)


@bp.route("/browse/")
def browse():
    release = require_release()
    http.mark(release)

    def render() -> str:
        found = state().memo.get(
            release.version, ("kinds",), lambda: common.kinds_present(release.store)
        )
        kinds = [
            {"kind": k, "name": kind_name(k, lang()), "count": count_text(release, k, len(v)),
             "href": site_href(f"browse/{k}/")}
            for k, v in found.items()  # type: ignore[union-attr]
        ]  # fmt: skip
        listing = {
            "@context": "https://schema.org", "@type": "CollectionPage",
            "name": common.t_("browse_title"),
            "url": common.absolute(site_href("browse/", keep_lang=False)),
            "hasPart": [{"@type": "CollectionPage", "name": k["name"],
                         "url": common.absolute(site_href(f"browse/{k['kind']}/", keep_lang=False))}
                        for k in kinds],
        }  # fmt: skip
        return render_template(
            "browse.html", kinds=kinds, embedded_jsonld=script_json(listing),
            release_version=release.version,
        )  # fmt: skip

    return _html(_cached_page(release, ("browse",), render))


@bp.route("/browse/<kind>/")
def browse_kind(kind: str):
    release = require_release()
    found = state().memo.get(
        release.version, ("kinds",), lambda: common.kinds_present(release.store)
    )
    if kind not in KINDS or kind not in found:  # type: ignore[operator]
        return not_found()
    http.mark(release)

    def render() -> str:
        language = lang()
        nodes = found[kind]  # type: ignore[index]
        graph = around(release.store, nodes, common.iris(), hops=0)  # names, positions, places
        values = items(graph, nodes, language, source_order=False)
        map_layout = (
            layout(common.province_points(graph, nodes, language)) if kind == "province" else None
        )
        name = kind_name(kind, language)
        listing = {
            "@context": "https://schema.org", "@type": "ItemList", "name": name,
            "url": common.absolute(site_href(f"browse/{kind}/", keep_lang=False)),
            "numberOfItems": len(values),
            "itemListElement": [
                {"@type": "ListItem", "position": i + 1, "name": v.text,
                 "url": common.absolute(v.href or "")}
                for i, v in enumerate(values)
            ],
        }  # fmt: skip
        return render_template(
            "browse_kind.html", kind=kind, name=name, values=values, map=map_layout,
            count=count_text(release, kind, len(values)),
            embedded_jsonld=script_json(listing), release_version=release.version,
        )  # fmt: skip

    return _html(_cached_page(release, ("browse", kind), render))


@bp.route("/widget/")
def widget_demo():
    release = require_release()
    http.mark(release)

    def render() -> str:
        script_url = common.absolute(site_href("static/widget/mwg-members.js", keep_lang=False))
        mwg = network_iri()
        graph = around(release.store, [mwg], common.iris(), hops=1)
        page_url = common.absolute(site_href("widget/", keep_lang=False))
        embedded = describe_for_search(
            graph, mwg, common.iris(), lang(), page_url, lambda o: common.absolute(href_for(o))
        )
        return render_template(
            "widget.html", script_url=script_url,
            data_url=common.absolute(site_href("network.jsonld", keep_lang=False)),
            embedded_jsonld=script_json(embedded), release_version=release.version,
        )  # fmt: skip

    return _html(_cached_page(release, ("widget",), render))


# ---- errors: 404 in the format asked for --------------------------------------------------

NOT_FOUND_OFFERS = [HTML, *(f.media_type for f in RDF_FORMATS), "application/json", "text/plain"]


def not_found(error: HTTPException | None = None):
    """404 in the format the client asked for; an RDF client gets an empty, parseable document."""
    by_suffix = next((f for f in RDF_FORMATS if request.path.endswith(f.suffix)), None)
    if by_suffix is not None:  # /doc/…/unknown.ttl: answer in the format the suffix names
        media_type = by_suffix.media_type
    else:
        media_type = common.choose_offer(NOT_FOUND_OFFERS) or "text/plain"
    path = "".join(c if c.isprintable() else " " for c in request.path)
    message = f"Not found: {path}"
    fmt = rdf_format_by_media_type(media_type)
    if media_type == HTML:
        body = render_template("not_found.html", path=request.path)
    elif media_type == "application/json":
        body = json.dumps({"error": "not found", "path": request.path})
    elif fmt is not None:
        body = fmt.empty.replace("{message}", message)
    else:
        body = message + "\n"
    response = Response(body, 404, content_type=common.media_type_header(media_type))
    http.add_vary(response, "Accept")
    response.headers["Cache-Control"] = "no-cache"
    return response
