import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { roomDocName } from '../../shared/protocol/docNames';
import { readRoom } from '../../shared/read/snapshot';
import { ID_PATTERN, newId } from '../../shared/schema/ids';
import { ACTOR_PALETTE } from '../../shared/templates/palette';
import { createWorkshop, postJson } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced, type Peer } from '../helpers/clients';
import { RawClient } from '../helpers/raw';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/** The HTTP API through real requests: validation, the shapes it returns, what it writes. */
let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  destroyAll();
  await server.close();
  removeDir(server.dataDir);
});

const valid = { title: 'Regional services 2025', template: 'value-network', language: 'fi', actors: [{ name: 'Kunta' }, { name: 'Yhdistys' }] };

async function request(path: string, init: RequestInit = {}): Promise<{ status: number; contentType: string | null; json: any }> {
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), json: text ? JSON.parse(text) : null };
}

const postRaw = (path: string, body: string) => request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

/** The error shape every refusal has: `{ error: { code, message, details? } }`. */
function expectError(response: { status: number; json: any }, status: number, code: string, message?: RegExp) {
  expect(response.status).toBe(status);
  expect(response.json).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  expect(Object.keys(response.json.error).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
  if (message) expect(response.json.error.message).toMatch(message);
}

async function facilitatorRoom(id: string, token: string): Promise<Peer> {
  const peer = connect(server.wsUrl, roomDocName(id), token);
  await waitSynced(peer);
  return peer;
}

describe('POST /api/workshops', () => {
  it('refuses invalid input with 400 invalid-input naming the field', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['missing title', { ...valid, title: undefined }, /title/],
      ['blank title', { ...valid, title: '   ' }, /title: must not be empty/],
      ['bad template', { ...valid, template: 'brainstorm' }, /template/],
      ['bad language', { ...valid, language: 'de' }, /language/],
      ['too many actors', { ...valid, actors: Array.from({ length: 25 }, (_, i) => ({ name: `Actor ${i}` })) }, /actors: at most 24 actors/],
      ['bad colour', { ...valid, actors: [{ name: 'Kunta', color: 'red' }] }, /actors\.0\.color: must be a #rrggbb colour/],
      ['actor without a name', { ...valid, actors: [{ color: '#112233' }] }, /actors\.0\.name/],
      ['not an object', ['a', 'list'], /invalid workshop/],
    ];
    for (const [what, body, message] of cases) {
      const response = await postJson(`${server.url}/api/workshops`, body);
      expect(response.status, what).toBe(400);
      expectError(response, 400, 'invalid-input', message);
      expect(response.json.error.details, what).toEqual(expect.arrayContaining([expect.any(String)]));
    }
    // Exactly 24 actors is fine.
    const max = await postJson(`${server.url}/api/workshops`, { ...valid, actors: Array.from({ length: 24 }, (_, i) => ({ name: `Actor ${i}` })) });
    expect(max.status).toBe(201);
    // Swedish is a workshop language (issue 9).
    const swedish = await postJson(`${server.url}/api/workshops`, { ...valid, title: 'Byns servicenätverk', language: 'sv' });
    expect(swedish.status).toBe(201);
  });

  it('refuses a body that is not JSON with 400 invalid-json', async () => {
    expectError(await postRaw('/api/workshops', '{"title": '), 400, 'invalid-json', /not valid JSON/);
    expectError(await postRaw('/api/workshops', ''), 400, 'invalid-json', /must be JSON/);
  });

  it('refuses a body over 64 KiB with 413 too-large', async () => {
    const justOver = JSON.stringify({ ...valid, title: 'x'.repeat(64 * 1024) });
    expect(Buffer.byteLength(justOver)).toBeGreaterThan(64 * 1024);
    const huge = JSON.stringify({ ...valid, title: 'x'.repeat(4 * 1024 * 1024) });
    // fetch reuses keep-alive connections: each request may travel on the socket of the one before.
    for (const body of [huge, justOver, huge, justOver]) expectError(await postRaw('/api/workshops', body), 413, 'too-large', /65536/);
    expect((await postJson(`${server.url}/api/workshops`, valid)).status).toBe(201);
    expect((await request('/healthz')).status).toBe(200);
  });

  it('after a 413 the server closes the connection whose body it did not read, and says so', async () => {
    // The unread rest of the body is still on the wire: a server that answered "keep-alive" here
    // stops reading the socket, and the client's next request on it hangs until the idle timeout.
    const socket = net.connect(server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const body = JSON.stringify({ ...valid, title: 'x'.repeat(1024 * 1024) });
    socket.write(`POST /api/workshops HTTP/1.1\r\nHost: arvo\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await closed;
    const [head, json] = received.split('\r\n\r\n') as [string, string];
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(head).toMatch(/^connection: close$/im);
    expect(JSON.parse(json)).toEqual({ error: { code: 'too-large', message: 'request body over 65536 bytes' } });
  });

  it('refuses other methods with 405', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      expectError(await request('/api/workshops', { method }), 405, 'method-not-allowed');
    }
    const created = await createWorkshop(server.url);
    expectError(await request(`/api/workshops/${created.id}/join`), 405, 'method-not-allowed');
    expectError(await request('/api/nothing-here'), 404, 'not-found');
  });

  it('creates a workshop: the four fields, and a room document with title, questions, actors and the facilitator', async () => {
    const response = await postJson(`${server.url}/api/workshops`, {
      ...valid,
      facilitatorName: 'Fiia',
      actors: [{ name: 'Kunta' }, { name: 'Yhdistys', color: '#ABCDEF' }, { name: 'Koulu' }, { name: 'Seurakunta' }],
    });
    expect(response.status).toBe(201);
    const created = response.json;
    expect(created).toEqual({
      id: expect.stringMatching(ID_PATTERN),
      facilitatorId: expect.stringMatching(ID_PATTERN),
      facilitatorToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      participantJoinKey: expect.any(String),
      observerJoinKey: expect.any(String),
      // The facilitator's recovery secret (issue 8), shown once.
      recoverySecret: expect.stringMatching(/^[\w-]{32}$/),
    });
    expect(created.participantJoinKey).not.toBe(created.observerJoinKey);
    expect(created.participantJoinKey.length).toBeGreaterThanOrEqual(16);

    const room = await facilitatorRoom(created.id, created.facilitatorToken);
    const snapshot = readRoom(room.doc);
    expect(snapshot.problems).toEqual([]);
    expect(snapshot.meta).toMatchObject({ title: 'Regional services 2025', template: 'value-network', language: 'fi', phase: 'setup' });
    expect(snapshot.questions.map((q) => q.id)).toEqual(['1a', '1b', '2a', '2b', '3a', '3b', '4a', '4b']);
    expect(snapshot.questions.filter((q) => q.perActor).map((q) => q.id)).toEqual(['1a', '2a']);
    expect(snapshot.actors.map((a) => [a.name, a.color, a.order])).toEqual([
      ['Kunta', ACTOR_PALETTE[0]!.color, 1],
      ['Yhdistys', '#abcdef', 2],
      ['Koulu', ACTOR_PALETTE[1]!.color, 3],
      ['Seurakunta', ACTOR_PALETTE[2]!.color, 4],
    ]);
    expect(snapshot.participants).toEqual([
      { id: created.facilitatorId, name: 'Fiia', actorId: null, role: 'facilitator', joinedAt: expect.any(Number) },
    ]);
    expect(snapshot.session).toMatchObject({ round: null, focus: null, locked: false });
  });

  it('names the facilitator in the workshop language when no name is given', async () => {
    const created = await createWorkshop(server.url);
    const room = await facilitatorRoom(created.id, created.facilitatorToken);
    expect(readRoom(room.doc).participants.map((p) => [p.name, p.role])).toEqual([['Facilitator', 'facilitator']]);
    expect(readRoom(room.doc).actors.map((a) => a.color)).toEqual(ACTOR_PALETTE.slice(0, 3).map((p) => p.color));
  });
});

describe('POST /api/workshops/:id/join', () => {
  async function setup() {
    const created = await createWorkshop(server.url);
    const room = await facilitatorRoom(created.id, created.facilitatorToken);
    const actors = readRoom(room.doc).actors;
    return { created, room, actors };
  }
  const joinPath = (id: string) => `${server.url}/api/workshops/${id}/join`;

  it('refuses a wrong key (403), a participant without an actor (400), an unknown actor (404), an unknown workshop (404)', async () => {
    const { created, room, actors } = await setup();
    expectError(await postJson(joinPath(created.id), { joinKey: 'not-the-key', name: 'Eve', actorId: actors[0]!.id }), 403, 'forbidden');
    // A key from another workshop is just as wrong.
    const other = await createWorkshop(server.url);
    expectError(await postJson(joinPath(created.id), { joinKey: other.participantJoinKey, name: 'Eve', actorId: actors[0]!.id }), 403, 'forbidden');
    expectError(await postJson(joinPath(created.id), { joinKey: created.participantJoinKey, name: 'Anna' }), 400, 'invalid-input', /actorId/);
    expectError(await postJson(joinPath(created.id), { joinKey: created.participantJoinKey, name: 'Anna', actorId: newId() }), 404, 'not-found', /actorId/);
    expectError(await postJson(joinPath(newId()), { joinKey: created.participantJoinKey, name: 'Anna', actorId: actors[0]!.id }), 404, 'not-found', /no such workshop/);
    expectError(await postJson(joinPath(created.id), { joinKey: created.participantJoinKey, name: '', actorId: actors[0]!.id }), 400, 'invalid-input', /name/);
    expectError(await postRaw(`/api/workshops/${created.id}/join`, 'joinKey='), 400, 'invalid-json');
    // None of the refused joins reached the room document.
    expect(readRoom(room.doc).participants).toHaveLength(1);
  });

  it('the observer key gives role observer with no actor', async () => {
    const { created, room, actors } = await setup();
    const response = await postJson(joinPath(created.id), { joinKey: created.observerJoinKey, name: 'Olga', actorId: actors[0]!.id });
    expect(response.status).toBe(201);
    expect(response.json).toEqual({ participantId: expect.stringMatching(ID_PATTERN), role: 'observer', actorId: null, token: expect.any(String) });
    await waitFor(room.doc, () => readRoom(room.doc).participants.length === 2, 'the observer in the room document');
    expect(readRoom(room.doc).participants[1]).toMatchObject({ id: response.json.participantId, name: 'Olga', role: 'observer', actorId: null });
  });

  it('a participant join adds the participant to the room document, seen live by the facilitator', async () => {
    const { created, room, actors } = await setup();
    const response = await postJson(joinPath(created.id), { joinKey: created.participantJoinKey, name: '  Anna  ', actorId: actors[1]!.id });
    expect(response.status).toBe(201);
    expect(response.json).toEqual({ participantId: expect.stringMatching(ID_PATTERN), role: 'participant', actorId: actors[1]!.id, token: expect.any(String) });
    await waitFor(room.doc, () => readRoom(room.doc).participants.some((p) => p.id === response.json.participantId), 'Anna in the room document');
    expect(readRoom(room.doc).participants.find((p) => p.id === response.json.participantId)).toEqual({
      id: response.json.participantId,
      name: 'Anna',
      actorId: actors[1]!.id,
      role: 'participant',
      joinedAt: expect.any(Number),
    });
    // The token it returned opens the room document.
    const annaRoom = connect(server.wsUrl, roomDocName(created.id), response.json.token);
    await waitSynced(annaRoom);
    expect(readRoom(annaRoom.doc).participants).toHaveLength(2);
  });
});

describe('operations endpoints', () => {
  it('GET /healthz answers 200 {"ok":true}', async () => {
    const response = await request('/healthz');
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(response.json).toEqual({ ok: true });
  });

  it('GET /metrics is Prometheus text with the relay and update-log metrics', async () => {
    const created = await createWorkshop(server.url);
    const room = await facilitatorRoom(created.id, created.facilitatorToken);
    const actorId = readRoom(room.doc).actors[0]!.id;
    const joined = await postJson(`${server.url}/api/workshops/${created.id}/join`, { joinKey: created.participantJoinKey, name: 'Anna', actorId });
    expect(joined.status).toBe(201);
    await waitFor(room.doc, () => readRoom(room.doc).participants.length === 2, 'the join');
    // One refused connection, so that the rejection counter has a sample.
    const refused = await RawClient.open(`${server.wsUrl}/${roomDocName(created.id)}`);
    expect((await refused.closed).code).toBe(4401);

    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const value = (series: string) => {
      const match = text.split('\n').find((line) => line.startsWith(`${series} `));
      return match === undefined ? undefined : Number(match.slice(series.length + 1));
    };
    for (const name of ['arvo_rooms_loaded', 'arvo_connections', 'arvo_messages_in_total', 'arvo_update_log_appends_total', 'arvo_update_log_commit_seconds', 'arvo_rejected_messages_total']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(value('arvo_rooms_loaded')).toBe(1);
    expect(value('arvo_connections')).toBe(1);
    expect(value('arvo_messages_in_total{type="sync-step1"}')).toBeGreaterThanOrEqual(1);
    expect(value('arvo_update_log_appends_total')).toBeGreaterThanOrEqual(1);
    expect(value('arvo_update_log_commit_seconds_bucket{le="+Inf"}')).toBeGreaterThanOrEqual(1);
    expect(value('arvo_rejected_messages_total{reason="token-missing"}')).toBe(1);
    expect(text).toMatch(/^arvo_update_log_commit_seconds_bucket\{le="0\.001"\} \d+$/m);
  });
});
