// Niceties only: the page works the same without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var box = document.querySelector(".search input[name=q]");
  // "/" jumps to the search box, as on many search sites.
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && box && document.activeElement !== box &&
        !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
      e.preventDefault();
      box.focus();
      box.select();
    }
  });
  // On a phone the filters start folded, so the results come first.
  // The document's outline too (a <details>: open without this script).
  if (window.matchMedia("(max-width: 859px)").matches) {
    document.querySelectorAll(".facet-panel, .outline").forEach(function (panel) {
      panel.removeAttribute("open");
    });
  }
  // Long facet lists: show the first twelve values and a button for the rest; the words come
  // from the page (translated on the server: data-show-more, data-show-fewer on <body>).
  var more = document.body.getAttribute("data-show-more") || "show {n} more";
  var fewer = document.body.getAttribute("data-show-fewer") || "show fewer";
  document.querySelectorAll(".values").forEach(function (list) {
    var extra = list.querySelectorAll("li.extra").length;
    if (!extra) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "more-toggle";
    button.textContent = more.replace("{n}", extra);
    button.addEventListener("click", function () {
      var open = list.classList.toggle("show-all");
      button.textContent = open ? fewer : more.replace("{n}", extra);
    });
    list.after(button);
  });
  // "Cite": the reference is visible text in a <details>; with a clipboard, opening it also
  // copies it, and a button says so.
  var copied = document.body.getAttribute("data-copied") || "copied";
  document.querySelectorAll("details.cite").forEach(function (box) {
    box.addEventListener("toggle", function () {
      var text = box.querySelector(".cite-text");
      if (!box.open || !text || !navigator.clipboard) { return; }
      navigator.clipboard.writeText(text.textContent.trim()).then(function () {
        box.setAttribute("data-state", copied);
      }, function () {});
    });
  });
})();
