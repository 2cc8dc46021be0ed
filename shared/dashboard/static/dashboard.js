// The qjobs dashboard: the caller's jobs, one job's input, timings and result, cancel, submit.
// Talks only to this API (same origin); the API key lives in sessionStorage for this tab.
// The URL's fragment holds what the user looks at (#status=…&target=…&name=…&tag=…&job=<id>),
// so a reload or a shared link shows the same list and job.
"use strict";

const KEY_STORAGE = "qjobs.apiKey";
const API = location.pathname.replace(/\/dashboard(\/(index\.html)?)?$/, "");
const LIST_REFRESH_MS = 2000;
const DETAIL_REFRESH_MS = 1000;
const PAGE_SIZE = 25;
const ITEM_ROWS = 100; // a batch's item table shows this many rows at a time
const FINAL = new Set(["succeeded", "failed", "cancelled"]);
const PROGRAM_KINDS = new Set(["circuit", "qsharp"]);
const FILTERS = ["status", "target", "name", "tag"];
const BELL = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nbit[2] c;\nh q[0];\n' +
  "cx q[0], q[1];\nc = measure q;\n";
const EXAMPLES = {
  number_partitioning: { weights: [5, 11, 8, 7, 1, 1] },
  ising: { terms: [{ c: -1, ids: [0, 1] }, { c: -1, ids: [1, 2] }, { c: 1, ids: [0, 2] }] },
  pubo: { terms: [{ c: 1, ids: [0] }, { c: -3, ids: [0, 1] }, { c: 2, ids: [1, 2] }] },
  circuit: { source: BELL, shots: 200 },
  qsharp: {
    source: "operation GetRandomBit() : Result {\n    use q = Qubit();\n    H(q);\n" +
      "    return M(q);\n}\n",
    entry: "GetRandomBit()",
    shots: 100,
  },
};

const $ = (id) => document.getElementById(id);
const state = {
  jobs: [], next: null, pages: 1, selected: null, targets: [], listTimer: 0, detailTimer: 0,
  aborter: new AbortController(), cancelRequested: new Set(),
  // A running batch's item counters by job id; the ids of running programs that are no batch.
  progress: new Map(), notBatches: new Set(),
};

function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

class Problem extends Error {
  constructor(status, body) {
    const text = body && body.title ? body.title + (body.detail ? ": " + body.detail : "") : "";
    super(text || "HTTP " + status);
    this.status = status;
    this.body = body;
  }
}

async function call(method, path, body, headers) {
  const key = apiKey();
  if (!key) throw new Problem(401, null);
  const init = {
    method, signal: state.aborter.signal, headers: { Authorization: "Bearer " + key, ...headers },
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path.startsWith("/") ? path : API + "/" + path, init);
  const document = await response.json().catch(() => null);
  if (response.status === 401) signOut("The API key was not accepted.");
  if (!response.ok) throw new Problem(response.status, document);
  return document;
}

/** An error worth showing: not one from a request stopped by signing out. */
function shown(error) {
  return error.name !== "AbortError" && error.status !== 401;
}

function say(text) {
  $("message").textContent = text;
  $("message").hidden = !text;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

/** One time format everywhere: local time, the UTC instant on hover. */
function timeOf(iso) {
  if (!iso) return el("span", "—");
  const node = el("time", new Date(iso).toLocaleString());
  node.dateTime = iso;
  node.title = new Date(iso).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return node;
}

function copyButton(text, what) {
  const button = el("button", "Copy", "copy");
  button.type = "button";
  button.setAttribute("aria-label", "Copy " + what + " " + text);
  button.addEventListener("click", async (event) => {
    event.stopPropagation();
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Copy failed";
    }
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
  return button;
}

function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, "0")).join("");
}

// ----------------------------------------------------------------------------- the URL

function hashParams() {
  return new URLSearchParams(location.hash.slice(1));
}

/** Write the filters and the open job into the fragment (no history entry, no event). */
function writeHash() {
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const value = $("filter-" + name).value.trim();
    if (value) params.set(name, value);
  }
  if (state.selected) params.set("job", state.selected);
  const hash = params.toString();
  history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
}

