/**
 * What every client diagnostic in this folder starts from: the benchmark's generated workshop
 * (scripts/generate-workshop.ts, seed 1) in a fresh SQLite file, a test server on it, a
 * facilitator's token, Debian's Chromium, and a page opened on the wall as the facilitator.
 * One place, so that the diagnostics look at the same wall as `npm run bench:client`.
 */
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createTokenService } from '../../server/auth/tokens';
import { openSqliteStore } from '../../server/store/sqlite';
import { generateWorkshop, importIntoStore, type GeneratedWorkshop } from '../../scripts/generate-workshop';
import { removeDir, startTestServer, tempDir, type TestServer } from '../../tests/helpers/server';

export const SECRET = 'client-benchmark-secret-0123456789abcdef';

export interface GeneratedWall {
  workshop: GeneratedWorkshop;
  server: TestServer;
  /** The facilitator's token for the workshop. */
  token: string;
  browser: Browser;
  /** Closes the browser and the server and removes the data. */
  close(): Promise<void>;
}

/** The generated workshop with `notes` notes on a fresh server, and Chromium launched. */
export async function startGeneratedWall(notes: number, env: Record<string, string> = {}): Promise<GeneratedWall> {
  const workshop = generateWorkshop({ seed: 1, notes });
  const dataDir = tempDir('arvo-client-diagnostics-');
  const store = openSqliteStore({ file: path.join(dataDir, 'arvo.sqlite'), synchronous: 'NORMAL' });
  await importIntoStore(store, workshop);
  await store.close();
  const server = await startTestServer({ SECRET, LOG_LEVEL: 'silent', ROOM_IDLE_MS: '600000', ...env }, dataDir);
  const token = await createTokenService(new TextEncoder().encode(SECRET), 3600).issue({
    workshopId: workshop.workshopId,
    participantId: workshop.facilitatorId,
    role: 'facilitator',
    actorId: null,
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  return {
    workshop,
    server,
    token,
    browser,
    async close() {
      await browser.close();
      await server.close();
      removeDir(dataDir);
    },
  };
}

/** A 1440×900 context, as the benchmark's. */
export function newWallContext(wall: GeneratedWall): Promise<BrowserContext> {
  return wall.browser.newContext({ viewport: { width: 1440, height: 900 } });
}

/** Signs the page in as the facilitator (English) without navigating to the wall yet. */
export async function signInAsFacilitator(page: Page, wall: GeneratedWall): Promise<void> {
  await page.goto(`${wall.server.url}/`);
  await page.evaluate(
    ({ id, token }) => {
      localStorage.setItem(`arvo:token:${id}`, JSON.stringify({ token, name: 'Facilitator' }));
      localStorage.setItem('arvo:language', 'en');
    },
    { id: wall.workshop.workshopId, token: wall.token },
  );
}

/** Opens the wall and waits until `share` of the workshop's wall notes are drawn. */
export async function openWall(page: Page, wall: GeneratedWall, share = 0.9): Promise<void> {
  await page.goto(`${wall.server.url}/w/${wall.workshop.workshopId}?view=wall`);
  await page.waitForFunction((n) => (window.__arvoWall?.noteCount ?? 0) >= n, Math.floor(wall.workshop.stats.wallNotesAtEnd * share), {
    timeout: 180_000,
    polling: 'raf',
  });
}

/**
 * The first half of the benchmark's pan/zoom gesture (bench/client.bench.ts `panZoom`): 9 wheel
 * steps in at the centre of the 1440×900 view, a 12-step drag, 9 steps out, then 300 ms to settle.
 */
export async function zoomGesture(page: Page): Promise<void> {
  await page.mouse.move(720, 450);
  for (let i = 0; i < 9; i++) await page.mouse.wheel(0, -120);
  await page.mouse.down();
  for (let i = 0; i < 12; i++) await page.mouse.move(720 + 20 * i, 450 + 10 * i);
  await page.mouse.up();
  for (let i = 0; i < 9; i++) await page.mouse.wheel(0, 120);
  await page.waitForTimeout(300);
}
