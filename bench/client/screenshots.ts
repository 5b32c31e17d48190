/**
 * Screenshots of the wall with the benchmark's workshop (about 2,000 notes, 5 actors), as the
 * facilitator at 1440×900: the whole wall, further out (paper only), halfway (text
 * without authors) and near 1:1 (everything). Saved to docs/screenshots/wall-*.png.  npx tsx bench/client/screenshots.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { createTokenService } from '../../server/auth/tokens';
import { openSqliteStore } from '../../server/store/sqlite';
import { generateWorkshop, importIntoStore } from '../../scripts/generate-workshop';
import { removeDir, startTestServer, tempDir } from '../../tests/helpers/server';

const SECRET = 'client-benchmark-secret-0123456789abcdef';

const workshop = generateWorkshop({ seed: 1, notes: 2000 });
const dataDir = tempDir('arvo-client-shots-');
const store = openSqliteStore({ file: path.join(dataDir, 'arvo.sqlite'), synchronous: 'NORMAL' });
await importIntoStore(store, workshop);
await store.close();
const server = await startTestServer({ SECRET, LOG_LEVEL: 'silent' }, dataDir);
const token = await createTokenService(new TextEncoder().encode(SECRET), 3600).issue({ workshopId: workshop.workshopId, participantId: workshop.facilitatorId, role: 'facilitator', actorId: null });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto(`${server.url}/`);
  await page.evaluate(({ id, token }) => {
    localStorage.setItem(`arvo:token:${id}`, JSON.stringify({ token, name: 'Facilitator' }));
    localStorage.setItem('arvo:language', 'en');
  }, { id: workshop.workshopId, token });
  await page.goto(`${server.url}/w/${workshop.workshopId}?view=wall`);
  await page.waitForFunction((n) => (window.__arvoWall?.notes.length ?? 0) >= n, Math.floor(workshop.stats.wallNotesAtEnd * 0.9), { timeout: 120_000 });
  fs.mkdirSync('docs/screenshots', { recursive: true });
  const settle = () => page.waitForTimeout(1500);
  await settle();
  await page.screenshot({ path: 'docs/screenshots/wall-zoomed-out.png' });
  // Zoom in around a point on the second flipchart's upper part, with the + key (the wall's own zoom).
  const target = await page.evaluate(() => {
    const w = window.__arvoWall!;
    const f = w.flipcharts[1]!;
    return w.toScreen(f.x + f.width / 2, f.y + 600);
  });
  await page.mouse.move(target.x, target.y);
  // Further out than "fit all": level of detail 'minimal' (coloured paper, drawn in bulk).
  for (let i = 0; i < 4; i++) await page.mouse.wheel(0, 120);
  await settle();
  await page.screenshot({ path: 'docs/screenshots/wall-far-out.png' });
  for (let i = 0; i < 4 + 3; i++) await page.mouse.wheel(0, -120);
  await settle();
  await page.screenshot({ path: 'docs/screenshots/wall-halfway.png' });
  for (let i = 0; i < 3; i++) await page.mouse.wheel(0, -120);
  await settle();
  console.log('scale', await page.evaluate(() => window.__arvoWall!.scale));
  await page.screenshot({ path: 'docs/screenshots/wall-zoomed-in.png' });
} finally {
  await browser.close();
  await server.close();
  removeDir(dataDir);
}
process.exit(0);
