// Color board: dragging a card onto another column opens that card's transition form with
// the column as the target, where the move's requirements are shown. The "变更色卡" link on
// each card does the same without dragging (phones).
document.addEventListener("DOMContentLoaded", function () {
  var board = document.getElementById("board");
  if (!board) { return; }
  var dragged = null;
  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest(".board-card[data-transition-url]");
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.project);
  });
  board.addEventListener("dragend", function () {
    dragged = null;
    board.querySelectorAll(".drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  });
  board.querySelectorAll(".column").forEach(function (column) {
    column.addEventListener("dragover", function (event) {
      if (!dragged || dragged.closest(".column") === column) { return; }
      event.preventDefault();
      column.classList.add("drop-target");
    });
    column.addEventListener("dragleave", function () { column.classList.remove("drop-target"); });
    column.addEventListener("drop", function (event) {
      if (!dragged || dragged.closest(".column") === column) { return; }
      event.preventDefault();
      window.location.href = dragged.dataset.transitionUrl + "?to=" + encodeURIComponent(column.dataset.stage);
    });
  });
});
