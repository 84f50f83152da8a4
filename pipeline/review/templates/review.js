(function () {
  "use strict";
  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  function show(view) {
    all("[data-view]").forEach(function (el) { el.classList.toggle("nc-active", el.getAttribute("data-view") === view); });
    all("[data-show]").forEach(function (el) { el.classList.toggle("nc-active", el.getAttribute("data-show") === view); });
  }
  function highlight(item) {
    all(".nc-hl").forEach(function (el) { el.classList.remove("nc-hl"); });
    item.classList.add("nc-hl");
    var id = item.getAttribute("data-claim");
    var first = parseInt(item.getAttribute("data-first-token"), 10);
    var last = parseInt(item.getAttribute("data-last-token"), 10);
    var found = all("mark[data-claim]").filter(function (el) { return el.getAttribute("data-claim") === id; });
    if (found.length) {
      show("entities");
    } else if (!isNaN(first)) {
      found = all(".nc-tok[data-token]").filter(function (el) {
        var i = parseInt(el.getAttribute("data-token"), 10);
        return i >= first && i < last;
      });
      if (found.length) { show("claims"); }
    }
    found.forEach(function (el) { el.classList.add("nc-hl"); });
    if (found.length && found[0].scrollIntoView) { found[0].scrollIntoView({block: "center"}); }
  }
  document.addEventListener("click", function (event) {
    var tab = event.target.closest("[data-show]");
    if (tab) { show(tab.getAttribute("data-show")); return; }
    var item = event.target.closest(".nc-claim");
    if (item && !event.target.closest("a")) { highlight(item); }
  });
  if (location.hash.indexOf("#claim-") === 0) {
    var target = document.getElementById(location.hash.slice(1));
    if (target) { highlight(target); }
  }
  document.documentElement.setAttribute("data-review-ready", "1");
}());
