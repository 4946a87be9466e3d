// The programme page's Gantt chart (estate.render.programme_chart): Escape puts a
// shown label away; and a mark's label kept whole in view where the style sheet cannot
// do it. programme.css slides a shown label along its row as its mark crosses the
// chart's scrolling box, by a scroll-driven
// animation (a view timeline) under a scroll-state container query; a browser without
// either (Firefox, Safari, in 2026) would leave the label where the page put it, cut off
// by the box's edge or by the rows' labels' column. There, and only there, this script
// does what the animation does: when a mark takes the focus or the pointer, and while
// the box or the window scrolls or resizes with it shown, its label is moved sideways
// (an inline `translate`) to where the animation would have put it, then, if need be,
// into the part of the box the reader sees.
(function () {
  "use strict";

  // Escape puts away a shown label (WCAG 1.4.13: it may cover the row above) until the
  // focus or the pointer comes to its mark again; in every browser
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var shown = document.querySelectorAll(".gantt .mark:is(:focus, :hover)");
    Array.prototype.forEach.call(shown, function (mark) { mark.classList.add("put-away"); });
  });
  function markOf(node) { return node && node.closest ? node.closest(".gantt .mark") : null; }
  document.addEventListener("focusin", function (event) {
    var mark = markOf(event.target);
    if (mark) { mark.classList.remove("put-away"); }
  });
  document.addEventListener("pointerover", function (event) {
    var mark = markOf(event.target);
    if (mark && !mark.contains(event.relatedTarget)) { mark.classList.remove("put-away"); }
  });
})();

(function () {
  "use strict";

  var css = window.CSS;
  function supports(feature) {
    return !!(css && typeof css.supports === "function" && css.supports(feature));
  }
  // the features programme.css slides the labels by: its named view timeline and the
  // scroll-state query that applies the animation
  if (supports("animation-timeline: --mark") && supports("container-type: scroll-state")) {
    return;
  }

  // the view timeline's insets (programme.css): the part of the box beside the rows'
  // labels' column, 4 px in from it and from the box's right edge
  var INSET = 4;

  function parts(mark) {
    // a mark's label (its figures' span), its place (the div the timeline follows), its box
    var figures = mark.nextElementSibling;
    var place = figures && figures.firstElementChild;
    var label = place && place.firstElementChild;
    var box = mark.closest(".scroll");
    return label && box ? {label: label, place: place, box: box} : null;
  }

  function seen(box) {
    // the part of the box the reader sees the years in: right of the rows' labels, within
    // the box's scroll bars, the years' SVG and the window
    var rect = box.getBoundingClientRect();
    var column = box.querySelector("svg.gantt-labels");
    var years = box.querySelector("svg.gantt").getBoundingClientRect();
    var left = rect.left + box.clientLeft;
    var lead = column ? column.getBoundingClientRect().right : left;
    return {
      left: Math.max(lead, left, years.left, 0),
      right: Math.min(left + box.clientWidth, years.right, document.documentElement.clientWidth),
      lead: lead, end: left + box.clientWidth
    };
  }

  function place(mark) {
    var p = parts(mark);
    if (!p) { return; }
    var label = p.label, shown = label.getBoundingClientRect();
    var moved = parseFloat(label.style.translate) || 0;
    var natural = shown.left - moved;  // where the page puts it
    var width = shown.right - shown.left;
    var view = seen(p.box), target = natural;
    if (p.box.scrollWidth > p.box.clientWidth + 1) {
      // as the animation does over the range "contain": the label's right edge at the
      // mark's when the mark is at the part's right end, its left edge at the mark's at
      // the left end, in proportion between (and held at either end past it)
      var from = view.lead + INSET, to = view.end - INSET;
      var at = p.place.getBoundingClientRect();
      var room = (to - from) - (at.right - at.left);
      var progress = room > 0 ? (to - at.right) / room : 0;
      progress = Math.min(1, Math.max(0, progress));
      target = to - width - progress * ((to - from) - width);
    }
    // whatever it was, whole within what the reader sees, when it fits
    target = Math.max(view.left, Math.min(target, view.right - width));
    label.style.animation = "none";  // a half-supporting browser's animation, if any
    label.style.translate = (target - natural).toFixed(2) + "px";
  }

  var hovered = null;
  function again() {
    var focused = document.activeElement;
    if (focused && focused.matches && focused.matches("svg.gantt .mark")) { place(focused); }
    if (hovered && hovered !== focused && hovered.matches(":hover")) { place(hovered); }
  }
  function later() { window.requestAnimationFrame(again); }

  document.addEventListener("focusin", function (event) {
    var mark = event.target.closest && event.target.closest("svg.gantt .mark");
    if (mark) { place(mark); later(); }  // and again once the browser has scrolled to it
  });
  document.addEventListener("pointerover", function (event) {
    var mark = event.target.closest && event.target.closest("svg.gantt .mark");
    if (mark) { hovered = mark; place(mark); }
  });
  document.addEventListener("scroll", again, true);  // the box's, too (it does not bubble)
  window.addEventListener("resize", again);
}());
