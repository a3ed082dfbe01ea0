"""The query page's own words, in Thai and English: the template and the page's script read them.

They live here, beside the page, rather than in :data:`mwg_graph.web.i18n.UI`, because the script
needs them too (they go into the page's JSON configuration) and because they change with the page.
``{n}``, ``{s}`` and ``{max}`` are filled in by the script.
"""

from __future__ import annotations

from mwg_graph.web.i18n import Words, in_language

WORDS: Words = {
    "title": {"th": "สืบค้นข้อมูลด้วย SPARQL", "en": "Query the graph with SPARQL"},
    "examples": {"th": "ตัวอย่างคำค้น", "en": "Example queries"},
    "query_label": {"th": "คำค้น SPARQL", "en": "SPARQL query"},
    "keys_help": {
        "th": "กด Ctrl+Enter (บน Mac กด ⌘+Enter) เพื่อเรียกใช้คำค้น "
        "ในช่องแก้ไข ปุ่ม Tab ใช้ย่อหน้า: กด Esc ก่อน แล้วกด Tab เพื่อออกจากช่องแก้ไข",
        "en": "Ctrl+Enter (⌘+Enter on a Mac) runs the query. In the editor, Tab indents: "
        "press Esc, then Tab, to leave it.",
    },
    "prefixes": {
        "th": "คำนำหน้า (prefix) {n} รายการที่เซิร์ฟเวอร์เติมให้เอง",
        "en": "The {n} prefixes the server fills in for you",
    },
    "run": {"th": "เรียกใช้คำค้น", "en": "Run query"},
    "results_as": {"th": "แสดงผลเป็น", "en": "Results as"},
    "table": {"th": "ตาราง", "en": "table"},
    "results": {"th": "ผลลัพธ์", "en": "Results"},
    "downloads": {"th": "ดาวน์โหลดผลลัพธ์:", "en": "Download these results:"},
    "csv_excel": {"th": "CSV สำหรับ Excel", "en": "CSV for Excel"},
    "csv_excel_note": {
        "th": "UTF-8 มี BOM และเซลล์ที่ขึ้นต้นด้วย = + - @ จะมี ' นำหน้า เพื่อไม่ให้ถูกเรียกใช้เป็นสูตร",
        "en": "UTF-8 with a BOM; a cell starting with = + - @ gets a leading ' so that it is "
        "never run as a formula",
    },
    "csv_exact": {"th": "CSV (ตรงตามข้อมูล)", "en": "CSV (exact)"},
    "sort_hint": {
        "th": "คลิกหัวคอลัมน์เพื่อเรียงลำดับ",
        "en": "Click a column heading to sort by it.",
    },
    "running": {"th": "กำลังเรียกใช้คำค้น…", "en": "Running…"},
    "count": {"th": "ผลลัพธ์ {n} แถว", "en": "{n} results"},
    "count_one": {"th": "ผลลัพธ์ 1 แถว", "en": "1 result"},
    "took": {"th": " · {s} วินาที", "en": " · {s} s"},
    "truncated": {
        "th": " · แสดงเพียง {max} แถวแรก (ขีดจำกัดของเซิร์ฟเวอร์)",
        "en": " · only the first {max} rows are shown (the endpoint's limit)",
    },
    "yes": {"th": "คำตอบ: ใช่ (true)", "en": "Answer: yes (true)"},
    "no": {"th": "คำตอบ: ไม่ใช่ (false)", "en": "Answer: no (false)"},
    "graph": {"th": "ผลลัพธ์เป็นกราฟ RDF", "en": "Graph result"},
    "error": {"th": "ข้อผิดพลาด {n}", "en": "Error {n}"},
    "failed": {"th": "ส่งคำค้นไม่สำเร็จ: {n}", "en": "The request failed: {n}"},
    # The exported static site's page (mwg_graph.web.browser_sparql), where queries run in the
    # browser.
    "in_browser": {
        "th": "หน้านี้เรียกใช้คำค้นในเบราว์เซอร์ของคุณเอง ด้วย Oxigraph (WebAssembly) "
        "กับไฟล์ข้อมูลของรุ่นที่เผยแพร่บนเว็บไซต์นี้ ไม่มีการส่งคำค้นไปยังเซิร์ฟเวอร์ใด "
        "และข้อมูลไม่มีวันถูกแก้ไข คำค้นแต่ละครั้งใช้เวลาได้ไม่เกิน {s} วินาที "
        "และแสดงผลลัพธ์ไม่เกิน {max} แถว คำนำหน้า (prefix) ของกราฟเติมให้เอง",
        "en": "This page runs your query in your own browser, with Oxigraph (WebAssembly), on "
        "the data files of the release published on this site: no query is sent to any server, "
        "and the data are never changed. Each query may run {s} s and shows at most {max} rows. "
        "The graph's prefixes are filled in for you.",
    },
    "needs_script": {
        "th": "หน้านี้ต้องใช้ JavaScript เพื่อเรียกใช้คำค้น หากไม่มี JavaScript "
        "ดาวน์โหลดข้อมูลไปใช้กับโปรแกรม SPARQL ของคุณเองได้",
        "en": "This page needs JavaScript to run queries. Without it, download the data and "
        "query it with your own SPARQL software.",
    },
    "stop": {"th": "หยุดคำค้น", "en": "Stop query"},
    "stopped": {"th": "หยุดคำค้นแล้ว", "en": "The query was stopped."},
    "timed_out": {
        "th": "คำค้นถูกหยุดเมื่อครบ {s} วินาที ซึ่งเป็นเวลาสูงสุดของคำค้นหนึ่งครั้ง "
        "ลองทำให้คำค้นแคบลง เช่น เพิ่มเงื่อนไขหรือใส่ LIMIT",
        "en": "The query was stopped after {s} s, the time limit of one query. Make it "
        "narrower, e.g. with more conditions or a LIMIT.",
    },
    "load_failed": {
        "th": "โหลดข้อมูลของกราฟลงในเบราว์เซอร์ไม่สำเร็จ: {n}",
        "en": "The graph's data could not be loaded into the browser: {n}",
    },
    "sorted_up": {"th": "เรียงจากน้อยไปมาก", "en": "sorted ascending"},
    "sorted_down": {"th": "เรียงจากมากไปน้อย", "en": "sorted descending"},
}


def words(lang: str) -> dict[str, str]:
    """Every word of the page in ``lang`` (one of :data:`mwg_graph.web.i18n.LANGUAGES`)."""
    return {key: in_language(entry, lang) for key, entry in WORDS.items()}
