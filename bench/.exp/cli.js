// src/cli.ts
import { Command, CommanderError, Option } from "commander";

// src/errors.ts
var HalabError = class extends Error {
  constructor(message, hint) {
    super(message);
    this.hint = hint;
  }
  hint;
  /** One or more lines for a person; `hint` says what to try next. */
  render() {
    return this.hint ? `${this.message}
  \u2192 ${this.hint}` : this.message;
  }
};
function formatProblem(p) {
  const where = [p.file && (p.line ? `${p.file}:${p.line}` : p.file), p.host && `host ${p.host}`, p.field && `field ${p.field}`].filter(Boolean).join(", ");
  return where ? `${where}: ${p.message}` : p.message;
}
var InventoryError = class extends HalabError {
  constructor(problems) {
    super(
      `invalid input (${problems.length} problem${problems.length === 1 ? "" : "s"}), nothing was run:
` + problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
      "fix the problems listed above and run again"
    );
    this.problems = problems;
  }
  problems;
  code = "INVENTORY";
};
var TemplateError = class extends HalabError {
  code = "TEMPLATE";
};
var UnreachableError = class extends HalabError {
  constructor(host, message, hint) {
    super(`${host}: unreachable: ${message}`, hint);
    this.host = host;
  }
  host;
  code = "UNREACHABLE";
};
var HostKeyError = class extends HalabError {
  constructor(host, message, hint) {
    super(`${host}: ${message}`, hint);
    this.host = host;
  }
  host;
  code = "HOSTKEY";
};
var TaskError = class extends HalabError {
  constructor(message, detail = {}, hint) {
    super(message, hint);
    this.detail = detail;
  }
  detail;
  code = "TASK";
  render() {
    const lines = [this.message];
    if (this.detail.command) lines.push(`  command: ${this.detail.command}`);
    if (this.detail.exitCode !== void 0) lines.push(`  exit code: ${this.detail.exitCode ?? "none (channel closed)"}${meaning(this.detail.exitCode)}`);
    const tail2 = lastLines(this.detail.stderr || this.detail.stdout || "", 8);
    if (tail2) lines.push("  output:", ...tail2.split("\n").map((l) => `    ${l}`));
    if (this.hint) lines.push(`  \u2192 ${this.hint}`);
    return lines.join("\n");
  }
};
function meaning(code) {
  if (code === 127) return " (command not found)";
  if (code === 126) return " (not executable)";
  return "";
}
function lastLines(text, n) {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}
function renderError(err) {
  if (err instanceof HalabError) return err.render();
  if (err instanceof Error) return err.message;
  return String(err);
}

// src/engine/host-context.ts
var HostContext = class {
  constructor(inventoryHost, transport, mode, allHosts) {
    this.inventoryHost = inventoryHost;
    this.transport = transport;
    this.mode = mode;
    this.allHosts = allHosts;
  }
  inventoryHost;
  transport;
  mode;
  allHosts;
  facts = /* @__PURE__ */ new Map();
  /** Services this run started: their restart handlers have nothing left to do. */
  startedServices = /* @__PURE__ */ new Set();
  get name() {
    return this.inventoryHost.name;
  }
  get vars() {
    return this.inventoryHost.vars;
  }
  /** Run a command; a non-zero exit throws a TaskError unless `allowFailure`. */
  async run(command2, opts = {}) {
    const result = await this.transport.exec(command2, { stdin: opts.stdin });
    if (result.code !== 0 && !opts.allowFailure)
      throw new TaskError(`command failed on ${this.name}`, { command: opts.display ?? command2, exitCode: result.code, stderr: result.stderr, stdout: result.stdout });
    return result;
  }
  async fact(fact) {
    if (!this.facts.has(fact.key)) await this.prefetch([fact]);
    const value = this.facts.get(fact.key);
    if (value instanceof FactError) throw value.cause;
    return value;
  }
  /** Fetch every fact not yet cached in one round trip. */
  async prefetch(facts) {
    const missing = [...new Map(facts.filter((f) => !this.facts.has(f.key)).map((f) => [f.key, f])).values()];
    if (!missing.length) return;
    const results = await this.transport.execBatch(missing.map((f) => ({ command: f.command })));
    missing.forEach((f, i) => {
      try {
        this.facts.set(f.key, f.parse(results[i]));
      } catch (e) {
        this.facts.set(f.key, new FactError(e));
      }
    });
  }
  /** After a change: anything read before may be stale. */
  invalidateFacts() {
    this.facts.clear();
  }
};
var FactError = class {
  constructor(cause) {
    this.cause = cause;
  }
  cause;
};

// src/engine/run-task.ts
async function runTask(host, role, task, emit, handler = false) {
  const started = performance.now();
  const base = { host: host.name, role, task: task.name, handler };
  emit({ type: "task-start", ...base });
  let warnings;
  const end = (status, extra = {}) => {
    emit({ type: "task-end", ...base, status, changes: extra.changes ?? [], diffs: extra.diffs, reason: extra.reason, error: extra.error, warnings, ms: Math.round(performance.now() - started) });
    return status;
  };
  if (task.skip) return end("skipped", { reason: task.skip });
  try {
    const plan = await task.plan(host);
    warnings = plan.warnings?.length ? plan.warnings : void 0;
    for (const n of plan.notes ?? []) emit({ type: "host-note", host: host.name, note: n });
    if (!plan.changes.length) return end("ok", { reason: plan.noop });
    const diffs = plan.changes.flatMap((c) => c.diff ? [c.diff] : []);
    if (!host.mode.check) {
      try {
        for (const change of plan.changes) {
          if (change.apply) await change.apply(host);
          else if (change.command) await host.run(change.command, { stdin: change.stdin, display: change.display });
          if (change.starts) host.startedServices.add(change.starts);
        }
      } finally {
        host.invalidateFacts();
      }
    }
    return end("changed", { changes: plan.changes.map((c) => host.mode.check ? `would ${c.summary}` : c.summary), diffs });
  } catch (e) {
    const err = e instanceof TaskError ? e : new TaskError(`${e.message}`);
    return end("failed", { error: `${host.name} | ${role} | ${task.name}: ${renderError(err)}` });
  }
}

// src/engine/run.ts
async function runPlaybook(inventory, prepared, opts, emit) {
  const started = performance.now();
  const recap = Object.fromEntries(prepared.hosts.map((h) => [h, { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, notes: [] }]));
  const tally = (e) => {
    if (e.type === "task-end") recap[e.host][e.status]++;
    if (e.type === "host-note" && !recap[e.host].notes.includes(e.note)) recap[e.host].notes.push(e.note);
    emit(e);
  };
  emit({
    type: "run-start",
    hosts: prepared.hosts,
    check: opts.check,
    plays: prepared.plays.map((p) => ({ name: p.name, hosts: Object.fromEntries([...p.hosts].map(([h, roles]) => [h, roles.map((r) => ({ role: r.role, tasks: r.tasks.map((t) => t.name) }))])) }))
  });
  const contexts = /* @__PURE__ */ new Map();
  const dead = /* @__PURE__ */ new Set();
  await pool(prepared.hosts, opts.forks, async (name) => {
    const t0 = performance.now();
    try {
      const transport = await opts.connect(name);
      contexts.set(name, new HostContext(inventory.hosts.get(name), transport, { check: opts.check, diff: opts.diff }, inventory.hosts));
      emit({ type: "host-connected", host: name, ms: Math.round(performance.now() - t0) });
    } catch (e) {
      dead.add(name);
      recap[name].unreachable = 1;
      emit({ type: "host-unreachable", host: name, error: renderError(e) });
    }
  });
  try {
    for (const play of prepared.plays) {
      emit({ type: "play-start", play: play.name });
      await pool([...play.hosts.keys()].filter((h) => !dead.has(h)), opts.forks, async (name) => {
        const host = contexts.get(name);
        for (const role of play.hosts.get(name)) {
          const ok = await runRole(host, role, tally);
          if (!ok) {
            dead.add(name);
            break;
          }
        }
      });
    }
  } finally {
    await Promise.all([...contexts.values()].map((c) => c.transport.close().catch(() => {
    })));
  }
  for (const h of prepared.hosts) emit({ type: "host-end", host: h, status: recap[h].unreachable ? "unreachable" : recap[h].failed ? "failed" : "ok" });
  emit({ type: "run-end", ms: Math.round(performance.now() - started), recap });
  return recap;
}
async function runRole(host, role, emit) {
  emit({ type: "role-start", host: host.name, role: role.role });
  for (const n of role.notes) emit({ type: "host-note", host: host.name, note: n });
  const notified = /* @__PURE__ */ new Set();
  const factsOf = (from) => role.tasks.slice(from).flatMap((t) => t.skip ? [] : t.facts?.(host) ?? []);
  await host.prefetch(factsOf(0)).catch(() => {
  });
  for (const [i, task] of role.tasks.entries()) {
    const status = await runTask(host, role.role, task, emit);
    if (status === "failed") return false;
    if (status === "changed") {
      for (const n of task.notify ?? []) notified.add(n);
      if (!host.mode.check) await host.prefetch(factsOf(i + 1)).catch(() => {
      });
    }
  }
  for (const [name, handler] of Object.entries(role.handlers)) {
    if (!notified.has(name)) continue;
    const status = await runTask(host, role.role, { ...handler, name: handler.name || name }, emit, true);
    if (status === "failed") return false;
  }
  emit({ type: "role-end", host: host.name, role: role.role });
  return true;
}
async function pool(items, limit, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}

// src/output/json.ts
function jsonRenderer(sink) {
  const emit = (e) => sink.out(JSON.stringify({ ...e, time: (/* @__PURE__ */ new Date()).toISOString() }) + "\n");
  return { emit, close: async () => {
  } };
}

// src/output/listr.ts
import { Listr } from "listr2";

// src/secrets.ts
var MASK = "********";
var secrets = /* @__PURE__ */ new Set();
function registerSecret(value) {
  if (value.length >= 3) secrets.add(value);
}
function redact(text) {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join(MASK);
  }
  return out;
}

// src/output/diff.ts
import { createTwoFilesPatch } from "diff";
function unifiedDiff(d) {
  return createTwoFilesPatch(`${d.path} (host)`, `${d.path} (wanted)`, d.before, d.after, "", "", { context: 3 }).split("\n").slice(1).join("\n");
}

// src/output/color.ts
var enabled = process.stdout.isTTY && !process.env.NO_COLOR;
var wrap = (code) => (s) => enabled ? `\x1B[${code}m${s}\x1B[0m` : s;
var green = wrap(32);
var yellow = wrap(33);
var red = wrap(31);
var cyan = wrap(36);
var dim = wrap(2);
var bold = wrap(1);

// src/output/recap.ts
function printRecap(sink, recap, ms) {
  const hosts = Object.keys(recap);
  const width = Math.max(4, ...hosts.map((h) => h.length));
  sink.out(`
${bold("RECAP")} (${(ms / 1e3).toFixed(1)} s)
`);
  for (const h of hosts) {
    const r = recap[h];
    const name = r.failed || r.unreachable ? red(h.padEnd(width)) : r.changed ? yellow(h.padEnd(width)) : green(h.padEnd(width));
    sink.out(`${name} : ok=${r.ok} changed=${r.changed} failed=${r.failed} skipped=${r.skipped} unreachable=${r.unreachable}
`);
    for (const n of r.notes) sink.out(`${" ".repeat(width)}   note: ${n}
`);
  }
}
function exitCodeFor(recap) {
  let code = 0;
  for (const r of Object.values(recap)) {
    if (r.failed) code |= 2;
    if (r.unreachable) code |= 4;
  }
  return code;
}

// src/output/plain.ts
function plainRenderer(sink, opts) {
  const emit = (e) => {
    switch (e.type) {
      case "run-start":
        sink.out(`${e.check ? "CHECK MODE (nothing is changed). " : ""}hosts: ${e.hosts.join(", ")}
`);
        break;
      case "host-unreachable":
        sink.out(`[${e.host}] UNREACHABLE ${e.error}
`);
        break;
      case "play-start":
        sink.out(`PLAY ${e.play}
`);
        break;
      case "task-end": {
        const label = `[${e.host}] ${e.role} | ${e.handler ? "handler: " : ""}${e.task}`;
        if (e.status === "failed") sink.out(`${label}: FAILED
${indent(e.error ?? "")}
`);
        else if (e.status === "changed") sink.out(`${label}: changed (${e.changes.join("; ")})
`);
        else if (e.status === "skipped") sink.out(`${label}: skipped${e.reason ? ` (${e.reason})` : ""}
`);
        else sink.out(`${label}: ok${opts.verbose && e.reason ? ` (${e.reason})` : ""}
`);
        for (const w of e.warnings ?? []) sink.out(`[${e.host}] warning: ${w}
`);
        if (opts.diff) for (const d of e.diffs ?? []) sink.out(indent(unifiedDiff(d)) + "\n");
        break;
      }
      case "run-end":
        printRecap(sink, e.recap, e.ms);
        break;
    }
  };
  return { emit, close: async () => {
  } };
}
function indent(text, pad = "    ") {
  return text.trimEnd().split("\n").map((l) => pad + l).join("\n");
}

// src/output/listr.ts
function listrRenderer(sink, opts) {
  const waiting = /* @__PURE__ */ new Map();
  const early = /* @__PURE__ */ new Map();
  const ended = /* @__PURE__ */ new Map();
  let recapArgs;
  const after = [];
  let done = Promise.resolve();
  const next = (host) => new Promise((resolve5) => {
    const queued = early.get(host)?.shift();
    if (queued) return resolve5(queued);
    if (ended.has(host)) return resolve5({ type: "abandoned", reason: ended.get(host) });
    waiting.set(host, [...waiting.get(host) ?? [], { resolve: resolve5 }]);
  });
  const deliver = (host, o) => {
    const w = waiting.get(host)?.shift();
    if (w) w.resolve(o);
    else early.set(host, [...early.get(host) ?? [], o]);
  };
  const render = (e) => {
    switch (e.type) {
      case "run-start": {
        const tasks = e.plays.map((play) => ({
          title: `PLAY ${play.name}${e.check ? " (check mode)" : ""}`,
          task: (_c, t) => t.newListr(
            Object.entries(play.hosts).map(([host, roles]) => ({
              title: host,
              task: (_c2, th) => th.newListr(
                roles.map((r) => ({
                  title: r.role,
                  task: (_c3, tr) => tr.newListr(
                    r.tasks.map((name) => ({
                      title: name,
                      task: async (_c4, tt) => {
                        const o = await next(host);
                        if (o.type === "abandoned") return tt.skip(o.reason);
                        if (o.status === "failed") throw new Error(redact(o.error?.split("\n")[0] ?? "failed"));
                        if (o.status === "skipped") return tt.skip(redact(`${name}: skipped ${o.reason ?? ""}`));
                        tt.title = redact(o.status === "changed" ? `${name} \u2192 ${o.changes.join("; ")}` : `${name}`);
                      }
                    })),
                    { concurrent: false, exitOnError: true }
                  )
                })),
                { concurrent: false, exitOnError: true }
              )
            })),
            { concurrent: true, exitOnError: false }
          )
        }));
        done = new Listr(tasks, { concurrent: false, exitOnError: false, rendererOptions: { collapseSubtasks: false, collapseErrors: false } }).run().catch(() => {
        });
        break;
      }
      case "host-unreachable":
        deliver(e.host, { type: "abandoned", reason: "unreachable" });
        after.push(`[${e.host}] UNREACHABLE ${e.error}`);
        break;
      case "task-end":
        if (!e.handler) deliver(e.host, e);
        if (e.handler) after.push(`[${e.host}] ${e.role} | handler ${e.task}: ${e.status}`);
        for (const w of e.warnings ?? []) after.push(`[${e.host}] warning: ${w}`);
        if (e.status === "failed") after.push(`[${e.host}] FAILED
${indent(e.error ?? "")}`);
        if (opts.diff) for (const d of e.diffs ?? []) after.push(unifiedDiff(d));
        break;
      case "host-end":
        ended.set(e.host, `not run: ${e.host} ${e.status}`);
        for (const w of waiting.get(e.host)?.splice(0) ?? []) w.resolve({ type: "abandoned", reason: `not run: ${e.host} ${e.status}` });
        break;
      case "run-end":
        recapArgs = [e.recap, e.ms];
        break;
    }
  };
  const close = async () => {
    await done;
    for (const a of after) sink.out(a + "\n");
    if (recapArgs) printRecap(sink, ...recapArgs);
  };
  return { emit: render, close };
}

// src/output/sink.ts
var processSink = {
  out: (text) => void process.stdout.write(redact(text)),
  err: (text) => void process.stderr.write(redact(text))
};

// src/cli/context.ts
import { existsSync as existsSync9, statSync as statSync4 } from "node:fs";
import { dirname as dirname4, join as join7, resolve as resolve3 } from "node:path";
import { fileURLToPath } from "node:url";

// src/inventory/load.ts
import { existsSync as existsSync3, readFileSync as readFileSync3, realpathSync, statSync as statSync2 } from "node:fs";
import { basename, dirname, join as join3, resolve } from "node:path";

// src/inventory/env.ts
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import dotenv from "dotenv";
function loadEnv(dir) {
  const file2 = join(dir, ".env");
  const fromFile = existsSync(file2) ? dotenv.parse(readFileSync(file2)) : {};
  return { ...fromFile, ...process.env };
}
var REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
function substitute(value, env, where, problems) {
  if (typeof value === "string") {
    return value.replace(REF, (whole, name) => {
      const v = env[name];
      if (v === void 0) {
        const w = where();
        problems.push({ ...w, message: `\${${name}} is not set: add ${name}=... to .env beside the inventory (see .env.example) or export it` });
        return whole;
      }
      registerSecret(v);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, env, where, problems));
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, env, where, problems);
    return out;
  }
  return value;
}

// src/inventory/ini-inventory.ts
import { parse as parseYamlValue } from "yaml";

// src/inventory/structure.ts
function emptyStructure() {
  return { groups: /* @__PURE__ */ new Map([["all", newGroup()]]), hostVars: /* @__PURE__ */ new Map() };
}
function newGroup() {
  return { hosts: /* @__PURE__ */ new Set(), children: /* @__PURE__ */ new Set(), vars: { vars: {}, origins: {} } };
}
function ensureGroup(s, name) {
  let g = s.groups.get(name);
  if (!g) s.groups.set(name, g = newGroup());
  return g;
}
function mergeLayer(into, vars, origin) {
  for (const [k, v] of Object.entries(vars)) {
    into.vars[k] = v;
    into.origins[k] = origin(k);
  }
}
var VALID_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