/** Show what the fragment names: its filters and its job. */
function readHash() {
  const params = hashParams();
  let changed = false;
  for (const name of FILTERS) {
    const control = $("filter-" + name);
    const value = params.get(name) || "";
    if (control.tagName === "SELECT" && value && !Array.from(control.options).some((o) => o.value === value)) {
      control.add(new Option(value, value));
    }
    if (control.value !== value) {
      control.value = value;
      changed = true;
    }
  }
  const job = params.get("job");
  if (job && job !== state.selected) showJob(job);
  if (!job && state.selected) closeDetail();
  return changed;
}

// ----------------------------------------------------------------------------- sign in / out

function signIn(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
  say("");
  start();
}

/** Signed out means signed out: the key is forgotten, requests in flight are stopped,
 * timers end and nothing of the app stays on the page. */
function signOut(why) {
  sessionStorage.removeItem(KEY_STORAGE);
  state.aborter.abort();
  state.aborter = new AbortController();
  clearTimeout(state.listTimer);
  clearTimeout(state.detailTimer);
  Object.assign(state, { jobs: [], next: null, pages: 1, selected: null });
  state.cancelRequested.clear();
  state.progress.clear();
  state.notBatches.clear();
  $("jobs").tBodies[0].replaceChildren();
  $("detail").hidden = true;
  $("detail-input").textContent = "";
  $("detail-result").replaceChildren();
  $("submit-message").textContent = "";
  $("app").hidden = true;
  $("sign-out").hidden = true;
  $("live").hidden = true;
  $("login").hidden = false;
  say(why || "");
}

async function start() {
  $("login").hidden = true;
  $("app").hidden = false;
  $("sign-out").hidden = false;
  try {
    await loadTargets();
    readHash();
    await refreshList();
  } catch (error) {
    if (shown(error)) say(error.message);
  }
}

// ----------------------------------------------------------------------------- live refresh

function live() {
  return Boolean(apiKey()) && document.visibilityState !== "hidden";
}

function showLive() {
  const indicator = $("live");
  indicator.hidden = !apiKey();
  const paused = document.visibilityState === "hidden";
  indicator.textContent = paused ? "paused (tab hidden)" : "live";
  indicator.classList.toggle("paused", paused);
}

document.addEventListener("visibilitychange", () => {
  showLive();
  if (!apiKey()) return;
  if (live()) {
    refreshList();
    if (state.selected) refreshDetail(state.selected);
  } else {
    clearTimeout(state.listTimer);
    clearTimeout(state.detailTimer);
  }
});

// ----------------------------------------------------------------------------- targets, form

async function loadTargets() {
  const document = await call("GET", "targets");
  state.targets = document.targets;
  const filter = $("filter-target");
  filter.replaceChildren(new Option("all", ""));
  for (const target of state.targets) filter.add(new Option(target.name, target.name));
  const kinds = $("new-kind");
  if (!kinds.options.length) {
    for (const kind of Object.keys(EXAMPLES)) kinds.add(new Option(kind, kind));
    fillForm({ kind: "number_partitioning", input: EXAMPLES.number_partitioning });
  }
}

function fillTargets(chosen) {
  const kind = $("new-kind").value;
  const select = $("new-target");
  select.replaceChildren();
  for (const target of state.targets.filter((t) => t.kinds.includes(kind))) {
    const label = target.location === "local" ? target.name
      : target.name + " (" + target.availability + ")";
    select.add(new Option(label, target.name));
  }
  if (chosen && !Array.from(select.options).some((o) => o.value === chosen)) {
    select.add(new Option(chosen, chosen));
  }
  if (chosen) select.value = chosen;
}

