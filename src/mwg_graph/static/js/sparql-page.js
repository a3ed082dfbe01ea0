/* The SPARQL query page: editor (YASQE from the vendored YASGUI), example queries, results table.
 * No inline script (the page's Content-Security-Policy forbids it); configuration comes from the
 * JSON block #sparql-config. Without JavaScript the form still posts the query to the endpoint. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sparql-config").textContent);
  var textarea = document.getElementById("query");
  var form = document.getElementById("query-form");
  var formatSelect = document.getElementById("format");
  var statusBox = document.getElementById("status");
  var results = document.getElementById("results");
  var downloads = document.getElementById("downloads");
  var examples = {};
  config.examples.forEach(function (e) { examples[e.name] = e; });
  var prefixes = [];
  config.prologue.split("\n").forEach(function (line) {
    var m = /^PREFIX\s+([^:]*):\s*<([^>]*)>/.exec(line);
    if (m) prefixes.push([m[1], m[2]]);
  });
  prefixes.sort(function (a, b) { return b[1].length - a[1].length; });

  var initial = config.query || config.prologue + "\nSELECT ?member ?th ?en WHERE {\n  organization:mwg org:hasMember ?member .\n  ?member skos:prefLabel ?th , ?en .\n  FILTER(lang(?th) = \"th\" && lang(?en) = \"en\")\n}\nORDER BY ?en\n";
  textarea.value = initial;
  var editor = null;
  if (window.Yasqe) {
    editor = new window.Yasqe(document.getElementById("editor"), {
      value: initial,
      persistenceId: null,
      autocompleters: ["variables"],
      showQueryButton: false,
      resizeable: true,
      editorHeight: "320px",
      requestConfig: { endpoint: config.endpoint, method: "POST" }
    });
    editor.setValue(initial);
    textarea.hidden = true;
  }

  function currentQuery() { return editor ? editor.getValue() : textarea.value; }
  function setQuery(text) { if (editor) { editor.setValue(text); } textarea.value = text; }

  function say(text, kind) {
    statusBox.textContent = text;
    statusBox.className = kind || "";
  }

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
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      var span = document.createElement("span");
      span.textContent = term.value;
      if (term["xml:lang"]) span.lang = term["xml:lang"];
      td.appendChild(span);
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

  function table(data) {
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
    return tableEl;
  }

  // The CSV offered here is for people, who open it in a spreadsheet: a cell starting with
  // = + - @ (or a tab or CR) would be run there as a formula (OWASP "CSV injection"), so it gets a
  // leading '. It is made from the results shown. The endpoint's own text/csv (?format=csv) stays
  // exact, for programs.
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

  function run() {
    var query = currentQuery();
    textarea.value = query;
    results.textContent = "";
    downloads.hidden = true;
    say("Running…", "running");
    var started = performance.now();
    fetch(config.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: new URLSearchParams({ query: query }).toString()
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var truncated = response.headers.get("MWG-Results-Truncated");
      return response.text().then(function (text) {
        var seconds = ((performance.now() - started) / 1000).toFixed(2);
        if (!response.ok) {
          say("Error " + response.status + " (" + seconds + " s)", "error");
          var pre = document.createElement("pre");
          pre.className = "sparql-error";
          pre.textContent = text;
          results.appendChild(pre);
          return;
        }
        if (type.indexOf("json") >= 0) {
          var data = JSON.parse(text);
          if (typeof data.boolean === "boolean") {
            say("Answer: " + (data.boolean ? "yes (true)" : "no (false)") + " · " + seconds + " s", "ok");
            return;
          }
          var count = data.results.bindings.length;
          say(count + " result" + (count === 1 ? "" : "s") + " · " + seconds + " s" +
              (truncated ? " · only the first " + config.maxRows + " rows are shown (the endpoint's limit)" : ""), "ok");
          results.appendChild(table(data));
          document.getElementById("download-csv").href = spreadsheetCsvHref(data);
          document.getElementById("download-json").href = downloadHref("json", query);
          downloads.hidden = false;
        } else {
          say("Graph result · " + seconds + " s", "ok");
          var graph = document.createElement("pre");
          graph.className = "sparql-graph";
          graph.textContent = text;
          results.appendChild(graph);
        }
      });
    }).catch(function (error) { say("The request failed: " + error, "error"); });
  }

  form.addEventListener("submit", function (event) {
    if (formatSelect.value) { textarea.value = currentQuery(); return; } // plain form post: a download
    event.preventDefault();
    run();
  });
  Array.prototype.forEach.call(document.querySelectorAll("button.example"), function (button) {
    button.addEventListener("click", function () {
      var example = examples[button.getAttribute("data-example")];
      setQuery(example.query);
      run();
    });
  });
  if (config.query) run();
})();
