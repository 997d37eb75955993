import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function get(path: string): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(`http://127.0.0.1:${stack!.bot.health!.port}${path}`);
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
}

describe('HEALTH_PORT: /healthz and /metrics', () => {
  it('is not started without HEALTH_PORT', async () => {
    stack = await startStack();
    expect(stack.bot.health).toBeUndefined();
  });

  it('answers 200 while the gateway is ready, 503 while it is not', async () => {
    stack = await startStack({ env: { HEALTH_PORT: '0' } });
    expect(await get('/healthz')).toMatchObject({ status: 200, text: '{"status":"ok"}' });
    stack.discord.dropGateway();
    const deadline = Date.now() + 2_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) status = (await get('/healthz')).status;
    expect(status).toBe(503);
    await stack.discord.waitForReady();
    const back = Date.now() + 5_000;
    while (status !== 200 && Date.now() < back) status = (await get('/healthz')).status;
    expect(status).toBe(200);
  });

  it('exports interactions by command and outcome, upstream latency by endpoint template, errors by kind, and memory', async () => {
    stack = await startStack({ env: { HEALTH_PORT: '0', USEAPI_CACHE_TTL: '0s' } });
    await stack.command('credits').finalMessage();
    stack.useapi.addFault({
      path: '/v2/pixverse/features',
      fault: {
        kind: 'status',
        status: 402,
        body: '{"error":"Subscription required","code":402}',
        contentType: 'application/json',
      },
    });
    await stack.command('credits', [{ name: 'email', type: 3, value: 'team@example.com' }]).finalMessage();
    await stack.command('pixverse-register').finalMessage();

    const { status, text, type } = await get('/metrics');
    expect(status).toBe(200);
    expect(type).toContain('text/plain');
    expect(text).toContain('pixverse_bot_interactions_total{command="credits",outcome="ok"} 1');
    expect(text).toContain('pixverse_bot_interactions_total{command="credits",outcome="upstream:subscription"} 1');
    expect(text).toContain('pixverse_bot_interactions_total{command="pixverse-register",outcome="refused:missing-permission"} 1');
    expect(text).toMatch(/pixverse_bot_interaction_duration_seconds_count\{command="credits"\} 2/);
    expect(text).toMatch(
      /pixverse_bot_useapi_request_duration_seconds_count\{endpoint="GET \/v2\/pixverse\/features",result="200"\} 1/,
    );
    expect(text).toContain('pixverse_bot_useapi_errors_total{kind="subscription"} 1');
    expect(text).toMatch(/pixverse_bot_process_resident_memory_bytes \d+/);
    // Both deferred /credits were edited through the webhook client (outside the bot's global
    // limiter), one rate-limit handler per interaction token; the bot's own client holds none of them.
    expect(text).toContain('pixverse_bot_discord_rest_handlers{client="webhooks"} 2');
    const botHandlers = Number(/pixverse_bot_discord_rest_handlers\{client="bot"\} (\d+)/.exec(text)?.[1]);
    expect(stack.bot.client.rest.handlers.filter((_, key) => key.includes('webhooks'))).toHaveLength(0);
    expect(botHandlers).toBe(stack.bot.client.rest.handlers.size);
    expect(text).not.toContain('team@example.com');
    expect((await get('/nothing')).status).toBe(404);
  });
});
