// The text of the map's popups and tooltips, before map.js: a site's, a zone's and a
// move's card, and the phrases that name a site. Register text arrives as data and is
// put in the page with textContent only, each register name inline with other text in
// a <bdi> of its own (phrase).
(function (global) {
  "use strict";
  var NF = new Intl.NumberFormat("en-GB", {maximumFractionDigits: 0});
  var NF1 = new Intl.NumberFormat("en-GB", {maximumFractionDigits: 1});
  var DECISION = {keep: "Kept", close: "Closed", open: "Opened", not_built: "Not built"};
  var LIST_MAX = 25;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  // Text with register names in it, each isolated in a <bdi> (its own direction, so that a
  // name in Arabic or Hebrew does not carry the figures or punctuation after it to its
  // side): `parts` are plain strings and {n: name}; plain() is the same text as one
  // string (for an aria-label, which has no elements), each name between Unicode's
  // isolate marks instead (isolate: U+2068 first strong isolate, U+2069 its end), which
  // do in text what the <bdi> does in the page; said() is a node's text so, each <bdi>'s
  // text between the marks.
  function phrase(tag, cls, parts) {
    var node = el(tag, cls);
    parts.forEach(function (p) {
      node.appendChild(typeof p === "object" && p !== null ? el("bdi", null, p.n) : document.createTextNode(String(p)));
    });
    return node;
  }
  function isolate(name) { return "\u2068" + name + "\u2069"; }
  function plain(parts) { return parts.map(function (p) { return typeof p === "object" && p !== null ? isolate(p.n) : p; }).join(""); }
  function said(node) {
    if (node.nodeType === 3) { return node.data; }
    var text = Array.prototype.map.call(node.childNodes, said).join("");
    return node.nodeName === "BDI" ? isolate(text) : text;
  }
  function num(v, fmt) { return (v === null || v === undefined) ? "n/a" : (fmt || NF).format(v); }
  // whole desks or racks, rounded up: teams needing 224.1 desks take 225 (the payload
  // holds tenths, so a solver's 224.000001 is already 224.0)
  function whole(v) { return (v === null || v === undefined) ? "n/a" : NF.format(Math.ceil(v)); }
  function list(items, empty) {
    if (!items || !items.length) { return el("span", "estate-muted", empty); }
    var ul = el("ul");
    items.slice(0, LIST_MAX).forEach(function (t) { ul.appendChild(el("li", null, t)); });
    if (items.length > LIST_MAX) { ul.appendChild(el("li", "estate-muted", "and " + (items.length - LIST_MAX) + " more")); }
    return ul;
  }
  function card(title, rows) {
    var box = el("div", "estate-popup");
    box.appendChild(phrase("h4", null, title));
    var table = el("table");
    rows.forEach(function (r) {
      if (r === null) { return; }
      var tr = el("tr");
      tr.appendChild(el("th", null, r[0]));
      var td = el("td");
      if (r[1] instanceof Node) { td.appendChild(r[1]); } else { td.textContent = String(r[1]); }
      tr.appendChild(td);
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }
  function category(s, i) {
    var d = s.decision[i];
    return (s.is_shared[i] && (d === "keep" || d === "open")) ? "shared" : d;
  }
  function agencyName(plan, a) { return a >= 0 ? phrase("span", null, [{n: plan.agencies[a].name}]) : "unknown agency"; }
  // the row naming site i's area, for a plan made area by area (the payload's sites have
  // an `area` then, and only then: a plan of one locality shows no Area row); null else
  function areaRow(plan, i) { return plan.sites.area ? ["Area", phrase("span", null, [{n: plan.sites.area[i]}])] : null; }

  function sitePopup(plan, i) {
    var s = plan.sites, cat = category(s, i);
    var decision = cat === "shared" ? "Shared service centre (" + DECISION[s.decision[i]].toLowerCase() + ")" : DECISION[s.decision[i]];
    var desks = whole(s.desks_used[i]) + " of " + whole(s.desks[i]);
    return card([{n: s.name[i]}], [
      ["Agency", agencyName(plan, s.agency[i])],
      areaRow(plan, i),
      ["Decision", decision],
      ["Kind", s.kind[i] || "n/a"],
      ["Site id", s.id[i]],
      ["Running cost", s.running_cost[i] === null ? "n/a" : s.running_cost[i] + " a year"],
      ["Desks used", desks],
      (s.racks[i] ? ["Racks used", whole(s.racks_used[i]) + " of " + whole(s.racks[i])] : null),
      // a service as a reader says it: public_access -> public access
      ["Services", list(s.services[i].map(function (v) { return v.replace(/_/g, " "); }), "none")],
      (s.shared[i].length ? ["Shared for", list(s.shared[i], "")] : null),
      ["Functions before", list(s.before[i], "none")],
      ["Functions after", list(s.after[i], s.decision[i] === "close" ? "none (closed)" : "none")],
      (when(plan, i) ? ["Programme", when(plan, i)] : null)
    ]);
  }
  function when(plan, i) {
    // the year of a site's change in the dated programme, when the map has one
    var t = plan.timeline, d = plan.sites.decision[i];
    if (!t) { return null; }
    if (d === "close") { return t.site_close[i] === null ? "not closed within the horizon" : "closes in " + yearWords(t, t.site_close[i]); }
    if (d === "open") { return t.site_open[i] === null ? "not opened within the horizon" : "opens in " + yearWords(t, t.site_open[i]); }
    return null;
  }
  // "year 3 (2029-30)": the programme's year with the financial year it is
  function yearWords(t, y) { return "year " + y + (t.spans && t.spans[y] ? " (" + t.spans[y] + ")" : ""); }
  function siteParts(plan, i) {
    var s = plan.sites, cat = category(s, i);
    var year = when(plan, i);
    return [{n: s.name[i]}, " \u2014 " + (cat === "shared" ? "shared centre" : DECISION[s.decision[i]].toLowerCase()) + (year ? ", " + year : "")];
  }
  function siteText(plan, i) { return plain(siteParts(plan, i)); }

  function zonePopup(plan, i) {
    var z = plan.zones, rows = [["Zone id", z.id[i]], ["Population", num(z.pop[i])]];
    z.rules.forEach(function (r, k) {
      var f = Number(z.flags[i].charAt(k) || 0);
      var word = function (b) { return b ? "covered" : "not covered"; };
      rows.push([r.words.charAt(0).toUpperCase() + r.words.slice(1), word(f & 1) + " \u2192 " + word(f & 2)]);
    });
    z.services.forEach(function (svc, k) {
      var pair = z.near[i][k] || [null, null];
      rows.push(["Nearest " + String(svc).replace(/_/g, " "), num(pair[0], NF1) + " km \u2192 " + num(pair[1], NF1) + " km"]);
    });
    return card([{n: z.name[i]}], rows);
  }
  function movePopup(plan, m) {
    var s = plan.sites, mv = plan.moves;
    return card([{n: s.name[mv.from[m]]}, " \u2192 ", {n: s.name[mv.to[m]]}], [
      ["Agency", agencyName(plan, mv.agency[m])],
      areaRow(plan, mv.from[m]),  // a team moves within its area: the area of both ends
      ["FTE moved", num(mv.fte[m], NF1)],
      ["Functions", list(mv.functions[m], "none")],
      (mv.year ? ["Programme", mv.year[m] === null ? "not within the horizon" : "moves in " + yearWords(plan.timeline, mv.year[m])] : null)
    ]);
  }

  // A tooltip the pointer opened stays while the pointer moves from its shape onto it,
  // and while it rests there (WCAG 1.4.13, hoverable): the tooltip takes the pointer's
  // events (Leaflet's `interactive`), and leaving the shape closes it only once the
  // pointer has been off both for GRACE ms. A click on it is a click on its shape: its
  // popup opens there. Escape still puts it away (map.js dismissibleTips).
  var GRACE = 300;
  function hoverable(layer) {
    var tip = layer.getTooltip(), timer = null, onTip = false;
    tip.options.interactive = true;
    function closeSoon() {
      clearTimeout(timer);
      timer = setTimeout(function () { if (!onTip) { layer.closeTooltip(); } }, GRACE);
    }
    layer.off("mouseout", layer.closeTooltip);  // Leaflet's own: at once
    layer.on("mouseout", closeSoon);
    layer.on("mouseover", function () { clearTimeout(timer); });
    tip.on("mouseover", function () { onTip = true; clearTimeout(timer); });
    tip.on("mouseout", function () { onTip = false; closeSoon(); });
    tip.on("remove", function () { onTip = false; clearTimeout(timer); });
    // (Leaflet closes a tooltip at a click's first event, preclick, before the click
    // reaches it: the popup opens once the click is over)
    tip.on("preclick", function (e) {
      if (layer.getPopup()) { setTimeout(function () { layer.openPopup(e.latlng); }, 0); }
    });
    return layer;
  }

  global.estatePopups = {el: el, phrase: phrase, hoverable: hoverable, plain: plain, isolate: isolate, said: said, num: num, NF: NF, NF1: NF1,
                         DECISION: DECISION, category: category, sitePopup: sitePopup,
                         siteParts: siteParts, siteText: siteText, when: when, yearWords: yearWords,
                         zonePopup: zonePopup, movePopup: movePopup};
})(window);
