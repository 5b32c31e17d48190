/**
 * The HTTP API as the client calls it. Errors carry the server's `{ error: { code, message } }`
 * so the UI can show what was wrong with the form.
 */
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
  language: 'fi' | 'en';
  actors: Array<{ name: string; color?: string }>;
  facilitatorName?: string;
}

export interface CreatedWorkshop {
  id: string;
  facilitatorId: string;
  facilitatorToken: string;
  participantJoinKey: string;
  observerJoinKey: string;
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
  language: 'fi' | 'en';
  template: string;
  actors: Array<{ id: string; name: string; color: string }>;
}

export async function previewWorkshop(workshopId: string, joinKey: string): Promise<WorkshopPreview> {
  const response = await fetch(`/api/workshops/${workshopId}/preview?k=${encodeURIComponent(joinKey)}`);
  const json = (await response.json().catch(() => ({}))) as WorkshopPreview & { error?: { code: string; message: string } };
  if (!response.ok) throw new ApiError(response.status, json.error?.code ?? 'error', json.error?.message ?? response.statusText);
  return json;
}
