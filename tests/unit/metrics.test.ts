import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../server/metrics';

/** The series of one metric in Prometheus' text format, without its HELP line. */
async function series(registry: Registry, name: string): Promise<string[]> {
  const text = await registry.metrics();
  return text.split('\n').filter((line) => line.startsWith(name) || line.startsWith(`# TYPE ${name} `));
}

describe('metrics: the commit histograms', () => {
  // They are counted by hand on the hot path (server/metrics.ts `distribution`); what /metrics
  // shows must be exactly what prom-client's own Histogram shows for the same observations.
  it('export the same series as a prom-client Histogram, values on the bucket bounds included', async () => {
    const ours = createMetrics();
    const reference = new Registry();
    const buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
    const theirs = new Histogram({ name: 'arvo_update_log_commit_seconds', help: 'x', buckets, registers: [reference] });
    const values = [0, 0.00005, 0.0001, 0.00010001, 0.0004, 0.001, 0.003, 0.3, 1, 2.5, 7];
    for (const value of values) {
      ours.logCommitSeconds.observe(value);
      theirs.observe(value);
    }
    const name = 'arvo_update_log_commit_seconds';
    expect(await series(ours.registry, name)).toEqual(await series(reference, name));
    expect((await series(ours.registry, name)).length).toBe(1 + buckets.length + 3);
  });

  it('an unobserved histogram exports zero counts', async () => {
    const { registry } = createMetrics();
    const lines = await series(registry, 'arvo_update_log_batch_size');
    expect(lines).toContain('arvo_update_log_batch_size_bucket{le="+Inf"} 0');
    expect(lines).toContain('arvo_update_log_batch_size_count 0');
  });
});
