"""The site's two languages: which one a request gets, and the interface's own words in each.

The data carries its own Thai and English (``skos:prefLabel@th`` / ``@en``); this module only holds
the words of the interface around it. A request's language is chosen, in order, by ``?lang=``,
then the ``lang`` cookie that a ``?lang=`` choice leaves behind, then ``Accept-Language``
(RFC 9110 §12.5.4), then Thai, the language of the source page.
"""

from __future__ import annotations

from flask import request

from mwg_graph.config import LANGUAGES
from mwg_graph.formats import weighted_items
from mwg_graph.iris import KINDS

DEFAULT_LANGUAGE = "th"

Words = dict[str, dict[str, str]]
"""A table of the interface's words, key → language → text: :data:`UI` for the whole site, and a
page's own beside it when its script needs them too (:mod:`mwg_graph.web.views.sparql_words`).
Both are read through :func:`in_language`, so a missing translation falls back the same way."""

UI: Words = {
    "site_name": {"th": "เครือข่ายองค์กรด้านประชากรข้ามชาติ (MWG)", "en": "Migrant Working Group (MWG)"},
    "site_description": {
        "th": "ข้อมูลเปิดแบบเชื่อมโยงของเครือข่ายองค์กรด้านประชากรข้ามชาติ (MWG): องค์กรภาคี "
        "พื้นที่การทำงาน ยุทธศาสตร์ และกลุ่มเป้าหมาย",
        "en": "Open linked data of the Migrant Working Group (MWG), a Thai network: its member "
        "organisations, working area, strategies and target populations.",
    },
    "page_about": {
        "th": "{name}: {kind} ในข้อมูลเปิดของ MWG",
        "en": "{name}: {kind} in MWG's open data",
    },
    "count_organizations": {
        "th": "{total}: MWG และองค์กรภาคีหลัก {members} องค์กร",
        "en": "{total}: MWG and its {members} member organisations",
    },
    "skip_to_content": {"th": "ข้ามไปยังเนื้อหา", "en": "Skip to content"},
    "nav_label": {"th": "เมนูหลัก", "en": "Main menu"},
    "nav_home": {"th": "หน้าแรก", "en": "Home"},
    "nav_organizations": {"th": "องค์กร", "en": "Organisations"},
    "nav_provinces": {"th": "จังหวัด", "en": "Provinces"},
    "nav_browse": {"th": "ข้อมูลทั้งหมด", "en": "Browse"},
    "nav_downloads": {"th": "ดาวน์โหลด", "en": "Downloads"},
    "language": {"th": "ภาษา", "en": "Language"},
    "footer_data": {
        "th": "ข้อมูลเปิดแบบเชื่อมโยง (Linked Data) ภายใต้สัญญาอนุญาต CC BY 4.0 ·",
        "en": "Open linked data under the CC BY 4.0 licence ·",
    },
    "ontology": {"th": "ออนโทโลยี", "en": "Ontology"},
    "dataset": {"th": "ชุดข้อมูล", "en": "Dataset"},
    "release": {"th": "รุ่น", "en": "release"},
    "history": {"th": "ความเป็นมา", "en": "History"},
    "goal": {"th": "เป้าหมาย", "en": "Goal"},
    "vision": {"th": "วิสัยทัศน์", "en": "Vision"},
    "missions": {"th": "พันธกิจ", "en": "Missions"},
    "strategies": {"th": "ยุทธศาสตร์", "en": "Strategies"},
    "themes": {"th": "ประเด็นหลัก", "en": "Main issues"},
    "sectors": {"th": "ภาคส่วนที่ทำงานร่วม", "en": "Sectors worked with"},
    "members": {"th": "องค์กรภาคีหลัก", "en": "Member organisations"},
    "working_area": {"th": "พื้นที่การทำงาน", "en": "Working area"},
    "collaborators": {"th": "องค์กรความร่วมมือ", "en": "Collaborators"},
    "target_groups": {"th": "กลุ่มเป้าหมาย", "en": "Target populations"},
    "founded": {"th": "เริ่มประชุมร่วมกัน", "en": "Founded"},
    "acronym": {"th": "ชื่อย่อ", "en": "Acronym"},
    "map_caption": {
        "th": "ตำแหน่งศูนย์กลางของจังหวัดในพื้นที่การทำงาน (เส้นขอบประเทศจาก Natural Earth ซึ่งเป็นสาธารณสมบัติ)",
        "en": "Centroids of the working-area provinces (country outlines: Natural Earth, public "
        "domain)",
    },
    "glance": {"th": "เครือข่ายโดยสังเขป", "en": "The network at a glance"},
    "glance_members": {"th": "องค์กรภาคีหลัก {n} องค์กร", "en": "{n} member organisations"},
    "glance_themes": {"th": "ประเด็นหลัก {n} ประเด็น", "en": "{n} main issues"},
    "glance_provinces": {"th": "พื้นที่การทำงาน {n} จังหวัด", "en": "{n} provinces in the working area"},
    "glance_target_groups": {"th": "กลุ่มเป้าหมาย {n} กลุ่ม", "en": "{n} target populations"},
    "map_inset": {
        "th": "กรอบมุมขวาล่างขยายบริเวณกรุงเทพฯ ซึ่งมีหลายจังหวัดอยู่ใกล้กัน",
        "en": "The frame at the lower right enlarges the Bangkok area, where several provinces "
        "lie close together.",
    },
    "facts": {"th": "ข้อเท็จจริง", "en": "Facts"},
    "property": {"th": "คุณสมบัติ", "en": "Property"},
    "value": {"th": "ค่า", "en": "Value"},
    "incoming": {"th": "รายการอื่นที่เชื่อมมาที่นี่", "en": "Linked from"},
    "sources": {"th": "ที่มาของข้อมูล", "en": "Where these facts come from"},
    "partner_data": {"th": "ข้อมูลจากภาคีที่เชื่อมมา", "en": "Linked from partner data"},
    "partner_publisher": {"th": "ผู้เผยแพร่", "en": "Publisher"},
    "partner_source": {"th": "แหล่งที่มา", "en": "Source"},
    "partner_graph": {"th": "กราฟ", "en": "Graph"},
    "partner_says": {"th": "สิ่งที่ชุดข้อมูลของภาคีระบุ", "en": "What the partner dataset states"},
    "partner_note": {
        "th": "ข้อมูลส่วนนี้มาจากชุดข้อมูลของภาคี ไม่ใช่ข้อมูลของ MWG และเผยแพร่แยกไว้ในกราฟของภาคีเอง",
        "en": "These statements come from a partner's dataset, not from MWG; they are published "
        "apart, in the partner's own graph.",
    },
    "sources_note": {
        "th": "ข้อเท็จจริงในหน้านี้มาจาก:",
        "en": "The facts on this page come from:",
    },
    "translation_note": {
        "th": "ข้อความภาษาอังกฤษเป็นคำแปลของโครงการ mwg-graph",
        "en": "English text is the mwg-graph project's own translation of the Thai source.",
    },
    "no_source": {
        "th": "ข้อมูลส่วนนี้สร้างโดยโครงการ mwg-graph",
        "en": "Written by the mwg-graph project.",
    },
    "other_formats": {"th": "รูปแบบอื่น", "en": "Other formats"},
    "identifier": {"th": "IRI", "en": "IRI"},
    "types": {"th": "ประเภท", "en": "Type"},
    "browse_title": {"th": "ข้อมูลทั้งหมดตามประเภท", "en": "Everything, by kind"},
    "count": {"th": "จำนวน", "en": "count"},
    "not_found": {"th": "ไม่พบหน้าที่ต้องการ", "en": "Not found"},
    "not_found_text": {
        "th": "ไม่มีทรัพยากรหรือหน้าที่อยู่นี้ในชุดข้อมูล",
        "en": "There is no resource or page at this address in the dataset.",
    },
    "downloads_title": {"th": "ดาวน์โหลดข้อมูล", "en": "Download the data"},
    "file": {"th": "ไฟล์", "en": "File"},
    "format": {"th": "รูปแบบ", "en": "Format"},
    "size": {"th": "ขนาด", "en": "Size"},
    "checksum": {"th": "SHA-256", "en": "SHA-256"},
    "licence": {"th": "สัญญาอนุญาต", "en": "Licence"},
    "version": {"th": "รุ่น", "en": "Version"},
    "built_at": {"th": "สร้างเมื่อ", "en": "Built"},
    "earlier_releases": {"th": "รุ่นก่อนหน้า", "en": "Earlier releases"},
    "current_release": {"th": "รุ่นปัจจุบัน", "en": "Current release"},
    "description_files": {"th": "คำอธิบายชุดข้อมูลและการตรวจสอบ", "en": "Descriptions and validation"},
    "web_developers": {"th": "สำหรับนักพัฒนาเว็บ", "en": "For web developers"},
    "context_note": {
        "th": "@context ของ JSON-LD (คีย์สั้น แผนที่ภาษา th/en)",
        "en": "The JSON-LD @context (short keys, th/en language maps)",
    },
    "framed_note": {
        "th": "เอกสาร JSON-LD ของเครือข่ายทั้งหมดในรูปแบบ JSON ธรรมดา",
        "en": "The whole network as one framed JSON-LD document that reads as plain JSON",
    },
    "widget_title": {"th": "วิดเจ็ตรายชื่อองค์กรสมาชิก", "en": "Member list widget"},
    "widget_intro": {
        "th": "องค์กรสมาชิกสามารถวางโค้ดนี้ในเว็บไซต์ของตนเพื่อแสดงรายชื่อสมาชิก MWG:",
        "en": "A member organisation can paste this into its own page to show the MWG member list:",
    },
    "widget_demo_th": {"th": "ตัวอย่างภาษาไทย", "en": "Thai example"},
    "widget_demo_en": {"th": "ตัวอย่างภาษาอังกฤษ", "en": "English example"},
    "widget_noscript": {
        "th": "วิดเจ็ตต้องใช้ JavaScript; ดูรายชื่อได้ที่หน้าองค์กร",
        "en": "The widget needs JavaScript; the list is also on the organisations page",
    },
    "classes": {"th": "คลาส", "en": "Classes"},
    "properties": {"th": "คุณสมบัติ", "en": "Properties"},
    "domain": {"th": "โดเมน", "en": "Domain"},
    "range": {"th": "เรนจ์", "en": "Range"},
    "subclass_of": {"th": "เป็นคลาสย่อยของ", "en": "Subclass of"},
    "subproperty_of": {"th": "เป็นคุณสมบัติย่อยของ", "en": "Subproperty of"},
    "primary": {"th": "หลัก", "en": "primary"},
    "all_members": {"th": "ดูองค์กรทั้งหมด", "en": "All organisations"},
    "linked_data": {"th": "ข้อมูลแบบเชื่อมโยง", "en": "Linked data"},
    "search": {"th": "ค้นหา", "en": "Search"},
    "search_label": {"th": "ค้นหาชื่อองค์กร จังหวัด หรือข้อความ", "en": "Search names and text"},
    "search_title": {"th": "ผลการค้นหา", "en": "Search results"},
    "search_none": {"th": "ไม่พบรายการที่ตรงกับคำค้น", "en": "Nothing matches this search."},
    "search_hint": {
        "th": "ค้นได้ด้วยชื่อภาษาไทยหรืออังกฤษ ชื่อย่อ รหัส ISO หรือคำในข้อความ",
        "en": "Search by Thai or English name, acronym, ISO code or a word of a statement.",
    },
    "search_exact": {"th": "ตรงกับชื่อ", "en": "exact name"},
    "search_via": {"th": "พบจาก", "en": "found as"},
    "nav_link": {"th": "เชื่อมโยงข้อมูล", "en": "Link to us"},
    # Resource pages (views/resource_facts.py, templates/resource.html).
    "breadcrumb": {"th": "ตำแหน่งของหน้านี้", "en": "Breadcrumb"},
    "kind_of_page": {"th": "ประเภท", "en": "Kind"},
    "actions": {"th": "ข้อมูลและการอ้างอิง", "en": "Data and citation"},
    "data_formats": {"th": "ดาวน์โหลดข้อมูลของหน้านี้", "en": "This page as data"},
    "permanent_address": {"th": "ที่อยู่ถาวร (IRI)", "en": "Permanent address (IRI)"},
    "copy_iri": {"th": "คัดลอก IRI", "en": "Copy IRI"},
    "copied": {"th": "คัดลอกแล้ว", "en": "Copied"},
    "copy_failed": {
        "th": "คัดลอกไม่ได้ เลือกข้อความในช่องแล้วคัดลอกเอง",
        "en": "Could not copy: select the address and copy it",
    },
    "cite": {"th": "อ้างอิงหน้านี้", "en": "Cite this"},
    "cite_resource": {"th": "อ้างอิงรายการนี้", "en": "This entry"},
    "cite_dataset": {"th": "อ้างอิงชุดข้อมูลทั้งหมด", "en": "The whole dataset"},
    "cite_plain": {"th": "ข้อความ", "en": "Text"},
    "cite_bibtex": {"th": "BibTeX", "en": "BibTeX"},
    "cite_in": {"th": "ใน", "en": "In"},
    "cite_release": {"th": "รุ่น", "en": "release"},
    "cite_data_set": {"th": "ชุดข้อมูล", "en": "Data set"},
    "about_this": {"th": "เกี่ยวกับรายการนี้", "en": "About"},
    "name_th": {"th": "ชื่อภาษาไทย", "en": "Thai name"},
    "name_en": {"th": "ชื่อภาษาอังกฤษ", "en": "English name"},
    "role_in_network": {"th": "บทบาทในเครือข่าย", "en": "Role in the network"},
    "network_short": {"th": "เครือข่าย {acronym}", "en": "the {acronym} network"},
    "member_as": {
        "th": "สมาชิกของ{subject} ในฐานะ{role}",
        "en": "Member of {subject}, as a {role}",
    },
    "member_of": {"th": "สมาชิกของ{subject}", "en": "Member of {subject}"},
    "network_scope": {
        "th": "{themes}และ{area}เป็นของ{network} โดยรวม "
        "หน้าต้นฉบับไม่ได้ระบุว่าองค์กรสมาชิกแต่ละแห่งทำงานในจังหวัดใดหรือประเด็นใด",
        "en": "{themes} and {area} are those of {network} as a whole: the source page does not "
        "say where or on which issues each member works.",
    },
    "scope_themes": {"th": "ประเด็นหลัก {n} ประเด็น", "en": "The {n} main issues"},
    "scope_area": {"th": "พื้นที่การทำงาน {n} จังหวัด", "en": "the working area of {n} provinces"},
    "once_a_month": {"th": "เดือนละครั้ง", "en": "Once a month"},
    "meetings": {"th": "การประชุมร่วมกัน", "en": "Meetings"},
    "elsewhere": {"th": "ข้อมูลเดียวกันที่อื่น", "en": "The same elsewhere"},
    "details": {"th": "รายละเอียดข้อมูลเชื่อมโยง", "en": "Linked-data details"},
    "details_note": {
        "th": "ข้อมูลทุกข้อของรายการนี้ตามที่เผยแพร่ในรูปแบบ RDF สำหรับนักพัฒนาและผู้ใช้ข้อมูล",
        "en": "Every statement about this entry as published in RDF, for developers and data "
        "users.",
    },
    "rdf_types": {"th": "คลาส RDF", "en": "RDF classes"},
    "all_statements": {"th": "ข้อมูลทุกข้อ", "en": "All statements"},
}


