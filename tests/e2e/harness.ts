import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import type { WallHookArea, WallHookNote } from '../../client/src/canvas/testHook';
import { roomDocName } from '../../shared/protocol/docNames';
import { readRoom } from '../../shared/read/snapshot';
import type { Actor } from '../../shared/schema/actor';
import { createWorkshop, join, postJson, type Created, type Joined } from '../helpers/api';
import { connect, destroyAll, waitSynced, type Peer } from '../helpers/clients';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * Real headless Chromium (Debian's package, never a downloaded one) against a real server that
 * serves the built client (`npm test` builds it first). Artefacts go to test-results/.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTEFACTS = path.resolve('test-results');
const CLIENT_BUILD = path.resolve('dist/client/index.html');

export function assertPrerequisites(): void {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (bash .ci/run does it)`);
  if (!fs.existsSync(CLIENT_BUILD)) throw new Error('the client is not built: run `npm run build` (npm test does it)');
}

export async function launchBrowser(): Promise<Browser> {
  assertPrerequisites();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions in the page (a test fails on any). */
  errors: string[];
}

/** A fresh browser profile (own localStorage and IndexedDB), like a separate person's device. */
export async function newPerson(browser: Browser, options: { width?: number; height?: number; mobile?: boolean } = {}): Promise<Person> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    isMobile: options.mobile ?? false,
    hasTouch: options.mobile ?? false,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => {
    errors.push(error.message);
    console.error(`[browser] ${error.message}`);
  });
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTEFACTS, { recursive: true });
  const file = path.join(ARTEFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(`screenshot: ${file}`);
  return file;
}

// ——— one browser and one server per test file ———

export interface BrowserSuiteOptions {
  /** The server's environment (tests/helpers/server.ts adds the test defaults). */
  env?: Record<string, string>;
  /** False for a file that starts only its own servers (`suite.extraServer`). */
  server?: boolean;
  /**
   * 'test' (default): the people (browser profiles) and stock providers of a test are closed after
   * it. 'file': they live until the end of the file — for steps that build on each other, or stock
   * providers a `setup` made for every test.
   */
  people?: 'test' | 'file';
  clients?: 'test' | 'file';
  /** More setup once the server and browser are up, in the same beforeAll (seeding a workshop). */
  setup?: (suite: BrowserSuite) => Promise<void>;
  /** The beforeAll's timeout (default 90 s: Chromium, a server and any seeding, on a loaded machine). */
  setupTimeout?: number;
  /** Each test's timeout unless the test gives its own (default BROWSER_TEST_MS). */
  testTimeout?: number;
}

/**
 * A browser test drives several pages through whole page loads; on two cores shared with another
 * test file (vitest runs two at a time) that takes several times as long as alone. The waits
 * inside the tests keep their own, tighter deadlines.
 */
export const BROWSER_TEST_MS = 90_000;

export interface PersonOptions {
  width?: number;
  height?: number;
  mobile?: boolean;
}

export interface BrowserSuite {
  /** The file's server (after a `restartServer`, the new one). */
  readonly server: TestServer;
  readonly browser: Browser;
  /** A fresh browser profile, closed with the others (an uncaught exception in it fails the test). */
  person(options?: PersonOptions): Promise<Person>;
  /** Closes `person` with the others and checks its errors (for people made with the plain helpers). */
  track(person: Person): Person;
  /** `joinThroughLink`, tracked. */
  join(link: string, name: string, actorName: string, options?: Parameters<typeof joinThroughLink>[4]): Promise<Person>;
  /**
   * A tracked person with `token` in localStorage on `?view=` of the workshop (English UI), with the
   * join keys when the token is the facilitator's; with `live`, once the connection status says Live.
   */
  open(workshop: { created: Created }, token: string, view: string, options?: OpenOptions): Promise<Page>;
  /** A workshop made through the HTTP API, with the facilitator's stock provider on the room document. */
  workshop(options?: WorkshopOptions): Promise<ApiWorkshop>;
  /** Stops the server and starts it again on the same port and data directory (the pages reconnect). */
  restartServer(env?: Record<string, string>): Promise<TestServer>;
  /** Another server for this file (its own environment and data directory), closed after the file. */
  extraServer(env?: Record<string, string>, dataDir?: string): Promise<TestServer>;
}

export interface OpenOptions extends PersonOptions {
  /** Wait for the connection status to say Live. */
  live?: boolean;
  /** False: no join keys in localStorage even for the facilitator's token. */
  keys?: boolean;
  /** Runs on the new person before the first page load (init scripts, routes). */
  before?: (person: Person) => Promise<void>;
}

export interface JoinKeys {
  participantKey: string;
  observerKey: string;
}

export interface WorkshopOptions {
  actors?: readonly string[];
  title?: string;
  template?: string;
  language?: string;
}

export interface ApiWorkshop {
  created: Created;
  id: string;
  /** The facilitator's stock provider on the room document, synced. */
  room: Peer;
  actors: Actor[];
  actorId(name: string): string;
  /** The participant join link, as the invite panel shows it. */
  link: string;
  keys: JoinKeys;
  /** Joins through the HTTP API as a participant of `actorName` (or, without one, with the observer key). */
  join(name: string, actorName?: string): Promise<Joined>;
}

/**
 * The setup every browser test file repeated: one server and one Chromium for the file (started
 * side by side), a browser profile per person, closed after each test with a check that no page
 * threw, the stock providers destroyed, and everything torn down after the file. Call it once at
 * the top of the file; the returned object's `server` and `browser` are there from beforeAll on.
 */
export function startBrowserSuite(options: BrowserSuiteOptions = {}): BrowserSuite {
  vi.setConfig({ testTimeout: options.testTimeout ?? BROWSER_TEST_MS });
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const people: Person[] = [];
  const extra: TestServer[] = [];

  const checkAndClose = async () => {
    const errors = people.flatMap((p) => p.errors);
    await Promise.all(people.splice(0).map((p) => p.context.close()));
    return errors;
  };

  const suite: BrowserSuite = {
    get server() {
      if (!server) throw new Error('the suite has no server (yet): startBrowserSuite starts it in beforeAll');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('the browser starts in beforeAll');
      return browser;
    },
    async person(personOptions) {
      return suite.track(await newPerson(suite.browser, personOptions));
    },
    track(person) {
      people.push(person);
      return person;
    },
    async join(link, name, actorName, joinOptions) {
      return suite.track(await joinThroughLink(suite.browser, link, name, actorName, joinOptions));
    },
    async open({ created }, token, view, openOptions = {}) {
      const person = await suite.person(openOptions);
      await openOptions.before?.(person);
      const { page } = person;
      const keys = token === created.facilitatorToken && openOptions.keys !== false ? { participantKey: created.participantJoinKey, observerKey: created.observerJoinKey } : undefined;
      await openBoard(page, suite.server.url, created.id, token, view, keys);
      if (openOptions.live) await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor({ timeout: 15_000 });
      return page;
    },
    async workshop(workshopOptions = {}) {
      return apiWorkshop(suite.server, workshopOptions);
    },
    async restartServer(env = options.env ?? {}) {
      const { port, dataDir } = suite.server;
      await suite.server.close();
      server = await startTestServer({ ...env, PORT: String(port) }, dataDir);
      return server;
    },
    async extraServer(env = {}, dataDir) {
      const started = await startTestServer(env, dataDir);
      extra.push(started);
      return started;
    },
  };

  beforeAll(async () => {
    [server, browser] = await Promise.all([options.server === false ? Promise.resolve(undefined) : startTestServer(options.env ?? {}), launchBrowser()]);
    await options.setup?.(suite);
  }, options.setupTimeout ?? 90_000);

  afterEach(async () => {
    if ((options.clients ?? 'test') === 'test') destroyAll();
    if ((options.people ?? 'test') === 'test') expect(await checkAndClose(), 'uncaught exceptions in the pages').toEqual([]);
  });

  afterAll(async () => {
    destroyAll();
    const errors = await checkAndClose();
    await browser?.close();
    for (const s of [server, ...extra]) {
      if (!s) continue;
      await s.close();
      removeDir(s.dataDir);
    }
    expect(errors, 'uncaught exceptions in the pages').toEqual([]);
  });

  return suite;
}

/** A workshop through the HTTP API, its room document synced at the facilitator's stock provider. */
export async function apiWorkshop(server: TestServer, options: WorkshopOptions = {}): Promise<ApiWorkshop> {
  const actorNames = options.actors ?? ['Municipality', 'Association', 'School'];
  let created: Created;
  if (options.title === undefined && options.template === undefined && options.language === undefined) {
    created = await createWorkshop(server.url, actorNames as string[]);
  } else {
    const { status, json } = await postJson(`${server.url}/api/workshops`, {
      title: options.title ?? 'Test workshop',
      template: options.template ?? 'value-network',
      language: options.language ?? 'en',
      actors: actorNames.map((name) => ({ name })),
    });
    if (status !== 201) throw new Error(`create failed: ${status} ${JSON.stringify(json)}`);
    created = json as Created;
  }
  const room = connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
  await waitSynced(room);
  const actors = readRoom(room.doc).actors;
  const actorId = (name: string) => {
    const actor = actors.find((a) => a.name === name);
    if (!actor) throw new Error(`no actor ${name} in ${JSON.stringify(actors.map((a) => a.name))}`);
    return actor.id;
  };
  return {
    created,
    id: created.id,
    room,
    actors,
    actorId,
    link: `${server.url}/w/${created.id}/join?k=${encodeURIComponent(created.participantJoinKey)}`,
    keys: { participantKey: created.participantJoinKey, observerKey: created.observerJoinKey },
    join: (name, actorName) =>
      actorName === undefined ? join(server.url, created.id, created.observerJoinKey, name) : join(server.url, created.id, created.participantJoinKey, name, actorId(actorName)),
  };
}

/** Opens a board view with a token in localStorage (as client/src/sync/session.ts keeps it), in English; with join keys for a facilitator. */
export async function openBoard(page: Page, baseUrl: string, workshopId: string, token: string, view: string, keys?: JoinKeys): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.evaluate(
    ({ workshopId, token, keys }) => {
      localStorage.setItem(`arvo:token:${workshopId}`, JSON.stringify({ token, name: 'Facilitator' }));
      if (keys) localStorage.setItem(`arvo:keys:${workshopId}`, JSON.stringify(keys));
      localStorage.setItem('arvo:language', 'en');
    },
    { workshopId, token, keys: keys ?? null },
  );
  await page.goto(`${baseUrl}/w/${workshopId}?view=${view}`);
}

// ——— the start and join pages ———

export interface CreatedThroughUi {
  workshopId: string;
  participantLink: string;
}

/** The facilitator fills in the start page (English, value network, the given actors) and lands on the board. */
export async function createThroughStartPage(page: Page, baseUrl: string, title: string, actors: readonly string[]): Promise<CreatedThroughUi> {
  await page.goto(baseUrl);
  await page.locator('#title').fill(title);
  await page.locator('label:has(input[name="language"][value="en"])').click();
  await page.locator('label:has(input[name="template"][value="value-network"])').click();
  for (const name of actors) {
    await page.locator('#actor-add').click();
    // Adding a row focuses its name field.
    const field = page.locator('input[id^="actor-name-"]').last();
    await field.waitFor();
    await field.fill(name);
  }
  await page.locator('form button[type="submit"]').click();
  await page.waitForURL(/\/w\/[0-9A-Za-z]{16}$/, { timeout: 10_000 });
  const workshopId = new URL(page.url()).pathname.split('/')[2]!;
  const link = page.locator('dialog.share[open] #share-participant-input');
  await link.waitFor({ timeout: 10_000 });
  return { workshopId, participantLink: await link.inputValue() };
}

/** Opens the join link in its own browser profile, enters a name, picks the actor and joins. */
export async function joinThroughLink(
  browser: Browser,
  link: string,
  name: string,
  actorName: string,
  options: { width?: number; height?: number; mobile?: boolean; beforeJoin?: (person: Person) => Promise<void> } = {},
): Promise<Person> {
  const person = await newPerson(browser, options);
  await options.beforeJoin?.(person);
  const { page } = person;
  await page.goto(link);
  await page.locator('#join-name').fill(name);
  await page.locator('label.actor-option', { hasText: actorName }).click();
  await page.locator('form button[type="submit"]').click();
  // Setup, not a latency under test: patient on a loaded machine.
  await page.waitForURL(/\/w\/[0-9A-Za-z]{16}$/, { timeout: 20_000 });
  await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor({ timeout: 20_000 });
  return person;
}

// ——— the wall (window.__arvoWall, see client/src/canvas/testHook.ts) ———

export interface WallState {
  notes: WallHookNote[];
  flipcharts: Array<{ actorId: string; x: number; y: number; width: number; height: number }>;
  areas: WallHookArea[];
  scale: number;
}

export async function waitForWall(page: Page, timeout = 10_000): Promise<void> {
  await page.waitForFunction(() => (window.__arvoWall?.flipcharts.length ?? 0) > 0, null, { timeout, polling: 50 });
}

export async function wallState(page: Page): Promise<WallState> {
  return page.evaluate(() => {
    const wall = window.__arvoWall!;
    return { notes: wall.notes, flipcharts: wall.flipcharts, areas: wall.areas, scale: wall.scale };
  });
}

export interface NoteMatch {
  text: string;
  actorId?: string;
  questionId?: string;
  aboutActorId?: string | null;
  mine?: boolean;
}

/** Waits until the wall shows a note matching every given field; returns it. */
export async function waitForNote(page: Page, match: NoteMatch, timeout = 5_000): Promise<WallHookNote> {
  const handle = await page.waitForFunction(
    (m) =>
      window.__arvoWall?.notes.find(
        (n) =>
          n.text === m.text &&
          (m.actorId === undefined || n.actorId === m.actorId) &&
          (m.questionId === undefined || n.questionId === m.questionId) &&
          (m.aboutActorId === undefined || n.aboutActorId === m.aboutActorId) &&
          (m.mine === undefined || n.mine === m.mine),
      ) ?? null,
    match,
    { timeout, polling: 25 },
  );
  return (await handle.jsonValue()) as WallHookNote;
}

/**
 * Waits for a note that someone else wrote, with a deadline counted from `sentAt` (when its author
 * pressed Enter). Returns the note and how long it took.
 */
export async function expectDelivered(page: Page, match: NoteMatch, sentAt: number, deadlineMs: number): Promise<{ note: WallHookNote; latencyMs: number }> {
  const left = Math.max(50, deadlineMs - (Date.now() - sentAt));
  try {
    const note = await waitForNote(page, match, left);
    return { note, latencyMs: Date.now() - sentAt };
  } catch (error) {
    const seen = await page.evaluate(() => window.__arvoWall?.notes.map((n) => `${n.actorId}/${n.questionId}/${n.aboutActorId ?? '-'}: ${n.text}`) ?? []);
    throw new Error(`note "${match.text}" not delivered within ${deadlineMs} ms (${JSON.stringify(match)}); the wall shows: ${JSON.stringify(seen)}\n${String(error)}`);
  }
}

/** Where a board point is in the viewport now. */
export async function toScreen(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  return page.evaluate(([bx, by]) => window.__arvoWall!.toScreen(bx!, by!), [x, y]);
}

/** Types into the open in-place editor and presses Enter; returns when Enter was pressed. */
async function typeInEditor(page: Page, text: string): Promise<number> {
  const editor = page.getByTestId('note-editor');
  await editor.waitFor({ timeout: 5_000 });
  await editor.fill(text);
  await editor.press('Enter');
  const sentAt = Date.now();
  await editor.waitFor({ state: 'detached', timeout: 5_000 });
  return sentAt;
}

export interface Written {
  note: WallHookNote;
  sentAt: number;
}

/** Double-clicks the empty part of one of your areas (by key), types the note and saves it with Enter. */
export async function writeByDoubleClick(page: Page, areaKey: string, text: string): Promise<Written> {
  const area = (await wallState(page)).areas.find((a) => a.key === areaKey);
  if (!area) throw new Error(`no area ${areaKey} on this wall`);
  // A point well inside the body, right of where the first note would go.
  const point = await toScreen(page, area.body.x + area.body.width - 60, area.body.y + area.body.height / 2);
  const viewport = page.viewportSize()!;
  if (point.x < 0 || point.y < 0 || point.x > viewport.width || point.y > viewport.height) {
    throw new Error(`area ${areaKey} is not in view (${Math.round(point.x)}, ${Math.round(point.y)})`);
  }
  await page.mouse.dblclick(point.x, point.y);
  const sentAt = await typeInEditor(page, text);
  return { note: await waitForNote(page, { text, mine: true }), sentAt };
}

/**
 * After "New note": when the wall asks where the note goes (no round open; a per-actor column not
 * pointed at), answers with `areaKey` or, without one, the choice it offers first (Enter).
 */
async function answerPicker(page: Page, areaKey?: string): Promise<void> {
  const picker = page.getByTestId('question-picker');
  const editor = page.getByTestId('note-editor');
  await picker.or(editor).first().waitFor({ timeout: 5_000 });
  if (!(await picker.isVisible())) return;
  if (areaKey) await picker.locator(`button[data-area-key="${areaKey}"]`).click();
  else await page.keyboard.press('Enter');
}

/** The "New note" button: a note in an area the wall chooses (or, when it asks, `areaKey` / its first offer), with its editor open. */
export async function writeWithButton(page: Page, text: string, areaKey?: string): Promise<Written> {
  await page.getByTestId('new-note').click();
  await answerPicker(page, areaKey);
  const sentAt = await typeInEditor(page, text);
  return { note: await waitForNote(page, { text, mine: true }), sentAt };
}

/** The N shortcut (focus on the wall, not in a field). */
export async function writeWithKey(page: Page, text: string, areaKey?: string): Promise<Written> {
  await page.getByTestId('wall').focus();
  await page.keyboard.press('n');
  await answerPicker(page, areaKey);
  const sentAt = await typeInEditor(page, text);
  return { note: await waitForNote(page, { text, mine: true }), sentAt };
}

/**
 * A note's colour as drawn: the fill of its Konva note shape (one shape per note, its fill is the
 * paper's colour), and a pixel near its bottom-right corner on the notes layer's canvas when the
 * note is in view (null when it is off-screen; notes far outside the view have no node at all).
 */
export async function noteColour(page: Page, noteId: string): Promise<{ fill: string | null; pixel: string | null }> {
  return page.evaluate((id) => {
    type Node = {
      getAttr(name: string): unknown;
      fill(): string;
      getClientRect(options?: { skipShadow?: boolean; skipStroke?: boolean }): { x: number; y: number; width: number; height: number };
      getLayer(): { getCanvas(): { _canvas: HTMLCanvasElement; getPixelRatio(): number } };
    };
    const Konva = (window as unknown as { Konva?: { stages: Array<{ find(selector: string): Node[]; container(): HTMLElement; width(): number; height(): number }> } }).Konva;
    const stage = Konva?.stages.find((s) => s.container().closest('[data-testid="wall"]'));
    const paper = stage?.find('.note').find((n) => n.getAttr('noteId') === id);
    // A note far outside the view is culled (no node): its colour is the one the wall would draw it in.
    const culled = window.__arvoWall?.notes.find((n) => n.id === id)?.color.toLowerCase() ?? null;
    if (!stage || !paper) return { fill: culled, pixel: null };
    // The bottom-right corner inside the padding: no text there (the author line is left-aligned, short).
    const rect = paper.getClientRect({ skipShadow: true, skipStroke: true });
    const inset = Math.max(3, (5 * rect.width) / 180);
    const x = rect.x + rect.width - inset;
    const y = rect.y + rect.height - inset;
    let pixel: string | null = null;
    if (x >= 0 && y >= 0 && x < stage.width() && y < stage.height()) {
      const canvas = paper.getLayer().getCanvas();
      const ratio = canvas.getPixelRatio();
      const data = canvas._canvas.getContext('2d')!.getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data;
      pixel = '#' + [data[0]!, data[1]!, data[2]!].map((v) => v.toString(16).padStart(2, '0')).join('');
    }
    return { fill: paper.fill().toLowerCase(), pixel };
  }, noteId);
}

/**
 * Every text drawn on the wall's canvas, whitespace normalised (question headings, names, notes):
 * Konva Text nodes, and the text each note shape draws (`drawnText()`, canvas/notes.ts).
 */
export async function wallTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type Found = { text?(): string; drawnText?(): string };
    const Konva = (window as unknown as { Konva?: { stages: Array<{ find(selector: string): Found[]; container(): HTMLElement }> } }).Konva;
    const stage = Konva?.stages.find((s) => s.container().closest('[data-testid="wall"]'));
    if (!stage) return [];
    const texts = [...stage.find('Text').map((node) => node.text?.() ?? ''), ...stage.find('.note').map((note) => note.drawnText?.() ?? '')];
    return texts.map((text) => text.replace(/\s+/g, ' ').trim()).filter(Boolean);
  });
}

export function colourDistance(a: string, b: string): number {
  const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const [x, y] = [rgb(a), rgb(b)];
  return Math.max(...x.map((v, i) => Math.abs(v - y[i]!)));
}
