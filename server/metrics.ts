import { Counter, Gauge, Registry, type MetricObjectWithValues, type MetricValueWithName } from 'prom-client';

/**
 * A counter bumped on the relay's hot path (every message in and out). prom-client's `inc`
 * validates and hashes labels on each call; at thousands of deliveries a second that is a visible
 * share of the CPU per delivery. These add to a plain number instead, and the sum is handed to
 * the Prometheus counter when it is read (`collect`, run on every scrape), so /metrics shows the
 * same totals.
 */
export interface Tally {
  inc(value?: number): void;
}
export interface LabelledTally {
  inc(label: string, value?: number): void;
}

function tally(name: string, help: string, registers: Registry[]): Tally {
  let pending = 0;
  new Counter({
    name,
    help,
    registers,
    collect() {
      if (pending === 0) return;
      this.inc(pending);
      pending = 0;
    },
  });
  return {
    inc(value = 1) {
      pending += value;
    },
  };
}

/** Messages and bytes sent, counted together: the relay counts every frame to every recipient in one call. */
export interface SentTally {
  add(bytes: number): void;
}

function sentTally(registers: Registry[]): SentTally {
  const messages = tally('arvo_messages_out_total', 'Messages sent', registers);
  const bytes = tally('arvo_bytes_out_total', 'Bytes sent in WebSocket messages', registers);
  return {
    add(size) {
      messages.inc();
      bytes.inc(size);
    },
  };
}

function labelledTally(name: string, help: string, labelName: string, registers: Registry[]): LabelledTally {
  const pending = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames: [labelName],
    registers,
    collect() {
      for (const [label, value] of pending) this.inc({ [labelName]: label }, value);
      pending.clear();
    },
  });
  return {
    inc(label, value = 1) {
      pending.set(label, (pending.get(label) ?? 0) + value);
    },
  };
}

/** A histogram observed on the relay's hot path (once per commit). */
export interface Distribution {
  observe(value: number): void;
}

/**
 * A Prometheus histogram whose observations are a plain bucket search and three additions:
 * prom-client's `observe` hashes its labels and walks objects on every call, and at one commit
 * per update it was a fifth of what the persist queue's own code cost. Exported in the same
 * format as prom-client's Histogram (`_bucket{le}` cumulative, `+Inf`, `_sum`, `_count`).
 */
function distribution(name: string, help: string, buckets: readonly number[], registry: Registry): Distribution {
  const counts = new Float64Array(buckets.length + 1);
  let sum = 0;
  let count = 0;
  const metric = {
    name,
    help,
    type: 'histogram' as const,
    aggregator: 'sum' as const,
    get(): MetricObjectWithValues<MetricValueWithName<string>> {
      const values: Array<MetricValueWithName<string>> = [];
      let cumulative = 0;
      buckets.forEach((le, i) => {
        cumulative += counts[i]!;
        values.push({ metricName: `${name}_bucket`, labels: { le }, value: cumulative });
      });
      values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: count });
      values.push({ metricName: `${name}_sum`, labels: {}, value: sum });
      values.push({ metricName: `${name}_count`, labels: {}, value: count });
      return { name, help, type: metric.type, aggregator: metric.aggregator, values } as unknown as MetricObjectWithValues<MetricValueWithName<string>>;
    },
    reset() {
      counts.fill(0);
      sum = 0;
      count = 0;
    },
  };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  return {
    observe(value) {
      let i = 0;
      while (i < buckets.length && value > buckets[i]!) i++;
      counts[i]!++;
      sum += value;
      count++;
    },
  };
}

/** The server's Prometheus metrics. One registry per server instance, so tests can run several. */
export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    roomsLoaded: new Gauge({ name: 'arvo_rooms_loaded', help: 'Documents currently loaded in memory', registers }),
    connections: new Gauge({ name: 'arvo_connections', help: 'Open WebSocket connections', registers }),
    docSessions: new Gauge({ name: 'arvo_doc_sessions', help: 'Documents open per connection (one per document a socket opened)', registers }),
    followers: new Gauge({ name: 'arvo_workshop_followers', help: "Sockets following their workshop's notes documents (the workshop channel)", registers }),
    messagesIn: labelledTally('arvo_messages_in_total', 'Messages received, by type', 'type', registers),
    bytesIn: tally('arvo_bytes_in_total', 'Bytes received in WebSocket messages', registers),
    /** arvo_messages_out_total and arvo_bytes_out_total. */
    sent: sentTally(registers),
    logAppends: tally('arvo_update_log_appends_total', 'Updates appended to the update log', registers),
    logCommitSeconds: distribution(
      'arvo_update_log_commit_seconds',
      'Latency of one update-log commit (a batch of appends)',
      [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registry,
    ),
    logBatchSize: distribution('arvo_update_log_batch_size', 'Appends per commit', [1, 2, 5, 10, 20, 50, 100, 500], registry),
    rejected: new Counter({ name: 'arvo_rejected_messages_total', help: 'Refused messages and connections, by reason', labelNames: ['reason'], registers }),
    docSizeWarnings: new Counter({ name: 'arvo_document_size_warnings_total', help: 'Documents that passed the warning size', registers }),
    snapshots: new Counter({ name: 'arvo_snapshots_total', help: 'Compaction snapshots written', registers }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
