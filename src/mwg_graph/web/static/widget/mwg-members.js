/*
 * MWG member list widget. Paste into any page:
 *
 *   <div data-mwg-members data-lang="th"></div>
 *   <script src="https://{mwg server}/static/widget/mwg-members.js" defer></script>
 *
 * data-lang: "th" (default) or "en". data-src: another URL of the framed network document
 * (default: /network.jsonld on the server this script came from). The list is built with DOM calls
 * and textContent only, so no name in the data can inject markup into the host page.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src, document.baseURI) : new URL(document.baseURI);
  var defaultSource = new URL("/network.jsonld", origin).href;
  var words = {
    th: { caption: "องค์กรภาคีหลักของเครือข่ายองค์กรด้านประชากรข้ามชาติ (MWG)", failed: "โหลดรายชื่อไม่สำเร็จ" },
    en: { caption: "Member organisations of the Migrant Working Group (MWG)", failed: "Could not load the member list" }
  };

  function pick(map, lang) {
    if (!map) return "";
    if (typeof map === "string") return map;
    return map[lang] || map.en || map.th || "";
  }

  function render(target, doc) {
    var lang = target.getAttribute("data-lang") === "en" ? "en" : "th";
    var members = (doc.member || []).slice();
    members.sort(function (a, b) {
      return pick(a.name, lang).localeCompare(pick(b.name, lang), lang);
    });
    var figure = document.createElement("figure");
    figure.className = "mwg-members";
    figure.setAttribute("lang", lang);
    var caption = document.createElement("figcaption");
    caption.textContent = words[lang].caption + " (" + members.length + ")";
    figure.appendChild(caption);
    var list = document.createElement("ul");
    members.forEach(function (member) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = member.id + "?lang=" + lang; // the member's page in the widget's language
      link.textContent = pick(member.name, lang);
      var acronym = member.acronym;
      if (acronym && link.textContent.indexOf("(" + acronym + ")") < 0) {
        link.textContent += " (" + acronym + ")";
      }
      item.appendChild(link);
      list.appendChild(item);
    });
    figure.appendChild(list);
    target.replaceChildren(figure);
  }

  function start() {
    var targets = document.querySelectorAll("[data-mwg-members]");
    var cache = {};
    Array.prototype.forEach.call(targets, function (target) {
      var source = target.getAttribute("data-src") || defaultSource;
      cache[source] = cache[source] || fetch(source, { headers: { Accept: "application/ld+json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        });
      cache[source].then(function (doc) { render(target, doc); }, function () {
        var lang = target.getAttribute("data-lang") === "en" ? "en" : "th";
        var message = document.createElement("p");
        message.textContent = words[lang].failed;
        target.replaceChildren(message);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