// src/inventory/ini-inventory.ts
function readIniInventory(text, file2, problems) {
  const s = emptyStructure();
  let section = { group: "ungrouped", kind: "hosts" };
  text.split("\n").forEach((raw2, i) => {
    const line = i + 1;
    const content = raw2.replace(/^\s+|\s+$/g, "");
    if (!content || content.startsWith("#") || content.startsWith(";")) return;
    const header = /^\[([^\]:]+)(?::(vars|children))?\]$/.exec(content);
    if (header) {
      section = { group: header[1], kind: header[2] ?? "hosts" };
      if (!VALID_NAME.test(section.group)) problems.push({ file: file2, line, message: `invalid group name "${section.group}"` });
      const g = ensureGroup(s, section.group);
      if (section.group !== "all") ensureGroup(s, "all").children.add(section.group);
      void g;
      return;
    }
    const origin = `${file2}:${line}`;
    const group = ensureGroup(s, section.group);
    if (section.kind === "children") {
      ensureGroup(s, content);
      group.children.add(content);
      ensureGroup(s, "all").children.delete(content);
      return;
    }
    if (section.kind === "vars") {
      const kv = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(content);
      if (!kv) return void problems.push({ file: file2, line, message: `expected key=value in [${section.group}:vars]` });
      group.vars.vars[kv[1]] = scalar(kv[2]);
      group.vars.origins[kv[1]] = origin;
      return;
    }
    const [host, ...pairs] = splitWords(content);
    if (!VALID_NAME.test(host)) return void problems.push({ file: file2, line, message: `invalid host name "${host}"` });
    group.hosts.add(host);
    let layer = s.hostVars.get(host);
    if (!layer) s.hostVars.set(host, layer = { vars: {}, origins: {} });
    for (const pair of pairs) {
      const eq = pair.indexOf("=");
      if (eq <= 0) {
        problems.push({ file: file2, line, host, message: `expected key=value, got "${pair}"` });
        continue;
      }
      const key = pair.slice(0, eq);
      layer.vars[key] = scalar(pair.slice(eq + 1));
      layer.origins[key] = origin;
    }
  });
  return s;
}
function splitWords(line) {
  const words = [];
  const re = /(?:[^\s"']+|"[^"]*"|'[^']*')+/g;
  for (const m of line.matchAll(re)) words.push(m[0]);
  return words;
}
function scalar(raw2) {
  const v = raw2.trim();
  if (/^(['"]).*\1$/.test(v)) return v.slice(1, -1);
  try {
    return parseYamlValue(v, { version: "1.1" });
  } catch {
    return v;
  }
}

// src/inventory/vars-dirs.ts
import { existsSync as existsSync2, readdirSync, statSync } from "node:fs";
import { join as join2 } from "node:path";

// src/inventory/yaml-file.ts
import { readFileSync as readFileSync2 } from "node:fs";
import { LineCounter, parseDocument, isMap, isScalar } from "yaml";
function readYaml(file2, problems) {
  let text;
  try {
    text = readFileSync2(file2, "utf8");
  } catch (e) {
    problems.push({ file: file2, message: `cannot read: ${e.message}` });
    return void 0;
  }
  return parseYaml(text, file2, problems);
}
function parseYaml(text, file2, problems) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: "1.1", lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const line = err.linePos?.[0]?.line ?? (err.pos ? lineCounter.linePos(err.pos[0]).line : void 0);
      problems.push({ file: file2, line, message: `YAML syntax: ${err.message.split("\n")[0]}` });
    }
    return void 0;
  }
  const lineOf = (path) => {
    let node = doc.contents;
    let keyLine;
    for (const key of path) {
      if (!isMap(node)) return keyLine;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) return keyLine;
      const keyNode = pair.key;
      if (keyNode.range) keyLine = lineCounter.linePos(keyNode.range[0]).line;
      node = pair.value;
    }
    return keyLine;
  };
  return { value: doc.toJS({ maxAliasCount: 1e3 }), lineOf };
}

// src/inventory/vars-dirs.ts
function readVarsDir(base, name, problems) {
  const layer = { vars: {}, origins: {} };
  const candidates = [`${name}.yml`, `${name}.yaml`, name].map((f) => join2(base, f));
  const files = [];
  for (const c of candidates) {
    if (!existsSync2(c)) continue;
    if (statSync(c).isDirectory())
      files.push(...readdirSync(c).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join2(c, f)));
    else files.push(c);
  }
  for (const file2 of files) {
    const one = readVarsFile(file2, problems);
    Object.assign(layer.vars, one.vars);
    Object.assign(layer.origins, one.origins);
  }
  return layer;
}
function readVarsFile(file2, problems) {
  const layer = { vars: {}, origins: {} };
  const parsed = readYaml(file2, problems);
  if (!parsed || parsed.value === null || parsed.value === void 0) return layer;
  if (typeof parsed.value !== "object" || Array.isArray(parsed.value)) {
    problems.push({ file: file2, line: 1, message: "a vars file must be a mapping of variable names to values" });
    return layer;
  }
  for (const [k, v] of Object.entries(parsed.value)) {
    layer.vars[k] = v;
    const line = parsed.lineOf([k]);
    layer.origins[k] = line ? `${file2}:${line}` : file2;
  }
  return layer;
}
function varsDirNames(base) {
  if (!existsSync2(base)) return [];
  return readdirSync(base).map((f) => f.replace(/\.ya?ml$/, ""));
}

