import crypto from 'node:crypto';
import type { LogLevel } from './config';

/** JSON-lines logger on stderr: one object per event, easy to grep and to ship. */
export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * Ordering lines without trusting clocks (issue 11, docs/cluster.md "Reading the logs of several
 * processes"): `proc` names this operating-system process (random per start, so two processes
 * on two hosts never share it) and `seq` counts every line it writes, across all its loggers.
 * `t` stays for people; hosts' clocks differ and jump, so (proc, seq) orders one process's lines
 * and the lease epoch (logged with lease-acquired / lease-lost) orders a workshop's owners.
 */
export const LOG_PROCESS = crypto.randomBytes(4).toString('hex');
let sequence = 0;

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const emit = (at: Exclude<LogLevel, 'silent'>) => (event: string, fields: Record<string, unknown> = {}) => {
    if (RANK[at] < RANK[level]) return;
    write(`${JSON.stringify({ t: new Date().toISOString(), proc: LOG_PROCESS, seq: ++sequence, level: at, event, ...fields })}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
