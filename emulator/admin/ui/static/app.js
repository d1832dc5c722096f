// tfcemu inspector. Every value from the emulator is put in the page as a
// text node (textContent), never as HTML.
"use strict";

const API = "/_emulator";
let token = sessionStorage.getItem("tfcemu-admin-token") || "";
let journalTimer = null;

// el builds an element; strings and numbers among children become text.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "on") { for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn); }
    else if (k === "text") e.textContent = String(v);
    else e.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// table renders rows (arrays of cells) under a header; a cell is a value
// or a Node. rowClass(row index) names a row's class.
function table(head, rows, rowClass) {
  return el("table", {},
    el("thead", {}, el("tr", {}, head.map(h => el("th", {}, h)))),
    el("tbody", {}, rows.map((r, i) => el("tr", { class: rowClass ? rowClass(i) : null },
      r.map(c => el("td", { class: typeof c === "string" && c.length > 40 ? "mono" : null }, c === undefined || c === null ? "" : c))))));
}

function json(v) { return el("pre", { class: "mono" }, JSON.stringify(v, null, 2)); }

class AuthError extends Error {}

// api calls the admin API with the admin token, if any.
async function api(method, path, body) {
  const headers = {};
  if (token) headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit", cache: "no-store" });
  if (res.status === 401) { showAuth(token ? "the admin token was refused" : ""); throw new AuthError("the admin API needs the admin token"); }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: text }; }
  if (!res.ok) throw new Error((data && data.error) || ("HTTP " + res.status));
  return data;
}

function showAuth(msg) {
  const f = document.getElementById("auth");
  f.hidden = false;
  document.getElementById("auth-error").textContent = msg || "";
}

function status(msg) { document.getElementById("status").textContent = msg || ""; }

