/**
 * `npm run bench:big`: ONE big workshop, the workshop channel against the per-document
 * subscriptions of before, side by side on the same server build (the client chooses: `follow`
 * or one `open` per notes document), in alternating order. Results go to
 * docs/big-workshop-benchmark.md — numbers, never pass/fail thresholds in the test suite.
 *
 * Each run starts a fresh Arvo (bundled as `npm run build` bundles it, plain node) and reads its
 * CPU time from /proc, so the clients — two forked load processes (bench/bigWorkshop/
 * loadClient.ts), raw `ws` sockets without a Y.Doc per document — are not counted. A "tab" holds
 * the room document, its own notes (into which it writes a note at a fixed rate) and drafts on
 * their own sessions, and everyone else's notes through the channel or one session each;
 * "delivery" is one note arriving at one other tab; latency is edit → first arrival there.
 *
 *   BENCH_QUICK=1            shorter runs (a smoke test of the benchmark itself)
 *   BENCH_ONLY=big200,big500 a subset
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { draftsDocName, notesDocName, roomDocName } from '../shared/protocol/docNames';
import type { FromClient, Mode, TabSpec, ToClient } from './bigWorkshop/loadClient';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist/bench-big');
const QUICK = process.env.BENCH_QUICK === '1';
const ONLY = new Set((process.env.BENCH_ONLY ?? 'big200,big500').split(','));
const CLIENT_PROCESSES = 2;
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const BUNDLES = { arvo: 'server/main.ts', client: 'bench/bigWorkshop/loadClient.ts', probe: 'bench/relay/memoryProbe.ts' } as const;
const bundlePath = (name: keyof typeof BUNDLES) => path.join(OUT, `${name}.js`);

function buildBundles() {
  for (const [name, entry] of Object.entries(BUNDLES)) {
    const result = spawnSync(
      path.join(ROOT, 'node_modules/.bin/esbuild'),
      [entry, '--bundle', '--platform=node', '--format=esm', '--target=node20', '--packages=external', '--log-level=warning', `--outfile=${bundlePath(name as keyof typeof BUNDLES)}`],
      { cwd: ROOT, stdio: 'inherit' },
    );
    if (result.status !== 0) throw new Error(`esbuild failed for ${entry}`);
  }
}

// ---------------------------------------------------------------- the server

interface RunningServer {
  child: ChildProcess;
  url: string;
  dataDir: string;
  stderr: string[];
}

async function startServer(): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arvo-bench-big-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: '',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    CREATE_PER_MINUTE: '100000',
    JOIN_RATE_PER_MIN: '100000',
    MAX_PARTICIPANTS: '100000',
  };
  const child = spawn(process.execPath, ['--expose-gc', '--import', bundlePath('probe'), bundlePath('arvo')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => stderr.push(chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const match = /Arvo is running at (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`arvo exited (${code}): ${stderr.join('')}`)));
  });
  child.stdout!.resume();
  return { child, url, dataDir, stderr };
}

async function stopServer(server: RunningServer) {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  fs.rmSync(server.dataDir, { recursive: true, force: true });
}

/** Live heap + Buffers after a full GC, in KiB (bench/relay/memoryProbe.ts answers SIGUSR2). */
function liveKiB(server: RunningServer): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('no memory report')), 20_000);
    const onData = (chunk: string) => {
      out += chunk;
      const match = /bench-memory (\{.*\})\n/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      server.child.stdout!.off('data', onData);
      const usage = JSON.parse(match[1]!) as { heapUsed: number; external: number };
      resolve((usage.heapUsed + usage.external) / 1024);
    };
    server.child.stdout!.on('data', onData);
    server.child.kill('SIGUSR2');
  });
}

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

async function gauge(server: RunningServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? NaN);
}

// ---------------------------------------------------------------- the workshop

async function postJson(url: string, body: unknown) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function inParallel<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await run(items[index]!);
      }
    }),
  );
  return results;
}

