import { placeLabels, routeEdges, textWidth, wrapText, type EdgeRoute, type PlacedLabel } from './geometry';
import { DASH, EDGE_PAINT, FRAME_PAD as PAD, NODE_HEIGHT, NODE_WIDTH, type EdgeStyle, type LegendItem, type MapEdgeView, type MapModel, type MapNodeView } from './model';

/**
 * The value-network map as standalone SVG text: inline presentation attributes only (no
 * stylesheet, no web fonts), so the same string is the live view, the downloaded .svg, the
 * source of the PNG and — later — the memo's figure. Pure: model in, string out.
 */
const INK = '#1b2733';
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif";
const TITLE_HEIGHT = 56;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const attrs = (pairs: Record<string, string | number | null | undefined | false>) =>
  Object.entries(pairs)
    .filter(([, v]) => v !== null && v !== undefined && v !== false)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');

const PATTERN_STROKE = 'rgba(27,39,51,0.32)';
const PATTERNS: Record<string, string> = {
  dots: `<circle cx="5" cy="5" r="1.7" fill="${PATTERN_STROKE}"/>`,
  stripes: `<path d="M0 5H10" stroke="${PATTERN_STROKE}" stroke-width="1.6"/>`,
  grid: `<path d="M0 5H10M5 0V10" stroke="${PATTERN_STROKE}" stroke-width="1.2"/>`,
  diagonal: `<path d="M-1 11L11 -1" stroke="${PATTERN_STROKE}" stroke-width="1.6"/>`,
  waves: `<path d="M0 6Q2.5 2 5 6T10 6" fill="none" stroke="${PATTERN_STROKE}" stroke-width="1.3"/>`,
  cross: `<path d="M5 2.5V7.5M2.5 5H7.5" stroke="${PATTERN_STROKE}" stroke-width="1.3"/>`,
  rings: `<circle cx="5" cy="5" r="2.6" fill="none" stroke="${PATTERN_STROKE}" stroke-width="1.1"/>`,
  zigzag: `<path d="M0 7L2.5 3L5 7L7.5 3L10 7" fill="none" stroke="${PATTERN_STROKE}" stroke-width="1.2"/>`,
};

const STYLES: EdgeStyle[] = ['plain', 'current', 'future', 'added', 'removed', 'kept'];

function defs(model: MapModel): string {
  const p = model.idPrefix;
  const markers = STYLES.map((style) => {
    const paint = EDGE_PAINT[style];
    const size = style === 'added' ? 15 : 12;
    return `<marker id="${p}-arrow-${style}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="${size}" markerHeight="${size}" markerUnits="userSpaceOnUse" orient="auto"><path d="M0 0L10 5L0 10z" fill="${paint.color}"/></marker>`;
  }).join('');
  const used = new Set(model.nodes.map((n) => n.pattern));
  const patterns = Object.entries(PATTERNS)
    .filter(([name]) => used.has(name as MapNodeView['pattern']))
    .map(([name, body]) => `<pattern id="${p}-pattern-${name}" width="10" height="10" patternUnits="userSpaceOnUse">${body}</pattern>`)
    .join('');
  return `<defs>${markers}${patterns}</defs>`;
}

interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The frame, grown to hold any node placed outside it. */
function mapBounds(model: MapModel): Bounds {
  let minX = 0;
  let minY = 0;
  let maxX = model.frame.width;
  let maxY = model.frame.height;
  for (const node of model.nodes) {
    minX = Math.min(minX, node.x - NODE_WIDTH / 2 - PAD);
    maxX = Math.max(maxX, node.x + NODE_WIDTH / 2 + PAD);
    minY = Math.min(minY, node.y - NODE_HEIGHT / 2 - PAD);
    maxY = Math.max(maxY, node.y + NODE_HEIGHT / 2 + PAD);
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

function strokeOf(edge: Pick<MapEdgeView, 'kind' | 'style'>, p: string, arrow = true): string {
  const paint = EDGE_PAINT[edge.style];
  return attrs({
    fill: 'none',
    stroke: paint.color,
    'stroke-width': paint.width,
    'stroke-opacity': paint.opacity === 1 ? null : paint.opacity,
    'stroke-dasharray': edge.kind === 'intangible' ? DASH : null,
    'stroke-linecap': 'butt',
    'marker-end': arrow ? `url(#${p}-arrow-${edge.style})` : null,
  });
}

function edgeSvg(edge: MapEdgeView, route: EdgeRoute, model: MapModel): string {
  const p = model.idPrefix;
  const halo = edge.selected
    ? `<path d="${route.path}" fill="none" stroke="#ffb000" stroke-opacity="0.55" stroke-width="${EDGE_PAINT[edge.style].width + 9}" stroke-linecap="round"/>`
    : '';
  const hit = model.interactive ? `<path d="${route.path}" fill="none" stroke="transparent" stroke-width="16" pointer-events="stroke"/>` : '';
  const open = `<g${attrs({
    class: 'vm-edge',
    'data-flow-id': edge.id,
    'data-from': edge.from,
    'data-to': edge.to,
    'data-kind': edge.kind,
    'data-style': edge.style,
    role: model.interactive ? 'button' : null,
    tabindex: model.interactive ? 0 : null,
    'aria-pressed': model.interactive ? String(edge.selected) : null,
    'aria-label': edge.ariaLabel,
  })}>`;
  return `${open}<title>${escapeXml(edge.ariaLabel)}</title>${halo}${hit}<path class="vm-line" d="${route.path}"${strokeOf(edge, p)}/></g>`;
}

interface LabelRows {
  rows: Array<{ text: string; bold: boolean }>;
  width: number;
  height: number;
  /** Some of the label's text is left out ("…"): the whole text goes into a tooltip. */
  shortened: boolean;
}

const LABEL_SIZE = 12;
const LABEL_LINE = 15;

function rowsOf(edge: MapEdgeView, maxChars: number, maxLines: number): LabelRows | null {
  const lines = edge.label ? wrapText(edge.label, maxChars, maxLines) : [];
  if (lines.length === 0 && !edge.tag) return null;
  const rows = [...(edge.tag ? [{ text: edge.tag, bold: true }] : []), ...lines.map((text) => ({ text, bold: false }))];
  const width = Math.max(...rows.map((r) => textWidth(r.text, LABEL_SIZE) + (r.bold ? 6 : 0))) + 14;
  const shortened = lines.some((line) => line.endsWith('…')) && !edge.label.trim().endsWith('…');
  return { rows, width, height: rows.length * LABEL_LINE + 8, shortened };
}

/** A label's forms, best first: up to three lines, then (last resorts) two shorter lines, one short line. */
function labelForms(edge: MapEdgeView): LabelRows[] {
  const full = rowsOf(edge, 30, 3);
  if (!full) return [];
  const forms = [full];
  for (const [chars, lines] of [[22, 2], [16, 1]] as const) {
    const form = rowsOf(edge, chars, lines)!;
    const previous = forms[forms.length - 1]!;
    if (form.width < previous.width || form.height < previous.height) forms.push(form);
  }
  return forms;
}

function labelSvg(edge: MapEdgeView, label: LabelRows, placed: PlacedLabel): string {
  const box = placed.box;
  const paint = EDGE_PAINT[edge.style];
  const cx = box.x + box.width / 2;
  const texts = label.rows
    .map((row, i) => `<text x="${round(cx)}" y="${round(box.y + LABEL_LINE * (i + 1))}" text-anchor="middle" font-size="${LABEL_SIZE}"${row.bold ? ` font-weight="700" fill="${paint.color}"` : ` fill="${INK}"`}${edge.style === 'removed' && !row.bold ? ' text-decoration="line-through"' : ''}>${escapeXml(row.text)}</text>`)
    .join('');
  const tooltip = label.shortened ? `<title>${escapeXml(edge.label)}</title>` : '';
  // A label moved away from its arrow is tied to the arrow's middle by a thin line.
  const near = { x: Math.min(Math.max(placed.anchor.x, box.x), box.x + box.width), y: Math.min(Math.max(placed.anchor.y, box.y), box.y + box.height) };
  const leader = placed.leader
    ? `<path d="M${round(placed.anchor.x)} ${round(placed.anchor.y)}L${round(near.x)} ${round(near.y)}" stroke="${paint.color}" stroke-opacity="0.6" stroke-width="1" stroke-dasharray="2 3" fill="none"/><circle cx="${round(placed.anchor.x)}" cy="${round(placed.anchor.y)}" r="2.5" fill="${paint.color}"/>`
    : '';
  return `<g class="vm-label" data-label-for="${escapeXml(edge.id)}"${placed.size > 0 ? ` data-shortened="${placed.size}"` : ''}>${tooltip}${leader}<rect x="${round(box.x)}" y="${round(box.y)}" width="${round(box.width)}" height="${round(box.height)}" rx="5" fill="#ffffff" fill-opacity="0.94" stroke="${paint.color}" stroke-opacity="${edge.selected ? 1 : 0.55}" stroke-width="${edge.selected ? 2 : 1}"/>${texts}</g>`;
}

function nodeSvg(node: MapNodeView, model: MapModel): string {
  const p = model.idPrefix;
  const x = node.x - NODE_WIDTH / 2;
  const y = node.y - NODE_HEIGHT / 2;
  const clients = node.kind === 'clients';
  const rx = clients ? NODE_HEIGHT / 2 : 12;
  const box = `<rect x="${round(x)}" y="${round(y)}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="${rx}" fill="${escapeXml(clients ? '#ffffff' : node.color)}" stroke="${INK}" stroke-width="${clients ? 2.5 : 1.5}"/>`;
  const pattern = !clients && node.pattern !== 'none'
    ? `<rect x="${round(x)}" y="${round(y)}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="${rx}" fill="url(#${p}-pattern-${node.pattern})"/>`
    : '';
  const lines = wrapText(node.name, 18, 2);
  const lineHeight = 18;
  const top = node.y - ((lines.length - 1) * lineHeight) / 2 + 5;
  const label = lines
    .map((line, i) => `<text x="${round(node.x)}" y="${round(top + i * lineHeight)}" text-anchor="middle" font-size="15" font-weight="700" fill="${INK}" stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke">${escapeXml(line)}</text>`)
    .join('');
  const open = `<g${attrs({
    class: 'vm-node',
    'data-node-id': node.id,
    role: model.interactive ? (node.movable ? 'button' : 'img') : null,
    tabindex: model.interactive && node.movable ? 0 : null,
    'aria-label': node.ariaLabel,
  })}>`;
  return `${open}<title>${escapeXml(node.ariaLabel)}</title>${box}${pattern}${label}</g>`;
}

function legendSample(item: LegendItem, p: string, x: number, y: number): string {
  const edge = item.sample === 'tangible' || item.sample === 'intangible' ? { kind: item.sample, style: 'plain' as const } : { kind: 'tangible' as const, style: item.sample };
  return `<path d="M${x} ${y}H${x + 46}"${strokeOf(edge, p)}/>`;
}

function legendSvg(model: MapModel, bounds: Bounds): { svg: string; height: number } {
  const size = 13;
  const rowHeight = 24;
  const left = bounds.x + PAD;
  const maxX = bounds.x + bounds.width - PAD;
  const top = bounds.y + bounds.height + 8;
  let x = left;
  let y = top + 24 + rowHeight / 2;
  const parts: string[] = [`<text x="${round(left)}" y="${round(top + 16)}" font-size="${size}" font-weight="700" fill="${INK}">${escapeXml(model.legend.heading)}</text>`];
  for (const item of model.legend.items) {
    const width = 56 + textWidth(item.text, size) + 28;
    if (x + width > maxX && x > left) {
      x = left;
      y += rowHeight;
    }
    parts.push(`<g class="vm-legend-item">${legendSample(item, model.idPrefix, x, y)}<text x="${round(x + 56)}" y="${round(y + 4.5)}" font-size="${size}" fill="${INK}">${escapeXml(item.text)}</text></g>`);
    x += width;
  }
  const height = y + rowHeight / 2 + 10 - top + 8;
  return { svg: `<g class="vm-legend">${parts.join('')}</g>`, height };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The title's lines: wrapped to the drawing's width, never cut. */
const TITLE_SIZE = 22;
const TITLE_LINE = 28;
export function titleLines(title: string, width: number): string[] {
  const maxChars = Math.max(12, Math.floor((width - 2 * PAD) / (TITLE_SIZE * 0.62)));
  const words = title.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line ? `${line} ${word}` : word;
    if (candidate.length <= maxChars || !line) line = candidate;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [''];
}

/** The width the title needs on one line (a long single word cannot wrap: the drawing grows). */
const titleWidth = (lines: readonly string[]) => Math.max(...lines.map((l) => l.length * TITLE_SIZE * 0.62)) + 2 * PAD;

export function renderMapSvg(model: MapModel): string {
  const routes = routeEdges(model.nodes, model.edges);
  const drawn = model.edges.filter((e) => routes.has(e.id));
  // Order matters: lines under labels under nodes, so a name is never hidden by a label.
  const selectedLast = [...drawn.filter((e) => !e.selected), ...drawn.filter((e) => e.selected)];
  // Labels are placed selected first, so the arrow being looked at gets the best spot.
  const sized = [...drawn.filter((e) => e.selected), ...drawn.filter((e) => !e.selected)]
    .map((edge) => ({ edge, forms: labelForms(edge) }))
    .filter((x) => x.forms.length > 0);
  const nodeBoxes = model.nodes.map((n) => ({ x: n.x - NODE_WIDTH / 2 - 4, y: n.y - NODE_HEIGHT / 2 - 4, width: NODE_WIDTH + 8, height: NODE_HEIGHT + 8 }));
  const placed = placeLabels(sized.map(({ edge, forms }) => ({ id: edge.id, route: routes.get(edge.id)!, sizes: forms })), nodeBoxes);
  // The drawing holds every node and every label, wherever they were placed.
  const nodeBounds = mapBounds(model);
  let minX = nodeBounds.x;
  let minY = nodeBounds.y;
  let maxX = nodeBounds.x + nodeBounds.width;
  let maxY = nodeBounds.y + nodeBounds.height;
  for (const { box } of placed.values()) {
    minX = Math.min(minX, box.x - 8);
    minY = Math.min(minY, box.y - 8);
    maxX = Math.max(maxX, box.x + box.width + 8);
    maxY = Math.max(maxY, box.y + box.height + 8);
  }
  let bounds: Bounds = { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
  const title = titleLines(model.title, bounds.width);
  const needed = titleWidth(title);
  if (needed > bounds.width) bounds = { ...bounds, width: needed };
  const titleHeight = Math.max(TITLE_HEIGHT, 22 + title.length * TITLE_LINE);
  const legend = legendSvg(model, bounds);
  const viewX = bounds.x;
  const viewY = bounds.y - titleHeight;
  const width = bounds.width;
  const height = titleHeight + bounds.height + legend.height;
  const p = model.idPrefix;
  const head = `<svg xmlns="http://www.w3.org/2000/svg"${attrs({
    'data-testid': 'value-map',
    viewBox: `${round(viewX)} ${round(viewY)} ${round(width)} ${round(height)}`,
    width: Math.round(width),
    height: Math.round(height),
    role: model.interactive ? 'group' : 'img',
    'aria-labelledby': `${p}-title`,
    'aria-describedby': `${p}-desc`,
    'font-family': FONT,
  })}>`;
  const background = `<rect x="${round(viewX)}" y="${round(viewY)}" width="${round(width)}" height="${round(height)}" fill="#ffffff"/>`;
  const titleSvg = title
    .map((line, i) => `<text class="vm-title" x="${round(bounds.x + PAD)}" y="${round(viewY + 34 + i * TITLE_LINE)}" font-size="${TITLE_SIZE}" font-weight="700" fill="${INK}">${escapeXml(line)}</text>`)
    .join('');
  const frameLine = `<rect x="${round(bounds.x + 6)}" y="${round(bounds.y)}" width="${round(bounds.width - 12)}" height="${round(bounds.height)}" rx="10" fill="#f6f8fa" stroke="#d5dde5"/>`;
  const empty = drawn.length === 0 && model.emptyText
    ? `<text x="${round(bounds.x + bounds.width / 2)}" y="${round(bounds.y + 30)}" text-anchor="middle" font-size="14" fill="#5b6b7b">${escapeXml(model.emptyText)}</text>`
    : '';
  const edges = selectedLast.map((e) => edgeSvg(e, routes.get(e.id)!, model)).join('');
  const labels = sized
    .map(({ edge, forms }) => {
      const at = placed.get(edge.id)!;
      return labelSvg(edge, forms[at.size]!, at);
    })
    .join('');
  const nodes = model.nodes.map((n) => nodeSvg(n, model)).join('');
  return [
    head,
    `<title id="${p}-title">${escapeXml(model.title)}</title>`,
    `<desc id="${p}-desc">${escapeXml(model.description)}</desc>`,
    defs(model),
    background,
    titleSvg,
    frameLine,
    empty,
    `<g class="vm-edges">${edges}</g>`,
    `<g class="vm-labels">${labels}</g>`,
    `<g class="vm-nodes">${nodes}</g>`,
    legend.svg,
    '</svg>',
  ].join('');
}
