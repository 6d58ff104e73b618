import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_BOOK, nextBook, parseBook, type AlertBook } from '../../../src/alerts/book.ts';
import { alertmanagerPayload, alertText, chatPayload, genericPayload } from '../../../src/alerts/payload.ts';
import type { CheckResult } from '../../../src/checks/types.ts';

const result = (id: string, status: CheckResult['status'], o: Partial<CheckResult> = {}): CheckResult => ({
  id, title: `${id} title`, area: 'service', severity: 'critical', status, evidence: `${id} is ${status}`, remediation: `fix ${id}`, durationMs: 1, ...o,
});
const at = (min: number) => new Date(Date.UTC(2026, 11, 3, 12, min));
const policy = (min: number, o: Partial<Parameters<typeof nextBook>[2]> = {}) => ({ host: 'gw1', now: at(min), remindHours: 1, minSeverity: 'warn' as const, ...o });

describe('alert book', () => {
  it('firing once, silent while it stays failing, a reminder after remindHours, one resolved when it passes', () => {
    let book: AlertBook = EMPTY_BOOK;
    const kinds: string[] = [];
    const step = (min: number, status: CheckResult['status']) => {
      const r = nextBook(book, [result('service.active', status, { instance: 'openclaw' })], policy(min));
      book = r.book;
      kinds.push(...r.events.map((e) => `${min}:${e.kind}`));
      return r.events;
    };
    const [first] = step(0, 'fail');
    assert.equal(first?.key, 'gw1/openclaw/service.active');
    assert.equal(first?.firstSeen, at(0).toISOString());
    for (let m = 1; m < 60; m++) step(m, 'fail');
    step(60, 'unknown');
    step(61, 'fail');
    const [resolved] = step(62, 'pass');
    step(63, 'pass');
    assert.deepEqual(kinds, ['0:firing', '60:reminder', '62:resolved']);
    assert.equal(resolved?.firstSeen, at(0).toISOString(), 'the resolution says since when it failed');
    assert.equal(resolved?.status, 'pass');
    assert.deepEqual(book.open, {});
  });

  it('a check the run did not evaluate keeps its alert (one profile never resolves another\'s)', () => {
    const a = nextBook(EMPTY_BOOK, [result('backup.recent', 'fail')], policy(0));
    const b = nextBook(a.book, [result('service.active', 'pass')], policy(1));
    assert.deepEqual(b.events, []);
    assert.deepEqual(Object.keys(b.book.open), ['gw1/-/backup.recent']);
  });

  it('severity: info never alerts; minSeverity critical skips warnings; waived or skipped resolves', () => {
    const r = nextBook(EMPTY_BOOK, [result('a', 'fail', { severity: 'info' }), result('b', 'fail', { severity: 'warn' }), result('c', 'fail')], policy(0, { minSeverity: 'critical' }));
    assert.deepEqual(r.events.map((e) => e.check), ['c']);
    const w = nextBook(r.book, [result('c', 'waived')], policy(1));
    assert.deepEqual(w.events.map((e) => `${e.check}:${e.kind}:${e.status}`), ['c:resolved:waived']);
  });

  it('the same check on two instances is two alerts', () => {
    const r = nextBook(EMPTY_BOOK, [result('service.active', 'fail', { instance: 'a' }), result('service.active', 'fail', { instance: 'b' })], policy(0));
    assert.deepEqual(r.events.map((e) => e.key), ['gw1/a/service.active', 'gw1/b/service.active']);
  });

  it('a book that does not read back is refused (the store starts anew)', () => {
    assert.equal(parseBook('{"version":2,"open":{}}'), null);
    assert.equal(parseBook('not json'), null);
    assert.deepEqual(parseBook(JSON.stringify(EMPTY_BOOK)), EMPTY_BOOK);
  });
});

describe('alert payloads', () => {
  const [firing] = nextBook(EMPTY_BOOK, [result('service.active', 'fail', { instance: 'openclaw' })], policy(0)).events;
  it('generic: the event with a schema tag; chat: text and content (Discord: at most 2000 characters)', () => {
    assert.equal(genericPayload(firing!).schema, 'clawops.alert/1');
    assert.equal(genericPayload(firing!).key, 'gw1/openclaw/service.active');
    assert.match(alertText(firing!), /^\[FIRING\] critical service\.active\[openclaw\] on gw1: service\.active title\nfail: service\.active is fail\nfix: fix service\.active/);
    const long = chatPayload({ ...firing!, evidence: 'x'.repeat(5000) });
    assert.equal((long.content as string).length, 2000);
    assert.ok((long.text as string).length > 5000);
  });
  it('alertmanager: labels identify, a firing alert lasts two reminder intervals, a resolved one ends now', () => {
    const [am] = alertmanagerPayload([firing!], 4);
    assert.deepEqual(am?.labels, { alertname: 'ClawopsCheckFailing', check: 'service.active', host: 'gw1', severity: 'critical', openclaw_instance: 'openclaw' });
    assert.equal(am?.endsAt, new Date(at(0).getTime() + 8 * 3_600_000).toISOString());
    const [done] = alertmanagerPayload([{ ...firing!, kind: 'resolved', at: at(5).toISOString() }], 4);
    assert.equal(done?.endsAt, at(5).toISOString());
  });
});
