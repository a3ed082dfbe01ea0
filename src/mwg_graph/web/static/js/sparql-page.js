/* The SPARQL query page: a plain form first, the YASQE editor later, results as a sortable table.
 *
 * The page works without JavaScript (the form GETs /sparql?query=… and the server renders the
 * results). This script adds, in this order: running without reloading (Ctrl/Cmd+Enter too), the
 * query in the address bar after each run (history.replaceState: every state can be shared), the
 * editor (the ~1 MB vendored YASGUI, loaded only when the query box is first focused, so it never
 * delays or blocks the page), sorting by a column (Thai-aware collation) and the CSV for Excel.
 * No inline script (the page's Content-Security-Policy forbids it); configuration and the page's
 * words come from the JSON block #sparql-config.
 * The exported static site's page (config.engine "browser", mwg_graph.web.browser_sparql) shares this
 * script: there queries go to window.mwgSparqlInBrowser (sparql-browser.js, Oxigraph in a Web
 * Worker) instead of the endpoint, every download is made here from the results, a Stop button
 * ends a running query, and a shared ?query= link runs its query on arrival. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sparql-config").textContent);
  var words = config.words;
  var textarea = document.getElementById("query");
  var form = document.getElementById("query-form");
  var formatSelect = document.getElementById("format");
  var statusBox = document.getElementById("status");
  var results = document.getElementById("results");
  var downloads = document.getElementById("downloads");
  var sortHint = document.getElementById("sort-hint");
  var examples = {};
  config.examples.forEach(function (e) { examples[e.name] = e; });
  var prefixes = [];
  config.prologue.split("\n").forEach(function (line) {
    var m = /^PREFIX\s+([^:]*):\s*<([^>]*)>/.exec(line);
    if (m) prefixes.push([m[1], m[2]]);
  });
  prefixes.sort(function (a, b) { return b[1].length - a[1].length; });
  var collator = new Intl.Collator(config.lang === "th" ? ["th", "en"] : ["en", "th"], { numeric: true });

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }
  function say(text, kind) {
    statusBox.textContent = text;
    statusBox.className = kind || "";
  }

  // ---- the editor: a textarea until YASQE has loaded --------------------------------------------
  var editor = null;
  var editorRequested = false;
  function currentQuery() { return editor ? editor.getValue() : textarea.value; }
  function setQuery(text) { if (editor) { editor.setValue(text); } textarea.value = text; }

  function isRunKey(event) { return event.key === "Enter" && (event.ctrlKey || event.metaKey); }
  textarea.addEventListener("keydown", function (event) {
    if (isRunKey(event)) { event.preventDefault(); run(); }
  });

  function loadEditor() {
    if (editorRequested) return;
    editorRequested = true;
    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = config.vendor.style;
    document.head.appendChild(style);
    var script = document.createElement("script");
    script.src = config.vendor.script;
    script.onload = startEditor;
    document.head.appendChild(script);
  }

  function startEditor() {
    if (!window.Yasqe) return; // the plain textarea stays
    var hadFocus = document.activeElement === textarea;
    var value = textarea.value;
    editor = new window.Yasqe(document.getElementById("editor"), {
      value: value,
      persistenceId: null,
      autocompleters: ["variables"],
      showQueryButton: false,
      createShareableLink: null, // the address bar is the share link
      resizeable: true,
      editorHeight: "300px",
      // contenteditable: the text itself is what screen readers read and what has focus
      inputStyle: "contenteditable",
      requestConfig: { endpoint: config.endpoint, method: "POST" }
    });
    editor.setValue(value);
    textarea.hidden = true;
    var input = editor.getInputField();
    input.setAttribute("role", "textbox");
    input.setAttribute("aria-multiline", "true");
    input.setAttribute("aria-labelledby", "query-label");
    input.setAttribute("aria-describedby", "keys-help");
    // Tab indents in the editor; YASQE's Esc leaves it (blur), so Esc then Tab goes on to the next
    // control, as the page says. Ctrl/Cmd+Enter runs here, not through YASQE's own request.
    editor.addKeyMap({ "Ctrl-Enter": function () { run(); }, "Cmd-Enter": function () { run(); } });
    if (hadFocus) editor.focus();
  }

  // Only when the reader reaches for the query box (focus by Tab, click or tap): parsing the bundle
  // is one long task (~1 s on a slow phone), which would block a reader who only came to look at
  // examples or results; and a swap the reader asked for does not count as a layout shift.
  textarea.addEventListener("focus", loadEditor);
  textarea.addEventListener("pointerdown", loadEditor);

  // ---- results ---------------------------------------------------------------------------------
  function link(iri) {
    if (iri.indexOf(config.baseIri) === 0) return config.siteRoot + iri.slice(config.baseIri.length);
    return iri;
  }
  // Only web addresses become links: a javascript:, data: or other IRI in a result stays text.
  function linkable(iri) { return /^https?:\/\//i.test(iri); }
  function compact(iri) {
    for (var i = 0; i < prefixes.length; i++) {
      var ns = prefixes[i][1];
      if (iri.indexOf(ns) === 0 && /^[\w\-.]*$/.test(iri.slice(ns.length))) return prefixes[i][0] + ":" + iri.slice(ns.length);
    }
    return iri;
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      var a = document.createElement(linkable(term.value) ? "a" : "span");
      if (linkable(term.value)) a.href = link(term.value);
      a.textContent = compact(term.value);
      a.title = term.value;
      td.appendChild(a);
      td.setAttribute("data-sort", compact(term.value));
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      var span = document.createElement("span");
      span.textContent = term.value;
      if (term["xml:lang"]) span.lang = term["xml:lang"];
      td.appendChild(span);
      td.setAttribute("data-sort", term.value);
      var note = term["xml:lang"] ? "@" + term["xml:lang"] : (term.datatype ? "^^" + compact(term.datatype) : "");
      if (note) {
        var small = document.createElement("small");
        small.className = "term-note";
        small.textContent = " " + note;
        td.appendChild(small);
      }
    }
    return td;
  }

  function sortKey(td) { var key = td.getAttribute("data-sort"); return key === null ? td.textContent : key; }

  // Click a heading: sort by that column (again: the other way). Empty cells go last.
  function sortBy(tableEl, column) {
    var th = tableEl.tHead.rows[0].cells[column];
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(tableEl.tHead.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = tableEl.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = sortKey(a.cells[column]), y = sortKey(b.cells[column]);
      if (x === "" || y === "") return (x === "") - (y === "");
      return ascending ? collator.compare(x, y) : collator.compare(y, x);
    });
    rows.forEach(function (row) { body.appendChild(row); });
    say(th.textContent + ": " + (ascending ? words.sorted_up : words.sorted_down), "ok");
  }

  function sortable(tableEl) {
    Array.prototype.forEach.call(tableEl.tHead.rows[0].cells, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(tableEl, column); });
    });
  }

  function table(data) {
    var scroll = document.createElement("div");
    scroll.className = "table-scroll";
    scroll.tabIndex = 0; // a wide table scrolls sideways by keyboard too
    scroll.setAttribute("role", "region");
    scroll.setAttribute("aria-labelledby", "results-heading");
    var tableEl = document.createElement("table");
    tableEl.className = "sparql-results";
    var head = tableEl.createTHead().insertRow();
    data.head.vars.forEach(function (v) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = "?" + v;
      head.appendChild(th);
    });
    var body = tableEl.createTBody();
    data.results.bindings.forEach(function (binding) {
      var row = body.insertRow();
      data.head.vars.forEach(function (v) { row.appendChild(cell(binding[v])); });
    });
    sortable(tableEl);
    scroll.appendChild(tableEl);
    return scroll;
  }

  // The CSV for Excel is for people, who open it in a spreadsheet: a cell starting with
  // = + - @ (or a tab or CR) would be run there as a formula (OWASP "CSV injection"), so it gets a
  // leading '. It is made from the results shown. The endpoint's own text/csv (?format=csv) stays
  // exact, for programs: its link is beside this one.
  var FORMULA_START = /^[=+\-@\t\r]/;
  var csvUrl = null;
  function csvField(term) {
    if (!term) return "";
    var text = term.type === "bnode" ? "_:" + term.value : term.value;
    if (FORMULA_START.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function spreadsheetCsvHref(data) {
    var lines = [data.head.vars.join(",")];
    data.results.bindings.forEach(function (binding) {
      lines.push(data.head.vars.map(function (v) { return csvField(binding[v]); }).join(","));
    });
    if (csvUrl) URL.revokeObjectURL(csvUrl);
    // The byte-order mark lets spreadsheets read the Thai as UTF-8.
    csvUrl = URL.createObjectURL(new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"],
                                          { type: "text/csv;charset=utf-8" }));
    return csvUrl;
  }

  function downloadHref(format, query) {
    return config.endpoint + "?" + new URLSearchParams({ query: query, format: format }).toString();
  }

  // Without an endpoint (the static site), the exact downloads are made here too, as the SPARQL
  // 1.1 CSV and TSV results formats (https://www.w3.org/TR/sparql11-results-csv-tsv/) and JSON say.
  var madeUrls = [];
  function madeHref(text, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    madeUrls.push(url);
    return url;
  }
  function exactCsvField(term) {
    if (!term) return "";
    var text = term.type === "bnode" ? "_:" + term.value : term.value;
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var TSV_BARE = {};
  TSV_BARE[XSD + "integer"] = /^[+-]?\d+$/;
  TSV_BARE[XSD + "decimal"] = /^[+-]?\d*\.\d+$/;
  TSV_BARE[XSD + "double"] = /^[+-]?(\d+\.\d*|\.?\d+)[eE][+-]?\d+$/;
  TSV_BARE[XSD + "boolean"] = /^(true|false)$/;
  function tsvTerm(term) {
    if (!term) return "";
    if (term.type === "uri") return "<" + term.value + ">";
    if (term.type === "bnode") return "_:" + term.value;
    var bare = TSV_BARE[term.datatype];  // numbers and booleans as Turtle writes them
    if (bare && bare.test(term.value)) return term.value;
    var text = '"' + term.value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")
      .replace(/\r/g, "\\r").replace(/\t/g, "\\t") + '"';
    if (term["xml:lang"]) return text + "@" + term["xml:lang"];
    if (term.datatype && term.datatype !== "http://www.w3.org/2001/XMLSchema#string") return text + "^^<" + term.datatype + ">";
    return text;
  }
  function madeDownloads(data) {
    madeUrls.forEach(function (url) { URL.revokeObjectURL(url); });
    madeUrls = [];
    var vars = data.head.vars;
    var rows = data.results.bindings;
    var csv = [vars.join(",")].concat(rows.map(function (b) {
      return vars.map(function (v) { return exactCsvField(b[v]); }).join(",");
    }));
    var tsv = [vars.map(function (v) { return "?" + v; }).join("\t")].concat(rows.map(function (b) {
      return vars.map(function (v) { return tsvTerm(b[v]); }).join("\t");
    }));
    return {
      csv: madeHref(csv.join("\r\n") + "\r\n", "text/csv;charset=utf-8"),
      tsv: madeHref(tsv.join("\n") + "\n", "text/tab-separated-values;charset=utf-8"),
      json: madeHref(JSON.stringify(data), "application/sparql-results+json")
    };
  }

  // The address bar holds the query after each run, so the page can be bookmarked or shared.
  function remember(query) {
    var params = new URLSearchParams({ query: query });
    if (config.langFixed) params.set("lang", config.lang);
    history.replaceState(null, "", location.pathname + "?" + params.toString());
  }

  function showDownloads(data, query) {
    document.getElementById("download-csv").href = spreadsheetCsvHref(data);
    document.getElementById("excel").hidden = false;
    document.getElementById("excel-note").hidden = false;
    if (inBrowser) {
      var made = madeDownloads(data);
      document.getElementById("download-csv-exact").href = made.csv;
      document.getElementById("download-tsv").href = made.tsv;
      document.getElementById("download-json").href = made.json;
    } else {
      document.getElementById("download-csv-exact").href = downloadHref("csv", query);
      document.getElementById("download-json").href = downloadHref("json", query);
    }
    downloads.hidden = false;
  }

  // How a query is asked: the endpoint (fetch), or the browser's own engine on the static site.
  // Either way the answer is {status, mediaType, text, truncated}, plus a note for a query the
  // browser stopped (time limit, Stop button) or could not start.
  var inBrowser = config.engine === "browser";
  var stopButton = document.getElementById("stop");
  function ask(query) {
    if (inBrowser) return window.mwgSparqlInBrowser.ask(query);
    return fetch(config.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: new URLSearchParams({ query: query }).toString()
    }).then(function (response) {
      return response.text().then(function (text) {
        return {
          status: response.status,
          mediaType: response.headers.get("Content-Type") || "",
          truncated: Boolean(response.headers.get("MWG-Results-Truncated")),
          text: text
        };
      });
    });
  }
  if (stopButton) {
    stopButton.addEventListener("click", function () { window.mwgSparqlInBrowser.stop(); });
  }

  var running = 0;
  function run() {
    var query = currentQuery();
    var ticket = ++running;
    textarea.value = query;
    remember(query);
    results.textContent = "";
    downloads.hidden = true;
    sortHint.hidden = true;
    say(words.running, "running");
    if (stopButton) stopButton.hidden = false;
    var started = performance.now();
    ask(query).then(function (answer) {
      var type = answer.mediaType;
      var truncated = answer.truncated;
      var text = answer.text;
      (function () {
        if (ticket !== running) return; // a later run has started
        if (stopButton) stopButton.hidden = true;
        var took = fill(words.took, { s: ((performance.now() - started) / 1000).toFixed(2) });
        if (answer.note) {
          say(answer.note, "error");
          return;
        }
        if (answer.status !== 200) {
          say(fill(words.error, { n: answer.status }) + took, "error");
          var pre = document.createElement("pre");
          pre.className = "sparql-error";
          pre.lang = "en";
          pre.textContent = text;
          results.appendChild(pre);
          return;
        }
        if (type.indexOf("json") >= 0) {
          var data = JSON.parse(text);
          if (typeof data.boolean === "boolean") {
            say((data.boolean ? words.yes : words.no) + took, "ok");
            return;
          }
          var count = data.results.bindings.length;
          say(fill(count === 1 ? words.count_one : words.count, { n: count }) + took +
              (truncated ? fill(words.truncated, { max: config.maxRows }) : ""), "ok");
          results.appendChild(table(data));
          showDownloads(data, query);
          sortHint.hidden = count < 2;
        } else {
          say(words.graph + took, "ok");
          var graph = document.createElement("pre");
          graph.className = "sparql-graph";
          graph.lang = "en";
          graph.tabIndex = 0;
          graph.textContent = text;
          results.appendChild(graph);
        }
      })();
    }).catch(function (error) {
      if (stopButton) stopButton.hidden = true;
      say(fill(words.failed, { n: String(error) }), "error");
    });
  }

  form.addEventListener("submit", function (event) {
    if (formatSelect && formatSelect.value) { textarea.value = currentQuery(); return; } // a plain GET: a download
    event.preventDefault();
    run();
  });
  Array.prototype.forEach.call(document.querySelectorAll("a.example"), function (anchor) {
    anchor.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return; // new tab
      event.preventDefault();
      setQuery(examples[anchor.getAttribute("data-example")].query);
      run();
    });
  });
  if (config.query) run(); // a shared link: the server has shown the results; make them sortable
  else if (inBrowser) {
    // A shared link on the static site: no server has run it, so run it here.
    var shared = new URLSearchParams(location.search).get("query");
    if (shared !== null) { setQuery(shared); run(); }
  }
})();
