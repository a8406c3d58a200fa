/**
 * Provisioning accounts from an administrator's list (the admin CLI's `accounts import`).
 *
 * An imported account is "provisioned": it has a profile but no WeCom identity yet, and the member
 * whose userid equals its username claims it on first sign-in (see service.ts). Rows are keyed by
 * username, compared case-insensitively as WeCom compares userids, so importing the same list again
 * changes nothing. A row is refused, with every reason found, when it is invalid or when it would
 * make association ambiguous (an email or phone number that already belongs to another account);
 * refused rows never stop the others.
 */
import { z } from 'zod';
import { matchKey, type Account, type AccountProfile, type AccountStore, type MatchField } from '../model/index.js';
import { newAccountId } from './service.js';

/** The columns an import file may have; anything else is an error for the whole file. */
export const IMPORT_COLUMNS = ['username', 'email', 'phone_number', 'name'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** One row of the file; `line` is where it is, for the report. Values may be untrimmed or empty. */
export type ImportRow = { line: number } & Partial<Record<ImportColumn, string>>;

/** A WeCom userid: 1–64 characters of letters, digits and `_ - @ .` (contract, identifiers). */
export const WECOM_USERID = /^[A-Za-z0-9_\-@.]{1,64}$/;

/**
 * A phone number as people write it: digits with optional spaces, dashes or parentheses, and an
 * optional leading `+`; 5 to 15 digits (E.164's maximum). Matching later compares digits only.
 */
const PHONE_NUMBER = /^\+?[0-9 ()-]+$/;
const PHONE_DIGITS = { min: 5, max: 15 };

/** WeCom's limit on a member's name; control characters would corrupt terminals and tokens alike. */
const NAME_MAX_LENGTH = 64;
const CONTROL_CHARACTER = /\p{Cc}/u;

const emailSchema = z.email();

export type ImportRefusal =
  | { code: 'missing_username' }
  | { code: 'invalid_username' }
  | { code: 'duplicate_username'; firstLine: number }
  | { code: 'invalid_email' }
  | { code: 'invalid_phone_number' }
  | { code: 'invalid_name' }
  /** Several accounts already have this username (e.g. members of two corps): which one to update? */
  | { code: 'ambiguous_username'; accountIds: string[] }
  | { code: 'email_taken'; accountId: string; username: string }
  | { code: 'phone_number_taken'; accountId: string; username: string };

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

export interface ImportedRow {
  line: number;
  username: string;
  outcome: ImportOutcome;
  accountId: string;
}

export interface RefusedRow {
  line: number;
  /** As written in the file (trimmed), when there was one. */
  username?: string;
  reasons: ImportRefusal[];
}

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  imported: ImportedRow[];
  refused: RefusedRow[];
}

interface CleanRow {
  line: number;
  username: string;
  email?: string;
  phoneNumber?: string;
  name?: string;
}

/**
 * Creates or updates one provisioned account per row. `now` is epoch milliseconds. Rows are applied
 * in order, so a later row is checked against the accounts the earlier rows created.
 */
export async function importAccounts(store: AccountStore, rows: readonly ImportRow[], now: () => number): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, unchanged: 0, imported: [], refused: [] };
  const firstLineOf = new Map<string, number>();

  for (const row of rows) {
    const checked = validateRow(row, firstLineOf);
    if ('reasons' in checked) {
      report.refused.push(checked);
      continue;
    }
    const result = await applyRow(store, checked, Math.floor(now() / 1000));
    if ('reasons' in result) {
      report.refused.push(result);
      continue;
    }
    report[result.outcome] += 1;
    report.imported.push(result);
  }
  return report;
}

