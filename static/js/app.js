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

  // The color-card move: show the chosen target's requirements and the fields that fill them;
  // tick each requirement as soon as its field holds a value (the server checks again).
  var moveForm = document.querySelector("form[data-move-form]");
  if (moveForm) {
    var valueOf = function (name) {
      var input = moveForm.querySelector("[name=" + name + "]");
      return input ? input.value.trim() : "";
    };
    var recheck = function () {
      moveForm.querySelectorAll(".req-panel:not([hidden]) li[data-field]").forEach(function (li) {
        var name = li.dataset.field;
        var asked = moveForm.querySelector(".move-field:not([hidden]) [name=" + name + "]");
        var filled = valueOf(name) !== "";
        // A requirement the project already has keeps its tick when this move does not ask it.
        if (!asked && name !== "reason" && li.hasAttribute("data-had")) { filled = true; }
        li.classList.toggle("met", filled);
        li.classList.toggle("unmet", !filled);
      });
    };
    var showMove = function () {
      var chosen = moveForm.querySelector("input[name=to]:checked");
      var target = chosen ? chosen.value : "";
      moveForm.querySelectorAll(".req-panel").forEach(function (panel) {
        panel.hidden = panel.dataset.target !== target;
      });
      moveForm.querySelectorAll(".move-field").forEach(function (wrap) {
        wrap.hidden = !target || wrap.dataset.targets.split(" ").indexOf(target) < 0;
      });
      recheck();
    };
    moveForm.querySelectorAll("input[name=to]").forEach(function (radio) {
      radio.addEventListener("change", showMove);
    });
    moveForm.addEventListener("input", recheck);
    showMove();
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