/** The form shows a job: its kind, target, name; a program as text; the rest as JSON. */
function fillForm(job) {
  $("new-kind").value = job.kind;
  fillTargets(job.target);
  $("new-name").value = job.name || "";
  // A field the job left to its default reads back as null: left out, the default applies.
  const given = Object.fromEntries(Object.entries(job.input).filter(([, v]) => v !== null));
  const { source, entry, ...rest } = given;
  const program = PROGRAM_KINDS.has(job.kind);
  $("source-field").hidden = !program;
  $("entry-field").hidden = job.kind !== "qsharp";
  $("new-source").value = program ? source || "" : "";
  $("new-entry").value = job.kind === "qsharp" ? entry || "" : "";
  $("fields-label").textContent = program ? "Other fields (JSON: shots, seed, …)" : "Fields (JSON)";
  const compact = JSON.stringify(rest, null, 1).replace(/\n */g, " ");
  $("new-fields").value = compact.length <= 60 ? compact : JSON.stringify(rest, null, 2);
  clearInvalid();
}

function showExample() {
  const kind = $("new-kind").value;
  fillForm({ kind, input: EXAMPLES[kind] });
}

function clearInvalid() {
  for (const node of document.querySelectorAll("#submit-form .invalid")) {
    node.classList.remove("invalid");
    node.removeAttribute("aria-invalid");
    node.removeAttribute("aria-describedby");
  }
}

/** The form control a problem's JSON pointer names. */
function controlAt(pointer) {
  const field = (pointer || "").split("/")[1] || "";
  const controls = { kind: "new-kind", target: "new-target", name: "new-name", source: "new-source",
    entry: "new-entry" };
  const id = controls[field] || "new-fields";
  return $(id).closest("[hidden]") ? $("new-fields") : $(id);
}

function tellSubmission(text, ok) {
  const message = $("submit-message");
  message.textContent = text;
  message.className = ok ? "done" : "failed";
}

async function submitJob(event) {
  event.preventDefault();
  clearInvalid();
  let fields;
  try {
    fields = JSON.parse($("new-fields").value || "{}");
  } catch (error) {
    markInvalid($("new-fields"));
    tellSubmission("The fields are not JSON: " + error.message);
    return;
  }
  const kind = $("new-kind").value;
  const job = { ...fields, kind };
  if (PROGRAM_KINDS.has(kind)) job.source = $("new-source").value;
  if (kind === "qsharp") job.entry = $("new-entry").value;
  if ($("new-target").value) job.target = $("new-target").value;
  if ($("new-name").value.trim()) job.name = $("new-name").value.trim();
  try {
    const status = await call("POST", "jobs", job, { "Idempotency-Key": newIdempotencyKey() });
    tellSubmission("Submitted job " + status.id + ".", true);
    await refreshList();
    openJob(status.id);
  } catch (error) {
    if (!shown(error)) return;
    const errors = error.body && error.body.errors ? error.body.errors : [];
    const pointers = errors.map((e) => e.pointer).filter(Boolean);
    tellSubmission(error.message + (pointers.length ? " (at " + pointers.join(", ") + ")" : ""));
    for (const pointer of pointers) markInvalid(controlAt(pointer));
    if (pointers.length) controlAt(pointers[0]).focus();
  }
}

function markInvalid(control) {
  control.classList.add("invalid");
  control.setAttribute("aria-invalid", "true");
  control.setAttribute("aria-describedby", "submit-message");
}

// ----------------------------------------------------------------------------- the list

function listPath() {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  for (const name of ["status", "target", "name"]) {
    const value = $("filter-" + name).value.trim();
    if (value) params.set(name, value);
  }
  const tag = $("filter-tag").value.trim();
  if (tag && $("filter-tag").checkValidity()) params.set("tag", tag);
  return "jobs?" + params;
}

