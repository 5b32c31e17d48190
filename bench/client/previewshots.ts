/**
 * Diagnostics (not a benchmark): screenshots of the wheel zoom preview (zoomPreview.ts) — right after
 * a burst of wheel steps in and out, and once the wall has redrawn sharp — in $PROFILE_OUT.
 * `tsx bench/client/previewshots.ts [notes]` (PROFILE_OUT=dir, default /tmp).
 */
import path from 'node:path';
import { chromium } from 'playwright-core';
import { createTokenService } from '../../server/auth/tokens';
import { openSqliteStore } from '../../server/store/sqlite';
import { generateWorkshop, importIntoStore } from '../../scripts/generate-workshop';
import { removeDir, startTestServer, tempDir } from '../../tests/helpers/server';

const SECRET = 'client-benchmark-secret-0123456789abcdef';
const OUT = process.env.PROFILE_OUT ?? '/tmp';
const N = Number(process.argv[2] ?? 2000);
const workshop = generateWorkshop({ seed: 1, notes: N });
const dataDir = tempDir('arvo-client-shots-');
const store = openSqliteStore({ file: path.join(dataDir, 'arvo.sqlite'), synchronous: 'NORMAL' });
await importIntoStore(store, workshop);
await store.close();
const server = await startTestServer({ SECRET, LOG_LEVEL: 'silent' }, dataDir);
const token = await createTokenService(new TextEncoder().encode(SECRET), 3600).issue({ workshopId: workshop.workshopId, participantId: workshop.facilitatorId, role: 'facilitator', actorId: null });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto(`${server.url}/`);
  await page.evaluate(({ id, token }) => {
    localStorage.setItem(`arvo:token:${id}`, JSON.stringify({ token, name: 'Facilitator' }));
    localStorage.setItem('arvo:language', 'en');
  }, { id: workshop.workshopId, token });
  await page.goto(`${server.url}/w/${workshop.workshopId}?view=wall`);
  await page.waitForFunction((n) => (window.__arvoWall?.notes.length ?? 0) >= n, Math.floor(workshop.stats.wallNotesAtEnd * 0.9), { timeout: 120_000 });
  await page.waitForTimeout(1500);
  await page.mouse.move(720, 450);
  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(OUT, `${name}.png`) });
  };
  for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -120);
  await shot('in-preview');
  await page.waitForTimeout(600);
  await shot('in-sharp');
  for (let i = 0; i < 6; i++) await page.mouse.wheel(0, 120);
  await shot('out-preview');
  await page.waitForTimeout(600);
  await shot('out-sharp');
} finally {
  await browser.close();
  await server.close();
  removeDir(dataDir);
}
process.exit(0);
