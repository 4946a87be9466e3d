// The list of moves of a plan's map and of the comparison map (compare.js, a list for
// each scenario a map shows), beside map.js: over 2,000 moves are drawn on a canvas
// (map.js moveRenderer), where a line is no element a keyboard or a screen reader can
// reach. This panel lists them instead, the most staff moving first, each a button that
// shows its move on the map: the map fits the move's two sites into the room the panels
// leave, draws the move over everything else, and opens its popup with focus in it;
// Escape closes it, focus back on the button. The list stops at LIST_MOST moves (a page
// of thousands of buttons would be slow to open and no use to a reader); a note points
// to the results folder's assignments.csv for every move. Register text is put in the
// page with textContent only.
(function (global) {
  "use strict";
  var LIST_MOST = 200;
  var NF = new Intl.NumberFormat("en-GB", {maximumFractionDigits: 0});
  var NF1 = new Intl.NumberFormat("en-GB", {maximumFractionDigits: 1});
  var lists = 0;

  // an element holding `text` as text (popups.js, loaded before this file's calls run)
  function el(tag, cls, text) { return global.estatePopups.el(tag, cls, text); }

  // the moves' numbers, the most FTE first (a move of no FTE last), then in the order
  // the payload has them
  function largestFirst(fte) {
    var order = fte.map(function (v, k) { return k; });
    order.sort(function (a, b) { return ((fte[b] || 0) - (fte[a] || 0)) || (a - b); });
    return order;
  }

  // `o`: colour (of the line drawn over the map), popup(plan, k) (popups.js's popup of
  // move k), and on the comparison map scenario, the name of the scenario whose plan it
  // is: the heading and each popup's name say it. Returns the panel, whose `hidden` the
  // comparison map sets while its map shows another scenario.
  function addMoveList(map, plan, o) {
    var s = plan.sites, mv = plan.moves, total = mv.fte.length;
    if (!total || !global.estateMap.addPanel) { return null; }
    var shown = largestFirst(mv.fte).slice(0, LIST_MOST);
    var id = "estate-moves-" + (++lists);
    var box = el("section", "estate-panel estate-moves");
    box.id = id;
    box.setAttribute("aria-labelledby", id + "-title");
    var fold = el("details"), summary = el("summary");
    var heading = ["Moves, largest first"].concat(o.scenario === undefined ? [] : [": ", {n: o.scenario}]);
    var title = global.estateMap.phrase("h2", null, heading);  // the name isolated (map.js)
    title.id = id + "-title";
    summary.appendChild(title);
    fold.appendChild(summary);
    var note = shown.length < total
      ? "The " + NF.format(shown.length) + " moves with the most staff, of " + NF.format(total) +
        ". Every move is in the results folder's assignments.csv (a row per function moved)."
      : "All " + NF.format(total) + " moves. The results folder's assignments.csv has a row per function moved.";
    fold.appendChild(el("p", "estate-muted", note));
    var list = el("ol", "estate-move-list");
    shown.forEach(function (k) {
      var item = el("li"), button = el("button", "estate-move-show");
      button.type = "button";
      var said = [NF1.format(mv.fte[k] || 0) + " FTE: ", {n: s.name[mv.from[k]]}, " \u2192 ", {n: s.name[mv.to[k]]}];
      button.appendChild(global.estateMap.phrase("span", null, said));  // names isolated (map.js)
      button.addEventListener("click", function () { show(map, plan, o, k, button); });
      item.appendChild(button);
      list.appendChild(item);
    });
    fold.appendChild(list);
    box.appendChild(fold);
    document.body.appendChild(box);
    // top right under the layer list; on a phone's map, whose top right is the layer
    // button alone and whose top left is the width of the map, in the top left column
    // below the plan's summary, which then shares its room rather than being covered
    var EM = global.estateMap;
    var corner = function () { return EM.phoneSized(map) ? "topleft" : "topright"; };
    var control = EM.addPanel(map, id, corner());
    map.on("resize", function () {  // a phone turned, a window resized
      if (control && control.getPosition() !== corner()) {
        control.setPosition(corner());
        EM.layout(map);
      }
    });
    return box;
  }

  // move k shown on the map: its two sites fitted clear of the panels (zoomed out if
  // need be, never in), the move drawn over the map, its popup open with focus in it. On
  // a phone's map (panels.js's phoneSized), or one whose panels leave less room between
  // them than the popup may take (a map of two side by side), the open list would leave
  // the popup no room: it folds while the popup is open.
  var POPUP_PX = 340;
  function show(map, plan, o, k, button) {
    var s = plan.sites, mv = plan.moves, a = mv.from[k], b = mv.to[k];
    var ends = [[s.lat[a], s.lon[a]], [s.lat[b], s.lon[b]]];
    var EM = global.estateMap, fold = button.closest("details");
    var folds = !!fold && fold.open && (EM.phoneSized(map) || EM.roomBetweenPanels(map) < POPUP_PX);
    map.closePopup();
    if (folds) { fold.open = false; }
    EM.fitInView(map, L.latLngBounds(ends));
    var line = L.polyline(ends, {color: o.colour || "#3a3a3a", weight: 6, opacity: 1,
                                 dashArray: "10 6", interactive: false}).addTo(map);
    var popup = L.popup({maxWidth: POPUP_PX}).setLatLng(L.latLngBounds(ends).getCenter()).setContent(o.popup(plan, k));
    var name = global.estatePopups.said(button) +  // its names between isolate marks (popups.js)
      (o.scenario === undefined ? "" : " (" + global.estatePopups.isolate(o.scenario) + ")");
    popup.on("add", function () {
      var box = popup.getElement(), content = box && box.querySelector(".leaflet-popup-content");
      if (!content) { return; }
      box.setAttribute("role", "dialog");
      box.setAttribute("aria-label", "Move of " + name);
      if (!content.hasAttribute("tabindex")) { content.tabIndex = -1; }
      content.focus({preventScroll: true});
      L.DomEvent.on(box, "keydown", function (e) {
        if (e.key === "Escape") { L.DomEvent.stop(e); map.closePopup(popup); }
      });
    });
    popup.on("remove", function () {
      var box = popup.getElement(), at = document.activeElement;
      map.removeLayer(line);
      if (folds) { fold.open = true; }
      if (!at || at === document.body || (box && box.contains(at))) { button.focus({preventScroll: true}); }
    });
    map.openPopup(popup);
  }

  global.estateMap.addMoveList = addMoveList;
})(window);
