import { describe, expect, it } from 'vitest';
import { colorSchema } from '../../shared/schema/common';
import { ACTOR_PALETTE, nextActorColor, paletteEntry } from '../../shared/templates/palette';

describe('ACTOR_PALETTE', () => {
  it('has at least 8 distinct lower-case #rrggbb colours', () => {
    expect(ACTOR_PALETTE.length).toBeGreaterThanOrEqual(8);
    const colors = ACTOR_PALETTE.map((p) => p.color);
    expect(new Set(colors).size).toBe(colors.length);
    for (const color of colors) {
      expect(color).toMatch(/^#[0-9a-f]{6}$/);
      expect(colorSchema.parse(color)).toBe(color);
    }
  });

  it('names every colour in Finnish, Swedish and English, all names distinct', () => {
    for (const entry of ACTOR_PALETTE) {
      expect(entry.name.fi.trim().length, entry.color).toBeGreaterThan(0);
      expect(entry.name.en.trim().length, entry.color).toBeGreaterThan(0);
      expect(entry.name.sv.trim().length, entry.color).toBeGreaterThan(0);
    }
    expect(new Set(ACTOR_PALETTE.map((p) => p.name.fi)).size).toBe(ACTOR_PALETTE.length);
    expect(new Set(ACTOR_PALETTE.map((p) => p.name.en)).size).toBe(ACTOR_PALETTE.length);
    expect(new Set(ACTOR_PALETTE.map((p) => p.name.sv)).size).toBe(ACTOR_PALETTE.length);
    expect(ACTOR_PALETTE[0]!.name).toEqual({ fi: 'vaaleansininen', sv: 'ljusblå', en: 'light blue' });
  });

  it('gives every colour a distinct pattern, so colour is never the only cue', () => {
    expect(new Set(ACTOR_PALETTE.map((p) => p.pattern)).size).toBe(ACTOR_PALETTE.length);
  });
});

describe('nextActorColor', () => {
  it('returns the first free colour, case-insensitively', () => {
    expect(nextActorColor([])).toBe(ACTOR_PALETTE[0]!.color);
    expect(nextActorColor([ACTOR_PALETTE[0]!.color.toUpperCase()])).toBe(ACTOR_PALETTE[1]!.color);
    expect(nextActorColor([ACTOR_PALETTE[0]!.color, ACTOR_PALETTE[2]!.color])).toBe(ACTOR_PALETTE[1]!.color);
    expect(nextActorColor(['#000000'])).toBe(ACTOR_PALETTE[0]!.color);
  });

  it('cycles once every colour is taken', () => {
    const all = ACTOR_PALETTE.map((p) => p.color);
    expect(nextActorColor(all)).toBe(ACTOR_PALETTE[all.length % all.length]!.color);
    expect(nextActorColor([...all, all[0]!])).toBe(ACTOR_PALETTE[1]!.color);
  });
});

describe('paletteEntry', () => {
  it('finds an entry by colour, case-insensitively', () => {
    expect(paletteEntry(ACTOR_PALETTE[3]!.color.toUpperCase())).toBe(ACTOR_PALETTE[3]);
    expect(paletteEntry('#000000')).toBeUndefined();
  });
});
