/**
 * Screenshots of the wall with the benchmark's workshop (about 2,000 notes, 5 actors), as the
 * facilitator at 1440×900: the whole wall, further out (paper only), halfway (text
 * without authors) and near 1:1 (everything). Saved to docs/screenshots/wall-*.png.  npx tsx bench/client/screenshots.ts
 */
import fs from 'node:fs';
import { newWallContext, openWall, signInAsFacilitator, startGeneratedWall } from './generatedWall';

const wall = await startGeneratedWall(2000);
try {
  const page = await (await newWallContext(wall)).newPage();
  await signInAsFacilitator(page, wall);
  await openWall(page, wall);
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
  await wall.close();
}
process.exit(0);
