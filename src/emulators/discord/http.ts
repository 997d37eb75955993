import type { IncomingMessage, ServerResponse } from 'node:http';

/** A file part of a multipart request, named `files[N]` by discord.js. */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string | undefined;
  size: number;
  /** The bytes, so a test can check what the bot attached (a chart is a PNG). */
  data: Buffer;
}

export interface ParsedBody {
  body: unknown;
  files: UploadedFile[];
  /** Set when the bytes could not be decoded, so the route can answer Discord's 50109. */
  malformed: boolean;
}

export async function readBody(req: IncomingMessage): Promise<ParsedBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  if (raw.length === 0) return { body: undefined, files: [], malformed: false };
  const contentType = req.headers['content-type'] ?? '';
  const boundary = /^multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (boundary) return parseMultipart(raw, boundary);
  try {
    return { body: JSON.parse(raw.toString('utf8')) as unknown, files: [], malformed: false };
  } catch {
    return { body: undefined, files: [], malformed: true };
  }
}

function parseMultipart(raw: Buffer, boundary: string): ParsedBody {
  const delimiter = Buffer.from(`--${boundary}`);
  const files: UploadedFile[] = [];
  let body: unknown;
  let malformed = false;
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    const end = raw.indexOf(delimiter, partStart);
    if (end === -1) break;
    // Each part is CRLF, headers, blank line, content, CRLF before the next delimiter.
    const part = raw.subarray(partStart + 2, end - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1] ?? '';
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      if (name === 'payload_json') {
        try {
          body = JSON.parse(content.toString('utf8')) as unknown;
        } catch {
          malformed = true;
        }
      } else if (filename !== undefined) {
        const contentType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
        files.push({ field: name, filename, contentType, size: content.length, data: Buffer.from(content) });
      }
    }
    start = end;
  }
  return { body, files, malformed };
}

export function sendJson(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  // @discordjs/rest hands back raw bytes without the JSON content type, yet calls JSON.parse on an
  // empty 204 that carries it: like Discord, a 204 has neither body nor content type.
  if (status === 204) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body ?? null));
}
