/**
 * `npm run bench`: the relay side by side with a bare Yjs relay and with Hocuspocus 3, same
 * topology and load, in one run; then one big workshop; then the update log's append rate.
 * Numbers and ratios for docs/relay-benchmark.md, never pass/fail thresholds in the test suite.
 *
 * Each server runs alone in its own process (bundled like `npm run build` bundles Arvo, plain
 * node, no TypeScript loader), and its CPU time and resident memory are read from /proc, so the
 * clients — forked load processes (bench/relay/loadClient.ts, tabs in bench/relay/loadTabs.ts) —
 * are not counted. A "tab" is one WebSocket following its workshop's room document and every
 * participant's notes document, and writing a note into its own at a fixed rate; "delivery" is one
 * update arriving at one other tab; latency is edit → seen at that tab. Arvo runs twice: "arvo
 * (per-document)" opens every document on its own session (the bare relay's topology), "arvo
 * (channel)" subscribes as Arvo's client does — room, own notes, own drafts, and everyone else's
 * notes through the workshop channel (one `follow`).
 *
 *   BENCH_QUICK=1   shorter runs (a smoke test of the benchmark itself)
 *   BENCH_ONLY=standard,big200,big500,append   a subset
 *   BENCH_ROUNDS=n  rounds of the standard load (default 3; the order alternates per round)
 *   BENCH_SERVERS=arvo,arvo-channel,bare   a subset of the servers in the standard load; also
 *                  bare-commit (the bare relay committing each update to SQLite before relaying it)
 *                  and bare-guarded (that, and Arvo's content check before applying): what those
 *                  guarantees cost a relay with nothing else (bench/relay/bareRelay.ts BARE_GUARDS)
 *   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=…"   profile the servers (all exit on SIGTERM)
 *   BENCH_SYSCALLS=1   count the server's write/writev/read/pwrite calls per delivery (strace; diagnostic only)
 *   BENCH_HEAP_DIR=dir   heap snapshots before and after the tabs connect (what a tab keeps alive)
 *   BENCH_BASELINE=<git ref>   also run Arvo's server of that commit ('baseline'; standard: name it in BENCH_SERVERS)
 *   BENCH_REVERSE=1   the big workshops in the reverse order of servers
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { addNote } from '../shared/ops/notes';
import { LOCAL_ORIGIN } from '../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../shared/protocol/docNames';
import { openSqliteStore } from '../server/store/sqlite';
import type { Dialect, FromClient, TabSpec, ToClient } from './relay/loadClient';
import {
  ROOT,
  bundle,
  cpuSeconds,
  f,
  liveKiB,
  makeWorkshop,
  mean,
  nextMessage,
  now,
  quantile,
  rssKiB,
  sleep,
  sortedLatencies,
  startLoadProcess,
  startServer as startProcess,
  stopLoadProcesses,
  stopServer,
  type RunningServer,
} from './relay/serverHarness';

const OUT = path.join(ROOT, 'dist/bench');
const QUICK = process.env.BENCH_QUICK === '1';
const ONLY = new Set((process.env.BENCH_ONLY ?? 'standard,big200,big500,append').split(','));
const CLIENT_PROCESSES = 2;

/**
 * `arvo` is Arvo with every tab opening every document on its own session (the bare relay's
 * topology); `arvo-channel` is the same server with tabs as Arvo's client really subscribes: the
 * room, its own notes and drafts, and everyone else's notes through the workshop channel.
 */
type ServerName = 'arvo' | 'arvo-channel' | 'bare' | 'bare-commit' | 'bare-guarded' | 'hocuspocus' | 'baseline';
/** The bare relay with some of Arvo's guarantees added (bench/relay/bareRelay.ts): references, not subjects. */
const BARE_GUARDS: Partial<Record<ServerName, string>> = { 'bare-commit': 'commit', 'bare-guarded': 'commit,check' };
const ARVO_COLUMNS: ServerName[] = ['arvo', 'arvo-channel'];
/** Servers that are Arvo (this tree's, or BENCH_BASELINE's): real workshops, tokens, `/mux`. */
const isArvo = (name: ServerName) => name === 'arvo' || name === 'arvo-channel' || name === 'baseline';
const LABELS: Partial<Record<ServerName, string>> = { arvo: 'arvo (per-document)', 'arvo-channel': 'arvo (channel)' };
const serverLabel = (name: ServerName) => LABELS[name] ?? name;
const BUNDLES: Record<Exclude<ServerName, 'baseline' | 'arvo-channel' | 'bare-commit' | 'bare-guarded'> | 'client' | 'probe', string> = {
  arvo: 'server/main.ts',
  bare: 'bench/relay/bareRelay.ts',
  hocuspocus: 'bench/relay/hocuspocusServer.ts',
  client: 'bench/relay/loadClient.ts',
  probe: 'bench/relay/memoryProbe.ts',
};
const bundlePath = (name: keyof typeof BUNDLES | 'baseline') => path.join(OUT, `${name}.js`);
/** BENCH_BASELINE=<git ref>: Arvo's server as it was at that commit, run as the server 'baseline' (before/after in one run). */
const BASELINE = process.env.BENCH_BASELINE ?? null;

