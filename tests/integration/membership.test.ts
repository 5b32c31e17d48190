import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { addNote } from '../../shared/ops/notes';
import { addActor } from '../../shared/ops/room';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { CloseCode, CloseReason } from '../../shared/protocol/wire';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { createWorkshop, join, postJson, type Created } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced } from '../helpers/clients';
import { RawClient } from '../helpers/raw';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * The facilitator controls who is in: removal (every socket of that person closes at once with
 * 4410, their token is refused everywhere, their notes stay attributed), join-key rotation,
 * renewal, the recovery link, tokens that expire on open sockets, and the join quotas.
 */
let server: TestServer;
let raws: RawClient[] = [];
let sockets: WebSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => {
  destroyAll();
  for (const raw of raws) raw.close();
  for (const ws of sockets) ws.close();
  raws = [];
  sockets = [];
});
afterAll(async () => {
  await server.close();
  removeDir(server.dataDir);
});

interface WithRecovery extends Created {
  recoverySecret: string;
}

async function setup(base = server) {
  const created = (await createWorkshop(base.url)) as WithRecovery;
  const probe = await RawClient.connect(base.wsUrl, roomDocName(created.id), created.facilitatorToken);
  await probe.sync();
  const actors = readRoom(probe.doc).actors;
  probe.close();
  const anna = await join(base.url, created.id, created.participantJoinKey, 'Anna', actors[0]!.id);
  const ben = await join(base.url, created.id, created.participantJoinKey, 'Ben', actors[1]!.id);
  return { created, actors, anna, ben };
}

const api = (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
  fetch(`${server.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  }).then(async (response) => ({ status: response.status, headers: response.headers, json: (await response.json()) as any }));

const removeParticipant = (created: Created, participantId: string, token = created.facilitatorToken) =>
  api(`/api/workshops/${created.id}/participants/${participantId}`, { method: 'DELETE', token });

/** A raw /mux socket and its close event (code and reason). */
function openMux(token: string): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/mux?token=${encodeURIComponent(token)}`);
  sockets.push(ws);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, closed }));
    ws.once('error', reject);
  });
}

async function rawOpen(docName: string, token: string): Promise<RawClient> {
  const client = await RawClient.connect(server.wsUrl, docName, token);
  raws.push(client);
  return client;
}

