import path from 'node:path';
import { z } from 'zod';

/**
 * Configuration from environment variables, validated once at start. A wrong value stops the
 * process with a message naming the variable, instead of surfacing later as a strange failure.
 */
const intFromEnv = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

const envSchema = z.object({
  PORT: z.preprocess(emptyAsUndefined, intFromEnv(8080, 0, 65535)),
  HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('127.0.0.1')),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).default('./data')),
  SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  MAX_MESSAGE_BYTES: z.preprocess(emptyAsUndefined, intFromEnv(1024 * 1024, 1024, 256 * 1024 * 1024)),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info')),
  SQLITE_SYNCHRONOUS: z.preprocess(emptyAsUndefined, z.enum(['NORMAL', 'FULL']).default('NORMAL')),
  DOC_WARN_BYTES: z.preprocess(emptyAsUndefined, intFromEnv(10 * 1024 * 1024, 1024, 2 ** 31)),
  DOC_MAX_BYTES: z.preprocess(emptyAsUndefined, intFromEnv(64 * 1024 * 1024, 1024, 2 ** 31)),
  RATE_LIMIT_PER_SEC: z.preprocess(emptyAsUndefined, intFromEnv(200, 1, 100_000)),
  RATE_LIMIT_BURST: z.preprocess(emptyAsUndefined, intFromEnv(1000, 1, 1_000_000)),
  ROOM_IDLE_MS: z.preprocess(emptyAsUndefined, intFromEnv(30_000, 0, 86_400_000)),
  SNAPSHOT_EVERY: z.preprocess(emptyAsUndefined, intFromEnv(500, 1, 1_000_000)),
  KEEPALIVE_MS: z.preprocess(emptyAsUndefined, intFromEnv(10_000, 100, 25_000)),
  TOKEN_TTL_DAYS: z.preprocess(emptyAsUndefined, intFromEnv(120, 1, 3650)),
  /** Test hook: token lifetime in seconds, overriding TOKEN_TTL_DAYS (to see a socket close at expiry). */
  TOKEN_TTL_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().optional()),
  MAX_PARTICIPANTS: z.preprocess(emptyAsUndefined, intFromEnv(500, 1, 100_000)),
  JOIN_RATE_PER_MIN: z.preprocess(emptyAsUndefined, intFromEnv(30, 1, 100_000)),
  // Hardening (issue 8): quotas and HTTP limits, see README "Configuration".
  CREATE_PER_MINUTE: z.preprocess(emptyAsUndefined, intFromEnv(10, 1, 100_000)),
  CREATE_KEY: z.preprocess(emptyAsUndefined, z.string().min(8, 'must be at least 8 characters').max(200).optional()),
  /** The address written into join links and QR codes (behind a proxy, or a LAN name): an http(s) origin, no path. */
  PUBLIC_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .url('must be a URL such as https://arvo.example.org')
      .refine((value) => {
        try {
          const url = new URL(value);
          return (url.protocol === 'http:' || url.protocol === 'https:') && (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash && !url.username && !url.password;
        } catch {
          return false;
        }
      }, 'must be an http(s) URL without path, query or credentials, such as https://arvo.example.org')
      .transform((value) => new URL(value).origin)
      .optional(),
  ),
  TRUST_PROXY: z.preprocess(emptyAsUndefined, z.enum(['true', 'false', '1', '0']).default('false')),
  HISTORY_PAGE_MAX_BYTES: z.preprocess(emptyAsUndefined, intFromEnv(4 * 1024 * 1024, 64 * 1024, 256 * 1024 * 1024)),
  CHECKPOINTS_PER_DOC: z.preprocess(emptyAsUndefined, intFromEnv(32, 2, 10_000)),
  HTTP_HEADERS_TIMEOUT_MS: z.preprocess(emptyAsUndefined, intFromEnv(15_000, 500, 600_000)),
  HTTP_REQUEST_TIMEOUT_MS: z.preprocess(emptyAsUndefined, intFromEnv(30_000, 1000, 3_600_000)),
  /** Bytes one participant may add to the update log per minute (facilitators 4×); 0 turns the quota off. */
  PARTICIPANT_BYTES_PER_MIN: z.preprocess(emptyAsUndefined, intFromEnv(2 * 1024 * 1024, 0, 2 ** 31)),
  /** Test hook: cap the SQLite file (in 4 KiB pages) to exercise the "disk full" path for real. */
  SQLITE_MAX_PAGES: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().optional()),
  /** PostgreSQL instead of the embedded SQLite file (issue 11): postgres://USER[:PASSWORD]@HOST:PORT/DB. */
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .url('must be a URL such as postgres://arvo@127.0.0.1:5432/arvo')
      .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must start with postgres:// (or postgresql://)')
      .optional(),
  ),
  /** Connections each process keeps to PostgreSQL at most. */
  DATABASE_POOL_SIZE: z.preprocess(emptyAsUndefined, intFromEnv(10, 1, 1000)),
  /** Reserved: Redis stays off the data path (issue 11); refused when set. */
  REDIS_URL: z.preprocess(emptyAsUndefined, z.string().url().optional()),
});

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  secret: string | undefined;
  maxMessageBytes: number;
  logLevel: LogLevel;
  sqliteSynchronous: 'NORMAL' | 'FULL';
  docWarnBytes: number;
  docMaxBytes: number;
  rateLimitPerSec: number;
  rateLimitBurst: number;
  roomIdleMs: number;
  snapshotEvery: number;
  keepaliveMs: number;
  tokenTtlDays: number;
  /** Token lifetime in seconds (TOKEN_TTL_SECONDS, else TOKEN_TTL_DAYS). */
  tokenTtlSeconds: number;
  /** Joined identities (participants + observers) per workshop. */
  maxParticipants: number;
  /** Joins per client address per minute. */
  joinRatePerMin: number;
  participantBytesPerMin: number;
  sqliteMaxPages: number | undefined;
  /** Workshop creations allowed per client address per minute. */
  createPerMinute: number;
  /** When set, creating a workshop needs this key (X-Arvo-Create-Key): for servers open to the internet. */
  createKey: string | undefined;
  /** PUBLIC_URL as an origin (no trailing slash): the base of join links and QR codes; undefined: the browser's own address. */
  publicUrl: string | undefined;
  /** Take the client address from X-Forwarded-For (its last entry): only behind a reverse proxy that sets it. */
  trustProxy: boolean;
  /** Largest history page (the JSON body), except that a page always holds at least one entry. */
  historyPageMaxBytes: number;
  /** Replay checkpoints kept per document at most (server/history/service.ts). */
  checkpointsPerDoc: number;
  httpHeadersTimeoutMs: number;
  httpRequestTimeoutMs: number;
  /** PostgreSQL (issue 11) when set; otherwise SQLite in dataDir. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  redisUrl: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = result.data;
  if (e.REDIS_URL) throw new ConfigError('REDIS_URL is not used: Arvo needs no Redis (several processes share PostgreSQL, DATABASE_URL); unset it');
  if (e.DATABASE_URL && !e.SECRET) {
    // Every process of a cluster must sign and check tokens with the same key; a key generated
    // per data directory would differ between them (docs/postgres.md).
    throw new ConfigError(
      'DATABASE_URL is set but SECRET is not: every process sharing the database must use the same SECRET (at least 32 characters, e.g. `openssl rand -base64 48`)',
    );
  }
  if (e.DOC_WARN_BYTES > e.DOC_MAX_BYTES) throw new ConfigError('DOC_WARN_BYTES must not exceed DOC_MAX_BYTES');
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    secret: e.SECRET,
    maxMessageBytes: e.MAX_MESSAGE_BYTES,
    logLevel: e.LOG_LEVEL,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    docWarnBytes: e.DOC_WARN_BYTES,
    docMaxBytes: e.DOC_MAX_BYTES,
    rateLimitPerSec: e.RATE_LIMIT_PER_SEC,
    rateLimitBurst: e.RATE_LIMIT_BURST,
    roomIdleMs: e.ROOM_IDLE_MS,
    snapshotEvery: e.SNAPSHOT_EVERY,
    keepaliveMs: e.KEEPALIVE_MS,
    tokenTtlDays: e.TOKEN_TTL_DAYS,
    tokenTtlSeconds: e.TOKEN_TTL_SECONDS ?? e.TOKEN_TTL_DAYS * 86_400,
    maxParticipants: e.MAX_PARTICIPANTS,
    joinRatePerMin: e.JOIN_RATE_PER_MIN,
    participantBytesPerMin: e.PARTICIPANT_BYTES_PER_MIN,
    sqliteMaxPages: e.SQLITE_MAX_PAGES,
    createPerMinute: e.CREATE_PER_MINUTE,
    createKey: e.CREATE_KEY,
    publicUrl: e.PUBLIC_URL,
    trustProxy: e.TRUST_PROXY === 'true' || e.TRUST_PROXY === '1',
    historyPageMaxBytes: e.HISTORY_PAGE_MAX_BYTES,
    checkpointsPerDoc: e.CHECKPOINTS_PER_DOC,
    httpHeadersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    httpRequestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    redisUrl: e.REDIS_URL,
  };
}
