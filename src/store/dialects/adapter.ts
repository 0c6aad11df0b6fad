import type { ColumnDataType, ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * What differs between the engines, as capability flags and two small column helpers — the only
 * place in the code base that knows which database it talks to.
 */
export interface DialectAdapter {
  name: 'sqlite' | 'postgres';
  /** Column type of auto-incrementing ids. */
  idType: ColumnDataType;
  idColumn(col: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** Can lock the claimed job row and let other workers skip it (FOR UPDATE SKIP LOCKED). */
  supportsSkipLocked: boolean;
  /** Several processes may write at once (PostgreSQL); SQLite serialises writers in one process. */
  multiProcess: boolean;
}

export interface OpenedDatabase {
  db: Kysely<Database>;
  adapter: DialectAdapter;
  /** Where the data lives, with any password removed (for doctor and logs). */
  location: string;
  destroy(): Promise<void>;
}
