import { type Expression, type SqlBool, sql } from 'kysely';

/**
 * `%`, `_` and `\` as the characters they are: what a person types in a search box (or an id that
 * holds them, such as ACME_01) is matched literally, never as a LIKE wildcard.
 */
export const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * `column` contains `text`, whatever the case, on both dialects (SQLite's LIKE ignores ASCII case and
 * PostgreSQL's does not; lower() on both sides makes them agree). The ESCAPE clause is spelled out
 * because SQLite has no default escape character.
 */
export function contains(column: string, text: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like lower(${`%${likeLiteral(text)}%`}) escape '\\'`;
}

/** `column` matches `pattern`, whose only wildcards are the `%` the caller wrote around literal parts. */
export function likePattern(column: string, pattern: string): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\'`;
}
