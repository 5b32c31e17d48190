import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaims } from '../../client/src/sync/session';
import { OP_NAMES } from '../../shared/ops/registry';
import { WorkshopSync } from '../../client/src/sync/workshop';
import { createWorkshop, join, type Created } from '../helpers/api';
import { nodeTransports, untilBoard } from '../helpers/nodeSync';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * The browser's sync layer (client/src/sync/workshop.ts and its parts) in Node, with its
 * transports injected: the real mux client on a `ws` socket to a real server, no persistence,
 * fetch counted, frames as timers. What a tab sees: its own edits at once, others' edits when
 * they arrive, the method's routing of notes into drafts during a round, refusals as a toast.
 */
let server: TestServer;
let workshop: Created;
const syncs: WorkshopSync[] = [];
const fetched: string[] = [];


function open(token: string, name: string): WorkshopSync {
  const claims = decodeClaims(token)!;
  const sync = new WorkshopSync({
    workshopId: workshop.id,
    token,
    claims,
    name,
    wsOrigin: server.url.replace('http', 'ws'),
    httpOrigin: server.url,
    transports: nodeTransports({ onFetch: (url) => fetched.push(url) }),
  });
  syncs.push(sync);
  return sync;
}


beforeAll(async () => {
  server = await startTestServer();
  workshop = await createWorkshop(server.url, ['City', 'School']);
});
afterEach(() => {
  for (const sync of syncs.splice(0)) sync.destroy();
});
afterAll(async () => {
  await server.close();
  removeDir(server.dataDir);
});

describe('the sync layer with injected transports', () => {
  it('connects over the injected socket, asks the injected fetch for the server clock, and reads the room', async () => {
    const facilitator = open(workshop.facilitatorToken, 'Fa');
    await facilitator.whenRoomReady();
    const board = await untilBoard(facilitator, (b) => b.status === 'live' && b.room.actors.length === 2, 'the room');
    expect(board.room.actors.map((a) => a.name)).toEqual(['City', 'School']);
    expect(board.me.role).toBe('facilitator');
    expect(fetched).toContain(`${server.url}/api/time`);
  });

  it("shows my own note at once, and another tab's when it arrives", async () => {
    const facilitator = open(workshop.facilitatorToken, 'Fa');
    await facilitator.whenRoomReady();
    const actors = (await untilBoard(facilitator, (b) => b.room.actors.length === 2, 'actors')).room.actors;
    const joined = await join(server.url, workshop.id, workshop.participantJoinKey, 'Pia', actors[0]!.id);
    const participant = open(joined.token, 'Pia');
    await participant.whenRoomReady();
    await untilBoard(participant, (b) => b.status === 'live', 'live');

    const id = participant.addNote({ questionId: '1b', text: 'hello', x: 10, y: 20 });
    // Same tick: the snapshot already has it, mine and public (no round is open).
    const mine = participant.current.notes.find((n) => n.id === id);
    expect(mine).toMatchObject({ text: 'hello', mine: true, draft: false, participantId: joined.participantId });

    const seen = await untilBoard(facilitator, (b) => b.notes.some((n) => n.id === id), "the participant's note");
    expect(seen.notes.find((n) => n.id === id)).toMatchObject({ text: 'hello', mine: false, authorName: 'Pia', actorId: actors[0]!.id });

    participant.updateNote(id, { text: 'hello again' });
    expect(participant.current.notes.find((n) => n.id === id)?.text).toBe('hello again');
    await untilBoard(facilitator, (b) => b.notes.find((n) => n.id === id)?.text === 'hello again', 'the edit');

    // Undo is at once too (the add and the edit, within one capture window, go together).
    participant.undo();
    expect(participant.current.notes.some((n) => n.id === id)).toBe(false);
    expect(participant.current.canRedo).toBe(true);
  });

  it('during a round a note is a private draft; the facilitator never sees it until posted', async () => {
    const facilitator = open(workshop.facilitatorToken, 'Fa');
    await facilitator.whenRoomReady();
    const actors = (await untilBoard(facilitator, (b) => b.room.actors.length === 2, 'actors')).room.actors;
    const joined = await join(server.url, workshop.id, workshop.participantJoinKey, 'Rob', actors[1]!.id);
    const participant = open(joined.token, 'Rob');
    await participant.whenRoomReady();

    facilitator.startRound('3a', 60_000);
    expect(facilitator.current.room.session.round?.questionId).toBe('3a');
    await untilBoard(participant, (b) => b.room.session.round?.questionId === '3a', 'the round');
    const id = participant.addNote({ questionId: '3a', text: 'secret', x: 0, y: 0 });
    expect(participant.current.notes.find((n) => n.id === id)?.draft).toBe(true);

    participant.postDraft(id);
    expect(participant.current.notes.find((n) => n.id === id)?.draft).toBe(false);
    await untilBoard(facilitator, (b) => b.notes.some((n) => n.id === id && !n.draft), 'the posted note');
    facilitator.endRound();
  });

  it('a write the server refuses comes back as a refusal', async () => {
    const facilitator = open(workshop.facilitatorToken, 'Fa');
    await facilitator.whenRoomReady();
    const actors = (await untilBoard(facilitator, (b) => b.room.actors.length === 2, 'actors')).room.actors;
    const joined = await join(server.url, workshop.id, workshop.participantJoinKey, 'Eve', actors[0]!.id);
    const participant = open(joined.token, 'Eve');
    await participant.whenRoomReady();
    // Participants cannot write the room: the server says no, the tab shows why.
    participant.setWallLocked(true);
    const refused = await untilBoard(participant, (b) => b.lastRefusal !== null, 'a refusal');
    expect(refused.lastRefusal?.reason).toBeTruthy();
  });

  it("others' cursors arrive as presence and do not rebuild the board", async () => {
    const facilitator = open(workshop.facilitatorToken, 'Fa');
    await facilitator.whenRoomReady();
    const actors = (await untilBoard(facilitator, (b) => b.room.actors.length === 2, 'actors')).room.actors;
    const joined = await join(server.url, workshop.id, workshop.participantJoinKey, 'Cur', actors[0]!.id);
    const participant = open(joined.token, 'Cur');
    await participant.whenRoomReady();
    const before = await untilBoard(facilitator, (b) => b.presence.some((p) => p.participantId === joined.participantId), 'presence');
    participant.setCursor({ x: 42, y: 7 });
    const after = await untilBoard(facilitator, (b) => b.presence.some((p) => p.cursor?.x === 42), 'the cursor');
    expect(after.notes).toBe(before.notes);
    expect(after.room).toBe(before.room);
    expect(after.analysis).toBe(before.analysis);
  });

  it('runs every op through one path: the typed methods are the registry, and a local op is in the board at once', async () => {
    const facilitator = open(workshop.facilitatorToken, 'Fa');
    await facilitator.whenRoomReady();
    for (const name of OP_NAMES) expect(typeof facilitator[name], name).toBe('function');
    const themeId = facilitator.run('createTheme', ['Trust', 'challenge']);
    expect(facilitator.current.analysis.themes.find((t) => t.id === themeId)?.name).toBe('Trust');
    const questionId = facilitator.addQuestion({ text: { fi: 'Mitä muuta?', en: 'What else?' }, kind: 'open', perActor: false });
    expect(facilitator.current.room.questions.some((q) => q.id === questionId)).toBe(true);
    facilitator.deleteQuestion(questionId);
    expect(facilitator.current.room.questions.some((q) => q.id === questionId)).toBe(false);
    facilitator.deleteTheme(themeId);
    expect(facilitator.current.analysis.themes.some((t) => t.id === themeId)).toBe(false);
  });
});
