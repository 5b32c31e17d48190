// bench:cluster only (bench/cluster.bench.ts starts the servers with
// NODE_OPTIONS=--import=<this file>): counts every statement the process sends to PostgreSQL,
// by the start of its text, and writes the counts as one JSON log line on SIGUSR2 — so the
// benchmark can report PostgreSQL statements per update without pg_stat_statements (which needs
// a server restart to load). Never loaded by the server itself.
import pg from 'pg';

const counts = new Map();
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(config, ...rest) {
  const text = typeof config === 'string' ? config : (config?.text ?? '');
  const key = text.replace(/\s+/g, ' ').trim().slice(0, 48);
  counts.set(key, (counts.get(key) ?? 0) + 1);
  return original.call(this, config, ...rest);
};
process.on('SIGUSR2', () => {
  const line = { t: new Date().toISOString(), level: 'info', event: 'bench-pg-statements', counts: Object.fromEntries(counts) };
  process.stderr.write(`${JSON.stringify(line)}\n`);
});