/** The same esbuild flags as `npm run build` uses for dist/server/main.js. */
function buildBundles() {
  for (const [name, entry] of Object.entries(BUNDLES)) bundle(entry, bundlePath(name as keyof typeof BUNDLES));
  if (BASELINE) {
    // The sources of that commit, bundled to dist/bench/ so that its packages resolve from this tree's node_modules.
    const src = path.join(OUT, 'baseline-src');
    fs.rmSync(src, { recursive: true, force: true });
    fs.mkdirSync(src, { recursive: true });
    const archive = spawnSync('sh', ['-c', `git archive ${JSON.stringify(BASELINE)} server shared | tar -x -C ${JSON.stringify(src)}`], { cwd: ROOT, stdio: 'inherit' });
    if (archive.status !== 0) throw new Error(`git archive failed for ${BASELINE}`);
    bundle(path.join(src, 'server/main.ts'), bundlePath('baseline'));
  }
}

// ---------------------------------------------------------------- server processes

function startServer(name: ServerName): Promise<RunningServer<ServerName>> {
  const guards = BARE_GUARDS[name];
  const script = name === 'arvo-channel' ? 'arvo' : guards ? 'bare' : (name as keyof typeof BUNDLES | 'baseline');
  return startProcess({ name, script: bundlePath(script), probe: bundlePath('probe'), arvo: isArvo(name), env: guards ? { BARE_GUARDS: guards } : undefined });
}

/**
 * BENCH_SYSCALLS=1: counts the server's write/writev/read calls over the measured window with
 * `strace -c` (a diagnostic: strace slows the server, so CPU and latency of such a run mean nothing).
 */
