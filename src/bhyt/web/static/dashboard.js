// The trend chart: the data comes from the page's JSON block (no inline script, see the CSP).
(function () {
  const canvas = document.getElementById("trend-chart");
  const source = document.getElementById("trend-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const datasets = [{ label: canvas.dataset.coverageLabel || "Tỷ lệ bao phủ (%)", data: data.coverage,
                      borderColor: "#0b6e4f", backgroundColor: "#0b6e4f", tension: 0.2 }];
  if (data.target !== null) {
    datasets.push({ label: canvas.dataset.targetLabel || "Chỉ tiêu (%)", data: data.labels.map(() => data.target),
                    borderColor: "#b5179e", borderDash: [6, 4], pointRadius: 0 });
  }
  new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets: datasets },
    options: { animation: false, scales: { y: { suggestedMin: 80, suggestedMax: 100 } } },
  });
})();

// The units at risk come from the API after the page has shown: they take longest to compute the first
// time, and the rest of the dashboard should not wait for them. Without scripts, the link still leads there.
(function () {
  const panel = document.getElementById("risk-panel");
  if (!panel) return;
  const list = document.getElementById("risk-list");
  const status = document.getElementById("risk-status");
  const shown = 5;
  fetch(panel.dataset.source, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then((rows) => {
      status.textContent = rows.length ? rows.length + " " + list.dataset.count : list.dataset.none;
      rows.slice(0, shown).forEach((row) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = "/units/" + encodeURIComponent(row.unit_code);
        link.textContent = row.unit_name;
        item.appendChild(link);
        item.appendChild(document.createTextNode(": " + row.reasons.join("; ")));
        item.dataset.unit = row.unit_code;
        list.appendChild(item);
      });
    })
    .catch(() => { status.textContent = ""; });
})();
