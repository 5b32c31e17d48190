/**
 * `npm run bench:client`: Arvo's wall against a bare Konva page drawing the same notes, side by
 * side in one run, in headless Chromium (software rendering: compare ratios, not absolute fps).
 *
 *   - a real server with the seeded workshop of scripts/generate-workshop.ts (5 actors, about
 *     2,000 notes on the wall), opened as the facilitator (the whole wall, every note);
 *   - the bare page (bench/client/bare.ts): the same notes as one Rect + one Text each, the same
 *     view, the same wheel zoom and drag, served from the same origin;
 *   - per page: first render (navigation start → all notes drawn, two frames later), JS heap after
 *     a GC (CDP), pan/zoom (scripted wheel and drag; rAF frame intervals: fps and p95), then 49
 *     cursors moving at 20 Hz (Arvo: 49 real y-websocket clients in Node moving their awareness
 *     cursor; bare: 49 cursors moved in the page): 5 s idle (frames and long tasks), pan/zoom again;
 *   - repeated with alternating order (bare first, then Arvo first), medians and ratios reported;
 *   - 20,000 notes: Arvo alone loads, and the time from a wheel event to the redrawn frame.
 * Results are printed and written to docs/client-benchmark.md. CLIENT_BENCH_REPS=… repeats more.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTokenService } from '../server/auth/tokens';
import { openSqliteStore } from '../server/store/sqlite';
import { generateWorkshop, importIntoStore } from '../scripts/generate-workshop';
import { roomDocName } from '../shared/protocol/docNames';
import { removeDir, startTestServer, tempDir, type TestServer } from '../tests/helpers/server';
import { connect, destroyAll, waitSynced, type Peer } from '../tests/helpers/clients';
import { barePage, type BareNote } from './client/bare';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REPS = Number(process.env.CLIENT_BENCH_REPS ?? 2);
const CURSORS = 49;
const SECRET = 'client-benchmark-secret-0123456789abcdef';
const VIEWPORT = { width: 1440, height: 900 };
const KONVA_JS = fs.readFileSync(path.resolve('node_modules/konva/konva.min.js'));

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN);
function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');

/**
 * Installed in every page before its scripts: rAF frame times, long tasks, wheel→frame latency.
 * A string, not a function: tsx would wrap the page's inner functions in its own helpers.
 */
const PROBE = `
(() => {
  const bench = { frames: [], recording: false, longtasks: [], wheel: [] };
  window.__bench = bench;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) bench.longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {}
  function loop(t) {
    if (bench.recording) bench.frames.push(t);
    requestAnimationFrame(loop);
  }
  requestAnimationFrame(loop);
  // From the wheel event's creation to the end of the frame that handles it (after that frame's
  // rAF callbacks, where Konva draws).
  window.addEventListener('wheel', (e) => {
    const t0 = e.timeStamp;
    requestAnimationFrame(() => setTimeout(() => bench.wheel.push(performance.now() - t0), 0));
  }, { capture: true, passive: true });
})();
`;

interface Frames { fps: number; p95: number; n: number }
interface PageRun { firstRenderMs: number; heapMiB: number; panZoom: Frames; idle: Frames & { longTasks: number; longTaskMs: number }; panZoomCursors: Frames; wheelP50: number; wheelP95: number }

function frames(times: number[]): Frames {
  const intervals = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
  const span = times.length > 1 ? times.at(-1)! - times[0]! : NaN;
  return { fps: ((times.length - 1) / span) * 1000, p95: quantile(intervals, 0.95), n: intervals.length };
}

async function record(page: Page, action: () => Promise<void>): Promise<{ frames: Frames; longTasks: Array<{ start: number; duration: number }> }> {
  const start = await page.evaluate(() => {
    const b = (window as unknown as { __bench: { frames: number[]; recording: boolean; wheel: number[] } }).__bench;
    b.frames = [];
    b.recording = true;
    return performance.now();
  });
  await action();
  const result = await page.evaluate((since) => {
    const b = (window as unknown as { __bench: { frames: number[]; recording: boolean; longtasks: Array<{ start: number; duration: number }> } }).__bench;
    b.recording = false;
    return { frames: b.frames, longTasks: b.longtasks.filter((t) => t.start >= since) };
  }, start);
  return { frames: frames(result.frames), longTasks: result.longTasks };
}

