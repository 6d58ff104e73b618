/** Where a host's ledger is: no SQLite loaded for it (the checks read it with the sqlite3 shell, facts/ledger.ts). */
export const LEDGER_FILE = 'ledger.db';
export const ledgerPath = (stateDir: string): string => `${stateDir}/${LEDGER_FILE}`;