const SYSCALLS = process.env.BENCH_SYSCALLS === '1';
const MEASURED_S: Record<string, number> = {};
function countSyscalls(pid: number) {
  const child = spawn('strace', ['-c', '-f', '-e', 'trace=write,writev,read,pwrite64,fdatasync,fsync', '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (out += chunk));
  return {
    stop: () =>
      new Promise<Record<string, number>>((resolve) => {
        child.once('exit', () => {
          const counts: Record<string, number> = {};
          for (const line of out.split('\n')) {
            const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(line);
            if (m && m[2] !== 'total') counts[m[2]!] = Number(m[1]);
          }
          resolve(counts);
        });
        child.kill('SIGINT');
      }),
  };
}

// ---------------------------------------------------------------- workshops

interface Scenario {
  label: string;
  workshops: number;
  tabsPerWorkshop: number;
  writeIntervalMs: number;
  warmupMs: number;
  measureMs: number;
}

const randomId = () => crypto.randomBytes(12).toString('base64url').slice(0, 16);

/** The tabs of a scenario: for Arvo real workshops and participants; for the others the same names. */
async function makeTabs(server: RunningServer<ServerName>, scenario: Scenario): Promise<TabSpec[]> {
  const wsBase = server.url.replace(/^http/, 'ws');
  const tabs: TabSpec[] = [];
  for (let w = 0; w < scenario.workshops; w++) {
    let workshopId: string;
    let members: { participantId: string; token: string }[];
    if (isArvo(server.name)) {
      ({ workshopId, members } = await makeWorkshop(server, scenario.tabsPerWorkshop));
    } else {
      workshopId = randomId();
      members = Array.from({ length: scenario.tabsPerWorkshop }, () => ({ participantId: randomId(), token: 'bench' }));
    }
    const docs = [roomDocName(workshopId), ...members.map((m) => notesDocName(workshopId, m.participantId))];
    for (const member of members) {
      const ownDoc = notesDocName(workshopId, member.participantId);
      const channel = server.name === 'arvo-channel';
      tabs.push({
        url: isArvo(server.name) ? `${wsBase}/mux?token=${encodeURIComponent(member.token)}` : `${wsBase}/`,
        // As Arvo's client opens a workshop (client/src/sync/documents.ts): the room, its own notes and drafts, the rest followed.
        docs: channel ? [roomDocName(workshopId), ownDoc, draftsDocName(workshopId, member.participantId)] : docs,
        ownDoc,
        token: member.token,
        follow: channel ? workshopId : null,
      });
    }
  }
  return tabs;
}

// ---------------------------------------------------------------- one run

interface Result {
  server: ServerName;
  scenario: string;
  tabs: number;
  deliveriesPerSec: number;
  cpuUsPerDelivery: number;
  cpuCores: number;
  p50: number;
  p99: number;
  max: number;
  memPerTabKiB: number;
  /** The same without compiled code: what the tabs' state itself takes. */
  dataPerTabKiB: number;
  idleRssMiB: number;
  connectS: number;
  writes: number;
  /** BENCH_SYSCALLS=1: system calls of the server in the measured window, by name. */
  syscalls: Record<string, number> | null;
  errors: string[];
}

const startClient = () => startLoadProcess(bundlePath('client'));

async function run(name: ServerName, scenario: Scenario): Promise<Result> {
  MEASURED_S[scenario.label] = scenario.measureMs / 1000;
  const server = await startServer(name);
  const clients: ChildProcess[] = [];
  try {
    const pid = server.child.pid!;
    const idleRss = rssKiB(pid);
    const tabs = await makeTabs(server, scenario);
    const before = await liveKiB(server);
    for (let i = 0; i < CLIENT_PROCESSES; i++) clients.push(startClient());
    await Promise.all(clients.map((child) => nextMessage<FromClient>(child)));
    const dialect: Dialect = name === 'hocuspocus' ? 'hocuspocus' : 'mux';
    const connectStarted = now();
    const ready = clients.map((child, i) => {
      const answer = nextMessage<FromClient>(child);
      child.send({ type: 'connect', dialect, tabs: tabs.filter((_, t) => t % CLIENT_PROCESSES === i), concurrency: 8 } satisfies ToClient);
      return answer;
    });
    await Promise.all(ready);
    const connectS = (now() - connectStarted) / 1000;
    const after = await liveKiB(server);
    const memPerTabKiB = (after.all - before.all) / tabs.length;
    const dataPerTabKiB = (after.data - before.data) / tabs.length;

    const start = now();
    const measureFrom = start + scenario.warmupMs;
    const measureTo = measureFrom + scenario.measureMs;
    let cpuFrom = 0;
    let cpuTo = 0;
    let syscalls: Record<string, number> | null = null;
    const cpuSampled = (async () => {
      await sleep(measureFrom - now());
      cpuFrom = cpuSeconds(pid);
      const counting = SYSCALLS ? countSyscalls(pid) : null;
      await sleep(measureTo - now());
      cpuTo = cpuSeconds(pid);
      syscalls = counting ? await counting.stop() : null;
    })();
    const done = clients.map((child) => {
      const answer = nextMessage<FromClient>(child);
      child.send({ type: 'go', writeIntervalMs: scenario.writeIntervalMs, writeUntil: measureTo, measureFrom, measureTo } satisfies ToClient);
      return answer;
    });
    const reports = (await Promise.all(done)) as Extract<FromClient, { type: 'done' }>[];
    await cpuSampled;

    const all = sortedLatencies(reports.map((r) => r.latencies));
    const deliveries = reports.reduce((n, r) => n + r.deliveries, 0);
    const cpu = cpuTo - cpuFrom;
    return {
      server: name,
      scenario: scenario.label,
      tabs: tabs.length,
      deliveriesPerSec: deliveries / (scenario.measureMs / 1000),
      cpuUsPerDelivery: (cpu * 1e6) / deliveries,
      cpuCores: cpu / (scenario.measureMs / 1000),
      p50: quantile(all, 0.5),
      p99: quantile(all, 0.99),
      max: all[all.length - 1] ?? NaN,
      memPerTabKiB,
      dataPerTabKiB,
      idleRssMiB: idleRss / 1024,
      connectS,
      writes: reports.reduce((n, r) => n + r.writes, 0),
      syscalls,
      errors: [...reports.flatMap((r) => r.errors), ...(server.stderr.join('').match(/"level":"error".*|bare relay: .*|"event":"(write-refused|connection-refused\S*)".*/g) ?? []).slice(0, 5)],
    };
  } finally {
    await stopLoadProcesses(clients);
    await stopServer(server);
  }
}

// ---------------------------------------------------------------- report

const ROW_HEAD = '| server | tabs | deliveries/s | server CPU (cores) | CPU µs / delivery | p50 ms | p99 ms | max ms | live memory / tab KiB | without code KiB | idle RSS MiB | connect s |';
const ROW_RULE = '|---|---|---|---|---|---|---|---|---|---|---|---|';
const row = (r: Result) =>
  `| ${serverLabel(r.server)} | ${r.tabs} | ${f(r.deliveriesPerSec, 0)} | ${f(r.cpuCores, 2)} | ${f(r.cpuUsPerDelivery)} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} | ${f(r.memPerTabKiB)} | ${f(r.dataPerTabKiB)} | ${f(r.idleRssMiB)} | ${f(r.connectS)} |`;

function printRun(r: Result) {
  const deliveries = r.deliveriesPerSec;
  const calls = r.syscalls
    ? `  syscalls per delivery: ${Object.entries(r.syscalls)
        .map(([name, count]) => `${name} ${f(count / (deliveries * MEASURED_S[r.scenario]!), 2)}`)
        .join(', ')}`
    : '';
  console.log(row(r) + ` writes ${r.writes}` + calls + (r.errors.length ? `  errors: ${r.errors.slice(0, 3).join(' / ')}` : ''));
}


/** Median and range, for ratios taken once per round. */
function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return `${f(median, 2)}× (${f(sorted[0]!, 2)}–${f(sorted.at(-1)!, 2)})`;
}

/**
 * The standard load, in ROUNDS rounds; each round runs every server once, and the order
 * alternates between rounds (A B H, H B A, A B H, …) so that a drift in the machine's load
 * favours no one. Arvo's ratios are taken per round (its run against the reference's run of the
 * same round, minutes apart at most) and reported as median and range over the rounds.
 */
async function standard() {
  const [workshops, tabsPerWorkshop, writeIntervalMs] = (process.env.BENCH_STANDARD ?? '5x20@2000').split(/[x@]/).map(Number) as [number, number, number];
  const rounds = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 2 : 3));
  // BENCH_WARMUP_MS: a longer warm-up (diagnostic), to see the relays past V8's optimising compiles of the first seconds.
  const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 3000);
  const scenario: Scenario = { label: 'standard', workshops, tabsPerWorkshop, writeIntervalMs, warmupMs, measureMs: QUICK ? 5000 : 10_000 };
  console.log(`\n## Standard load: ${scenario.workshops} workshops × ${scenario.tabsPerWorkshop} tabs, each tab writes a note every ${scenario.writeIntervalMs} ms; ${scenario.measureMs / 1000} s measured per run after ${scenario.warmupMs / 1000} s of warm-up, ${rounds} rounds\n`);
  console.log(ROW_HEAD);
  console.log(ROW_RULE);
  const servers = (process.env.BENCH_SERVERS?.split(',') as ServerName[] | undefined) ?? ['arvo', 'arvo-channel', 'bare', 'hocuspocus'];
  const results: Result[][] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    const ofRound: Result[] = [];
    for (const name of order) {
      const result = await run(name, scenario);
      ofRound.push(result);
      printRun(result);
    }
    results.push(ofRound);
  }
  const all = results.flat();
  const by = (name: ServerName) => all.filter((r) => r.server === name);
  const avg = (name: ServerName, key: keyof Result) => mean(by(name).map((r) => r[key] as number));
  const keys = [
    ['cpuUsPerDelivery', 'CPU µs / delivery'],
    ['p99', 'p99 ms'],
    ['max', 'max ms'],
    ['memPerTabKiB', 'live memory / tab KiB'],
    ['dataPerTabKiB', 'without code KiB'],
  ] as const;
  console.log("\nMeans over the runs; Arvo's ratios per round as median (range):\n");
  console.log(`| | ${keys.map(([, heading]) => heading).join(' | ')} |`);
  console.log(`|---|${keys.map(() => '---|').join('')}`);
  for (const name of servers) console.log(`| ${serverLabel(name)} | ${keys.map(([key]) => f(avg(name, key))).join(' | ')} |`);
  // Arvo against every reference (the channel column also against the per-document one); the
  // guarded bare relays against the bare one (what the guarantees alone cost).
  const comparisons = (subject: ServerName) =>
    BARE_GUARDS[subject] ? ['bare' as const].filter((name) => servers.includes(name)) : servers.filter((name) => name !== subject && (subject === 'arvo-channel' || name !== 'arvo-channel'));
  for (const subject of servers.filter((name) => ARVO_COLUMNS.includes(name) || BARE_GUARDS[name])) {
    for (const reference of comparisons(subject)) {
      const ratios = (key: (typeof keys)[number][0]) =>
        spread(results.map((round) => round.find((r) => r.server === subject)![key] / round.find((r) => r.server === reference)![key]));
      console.log(`| **${serverLabel(subject)} ÷ ${serverLabel(reference)}** | ${keys.map(([key]) => ratios(key)).join(' | ')} |`);
    }
  }
}

