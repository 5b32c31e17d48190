import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Logger } from '../log';

/**
 * SQLite's WAL checkpoints, off the event loop. By default the connection that commits also
 * checkpoints: every ~1,000 WAL pages (a few hundred commits of the update log) one commit copies
 * them into the database file and fsyncs it, which stalls the whole server — every room, every
 * socket — for a few milliseconds on a local SSD and tens on a slow volume (measured here: 4 ms,
 * once per ~500 commits; docs/relay-benchmark.md). Here a worker thread with its own connection to
 * the file runs a PASSIVE checkpoint every `intervalMs` — PASSIVE never waits for the writer and
 * never makes it wait — and the committing connection's own checkpoints are turned off.
 *
 * The worker starts only once the store has committed `startAfterCommits` appends, so a short-lived
 * store (a test, a script) never pays for a thread. Should the worker fail to start or stop
 * unexpectedly, the committing connection checkpoints itself again, as SQLite does by default:
 * nothing is lost either way (a checkpoint only moves committed pages from the WAL into the file).
 */
export interface CheckpointResult {
  /** Frames in the WAL, and how many of them are now in the database file. */
  walFrames: number;
  checkpointedFrames: number;
}

export type CheckpointerState = 'inline' | 'starting' | 'worker';

export interface WalCheckpointer {
  /** Where checkpoints run now: on the committing connection (SQLite's default), or the worker. */
  readonly state: CheckpointerState;
  /** Called after each commit of the update log. */
  committed(): void;
  /** The next checkpoint that moved frames (or found none to move when asked by `now`). */
  next(): Promise<CheckpointResult>;
  /** Resolves once a starting worker is running or has failed (at once when not starting). */
  settled(): Promise<CheckpointerState>;
  /** A checkpoint now, on the worker (tests, diagnostics); no-op while checkpoints are inline. */
  now(): void;
  /** Stops the worker after a last checkpoint; the committing connection may then be closed. */
  close(): Promise<void>;
}

export interface WalCheckpointerOptions {
  file: string;
  startAfterCommits: number;
  intervalMs: number;
  log?: Logger | undefined;
  /** The SQLite driver the worker loads (tests give a wrong one to see the fallback). */
  driver?: string;
}

/** SQLite's own default, restored when the worker cannot do the job. */
const INLINE_CHECKPOINT_PAGES = 1000;

/**
 * The worker's code, run with `eval` (a CommonJS script): bundling the server into one file leaves
 * no separate module to point a Worker at, and the driver is passed as a resolved path so that it
 * loads wherever the process was started from.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 0 });
const checkpoint = (asked) => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    if (asked || row.checkpointed > 0) parentPort.postMessage({ kind: 'checkpointed', walFrames: row.log, checkpointedFrames: row.checkpointed });
  } catch (error) {
    parentPort.postMessage({ kind: 'failed', error: String(error) });
  }
};
const timer = setInterval(() => checkpoint(false), workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'now') checkpoint(true);
  else if (message === 'close') {
    clearInterval(timer);
    checkpoint(false);
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage({ kind: 'ready' });
`;

type FromWorker = { kind: 'ready' } | { kind: 'failed'; error: string } | ({ kind: 'checkpointed' } & CheckpointResult);

export function startWalCheckpointer(db: Database.Database, options: WalCheckpointerOptions): WalCheckpointer {
  let state: CheckpointerState = 'inline';
  let commits = 0;
  let tried = false;
  let worker: Worker | null = null;
  let closing = false;
  let warnedFailure = false;
  const waiting: Array<(result: CheckpointResult) => void> = [];
  const settling: Array<(state: CheckpointerState) => void> = [];
  const settle = () => {
    for (const resolve of settling.splice(0)) resolve(state);
  };

  const backToInline = (why: string) => {
    if (state === 'inline') return;
    state = 'inline';
    worker = null;
    if (db.open) db.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
    if (!closing) options.log?.warn('wal-checkpointer-stopped', { file: options.file, why, fallback: 'checkpoints on the committing connection' });
    settle();
  };

  const start = () => {
    state = 'starting';
    // Called right after a commit: whatever goes wrong here must not look like a failed commit.
    let started: Worker;
    try {
      const driver = options.driver ?? createRequire(import.meta.url).resolve('better-sqlite3');
      started = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: options.file, driver, intervalMs: options.intervalMs } });
    } catch (error) {
      backToInline(String(error));
      return;
    }
    worker = started;
    // The thread must not keep a finished process alive; `close` ends it on shutdown.
    started.unref();
    started.on('message', (message: FromWorker) => {
      if (worker !== started) return;
      if (message.kind === 'ready') {
        state = 'worker';
        if (db.open) db.pragma('wal_autocheckpoint = 0');
        settle();
      } else if (message.kind === 'checkpointed') {
        for (const resolve of waiting.splice(0)) resolve({ walFrames: message.walFrames, checkpointedFrames: message.checkpointedFrames });
      } else if (!warnedFailure) {
        // A failed checkpoint loses nothing (the frames stay in the WAL); the next one tries again.
        warnedFailure = true;
        options.log?.warn('wal-checkpoint-failed', { file: options.file, error: message.error });
      }
    });
    started.on('error', (error) => {
      if (worker === started) backToInline(String(error));
    });
    started.on('exit', (code) => {
      if (worker === started) backToInline(`worker exited (${code})`);
    });
  };

  return {
    get state() {
      return state;
    },
    committed() {
      // One start per store: a worker that failed once is not tried again (one warning, then SQLite's default).
      if (tried || closing) return;
      if (++commits >= options.startAfterCommits) {
        tried = true;
        start();
      }
    },
    next() {
      return new Promise((resolve) => waiting.push(resolve));
    },
    settled() {
      return state === 'starting' ? new Promise((resolve) => settling.push(resolve)) : Promise.resolve(state);
    },
    now() {
      if (state === 'worker') worker?.postMessage('now');
    },
    async close() {
      closing = true;
      const running = worker;
      if (!running) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.postMessage('close');
      await exited;
      worker = null;
      state = 'inline';
    },
  };
}
