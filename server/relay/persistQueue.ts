import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { DocStore, NewUpdate } from '../store/port';

/**
 * Appends accepted updates to the store, batching every update that arrives in one event-loop
 * tick into one committed transaction: throughput holds under bursts, and no update waits more
 * than a tick plus one commit. Batches commit one after another, in arrival order.
 */
export class PersistQueue {
  private pending: Array<{ update: NewUpdate; resolve: (seq: number) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: DocStore,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    /** Cluster (server/cluster): appends each workshop's share with its lease fence; a result per update. */
    private readonly append?: (batch: readonly NewUpdate[]) => Promise<Array<number | Error>>,
  ) {}

  enqueue(update: NewUpdate): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending.push({ update, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves when everything enqueued so far is committed (or has failed). */
  drain(): Promise<void> {
    if (this.pending.length > 0 && !this.scheduled) this.flush();
    return this.flushing.then(() => (this.pending.length > 0 ? this.drain() : undefined));
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.flushing = this.flushing.then(async () => {
      const started = performance.now();
      try {
        const updates = batch.map((item) => item.update);
        const seqs = this.append ? await this.append(updates) : await this.store.appendUpdates(updates);
        this.metrics.logCommitSeconds.observe((performance.now() - started) / 1000);
        this.metrics.logBatchSize.observe(batch.length);
        this.metrics.logAppends.inc(seqs.filter((seq) => typeof seq === 'number').length);
        batch.forEach((item, i) => {
          const seq = seqs[i];
          if (typeof seq === 'number') item.resolve(seq);
          else item.reject(seq);
        });
      } catch (error) {
        this.log.error('update-log-append-failed', { error: String(error), updates: batch.length });
        this.metrics.rejected.inc({ reason: 'store-unavailable' }, batch.length);
        for (const item of batch) item.reject(error);
      }
    });
  }
}
