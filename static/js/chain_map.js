// The chain map works and prints without this script; it only adds two conveniences:
// clicking a color in the legend highlights that color's projects, and a box hides the links
// that have no gap. Printing always shows everything (see the print CSS).
document.addEventListener("DOMContentLoaded", function () {
  document.documentElement.classList.add("js");
  var markers = document.querySelectorAll(".marker[data-stage]");
  var legendItems = document.querySelectorAll(".legend-item[data-stage]");
  var current = null;

  legendItems.forEach(function (item) {
    item.addEventListener("click", function () {
      current = current === item.dataset.stage ? null : item.dataset.stage;
      legendItems.forEach(function (other) {
        other.setAttribute("aria-pressed", String(other.dataset.stage === current));
      });
      markers.forEach(function (marker) {
        marker.classList.toggle("dim", current !== null && marker.dataset.stage !== current);
      });
    });
  });

  var onlyGaps = document.querySelector("[data-only-gaps]");
  if (onlyGaps) {
    onlyGaps.addEventListener("change", function () {
      document.querySelectorAll(".chain-map .link-box").forEach(function (box) {
        // A sub-chain stays while any link under it has a gap.
        var hasGap = box.dataset.gap === "1" || box.querySelector(".link-box[data-gap='1']");
        box.classList.toggle("filtered-out", onlyGaps.checked && !hasGap);
      });
    });
  }

  var print = document.querySelector("[data-print]");
  if (print) {
    print.addEventListener("click", function () { window.print(); });
  }
});
