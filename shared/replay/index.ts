/** Replay and compare (issue 5): see engine.ts for how seeking stays fast. */
export * from './types';
export * from './engine';
export * from './board';
export * from './diff';
