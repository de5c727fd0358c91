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

// A voucher file as base64, so the purchase stays one JSON request with our header.
function readVoucher(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] ?? "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function submitPurchase(form) {
  const result = form.querySelector(".gp-result");
  const data = new FormData(form);
  const file = data.get("voucher");
  data.delete("voucher");
  const body = Object.fromEntries(data.entries());
  if (file && file.size > 0) {
    body.voucher_name = file.name;
    body.voucher_data = await readVoucher(file);
  }
  body.citizen = form.dataset.citizen;
  body.lang = form.dataset.lang;
  const response = await fetch(form.dataset.endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Grantpool": "purchase" },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  const lines = [answer.message, ...answer.findings.map((f) => `${f.severity} [${f.rule}] ${f.message}`)];
  result.textContent = lines.join(" · ");
  result.className = `gp-result ${answer.ok ? "" : "gp-error"}`;
  if (answer.ok) {
    // Show the page again with the confirmation and the new statement line marked.
    const url = new URL(window.location.href);
    url.searchParams.set("recorded", answer.recorded);
    window.location.assign(url.toString());
  }
}

export default {
  onExtensionPageLoad() {
    document.querySelectorAll("form.gp-purchase").forEach((form) => {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        submitPurchase(form);
      });
      form.dataset.ready = "1";
    });
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