async function big(label: string, tabsPerWorkshop: number, writeIntervalMs: number, measureMs: number, servers: ServerName[]) {
  const scenario: Scenario = { label, workshops: 1, tabsPerWorkshop, writeIntervalMs, warmupMs: 3000, measureMs: QUICK ? Math.min(measureMs, 8000) : measureMs };
  console.log(`\n## One workshop of ${tabsPerWorkshop} tabs, each writing a note every ${writeIntervalMs / 1000} s; ${scenario.measureMs / 1000} s measured\n`);
  console.log(ROW_HEAD);
  console.log(ROW_RULE);
  const order = BASELINE ? [...servers, 'baseline' as const] : servers;
  // BENCH_REVERSE=1: the other order, for a second sample that no drift of the machine favours.
  const results: Result[] = [];
  for (const name of process.env.BENCH_REVERSE === '1' ? [...order].reverse() : order) {
    const result = await run(name, scenario);
    results.push(result);
    printRun(result);
  }
  const bare = results.find((r) => r.server === 'bare');
  if (!bare) return;
  console.log('\n| ÷ bare | CPU µs / delivery | p50 | p99 | max | live memory / tab |\n|---|---|---|---|---|---|');
  for (const r of results.filter((r) => ARVO_COLUMNS.includes(r.server))) {
    const x = (key: 'cpuUsPerDelivery' | 'p50' | 'p99' | 'max' | 'memPerTabKiB') => `${f(r[key] / bare[key], 2)}×`;
    console.log(`| ${serverLabel(r.server)} | ${x('cpuUsPerDelivery')} | ${x('p50')} | ${x('p99')} | ${x('max')} | ${x('memPerTabKiB')} |`);
  }
}