/** The list as the user left it: the first page and as many "More" pages as were shown. */
async function refreshList() {
  clearTimeout(state.listTimer);
  try {
    let page = await call("GET", listPath());
    let jobs = page.jobs;
    for (let shownPages = 1; shownPages < state.pages && page.links && page.links.next; shownPages++) {
      page = await call("GET", page.links.next);
      jobs = jobs.concat(page.jobs);
    }
    state.jobs = jobs;
    state.next = page.links ? page.links.next : null;
    await loadProgress();
    renderList();
    $("refreshed").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (error) {
    if (shown(error)) say(error.message);
  }
  showLive();
  if (live()) state.listTimer = setTimeout(refreshList, LIST_REFRESH_MS);
}

/** The list carries no item counters: a running program's status says whether it is a
 * batch and how far it got (a program found to be no batch is not asked again). */
async function loadProgress() {
  const running = state.jobs.filter((job) => PROGRAM_KINDS.has(job.kind) && !FINAL.has(job.status) &&
    !state.notBatches.has(job.id));
  const statuses = await Promise.all(running.map((job) =>
    call("GET", "jobs/" + job.id + "/status").catch(() => null)));
  for (const status of statuses.filter(Boolean)) noteProgress(status);
}

function noteProgress(status) {
  if (!status.items) state.notBatches.add(status.id);
  else if (FINAL.has(status.status)) state.progress.delete(status.id);
  else state.progress.set(status.id, status.items);
}

/** "7 / 20 done, 1 failed, 2 cancelled" */
function progressText(items) {
  const done = items.succeeded + items.failed + items.cancelled;
  const text = [done + " / " + items.total + " done"];
  if (items.failed) text.push(items.failed + " failed");
  if (items.cancelled) text.push(items.cancelled + " cancelled");
  return text.join(", ");
}

async function moreJobs() {
  if (!state.next) return;
  const page = await call("GET", state.next);
  state.jobs = state.jobs.concat(page.jobs);
  state.next = page.links ? page.links.next : null;
  state.pages += 1;
  renderList();
}

function filtersChanged() {
  state.pages = 1;
  writeHash();
  refreshList();
}

function statusBadge(id, status) {
  const requested = state.cancelRequested.has(id) && !FINAL.has(status);
  return el("span", requested ? "cancel requested" : status,
    "status " + (requested ? "cancelling" : status));
}

function renderList() {
  const rows = state.jobs.map((job) => {
    const row = el("tr");
    row.dataset.id = job.id;
    row.className = job.id === state.selected ? "selected" : "";
    const name = el("td", null, "name-cell");
    const link = el("a", job.name || "(no name) " + job.id.slice(0, 8));
    link.href = "#job=" + job.id;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      openJob(job.id);
    });
    name.append(link);
    const id = el("td", null, "wide-only id-cell");
    id.append(el("span", job.id.slice(0, 8) + "…", "id"), copyButton(job.id, "job id"));
    const status = el("td");
    status.append(statusBadge(job.id, job.status));
    const progress = !FINAL.has(job.status) && state.progress.get(job.id);
    if (progress) status.append(" ", el("span", progressText(progress), "progress"));
    const tags = el("td", null, "wide-only");
    for (const tag of job.tags || []) {
      const chip = el("button", tag, "tag");
      chip.type = "button";
      chip.title = "show only jobs tagged " + tag;
      chip.addEventListener("click", (event) => {
        event.stopPropagation();
        $("filter-tag").value = tag;
        filtersChanged();
      });
      tags.append(chip);
    }
    const created = el("td");
    created.append(timeOf(job.created));
    row.append(name, id, el("td", job.kind, "wide-only"), el("td", job.target, "wide-only"),
      status, tags, created);
    row.addEventListener("click", () => openJob(job.id));
    return row;
  });
  $("jobs").tBodies[0].replaceChildren(...rows);
  $("jobs").hidden = rows.length === 0;
  renderEmpty();
  $("more-jobs").hidden = !state.next;
}

function renderEmpty() {
  const box = $("no-jobs");
  box.hidden = state.jobs.length > 0;
  if (box.hidden) return;
  const filtered = FILTERS.some((name) => $("filter-" + name).value.trim());
  if (filtered) {
    box.replaceChildren(el("p", "No jobs match these filters."));
    return;
  }
  const shell = el("code", "qjobs submit --kind number_partitioning --weights 5,11,8,7,1,1 --wait");
  const line = el("p", "or from a shell: ");
  line.append(shell);
  box.replaceChildren(el("p", "No jobs yet."),
    el("p", "Submit one with the New job form: pick a kind, keep or edit the example, press Submit;"),
    line);
}

// ----------------------------------------------------------------------------- one job

/** Open a job's details (and put it in the URL). */
function openJob(id) {
  if (id !== state.selected) showJob(id);
}

