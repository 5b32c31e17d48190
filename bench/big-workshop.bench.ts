/**
 * `npm run bench:big`: ONE big workshop on Arvo through the workshop channel (as Arvo's client
 * subscribes) side by side with the reference, a bare Yjs relay (bench/relay/bareRelay.ts) loaded
 * with the same tabs in the only topology it has, one session per document; optionally Arvo with
 * per-document subscriptions too. Runs alternate in order. Results go to
 * docs/big-workshop-benchmark.md — numbers, never pass/fail thresholds in the test suite.
 *
 * Each run starts a fresh server (bundled as `npm run build` bundles Arvo, plain node, at the
 * benchmark's own priority) and reads its CPU time from /proc. The load — raw `ws` sockets, no
 * Y.Doc per document (bench/relay/loadTabs.ts) — runs in forked processes (bench/bigWorkshop/
 * loadClient.ts), one per core the server does not need, at a lower priority (`nice`), so that
 * the server gets its core; their CPU time is read from /proc as well. A "tab" holds the room
 * document, its own notes (into which it writes a note at a fixed rate) and drafts on their own
 * sessions, and everyone else's notes through the channel or one session each; "delivery" is one
 * note arriving at one other tab; latency is edit → first arrival there.
 *
 * Every tab reads every frame the server sends it, but only a sample of tabs, spread evenly over
 * the workshop and the load processes, decodes them and records latency; the others count bytes
 * and frames. The report sets the bytes a counting tab received against a sampled tab's (the
 * same stream: ≈ 1.00); BENCH_SAMPLE=all has every tab decode and checks that the sample's
 * deliveries, extrapolated, are every tab's.
 *
 *   BENCH_QUICK=1              shorter runs (a smoke test of the benchmark itself)
 *   BENCH_ONLY=big200,big500   a subset of the workshops
 *   BENCH_MODES=channel,updates,bare   the columns: the channel in records mode (as Arvo's client
 *                              follows) and in its Yjs-update mode, the bare relay (also: perdoc,
 *                              Arvo with one session per document)
 *   BENCH_RUNS=2               runs per column and workshop, order alternating
 *   BENCH_SAMPLE=n|all         decoding tabs (default a tenth of the tabs, at least 20)
 *   BENCH_LOAD_PROCESSES=n     load processes (default: cores − 1, at least 1)
 *   BENCH_LOAD_NICE=10         how much lower the load processes' priority is than the server's
 *   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=…"   profile the server
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { draftsDocName, notesDocName, roomDocName } from '../shared/protocol/docNames';
import type { TabStats } from './relay/loadTabs';
import type { FromClient, Mode, TabSpec, ToClient } from './bigWorkshop/loadClient';
import {
  ROOT,
  bundle,
  cpuSeconds,
  f,
  gauge,
  liveKiB,
  loadAverage,
  makeWorkshop,
  mean,
  nextMessage,
  now,
  quantile,
  runQueueSeconds,
  sleep,
  sortedLatencies,
  startLoadProcess,
  startServer,
  stopLoadProcesses,
  stopServer,
  type Member,
  type RunningServer,
} from './relay/serverHarness';

const OUT = path.join(ROOT, 'dist/bench-big');
const QUICK = process.env.BENCH_QUICK === '1';
const ONLY = new Set((process.env.BENCH_ONLY ?? 'big200,big500').split(','));
const MODES = (process.env.BENCH_MODES ?? 'channel,updates,bare').split(',') as Mode[];
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const SAMPLE = process.env.BENCH_SAMPLE ?? null;
const LOAD_PROCESSES = Number(process.env.BENCH_LOAD_PROCESSES ?? Math.max(1, os.cpus().length - 1));
const LOAD_NICE = Number(process.env.BENCH_LOAD_NICE ?? 10);
const LABELS: Record<Mode, string> = { channel: 'arvo (channel, records)', updates: 'arvo (channel, updates)', perdoc: 'arvo (per-document)', bare: 'bare relay (per-document)' };

const BUNDLES = { arvo: 'server/main.ts', bare: 'bench/relay/bareRelay.ts', client: 'bench/bigWorkshop/loadClient.ts', probe: 'bench/relay/memoryProbe.ts' } as const;
const bundlePath = (name: keyof typeof BUNDLES) => path.join(OUT, `${name}.js`);

// ---------------------------------------------------------------- the workshop

interface Workshop {
  workshopId: string;
  room: string;
  notes: string[];
  tabs: TabSpec[];
}

const randomId = () => crypto.randomBytes(12).toString('base64url').slice(0, 16);

/** Decoding tabs: a tenth of the tabs (at least 20), every tab under BENCH_SAMPLE=all (the sample stays the same subset). */
function sampleSize(tabs: number) {
  const size = SAMPLE === null || SAMPLE === 'all' ? Math.max(20, Math.ceil(tabs / 10)) : Number(SAMPLE);
  return Math.min(tabs, size);
}

