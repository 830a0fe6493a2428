// Small behaviours shared by every page. Charts: elements with data-chart hold their data as JSON.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    if (typeof Chart === "undefined") return;
    const spec = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    const palette = ["#c0392b", "#2c6fbb", "#2e8b57", "#d68910", "#7d3c98"];
    new Chart(canvas, {
      type: spec.type || "line",
      data: {
        labels: spec.labels,
        datasets: spec.series.map((s, i) => ({
          label: s.label, data: s.values, borderColor: palette[i % palette.length],
          backgroundColor: palette[i % palette.length], tension: 0.2,
        })),
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { position: "bottom" } } },
    });
  });
});
