// CSV of the audit export: RFC 4180 quoting, and no cell a spreadsheet would run as a formula.
import type { AuditEventListRow } from '../audit/audit.service.js';

/**
 * Spreadsheets evaluate a cell that starts with one of these (OWASP "CSV injection"); a leading
 * single quote makes them show the text as it is.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: `null` is empty, formula starts are neutralised, then quoted when RFC 4180 requires it. */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One record, ended with CRLF as RFC 4180 has it. */
export function csvLine(values: readonly (string | null)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

const AUDIT_CSV_COLUMNS = [
  'id',
  'at',
  'action',
  'actorId',
  'actorEmail',
  'actorName',
  'targetType',
  'targetId',
  'ip',
  'requestId',
  'metadata',
] as const;

export function auditCsvHeader(): string {
  return csvLine(AUDIT_CSV_COLUMNS);
}

/** One event; its metadata as JSON in a single cell. */
export function auditCsvLine(row: AuditEventListRow): string {
  return csvLine([
    row.id,
    row.at.toISOString(),
    row.action,
    row.actor_id,
    row.actor_email,
    row.actor_name,
    row.target_type,
    row.target_id,
    row.ip,
    row.request_id,
    JSON.stringify(row.metadata),
  ]);
}

/** The last line of an export that stopped at its bound while more events matched. */
export function auditCsvTruncatedLine(maxRows: number): string {
  return csvLine([`# truncated: more than ${maxRows} events match; narrow the filters (from, to) to export the rest`]);
}
