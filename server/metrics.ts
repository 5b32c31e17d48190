import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The server's Prometheus metrics. One registry per server instance, so tests can run several. */
export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    roomsLoaded: new Gauge({ name: 'arvo_rooms_loaded', help: 'Documents currently loaded in memory', registers }),
    connections: new Gauge({ name: 'arvo_connections', help: 'Open WebSocket connections', registers }),
    messagesIn: new Counter({ name: 'arvo_messages_in_total', help: 'Messages received, by type', labelNames: ['type'], registers }),
    messagesOut: new Counter({ name: 'arvo_messages_out_total', help: 'Messages sent', registers }),
    bytesIn: new Counter({ name: 'arvo_bytes_in_total', help: 'Bytes received in WebSocket messages', registers }),
    bytesOut: new Counter({ name: 'arvo_bytes_out_total', help: 'Bytes sent in WebSocket messages', registers }),
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
