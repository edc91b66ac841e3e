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
    : kind === "visit" ? { visited_on: localInput(new Date(), false), kind: "monthly",
        area_id: boot && (boot.visit_stations || []).length ? boot.visit_stations[0].id : "",
        supervisors: boot ? boot.user.full_name : "" }
    : { date: localInput(new Date(), false), audience_count: "0", form: "lecture",
        area_id: boot && boot.user.area_id ? boot.user.area_id : "" };
  if (kind === "report" && boot && boot.report_categories.length) data.category = boot.report_categories[0].code;
  const rec = { id: uuid(), kind, state: "draft", data, photos: [], signatures: {}, steps: {},
                created: false, detail: "", updated_at: now() };
  await put("records", rec);
  location.hash = kind + "/" + rec.id;
}

const PATHS = { report: "/reports", inspection: "/inspections", visit: "/station-visits" };
export const endpoint = (rec) => PATHS[rec.kind] || "/outreach";

/* The body of a report, a publicity record or a station visit. */
export function payload(rec) {
  const d = rec.data;
  const num = (v) => { const n = parseInt(v, 10); return isNaN(n) ? 0 : n; };
  if (rec.kind === "visit") {
    return {
      id: rec.id, area_id: d.area_id || null, kind: d.kind || "monthly", visited_on: d.visited_on || null,
      supervisors: d.supervisors || "", items: d.items || "", findings: d.findings || "",
      score: d.score === undefined || d.score === "" ? null : String(d.score),
    };
  }
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
           representative: d.representative || "", place: d.place || "",
           inspector_ids: [app.boot.user.id, d.second_id].filter(Boolean) };
}

/* Whether the form may change the record: always before the server has it;
   an inspection the server refused to submit stays a draft there, so it is
   corrected on the phone and sent again (only its unit and time are fixed). */
export function editable(rec) {
  if (!rec.created) return true;
  return rec.kind === "inspection" && rec.state === "attention" && !(rec.steps || {}).submitted;
}

/* Who signs: both inspectors, and the representative or their refusal. */
export function signers(rec) {
  const d = rec.data;
  const rep = d.rep_refused ? { key: "rep", role: "representative", refused: true }
    : { key: "rep", role: "representative", name: d.representative || "" };
  return [{ key: "me", role: "inspector", user_id: app.boot.user.id },
          { key: "second", role: "inspector", user_id: d.second_id }, rep];
}

/* The server's submit rule (inspections.services.records.submit_problems),
   with the numbers the bootstrap brought, checked on the phone so that
   nothing is sent that the server would refuse: the first problem, as
   { field, text }, or null. */
export function inspectionProblem(rec) {
  const d = rec.data;
  const items = checklistItems(d.unit_id);
  const answers = { field: "answers", text: labels.needAnswers };
  let failing = false;
  for (const it of items) {
    const a = d["ans-" + it.id];
    if (!a || (a === "fails" && !(d["note-" + it.id] || "").trim())) return answers;
    if (a === "fails") failing = true;
  }
  if (!items.length) return answers;
  if (failing && (d.overall_result === "conforming" || !(d.problems || "").trim())) {
    return { field: "problems", text: labels.needProblems };
  }
  const rules = (app.boot && app.boot.inspection_rules) || { min_inspectors: 2 };
  const inspectors = new Set([app.boot.user.id, d.second_id].filter(Boolean));
  if (inspectors.size < rules.min_inspectors) {
    return { field: "inspectors", text: labels.needInspectors.replace("{n}", rules.min_inspectors) };
  }
  const needed = photosRequired(d.unit_id);
  if (rec.photos.length < needed) return { field: "photos", text: labels.needPhotos.replace("{n}", needed) };
  const s = rec.signatures || {};
  if (!s.me || !s.second || (!d.rep_refused && (!s.rep || !(d.representative || "").trim()))) {
    return { field: "signatures", text: labels.needSignatures };
  }
  return null;
}

export function unitOf(id) {
  return (app.boot && app.boot.units.find((u) => u.id === id)) || null;
}

export function unitName(id) {
  const u = unitOf(id);
  return u ? u.name : id;
}

function checklistOf(unitId) {
  const u = unitOf(unitId);
  return (u && app.boot.checklists.find((c) => c.id === u.checklist_id)) || null;
}

export function checklistItems(unitId) {
  const list = checklistOf(unitId);
  return list ? list.items : [];
}

/* The photos the unit's checklist asks for (2 when a kept bootstrap is
   older than the rule). */
export function photosRequired(unitId) {
  const list = checklistOf(unitId);
  return list && list.photos_required !== undefined ? list.photos_required : 2;
}

/* What the outbox shows for a record. */
export function title(rec) {
  const d = rec.data;
  if (rec.kind === "inspection") return d.unit_id ? unitName(d.unit_id) : "—";
  if (rec.kind === "visit") {
    const st = ((app.boot && app.boot.visit_stations) || []).find((a) => a.id === d.area_id);
    return (st ? st.name + " " : "") + (d.visited_on || "");
  }
  return (rec.kind === "report" ? d.content || d.place : d.theme || d.place) || "—";
}

/* An inspection's GPS fix as a photo upload sends it (stamped on the
   photo), or null: other records and a record without a fix send none. */
export function fixOf(rec) {
  const d = rec.data || {};
  if (rec.kind !== "inspection" || !d.latitude || !d.longitude) return null;
  const acc = d.accuracy_m;
  return { latitude: Number(d.latitude), longitude: Number(d.longitude),
           accuracy_m: acc === undefined || acc === null || acc === "" ? null : Number(acc) };
}
