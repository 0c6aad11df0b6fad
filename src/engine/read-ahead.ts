/**
 * Pages of a source read one ahead: while the engine plans and writes page n, the source is already
 * asked for page n+1, so the source's answer time overlaps the target's instead of adding to it (an
 * initial copy waited for each Acumatica page between Magento's writes). At most one page more is
 * held in memory. The order of pages is the source's; an error of the read ahead is raised when the
 * engine asks for that page, as it would have been without it; a run that stops early ends the read.
 */
export async function* readAhead<T>(pages: AsyncIterable<T>): AsyncGenerator<T> {
  const it = pages[Symbol.asyncIterator]();
  let next = it.next();
  // Handled where it is awaited; this only keeps a failure of a page nobody asks for from being unhandled.
  next.catch(() => undefined);
  let done = false;
  try {
    for (;;) {
      const r = await next;
      if (r.done) {
        done = true;
        return;
      }
      next = it.next();
      next.catch(() => undefined);
      yield r.value;
    }
  } finally {
    if (!done) await it.return?.(undefined).catch(() => undefined);
  }
}
