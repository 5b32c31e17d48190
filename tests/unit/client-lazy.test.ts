import { describe, expect, it } from 'vitest';
import { en } from '../../client/src/i18n/en';
import { fi } from '../../client/src/i18n/fi';
import { sv } from '../../client/src/i18n/sv';
import { errorMessage } from '../../client/src/errorMessage';
import { lazy } from '../../client/src/views/lazy';

/** A loader that counts its calls and settles each one when the test says so. */
function controlledLoader() {
  const calls: Array<{ resolve: (value: string) => void; reject: (error: Error) => void }> = [];
  const load = () => new Promise<string>((resolve, reject) => calls.push({ resolve, reject }));
  return { load, calls };
}

describe('lazy', () => {
  it('loads on first use only, and every later call (during or after the load) shares that one load', async () => {
    const { load, calls } = controlledLoader();
    const loadView = lazy(load);
    expect(calls).toHaveLength(0);
    const first = loadView();
    const during = loadView();
    expect(during).toBe(first);
    expect(calls).toHaveLength(1);
    calls[0]!.resolve('MapView');
    expect(await first).toBe('MapView');
    expect(loadView()).toBe(first);
    expect(calls).toHaveLength(1);
  });

  it('passes a failed load on to its caller, then forgets it: the next call (Try again) loads anew', async () => {
    const { load, calls } = controlledLoader();
    const loadView = lazy(load);
    const failed = loadView();
    calls[0]!.reject(new TypeError('Failed to fetch dynamically imported module: /assets/MapView-1a2b.js'));
    await expect(failed).rejects.toThrow('Failed to fetch dynamically imported module');
    const retried = loadView();
    expect(retried).not.toBe(failed);
    expect(calls).toHaveLength(2);
    calls[1]!.resolve('MapView');
    expect(await retried).toBe('MapView');
    // …and the success is kept.
    expect(loadView()).toBe(retried);
    expect(calls).toHaveLength(2);
  });

  it('keeps each loader to itself', async () => {
    const a = lazy(() => Promise.resolve('a'));
    const b = lazy(() => Promise.resolve('b'));
    expect(await a()).toBe('a');
    expect(await b()).toBe('b');
  });
});

describe('a failed load explained', () => {
  it('shows the browser’s own words as the detail, whatever was thrown', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toBe('Failed to fetch');
    expect(errorMessage('offline')).toBe('offline');
  });

  it('is translated: Finnish and Swedish say it in their own words, with the same retry as elsewhere', () => {
    for (const key of ['load.failed', 'load.retry', 'load.details'] as const) {
      expect(fi[key], `fi ${key}`).not.toBe(en[key]);
      expect(sv[key], `sv ${key}`).not.toBe(en[key]);
    }
    expect(fi['load.retry']).toBe(fi['join.retry']);
    expect(sv['load.retry']).toBe(sv['join.retry']);
  });
});
