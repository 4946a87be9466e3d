// The comparison map's own script (estate.maps.compare_map), beside map.js: rings round
// the sites whose decision differs between scenarios, and only the first scenario shown
// at first. Register text is put in the page with textContent only.
(function (global) {
  "use strict";

  function card(d, i) {
    var box = document.createElement("div"), title = document.createElement("b");
    title.textContent = d.id[i] + " " + d.name[i];
    box.appendChild(title);
    d.decisions[i].forEach(function (pair) {
      var line = document.createElement("div");
      line.textContent = pair[0] + ": " + pair[1];
      box.appendChild(line);
    });
    return box;
  }

  // d: columns id, name, lat, lon, decisions ([scenario, decision] pairs) of each site
  function addDiffering(map, control, d, label) {
    var group = L.featureGroup();
    d.id.forEach(function (_, i) {
      var ring = L.circleMarker([d.lat[i], d.lon[i]], {radius: 13, color: "#d7191c", weight: 3,
                                                        fill: false});
      ring.bindTooltip(function () { return card(d, i); });
      ring.bindPopup(function () { return card(d, i); });
      group.addLayer(ring);
    });
    group.addTo(map);
    control.addOverlay(group, label);
  }

  // hide the overlays named with any of the prefixes; agency toggles stay on (they are filters)
  function hideScenarios(map, control, prefixes) {
    (control._layers || []).forEach(function (o) {
      if (!o.overlay || o.name.indexOf(": Agency: ") >= 0) { return; }
      prefixes.forEach(function (p) {
        if (o.name.indexOf(p) === 0 && map.hasLayer(o.layer)) { map.removeLayer(o.layer); }
      });
    });
  }

  global.estateCompare = {addDiffering: addDiffering, hideScenarios: hideScenarios};
})(window);