/** Checks a row on its own (and against earlier rows of the same file), without the store. */
function validateRow(row: ImportRow, firstLineOf: Map<string, number>): CleanRow | RefusedRow {
  const username = clean(row.username);
  const email = clean(row.email);
  const phoneNumber = clean(row.phone_number);
  const name = clean(row.name);
  const reasons: ImportRefusal[] = [];

  if (username === undefined) reasons.push({ code: 'missing_username' });
  else if (!WECOM_USERID.test(username)) reasons.push({ code: 'invalid_username' });
  else {
    const key = matchKey('username', username)!;
    const firstLine = firstLineOf.get(key);
    if (firstLine === undefined) firstLineOf.set(key, row.line);
    else reasons.push({ code: 'duplicate_username', firstLine });
  }
  if (email !== undefined && !emailSchema.safeParse(email).success) reasons.push({ code: 'invalid_email' });
  if (phoneNumber !== undefined && !isPhoneNumber(phoneNumber)) reasons.push({ code: 'invalid_phone_number' });
  if (name !== undefined && (name.length > NAME_MAX_LENGTH || CONTROL_CHARACTER.test(name))) {
    reasons.push({ code: 'invalid_name' });
  }

  if (reasons.length || username === undefined) {
    return { line: row.line, ...(username !== undefined ? { username } : {}), reasons };
  }
  return { line: row.line, username, email, phoneNumber, name };
}

async function applyRow(store: AccountStore, row: CleanRow, nowSeconds: number): Promise<ImportedRow | RefusedRow> {
  const existing = await store.findByMatchField('username', row.username);
  if (existing.length > 1) {
    return refuse(row, [{ code: 'ambiguous_username', accountIds: existing.map((account) => account.id) }]);
  }
  const account = existing[0];

  const reasons = [...(await takenBy(store, 'email', row.email, account)), ...(await takenBy(store, 'phone_number', row.phoneNumber, account))];
  if (reasons.length) return refuse(row, reasons);

  if (!account) {
    const { account: created } = await store.createWithIdentity({
      id: newAccountId(),
      createdAt: nowSeconds,
      updatedAt: nowSeconds,
      disabled: false,
      provisioned: true,
      profile: withRow({ username: row.username }, row),
      identities: [],
    });
    return { line: row.line, username: row.username, outcome: 'created', accountId: created.id };
  }

  const profile = withRow(account.profile, row);
  if (sameImportedFields(profile, account.profile)) {
    return { line: row.line, username: row.username, outcome: 'unchanged', accountId: account.id };
  }
  await store.updateProfile(account.id, profile, nowSeconds);
  return { line: row.line, username: row.username, outcome: 'updated', accountId: account.id };
}

/**
 * The row's fields over the current profile. A field the row leaves empty keeps its value: the file
 * may simply not know a phone number WeCom gave us. An imported email is never verified.
 */
function withRow(current: AccountProfile, row: CleanRow): AccountProfile {
  const next: AccountProfile = { ...current };
  if (row.name !== undefined) next.name = row.name;
  if (row.phoneNumber !== undefined) next.phoneNumber = row.phoneNumber;
  if (row.email !== undefined && row.email !== current.email) {
    next.email = row.email;
    next.emailVerified = false;
  }
  return next;
}

function sameImportedFields(a: AccountProfile, b: AccountProfile): boolean {
  return a.email === b.email && a.phoneNumber === b.phoneNumber && a.name === b.name && a.emailVerified === b.emailVerified;
}

/** A value another account already has would make association by that field ambiguous. */
async function takenBy(
  store: AccountStore,
  field: Extract<MatchField, 'email' | 'phone_number'>,
  value: string | undefined,
  self: Account | undefined,
): Promise<ImportRefusal[]> {
  if (value === undefined) return [];
  const other = (await store.findByMatchField(field, value)).find((account) => account.id !== self?.id);
  if (!other) return [];
  const code = field === 'email' ? 'email_taken' : 'phone_number_taken';
  return [{ code, accountId: other.id, username: other.profile.username }];
}

function refuse(row: CleanRow, reasons: ImportRefusal[]): RefusedRow {
  return { line: row.line, username: row.username, reasons };
}

function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function isPhoneNumber(value: string): boolean {
  if (!PHONE_NUMBER.test(value) || value.lastIndexOf('+') > 0) return false;
  const digits = value.replace(/\D/g, '').length;
  return digits >= PHONE_DIGITS.min && digits <= PHONE_DIGITS.max;
}
