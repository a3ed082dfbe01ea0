// Suggestions for the site's search box (templates/base.html), as one types.
// The box works without this script (a plain GET form to /search); with it, the names of the best
// matches from /search.json fill the box's <datalist>. Self-hosted, no inline code (the CSP forbids
// it), no outside requests; a request is sent only after a short pause in typing.
(function () {
  "use strict";
  var box = document.getElementById("site-q");
  var list = document.getElementById("site-q-list");
  // No address to ask (the static export's pages): search-static.js suggests from the index.
  if (!box || !list || !window.fetch || !box.getAttribute("data-suggest")) { return; }
  var timer = null;
  var asked = "";
  box.addEventListener("input", function () {
    clearTimeout(timer);
    var q = box.value.trim();
    if (q.length < 2 || q === asked) { return; }
    timer = setTimeout(function () {
      asked = q;
      var url = box.getAttribute("data-suggest") + "?limit=8&lang=" +
        encodeURIComponent(box.getAttribute("data-lang") || "th") + "&q=" + encodeURIComponent(q);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          if (box.value.trim() !== q) { return; }
          while (list.firstChild) { list.removeChild(list.firstChild); }
          var seen = {};
          data.results.forEach(function (r) {
            if (seen[r.name]) { return; }
            seen[r.name] = true;
            var option = document.createElement("option");
            option.value = r.name;
            option.label = r.kind_name;
            list.appendChild(option);
          });
        })
        .catch(function () { /* suggestions are a convenience: the form still works */ });
    }, 150);
  });
}());
