export * from './calls.js';
export * from './conformance.js';
export * from './contract.js';
export * from './errors.js';
export * from './http.js';
export * from './manifest.js';
export * from './rate-limit.js';
export * from './redact.js';
