// The map's content kept clear of its panels (panels.js makes them), beside map.js
// (estate.maps.page): the plan is fitted into the room they leave, a popup is sized to
// that room and panned into it, and a site's marker under a panel is out of the tab
// order while it is there, however it came to be there.
(function (global) {
  "use strict";

  // A popup pans into view clear of the panels at the map's sides: Leaflet's
  // autoPanPaddingTopLeft / BottomRight, measured each time a popup opens (a legend folds,
  // a window resizes, the comparison splits), so that it never opens under the layer
  // control, the KPI panel or the year slider. With too little room between them (a
  // phone), it is kept below the panels at the top and above those at the bottom
  // instead. A popup is no wider and no taller than that room (its maxWidth and
  // maxHeight, measured as it is laid out): a longer one scrolls within it, so that its
  // top and its close button are never under a panel nor off the map.
  var EDGE = 10;
  // the least a popup's content is cut to (a few lines), however little room is left
  var POPUP_LEAST = 96;
  function panelEdges(map) {
    // how far the shown panels reach in from each side of the map, plus a margin
    var box = map.getContainer(), edge = box.getBoundingClientRect();
    var sides = {left: EDGE, right: EDGE, top: EDGE, bottom: EDGE};
    box.querySelectorAll(".leaflet-control").forEach(function (c) {
      if (!c.offsetWidth || /leaflet-control-(attribution|scale)/.test(c.className)) { return; }
      var r = c.getBoundingClientRect(), corner = c.parentNode.classList;
      if (corner.contains("leaflet-left")) { sides.left = Math.max(sides.left, r.right - edge.left + EDGE); }
      else { sides.right = Math.max(sides.right, edge.right - r.left + EDGE); }
      if (corner.contains("leaflet-top")) { sides.top = Math.max(sides.top, r.bottom - edge.top + EDGE); }
      else { sides.bottom = Math.max(sides.bottom, edge.bottom - r.top + EDGE); }
    });
    return sides;
  }
  function beside(sides, width, map) { return sides.left + width + sides.right <= map.getSize().x; }
  function clearance(popup) {
    var map = popup._map;
    if (!map) { return [L.point(EDGE, EDGE), L.point(EDGE, EDGE)]; }
    var s = panelEdges(map), left = s.left, right = s.right, top = s.top, bottom = s.bottom;
    var size = map.getSize(), width = popup._containerWidth || 0;
    if (beside(s, width, map)) { return [L.point(left, EDGE), L.point(right, EDGE)]; }
    // no room beside the panels: clear them above and below, within the popup's height
    var height = popup._container ? popup._container.offsetHeight : 0;
    if (top + height + bottom > size.y) { bottom = Math.max(EDGE, size.y - top - height); }
    if (top + height + bottom > size.y) { top = Math.max(EDGE, size.y - height - bottom); }
    right = Math.max(EDGE, size.x - left - width);
    if (left + width + right > size.x) { left = Math.max(EDGE, size.x - width - right); }
    return [L.point(left, top), L.point(right, bottom)];
  }
  // The content's room, read by Leaflet's _updateLayout once it has set the content's
  // width: the map's width, or its height between the panels (or between its edges, when
  // the popup fits beside them), less the popup's frame (its padding and tip), and no
  // more than the popup was given.
  function roomWide(popup, given) {
    var map = popup._map, frame = popup._container.offsetWidth - popup._contentNode.offsetWidth;
    return Math.min(given, Math.max(POPUP_LEAST, map.getSize().x - 2 * EDGE - frame));
  }
  function roomHigh(popup, given) {
    var map = popup._map, box = popup._container, s = panelEdges(map);
    var frame = box.offsetHeight + (parseInt(L.DomUtil.getStyle(box, "marginBottom"), 10) || 0) - popup._contentNode.offsetHeight;
    var free = beside(s, box.offsetWidth, map) ? map.getSize().y - 2 * EDGE : map.getSize().y - s.top - s.bottom;
    return Math.min(given || Infinity, Math.max(POPUP_LEAST, free - frame));
  }

  // The sizing and the panning above work through parts of Leaflet's popup that are not
  // its public API, read from Leaflet 1.9.3 (the xstatic-leaflet package, 1.9.3.0, that
  // estate.maps.assets inlines; pyproject.toml allows 1.9 up to 2): _updateLayout lays
  // the content out, reading options.maxWidth and maxHeight, and sets _containerWidth
  // (read by clearance); _updatePosition places the popup at its point; _adjustPan pans
  // it into view, skipping the call after its own pan while _autopanning is set; the
  // popup's box is _container, its content's _contentNode, its map _map. A Leaflet without one of them gets none of this: its
  // popups are Leaflet's own (maxWidth 300 px, panned clear of the map's edges only),
  // and no script error. `estateMap.popupParts` lists what was missing (a browser test
  // checks that nothing is, on the Leaflet shipped).
  function missingPopupParts() {
    var popup = global.L && L.Popup && L.Popup.prototype;
    if (!popup) { return ["L.Popup"]; }
    var missing = ["_updateLayout", "_updatePosition", "_adjustPan"].filter(function (name) {
      return typeof popup[name] !== "function";
    });
    // the fields: named in the code of the methods that set or read them
    var uses = {_updateLayout: ["_container", "_contentNode", "_containerWidth"], _adjustPan: ["_map", "_autopanning"]};
    Object.keys(uses).forEach(function (method) {
      var code = typeof popup[method] === "function" ? String(popup[method]) : "";
      uses[method].forEach(function (field) {
        if (!new RegExp("\\." + field + "\\b").test(code)) { missing.push(field); }
      });
    });
    return missing;
  }
  var missing = missingPopupParts(), sized = missing.length === 0;
  if (sized) {
    // the popup open on each map, followed through Leaflet's public events
    L.Map.addInitHook(function () {
      this.on("popupopen", function (e) { this.estatePopup = e.popup; });
      this.on("popupclose", function (e) { if (this.estatePopup === e.popup) { this.estatePopup = null; } });
    });
    L.Popup.addInitHook(function () {
      var popup = this, o = this.options, wide = o.maxWidth, high = o.maxHeight;
      if (!o.autoPanPaddingTopLeft && !o.autoPanPaddingBottomRight) {
        Object.defineProperty(o, "autoPanPaddingTopLeft", {configurable: true, get: function () { return clearance(popup)[0]; }});
        Object.defineProperty(o, "autoPanPaddingBottomRight", {configurable: true, get: function () { return clearance(popup)[1]; }});
      }
      // set again when a layer binds its popup anew (L.setOptions): the new size asked for
      Object.defineProperty(o, "maxWidth", {configurable: true, set: function (v) { wide = v; }, get: function () { return popup._map ? roomWide(popup, wide) : wide; }});
      Object.defineProperty(o, "maxHeight", {configurable: true, set: function (v) { high = v; }, get: function () { return popup._map ? roomHigh(popup, high) : high; }});
    });
    // a popup whose content scrolls takes focus, so that a keyboard can scroll it (and
    // axe's scrollable-region-focusable holds); any other still takes focus from script
    // (map.js moves focus into a popup opened by keyboard)
    var layOut = L.Popup.prototype._updateLayout;
    L.Popup.prototype._updateLayout = function () {
      layOut.call(this);
      this._contentNode.tabIndex = L.DomUtil.hasClass(this._contentNode, "leaflet-popup-scrolled") ? 0 : -1;
    };
  }
  function keepPopupClear(map) {
    // the open popup laid out again for the room the panels now leave it, and panned
    // clear of them: a panel unfolded over it, or a window resized, leaves it open and in
    // view. Its content is left as it is (focus may be in it). Leaflet's _adjustPan skips
    // the call after its own pan (meant for its keepInView); that flag is cleared first.
    var popup = map.estatePopup;
    if (!sized || !popup || !popup.isOpen()) { return; }
    popup._updateLayout();
    popup._updatePosition();
    popup._autopanning = false;
    popup._adjustPan();
  }

  // A site's target is 24 x 24 px round its point (map.js): the plan is fitted with its
  // points this far in from a panel, so that no target starts under a panel's button
  var CLEAR = 12 + EDGE;
  var ROOM_LEAST = 4 * 24;
  function clearOfPanels(map) {
    // fit the plan between the KPI panel / legend (left) and the layer control (right);
    // a top corner whose panels are folded away (foldable) into a short column keeps the
    // plan below it rather than beside it
    var box = map.getContainer(), size = map.getSize(), top = CLEAR;
    var corner = function (c) { return box.querySelector(".leaflet-" + c); };
    var left = corner("top.leaflet-left"), right = corner("top.leaflet-right");
    var legend = corner("bottom.leaflet-left");  // the comparison's legend is wider
    function depth(column) {
      var d = 0;
      if (column) { Array.prototype.forEach.call(column.children, function (c) { d = Math.max(d, c.offsetTop + c.offsetHeight); }); }
      return d;
    }
    function beside(column) {
      if (!column) { return 0; }
      if (column.querySelector(".estate-folded") && depth(column) < size.y / 3) {
        top = Math.max(top, depth(column) + CLEAR);
        return 0;
      }
      return column.offsetWidth;
    }
    var lw = Math.max(beside(left), legend ? legend.offsetWidth : 0), rw = beside(right);
    // the layer control is still empty when we fit; leave room for its usual width
    // unless it is folded away or shut to its button (a phone)
    if (right && right.querySelector(".leaflet-control-layers-expanded:not(.estate-folded)")) { rw = Math.max(rw, 290); }
    if (size.x - lw - rw >= 320) { return {paddingTopLeft: [lw + CLEAR, top], paddingBottomRight: [rw + CLEAR, CLEAR]}; }
    // too narrow for the plan beside the panels (a phone): below the top corners'
    // panels and above the bottom corners' (the year slider, the scale), when that
    // leaves room enough; else over the whole map, under the panels. A short map (the
    // upper of two split on a phone, 422 px at 390 x 844) leaves little room: a small
    // plan with every site in view beats one with sites under the panels (zooming in
    // enlarges it), so the least room is four targets' height.
    var above = Math.max(depth(left), depth(right)), below = 0;
    [legend, corner("bottom.leaflet-right")].forEach(function (c) { if (c) { below = Math.max(below, c.offsetHeight); } });
    if (size.y - above - below - 2 * CLEAR < ROOM_LEAST) { return {padding: [30, 30]}; }
    return {paddingTopLeft: [CLEAR, above + CLEAR], paddingBottomRight: [CLEAR, below + CLEAR]};
  }

  // A site's marker partly or wholly under a panel is out of the tab order while it is
  // there: Tab would focus a marker the panel hides (WCAG 2.4.11), or one whose target
  // the panel's own buttons cut into (2.5.8). It stays a named button, so a screen reader
  // still finds it, and it is still clicked where it shows; the plan is fitted clear of
  // the panels, and panning or zooming a site clear, or folding the panel, puts it back.
  // A marker stacked on another (map.js declutter) is no button at all, and is left be.
  // The boxes are all read before any tab index is set, and a tab index is set only
  // where it changes, so the browser lays the page out once for the whole pass.
  function offPanels(map) {
    var pane = map.getPane("markerPane"), panels = [];
    if (!pane) { return; }
    map.getContainer().querySelectorAll(".leaflet-control").forEach(function (c) {
      if (c.offsetWidth && !/leaflet-control-scale/.test(c.className)) { panels.push(c.getBoundingClientRect()); }
    });
    var buttons = Array.prototype.filter.call(pane.children, function (node) { return node.getAttribute("role") === "button"; });
    var box = map.getContainer(), edge = box.getBoundingClientRect();
    var under = buttons.map(function (node) {
      // where Leaflet has put the marker, not where an animation has got it to so far
      // (markercluster slides its sites into place after a zoom): its place in the map's
      // pane, less its icon's anchor (which Leaflet sets as the icon's margins)
      var at = map.layerPointToContainerPoint(L.DomUtil.getPosition(node));
      var left = edge.left + box.clientLeft + at.x + (parseFloat(node.style.marginLeft) || 0);
      var top = edge.top + box.clientTop + at.y + (parseFloat(node.style.marginTop) || 0);
      var r = {left: left, top: top, right: left + node.offsetWidth, bottom: top + node.offsetHeight};
      return panels.some(function (p) { return r.left < p.right && p.left < r.right && r.top < p.bottom && p.top < r.bottom; });
    });
    // A shape that is a button (a move's line, a comparison's ring: map.js layerButton)
    // is out of the tab order while no part of it shows: each point of a few along it
    // lies off the map or under a panel (a long line is rarely wholly hidden, and then
    // its focus ring, round its box, shows at least in part)
    var shapes = Array.prototype.slice.call(map.getPane("mapPane").querySelectorAll("path[role=button]"));
    var hidden = shapes.map(function (path) {
      var matrix = path.getScreenCTM(), length = path.getTotalLength(), SAMPLES = 8;
      if (!matrix) { return true; }
      for (var i = 0; i <= SAMPLES; i++) {
        var p = path.getPointAtLength(length * i / SAMPLES).matrixTransform(matrix);
        var onMap = p.x > edge.left && p.x < edge.right && p.y > edge.top && p.y < edge.bottom;
        if (onMap && !panels.some(function (r) { return p.x >= r.left && p.x <= r.right && p.y >= r.top && p.y <= r.bottom; })) {
          return false;
        }
      }
      return true;
    });
    buttons.forEach(function (node, k) {
      var index = under[k] ? -1 : 0;
      if (node.tabIndex !== index || !node.hasAttribute("tabindex")) { node.tabIndex = index; }
    });
    shapes.forEach(function (node, k) {
      var index = hidden[k] ? -1 : 0;
      if (node.tabIndex !== index) { node.tabIndex = index; }
    });
  }

  // A shape that is a button (a move's line, a comparison's ring: map.js layerButton),
  // focused from the keyboard while part of it lies under a panel or off the map, would
  // have its focus ring (round its box) partly hidden (WCAG 2.2 2.4.11 allows that; we do
  // better): the map pans, as a popup does, until the shape lies in the room the panels
  // leave (between the left and right panels, or on a phone between those above and
  // below), whole when it fits there, else with its middle there. A shape in that room
  // already, or focused by a click (no :focus-visible), leaves the map where it is.
  function room(map) {
    var s = panelEdges(map), size = map.getSize();
    if (size.x - s.left - s.right >= ROOM_LEAST) {
      return L.bounds(L.point(s.left, EDGE), L.point(size.x - s.right, size.y - EDGE));
    }
    if (size.y - s.top - s.bottom >= ROOM_LEAST) {
      return L.bounds(L.point(EDGE, s.top), L.point(size.x - EDGE, size.y - s.bottom));
    }
    return null;  // no room clear of the panels at all: the map is left as it is
  }
  function shift(low, high, min, max) {
    // the least move of [low, high] into [min, max]; of its middle when it is too long
    if (high - low > max - min) { low = high = (low + high) / 2; }
    return low < min ? low - min : high > max ? high - max : 0;
  }
  function showFocused(map, shape) {
    var node = shape.getElement && shape.getElement(), clear = room(map);
    if (!node || !clear || !shape.getBounds) { return; }
    try { if (!node.matches(":focus-visible")) { return; } } catch (e) { /* an older browser: pan */ }
    var b = shape.getBounds(), pad = (shape.options.weight || 0) / 2 + 4;  // its stroke and focus ring
    var a = map.latLngToContainerPoint(b.getNorthWest()), z = map.latLngToContainerPoint(b.getSouthEast());
    var dx = shift(a.x - pad, z.x + pad, clear.min.x, clear.max.x);
    var dy = shift(a.y - pad, z.y + pad, clear.min.y, clear.max.y);
    if (dx || dy) { map.panBy([dx, dy]); }
  }

  // The tab order follows every change of what lies under the panels: the view moved
  // (Leaflet's moveend ends every pan, zoom, popup's pan into view and resize), a panel
  // folded, grown or moved (layout), sites drawn or stacked anew (map.js). Whatever
  // asks for it within one event (a zoom's zoomend then moveend, a fold that fits the
  // plan again, markercluster drawing the sites a pan brought in) gets one pass, at the
  // end of that event's handlers, before the browser takes the next key press.
  // A window resized is one event to Leaflet but two to us: its resize, at once (the
  // panels laid out, the plan fitted again), and its moveend, debounced to
  // RESIZE_SETTLES ms later. Every pass asked for in between is one pass, when the
  // moveend has come (our own timer, set after Leaflet's, fires after it).
  var RESIZE_SETTLES = 200;  // Leaflet's invalidateSize({debounceMoveend: true})
  function tabOrder(map) {
    if (!map.estateTabOrder) {
      var fresh = map.estateTabOrder = {due: false, resizing: null};
      map.on("moveend", function () { tabOrder(map); });
      map.on("resize", function () {
        clearTimeout(fresh.resizing);
        fresh.resizing = setTimeout(function () { fresh.resizing = null; tabOrder(map); }, RESIZE_SETTLES);
      });
    }
    var state = map.estateTabOrder;
    if (state.due || state.resizing) { return; }
    state.due = true;
    Promise.resolve().then(function () {
      state.due = false;
      if (!state.resizing) { offPanels(map); }
    });
  }

  function fit(map, bounds) {
    // fit before drawing anything, so that nothing is drawn twice (once at world zoom);
    // the view fitted is kept, so that folding a panel can fit again (foldable)
    if (!bounds) { return; }
    map.fitBounds(bounds, Object.assign({animate: false}, clearOfPanels(map)));
    map.estateFitted = {bounds: bounds, centre: map.getCenter(), zoom: map.getZoom()};
    keepPopupClear(map);
  }
  function fitInView(map, bounds) {
    // `bounds` in the room the panels leave, zoomed out if need be but never in
    map.fitBounds(bounds, Object.assign({animate: false, maxZoom: map.getZoom()}, clearOfPanels(map)));
  }
  function stillFitted(map) {
    // the view as fitted, give or take a pixel (a map kept in step with another takes
    // its centre back through a round of projections)
    var f = map.estateFitted;
    return !!f && f.zoom === map.getZoom() &&
      map.latLngToContainerPoint(f.centre).distanceTo(map.getSize().divideBy(2)) < 2;
  }

  // how wide the room is between the panels at the map's left and right (a popup wider
  // than that is cleared of them only above or below, which a panel as tall as the map
  // leaves no room for)
  function roomBetweenPanels(map) {
    var s = panelEdges(map);
    return map.getSize().x - s.left - s.right;
  }

  var EM = global.estateMap;
  EM.fit = fit;
  EM.roomBetweenPanels = roomBetweenPanels;
  EM.fitInView = fitInView;
  EM.keepPopupClear = keepPopupClear;
  EM.popupParts = {missing: missing};
  EM.showFocused = showFocused;
  EM.stillFitted = stillFitted;
  EM.tabOrder = tabOrder;
})(window);
