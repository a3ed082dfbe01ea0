/* The rules of src/mwg_graph/sparql/guard.py, for queries run in the browser (sparql-worker.js).
 *
 * The exported site's /sparql page runs queries with Oxigraph's WebAssembly build: it refuses
 * updates by itself, and its SERVICE fails without a network request, but the page refuses both
 * before running, with the server's own words, and refuses nesting deeper than MAX_DEPTH (the
 * parser would overflow its stack). Same tokenizer as the server (strings in four quote styles,
 * IRIs read two ways, comments, prefixed names, \u escapes undone and not), so a keyword inside
 * a string or an IRI is not a keyword. tests/test_browser_sparql.py checks that this file and
 * guard.py decide alike. An ES module: the worker imports it. */

export const MAX_DEPTH = 256;
const UPDATE_WORDS = new Set(["insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy", "with"]);

export const READ_ONLY =
  "This endpoint is read-only: SPARQL Update requests (INSERT, DELETE, LOAD, CLEAR, DROP, …) are " +
  "refused and the data is never changed. Download the data and load it into your own store to " +
  "change it.";
export const NO_SERVICE =
  "SERVICE (federated query) is not allowed: this endpoint never contacts other servers. Query " +
  "the other endpoint yourself and combine the results.";
function tooDeep(line) {
  return "The query is nested too deeply: more than " + MAX_DEPTH + " brackets ({ ( [) are open " +
    "at once at line " + line + ". Flatten the query.";
}

// Python's \w on text: letters, digits (any script) and _.
const W = String.raw`\p{L}\p{N}_`;
const ESC = String.raw`\\[_~.\-!$&'()*+,;=/?#@%]|%[0-9A-Fa-f]{2}`;
const COMMON =
  String.raw`(?<ws>\s+)` +
  String.raw`|(?<comment>#[^\n\r]*)` +
  String.raw`|(?<string>"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*(?:"""|\\?$)` +
  String.raw`|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*(?:'''|\\?$)` +
  String.raw`|"[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*"?` +
  String.raw`|'[^'\\\n\r]*(?:\\.[^'\\\n\r]*)*'?)`;
const TAIL =
  String.raw`|(?<var>[?$][${W}]+)` +
  String.raw`|(?<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)` +
  String.raw`|(?<pname>[${W}]*:(?:[${W}\-.:]|${ESC})*)` +
  String.raw`|(?<word>[${W}]+)` +
  String.raw`|(?<other>.)`;
// Two readings of '<': an IRI that may contain quotes, or one that may not.
const READINGS = [
  COMMON + String.raw`|(?<iri><[^<>"{}|^${"`"}\\\x00-\x20]*>)` + TAIL,
  COMMON + String.raw`|(?<iri><[^<>"'{}|^${"`"}\\\x00-\x20]*>)` + TAIL
];
const KINDS = ["ws", "comment", "string", "iri", "var", "lang", "pname", "word", "other"];
const CODEPOINT = /\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})/g;
const OPEN = "{([", CLOSE = "})]";

/** A query this page will not run: status (as the server would answer) and message. */
export class Refused extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export function unescapeCodepoints(text) {
  return text.replace(CODEPOINT, function (all, four, eight) {
    const code = parseInt(four || eight, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : all;
  });
}

function* tokens(text, reading) {
  const pattern = new RegExp(READINGS[reading], "gsu");
  let match;
  while ((match = pattern.exec(text)) !== null) {
    const kind = KINDS.find(function (name) { return match.groups[name] !== undefined; });
    yield [kind, match[0], match.index];
  }
}

function checkReading(text, reading) {
  let depth = 0;
  let firstWord = null;
  let afterPrologue = false;
  let expecting = 0;
  for (const [kind, token, offset] of tokens(text, reading)) {
    if (kind === "ws" || kind === "comment") continue;
    const lowered = token.toLowerCase();
    if (kind === "word" && lowered === "service") throw new Refused(403, NO_SERVICE);
    if (firstWord === null && !afterPrologue) {
      if (expecting) expecting -= 1;
      else if (kind === "word" && (lowered === "prefix" || lowered === "base")) expecting = lowered === "prefix" ? 2 : 1;
      else if (kind === "word") {
        firstWord = lowered;
        if (UPDATE_WORDS.has(lowered)) throw new Refused(403, READ_ONLY);
      } else afterPrologue = true;
    }
    if (kind === "other") {
      if (OPEN.includes(token)) {
        depth += 1;
        if (depth > MAX_DEPTH) {
          const line = text.slice(0, offset).split("\n").length;
          throw new Refused(400, tooDeep(line));
        }
      } else if (CLOSE.includes(token)) depth = Math.max(0, depth - 1);
    }
  }
  return firstWord;
}

/** Throw Refused for an update, SERVICE or too deep a nesting; else the query's first keyword
 * after its prologue ("select", "ask", "construct", "describe"), or null. */
export function checkQuery(query) {
  const texts = [query];
  if (query.includes("\\u") || query.includes("\\U")) texts.push(unescapeCodepoints(query));
  let form = null;
  texts.forEach(function (text) {
    [0, 1].forEach(function (reading) {
      const word = checkReading(text, reading);
      if (text === query && reading === 0) form = word;
    });
  });
  return form;
}
