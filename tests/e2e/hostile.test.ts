import { describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { notesDocName } from '../../shared/protocol/docNames';
import { notesRoots } from '../../shared/schema/layout';
import { join } from '../helpers/api';
import { connect, destroyAll, waitSynced } from '../helpers/clients';
import { createThroughStartPage, startBrowserSuite, waitForNote, waitForWall, wallTexts, writeWithButton, type Person } from './harness';

/**
 * A participant's document is untrusted input (issue 8), end to end: two honest boards in real
 * Chromium — the facilitator's wall and a participant — while an attacker with a participant
 * token writes hostile content into their own notes document with a raw Yjs client: a record
 * nested 60 000 maps deep, Y types in scalar fields, a copy of an honest note's id, a schema
 * version from the future. The boards keep updating and show the right notes, stay Live
 * without reconnecting, and after a server restart (which reloads the stored hostile document
 * and refuses it) reconnect once and go on.
 */
const ACTORS = ['Municipality', 'Association', 'School'] as const;
const DEPTH = 60_000; // the update stays under MAX_MESSAGE_BYTES

const suite = startBrowserSuite();

/** Counts the page's /mux sockets (each reconnection makes a new one). */
const COUNT_SOCKETS = () => {
  const Native = window.WebSocket;
  (window as unknown as { __muxSockets: number }).__muxSockets = 0;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      if (String(url).includes('/mux')) (window as unknown as { __muxSockets: number }).__muxSockets++;
    }
  };
};
const sockets = (person: Person) => person.page.evaluate(() => (window as unknown as { __muxSockets: number }).__muxSockets);
/** Live (again) within 15 s: after a restart the server is back within about a second and a board retries after 0.25–0.75 s, then 0.5–1.5 s, … (client/src/sync/mux.ts). */
const isLive = (person: Person, ms = 15_000) => person.page.locator('[data-testid="connection-status"][data-status="live"]').waitFor({ timeout: ms });
/** Live on a new socket: right after a restart the status may still say Live from before the page heard the close. */
const reconnected = async (person: Person) => {
  await person.page.waitForFunction(() => (window as unknown as { __muxSockets: number }).__muxSockets >= 2, undefined, { timeout: 15_000 });
  await isLive(person);
};

function hostileRecords(doc: Y.Doc, impostorOf: string): void {
  doc.transact(() => {
    const notes = notesRoots(doc).notes as unknown as Y.Map<unknown>;
    const record = (id: string, fields: Record<string, unknown>) => {
      const map = new Y.Map<unknown>();
      notes.set(id, map);
      for (const [key, value] of Object.entries({ id, questionId: '3a', text: 'x', x: 10, y: 10, createdAt: Date.now(), ...fields })) map.set(key, value);
      return map;
    };
    let deep = new Y.Map<unknown>();
    record('DeepRecord000001', {}).set('text', deep);
    for (let i = 0; i < DEPTH; i++) {
      const child = new Y.Map<unknown>();
      deep.set('x', child);
      deep = child;
    }
    record('YTextRecord00001', { text: new Y.Text('hidden y-text') });
    record('YArrayRecord0001', { x: Y.Array.from([1, 2, 3]) });
    record('WrongTypes000001', { text: 42, createdAt: 'yesterday' });
    record('ImpostorCopy0001', { id: impostorOf, text: 'impostor copy' });
    notesRoots(doc).meta.set('schemaVersion', 1e300);
  });
}

describe('hostile content from one participant', () => {
  test('the boards keep updating with the right notes, stay Live, and survive the stored document being refused after a restart', async () => {
    // Both boards count their sockets from the first load. (Through the start page and the join
    // link, as people do: no stock provider of the test's own is on the room document.)
    const countSockets = async (p: Person) => void (await p.page.addInitScript(COUNT_SOCKETS));
    const facilitator = await suite.person();
    await countSockets(facilitator);
    const { workshopId, participantLink } = await createThroughStartPage(facilitator.page, suite.server.url, 'Hostile input', ACTORS);
    await waitForWall(facilitator.page);
    const anna = await suite.join(participantLink, 'Anna', 'Municipality', { beforeJoin: countSockets });
    await waitForWall(anna.page);
    const first = await writeWithButton(anna.page, 'Anna before the attack');
    await waitForNote(facilitator.page, { text: 'Anna before the attack' }, 10_000);

    // The attacker: a participant token and a raw Yjs client on their own notes document.
    const key = new URL(participantLink).searchParams.get('k')!;
    const preview = (await (await fetch(`${suite.server.url}/api/workshops/${workshopId}/preview?k=${encodeURIComponent(key)}`)).json()) as { actors: Array<{ id: string; name: string }> };
    const school = preview.actors.find((a) => a.name === 'School')!;
    const mallory = await join(suite.server.url, workshopId, key, 'Mallory', school.id);
    const attacker = connect(suite.server.wsUrl, notesDocName(workshopId, mallory.participantId), mallory.token);
    await waitSynced(attacker);
    addNote(attacker.doc, { questionId: '3a', text: 'Mallory, a valid note', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    hostileRecords(attacker.doc, first.note.id);

    // The honest boards keep updating: a note written after the attack reaches the wall.
    await writeWithButton(anna.page, 'Anna after the attack');
    await waitForNote(facilitator.page, { text: 'Anna after the attack' }, 10_000);
    await waitForNote(facilitator.page, { text: 'Mallory, a valid note' }, 10_000);
    const texts = await wallTexts(facilitator.page);
    for (const bad of ['impostor copy', 'hidden y-text', '42']) expect(texts).not.toContain(bad);
    expect(texts.filter((t) => t === 'Anna before the attack')).toHaveLength(1);
    await Promise.all([isLive(facilitator), isLive(anna)]);
    expect(await sockets(facilitator)).toBe(1);
    expect(await sockets(anna)).toBe(1);

    // Restart on the same port: the boards reconnect and carry on (the content check kept the hostile
    // records out of the store; tests/integration/bad-document.test.ts covers documents stored hostile).
    destroyAll();
    await suite.restartServer();
    await Promise.all([reconnected(facilitator), reconnected(anna)]);
    await writeWithButton(anna.page, 'Anna after the restart');
    await waitForNote(facilitator.page, { text: 'Anna after the restart' }, 15_000);
    // No reconnect loop: the sockets opened while the server was down are counted, then the count
    // must stay put while both boards are live. The restart takes well under a second (at most the
    // shutdown grace, server/app.ts, when a peer holds its socket), so each board reconnects within
    // its first retries: at most 5 (6 sockets) for any downtime under 3.75 s, whatever the jitter.
    // (A close that waited 75 s for a spare connection Chromium had opened, as it once did, cost 9.)
    const settled = [await sockets(facilitator), await sockets(anna)];
    expect(settled.every((n) => n >= 2 && n <= 6), `sockets opened by the two boards: ${settled.join(', ')}`).toBe(true);
    await facilitator.page.waitForTimeout(3000); // a span of time with nothing to await: counting reconnections in it
    expect([await sockets(facilitator), await sockets(anna)]).toEqual(settled);
    await Promise.all([isLive(facilitator), isLive(anna)]);

    // A fresh load of the wall (with the hostile copy in IndexedDB) shows the honest notes.
    await facilitator.page.reload();
    await waitForWall(facilitator.page);
    await waitForNote(facilitator.page, { text: 'Anna after the restart' }, 15_000);
    await waitForNote(facilitator.page, { text: 'Anna before the attack' }, 15_000);
    await isLive(facilitator);
  }, 180_000);
});
