/**
 * Actor colours: Paul Tol's "light" qualitative scheme, designed to stay distinguishable for
 * colour-blind readers as filled areas under black text. Every colour also has a name and a
 * pattern, so that colour is never the only cue (the board shows both).
 */
export interface PaletteColor {
  color: string;
  name: { fi: string; sv: string; en: string };
  pattern: 'none' | 'dots' | 'stripes' | 'grid' | 'diagonal' | 'waves' | 'cross' | 'rings' | 'zigzag';
}

export const ACTOR_PALETTE: readonly PaletteColor[] = [
  { color: '#77aadd', name: { fi: 'vaaleansininen', sv: 'ljusblå', en: 'light blue' }, pattern: 'none' },
  { color: '#ee8866', name: { fi: 'oranssi', sv: 'orange', en: 'orange' }, pattern: 'dots' },
  { color: '#eedd88', name: { fi: 'keltainen', sv: 'gul', en: 'yellow' }, pattern: 'stripes' },
  { color: '#ffaabb', name: { fi: 'vaaleanpunainen', sv: 'rosa', en: 'pink' }, pattern: 'grid' },
  { color: '#99ddff', name: { fi: 'syaani', sv: 'cyan', en: 'cyan' }, pattern: 'diagonal' },
  { color: '#44bb99', name: { fi: 'mintunvihreä', sv: 'mintgrön', en: 'mint' }, pattern: 'waves' },
  { color: '#bbcc33', name: { fi: 'päärynänvihreä', sv: 'pärongrön', en: 'pear' }, pattern: 'cross' },
  { color: '#aaaa00', name: { fi: 'oliivi', sv: 'oliv', en: 'olive' }, pattern: 'rings' },
  { color: '#dddddd', name: { fi: 'vaaleanharmaa', sv: 'ljusgrå', en: 'pale grey' }, pattern: 'zigzag' },
];

/** The first palette colour not yet taken, cycling when there are more actors than colours. */
export function nextActorColor(taken: readonly string[]): string {
  const used = new Set(taken.map((c) => c.toLowerCase()));
  const free = ACTOR_PALETTE.find((p) => !used.has(p.color));
  return (free ?? ACTOR_PALETTE[taken.length % ACTOR_PALETTE.length]!).color;
}

export function paletteEntry(color: string): PaletteColor | undefined {
  return ACTOR_PALETTE.find((p) => p.color === color.toLowerCase());
}
