// The qjobs dashboard: the caller's jobs, one job's input, timings and result, cancel, submit.
// Talks only to this API (same origin); the API key lives in sessionStorage for this tab.
"use strict";

const KEY_STORAGE = "qjobs.apiKey";
const API = location.pathname.replace(/\/dashboard(\/(index\.html)?)?$/, "");
const LIST_REFRESH_MS = 2000;
const DETAIL_REFRESH_MS = 1000;
const PAGE_SIZE = 50;
const FINAL = new Set(["succeeded", "failed", "cancelled"]);
const EXAMPLES = {
  number_partitioning: { weights: [5, 11, 8, 7, 1, 1] },
  ising: { terms: [{ c: -1, ids: [0, 1] }, { c: -1, ids: [1, 2] }, { c: 1, ids: [0, 2] }] },
  pubo: { terms: [{ c: 1, ids: [0] }, { c: -3, ids: [0, 1] }, { c: 2, ids: [1, 2] }] },
  circuit: {
    source: 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nbit[2] c;\nh q[0];\n' +
      "cx q[0], q[1];\nc = measure q;\n",
    shots: 200,
  },
  qsharp: {
    source: "operation GetRandomBit() : Result {\n    use q = Qubit();\n    H(q);\n" +
      "    return M(q);\n}\n",
    entry: "GetRandomBit()",
    shots: 100,
  },
};

const $ = (id) => document.getElementById(id);
const state = { jobs: [], next: null, selected: null, targets: [], listTimer: 0, detailTimer: 0 };

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
  const init = { method, headers: { Authorization: "Bearer " + apiKey(), ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path.startsWith("/") ? path : API + "/" + path, init);
  const document = await response.json().catch(() => null);
  if (response.status === 401) {
    signOut("The API key was not accepted.");
  }
  if (!response.ok) throw new Problem(response.status, document);
  return document;
}

function say(text, info) {
  const message = $("message");
  message.textContent = text;
  message.className = info ? "info" : "";
  message.hidden = !text;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, "0")).join("");
}

// ----------------------------------------------------------------------------- sign in / out

function signIn(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
  say("");
  start();
}

function signOut(why) {
  sessionStorage.removeItem(KEY_STORAGE);
  clearTimeout(state.listTimer);
  clearTimeout(state.detailTimer);
  state.selected = null;
  $("app").hidden = true;
  $("sign-out").hidden = true;
  $("login").hidden = false;
  say(why || "");
}

async function start() {
  $("login").hidden = true;
  $("app").hidden = false;
  $("sign-out").hidden = false;
  try {
    await loadTargets();
    await refreshList();
  } catch (error) {
    say(error.message);
  }
}

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
    showExample();
  }
  fillTargets();
}

function fillTargets() {
  const kind = $("new-kind").value;
  const select = $("new-target");
  select.replaceChildren();
  for (const target of state.targets.filter((t) => t.kinds.includes(kind))) {
    const label = target.location === "local" ? target.name
      : target.name + " (" + target.availability + ")";
    select.add(new Option(label, target.name));
  }
}

function showExample() {
  $("new-fields").value = JSON.stringify(EXAMPLES[$("new-kind").value], null, 2);
  fillTargets();
}

async function submitJob(event) {
  event.preventDefault();
  let fields;
  try {
    fields = JSON.parse($("new-fields").value);
  } catch (error) {
    say("The fields are not JSON: " + error.message);
    return;
  }
  const job = { ...fields, kind: $("new-kind").value };
  if ($("new-target").value) job.target = $("new-target").value;
  if ($("new-name").value.trim()) job.name = $("new-name").value.trim();
  try {
    const status = await call("POST", "jobs", job, { "Idempotency-Key": newIdempotencyKey() });
    say("Submitted job " + status.id + ".", true);
    await refreshList();
    select(status.id);
  } catch (error) {
    const pointers = error.body && error.body.errors ? error.body.errors.map((e) => e.pointer) : [];
    say(error.message + (pointers.length ? " (at " + pointers.join(", ") + ")" : ""));
  }
}

// ----------------------------------------------------------------------------- the list

function listPath() {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if ($("filter-status").value) params.set("status", $("filter-status").value);
  if ($("filter-target").value) params.set("target", $("filter-target").value);
  const tag = $("filter-tag").value.trim();
  if (tag && $("filter-tag").checkValidity()) params.set("tag", tag);
  return "jobs?" + params;
}

