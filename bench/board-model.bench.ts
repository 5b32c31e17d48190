import { performance } from 'node:perf_hooks';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { readBoardFull } from '../client/src/sync/board/full';
import type { BoardDoc, BoardUi, Me } from '../client/src/sync/board/inputs';
import { BoardModel } from '../client/src/sync/board/model';
import { addNote, updateNote } from '../shared/ops/notes';
import { addParticipant } from '../shared/ops/room';
import { LOCAL_ORIGIN } from '../shared/origins';
import { notesDocName } from '../shared/protocol/docNames';
import { notesRoots, roomRoots, toYMap } from '../shared/schema/layout';

/**
 * The client's board read: a full rebuild (what every change cost before issue 10) against the
 * incremental model, per remote note edit and per presence change, with N notes from P
 * participants. `tsx bench/board-model.bench.ts [notes] [participants]`.
 */
const NOTES = Number(process.argv[2] ?? 2000);
const PARTICIPANTS = Number(process.argv[3] ?? 5);
const ROUNDS = 200;

const room = new Y.Doc();
roomRoots(room).actors.set('ActorA0000000001', toYMap({ id: 'ActorA0000000001', name: 'A', color: '#112233', order: 1 }));
roomRoots(room).questions.set('q1', toYMap({ id: 'q1', text: 'Q', kind: 'open', perActor: false, order: 1 }));
const docs: BoardDoc[] = [];
for (let p = 0; p < PARTICIPANTS; p++) {
  const participantId = `Participant${String(p).padStart(5, '0')}`;
  addParticipant(room, { id: participantId, name: `P${p}`, actorId: 'ActorA0000000001', role: 'participant', joinedAt: p }, LOCAL_ORIGIN);
  const doc = new Y.Doc();
  for (let i = 0; i < NOTES / PARTICIPANTS; i++) addNote(doc, { questionId: 'q1', text: `note ${i}`, x: i, y: i }, 1_700_000_000_000 + i, LOCAL_ORIGIN);
  docs.push({ name: notesDocName('Workshop00000001', participantId), doc, participantId, draft: false });
}
const awareness = new Awareness(room);
awareness.setLocalState({ participantId: 'Facilitator00001', name: 'F', cursor: null });
const me: Me = { workshopId: 'Workshop00000001', participantId: 'Facilitator00001', role: 'facilitator', actorId: null, name: 'F' };
const ui: BoardUi = { status: 'live', statusReason: null, canUndo: false, canRedo: false, lastRefusal: null };
const model = new BoardModel({ room, awareness, me, ui: () => ui });
for (const entry of docs) model.addDoc(entry);
model.snapshot();

/** A remote edit of one note: an update made elsewhere, applied here as the socket would. */
function remoteEdit(round: number): void {
  const { doc } = docs[round % docs.length]!;
  const ids = [...notesRoots(doc).notes.keys()];
  const replica = new Y.Doc();
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
  updateNote(replica, ids[round % ids.length]!, { text: `edit ${round}` }, 1_800_000_000_000 + round, LOCAL_ORIGIN);
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(replica, Y.encodeStateVector(doc)), 'remote');
}
const other = new Awareness(new Y.Doc());
function remoteCursor(round: number): void {
  other.setLocalState({ participantId: 'Participant00001', name: 'P1', cursor: { x: round, y: round } });
  applyAwarenessUpdate(awareness, encodeAwarenessUpdate(other, [other.clientID]), 'remote');
}

function measure(label: string, change: (round: number) => void, read: () => unknown): number {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    change(round);
    const start = performance.now();
    read();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`${label.padEnd(44)} median ${median.toFixed(3)} ms   p95 ${times[Math.floor(times.length * 0.95)]!.toFixed(3)} ms`);
  return median;
}

const full = () => readBoardFull({ room, awareness, docs, me, ui });
console.log(`${NOTES} notes from ${PARTICIPANTS} participants, ${ROUNDS} changes each`);
const fullEdit = measure('full rebuild after a remote note edit', remoteEdit, full);
const incEdit = measure('incremental model after a remote note edit', remoteEdit, () => model.snapshot());
const fullCursor = measure('full rebuild after a cursor move', remoteCursor, full);
const incCursor = measure('incremental model after a cursor move', remoteCursor, () => model.snapshot());
console.log(`note edit: ${(fullEdit / incEdit).toFixed(0)}× less work; cursor move: ${(fullCursor / incCursor).toFixed(0)}× less work`);
model.destroy();
awareness.destroy();
other.destroy();
