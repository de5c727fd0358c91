// Sortable tables on the grant pool pages: click a header to sort, again to reverse.
function sortTable(table, column, kind, descending) {
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const key = (row) => {
    const cell = row.cells[column];
    const value = cell.dataset.value ?? cell.textContent.trim();
    return kind === "num" ? parseFloat(value) : value.toLowerCase();
  };
  rows.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return descending ? -order : order;
  });
  rows.forEach((row) => body.appendChild(row));
}

export default {
  onExtensionPageLoad() {
    document.querySelectorAll("table.gp-sortable").forEach((table) => {
      table.querySelectorAll("th[data-sort]").forEach((th, column) => {
        th.addEventListener("click", () => {
          const descending = th.dataset.order !== "desc";
          th.dataset.order = descending ? "desc" : "asc";
          sortTable(table, column, th.dataset.sort, descending);
        });
      });
    });
  },
};
