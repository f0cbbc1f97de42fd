// Follows a running import: asks the server for its step every second and shows the result page when
// it is over. Without JavaScript the page refreshes itself (a <noscript> meta refresh) instead.
(function () {
  "use strict";
  var panel = document.getElementById("import-progress");
  if (!panel) { return; }
  var bar = document.getElementById("import-bar");
  var step = document.getElementById("import-step");
  var url = panel.getAttribute("data-status-url");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        // Unknown job (the server restarted): the page itself says so.
        if (response.status === 404) { window.location.reload(); return new Promise(function () {}); }
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (status) {
        if (status.finished) { window.location.reload(); return; }
        bar.value = status.done;
        if (status.step) { step.textContent = status.step; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
}());