/** The same gestures on both pages: 9 wheel steps in at the centre (about 10×), a drag, 9 steps out, a drag. */
async function panZoom(page: Page): Promise<void> {
  const cx = VIEWPORT.width / 2;
  const cy = VIEWPORT.height / 2;
  await page.mouse.move(cx, cy);
  for (let i = 0; i < 9; i++) await page.mouse.wheel(0, -120);
  await page.mouse.down();
  for (let i = 0; i < 12; i++) await page.mouse.move(cx + 20 * i, cy + 10 * i);
  await page.mouse.up();
  for (let i = 0; i < 9; i++) await page.mouse.wheel(0, 120);
  await page.mouse.move(cx - 100, cy, { steps: 1 });
  await page.mouse.down();
  for (let i = 0; i < 12; i++) await page.mouse.move(cx - 100 - 14 * i, cy - 8 * i);
  await page.mouse.up();
  await page.mouse.move(cx, cy);
}

async function heapMiB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return usedSize / 1024 / 1024;
}

const afterTwoFrames = (page: Page) => page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now())))));
const wheelLatencies = (page: Page) => page.evaluate(() => (window as unknown as { __bench: { wheel: number[] } }).__bench.wheel.splice(0));

interface Setup {
  server: TestServer;
  dataDir: string;
  workshopId: string;
  facilitatorToken: string;
  participantTokens: Array<{ token: string; participantId: string; name: string }>;
  genMs: number;
  notesExpected: number;
}

async function setup(notes: number): Promise<Setup> {
  const t0 = performance.now();
  const workshop = generateWorkshop({ seed: 1, notes });
  const genMs = performance.now() - t0;
  const dataDir = tempDir('arvo-client-bench-');
  const store = openSqliteStore({ file: path.join(dataDir, 'arvo.sqlite'), synchronous: 'NORMAL' });
  await importIntoStore(store, workshop);
  await store.close();
  // Documents stay loaded between runs (ROOM_IDLE_MS), as in a workshop where others are connected: every measured run
  // finds them warm, and the first render is the client's work, not the server's reading of its log.
  const server = await startTestServer({ SECRET, LOG_LEVEL: 'silent', ROOM_IDLE_MS: '600000' }, dataDir);
  const tokens = createTokenService(new TextEncoder().encode(SECRET), 3600);
  const facilitatorToken = await tokens.issue({ workshopId: workshop.workshopId, participantId: workshop.facilitatorId, role: 'facilitator', actorId: null });
  const people = workshop.participants.filter((p) => p.role === 'participant');
  const participantTokens = await Promise.all(
    people.map(async (p) => ({ participantId: p.id, name: p.name, token: await tokens.issue({ workshopId: workshop.workshopId, participantId: p.id, role: 'participant', actorId: p.actorId }) })),
  );
  return { server, dataDir, workshopId: workshop.workshopId, facilitatorToken, participantTokens, genMs, notesExpected: workshop.stats.wallNotesAtEnd };
}

async function newPage(browser: Browser, base: string): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript({ content: PROBE });
  await context.route(`${base}/__bench/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/__bench/konva.js') return route.fulfill({ body: KONVA_JS, contentType: 'text/javascript' });
    return route.fulfill({ body: barePageHtml, contentType: 'text/html' });
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page] ${e.message}`));
  return page;
}
let barePageHtml = '';

/** Opens Arvo's wall as the facilitator; resolves when every note is laid out and drawn. */
async function openArvo(page: Page, s: Setup, notes: number, timeout = 60_000): Promise<number> {
  const base = s.server.url;
  await page.goto(`${base}/`);
  await page.evaluate(({ id, token }) => {
    localStorage.setItem(`arvo:token:${id}`, JSON.stringify({ token, name: 'Facilitator' }));
    localStorage.setItem('arvo:language', 'en');
  }, { id: s.workshopId, token: s.facilitatorToken });
  await page.goto(`${base}/w/${s.workshopId}?view=wall`);
  await page.waitForFunction((n) => (window.__arvoWall?.noteCount ?? 0) >= n, notes, { timeout, polling: 'raf' });
  return afterTwoFrames(page);
}

