import { type Document, isMap } from 'yaml';
import { literal } from '../../config/load.js';
import { EngineError } from '../../engine/errors.js';
import { SYNC_MODES } from '../../engine/flow.js';
import type { ServerDeps } from '../app.js';

/** What the Flows screen may change; everything goes through the configuration file. */
export const flowPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    enabled: { type: 'boolean' },
    syncMode: { type: 'string', enum: [...SYNC_MODES] },
    schedule: { type: ['string', 'null'], description: 'cron hours; null: no schedule' },
    ownedFields: { type: 'array', items: { type: 'string', minLength: 1 } },
    conditions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'expression'],
        properties: {
          name: { type: 'string', minLength: 1 },
          expression: { type: 'string', minLength: 1 },
          explain: { type: 'string', minLength: 1 },
        },
      },
    },
    idMapping: { type: 'string', enum: ['source', 'target'] },
  },
} as const;

/** The configuration is edited in its file; without one this process is read-only. */
export function editable(deps: ServerDeps) {
  if (!deps.config)
    throw new EngineError(
      'config_read_only',
      'this process has no configuration file to edit; change the file and restart it',
    );
  return deps.config;
}

/** A map node at `path`, made when absent or empty (`flow-name:` with nothing under it). */
export function mapAt(doc: Document, path: readonly string[]): void {
  if (!isMap(doc.getIn(path, true))) doc.setIn(path, doc.createNode({}));
}

/**
 * Writes the flow's changed settings into the file, each exactly as typed (`literal`: never a
 * reference to the environment); the new configuration is validated and applied.
 */
export async function saveFlowEdit(
  deps: ServerDeps,
  name: string,
  patch: Record<string, unknown>,
): Promise<void> {
  await saveFlowEdits(deps, { [name]: patch });
}

/**
 * Several flows' changes as one edit of the file: one validation, one reload — a settings panel that
 * touches the sales, payments and transfers flows together never leaves them half changed.
 */
export async function saveFlowEdits(
  deps: ServerDeps,
  patches: Record<string, Record<string, unknown>>,
): Promise<void> {
  await editable(deps).edit((doc) => {
    mapAt(doc, ['flows']);
    for (const [name, patch] of Object.entries(patches)) {
      mapAt(doc, ['flows', name]);
      for (const [key, value] of Object.entries(patch))
        doc.setIn(['flows', name, key], doc.createNode(literal(value)));
    }
  });
}
