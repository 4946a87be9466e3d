// Place names for the outline basemap (estate.maps.page.Places), beside map.js: the
// register's zone names, most populous first, drawn as text that thins with zoom and
// stands clear of the sites. Names are register text: they are put in the page with
// textContent only.
(function (global) {
  "use strict";

  var MAJOR = 8;   // the largest places, written larger (estate-place-major)
  var GAP = 8;     // px kept between two names
  var CLEAR = 2;   // px kept between a name and a site's symbol
  var CELL = 64;   // px: the grid the sites' and the placed names' boxes are filed in

  function text(cls, value) {
    var node = document.createElement("div");
    node.className = cls;
    node.textContent = String(value);
    return node;
  }

  // Where a name may stand round its place, tried in turn (its centre's offset, for a
  // name w x h px): on the place, above, below, right, left, further above and below,
  // then the four corners.
  function spots(w, h) {
    var a = h / 2 + 12, c = h / 2 + 28, b = w / 2 + 14;
    return [[0, 0], [0, -a], [0, a], [b, 0], [-b, 0], [0, -c], [0, c], [b, -a], [-b, -a], [b, a], [-b, a]];
  }

  function touches(a, b) { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]; }

  // A box [left, top, right, bottom] in layer points filed in a grid (a Map) of CELL px,
  // under every cell it reaches: a box is then tested only against the boxes near it.
  // A cell's key is a number (faster than a string); two far-apart cells that share one
  // only give touches() more boxes to reject.
  function cell(x, y) { return x * 65536 + y; }
  function file(grid, b) {
    for (var x = Math.floor(b[0] / CELL); x <= Math.floor(b[2] / CELL); x++) {
      for (var y = Math.floor(b[1] / CELL); y <= Math.floor(b[3] / CELL); y++) {
        var boxes = grid.get(cell(x, y));
        if (boxes) { boxes.push(b); } else { grid.set(cell(x, y), [b]); }
      }
    }
  }
  function anyTouches(grid, b) {
    for (var x = Math.floor(b[0] / CELL); x <= Math.floor(b[2] / CELL); x++) {
      for (var y = Math.floor(b[1] / CELL); y <= Math.floor(b[3] / CELL); y++) {
        var near = grid.get(cell(x, y));
        if (!near) { continue; }
        for (var k = 0; k < near.length; k++) { if (touches(b, near[k])) { return true; } }
      }
    }
    return false;
  }

  // The boxes of the site symbols drawn on the map (markers and clusters, whatever plan
  // or layer drew them), in layer points, filed in a grid
  function siteBoxes(map) {
    var box = map.getContainer(), edge = box.getBoundingClientRect(), grid = new Map();
    var left = edge.left + box.clientLeft, top = edge.top + box.clientTop;
    Array.prototype.forEach.call(map.getPane("markerPane").children, function (node) {
      var r = (node.firstElementChild || node).getBoundingClientRect();
      if (!r.width || !r.height) { return; }
      var p = map.containerPointToLayerPoint([r.left - left, r.top - top]);
      file(grid, [p.x, p.y, p.x + r.width, p.y + r.height]);
    });
    return grid;
  }
  function sitesUnder(grid, b) {
    var n = 0, seen = [];
    for (var x = Math.floor(b[0] / CELL); x <= Math.floor(b[2] / CELL); x++) {
      for (var y = Math.floor(b[1] / CELL); y <= Math.floor(b[3] / CELL); y++) {
        (grid.get(cell(x, y)) || []).forEach(function (s) {
          if (seen.indexOf(s) < 0 && touches(b, s)) { seen.push(s); n++; }
        });
      }
    }
    return n;
  }

  // Place names on the outline basemap, the most populous first. A town's name would sit
  // on its own sites, so at each zoom a name takes the first spot round its place that
  // touches no site and no name already placed. A name with no such spot is left out
  // (zooming in brings it back), except the few largest places, which a reader finds
  // the map by: they take the spot over the fewest sites. The names are drawn above the
  // sites (a pane over the markers, under tooltips and popups) with a pale halo, so such
  // a name stays readable; clicks go through the names to the sites. The names are
  // placed again, once in the next frame however many events come before it, when the
  // map zooms or its view is reset and when sites are drawn or taken away (a layer
  // switched, a scenario or a year shown); not when a tooltip or popup opens or closes,
  // which Leaflet adds and removes as a layer too.
  var PlaceNames = L.Layer.extend({
    initialize: function (places) { this.places = places; },
    onAdd: function (map) {
      var pane = map.getPane("estatePlaces"), p = this.places;
      this.nodes = p.name.map(function (name, i) {
        var node = text("estate-place" + (i < MAJOR ? " estate-place-major" : ""), name);
        pane.appendChild(node);
        return node;
      });
      this.sizes = this.nodes.map(function (node) { return [node.offsetWidth, node.offsetHeight]; });
      // a reset moves every layer point: the names are hidden until placed again
      map.on("zoomstart viewreset", this.hide, this);
      map.on("zoomend viewreset layeradd layerremove", this.later, this);
      this.place();
    },
    onRemove: function (map) {
      this.nodes.forEach(L.DomUtil.remove);
      map.off("zoomstart viewreset", this.hide, this);
      map.off("zoomend viewreset layeradd layerremove", this.later, this);
    },
    hide: function () { this._map.getPane("estatePlaces").style.visibility = "hidden"; },
    later: function (e) {
      // a tooltip or popup opening or closing draws no site
      if (e && e.layer instanceof L.DivOverlay) { return; }
      // sites come and go a layer at a time, hundreds in one go, and a reset fires
      // zoomend and viewreset: place once, after them
      if (this.pending) { return; }
      this.pending = true;
      L.Util.requestAnimFrame(function () {
        this.pending = false;
        if (this._map && !this._map._animatingZoom) { this.place(); }
      }, this);
    },
    place: function () {
      var map = this._map, p = this.places, taken = new Map(), sites = siteBoxes(map);
      map.getPane("estatePlaces").style.visibility = "";
      for (var i = 0; i < this.nodes.length; i++) {
        var at = map.latLngToLayerPoint([p.lat[i], p.lon[i]]), w = this.sizes[i][0], h = this.sizes[i][1];
        var chosen = null, fewest = Infinity;
        spots(w, h).some(function (d) {
          var x = at.x + d[0], y = at.y + d[1];
          var room = [x - w / 2 - GAP, y - h / 2 - GAP, x + w / 2 + GAP, y + h / 2 + GAP];
          if (anyTouches(taken, room)) { return false; }
          var under = sitesUnder(sites, [x - w / 2 - CLEAR, y - h / 2 - CLEAR, x + w / 2 + CLEAR, y + h / 2 + CLEAR]);
          if (under < fewest && (under === 0 || i < MAJOR)) { chosen = [x, y, room]; fewest = under; }
          return under === 0;
        });
        this.nodes[i].style.display = chosen ? "" : "none";
        if (chosen) {
          file(taken, chosen[2]);
          L.DomUtil.setPosition(this.nodes[i], L.point(Math.round(chosen[0] - w / 2), Math.round(chosen[1] - h / 2)));
        }
      }
    }
  });

  function addPlaces(map, control, places, label) {
    // places: columns name, lat, lon, pop, most populous first (estate.maps.payload)
    if (!places || !places.name.length) { return null; }
    if (!map.getPane("estatePlaces")) {
      var pane = map.createPane("estatePlaces");
      pane.style.zIndex = 620;  // over the sites (markers 600), under tooltips (650) and popups
      pane.style.pointerEvents = "none";
      // the names orient the eye; to a screen reader they would be hundreds of words
      // with no position, and every zone's name is in its popup
      pane.setAttribute("aria-hidden", "true");
    }
    var layer = new PlaceNames(places);
    layer.addTo(map);
    control.addOverlay(layer, label);
    return layer;
  }

  global.estateMap.addPlaces = addPlaces;
})(window);
