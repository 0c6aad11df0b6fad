import { fuzzSuite } from '../support/fuzz.js';

/** The fuzz suite at full size: 10,000 cases over every public input (500 in the default run). */
fuzzSuite({ runs: 10_000 });
