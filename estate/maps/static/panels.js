// The map's panels, beside map.js (estate.maps.page): the KPI panel, the legend, the
// layer control and the year slider (made here, with the KPI panel's figures for the
// year it shows) sit in Leaflet's corners, each corner a column whose panels shrink and
// scroll rather than cover one another; a panel can be folded away by its own button.
// clearance.js keeps the plan, the popups and the tab order clear of them. The panels
// arrive as inert HTML; text made here is set with textContent.
(function (global) {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // A map narrower than PHONE_PX or less high than SHORT_PX (CSS px of its own box) is a
  // phone's, upright or sideways (a phone's window sideways is 430 px high at most, a
  // laptop's over 600): its panels start folded, the layer list shut. compare.js's
  // SPLIT_STACKED_PX is a rule of the page's layout, of the window's width.
  var PHONE_PX = 700, SHORT_PX = 500, SHORT_MAP_PX = 300;
  function phone(map) { var size = map.getSize(); return size.x < PHONE_PX || size.y < SHORT_PX; }

  // A panel the reader can fold away to see the map under it: a real <button> (Enter
  // and Space press it, focus shows) on one row with the panel's heading, saying "Hide
  // panel" or "Show panel", with aria-expanded, and named for a screen reader with the
  // panel's name too ("Hide panel: Plan summary"). Folded, the panel is that row alone:
  // the rest moves into a body that is hidden, except a live region only heard (the
  // comparison's status line, the KPI panel's year figures), which must stay in the
  // page to be heard while folded.
  // `within` is where the heading and the rest are (the layer control's list; by
  // default the panel itself). When the map's view is still the one fitted, the plan
  // is fitted again into the room the panel leaves or takes. Returns the heading's row,
  // for a caller to add to.
  var folds = 0;
  function foldable(map, node, within, name) {
    var box = within || node, head = el("div", "estate-panel-head"), body = el("div", "estate-panel-body");
    var button = el("button", "estate-panel-toggle", "Hide panel"), whose = name || panelName(node);
    var heading = box.querySelector(":scope > h1, :scope > h2");
    Array.prototype.slice.call(box.childNodes).forEach(function (child) {
      var live = child.nodeType === 1 && child.matches(".estate-hidden[aria-live]");
      if (child !== heading && !live) { body.appendChild(child); }
    });
    if (heading) { head.appendChild(heading); }
    body.id = (node.id || "estate-panel-" + (++folds)) + "-body";
    button.type = "button";
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-controls", body.id);
    button.setAttribute("aria-label", "Hide panel: " + whose);
    head.appendChild(button);
    box.insertBefore(head, box.firstChild);
    box.appendChild(body);
    button.addEventListener("click", function () {
      var open = body.hidden;
      body.hidden = !open;
      box.style.height = "";  // a height Leaflet gave the layer list when it was longer
      node.classList.toggle("estate-folded", !open);
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? "Hide panel" : "Show panel";
      button.setAttribute("aria-label", button.textContent + ": " + whose);
      layout(map);
      if (EM.stillFitted(map)) { EM.fit(map, map.estateFitted.bounds); }
    });
    return head;
  }
  function panelName(node) {
    var by = node.getAttribute("aria-labelledby"), title = by && document.getElementById(by);
    // a title's names (each in a <bdi>) between isolate marks in the label (popups.js said)
    return node.getAttribute("aria-label") || (title ? global.estatePopups.said(title) : "panel");
  }

  function nameControl(control) {
    // the layer switches under a heading, in a named region a screen reader can find
    var box = control.getContainer(), list = box.querySelector(".leaflet-control-layers-list") || box;
    list.insertBefore(el("h2", "estate-control-title", "Layers"), list.firstChild);
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", "Map layers");
    // on a phone the list would cover the KPI panel: it folds to Leaflet's layers
    // button, which opens it; a tap on the map folds it again
    var map = control._map;
    if (!map) { return control; }
    foldable(map, box, list, "Map layers");
    var narrow = null;
    function fold() {
      if (narrow === phone(map)) { return; }
      narrow = phone(map);
      control.options.collapsed = narrow;  // so that adding a layer does not open it again
      if (narrow) { control.collapse(); } else { control.expand(); }
    }
    fold();
    map.on("resize", fold);
    map.on("click", function () { if (narrow) { control.collapse(); } });
    // the list opened over the map, or shut to its button, covers other sites
    ["expand", "collapse"].forEach(function (how) {
      var own = control[how];
      control[how] = function () { var result = own.apply(control, arguments); layout(map); return result; };
    });
    // on a phone, the list opened: the plan summary it would cover folds, and focus,
    // on the layers button that has just hidden itself, goes to the list's first
    // control (its Hide panel button); Escape shuts the list again, focus back on the
    // layers button
    var toggle = box.querySelector(".leaflet-control-layers-toggle"), expand = control.expand;
    control.expand = function () {
      var wasOn = document.activeElement === toggle, result = expand.apply(control, arguments);
      if (!narrow) { return result; }
      var summary = document.querySelector("#estate-kpi button.estate-panel-toggle");
      if (summary && summary.getAttribute("aria-expanded") === "true") { summary.click(); }
      var first = list.querySelector("input, button");
      if (wasOn && first) { first.focus(); }
      return result;
    };
    box.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !narrow || !box.classList.contains("leaflet-control-layers-expanded")) { return; }
      control.collapse();
      if (toggle) { toggle.focus(); }
    });
    return control;
  }

  function addPanel(map, id, position) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var Panel = L.Control.extend({onAdd: function () {
      L.DomEvent.disableClickPropagation(node);
      L.DomEvent.disableScrollPropagation(node);
      return node;
    }});
    var control = new Panel({position: position}).addTo(map);
    // the page's h1 (only heard: estate.maps.page) arrives after the map, whose panels
    // hold the h2s and h3s: it moves before the map, so that a screen reader's list of
    // headings starts with it and goes down a level at a time
    var title = document.querySelector("body > h1"), mapBox = map.getContainer();
    if (title && mapBox.parentNode === title.parentNode &&
        (mapBox.compareDocumentPosition(title) & Node.DOCUMENT_POSITION_FOLLOWING)) {
      mapBox.parentNode.insertBefore(title, mapBox);
    }
    // the KPI panel and the comparison's panel fold by their own button (the legend is a
    // fold-out, <details>); on a phone one would cover most of the map (the sites under
    // it): it starts folded there, as the legend and the layer list do
    if (node.classList.contains("estate-foldable")) {
      foldable(map, node);
      if (phone(map)) { node.querySelector("button.estate-panel-toggle").click(); }
      skipLink(map, node);
    }
    moreBelow(node);
    // a panel folded or unfolded changes the room of the others in its column
    node.addEventListener("toggle", function () { layout(map); }, true);
    var fold = node.querySelector("details[open]");
    layout(map);
    // a legend with too little room (a phone, a short window) starts folded: its
    // heading is a button that opens it, scrolling within the room there is. The panels
    // are laid out again at once, not at its toggle event (which comes after the plan is
    // fitted): a legend at the bottom left, open, had squeezed the column above it, and
    // the plan would be fitted beside that column's panels as squeezed, not as shown
    if (fold && (phone(map) || node.clientHeight < 160)) { fold.open = false; layout(map); }
    if (!map.estateLaidOut) {
      map.estateLaidOut = true;
      // a window resized (a phone turned) while the map still has the view it opened
      // with: the plan is fitted again into the room the panels leave there
      map.on("resize", function () {
        var fitted = EM.stillFitted(map);
        layout(map);
        if (fitted) { EM.fit(map, map.estateFitted.bounds); }
      });
    }
    return control;
  }

  // The page's first tab stop, shown only when focused: a link past the map and its
  // sites and lines (a plan's are a tab stop each, a hundred or more) to the first
  // foldable panel's own controls: the plan summary's, or the comparison's choice of
  // scenario, after its Hide panel button. One a page (side by side, the second map's
  // panel is reached from the first's).
  function skipLink(map, node) {
    if (document.querySelector(".estate-skip")) { return; }
    var link = el("a", "estate-skip", "Skip to the panel: " + panelName(node));
    link.href = "#" + node.id;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var first = node.querySelector("button, select, input, a[href], [tabindex='0']");
      if (first) { first.focus(); }
    });
    var mapBox = map.getContainer();
    mapBox.parentNode.insertBefore(link, mapBox);
  }

  // whether focus last moved by a key (Tab), not by a pointer's press
  var byKeyboard = false;
  document.addEventListener("keydown", function () { byKeyboard = true; }, true);
  document.addEventListener("pointerdown", function () { byKeyboard = false; }, true);

  function moreBelow(node) {
    // a panel cut short by the room there scrolls; a hint pinned to its foot says so
    // (the scroll bar alone is thin, or hidden until used) and hides at the end
    var hint = document.createElement("div");
    hint.className = "estate-more";
    hint.setAttribute("aria-hidden", "true");
    hint.textContent = "\u25BE more below: scroll";
    node.appendChild(hint);
    var update = function () {
      var more = node.scrollHeight - node.scrollTop - node.clientHeight > 12;  // not its padding
      node.classList.toggle("estate-scrolls", more);
    };
    node.estateMore = update;
    node.addEventListener("scroll", update, {passive: true});
    node.addEventListener("toggle", update, true);
    // a control reached by Tab is scrolled clear of the hint, which would cover it and
    // its focus ring (WCAG 2.4.11): the browser's own scrolling only brings it inside
    // the panel's box, where the hint lies over its foot
    node.addEventListener("focusin", function (event) {
      // not for a click: the control would move between its press and its release, and
      // the click be lost
      if (!byKeyboard || !node.classList.contains("estate-scrolls") || event.target === node) { return; }
      var clear = node.getBoundingClientRect().bottom - hint.offsetHeight - 4;
      var below = event.target.getBoundingClientRect().bottom - clear;
      // the hint hides at once when that reaches the panel's end (not a frame later)
      if (below > 0) { node.scrollTop += below; update(); }
    });
    update();
  }

  function showYear(tl, k) {
    // the KPI panel's figures at the end of year k (estate.maps.panels writes the last
    // year's; the rows are the same in every year, in the same order), and the same in
    // words in the panel's live region, which a screen reader says, folded or not
    var title = document.getElementById("estate-kpi-year-title"), list = document.getElementById("estate-kpi-year");
    if (!title || !list || !tl.figures) { return; }
    title.textContent = tl.labels[k];
    var values = list.querySelectorAll("dd"), terms = list.querySelectorAll("dt");
    tl.figures[k].forEach(function (row, r) {
      if (terms[r]) { terms[r].textContent = row[0]; }
      if (values[r]) { values[r].textContent = row[1]; }
    });
    var said = document.getElementById("estate-kpi-year-said");
    if (said) {
      said.textContent = tl.labels[k] + ": " + tl.figures[k].map(function (row) { return row[0] + ": " + row[1]; }).join("; ") + ".";
    }
  }

  var sliders = 0;
  function addSlider(map, tl, onChange) {
    // a native range input: arrows, Page Up/Down, Home and End move it; its label and
    // aria-valuetext say the year and its last day
    var id = "estate-year-" + (++sliders), box = el("div", "estate-panel estate-timeline");
    var label = el("label", null, tl.labels[tl.horizon]), input = el("input");
    label.htmlFor = id;
    input.type = "range";
    input.id = id;
    input.min = "0";
    input.max = String(tl.horizon);
    input.step = "1";
    input.value = String(tl.horizon);
    input.setAttribute("aria-valuetext", tl.labels[tl.horizon]);
    var ends = el("div", "estate-timeline-ends");
    ends.appendChild(el("span", null, "today"));
    ends.appendChild(el("span", null, EM.yearWords(tl, tl.horizon)));
    box.appendChild(el("h3", null, "Programme"));
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(ends);
    input.addEventListener("input", function () {
      var k = Number(input.value);
      label.textContent = tl.labels[k];
      input.setAttribute("aria-valuetext", tl.labels[k]);
      onChange(k);
    });
    input.addEventListener("keydown", function (e) { e.stopPropagation(); });
    var Slider = L.Control.extend({onAdd: function () {
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }});
    new Slider({position: "bottomright"}).addTo(map);
    layout(map);
    // the plan was fitted before the slider was made: fitted again clear of it
    if (EM.stillFitted(map)) { EM.fit(map, map.estateFitted.bounds); }
  }

  function layout(map) {
    // Each corner of panels is a column (map.css) that ends above the panels of the
    // bottom corners, so a panel shrinks and scrolls rather than cover another: the
    // KPI panel and the legend share the top left, the layer control stops above the
    // year slider, and on a narrow screen the left column stops above the slider too.
    var box = map.getContainer(), corner = function (c) { return box.querySelector(".leaflet-" + c); };
    // a map under SHORT_MAP_PX high (a window at 400% zoom; each map of a comparison
    // split on a narrow window) has no room for the scale bar and the zoom buttons beside
    // its panels: map.css leaves them off, and lays out the rest for it
    L.DomUtil[map.getSize().y < SHORT_MAP_PX ? "addClass" : "removeClass"](box, "estate-short");
    var topLeft = corner("top.leaflet-left"), topRight = corner("top.leaflet-right");
    var bottomLeft = corner("bottom.leaflet-left"), bottomRight = corner("bottom.leaflet-right");
    var under = function (top, bottoms) {
      var edge = top.getBoundingClientRect(), room = 0;
      bottoms.forEach(function (b) {
        if (!b || !b.offsetHeight) { return; }
        var r = b.getBoundingClientRect();
        if (r.left < edge.right && r.right > edge.left) { room = Math.max(room, b.offsetHeight); }
      });
      return room;
    };
    if (topLeft) { topLeft.style.bottom = under(topLeft, [bottomLeft, bottomRight]) + "px"; }
    if (topRight) { topRight.style.bottom = under(topRight, [bottomRight, bottomLeft]) + "px"; }
    [topLeft, topRight, bottomLeft, bottomRight].forEach(function (column) {
      if (column) { Array.prototype.forEach.call(column.children, function (c) { if (c.estateMore) { c.estateMore(); } }); }
    });
    EM.tabOrder(map);  // a panel grown, folded or moved covers other sites
    EM.keepPopupClear(map);  // or the popup open
  }

  // The scale bar, at most SCALE_PX long: Leaflet rounds the distance down to 1, 2, 3 or 5
  // of a power of ten, so a bar can be half that, and at 140 px the shortest still holds
  // its longest words ("3000 ft") inside it, where Leaflet's own 100 px let "10 km" spill
  // over its end
  var SCALE_PX = 140;
  function addScale(map) { return L.control.scale({maxWidth: SCALE_PX}).addTo(map); }

  var EM = global.estateMap;
  EM.addPanel = addPanel;
  EM.addScale = addScale;
  EM.addSlider = addSlider;
  EM.foldable = foldable;
  EM.layout = layout;
  EM.nameControl = nameControl;
  EM.phoneSized = phone;
  EM.showYear = showYear;
})(window);