/** Arvo: a real workshop and participants; the bare relay: the same document names, made up. */
async function makeTabs(server: RunningServer, mode: Mode, participants: number): Promise<Workshop> {
  let workshopId: string;
  let members: Member[];
  if (mode === 'bare') {
    workshopId = randomId();
    members = Array.from({ length: participants }, () => ({ participantId: randomId(), token: 'bench' }));
  } else ({ workshopId, members } = await makeWorkshop(server, participants));
  const stride = Math.max(1, Math.floor(participants / sampleSize(participants)));
  return {
    workshopId,
    room: roomDocName(workshopId),
    notes: members.map((m) => notesDocName(workshopId, m.participantId)),
    tabs: members.map((m, i) => {
      const sample = i % stride === 0;
      return { token: m.token, own: i, drafts: draftsDocName(workshopId, m.participantId), sample, decode: sample || SAMPLE === 'all' };
    }),
  };
}

// ---------------------------------------------------------------- one run

interface Result {
  mode: Mode;
  tabs: number;
  sessions: number;
  followers: number;
  connectS: number;
  memPerTabKiB: number;
  /** Extrapolated from the sample's tabs (deliveries per tab × tabs). */
  deliveriesPerSec: number;
  expectedPerSec: number;
  cpuCores: number;
  cpuUsPerDelivery: number;
  /** CPU of all load processes together, in cores, over the measured window. */
  loadCores: number;
  /** Milliseconds per second the server's / the busiest load process's event loop waited for a CPU (run queue). */
  serverWaitMsPerS: number;
  loadWaitMsPerS: number;
  /** The load processes' event-loop delay, worst p99 and max, ms. */
  loadLoopP99: number;
  loadLoopMax: number;
  sampledTabs: number;
  /** Bytes a counting tab received ÷ bytes a sampled tab received (means): the same stream ≈ 1. */
  bytesRatio: number;
  framesPerTabPerSec: number;
  kibPerTabPerSec: number;
  p50: number;
  p99: number;
  max: number;
  /** BENCH_SAMPLE=all: every tab's deliveries counted ÷ the sample's extrapolated, and every decoding tab's p99. */
  check: { exactRatio: number; p99All: number } | null;
  errors: string[];
}

interface Scenario {
  label: string;
  participants: number;
  writeIntervalMs: number;
  warmupMs: number;
  measureMs: number;
}

