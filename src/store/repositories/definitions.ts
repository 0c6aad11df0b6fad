import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Connections and flows as last loaded from the configuration file (the source of truth), kept in
 * the store so the API and other processes see what this installation runs. Secrets are not stored.
 */
export class DefinitionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async saveConnection(c: {
    name: string;
    connector: string;
    settings: Record<string, unknown>;
  }): Promise<void> {
    const now = new Date().toISOString();
    const settings = JSON.stringify(c.settings);
    await this.db
      .insertInto('connections')
      .values({ name: c.name, connector: c.connector, settings, updated_at: now })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({ connector: c.connector, settings, updated_at: now }),
      )
      .execute();
  }

  async saveFlow(f: {
    name: string;
    source: string;
    target: string;
    entity: string;
    enabled: boolean;
    config: unknown;
  }): Promise<void> {
    const now = new Date().toISOString();
    const row = {
      source: f.source,
      target: f.target,
      entity: f.entity,
      enabled: f.enabled ? 1 : 0,
      config: JSON.stringify(f.config),
      updated_at: now,
    };
    await this.db
      .insertInto('flows')
      .values({ name: f.name, ...row })
      .onConflict((oc) => oc.column('name').doUpdateSet(row))
      .execute();
  }

  async flows() {
    return this.db.selectFrom('flows').selectAll().orderBy('name').execute();
  }

  async connections() {
    return this.db.selectFrom('connections').selectAll().orderBy('name').execute();
  }
}
