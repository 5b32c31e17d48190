import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { CloseCode } from '../../shared/protocol/wire';
import { readRoom } from '../../shared/read/snapshot';
import { newId } from '../../shared/schema/ids';
import { createWorkshop, join, type Created, type Joined } from '../helpers/api';
import { RawClient } from '../helpers/raw';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * Refusals at the upgrade: every bad token or document name ends the connection with a named
 * close code and reason, before a single byte of any document is sent. The server's secret is
 * fixed so that the test can sign tokens itself, exactly as the server would.
 */
const SECRET = 'x'.repeat(40);
const secretKey = new TextEncoder().encode(SECRET);

let server: TestServer;
let workshop: Created;
let other: Created;
let anna: Joined;
let raws: RawClient[] = [];

beforeAll(async () => {
  server = await startTestServer({ SECRET });
  workshop = await createWorkshop(server.url);
  other = await createWorkshop(server.url);
  const probe = await RawClient.connect(server.wsUrl, roomDocName(workshop.id), workshop.facilitatorToken);
  await probe.sync();
  const actor = readRoom(probe.doc).actors[0]!;
  probe.close();
  anna = await join(server.url, workshop.id, workshop.participantJoinKey, 'Anna', actor.id);
});
afterEach(() => {
  for (const raw of raws) raw.close();
  raws = [];
});
afterAll(async () => {
  await server.close();
  removeDir(server.dataDir);
});

interface TokenClaims {
  wid: string;
  sub: string;
  role: string;
  aid: string | null;
}

/** Signs a token the way the server does (HS256, issuer 'arvo'), with choices a test can vary. */
function sign(claims: TokenClaims, options: { key?: Uint8Array; exp?: number; issuer?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ wid: claims.wid, role: claims.role, aid: claims.aid })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(options.issuer ?? 'arvo')
    .setIssuedAt(Math.min(now, (options.exp ?? now + 3600) - 60))
    .setExpirationTime(options.exp ?? now + 3600)
    .sign(options.key ?? secretKey);
}

const annaClaims = (): TokenClaims => ({ wid: workshop.id, sub: anna.participantId, role: 'participant', aid: anna.actorId });

async function open(path: string): Promise<RawClient> {
  const client = await RawClient.open(`${server.wsUrl}/${path}`);
  raws.push(client);
  return client;
}

const withToken = (docName: string, token: string) => `${docName}?token=${encodeURIComponent(token)}`;

/** Opens, expects the named refusal, and that nothing at all was sent before it. */
async function expectRefusal(path: string, code: number, reason: string | RegExp): Promise<void> {
  const client = await open(path);
  // If the server accepted the connection after all, its first message ends the wait (no timeout).
  const never = new Promise<never>(() => undefined);
  const accepted = client.waitFor(() => true, 'a first message').then((m) => ({ code: -1, reason: `accepted; got ${m.type}` }), () => never);
  const closed = await Promise.race([client.closed, accepted]);
  expect(closed.code, path).toBe(code);
  if (typeof reason === 'string') expect(closed.reason, path).toBe(reason);
  else expect(closed.reason, path).toMatch(reason);
  expect(client.received, path).toEqual([]);
}