// src/inventory/yaml-inventory.ts
var GROUP_KEYS = /* @__PURE__ */ new Set(["hosts", "children", "vars"]);
function readYamlInventory(parsed, file2, problems) {
  const s = emptyStructure();
  const root = parsed.value;
  if (!isObject(root)) {
    problems.push({ file: file2, line: 1, message: "an inventory must be a mapping of groups, starting with `all:`" });
    return s;
  }
  for (const [name, body] of Object.entries(root)) readGroup(name, body, [name], void 0);
  return s;
  function readGroup(name, body, path, parent) {
    const line = parsed.lineOf(path);
    if (!VALID_NAME.test(name)) problems.push({ file: file2, line, field: path.join("."), message: `invalid group name "${name}"` });
    const group = ensureGroup(s, name);
    if (parent) ensureGroup(s, parent).children.add(name);
    else if (name !== "all") ensureGroup(s, "all").children.add(name);
    if (body === null || body === void 0) return;
    if (!isObject(body)) {
      problems.push({ file: file2, line, field: path.join("."), message: "a group must be a mapping with hosts:, children: or vars:" });
      return;
    }
    for (const key of Object.keys(body)) {
      if (!GROUP_KEYS.has(key))
        problems.push({ file: file2, line: parsed.lineOf([...path, key]), field: [...path, key].join("."), message: `unknown key "${key}" (a group takes hosts:, children:, vars:)` });
    }
    const { hosts, children, vars } = body;
    if (vars !== void 0 && vars !== null) {
      if (!isObject(vars)) problems.push({ file: file2, line: parsed.lineOf([...path, "vars"]), field: [...path, "vars"].join("."), message: "vars must be a mapping" });
      else mergeLayer(group.vars, vars, (k) => at(parsed.lineOf([...path, "vars", k])));
    }
    if (hosts !== void 0 && hosts !== null) {
      if (!isObject(hosts)) problems.push({ file: file2, line: parsed.lineOf([...path, "hosts"]), field: [...path, "hosts"].join("."), message: "hosts must be a mapping of host names" });
      else
        for (const [host, hvars] of Object.entries(hosts)) {
          const hpath = [...path, "hosts", host];
          if (!VALID_NAME.test(host)) problems.push({ file: file2, line: parsed.lineOf(hpath), field: hpath.join("."), message: `invalid host name "${host}"` });
          group.hosts.add(host);
          let layer = s.hostVars.get(host);
          if (!layer) s.hostVars.set(host, layer = { vars: {}, origins: {} });
          if (hvars === null || hvars === void 0) continue;
          if (!isObject(hvars)) {
            problems.push({ file: file2, line: parsed.lineOf(hpath), host, message: "host variables must be a mapping" });
            continue;
          }
          mergeLayer(layer, hvars, (k) => at(parsed.lineOf([...hpath, k])));
        }
    }
    if (children !== void 0 && children !== null) {
      if (!isObject(children)) problems.push({ file: file2, line: parsed.lineOf([...path, "children"]), field: [...path, "children"].join("."), message: "children must be a mapping of groups" });
      else for (const [child, cbody] of Object.entries(children)) readGroup(child, cbody, [...path, "children", child], name);
    }
  }
  function at(line) {
    return line ? `${file2}:${line}` : file2;
  }
}
function isObject(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// src/inventory/load.ts
var INVENTORY_FILES = ["hosts.yml", "hosts.yaml", "inventory.yml", "inventory.yaml", "hosts", "hosts.ini", "inventory.ini"];
async function loadInventory(path, opts = {}) {
  const problems = [];
  const file2 = findInventoryFile(path, problems);
  if (!file2) throw new InventoryError(problems);
  const dir = dirname(file2);
  const structure = readStructure(file2, problems);
  if (!structure) throw new InventoryError(problems);
  const groups = toGroups(structure);
  const before = problems.length;
  checkCycles(groups, file2, problems);
  if (problems.length > before) throw new InventoryError(dedupe(problems));
  const depth = groupDepths(groups);
  const groupLayers = /* @__PURE__ */ new Map();
  for (const name of groups.keys()) groupLayers.set(name, [structure.groups.get(name).vars, readVarsDir(join3(dir, "group_vars"), name, problems)]);
  for (const n of varsDirNames(join3(dir, "group_vars")))
    if (!groups.has(n)) problems.push({ file: join3(dir, "group_vars", n), message: `group_vars for "${n}", which is not a group of the inventory` });
  const hostNames = /* @__PURE__ */ new Set();
  for (const g of groups.values()) for (const h of g.hosts) hostNames.add(h);
  for (const n of varsDirNames(join3(dir, "host_vars")))
    if (!hostNames.has(n)) problems.push({ file: join3(dir, "host_vars", n), message: `host_vars for "${n}", which is not a host of the inventory` });
  const overlay = opts.overlayFile ? readVarsFile(opts.overlayFile, problems) : void 0;
  const env = loadEnv(dir);
  const hosts = /* @__PURE__ */ new Map();
  for (const name of [...hostNames].sort()) {
    const memberOf = ancestorsOf(name, groups);
    const ordered = [...memberOf].sort((a, b) => depth.get(a) - depth.get(b) || (a === b ? 0 : a < b ? -1 : 1));
    const layers = ordered.flatMap((g) => groupLayers.get(g));
    layers.push(structure.hostVars.get(name) ?? { vars: {}, origins: {} });
    layers.push(readVarsDir(join3(dir, "host_vars"), name, problems));
    if (overlay) layers.push(overlay);
    if (opts.extraVars) layers.push({ vars: opts.extraVars, origins: Object.fromEntries(Object.keys(opts.extraVars).map((k) => [k, "-e"])) });
    const vars = {};
    const origins = {};
    for (const l of layers) Object.assign(vars, l.vars) && Object.assign(origins, l.origins);
    for (const [k, v] of Object.entries(vars))
      vars[k] = substitute(v, env, () => ({ file: origins[k], host: name, field: k }), problems);
    hosts.set(name, { name, groups: ordered, vars, origins });
  }
  if (problems.length) throw new InventoryError(dedupe(problems));
  return { dir, file: file2, hosts, groups };
}
function findInventoryFile(path, problems) {
  const abs = resolve(path);
  if (!existsSync3(abs)) {
    problems.push({ file: abs, message: "no such inventory (give a directory holding hosts.yml, or the file itself, with -i)" });
    return void 0;
  }
  if (!statSync2(abs).isDirectory()) return realpathSync(abs);
  for (const f of INVENTORY_FILES) if (existsSync3(join3(abs, f))) return realpathSync(join3(abs, f));
  problems.push({ file: abs, message: `no inventory file in this directory (looked for ${INVENTORY_FILES.join(", ")})` });
  return void 0;
}
function readStructure(file2, problems) {
  const isYaml = /\.ya?ml$/.test(file2) || !/\.ini$/.test(file2) && /^\s*(all|[A-Za-z0-9_-]+)\s*:\s*$/m.test(readFileSync3(file2, "utf8").split("\n").find((l) => l.trim() && !l.trim().startsWith("#")) ?? "");
  if (isYaml) {
    const parsed = readYaml(file2, problems);
    return parsed ? readYamlInventory(parsed, basename(file2) === file2 ? file2 : file2, problems) : void 0;
  }
  return readIniInventory(readFileSync3(file2, "utf8"), file2, problems);
}
function toGroups(s) {
  const groups = /* @__PURE__ */ new Map();
  for (const [name, g] of s.groups) groups.set(name, { name, hosts: [...g.hosts].sort(), children: [...g.children].sort() });
  return groups;
}
function checkCycles(groups, file2, problems) {
  const visiting = /* @__PURE__ */ new Set();
  const done = /* @__PURE__ */ new Set();
  const visit = (g, path) => {
    if (done.has(g)) return;
    if (visiting.has(g)) return void problems.push({ file: file2, message: `group cycle: ${[...path, g].join(" \u2192 ")}` });
    visiting.add(g);
    for (const c of groups.get(g)?.children ?? []) visit(c, [...path, g]);
    visiting.delete(g);
    done.add(g);
  };
  for (const g of groups.keys()) visit(g, []);
}
function groupDepths(groups) {
  const depth = /* @__PURE__ */ new Map([["all", 0]]);
  const walk = (g, d) => {
    if ((depth.get(g) ?? -1) > d) return;
    depth.set(g, d);
    for (const c of groups.get(g)?.children ?? []) walk(c, d + 1);
  };
  walk("all", 0);
  for (const g of groups.keys()) if (!depth.has(g)) depth.set(g, 1);
  return depth;
}
function ancestorsOf(host, groups) {
  const parents = /* @__PURE__ */ new Map();
  for (const g of groups.values()) for (const c of g.children) parents.set(c, [...parents.get(c) ?? [], g.name]);
  const out = /* @__PURE__ */ new Set(["all"]);
  const up = (g) => {
    if (out.has(g) && g !== "all") return;
    out.add(g);
    for (const p of parents.get(g) ?? []) up(p);
  };
  for (const g of groups.values()) if (g.hosts.includes(host)) up(g.name);
  return out;
}
function dedupe(problems) {
  const seen = /* @__PURE__ */ new Set();
  return problems.filter((p) => {
    const key = JSON.stringify(p);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

// src/engine/prepare.ts
import { existsSync as existsSync4 } from "node:fs";
import { join as join4 } from "node:path";
import { pathToFileURL } from "node:url";

// src/ops/template.ts
import { readFileSync as readFileSync5 } from "node:fs";
import ejs from "ejs";

// src/ops/file.ts
import { createHash } from "node:crypto";
import { readFileSync as readFileSync4 } from "node:fs";

// src/transport/quote.ts
var Raw = class {
  constructor(text) {
    this.text = text;
  }
  text;
};
var raw = (text) => new Raw(text);
var SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
function quote(value) {
  const s = String(value);
  if (s !== "" && SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
function sh(strings, ...values) {
  let out = strings[0];
  values.forEach((v, i) => {
    out += word(v) + strings[i + 1];
  });
  return out;
}
function word(v) {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return v.map((x) => word(x)).join(" ");
  return quote(v);
}

// src/facts/files.ts
function fileState(path) {
  return {
    key: `file:${path}`,
    command: sh`p=${path}; if [ -e "$p" ] || [ -L "$p" ]; then stat -c '%F|%U|%G|%a' -- "$p" && { [ ! -f "$p" ] || [ -L "$p" ] || sha256sum -- "$p" | cut -c1-64; }; else echo absent; fi`,
    parse: ({ code, stdout, stderr }) => {
      if (code !== 0) throw new Error(`cannot stat ${path}: ${stderr.trim()}`);
      const [first, hash] = stdout.trim().split("\n");
      if (first === "absent") return { exists: false };
      const [kind, owner, group, mode] = first.split("|");
      const type = kind.startsWith("regular") ? "file" : kind === "directory" ? "directory" : kind === "symbolic link" ? "symlink" : "other";
      return { exists: true, type, owner, group, mode, sha256: hash };
    }
  };
}
function fileContent(path) {
  return {
    key: `content:${path}`,
    command: sh`cat -- ${path}`,
    parse: ({ code, stdout }) => code === 0 ? stdout : void 0
  };
}
function pathExists(path) {
  return { key: `exists:${path}`, command: sh`test -e ${path}`, parse: ({ code }) => code === 0 };
}
function commandSucceeds(command2) {
  return { key: `succeeds:${command2}`, command: command2, parse: ({ code }) => code === 0 };
}

// src/ops/file.ts
function normalizeMode(mode) {
  if (mode === void 0) return void 0;
  const octal = typeof mode === "number" ? mode.toString(8) : mode.replace(/^0+(?=\d)/, "");
  if (!/^[0-7]{3,4}$/.test(octal)) throw new Error(`invalid file mode ${String(mode)} (expected octal such as "0644")`);
  return octal.replace(/^0(?=\d{3}$)/, "");
}
function sha256(data) {
  return createHash("sha256").update(data).digest("hex");
}
function planFile(current, spec, content, before) {
  const mode = normalizeMode(spec.mode);
  const changes = [];
  if (current.exists && current.type !== "file")
    throw new Error(`${spec.path} exists but is a ${current.type}, not a file: move it away first`);
  if (content !== void 0 && (!current.exists || current.sha256 !== sha256(content))) {
    const diff = spec.sensitive ? { path: spec.path, before: current.exists ? "(sensitive content)\n" : "", after: "(sensitive content, changed)\n" } : { path: spec.path, before: before ?? "", after: content.toString("utf8") };
    changes.push({
      summary: current.exists ? `update ${spec.path}` : `create ${spec.path}`,
      diff,
      command: writeCommand(spec.path, current, spec, mode),
      display: `write ${spec.path} (atomic rename${spec.validate ? `, validated by: ${spec.validate}` : ""})`,
      stdin: content
    });
    return changes;
  }
  if (!current.exists) {
    if (content === void 0) throw new Error(`${spec.path} does not exist and no content was given`);
    return changes;
  }
  if (spec.owner && spec.owner !== current.owner) changes.push({ summary: `owner ${current.owner} \u2192 ${spec.owner}`, command: sh`chown ${spec.owner} ${spec.path}` });
  if (spec.group && spec.group !== current.group) changes.push({ summary: `group ${current.group} \u2192 ${spec.group}`, command: sh`chgrp ${spec.group} ${spec.path}` });
  if (mode && mode !== current.mode) changes.push({ summary: `mode ${current.mode} \u2192 ${mode}`, command: sh`chmod ${mode} ${spec.path}` });
  return changes;
}
function writeCommand(path, current, spec, mode) {
  const dir = path.replace(/\/[^/]*$/, "") || "/";
  const base = path.slice(dir.length + 1);
  const steps = [
    sh`t=$(mktemp -p ${dir} ${"." + base + ".halabXXXXXX"}) || exit 1`,
    `trap 'rm -f "$t"' EXIT`,
    `cat > "$t"`,
    current.exists ? sh`chown --reference=${path} "$t" && chmod --reference=${path} "$t"` : 'chmod 644 "$t"'
  ];
  if (spec.owner) steps.push(sh`chown ${spec.owner} "$t"`);
  if (spec.group) steps.push(sh`chgrp ${spec.group} "$t"`);
  if (mode) steps.push(sh`chmod ${mode} "$t"`);
  if (spec.validate) steps.push(`( ${spec.validate.split("%s").join('"$t"')} )`);
  if (current.exists && spec.backup !== false) steps.push(sh`cp -p ${path} ${path + ".halab-bak"}`);
  steps.push(sh`mv -f "$t" ${path}`, `trap - EXIT`);
  return raw(steps.join(" && ")).text;
}
function file(spec) {
  const content = spec.content !== void 0 ? Buffer.from(spec.content) : spec.src ? readFileSync4(spec.src) : void 0;
  return {
    name: spec.name ?? `file ${spec.path}`,
    notify: spec.notify,
    facts: () => [fileState(spec.path)],
    async plan(host) {
      const current = await host.fact(fileState(spec.path));
      let before;
      if (host.mode.diff && current.exists && content !== void 0 && current.sha256 !== sha256(content) && !spec.sensitive)
        before = await host.fact(fileContent(spec.path));
      const changes = planFile(current, spec, content, before);
      return changes.length ? { changes } : { changes, noop: `${spec.path} is as wanted` };
    }
  };
}

// src/ops/template.ts
function renderTemplate(path, data) {
  let source;
  try {
    source = readFileSync5(path, "utf8");
  } catch (e) {
    throw new TemplateError(`template ${path} cannot be read: ${e.message}`);
  }
  try {
    return ejs.render(source, data, { filename: path, strict: false, rmWhitespace: false });
  } catch (e) {
    const first = e.message.split("\n");
    const detail = first.find((l) => /is not defined|Error/.test(l)) ?? first[first.length - 1];
    throw new TemplateError(`template ${path}: ${detail}`, "define the variable in the role defaults or the inventory, or fix the template");
  }
}
function template(spec) {
  const task = file({ ...spec, content: spec.rendered });
  return { ...task, name: spec.name ?? `template ${spec.path}`, rendered: spec.rendered };
}

// src/engine/host-pattern.ts
function selectHosts(inventory, pattern, unknown = []) {
  const all = [...inventory.hosts.keys()];
  let selected = /* @__PURE__ */ new Set();
  const parts = pattern.split(/[:,]/).map((p) => p.trim()).filter(Boolean);
  const positive = parts.filter((p) => !p.startsWith("!") && !p.startsWith("&"));
  if (!positive.length) selected = new Set(all);
  for (const p of positive) for (const h of resolve5(p)) selected.add(h);
  for (const p of parts.filter((x) => x.startsWith("&"))) {
    const keep = new Set(resolve5(p.slice(1)));
    selected = new Set([...selected].filter((h) => keep.has(h)));
  }
  for (const p of parts.filter((x) => x.startsWith("!"))) for (const h of resolve5(p.slice(1))) selected.delete(h);
  return all.filter((h) => selected.has(h));
  function resolve5(term) {
    if (term === "all" || term === "*") return all;
    const group = inventory.groups.get(term);
    if (group) return all.filter((h) => inventory.hosts.get(h).groups.includes(term));
    if (inventory.hosts.has(term)) return [term];
    if (/[*?]/.test(term)) {
      const re = new RegExp("^" + term.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$");
      const groups = [...inventory.groups.keys()].filter((g) => re.test(g));
      return all.filter((h) => re.test(h) || groups.some((g) => inventory.hosts.get(h).groups.includes(g)));
    }
    unknown.push(term);
    return [];
  }
}

// src/engine/prepare.ts
async function loadPlaybook(projectRoot2, name) {
  const file2 = [name, join4(projectRoot2, "playbooks", `${name}.ts`), join4(projectRoot2, "playbooks", name)].find((f) => existsSync4(f) && f.endsWith(".ts"));
  if (!file2) throw new InventoryError([{ file: join4(projectRoot2, "playbooks", `${name}.ts`), message: `no playbook "${name}" (playbooks are playbooks/<name>.ts)` }]);
  const mod = await import(pathToFileURL(file2).href);
  if (!mod.default?.plays) throw new InventoryError([{ file: file2, message: "a playbook module must `export default definePlaybook({ plays: [...] })`" }]);
  return { playbook: mod.default, file: file2 };
}
async function loadRole(projectRoot2, name) {
  const file2 = join4(projectRoot2, "roles", name, "index.ts");
  if (!existsSync4(file2)) return void 0;
  const mod = await import(pathToFileURL(file2).href);
  return mod.default;
}
async function prepareRun(inventory, playbook, playbookFile, opts) {
  const problems = [];
  const limited = opts.limit ? new Set(selectHostsChecked(inventory, opts.limit, "--limit", problems)) : void 0;
  const wantedRoles = opts.roles ? new Set(opts.roles) : void 0;
  const roleCache = /* @__PURE__ */ new Map();
  const allRoles = new Set(playbook.plays.flatMap((p) => p.roles));
  for (const r of opts.roles ?? []) if (!allRoles.has(r)) problems.push({ field: "--roles", message: `role "${r}" is not in this playbook (it has: ${[...allRoles].join(", ")})` });
  const plays = [];
  for (const play of playbook.plays) {
    const hosts = selectHosts(inventory, play.hosts).filter((h) => !limited || limited.has(h));
    const prepared = { name: play.name ?? play.hosts, hosts: /* @__PURE__ */ new Map() };
    for (const roleName of play.roles) {
      if (!roleCache.has(roleName)) roleCache.set(roleName, await loadRole(opts.projectRoot, roleName));
      const role = roleCache.get(roleName);
      if (!role) {
        problems.push({ file: playbookFile, message: `role "${roleName}" not found (expected roles/${roleName}/index.ts exporting defineRole(...))` });
        continue;
      }
      if (wantedRoles && !wantedRoles.has(roleName)) continue;
      for (const hostName of hosts) {
        const built = buildRole(role, inventory, hostName, opts.projectRoot, problems);
        if (!built) continue;
        if (!prepared.hosts.has(hostName)) prepared.hosts.set(hostName, []);
        prepared.hosts.get(hostName).push(built);
      }
    }
    plays.push(prepared);
  }
  if (problems.length) throw new InventoryError(problems);
  const used = new Set(plays.flatMap((p) => [...p.hosts.keys()]));
  return { plays, hosts: [...inventory.hosts.keys()].filter((h) => used.has(h)) };
}
function selectHostsChecked(inventory, pattern, where, problems) {
  const unknown = [];
  const hosts = selectHosts(inventory, pattern, unknown);
  for (const u of unknown) problems.push({ field: where, message: `"${u}" is neither a host nor a group of the inventory ${inventory.file}` });
  return hosts;
}
function buildRole(role, inventory, hostName, projectRoot2, problems) {
  const host = inventory.hosts.get(hostName);
  const parsed = role.vars.safeParse(host.vars);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const top = String(issue.path[0] ?? "");
      problems.push({ file: host.origins[top] ?? `roles/${role.name}/defaults.ts`, host: hostName, field: issue.path.join(".") || "(role variables)", message: `${role.name}: ${issue.message}` });
    }
    return void 0;
  }
  const notes = [];
  const ctx = {
    host,
    vars: parsed.data,
    inventory,
    template: (name, extra = {}) => renderTemplate(join4(projectRoot2, "templates", role.name, name), { ...host.vars, ...parsed.data, ...extra, inventory_hostname: hostName, hostvars: hostVars(inventory), groups: groupsOf(inventory) }),
    note: (text) => notes.push(text)
  };
  try {
    return { role: role.name, tasks: role.tasks(ctx), handlers: role.handlers?.(ctx) ?? {}, notes };
  } catch (e) {
    const file2 = e instanceof TemplateError ? void 0 : `roles/${role.name}/index.ts`;
    problems.push({ file: file2, host: hostName, message: `${role.name}: ${e.message}` });
    return void 0;
  }
}
function hostVars(inventory) {
  return Object.fromEntries([...inventory.hosts].map(([n, h]) => [n, h.vars]));
}
function groupsOf(inventory) {
  return Object.fromEntries([...inventory.groups.keys()].map((g) => [g, [...inventory.hosts.values()].filter((h) => h.groups.includes(g)).map((h) => h.name)]));
}

// src/transport/connect.ts
import { existsSync as existsSync7 } from "node:fs";
import { homedir as homedir2, userInfo } from "node:os";
import { join as join5, resolve as resolve2 } from "node:path";

// src/transport/local.ts
import { spawn } from "node:child_process";

// src/transport/remote-shell.ts
var PROLOGUE = (
  // Non-root logins often lack the sbin directories, where most system tools live.
  `PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\${PATH:+:$PATH}; export PATH
__o=$(mktemp) && __e=$(mktemp) && __i=$(mktemp) || exit 97
trap 'rm -f "$__o" "$__e" "$__i"' EXIT
printf '\\036HALAB ready\\n'
`
);
var RemoteShell = class {
  constructor(input, output, stderr, describe) {
    this.input = input;
    this.describe = describe;
    this.ready = new Promise((resolve5, reject) => this.readyWaiter = { resolve: resolve5, reject });
    this.ready.catch(() => {
    });
    output.on("data", (chunk) => this.onData(chunk));
    stderr?.on("data", (chunk) => this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2e3));
    input.on("error", (e) => this.fail(e));
    input.write(PROLOGUE);
  }
  input;
  describe;
  buffer = Buffer.alloc(0);
  pending = [];
  nextId = 1;
  closedError;
  readyWaiter;
  ready;
  stderrTail = "";
  /** Called by the owner when the channel/process ends, with or without an exit status. */
  closed(reason) {
    const tail2 = this.stderrTail.trim();
    this.fail(new Error(`${this.describe}: ${reason}${tail2 ? `: ${tail2}` : ""}`));
  }
  run(commands) {
    if (this.closedError) return commands.map(() => Promise.reject(this.closedError));
    let script = "";
    const promises = commands.map(({ command: command2, stdin }) => {
      const id = this.nextId++;
      script += frame(id, command2, stdin);
      return new Promise((resolve5, reject) => this.pending.push({ id, resolve: resolve5, reject }));
    });
    this.input.write(script);
    return promises;
  }
  onData(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (; ; ) {
      const nl = this.buffer.indexOf(10);
      if (nl < 0) return;
      const header = this.buffer.subarray(0, nl).toString("latin1");
      if (header === "HALAB ready") {
        this.buffer = this.buffer.subarray(nl + 1);
        this.readyWaiter?.resolve();
        continue;
      }
      const m = /^\x1eHALAB (\d+) (\d+) (\d+) (\d+)$/.exec(header);
      if (!m) {
        this.buffer = this.buffer.subarray(nl + 1);
        continue;
      }
      const [, id, code, outLen, errLen] = m.map(Number);
      const end = nl + 1 + outLen + errLen;
      if (this.buffer.length < end) return;
      const stdout = this.buffer.subarray(nl + 1, nl + 1 + outLen).toString("utf8");
      const stderr = this.buffer.subarray(nl + 1 + outLen, end).toString("utf8");
      this.buffer = this.buffer.subarray(end);
      const p = this.pending.shift();
      if (!p || p.id !== id) return this.fail(new Error(`${this.describe}: shell protocol out of step (frame ${id})`));
      p.resolve({ code, stdout, stderr });
    }
  }
  fail(err) {
    if (this.closedError) return;
    this.closedError = err;
    this.readyWaiter?.reject(err);
    for (const p of this.pending.splice(0)) p.reject(err);
  }
};
function frame(id, command2, stdin) {
  const body = `( eval ${quote(command2)} ) >"$__o" 2>"$__e"`;
  const run2 = stdin === void 0 || stdin.length === 0 ? `${body} </dev/null` : `${heredoc(Buffer.from(stdin))}${body} <"$__i"`;
  return `${run2}; __rc=$?; printf '\\036HALAB ${id} %d %d %d\\n' $__rc $(wc -c <"$__o") $(wc -c <"$__e"); cat "$__o" "$__e"
`;
}
function heredoc(data) {
  const b64 = data.toString("base64").replace(/.{1,76}/g, "$&\n");
  return `base64 -d >"$__i" <<'__HALAB_STDIN__'
${b64}__HALAB_STDIN__
`;
}

// src/transport/local.ts
var LocalTransport = class {
  constructor(host, become = false) {
    this.host = host;
    const [cmd, args] = become && process.getuid?.() !== 0 ? ["sudo", ["-n", "sh"]] : ["sh", []];
    this.child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.shell = new RemoteShell(this.child.stdin, this.child.stdout, this.child.stderr, `${host} (local)`);
    this.child.on("exit", (code) => this.shell.closed(`local shell exited (${code})`));
    this.child.on("error", (e) => this.shell.closed(e.message));
  }
  host;
  stats = { connections: 0, channels: 1, roundTrips: 0, commands: 0 };
  child;
  shell;
  async open() {
    await this.shell.ready;
    return this;
  }
  async exec(command2, opts = {}) {
    return (await this.execBatch([{ command: command2, stdin: opts.stdin }]))[0];
  }
  async execBatch(commands) {
    this.stats.roundTrips++;
    this.stats.commands += commands.length;
    return Promise.all(this.shell.run(commands));
  }
  async close() {
    if (this.child.exitCode !== null) return;
    const done = new Promise((r) => this.child.once("exit", r));
    this.child.stdin.end();
    await done;
  }
};

// src/transport/ssh.ts
import { existsSync as existsSync6, readFileSync as readFileSync7 } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { homedir } from "node:os";
import { Client } from "ssh2";

// src/transport/known-hosts.ts
import { createHash as createHash2, createHmac } from "node:crypto";
import { appendFileSync, existsSync as existsSync5, mkdirSync, readFileSync as readFileSync6 } from "node:fs";
import { dirname as dirname2 } from "node:path";
function knownHostsName(host, port) {
  return port === 22 ? host : `[${host}]:${port}`;
}
function keyType(blob) {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString("latin1");
}
function fingerprint(blob) {
  return "SHA256:" + createHash2("sha256").update(blob).digest("base64").replace(/=+$/, "");
}
function entriesFor(files, names) {
  const found = [];
  for (const file2 of files) {
    if (!existsSync5(file2)) continue;
    readFileSync6(file2, "utf8").split("\n").forEach((raw2, i) => {
      const line = raw2.trim();
      if (!line || line.startsWith("#")) return;
      let fields = line.split(/\s+/);
      let marker = "";
      if (fields[0].startsWith("@")) [marker, ...fields] = fields;
      if (marker === "@cert-authority" || fields.length < 3) return;
      const [patterns, type, key] = fields;
      if (names.some((n) => matchesPatterns(patterns, n))) found.push({ type, key, file: file2, line: i + 1, revoked: marker === "@revoked" });
    });
  }
  return found;
}
function verifyHostKey(files, names, blob) {
  const entries = entriesFor(files, names);
  const b64 = blob.toString("base64");
  const revoked = entries.find((e) => e.revoked && e.key === b64);
  if (revoked) return { status: "revoked", entry: revoked };
  const match = entries.find((e) => !e.revoked && e.key === b64);
  if (match) return { status: "known", entry: match };
  const sameType = entries.filter((e) => !e.revoked && e.type === keyType(blob));
  if (sameType.length) return { status: "changed", entries: sameType };
  return { status: "unknown" };
}
function knownTypes(files, names) {
  return [...new Set(entriesFor(files, names).filter((e) => !e.revoked).map((e) => e.type))];
}
function appendKnownHost(file2, name, blob) {
  mkdirSync(dirname2(file2), { recursive: true, mode: 448 });
  appendFileSync(file2, `${name} ${keyType(blob)} ${blob.toString("base64")}
`, { mode: 384 });
}
function matchesPatterns(patterns, name) {
  if (patterns.startsWith("|1|")) return matchesHashed(patterns, name);
  let matched = false;
  for (const p of patterns.split(",")) {
    const negated = p.startsWith("!");
    const pat = negated ? p.slice(1) : p;
    if (globMatch(pat, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}
function matchesHashed(entry, name) {
  const [, , salt, hash] = entry.split("|");
  if (!salt || !hash) return false;
  return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
}
function globMatch(pattern, name) {
  const re = new RegExp("^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$");
  return re.test(name);
}

// src/transport/ssh.ts
var SshTransport = class {
  constructor(target) {
    this.target = target;
    this.host = target.name;
  }
  target;
  stats = { connections: 0, channels: 0, roundTrips: 0, commands: 0 };
  client;
  shell;
  channel;
  host;
  async open() {
    const t = this.target;
    const auth = this.authConfig();
    const sock = await this.connectTcp();
    const client = new Client();
    this.client = client;
    this.stats.connections++;
    let hostKeyProblem;
    await new Promise((resolve5, reject) => {
      let settled = false;
      const fail = (e) => {
        if (settled) return;
        settled = true;
        client.end();
        reject(hostKeyProblem ?? this.explain(e));
      };
      client.on("ready", () => {
        settled = true;
        resolve5();
      });
      client.on("error", fail);
      client.on("close", () => fail(new Error("connection closed during handshake")));
      const config = {
        sock,
        username: t.user,
        readyTimeout: t.connectTimeoutMs ?? 1e4,
        keepaliveInterval: 15e3,
        keepaliveCountMax: 3,
        hostVerifier: (key) => {
          const verdict = this.checkHostKey(key);
          if (verdict) hostKeyProblem = verdict;
          return !verdict;
        },
        ...auth
      };
      const names = this.knownNames();
      const types = knownTypes(t.knownHostsFiles, names);
      if (types.length) config.algorithms = { serverHostKey: preferredHostKeyAlgorithms(types) };
      client.connect(config);
    });
    client.on("error", (e) => this.shell?.closed(e.message));
    client.on("close", () => this.shell?.closed("connection closed"));
    await this.openShell();
    return this;
  }
  async exec(command2, opts = {}) {
    return (await this.execBatch([{ command: command2, stdin: opts.stdin }]))[0];
  }
  async execBatch(commands) {
    if (!this.shell) throw new UnreachableError(this.host, "not connected");
    this.stats.roundTrips++;
    this.stats.commands += commands.length;
    return Promise.all(this.shell.run(commands));
  }
  async close() {
    const client = this.client;
    if (!client) return;
    this.client = void 0;
    await new Promise((resolve5) => {
      const timer = setTimeout(resolve5, 2e3);
      client.once("close", () => (clearTimeout(timer), resolve5()));
      this.channel?.end();
      client.end();
    });
  }
  connectTcp() {
    const t = this.target;
    return new Promise((resolve5, reject) => {
      const sock = tcpConnect({ host: t.address, port: t.port });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new UnreachableError(t.name, `no answer from ${t.address}:${t.port} within ${(t.connectTimeoutMs ?? 1e4) / 1e3} s`, "check that the host is up and the address/port in the inventory are right (for the local lab: run-playbook lab status)"));
      }, t.connectTimeoutMs ?? 1e4);
      sock.once("connect", () => {
        clearTimeout(timer);
        sock.setNoDelay(true);
        resolve5(sock);
      });
      sock.once("error", (e) => {
        clearTimeout(timer);
        reject(new UnreachableError(t.name, `cannot connect to ${t.address}:${t.port}: ${e.code ?? e.message}`, "check that the host is up, sshd is running and the address/port in the inventory are right"));
      });
    });
  }
  async openShell() {
    const client = this.client;
    const t = this.target;
    const shellPath = t.shell ?? "sh";
    const command2 = t.become && t.user !== "root" ? `sudo -n ${shellPath}` : shellPath;
    const channel = await new Promise(
      (resolve5, reject) => client.exec(command2, (err, ch) => err ? reject(new UnreachableError(t.name, `cannot open a session: ${err.message}`)) : resolve5(ch))
    );
    this.stats.channels++;
    this.channel = channel;
    let exitCode = null;
    channel.on("exit", (code) => exitCode = code);
    const shell = new RemoteShell(channel, channel, channel.stderr, `${t.name}: remote shell`);
    channel.on("close", () => shell.closed(exitCode === null ? "the remote shell closed without an exit status" : `the remote shell exited with ${exitCode}`));
    this.shell = shell;
    try {
      await shell.ready;
    } catch (e) {
      const msg = e.message;
      const hint = /sudo/.test(msg) ? `give ${t.user} passwordless sudo (NOPASSWD) on ${t.name}, or connect as root` : void 0;
      throw new UnreachableError(t.name, `could not start the remote shell (${command2}): ${msg}`, hint);
    }
  }
  knownNames() {
    const t = this.target;
    const names = [knownHostsName(t.address, t.port)];
    if (t.name !== t.address) names.push(knownHostsName(t.name, t.port));
    return names;
  }
  /** Returns an error when the key must be refused, undefined when it is trusted. */
  checkHostKey(blob) {
    const t = this.target;
    const names = this.knownNames();
    const verdict = verifyHostKey(t.knownHostsFiles, names, blob);
    const fp = fingerprint(blob);
    if (verdict.status === "known") return void 0;
    if (verdict.status === "revoked") return new HostKeyError(t.name, `host key ${fp} is marked @revoked in ${verdict.entry.file}:${verdict.entry.line}`, "do not connect to this host until its key is replaced");
    if (verdict.status === "changed") {
      const where = verdict.entries.map((e) => `${e.file}:${e.line}`).join(", ");
      return new HostKeyError(
        t.name,
        `HOST KEY CHANGED for ${names[0]}: it now presents ${keyType(blob)} ${fp}, but ${where} records another key. This can mean an attack, or a reinstalled host.`,
        `if the host was really reinstalled, remove the old entry (ssh-keygen -R '${names[0]}'${verdict.entries[0].file !== defaultKnownHosts() ? ` -f ${verdict.entries[0].file}` : ""}) and run again with --accept-new-hosts`
      );
    }
    if (t.acceptNewInto) {
      appendKnownHost(t.acceptNewInto, names[0], blob);
      return void 0;
    }
    return new HostKeyError(
      t.name,
      `unknown host key for ${names[0]}: ${keyType(blob)} ${fp} (not in ${t.knownHostsFiles.join(" or ")})`,
      `check the fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_${keyType(blob).replace(/^ssh-/, "").replace(/-.*/, "")}_key.pub), then run again with --accept-new-hosts to record it in ${defaultKnownHosts()}`
    );
  }
  authConfig() {
    const t = this.target;
    const config = {};
    const keyPath = t.privateKeyPath ?? ["id_ed25519", "id_ecdsa", "id_rsa"].map((f) => `${homedir()}/.ssh/${f}`).find((p) => existsSync6(p));
    if (keyPath) {
      try {
        config.privateKey = readFileSync7(keyPath);
      } catch (e) {
        throw new UnreachableError(t.name, `cannot read the private key ${keyPath}: ${e.message}`, "fix ansible_ssh_private_key_file in the inventory");
      }
    }
    if (process.env.SSH_AUTH_SOCK) config.agent = process.env.SSH_AUTH_SOCK;
    if (!config.privateKey && !config.agent)
      throw new UnreachableError(t.name, "no SSH key: no ansible_ssh_private_key_file, no ~/.ssh/id_* and no ssh-agent", "set ansible_ssh_private_key_file for this host or start ssh-agent with your key");
    return config;
  }
  explain(e) {
    if (e instanceof UnreachableError || e instanceof HostKeyError) return e;
    const t = this.target;
    if (/authentication methods failed/i.test(e.message))
      return new UnreachableError(t.name, `${t.user}@${t.address}:${t.port} refused our key (${t.privateKeyPath ?? "default keys/agent"})`, `check ansible_user and ansible_ssh_private_key_file for ${t.name}, and that the public key is in ${t.user}'s authorized_keys`);
    if (/timed out/i.test(e.message))
      return new UnreachableError(t.name, `SSH handshake with ${t.address}:${t.port} timed out`, "is sshd answering on that port? (ssh -v may tell more)");
    return new UnreachableError(t.name, `${t.address}:${t.port}: ${e.message}`);
  }
};
function defaultKnownHosts() {
  return `${homedir()}/.ssh/known_hosts`;
}
function preferredHostKeyAlgorithms(types) {
  const algos = [];
  for (const type of types) {
    if (type === "ssh-rsa") algos.push("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa");
    else algos.push(type);
  }
  return algos;
}

// src/transport/connect.ts
async function connectHost(host, opts) {
  const v = host.vars;
  const become = truthy(v.ansible_become);
  if (v.ansible_connection === "local") return new LocalTransport(host.name, become).open();
  const keyVar = typeof v.ansible_ssh_private_key_file === "string" ? v.ansible_ssh_private_key_file : void 0;
  const knownHostsFiles = [defaultKnownHosts(), join5(opts.projectRoot, "known_hosts"), join5(opts.inventoryDir, "known_hosts")];
  if (opts.lab) knownHostsFiles.unshift(opts.lab.knownHostsPath);
  return new SshTransport({
    name: host.name,
    address: String(v.ansible_host ?? host.name),
    port: Number(v.ansible_port ?? 22),
    user: String(v.ansible_user ?? userInfo().username),
    privateKeyPath: keyVar ? resolve2(opts.inventoryDir, keyVar.replace(/^~(?=\/)/, homedir2())) : opts.lab?.privateKeyPath,
    become,
    shell: typeof v.ansible_shell_executable === "string" ? v.ansible_shell_executable : void 0,
    knownHostsFiles: knownHostsFiles.filter((f, i, all) => all.indexOf(f) === i && (existsSync7(f) || f === defaultKnownHosts())),
    acceptNewInto: opts.acceptNewHosts ? defaultKnownHosts() : void 0
  }).open();
}
function truthy(v) {
  return v === true || v === "true" || v === "yes" || v === 1 || v === "1";
}

// src/lab/state.ts
import { existsSync as existsSync8, mkdirSync as mkdirSync2, readFileSync as readFileSync9, realpathSync as realpathSync2, renameSync, statSync as statSync3, unlinkSync, writeFileSync } from "node:fs";
import { dirname as dirname3 } from "node:path";

// src/lab/errors.ts
var LabError = class extends HalabError {
  code = "LAB";
};
var RemoteExitError = class extends LabError {
  constructor(host, exitCode) {
    super(`${host}: the command exited with code ${exitCode}`);
    this.host = host;
    this.exitCode = exitCode;
  }
  host;
  exitCode;
};

// src/lab/processes.ts
import { readFileSync as readFileSync8, readdirSync as readdirSync2 } from "node:fs";
function listProcesses() {
  const out = [];
  for (const e of readdirSync2("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync8(`/proc/${e}/cmdline`, "utf8").split("\0").filter(Boolean);
      if (argv.length) out.push({ pid: Number(e), argv });
    } catch {
    }
  }
  return out;
}
function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code !== "EPERM") return false;
  }
  try {
    return !readFileSync8(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z");
  } catch {
    return false;
  }
}
async function stopProcesses(pids, graceMs = 6e3) {
  const live = pids.filter(isAlive);
  for (const pid of live) signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (live.some(isAlive) && Date.now() < deadline) await sleep(50);
  const stubborn = live.filter(isAlive);
  for (const pid of stubborn) signal(pid, "SIGKILL");
  const killDeadline = Date.now() + 2e3;
  while (stubborn.some(isAlive) && Date.now() < killDeadline) await sleep(50);
}
function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
  }
}
var sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// src/lab/paths.ts
import { join as join6 } from "node:path";
var STATE_DIR = "/var/lib/halab/lab";
var CACHE_DIR = "/var/cache/halab";
var STATE_FILE = join6(STATE_DIR, "state.json");
var LOCK_FILE = join6(STATE_DIR, "lock");
var HOSTS_DIR = join6(STATE_DIR, "hosts");
var KEY_PATH = join6(STATE_DIR, "id_ed25519");
var KNOWN_HOSTS_PATH = join6(STATE_DIR, "known_hosts");
var BASE_DIR = join6(CACHE_DIR, "base", "bookworm");
var BASE_ROOTFS = join6(BASE_DIR, "rootfs");
var APT_PROXY_DIR = join6(CACHE_DIR, "apt-cacher-ng");
var APT_PROXY_PORT = 3142;
var CGROUP_ROOTS = ["/sys/fs/cgroup/unified/lab", "/sys/fs/cgroup/systemd/lab"];
var LINK_PREFIX = "halab-";
var NETNS_PREFIX = "halab-";
var RULE_PRIORITY = 1999;
var RULE_TABLE = 1999;
function hostDir(name) {
  return join6(HOSTS_DIR, name);
}
function hostPaths(name) {
  const dir = hostDir(name);
  return {
    dir,
    upper: join6(dir, "upper"),
    work: join6(dir, "work"),
    root: join6(dir, "root"),
    disks: join6(dir, "disks"),
    console: join6(dir, "console.log")
  };
}
var netnsName = (host) => `${NETNS_PREFIX}${host}`;
var bridgeName = (index) => `${LINK_PREFIX}br${index}`;
var vethName = (hostIndex, ifIndex) => `${LINK_PREFIX}h${hostIndex}i${ifIndex}`;

