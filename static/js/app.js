// Small behaviours shared by all pages; no framework beyond htmx.
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector(".nav-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      document.querySelector(".nav").classList.toggle("open");
    });
  }
});
// Behaviours of particular pages, started by what the page contains. Kept here rather than in
// inline <script> blocks: the Content-Security-Policy allows scripts from this site's files only.
document.addEventListener("DOMContentLoaded", function () {
  // The list filters: open on a desktop; on a phone folded until asked for (or in use).
  if (window.matchMedia("(min-width: 721px)").matches) {
    document.querySelectorAll("details[data-open-on-desktop]").forEach(function (box) {
      box.open = true;
    });
  }

  // A print button.
  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // The color-card move: show the chosen target's requirements and name the date it records.
  var radios = document.querySelectorAll("input[name=to]");
  var panels = document.querySelectorAll(".req-panel");
  if (radios.length && panels.length) {
    var onLabel = document.getElementById("on-label");
    var defaultLabel = onLabel ? onLabel.textContent : "";
    var showRequirements = function () {
      var chosen = document.querySelector("input[name=to]:checked");
      panels.forEach(function (panel) {
        var active = chosen && panel.dataset.target === chosen.value;
        panel.hidden = !active;
        if (active && onLabel) { onLabel.textContent = panel.dataset.dateLabel || defaultLabel; }
      });
    };
    radios.forEach(function (radio) { radio.addEventListener("change", showRequirements); });
    showRequirements();
  }

  // The project form: only the chosen chain's links (the server checks the pair on save).
  var chain = document.getElementById("id_chain");
  var link = document.getElementById("id_chain_link");
  if (chain && link) {
    var filterLinks = function () {
      Array.prototype.forEach.call(link.options, function (option) {
        var other = option.dataset.chain && chain.value && option.dataset.chain !== chain.value;
        option.hidden = option.disabled = Boolean(other);
        if (other && option.selected) { link.value = ""; }
      });
    };
    chain.addEventListener("change", filterLinks);
    filterLinks();
  }
});
// htmx sends Django's CSRF token with every request.
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("meta[name=csrf-token]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
});
