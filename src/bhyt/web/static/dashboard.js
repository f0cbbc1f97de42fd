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
