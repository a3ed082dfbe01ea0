"""A resource's facts in plain words, for the top of its page (issue 11, item 3).

The page shows first what a person asks about an organisation, a province or a strategy: its
names, what it is in the network ("สมาชิกของเครือข่าย MWG", "ยุทธศาสตร์ข้อที่ 1 ของเครือข่าย MWG"),
and the facts the data states, each under a plain heading. Only the properties listed in
:data:`PLAIN` are shown that way; everything else — membership records, positions, schemes,
coordinates, incoming links — stays in the page's folded "linked-data details".

A member organisation's page never links a province or a theme to the member: the source page
says which provinces and issues the *network* covers, nothing per member. It says so in words and
links to the network's own list (:func:`network_scope`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup
from pyoxigraph import Store
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, SKOS
from rdflib.term import Node

from mwg_graph.iris import FREQ, ORG, SCHEMA, Iris
from mwg_graph.web.collation import by_name
from mwg_graph.web.documents import around, shared_around
from mwg_graph.web.state import state
from mwg_graph.web.views import common


@dataclass
class Fact:
    anchor: str  # id of the row, so other pages can link to it (#fact-workingArea)
    label: str
    values: list[common.Value] = field(default_factory=list)


def plain_properties(iris: Iris) -> dict[URIRef, str | tuple[str, str]]:
    """The properties shown in plain words, in page order, with their heading (an i18n key or a
    (th, en) pair)."""
    terms = iris.terms
    return {
        SKOS.altLabel: ("ชื่ออื่น", "Other names"),
        SKOS.hiddenLabel: ("ชื่อตามที่หน้าต้นฉบับเขียน", "Spelt on the source page as"),
        terms.acronym: "acronym",
        SKOS.definition: ("คำอธิบาย", "Description"),
        DCTERMS.description: ("คำอธิบาย", "Description"),
        terms.history: "history",
        SCHEMA.foundingDate: "founded",
        terms.meetingFrequency: "meetings",
        ORG.hasMember: "members",
        terms.mainIssue: "themes",
        terms.workingArea: "working_area",
        terms.hasGoal: "goal",
        terms.hasVision: "vision",
        terms.hasMission: "missions",
        terms.hasStrategy: "strategies",
        terms.worksWithSector: "sectors",
        terms.collaboratesWith: "collaborators",
        terms.targetGroup: "target_groups",
        terms.targetLevel: ("ระดับ", "Level"),
        terms.nationality: ("สัญชาติ", "Nationalities"),
        DCTERMS.isPartOf: ("เป็นส่วนหนึ่งของ", "Part of"),
        DCTERMS.hasPart: ("ประกอบด้วย", "Made up of"),
        SCHEMA.containedInPlace: ("อยู่ใน", "In"),
        terms.country: ("ประเทศ", "Country"),
        terms.iso3166_2: ("รหัส ISO 3166-2", "ISO 3166-2 code"),
        terms.iso3166Alpha2: ("รหัสประเทศ ISO 3166-1 (2 ตัวอักษร)", "ISO 3166-1 alpha-2 code"),
        terms.iso3166Alpha3: ("รหัสประเทศ ISO 3166-1 (3 ตัวอักษร)", "ISO 3166-1 alpha-3 code"),
        DCTERMS.title: ("ชื่อเรื่อง", "Title"),
        DCTERMS.publisher: ("ผู้เผยแพร่", "Publisher"),
        DCTERMS.creator: ("ผู้จัดทำ", "Made by"),
        OWL.versionInfo: ("รุ่น", "Version"),
        DCTERMS.issued: ("วันที่เผยแพร่", "Issued"),
        DCTERMS.license: ("สัญญาอนุญาต", "Licence"),
        DCAT.keyword: ("คำสำคัญ", "Keywords"),
        DCTERMS.bibliographicCitation: ("การอ้างอิง", "How to cite"),
        FOAF.homepage: ("เว็บไซต์", "Website"),
        OWL.sameAs: "elsewhere",
    }


# The words for an outside value that would otherwise show as a code ("freq:monthly").
VALUE_WORDS = {FREQ.monthly: "once_a_month"}


def _heading(spec: str | tuple[str, str], language: str) -> str:
    if isinstance(spec, tuple):
        return spec[0] if language == "th" else spec[1]
    return common.t_(spec)


def position(graph: Graph, node: Node) -> int:
    value = graph.value(node, SCHEMA.position)
    try:
        return int(value) if value is not None else 10**6
    except ValueError:
        return 10**6


def _value(graph: Graph, description: Graph, node: Node, language: str) -> common.Value:
    if node in VALUE_WORDS:
        return common.Value(common.t_(VALUE_WORDS[node]), language)
    return common.node_value(graph, description, node, language)


def plain_facts(graph: Graph, description: Graph, iri: URIRef, language: str) -> list[Fact]:
    """The resource's own statements whose properties are in :func:`plain_properties`, values
    in the source page's order where it gives one, else in dictionary order; each text once."""
    facts = []
    for prop, spec in plain_properties(common.iris()).items():
        nodes = list(description.objects(iri, prop))
        if any(isinstance(n, Literal) and n.language == language for n in nodes):
            # The text in the page's language; its translation is in the details.
            nodes = [
                n for n in nodes if not isinstance(n, Literal) or n.language in (language, None)
            ]
        if not nodes:
            continue
        pairs = [(position(graph, n), _value(graph, description, n, language)) for n in nodes]
        pairs = by_name(pairs, lambda p: p[1].text, lambda p: (p[0], p[1].other_language))
        seen: set[str] = set()
        values = [v for _, v in pairs if not (v.text in seen or seen.add(v.text))]
        local = str(prop).rpartition("#")[2].rpartition("/")[2]
        facts.append(Fact("fact-" + local, _heading(spec, language), values))
    return facts


