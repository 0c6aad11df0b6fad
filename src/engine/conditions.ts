import jsonata from 'jsonata';
import type { Condition } from './flow.js';

export interface ConditionResult {
  name: string;
  passed: boolean;
  error?: string;
  /** Why it is false, in the record's own values. */
  because?: string;
}

export interface ConditionVerdict {
  passed: boolean;
  results: ConditionResult[];
  /** Why the record was skipped, naming each condition and why it failed. */
  reason?: string;
}

type Compiled = {
  name: string;
  expression: string;
  fn: ReturnType<typeof jsonata>;
  explain?: ReturnType<typeof jsonata>;
};

/**
 * A flow's conditions, compiled once. A record passes when ANY condition is true (the seed's
 * "any of the 3 order sync preferences"); an empty list passes everything.
 */
export class ConditionSet {
  private readonly compiled: Compiled[];

  /** `bindings`: the flow's settings, which expressions read as variables ($enabledAttribute). */
  constructor(
    conditions: readonly Condition[],
    private readonly bindings: Readonly<Record<string, unknown>> = {},
  ) {
    this.compiled = conditions.map((c) => {
      try {
        return {
          name: c.name,
          expression: c.expression,
          fn: jsonata(c.expression),
          ...(c.explain ? { explain: jsonata(c.explain) } : {}),
        };
      } catch (e) {
        throw new Error(`condition "${c.name}" is not a valid JSONata expression: ${(e as Error).message}`);
      }
    });
  }

  get empty(): boolean {
    return this.compiled.length === 0;
  }

  async evaluate(record: unknown): Promise<ConditionVerdict> {
    if (this.compiled.length === 0) return { passed: true, results: [] };
    const results: ConditionResult[] = [];
    for (const c of this.compiled) {
      try {
        const value = await c.fn.evaluate(record, { ...this.bindings });
        if (value === true) {
          results.push({ name: c.name, passed: true });
          return { passed: true, results };
        }
        const because = c.explain
          ? await c.explain.evaluate(record, { ...this.bindings }).catch(() => undefined)
          : undefined;
        results.push({
          name: c.name,
          passed: false,
          ...(typeof because === 'string' && because ? { because } : {}),
        });
      } catch (e) {
        results.push({ name: c.name, passed: false, error: (e as Error).message });
      }
    }
    const why = results
      .map(
        (r) =>
          `"${r.name}" ${r.error ? `could not be evaluated (${r.error})` : `is false${r.because ? ` (${r.because})` : ''}`}`,
      )
      .join(', ');
    return { passed: false, results, reason: `no sync condition holds: ${why}` };
  }
}

/** Compiles and evaluates a JSONata transform (field mapping override) or dependency id expression. */
export class Expression {
  private readonly fn: ReturnType<typeof jsonata>;
  constructor(
    readonly source: string,
    what: string,
  ) {
    try {
      this.fn = jsonata(source);
    } catch (e) {
      throw new Error(`${what} is not a valid JSONata expression: ${(e as Error).message}`);
    }
  }
  evaluate(input: unknown): Promise<unknown> {
    return this.fn.evaluate(input);
  }
}
