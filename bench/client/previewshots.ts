/**
 * Diagnostics (not a benchmark): screenshots of the wheel zoom preview (zoomPreview.ts) — right after
 * a burst of wheel steps in and out, and once the wall has redrawn sharp — in $PROFILE_OUT.
 * `tsx bench/client/previewshots.ts [notes]` (PROFILE_OUT=dir, default /tmp).
 */
import path from 'node:path';
import { newWallContext, openWall, signInAsFacilitator, startGeneratedWall } from './generatedWall';

const OUT = process.env.PROFILE_OUT ?? '/tmp';
const wall = await startGeneratedWall(Number(process.argv[2] ?? 2000));
try {
  const page = await (await newWallContext(wall)).newPage();
  await signInAsFacilitator(page, wall);
  await openWall(page, wall);
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
  await wall.close();
}
process.exit(0);