// ttl formats seconds.
function ttl(s) {
  if (s === undefined || s === null) return "";
  s = Number(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return s + "s (" + (h ? h + "h" : "") + (m ? m + "m" : "") + r + "s)";
}

// decodeJWT reads a JWT's header and claims for display (no verification:
// the token decoder view asks the emulator for that).
function decodeJWT(t) {
  const p = String(t).split(".");
  if (p.length !== 3) return null;
  try {
    const dec = s => JSON.parse(atob(s.replace(/-/g, "+").replace(/_/g, "/")));
    return { header: dec(p[0]), claims: dec(p[1]) };
  } catch (e) { return null; }
}

async function tick() {
  try { const c = await api("GET", "/clock"); document.getElementById("now").textContent = c.now + (c.frozen ? " (frozen)" : ""); } catch (e) { /* shown elsewhere */ }
}

// ---- views

const views = {
  async overview(v) {
    const [h, keys, clk, info] = await Promise.all([api("GET", "/health"), api("GET", "/keys"), api("GET", "/clock"), api("GET", "/info")]);
    v.append(el("h2", {}, "Listeners"),
      table(["service", "URL"], Object.entries(h.services || {}).sort().map(([k, u]) => [k, u])),
      el("h2", {}, "Issuer"), el("p", { class: "mono", id: "issuer" }, h.issuer),
      el("h2", {}, "Signing keys"),
      table(["kid", "active"], keys.kids.map(k => [k, k === keys.active ? "active" : ""])),
      el("h2", {}, "Virtual clock"),
      el("p", {}, "now ", el("span", { id: "clock-now", class: "mono" }, clk.now), " · offset ", el("span", { id: "clock-offset" }, clk.offset), " · ", el("span", { id: "clock-frozen" }, clk.frozen ? "frozen" : "running")));
    const adv = el("input", { id: "clock-advance-value", value: "10m", "aria-label": "duration to advance" });
    const set = el("input", { id: "clock-set-value", placeholder: "2026-01-02T15:04:05Z", "aria-label": "time to set" });
    const post = async body => {
      try { await api("POST", "/clock", body); status(""); render(); } catch (e) { status(e.message); }
    };
    v.append(el("div", { class: "controls" },
      adv, el("button", { id: "clock-advance", on: { click: () => post({ advance: adv.value }) } }, "Advance"),
      set, el("button", { id: "clock-set", on: { click: () => post({ set: set.value }) } }, "Set"),
      el("button", { id: "clock-freeze", on: { click: () => post({ freeze: true }) } }, "Freeze"),
      el("button", { id: "clock-resume", on: { click: () => post({ resume: true }) } }, "Resume")));
    v.append(el("h2", {}, "Client settings"), table(["setting", "value"],
      Object.entries(info || {}).filter(([k]) => !/token/i.test(k)).map(([k, x]) => [k, x])));
  },

  async tfc(v) {
    const snap = await api("GET", "/snapshot");
    const t = (snap.services && snap.services.tfc) || {};
    const list = x => x || [];
    const info = await api("GET", "/info");
    for (const org of list(t.Orgs)) {
      const o = el("details", { open: true, class: "org" }, el("summary", {}, "organization ", el("strong", {}, org.Name), " ", org.ExternalID));
      for (const p of list(t.Projects).filter(p => p.Org === org.Name)) {
        const pd = el("details", { open: true }, el("summary", {}, "project ", el("strong", {}, p.Name), " ", p.ID));
        if (p.TagBindings && p.TagBindings.length) pd.append(table(["tag", "value"], p.TagBindings.map(b => [b.Key, b.Value])));
        for (const w of list(t.Workspaces).filter(w => w.Org === org.Name && w.ProjectID === p.ID)) {
          const wd = el("details", { class: "workspace" }, el("summary", {}, "workspace ", el("strong", { class: "ws-name" }, w.Name), " ", w.ID));
          const vars = list(t.Vars).filter(x => x.WorkspaceID === w.ID);
          wd.append(el("h3", {}, "Variables"), vars.length ? table(["key", "value", "category", "hcl"], vars.map(x =>
            [x.Key, x.Sensitive ? el("span", { class: "hidden-value" }, "(sensitive: hidden)") : x.Value, x.Category, x.HCL ? "hcl" : ""])) : el("p", {}, "none"));
          wd.append(el("h3", {}, "Tags"), table(["tag", "value"], [...list(w.TagNames).map(n => [n, ""]), ...list(w.TagBindings).map(b => [b.Key, b.Value])]));
          const sv = el("div", { class: "state-versions" }, el("button", { class: "sv-load", on: { click: async () => {
            sv.textContent = "";
            try {
              const q = "filter%5Bworkspace%5D%5Bname%5D=" + encodeURIComponent(w.Name) + "&filter%5Borganization%5D%5Bname%5D=" + encodeURIComponent(org.Name);
              const res = await fetch("/api/v2/state-versions?" + q, { headers: { Authorization: "Bearer " + info.owner_token }, credentials: "omit" });
              const doc = await res.json();
              if (!res.ok) throw new Error((doc.errors && doc.errors[0] && (doc.errors[0].detail || doc.errors[0].title)) || "HTTP " + res.status);
              sv.append((doc.data || []).length ? table(["id", "serial", "created", "status"], doc.data.map(d => [d.id, d.attributes.serial, d.attributes["created-at"], d.attributes.status])) : el("p", {}, "none"));
              sv.dataset.loaded = "true";
            } catch (e) { sv.append(el("span", { class: "error" }, "state versions (read through the TFC API of this listener): " + e.message)); }
          } } }, "Load state versions"));
          wd.append(el("h3", {}, "State versions"), sv);
          const runs = list(t.Runs).filter(r => r.WorkspaceID === w.ID);
          wd.append(el("h3", {}, "Runs"), runs.length ? el("div", {}, runs.map(r => runView(r))) : el("p", {}, "none"));
          pd.append(wd);
        }
        o.append(pd);
      }
      const teams = list(t.Teams).filter(x => x.Org === org.Name);
      o.append(el("h3", {}, "Teams"), table(["team", "id", "visibility", "access", "members"], teams.map(x => [x.Name, x.ID, x.Visibility,
        Object.entries(x.Access || {}).filter(([, val]) => val === true || (typeof val === "string" && val)).map(([k, val]) => val === true ? k : k + "=" + val).join(", "),
        list(x.Members).join(", ")])));
      v.append(o);
    }
    v.append(el("h2", {}, "API tokens"), el("p", {}, "ids, kinds and expiry only: secrets are never shown."),
      table(["id", "kind", "description", "user", "team", "organization", "created", "expires"], list(t.Tokens).map(x =>
        [x.ID, x.Kind, x.Description, x.UserID, x.TeamID, x.Org, x.CreatedAt, x.ExpiredAt || "never"])));
  },

  async vault(v) {
    const s = await api("GET", "/vault/summary");
    const mounts = o => table(["path", "type", "description"], Object.entries(o || {}).sort().map(([p, m]) => [p, m.type, m.description]));
    v.append(el("h2", {}, "Secrets engines"), mounts(s.mounts), el("h2", {}, "Auth methods"), mounts(s.auth),
      el("h2", {}, "Terraform roles"), table(["mount", "role", "settings"], s.terraform_roles.map(r => [r.mount, r.name, json(r.data)])),
      el("h2", {}, "JWT roles"), table(["mount", "role", "settings"], s.jwt_roles.map(r => [r.mount, r.name, json(r.data)])),
      el("h2", {}, "Policies"), el("p", {}, s.policies.join(", ")),
      el("h2", {}, "Leases (TTL on the virtual clock)"),
      table(["lease", "ttl", "expires", "renewable"], s.leases.map(l => [l.id, el("span", { class: "lease-ttl" }, ttl(l.data.ttl)), l.data.expire_time || l.data.note || "", l.data.renewable === undefined ? "" : String(l.data.renewable)])));
    if (s.incomplete) v.append(el("p", { class: "error" }, s.incomplete.join("; ")));
  },

  async clouds(v) {
    for (const c of ["aws", "gcp", "azure"]) {
      let d;
      try { d = await api("GET", "/" + c + "/decisions"); } catch (e) { if (e instanceof AuthError) throw e; v.append(el("p", { class: "error" }, c + ": " + e.message)); continue; }
      const list = d.decisions || [];
      v.append(el("h2", {}, c.toUpperCase() + " decisions"), list.length ? table(["time", "action", "principal", "outcome", "reasons", "claims"],
        list.map(x => [x.time, x.action, x.principal, x.allowed ? "allowed" : "denied " + (x.error || ""), el("ol", {}, (x.reasons || []).map(r => el("li", {}, r))), json(x.claims || {})]),
        i => list[i].allowed ? "allowed" : "denied") : el("p", {}, "none yet"));
    }
  },

  async journal(v) {
    const svc = el("select", { id: "journal-service", "aria-label": "listener" }, ["", "tfc", "vault", "clouds"].map(s => el("option", { value: s }, s || "all listeners")));
    const st = el("input", { id: "journal-status", placeholder: "status, e.g. 404 or 4xx", "aria-label": "status" });
    const path = el("input", { id: "journal-path", placeholder: "path contains", "aria-label": "path" });
    const body = el("div", { id: "journal-rows" });
    v.append(el("div", { class: "controls" }, svc, st, path, el("span", {}, "polled every second; unmatched requests and injected faults are highlighted")), body);
    const load = async () => {
      const d = await api("GET", "/requests?limit=500");
      const rows = (d.requests || []).filter(r => (!svc.value || r.service === svc.value) &&
        (!st.value || String(r.status) === st.value.trim() || (/^[1-5]xx$/i.test(st.value.trim()) && String(r.status)[0] === st.value.trim()[0])) &&
        (!path.value || r.path.includes(path.value))).reverse();
      body.textContent = "";
      body.append(table(["time", "listener", "method", "path", "status", "notes"], rows.map(r => [r.time, r.service, r.method,
        r.path + (r.query ? "?" + r.query : ""), el("span", {}, String(r.status), r.unmatched ? el("span", { class: "badge unmatched" }, "unmatched") : null, r.fault ? el("span", { class: "badge fault" }, "fault " + r.fault) : null),
        (r.notes || []).join("\n")]), i => rows[i].fault ? "fault" : rows[i].unmatched ? "unmatched" : null));
    };
    await load();
    journalTimer = setInterval(() => load().catch(e => status(e.message)), 1000);
  },

  async decoder(v) {
    const ta = el("textarea", { id: "decoder-input", placeholder: "paste a JWT (header.payload.signature)", "aria-label": "token" });
    const out = el("div", { id: "decoder-output" });
    const go = async () => {
      out.textContent = "";
      try {
        const x = await api("POST", "/tokens/explain", { token: ta.value });
        out.append(el("h2", {}, "Signature"), el("p", { id: "decoder-signature", class: x.signature.ok ? "ok" : "error" }, (x.signature.ok ? "valid: " : "not valid: ") + x.signature.reason),
          el("h2", {}, "Expiry on the virtual clock"), el("p", { id: "decoder-expiry", class: x.expiry.expired ? "error" : "ok" },
            x.expiry.expires_at ? (x.expiry.expired ? "expired at " : "expires at ") + x.expiry.expires_at + " (now " + x.expiry.now + ", remaining " + x.expiry.remaining + ")" : "no exp claim"),
          el("h2", {}, "Header"), json(x.header), el("h2", {}, "Claims"), json(x.claims),
          el("h2", {}, "Who would accept it"),
          x.decisions.length ? table(["cloud", "principal", "outcome", "why"], x.decisions.map(d => [d.cloud, d.principal, d.allowed ? "accepted" : "refused " + (d.error || ""),
            el("ol", {}, (d.reasons || []).map(r => el("li", {}, r)))]), i => x.decisions[i].allowed ? "allowed" : "denied") : el("p", {}, "no configured trust"),
          x.unexplained && x.unexplained.length ? el("p", {}, "not evaluated here: " + x.unexplained.join(", ")) : null);
      } catch (e) { out.append(el("p", { id: "decoder-error", class: "error" }, e.message)); }
    };
    v.append(el("p", {}, "The token is checked by the emulator: its signature against the issuer's JWKS, its expiry on the virtual clock, and each configured trust."),
      ta, el("div", { class: "controls" }, el("button", { id: "decoder-submit", on: { click: go } }, "Explain")), out);
  },
};

// runView shows a run with a button that loads each phase's environment,
// decoding the workload identity tokens in it.
function runView(r) {
  const box = el("div", { class: "run" });
  const phases = el("div", {});
  const load = async phase => {
    try {
      const env = await api("GET", "/runs/" + encodeURIComponent(r.ID) + "/environment?phase=" + phase);
      const vars = Object.assign({}, env.env || {});
      for (const [f, val] of Object.entries(env.files || {})) vars["file " + f] = val;
      const rows = Object.entries(vars).sort().map(([k, val]) => {
        const jwt = decodeJWT(val);
        return [k, jwt ? el("details", { class: "jwt", open: true }, el("summary", {}, "JWT (claims)"), json(jwt.claims)) : (/token|secret|password/i.test(k) ? el("span", { class: "hidden-value" }, "(hidden)") : val)];
      });
      phases.append(el("h3", {}, phase + " phase: " + (env.status || "")), rows.length ? table(["variable", "value"], rows) : el("p", {}, "no environment yet"));
      if (env.log && env.log.length) phases.append(el("pre", { class: "mono" }, env.log.join("\n")));
    } catch (e) { phases.append(el("p", { class: "error" }, phase + ": " + e.message)); }
  };
  box.append(el("p", {}, "run ", el("strong", {}, r.ID), " ", r.Status || "", " ",
    el("button", { class: "run-env", on: { click: async () => { phases.textContent = ""; await load("plan"); await load("apply"); box.dataset.loaded = "true"; } } }, "Phase environments")), phases);
  return box;
}

async function render() {
  if (journalTimer) { clearInterval(journalTimer); journalTimer = null; }
  const name = (location.hash || "#overview").slice(1);
  const view = views[name] ? name : "overview";
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.view === view);
  const v = document.getElementById("view");
  v.textContent = "";
  v.dataset.view = view;
  status("");
  try {
    await views[view](v);
    v.dataset.loaded = view;
    document.getElementById("auth").hidden = true;
    tick();
  } catch (e) {
    if (!(e instanceof AuthError)) status(e.message);
  }
}

document.getElementById("auth").addEventListener("submit", ev => {
  ev.preventDefault();
  token = document.getElementById("auth-token").value.trim();
  sessionStorage.setItem("tfcemu-admin-token", token);
  render();
});
window.addEventListener("hashchange", render);
render();
