/**
 * Diagnostics (not a benchmark): a Chrome trace of the 20,000-note wall's wheel zoom, the gesture
 * of bench/client.bench.ts, and where each wheel event's time went (main-thread events between the
 * event and its frame). `tsx bench/client/zoomtrace.ts [notes]`; the trace goes to $PROFILE_OUT.
 */
import fs from 'node:fs';
import path from 'node:path';
import { newWallContext, openWall, signInAsFacilitator, startGeneratedWall, zoomGesture } from './generatedWall';

const NOTES = Number(process.argv[2] ?? 20000);
const OUT = process.env.PROFILE_OUT ?? '/tmp';

interface TraceEvent { name: string; cat: string; ph: string; ts: number; dur?: number; tid: number; pid: number; args?: Record<string, unknown> }

async function main(): Promise<void> {
  const wall = await startGeneratedWall(NOTES);
  try {
    const context = await newWallContext(wall);
    await context.addInitScript({ content: `window.__wheel = []; window.addEventListener('wheel', (e) => { const t0 = e.timeStamp; const d = performance.now() - t0; const s = window.__arvoWall ? window.__arvoWall.scale : 0; requestAnimationFrame((ft) => { const r = performance.now() - t0; setTimeout(() => window.__wheel.push([performance.now() - t0, s, d, r, ft - t0]), 0); }); }, { capture: true, passive: true });` });
    const page = await context.newPage();
    await signInAsFacilitator(page, wall);
    await openWall(page, wall, 0.95);
    await page.waitForTimeout(1500);
    const cdp = await context.newCDPSession(page);
    const events: TraceEvent[] = [];
    cdp.on('Tracing.dataCollected', (e) => void events.push(...(e.value as unknown as TraceEvent[])));
    const done = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
    if (!process.env.NOTRACE) await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,v8,v8.execute,blink,cc,disabled-by-default-v8.cpu_profiler', transferMode: 'ReportEvents' });
    await zoomGesture(page);
    if (!process.env.NOTRACE) {
      await cdp.send('Tracing.end');
      await done;
    }
    const wheel = await page.evaluate(() => (window as unknown as { __wheel: number[][] }).__wheel);
    console.log('wheel → frame, ms: total @scale: dispatched, rAF callback, (frame time)');
    for (const [ms, s, d, r, ft] of wheel) console.log(`  ${ms!.toFixed(0)} @${s!.toFixed(2)}: ${d!.toFixed(0)}, ${r!.toFixed(0)} (${ft!.toFixed(0)})`);
    if (process.env.QUIET) return;
    fs.writeFileSync(path.join(OUT, `zoom-trace-${NOTES}.json`), JSON.stringify({ traceEvents: events }));
    // Main thread of the renderer: the thread with the most "FunctionCall"/"EventDispatch".
    const counts = new Map<string, number>();
    for (const e of events) if (e.name === 'EventDispatch') counts.set(`${e.pid}:${e.tid}`, (counts.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
    const main = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
    const mainEvents = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X' && (e.dur ?? 0) > 1000).sort((a, b) => a.ts - b.ts);
    const t0 = mainEvents[0]?.ts ?? 0;
    for (const e of mainEvents) {
      const type = (e.args?.data as { type?: string } | undefined)?.type ?? '';
      console.log(`${((e.ts - t0) / 1000).toFixed(1).padStart(8)} +${((e.dur ?? 0) / 1000).toFixed(1).padStart(6)}  ${e.name} ${type}`);
    }
  } finally {
    await wall.close();
  }
}

await main();
process.exit(0);
