/**
 * The reference for `npm run bench`: a bare Yjs relay, what y-websocket's server utilities do
 * (apply every update to an in-memory Y.Doc, encode it once, send it to every connection of the
 * document; answer sync step 1; a ping timer per connection) — nothing else: no tokens, no
 * permissions, no content checks, no update log, no quotas. y-websocket 3 no longer ships those
 * utilities, so this is them, written against y-protocols' wire format.
 *
 * It speaks Arvo's multiplexed framing (shared/protocol/mux.ts) so that the topology is the same
 * as Arvo's: one socket per tab carrying every document the tab follows.
 *
 * BARE_GUARDS=commit,check adds, the simplest way a relay could, what Arvo guarantees and a bare
 * relay does not — so the benchmark can say what those guarantees cost any relay, apart from how
 * Arvo implements them (docs/relay-benchmark.md):
 *   commit  every update is inserted into a SQLite update log (WAL, synchronous=NORMAL, one
 *           autocommitted insert per update, as Arvo's store) before it is relayed
 *   check   every client update passes Arvo's content check (shared/validate) before it is applied
 * Arvo's write policy, quotas, tokens and presence rules are not added.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocketServer, type WebSocket } from 'ws';
import * as Y from 'yjs';
import { migrate } from '../../shared/migrations';
import type { DocKind } from '../../shared/schema/layout';
import { inspectUpdate } from '../../shared/validate';

const PING_MS = 30_000;
const GUARDS = new Set((process.env.BARE_GUARDS ?? '').split(',').filter(Boolean));

/** `commit`: one SQLite file in a fresh directory, removed on exit. */
const appendToLog = GUARDS.has('commit') ? openLog() : null;
let refused = 0;

/** The kind by the name's shape only: the benchmark's ids for this relay are not Arvo's (shared/protocol/docNames.ts). */
const kindOf = (docName: string): DocKind => (docName.includes('/p/') ? 'notes' : docName.includes('/drafts/') ? 'drafts' : 'room');

/** A refusal makes the reference cheaper than what it stands for: reported at once (the benchmark lists it under the run). */
function passesCheck(doc: Y.Doc, docName: string, update: Uint8Array): boolean {
  const refusal = inspectUpdate(doc, kindOf(docName), update);
  if (refusal && refused++ === 0) process.stderr.write(`bare relay: the content check refused an update of ${docName}: ${refusal.why}\n`);
  return refusal === null;
}

function openLog(): (docName: string, update: Uint8Array) => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bare-log-'));
  const db = new Database(path.join(dir, 'log.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE updates (doc TEXT NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (doc, seq)) WITHOUT ROWID');
  const insert = db.prepare('INSERT INTO updates (doc, seq, ts, data) VALUES (?, ?, ?, ?)');
  const seqs = new Map<string, number>();
  process.on('exit', () => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return (docName, update) => {
    const seq = (seqs.get(docName) ?? 0) + 1;
    insert.run(docName, seq, Date.now(), update);
    seqs.set(docName, seq);
  };
}

interface Room {
  doc: Y.Doc;
  conns: Set<WebSocket>;
}
const rooms = new Map<string, Room>();

function muxHeader(encoder: encoding.Encoder, docName: string) {
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarString(encoder, docName);
}

function getRoom(name: string): Room {
  let room = rooms.get(name);
  if (room) return room;
  const doc = new Y.Doc({ gc: true });
  // The check knows a document's roots from its schema version, which Arvo writes when it loads a document.
  if (GUARDS.has('check')) migrate(doc, kindOf(name));
  const created: Room = { doc, conns: new Set() };
  doc.on('update', (update: Uint8Array) => {
    appendToLog?.(name, update);
    const encoder = encoding.createEncoder();
    muxHeader(encoder, name);
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarUint(encoder, 2);
    encoding.writeVarUint8Array(encoder, update);
    const frame = encoding.toUint8Array(encoder);
    for (const conn of created.conns) send(conn, frame);
  });
  rooms.set(name, created);
  room = created;
  return room;
}

function send(conn: WebSocket, frame: Uint8Array) {
  if (conn.readyState !== conn.OPEN) return;
  conn.send(frame);
}

function syncFrame(docName: string, sub: number, payload: Uint8Array) {
  const encoder = encoding.createEncoder();
  muxHeader(encoder, docName);
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, sub);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

const server = http.createServer((_request, response) => response.end('bare relay'));
const wss = new WebSocketServer({ server });
wss.on('connection', (conn) => {
  const open = new Set<string>();
  let alive = true;
  conn.on('pong', () => (alive = true));
  const ping = setInterval(() => {
    if (!alive) return conn.terminate();
    alive = false;
    conn.ping();
  }, PING_MS);
  conn.on('close', () => {
    clearInterval(ping);
    for (const name of open) rooms.get(name)?.conns.delete(conn);
  });
  conn.on('message', (data: Buffer) => {
    const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const kind = decoding.readVarUint(decoder);
    const docName = decoding.readVarString(decoder);
    if (kind === 1) {
      const room = getRoom(docName);
      room.conns.add(conn);
      open.add(docName);
      send(conn, syncFrame(docName, 0, Y.encodeStateVector(room.doc)));
      return;
    }
    if (kind === 2) {
      rooms.get(docName)?.conns.delete(conn);
      open.delete(docName);
      return;
    }
    if (kind !== 0 || !open.has(docName)) return;
    const room = getRoom(docName);
    const type = decoding.readVarUint(decoder);
    if (type !== 0) return; // presence is not part of this load
    const sub = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (sub === 0) send(conn, syncFrame(docName, 1, Y.encodeStateAsUpdate(room.doc, payload)));
    else if (GUARDS.has('check') && !passesCheck(room.doc, docName, payload)) return;
    else Y.applyUpdate(room.doc, payload, conn);
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