interface Workshop {
  workshopId: string;
  room: string;
  notes: string[];
  tabs: TabSpec[];
}

async function makeWorkshop(server: RunningServer, participants: number): Promise<Workshop> {
  const created = await postJson(`${server.url}/api/workshops`, {
    title: 'Bench',
    template: 'value-network',
    language: 'en',
    actors: ['A', 'B', 'C', 'D', 'E'].map((name) => ({ name })),
  });
  const workshopId = created.id as string;
  const key = created.participantJoinKey as string;
  const preview = (await (await fetch(`${server.url}/api/workshops/${workshopId}/preview?k=${key}`)).json()) as { actors: { id: string }[] };
  const members = await inParallel(
    Array.from({ length: participants }, (_, i) => i),
    8,
    async (i) => {
      const joined = await postJson(`${server.url}/api/workshops/${workshopId}/join`, { joinKey: key, name: `P${i}`, actorId: preview.actors[i % preview.actors.length]!.id });
      return { participantId: joined.participantId as string, token: joined.token as string };
    },
  );
  return {
    workshopId,
    room: roomDocName(workshopId),
    notes: members.map((m) => notesDocName(workshopId, m.participantId)),
    tabs: members.map((m, i) => ({ token: m.token, own: i, drafts: draftsDocName(workshopId, m.participantId) })),
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
  deliveriesPerSec: number;
  expectedPerSec: number;
  cpuCores: number;
  cpuUsPerDelivery: number;
  p50: number;
  p99: number;
  max: number;
  errors: string[];
}

function startClient(): ChildProcess {
  return fork(bundlePath('client'), [], { cwd: ROOT, execArgv: [], env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}
function nextMessage(child: ChildProcess): Promise<FromClient> {
  return new Promise((resolve, reject) => {
    child.once('message', (message: FromClient) => (message.type === 'failed' ? reject(new Error(message.error)) : resolve(message)));
    child.once('exit', (code) => reject(new Error(`load client exited (${code})`)));
  });
}

const quantile = (sorted: Float32Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

interface Scenario {
  label: string;
  participants: number;
  writeIntervalMs: number;
  warmupMs: number;
  measureMs: number;
}

async function run(mode: Mode, scenario: Scenario): Promise<Result> {
  const server = await startServer();
  const clients: ChildProcess[] = [];
  try {
    const pid = server.child.pid!;
    const workshop = await makeWorkshop(server, scenario.participants);
    const before = await liveKiB(server);
    for (let i = 0; i < CLIENT_PROCESSES; i++) clients.push(startClient());
    await Promise.all(clients.map((child) => nextMessage(child)));
    const muxUrl = `${server.url.replace(/^http/, 'ws')}/mux`;
    const connectStarted = now();
    await Promise.all(
      clients.map((child, i) => {
        const answer = nextMessage(child);
        const tabs = workshop.tabs.filter((_, t) => t % CLIENT_PROCESSES === i);
        child.send({ type: 'connect', mode, muxUrl, workshopId: workshop.workshopId, room: workshop.room, notes: workshop.notes, tabs, concurrency: 8 } satisfies ToClient);
        return answer;
      }),
    );
    const connectS = (now() - connectStarted) / 1000;
    const sessions = await gauge(server, 'arvo_doc_sessions');
    const followers = await gauge(server, 'arvo_workshop_followers');
    const memPerTabKiB = ((await liveKiB(server)) - before) / scenario.participants;

    const measureFrom = now() + scenario.warmupMs;
    const measureTo = measureFrom + scenario.measureMs;
    let cpuFrom = 0;
    let cpuTo = 0;
    const cpuSampled = (async () => {
      await sleep(measureFrom - now());
      cpuFrom = cpuSeconds(pid);
      await sleep(measureTo - now());
      cpuTo = cpuSeconds(pid);
    })();
    const reports = (await Promise.all(
      clients.map((child) => {
        const answer = nextMessage(child);
        child.send({ type: 'go', writeIntervalMs: scenario.writeIntervalMs, writeUntil: measureTo, measureFrom, measureTo } satisfies ToClient);
        return answer;
      }),
    )) as Extract<FromClient, { type: 'done' }>[];
    await cpuSampled;

    const parts = reports.map((r) => {
      const bytes = Buffer.from(r.latencies, 'base64');
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    });
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      all.set(part, offset);
      offset += part.length;
    }
    all.sort();
    const deliveries = reports.reduce((n, r) => n + r.deliveries, 0);
    const cpu = cpuTo - cpuFrom;
    const seconds = scenario.measureMs / 1000;
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
      p50: quantile(all, 0.5),
      p99: quantile(all, 0.99),
      max: all[all.length - 1] ?? NaN,
      errors: [...reports.flatMap((r) => r.errors), ...(server.stderr.join('').match(/"level":"error".*/g) ?? []).slice(0, 5)],
    };
  } finally {
    for (const child of clients) if (child.exitCode === null) child.send({ type: 'exit' } satisfies ToClient);
    await Promise.all(clients.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : null)));
    await stopServer(server);
  }
}

