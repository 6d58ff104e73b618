// A deterministic OpenAI-compatible chat-completions server for tests (loopback only): the model
// OpenClaw's gateway talks to when no real provider is reachable. It speaks the real protocol
// (POST /v1/chat/completions with stream: true as SSE, tool calls, usage) and acts like a model
// that follows instructions literally:
//   - the last real message is a tool result      -> it answers with that result;
//   - the user asks to run a command in backticks -> it calls the exec tool with that command
//     (directly, or through `tool_call` when the tool policy hides exec behind tool search);
//   - anything else                               -> a short fixed answer.
// OpenClaw appends an internal-context user message after tool results: it is looked past, or the
// model would call the tool again forever. Every request is appended to LOGFILE as one JSON line.
// usage: node llm.mjs PORT LOGFILE
import fs from 'node:fs';
import http from 'node:http';

const port = Number(process.argv[2]);
const logFile = process.argv[3];
let calls = 0;

const textOf = (c) => (typeof c === 'string' ? c : Array.isArray(c) ? c.map((p) => (typeof p === 'string' ? p : (p?.text ?? ''))).join('') : '');
const isInternal = (m) => m.role === 'user' && textOf(m.content).includes('<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>');

function decide(body) {
  const real = (Array.isArray(body.messages) ? body.messages : []).filter((m) => m.role !== 'system' && !isInternal(m));
  const last = real[real.length - 1] ?? {};
  if (last.role === 'tool') return { text: `STANDIN-TOOL-RESULT: ${textOf(last.content).trim().slice(0, 400)}` };
  const asked = last.role === 'user' ? /run exactly this shell command[^`]*`([^`]+)`/i.exec(textOf(last.content)) : null;
  if (asked) {
    const tools = (body.tools ?? []).map((t) => t?.function?.name).filter(Boolean);
    const direct = tools.find((t) => t === 'exec') ?? tools.find((t) => /exec|bash|shell/.test(t));
    const command = asked[1];
    const id = `callstandin${++calls}`;
    if (direct || !tools.includes('tool_call')) return { tool: { id, name: direct ?? 'exec', args: JSON.stringify({ command }) } };
    return { tool: { id, name: 'tool_call', args: JSON.stringify({ id: 'exec', args: { command } }) } };
  }
  return { text: 'STANDIN-REPLY: I am standin-1, a stand-in model for tests.' };
}

function send(res, body, d) {
  const id = `chatcmpl-standin-${Date.now()}`;
  const model = body.model ?? 'standin-1';
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
  if (!body.stream) {
    const message = d.tool
      ? { role: 'assistant', content: null, tool_calls: [{ id: d.tool.id, type: 'function', function: { name: d.tool.name, arguments: d.tool.args } }] }
      : { role: 'assistant', content: d.text };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: d.tool ? 'tool_calls' : 'stop' }], usage }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (delta, finish = null) => res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
  chunk({ role: 'assistant', content: '' });
  if (d.tool) {
    chunk({ tool_calls: [{ index: 0, id: d.tool.id, type: 'function', function: { name: d.tool.name, arguments: '' } }] });
    chunk({ tool_calls: [{ index: 0, function: { arguments: d.tool.args } }] });
    chunk({}, 'tool_calls');
  } else {
    for (const w of d.text.split(/(?<= )/)) chunk({ content: w });
    chunk({}, 'stop');
  }
  if (body.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
  res.write('data: [DONE]\n\n');
  res.end();
}

http
  .createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      let body = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        body = { unparsed: raw.slice(0, 2000) };
      }
      fs.appendFileSync(logFile, `${JSON.stringify({ ts: new Date().toISOString(), method: req.method, url: req.url, authorization: req.headers.authorization ?? null, body })}\n`);
      if (req.method === 'GET' && /\/models$/.test(req.url)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'standin-1', object: 'model', owned_by: 'standin' }] }));
      } else if (req.method === 'POST' && /\/chat\/completions$/.test(req.url)) {
        send(res, body, decide(body));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      }
    });
  })
  .listen(port, '127.0.0.1', () => process.stdout.write(`stand-in LLM on 127.0.0.1:${port}\n`));
