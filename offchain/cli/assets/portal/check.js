// GridTrust portal: checks in the browser. Proofs come from an operator (via the portal); roots come
// from the chain; the rules are contracts/common's own, compiled to WebAssembly (/assets/check.wasm).
// A check passes only when every proof leads to the root the chain holds and every recomputed figure
// equals the chain's.
"use strict";

const zh = document.documentElement.lang.startsWith("zh");
const say = {
  matches: zh ? "与链上数据一致" : "matches the chain",
  differs: zh ? "与链上数据不一致" : "differs from the chain",
  checking: zh ? "校验中…" : "checking…",
  proof: zh ? "证明无法导向链上根哈希" : "its proof does not lead to the chain's root",
  reading: zh ? "读数" : "reading",
  event: zh ? "事件" : "event",
  actual: zh ? "实际用电与读数之和不符" : "actual load is not the sum of the proven readings",
  subsidy: zh ? "补贴与公式计算不符" : "subsidy is not what the formula gives",
  payout: zh ? "赔付与条款计算不符" : "payout is not what the pool's tiers give",
  minutes: zh ? "停电分钟数不符" : "outage minutes do not match",
  none: zh ? "证据中没有此电表的事件" : "the evidence holds no event of this meter",
  yours: zh ? "您的数据" : "your file",
  notInFile: zh ? "文件中没有该时段的读数" : "your file has no reading for this interval",
  failed: zh ? "无法校验" : "cannot check",
  root: zh ? "全部证据的哈希与链上根哈希不符" : "the whole evidence does not hash to the chain's root",
  times: zh ? "起止时间与证据判定的不符" : "start or end is not what the evidence decides",
  undecided: zh ? "证据无法判定此次停电" : "the evidence does not decide this outage",
  // recompute_outage's refusals, by code.
  why: [
    null,
    zh ? "格式错误" : "malformed",
    zh ? "没有事件" : "no events",
    zh ? "混有多条馈线的事件" : "events of several feeders",
    zh ? "顺序不规范" : "not in canonical order",
    zh ? "没有已结束的停电" : "no ended outage",
    zh ? "含停电之外的事件" : "events outside the outage",
  ],
  redecided: zh ? (n) => "由全部 " + n + " 个事件重新判定起止" : (n) => "start and end re-decided from all " + n + " events",
};

let exportsPromise = null;
function check() {
  if (!exportsPromise) {
    exportsPromise = fetch("/assets/check.wasm")
      .then((r) => {
        if (!r.ok) throw new Error("check.wasm: " + r.status);
        return r.arrayBuffer();
      })
      .then((bytes) => WebAssembly.instantiate(bytes, {}))
      .then((m) => m.instance.exports);
  }
  return exportsPromise;
}