/** The panel fills the window's right side below the header, which stays usable. */
function placeDetail() {
  $("detail").style.top = Math.max(0, document.querySelector("header").getBoundingClientRect().bottom) + "px";
}

function closeDetail() {
  const was = state.selected;
  clearTimeout(state.detailTimer);
  state.selected = null;
  $("detail").hidden = true;
  writeHash();
  renderList();
  const link = was && document.querySelector('#jobs tr[data-id="' + was + '"] a');
  if (link) link.focus();
}

async function showJob(id) {
  state.selected = id;
  writeHash();
  renderList();
  placeDetail();
  $("detail").hidden = false;
  $("detail-title").textContent = "Job " + id.slice(0, 12) + "…";
  $("detail-title").focus();
  $("detail-status").replaceChildren();
  $("detail-progress").textContent = "";
  $("detail-times").replaceChildren();
  $("detail-error").hidden = true;
  $("detail-result").replaceChildren(el("p", "Loading…", "hint"));
  $("detail-input").textContent = "";
  try {
    const input = await call("GET", "jobs/" + id + "/input");
    if (state.selected === id) {
      state.input = input;
      renderInput(input.input);
    }
  } catch (error) {
    if (shown(error) && state.selected === id) say(error.message);
  }
  await refreshDetail(id);
}

function renderInput(fields) {
  // A program reads best as itself, not as one JSON string.
  const { source, ...rest } = fields;
  const text = JSON.stringify(rest, null, 2);
  $("detail-input").textContent = typeof source === "string" ? text + "\n\n" + source : text;
}

async function refreshDetail(id) {
  clearTimeout(state.detailTimer);
  if (state.selected !== id) return;
  let status;
  try {
    status = await call("GET", "jobs/" + id + "/status");
  } catch (error) {
    if (shown(error) && state.selected === id) say(error.message);
    return;
  }
  if (state.selected !== id) return;
  noteProgress(status);
  renderStatus(status);
  if (status.status === "succeeded") {
    const document = await call("GET", status.links.result);
    if (state.selected === id) renderResult(status.kind, document.result);
  } else if (status.items && FINAL.has(status.status)) {
    const items = await endedItems(id);
    if (state.selected === id && items) $("detail-result").append(itemTable(items));
  } else if (!FINAL.has(status.status)) {
    if (live()) state.detailTimer = setTimeout(() => refreshDetail(id), DETAIL_REFRESH_MS);
    return;
  }
  const listed = state.jobs.find((job) => job.id === id);
  if (listed && listed.status !== status.status) refreshList();
}

/** A failed or cancelled batch's items: its result's 409 carries them. */
async function endedItems(id) {
  try {
    return (await call("GET", "jobs/" + id + "/result")).result.items;
  } catch (error) {
    if (error.body && Array.isArray(error.body.items)) return error.body.items;
    if (shown(error)) say(error.message);
    return null;
  }
}

function seconds(from, to) {
  return from && to ? ((new Date(to) - new Date(from)) / 1000).toFixed(3) + " s" : "—";
}

function renderStatus(status) {
  $("detail-title").textContent = (status.name ? status.name + " · " : "") + status.kind +
    " on " + status.target;
  $("detail-status").replaceChildren(statusBadge(status.id, status.status));
  $("detail-progress").textContent = status.items ? progressText(status.items) : "";
  const id = el("span", status.id, "id");
  const idCell = el("span");
  idCell.append(id, copyButton(status.id, "job id"));
  const times = [
    ["id", idCell], ["created", timeOf(status.created)], ["started", timeOf(status.started)],
    ["finished", timeOf(status.finished)], ["waited", seconds(status.created, status.started)],
    ["ran", seconds(status.started, status.finished)],
  ];
  if (status.provider) times.push(["provider status", status.provider.status]);
  $("detail-times").replaceChildren(...times.flatMap(([k, v]) => {
    const value = el("dd");
    value.append(v);
    return [el("dt", k), value];
  }));
  const error = $("detail-error");
  error.hidden = !status.error;
  error.className = status.status === "cancelled" ? "note" : "error";
  error.textContent = status.error ? status.error.code + ": " + status.error.message : "";
  if (status.status !== "succeeded") {
    const outcome = {
      failed: "No result: the job failed (the reason is above).",
      cancelled: "No result: the job was cancelled" +
        (state.cancelRequested.has(status.id) ? ", as you asked." : "."),
    }[status.status] || "No result yet: the job is " + status.status + ".";
    $("detail-result").replaceChildren(el("p", outcome, "hint outcome"));
  }
  const cancel = $("cancel-job");
  cancel.hidden = FINAL.has(status.status) || state.cancelRequested.has(status.id);
  cancel.dataset.id = status.id;
}

