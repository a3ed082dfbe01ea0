// Search on the static export (mwg_graph/export/search.py): the page's ?q= is looked for in the
// release's search index (downloads/search-index.json, the file the server's matcher reads), and
// the hits are listed as the server lists them. Names are compared by their letters, digits and
// marks only, case aside (mwg_graph.names.exact_key); a whole name ranks before a name that
// contains the query, then the index's own rank. No outside requests; nothing is sent anywhere.
(function () {
  "use strict";
  var me = document.getElementById("search-static");
  var form = document.querySelector("form.search-page");
  if (!me || !form || !window.fetch) { return; }
  var words = JSON.parse(me.getAttribute("data-words"));
  var lang = me.getAttribute("data-lang");
  var q = (new URLSearchParams(window.location.search).get("q") || "").trim().slice(0, 200);
  var box = document.getElementById("search-page-q");
  if (box) { box.value = q; }
  form.setAttribute("action", window.location.pathname);
  var hidden = form.querySelector("input[name=lang]");
  if (hidden) { hidden.parentNode.removeChild(hidden); }
  var key = function (text) {
    return text.normalize("NFC").toLowerCase().replace(/[^\p{L}\p{M}\p{N}]/gu, "");
  };
  var wanted = key(q);
  if (!wanted) { return; }
  fetch(me.getAttribute("data-index"))
    .then(function (r) { return r.json(); })
    .then(function (index) {
      var hits = [];
      index.entries.forEach(function (entry) {
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
      show(hits.slice(0, 20));
    })
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
        var label = entry.label[lang] || entry.label.th || entry.label.en || entry.id;
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
