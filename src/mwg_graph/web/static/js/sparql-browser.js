/* The exported site's /sparql page: queries run in this browser, in a Web Worker
 * (sparql-worker.js, Oxigraph's WebAssembly build), with the server's limits.
 *
 * sparql-page.js (the page's table, sorting, downloads, address bar, editor) asks through
 * window.mwgSparqlInBrowser.ask(query) instead of fetching the endpoint. The worker is started
 * with the page and loads the release's dumps once; a query that runs past the time limit
 * (config.timeout seconds, counted from when the worker starts it) or that the reader stops is
 * ended by terminating the worker (Oxigraph cannot cancel a query), and a fresh worker takes its
 * place. Loaded before sparql-page.js (both deferred, so in order). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sparql-config").textContent);
  var words = config.words;
  var worker = null;
  var loadProblem = null;
  var pending = null; // {id, resolve}
  var timer = null;
  var lastId = 0;

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  function start() {
    loadProblem = null;
    worker = new Worker(config.browser.worker, { type: "module" });
    worker.onmessage = onMessage;
    worker.onerror = function (event) {
      event.preventDefault();
      loadProblem = event.message || "worker error";
      if (pending) finish({ status: 0, note: fill(words.load_failed, { n: loadProblem }), text: "" });
    };
    worker.postMessage({
      type: "load", dumps: config.browser.dumps, prologue: config.prologue, baseIri: config.browser.baseIri
    });
  }

  function onMessage(event) {
    var message = event.data;
    if (message.type === "failed") {
      loadProblem = message.message;
      if (pending) finish({ status: 0, note: fill(words.load_failed, { n: loadProblem }), text: "" });
    } else if (message.type === "started" && pending && message.id === pending.id) {
      timer = setTimeout(timeUp, config.timeout * 1000);
    } else if (message.type === "answer" && pending && message.id === pending.id) {
      if (message.restart) restart();
      finish(message);
    }
  }

  function finish(result) {
    clearTimeout(timer);
    timer = null;
    var waiting = pending;
    pending = null;
    if (waiting) waiting.resolve(result);
  }

  function restart() {
    worker.terminate();
    start();
  }

  function timeUp() {
    if (!pending) return;
    restart();
    finish({ status: 0, note: fill(words.timed_out, { s: config.timeout }), text: "" });
  }

  function stop() {
    if (!pending) return;
    restart();
    finish({ status: 0, note: words.stopped, text: "" });
  }

  function ask(query) {
    if (pending) stop();
    return new Promise(function (resolve) {
      pending = { id: ++lastId, resolve: resolve };
      if (loadProblem) restart(); // the data did not load: try again
      worker.postMessage({ type: "query", id: pending.id, query: query, maxRows: config.maxRows });
    });
  }

  window.mwgSparqlInBrowser = { ask: ask, stop: stop };
  start();
})();