function hexBytes(hex) {
  const clean = hex.startsWith("0x") ? hex.slice(2) : hex;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

// Writes the root and the proof's siblings into the exchange buffer.
function putProof(ex, root, proof) {
  const parts = [hexBytes(root), ...proof.siblings.map(hexBytes)];
  const len = parts.length * 32;
  const ptr = ex.buffer(len);
  const view = new Uint8Array(ex.memory.buffer, ptr, len);
  parts.forEach((p, i) => view.set(p, i * 32));
}

function readU128(ex, ptr) {
  const view = new Uint8Array(ex.memory.buffer, ptr, 16);
  let v = 0n;
  for (let i = 15; i >= 0; i--) v = (v << 8n) | BigInt(view[i]);
  return v;
}

const LOW = (1n << 64n) - 1n;
// A meter event's kind as its Merkle leaf codes it (9: unknown, which the check refuses), and the
// bytes of its leaf data (gridtrust_common::outage::LEAF_DATA_BYTES).
const KINDS = { last_gasp: 0, restore: 1 };
const LEAF_DATA_BYTES = 21;

function provesReading(ex, root, meter, at, wh, proof) {
  putProof(ex, root, proof);
  return ex.verify_reading(BigInt(meter), BigInt(at), BigInt(wh), proof.index, proof.leaf_count, proof.siblings.length) === 1;
}

function provesEvent(ex, root, e, proof) {
  putProof(ex, root, proof);
  return ex.verify_event(KINDS[e.kind] ?? 9, BigInt(e.meter), e.feeder, BigInt(e.at_ms), proof.index, proof.leaf_count, proof.siblings.length) === 1;
}

// Re-decides the outage from every event of its evidence with the shared rule (recompute_outage):
// { root (hex), start, end } as the evidence decides them, or { why } when it decides nothing.
function redecide(ex, events, minDarkMeters) {
  const len = events.length * LEAF_DATA_BYTES;
  const ptr = ex.buffer(len);
  const dv = new DataView(ex.memory.buffer, ptr, len);
  events.forEach((e, i) => {
    const at = i * LEAF_DATA_BYTES;
    dv.setUint8(at, KINDS[e.kind] ?? 9);
    dv.setBigUint64(at + 1, BigInt(e.meter), true);
    dv.setUint32(at + 9, e.feeder, true);
    dv.setBigUint64(at + 13, BigInt(e.at_ms), true);
  });
  const code = ex.recompute_outage(events.length, minDarkMeters);
  if (code !== 0) return { why: say.why[code] || String(code) };
  const out = new DataView(ex.memory.buffer, ex.buffer(48), 48);
  let root = "0x";
  for (let i = 0; i < 32; i++) root += out.getUint8(i).toString(16).padStart(2, "0");
  return { root, start: out.getBigUint64(32, true), end: out.getBigUint64(40, true) };
}

function when(ms) {
  return new Date(Number(ms)).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

function show(output, problems, details) {
  output.className = problems.length ? "bad" : "ok";
  output.dataset.result = problems.length ? "differs" : "matches";
  output.textContent = problems.length
    ? say.differs + ": " + problems.join("; ")
    : say.matches + (details ? " (" + details + ")" : "");
}

async function checkEntry(button, output) {
  const ex = await check();
  const q = new URLSearchParams({ event: button.dataset.event, meter: button.dataset.meter });
  const r = await fetch("/api/entry-proof?" + q);
  const p = await r.json();
  if (!r.ok) throw new Error(p.error || r.status);
  const problems = [];
  let sum = 0n;
  for (const reading of p.readings) {
    sum += BigInt(reading.wh);
    if (!provesReading(ex, p.root, p.meter, reading.interval_start_ms, reading.wh, reading.proof)) {
      problems.push(say.reading + " " + when(reading.interval_start_ms) + ": " + say.proof);
    }
  }
  if (sum !== BigInt(p.actual_wh)) problems.push(say.actual);
  const rate = BigInt(p.rate_per_kwh), cap = BigInt(p.cap_per_event);
  const subsidy = readU128(ex, ex.subsidy(BigInt(p.baseline_wh), BigInt(p.actual_wh), rate & LOW, rate >> 64n, cap & LOW, cap >> 64n, p.min_reduction_bps, BigInt(p.min_reduction_wh)));
  if (subsidy !== BigInt(p.subsidy)) problems.push(say.subsidy);
  show(output, problems, p.readings.length + " × " + say.reading + ", " + p.root_source);
  return p;
}

async function checkPayout(button, output) {
  const ex = await check();
  const q = new URLSearchParams({ outage: button.dataset.outage, meter: button.dataset.meter, policy: button.dataset.policy });
  const r = await fetch("/api/payout-proof?" + q);
  const p = await r.json();
  if (!r.ok) throw new Error(p.error || r.status);
  const problems = [];
  if (p.events.length === 0) problems.push(say.none);
  for (const { event, proof } of p.events) {
    if (!provesEvent(ex, p.root, event, proof)) problems.push(say.event + " " + when(event.at_ms) + ": " + say.proof);
  }
  // The outage itself: the whole evidence must hash to the chain's root and decide the chain's start
  // and end; the minutes and the payout are then recomputed from what the evidence decides.
  const decided = redecide(ex, p.evidence, p.min_dark_meters);
  let start = BigInt(p.start_ms), end = BigInt(p.end_ms);
  if (decided.why) {
    problems.push(say.undecided + " (" + decided.why + ")");
  } else {
    if (decided.root !== p.root.toLowerCase()) problems.push(say.root);
    if (decided.start !== start || decided.end !== end) problems.push(say.times);
    [start, end] = [decided.start, decided.end];
  }
  const minutes = ex.outage_minutes(start, end);
  if (minutes !== p.minutes) problems.push(say.minutes);
  const table = new Uint8Array(p.tiers.length * 20);
  const dv = new DataView(table.buffer);
  p.tiers.forEach((t, i) => {
    dv.setUint32(i * 20, t.min_minutes, true);
    const v = BigInt(t.payout);
    dv.setBigUint64(i * 20 + 4, v & LOW, true);
    dv.setBigUint64(i * 20 + 12, v >> 64n, true);
  });
  const ptr = ex.buffer(table.length);
  new Uint8Array(ex.memory.buffer, ptr, table.length).set(table);
  let due = readU128(ex, ex.payout(minutes, p.tiers.length));
  const left = BigInt(p.limit_left);
  if (due > left) due = left;
  if (p.excluded) due = 0n;
  if (p.paid !== null && BigInt(p.paid) !== due) problems.push(say.payout);
  show(output, problems, p.events.length + " × " + say.event + ", " + say.redecided(p.evidence.length) + ", " + minutes + " min, " + p.root_source);
}

async function run(button) {
  const output = button.nextElementSibling;
  output.className = "";
  output.textContent = say.checking;
  try {
    if (button.dataset.kind === "entry") await checkEntry(button, output);
    else await checkPayout(button, output);
  } catch (e) {
    output.className = "bad";
    output.dataset.result = "error";
    output.textContent = say.failed + ": " + e.message;
  }
}

// The customer's own meter export: each of their readings behind an entry is proven with their value.
function parseExport(text, meter) {
  const values = new Map();
  for (let line of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    const f = line.split(",").map((x) => x.trim().replace(/^"|"$/g, ""));
    if (f.length === 4 && f[0] === "reading" && f[1] === String(meter)) values.set(f[2], f[3]);
  }
  return values;
}

async function checkExport(input) {
  const output = document.getElementById("own-result");
  output.className = "";
  output.textContent = say.checking;
  try {
    const ex = await check();
    const values = parseExport(await input.files[0].text(), input.dataset.meter);
    const lines = [];
    let bad = 0;
    for (const button of document.querySelectorAll("button.check[data-kind=entry]")) {
      const q = new URLSearchParams({ event: button.dataset.event, meter: button.dataset.meter });
      const p = await (await fetch("/api/entry-proof?" + q)).json();
      for (const reading of p.readings) {
        const mine = values.get(String(reading.interval_start_ms));
        const at = when(reading.interval_start_ms);
        if (mine === undefined) {
          bad++;
          lines.push("✗ " + at + ": " + say.notInFile);
        } else if (provesReading(ex, p.root, p.meter, reading.interval_start_ms, mine, reading.proof)) {
          lines.push("✓ " + at + ": " + mine + " Wh " + say.matches);
        } else {
          bad++;
          lines.push("✗ " + at + ": " + say.yours + " " + mine + " Wh " + say.differs);
        }
      }
    }
    output.className = bad ? "bad" : "ok";
    output.dataset.result = bad ? "differs" : "matches";
    output.textContent = lines.join("\n");
    output.style.whiteSpace = "pre-line";
  } catch (e) {
    output.className = "bad";
    output.dataset.result = "error";
    output.textContent = say.failed + ": " + e.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.check")) {
    button.addEventListener("click", () => run(button));
  }
  const input = document.getElementById("own-export");
  if (input) input.addEventListener("change", () => checkExport(input));
});
