import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `npm run cluster`: N Arvo processes (default 3) on one PostgreSQL (DATABASE_URL) with one
 * SECRET, and HAProxy in front of them with deploy/haproxy.cfg — to try the cluster on one
 * machine (docs/cluster.md). Ctrl-C stops everything (SIGTERM: each process drains).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/arvo npm run cluster -- 3
 *
 * PORT (default 8080) is HAProxy's; the processes listen on PORT+1…PORT+N. SECRET is generated
 * for the run when not set (then tokens do not outlive it). HAPROXY: the binary (/usr/sbin/haproxy).
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const HAPROXY_TEMPLATE = path.join(ROOT, 'deploy/haproxy.cfg');

/** deploy/haproxy.cfg with its `bind` port and `server` lines replaced (so the shipped file is what runs). */
export function haproxyConfig(template: string, bindPort: number, servers: readonly string[], bindHost = '127.0.0.1'): string {
  const lines = template.split('\n');
  const firstServer = lines.findIndex((line) => /^\s+server\s/.test(line));
  if (firstServer < 0 || !lines.some((line) => /^\s+bind\s/.test(line))) throw new Error('haproxy template has no bind or server line');
  const kept = lines.filter((line) => !/^\s+server\s/.test(line)).map((line) => (/^\s+bind\s/.test(line) ? `    bind ${bindHost}:${bindPort}` : line));
  const generated = servers.map((address, i) => `    server arvo${i + 1} ${address}`);
  kept.splice(firstServer, 0, ...generated);
  return kept.join('\n');
}

/** Spawns HAProxy in the foreground (-db) on a generated config file; resolves once it serves. */
export async function startHaproxy(config: string, probeUrl: string, binary = process.env.HAPROXY ?? '/usr/sbin/haproxy'): Promise<{ child: ChildProcess; file: string; stop(): Promise<void> }> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'arvo-haproxy-')), 'haproxy.cfg');
  fs.writeFileSync(file, config);
  const child = spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with code ${child.exitCode} (config ${file})`);
    try {
      if ((await fetch(probeUrl)).ok) break;
    } catch {
      // not listening yet, or no healthy backend yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`haproxy did not serve ${probeUrl} within 15 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    child,
    file,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    },
  };
}

function startProcess(port: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const built = path.join(ROOT, 'dist/server/main.js');
  const args = fs.existsSync(built) ? [built] : ['--import', 'tsx', 'server/main.ts'];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `arvo-cluster-${port}-`));
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...env, PORT: String(port), DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('Arvo is running at')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`process on port ${port} exited with code ${code}`)));
  });
}

async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? process.env.CLUSTER_SIZE ?? 3);
  if (!Number.isInteger(size) || size < 1 || size > 32) throw new Error('usage: npm run cluster -- [number of processes, 1–32]');
  if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL (postgres://USER@HOST:PORT/DB): every process shares that database');
  const port = Number(process.env.PORT ?? 8080);
  const host = process.env.HOST ?? '127.0.0.1';
  const secret = process.env.SECRET ?? crypto.randomBytes(36).toString('base64url');
  // Behind HAProxy (option forwardfor): the quotas count the clients in X-Forwarded-For.
  const env = { ...process.env, SECRET: secret, HOST: host, TRUST_PROXY: 'true', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  const ports = Array.from({ length: size }, (_, i) => port + 1 + i);
  const children: ChildProcess[] = [];
  const stopAll = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  // One first (it creates or migrates the schema), then the rest together.
  children.push(await startProcess(ports[0]!, env));
  children.push(...(await Promise.all(ports.slice(1).map((p) => startProcess(p, env)))));
  const config = haproxyConfig(fs.readFileSync(HAPROXY_TEMPLATE, 'utf8'), port, ports.map((p) => `${host}:${p}`), host);
  const haproxy = await startHaproxy(config, `http://${host}:${port}/healthz`);
  children.push(haproxy.child);
  process.stdout.write(
    `Arvo cluster: ${size} processes (${ports.map((p) => `http://${host}:${p}`).join(', ')}) behind HAProxy.\n` +
      `Open http://${host}:${port}\n${process.env.SECRET ? '' : `SECRET for this run: ${secret}\n`}Ctrl-C stops them all.\n`,
  );
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`cluster: ${String((error as Error)?.message ?? error)}\n`);
    process.exit(1);
  });
}
