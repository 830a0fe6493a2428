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
          // money arrives as exact decimal text (Decimal in JSON); the chart is where it becomes a number
          label: s.label, data: s.values.map((v) => (v === null ? null : Number(v))), borderColor: palette[i % palette.length],
          backgroundColor: palette[i % palette.length], tension: 0.2,
        })),
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { position: "bottom" } } },
    });
  });
});

// Behaviours named by data attributes, so no page needs inline script (the Content-Security-
// Policy allows scripts from this site only): data-autosubmit submits its form on change,
// data-check-all="name" ticks every checkbox of that name, data-print prints, data-confirm asks
// before its form is sent, data-back goes back when there is a page to go back to.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]") && el.form) el.form.submit();
  if (el.matches("input[data-check-all]")) {
    document.querySelectorAll(`input[name="${el.dataset.checkAll}"]`).forEach((box) => {
      box.checked = el.checked;
    });
  }
});
document.addEventListener("click", (event) => {
  const print = event.target.closest("[data-print]");
  if (print) window.print();
  const back = event.target.closest("a[data-back]");
  if (back && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
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
