import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Discord REST rate-limit handlers the bot holds, by client, as its `/metrics` reports them. */
export interface HandlerCounts {
  /** discord.js's own REST client: commands, callbacks (one shared burst handler), the gateway's lookups. */
  bot: number;
  /** The Responder's client for interaction webhooks: one handler per interaction token it edited. */
  webhooks: number;
}

const HANDLERS_METRIC = /^pixverse_bot_discord_rest_handlers\{client="(bot|webhooks)"\}\s+(\S+)$/gm;

/** The handler counts in a Prometheus text exposition; throws when either is missing. */
export function parseHandlerCounts(text: string): HandlerCounts {
  const counts: Partial<HandlerCounts> = {};
  for (const match of text.matchAll(HANDLERS_METRIC)) counts[match[1] as keyof HandlerCounts] = Number(match[2]);
  if (counts.bot === undefined || counts.webhooks === undefined) {
    throw new Error('pixverse_bot_discord_rest_handlers{client="bot"|"webhooks"} is missing from /metrics');
  }
  return { bot: counts.bot, webhooks: counts.webhooks };
}

/** Reads the bot's `/metrics` (HEALTH_PORT), one request at a time. */
export class MetricsReader {
  constructor(private readonly url: string) {}

  async handlers(timeoutMs = 5_000): Promise<HandlerCounts> {
    const response = await fetch(this.url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`GET ${this.url} answered ${response.status}`);
    return parseHandlerCounts(await response.text());
  }

  /**
   * Samples the handler counts every `everyMs` until the returned `stop` is called; `stop` resolves
   * with the largest counts seen and how many samples were taken. A failed sample is skipped.
   */
  sample(everyMs: number): { stop(): Promise<{ peak: HandlerCounts; samples: number }> } {
    const peak: HandlerCounts = { bot: 0, webhooks: 0 };
    let samples = 0;
    let running = true;
    const loop = (async () => {
      while (running) {
        try {
          const counts = await this.handlers();
          peak.bot = Math.max(peak.bot, counts.bot);
          peak.webhooks = Math.max(peak.webhooks, counts.webhooks);
          samples += 1;
        } catch {
          // The next sample may do better; the checkpoints read the counts themselves.
        }
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    })();
    return {
      async stop() {
        running = false;
        await loop;
        return { peak, samples };
      },
    };
  }
}

/** A TCP port free on 127.0.0.1 now (the child binds it a moment later: a race nothing else here runs). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
