// The map's own script: draws a plan's layers from the payload estate.maps.payload builds.
// Register text arrives as data and is put in the page with textContent only; the
// layer names, which Leaflet's layer control writes as HTML, arrive already inert.
(function (global) {
  "use strict";
  var P = global.estatePopups, el = P.el, phrase = P.phrase, plain = P.plain, num = P.num, NF = P.NF, NF1 = P.NF1;
  var category = P.category, sitePopup = P.sitePopup, siteParts = P.siteParts, siteText = P.siteText;
  var zonePopup = P.zonePopup, movePopup = P.movePopup, yearWords = P.yearWords;
  // what the plan keeps or builds is drawn above what it closes at the same place
  var LIFT = {close: -1000, before: -2000, keep: 0, open: 500, shared: 1000};
  // A reader whose system asks for less motion (prefers-reduced-motion) gets a map that
  // changes at once: no zoom, fade or marker animation, no glide after a drag, no pan
  // that glides (Leaflet's own pans, a popup's into view among them), and clusters
  // that split and merge without sliding (group, below).
  var STILL = !!(global.matchMedia && global.matchMedia("(prefers-reduced-motion: reduce)").matches);
  if (STILL && global.L) {
    L.Map.mergeOptions({zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false,
                        inertia: false});
    var glide = L.Map.prototype.panBy;
    L.Map.include({panBy: function (offset, options) {
      return glide.call(this, offset, L.extend({}, options, {animate: false}));
    }});
  }
  // WCAG 2.2 target size: every marker answers touches and clicks over 24 x 24 px,
  // however small its shape (the rest of the box is transparent)
  var TARGET = 24;

  // A marker a keyboard and a screen reader can use: Leaflet makes it a focusable button;
  // we give it a name (the site and its decision), open its popup with Space as well as
  // Enter, move focus into the popup, and back to the marker when the popup closes.
  function accessible(marker, name) {
    var byKey = false;
    marker.estateName = name;
    marker.on("add", function () {
      var node = marker.getElement();
      if (!node) { return; }
      node.setAttribute("aria-label", name);
      if (node.estateKeys) { return; }
      node.estateKeys = true;
      L.DomEvent.on(node, "keydown", function (e) {
        if (e.key === "Enter") { byKey = true; }  // Leaflet itself opens the popup on Enter
        if (e.key === "Escape" && marker.isPopupOpen()) { marker.closePopup(); }
        if (e.key === " " || e.key === "Spacebar") {
          L.DomEvent.preventDefault(e);
          byKey = true;
          if (marker.isPopupOpen()) { marker.closePopup(); } else { marker.openPopup(); }
        }
      });
    });
    marker.on("popupopen", function (e) {
      var box = e.popup.getElement(), content = box && box.querySelector(".leaflet-popup-content");
      if (!content) { return; }
      box.setAttribute("role", "dialog");
      box.setAttribute("aria-label", name);
      // clearance.js makes its content focusable (a tab stop when it scrolls); with a
      // Leaflet it cannot size popups for, it is focusable from script alone
      if (!content.hasAttribute("tabindex")) { content.tabIndex = -1; }
      if (byKey) { content.focus({preventScroll: true}); }
      // Escape closes it (Leaflet listens for Escape only while the map itself has focus)
      if (!box.estateKeys) {
        box.estateKeys = true;
        L.DomEvent.on(box, "keydown", function (k) {
          if (k.key === "Escape") { L.DomEvent.stop(k); byKey = true; marker.closePopup(); }
        });
      }
    });
    marker.on("popupclose", function (e) {
      var node = marker.getElement(), at = document.activeElement, box = e.popup.getElement();
      var lost = !at || at === document.body || (box && box.contains(at));
      if (byKey && node && lost) { node.focus({preventScroll: true}); }
      byKey = false;
    });
  }
  // A shape drawn in SVG with a popup (a move's line, the comparison's ring round a site
  // that differs): Chromium puts it in the tab order (Leaflet listens for its focus, for
  // the tooltip) and Enter opens its popup, but it was announced with no role and no
  // name. It is a button named `name` (what moves where; the site and its decisions), in
  // every browser's tab order while some part of it shows (clearance.js), with a site's
  // keys (Space, Escape) and focus back on it when its popup closes.
  function layerButton(shape, name) {
    accessible(shape, name);
    shape.on("add", function () {
      var node = shape.getElement();
      if (!node) { return; }  // drawn on a canvas: no element to focus
      node.setAttribute("role", "button");
      node.tabIndex = 0;
      if (!node.estateFocus) {
        // focused by keyboard partly under a panel: the map pans it clear (clearance.js)
        node.estateFocus = true;
        L.DomEvent.on(node, "focus", function () {
          if (shape._map && global.estateMap.showFocused) { global.estateMap.showFocused(shape._map, shape); }
        });
      }
      // out of the tab order again at once if no part of it shows (clearance.js)
      if (shape._map && global.estateMap.tabOrder) { global.estateMap.tabOrder(shape._map); }
    });
  }
  // Sites closer on screen than a 24 px target would overlap, and the lower one could not
  // be touched reliably (WCAG 2.2, 2.5.8). At each zoom, the sites nearest the top of the
  // drawing (shared, opened, kept, closed; after before before) keep their own target;
  // a site whose target would overlap one already kept is stacked on it: still drawn and
  // clickable, but out of the tab order and hidden from screen readers, and listed in the
  // popup of the site it is stacked on. Zooming in separates them again.
  var RANK = {shared: 0, open: 1, keep: 2, close: 3, before: 4};
  function declutter(map, markers) {
    var shown = markers.filter(function (m) { return m.getElement() && map.hasLayer(m); });
    shown.sort(function (a, b) {
      return (a.estateBefore - b.estateBefore) || (RANK[a.options.estateCat] - RANK[b.options.estateCat]) || (a.estateSite - b.estateSite);
    });
    var grid = {}, cell = function (x, y) { return Math.floor(x / TARGET) + ":" + Math.floor(y / TARGET); };
    shown.forEach(function (m) {
      var p = map.latLngToLayerPoint(m.getLatLng()), host = null;
      var cx = Math.floor(p.x / TARGET), cy = Math.floor(p.y / TARGET);
      for (var dx = -1; dx <= 1 && !host; dx++) {
        for (var dy = -1; dy <= 1 && !host; dy++) {
          (grid[(cx + dx) + ":" + (cy + dy)] || []).forEach(function (o) {
            if (!host && Math.abs(o.p.x - p.x) < TARGET && Math.abs(o.p.y - p.y) < TARGET) { host = o.m; }
          });
        }
      }
      var node = m.getElement();
      m.estateStack = [];
      if (host) {
        if (host.estateSite !== m.estateSite) { host.estateStack.push(m); }  // not itself before
        node.removeAttribute("tabindex");
        node.removeAttribute("role");
        node.removeAttribute("aria-label");
        node.setAttribute("aria-hidden", "true");
      } else {
        (grid[cell(p.x, p.y)] = grid[cell(p.x, p.y)] || []).push({m: m, p: p});
        node.tabIndex = 0;
        node.setAttribute("role", "button");
        node.removeAttribute("aria-hidden");
      }
    });
    shown.forEach(function (m) {
      var more = m.estateStack.length;
      if (!m.getElement().hasAttribute("aria-hidden")) {
        m.getElement().setAttribute("aria-label", m.estateName + (more ? "; " + more + " more site" + (more > 1 ? "s" : "") + " here, listed in its popup" : ""));
      }
    });
  }
  var STACK_CARDS = 6;  // sites stacked on a marker shown whole in its popup; the rest listed
  function withStack(plan, marker, card) {
    var more = marker.estateStack || [];
    if (!more.length) { return card; }
    var box = el("div");
    box.appendChild(card);
    box.appendChild(el("p", "estate-stack-note", more.length + " more site" + (more.length > 1 ? "s" : "") + " here at this zoom (zoom in to separate them):"));
    more.slice(0, STACK_CARDS).forEach(function (m) { box.appendChild(sitePopup(plan, m.estateSite)); });
    if (more.length > STACK_CARDS) {
      // the rest by name and decision, every one: at this zoom the popup is the only way
      // a keyboard or a screen reader reaches them
      box.appendChild(el("p", "estate-stack-note", "And " + (more.length - STACK_CARDS) + " more here:"));
      var rest = el("ul", "estate-stack-more");
      more.slice(STACK_CARDS).forEach(function (m) { rest.appendChild(phrase("li", null, siteParts(plan, m.estateSite))); });
      box.appendChild(rest);
    }
    return box;
  }

  function icon(cat, layerClass, sizes, svgs) {
    var size = sizes[cat], box = Math.max(TARGET, size);
    return L.divIcon({className: "estate-site " + layerClass + " estate-" + cat, html: svgs[cat],
                      iconSize: [box, box], iconAnchor: [box / 2, box / 2],
                      popupAnchor: [0, -size / 2], tooltipAnchor: [size / 2, 0]});
  }

  function clusterIcon(colours) {
    // a ring in the decisions' colours, in proportion, round the count: a cluster of
    // closures reads differently from a cluster of kept sites before zooming in
    var order = ["keep", "shared", "open", "close", "before"];
    return function (cluster) {
      var n = cluster.getChildCount(), size = n < 10 ? 32 : n < 100 ? 38 : 46;
      var counts = {}, stops = [], at = 0;
      cluster.getAllChildMarkers().forEach(function (m) {
        counts[m.options.estateCat] = (counts[m.options.estateCat] || 0) + 1;
      });
      order.forEach(function (cat) {
        if (!counts[cat]) { return; }
        var to = at + 100 * counts[cat] / n;
        stops.push(colours[cat] + " " + at.toFixed(1) + "% " + to.toFixed(1) + "%");
        at = to;
      });
      var ring = el("div", "estate-cluster-ring");
      ring.style.background = "conic-gradient(" + stops.join(", ") + ")";
      ring.appendChild(el("div", "estate-cluster-count", NF.format(n)));
      return L.divIcon({html: ring.outerHTML, className: "estate-cluster", iconSize: [size, size]});
    };
  }

  // over this many moves a plan's lines are drawn on a canvas, where no line is an
  // element a keyboard reaches: the map lists them instead (moves.js)
  var CANVAS_MOVES = 2000;
  function movesOnCanvas(plan) { return plan.moves.fte.length > CANVAS_MOVES; }

  // Moves drawn as lines of SVG are buttons the Tab key reaches: they go in a pane of
  // their own, made after the sites' (Leaflet's marker pane), so that a keyboard reaches
  // every site before the first move, yet drawn beneath the sites as Leaflet's overlay
  // pane is (z-index 400, the markers' 600). One renderer a map, whatever its plans.
  function movesRenderer(map) {
    if (!map.estateMoves) {
      map.createPane("estateMoves").style.zIndex = 400;
      map.estateMoves = L.svg({pane: "estateMoves"});
    }
    return map.estateMoves;
  }

  // A tooltip shown by the pointer or the focus (a site's, a move's, a zone's, a ring's)
  // is put away by Escape, wherever the focus is (WCAG 1.4.13), until the pointer or the
  // focus comes to its shape again: it may cover the sites beside it.
  function dismissibleTips(map) {
    if (map.estateTips) { return; }
    var shown = map.estateTips = [];
    map.on("tooltipopen", function (e) { shown.push(e.tooltip); });
    map.on("tooltipclose", function (e) {
      var at = shown.indexOf(e.tooltip);
      if (at >= 0) { shown.splice(at, 1); }
    });
    // on the way down (capture): the year slider keeps its keys from the map below it
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { shown.slice().forEach(function (tip) { map.closeTooltip(tip); }); }
    }, true);
  }

  function addPlan(map, control, plan, options) {
    var o = options || {}, s = plan.sites, labels = plan.labels;
    dismissibleTips(map);
    if (o.fit !== false) { global.estateMap.fit(map, plan.bounds); }
    var visible = plan.agencies.map(function () { return true; });
    var filtered = [], markers = [];
    var cluster = !!o.cluster && typeof L.markerClusterGroup === "function";
    var canvas = L.canvas({padding: 0.3});
    function group(clustered) {
      if (!clustered) { return L.featureGroup(); }
      var g = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false,
        maxClusterRadius: 50, iconCreateFunction: clusterIcon(o.colours), animate: !STILL});
      // after a zoom markercluster moves the sites and clusters it draws to their places
      // by an animation of its own, which ends after the map's moveend; a cluster opened
      // at the last zoom (spiderfied) spreads its sites out: then too the tab order is set
      // again for what now lies under a panel
      g.on("animationend spiderfied unspiderfied", function () { global.estateMap.tabOrder(map); });
      return g;
    }
    // with a dated programme, `year` is the slider's year and an item with `at` is shown
    // only when at(year) is true (at also gives a site its look in that year)
    var tl = plan.timeline || null, year = tl ? tl.horizon : null;
    function refresh(f) {
      var keep = [];
      f.items.forEach(function (it) {
        if ((it.agency < 0 || visible[it.agency]) && (!it.at || it.at(year))) { keep.push(it.layer); }
      });
      f.group.clearLayers();
      if (f.group.addLayers) { f.group.addLayers(keep); } else { keep.forEach(function (l) { f.group.addLayer(l); }); }
      tidy();
    }
    function tidy() {
      if (markers.length) { declutter(map, markers); }
      global.estateMap.tabOrder(map);  // clearance.js: no tab stop under a panel (it follows every move itself)
    }
    map.on("zoomend overlayadd overlayremove", tidy);
    function siteLayer(which, accept, on) {
      var f = {group: group(cluster), items: []}, icons = {};
      f.icon = function (cat) { return (icons[cat] = icons[cat] || icon(cat, "estate-" + which, o.sizes, o.shapes)); };
      for (var i = 0; i < s.id.length; i++) {
        var cat = which === "before" ? "before" : category(s, i);
        if (!accept(s.decision[i])) { continue; }
        icons[cat] = icons[cat] || icon(cat, "estate-" + which, o.sizes, o.shapes);
        var marker = L.marker([s.lat[i], s.lon[i]], {icon: icons[cat], riseOnHover: true,
                                                     zIndexOffset: LIFT[cat] || 0, estateCat: cat});
        marker.estateSite = i;
        marker.estateBefore = which === "before" ? 1 : 0;
        marker.bindPopup((function (mk, k) { return function () { return withStack(plan, mk, sitePopup(plan, k)); }; })(marker, i), {maxWidth: 340, maxHeight: 420});
        marker.bindTooltip((function (mk, k) { return function () {
          var more = (mk.estateStack || []).length;
          return phrase("span", null, siteParts(plan, k).concat(more ? [" (+" + more + " more here)"] : []));
        }; })(marker, i), {direction: "auto"});  // left of a site in the map's right half, clear of the layer list
        P.hoverable(marker);
        accessible(marker, (which === "before" ? "Before the plan: " : "") + siteText(plan, i));
        if (!cluster) { markers.push(marker); }
        f.items.push({layer: marker, agency: s.agency[i],
                      at: (tl && which === "after") ? siteYear(marker, i, f.icon) : null});
      }
      refresh(f);
      filtered.push(f);
      control.addOverlay(f.group, labels[which]);
      if (on) { f.group.addTo(map); tidy(); }
      return f.group;
    }
    siteLayer("before", function (d) { return d === "keep" || d === "close"; }, false);
    siteLayer("after", function (d) { return d !== "not_built"; }, true);

    var mv = plan.moves, maxFte = mv.fte.reduce(function (x, y) { return Math.max(x, y || 0); }, 1);
    var moves = {group: L.featureGroup(), items: []};
    var moveRenderer = movesOnCanvas(plan) ? canvas : movesRenderer(map);
    for (var m = 0; m < mv.fte.length; m++) {
      var a = mv.from[m], b = mv.to[m];
      var line = L.polyline([[s.lat[a], s.lon[a]], [s.lat[b], s.lon[b]]], {
        color: o.colours.move, opacity: 0.7, weight: 1.5 + 9 * Math.sqrt(mv.fte[m] / maxFte),
        lineCap: "round", className: "estate-move", renderer: moveRenderer});
      line.bindPopup((function (k) { return function () { return movePopup(plan, k); }; })(m), {maxWidth: 340});
      line.bindTooltip((function (k) { return function () {
        return phrase("span", null, [num(mv.fte[k], NF1) + " FTE: ", {n: s.name[mv.from[k]]}, " \u2192 ", {n: s.name[mv.to[k]]}]);
      }; })(m), {sticky: true});  // beside the pointer, held there once it leaves the line
      P.hoverable(line);
      layerButton(line, plain(["Move of " + num(mv.fte[m], NF1) + " FTE from ", {n: s.name[a]}, " to ", {n: s.name[b]}]));
      moves.items.push({layer: line, agency: mv.agency[m], at: (tl && mv.year) ? reached(mv.year[m]) : null});
    }
    refresh(moves);
    filtered.push(moves);
    // lines on a canvas are no elements: the plan's map lists them instead (moves.js; the
    // comparison map makes its lists itself, one for each scenario shown: compare.js)
    if (moveRenderer === canvas && o.moveList && global.estateMap.addMoveList) {
      global.estateMap.addMoveList(map, plan, {colour: o.colours.move, popup: movePopup});
    }
    control.addOverlay(moves.group, labels.moves);
    // thousands of lines hide the sites; then the reader switches them on by choice
    if (mv.fte.length <= 1000) { moves.group.addTo(map); }

    var z = plan.zones, maxPop = z.pop.reduce(function (x, y) { return Math.max(x, y || 0); }, 1);
    var zoneStyle = {1: "covered", 2: "lost", 3: "gained", 4: "uncovered"};
    function zoneLayer(key, statuses, on) {
      var layer = L.featureGroup();
      layer.once("add", function () {
        for (var i = 0; i < z.id.length; i++) {
          if (statuses.indexOf(z.status[i]) < 0) { continue; }
          var colour = o.colours[zoneStyle[z.status[i]]];
          var lost = z.status[i] === 2;
          var dot = L.circleMarker([z.lat[i], z.lon[i]], {renderer: canvas,
            radius: 3 + 6 * Math.sqrt((z.pop[i] || 0) / maxPop), color: lost ? "#7a2e00" : "#333",
            weight: lost ? 2 : 0.6, fillColor: colour, fillOpacity: 0.85});
          dot.bindPopup((function (k) { return function () { return zonePopup(plan, k); }; })(i), {maxWidth: 340});
          P.hoverable(dot.bindTooltip((function (k) { return function () { return phrase("span", null, [{n: z.name[k]}]); }; })(i)));
          layer.addLayer(dot);
        }
      });
      control.addOverlay(layer, labels[key]);
      if (on) { layer.addTo(map); }
    }
    if (z.rules.length) {
      zoneLayer("lost", [2], true);
      zoneLayer("covered", [1, 3], false);
      zoneLayer("uncovered", [4], false);
    }
    z.rules.forEach(function (r) {
      if (r.radius_km === null) { return; }
      var layer = L.featureGroup();
      layer.once("add", function () {
        for (var i = 0; i < s.id.length; i++) {
          if ((s.decision[i] === "keep" || s.decision[i] === "open") && s.services[i].indexOf(r.service) >= 0) {
            layer.addLayer(L.circle([s.lat[i], s.lon[i]], {radius: r.radius_km * 1000, renderer: canvas,
              interactive: false, color: o.colours.keep, weight: 1, opacity: 0.6, fillOpacity: 0.06}));
          }
        }
      });
      control.addOverlay(layer, r.label);
    });

    plan.agencies.forEach(function (ag, k) {
      var toggle = L.layerGroup();
      toggle.on("add remove", function (e) {
        if (visible[k] === (e.type === "add")) { return; }
        visible[k] = e.type === "add";
        filtered.forEach(refresh);
      });
      control.addOverlay(toggle, ag.label);
      toggle.addTo(map);
    });

    function siteYear(marker, i, iconOf) {
      // at the end of year k: a site open by then is drawn; a site the plan closes looks
      // kept until its closing year and closed from then on, a centre shared from its
      // pooling year
      return function (k) {
        var from = tl.site_open[i], until = tl.site_close[i], shared = tl.site_shared[i];
        if (from === null || from > k) { return false; }
        var d = s.decision[i], cat = d === "close" ? (until !== null && until <= k ? "close" : "keep") : category(s, i);
        if (cat === "shared" && (shared === null || k < shared)) { cat = d; }
        if (marker.options.estateCat !== cat) {
          marker.options.estateCat = cat;
          marker.setIcon(iconOf(cat));
          marker.setZIndexOffset(LIFT[cat] || 0);
        }
        return true;
      };
    }
    function reached(y) { return function (k) { return y !== null && y !== undefined && y <= k; }; }
    if (tl) {
      global.estateMap.addSlider(map, tl, function (k) { year = k; filtered.forEach(refresh); global.estateMap.showYear(tl, k); });
    }
  }

  function addOutline(map, control, rings, label, opaque) {
    // Canvas fills one path with thousands of subpaths in superlinear time (30,000 rings:
    // 4 s as one path, 0.1 s as paths of 200), so the outline is drawn in chunks.
    if (!rings.length) { return; }
    map.createPane("estateOutline");
    map.getPane("estateOutline").style.zIndex = 250;
    var renderer = L.canvas({pane: "estateOutline", padding: 0.3});
    var outline = L.featureGroup(), CHUNK = 200;
    for (var start = 0; start < rings.length; start += CHUNK) {
      var latlngs = rings.slice(start, start + CHUNK).map(function (flat) {
        var ring = [];
        for (var i = 0; i + 1 < flat.length; i += 2) { ring.push([flat[i], flat[i + 1]]); }
        return [ring];
      });
      outline.addLayer(L.polygon(latlngs, {pane: "estateOutline", renderer: renderer,
        interactive: false, color: "#b9b2a3", weight: 0.8, fillColor: "#f6f3ec",
        fillOpacity: opaque === false ? 0 : 1}));
    }
    outline.addTo(map);
    control.addOverlay(outline, label);
  }

  // clearance.js adds fit, keepPopupClear, stillFitted and tabOrder; panels.js adds
  // addPanel, addSlider, foldable, layout, nameControl and showYear; places.js adds addPlaces
  global.estateMap = {addPlan: addPlan, addOutline: addOutline, yearWords: yearWords,
                      layerButton: layerButton, phrase: phrase, movesOnCanvas: movesOnCanvas};
})(window);