// ---------------------------------------------------------------- report

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const HEAD =
  '| subscription | tabs | sessions | followers | connect all tabs s | live memory / tab KiB | deliveries/s (of expected) | server CPU (cores) | CPU µs / delivery | p50 ms | p99 ms | max ms |';
const RULE = '|---|---|---|---|---|---|---|---|---|---|---|---|';
const row = (r: Result) =>
  `| ${r.mode} | ${r.tabs} | ${r.sessions} | ${r.followers} | ${f(r.connectS)} | ${f(r.memPerTabKiB)} | ${f(r.deliveriesPerSec, 0)} (${f((100 * r.deliveriesPerSec) / r.expectedPerSec, 0)} %) | ${f(r.cpuCores, 2)} | ${f(r.cpuUsPerDelivery)} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} |`;

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

async function scenario(s: Scenario, orders: Mode[][]) {
  console.log(`\n## One workshop of ${s.participants} participants, each writing a note every ${s.writeIntervalMs / 1000} s; ${s.measureMs / 1000} s measured per run\n`);
  console.log(HEAD);
  console.log(RULE);
  const results: Result[] = [];
  for (const order of orders) {
    for (const mode of order) {
      const result = await run(mode, s);
      results.push(result);
      console.log(row(result) + (result.errors.length ? `  errors: ${result.errors.slice(0, 3).join(' / ')}` : ''));
    }
  }
  const avg = (mode: Mode, key: keyof Result) => mean(results.filter((r) => r.mode === mode).map((r) => r[key] as number));
  const ratio = (key: keyof Result) => f(avg('channel', key) / avg('perdoc', key), 2);
  console.log(
    `\nChannel ÷ per-document (means): sessions ${ratio('sessions')}×, connect ${ratio('connectS')}×, memory/tab ${ratio('memPerTabKiB')}×, CPU µs/delivery ${ratio('cpuUsPerDelivery')}×, p50 ${ratio('p50')}×, p99 ${ratio('p99')}×`,
  );
}

async function main() {
  const started = now();
  console.log(`# Big single workshop — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, load avg ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}${QUICK ? ', QUICK' : ''}`);
  buildBundles();
  if (ONLY.has('big200')) {
    await scenario({ label: 'big200', participants: QUICK ? 50 : 200, writeIntervalMs: 1000, warmupMs: 2000, measureMs: QUICK ? 3000 : 8000 }, [
      ['channel', 'perdoc'],
      ['perdoc', 'channel'],
    ]);
  }
  if (ONLY.has('big500')) {
    await scenario({ label: 'big500', participants: QUICK ? 100 : 500, writeIntervalMs: 30_000, warmupMs: 2000, measureMs: QUICK ? 5000 : 12_000 }, [
      ['perdoc', 'channel'],
      ['channel', 'perdoc'],
    ]);
  }
  console.log(`\n(${f((now() - started) / 1000, 0)} s in all; load avg now ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