async function rejectedCount(reason: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = new RegExp(`^arvo_rejected_messages_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/** Changes one character in the middle of the signature (the last one may only carry padding bits). */
function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const i = Math.floor(signature.length / 2);
  const changed = signature[i] === 'A' ? 'B' : 'A';
  return [header, payload, signature.slice(0, i) + changed + signature.slice(i + 1)].join('.');
}

describe('tokens and document names at the upgrade', () => {
  it('a token the test signs with the server secret is accepted (the control for the cases below)', async () => {
    const client = await open(withToken(notesDocName(workshop.id, anna.participantId), await sign(annaClaims())));
    await client.sync();
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it('a missing token is refused with 4401', async () => {
    const before = await rejectedCount('token-missing');
    await expectRefusal(roomDocName(workshop.id), CloseCode.unauthorized, 'token missing');
    await expectRefusal(`${roomDocName(workshop.id)}?token=`, CloseCode.unauthorized, 'token missing');
    expect(await rejectedCount('token-missing')).toBe(before + 2);
  });

  it('a tampered token is refused with 4401', async () => {
    const tampered = tamper(workshop.facilitatorToken);
    expect(tampered).not.toBe(workshop.facilitatorToken);
    await expectRefusal(withToken(roomDocName(workshop.id), tampered), CloseCode.unauthorized, 'token invalid');
    // The payload changed instead (a participant promoting itself): the signature no longer matches.
    const [header, payload, signature] = anna.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const promoted = Buffer.from(JSON.stringify({ ...claims, role: 'facilitator' })).toString('base64url');
    await expectRefusal(withToken(roomDocName(workshop.id), `${header}.${promoted}.${signature}`), CloseCode.unauthorized, 'token invalid');
  });

  it('a token signed with another secret is refused with 4401', async () => {
    const foreign = await sign(annaClaims(), { key: new TextEncoder().encode('y'.repeat(40)) });
    await expectRefusal(withToken(notesDocName(workshop.id, anna.participantId), foreign), CloseCode.unauthorized, 'token invalid');
  });

  it("a token issued by another server (another SECRET) is refused with 4401", async () => {
    const second = await startTestServer({ SECRET: 'z'.repeat(40) });
    try {
      const elsewhere = await createWorkshop(second.url);
      await expectRefusal(withToken(roomDocName(workshop.id), elsewhere.facilitatorToken), CloseCode.unauthorized, 'token invalid');
      await expectRefusal(withToken(roomDocName(elsewhere.id), elsewhere.facilitatorToken), CloseCode.unauthorized, 'token invalid');
    } finally {
      await second.close();
      removeDir(second.dataDir);
    }
  });

  it('a token with the wrong issuer or without Arvo claims is refused with 4401', async () => {
    const wrongIssuer = await sign(annaClaims(), { issuer: 'someone-else' });
    await expectRefusal(withToken(roomDocName(workshop.id), wrongIssuer), CloseCode.unauthorized, 'token invalid');
    const badRole = await sign({ ...annaClaims(), role: 'admin' });
    await expectRefusal(withToken(roomDocName(workshop.id), badRole), CloseCode.unauthorized, 'token invalid');
    await expectRefusal(withToken(roomDocName(workshop.id), 'not-a-jwt'), CloseCode.unauthorized, 'token invalid');
  });

  it('an expired token is refused with 4401 and a reason that says so', async () => {
    const before = await rejectedCount('token-expired');
    const expired = await sign(annaClaims(), { exp: Math.floor(Date.now() / 1000) - 60 });
    await expectRefusal(withToken(notesDocName(workshop.id, anna.participantId), expired), CloseCode.unauthorized, /expired/);
    expect(await rejectedCount('token-expired')).toBe(before + 1);
  });

  it('a valid token for another workshop is refused with 4403', async () => {
    await expectRefusal(withToken(roomDocName(other.id), workshop.facilitatorToken), CloseCode.forbidden, 'token is for another workshop');
    await expectRefusal(withToken(notesDocName(other.id, anna.participantId), anna.token), CloseCode.forbidden, 'token is for another workshop');
  });

  it('a malformed document name is refused with 4400', async () => {
    const token = encodeURIComponent(workshop.facilitatorToken);
    const id = workshop.id;
    const pid = anna.participantId;
    const names = [
      'not-a-document',
      id.slice(1),
      `${id}x`,
      `${id}/x/${pid}`,
      `${id}/p/${pid}/extra`,
      `${id}/p/`,
      `${id}/`,
      `${id}/p/..`,
      `${id}/p/${pid.slice(0, 15)}!`,
    ];
    for (const name of names) await expectRefusal(`${name}?token=${token}`, CloseCode.badRequest, /^not a document name/);
    // A percent-encoding that does not decode.
    await expectRefusal(`${id}%E0%A4%A?token=${token}`, CloseCode.badRequest, 'malformed document name');
  });

  it('an unknown workshop, with a correctly signed token for it, is refused with 4404', async () => {
    const ghost = newId();
    const token = await sign({ wid: ghost, sub: newId(), role: 'facilitator', aid: null });
    await expectRefusal(withToken(roomDocName(ghost), token), CloseCode.unknownDocument, 'no such workshop');
  });

  it("an unknown participant's notes (or drafts) document is refused with 4404", async () => {
    const stranger = newId();
    await expectRefusal(withToken(notesDocName(workshop.id, stranger), workshop.facilitatorToken), CloseCode.unknownDocument, 'no such participant in this workshop');
    await expectRefusal(withToken(notesDocName(workshop.id, stranger), anna.token), CloseCode.unknownDocument, 'no such participant in this workshop');
    // A well-signed token for a participant the workshop never had: not even its "own" drafts exist.
    const ghostToken = await sign({ wid: workshop.id, sub: stranger, role: 'participant', aid: null });
    await expectRefusal(withToken(draftsDocName(workshop.id, stranger), ghostToken), CloseCode.unknownDocument, 'no such participant in this workshop');
  });
});
