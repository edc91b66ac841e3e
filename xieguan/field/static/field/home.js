// The home view: the outbox, newest first, and what is due this month.
import { app, el, labels } from "./shell.js";
import { all } from "./outbox.js";
import { problemText } from "./forms.js";
import { title, unitName } from "./records.js";

export async function renderHome() {
  const recs = (await all("records")).sort((a, b) => (a.updated_at < b.updated_at ? 1 : -1));
  const list = document.getElementById("outbox");
  list.textContent = "";
  document.getElementById("empty").hidden = recs.length > 0;
  for (const rec of recs) {
    const li = el("li");
    li.dataset.id = rec.id;
    li.dataset.state = rec.state;
    const a = el("a");
    if (rec.state === "draft" || rec.state === "attention") a.href = "#" + rec.kind + "/" + rec.id;
    a.appendChild(el("span", "title", title(rec)));
    a.appendChild(el("span", "badge " + rec.state, labels[rec.state]));
    a.appendChild(el("span", "muted small", labels[rec.kind] +
      (rec.photos.length ? " · " + rec.photos.length + " " + labels.photos : "")));
    if (rec.detail) a.appendChild(el("span", "error small", " " + rec.detail));
    li.appendChild(a);
    // What the server refused: once each, in the form's words, each a link
    // that opens the record at that field.
    if (rec.state === "attention" && rec.problems && rec.problems.length) {
      const problems = el("ul", "problems");
      for (const p of rec.problems) {
        const link = el("a", "error small", problemText(rec.kind, p));
        link.href = "#" + rec.kind + "/" + rec.id + (p.field ? "/" + p.field : "");
        const item = el("li");
        item.appendChild(link);
        problems.appendChild(item);
      }
      li.appendChild(problems);
    }
    list.appendChild(li);
  }
  const boot = app.boot;
  const due = document.getElementById("due");
  due.textContent = "";
  const rows = boot ? boot.due : [];
  document.getElementById("no-due").hidden = rows.length > 0;
  for (const row of rows.slice(0, 50)) {
    const li = el("li", "", (row.unit_name || unitName(row.unit_id)) + " ");
    if (row.campaign) li.appendChild(el("span", "badge campaign", row.campaign));
    li.appendChild(el("span", "badge " + (row.state === "overdue" ? "attention" : "waiting"), row.window_end));
    due.appendChild(li);
  }
  // The one due list (GET /api/due), soonest first, as of the last sync.
  const dueList = document.getElementById("due-list");
  dueList.textContent = "";
  const items = boot && boot.due_list ? boot.due_list : [];
  document.getElementById("no-due-list").hidden = items.length > 0;
  for (const item of items.slice(0, 50)) {
    const li = el("li", item.overdue ? "overdue" : "");
    li.dataset.kind = item.kind;
    const a = el("a", "", item.label);
    a.href = item.url;
    li.appendChild(a);
    const when = String(item.due).slice(5, item.all_day ? 10 : 16).replace("T", " ");
    li.appendChild(el("span", "badge " + (item.overdue ? "attention" : "waiting"), when));
    li.appendChild(el("span", "muted small", " " + item.kind_label + " · " + item.responsible));
    dueList.appendChild(li);
  }
  const asOf = document.getElementById("as-of");
  asOf.textContent = boot && boot.loaded_at ? asOf.dataset.label + " " + new Date(boot.loaded_at).toLocaleString() : "";
}
