// One colour per flow, the same in the chart and in its legend table.
const SYNCED = [
  '#2f7d4f',
  '#3d8fc4',
  '#6a9f3a',
  '#2a9d8f',
  '#5c6bc0',
  '#8d6e63',
  '#00897b',
  '#7cb342',
  '#546e7a',
];
const FAILED = [
  '#c0392b',
  '#e67e22',
  '#ad1457',
  '#d35400',
  '#b71c1c',
  '#f06292',
  '#ef6c00',
  '#8e244d',
  '#ff7043',
];

export const flowColour = (i: number): string => SYNCED[i % SYNCED.length]!;
export const flowFailColour = (i: number): string => FAILED[i % FAILED.length]!;
export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
