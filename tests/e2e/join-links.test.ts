import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { lanOrigins } from '../../server/http/serverInfo';
import { createThroughStartPage, screenshot, startBrowserSuite } from './harness';

/**
 * "Joining that works" (issue 9) in real Chromium: where the invite panel's link and the room
 * screen's QR code point. With PUBLIC_URL set both start with it; on a server bound to all
 * interfaces opened as 127.0.0.1 the invite offers the machine's LAN addresses; on a loopback-only
 * server the invite says plainly that phones cannot open the address and how to fix it.
 */
// Each test starts its own server (the environment is what is under test).
const suite = startBrowserSuite({ server: false });

async function facilitatorOn(env: Record<string, string>, title: string) {
  const server = await suite.extraServer(env);
  const base = `http://127.0.0.1:${server.port}`;
  const person = await suite.person({ width: 1280, height: 900 });
  const created = await createThroughStartPage(person.page, base, title, ['Municipality', 'Association']);
  return { server, base, page: person.page, workshopId: created.workshopId };
}

const participantLink = (page: Page) => page.locator('dialog.share[open] #share-participant-input').inputValue();

describe('join links in real browsers', () => {
  test('PUBLIC_URL: the invite link and the room screen QR code start with it', async () => {
    const { base, page, workshopId } = await facilitatorOn({ PUBLIC_URL: 'https://arvo.example.org' }, 'Public');
    await expect.poll(() => participantLink(page), { timeout: 10_000 }).toMatch(new RegExp(`^https://arvo\\.example\\.org/w/${workshopId}/join\\?k=`));
    expect(await page.getByTestId('join-address-warning').count()).toBe(0);
    await page.goto(`${base}/w/${workshopId}?view=screen`);
    const code = page.getByTestId('join-code').first();
    await code.waitFor({ timeout: 10_000 });
    await expect.poll(() => code.getAttribute('data-join-link'), { timeout: 10_000 }).toMatch(new RegExp(`^https://arvo\\.example\\.org/w/${workshopId}/join\\?k=`));
  }, 90_000);

  test('HOST=0.0.0.0 opened as 127.0.0.1: the invite offers the LAN addresses, links use the first', async () => {
    const { server, page, workshopId } = await facilitatorOn({ HOST: '0.0.0.0' }, 'Room');
    const expected = lanOrigins(server.port);
    if (expected.length === 0) {
      // A machine without a network interface: nothing to offer; the panel says so instead.
      console.warn('join-links: no non-internal network interface on this machine; the LAN address assertion is skipped (the list equals os.networkInterfaces(): empty)');
      await page.getByTestId('join-address-warning').waitFor({ timeout: 10_000 });
      return;
    }
    const select = page.getByTestId('join-address');
    await select.waitFor({ timeout: 10_000 });
    expect(await select.locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(expected);
    expect(expected[0]).not.toMatch(/127\.0\.0\.1|localhost|\[::1\]/);
    await expect.poll(() => participantLink(page)).toMatch(new RegExp(`^${expected[0]!.replace(/[.[\]]/g, '\\$&')}/w/${workshopId}/join\\?k=`));
    await screenshot(page, 'join-links-lan');
  }, 90_000);

  test('loopback only: the invite warns that phones cannot open the address and tells how to fix it', async () => {
    const { page } = await facilitatorOn({}, 'Loopback');
    const warning = page.getByTestId('join-address-warning');
    await warning.waitFor({ timeout: 10_000 });
    expect(await warning.textContent()).toContain('Phones cannot open this address');
    expect(await warning.textContent()).toContain('HOST=0.0.0.0 npm start');
    expect(await warning.textContent()).toContain('PUBLIC_URL');
    expect(await participantLink(page)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/w\//);
    await screenshot(page, 'join-links-loopback');
  }, 90_000);
});
