import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { notesDocName } from '../../shared/protocol/docNames';
import { readNotes } from '../../shared/read/snapshot';
import { createWorkshop, join } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced } from '../helpers/clients';
import { removeDir, tempDir } from '../helpers/server';

/**
 * Production runs the compiled bundle (`npm run serve` = `node dist/server/main.js`), with no
 * TypeScript loader. This starts exactly that — plain node, NODE_OPTIONS emptied so no loader can
 * sneak in — and uses it as a client would: static client, HTTP API, a synced edit.
 */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLE = path.join(REPO_ROOT, 'dist/server/main.js');
const READY_LINE = /Arvo is running at (http:\/\/\S+)/;

let child: ChildProcess | null = null;
let dataDir = '';
let url = '';
const stderr: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first (\`npm test\` does)`);
  dataDir = tempDir('arvo-compiled-');
  const started = spawn(process.execPath, [BUNDLE], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', CREATE_PER_MINUTE: '1000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = started;
  started.stderr!.setEncoding('utf8');
  started.stderr!.on('data', (chunk: string) => stderr.push(chunk));
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    started.stdout!.setEncoding('utf8');
    started.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const match = READY_LINE.exec(out);
      if (match) resolve(match[1]!);
    });
    started.once('exit', (code, signal) => reject(new Error(`compiled server exited before listening (code ${code}, signal ${signal}):\n${stderr.join('')}`)));
  });
  started.stdout!.resume();
}, 20_000);

afterAll(async () => {
  destroyAll();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  if (dataDir) removeDir(dataDir);
});

describe('the compiled server (dist/server/main.js)', () => {
  it('runs under plain node without a TypeScript loader', () => {
    expect(child?.exitCode).toBeNull();
    expect(fs.readFileSync(BUNDLE, 'utf8')).not.toMatch(/from ["']tsx/);
  });

  it('serves the built client and answers health checks', async () => {
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const index = await fetch(`${url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<!doctype html>');
  });

  it('creates a workshop over HTTP and relays a participant\'s note to another', async () => {
    const created = await createWorkshop(url, ['A', 'B']);
    const preview = (await (await fetch(`${url}/api/workshops/${created.id}/preview?k=${created.participantJoinKey}`)).json()) as { actors: { id: string }[] };
    const anna = await join(url, created.id, created.participantJoinKey, 'Anna', preview.actors[0]!.id);
    const ben = await join(url, created.id, created.participantJoinKey, 'Ben', preview.actors[1]!.id);
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;
    const doc = notesDocName(created.id, anna.participantId);
    const writer = connect(wsUrl, doc, anna.token);
    const reader = connect(wsUrl, doc, ben.token);
    await Promise.all([waitSynced(writer), waitSynced(reader)]);
    addNote(writer.doc, { questionId: '3a', text: 'compiled', x: 1, y: 2 }, Date.now(), LOCAL_ORIGIN);
    await waitFor(reader.doc, () => readNotes(reader.doc).notes.length === 1, 'the note at the reader');
    expect(readNotes(reader.doc).notes[0]).toMatchObject({ text: 'compiled', questionId: '3a' });
    expect(stderr.join('')).not.toMatch(/"level":"error"/);
  });
});