describe('removing a participant', () => {
  it("closes every socket of theirs at once with 4410, refuses their token everywhere, keeps their notes attributed, and leaves others alone", async () => {
    const { created, anna, ben } = await setup();
    // Anna writes a note, then holds three sockets: a stock provider, a raw /ws and a /mux.
    const annaNotes = connect(server.wsUrl, notesDocName(created.id, anna.participantId), anna.token);
    await waitSynced(annaNotes);
    annaNotes.doc.transact(() => addNote(annaNotes.doc, { questionId: '3a', text: 'Kept after removal', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN), LOCAL_ORIGIN);
    const benReader = connect(server.wsUrl, notesDocName(created.id, anna.participantId), ben.token);
    await waitFor(benReader.doc, () => readNotes(benReader.doc).notes.some((n) => n.text === 'Kept after removal'), "Anna's note at Ben");
    annaNotes.provider.disconnect();

    const annaRaw = await rawOpen(roomDocName(created.id), anna.token);
    await annaRaw.sync();
    const annaMux = await openMux(anna.token);
    const benRaw = await rawOpen(roomDocName(created.id), ben.token);
    await benRaw.sync();
    const benMux = await openMux(ben.token);

    const removal = await removeParticipant(created, anna.participantId);
    expect(removal.status).toBe(200);
    expect(removal.json).toEqual({ participantId: anna.participantId, removedAt: expect.any(Number) });

    // Both of Anna's sockets closed with the named code and reason.
    expect(await annaRaw.closed).toEqual({ code: CloseCode.removed, reason: CloseReason.removed });
    expect(await annaMux.closed).toEqual({ code: CloseCode.removed, reason: CloseReason.removed });

    // Her token no longer opens anything, on either endpoint, and HTTP refuses it.
    const again = await rawOpen(roomDocName(created.id), anna.token);
    expect(await again.closed).toEqual({ code: CloseCode.removed, reason: CloseReason.removed });
    expect(again.received).toEqual([]);
    const muxAgain = await openMux(anna.token);
    expect((await muxAgain.closed).code).toBe(CloseCode.removed);
    const history = await api(`/api/workshops/${created.id}/history`, { token: anna.token });
    expect(history.status).toBe(401);
    const renew = await api(`/api/workshops/${created.id}/renew`, { method: 'POST', token: anna.token });
    expect(renew.status).toBe(403);
    expect(renew.json.error.code).toBe('removed');

    // Ben is untouched: his sockets are open and still carry the room; the room marks Anna removed.
    await benRaw.waitFor(() => readRoom(benRaw.doc).participants.find((p) => p.id === anna.participantId)?.removedAt !== undefined, 'the removal mark at Ben');
    const annaEntry = readRoom(benRaw.doc).participants.find((p) => p.id === anna.participantId)!;
    expect(annaEntry).toMatchObject({ name: 'Anna', actorId: anna.actorId, removedAt: removal.json.removedAt });
    expect(benRaw.ws.readyState).toBe(WebSocket.OPEN);
    expect(benMux.ws.readyState).toBe(WebSocket.OPEN);

    // Her notes stay, readable by Ben and by the facilitator, in her document (so attributed to her).
    const facilitatorReader = await rawOpen(notesDocName(created.id, anna.participantId), created.facilitatorToken);
    await facilitatorReader.sync();
    expect(readNotes(facilitatorReader.doc).notes.map((n) => n.text)).toEqual(['Kept after removal']);
    const benHistory = await api(`/api/workshops/${created.id}/history`, { token: ben.token });
    expect(benHistory.status).toBe(200);
  });

  it('only the facilitator removes, never the facilitator; unknown participants are 404', async () => {
    const { created, anna, ben } = await setup();
    const byParticipant = await removeParticipant(created, ben.participantId, anna.token);
    expect(byParticipant.status).toBe(403);
    const probe = await rawOpen(roomDocName(created.id), created.facilitatorToken);
    await probe.sync();
    const facilitator = readRoom(probe.doc).participants.find((p) => p.role === 'facilitator')!;
    const self = await removeParticipant(created, facilitator.id);
    expect(self.status).toBe(409);
    expect(self.json.error.code).toBe('cannot-remove-facilitator');
    expect((await removeParticipant(created, 'AAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await removeParticipant(created, ben.participantId, 'not-a-token')).status).toBe(401);
    // Ben was never removed by the refused attempt.
    const benRaw = await rawOpen(roomDocName(created.id), ben.token);
    await benRaw.sync();
    expect(benRaw.ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe('rotating the join links', () => {
  it('refuses the old key on join and preview with 403 join-key-invalid, accepts the new one, keeps members in', async () => {
    const { created, actors, anna } = await setup();
    const annaRaw = await rawOpen(roomDocName(created.id), anna.token);
    await annaRaw.sync();

    const rotated = await api(`/api/workshops/${created.id}/join-keys`, { token: created.facilitatorToken, body: { which: 'both' } });
    expect(rotated.status).toBe(200);
    const { participantJoinKey, observerJoinKey } = rotated.json as { participantJoinKey: string; observerJoinKey: string };
    expect(participantJoinKey).not.toBe(created.participantJoinKey);
    expect(observerJoinKey).not.toBe(created.observerJoinKey);

    for (const oldKey of [created.participantJoinKey, created.observerJoinKey]) {
      const preview = await api(`/api/workshops/${created.id}/preview?k=${encodeURIComponent(oldKey)}`);
      expect(preview.status).toBe(403);
      expect(preview.json.error).toMatchObject({ code: 'forbidden', details: { reason: 'join-key-invalid' } });
      const refused = await postJson(`${server.url}/api/workshops/${created.id}/join`, { joinKey: oldKey, name: 'Late', actorId: actors[0]!.id });
      expect(refused.status).toBe(403);
      expect(refused.json.error.details).toEqual({ reason: 'join-key-invalid' });
    }
    expect((await api(`/api/workshops/${created.id}/preview?k=${encodeURIComponent(participantJoinKey)}`)).status).toBe(200);
    const late = await join(server.url, created.id, participantJoinKey, 'Late', actors[0]!.id);
    expect(late.role).toBe('participant');
    expect((await join(server.url, created.id, observerJoinKey, 'Watcher')).role).toBe('observer');

    // Anna, who joined with the old link, is still in.
    expect(annaRaw.ws.readyState).toBe(WebSocket.OPEN);
    expect((await api(`/api/workshops/${created.id}/renew`, { method: 'POST', token: anna.token })).status).toBe(200);
    // The invite links the facilitator sees (on any device) are the new ones.
    const invite = await api(`/api/workshops/${created.id}/invite`, { token: created.facilitatorToken });
    expect(invite.json).toEqual({ participantJoinKey, observerJoinKey });
  });

  it('rotating only the observer key keeps the participant key', async () => {
    const { created } = await setup();
    const rotated = await api(`/api/workshops/${created.id}/join-keys`, { token: created.facilitatorToken, body: { which: 'observer' } });
    expect(rotated.json.participantJoinKey).toBe(created.participantJoinKey);
    expect(rotated.json.observerJoinKey).not.toBe(created.observerJoinKey);
    expect((await api(`/api/workshops/${created.id}/preview?k=${encodeURIComponent(created.observerJoinKey)}`)).status).toBe(403);
  });

  it('is the facilitator’s alone', async () => {
    const { created, anna } = await setup();
    expect((await api(`/api/workshops/${created.id}/join-keys`, { token: anna.token, body: {} })).status).toBe(403);
    expect((await api(`/api/workshops/${created.id}/invite`, { token: anna.token })).status).toBe(403);
    expect((await api(`/api/workshops/${created.id}/recovery`, { method: 'POST', token: anna.token })).status).toBe(403);
  });
});

describe('renewing a token', () => {
  it('gives a working token with a later expiry; a revoked (removed) or foreign token cannot renew', async () => {
    const { created, anna, ben } = await setup();
    const renewed = await api(`/api/workshops/${created.id}/renew`, { method: 'POST', token: ben.token });
    expect(renewed.status).toBe(200);
    expect(renewed.json.expiresAt).toBeGreaterThan(Date.now());
    const benRaw = await rawOpen(notesDocName(created.id, ben.participantId), renewed.json.token);
    await benRaw.sync();
    expect(benRaw.ws.readyState).toBe(WebSocket.OPEN);

    const other = await createWorkshop(server.url);
    expect((await api(`/api/workshops/${other.id}/renew`, { method: 'POST', token: ben.token })).status).toBe(403);
    expect((await api(`/api/workshops/${created.id}/renew`, { method: 'POST' })).status).toBe(401);

    await removeParticipant(created, anna.participantId);
    expect((await api(`/api/workshops/${created.id}/renew`, { method: 'POST', token: anna.token })).status).toBe(403);
  });
});

describe('the recovery link', () => {
  it('gives facilitator access and the invite links on a device with nothing stored; a wrong or replaced secret is refused', async () => {
    const { created } = await setup();
    expect(created.recoverySecret).toMatch(/^[A-Za-z0-9_-]{32}$/);

    // "Another device": nothing but the workshop id and the secret from the link.
    const recovered = await api(`/api/workshops/${created.id}/recover`, { body: { secret: created.recoverySecret } });
    expect(recovered.status).toBe(200);
    expect(recovered.json).toMatchObject({ workshopId: created.id, participantJoinKey: created.participantJoinKey, observerJoinKey: created.observerJoinKey });
    const room = await rawOpen(roomDocName(created.id), recovered.json.facilitatorToken);
    await room.sync();
    // Facilitator rights: it may write the room document (add an actor), which a participant may not.
    room.edit((doc) => void addActor(doc, { name: 'Recovered actor' }, LOCAL_ORIGIN));
    const check = await rawOpen(roomDocName(created.id), created.facilitatorToken);
    await check.sync();
    await check.waitFor(() => readRoom(check.doc).actors.some((a) => a.name === 'Recovered actor'), 'the recovered facilitator’s write');

    expect((await api(`/api/workshops/${created.id}/recover`, { body: { secret: 'wrong' } })).json.error.code).toBe('recovery-invalid');
    const rotated = await api(`/api/workshops/${created.id}/recovery`, { method: 'POST', token: recovered.json.facilitatorToken });
    expect(rotated.status).toBe(200);
    const old = await api(`/api/workshops/${created.id}/recover`, { body: { secret: created.recoverySecret } });
    expect(old.status).toBe(403);
    expect((await api(`/api/workshops/${created.id}/recover`, { body: { secret: rotated.json.recoverySecret } })).status).toBe(200);
    // Another workshop's secret opens nothing here.
    const other = (await createWorkshop(server.url)) as WithRecovery;
    expect((await api(`/api/workshops/${created.id}/recover`, { body: { secret: other.recoverySecret } })).status).toBe(403);
  });
});

describe('signing out everywhere', () => {
  it("revokes every token the caller holds (their open sockets close with 4401) and hands back a fresh one; others are untouched", async () => {
    const { created, ben } = await setup();
    const recovered = await api(`/api/workshops/${created.id}/recover`, { body: { secret: created.recoverySecret } });
    const otherDevice = await rawOpen(roomDocName(created.id), created.facilitatorToken);
    await otherDevice.sync();
    const benRaw = await rawOpen(roomDocName(created.id), ben.token);
    await benRaw.sync();

    const signedOut = await api(`/api/workshops/${created.id}/sign-out-everywhere`, { method: 'POST', token: recovered.json.facilitatorToken });
    expect(signedOut.status).toBe(200);
    expect(await otherDevice.closed).toEqual({ code: CloseCode.unauthorized, reason: CloseReason.tokenRevoked });
    for (const old of [created.facilitatorToken, recovered.json.facilitatorToken]) {
      const refused = await rawOpen(roomDocName(created.id), old);
      expect(await refused.closed).toEqual({ code: CloseCode.unauthorized, reason: CloseReason.tokenRevoked });
      expect((await api(`/api/workshops/${created.id}/renew`, { method: 'POST', token: old })).status).toBe(401);
    }
    const fresh = await rawOpen(roomDocName(created.id), signedOut.json.token);
    await fresh.sync();
    expect(fresh.ws.readyState).toBe(WebSocket.OPEN);
    expect(benRaw.ws.readyState).toBe(WebSocket.OPEN);
    // Recovery still works and issues a token at the new epoch.
    const again = await api(`/api/workshops/${created.id}/recover`, { body: { secret: created.recoverySecret } });
    expect((await api(`/api/workshops/${created.id}/renew`, { method: 'POST', token: again.json.facilitatorToken })).status).toBe(200);
  });
});

describe('tokens on open sockets', () => {
  it('a socket (/ws and /mux) closes with 4401 when its token expires while open', async () => {
    const short = await startTestServer({ TOKEN_TTL_SECONDS: '2' });
    try {
      const created = await createWorkshop(short.url);
      const raw = await RawClient.connect(short.wsUrl, roomDocName(created.id), created.facilitatorToken);
      await raw.sync();
      const muxWs = new WebSocket(`${short.url.replace('http', 'ws')}/mux?token=${encodeURIComponent(created.facilitatorToken)}`);
      const muxClosed = new Promise<number>((resolve) => muxWs.on('close', (code) => resolve(code)));
      expect(await raw.closed).toEqual({ code: CloseCode.unauthorized, reason: CloseReason.tokenExpired });
      expect(await muxClosed).toBe(CloseCode.unauthorized);
    } finally {
      await short.close();
      removeDir(short.dataDir);
    }
  });
});

describe('join quotas', () => {
  it('refuses joins past MAX_PARTICIPANTS with 409 workshop-full (the facilitator not counted)', async () => {
    const small = await startTestServer({ MAX_PARTICIPANTS: '2' });
    try {
      const created = await createWorkshop(small.url);
      await join(small.url, created.id, created.observerJoinKey, 'One');
      await join(small.url, created.id, created.observerJoinKey, 'Two');
      const third = await postJson(`${small.url}/api/workshops/${created.id}/join`, { joinKey: created.observerJoinKey, name: 'Three' });
      expect(third.status).toBe(409);
      expect(third.json.error).toMatchObject({ code: 'workshop-full', message: expect.stringMatching(/full/) });
      // Another workshop is not affected.
      const other = await createWorkshop(small.url);
      await join(small.url, other.id, other.observerJoinKey, 'Elsewhere');
    } finally {
      await small.close();
      removeDir(small.dataDir);
    }
  });

  it('refuses more than JOIN_RATE_PER_MIN joins per address with 429 and Retry-After', async () => {
    const limited = await startTestServer({ JOIN_RATE_PER_MIN: '3' });
    try {
      const created = await createWorkshop(limited.url);
      for (const name of ['A', 'B', 'C']) await join(limited.url, created.id, created.observerJoinKey, name);
      const response = await fetch(`${limited.url}/api/workshops/${created.id}/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ joinKey: created.observerJoinKey, name: 'D' }),
      });
      expect(response.status).toBe(429);
      const retryAfter = Number(response.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const body = (await response.json()) as any;
      expect(body.error).toMatchObject({ code: 'rate-limited', details: { retryAfterSeconds: retryAfter } });
      // Refused joins wrote nothing: still three observers.
      const probe = await RawClient.connect(limited.wsUrl, roomDocName(created.id), created.facilitatorToken);
      await probe.sync();
      expect(readRoom(probe.doc).participants.filter((p) => p.role === 'observer')).toHaveLength(3);
      probe.close();
    } finally {
      await limited.close();
      removeDir(limited.dataDir);
    }
  });
});