async function openBare(page: Page, s: Setup, notes: number): Promise<number> {
  await page.goto(`${s.server.url}/__bench/bare.html`);
  await page.waitForFunction((n) => ((window as unknown as { __bareCount?: number }).__bareCount ?? 0) >= n, notes, { timeout: 60_000, polling: 'raf' });
  return afterTwoFrames(page);
}

/** 49 people moving their pointers over the wall: real y-websocket clients on the room document. */
async function startCursors(s: Setup, bounds: { width: number; height: number }): Promise<() => void> {
  const peers: Peer[] = [];
  for (let i = 0; i < CURSORS; i++) {
    const who = s.participantTokens[i % s.participantTokens.length]!;
    peers.push(connect(s.server.wsUrl, roomDocName(s.workshopId), who.token));
  }
  await Promise.all(peers.map((p) => waitSynced(p, 20_000)));
  const at = peers.map((_, i) => ({ x: ((i * 137) % 100) / 100 * bounds.width, y: ((i * 61) % 100) / 100 * bounds.height }));
  peers.forEach((p, i) => {
    const who = s.participantTokens[i % s.participantTokens.length]!;
    p.provider.awareness.setLocalState({ participantId: who.participantId, name: who.name, cursor: at[i] });
  });
  // 20 Hz each, as Arvo's client throttles its own cursor.
  const timer = setInterval(() => {
    peers.forEach((p, i) => {
      const c = at[i]!;
      c.x = Math.max(0, Math.min(bounds.width, c.x + (Math.random() - 0.5) * 120));
      c.y = Math.max(0, Math.min(bounds.height, c.y + (Math.random() - 0.5) * 120));
      p.provider.awareness.setLocalStateField('cursor', { x: Math.round(c.x), y: Math.round(c.y) });
    });
  }, 50);
  return () => {
    clearInterval(timer);
    destroyAll();
  };
}

async function runPage(browser: Browser, kind: 'arvo' | 'bare', s: Setup, notes: number, bounds: { width: number; height: number }): Promise<PageRun> {
  const page = await newPage(browser, s.server.url);
  try {
    const firstRenderMs = kind === 'arvo' ? await openArvo(page, s, notes) : await openBare(page, s, notes);
    await page.waitForTimeout(1000);
    const heap = await heapMiB(page);
    await wheelLatencies(page);
    const pz = await record(page, () => panZoom(page));
    const wheelInOrder = await wheelLatencies(page);
    // Diagnostics: each wheel event's latency in the gesture's order (9 in, a drag, 9 out).
    console.log(`  ${kind} wheel → frame, ms, in order: ${wheelInOrder.map((x) => x.toFixed(0)).join(' ')}`);
    const wheel = wheelInOrder.sort((a, b) => a - b);
    const stop = kind === 'arvo' ? await startCursors(s, bounds) : (await page.evaluate((n) => (window as unknown as { __bareCursors(n: number): void }).__bareCursors(n), CURSORS), async () => page.evaluate(() => (window as unknown as { __bareCursors(n: number): void }).__bareCursors(0)));
    await page.waitForTimeout(1500);
    const idle = await record(page, () => page.waitForTimeout(5000));
    const pzc = await record(page, () => panZoom(page));
    await stop();
    return {
      firstRenderMs, heapMiB: heap, panZoom: pz.frames, panZoomCursors: pzc.frames, wheelP50: quantile(wheel, 0.5), wheelP95: quantile(wheel, 0.95),
      idle: { ...idle.frames, longTasks: idle.longTasks.length, longTaskMs: idle.longTasks.reduce((a, t) => a + t.duration, 0) },
    };
  } finally {
    await page.context().close();
  }
}

