import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import { TokenError, type TokenService } from '../auth/tokens';
import { HttpError, sendJson } from './json';

/**
 * GET /api/workshops/:id/server-info (facilitator token): what the invite panel and the room
 * screen need to write join links a phone can open (client/src/model/joinLinks.ts):
 *   publicUrl     PUBLIC_URL, when set: the links use it and nothing else
 *   listening     'loopback' (HOST=127.0.0.1/localhost/::1: no other device can connect),
 *                 'all' (0.0.0.0 / ::) or 'address' (one specific address)
 *   lanOrigins    when listening on all interfaces: http://<address>:<port> for the machine's
 *                 external IPv4 addresses first, then IPv6
 * Facilitator-only because the machine's internal addresses are nobody else's business.
 */
const PATH = /^\/api\/workshops\/([0-9A-Za-z]{16})\/server-info$/;

export type Listening = 'loopback' | 'all' | 'address';

export interface ServerInfo {
  publicUrl: string | null;
  listening: Listening;
  lanOrigins: string[];
}

export function listeningKind(host: string): Listening {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === '0.0.0.0' || h === '::' || h === '') return 'all';
  if (h === 'localhost' || h === '::1' || h.startsWith('127.') || h === '::ffff:127.0.0.1') return 'loopback';
  return 'address';
}

/** The machine's non-internal addresses as origins on `port`: IPv4 first (what phones type best). */
export function lanOrigins(port: number, interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) {
      if (info.internal) continue;
      if (info.family === 'IPv4') v4.push(`http://${info.address}:${port}`);
      // Link-local IPv6 needs a zone id that browsers do not accept in URLs.
      else if (info.family === 'IPv6' && !info.address.toLowerCase().startsWith('fe80')) v6.push(`http://[${info.address}]:${port}`);
    }
  }
  return [...new Set([...v4, ...v6])];
}

export interface ServerInfoDeps {
  tokens: TokenService;
  host: string;
  publicUrl: string | undefined;
  /** The port actually listened on (known only after listen). */
  port: () => number;
}

export function createServerInfoRoute(deps: ServerInfoDeps) {
  return async function route(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<boolean> {
    const match = PATH.exec(pathname);
    if (!match) return false;
    if ((request.method ?? 'GET') !== 'GET') throw new HttpError(405, 'method-not-allowed', 'use GET');
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    let role: string;
    let workshopId: string;
    try {
      ({ role, workshopId } = await deps.tokens.verify(bearer?.[1] ?? null));
    } catch (error) {
      if (error instanceof TokenError) throw new HttpError(401, 'unauthorized', 'send a valid token as Authorization: Bearer <token>');
      throw error;
    }
    if (workshopId !== match[1] || role !== 'facilitator') throw new HttpError(403, 'forbidden', 'only the facilitator of this workshop can see the server addresses');
    const listening = listeningKind(deps.host);
    const info: ServerInfo = {
      publicUrl: deps.publicUrl ?? null,
      listening,
      lanOrigins: listening === 'all' ? lanOrigins(deps.port()) : [],
    };
    sendJson(response, 200, info);
    return true;
  };
}
