/**
 * A LIKE pattern for "contains this text, any case", to be used as
 * `lower(column) like <pattern> escape '\'` (lower() on both sides: SQLite's LIKE ignores
 * ASCII case, PostgreSQL's does not). `%`, `_` and the backslash match literally.
 */
export function containsPattern(part: string): string {
  return `%${part.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