async function main() {
  const started = performance.now();
  const lines: string[] = [];
  const out = (line = '') => {
    console.log(line);
    lines.push(line);
  };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'] });
  try {
    // ——— 2,000 notes ———
    const s = await setup(2000);
    // A first, unmeasured Arvo load: the notes to draw in the bare page (as Arvo lays them out), its
    // view, and the server's documents warm for every measured run alike.
    const warm = await newPage(browser, s.server.url);
    await openArvo(warm, s, Math.floor(s.notesExpected * 0.9));
    await warm.waitForTimeout(1500);
    const seen = await warm.evaluate(() => {
      const w = window.__arvoWall!;
      const o = w.toScreen(0, 0);
      const box = document.querySelector('[data-testid="wall"]')!.getBoundingClientRect();
      const width = Math.max(...w.flipcharts.map((f) => f.x + f.width));
      const height = Math.max(...w.flipcharts.map((f) => f.y + f.height));
      return { notes: w.notes.map((n) => ({ x: n.x, y: n.y, width: n.width, height: n.height, text: n.text, color: n.color })), view: { x: o.x - box.left, y: o.y - box.top, scale: w.scale }, bounds: { width, height } };
    });
    await warm.context().close();
    const notes: BareNote[] = seen.notes;
    barePageHtml = barePage(notes, seen.view, seen.bounds);
    const runs: Record<'arvo' | 'bare', PageRun[]> = { arvo: [], bare: [] };
    for (let rep = 0; rep < REPS; rep++) {
      const order: Array<'arvo' | 'bare'> = rep % 2 === 0 ? ['bare', 'arvo'] : ['arvo', 'bare'];
      for (const kind of order) {
        const run = await runPage(browser, kind, s, notes.length, seen.bounds);
        runs[kind].push(run);
        console.log(`  rep ${rep + 1} ${kind}: ${JSON.stringify(run)}`);
      }
    }
    await s.server.close();
    removeDir(s.dataDir);

    // ——— 20,000 notes: Arvo alone ———
    // First load: the server reads the 31 documents from its log (cold). Second load, in a new tab:
    // the documents are loaded on the server (as while a workshop runs), so the time is the client's.
    const big = await setup(20000);
    const cold = await newPage(browser, big.server.url);
    const bigColdMs = await openArvo(cold, big, Math.floor(big.notesExpected * 0.95), 180_000);
    await cold.context().close();
    const page = await newPage(browser, big.server.url);
    const bigLoadMs = await openArvo(page, big, Math.floor(big.notesExpected * 0.95), 180_000);
    const bigNotes = await page.evaluate(() => window.__arvoWall!.noteCount);
    await page.waitForTimeout(1000);
    const bigHeap = await heapMiB(page);
    await wheelLatencies(page);
    const bigPz = await record(page, () => panZoom(page));
    const bigWheelInOrder = await wheelLatencies(page);
    console.log(`  20k wheel → frame, ms, in order: ${bigWheelInOrder.map((x) => x.toFixed(0)).join(' ')}`);
    const bigWheel = bigWheelInOrder.sort((a, b) => a - b);
    await page.context().close();
    await big.server.close();
    removeDir(big.dataDir);

    // ——— report ———
    const m = (kind: 'arvo' | 'bare', pick: (r: PageRun) => number) => median(runs[kind].map(pick));
    const row = (label: string, pick: (r: PageRun) => number, fmt: (x: number) => string, target: string, higherIsBetter = false) => {
      const a = m('arvo', pick);
      const b = m('bare', pick);
      const ratio = a / b;
      const perRep = runs.arvo.map((r, i) => f2(pick(r) / pick(runs.bare[i]!))).join(', ');
      out(`| ${label} | ${fmt(a)} | ${fmt(b)} | ${f2(ratio)}× | ${perRep} | ${target}${higherIsBetter ? '' : ''} |`);
    };
    const cpus = os.cpus();
    out('# Client benchmark: Arvo\'s wall against a bare Konva page');
    out();
    out(`Run ${new Date().toISOString()} by \`npm run bench:client\` (bench/client.bench.ts) on ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ` +
      `load average ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')} at the end, headless Chromium with software rendering ` +
      `(\`--disable-gpu\`), ${VIEWPORT.width}×${VIEWPORT.height}. The machine is shared and noisy (other sessions build and test on the ` +
      'same two cores while this runs): absolute numbers move from run to run; the ratios, measured side by side in one run with ' +
      `alternating order (${REPS} repetitions: bare first, then Arvo first, …), are what to read.`);
    out();
    out(`Workshop: scripts/generate-workshop.ts seed 1 (${f1(s.genMs / 1000)} s to generate), 5 actors, ${notes.length} notes on the wall, ` +
      'opened as the facilitator (the whole wall). Bare page: the same notes at the same places and colours, one Konva Rect + one Text each, ' +
      'the same initial view, wheel zoom and drag. Pan/zoom: 9 wheel steps in (about 10×), a 12-step drag, 9 steps out, a 12-step drag, with Playwright\'s mouse; ' +
      `frames are requestAnimationFrame intervals. Cursors: ${CURSORS} real y-websocket clients in Node moving their awareness cursor at 20 Hz ` +
      `(the bare page moves ${CURSORS} cursors of its own at 20 Hz, drawn like Arvo's).`);
    out();
    out('| 2,000 notes (median of repetitions) | Arvo | bare Konva | ratio | ratio per repetition | target |');
    out('|---|---|---|---|---|---|');
    row('first render, ms (navigation → all notes drawn)', (r) => r.firstRenderMs, (x) => x.toFixed(0), '≤ 1.5×');
    row('JS heap after GC, MiB', (r) => r.heapMiB, f1, '≤ 2×');
    row('pan/zoom fps', (r) => r.panZoom.fps, f1, '≥ 0.9×', true);
    row('pan/zoom frame p95, ms', (r) => r.panZoom.p95, f1, '≤ 1.2×');
    row('pan/zoom with 49 cursors, fps', (r) => r.panZoomCursors.fps, f1, '≥ 0.9×', true);
    row('pan/zoom with 49 cursors, frame p95, ms', (r) => r.panZoomCursors.p95, f1, '≤ 1.2×');
    row('idle, 49 cursors moving: fps', (r) => r.idle.fps, f1, '—', true);
    row('idle, 49 cursors moving: frame p95, ms', (r) => r.idle.p95, f1, '—');
    row('wheel event → frame drawn, p50 ms', (r) => r.wheelP50, f1, '—');
    row('wheel event → frame drawn, p95 ms', (r) => r.wheelP95, f1, '—');
    out();
    out(`Long tasks while idle with 49 cursors moving (5 s): Arvo ${runs.arvo.map((r) => `${r.idle.longTasks} (${r.idle.longTaskMs.toFixed(0)} ms)`).join(', ')}; ` +
      `bare ${runs.bare.map((r) => `${r.idle.longTasks} (${r.idle.longTaskMs.toFixed(0)} ms)`).join(', ')} — per repetition. Target: none.`);
    out();
    out(`20,000 notes (seed 1, ${f1(big.genMs / 1000)} s to generate; Arvo alone): ${bigNotes} notes drawn ${f1(bigLoadMs / 1000)} s after navigation ` +
      `(documents loaded on the server; the very first load, while the server read them from its log, ${f1(bigColdMs / 1000)} s); ` +
      `JS heap ${f1(bigHeap)} MiB; pan/zoom ${f1(bigPz.frames.fps)} fps, frame p95 ${f1(bigPz.frames.p95)} ms; wheel event → frame drawn (${bigWheel.length} wheel events) p50 ${f1(quantile(bigWheel, 0.5))} ms, ` +
      `p95 ${f1(quantile(bigWheel, 0.95))} ms, max ${f1(bigWheel.at(-1) ?? NaN)} ms (target: zoom answers within 100 ms). ` +
      'Wheel event → frame drawn: from the event\'s timestamp (when the browser took the input) to the end of the first animation frame after it, ' +
      'in which the wall draws (a task queued from that frame\'s requestAnimationFrame callback).');
    out();
    out('Per repetition (raw, JSON):');
    out();
    out('```');
    for (const kind of ['arvo', 'bare'] as const) runs[kind].forEach((r, i) => out(`${kind} ${i + 1}: ${JSON.stringify(r, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`));
    out('```');
    out();
    out(`Whole run: ${f1((performance.now() - started) / 1000)} s.`);
    fs.mkdirSync('docs', { recursive: true });
    fs.writeFileSync('docs/client-benchmark.md', `${lines.join('\n')}\n`);
  } finally {
    await browser.close();
  }
}

await main();
process.exit(0);
