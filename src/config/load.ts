import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Cron } from 'croner';
import jsonata from 'jsonata';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { ConnectorDefinition } from '../connectors/sdk/contract.js';
import { type RateLimit, settingsSchema } from '../connectors/sdk/manifest.js';
import { effectiveLimit } from '../connectors/sdk/rate-limit.js';
import { type Condition, type Dependency, type Flow, flowDefaults, type ValueMap } from '../engine/flow.js';
import { flowCatalog } from '../flows/catalog.js';
import type { EntityName } from '../model/index.js';
import type { ServerLimits } from '../server/limits.js';
import { DEFAULT_DATABASE_URL } from '../store/index.js';
import { type AlertsConfigShape, ConfigFile, type FlowConfigShape } from './schema.js';

export interface ConfiguredConnection {
  name: string;
  definition: ConnectorDefinition;
  settings: Record<string, unknown>;
  /** The connection's allowance: the configuration's `rateLimit` fields over its manifest's. */
  rateLimit: RateLimit;
}

export interface LoadedConfig {
  path: string;
  database: string;
  server: {
    host: string;
    port: number;
    trustProxy: boolean | string | string[];
    /** The dashboard's public address without a trailing slash (OAuth redirect URIs); absent: the request's. */
    publicUrl?: string;
    limits: Partial<ServerLimits>;
  };
  connections: Map<string, ConfiguredConnection>;
  flows: Map<string, Flow>;
  valueMaps: Map<string, ValueMap>;
  /** Where alerts go and how often rules are checked (absent: the defaults, no channel). */
  alerts?: AlertsConfigShape;
}

type Path = ReadonlyArray<string | number>;

/** A configuration mistake, located: "ledgerlink.yaml:14:7 flows.x.ownedFields[0]: …". */
export class ConfigError extends Error {
  readonly configError = true as const;
  constructor(
    readonly issues: string[],
    /**
     * invalid_config: the change asked for does not validate; config_file_invalid: the file itself
     * (edited by hand) does not, so no change can be made to it until someone mends it; unknown_code:
     * a value map names a code its system does not know.
     */
    readonly code: 'invalid_config' | 'config_file_invalid' | 'unknown_code' = 'invalid_config',
  ) {
    super(issues.join('\n'));
    this.name = 'ConfigError';
  }
}

export const isConfigError = (e: unknown): e is ConfigError =>
  typeof e === 'object' && e !== null && (e as { configError?: unknown }).configError === true;

const pathText = (path: Path): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(top level)';

/** `${NAME}` or `${NAME:-default}`; `$${` is a literal `${` (how values typed on the dashboard are written). */
const ENV_REF = /\$\$\{|\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * A value as the configuration file must hold it to mean exactly itself: every `${` written `$${`, so
 * a value that came in through the API or the dashboard is data, never a reference to the process's
 * environment (a user who may edit a connection must not be able to read LEDGERLINK_ADMIN_PASSWORD
 * back through a visible field). Objects and lists are escaped throughout.
 */
export function literal<T>(value: T): T {
  // A function, because in a replacement string "$$" itself means "$".
  if (typeof value === 'string') return value.replaceAll('${', () => '$${') as T;
  if (Array.isArray(value)) return value.map(literal) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literal(v)])) as T;
  return value;
}

/**
 * Replaces ${NAME} / ${NAME:-default} in every string of the operator's file; a missing variable is
 * a located issue. `$${` stands for a literal `${` and is never expanded.
 */
function interpolate(
  value: unknown,
  path: Path,
  env: NodeJS.ProcessEnv,
  issue: (p: Path, m: string) => void,
): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (m, name: string | undefined, fallback?: string) => {
      if (name === undefined) return m.slice(1);
      const v = env[name] ?? fallback;
      if (v === undefined) {
        issue(path, `environment variable ${name} is not set`);
        return '';
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, [...path, i], env, issue));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, [...path, k], env, issue)]),
    );
  }
  return value;
}

/**
 * Reads and validates ledgerlink.yaml: the file's shape, each connection's settings against its
 * connector's declared fields, each flow's sides, owned fields, conditions and schedule. Every
 * problem is reported at once, each with its file position and YAML path.
 */
export function loadConfig(
  file: string,
  registry: Readonly<Record<string, ConnectorDefinition>>,
  env: NodeJS.ProcessEnv = process.env,
): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new ConfigError([
      code === 'ENOENT'
        ? `${file}: no such file; run "ledgerlink init" to write one`
        : `${file}: cannot be read (${code ?? (e as Error).message})`,
    ]);
  }
  return loadConfigText(text, file, registry, env);
}

