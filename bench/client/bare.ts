/**
 * The reference for `npm run bench:client`: a bare Konva page drawing the same notes as Arvo's
 * wall (one Rect + one Text per note, on one layer), with the same wheel zoom and stage drag, and
 * optionally 49 cursors gliding on their own layer like Arvo's (moved locally at 20 Hz, as
 * presence arrives). Generated at run time with the notes inline and served by the benchmark
 * from the same origin as Arvo (Konva's own UMD build).
 */
export interface BareNote {
  x: number;
  y: number;
  width: number;
  height: number;
  text: string;
  color: string;
}

export function barePage(notes: readonly BareNote[], view: { x: number; y: number; scale: number }, bounds: { width: number; height: number }): string {
  const data = JSON.stringify({ notes, view, bounds }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>bare Konva</title>
<style>html,body{margin:0;height:100%;overflow:hidden;background:#e8ecf0}#c{position:absolute;inset:0}</style>
</head><body><div id="c"></div>
<script src="/__bench/konva.js"></script>
<script>
const { notes, view, bounds } = ${data};
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";
const stage = new Konva.Stage({ container: 'c', width: innerWidth, height: innerHeight, draggable: true });
const layer = new Konva.Layer();
const cursorsLayer = new Konva.Layer({ listening: false });
stage.add(layer, cursorsLayer);
for (const n of notes) {
  layer.add(new Konva.Rect({ x: n.x, y: n.y, width: n.width, height: n.height, fill: n.color, stroke: '#00000040', strokeWidth: 1, cornerRadius: 3 }));
  layer.add(new Konva.Text({ x: n.x + 10, y: n.y + 10, width: n.width - 20, height: n.height - 38, text: n.text, fontSize: 14, fontFamily: FONT, fill: '#1b2733', wrap: 'word', ellipsis: true, listening: false }));
}
stage.position({ x: view.x, y: view.y });
stage.scale({ x: view.scale, y: view.scale });
stage.on('wheel', (e) => {
  e.evt.preventDefault();
  const p = stage.getPointerPosition();
  const old = stage.scaleX();
  const factor = Math.exp(-Math.max(-300, Math.min(300, e.evt.deltaY)) * 0.0022);
  const scale = Math.min(3, Math.max(0.08, old * factor));
  const bx = (p.x - stage.x()) / old, by = (p.y - stage.y()) / old;
  stage.scale({ x: scale, y: scale });
  stage.position({ x: p.x - bx * scale, y: p.y - by * scale });
});
layer.draw();
window.__bareCount = notes.length;

// 49 cursors like Arvo's: an arrow and a name tag, gliding towards targets that change at 20 Hz.
const cursors = [];
let timer = null;
const anim = new Konva.Animation(() => {
  const s = stage.scaleX();
  for (const c of cursors) {
    c.scale({ x: 1 / s, y: 1 / s });
    const t = c.getAttr('target');
    c.position({ x: c.x() + (t.x - c.x()) * 0.35, y: c.y() + (t.y - c.y()) * 0.35 });
  }
}, cursorsLayer);
window.__bareCursors = (count) => {
  for (const c of cursors) c.destroy();
  cursors.length = 0;
  clearInterval(timer);
  anim.stop();
  for (let i = 0; i < count; i++) {
    const g = new Konva.Group({ x: Math.random() * bounds.width, y: Math.random() * bounds.height });
    g.setAttr('target', { x: g.x(), y: g.y() });
    g.add(new Konva.Path({ data: 'M0 0 L0 17 L4.6 12.8 L7.6 19.6 L10.6 18.3 L7.7 11.6 L13.6 11.4 Z', fill: '#88ccee', stroke: '#334455', strokeWidth: 1.4 }));
    g.add(new Konva.Rect({ x: 12, y: 20, width: 70, height: 22, cornerRadius: 11, fill: '#88ccee' }));
    g.add(new Konva.Text({ x: 12, y: 20, width: 70, height: 22, text: 'Person ' + i, fontSize: 12.5, fontStyle: 'bold', fontFamily: FONT, align: 'center', verticalAlign: 'middle' }));
    cursorsLayer.add(g);
    cursors.push(g);
  }
  if (count === 0) return;
  timer = setInterval(() => {
    for (const c of cursors) {
      const t = c.getAttr('target');
      c.setAttr('target', { x: Math.max(0, Math.min(bounds.width, t.x + (Math.random() - 0.5) * 120)), y: Math.max(0, Math.min(bounds.height, t.y + (Math.random() - 0.5) * 120)) });
    }
  }, 50);
  anim.start();
};
</script></body></html>`;
}
