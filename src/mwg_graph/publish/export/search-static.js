// Search on the static export (mwg_graph/publish/export/search.py), where there is no /search.json: the
// release's search index (downloads/search-index.json, the file the server's matcher reads) is
// fetched from the site itself, once, and searched here, for the header box's suggestions as one
// types and for the results of the /search page (its ?q=), listed as the server lists them.
// Names are compared by their letters, digits and marks only, case aside
// (mwg_graph.names.exact_key); a whole name ranks before a name that starts with the query, then
// one that contains it, then the index's own rank. No outside requests; nothing is sent anywhere.
(function () {
  "use strict";
  var me = document.getElementById("search-static");
  if (!me || !window.fetch) { return; }
  var words = JSON.parse(me.getAttribute("data-words"));
  var lang = me.getAttribute("data-lang");
  var loading = null;

  function key(text) {
    return text.normalize("NFC").toLowerCase().replace(/[^\p{L}\p{M}\p{N}]/gu, "");
  }

  function index() {
    if (!loading) {
      loading = fetch(me.getAttribute("data-index")).then(function (r) {
        if (!r.ok) { throw new Error("search index: " + r.status); }
        return r.json();
      });
      loading.catch(function () { loading = null; });  // a later search tries again
    }
    return loading;
  }

  function find(entries, q) {
    var wanted = key(q);
    var hits = [];
    if (!wanted) { return hits; }
    entries.forEach(function (entry) {
      var best = null;
      entry.names.forEach(function (name) {
        var k = key(name.text);
        var at = k.indexOf(wanted);
        if (at < 0) { return; }
        var score = k === wanted ? 0 : (at === 0 ? 1 : 2);
        if (best === null || score < best.score) { best = { score: score, name: name }; }
      });
      if (best) { hits.push({ entry: entry, score: best.score, name: best.name }); }
    });
    hits.sort(function (a, b) {
      return a.score - b.score || a.entry.rank - b.entry.rank ||
        (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0);
    });
    return hits;
  }

  function labelOf(entry) {
    return entry.label[lang] || entry.label.th || entry.label.en || entry.id;
  }

  // The header box: the names of the best matches fill its <datalist>, after a short pause.
  (function suggest() {
    var box = document.getElementById("site-q");
    var list = document.getElementById("site-q-list");
    if (!box || !list) { return; }
    var timer = null;
    var asked = "";
    box.addEventListener("input", function () {
      clearTimeout(timer);
      var q = box.value.trim().slice(0, 200);
      if (q.length < 2 || q === asked) { return; }
      timer = setTimeout(function () {
        asked = q;
        index().then(function (data) {
          if (box.value.trim().slice(0, 200) !== q) { return; }
          while (list.firstChild) { list.removeChild(list.firstChild); }
          var seen = {};
          find(data.entries, q).slice(0, 8).forEach(function (hit) {
            var name = labelOf(hit.entry);
            if (seen[name]) { return; }
            seen[name] = true;
            var option = document.createElement("option");
            option.value = name;
            option.label = words.kinds[hit.entry.kind] || hit.entry.kind;
            list.appendChild(option);
          });
        }).catch(function () { /* suggestions are a convenience: the form still works */ });
      }, 150);
    });
  }());

  // The /search page: its ?q= searched, the hits listed after the form.
  (function results() {
    var form = document.querySelector("form.search-page");
    if (!form) { return; }
    var q = (new URLSearchParams(window.location.search).get("q") || "").trim().slice(0, 200);
    var box = document.getElementById("search-page-q");
    if (box) { box.value = q; }
    form.setAttribute("action", window.location.pathname);
    var hidden = form.querySelector("input[name=lang]");
    if (hidden) { hidden.parentNode.removeChild(hidden); }
    if (!key(q)) { return; }
    index()
      .then(function (data) { show(find(data.entries, q).slice(0, 20)); })
      .catch(function () { show([]); });

    function show(hits) {
      var note = document.querySelector("form.search-page + p.note") || form;
      var out;
      if (!hits.length) {
        out = document.createElement("p");
        out.textContent = words.none;
      } else {
        out = document.createElement("ol");
        out.className = "search-results";
        hits.forEach(function (hit) {
          var entry = hit.entry;
          var label = labelOf(entry);
          var li = document.createElement("li");
          var tag = document.createElement("span");
          tag.className = "tag";
          tag.textContent = words.kinds[entry.kind] || entry.kind;
          var a = document.createElement("a");
          a.href = me.getAttribute("data-doc") + entry.id;
          a.textContent = label;
          li.appendChild(tag);
          li.appendChild(document.createTextNode(" "));
          li.appendChild(a);
          if (hit.score === 0) {
            var exact = document.createElement("small");
            exact.className = "note";
            exact.textContent = " (" + words.exact + ")";
            li.appendChild(exact);
          }
          if (hit.name.text !== label) {
            var via = document.createElement("small");
            via.className = "note";
            via.textContent = words.via + ": " + hit.name.text;
            li.appendChild(document.createElement("br"));
            li.appendChild(via);
          }
          out.appendChild(li);
        });
      }
      note.parentNode.insertBefore(out, note.nextSibling);
    }
  }());
}());