/** The same validation over text that is (or is about to be) the file's: an edit is checked before it is written. */
export function loadConfigText(
  text: string,
  file: string,
  registry: Readonly<Record<string, ConnectorDefinition>>,
  env: NodeJS.ProcessEnv = process.env,
): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const shown = basename(file);
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return `${shown}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  const where = (path: Path): string => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && (isScalar(node) || isMap(node) || node.range)) {
        const pos = node.range ? lineCounter.linePos(node.range[0]) : undefined;
        return pos ? `${shown}:${pos.line}:${pos.col}` : shown;
      }
    }
    return shown;
  };
  const issues: string[] = [];
  const issue = (path: Path, message: string) => issues.push(`${where(path)} ${pathText(path)}: ${message}`);

  // Some YAML mistakes surface only when the document is turned into values, as a ReferenceError
  // rather than in doc.errors: an alias whose anchor is missing (`<<: *x`), or more aliases than
  // the yaml library allows (its guard against an alias bomb). They are the file's mistakes too.
  let js: unknown;
  try {
    js = doc.toJS();
  } catch (e) {
    throw new ConfigError([`${shown}: not valid YAML: ${(e as Error).message.split('\n')[0]}`]);
  }
  const raw = interpolate(js ?? {}, [], env, issue);
  const parsed = ConfigFile.safeParse(raw);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const path = i.path.filter((p): p is string | number => typeof p !== 'symbol');
      const message =
        i.code === 'unrecognized_keys'
          ? `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`
          : i.message;
      issue(path, message);
    }
    throw new ConfigError(issues);
  }
  const cfg = parsed.data;

  const connections = new Map<string, ConfiguredConnection>();
  for (const [name, c] of Object.entries(cfg.connections)) {
    const definition = registry[c.connector];
    if (!definition) {
      issue(
        ['connections', name, 'connector'],
        `unknown connector "${c.connector}"; available: ${Object.keys(registry).join(', ')}`,
      );
      continue;
    }
    const settings = settingsSchema(definition.manifest.connectionFields).safeParse(c.settings);
    if (!settings.success) {
      for (const i of settings.error.issues) {
        const path = [
          'connections',
          name,
          'settings',
          ...i.path.filter((p): p is string | number => typeof p !== 'symbol'),
        ];
        issue(
          path,
          i.code === 'unrecognized_keys'
            ? `unknown setting${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`
            : i.message,
        );
      }
      continue;
    }
    connections.set(name, {
      name,
      definition,
      settings: settings.data,
      rateLimit: effectiveLimit(definition.manifest.rateLimit, c.rateLimit),
    });
  }

  const flows = new Map<string, Flow>();
  for (const [name, f] of Object.entries(cfg.flows)) {
    // A flow's name is a row's key in the store, and PostgreSQL's text cannot hold NUL: "x\0y" failed
    // the reload with a database error (not a ConfigError), which ended the watching process.
    if (/\p{Cc}/u.test(name)) {
      issue(['flows', name], 'a flow name cannot hold control characters');
      continue;
    }
    const flow = resolveFlow(name, f, connections, cfg.connections, (p, m) =>
      issue(['flows', name, ...p], m),
    );
    if (flow) flows.set(name, flow);
  }
  for (const flow of flows.values()) {
    flow.dependencies = flow.dependencies.map((d, i) =>
      resolveDependency(flow, d, flows, (m) => issue(['flows', flow.name, 'dependencies', i, 'flow'], m)),
    );
  }
  const valueMaps = new Map<string, ValueMap>(
    Object.entries(cfg.valueMaps).map(([name, rows]) => [name, { name, rows }]),
  );
  for (const [name, rows] of valueMaps) {
    rows.rows.forEach((row, i) => {
      // Own keys only: a row naming "constructor" found Object's and passed.
      for (const conn of Object.keys(row))
        if (!Object.hasOwn(cfg.connections, conn))
          issue(['valueMaps', name, i, conn], `no connection named "${conn}" is configured`);
    });
  }
  if (issues.length) throw new ConfigError(issues);
  return {
    path: file,
    database: env.LEDGERLINK_DATABASE_URL ?? cfg.database ?? DEFAULT_DATABASE_URL,
    server: {
      host: env.HOST ?? cfg.server.host,
      port: env.PORT ? Number(env.PORT) : cfg.server.port,
      trustProxy: cfg.server.trustProxy,
      ...(cfg.server.publicUrl ? { publicUrl: cfg.server.publicUrl } : {}),
      limits: cfg.server.limits,
    },
    connections,
    flows,
    valueMaps,
    alerts: cfg.alerts,
  };
}

/**
 * A dependency names its entity, or the flow that brings it over (then the entity is that flow's).
 * Without a flow, the configured flow of the entity between the same two connections is used, so a
 * missing customer is synced before its order; when there is none the record only waits.
 */
function resolveDependency(
  flow: Flow,
  d: Partial<Dependency> & { ids: string },
  flows: Map<string, Flow>,
  issue: (message: string) => void,
): Dependency {
  const targetKeys = d.targetKeys ? { targetKeys: true } : {};
  if (d.flow) {
    const named = flows.get(d.flow);
    if (!named) {
      issue(`no flow named "${d.flow}" is configured`);
      return { entity: d.entity ?? flow.entity, ids: d.ids, ...targetKeys };
    }
    if (d.entity && d.entity !== named.entity)
      issue(`flow "${d.flow}" syncs ${named.entity} records, not ${d.entity}`);
    return { entity: named.entity, ids: d.ids, flow: d.flow, ...targetKeys };
  }
  const entity = d.entity ?? flow.entity;
  const forward = [...flows.values()].find(
    (f) => f.entity === entity && f.source === flow.source && f.target === flow.target && f.enabled,
  );
  return { entity, ids: d.ids, ...(forward ? { flow: forward.name } : {}), ...targetKeys };
}

/**
 * A catalog flow's settings: its defaults, overridden by the configuration's `settings`. Values are
 * data: conditions read them as JSONata variables (`$enabledAttribute`), never as text spliced into
 * an expression; a condition's name may show one as `{{name}}`. A setting the flow does not declare
 * is an issue.
 */
function flowSettings(
  defaults: Readonly<Record<string, string>>,
  given: Readonly<Record<string, string>>,
  issue: (path: Path, message: string) => void,
): Record<string, string> {
  const values: Record<string, string> = { ...defaults };
  for (const [k, v] of Object.entries(given)) {
    if (!Object.hasOwn(defaults, k)) {
      const known = Object.keys(defaults);
      issue(
        ['settings', k],
        `this flow has no setting "${k}"${known.length ? ` (it has ${known.join(', ')})` : ''}`,
      );
      continue;
    }
    values[k] = v;
  }
  return values;
}

/** A condition's name with the settings it shows (`{{enabledAttribute}}`): display text only. */
const named = (c: Condition, settings: Readonly<Record<string, string>>): Condition => ({
  ...c,
  name: c.name.replace(/\{\{(\w+)\}\}/g, (all, k: string) =>
    Object.hasOwn(settings, k) ? settings[k]! : all,
  ),
});

function resolveFlow(
  name: string,
  f: FlowConfigShape,
  connections: Map<string, ConfiguredConnection>,
  declared: Record<string, { connector: string }>,
  issue: (path: Path, message: string) => void,
): Flow | undefined {
  if (f.like !== undefined && !Object.hasOwn(flowCatalog, f.like)) {
    issue(['like'], `"${f.like}" is not a flow Ledgerlink knows (${Object.keys(flowCatalog).join(', ')})`);
    return undefined;
  }
  const base = Object.hasOwn(flowCatalog, f.like ?? name) ? flowCatalog[f.like ?? name] : undefined;
  const entity = (f.entity ?? base?.entity) as EntityName | undefined;
  const source = f.source ?? base?.sourceConnector;
  const target = f.target ?? base?.targetConnector;
  if (!base && (!entity || !source || !target)) {
    issue(
      [],
      `"${name}" is not a flow Ledgerlink knows (${Object.keys(flowCatalog).join(', ')}); a custom flow must set entity, source and target`,
    );
    return undefined;
  }
  if (!entity || !source || !target) return undefined;
  let ok = true;
  const side = (key: 'source' | 'target', conn: string, expected?: string) => {
    if (!Object.hasOwn(declared, conn)) {
      issue([key], `no connection named "${conn}" is configured`);
      ok = false;
      return;
    }
    if (expected && declared[conn]?.connector !== expected) {
      issue(
        [key],
        `connection "${conn}" is a ${declared[conn]?.connector} connection, but this flow needs ${expected}`,
      );
      ok = false;
    }
  };
  side('source', source, base?.sourceConnector);
  side('target', target, base?.targetConnector);
  const src = connections.get(source);
  const tgt = connections.get(target);
  if (!ok || !src || !tgt) return undefined;
  if (!src.definition.manifest.entities[entity]?.read) {
    issue(['source'], `${src.definition.manifest.title} cannot read ${entity} records`);
    return undefined;
  }
  const writeCap = tgt.definition.manifest.entities[entity]?.write;
  if (!writeCap) {
    issue(['target'], `${tgt.definition.manifest.title} cannot write ${entity} records`);
    return undefined;
  }
  const ownedFields = f.ownedFields ?? base?.ownedFields ?? [];
  if (!writeCap.updatableFields.includes('*')) {
    ownedFields.forEach((field, i) => {
      if (!writeCap.updatableFields.includes(field)) {
        issue(
          ['ownedFields', i],
          `${tgt.definition.manifest.title} cannot update "${field}" on a ${entity}; it can update: ${writeCap.updatableFields.join(', ')}`,
        );
        ok = false;
      }
    });
  }
  const settings = flowSettings(base?.settings ?? {}, f.settings ?? {}, (path, message) => {
    issue(path, message);
    ok = false;
  });
  const conditions = (f.conditions ?? base?.conditions ?? []).map((c) => named(c, settings));
  conditions.forEach((c, i) => {
    for (const key of ['expression', 'explain'] as const) {
      const text = c[key];
      if (text === undefined) continue;
      try {
        jsonata(text);
      } catch (e) {
        issue(['conditions', i, key], `not a valid JSONata expression: ${(e as Error).message}`);
        ok = false;
      }
    }
  });
  const writeBack =
    f.writeBack === null
      ? undefined
      : (f.writeBack ?? (base?.writeBack ? { field: base.writeBack, value: 'number' as const } : undefined));
  for (const [i, d] of (f.dependencies ?? []).entries()) {
    try {
      jsonata(d.ids);
    } catch (e) {
      issue(['dependencies', i, 'ids'], `not a valid JSONata expression: ${(e as Error).message}`);
      ok = false;
    }
  }
  const schedule = f.schedule === null ? undefined : (f.schedule ?? base?.schedule);
  if (schedule) {
    try {
      new Cron(schedule, { paused: true }).stop();
    } catch (e) {
      issue(['schedule'], `not a valid cron schedule: ${(e as Error).message}`);
      ok = false;
    }
  }
  const syncMode = f.syncMode ?? flowDefaults.syncMode;
  if (syncMode === 'shift-close' && !src.definition.manifest.triggers.includes('shift-close')) {
    issue(
      ['syncMode'],
      `${src.definition.manifest.title} has no register shift closing event; use realtime, scheduled or manual`,
    );
    ok = false;
  }
  if (!ok) return undefined;
  return {
    ...flowDefaults,
    syncMode,
    idMapping: f.idMapping ?? flowDefaults.idMapping,
    name,
    ...((f.description ?? base?.description) ? { description: f.description ?? base?.description } : {}),
    entity,
    source,
    target,
    enabled: f.enabled,
    createIfMissing: f.createIfMissing ?? flowDefaults.createIfMissing,
    ownedFields,
    neverOverwrite: f.neverOverwrite ?? base?.neverOverwrite ?? flowDefaults.neverOverwrite,
    ownsEchoes: f.ownsEchoes ?? base?.ownsEchoes ?? flowDefaults.ownsEchoes,
    oldestFirst: f.oldestFirst ?? base?.oldestFirst ?? flowDefaults.oldestFirst,
    conditions,
    ...(Object.keys(settings).length ? { settings } : {}),
    // Resolved against the other flows once every flow is known.
    dependencies: (f.dependencies ?? base?.dependencies ?? []) as Dependency[],
    valueMaps: { ...base?.valueMaps, ...f.valueMaps },
    ...(f.transform ? { transform: f.transform } : {}),
    ...(writeBack ? { writeBack } : {}),
    ...(schedule ? { schedule } : {}),
    ...(base?.runsAfter ? { runsAfter: base.runsAfter } : {}),
    overlapMs: f.overlapMinutes !== undefined ? f.overlapMinutes * 60_000 : flowDefaults.overlapMs,
    pageSize: f.pageSize ?? flowDefaults.pageSize,
    maxAttempts: f.maxAttempts ?? flowDefaults.maxAttempts,
    retryBaseMs: f.retryBaseSeconds !== undefined ? f.retryBaseSeconds * 1000 : flowDefaults.retryBaseMs,
    retryCapMs: f.retryCapSeconds !== undefined ? f.retryCapSeconds * 1000 : flowDefaults.retryCapMs,
  };
}