def names(description: Graph, iri: URIRef) -> list[Fact]:
    """Its Thai and its English name, each only where the data has one (nothing transliterated)."""
    found = []
    for code in ("th", "en"):
        texts = sorted({str(v) for v in description.objects(iri, SKOS.prefLabel)
                        if isinstance(v, Literal) and v.language == code})  # fmt: skip
        if texts:
            found.append(Fact(f"name-{code}", common.t_(f"name_{code}"),
                              [common.Value(text, code) for text in texts]))  # fmt: skip
    return found


# ---- what the resource is in the network --------------------------------------------------


def _link(value: common.Value, language: str) -> Markup:
    other = value.lang and value.lang != language
    lang_attr = Markup(' lang="{}"').format(value.lang) if other else ""
    return Markup('<a href="{}"{}>{}</a>').format(value.href or "", lang_attr, value.text)


def _sentence(template: str, **parts: Markup | str) -> Markup:
    """``template`` (our own words, trusted) with its ``{…}`` parts escaped unless Markup."""
    return Markup(template).format(**parts)


def inverse_phrases(iris: Iris) -> dict[URIRef, tuple[str, str]]:
    """How a page says that ``{subject}`` links here: (th, en), ``{n}`` its place on the page."""
    terms = iris.terms
    return {
        terms.mainIssue: ("ประเด็นหลักของ{subject}", "A main issue of {subject}"),
        terms.workingArea: (
            "จังหวัดในพื้นที่การทำงานของ{subject}", "A province in the working area of {subject}",
        ),
        terms.hasGoal: ("เป้าหมายของ{subject}", "The goal of {subject}"),
        terms.hasVision: ("วิสัยทัศน์ข้อที่ {n} ของ{subject}", "Vision statement {n} of {subject}"),
        terms.hasMission: ("พันธกิจข้อที่ {n} ของ{subject}", "Mission {n} of {subject}"),
        terms.hasStrategy: ("ยุทธศาสตร์ข้อที่ {n} ของ{subject}", "Strategy {n} of {subject}"),
        terms.worksWithSector: (
            "ภาคส่วนที่{subject}ขับเคลื่อนงานร่วมด้วย", "A sector {subject} works with",
        ),
        terms.collaboratesWith: (
            "องค์กรประเภทที่{subject}ร่วมมือด้วย", "A kind of organisation {subject} works with",
        ),
        terms.targetGroup: ("กลุ่มเป้าหมายของ{subject}", "A target group of {subject}"),
    }  # fmt: skip


