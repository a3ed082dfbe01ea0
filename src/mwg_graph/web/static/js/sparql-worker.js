/* The exported site's SPARQL engine: Oxigraph's WebAssembly build in a Web Worker.
 *
 * A worker, because Oxigraph cannot cancel a running query: the page (sparql-browser.js) ends a
 * query that passes the time limit, or that the reader stops, by terminating this worker, and
 * starts a fresh one. Messages in: {type: "load", dumps: [{url, format}], prologue, baseIri}
 * once, then {type: "query", id, query, maxRows}. Messages out: {type: "ready"} or
 * {type: "failed", message} after loading, {type: "started", id} when a query begins to run (the
 * time limit counts from then), and {type: "answer", id, status, mediaType, text, truncated,
 * restart} (restart: the engine trapped, and the page replaces this worker).
 * The data are the release's own dumps from this site (the default graph from mwg.nt, the partner
 * graphs from partners.nq); nothing is fetched from anywhere else. */
import init, { Store } from "../vendor/oxigraph/web.js";
import { checkQuery, Refused } from "./sparql-guard.js";

const JSON_RESULTS = "application/sparql-results+json";
const TRIPLES = "application/n-triples";
let setup = null;
let store = null;
let loading = null;

async function load(message) {
  await init({ module_or_path: new URL("../vendor/oxigraph/web_bg.wasm", import.meta.url) });
  const loaded = new Store();
  for (const dump of message.dumps) {
    const response = await fetch(dump.url);
    if (!response.ok) throw new Error(dump.url + ": HTTP " + response.status);
    loaded.load(await response.text(), { format: dump.format });
  }
  store = loaded;
}

// The prologue goes on one line before the query, so an error's line is the query's line + 1.
function withoutPrologueLine(message) {
  return message.replace(/^error at (\d+):(\d+)/, function (all, line, column) {
    return "error at " + Math.max(1, Number(line) - 1) + ":" + column;
  });
}

function answer(message) {
  let form;
  try {
    form = checkQuery(message.query);
  } catch (error) {
    if (error instanceof Refused) return { status: error.status, mediaType: "text/plain", text: error.message };
    throw error;
  }
  const graph = form === "construct" || form === "describe";
  let text;
  try {
    text = store.query(setup.prologue + message.query, {
      base_iri: setup.baseIri,
      results_format: graph ? TRIPLES : JSON_RESULTS,
      use_default_graph_as_union: false
    });
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) {
      // A trap leaves the engine in no state to go on: the page replaces this worker.
      return { status: 500, mediaType: "text/plain", restart: true, text: "The query stopped the engine: " + error.message };
    }
    const words = withoutPrologueLine(String(error && error.message || error));
    return {
      status: 400,
      mediaType: "text/plain",
      text: (/^error at \d+:\d+/.test(words) ? "Syntax error in the query: " : "The query cannot be run: ") + words
    };
  }
  // At most maxRows rows (or triples), as the server cuts its answers.
  if (graph) {
    const lines = text.split("\n").filter(function (line) { return line !== ""; });
    const kept = lines.slice(0, message.maxRows);
    return { status: 200, mediaType: TRIPLES, text: kept.join("\n") + "\n", truncated: kept.length < lines.length };
  }
  const data = JSON.parse(text);
  let truncated = false;
  if (data.results && data.results.bindings.length > message.maxRows) {
    data.results.bindings = data.results.bindings.slice(0, message.maxRows);
    truncated = true;
  }
  return { status: 200, mediaType: JSON_RESULTS, text: JSON.stringify(data), truncated: truncated };
}

self.onmessage = async function (event) {
  const message = event.data;
  if (message.type === "load") {
    setup = { prologue: message.prologue.replace(/\n/g, " ").trim() + "\n", baseIri: message.baseIri };
    loading = load(message);
    loading.then(
      function () { self.postMessage({ type: "ready" }); },
      function (error) { self.postMessage({ type: "failed", message: String(error && error.message || error) }); }
    );
    return;
  }
  if (message.type === "query") {
    try {
      await loading;
    } catch (error) {
      return; // "failed" has said why
    }
    self.postMessage({ type: "started", id: message.id });
    let reply;
    try {
      reply = answer(message);
    } catch (error) {
      reply = { status: 500, mediaType: "text/plain", text: "The query failed in the browser: " + String(error && error.message || error) };
    }
    reply.type = "answer";
    reply.id = message.id;
    self.postMessage(reply);
  }
};
