/**
 * `npm run demo [-- fi]`: starts Arvo with the LINKKU pilot of METHOD.md already run through —
 * three actors, their notes on every question, the three challenge themes linked to the
 * strengths of the method's table, flows and actions — and prints the links to open it.
 * Data goes to DATA_DIR (default ./data-demo), so the real ./data is never touched.
 *
 * The history is written with the times of the pilot (tests/fixtures/linkku.ts, `history`): the
 * rounds of the method a few minutes apart with their notes inside, the read-aloud, the analysis
 * two weeks later, workshop II — so replay shows the board growing round by round and the review
 * counts the rounds. A port already in use is reported before anything is written.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { readRoom } from '../shared/read/snapshot';
import type { Language } from '../shared/schema/common';
import { startApp } from '../server/app';
import { resolveSecret } from '../server/auth/secret';
import { createTokenService } from '../server/auth/tokens';
import { loadConfig } from '../server/config';
import { openSqliteStore } from '../server/store/sqlite';
import { hashKey } from '../server/workshops';
import { buildLinkkuWorkshop, linkkuDocUpdates } from '../tests/fixtures/linkku';

/** Whether host:port can be listened on now; the reason when it cannot. */
function portProblem(port: number, host: string): Promise<string | null> {
  if (port === 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use (another Arvo, or another program)` : `cannot listen on ${host}:${port}: ${error.message}`),
    );
    probe.listen(port, host, () => probe.close(() => resolve(null)));
  });
}

async function main() {
  const language: Language = process.argv.includes('fi') ? 'fi' : 'en';
  const config = loadConfig({ DATA_DIR: './data-demo', ...process.env });
  const problem = await portProblem(config.port, config.host);
  if (problem) {
    console.error(`The demo cannot start: ${problem}.\nStop that program, or choose another port: PORT=8081 npm run demo\n(Nothing was written.)`);
    process.exit(2);
  }
  const history: Array<{ docName: string; ts: number; update: Uint8Array }> = [];
  const workshop = buildLinkkuWorkshop(language, { onUpdate: (docName, update, ts) => history.push({ docName, ts, update }) });
  const id = workshop.ids.workshop;
  const participantKey = crypto.randomBytes(18).toString('base64url');
  const observerKey = crypto.randomBytes(18).toString('base64url');

  const store = openSqliteStore({ file: path.join(config.dataDir, 'arvo.sqlite'), synchronous: config.sqliteSynchronous });
  const room = readRoom(workshop.room);
  const facilitator = room.participants.find((p) => p.role === 'facilitator')!;
  const fresh = !(await store.getWorkshop(id));
  if (fresh) {
    // In the order they happened (each document's own changes already are); the writer of each.
    const writerOf = new Map(linkkuDocUpdates(workshop).map(({ name }) => [name, room.participants.find((p) => name.endsWith(`/p/${p.id}`))?.id ?? facilitator.id]));
    const ordered = history.map((entry, index) => ({ ...entry, index })).sort((a, b) => a.ts - b.ts || a.index - b.index);
    await store.appendUpdates(ordered.map(({ docName, ts, update }) => ({ docName, ts, participantId: writerOf.get(docName) ?? null, update })));
    await store.createWorkshop(
      { id, createdAt: Date.now(), participantKeyHash: hashKey(participantKey), observerKeyHash: hashKey(observerKey) },
      { workshopId: id, participantId: facilitator.id, role: 'facilitator', actorId: null, name: facilitator.name, createdAt: Date.now() },
    );
    for (const p of room.participants.filter((p) => p.role !== 'facilitator')) {
      await store.addParticipant({ workshopId: id, participantId: p.id, role: p.role, actorId: p.actorId, name: p.name, createdAt: p.joinedAt });
    }
  }
  await store.close();

  const app = await startApp(config);
  const tokens = createTokenService(resolveSecret(config.secret, config.dataDir), config.tokenTtlDays * 86_400);
  const token = await tokens.issue({ workshopId: id, participantId: facilitator.id, role: 'facilitator', actorId: null });
  const keys = fresh ? `&p=${participantKey}&o=${observerKey}` : '';
  console.log(`\nLINKKU demo (${language}) is running at ${app.url}`);
  console.log(`Open as the facilitator:\n  ${app.url}/w/${id}/facilitate#t=${token}${keys}\n`);
  if (!fresh) console.log('(The demo workshop already existed in this DATA_DIR; its join links were shown when it was first created.)');
  if (fresh) console.log(`Participants join at:\n  ${app.url}/w/${id}/join?k=${participantKey}\n`);
  const stop = () => void app.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
