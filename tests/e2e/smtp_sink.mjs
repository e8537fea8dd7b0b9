// A small SMTP server for the portal's browser test: it accepts every message on
// 127.0.0.1 (no TLS, no AUTH), undoes dot-stuffing, and parses what a mail reader needs:
// the recipients, the subject and the decoded text and HTML parts (quoted-printable or
// base64). Enough of RFC 5321 for curl's SMTP client, which contactd uses.

import net from 'node:net';

function decodePart(headers, body) {
  const cte = (/^content-transfer-encoding:\s*([^\r\n]+)/im.exec(headers) || [])[1] || '7bit';
  if (/quoted-printable/i.test(cte)) {
    const soft = body.replace(/=\r?\n/g, '');
    const bytes = [];
    for (let i = 0; i < soft.length; i += 1) {
      const hex = soft.slice(i + 1, i + 3);
      if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) { bytes.push(parseInt(hex, 16)); i += 2; }
      else bytes.push(...Buffer.from(soft[i], 'latin1'));
    }
    return Buffer.from(bytes).toString('utf8');
  }
  if (/base64/i.test(cte)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

function decodeHeader(value) {
  return value.replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b64) => Buffer.from(b64, 'base64').toString('utf8'))
    .replace(/\r\n[ \t]/g, ' ');
}

export function parseMail(raw) {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split);
  const body = raw.slice(split + 4);
  const header = (name) => {
    const m = new RegExp(`^${name}:([^\\r\\n]*(?:\\r\\n[ \\t][^\\r\\n]*)*)`, 'im').exec(head);
    return m ? decodeHeader(m[1].trim()) : '';
  };
  const parts = {};
  const boundary = (/boundary="?([^";\r\n]+)"?/i.exec(head) || [])[1];
  const chunks = boundary ? body.split(`--${boundary}`).slice(1, -1) : [`${head}\r\n\r\n${body}`];
  for (const chunk of chunks) {
    const text = chunk.replace(/^\r\n/, '');
    const at = text.indexOf('\r\n\r\n');
    const partHead = text.slice(0, at);
    const type = ((/^content-type:\s*([^;\r\n]+)/im.exec(partHead) || [])[1] || 'text/plain').toLowerCase();
    parts[type] = decodePart(partHead, text.slice(at + 4).replace(/\r\n$/, ''));
  }
  return { subject: header('Subject'), to: header('To'), text: parts['text/plain'] || '', html: parts['text/html'] || '' };
}

export async function startSmtpSink() {
  const sink = { messages: [], port: 0, server: null, sockets: new Set() };
  sink.server = net.createServer((socket) => {
    sink.sockets.add(socket);
    socket.on('close', () => sink.sockets.delete(socket));
    socket.setEncoding('latin1'); // bytes as they are; parts are decoded as UTF-8 later
    let buffer = '';
    let inData = false;
    let rcpt = [];
    const reply = (line) => socket.write(`${line}\r\n`);
    reply('220 contactd-e2e ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const raw = buffer.slice(0, end + 2).replace(/\r\n\.\./g, '\r\n.');
          buffer = buffer.slice(end + 5);
          inData = false;
          sink.messages.push({ rcpt, ...parseMail(raw), raw });
          rcpt = [];
          reply('250 2.0.0 queued');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') { reply('250-contactd-e2e'); reply('250-8BITMIME'); reply('250 SMTPUTF8'); }
        else if (verb === 'HELO') reply('250 contactd-e2e');
        else if (verb === 'MAIL') { rcpt = []; reply('250 2.1.0 OK'); }
        else if (verb === 'RCPT') { rcpt.push((/<([^>]*)>/.exec(line) || [])[1] || ''); reply('250 2.1.5 OK'); }
        else if (verb === 'DATA') { inData = true; reply('354 end with <CRLF>.<CRLF>'); }
        else if (verb === 'RSET' || verb === 'NOOP') reply('250 OK');
        else if (verb === 'QUIT') { reply('221 bye'); socket.end(); return; }
        else reply('502 5.5.2 not implemented');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
  sink.port = sink.server.address().port;
  // The newest message to `to` that `accept` takes, waiting up to `timeoutMs`.
  sink.waitFor = async (to, accept, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = sink.messages.filter((m) => m.rcpt.includes(to) && accept(m)).pop();
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no matching email to ${to} within ${timeoutMs / 1000} s (${sink.messages.length} received)`);
  };
  sink.close = () => new Promise((resolve) => {
    for (const socket of sink.sockets) socket.destroy();
    sink.server.close(() => resolve());
  });
  return sink;
}
