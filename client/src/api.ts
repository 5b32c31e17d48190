/**
 * The HTTP API as the client calls it. Errors carry the server's `{ error: { code, message } }`
 * so the UI can show what was wrong with the form.
 */
import type { Language } from '../../shared/schema/common';
import type { ServerInfo } from './model/joinLinks';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds to wait before trying again (the Retry-After of a 429 or 503), when the server said. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

/** The header that carries the server's CREATE_KEY, when it asks for one. */
export const CREATE_KEY_HEADER = 'x-arvo-create-key';

async function post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, 'network', String(error));
  }
  const json = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string; details?: unknown } };
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new ApiError(response.status, json.error?.code ?? 'error', json.error?.message ?? response.statusText, json.error?.details, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
  }
  return json as T;
}

export interface CreateWorkshopRequest {
  title: string;
  template: 'value-network' | 'dialogue' | 'blank';
  language: Language;
  actors: Array<{ name: string; color?: string }>;
  facilitatorName?: string;
}

export interface CreatedWorkshop {
  id: string;
  facilitatorId: string;
  facilitatorToken: string;
  participantJoinKey: string;
  observerJoinKey: string;
  /** The facilitator's recovery secret: shown once, kept in this browser (issue 8). */
  recoverySecret?: string;
}

export interface JoinedWorkshop {
  participantId: string;
  role: 'participant' | 'observer' | 'facilitator';
  actorId: string | null;
  token: string;
}

/** `createKey`: the server's key for creating workshops, when it requires one (error code `create-key-required`). */
export const createWorkshop = (request: CreateWorkshopRequest, createKey?: string) =>
  post<CreatedWorkshop>('/api/workshops', request, createKey ? { [CREATE_KEY_HEADER]: createKey } : {});
export const joinWorkshop = (workshopId: string, request: { joinKey: string; name: string; actorId?: string }) =>
  post<JoinedWorkshop>(`/api/workshops/${workshopId}/join`, request);

export interface WorkshopPreview {
  id: string;
  role: 'participant' | 'observer';
  title: string;
  language: Language;
  template: string;
  actors: Array<{ id: string; name: string; color: string }>;
}

export async function previewWorkshop(workshopId: string, joinKey: string): Promise<WorkshopPreview> {
  const response = await fetch(`/api/workshops/${workshopId}/preview?k=${encodeURIComponent(joinKey)}`);
  const json = (await response.json().catch(() => ({}))) as WorkshopPreview & { error?: { code: string; message: string } };
  if (!response.ok) throw new ApiError(response.status, json.error?.code ?? 'error', json.error?.message ?? response.statusText);
  return json;
}

// ——— Membership (issue 8): renewal, recovery, invite links, rotation, removal ———

/** A call with the holder's token (`Authorization: Bearer`), JSON in and out. */
async function authed<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, 'network', String(error));
  }
  const json = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string; details?: unknown } };
  if (!response.ok) throw new ApiError(response.status, json.error?.code ?? 'error', json.error?.message ?? response.statusText, json.error?.details);
  return json as T;
}

export interface InviteKeys {
  participantJoinKey: string;
  observerJoinKey: string;
}

export interface RecoveredAccess extends InviteKeys {
  workshopId: string;
  participantId: string;
  facilitatorToken: string;
}

export const renewToken = (workshopId: string, token: string) => authed<{ token: string; expiresAt: number }>('POST', `/api/workshops/${workshopId}/renew`, token);
export const recoverAccess = (workshopId: string, secret: string) => authed<RecoveredAccess>('POST', `/api/workshops/${workshopId}/recover`, null, { secret });
/** The current join keys (facilitator); null keys when the server has none kept for this workshop. */
export const fetchInvite = (workshopId: string, token: string) =>
  authed<{ participantJoinKey: string | null; observerJoinKey: string | null }>('GET', `/api/workshops/${workshopId}/invite`, token);
export const rotateJoinKeys = (workshopId: string, token: string, which: 'participant' | 'observer' | 'both' = 'both') =>
  authed<InviteKeys>('POST', `/api/workshops/${workshopId}/join-keys`, token, { which });
export const rotateRecovery = (workshopId: string, token: string) => authed<{ recoverySecret: string }>('POST', `/api/workshops/${workshopId}/recovery`, token);
export const removeParticipant = (workshopId: string, token: string, participantId: string) =>
  authed<{ participantId: string; removedAt: number }>('DELETE', `/api/workshops/${workshopId}/participants/${participantId}`, token);
/** Revokes every token of the caller (other devices, old links); returns a fresh one for this device. */
export const signOutEverywhere = (workshopId: string, token: string) => authed<{ token: string }>('POST', `/api/workshops/${workshopId}/sign-out-everywhere`, token);
/** Where join links can point (facilitator): PUBLIC_URL, whether the server listens on loopback only, LAN origins. */
export const fetchServerInfo = (workshopId: string, token: string) => authed<ServerInfo>('GET', `/api/workshops/${workshopId}/server-info`, token);
