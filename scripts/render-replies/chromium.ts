import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, dirname, extname, join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's chromium (or CHROMIUM_PATH); nothing is ever downloaded. */
export function findChromium(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  const candidates = [
    ...['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'].flatMap((name) =>
      (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name)),
    ),
  ];
  const found = candidates.find((candidate): candidate is string => Boolean(candidate && existsSync(candidate)));
  if (!found) {
    throw new Error(
      'render-replies needs a headless Chromium and found none.\n' +
        '  Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y chromium fonts-noto-core fonts-noto-color-emoji\n' +
        '  Elsewhere: set CHROMIUM_PATH to a Chromium or Chrome binary.',
    );
  }
  return found;
}

/** Warns when the fonts that make the pictures look like Discord are missing (they still render). */
export async function checkFonts(): Promise<void> {
  try {
    const { stdout } = await run('fc-list', [':', 'family']);
    const missing = ['Noto Sans', 'Noto Color Emoji'].filter(
      (family) => !stdout.split('\n').some((line) => line.split(',').includes(family)),
    );
    if (missing.length) {
      console.warn(
        `warning: font(s) ${missing.join(', ')} not installed; the pictures fall back to other faces (apt-get install fonts-noto-core fonts-noto-color-emoji)`,
      );
    }
  } catch {
    // No fontconfig tools: nothing to check.
  }
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json',
};

/** The node_modules folder that holds `pkg`, looking upwards from `from`. */
export function findPackage(pkg: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${pkg} is not installed: run npm ci first`);
  }
}

/**
 * A page server on 127.0.0.1: `/pages/NAME.html` from memory and `/modules/PKG/…` from the listed
 * packages only. Chromium runs ES modules only from http(s), not from file://.
 */
export class PageServer {
  readonly pages = new Map<string, string>();
  #server: Server;
  #packages: Map<string, string>;
  url = '';

  private constructor(packages: Map<string, string>) {
    this.#packages = packages;
    this.#server = createServer((request, response) => {
      void this.#serve(request.url ?? '/').then(
        ({ status, type, body }) => {
          response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
          response.end(body);
        },
        () => {
          response.writeHead(500).end();
        },
      );
    });
  }

  static async start(packages: Map<string, string>): Promise<PageServer> {
    const server = new PageServer(packages);
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    const address = server.#server.address();
    if (!address || typeof address === 'string') throw new Error('the page server has no port');
    server.url = `http://127.0.0.1:${address.port}`;
    return server;
  }

  async #serve(url: string): Promise<{ status: number; type: string; body: string | Buffer }> {
    const path = decodeURIComponent(new URL(url, 'http://x').pathname);
    const page = /^\/pages\/([\w-]+)\.html$/.exec(path);
    if (page?.[1] && this.pages.has(page[1])) return { status: 200, type: TYPES['.html']!, body: this.pages.get(page[1])! };
    if (path.startsWith('/modules/')) {
      const rest = path.slice('/modules/'.length);
      for (const [name, dir] of this.#packages) {
        if (!rest.startsWith(`${name}/`)) continue;
        const file = normalize(join(dir, rest.slice(name.length + 1)));
        if (!file.startsWith(dir + sep)) break;
        try {
          return { status: 200, type: TYPES[extname(file)] ?? 'application/octet-stream', body: await readFile(file) };
        } catch {
          break;
        }
      }
    }
    return { status: 404, type: 'text/plain', body: 'not found' };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** Headless Chromium, one run per call: no network but the page server, no profile kept. */
export class Chromium {
  constructor(
    private readonly binary: string,
    private readonly scale: number,
  ) {}

  async #run(args: string[]): Promise<string> {
    const profile = await mkdtemp(join(tmpdir(), 'render-replies-'));
    try {
      const { stdout } = await run(
        this.binary,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--disable-extensions',
          '--hide-scrollbars',
          '--mute-audio',
          `--force-device-scale-factor=${this.scale}`,
          `--user-data-dir=${profile}`,
          // Let the module scripts load and the components render before the dump or the shot.
          '--virtual-time-budget=5000',
          ...args,
        ],
        { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      );
      return stdout;
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  }

  /** Height in CSS pixels that the page reports in `body[data-height]` once rendered. */
  async measure(url: string, width: number): Promise<number> {
    // A loaded machine can dump the page before the components have rendered: try again then.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const dom = await this.#run([`--window-size=${width},2000`, '--dump-dom', url]);
      const error = /<body[^>]*data-error="([^"]*)"/.exec(dom)?.[1];
      if (error) throw new Error(`the page ${url} is broken: ${error}`);
      const height = /<body[^>]*data-height="(\d+)"/.exec(dom)?.[1];
      if (height) return Number(height);
    }
    throw new Error(`the page ${url} did not render (no data-height on <body>): are the Skyra components installed?`);
  }

  async screenshot(url: string, out: string, width: number, height: number): Promise<void> {
    await this.#run([`--window-size=${width},${height}`, `--screenshot=${out}`, url]);
    if (!existsSync(out)) throw new Error(`chromium wrote no screenshot to ${out}`);
  }
}
