import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDir, tempDir } from './server';

/**
 * The real server as a separate operating-system process (`node --import tsx server/main.ts`),
 * so that a test can SIGKILL it — no shutdown hook, no final commit, no snapshot — and start it
 * again on the same DATA_DIR. The port is learned from the line main.ts prints when it listens.
 */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const READY_LINE = /Arvo is running at (http:\/\/\S+)/;

export interface ChildServer {
  readonly dataDir: string;
  /** http://host:port of the running process (changes on restart unless `samePort`). */
  readonly url: string;
  /** ws://host:port/ws, the prefix for document names. */
  readonly wsUrl: string;
  readonly pid: number | undefined;
  /** Stops the process with `signal` and resolves when it has exited. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Starts a new process on the same DATA_DIR (killing the current one first if it still runs). */
  restart(options?: { samePort?: boolean }): Promise<void>;
  /** Kills the process if running and deletes the data directory. */
  dispose(): Promise<void>;
  /** Everything the latest process wrote on stderr (warnings and errors: LOG_LEVEL=warn). */
  stderr(): string;
  /** Every JSON log line of every process started by this handle, oldest first (server/log.ts). */
  logs(): readonly LogEntry[];
  /**
   * Resolves with the first log line (already written, or written later by this or a restarted
   * process) for which `match` holds — how a test awaits what the server did instead of polling.
   */
  waitForLog(match: (entry: LogEntry) => boolean, what: string, timeoutMs?: number): Promise<LogEntry>;
}

/** One line of the server's JSON-lines log (server/log.ts). */
export interface LogEntry {
  t: string;
  level: string;
  event: string;
  [field: string]: unknown;
}

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: string[];
}

/** Children still running when the test process exits (a crashed worker, a failed teardown) are killed then. */
const living = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of living) child.kill('SIGKILL');
});

async function spawnServer(dataDir: string, port: number, env: Record<string, string>, startTimeoutMs: number, onLine: (line: string) => void): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  living.add(child);
  const stderr: string[] = [];
  let partial = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr.push(chunk);
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) onLine(line);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      living.delete(child);
      resolve({ code, signal });
    });
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${startTimeoutMs} ms; stderr:\n${stderr.join('')}`));
    }, startTimeoutMs);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const match = READY_LINE.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening (code ${code}, signal ${signal}); stderr:\n${stderr.join('')}`));
    });
  });
  // Keep draining stdout so that the child never blocks on a full pipe.
  child.stdout!.resume();
  return { child, url, exited, stderr };
}

export async function startChildServer(
  options: { env?: Record<string, string>; dataDir?: string; startTimeoutMs?: number } = {},
): Promise<ChildServer> {
  const dataDir = options.dataDir ?? tempDir('arvo-child-');
  const env = options.env ?? {};
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const entries: LogEntry[] = [];
  const watchers = new Set<(entry: LogEntry) => void>();
  const onLine = (line: string) => {
    if (!line.startsWith('{')) return;
    let entry: LogEntry;
    try {
      entry = JSON.parse(line) as LogEntry;
    } catch {
      return;
    }
    entries.push(entry);
    for (const watcher of [...watchers]) watcher(entry);
  };
  let current: Running | null = await spawnServer(dataDir, 0, env, startTimeoutMs, onLine);
  let lastUrl = current.url;
  let lastStderr = current.stderr;

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const running = current;
    if (!running) throw new Error('server is not running');
    current = null;
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill(signal);
    return running.exited;
  };

  return {
    dataDir,
    get url() {
      return lastUrl;
    },
    get wsUrl() {
      return `${lastUrl.replace(/^http/, 'ws')}/ws`;
    },
    get pid() {
      return current?.child.pid;
    },
    kill,
    async restart(restartOptions = {}) {
      if (current) await kill('SIGKILL');
      const port = restartOptions.samePort ? Number(new URL(lastUrl).port) : 0;
      current = await spawnServer(dataDir, port, env, startTimeoutMs, onLine);
      lastUrl = current.url;
      lastStderr = current.stderr;
    },
    async dispose() {
      if (current) await kill('SIGKILL');
      removeDir(dataDir);
    },
    stderr() {
      return lastStderr.join('');
    },
    logs() {
      return entries;
    },
    waitForLog(match, what, timeoutMs = 15_000) {
      const found = entries.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const watcher = (entry: LogEntry) => {
          if (!match(entry)) return;
          clearTimeout(timer);
          watchers.delete(watcher);
          resolve(entry);
        };
        const timer = setTimeout(() => {
          watchers.delete(watcher);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        watchers.add(watcher);
      });
    },
  };
}