// src/lab/state.ts
function readState() {
  if (!existsSync8(STATE_FILE)) return void 0;
  try {
    const s = JSON.parse(readFileSync9(STATE_FILE, "utf8"));
    return s.version === 1 ? s : void 0;
  } catch {
    return void 0;
  }
}
function writeState(state) {
  mkdirSync2(STATE_DIR, { recursive: true, mode: 448 });
  const tmp = `${STATE_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n", { mode: 384 });
  renameSync(tmp, STATE_FILE);
}
function removeState() {
  for (const f of [STATE_FILE, KNOWN_HOSTS_PATH]) if (existsSync8(f)) unlinkSync(f);
}
function inventoryRealDir(path) {
  try {
    const real = realpathSync2(path);
    return statSync3(real).isDirectory() ? real : dirname3(real);
  } catch {
    return void 0;
  }
}
function labConnectionFor(inventoryDir) {
  const state = readState();
  const dir = inventoryRealDir(inventoryDir);
  if (!state || state.phase !== "up" || !dir || dir !== state.inventoryDir) return void 0;
  if (!existsSync8(KEY_PATH) || !existsSync8(KNOWN_HOSTS_PATH)) return void 0;
  return { privateKeyPath: KEY_PATH, knownHostsPath: KNOWN_HOSTS_PATH };
}
async function withLabLock(fn) {
  mkdirSync2(STATE_DIR, { recursive: true, mode: 448 });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(LOCK_FILE, String(process.pid), { flag: "wx" });
      break;
    } catch (err) {
      if (err.code !== "EEXIST" || attempt > 0) throw err;
      const holder = Number(readFileSync9(LOCK_FILE, "utf8"));
      if (holder && holder !== process.pid && isAlive(holder))
        throw new LabError(`another lab command is running (pid ${holder})`, `wait for it to finish, or stop it with kill ${holder}`);
      unlinkSync(LOCK_FILE);
    }
  }
  try {
    return await fn();
  } finally {
    if (existsSync8(LOCK_FILE)) unlinkSync(LOCK_FILE);
  }
}

// src/cli/extra-vars.ts
import { readFileSync as readFileSync10 } from "node:fs";
import { parse } from "yaml";
function parseExtraVars(values) {
  const out = {};
  for (const v of values) {
    if (v.startsWith("@")) {
      const file2 = v.slice(1);
      let data;
      try {
        data = parse(readFileSync10(file2, "utf8"), { version: "1.1" });
      } catch (e) {
        throw new InventoryError([{ file: file2, field: "-e", message: `cannot read extra vars: ${e.message}` }]);
      }
      if (!data || typeof data !== "object") throw new InventoryError([{ file: file2, field: "-e", message: "extra vars file must be a mapping" }]);
      Object.assign(out, data);
    } else if (/^\s*[{[]/.test(v)) {
      Object.assign(out, parse(v, { version: "1.1" }));
    } else {
      for (const pair of v.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? []) {
        const eq = pair.indexOf("=");
        if (eq <= 0) throw new InventoryError([{ field: "-e", message: `expected key=value, got "${pair}"` }]);
        const raw2 = pair.slice(eq + 1).replace(/^(['"])(.*)\1$/, "$2");
        out[pair.slice(0, eq)] = parse(raw2, { version: "1.1" }) ?? raw2;
      }
    }
  }
  return out;
}

// src/cli/context.ts
function projectRoot() {
  if (existsSync9(join7(process.cwd(), "playbooks"))) return process.cwd();
  return resolve3(dirname4(fileURLToPath(import.meta.url)), "../..");
}
async function loadRunContext(playbookName, o) {
  const root = projectRoot();
  const extraVars = parseExtraVars(o.extraVars ?? []);
  const invPath = resolve3(o.inventory);
  const invDir = existsSync9(invPath) && statSync4(invPath).isDirectory() ? invPath : dirname4(invPath);
  const lab = labConnectionFor(invDir);
  const overlayFile = lab && existsSync9(join7(invDir, "lab.yml")) ? join7(invDir, "lab.yml") : void 0;
  const inventory = await loadInventory(invPath, { extraVars, overlayFile });
  const { playbook, file: file2 } = await loadPlaybook(root, playbookName);
  const prepared = await prepareRun(inventory, playbook, file2, {
    projectRoot: root,
    limit: o.limit,
    roles: o.roles?.split(",").map((r) => r.trim()).filter(Boolean)
  });
  return {
    root,
    inventory,
    prepared,
    lab,
    connect: (name) => connectHost(inventory.hosts.get(name), { inventoryDir: inventory.dir, projectRoot: root, acceptNewHosts: !!o.acceptNewHosts, lab })
  };
}

// src/cli/run-command.ts
var EXIT_INVALID = 3;
async function runCommand(playbookName, o, sink = processSink) {
  let ctx;
  try {
    ctx = await loadRunContext(playbookName, o);
  } catch (e) {
    sink.err(renderError(e) + "\n");
    return e instanceof HalabError ? EXIT_INVALID : 1;
  }
  const { prepared, inventory } = ctx;
  if (!prepared.hosts.length) {
    sink.err(`no hosts matched (inventory ${inventory.file}${o.limit ? `, --limit ${o.limit}` : ""}${o.roles ? `, --roles ${o.roles}` : ""}): nothing to do
`);
    return 0;
  }
  const forks = Number(o.forks ?? Math.min(50, prepared.hosts.length));
  const renderer = o.json ? jsonRenderer(sink) : process.stdout.isTTY && sink === processSink ? listrRenderer(sink, { diff: !!o.diff }) : plainRenderer(sink, { diff: !!o.diff, verbose: !!o.verbose });
  const recap = await runPlaybook(inventory, prepared, { check: !!o.check, diff: !!o.diff, forks, connect: ctx.connect }, renderer.emit);
  await renderer.close();
  return exitCodeFor(recap);
}

// roles/heartbeat/index.ts
import { z } from "zod";

// src/engine/role.ts
function defineRole(role) {
  return role;
}

// src/inventory/addresses.ts
function interfacesOf(host) {
  const list = host.vars.interfaces;
  return Array.isArray(list) ? list : [];
}
function addressOf(host, where) {
  const ifaces = interfacesOf(host).filter((i) => i.address);
  let found;
  if (where?.interface) found = ifaces.find((i) => i.name === where.interface);
  if (!found && where?.network) found = ifaces.find((i) => inNetwork(i.address, where.network));
  return found?.address ?? String(host.vars.ansible_host ?? ifaces[0]?.address ?? host.name);
}
function inNetwork(address, cidr) {
  const [net, bits] = cidr.split("/");
  const mask2 = Number(bits) === 0 ? 0 : ~0 << 32 - Number(bits) >>> 0;
  return (toInt(address) & mask2) === (toInt(net) & mask2);
}
function toInt(ip) {
  return ip.split(".").reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
}

// src/ops/package.ts
import { posix } from "node:path";

// src/facts/apt.ts
var APT_UPDATE_STAMP = "/var/lib/apt/periodic/update-success-stamp";
function packageStates(names) {
  const sorted = [...new Set(names)].sort();
  if (!sorted.length) throw new Error("packageStates: no package names given");
  return {
    key: `apt:${sorted.join(",")}`,
    // dpkg-query prints one line per known package; apt-cache policy tells what is installable.
    // LC_ALL=C: apt-cache translates "Candidate:" for an SSH session that forwards LANG.
    // List files may be compressed (*_Packages.lz4), and an update that finds nothing new
    // leaves their mtime alone: the success stamp (written by package.ts's refresh, and by
    // Ubuntu's apt hook) says when the last update ran.
    command: sh`dpkg-query -W -f ${"${db:Status-Status} ${Package}\n"} ${sorted} 2>/dev/null; echo ---; ` + sh`LC_ALL=C apt-cache policy ${sorted} 2>/dev/null | grep -E '^[^ ].*:$|Candidate:' ; echo ---; ` + sh`l=$(ls -t ${APT_UPDATE_STAMP} /var/lib/apt/lists/*_Packages* 2>/dev/null | head -n1); ` + `if [ -n "$l" ]; then echo $(( $(date +%s) - $(stat -c %Y "$l") )); else echo never; fi`,
    parse: ({ stdout }) => {
      const [dpkg = "", policy = "", age2 = ""] = stdout.split("---\n");
      const installed = /* @__PURE__ */ new Set();
      for (const line of dpkg.split("\n")) {
        const [status, name] = line.split(" ");
        if (status === "installed" && name) installed.add(name);
      }
      const available = /* @__PURE__ */ new Set();
      let current = "";
      for (const line of policy.split("\n")) {
        if (/^\S.*:$/.test(line)) current = line.slice(0, -1);
        else if (/Candidate:/.test(line) && !/\(none\)/.test(line) && current) available.add(current);
      }
      const seconds = /^-?\d+$/.test(age2.trim()) ? Math.max(0, Number(age2.trim())) : Infinity;
      return { installed, available, listsAge: seconds < 1e9 ? seconds : Infinity };
    }
  };
}

// src/ops/package.ts
var NAME = /^[a-z0-9][a-z0-9+.-]+$/;
var APT = raw("DEBIAN_FRONTEND=noninteractive apt-get -y -q");
var KEEP_CONFIG = raw("-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold");
var namesOf = (spec) => [...new Set(typeof spec.names === "string" ? [spec.names] : spec.names)];
function age(seconds) {
  if (seconds === Infinity) return "never refreshed";
  if (seconds < 120) return `${seconds} s old`;
  return seconds < 7200 ? `${Math.round(seconds / 60)} min old` : `${Math.round(seconds / 3600)} h old`;
}
function knownCheck(names, host) {
  return sh`for p in ${names}; do LC_ALL=C apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [^(]' || ` + sh`{ echo "package $p is unknown to apt on "${host}" (even after apt-get update): check its name and the apt sources" >&2; exit 100; }; done`;
}
function planPackages(states, spec, opts) {
  const names = namesOf(spec);
  if (spec.state === "absent") {
    const installed = names.filter((n) => states.installed.has(n));
    if (!installed.length) return [];
    const verb = spec.purge ? "purge" : "remove";
    return [{ summary: `${verb} ${installed.join(" ")}`, command: sh`${APT} ${verb} ${installed}` }];
  }
  const missing = names.filter((n) => !states.installed.has(n));
  if (!missing.length) return [];
  const refresh = states.listsAge > (spec.cacheValidTime ?? 3600);
  const unknown = missing.filter((n) => !states.available.has(n));
  if (unknown.length && !refresh)
    throw new TaskError(
      `package${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} unknown to apt on ${opts.host} (lists ${age(states.listsAge)})`,
      {},
      "check the name and the apt sources; cacheValidTime: 0 forces a refresh"
    );
  const changes = [];
  if (refresh)
    changes.push({
      summary: `refresh apt lists (${age(states.listsAge)})`,
      command: sh`apt-get update -q && mkdir -p ${posix.dirname(APT_UPDATE_STAMP)} && touch ${APT_UPDATE_STAMP}`
    });
  const install = sh`${APT} ${KEEP_CONFIG} install ${spec.installRecommends ? "--install-recommends" : "--no-install-recommends"} ${missing}`;
  const later = unknown.length ? ` (${unknown.join(", ")} not in the current lists yet)` : "";
  changes.push({
    summary: `install ${missing.join(" ")}${later}`,
    command: refresh ? `${knownCheck(missing, opts.host)} && ${install}` : install,
    display: install
  });
  return changes;
}
function packages(spec) {
  const names = namesOf(spec);
  const bad = names.filter((n) => !NAME.test(n));
  if (!names.length) throw new Error("package: `names` is empty");
  if (bad.length) throw new Error(`package: invalid package name${bad.length > 1 ? "s" : ""} ${bad.map((n) => JSON.stringify(n)).join(", ")} (plain Debian names only, no version pins or :arch)`);
  if (spec.cacheValidTime !== void 0 && !(spec.cacheValidTime >= 0)) throw new Error("package: `cacheValidTime` must be a number of seconds \u2265 0");
  return {
    name: spec.name ?? `package ${spec.state === "absent" ? "absent" : "present"}: ${names.join(" ")}`,
    notify: spec.notify,
    facts: () => [packageStates(names)],
    async plan(host) {
      const changes = planPackages(await host.fact(packageStates(names)), spec, { host: host.name });
      if (changes.length) return { changes };
      return { changes, noop: spec.state === "absent" ? `${names.join(" ")}: not installed` : `${names.join(" ")}: installed` };
    }
  };
}

// src/ops/command.ts
var NON_IDEMPOTENT = "non-idempotent command (no creates/removes/unless guard)";
function commandLine(spec, command2) {
  if (!spec.chdir && !spec.env) return command2;
  const env = Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const run2 = env.length ? sh`env ${env} sh -c ${command2}` : sh`sh -c ${command2}`;
  return spec.chdir ? sh`cd ${spec.chdir}` + ` && ${run2}` : run2;
}
function guardPath(spec, path) {
  return spec.chdir && !path.startsWith("/") ? `${spec.chdir.replace(/\/+$/, "")}/${path}` : path;
}
function commandSkipReason(guards, spec) {
  if (spec.creates !== void 0 && guards.creates) return `${spec.creates} exists`;
  if (spec.removes !== void 0 && guards.removes === false) return `${spec.removes} does not exist`;
  if (spec.unless !== void 0 && guards.unless) return `\`${spec.unless}\` succeeded`;
  return void 0;
}
function shortened(command2) {
  const first = command2.trim().split("\n")[0];
  return first.length > 80 || command2.trim().includes("\n") ? `${first.slice(0, 77)}\u2026` : first;
}
function planCommand(guards, spec) {
  if (commandSkipReason(guards, spec)) return [];
  const guarded = spec.creates !== void 0 || spec.removes !== void 0 || spec.unless !== void 0;
  const summary = `run: ${shortened(spec.command)}${guarded ? "" : ` \u2014 ${NON_IDEMPOTENT}`}`;
  return [{ summary, command: commandLine(spec, spec.command) }];
}
function commandSpecProblems(spec) {
  const problems = [];
  if (!spec.command?.trim()) problems.push("`command` is empty");
  for (const name of Object.keys(spec.env ?? {}))
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) problems.push(`env: ${JSON.stringify(name)} is not a variable name`);
  for (const field of ["creates", "removes", "unless", "chdir"])
    if (spec[field] !== void 0 && !spec[field]) problems.push(`\`${field}\` is empty`);
  return problems;
}
function command(spec) {
  const problems = commandSpecProblems(spec);
  if (problems.length) throw new Error(`command ${JSON.stringify(spec.name ?? spec.command)}: ${problems.join("; ")}`);
  const probes = {
    creates: spec.creates !== void 0 ? pathExists(guardPath(spec, spec.creates)) : void 0,
    removes: spec.removes !== void 0 ? pathExists(guardPath(spec, spec.removes)) : void 0,
    unless: spec.unless !== void 0 ? commandSucceeds(commandLine(spec, spec.unless)) : void 0
  };
  return {
    name: spec.name ?? `command ${shortened(spec.command)}`,
    notify: spec.notify,
    facts: () => Object.values(probes).filter((f) => f !== void 0),
    async plan(host) {
      const guards = {
        creates: probes.creates && await host.fact(probes.creates),
        removes: probes.removes && await host.fact(probes.removes),
        unless: probes.unless && await host.fact(probes.unless)
      };
      const changes = planCommand(guards, spec);
      return changes.length ? { changes } : { changes, noop: `skipped: ${commandSkipReason(guards, spec)}` };
    }
  };
}

