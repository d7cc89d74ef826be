// LIKE patterns from user input, for repositories.

/**
 * The pattern that matches `text` anywhere, with `%`, `_` and `\` in it matching themselves
 * (backslash is PostgreSQL's default LIKE escape).
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