async function run(mode: Mode, scenario: Scenario): Promise<Result> {
  const server = await startServer({ name: mode, script: bundlePath(mode === 'bare' ? 'bare' : 'arvo'), probe: bundlePath('probe'), arvo: mode !== 'bare' });
  const clients = Array.from({ length: LOAD_PROCESSES }, () => startLoadProcess(bundlePath('client'), LOAD_NICE));
  try {
    const pid = server.child.pid!;
    const workshop = await makeTabs(server, mode, scenario.participants);
    const before = await liveKiB(server);
    await Promise.all(clients.map((child) => nextMessage<FromClient>(child)));
    const muxUrl = `${server.url.replace(/^http/, 'ws')}/mux`;
    const connectStarted = now();
    const perProcess = Math.ceil(workshop.tabs.length / clients.length);
    await Promise.all(
      clients.map((child, i) => {
        const answer = nextMessage<FromClient>(child);
        // Contiguous blocks: the evenly spread sample lands in every process.
        const tabs = workshop.tabs.slice(i * perProcess, (i + 1) * perProcess);
        child.send({ type: 'connect', mode, muxUrl, workshopId: workshop.workshopId, room: workshop.room, notes: workshop.notes, tabs, concurrency: 8 } satisfies ToClient);
        return answer;
      }),
    );
    const connectS = (now() - connectStarted) / 1000;
    const sessions = mode === 'bare' ? scenario.participants * (scenario.participants + 2) : await gauge(server, 'arvo_doc_sessions');
    const followers = mode === 'bare' ? 0 : await gauge(server, 'arvo_workshop_followers');
    const memPerTabKiB = ((await liveKiB(server)).all - before.all) / scenario.participants;

    const measureFrom = now() + scenario.warmupMs;
    const measureTo = measureFrom + scenario.measureMs;
    const pids = [pid, ...clients.map((child) => child.pid!)];
    let cpuFrom: number[] = [];
    let cpuTo: number[] = [];
    let waitFrom: number[] = [];
    let waitTo: number[] = [];
    const cpuSampled = (async () => {
      await sleep(measureFrom - now());
      cpuFrom = pids.map(cpuSeconds);
      waitFrom = pids.map(runQueueSeconds);
      await sleep(measureTo - now());
      cpuTo = pids.map(cpuSeconds);
      waitTo = pids.map(runQueueSeconds);
    })();
    const reports = (await Promise.all(
      clients.map((child) => {
        const answer = nextMessage<FromClient>(child);
        child.send({ type: 'go', writeIntervalMs: scenario.writeIntervalMs, writeUntil: measureTo, measureFrom, measureTo } satisfies ToClient);
        return answer;
      }),
    )) as Extract<FromClient, { type: 'done' }>[];
    await cpuSampled;

    const seconds = scenario.measureMs / 1000;
    const tabs: TabStats[] = reports.flatMap((r) => r.tabs);
    const sampled = tabs.filter((t) => t.sample);
    const counting = tabs.filter((t) => !t.decode);
    const perSampledTab = mean(sampled.map((t) => t.deliveries));
    const deliveries = perSampledTab * tabs.length;
    const latencies = sortedLatencies(reports.map((r) => r.latencies));
    const cpu = cpuTo[0]! - cpuFrom[0]!;
    const loadCpu = cpuTo.slice(1).reduce((n, t, i) => n + t - cpuFrom[i + 1]!, 0);
    const waits = waitTo.map((t, i) => ((t - waitFrom[i]!) * 1000) / seconds);
    let check: Result['check'] = null;
    if (SAMPLE === 'all') {
      const all = sortedLatencies(reports.flatMap((r) => [r.latencies, r.otherLatencies]));
      check = { exactRatio: tabs.reduce((n, t) => n + t.deliveries, 0) / deliveries, p99All: quantile(all, 0.99) };
    }
    return {
      mode,
      tabs: scenario.participants,
      sessions,
      followers,
      connectS,
      memPerTabKiB,
      deliveriesPerSec: deliveries / seconds,
      expectedPerSec: (scenario.participants * (scenario.participants - 1) * 1000) / scenario.writeIntervalMs,
      cpuCores: cpu / seconds,
      cpuUsPerDelivery: (cpu * 1e6) / deliveries,
      loadCores: loadCpu / seconds,
      serverWaitMsPerS: waits[0]!,
      loadWaitMsPerS: Math.max(...waits.slice(1)),
      loadLoopP99: Math.max(...reports.map((r) => r.loopDelayMs.p99)),
      loadLoopMax: Math.max(...reports.map((r) => r.loopDelayMs.max)),
      sampledTabs: sampled.length,
      bytesRatio: counting.length ? mean(counting.map((t) => t.bytes)) / mean(sampled.map((t) => t.bytes)) : NaN,
      framesPerTabPerSec: mean(tabs.map((t) => t.frames)) / seconds,
      kibPerTabPerSec: mean(tabs.map((t) => t.bytes)) / 1024 / seconds,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: latencies[latencies.length - 1] ?? NaN,
      check,
      errors: [...reports.flatMap((r) => r.errors), ...(server.stderr.join('').match(/"level":"error".*|"event":"(write-refused|connection-refused\S*)".*/g) ?? []).slice(0, 5)],
    };
  } finally {
    await stopLoadProcesses(clients);
    await stopServer(server);
  }
}

// ---------------------------------------------------------------- report

const HEAD =
  '| server (subscription) | tabs | sessions | followers | connect all tabs s | live memory / tab KiB | deliveries/s (of expected) | server CPU (cores) | CPU µs / delivery | load clients CPU (cores) | run-queue wait server / load ms per s | load event-loop delay p99 / max ms | frames / tab / s | KiB / tab / s | counting ÷ sampled bytes | p50 ms | p99 ms | max ms |';