// src/facts/services.ts
function serviceState(name) {
  return {
    key: `service:${name}`,
    command: sh`n=${name}; if [ -d /run/systemd/system ]; then echo systemd; ` + `if systemctl cat -- "$n.service" >/dev/null 2>&1 || systemctl cat -- "$n" >/dev/null 2>&1; then echo exists; fi; systemctl is-active --quiet -- "$n" && echo active; s=$(systemctl is-enabled -- "$n" 2>/dev/null); case "$s" in enabled|enabled-runtime|static|alias|generated|indirect) [ "$s" = static ] || echo enabled;; esac; else echo sysv; [ -x "/etc/init.d/$n" ] && echo exists && { service "$n" status >/dev/null 2>&1 && echo active; ls /etc/rc[2345].d/S??"$n" >/dev/null 2>&1 && echo enabled; }; fi; true`,
    parse: ({ stdout }) => {
      const words = new Set(stdout.split("\n").map((l) => l.trim()));
      return {
        manager: words.has("systemd") ? "systemd" : "sysv",
        exists: words.has("exists"),
        active: words.has("active"),
        enabled: words.has("enabled")
      };
    }
  };
}

// src/ops/service.ts
function control(manager, name, verb) {
  if (manager === "systemd") return sh`systemctl ${verb} ${name}`;
  if (verb === "enable") return sh`update-rc.d ${name} defaults && update-rc.d ${name} enable`;
  if (verb === "disable") return sh`update-rc.d ${name} disable`;
  return sh`service ${name} ${verb}`;
}
function startedByThisRun(spec, ctx) {
  return (spec.state === "restarted" || spec.state === "reloaded") && ctx.startedServices.has(spec.name);
}
function verbsFor(current, spec, ctx) {
  const verbs = [];
  const { active } = current;
  if (!startedByThisRun(spec, ctx)) {
    if (spec.state === "started" && !active) verbs.push("start");
    if (spec.state === "stopped" && active) verbs.push("stop");
    if (spec.state === "restarted") verbs.push(active ? "restart" : "start");
    if (spec.state === "reloaded") verbs.push(active ? "reload" : "start");
  }
  if (spec.enabled === true && !current.enabled) verbs.push("enable");
  if (spec.enabled === false && current.enabled) verbs.push("disable");
  return verbs;
}
function planService(current, spec, ctx) {
  const { name } = spec;
  const verbs = verbsFor(current, spec, ctx);
  if (!current.exists) {
    const needed = verbs.filter((v) => v !== "stop" && v !== "disable");
    if (!needed.length) return [];
    if (!ctx.check) {
      const what = current.manager === "systemd" ? `unit ${name}.service` : `init script /etc/init.d/${name}`;
      throw new Error(`cannot ${needed.join(" and ")} ${name}: ${what} is missing on ${ctx.host} (install its package first, or check the name)`);
    }
    return needed.map((verb) => ({
      summary: `${verb} ${name} (not installed yet)`,
      command: control(current.manager, name, verb),
      ...verb === "start" ? { starts: name } : {}
    }));
  }
  return verbs.map((verb) => ({
    summary: verb === "start" && spec.state !== "started" ? `start ${name} (was stopped)` : `${verb} ${name}`,
    command: control(current.manager, name, verb),
    ...verb === "start" ? { starts: name } : {}
  }));
}
function serviceNoop(current, spec, ctx) {
  if (startedByThisRun(spec, ctx)) return `${spec.name} was started by this run`;
  if (!current.exists) return `${spec.name} is not installed: nothing to stop or disable`;
  const running = current.active ? "running" : "stopped";
  const boot = spec.enabled === void 0 ? "" : current.enabled ? ", enabled" : ", disabled";
  return `${spec.name} is ${running}${boot}`;
}
function service(spec) {
  if (!/^[A-Za-z0-9@_.:][A-Za-z0-9@_.:-]*$/.test(spec.name ?? "")) throw new Error(`service: invalid service name ${JSON.stringify(spec.name)}`);
  if (spec.state === void 0 && spec.enabled === void 0) throw new Error(`service ${spec.name}: give a state, enabled, or both`);
  const what = [spec.state, spec.enabled === void 0 ? void 0 : spec.enabled ? "enabled" : "disabled"].filter(Boolean).join(", ");
  return {
    name: spec.taskName ?? `service ${spec.name} ${what}`,
    notify: spec.notify,
    facts: () => [serviceState(spec.name)],
    async plan(host) {
      const current = await host.fact(serviceState(spec.name));
      const ctx = { check: host.mode.check, startedServices: host.startedServices, host: host.name };
      const changes = planService(current, spec, ctx);
      return changes.length ? { changes } : { changes, noop: serviceNoop(current, spec, ctx) };
    }
  };
}

// roles/heartbeat/index.ts
var Resource = z.discriminatedUnion("type", [
  z.object({ type: z.literal("IPaddr2"), address: z.ipv4(), prefix: z.number().int().min(1).max(32), interface: z.string() }),
  /** The seeds' short form: a bare address heartbeat assigns with its IPaddr script. */
  z.object({ type: z.literal("IPaddr"), address: z.ipv4() }),
  z.object({ type: z.literal("drbddisk"), resource: z.string() }),
  z.object({ type: z.literal("Filesystem"), device: z.string(), mountpoint: z.string().startsWith("/"), fstype: z.string() }),
  z.object({ type: z.literal("service"), name: z.string() })
]);
var heartbeat_default = defineRole({
  name: "heartbeat",
  vars: z.object({
    /** The pair: `node` lines and ucast peers come from this group's hosts. */
    heartbeat_group: z.string().default("cluster"),
    heartbeat_interface: z.string().default("eth0"),
    heartbeat_keepalive: z.number().positive().default(2),
    heartbeat_deadtime: z.number().positive().default(30),
    heartbeat_warntime: z.number().positive().nullable().default(10),
    heartbeat_initdead: z.number().positive().nullable().default(120),
    heartbeat_udpport: z.number().int().default(694),
    heartbeat_debugfile: z.string().nullable().default("/var/log/ha-debug"),
    heartbeat_logfile: z.string().nullable().default("/var/log/ha-log"),
    heartbeat_logfacility: z.string().default("local0"),
    heartbeat_bcast: z.boolean().default(true),
    heartbeat_ucast: z.boolean().default(true),
    heartbeat_mcast: z.object({ group: z.ipv4(), port: z.number().int(), ttl: z.number().int(), loop: z.number().int() }).nullable().default(null),
    heartbeat_auto_failback: z.boolean().default(true),
    heartbeat_auth_method: z.enum(["sha1", "md5", "crc"]).default("sha1"),
    heartbeat_auth_secret: z.string().optional(),
    /** The node that holds the resources when both are up (first in haresources). */
    heartbeat_preferred_node: z.string(),
    heartbeat_resources: z.array(Resource).min(1),
    /** Roles that can only be configured on these hosts (a container lab: [drbd]). */
    configuration_only: z.array(z.string()).default([])
  }).refine((v) => v.heartbeat_auth_method === "crc" || !!v.heartbeat_auth_secret, {
    path: ["heartbeat_auth_secret"],
    message: 'sha1/md5 authentication needs a secret: set heartbeat_auth_secret: "${HEARTBEAT_SECRET}" and HEARTBEAT_SECRET in .env'
  }),
  tasks: ({ vars, host, inventory, template: render, note }) => {
    const peers = [...inventory.hosts.values()].filter((h) => h.groups.includes(vars.heartbeat_group));
    if (!peers.some((p) => p.name === host.name)) throw new Error(`${host.name} is not in heartbeat_group "${vars.heartbeat_group}"`);
    if (!peers.some((p) => p.name === vars.heartbeat_preferred_node))
      throw new Error(`heartbeat_preferred_node "${vars.heartbeat_preferred_node}" is not a host of group "${vars.heartbeat_group}"`);
    const ucast = vars.heartbeat_ucast ? peers.filter((p) => p.name !== host.name).map((p) => addressOf(p, { interface: vars.heartbeat_interface })) : [];
    let resources = vars.heartbeat_resources;
    if (vars.configuration_only.includes("drbd") && resources.some((r) => r.type === "drbddisk" || r.type === "Filesystem")) {
      resources = resources.filter((r) => r.type !== "drbddisk" && r.type !== "Filesystem");
      note("heartbeat: drbddisk and Filesystem left out of haresources (drbd is configuration only on this host)");
    }
    if (vars.heartbeat_auth_method === "crc") note("heartbeat: WARNING authkeys uses crc \u2014 no authentication; any host on the network can join or forge the cluster");
    const services = resources.flatMap((r) => r.type === "service" ? [r.name] : []);
    const tasks = [
      packages({ names: ["heartbeat"] }),
      template({ path: "/etc/ha.d/ha.cf", template: "ha.cf.ejs", rendered: render("ha.cf.ejs", { nodes: peers.map((p) => p.name), ucast }), mode: "0644", notify: ["restart heartbeat"] }),
      template({ path: "/etc/ha.d/authkeys", template: "authkeys.ejs", rendered: render("authkeys.ejs"), mode: "0600", owner: "root", group: "root", sensitive: true, notify: ["restart heartbeat"] }),
      template({ path: "/etc/ha.d/haresources", template: "haresources.ejs", rendered: render("haresources.ejs", { line: haresourcesLine(vars.heartbeat_preferred_node, resources) }), mode: "0644", notify: ["restart heartbeat"] }),
      ...services.map((s) => service({ name: s, enabled: false })),
      // Before heartbeat first runs, stop what it will manage: package installs start
      // services everywhere, and the passive node must not keep them.
      ...services.length ? [command({ name: `stop ${services.join(", ")} until heartbeat owns them`, command: services.map((s) => sh`service ${s} stop`).join(" && "), unless: "pidof heartbeat >/dev/null" })] : [],
      service({ name: "heartbeat", state: "started", enabled: true })
    ];
    return tasks;
  },
  handlers: () => ({ "restart heartbeat": service({ name: "heartbeat", state: "restarted" }) })
});
function haresourcesLine(node, resources) {
  const words = resources.map((r) => {
    switch (r.type) {
      case "IPaddr2":
        return `IPaddr2::${r.address}/${r.prefix}/${r.interface}`;
      case "IPaddr":
        return r.address;
      case "drbddisk":
        return `drbddisk::${r.resource}`;
      case "Filesystem":
        return `Filesystem::${r.device}::${r.mountpoint}::${r.fstype}`;
      case "service":
        return r.name;
    }
  });
  return [node, ...words].join(" ");
}

