/** Typed calls to the HTTP API, as any client would make them. */
export interface Created {
  id: string;
  facilitatorId: string;
  facilitatorToken: string;
  participantJoinKey: string;
  observerJoinKey: string;
}
export interface Joined {
  participantId: string;
  role: string;
  actorId: string | null;
  token: string;
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

export async function createWorkshop(baseUrl: string, actors = ['Municipality', 'Association', 'School']): Promise<Created> {
  const { status, json } = await postJson(`${baseUrl}/api/workshops`, {
    title: 'Test workshop',
    template: 'value-network',
    language: 'en',
    actors: actors.map((name) => ({ name })),
  });
  if (status !== 201) throw new Error(`create failed: ${status} ${JSON.stringify(json)}`);
  return json as Created;
}

export async function join(baseUrl: string, workshopId: string, joinKey: string, name: string, actorId?: string): Promise<Joined> {
  const { status, json } = await postJson(`${baseUrl}/api/workshops/${workshopId}/join`, { joinKey, name, actorId });
  if (status !== 201) throw new Error(`join failed: ${status} ${JSON.stringify(json)}`);
  return json as Joined;
}

/** The workshop's actors, as the join page gets them (GET …/preview with a join key). */
export async function actorsOf(baseUrl: string, workshop: Created): Promise<Array<{ id: string; name: string }>> {
  const response = await fetch(`${baseUrl}/api/workshops/${workshop.id}/preview?k=${encodeURIComponent(workshop.participantJoinKey)}`);
  if (response.status !== 200) throw new Error(`preview failed: ${response.status}`);
  return ((await response.json()) as { actors: Array<{ id: string; name: string }> }).actors;
}

/** Joins each name as a participant of the actor at the given index (0: the first actor). */
export async function joinAs(baseUrl: string, workshop: Created, people: ReadonlyArray<readonly [name: string, actorIndex: number]>): Promise<Joined[]> {
  const actors = await actorsOf(baseUrl, workshop);
  const joined: Joined[] = [];
  for (const [name, index] of people) joined.push(await join(baseUrl, workshop.id, workshop.participantJoinKey, name, actors[index]!.id));
  return joined;
}
