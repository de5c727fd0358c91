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

// The form's fields as one JSON body: a voucher file as base64 in it.
async function formBody(form) {
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
  return body;
}

// Post the form to its endpoint with our header and the session's CSRF token; show the
// answer, and after a recorded entry show the page again with it marked (*param*).
async function submit(form, endpoint, param) {
  const result = form.querySelector(".gp-result");
  const response = await fetch(form.dataset.endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Grantpool": endpoint,
      "X-CSRF-Token": form.dataset.csrf ?? "",
    },
    body: JSON.stringify(await formBody(form)),
  });
  let answer;
  try {
    answer = await response.json();
  } catch {
    answer = { ok: false, message: `${response.status} ${response.statusText}`, findings: [] };
  }
  const findings = answer.findings ?? [];
  const lines = [answer.message, ...findings.map((f) => `${f.severity} [${f.rule}] ${f.message}`)];
  result.textContent = lines.join(" · ");
  result.className = `gp-result ${answer.ok ? "" : "gp-error"}`;
  if (answer.ok) {
    const url = new URL(window.location.href);
    url.searchParams.delete("recorded");
    url.searchParams.delete("entered");
    url.searchParams.set(param, answer[param]);
    window.location.assign(url.toString());
  }
}

// The entry form shows (and sends) only the fields its kind takes.
function showFields(form) {
  const kind = form.elements.kind.value;
  form.querySelectorAll("label[data-kinds]").forEach((label) => {
    const used = label.dataset.kinds.split(" ").includes(kind);
    label.hidden = !used;
    label.querySelectorAll("input, select").forEach((field) => {
      field.disabled = !used;
      field.required = (label.dataset.required ?? "").split(" ").includes(kind);
    });
  });
}

function attach(selector, endpoint, param) {
  document.querySelectorAll(selector).forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit(form, endpoint, param);
    });
    if (form.elements.kind) {
      form.elements.kind.addEventListener("change", () => showFields(form));
      showFields(form);
    }
    form.dataset.ready = "1";
  });
}

export default {
  onExtensionPageLoad() {
    attach("form.gp-purchase", "purchase", "recorded");
    attach("form.gp-entry", "entry", "entered");
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
