/* Search page: Pagefind's interface, in Arabic, with Arabic-aware queries.
 *
 * The index holds, besides each article's text, every word's readings with
 * front clitics removed (و ف ب ك ل ال لل). A query word is reduced here to
 * its shortest reading, as archive_site.arabic.search_key does, so قوات and
 * القوات, معتقل and والمعتقل meet; a first letter is kept in the words the
 * index lists as written whole (بشار، فاطمة), and one such word is searched
 * exactly, as archive_site.arabic.search_query does. Excerpts are built from
 * the article text alone, never from those added readings. */
(function () {
  "use strict";

  var TASHKEEL = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]/g;
  var INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c\u0640]/g;
  var ALEF = /[\u0623\u0625\u0622\u0671]/g;
  var FRONT = "\u0648\u0641\u0628\u0643\u0644"; // و ف ب ك ل
  var AL = "\u0627\u0644", LL = "\u0644\u0644";
  var MIN = 3;

  var keep = {}; // words whose first letter is not a clitic (search_keep), loaded below

  function normal(text) {
    var digits = "٠١٢٣٤٥٦٧٨٩", persian = "۰۱۲۳۴۵۶۷۸۹";
    return text.normalize("NFKC").replace(INVISIBLE, "").replace(TASHKEEL, "").replace(ALEF, "\u0627")
      .replace(/[٠-٩]/g, function (d) { return String(digits.indexOf(d)); })
      .replace(/[۰-۹]/g, function (d) { return String(persian.indexOf(d)); }).toLowerCase();
  }

  function forms(word, noKeep) {
    var seen = {}, todo = [word], all = [word];
    seen[word] = true;
    while (todo.length) {
      var form = todo.pop(), shorter = [];
      if (FRONT.indexOf(form.charAt(0)) >= 0 && (noKeep || !keep[form])) shorter.push(form.slice(1));
      if (form.indexOf(LL) === 0) shorter.push(AL + form.slice(2));
      if (form.indexOf(AL) === 0) shorter.push(form.slice(2));
      if (form.slice(-2) === "\u0627\u062a") shorter.push(form.slice(0, -2) + "\u0629"); // ـات → ـة
      shorter.forEach(function (reading) {
        if (reading.length >= MIN && !seen[reading]) {
          seen[reading] = true;
          all.push(reading);
          todo.push(reading);
        }
      });
    }
    return all;
  }

  function key(word) {
    return forms(normal(word)).sort(function (a, b) {
      return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
    })[0];
  }

  function words(text) {
    return text.match(/[\p{L}\p{N}\p{M}]+/gu) || [];
  }

  function processTerm(term) {
    var keys = words(term).map(key);
    if (keys.length === 1 && keys[0].length >= 4 && FRONT.indexOf(keys[0].charAt(0)) >= 0) {
      return '"' + keys[0] + '"';
    }
    return keys.join(" ");
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var lastKeys = [];

  // The query's keys match a word of the text when one of the word's
  // readings starts with one of them (the search engine also matches prefixes).
  function matches(token) {
    var readings = forms(normal(token.replace(/[^\p{L}\p{N}\p{M}]/gu, "")), true);
    return lastKeys.some(function (k) {
      return readings.some(function (r) { return r.indexOf(k) === 0; });
    });
  }

  // The words of the article itself: the index's added readings come last.
  function ownWords(content, extra) {
    var tokens = content.split(/\s+/).filter(Boolean);
    return extra > 0 ? tokens.slice(0, Math.max(0, tokens.length - extra)) : tokens;
  }

  function excerpt(content, extra) {
    var tokens = ownWords(content, extra);
    var hit = -1;
    for (var i = 0; i < tokens.length && hit < 0; i++) if (matches(tokens[i])) hit = i;
    if (hit < 0) return null;
    var start = Math.max(0, hit - 12), end = Math.min(tokens.length, hit + 18);
    var parts = tokens.slice(start, end).map(function (t) {
      return matches(t) ? "<mark>" + escapeHtml(t) + "</mark>" : escapeHtml(t);
    });
    return (start > 0 ? "… " : "") + parts.join(" ") + (end < tokens.length ? " …" : "");
  }

  function processResult(result) {
    var extra = parseInt((result.meta && result.meta.forms) || "0", 10);
    var own = excerpt(result.content || "", extra);
    var summary = result.meta && result.meta.summary;
    // The interface inserts the excerpt as HTML: it is built here from text
    // only, every word escaped, never taken from Pagefind as it comes.
    var fallback = summary || ownWords(result.content || "", extra).slice(0, 30).join(" ");
    result.excerpt = own || escapeHtml(fallback);
    if (result.meta && result.meta.date) result.meta.title = result.meta.title + " — " + result.meta.date;
    // Used above; the interface would otherwise list them under each result.
    if (result.meta) ["forms", "summary", "date"].forEach(function (k) { delete result.meta[k]; });
    result.url = root + result.url.replace(/^\//, "");
    result.sub_results = [];
    return result;
  }

  // Nested filters (places) as a tree: each value after the value that
  // encloses it, indented by its depth. The values are only reordered with
  // CSS (order) and indented, never moved, so the interface keeps its DOM.
  var tree = {};

  function arrange() {
    box.querySelectorAll(".pagefind-ui__filter-block").forEach(function (block) {
      var name = block.querySelector(".pagefind-ui__filter-name");
      var parents = name && tree[name.textContent.trim()];
      if (!parents) return;
      var values = Array.prototype.slice.call(block.querySelectorAll(".pagefind-ui__filter-value"));
      var paths = values.map(function (value) {
        var input = value.querySelector("input");
        var own = input ? input.value : "";
        return (parents[own] || []).concat([own]);
      });
      var ranked = paths.map(function (path, i) { return [path.join("\u0001"), i]; }).sort(function (a, b) {
        return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
      });
      ranked.forEach(function (pair, rank) {
        var value = values[pair[1]];
        var depth = paths[pair[1]].length - 1;
        if (value.style.order !== String(rank)) value.style.order = String(rank);
        var indent = depth + "rem";
        if (value.style.paddingInlineStart !== indent) value.style.paddingInlineStart = indent;
        value.classList.toggle("archive-site-nested", depth > 0);
      });
      block.classList.add("archive-site-tree");
    });
  }

  // For the tests, which check these rules against the Python ones.
  window.archiveSiteSearch = { key: key, processTerm: processTerm, ready: false };

  var box = document.getElementById("search");
  var root = box.getAttribute("data-root");
  var bundle = box.getAttribute("data-bundle");

  function unavailable() {
    box.innerHTML = "";
    var p = document.createElement("p");
    p.className = "notice";
    p.textContent = box.getAttribute("data-unavailable");
    box.appendChild(p);
  }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = bundle + "pagefind-ui.css";
  document.head.appendChild(css);
  var script = document.createElement("script");
  script.src = bundle + "pagefind-ui.js";
  script.onerror = unavailable;
  function start() {
    var ui = new PagefindUI({
      element: "#search",
      bundlePath: bundle,
      showImages: false,
      showSubResults: false,
      resetStyles: false,
      debounceTimeoutMs: 200,
      translations: JSON.parse(box.getAttribute("data-strings")),
      processTerm: function (term) {
        var processed = processTerm(term);
        lastKeys = processed.replace(/"/g, "").split(" ").filter(Boolean);
        return processed;
      },
      processResult: processResult
    });
    var input = box.querySelector("input");
    if (input) input.setAttribute("aria-label", box.getAttribute("data-label"));
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) ui.triggerSearch(query);
    new MutationObserver(arrange).observe(box, { childList: true, subtree: true });
    arrange();
    window.archiveSiteSearch.ready = true;
  }
  // The interface starts once the list of words kept whole is read (or
  // found missing: then every first letter may be a clitic, as before).
  var kept = fetch(bundle + "archive-site-keep.json").then(function (response) {
    return response.ok ? response.json() : [];
  }).then(function (list) {
    list.forEach(function (word) { keep[word] = true; });
  }, function () {});
  var nested = fetch(bundle + "archive-site-tree.json").then(function (response) {
    return response.ok ? response.json() : {};
  }).then(function (found) { tree = found || {}; }, function () {});
  script.onload = function () { Promise.all([kept, nested]).then(start); };
  document.head.appendChild(script);
})();
