// A Telegram Bot API server for tests (loopback only), where OpenClaw's real telegram channel
// plugin connects through `channels.telegram.apiRoot`: /bot<TOKEN>/<method> answers getMe,
// getUpdates (long poll), sendMessage and getWebhookInfo as Telegram does; any other method is
// ok:true, result:true. Requests are appended to LOGFILE as JSON lines (the path holds the token).
// The test plays the human through a control API:
//   POST /control/inject {"text":"hi","fromId":4242,"username":"alice"} -> a private message update
//   GET  /control/sent -> what the bot sent
// usage: node telegram.mjs PORT LOGFILE
import http from 'node:http';
import fs from 'node:fs';

const port = Number(process.argv[2]);
const logFile = process.argv[3];
const updates = [];
const sent = [];
let nextUpdateId = 1000;
let nextMsgId = 1;
let waiters = [];

const parseBody = (req, raw) => {
  const ct = req.headers['content-type'] ?? '';
  if (!raw) return {};
  try {
    if (ct.includes('json')) return JSON.parse(raw);
    if (ct.includes('x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  } catch {}
  return { raw: raw.slice(0, 2000) };
};
const reply = (res, obj, code = 200) => {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(obj));
};
const flush = () => {
  const w = waiters;
  waiters = [];
  for (const f of w) f();
};

http
  .createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://x');
      const body = { ...Object.fromEntries(url.searchParams), ...parseBody(req, raw) };
      fs.appendFileSync(logFile, `${JSON.stringify({ ts: new Date().toISOString(), method: req.method, path: url.pathname, body })}\n`);
      if (url.pathname === '/control/inject') {
        const u = {
          update_id: nextUpdateId++,
          message: {
            message_id: nextMsgId++,
            date: Math.floor(Date.now() / 1000),
            chat: { id: body.fromId ?? 4242, type: 'private', first_name: 'Alice', username: body.username ?? 'alice' },
            from: { id: body.fromId ?? 4242, is_bot: false, first_name: 'Alice', username: body.username ?? 'alice', language_code: 'en' },
            text: body.text ?? 'hello',
          },
        };
        updates.push(u);
        flush();
        return reply(res, { ok: true, queued: u.update_id });
      }
      if (url.pathname === '/control/sent') return reply(res, sent);
      const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
      if (!m) return reply(res, { ok: false, error_code: 404, description: 'Not Found' }, 404);
      const method = m[2];
      switch (method) {
        case 'getMe':
          return reply(res, { ok: true, result: { id: 777000111, is_bot: true, first_name: 'StandinBot', username: 'standin_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false } });
        case 'getUpdates': {
          const offset = Number(body.offset ?? 0);
          const pending = () => updates.filter((u) => u.update_id >= offset);
          const timeoutS = Math.min(Number(body.timeout ?? 0), 30);
          const answer = () => reply(res, { ok: true, result: pending() });
          if (pending().length > 0 || timeoutS === 0) return answer();
          const t = setTimeout(() => { waiters = waiters.filter((f) => f !== done); answer(); }, timeoutS * 1000);
          const done = () => { clearTimeout(t); answer(); };
          waiters.push(done);
          res.on('close', () => { clearTimeout(t); waiters = waiters.filter((f) => f !== done); });
          return;
        }
        case 'sendMessage': {
          const msg = { message_id: nextMsgId++, date: Math.floor(Date.now() / 1000), chat: { id: Number(body.chat_id), type: 'private' }, from: { id: 777000111, is_bot: true, first_name: 'StandinBot', username: 'standin_bot' }, text: body.text };
          sent.push({ chat_id: body.chat_id, text: body.text });
          return reply(res, { ok: true, result: msg });
        }
        case 'getWebhookInfo':
          return reply(res, { ok: true, result: { url: '', has_custom_certificate: false, pending_update_count: 0 } });
        case 'getMyCommands':
          return reply(res, { ok: true, result: [] });
        default:
          return reply(res, { ok: true, result: true });
      }
    });
  })
  .listen(port, '127.0.0.1', () => process.stdout.write(`stand-in Telegram Bot API on 127.0.0.1:${port}\n`));
