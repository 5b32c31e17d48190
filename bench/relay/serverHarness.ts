/**
 * What `npm run bench` (bench/relay.bench.ts) and `npm run bench:big` (bench/big-workshop.bench.ts)
 * both do around the server they measure: bundle it as `npm run build` bundles Arvo, start it
 * alone in its own process (plain node, the memory probe preloaded), read its CPU time and memory
 * from /proc and the probe, make Arvo workshops through its HTTP API, and fork the load processes
 * that talk to the benchmark over IPC (bench/relay/loadTabs.ts).
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;
export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Bundles `entry` to `outfile` with the same esbuild flags as `npm run build` uses for dist/server/main.js. */
export function bundle(entry: string, outfile: string) {
  const result = spawnSync(
    path.join(ROOT, 'node_modules/.bin/esbuild'),
    [entry, '--bundle', '--platform=node', '--format=esm', '--target=node20', '--packages=external', '--log-level=warning', `--outfile=${outfile}`],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error(`esbuild failed for ${entry}`);
}

// ---------------------------------------------------------------- server processes

export interface RunningServer<Name extends string = string> {
  name: Name;
  child: ChildProcess;
  url: string;
  dataDir: string | null;
  stderr: string[];
}

export interface ServerStart<Name extends string> {
  name: Name;
  /** The bundled server to run. */
  script: string;
  /** The bundled bench/relay/memoryProbe.ts. */
  probe: string;
  /** Arvo: a fresh data directory and the bench's limits (rates and participant cap out of the way). */
  arvo: boolean;
  /** Extra environment for the server (e.g. the bare relay's BARE_GUARDS). */
  env?: Record<string, string>;
}

/**
 * Starts a server in its own process, at the priority the benchmark itself runs at (never lowered:
 * the load processes are the ones that yield). BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=…"
 * adds node flags (every server exits on SIGTERM, so a profile gets written).
 */
export async function startServer<Name extends string>({ name, script, probe, arvo, env: extraEnv }: ServerStart<Name>): Promise<RunningServer<Name>> {
  const dataDir = arvo ? fs.mkdtempSync(path.join(os.tmpdir(), 'arvo-bench-')) : null;
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', ...extraEnv };
  if (dataDir) {
    Object.assign(env, { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', CREATE_PER_MINUTE: '100000', JOIN_RATE_PER_MIN: '100000', MAX_PARTICIPANTS: '100000' });
  }
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, ['--expose-gc', '--import', probe, ...nodeArgs, script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => stderr.push(chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const arvoUrl = /Arvo is running at (http:\/\/\S+)/.exec(out);
      const other = /listening (\d+)/.exec(out);
      if (arvoUrl) resolve(arvoUrl[1]!);
      else if (other) resolve(`http://127.0.0.1:${other[1]}`);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${stderr.join('')}`)));
  });
  child.stdout!.resume();
  return { name, child, url, dataDir, stderr };
}

export async function stopServer(server: RunningServer) {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  // SIGTERM: Arvo shuts down cleanly (and writes a --cpu-prof profile when asked to).
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  if (server.dataDir) fs.rmSync(server.dataDir, { recursive: true, force: true });
}

/**
 * Live heap + Buffers after a full GC, in KiB (bench/relay/memoryProbe.ts answers SIGUSR2), with
 * and without compiled code (which the JIT adds during a connect phase, in every server alike).
 */
export function liveKiB(server: RunningServer): Promise<{ all: number; data: number }> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${server.name}: no memory report`)), 20_000);
    const onData = (chunk: string) => {
      out += chunk;
      const match = /bench-memory (\{.*\})\n/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      server.child.stdout!.off('data', onData);
      const usage = JSON.parse(match[1]!) as { heapUsed: number; external: number; code: number };
      resolve({ all: (usage.heapUsed + usage.external) / 1024, data: (usage.heapUsed + usage.external - usage.code) / 1024 });
    };
    server.child.stdout!.on('data', onData);
    server.child.kill('SIGUSR2');
  });
}

/** CPU seconds (user + system) of a process, from /proc: the clients are not in it. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}
/**
 * Seconds the process's main thread (its event loop) has spent runnable but waiting for a CPU
 * (/proc/<pid>/schedstat, second field): what the rest of the machine cost its latency.
 */
export function runQueueSeconds(pid: number): number {
  return Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
}
export function rssKiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

/** One gauge of Arvo's /metrics. */
export async function gauge(server: RunningServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? NaN);
}

// ---------------------------------------------------------------- Arvo workshops

export async function postJson(url: string, body: unknown) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

export async function inParallel<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
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

export interface Member {
  participantId: string;
  token: string;
}

/** A workshop on a running Arvo, with `participants` joined (eight joins at a time). */
export async function makeWorkshop(server: RunningServer, participants: number): Promise<{ workshopId: string; members: Member[] }> {
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
  return { workshopId, members };
}

// ---------------------------------------------------------------- load processes

/**
 * Forks a load process (a bundled bench/relay/loadTabs.ts client). `niceness` > 0 lowers its
 * priority below the benchmark's own (so below the server's): the server gets its core first.
 */
export function startLoadProcess(script: string, niceness = 0): ChildProcess {
  const child = fork(script, [], { cwd: ROOT, execArgv: [], env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (niceness > 0) os.setPriority(child.pid!, Math.min(19, os.getPriority() + niceness));
  return child;
}

/** The next IPC message of a load process; a `failed` one rejects. */
export function nextMessage<Message extends { type: string }>(child: ChildProcess): Promise<Message> {
  return new Promise((resolve, reject) => {
    child.once('message', (message: Message & { error?: string }) => (message.type === 'failed' ? reject(new Error(message.error)) : resolve(message)));
    child.once('exit', (code) => reject(new Error(`load client exited (${code})`)));
  });
}

/** Asks every load process to exit and waits until they have. */
export async function stopLoadProcesses(children: ChildProcess[]) {
  for (const child of children) if (child.exitCode === null) child.send({ type: 'exit' });
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : null)));
}

/** The latencies the load processes sent (base64 Float32Arrays), in one sorted array. */
export function sortedLatencies(parts: string[]): Float32Array {
  const arrays = parts.map((part) => {
    const bytes = Buffer.from(part, 'base64');
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  });
  const all = new Float32Array(arrays.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of arrays) {
    all.set(part, offset);
    offset += part.length;
  }
  return all.sort();
}

// ---------------------------------------------------------------- report helpers

export const quantile = (sorted: Float32Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
export const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
export const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
export const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