const RULE = '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|';
const row = (r: Result) =>
  `| ${LABELS[r.mode]} | ${r.tabs} | ${r.sessions} | ${r.followers} | ${f(r.connectS)} | ${f(r.memPerTabKiB)} | ${f(r.deliveriesPerSec, 0)} (${f((100 * r.deliveriesPerSec) / r.expectedPerSec, 0)} %) | ${f(r.cpuCores, 2)} | ${f(r.cpuUsPerDelivery)} | ${f(r.loadCores, 2)} | ${f(r.serverWaitMsPerS, 0)} / ${f(r.loadWaitMsPerS, 0)} | ${f(r.loadLoopP99)} / ${f(r.loadLoopMax)} | ${f(r.framesPerTabPerSec, 0)} | ${f(r.kibPerTabPerSec)} | ${f(r.bytesRatio, 3)} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} |`;

async function scenario(s: Scenario) {
  console.log(
    `\n## One workshop of ${s.participants} participants, each writing a note every ${s.writeIntervalMs / 1000} s; ${s.measureMs / 1000} s measured per run, latency from ${sampleSize(s.participants)} sampled tabs${SAMPLE === 'all' ? ' (every tab decoding: check run)' : ''}\n`,
  );
  console.log(HEAD);
  console.log(RULE);
  const results: Result[] = [];
  for (let round = 0; round < RUNS; round++) {
    for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
      const result = await run(mode, s);
      results.push(result);
      const check = result.check ? `  check: every tab's deliveries ÷ sample's extrapolated ${f(result.check.exactRatio, 4)}, p99 of every tab ${f(result.check.p99All)} ms` : '';
      console.log(row(result) + check + (result.errors.length ? `  errors: ${result.errors.slice(0, 3).join(' / ')}` : '') + `  (load avg ${loadAverage()})`);
    }
  }
  const avg = (mode: Mode, key: keyof Result) => mean(results.filter((r) => r.mode === mode).map((r) => r[key] as number));
  for (const mode of MODES.filter((m) => m !== 'bare')) {
    if (!MODES.includes('bare')) break;
    const ratio = (key: keyof Result) => f(avg(mode, key) / avg('bare', key), 2);
    console.log(
      `\n${LABELS[mode]} ÷ bare relay (means): memory/tab ${ratio('memPerTabKiB')}×, server CPU ${ratio('cpuCores')}×, CPU µs/delivery ${ratio('cpuUsPerDelivery')}×, load clients' CPU ${ratio('loadCores')}×, p50 ${ratio('p50')}×, p99 ${ratio('p99')}×, max ${ratio('max')}×`,
    );
  }
  if (MODES.includes('channel') && MODES.includes('updates')) {
    const ratio = (key: keyof Result) => f(avg('channel', key) / avg('updates', key), 2);
    console.log(
      `\n${LABELS.channel} ÷ ${LABELS.updates} (means): memory/tab ${ratio('memPerTabKiB')}×, server CPU ${ratio('cpuCores')}×, CPU µs/delivery ${ratio('cpuUsPerDelivery')}×, KiB/tab/s ${ratio('kibPerTabPerSec')}×, p50 ${ratio('p50')}×, p99 ${ratio('p99')}×, max ${ratio('max')}×`,
    );
  }
}

async function main() {
  const started = now();
  console.log(
    `# Big single workshop — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, load avg ${loadAverage()}; ${LOAD_PROCESSES} load process(es) at nice +${LOAD_NICE} relative to the server${QUICK ? ', QUICK' : ''}`,
  );
  for (const [name, entry] of Object.entries(BUNDLES)) bundle(entry, bundlePath(name as keyof typeof BUNDLES));
  if (ONLY.has('big200')) await scenario({ label: 'big200', participants: QUICK ? 50 : 200, writeIntervalMs: 1000, warmupMs: 2000, measureMs: QUICK ? 3000 : 8000 });
  if (ONLY.has('big500')) await scenario({ label: 'big500', participants: QUICK ? 100 : 500, writeIntervalMs: 30_000, warmupMs: 2000, measureMs: QUICK ? 5000 : 12_000 });
  console.log(`\n(${f((now() - started) / 1000, 0)} s in all; load avg now ${loadAverage()})`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
