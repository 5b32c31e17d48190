import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { roomRoots } from '../../shared/schema/layout';
import { removeDir, tempDir } from '../helpers/server';

/**
 * `npm run demo` (scripts/demo.ts) as a real process: a taken port is refused with a clear message
 * before anything is written; a fresh start seeds a history in which each question has its own
 * round and the notes were written inside their round (what replay and review are built from).
 */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function runDemo(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(() => child.kill('SIGKILL'));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('npm run demo', () => {
  it('a taken port: exits with a clear message and writes nothing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => blocker.close());
    const port = (blocker.address() as net.AddressInfo).port;
    const dataDir = path.join(tempDir('arvo-demo-'), 'data');
    cleanups.push(() => removeDir(path.dirname(dataDir)));

    const demo = runDemo({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir });
    expect(await demo.exited).not.toBe(0);
    expect(demo.err()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(demo.err()).toContain('Nothing was written');
    expect(fs.existsSync(dataDir)).toBe(false);
  }, 60_000);

  it('seeds the pilot with a round per question and the notes inside their rounds', async () => {
    const dataDir = tempDir('arvo-demo-');
    cleanups.push(() => removeDir(dataDir));
    const demo = runDemo({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
    const link = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /(http:\/\/127\.0\.0\.1:\d+)\/w\/([0-9A-Za-z]{16})\/facilitate#t=([^&\s]+)/.exec(demo.out());
        if (match) {
          clearInterval(timer);
          resolve(match);
        }
      }, 50);
      void demo.exited.then((code) => {
        clearInterval(timer);
        reject(new Error(`demo exited ${code}: ${demo.err()}`));
      });
    });
    const [, base, id, token] = link;

    // The whole log, in order, as replay reads it.
    const entries: Array<{ doc: string; ts: number; update: string }> = [];
    let after = '';
    for (;;) {
      const response = await fetch(`${base}/api/workshops/${id}/history?limit=5000${after ? `&after=${after}` : ''}`, { headers: { authorization: `Bearer ${decodeURIComponent(token!)}` } });
      expect(response.status).toBe(200);
      const page = (await response.json()) as { entries: typeof entries; next: string | null };
      entries.push(...page.entries);
      if (!page.next) break;
      after = page.next;
    }
    const timestamps = entries.map((e) => e.ts);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));

    // Rounds: session.round as it changes through the room document's log.
    const room = new Y.Doc();
    const rounds = new Map<string, { questionId: string; startedAt: number; endedAt: number | null }>();
    const noteTimes: Array<{ ts: number; questionIds: string[] }> = [];
    const notesDocs = new Map<string, Y.Doc>();
    for (const entry of entries) {
      const update = Buffer.from(entry.update, 'base64');
      if (entry.doc === id) {
        Y.applyUpdate(room, update);
        const round = roomRoots(room).session.get('round') as { questionId: string; startedAt: number; endedAt: number | null } | null;
        if (round) rounds.set(`${round.questionId}@${round.startedAt}`, round);
      } else {
        const doc = notesDocs.get(entry.doc) ?? new Y.Doc();
        notesDocs.set(entry.doc, doc);
        const before = new Set(doc.getMap('notes').keys());
        Y.applyUpdate(doc, update);
        const added = [...doc.getMap('notes').entries()].filter(([key]) => !before.has(key)).map(([, note]) => (note as Y.Map<unknown>).get('questionId') as string);
        if (added.length) noteTimes.push({ ts: entry.ts, questionIds: added });
      }
    }
    const questionIds = [...roomRoots(room).questions.keys()];
    expect(rounds.size).toBe(questionIds.length);
    expect(new Set([...rounds.values()].map((r) => r.questionId))).toEqual(new Set(questionIds));
    for (const round of rounds.values()) expect(round.endedAt).not.toBeNull();
    expect(noteTimes.length).toBeGreaterThan(30);
    for (const { ts, questionIds: qs } of noteTimes) {
      for (const q of qs) {
        const inside = [...rounds.values()].some((r) => r.questionId === q && ts >= r.startedAt && ts <= r.endedAt!);
        expect(inside, `note for ${q} at ${new Date(ts).toISOString()}`).toBe(true);
      }
    }
    expect(roomRoots(room).meta.get('phase')).toBe('workshop2');
    demo.child.kill('SIGTERM');
    await demo.exited;
  }, 90_000);
});