async function cancelJob() {
  const id = $("cancel-job").dataset.id;
  try {
    await call("DELETE", "jobs/" + id);
    state.cancelRequested.add(id);
    renderList();
  } catch (error) {
    if (shown(error)) say(error.message);
  }
  await refreshDetail(id);
}

/** Open the form filled with a job's input, to change and submit again. */
function resubmit() {
  if (!state.input) return;
  fillForm(state.input);
  tellSubmission("The form holds job " + state.input.id.slice(0, 12) + "…'s input: change it and submit.", true);
  closeDetail();
  $("submit-panel").scrollIntoView({ block: "start" });
  $("new-name").focus();
}

// ----------------------------------------------------------------------------- results

function renderResult(kind, result) {
  const box = $("detail-result");
  if (result.items) {
    box.replaceChildren(itemTable(result.items));
  } else if (kind === "circuit" || kind === "qsharp") {
    box.replaceChildren(histogram(result.counts), el("p", result.shots + " shots", "hint"));
  } else if (kind === "number_partitioning") {
    box.replaceChildren(
      subset("subset 1", result.subsets[0], result.sums[0], ""),
      subset("subset 2", result.subsets[1], result.sums[1], "second"),
      el("p", "difference " + result.difference + (result.optimal ? " (optimal)" : ""),
        "difference"));
  } else if (kind === "ising" || kind === "pubo") {
    const rows = Object.entries(result.configuration).sort((a, b) => a[0] - b[0]);
    const table = el("table", null, "configuration");
    const head = el("tr");
    const values = el("tr");
    head.append(el("th", "id"));
    values.append(el("th", "value"));
    for (const [id, value] of rows) {
      head.append(el("td", id));
      values.append(el("td", kind === "ising" && value > 0 ? "+" + value : value));
    }
    table.append(head, values);
    box.replaceChildren(el("p", "energy (cost) " + result.cost, "energy"), table,
      el("p", result.sweeps + " sweeps, " + result.algorithm, "hint"));
  } else {
    box.replaceChildren(el("pre", JSON.stringify(result, null, 2)));
  }
}

/** A batch's items, a row each (the first ITEM_ROWS, then more on demand); a succeeded
 * item's row opens its histogram below it. */
function itemTable(items) {
  const swept = items.some((item) => item.parameters);
  const table = el("table", null, "items");
  const head = el("tr");
  for (const title of ["item", ...(swept ? ["parameters"] : []), "status", "outcome"]) {
    const cell = el("th", title);
    cell.scope = "col";
    head.append(cell);
  }
  table.createTHead().append(head);
  const body = table.createTBody();
  const more = el("button", null, "quiet");
  more.type = "button";
  const wrapper = el("div", null, "item-table");
  wrapper.append(table, more);
  const showMore = () => {
    const listed = body.querySelectorAll("tr.item").length;
    body.append(...items.slice(listed, listed + ITEM_ROWS).map((item) => itemRow(item, swept)));
    const left = items.length - listed - ITEM_ROWS;
    more.hidden = left <= 0;
    more.textContent = "Show " + Math.min(left, ITEM_ROWS) + " more (of " + items.length + " items)";
  };
  more.addEventListener("click", showMore);
  showMore();
  return wrapper;
}

