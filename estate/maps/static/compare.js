// The comparison map's own script (estate.maps.compare_map), beside map.js: one scenario
// shown at a time with a select, one list of layer kinds for whichever is shown, two maps
// side by side on demand (centre and zoom kept in step), and rings round the sites whose
// decision differs on every map. Register text is put in the page with textContent only.
(function (global) {
  "use strict";
  var EM = global.estateMap, original = {}, drawn = [];

  // Every estateMap drawing call is remembered with the overlays it made, in place of the
  // layer control it was given: the switcher lists them by kind, and the second map is
  // drawn by calling the same function again with the same data (held once in the page).
  function recorder(entry) {
    return {addOverlay: function (layer, name) { entry.overlays.push({layer: layer, name: name}); return this; }};
  }
  function draw(fn, map, args) {
    var entry = {map: map, fn: fn, args: args, overlays: []};
    drawn.push(entry);
    original[fn].apply(null, [map, recorder(entry)].concat(args));
    return entry;
  }
  ["addPlan", "addOutline", "addPlaces"].forEach(function (fn) {
    if (!EM || typeof EM[fn] !== "function") { return; }
    original[fn] = EM[fn];
    EM[fn] = function (map) { return draw(fn, map, Array.prototype.slice.call(arguments, 2)); };
  });

  // an element holding `text` as text (popups.js, loaded before this file's calls run)
  function el(tag, cls, text) { return global.estatePopups.el(tag, cls, text); }
  function plain(html) {
    // a layer name made inert for Leaflet's control, as text (DOMParser runs nothing)
    return new DOMParser().parseFromString(html, "text/html").body.textContent;
  }
  function put(map, layer, on) {
    if (on && !map.hasLayer(layer)) { map.addLayer(layer); }
    if (!on && map.hasLayer(layer)) { map.removeLayer(layer); }
  }

  function card(d, i) {
    var box = el("div", "estate-popup");
    // the site's and the scenarios' names each in a <bdi> (map.js phrase)
    var phrase = global.estateMap.phrase;
    box.appendChild(phrase("h4", null, [d.id[i] + " ", {n: d.name[i]}]));
    // its area, when a scenario was planned area by area (d.area is there only then)
    if (d.area && d.area[i]) { box.appendChild(phrase("div", null, ["Area: ", {n: d.area[i]}])); }
    d.decisions[i].forEach(function (pair) { box.appendChild(phrase("div", null, [{n: pair[0]}, ": " + pair[1]])); });
    return box;
  }
  function rings(d, colour) {
    // d: columns id, name, lat, lon, decisions ([scenario, decision] pairs) of each site,
    // and area when a scenario was planned area by area
    var group = L.featureGroup();
    d.id.forEach(function (_, i) {
      var ring = L.circleMarker([d.lat[i], d.lon[i]], {radius: 15, color: colour, weight: 3, fill: false});
      global.estatePopups.hoverable(ring.bindTooltip(function () { return card(d, i); }));
      ring.bindPopup(function () { return card(d, i); });
      // its name as text, each register name between isolate marks (popups.js plain)
      var said = ["Differs: " + d.id[i] + " ", {n: d.name[i]}];
      if (d.area && d.area[i]) { said.push(" (area ", {n: d.area[i]}, ")"); }
      d.decisions[i].forEach(function (pair) { said.push("; ", {n: pair[0]}, ": " + pair[1]); });
      global.estateMap.layerButton(ring, global.estatePopups.plain(said));
      group.addLayer(ring);
    });
    return group;
  }

  var MAIN = ["after", "moves", "differing"];
  function Switcher(mapA, setup) {
    this.setup = setup;
    this.kinds = {};
    this.order = [];
    this.panel = document.getElementById("estate-compare");
    this.status = this.panel.querySelector("[role=status]");
    var calls = drawn.filter(function (e) { return e.map === mapA; });
    this.plans = calls.filter(function (e) { return e.fn === "addPlan"; });
    this.base = calls.filter(function (e) { return e.fn !== "addPlan"; });
    this.views = [this.view(mapA, this.plans, this.base)];
    this.views[0].shown = 0;
    this.kind("differing", setup.ring.label, "main", null);
    this.kinds.differing.on = true;
    this.listKinds();
    this.apply();
  }

  Switcher.prototype.kind = function (key, label, group, k) {
    var kind = this.kinds[key];
    if (!kind) {
      kind = this.kinds[key] = {key: key, group: group, labels: {}, on: false};
      this.order.push(key);
    }
    if (k === null) { kind.base = label; } else { kind.labels[k] = label; }
    return kind;
  };

  // a map's layers by scenario and kind; a kind is on at first when the plan drew it on
  Switcher.prototype.view = function (map, plans, base) {
    var self = this, v = {map: map, layers: {}, base: [], shown: null, lists: {}};
    plans.forEach(function (entry, k) { if (entry) { self.take(v, entry, k); } });
    base.forEach(function (entry) { self.take(v, entry, null); });
    v.rings = rings(this.setup.differing, this.setup.ring.colour);
    return v;
  };
  Switcher.prototype.take = function (v, entry, k) {
    var self = this, names = k === null ? this.setup.base : this.setup.scenarios[k].kinds, list = [];
    entry.overlays.forEach(function (o) {
      var known = names[o.name] || ["other:" + o.name, plain(o.name), "more"];
      var kind = self.kind(known[0], known[1], known[2], k);
      if (v.map.hasLayer(o.layer) && !self.started) { kind.on = true; }
      list.push({layer: o.layer, kind: known[0]});
    });
    if (k === null) { v.base = v.base.concat(list); } else { v.layers[k] = list; }
  };

  // put on each map exactly the layers of the kinds ticked, of the scenario it shows;
  // agency toggles are filters on every plan, so they follow their box everywhere
  Switcher.prototype.apply = function () {
    var self = this;
    this.views.forEach(function (v) {
      if (v.hidden) { return; }
      Object.keys(v.layers).forEach(function (k) {
        v.layers[k].forEach(function (it) {
          var kind = self.kinds[it.kind], filter = it.kind.indexOf("agency:") === 0;
          put(v.map, it.layer, kind.on && (filter || Number(k) === v.shown));
        });
      });
      v.base.forEach(function (it) { put(v.map, it.layer, self.kinds[it.kind].on); });
      put(v.map, v.rings, self.kinds.differing.on);
      self.moveList(v);
    });
    this.labelKinds();
  };

  // Over 2,000 moves a plan's lines are drawn on a canvas (map.js), which no keyboard
  // reaches: each map then lists the moves of the scenario it shows (moves.js), whether
  // or not its Moves layer is ticked, as the plan's map does. A scenario's list is made
  // when a map first shows it, and hidden while the map shows another; its heading and
  // its popups' names say the scenario, the popups are the lines' own (popups.js).
  Switcher.prototype.moveList = function (v) {
    var entry = this.plans[v.shown], changed = false;
    if (entry && !(v.shown in v.lists) && EM.movesOnCanvas(entry.args[0]) && EM.addMoveList) {
      v.lists[v.shown] = EM.addMoveList(v.map, entry.args[0], {colour: entry.args[1].colours.move,
        popup: global.estatePopups.movePopup, scenario: this.setup.scenarios[v.shown].name});
    }
    Object.keys(v.lists).forEach(function (k) {
      var box = v.lists[k], hide = Number(k) !== v.shown;
      if (box && box.hidden !== hide) { box.hidden = hide; changed = true; }
    });
    if (changed) { EM.layout(v.map); }
  };

  Switcher.prototype.listKinds = function () {
    var self = this, boxes = {};
    ["main", "more", "agency"].forEach(function (g) { boxes[g] = self.panel.querySelector(".estate-kinds-" + g); });
    var keys = this.order.slice().sort(function (a, b) {
      var ia = MAIN.indexOf(a), ib = MAIN.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || self.order.indexOf(a) - self.order.indexOf(b);
    });
    keys.forEach(function (key, n) {
      var kind = self.kinds[key], row = el("div", "estate-kind"), input = el("input"), label = el("label");
      input.type = "checkbox";
      input.id = "estate-kind-" + n;
      input.checked = kind.on;
      label.htmlFor = input.id;
      input.addEventListener("change", function () { kind.on = input.checked; self.apply(); });
      row.appendChild(input);
      row.appendChild(label);
      kind.row = row;
      kind.text = label;
      (boxes[kind.group] || boxes.more).appendChild(row);
    });
    var agencies = boxes.agency.children.length;
    boxes.agency.parentNode.querySelector("summary").textContent = "Agencies (" + agencies + ")";
    if (!agencies) { boxes.agency.parentNode.hidden = true; }
  };

  // each box says its kind in the words of the scenario shown (left map when split), and
  // is listed only when a scenario shown has that kind
  Switcher.prototype.labelKinds = function () {
    var shown = this.views.filter(function (v) { return !v.hidden; }).map(function (v) { return v.shown; });
    var self = this;
    this.order.forEach(function (key) {
      var kind = self.kinds[key], text = kind.base;
      shown.slice().reverse().forEach(function (k) { if (kind.labels[k] !== undefined) { text = kind.labels[k]; } });
      if (!kind.text) { return; }
      kind.row.hidden = text === undefined;
      kind.text.textContent = text === undefined ? "" : text;
    });
  };

  Switcher.prototype.show = function (n, k) {
    var v = this.views[n];
    if (!v.layers[k]) {
      var entry = this.plans[k], options = Object.assign({}, entry.args[1], {fit: false});
      this.take(v, draw("addPlan", v.map, [entry.args[0], options].concat(entry.args.slice(2))), k);
    }
    if (v.shown !== k) { v.map.closePopup(); }  // a move of the scenario shown before, from its list
    v.shown = k;
    if (v.caption) { v.caption.textContent = this.setup.scenarios[k].name; }
    var box = n === 0 ? this.panel : v.panel;
    box.querySelectorAll("dl[data-scenario]").forEach(function (dl) { dl.hidden = Number(dl.getAttribute("data-scenario")) !== k; });
    this.apply();
    this.announce();
  };

  Switcher.prototype.announce = function () {
    var names = this.setup.scenarios, views = this.views.filter(function (v) { return !v.hidden; });
    var named = function (k) { return {n: names[views[k].shown].name}; };  // isolated (popups.js plain)
    this.status.textContent = global.estatePopups.plain(views.length > 1
      ? ["Left map: ", named(0), ". Right map: ", named(1), "."] : ["Showing ", named(0), "."]);
  };

  Switcher.prototype.split = function (on) {
    var a = this.views[0].map;
    document.body.classList.toggle("estate-split", on);
    a.getContainer().setAttribute("aria-label", on ? "Left map" : "Map");
    a.invalidateSize();
    if (on) {
      // half the width: fold the legend and fit the plan shown again, clear of the panels
      var legend = document.querySelector("#estate-legend details[open]");
      if (legend) { legend.open = false; }
      // and the left map's list of moves, which open would cover half its map
      var lists = this.views[0].lists;
      Object.keys(lists).forEach(function (k) {
        var open = lists[k] && lists[k].querySelector("details[open]");
        if (open) { open.open = false; }
      });
      // on a phone the left map is the upper one, half the height (stacked): its panel,
      // open to press Side by side, would cover its sites, so it folds too, focus going to its
      // Show panel button on the same row (the status line says which scenario each
      // map shows)
      var toggle = this.panel.querySelector("button.estate-panel-toggle");
      if (stacked() && toggle && toggle.getAttribute("aria-expanded") === "true") {
        toggle.click();
        toggle.focus();
      }
      EM.fit(a, this.plans[this.views[0].shown].args[0].bounds);
    }
    if (on && this.views.length === 1) { this.second(); }
    if (this.views[1]) { this.views[1].hidden = !on; }
    if (on) {
      var b = this.views[1].map;
      b.invalidateSize();
      b.setView(a.getCenter(), a.getZoom(), {animate: false});
    }
    this.apply();
    this.announce();
  };

  // the second map: the same outline and place names, its own scenario select, the
  // scenario after the first one shown, and its view kept in step with the first map's
  Switcher.prototype.second = function () {
    // made once the page is split, so that Leaflet measures the box as it is shown
    var a = this.views[0].map, box = el("div", "estate-view-b");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", "Right map");
    a.getContainer().parentNode.insertBefore(box, a.getContainer().nextSibling);
    var b = L.map(box, {zoomControl: false, zoomSnap: 0.25, zoomDelta: 0.5, maxZoom: 19});
    b.setView(a.getCenter(), a.getZoom(), {animate: false});
    EM.addScale(b);
    var base = this.base.map(function (e) { return draw(e.fn, b, e.args); });
    var v = this.view(b, [], base);
    this.views.push(v);
    v.panel = this.pickPanel(b);
    v.caption = caption(v.panel, "Right map: ");
    keepInStep(a, b);
    var k = (this.views[0].shown + 1) % this.plans.length;
    v.panel.querySelector("select").value = String(k);
    this.show(1, k);
  };

  Switcher.prototype.pickPanel = function (map) {
    var self = this, panel = el("section", "estate-panel estate-compare estate-compare-b");
    panel.setAttribute("aria-label", "Right map: scenario");
    var pick = el("div", "estate-compare-pick"), label = el("label", null, "Right map: Scenario shown");
    var select = this.panel.querySelector("select").cloneNode(true);
    select.id = "estate-scenario-b";
    label.htmlFor = select.id;
    pick.appendChild(label);
    pick.appendChild(select);
    panel.appendChild(pick);
    this.panel.querySelectorAll("dl[data-scenario]").forEach(function (dl) { panel.appendChild(dl.cloneNode(true)); });
    select.addEventListener("change", function () { self.show(1, Number(select.value)); });
    var Pick = L.Control.extend({onAdd: function () {
      L.DomEvent.disableClickPropagation(panel);
      L.DomEvent.disableScrollPropagation(panel);
      return panel;
    }});
    new Pick({position: "topleft"}).addTo(map);
    EM.foldable(map, panel);
    // on a phone the maps are one above the other (stacked), each half its height: the
    // right map's panel starts folded, as every panel on a phone does, its caption
    // naming the scenario shown
    if (stacked()) { panel.querySelector("button.estate-panel-toggle").click(); }
    return panel;
  };

  // a panel folded away (panels.js) still says which scenario its map shows: a line in
  // its heading's row, shown only while it is folded; returns the node the name is
  // written in (with textContent)
  function caption(panel, lead) {
    var line = el("p", "estate-panel-caption"), name = el("span");
    line.appendChild(typeof lead === "string" ? document.createTextNode(lead) : lead);
    line.appendChild(name);
    var head = panel.querySelector(".estate-panel-head");
    if (head) { head.appendChild(line); }
    return name;
  }

  // Side by side in a window this narrow (CSS px of the window, as compare_map.css's
  // media query, which must say the same), the maps are one above the other, each the
  // page's width and half its height. This is the page's layout; panels.js's PHONE_PX
  // and SHORT_PX (700, 500) are another rule, of one map's own box, which folds that
  // map's panels: at 700 to 720 px the maps stack, each wide enough to keep them open.
  var SPLIT_STACKED_PX = 720;
  function stacked() { return global.matchMedia("(max-width: " + SPLIT_STACKED_PX + "px)").matches; }

  function keepInStep(a, b) {
    // while a map moves the other pans along by whole pixels (cheap); when it stops, the
    // other takes exactly its centre and zoom
    var busy = false;
    function follow(from, to) {
      from.on("move moveend zoomend", function (e) {
        if (busy || !to.getContainer().offsetWidth) { return; }
        busy = true;
        to.setView(from.getCenter(), from.getZoom(), e.type === "move" ? {animate: false} : {reset: true});
        busy = false;
      });
    }
    follow(a, b);
    follow(b, a);
  }

  function foldLegend(panel) {
    // a panel grown by a fold-out would slide under the legend: fold the legend away
    var legend = document.querySelector("#estate-legend details[open]");
    if (legend && panel.getBoundingClientRect().bottom + 10 > legend.getBoundingClientRect().top) {
      legend.open = false;
    }
  }

  // setup: scenarios [{name, kinds: {layer name: [kind, label, group]}}], base (the same
  // for the outline and place names), differing (the sites), ring {label, colour}
  function start(map, control, setup) {
    control.remove();  // the switcher below takes the place of the list of every layer
    var box = map.getContainer();
    box.classList.add("estate-view-a");
    if (!box.getAttribute("role")) { box.setAttribute("role", "region"); }
    box.setAttribute("aria-label", "Map");
    var s = new Switcher(map, setup);
    s.started = true;
    s.views[0].caption = caption(s.panel, el("span", "estate-when-split", "Left map: "));
    s.views[0].caption.textContent = setup.scenarios[s.views[0].shown].name;
    var select = s.panel.querySelector("select"), button = s.panel.querySelector("button.estate-split");
    select.addEventListener("change", function () { s.show(0, Number(select.value)); });
    if (button) {
      button.addEventListener("click", function () {
        var on = button.getAttribute("aria-pressed") !== "true";
        button.setAttribute("aria-pressed", String(on));
        s.split(on);
      });
    }
    foldLegend(s.panel);  // the layer list just made the panel taller
    // fit again: the first fit left room for the layer control, which is gone
    if (s.plans.length) { EM.fit(map, s.plans[0].args[0].bounds); }
    s.panel.querySelectorAll("details").forEach(function (d) {
      d.addEventListener("toggle", function () { if (d.open) { foldLegend(s.panel); } });
    });
    global.estateCompare.current = s;
    return s;
  }

  global.estateCompare = {start: start};
})(window);
