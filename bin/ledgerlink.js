#!/usr/bin/env node
// Runs the built CLI; `npm install` builds it (the "prepare" script).
import('../dist/src/cli/main.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND') {
    console.error(
      'error: Ledgerlink is not built; run "npm install" (or "npm run build") in its folder first',
    );
    process.exit(1);
  }
  throw e;
});
