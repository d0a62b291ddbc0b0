/* annalist: progressive enhancement only. Every page works without this file. */
(function () {
  "use strict";
  var doc = document;

  /* ---- Citation tooltips: CSS shows them on hover/focus; here Escape and blur close them,
     and on wide screens they are nudged back inside the viewport. ---- */
  function tipOf(link) {
    var id = link.getAttribute("aria-describedby");
    return id ? doc.getElementById(id) : null;
  }
  function place(tip) {
    tip.style.marginLeft = "";
    if (getComputedStyle(tip).position !== "absolute") return;
    var r = tip.getBoundingClientRect();
    var vw = doc.documentElement.clientWidth;
    var shift = 0;
    if (r.right > vw - 8) shift = vw - 8 - r.right;
    if (r.left + shift < 8) shift = 8 - r.left;
    if (shift) tip.style.marginLeft = shift + "px";
  }
  function initTips() {
    var current = null;
    function open(link) {
      var tip = tipOf(link);
      if (!tip) return;
      if (current && current !== tip) current.classList.add("is-dismissed");
      tip.classList.remove("is-dismissed");
      place(tip);
      current = tip;
    }
    function close(tip) {
      if (tip) tip.classList.add("is-dismissed");
      if (tip === current) current = null;
    }
    function citeFrom(target) {
      return target && target.closest ? target.closest("a.cite") : null;
    }
    doc.addEventListener("focusin", function (ev) {
      var link = citeFrom(ev.target);
      if (link) open(link);
    });
    doc.addEventListener("focusout", function (ev) {
      var link = citeFrom(ev.target);
      if (link) close(tipOf(link));
    });
    doc.addEventListener("mouseover", function (ev) {
      var link = citeFrom(ev.target);
      if (!link && ev.target.closest) {
        var sup = ev.target.closest("sup.citation");
        var links = sup ? sup.querySelectorAll("a.cite") : [];
        if (links.length === 1) link = links[0];
      }
      if (link) open(link);
    });
    doc.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" || ev.key === "Esc") {
        var tips = doc.querySelectorAll(".cite-tip:not(.is-dismissed)");
        for (var i = 0; i < tips.length; i++) {
          var cs = getComputedStyle(tips[i]);
          if (cs.visibility === "visible") close(tips[i]);
        }
        if (current) close(current);
      }
    });
  }

  /* ---- Query string helpers (work on file:// too) ---- */
  function getParams() {
    var out = {};
    var q = location.search.replace(/^\?/, "");
    if (!q) return out;
    q.split("&").forEach(function (pair) {
      if (!pair) return;
      var i = pair.indexOf("=");
      var k = i < 0 ? pair : pair.slice(0, i);
      var v = i < 0 ? "" : pair.slice(i + 1);
      try {
        out[decodeURIComponent(k.replace(/\+/g, " "))] = decodeURIComponent(v.replace(/\+/g, " "));
      } catch (e) { /* ignore malformed pairs */ }
    });
    return out;
  }
  function buildQuery(state) {
    var parts = [];
    Object.keys(state).forEach(function (k) {
      if (state[k]) parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(state[k]));
    });
    return parts.length ? "?" + parts.join("&") : "";
  }
  function setQuery(state) {
    var url = location.pathname + buildQuery(state) + location.hash;
    try { history.replaceState(history.state, "", url); } catch (e) { /* some file:// setups refuse */ }
  }
  function selectValue(select, value) {
    if (!select) return "";
    if (!value) { select.value = ""; return ""; }
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) { select.selectedIndex = i; return value; }
    }
    /* Unknown value from the URL: keep it visible rather than silently dropping it. */
    var opt = doc.createElement("option");
    opt.value = value;
    opt.textContent = value;
    select.appendChild(opt);
    select.value = value;
    return value;
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  /* ---- Timeline: filter by tag and year ---- */
  function initTimeline() {
    var form = doc.querySelector("form[data-tl-filter]");
    if (!form) return;
    var tagSel = form.querySelector("select[name=tag]");
    var yearSel = form.querySelector("select[name=year]");
    var status = doc.getElementById("tl-status");
    var emptyMsg = doc.querySelector(".tl-empty");
    var events = Array.prototype.slice.call(doc.querySelectorAll(".tl-event"));
    var groups = Array.prototype.slice.call(doc.querySelectorAll(".tl-year"));
    var tagsOf = events.map(function (el) {
      return (el.getAttribute("data-tags") || "").split(/\s+/).filter(Boolean);
    });

    function apply(announce) {
      var tag = tagSel ? tagSel.value : "";
      var year = yearSel ? yearSel.value : "";
      var shown = 0;
      events.forEach(function (el, i) {
        var ok = (!tag || tagsOf[i].indexOf(tag) >= 0) &&
                 (!year || el.getAttribute("data-year") === year);
        el.hidden = !ok;
        if (ok) shown++;
      });
      groups.forEach(function (g) {
        g.hidden = !g.querySelector(".tl-event:not([hidden])");
      });
      if (emptyMsg) emptyMsg.hidden = shown !== 0;
      if (status) {
        var text = plural(shown, "event", "events") + " shown";
        if (tag || year) {
          var what = [];
          if (tag && tagSel) what.push("tag “" + tagSel.options[tagSel.selectedIndex].text.replace(/\s*\(\d+\)$/, "") + "”");
          if (year) what.push(year);
          text += " (" + what.join(", ") + ")";
        }
        if (announce || status.textContent !== text) status.textContent = text;
      }
      var state = {};
      var params = getParams();
      Object.keys(params).forEach(function (k) { if (k !== "tag" && k !== "year") state[k] = params[k]; });
      state.tag = tag;
      if (yearSel) state.year = year;
      setQuery(state);
    }

    var params = getParams();
    selectValue(tagSel, params.tag || "");
    if (yearSel) selectValue(yearSel, params.year || "");
    form.hidden = false;
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(true); });
    form.addEventListener("reset", function (ev) {
      ev.preventDefault();
      selectValue(tagSel, "");
      selectValue(yearSel, "");
      apply(true);
    });
    var clear = doc.querySelector("[data-tl-clear]");
    if (clear) clear.addEventListener("click", function () {
      selectValue(tagSel, "");
      selectValue(yearSel, "");
      apply(true);
      if (tagSel) tagSel.focus();
    });
    apply(false);
  }

  /* ---- Split timeline overview: carry the tag filter into each year's page ---- */
  function initYears() {
    var form = doc.querySelector("form[data-tl-years]");
    if (!form) return;
    var tagSel = form.querySelector("select[name=tag]");
    var status = doc.getElementById("tl-status");
    var links = Array.prototype.slice.call(doc.querySelectorAll("a[data-year-link]"));
    links.forEach(function (a) { a.setAttribute("data-base", a.getAttribute("href").replace(/\?.*$/, "")); });
    function apply() {
      var tag = tagSel.value;
      links.forEach(function (a) {
        a.setAttribute("href", a.getAttribute("data-base") + (tag ? "?tag=" + encodeURIComponent(tag) : ""));
      });
      if (status) {
        status.textContent = tag
          ? "Year pages will show only events tagged “" + tagSel.options[tagSel.selectedIndex].text + "”."
          : "";
      }
      setQuery({ tag: tag });
    }
    selectValue(tagSel, getParams().tag || "");
    form.hidden = false;
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
    apply();
  }

  function init() {
    initTips();
    initTimeline();
    initYears();
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})();
