import { Counter, Gauge, Histogram, Registry } from 'prom-client';

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
    logAppends: new Counter({ name: 'arvo_update_log_appends_total', help: 'Updates appended to the update log', registers }),
    logCommitSeconds: new Histogram({
      name: 'arvo_update_log_commit_seconds',
      help: 'Latency of one update-log commit (a batch of appends)',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    logBatchSize: new Histogram({ name: 'arvo_update_log_batch_size', help: 'Appends per commit', buckets: [1, 2, 5, 10, 20, 50, 100, 500], registers }),
    rejected: new Counter({ name: 'arvo_rejected_messages_total', help: 'Refused messages and connections, by reason', labelNames: ['reason'], registers }),
    docSizeWarnings: new Counter({ name: 'arvo_document_size_warnings_total', help: 'Documents that passed the warning size', registers }),
    snapshots: new Counter({ name: 'arvo_snapshots_total', help: 'Compaction snapshots written', registers }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
