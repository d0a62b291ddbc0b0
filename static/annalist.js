/* annalist: progressive enhancement only; every page works without this file. */
(function () {
  "use strict";
  var doc = document;
  function $$(sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); }

  /* Citation tooltips. CSS shows them on hover and focus; this adds Escape and blur to
     close them, and keeps a tip inside the viewport on wide screens: nudged sideways,
     and opened above its number when there is no room below. */
  function initTips() {
    var current = null;
    function tipOf(link) {
      var id = link && link.getAttribute("aria-describedby");
      return id ? doc.getElementById(id) : null;
    }
    function citeAt(node) {
      if (!node || !node.closest) return null;
      var link = node.closest("a.cite");
      if (link) return link;
      var sup = node.closest("sup.citation");
      var links = sup ? sup.querySelectorAll("a.cite") : [];
      return links.length === 1 ? links[0] : null;
    }
    function open(link) {
      var tip = tipOf(link);
      if (!tip) return;
      if (current && current !== tip) current.classList.add("is-dismissed");
      tip.classList.remove("is-dismissed", "is-above");
      tip.style.marginLeft = "";
      if (getComputedStyle(tip).position === "absolute") {
        var r = tip.getBoundingClientRect(), vw = doc.documentElement.clientWidth, shift = 0;
        if (r.right > vw - 8) shift = vw - 8 - r.right;
        if (r.left + shift < 8) shift = 8 - r.left;
        if (shift) tip.style.marginLeft = shift + "px";
        /* No room below the number: open above it, if there is room there. */
        var vh = doc.documentElement.clientHeight, top = link.getBoundingClientRect().top;
        if (r.bottom > vh - 8 && top - r.height - 16 > 0) tip.classList.add("is-above");
      }
      current = tip;
    }
    function close(tip) {
      if (tip) tip.classList.add("is-dismissed");
      if (tip === current) current = null;
    }
    doc.addEventListener("focusin", function (ev) {
      if (ev.target.matches && ev.target.matches("a.cite")) open(ev.target);
    });
    doc.addEventListener("focusout", function (ev) {
      if (ev.target.matches && ev.target.matches("a.cite")) close(tipOf(ev.target));
    });
    doc.addEventListener("mouseover", function (ev) {
      var link = citeAt(ev.target);
      if (link && tipOf(link) !== current) open(link);
    });
    doc.addEventListener("keydown", function (ev) {
      if (ev.key !== "Escape" && ev.key !== "Esc") return;
      $$(".cite-tip:not(.is-dismissed)").forEach(function (tip) {
        if (getComputedStyle(tip).visibility === "visible") close(tip);
      });
      close(current);
    });
  }

  /* The filter lives in the query string (?tag=china&year=2023), so links to a filtered
     timeline work, from file:// too. */
  function params() { return new URLSearchParams(location.search); }
  function saveParams(p) {
    var q = p.toString();
    try { history.replaceState(history.state, "", location.pathname + (q ? "?" + q : "") + location.hash); }
    catch (e) { /* a browser may refuse on file:// */ }
  }
  function choose(select, value) {
    if (!select) return;
    value = value || "";
    var found = $$("option", select).some(function (o) { return o.value === value; });
    if (!found) { /* unknown value from the URL: show it rather than drop it */
      var opt = doc.createElement("option");
      opt.value = opt.textContent = value;
      select.appendChild(opt);
    }
    select.value = value;
  }
  function label(select) {
    return select.options[select.selectedIndex].text.replace(/\s*\(\d+\)$/, "");
  }

  function initTimeline() {
    var form = doc.querySelector("form[data-tl-filter]");
    if (!form) return;
    var tagSel = form.elements.tag, yearSel = form.elements.year;
    var status = doc.getElementById("tl-status"), empty = doc.querySelector(".tl-empty");
    var events = $$(".tl-event"), groups = $$(".tl-year");
    var tagsOf = events.map(function (el) { return (el.getAttribute("data-tags") || "").split(/\s+/); });

    function apply() {
      var tag = tagSel ? tagSel.value : "", year = yearSel ? yearSel.value : "", shown = 0;
      events.forEach(function (el, i) {
        var ok = (!tag || tagsOf[i].indexOf(tag) >= 0) && (!year || el.getAttribute("data-year") === year);
        el.hidden = !ok;
        if (ok) shown++;
      });
      groups.forEach(function (g) { g.hidden = !g.querySelector(".tl-event:not([hidden])"); });
      if (empty) empty.hidden = shown > 0;
      var what = [];
      if (tag) what.push("tag “" + label(tagSel) + "”");
      if (year) what.push(year);
      if (status) status.textContent = shown + (shown === 1 ? " event" : " events") + " shown" +
        (what.length ? " (" + what.join(", ") + ")" : "");
      var p = params();
      if (tag) p.set("tag", tag); else p.delete("tag");
      if (yearSel && year) p.set("year", year); else p.delete("year");
      saveParams(p);
    }
    function reset() { choose(tagSel, ""); choose(yearSel, ""); apply(); }

    choose(tagSel, params().get("tag"));
    choose(yearSel, params().get("year"));
    form.hidden = false;
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
    form.addEventListener("reset", function (ev) { ev.preventDefault(); reset(); });
    $$("[data-tl-clear]").forEach(function (b) {
      b.addEventListener("click", function () { reset(); if (tagSel) tagSel.focus(); });
    });
    apply();
  }

  /* Split timeline overview: carry the chosen tag into each year's page. */
  function initYears() {
    var form = doc.querySelector("form[data-tl-years]");
    if (!form) return;
    var tagSel = form.elements.tag, status = doc.getElementById("tl-status");
    var links = $$("a[data-year-link]");
    links.forEach(function (a) { a.setAttribute("data-base", a.getAttribute("href").replace(/\?.*$/, "")); });
    function apply() {
      var tag = tagSel.value;
      links.forEach(function (a) {
        a.setAttribute("href", a.getAttribute("data-base") + (tag ? "?tag=" + encodeURIComponent(tag) : ""));
      });
      if (status) status.textContent = tag ? "Year pages will show only events tagged “" + label(tagSel) + "”." : "";
      var p = params();
      if (tag) p.set("tag", tag); else p.delete("tag");
      saveParams(p);
    }
    choose(tagSel, params().get("tag"));
    form.hidden = false;
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
    apply();
  }

  function init() { initTips(); initTimeline(); initYears(); }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})();
