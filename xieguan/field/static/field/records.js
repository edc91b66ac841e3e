// What a record is on the phone and what the API is sent for it: a new
// record's first values, the request bodies, the inspection's own rules, and
// the lookups into what the bootstrap brought (units, checklists).
import { app, labels } from "./shell.js";
import { now, put, uuid } from "./outbox.js";

function localInput(date, withTime) {
  const d = new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString();
  return withTime ? d.slice(0, 16) : d.slice(0, 10);
}

/* A new draft of that kind, kept at once, and its form opened. */
export async function newRecord(kind) {
  const boot = app.boot;
  const data = kind === "report" ? { found_at: localInput(new Date(), true), affected_count: "0" }
    : kind === "inspection" ? { started_at: localInput(new Date(), true) }
    : { date: localInput(new Date(), false), audience_count: "0", form: "lecture",
        area_id: boot && boot.user.area_id ? boot.user.area_id : "" };
  if (kind === "report" && boot && boot.report_categories.length) data.category = boot.report_categories[0].code;
  const rec = { id: uuid(), kind, state: "draft", data, photos: [], signatures: {}, steps: {},
                created: false, detail: "", updated_at: now() };
  await put("records", rec);
  location.hash = kind + "/" + rec.id;
}

export const endpoint = (rec) =>
  (rec.kind === "report" ? "/reports" : rec.kind === "inspection" ? "/inspections" : "/outreach");

/* The body of a report or a publicity record. */
export function payload(rec) {
  const d = rec.data;
  const num = (v) => { const n = parseInt(v, 10); return isNaN(n) ? 0 : n; };
  if (rec.kind === "report") {
    return {
      id: rec.id, category: d.category, found_at: d.found_at ? new Date(d.found_at).toISOString() : null,
      place: d.place || "", content: d.content || "", affected_count: num(d.affected_count),
      unit_id: d.unit_id || null,
    };
  }
  return {
    id: rec.id, area_id: d.area_id || null, date: d.date || null, place: d.place || "", form: d.form,
    theme: d.theme || "", audience: d.audience || "", audience_count: num(d.audience_count),
    unit_id: d.form === labels.guidance && d.unit_id ? d.unit_id : null,
  };
}

const dec = (v) => (v === undefined || v === "" || v === null ? null : String(v));

/* The inspection record in the API's two steps: the create (unit, time,
   inspectors, GPS) and the draft's content (answers, result, problems). */
export function inspectionCreate(rec) {
  const d = rec.data;
  return {
    id: rec.id, unit_id: d.unit_id, started_at: new Date(d.started_at).toISOString(),
    device_time: new Date(rec.updated_at).toISOString(),
    inspector_ids: [app.boot.user.id, d.second_id].filter(Boolean), place: d.place || "",
    latitude: dec(d.latitude), longitude: dec(d.longitude), accuracy_m: d.accuracy_m ? Number(d.accuracy_m) : null,
  };
}

export function inspectionPatch(rec) {
  const d = rec.data;
  const answers = checklistItems(d.unit_id).map((it) => (
    { item_id: it.id, result: d["ans-" + it.id] || "", note: (d["note-" + it.id] || "").slice(0, 300) }));
  return { answers, overall_result: d.overall_result || "", problems: d.problems || "",
           representative: d.representative || "", place: d.place || "" };
}

/* Who signs: both inspectors, and the representative or their refusal. */
export function signers(rec) {
  const d = rec.data;
  const rep = d.rep_refused ? { key: "rep", role: "representative", refused: true }
    : { key: "rep", role: "representative", name: d.representative || "" };
  return [{ key: "me", role: "inspector", user_id: app.boot.user.id },
          { key: "second", role: "inspector", user_id: d.second_id }, rep];
}

/* The web form's rules, checked on the phone so that nothing is sent that
   the server would refuse at submit. */
export function inspectionProblem(rec) {
  const d = rec.data;
  const items = checklistItems(d.unit_id);
  let failing = false;
  for (const it of items) {
    const a = d["ans-" + it.id];
    if (!a || (a === "fails" && !(d["note-" + it.id] || "").trim())) return labels.needAnswers;
    if (a === "fails") failing = true;
  }
  if (!items.length) return labels.needAnswers;
  if (failing && (d.overall_result === "conforming" || !(d.problems || "").trim())) return labels.needProblems;
  if (rec.photos.length < 2) return labels.needPhotos;
  const s = rec.signatures || {};
  if (!s.me || !s.second || (!d.rep_refused && (!s.rep || !(d.representative || "").trim()))) {
    return labels.needSignatures;
  }
  return "";
}

export function unitOf(id) {
  return (app.boot && app.boot.units.find((u) => u.id === id)) || null;
}

export function unitName(id) {
  const u = unitOf(id);
  return u ? u.name : id;
}

export function checklistItems(unitId) {
  const u = unitOf(unitId);
  const list = u && app.boot.checklists.find((c) => c.id === u.checklist_id);
  return list ? list.items : [];
}

/* What the outbox shows for a record. */
export function title(rec) {
  const d = rec.data;
  if (rec.kind === "inspection") return d.unit_id ? unitName(d.unit_id) : "—";
  return (rec.kind === "report" ? d.content || d.place : d.theme || d.place) || "—";
}
