/** Joins the first few issues into one error message; the full list stays on the error's `issues`. */
export function summarizeIssues(what: string, issues: readonly string[], shown = 5): string {
  const head = issues.slice(0, shown).join('; ');
  const more = issues.length > shown ? `; … and ${issues.length - shown} more` : '';
  return `${what} (${issues.length} problem${issues.length === 1 ? '' : 's'}): ${head}${more}`;
}