function itemRow(item, swept) {
  const row = el("tr", null, "item");
  const index = el("th", null);
  index.scope = "row";
  const cells = [index];
  if (swept) cells.push(el("td", item.parameters ? JSON.stringify(item.parameters) : "—"));
  const status = el("td");
  status.append(el("span", item.status, "status " + item.status));
  cells.push(status);
  if (item.status !== "succeeded") {
    index.textContent = item.index;
    // An error's first line; the whole of it (a program's trace, say) on hover.
    const message = el("td", item.error.message.split("\n")[0], "item-error");
    message.title = item.error.message;
    cells.push(message);
    row.append(...cells);
    return row;
  }
  const [top, count] = Object.entries(item.counts).reduce((a, b) => (b[1] > a[1] ? b : a));
  cells.push(el("td", top + " (" + count + " of " + item.shots + ")"));
  const toggle = el("button", item.index, "quiet item-toggle");
  toggle.type = "button";
  toggle.setAttribute("aria-expanded", "false");
  toggle.title = "show item " + item.index + "'s histogram";
  index.append(toggle);
  row.append(...cells);
  row.classList.add("openable");
  row.addEventListener("click", () => {
    const open = row.nextElementSibling && row.nextElementSibling.classList.contains("item-detail");
    toggle.setAttribute("aria-expanded", String(!open));
    if (open) {
      row.nextElementSibling.remove();
      return;
    }
    const detail = el("tr", null, "item-detail");
    const cell = el("td");
    cell.colSpan = cells.length;
    cell.append(histogram(item.counts), el("p", item.shots + " shots", "hint"));
    detail.append(cell);
    row.after(detail);
  });
  return row;
}

function subset(label, weights, sum, className) {
  const row = el("div", null, "subset " + className);
  row.append(el("span", label + " (sum " + sum + ")", "label"));
  for (const weight of weights) row.append(el("span", weight, "chip"));
  return row;
}

function histogram(counts) {
  const NS = "http://www.w3.org/2000/svg";
  const outcomes = Object.keys(counts).sort();
  const most = Math.max(1, ...Object.values(counts));
  const bar = 28;
  const gap = 8;
  const height = 160;
  const width = Math.max(200, outcomes.length * (bar + gap) + gap);
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("class", "histogram");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height + 40);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "counts per outcome: " +
    outcomes.map((outcome) => outcome + " " + counts[outcome]).join(", "));
  outcomes.forEach((outcome, index) => {
    const x = gap + index * (bar + gap);
    const h = Math.round((counts[outcome] / most) * height);
    const rect = document.createElementNS(NS, "rect");
    for (const [k, v] of Object.entries({ x, y: height - h + 12, width: bar, height: h })) {
      rect.setAttribute(k, v);
    }
    rect.dataset.outcome = outcome;
    const count = document.createElementNS(NS, "text");
    count.setAttribute("x", x + bar / 2);
    count.setAttribute("y", height - h + 9);
    count.setAttribute("text-anchor", "middle");
    count.textContent = counts[outcome];
    const label = document.createElementNS(NS, "text");
    label.setAttribute("x", x + bar / 2);
    label.setAttribute("y", height + 26);
    label.setAttribute("text-anchor", "middle");
    label.textContent = outcome;
    svg.append(rect, count, label);
  });
  return svg;
}

// ----------------------------------------------------------------------------- wiring

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = $("api-key").value.trim();
    $("api-key").value = "";
    if (key) signIn(key);
  });
  $("sign-out").addEventListener("click", () => signOut());
  for (const name of FILTERS) $("filter-" + name).addEventListener("change", filtersChanged);
  $("more-jobs").addEventListener("click", () => moreJobs().catch((e) => shown(e) && say(e.message)));
  $("new-kind").addEventListener("change", showExample);
  $("submit-form").addEventListener("submit", submitJob);
  $("cancel-job").addEventListener("click", cancelJob);
  $("resubmit-job").addEventListener("click", resubmit);
  $("close-detail").addEventListener("click", closeDetail);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("detail").hidden) closeDetail();
  });
  window.addEventListener("resize", placeDetail);
  window.addEventListener("scroll", placeDetail, { passive: true });
  window.addEventListener("hashchange", () => {
    if (apiKey() && readHash()) filtersChanged();
  });
  if (apiKey()) start(); else signOut();
});
