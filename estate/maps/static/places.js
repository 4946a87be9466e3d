// Place names for the outline basemap (estate.maps.page.Places), beside map.js: the
// register's zone names, most populous first, drawn as text that thins with zoom. Names
// are register text: they are put in the page with textContent only.
(function (global) {
  "use strict";

  function text(cls, value) {
    var node = document.createElement("div");
    node.className = cls;
    node.textContent = String(value);
    return node;
  }

  // Place names on the outline basemap, the most populous first. At each zoom a name is
  // shown only where it does not touch a name already placed, so zoomed out a few large
  // places show and zooming in brings in more. Names are written with textContent.
  var PlaceNames = L.Layer.extend({
    initialize: function (places) { this.places = places; },
    onAdd: function (map) {
      var pane = map.getPane("estatePlaces"), p = this.places;
      this.nodes = p.name.map(function (name, i) {
        var node = text("estate-place" + (i < 8 ? " estate-place-major" : ""), name);
        pane.appendChild(node);
        return node;
      });
      this.sizes = this.nodes.map(function (node) { return [node.offsetWidth, node.offsetHeight]; });
      map.on("zoomend viewreset", this.place, this);
      map.on("zoomstart", this.hide, this);
      this.place();
    },
    onRemove: function (map) {
      this.nodes.forEach(L.DomUtil.remove);
      map.off("zoomend viewreset", this.place, this);
      map.off("zoomstart", this.hide, this);
    },
    hide: function () { this._map.getPane("estatePlaces").style.visibility = "hidden"; },
    place: function () {
      var map = this._map, p = this.places, taken = [], GAP = 8;
      map.getPane("estatePlaces").style.visibility = "";
      for (var i = 0; i < this.nodes.length; i++) {
        var at = map.latLngToLayerPoint([p.lat[i], p.lon[i]]), w = this.sizes[i][0], h = this.sizes[i][1];
        var box = [at.x - w / 2 - GAP, at.y - h / 2 - GAP, at.x + w / 2 + GAP, at.y + h / 2 + GAP];
        var free = taken.every(function (b) { return box[2] < b[0] || box[0] > b[2] || box[3] < b[1] || box[1] > b[3]; });
        this.nodes[i].style.display = free ? "" : "none";
        if (free) {
          taken.push(box);
          L.DomUtil.setPosition(this.nodes[i], L.point(Math.round(at.x - w / 2), Math.round(at.y - h / 2)));
        }
      }
    }
  });

  function addPlaces(map, control, places, label) {
    // places: columns name, lat, lon, pop, most populous first (estate.maps.payload)
    if (!places || !places.name.length) { return null; }
    if (!map.getPane("estatePlaces")) {
      var pane = map.createPane("estatePlaces");
      pane.style.zIndex = 350;  // over the outline (250), under zones, moves and sites
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