def kind_name(kind: str, lang: str) -> str:
    """The kind as index pages name it (the kind table in iris.py); unknown kinds: their segment."""
    found = KINDS.get(kind)
    return found.many(lang) if found and lang in LANGUAGES else kind


def kind_one(kind: str, lang: str) -> str:
    """One resource of the kind, as search results label it; unknown kinds name themselves."""
    found = KINDS.get(kind)
    return found.one(lang) if found and lang in LANGUAGES else kind


def t(key: str, lang: str) -> str:
    entry = UI.get(key)
    if entry is None:
        return key
    return in_language(entry, lang)


def in_language(entry: dict[str, str], lang: str) -> str:
    """One entry of a :data:`Words` table in ``lang``; Thai, the site's first language, where the
    entry has no text in ``lang``."""
    return entry.get(lang) or entry[DEFAULT_LANGUAGE]


def parse_accept_language(header: str | None) -> list[str]:
    """Primary language subtags, best first (``th-TH;q=0.8, en`` → ``["en", "th"]``)."""
    if not header:
        return []
    found = [
        (-q, position, tag.split("-")[0]) for tag, q, position in weighted_items(header) if q > 0
    ]
    return [tag for _, _, tag in sorted(found)]


LANGUAGE_COOKIE = "lang"


def choose_language(
    query_lang: str | None, accept_language: str | None, cookie_lang: str | None = None
) -> tuple[str, bool]:
    """(language, fixed): ``fixed`` when ``?lang=`` or the cookie chose it, so links carry it.

    Links carrying ``?lang=`` keep pages shared safely: a memoised page depends on the language
    and whether it is fixed, never on who asked (the memo key holds both).
    """
    for chosen in (query_lang, cookie_lang):
        if chosen in LANGUAGES:
            return chosen, True
    for tag in parse_accept_language(accept_language):
        if tag in LANGUAGES:
            return tag, False
        if tag == "*":
            break
    return DEFAULT_LANGUAGE, False


def request_language() -> tuple[str, bool]:
    return choose_language(
        request.args.get("lang"),
        request.headers.get("Accept-Language"),
        request.cookies.get(LANGUAGE_COOKIE),
    )


THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
BUDDHIST_ERA_OFFSET = 543


def year_month(value: str, lang: str) -> str:
    """``2006-02`` as a reader of ``lang`` writes it: กุมภาพันธ์ 2549 (Buddhist Era) or February 2006.

    Anything that is not a ``YYYY-MM`` value comes back unchanged.
    """
    year, _, month = value.partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        return value
    if lang == "th":
        return f"{THAI_MONTHS[int(month) - 1]} {int(year) + BUDDHIST_ERA_OFFSET}"
    return f"{ENGLISH_MONTHS[int(month) - 1]} {int(year)}"