async function refreshList() {
  clearTimeout(state.listTimer);
  try {
    const page = await call("GET", listPath());
    state.jobs = page.jobs;
    state.next = page.links ? page.links.next : null;
    renderList();
    $("refreshed").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (error) {
    if (error.status !== 401) say(error.message);
  }
  if (apiKey()) state.listTimer = setTimeout(refreshList, LIST_REFRESH_MS);
}

async function moreJobs() {
  if (!state.next) return;
  const page = await call("GET", state.next);
  state.jobs = state.jobs.concat(page.jobs);
  state.next = page.links ? page.links.next : null;
  renderList();
}

function renderList() {
  const rows = state.jobs.map((job) => {
    const row = el("tr");
    row.dataset.id = job.id;
    row.className = job.id === state.selected ? "selected" : "";
    row.append(el("td", job.name || ""), el("td", job.id.slice(0, 12) + "…", "id"),
      el("td", job.kind), el("td", job.target));
    const status = el("td");
    status.append(el("span", job.status, "status " + job.status));
    const tags = el("td");
    for (const tag of job.tags || []) {
      const chip = el("button", tag, "tag");
      chip.type = "button";
      chip.title = "show only jobs tagged " + tag;
      chip.addEventListener("click", (event) => {
        event.stopPropagation();
        $("filter-tag").value = tag;
        refreshList();
      });
      tags.append(chip);
    }
    row.append(status, tags, el("td", new Date(job.created).toLocaleString()));
    row.addEventListener("click", () => select(job.id));
    return row;
  });
  $("jobs").tBodies[0].replaceChildren(...rows);
  $("no-jobs").hidden = state.jobs.length > 0;
  $("more-jobs").hidden = !state.next;
}

// ----------------------------------------------------------------------------- one job

async function select(id) {
  state.selected = id;
  renderList();
  $("detail").hidden = false;
  $("detail-result").replaceChildren(el("p", "No result yet.", "hint"));
  $("detail-input").textContent = "";
  try {
    const input = await call("GET", "jobs/" + id + "/input");
    if (state.selected === id) renderInput(input.input);
  } catch (error) {
    say(error.message);
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
    say(error.message);
    return;
  }
  if (state.selected !== id) return;
  renderStatus(status);
  if (status.status === "succeeded") {
    const document = await call("GET", status.links.result);
    if (state.selected === id) renderResult(status.kind, document.result);
  } else if (!FINAL.has(status.status)) {
    state.detailTimer = setTimeout(() => refreshDetail(id), DETAIL_REFRESH_MS);
    return;
  }
  const listed = state.jobs.find((job) => job.id === id);
  if (listed && listed.status !== status.status) refreshList();
}

function seconds(from, to) {
  return from && to ? ((new Date(to) - new Date(from)) / 1000).toFixed(3) + " s" : "";
}

function renderStatus(status) {
  $("detail-title").textContent = (status.name ? status.name + " · " : "") + status.kind +
    " on " + status.target;
  const badge = $("detail-status");
  badge.textContent = status.status;
  badge.className = "status " + status.status;
  const times = [
    ["id", status.id], ["created", status.created], ["started", status.started || "—"],
    ["finished", status.finished || "—"], ["waited", seconds(status.created, status.started)],
    ["ran", seconds(status.started, status.finished)],
  ];
  if (status.provider) times.push(["provider status", status.provider.status]);
  $("detail-times").replaceChildren(...times.flatMap(([k, v]) => [el("dt", k), el("dd", v)]));
  const error = $("detail-error");
  error.hidden = !status.error;
  error.textContent = status.error ? status.error.code + ": " + status.error.message : "";
  const cancel = $("cancel-job");
  cancel.hidden = FINAL.has(status.status);
  cancel.dataset.id = status.id;
}

async function cancelJob() {
  const id = $("cancel-job").dataset.id;
  try {
    await call("DELETE", "jobs/" + id);
    say("Cancellation of " + id + " requested.", true);
  } catch (error) {
    say(error.message);
  }
  await refreshDetail(id);
}

// ----------------------------------------------------------------------------- results

function renderResult(kind, result) {
  const box = $("detail-result");
  if (kind === "circuit" || kind === "qsharp") {
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
  $("filter-status").addEventListener("change", refreshList);
  $("filter-target").addEventListener("change", refreshList);
  $("filter-tag").addEventListener("change", refreshList);
  $("more-jobs").addEventListener("click", () => moreJobs().catch((e) => say(e.message)));
  $("new-kind").addEventListener("change", showExample);
  $("submit-form").addEventListener("submit", submitJob);
  $("cancel-job").addEventListener("click", cancelJob);
  if (apiKey()) start(); else signOut();
});