// src/verify/check.ts
var NotRun = class extends Error {
};
async function check(name, fn) {
  const t0 = performance.now();
  try {
    const detail = await fn();
    return { name, status: "pass", ms: Math.round(performance.now() - t0), detail };
  } catch (e) {
    const status = e instanceof NotRun ? "not run" : "fail";
    return { name, status, ms: Math.round(performance.now() - t0), detail: e.message };
  }
}
async function waitFor(what, timeoutMs, probe, everyMs = 250) {
  const t0 = performance.now();
  let last;
  for (; ; ) {
    try {
      const v = await probe();
      if (v !== void 0) return { value: v, ms: Math.round(performance.now() - t0) };
    } catch (e) {
      last = e;
    }
    if (performance.now() - t0 > timeoutMs)
      throw new Error(`${what}: not within ${(timeoutMs / 1e3).toFixed(0)} s${last ? ` (last error: ${last.message})` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// src/verify/http.ts
import { request } from "node:http";
function httpGet(url, timeoutMs = 2e3) {
  return new Promise((resolve5, reject) => {
    const req = request(url, { timeout: timeoutMs, agent: false, headers: { connection: "close" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => body += d);
      res.on("end", () => resolve5({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}
function servingNode(body) {
  return /id="node">([^<]+)</.exec(body)?.[1];
}

// src/verify/heartbeat.ts
async function verifyHeartbeat(hosts) {
  const vars = heartbeat_default.vars.parse(hosts[0].vars);
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const preferred = byName.get(vars.heartbeat_preferred_node);
  const other = hosts.find((h) => h.name !== vars.heartbeat_preferred_node);
  if (!preferred || !other) throw new Error(`verify needs both heartbeat nodes (have ${hosts.map((h) => h.name).join(", ")})`);
  const vipRes = vars.heartbeat_resources.find((r) => r.type === "IPaddr2" || r.type === "IPaddr");
  if (!vipRes) throw new Error("heartbeat_resources has no IPaddr2/IPaddr: no VIP to verify");
  const vip = vipRes.address;
  const own = (h) => addressOf(h.inventoryHost, { interface: vars.heartbeat_interface });
  const failoverLimit = (vars.heartbeat_deadtime + 15) * 1e3;
  const startLimit = ((vars.heartbeat_initdead ?? 60) + vars.heartbeat_deadtime + 30) * 1e3;
  const pageAt = async (address) => servingNode((await httpGet(`http://${address}/`)).body);
  const waitServedBy = (address, node, limit) => waitFor(`http://${address}/ serving ${node}`, limit, async () => await pageAt(address) === node ? node : void 0);
  const holdsVip = async (h) => (await h.run(sh`ip -o -4 addr show to ${vip + "/32"}`, { allowFailure: true })).stdout.trim() !== "";
  const servesOwnPage = (h) => async () => {
    const node = await pageAt(own(h));
    if (node !== h.name) throw new Error(`${own(h)} answered as ${node ?? "no identity page"}`);
    return `${own(h)} answered as ${node}`;
  };
  const drbdConfigOnly = vars.configuration_only.includes("drbd");
  const fs = vars.heartbeat_resources.find((r) => r.type === "Filesystem");
  const results = [];
  results.push(await check(`VIP ${vip} serves ${preferred.name}'s page`, async () => `after ${(await waitServedBy(vip, preferred.name, startLimit)).ms} ms`));
  results.push(
    await check(`VIP held by exactly one node`, async () => {
      const holders = (await Promise.all(hosts.map(async (h) => await holdsVip(h) ? h.name : ""))).filter(Boolean);
      if (holders.length !== 1) throw new Error(`held by: ${holders.join(", ") || "nobody"}`);
      return `held by ${holders[0]}`;
    })
  );
  results.push(await check(`${preferred.name}'s own address serves its page`, servesOwnPage(preferred)));
  const marker = `halab-verify-${Date.now()}`;
  const withData = !!fs;
  const notRunDrbd = () => new NotRun("drbd is configuration only on these hosts (kernel lacks drbd): no replicated filesystem to check");
  if (withData)
    results.push(
      await check(`DRBD: a file written on ${preferred.name} before failover`, async () => {
        if (drbdConfigOnly) throw notRunDrbd();
        await preferred.run(sh`echo ${marker} > ${fs.mountpoint + "/halab-verify.txt"} && sync`);
        return `${fs.mountpoint}/halab-verify.txt`;
      })
    );
  results.push(
    await check(`stop heartbeat on ${preferred.name} \u2192 VIP moves to ${other.name}`, async () => {
      const t0 = performance.now();
      await preferred.run("service heartbeat stop");
      await waitServedBy(vip, other.name, failoverLimit);
      return `${other.name} answered on the VIP ${((performance.now() - t0) / 1e3).toFixed(1)} s after the stop (deadtime ${vars.heartbeat_deadtime} s)`;
    })
  );
  results.push(await check(`${other.name}'s own address serves its page while active`, servesOwnPage(other)));
  if (withData)
    results.push(
      await check(`DRBD: the file is on ${other.name} after failover`, async () => {
        if (drbdConfigOnly) throw notRunDrbd();
        const got = (await other.run(sh`cat ${fs.mountpoint + "/halab-verify.txt"}`)).stdout.trim();
        if (got !== marker) throw new Error(`read "${got}", wrote "${marker}"`);
        return "same content";
      })
    );
  results.push(
    await check(`start heartbeat on ${preferred.name} \u2192 VIP fails back`, async () => {
      if (!vars.heartbeat_auto_failback) throw new NotRun("auto_failback is off");
      const t0 = performance.now();
      await preferred.run("service heartbeat start");
      await waitServedBy(vip, preferred.name, startLimit);
      return `${preferred.name} answered on the VIP again ${((performance.now() - t0) / 1e3).toFixed(1)} s after the start`;
    })
  );
  return results;
}

// src/verify/table.ts
function printChecks(sink, title, results) {
  const width = Math.max(5, ...results.map((r) => r.name.length));
  sink.out(`
VERIFY ${title}
`);
  sink.out(`${"check".padEnd(width)}  result   time     detail
`);
  for (const r of results) {
    const label = r.status === "pass" ? green("pass   ") : r.status === "fail" ? red("FAIL   ") : yellow("not run");
    sink.out(`${r.name.padEnd(width)}  ${label}  ${`${(r.ms / 1e3).toFixed(1)} s`.padStart(6)}   ${r.detail}
`);
  }
  const count = (s) => results.filter((r) => r.status === s).length;
  sink.out(`checks: ${count("pass")} pass, ${count("fail")} fail, ${count("not run")} not run
`);
}

// src/cli/verify-command.ts
var SUITES = [{ role: "heartbeat", run: verifyHeartbeat }];
async function verifyCommand(o, sink = processSink) {
  let ctx;
  try {
    ctx = await loadRunContext("site", o);
  } catch (e) {
    sink.err(renderError(e) + "\n");
    return e instanceof HalabError ? EXIT_INVALID : 1;
  }
  const rolesOf = /* @__PURE__ */ new Map();
  for (const play of ctx.prepared.plays) for (const [h, roles] of play.hosts) for (const r of roles) rolesOf.set(h, (rolesOf.get(h) ?? /* @__PURE__ */ new Set()).add(r.role));
  const suites = SUITES.map((s) => ({ ...s, hosts: [...rolesOf].filter(([, roles]) => roles.has(s.role)).map(([h]) => h) })).filter((s) => s.hosts.length);
  if (!suites.length) {
    sink.err(`nothing to verify: no role with live checks (${SUITES.map((s) => s.role).join(", ")}) runs on ${ctx.inventory.file}
`);
    return 0;
  }
  const needed = [...new Set(suites.flatMap((s) => s.hosts))];
  const contexts = /* @__PURE__ */ new Map();
  let code = 0;
  try {
    for (const name of needed) {
      try {
        const transport = await ctx.connect(name);
        contexts.set(name, new HostContext(ctx.inventory.hosts.get(name), transport, { check: false, diff: false }, ctx.inventory.hosts));
      } catch (e) {
        sink.err(`${renderError(e)}
`);
        code = 4;
      }
    }
    if (code) return code;
    for (const s of suites) {
      let results;
      try {
        results = await s.run(s.hosts.map((h) => contexts.get(h)));
      } catch (e) {
        results = [{ name: `${s.role} checks`, status: "fail", ms: 0, detail: renderError(e) }];
      }
      printChecks(sink, `${s.role} on ${s.hosts.join(", ")}`, results);
      if (results.some((r) => r.status === "fail")) code = 2;
    }
  } finally {
    await Promise.all([...contexts.values()].map((c) => c.transport.close()));
  }
  return code;
}

// src/lab/commands.ts
import { existsSync as existsSync18 } from "node:fs";
import { dirname as dirname8, resolve as resolve4 } from "node:path";
import { fileURLToPath as fileURLToPath2 } from "node:url";

// src/lab/deps.ts
import { accessSync, constants, existsSync as existsSync10, writeFileSync as writeFileSync2, unlinkSync as unlinkSync2 } from "node:fs";
import { delimiter, join as join8 } from "node:path";
import { $ } from "zx";
var NEEDS = [
  { what: "debootstrap", pkg: "debootstrap", why: "builds the base image" },
  { what: "/usr/share/keyrings/debian-archive-keyring.gpg", pkg: "debian-archive-keyring", why: "debootstrap checks the archive with it" },
  { what: "systemd-nspawn", pkg: "systemd-container", why: "runs the hosts" },
  { what: "apt-cacher-ng", pkg: "apt-cacher-ng", why: "the hosts install packages through it" },
  { what: "ssh", pkg: "openssh-client", why: "reaches the hosts" },
  { what: "ssh-keygen", pkg: "openssh-client", why: "makes the lab key and host keys" },
  { what: "ip", pkg: "iproute2", why: "namespaces, bridges, veths" },
  { what: "nsenter", pkg: "util-linux", why: "enters a host without the network" },
  { what: "losetup", pkg: "mount", why: "loop devices for lab_disks" },
  { what: "setpriv", pkg: "util-linux", why: "runs apt-cacher-ng unprivileged" }
];
function missingPackages() {
  const out = /* @__PURE__ */ new Map();
  for (const n of NEEDS) if (!present(n.what) && !out.has(n.pkg)) out.set(n.pkg, n.why);
  return [...out].map(([pkg, why]) => ({ pkg, why }));
}
async function ensureHostPackages(log2) {
  const missing = missingPackages();
  if (!missing.length) return;
  log2(`installing missing packages on this machine: ${missing.map((m) => `${m.pkg} (${m.why})`).join(", ")}`);
  const policy = "/usr/sbin/policy-rc.d";
  const ownPolicy = !existsSync10(policy);
  if (ownPolicy) writeFileSync2(policy, "#!/bin/sh\n# written by halab while it installs packages\nexit 101\n", { mode: 493 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const sh2 = $({ env, quiet: true, nothrow: true });
    await sh2`apt-get update -qq`;
    const r = await sh2`apt-get install -y -qq --no-install-recommends ${missing.map((m) => m.pkg)}`;
    if (r.exitCode !== 0)
      throw new LabError(`apt-get could not install ${missing.map((m) => m.pkg).join(" ")}:
${r.stderr.trim().split("\n").slice(-6).join("\n")}`, "check that this machine reaches its Debian mirror, then run lab up again");
  } finally {
    if (ownPolicy) unlinkSync2(policy);
  }
  const still = missingPackages();
  if (still.length) throw new LabError(`still missing after apt-get: ${still.map((m) => m.pkg).join(", ")}`, "install them by hand with apt-get, then run lab up again");
}
function present(what) {
  if (what.startsWith("/")) return existsSync10(what);
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/bin", "/bin"];
  return dirs.some((d) => {
    try {
      accessSync(join8(d, what), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
function ensureSbinOnPath() {
  const parts = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const d of ["/usr/local/sbin", "/usr/sbin", "/sbin"]) if (!parts.includes(d)) parts.push(d);
  process.env.PATH = parts.join(delimiter);
}

// src/lab/doctor.ts
import { existsSync as existsSync12, readFileSync as readFileSync12 } from "node:fs";
import { release } from "node:os";
import { dirname as dirname6 } from "node:path";
import { $ as $3 } from "zx";

// src/lab/host.ts
import { closeSync, existsSync as existsSync11, mkdirSync as mkdirSync3, openSync, readFileSync as readFileSync11, readdirSync as readdirSync3, rmSync, rmdirSync, writeFileSync as writeFileSync3 } from "node:fs";
import { spawn as spawn2 } from "node:child_process";
import { dirname as dirname5, join as join9 } from "node:path";
import { $ as $2 } from "zx";
async function mountOverlay(name, base) {
  const p = hostPaths(name);
  for (const d of [p.upper, p.work, p.root]) mkdirSync3(d, { recursive: true });
  const r = await $2({ quiet: true, nothrow: true })`mount -t overlay overlay -o ${`lowerdir=${base},upperdir=${p.upper},workdir=${p.work}`} ${p.root}`;
  if (r.exitCode !== 0) throw new LabError(`${name}: cannot mount its overlay: ${r.stderr.trim()}`, "run `run-playbook lab doctor` to check overlayfs, then `lab down` and `lab up` again");
  return p.root;
}
function bootHost(h) {
  const cgroups = cgroupRoots().map((r) => join9(r, h.name));
  for (const c of cgroups) mkdirSync3(c, { recursive: true });
  const nspawn = [
    "systemd-nspawn",
    "--boot",
    "-D",
    h.root,
    "-M",
    h.name,
    // --private-network too: with only a namespace path nspawn drops CAP_NET_ADMIN and
    // keeps /proc/sys/net read-only, so networkd, VIPs and sysctls would fail.
    "--private-network",
    `--network-namespace-path=/run/netns/${h.netns}`,
    // No system bus or systemd as PID 1 here: no machined registration, no scope unit.
    "--register=no",
    "--keep-unit",
    "--console=read-only",
    "--link-journal=no",
    "--resolv-conf=off",
    ...h.disks.filter((d) => d.loop).map((d) => `--bind=${d.loop}:${d.name}`)
  ];
  const script = 'for c in "$@"; do [ "$c" = -- ] && break; echo $$ > "$c/cgroup.procs" || exit 1; done; while [ "$1" != -- ]; do shift; done; shift; exec "$@"';
  const log2 = openSync(hostPaths(h.name).console, "w");
  const child = spawn2("/bin/sh", ["-c", script, "halab-boot", ...cgroups, "--", ...nspawn], {
    detached: true,
    stdio: ["ignore", log2, log2],
    env: { ...process.env, SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: "1" }
  });
  closeSync(log2);
  child.unref();
  if (!child.pid) throw new LabError(`${h.name}: systemd-nspawn did not start`, "check that systemd-container is installed (run-playbook lab doctor)");
  return child.pid;
}
function consoleTail(name, lines = 15) {
  const file2 = hostPaths(name).console;
  if (!existsSync11(file2)) return "";
  return readFileSync11(file2, "utf8").replace(/\x1b\[[0-9;]*m/g, "").trimEnd().split("\n").slice(-lines).join("\n");
}
function labNspawnPids() {
  return listProcesses().filter((p) => p.argv[0]?.endsWith("systemd-nspawn") && p.argv.some((a) => a.startsWith(HOSTS_DIR + "/"))).map((p) => p.pid);
}
function anyNspawnRunning() {
  return listProcesses().some((p) => p.argv[0]?.endsWith("systemd-nspawn"));
}
async function removeCgroups() {
  const removed = [];
  for (const root of cgroupRoots()) {
    if (!existsSync11(root)) continue;
    const kill = join9(root, "cgroup.kill");
    if (existsSync11(kill)) writeFileSync3(kill, "1");
    const deadline = Date.now() + 3e3;
    while (procsUnder(root) > 0 && Date.now() < deadline) await sleep(50);
    for (const dir of dirsDepthFirst(root)) {
      try {
        rmdirSync(dir);
        removed.push(dir);
      } catch {
      }
    }
  }
  return removed;
}
async function removeHostDirs() {
  const mounts = labMounts().sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    const r = await $2({ quiet: true, nothrow: true })`umount ${m}`;
    if (r.exitCode !== 0) await $2({ quiet: true, nothrow: true })`umount -l ${m}`;
  }
  if (labMounts().length) throw new LabError(`cannot unmount ${labMounts().join(", ")}`, "stop what uses it (fuser -m PATH), then run lab down again");
  rmSync(HOSTS_DIR, { recursive: true, force: true });
  return mounts;
}
function labMounts() {
  return readFileSync11("/proc/mounts", "utf8").split("\n").map((l) => l.split(" ")[1]?.replace(/\\040/g, " ") ?? "").filter((m) => m.startsWith(STATE_DIR + "/"));
}
function cgroupRoots() {
  const roots = CGROUP_ROOTS.filter((r) => existsSync11(dirname5(r)));
  return roots.length ? roots : ["/sys/fs/cgroup/lab"];
}
function procsUnder(dir) {
  let n = 0;
  for (const d of [dir, ...dirsDepthFirst(dir)]) {
    try {
      n += readFileSync11(join9(d, "cgroup.procs"), "utf8").trim().split("\n").filter(Boolean).length;
    } catch {
    }
  }
  return n;
}
function dirsDepthFirst(dir) {
  const out = [];
  let entries = [];
  try {
    entries = readdirSync3(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return out;
  }
  for (const e of entries) out.push(...dirsDepthFirst(join9(dir, e)));
  out.push(dir);
  return out;
}

// src/lab/doctor.ts
var FEATURES = [
  {
    feature: "ip_vs (IPVS)",
    neededBy: "LVS directors: keepalived virtual_server, ipvsadm, ldirectord (4-node directors, 5-node, 6-node)",
    present: () => existsSync12("/proc/net/ip_vs"),
    modules: ["ip_vs"]
  },
  { feature: "drbd", neededBy: "DRBD disks (2-node with DRBD, 4-node realservers, 5-node)", present: () => existsSync12("/proc/drbd"), modules: ["drbd"] },
  {
    feature: "ocfs2 + configfs",
    neededBy: "OCFS2 on dual-primary DRBD (4-node realservers, 5-node)",
    present: () => hasFs("ocfs2") && hasFs("configfs"),
    modules: ["configfs", "ocfs2"]
  },
  {
    feature: "md (raid456)",
    neededBy: "mdadm RAID 6 (6-node nas)",
    present: () => existsSync12("/proc/mdstat") && /raid6/.test(readFileSync12("/proc/mdstat", "utf8")),
    modules: ["raid456"]
  },
  { feature: "nfsd", neededBy: "NFS server (6-node nas)", present: () => hasFs("nfsd"), modules: ["nfsd"] }
];
async function kernelFeatures() {
  const loaded = readIfExists("/proc/modules");
  const canModprobe = (await $3({ quiet: true, nothrow: true })`command -v modprobe`).exitCode === 0;
  return Promise.all(
    FEATURES.map(async (f) => {
      if (f.present()) return { feature: f.feature, neededBy: f.neededBy, available: "yes", detail: "in this kernel" };
      const missing = f.modules.filter((m) => !new RegExp(`^${m} `, "m").test(loaded));
      if (!missing.length) return { feature: f.feature, neededBy: f.neededBy, available: "yes", detail: "module loaded" };
      if (canModprobe) {
        const probes = await Promise.all(missing.map((m) => $3({ quiet: true, nothrow: true })`modprobe -n -q ${m}`));
        if (probes.every((p) => p.exitCode === 0))
          return { feature: f.feature, neededBy: f.neededBy, available: "loadable", detail: `run \`modprobe ${missing.join(" ")}\` on this machine (lab hosts cannot load modules)` };
      }
      return { feature: f.feature, neededBy: f.neededBy, available: "no", detail: canModprobe ? `no ${missing.join(", ")} module for kernel ${release()}` : `not built in, and no modprobe/modules for kernel ${release()}` };
    })
  );
}
function labPrerequisites() {
  const out = [];
  if (!hasFs("overlay")) out.push("overlayfs (host roots are overlays over the base image)");
  if (!existsSync12("/proc/self/ns/net")) out.push("network namespaces");
  if (!existsSync12("/dev/loop-control")) out.push("loop devices (only for lab_disks)");
  if (!cgroupRoots().some((r) => existsSync12(dirname6(r)))) out.push("a cgroup hierarchy under /sys/fs/cgroup");
  const pkgs = missingPackages();
  if (pkgs.length) out.push(`packages (lab up installs them): ${pkgs.map((p) => p.pkg).join(", ")}`);
  return out;
}
function renderDoctor(features, prerequisites) {
  const lines = [`kernel ${release()} \u2014 lab hosts share it, so they have exactly these features:`, ""];
  const w = Math.max(...features.map((f) => f.feature.length));
  for (const f of features) lines.push(`  ${f.available === "yes" ? "ok " : f.available === "loadable" ? "mod" : "NO "}  ${f.feature.padEnd(w)}  ${f.detail}`, `       ${" ".repeat(w)}  needed by: ${f.neededBy}`);
  const missing = features.filter((f) => f.available === "no");
  lines.push("");
  if (missing.length)
    lines.push(`Roles that need ${missing.map((f) => f.feature).join(", ")} cannot run for real in this lab: their config can be written and checked (keepalived -t, drbdadm dump), not started. Use a machine whose kernel has them, or a real-kernel backend.`);
  lines.push(prerequisites.length ? `The lab itself is missing: ${prerequisites.join("; ")}` : "The lab itself can run here (namespaces, overlayfs, loop devices, cgroups).");
  return lines.join("\n");
}
function hasFs(name) {
  return new RegExp(`\\s${name}$`, "m").test(readIfExists("/proc/filesystems"));
}
function readIfExists(file2) {
  return existsSync12(file2) ? readFileSync12(file2, "utf8") : "";
}

// src/lab/down.ts
import { existsSync as existsSync15, readdirSync as readdirSync4, rmSync as rmSync3 } from "node:fs";
import { $ as $7 } from "zx";

// src/lab/apt-proxy.ts
import { closeSync as closeSync2, existsSync as existsSync13, mkdirSync as mkdirSync4, openSync as openSync2, readFileSync as readFileSync13, rmSync as rmSync2, statSync as statSync5, writeFileSync as writeFileSync4 } from "node:fs";
import { spawn as spawn3 } from "node:child_process";
import { join as join10 } from "node:path";
import { $ as $4 } from "zx";
var CONF_DIR = join10(APT_PROXY_DIR, "conf");
var CACHE = join10(APT_PROXY_DIR, "cache");
var LOGS = join10(APT_PROXY_DIR, "log");
var RUN = join10(APT_PROXY_DIR, "run");
var USER = "apt-cacher-ng";
async function startAptProxy(addresses) {
  for (const d of [CONF_DIR, CACHE, LOGS, RUN]) mkdirSync4(d, { recursive: true });
  writeFileSync4(
    join10(CONF_DIR, "acng.conf"),
    [
      "# written by halab for its lab: regenerated at every `lab up`",
      `CacheDir: ${CACHE}`,
      `LogDir: ${LOGS}`,
      `SocketPath: ${join10(RUN, "socket")}`,
      "SupportDir: /usr/lib/apt-cacher-ng",
      `Port: ${APT_PROXY_PORT}`,
      `BindAddress: ${addresses.join(" ")}`,
      "ForeGround: 1",
      // Only the remapped Debian archive: no arbitrary URLs, no CONNECT tunnels, no redirects.
      "ForceManaged: 1",
      "PassThroughPattern: ^halab-never$",
      "ForwardBtsSoap: 0",
      "RedirMax: 0",
      "Remap-halabdeb: deb.debian.org/debian ; http://deb.debian.org/debian/",
      "Remap-halabsec: deb.debian.org/debian-security ; http://deb.debian.org/debian-security/",
      "ExThreshold: 4",
      ""
    ].join("\n")
  );
  const uid = await idOf("-u");
  const gid = await idOf("-g");
  if (uid !== void 0 && gid !== void 0) {
    for (const d of [CACHE, LOGS, RUN]) if (statSync5(d).uid !== uid) await $4({ quiet: true })`chown -R ${`${uid}:${gid}`} ${d}`;
  }
  const drop = uid !== void 0 ? ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--init-groups"] : [];
  const cmd = [...drop, "apt-cacher-ng", "-c", CONF_DIR];
  rmSync2(join10(RUN, "socket"), { force: true });
  const out = openSync2(join10(LOGS, "daemon.log"), "w");
  const child = spawn3(cmd[0], cmd.slice(1), { detached: true, stdio: ["ignore", out, out] });
  closeSync2(out);
  child.unref();
  let exit = "";
  child.on("exit", (code, sig) => exit = sig ? `killed by ${sig}` : `exit code ${code}`);
  const pid = child.pid;
  if (!pid) throw new LabError("apt-cacher-ng did not start", "run `run-playbook lab doctor`; is apt-cacher-ng installed?");
  const deadline = Date.now() + 5e3;
  while (Date.now() < deadline && isAlive(pid)) {
    const listeners = await listenersOn(APT_PROXY_PORT);
    if (listeners.some((l) => l.pid !== pid)) break;
    if (addresses.every((a) => listeners.some((l) => l.address === a))) return { pid, port: APT_PROXY_PORT };
    await sleep(50);
  }
  const foreign = (await listenersOn(APT_PROXY_PORT)).filter((l) => l.pid !== pid);
  await stopProcesses([pid], 1e3);
  if (foreign.length)
    throw new LabError(
      `port ${APT_PROXY_PORT} is taken by another process (${foreign.map((l) => `pid ${l.pid ?? "?"} on ${l.address}`).join(", ")}), so the lab's apt-cacher-ng cannot listen on its bridges`,
      `stop that process (a system-wide apt-cacher-ng? stop it and keep it from listening on every address), then run lab up again`
    );
  const why = [exit && `it ended (${exit})`, tail(join10(LOGS, "daemon.log")).trim(), tail(join10(LOGS, "apt-cacher.err")).trim()].filter(Boolean).join("\n");
  throw new LabError(`apt-cacher-ng did not listen on ${addresses.join(", ")} port ${APT_PROXY_PORT} within 5 s${why ? `:
${why}` : ""}`, `see ${LOGS}; run lab down, then lab up again`);
}
async function listenersOn(port) {
  const r = await $4({ quiet: true, nothrow: true })`ss -ltnpH ${`sport = :${port}`}`;
  return r.stdout.split("\n").filter(Boolean).map((line) => {
    const local = line.trim().split(/\s+/)[3] ?? "";
    const pid = /pid=(\d+)/.exec(line)?.[1];
    return { address: local.slice(0, local.lastIndexOf(":")).replace(/^\[|\]$/g, ""), pid: pid ? Number(pid) : void 0 };
  });
}
function aptProxyPids() {
  return listProcesses().filter((p) => p.argv.some((a) => a.endsWith("apt-cacher-ng")) && p.argv.includes(CONF_DIR)).map((p) => p.pid);
}
async function idOf(flag) {
  const r = await $4({ quiet: true, nothrow: true })`id ${flag} ${USER}`;
  return r.exitCode === 0 ? Number(r.stdout.trim()) : void 0;
}
function tail(file2) {
  return existsSync13(file2) ? readFileSync13(file2, "utf8").trimEnd().split("\n").slice(-5).join("\n") + "\n" : "";
}

// src/lab/disks.ts
import { existsSync as existsSync14, mkdirSync as mkdirSync5, openSync as openSync3, closeSync as closeSync3, ftruncateSync } from "node:fs";
import { join as join11 } from "node:path";
import { $ as $5 } from "zx";
async function attachDisks(host) {
  const disks = [];
  if (!host.disks.length) return { disks };
  if (!existsSync14("/dev/loop-control")) return { disks, problem: "this kernel has no loop devices (/dev/loop-control is missing)" };
  const dir = hostPaths(host.name).disks;
  mkdirSync5(dir, { recursive: true });
  for (const d of host.disks) {
    const file2 = join11(dir, d.name.slice("/dev/".length).replace(/\//g, "_") + ".img");
    const fd = openSync3(file2, "a");
    ftruncateSync(fd, d.bytes);
    closeSync3(fd);
    const r = await $5({ quiet: true, nothrow: true })`losetup --find --show ${file2}`;
    if (r.exitCode !== 0) return { disks, problem: `losetup could not attach ${file2}: ${r.stderr.trim()}` };
    disks.push({ ...d, file: file2, loop: r.stdout.trim() });
  }
  return { disks };
}
async function detachLabLoops() {
  const r = await $5({ quiet: true, nothrow: true })`losetup -J -l`;
  if (r.exitCode !== 0 || !r.stdout.trim()) return [];
  const loops = JSON.parse(r.stdout).loopdevices ?? [];
  const ours = loops.filter((l) => (l["back-file"] ?? "").replace(/ \(deleted\)$/, "").startsWith(STATE_DIR + "/"));
  for (const l of ours) await $5({ quiet: true, nothrow: true })`losetup -d ${l.name}`;
  return ours.map((l) => l.name);
}

// src/lab/network.ts
import { writeFileSync as writeFileSync5 } from "node:fs";
import { $ as $6 } from "zx";
async function createNetwork(topo) {
  const lines = [];
  for (const b of topo.bridges) lines.push(`link add ${b.name} type bridge`);
  for (const h of topo.hosts) lines.push(`netns add ${h.netns}`);
  for (const h of topo.hosts)
    for (const i of h.interfaces) lines.push(`link add ${i.hostVeth} type veth peer name ${i.name}${i.mac ? ` address ${i.mac}` : ""} netns ${h.netns}`);
  await ipBatch(lines);
  for (const b of topo.bridges) {
    sysctl(`net/ipv4/conf/${b.name}/forwarding`, "0");
    sysctl(`net/ipv6/conf/${b.name}/disable_ipv6`, "1");
    sysctl(`net/ipv4/neigh/${b.name}/retrans_time_ms`, "100");
  }
  for (const h of topo.hosts) for (const i of h.interfaces) sysctl(`net/ipv6/conf/${i.hostVeth}/disable_ipv6`, "1");
  const up = [];
  for (const b of topo.bridges) up.push(`addr add ${b.address}/${b.prefix} dev ${b.name}`, `link set ${b.name} up`);
  for (const h of topo.hosts) for (const i of h.interfaces) up.push(`link set ${i.hostVeth} master ${i.bridge} up`);
  up.push(`route replace unreachable default table ${RULE_TABLE}`);
  for (const b of topo.bridges) up.push(`rule add iif ${b.name} priority ${RULE_PRIORITY} table ${RULE_TABLE}`);
  await ipBatch(up);
}
async function removeNetwork() {
  const removed = [];
  const netns = (await $6({ quiet: true, nothrow: true })`ip netns list`).stdout.split("\n").map((l) => l.split(" ")[0]).filter((n) => n.startsWith(NETNS_PREFIX));
  const links = JSON.parse((await $6({ quiet: true })`ip -j link show`).stdout || "[]").map((l) => l.ifname).filter((n) => n.startsWith(LINK_PREFIX));
  const lines = [...links.map((l) => `link del ${l}`), ...netns.map((n) => `netns del ${n}`)];
  const rules = JSON.parse((await $6({ quiet: true })`ip -j rule show`).stdout || "[]").filter(
    (r) => r.priority === RULE_PRIORITY
  );
  for (const r of rules) lines.push(`rule del priority ${RULE_PRIORITY}${r.iif ? ` iif ${r.iif}` : ""}`);
  lines.push(`route flush table ${RULE_TABLE}`);
  await $6({ quiet: true, nothrow: true, input: lines.join("\n") + "\n" })`ip -force -batch -`;
  removed.push(...links, ...netns.map((n) => `netns ${n}`));
  return removed;
}
async function ipBatch(lines) {
  if (!lines.length) return;
  const r = await $6({ quiet: true, nothrow: true, input: lines.join("\n") + "\n" })`ip -batch -`;
  if (r.exitCode !== 0)
    throw new LabError(`setting up the lab network failed: ${r.stderr.trim()}`, "run `run-playbook lab down` to remove what was made, then `lab up` again; `run-playbook lab doctor` checks this kernel");
}
function sysctl(key, value) {
  writeFileSync5(`/proc/sys/${key}`, value);
}

// src/lab/down.ts
async function teardown() {
  const started = Date.now();
  const state = readState();
  const removed = [];
  const ours = /* @__PURE__ */ new Set([...labNspawnPids(), ...aptProxyPids()]);
  const recorded = [...state?.hosts.map((h) => h.pid) ?? [], state?.aptProxy?.pid].filter((p) => !!p && ours.has(p));
  const stopped = [.../* @__PURE__ */ new Set([...recorded, ...ours])];
  await stopProcesses(stopped);
  removed.push(...(await removeCgroups()).map((d) => `cgroup ${d}`));
  removed.push(...(await detachLabLoops()).map((l) => `loop ${l}`));
  removed.push(...(await removeHostDirs()).map((m) => `mount ${m}`));
  removed.push(...await removeNetwork());
  if (existsSync15("/run/systemd/nspawn") && !anyNspawnRunning()) {
    rmSync3("/run/systemd/nspawn", { recursive: true, force: true });
    removed.push("/run/systemd/nspawn");
  }
  removeState();
  return { stopped, removed, seconds: (Date.now() - started) / 1e3 };
}
async function findLeftovers() {
  const out = [];
  for (const pid of labNspawnPids()) out.push(`systemd-nspawn process ${pid}`);
  for (const pid of aptProxyPids()) if (isAlive(pid)) out.push(`apt-cacher-ng process ${pid}`);
  for (const m of labMounts()) out.push(`mount ${m}`);
  const netns = (await $7({ quiet: true, nothrow: true })`ip netns list`).stdout.split("\n").map((l) => l.split(" ")[0]);
  for (const n of netns) if (n.startsWith(NETNS_PREFIX)) out.push(`netns ${n}`);
  const links = JSON.parse((await $7({ quiet: true })`ip -j link show`).stdout || "[]");
  for (const l of links) if (l.ifname.startsWith(LINK_PREFIX)) out.push(`link ${l.ifname}`);
  const rules = JSON.parse((await $7({ quiet: true })`ip -j rule show`).stdout || "[]");
  if (rules.some((r) => r.priority === RULE_PRIORITY)) out.push(`ip rule priority ${RULE_PRIORITY}`);
  const loops = (await $7({ quiet: true, nothrow: true })`losetup -J -l`).stdout;
  if (loops.includes(`${STATE_DIR}/`)) out.push("loop devices backed by lab disks");
  for (const r of cgroupRoots()) if (existsSync15(r)) out.push(`cgroup ${r}`);
  if (existsSync15(HOSTS_DIR) && readdirSync4(HOSTS_DIR).length) out.push(`host directories in ${HOSTS_DIR}`);
  return out;
}

// src/lab/safety.ts
import { $ as $8 } from "zx";

// src/lab/ipv4.ts
function parseIPv4(text) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return void 0;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return void 0;
  return (parts[0] << 24 >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}
function formatIPv4(n) {
  return [n >>> 24, n >>> 16 & 255, n >>> 8 & 255, n & 255].join(".");
}
function mask(prefix) {
  return prefix === 0 ? 0 : 4294967295 << 32 - prefix >>> 0;
}
function subnetOf(address, prefix) {
  return { network: (address & mask(prefix)) >>> 0, prefix };
}
function broadcastOf(s) {
  return (s.network | ~mask(s.prefix)) >>> 0;
}
function contains(s, address) {
  return (address & mask(s.prefix)) >>> 0 === s.network;
}
function overlaps(a, b) {
  const p = Math.min(a.prefix, b.prefix);
  return (a.network & mask(p)) >>> 0 === (b.network & mask(p)) >>> 0;
}
function formatSubnet(s) {
  return `${formatIPv4(s.network)}/${s.prefix}`;
}
function parseCidr(text) {
  const [addr, len] = text.split("/");
  const a = parseIPv4(addr);
  const prefix = len === void 0 ? 32 : Number(len);
  if (a === void 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return void 0;
  return subnetOf(a, prefix);
}
var RESERVED = ["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4"].map((c) => parseCidr(c));

// src/lab/safety.ts
function requireRoot(what) {
  if (typeof process.getuid === "function" && process.getuid() !== 0)
    throw new LabError(`run-playbook ${what} needs root: it creates network namespaces, bridges, overlay mounts and containers`, `run it as root, e.g. sudo npx run-playbook ${what}`);
}
async function checkNoRouteOverlap(topo) {
  const routes = JSON.parse((await $8({ quiet: true })`ip -j -4 route show table all`).stdout || "[]");
  const addrs = JSON.parse((await $8({ quiet: true })`ip -j -4 addr show`).stdout || "[]");
  const existing = [];
  for (const r of routes) {
    if (r.dst === "default" || r.table === "local" || r.dev?.startsWith(LINK_PREFIX)) continue;
    const subnet = parseCidr(r.dst);
    if (subnet) existing.push({ subnet, what: `route ${r.type && r.type !== "unicast" ? r.type + " " : ""}${r.dst}${r.gateway ? ` via ${r.gateway}` : ""}${r.dev ? ` dev ${r.dev}` : ""}${r.table && r.table !== "main" ? ` table ${r.table}` : ""}` });
  }
  for (const a of addrs) {
    if (a.ifname.startsWith(LINK_PREFIX)) continue;
    for (const i of a.addr_info) if (i.family === "inet") existing.push({ subnet: parseCidr(`${i.local}/${i.prefixlen}`), what: `address ${i.local}/${i.prefixlen} on ${a.ifname}` });
  }
  const conflicts = [];
  for (const b of topo.bridges) {
    const lab = parseCidr(b.subnet);
    for (const e of existing) if (overlaps(lab, e.subnet)) conflicts.push(`${b.subnet} (hosts ${b.hosts.join(", ")}) overlaps this machine's ${e.what} (${formatSubnet(e.subnet)})`);
  }
  if (conflicts.length)
    throw new LabError(
      `the lab refuses to start: a lab subnet overlaps a network this machine already reaches, so lab traffic could leave the machine:
${conflicts.map((c) => `  - ${c}`).join("\n")}`,
      "change those addresses in the inventory (interfaces: address/prefix), or run the lab on a machine without that route"
    );
}

// src/lab/ssh.ts
import { spawn as spawn4 } from "node:child_process";
function sshArgs(address) {
  return [
    "-F",
    "/dev/null",
    "-i",
    KEY_PATH,
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    `UserKnownHostsFile=${KNOWN_HOSTS_PATH}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "ConnectTimeout=5",
    "-o",
    "LogLevel=ERROR",
    "--",
    `root@${address}`
  ];
}
function findHost(name, state = readState()) {
  if (!state) throw new LabError("no lab is up", "start one with `run-playbook lab up <topology>`");
  const host = state.hosts.find((h) => h.name === name);
  if (!host) throw new LabError(`no host "${name}" in the lab (it has ${state.hosts.map((h) => h.name).join(", ")})`, "use one of those names (run-playbook lab status)");
  return host;
}
function runOnHost(host, argv, io = "inherit") {
  const args = [...argv.length ? ["-o", "BatchMode=yes"] : ["-t"], ...sshArgs(host.sshAddress)];
  if (argv.length) args.push(argv.map(quote).join(" "));
  return new Promise((resolve5, reject) => {
    const child = spawn4("ssh", args, { stdio: io === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (b) => stdout += b);
    child.stderr?.on("data", (b) => stderr += b);
    child.on("error", (err) => reject(new LabError(`${host.name}: cannot run ssh: ${err.message}`, "install openssh-client (lab up does it)")));
    child.on("close", (code, sig) => resolve5({ code: code ?? (sig ? 128 : 1), stdout, stderr }));
  });
}

// src/lab/readiness.ts
import { connect } from "node:net";
function probeTcp(host, port, timeoutMs, wantBanner = true) {
  return new Promise((resolve5) => {
    const s = connect({ host, port });
    let data = "";
    const timer = setTimeout(() => done(void 0), timeoutMs);
    function done(v) {
      clearTimeout(timer);
      s.destroy();
      resolve5(v);
    }
    s.on("connect", () => !wantBanner && done(""));
    s.on("data", (b) => {
      data += b.toString("latin1");
      if (data.includes("\n")) done(data.split("\n")[0].trim());
    });
    s.on("error", () => done(void 0));
    s.on("close", () => done(data ? data.trim() : void 0));
  });
}
async function waitForSsh(address, alive, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) return "exited";
    const banner = await probeTcp(address, 22, 400);
    if (banner?.startsWith("SSH-")) return "ready";
    await sleep(50);
  }
  return "timeout";
}

// src/lab/status.ts
async function labStatus() {
  const state = readState();
  const hosts = /* @__PURE__ */ new Map();
  if (state)
    await Promise.all(
      state.hosts.map(async (h) => {
        if (!h.pid || !isAlive(h.pid)) return void hosts.set(h.name, "stopped");
        const banner = await probeTcp(h.sshAddress, 22, 1e3);
        hosts.set(h.name, banner?.startsWith("SSH-") ? "up" : "booting");
      })
    );
  return { state, hosts, leftovers: state ? [] : await findLeftovers() };
}

// src/lab/table.ts
function renderLab(state, liveStatus) {
  const rows = [["HOST", "INTERFACE", "ADDRESS", "STATE", "REACH"]];
  for (const h of state.hosts)
    h.interfaces.forEach(
      (i, n) => rows.push([
        n ? "" : h.name,
        i.name,
        `${i.address}/${i.prefix}`,
        n ? "" : liveStatus?.get(h.name) ?? h.status,
        n ? "" : `run-playbook lab ssh ${h.name}  |  ssh -i ${KEY_PATH} root@${h.sshAddress}`
      ])
    );
  const out = [table(rows), ""];
  out.push(`bridges (this machine's side): ${state.bridges.map((b) => `${b.name} ${b.address}/${b.prefix}`).join(", ")}`);
  if (state.aptProxy) out.push(`apt inside hosts goes through apt-cacher-ng on ${state.aptProxy.addresses.map((a) => `${a}:${state.aptProxy.port}`).join(", ")}`);
  for (const h of state.hosts) {
    if (h.disks.length && !h.diskProblem) out.push(`${h.name}: disks ${h.disks.map((d) => `${d.name} (${d.size}, ${d.loop})`).join(", ")}`);
    if (h.diskProblem) out.push(`${h.name}: lab_disks NOT provided: ${h.diskProblem}`);
  }
  out.push(`known_hosts for these hosts: ${KNOWN_HOSTS_PATH} (the runner uses it for this inventory)`);
  out.push(`inventory: ${state.inventoryDir}`);
  return out.join("\n");
}
function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => c === r.length - 1 ? cell : cell.padEnd(widths[c])).join("  ").trimEnd()).join("\n");
}

// src/lab/base-image.ts
import { existsSync as existsSync16, mkdirSync as mkdirSync6, readFileSync as readFileSync14, renameSync as renameSync2, rmSync as rmSync4, unlinkSync as unlinkSync3, writeFileSync as writeFileSync6, readdirSync as readdirSync5 } from "node:fs";
import { join as join12 } from "node:path";
import { $ as $9 } from "zx";
var INCLUDE = ["systemd", "systemd-sysv", "dbus", "iproute2", "openssh-server", "kmod", "udev"];
var BASE_VERSION = 1;
var MIRROR = "http://deb.debian.org/debian";
var MARKER = join12(BASE_DIR, "halab-base.json");
function baseImageReady() {
  try {
    return JSON.parse(readFileSync14(MARKER, "utf8")).version === BASE_VERSION && existsSync16(join12(BASE_ROOTFS, "sbin/init"));
  } catch {
    return false;
  }
}
async function ensureBaseImage(log2) {
  if (baseImageReady()) return BASE_ROOTFS;
  const started = Date.now();
  log2(`building the Debian bookworm base image in ${BASE_DIR} (once; about a minute)`);
  const tmp = `${BASE_DIR}.building`;
  rmSync4(tmp, { recursive: true, force: true });
  mkdirSync6(tmp, { recursive: true });
  const rootfs = join12(tmp, "rootfs");
  const r = await $9({ quiet: true, nothrow: true })`debootstrap --variant=minbase --include=${INCLUDE.join(",")} bookworm ${rootfs} ${MIRROR}`;
  if (r.exitCode !== 0) {
    writeFileSync6(`${tmp}.log`, r.stdout + r.stderr);
    throw new LabError(
      `debootstrap failed (exit ${r.exitCode}) building the base image:
${(r.stdout + r.stderr).trim().split("\n").slice(-8).join("\n")}`,
      `check that this machine reaches ${MIRROR} (full log: ${tmp}.log), then run lab up again`
    );
  }
  await finishBase(rootfs);
  writeFileSync6(join12(tmp, "halab-base.json"), JSON.stringify({ version: BASE_VERSION, include: INCLUDE, built: (/* @__PURE__ */ new Date()).toISOString(), seconds: (Date.now() - started) / 1e3 }, null, 2) + "\n");
  rmSync4(BASE_DIR, { recursive: true, force: true });
  renameSync2(tmp, BASE_DIR);
  log2(`base image built in ${((Date.now() - started) / 1e3).toFixed(1)} s`);
  return BASE_ROOTFS;
}
async function finishBase(rootfs) {
  for (const f of readdirSync5(join12(rootfs, "etc/ssh"))) if (f.startsWith("ssh_host_")) unlinkSync3(join12(rootfs, "etc/ssh", f));
  writeFileSync6(join12(rootfs, "etc/machine-id"), "");
  writeFileSync6(join12(rootfs, "etc/hostname"), "localhost\n");
  writeFileSync6(join12(rootfs, "etc/resolv.conf"), "# lab hosts have no DNS: apt goes through the lab proxy\n");
  await $9({ quiet: true })`chroot ${rootfs} systemctl enable systemd-networkd.service`;
  await $9({ quiet: true })`chroot ${rootfs} systemctl mask apt-daily.timer apt-daily-upgrade.timer`;
  await $9({ quiet: true })`chroot ${rootfs} apt-get clean`;
}

// src/lab/keys.ts
import { existsSync as existsSync17, mkdirSync as mkdirSync7, readFileSync as readFileSync15, writeFileSync as writeFileSync7 } from "node:fs";
import { dirname as dirname7, join as join13 } from "node:path";
import { $ as $10 } from "zx";
async function ensureLabKey() {
  if (!existsSync17(KEY_PATH)) {
    mkdirSync7(dirname7(KEY_PATH), { recursive: true, mode: 448 });
    await $10({ quiet: true })`ssh-keygen -q -t ed25519 -N '' -C halab-lab -f ${KEY_PATH}`;
  }
  return { privateKeyPath: KEY_PATH, publicKey: readFileSync15(`${KEY_PATH}.pub`, "utf8").trim() };
}
async function makeHostKeys(root) {
  await $10({ quiet: true })`ssh-keygen -q -A -f ${root}`;
  const [type, key] = readFileSync15(join13(root, "etc/ssh/ssh_host_ed25519_key.pub"), "utf8").trim().split(/\s+/);
  return `${type} ${key}`;
}
function writeKnownHosts(hosts) {
  const lines = hosts.map((h) => `${[h.name, ...h.addresses].join(",")} ${h.hostKey}`);
  writeFileSync7(KNOWN_HOSTS_PATH, lines.join("\n") + "\n", { mode: 384 });
  return KNOWN_HOSTS_PATH;
}

// src/lab/rootfs.ts
import { chmodSync, mkdirSync as mkdirSync8, writeFileSync as writeFileSync8 } from "node:fs";
import { randomBytes } from "node:crypto";
import { join as join14 } from "node:path";
function writeHostFiles({ root, host, publicKey, aptProxy }) {
  const put = (path, text, mode = 420) => {
    const full = join14(root, path);
    mkdirSync8(join14(full, ".."), { recursive: true });
    writeFileSync8(full, text, { mode });
    chmodSync(full, mode);
  };
  put("etc/hostname", `${host.name}
`);
  put("etc/hosts", `127.0.0.1	localhost
127.0.1.1	${host.name}
::1	localhost ip6-localhost ip6-loopback
`);
  put("etc/machine-id", randomBytes(16).toString("hex") + "\n", 292);
  for (const i of host.interfaces)
    put(
      `etc/systemd/network/10-halab-${i.name}.network`,
      `# written by halab's lab: ${i.name} on the lab bridge for its subnet
[Match]
Name=${i.name}

[Network]
Address=${i.address}/${i.prefix}
LinkLocalAddressing=no
IPv6AcceptRA=no
`
    );
  mkdirSync8(join14(root, "root/.ssh"), { recursive: true, mode: 448 });
  chmodSync(join14(root, "root/.ssh"), 448);
  put("root/.ssh/authorized_keys", publicKey + "\n", 384);
  put("etc/apt/apt.conf.d/01halab-proxy", `// the lab's apt-cacher-ng: hosts have no route off the lab
Acquire::http::Proxy "${aptProxy}";
Acquire::Retries "3";
`);
  put(
    "etc/apt/sources.list",
    [
      "deb http://deb.debian.org/debian bookworm main",
      "deb http://deb.debian.org/debian bookworm-updates main",
      "deb http://deb.debian.org/debian-security bookworm-security main",
      ""
    ].join("\n")
  );
}

// src/lab/topology.ts
var IFNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;
var HOSTNAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
var SIZE = /^(\d+)([KMG])?$/i;
var MAX_DISK_BYTES = 64 * 2 ** 30;
function topologyFromInventory(inv) {
  const problems = [];
  const hosts = [];
  const names = [...inv.hosts.keys()].sort();
  if (!names.length) problems.push({ file: inv.dir, message: "the inventory has no hosts: the lab has nothing to start" });
  names.forEach((name, hostIndex) => {
    const h = inv.hosts.get(name);
    const at = (field, message) => void problems.push({ file: originOf(h, field) || inv.dir, host: name, field, message });
    if (!HOSTNAME.test(name))
      problems.push({ file: inv.dir, host: name, message: 'a lab host name must be a valid hostname (letters, digits and "-", at most 63): it becomes the machine name' });
    const interfaces = readInterfaces(h, hostIndex, at);
    const disks = readDisks(h, at);
    const ansibleHost = h.vars.ansible_host;
    let sshAddress = interfaces[0]?.address ?? "";
    if (ansibleHost !== void 0) {
      if (typeof ansibleHost === "string" && interfaces.some((i) => i.address === ansibleHost)) sshAddress = ansibleHost;
      else if (interfaces.length)
        at("ansible_host", `${String(ansibleHost)} is not one of this host's interface addresses (${interfaces.map((i) => i.address).join(", ")}); the lab only reaches its own addresses, so set ansible_host to one of them`);
    }
    hosts.push({ name, netns: netnsName(name), interfaces, disks, sshAddress });
  });
  const bridges = planBridges(hosts, inv, problems);
  if (problems.length) throw new InventoryError(problems);
  return { inventoryDir: inv.dir, hosts, bridges };
}
function readInterfaces(h, hostIndex, at) {
  const raw2 = h.vars.interfaces;
  if (!Array.isArray(raw2) || raw2.length === 0) {
    at("interfaces", "a lab host needs `interfaces: [{ name: eth0, address: 192.168.0.27, prefix: 24 }]` (one entry per network interface)");
    return [];
  }
  const out = [];
  raw2.forEach((entry, i) => {
    const f = `interfaces[${i}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return at(f, "must be a mapping { name, address, prefix, gateway? }");
    const e = entry;
    for (const k of Object.keys(e))
      if (!["name", "address", "prefix", "gateway", "mac", "dhcp"].includes(k)) at(`${f}.${k}`, `unknown key "${k}" (an interface takes name, address, prefix, gateway, mac, dhcp)`);
    const mac = e.mac === void 0 || e.mac === null ? void 0 : String(e.mac).toLowerCase();
    if (mac !== void 0 && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac)) return at(`${f}.mac`, "must be a MAC address such as 52:54:00:12:34:56");
    if (mac !== void 0 && parseInt(mac.slice(0, 2), 16) & 1) return at(`${f}.mac`, `${mac} is a multicast address: the first byte must be even`);
    const name = e.name;
    if (typeof name !== "string" || !IFNAME.test(name) || name === "lo")
      return at(`${f}.name`, 'must be an interface name of 1\u201315 letters, digits, "_", "." or "-" (not lo)');
    if (out.some((o) => o.name === name)) return at(`${f}.name`, `interface ${name} is listed twice`);
    const address = typeof e.address === "string" ? parseIPv4(e.address) : void 0;
    if (address === void 0) return at(`${f}.address`, "must be an IPv4 address such as 192.168.0.27");
    const prefix = typeof e.prefix === "string" && /^\d+$/.test(e.prefix) ? Number(e.prefix) : e.prefix;
    if (typeof prefix !== "number" || !Number.isInteger(prefix) || prefix < 8 || prefix > 30)
      return at(`${f}.prefix`, "must be a prefix length from 8 to 30 (the lab needs room for its bridge address)");
    const subnet = subnetOf(address, prefix);
    if (address === subnet.network || address === broadcastOf(subnet))
      return at(`${f}.address`, `${formatIPv4(address)} is the network or broadcast address of ${formatSubnet(subnet)}`);
    if (RESERVED.some((r) => overlaps(r, subnet))) return at(`${f}.address`, `${formatSubnet(subnet)} is a reserved range (loopback, link-local, multicast\u2026)`);
    let gateway;
    if (e.gateway !== void 0 && e.gateway !== null) {
      const g = typeof e.gateway === "string" ? parseIPv4(e.gateway) : void 0;
      if (g === void 0 || !contains(subnet, g) || g === subnet.network || g === broadcastOf(subnet))
        return at(`${f}.gateway`, `must be a usable address inside ${formatSubnet(subnet)}`);
      gateway = formatIPv4(g);
    }
    out.push({ name, address: formatIPv4(address), prefix, gateway, bridge: "", hostVeth: vethName(hostIndex, i), mac });
  });
  return out;
}
function readDisks(h, at) {
  const raw2 = h.vars.lab_disks;
  if (raw2 === void 0 || raw2 === null) return [];
  if (!Array.isArray(raw2)) {
    at("lab_disks", "must be a list like [{ name: /dev/sda6, size: 256M }]");
    return [];
  }
  const out = [];
  raw2.forEach((entry, i) => {
    const f = `lab_disks[${i}]`;
    const e = typeof entry === "object" && entry !== null ? entry : {};
    const name = e.name;
    if (typeof name !== "string" || !/^\/dev\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(name))
      return at(`${f}.name`, "must be a device path under /dev, e.g. /dev/sda6");
    if (out.some((d) => d.name === name)) return at(`${f}.name`, `${name} is listed twice`);
    const m = SIZE.exec(String(e.size ?? ""));
    const bytes = m ? Number(m[1]) * { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[(m[2] ?? "M").toUpperCase()] : 0;
    if (!m || bytes < 2 ** 20 || bytes > MAX_DISK_BYTES) return at(`${f}.size`, "must be a size from 1M to 64G, e.g. 256M");
    out.push({ name, size: String(e.size), bytes });
  });
  return out;
}
function planBridges(hosts, inv, problems) {
  const bySubnet = /* @__PURE__ */ new Map();
  const owner = /* @__PURE__ */ new Map();
  for (const host of hosts)
    for (const iface of host.interfaces) {
      const where = `${host.name} ${iface.name}`;
      const other = owner.get(iface.address);
      if (other) problems.push({ file: inv.dir, host: host.name, field: "interfaces", message: `address ${iface.address} is also used by ${other}` });
      owner.set(iface.address, where);
      const subnet = subnetOf(parseIPv4(iface.address), iface.prefix);
      const key = formatSubnet(subnet);
      const entry = bySubnet.get(key) ?? { subnet, members: [] };
      if (entry.members.some((m) => m.host === host))
        problems.push({ file: inv.dir, host: host.name, field: "interfaces", message: `two interfaces on ${key}: give each interface its own subnet` });
      entry.members.push({ host, iface });
      bySubnet.set(key, entry);
    }
  const subnets = [...bySubnet.values()].sort((a, b) => a.subnet.network - b.subnet.network || a.subnet.prefix - b.subnet.prefix);
  for (let i = 0; i < subnets.length; i++)
    for (let j = i + 1; j < subnets.length; j++)
      if (overlaps(subnets[i].subnet, subnets[j].subnet))
        problems.push({ file: inv.dir, message: `subnets ${formatSubnet(subnets[i].subnet)} and ${formatSubnet(subnets[j].subnet)} overlap: use the same prefix for hosts of one network` });
  return subnets.map(({ subnet, members }, index) => {
    const name = bridgeName(index);
    const gateways = [...new Set(members.map((m) => m.iface.gateway).filter((g) => !!g))];
    if (gateways.length > 1)
      problems.push({ file: inv.dir, message: `hosts on ${formatSubnet(subnet)} name different gateways (${gateways.join(", ")}): one subnet has one gateway` });
    const used = new Set(members.map((m) => parseIPv4(m.iface.address)));
    let address = gateways[0];
    if (address && used.has(parseIPv4(address)))
      problems.push({ file: inv.dir, message: `gateway ${address} of ${formatSubnet(subnet)} is also a host's address` });
    if (!address) {
      let a = broadcastOf(subnet) - 1;
      while (used.has(a) && a > subnet.network) a--;
      address = formatIPv4(a);
    }
    for (const m of members) m.iface.bridge = name;
    return { name, subnet: formatSubnet(subnet), address, prefix: subnet.prefix, hosts: members.map((m) => m.host.name) };
  });
}
function originOf(h, field) {
  return h.origins[field.split(/[.[]/)[0]] ?? "";
}

// src/lab/up.ts
async function labUp(opts) {
  requireRoot(`lab up -i ${opts.inventory}`);
  ensureSbinOnPath();
  const log2 = opts.log ?? (() => {
  });
  const topo = topologyFromInventory(await loadInventory(opts.inventory));
  return withLabLock(async () => {
    const started = Date.now();
    const current = readState();
    if (current?.phase === "up") return { state: checkSameLab(current, topo), alreadyUp: true, seconds: 0 };
    if (current || (await findLeftovers()).length) {
      log2("removing what an earlier, unfinished lab left behind");
      await teardown();
    }
    await checkNoRouteOverlap(topo);
    await ensureHostPackages(log2);
    const [base, key] = await Promise.all([ensureBaseImage(log2), ensureLabKey()]);
    const state = {
      version: 1,
      inventoryDir: topo.inventoryDir,
      startedAt: (/* @__PURE__ */ new Date()).toISOString(),
      phase: "starting",
      bridges: topo.bridges,
      hosts: topo.hosts.map((h) => ({ name: h.name, netns: h.netns, root: hostPaths(h.name).root, sshAddress: h.sshAddress, interfaces: h.interfaces, disks: [], status: "starting" }))
    };
    writeState(state);
    try {
      await createNetwork(topo);
      const addresses = topo.bridges.map((b) => b.address);
      state.aptProxy = { ...await startAptProxy(addresses), addresses };
      writeState(state);
      const known = await Promise.all(
        topo.hosts.map(async (spec, i) => {
          const h = state.hosts[i];
          await mountOverlay(h.name, base);
          const hostKey = await makeHostKeys(h.root);
          const bridge = topo.bridges.find((b) => b.name === spec.interfaces[0].bridge);
          writeHostFiles({ root: h.root, host: spec, publicKey: key.publicKey, aptProxy: `http://${bridge.address}:${state.aptProxy.port}` });
          const { disks, problem } = await attachDisks(spec);
          h.disks = disks;
          h.diskProblem = problem;
          h.pid = bootHost(h);
          return { name: h.name, addresses: h.interfaces.map((i2) => i2.address), hostKey };
        })
      );
      writeState(state);
      writeKnownHosts(known);
      await Promise.all(state.hosts.map((h) => awaitHost(h, opts.bootTimeoutMs ?? 6e4)));
      state.phase = "up";
      state.upSeconds = (Date.now() - started) / 1e3;
      writeState(state);
      for (const h of state.hosts) if (h.diskProblem) log2(`${h.name}: lab_disks not provided: ${h.diskProblem} (roles that need them, such as DRBD, cannot run there)`);
      return { state, alreadyUp: false, seconds: state.upSeconds };
    } catch (err) {
      log2("lab up failed: taking down what it made");
      await teardown();
      throw err;
    }
  });
}
function checkSameLab(current, topo) {
  if (current.inventoryDir !== topo.inventoryDir)
    throw new LabError(`a lab is already up for another inventory (${current.inventoryDir})`, "run `run-playbook lab down` first, then lab up again");
  const shape = (hosts) => JSON.stringify(hosts.map((h) => [h.name, h.interfaces.map((i) => [i.name, i.address, i.prefix])]));
  if (shape(current.hosts) !== shape(topo.hosts))
    throw new LabError(`the lab that is up was made from an earlier version of ${topo.inventoryDir} (hosts or interfaces changed)`, "run `run-playbook lab down`, then lab up again");
  const stopped = current.hosts.filter((h) => !h.pid || !isAlive(h.pid));
  if (stopped.length)
    throw new LabError(`the lab for ${topo.inventoryDir} is up but ${stopped.map((h) => h.name).join(", ")} stopped`, "run `run-playbook lab down`, then lab up again");
  return current;
}
async function awaitHost(h, timeoutMs) {
  const how = await waitForSsh(h.sshAddress, () => !!h.pid && isAlive(h.pid), timeoutMs);
  if (how !== "ready") {
    h.status = "failed";
    const why = how === "exited" ? "systemd-nspawn exited" : `sshd did not answer on ${h.sshAddress}:22 within ${timeoutMs / 1e3} s`;
    throw new LabError(`${h.name}: ${why}; its console ended with:
${consoleTail(h.name)}`, "run `run-playbook lab doctor`; if it reports nothing, run lab up again and report the console above");
  }
  const script = ["hostname", ...h.disks.map((d) => `if [ -b ${d.name} ] && dd if=${d.name} of=/dev/null bs=4096 count=1 2>/dev/null; then echo disk-ok ${d.name}; else echo disk-bad ${d.name}; fi`)].join("; ");
  const r = await runOnHost(h, ["sh", "-c", script], "capture");
  const lines = r.stdout.trim().split("\n");
  if (r.code !== 0 || lines[0] !== h.name) {
    h.status = "failed";
    throw new LabError(`${h.name}: sshd answers on ${h.sshAddress} but the lab key does not log in: ${r.stderr.trim() || lines[0]}`, "run lab down, then lab up again");
  }
  const bad = lines.filter((l) => l.startsWith("disk-bad ")).map((l) => l.slice("disk-bad ".length));
  if (bad.length) h.diskProblem = `${bad.join(", ")} cannot be read inside the host (the device policy of systemd-nspawn or this kernel does not allow it)`;
  h.status = "up";
}

// src/lab/commands.ts
var log = (line) => void process.stderr.write(`lab: ${line}
`);
function registerLabCommands(program) {
  const lab = program.command("lab").description("the local lab: throw-away Debian bookworm hosts (systemd-nspawn) for an inventory, on this machine (needs root)");
  lab.command("up").description("start one host per inventory host, with its interfaces, addresses and disks; prints how to reach them").argument("[topology]", "shorthand for -i inventory/<topology> (e.g. 2-node, 4-node)").option("-i, --inventory <dir>", "inventory directory (or its hosts.yml)").action(
    (topology, _opts, cmd) => run(async () => {
      const inventory = resolveInventory(topology, givenInventory(cmd));
      const r = await labUp({ inventory, log });
      process.stdout.write(renderLab(r.state) + "\n");
      process.stdout.write(r.alreadyUp ? "this lab was already up: nothing changed\n" : `lab up in ${r.seconds.toFixed(1)} s
`);
      const lacking = (await kernelFeatures()).filter((f) => f.available !== "yes");
      if (lacking.length) log(`this kernel lacks ${lacking.map((f) => f.feature).join(", ")}: roles needing them cannot start here (run-playbook lab doctor)`);
    })
  );
  lab.command("status").description("the lab that is up, each host checked now; or what a crashed lab left behind").action(
    () => run(async () => {
      const s = await labStatus();
      if (!s.state) {
        if (!s.leftovers.length) return void process.stdout.write("no lab is up\n");
        process.stdout.write(`no lab is up, but an earlier lab left:
${s.leftovers.map((l) => `  - ${l}`).join("\n")}
`);
        throw new LabError("leftovers of an earlier lab are on this machine", "run `run-playbook lab down` to remove them");
      }
      process.stdout.write(renderLab(s.state, s.hosts) + "\n");
      const notUp = [...s.hosts].filter(([, v]) => v !== "up").map(([k, v]) => `${k} (${v})`);
      if (s.state.phase !== "up") throw new LabError("this lab is still starting, or its lab up did not finish", "wait for lab up, or run `run-playbook lab down`");
      if (notUp.length) throw new LabError(`not up: ${notUp.join(", ")}`, "run `run-playbook lab down`, then lab up again");
    })
  );
  lab.command("down").description("stop every host and remove everything the lab made (also after a crash; safe to repeat)").action(
    () => run(async () => {
      requireRoot("lab down");
      ensureSbinOnPath();
      const r = await withLabLock(teardown);
      if (!r.stopped.length && !r.removed.length) return void process.stdout.write("no lab was up: nothing to remove\n");
      process.stdout.write(`lab down in ${r.seconds.toFixed(1)} s: stopped ${r.stopped.length} process(es), removed ${r.removed.length} item(s)
`);
    })
  );
  lab.command("ssh").description("log in to a lab host as root").argument("<host>", "host name from the inventory").action((host) => run(async () => void (process.exitCode = await onHost(host, []))));
  lab.command("exec").description("run a command on a lab host: lab exec HOST -- CMD [ARGS...] (exit code is the command's)").argument("<host>", "host name from the inventory").argument("<command...>", "the command and its arguments, after --").allowUnknownOption().action(
    (host, command2) => run(async () => {
      const code = await onHost(host, command2);
      process.exitCode = code;
      if (code !== 0) throw new RemoteExitError(host, code);
    })
  );
  lab.command("doctor").description("which kernel features the topologies' roles need (ip_vs, drbd, ocfs2+configfs, md, nfsd) and whether this kernel has them").action(
    () => run(async () => {
      ensureSbinOnPath();
      const prerequisites = labPrerequisites();
      process.stdout.write(renderDoctor(await kernelFeatures(), prerequisites) + "\n");
      if (prerequisites.some((p) => !p.startsWith("packages") && !p.startsWith("loop"))) process.exitCode = 1;
    })
  );
}
function givenInventory(cmd) {
  for (let c = cmd; c; c = c.parent) if (c.getOptionValueSource("inventory") === "cli") return c.getOptionValue("inventory");
  return void 0;
}
async function onHost(name, argv) {
  requireRoot(argv.length ? `lab exec ${name} -- ${argv.join(" ")}` : `lab ssh ${name}`);
  const host = findHost(name);
  return (await runOnHost(host, argv)).code;
}
var run = (fn) => fn();
function resolveInventory(topology, inventory) {
  if (inventory) return inventory;
  if (!topology) throw new LabError("which inventory? give a topology or -i", "e.g. run-playbook lab up 2-node, or run-playbook lab up -i inventory/2-node");
  if (topology.includes("/") || existsSync18(topology)) return topology;
  const candidates = [.../* @__PURE__ */ new Set([resolve4("inventory", topology), resolve4(dirname8(fileURLToPath2(import.meta.url)), "..", "..", "inventory", topology)])];
  const found = candidates.find((c) => existsSync18(c));
  if (!found) throw new LabError(`no topology "${topology}" (looked in ${candidates.join(" and ")})`, "give an inventory directory with -i");
  return found;
}

// src/cli.ts
var EXIT_CODES = `
Exit codes (as ansible-playbook, plus 3):
  0  every host ok        2  a task failed on some host
  3  invalid input (inventory, variables, playbook): nothing ran
  4  a host was unreachable (2|4 = 6 when both)`;
function buildProgram(setCode) {
  const program = new Command("run-playbook").description("Run a halab playbook (playbooks/<name>.ts) against an inventory, idempotently, over SSH.").argument("[playbook]", "playbook name, e.g. site").option("-i, --inventory <path>", "inventory directory or file", "inventory/2-node").option("-l, --limit <pattern>", "only these hosts: names, groups, a:b, !excluded").option("--roles <list>", "only these roles, comma-separated (on the hosts whose plays include them)").option("-C, --check", "change nothing; report what would change").option("-D, --diff", "show unified diffs of changed files (secrets masked)").option("-e, --extra-vars <vars>", "extra variables: k=v, @file.yml or JSON (highest precedence; repeatable)", (v, prev = []) => [...prev, v]).option("-f, --forks <n>", "hosts connected and run in parallel (default: all, up to 50)").option("--json", "one JSON event per line on stdout instead of progress").option("--accept-new-hosts", "trust and record unknown SSH host keys in ~/.ssh/known_hosts (changed keys are always refused)").option("-v, --verbose", "say why each unchanged task had nothing to do").addHelpText("after", EXIT_CODES).showHelpAfterError().enablePositionalOptions().action(async (playbook, opts) => {
    if (!playbook) {
      program.outputHelp();
      return setCode(EXIT_INVALID);
    }
    setCode(await runCommand(playbook, opts));
  });
  program.addOption(new Option("--no-color", "plain output").hideHelp());
  program.command("verify").description("run the seeds' own tests against the live cluster (VIP failover, pages, data) and print a table").option("-i, --inventory <path>", "inventory directory or file", "inventory/2-node").option("-e, --extra-vars <vars>", "extra variables, as for a playbook run", (v, prev = []) => [...prev, v]).option("--accept-new-hosts", "trust and record unknown SSH host keys").action(async (opts) => setCode(await verifyCommand(opts)));
  return program;
}
async function main(argv) {
  let code = 0;
  const program = buildProgram((c) => code = c);
  program.exitOverride();
  try {
    registerLabCommands(program);
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_INVALID;
    process.stderr.write(renderError(e) + "\n");
    return e instanceof RemoteExitError ? e.exitCode : 1;
  }
  return code || Number(process.exitCode ?? 0);
}
export {
  buildProgram,
  main
};
