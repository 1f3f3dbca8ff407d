// Follows a recomputation of the quality indicators: polls its status, moves the progress bar, and
// reloads the page when it is over. Without JavaScript the page offers a link to reload it.
(function () {
  var box = document.querySelector("[data-run-status]");
  if (!box) return;
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-run-text]");
  function poll() {
    fetch(box.getAttribute("data-run-status"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (run) {
        bar.max = run.total || 1;
        bar.value = run.done;
        text.textContent = run.done + " / " + run.total + " — " + run.status_label;
        if (run.status === "done" || run.status === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 800);
})();
