import { fuzzSuite } from '../support/fuzz.js';

/** The fuzz suite's default share: 500 cases over every public input (10,000 in the fault suite). */
fuzzSuite({ runs: 500 });
