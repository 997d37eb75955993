import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The bot's Prometheus metrics. Labels are bounded: command names come from the bot's own list,
 * outcomes and error kinds are closed sets, endpoints are templates (no ids or emails).
 */
export class Metrics {
  readonly registry = new Registry();

  private readonly interactions = new Counter({
    name: 'pixverse_bot_interactions_total',
    help: 'Interactions handled, by command and outcome (ok, refused, upstream:<kind>, expired, bug)',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly interactionSeconds = new Histogram({
    name: 'pixverse_bot_interaction_duration_seconds',
    help: 'Time from receiving an interaction to its final answer',
    labelNames: ['command'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 15],
    registers: [this.registry],
  });

  private readonly upstreamSeconds = new Histogram({
    name: 'pixverse_bot_useapi_request_duration_seconds',
    help: 'useapi.net request time per attempt, by endpoint template and HTTP status (or error kind)',
    labelNames: ['endpoint', 'result'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });

  private readonly upstreamErrors = new Counter({
    name: 'pixverse_bot_useapi_errors_total',
    help: 'useapi.net calls that failed, by error kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'pixverse_bot_' });
  }

  /**
   * Discord REST rate-limit handlers held, by client: one is made per interaction token answered
   * through its webhook, so a count that keeps growing is memory kept per interaction.
   */
  watchRestHandlers(count: () => Record<'bot' | 'webhooks', number>): void {
    new Gauge({
      name: 'pixverse_bot_discord_rest_handlers',
      help: 'Discord REST rate-limit handlers held, by client (bot, interaction webhooks)',
      labelNames: ['client'] as const,
      registers: [this.registry],
      collect() {
        for (const [client, value] of Object.entries(count())) this.set({ client }, value);
      },
    });
  }

  interaction(command: string, outcome: string, ms: number): void {
    this.interactions.inc({ command, outcome });
    this.interactionSeconds.observe({ command }, ms / 1000);
  }

  upstreamAttempt(endpoint: string, result: string, ms: number): void {
    this.upstreamSeconds.observe({ endpoint, result }, ms / 1000);
  }

  upstreamFailure(kind: string): void {
    this.upstreamErrors.inc({ kind });
  }
}
