/**
 * Diagnostics behind docs/client-benchmark.md (not a benchmark): where the wall's first render and
 * heap go. `tsx bench/client/profile.ts [notes]` opens the seeded workshop as the facilitator with a
 * CPU profile running from navigation, and prints: the page's own timing marks (arvo:*), WebSocket
 * traffic (bytes, first and last frame), self time by function and by script, and a heap snapshot's
 * retained self size by constructor.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createTokenService } from '../../server/auth/tokens';
import { newWallContext, SECRET, signInAsFacilitator, startGeneratedWall, zoomGesture } from './generatedWall';
import { connect, destroyAll, waitSynced } from '../../tests/helpers/clients';
import { roomDocName } from '../../shared/protocol/docNames';

const NOTES = Number(process.argv[2] ?? 2000);
const OUT = process.env.PROFILE_OUT ?? '/tmp';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number }

function summarize(profile: Profile, top = 40): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byFn = new Map<string, number>();
  const byUrl = new Map<string, number>();
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame;
    const file = f.url.split('/').pop() || '(native)';
    const key = `${f.functionName || '(anon)'} ${file}:${f.lineNumber}`;
    byFn.set(key, (byFn.get(key) ?? 0) + ms);
    byUrl.set(file, (byUrl.get(file) ?? 0) + ms);
  }
  const print = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).forEach(([k, v]) => console.log(`  ${v.toFixed(1).padStart(8)} ms  ${k}`));
  console.log('self time by script:');
  print(byUrl, 12);
  console.log('self time by function:');
  print(byFn, top);
}

async function main(): Promise<void> {
  const wall = await startGeneratedWall(NOTES);
  const { workshop, server } = wall;
  const tokens = createTokenService(new TextEncoder().encode(SECRET), 3600);
  try {
    for (let run = Number(process.env.FIRST_RUN ?? 0); run < 2; run++) {
      const context = await newWallContext(wall);
      await context.addInitScript({ content: `window.__wheel = []; window.addEventListener('wheel', (e) => { const t0 = e.timeStamp; requestAnimationFrame(() => setTimeout(() => window.__wheel.push(performance.now() - t0), 0)); }, { capture: true, passive: true });` });
      const page = await context.newPage();
      page.on('console', (m) => { if (m.text().startsWith('arvo:')) console.log(`  [page] ${m.text()}`); });
      await signInAsFacilitator(page, wall);
      const cdp = await context.newCDPSession(page);
      let wsBytes = 0, wsFrames = 0, wsFirst = 0, wsLast = 0, navAt = 0, wsOpen = 0;
      const wsSent: number[] = [];
      cdp.on('Network.requestWillBeSent', (e: { timestamp: number; type?: string }) => { if (e.type === 'Document') navAt = e.timestamp; });
      cdp.on('Network.webSocketCreated', () => { wsOpen = Date.now(); });
      cdp.on('Network.webSocketFrameSent', (e: { timestamp: number }) => wsSent.push(e.timestamp));
      await cdp.send('Network.enable');
      const wsRecv: Array<[number, number]> = [];
      cdp.on('Network.webSocketFrameReceived', (e: { timestamp: number; response: { payloadData: string } }) => {
        wsRecv.push([e.timestamp, e.response.payloadData.length * 0.75]);
        wsFrames++;
        wsBytes += e.response.payloadData.length * 0.75;
        if (!wsFirst) wsFirst = e.timestamp;
        wsLast = e.timestamp;
      });
      if (run === 1) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      const t0 = Date.now();
      await page.goto(`${server.url}/w/${workshop.workshopId}?view=wall`);
      await page.waitForFunction((n) => (window.__arvoWall?.noteCount ?? 0) >= n, Math.floor(workshop.stats.wallNotesAtEnd * 0.9), { timeout: 180_000, polling: 'raf' });
      const drawn = await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now())))));
      const rel = (t: number) => ((t - navAt) * 1000).toFixed(0);
      console.log(`  ws: created ${wsOpen - t0} ms (wall clock), first sent ${rel(wsSent[0] ?? 0)}, first received ${rel(wsFirst)}, last received ${rel(wsLast)} ms after the document request`);
      console.log(`  ws sent at: ${wsSent.map(rel).join(' ')}`);
      console.log(`  ws received at (KiB): ${wsRecv.map(([t, b]) => `${rel(t)}(${(b / 1024).toFixed(0)})`).join(' ')}`);
      console.log(`run ${run + 1}: drawn at ${drawn.toFixed(0)} ms after navigation (wall clock ${Date.now() - t0} ms); ws ${wsFrames} frames, ${(wsBytes / 1024).toFixed(0)} KiB`);
      const marks = await page.evaluate(() => performance.getEntries().filter((e) => e.entryType === 'mark' || e.entryType === 'measure' || e.entryType === 'navigation' || (e.entryType === 'resource' && /\.js|\.css/.test(e.name))).map((e) => ({ type: e.entryType, name: e.name.split('/').pop(), start: Math.round(e.startTime), duration: Math.round(e.duration), end: Math.round(e.startTime + e.duration) })));
      for (const m of marks) console.log(`  ${m.type.padEnd(10)} ${String(m.start).padStart(6)} +${String(m.duration).padStart(5)}  ${m.name}`);
      if (run === 1 && process.env.ZOOM) {
        const { profile: loadProfile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
        summarize(loadProfile, 15);
        await page.waitForTimeout(1000);
        await cdp.send('Profiler.start');
        await zoomGesture(page);
        const wheel = await page.evaluate(() => (window as unknown as { __wheel: number[] }).__wheel);
        console.log(`wheel → frame, ms: ${wheel.map((x) => x.toFixed(0)).join(' ')}`);
      }
      if (run === 1 && process.env.CURSORS) {
        // 49 people moving their cursors at 20 Hz (as the benchmark), the page idle: where its time goes.
        const { profile: loadProfile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
        void loadProfile;
        const people = workshop.participants.filter((p) => p.role === 'participant');
        const peers = await Promise.all(Array.from({ length: 49 }, async (_, i) => {
          const who = people[i % people.length]!;
          const t = await tokens.issue({ workshopId: workshop.workshopId, participantId: who.id, role: 'participant', actorId: who.actorId });
          return { who, peer: connect(server.wsUrl, roomDocName(workshop.workshopId), t) };
        }));
        await Promise.all(peers.map(({ peer }) => waitSynced(peer, 20_000)));
        const at = peers.map((_, i) => ({ x: ((i * 137) % 100) * 40, y: ((i * 61) % 100) * 40 }));
        peers.forEach(({ peer, who }, i) => peer.provider.awareness.setLocalState({ participantId: who.id, name: who.name, cursor: at[i] }));
        const timer = setInterval(() => peers.forEach(({ peer }, i) => {
          const c = at[i]!;
          c.x = Math.max(0, c.x + (Math.random() - 0.5) * 120);
          c.y = Math.max(0, c.y + (Math.random() - 0.5) * 120);
          peer.provider.awareness.setLocalStateField('cursor', { x: Math.round(c.x), y: Math.round(c.y) });
        }), 50);
        await page.waitForTimeout(1500);
        await page.evaluate(() => {
          const w = window as unknown as { __lt: number[] };
          w.__lt = [];
          new PerformanceObserver((list) => { for (const e of list.getEntries()) w.__lt.push(e.duration); }).observe({ type: 'longtask' });
        });
        await cdp.send('Profiler.start');
        await page.waitForTimeout(5000);
        const { profile: idleProfile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
        clearInterval(timer);
        destroyAll();
        fs.writeFileSync(path.join(OUT, `arvo-idle-${NOTES}.cpuprofile`), JSON.stringify(idleProfile));
        console.log(`long tasks while idle with 49 cursors: ${JSON.stringify(await page.evaluate(() => (window as unknown as { __lt: number[] }).__lt))}`);
        summarize(idleProfile, 30);
        await cdp.send('Profiler.start');
      }
      if (run === 1) {
        if (process.env.ZOOM) {
          const { profile: zoomProfile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
          fs.writeFileSync(path.join(OUT, `arvo-zoom-${NOTES}.cpuprofile`), JSON.stringify(zoomProfile));
          summarize(zoomProfile, 25);
          await cdp.send('Profiler.start');
        }
        const { profile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
        fs.writeFileSync(path.join(OUT, `arvo-wall-${NOTES}.cpuprofile`), JSON.stringify(profile));
        summarize(profile);
        await cdp.send('HeapProfiler.collectGarbage');
        const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
        console.log(`heap after GC ${(usedSize / 1048576).toFixed(1)} MiB`);
        const chunks: string[] = [];
        cdp.on('HeapProfiler.addHeapSnapshotChunk', (e: { chunk: string }) => chunks.push(e.chunk));
        await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
        const snap = JSON.parse(chunks.join('')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
        fs.writeFileSync(path.join(OUT, `arvo-wall-${NOTES}.heapsnapshot`), chunks.join(''));
        const fields = snap.snapshot.meta.node_fields;
        const nf = fields.length;
        const iType = fields.indexOf('type'), iName = fields.indexOf('name'), iSize = fields.indexOf('self_size');
        const types = snap.snapshot.meta.node_types[0];
        const agg = new Map<string, { n: number; size: number }>();
        for (let i = 0; i < snap.nodes.length; i += nf) {
          const type = types[snap.nodes[i + iType]!]!;
          const name = type === 'object' || type === 'closure' ? snap.strings[snap.nodes[i + iName]!]! : `(${type})`;
          const e = agg.get(name) ?? { n: 0, size: 0 };
          e.n++;
          e.size += snap.nodes[i + iSize]!;
          agg.set(name, e);
        }
        console.log('heap self size by constructor:');
        [...agg].sort((a, b) => b[1].size - a[1].size).slice(0, 35).forEach(([k, v]) => console.log(`  ${(v.size / 1048576).toFixed(2).padStart(7)} MiB ${String(v.n).padStart(7)}  ${k.slice(0, 80)}`));
      }
      await context.close();
    }
  } finally {
    await wall.close();
  }
}

await main();
process.exit(0);
