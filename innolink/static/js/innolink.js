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

// Long checkbox lists: an <input data-filter-list="ID"> shows only the labels of #ID whose text
// contains what was typed (case-insensitive); ticked boxes stay visible so nothing is lost.
document.addEventListener("input", (event) => {
  const box = event.target.closest("input[data-filter-list]");
  if (!box) return;
  const needle = box.value.trim().toLowerCase();
  const list = document.getElementById(box.dataset.filterList);
  if (!list) return;
  let shown = 0;
  list.querySelectorAll("label").forEach((label) => {
    const ticked = label.querySelector("input:checked") !== null;
    const match = !needle || ticked || label.textContent.toLowerCase().includes(needle);
    label.hidden = !match;
    if (match) shown += 1;
  });
  const count = document.getElementById(box.dataset.filterList + "-count");
  if (count) count.textContent = String(shown);
});
