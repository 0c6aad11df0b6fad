/** Test peers live in src/peers (the demo runs them too); re-exported for the tests. */
export * from '../../../src/peers/vendure/peer.js';