def _network_value(graph: Graph, node: URIRef, language: str) -> common.Value:
    """The network as a sentence names it: "เครือข่าย MWG", "the MWG network"; anything else by
    its own name."""
    value = common.node_value(graph, graph, node, language)
    acronym = graph.value(node, common.iris().terms.acronym)
    if node == common.iris().instance("organization", "mwg") and acronym is not None:
        value.text = common.t_("network_short").format(acronym=acronym)
        value.lang = language
    return value


def in_network(store: Store, graph: Graph, description: Graph, iri: URIRef, language: str):
    """Sentences saying what the resource is to the network (or to whatever links to it in
    :func:`inverse_phrases`): each a Markup with one link."""
    sentences: list[Markup] = []
    iris = common.iris()
    phrases = inverse_phrases(iris)
    subjects = sorted(set(description.subject_predicates(iri)), key=lambda sp: (sp[1], sp[0]))
    version = common.require_release().version

    def linking() -> Graph:
        found = around(store, [s for s, p in subjects if p in phrases], iris, hops=0)
        found += graph
        return found

    # The same in every language; under the document's key (mwg_graph.publish.export drops it).
    linked: Graph = state().memo.get(version, ("in network", ("doc", iri)), linking)  # type: ignore[assignment]
    for subject, prop in subjects:
        if prop not in phrases or not isinstance(subject, URIRef):
            continue
        template = phrases[prop][0 if language == "th" else 1]
        n = position(graph, iri)
        template = template.replace(" {n}", "" if n == 10**6 else f" {n}")
        subject_link = _link(_network_value(linked, subject, language), language)
        sentences.append(_sentence(template, subject=subject_link))
    for network in sorted(description.objects(iri, ORG.memberOf), key=str):
        roles = _roles(graph, iri, network)
        network_graph = shared_around(version, store, [network, *roles], iris, hops=0)
        subject_link = _link(_network_value(network_graph, network, language), language)
        if not roles:
            sentences.append(_sentence(common.t_("member_of"), subject=subject_link))
        for role in roles:
            role_name = common.label(network_graph, role, language)[0]
            if language == "en":  # "as a main partner organisation", mid-sentence
                role_name = role_name[:1].lower() + role_name[1:]
            sentence = _sentence(common.t_("member_as"), subject=subject_link, role=role_name)
            sentences.append(sentence)
    return sentences


def _roles(graph: Graph, member: URIRef, network: URIRef) -> list[URIRef]:
    """The roles of ``member`` in ``network``, from its membership records (W3C ORG)."""
    roles = set()
    for membership in graph.objects(member, ORG.hasMembership):
        if (membership, ORG.organization, network) in graph:
            roles.update(r for r in graph.objects(membership, ORG.role) if isinstance(r, URIRef))
    return sorted(roles, key=str)


def network_scope(store: Store, description: Graph, iri: URIRef, language: str) -> Markup | None:
    """For a member: the network's themes and provinces are the network's, linked to its page,
    and the page says that the source gives nothing per member."""
    iris = common.iris()
    networks = sorted(description.objects(iri, ORG.memberOf), key=str)
    if not networks:
        return None
    network = networks[0]
    graph = shared_around(common.require_release().version, store, [network], iris, hops=0)
    themes = len(set(graph.objects(network, iris.terms.mainIssue)))
    provinces = len(set(graph.objects(network, iris.terms.workingArea)))
    if not themes and not provinces:
        return None

    def to(fragment: str, text: str) -> Markup:
        href = common.href_for(f"{network}#{fragment}")  # the row of the network's page
        return Markup('<a href="{}">{}</a>').format(href, text)

    return _sentence(
        common.t_("network_scope"),
        themes=to("fact-mainIssue", common.t_("scope_themes").format(n=themes)),
        area=to("fact-workingArea", common.t_("scope_area").format(n=provinces)),
        network=_link(_network_value(graph, network, language), language),
    )