async function appendLatency(synchronous: 'NORMAL' | 'FULL', count: number, batch: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arvo-bench-'));
  const store = openSqliteStore({ file: path.join(dir, 'bench.sqlite'), synchronous });
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < count; i++) addNote(doc, { questionId: '3a', text: `note ${i}`, x: i, y: i }, Date.now(), LOCAL_ORIGIN);
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < updates.length; i += batch) {
    const t0 = performance.now();
    await store.appendUpdates(updates.slice(i, i + batch).map((update) => ({ docName: 'bench', ts: Date.now(), participantId: null, update })));
    times.push(performance.now() - t0);
  }
  const total = performance.now() - started;
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const sorted = Float32Array.from(times).sort();
  return { perSecond: (updates.length / total) * 1000, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

async function append() {
  console.log('\n## Update-log append (SQLite WAL)\n');
  for (const sync of ['NORMAL', 'FULL'] as const) {
    const single = await appendLatency(sync, 2000, 1);
    const batched = await appendLatency(sync, 2000, 50);
    console.log(`- synchronous=${sync}: one update per commit p50 ${f(single.p50, 3)} ms, p99 ${f(single.p99, 3)} ms → ${f(single.perSecond, 0)} updates/s; 50 per commit → ${f(batched.perSecond, 0)} updates/s (×${f(batched.perSecond / single.perSecond)})`);
  }
}

async function main() {
  const started = now();
  console.log(`# Relay benchmark — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, load avg ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}${QUICK ? ', QUICK' : ''}`);
  buildBundles();
  if (ONLY.has('standard')) await standard();
  if (ONLY.has('big200')) await big('big200', 200, 1000, 10_000, ['arvo', 'arvo-channel', 'bare']);
  if (ONLY.has('big500')) await big('big500', 500, 30_000, 20_000, ['arvo', 'arvo-channel', 'bare']);
  if (ONLY.has('append')) await append();
  console.log(`\n(${f((now() - started) / 1000, 0)} s in all)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
