export { dedupPatients, pairKey } from './dedup';
export { detectTestData } from './test-data';
export { THRESHOLDS, WEIGHTS } from './compare';
export type * from './types';
