import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Responder } from '../src/discord/respond.js';
import { readBody, sendJson } from '../src/emulators/discord/http.js';
import { formErrorTree, validateBody } from '../src/emulators/discord/validation.js';

/**
 * The Responder against a stand-in for Discord's webhook routes: what follows a deferral goes there,
 * the first answer goes through the interaction itself.
 */

interface Received {
  method: string;
  /** Path and query. */
  url: string;
  /** The JSON body, or a multipart body's `payload_json`. */
  payload: unknown;
  /** Names of the files a multipart body carried. */
  files: string[];
}

let server: Server;
let responder: Responder;
const received: Received[] = [];

beforeAll(async () => {
  // The Discord emulator's own body reader and schema check, so the stand-in refuses what Discord would.
  server = createServer((request, response) => {
    void readBody(request).then(({ body, files }) => {
      received.push({
        method: request.method ?? '',
        url: decodeURIComponent(request.url ?? ''),
        payload: body,
        files: files.map((file) => file.filename),
      });
      const issues = validateBody(request.method === 'POST' ? 'webhookExecute' : 'webhookEdit', body);
      if (issues.length > 0)
        sendJson(response, 400, { message: 'Invalid Form Body', code: 50035, errors: formErrorTree(issues) });
      else sendJson(response, 200, { id: '700000000000000001' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  responder = new Responder(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api`);
});

afterAll(async () => {
  responder.close();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received.splice(0);
});

const APP = '100000000000000001';
const TOKEN = 'interaction-token';
const chart = { name: 'chart.png', data: Buffer.from('png') };

/** An interaction that records its callbacks and tracks deferred/replied as discord.js does. */
function fakeInteraction() {
  const callbacks: { kind: string; body?: unknown }[] = [];
  const interaction = {
    applicationId: APP,
    token: TOKEN,
    deferred: false,
    replied: false,
    reply: (body: unknown) => {
      callbacks.push({ kind: 'reply', body });
      interaction.replied = true;
      return Promise.resolve();
    },
    deferReply: (body: unknown) => {
      callbacks.push({ kind: 'deferReply', body });
      interaction.deferred = true;
      return Promise.resolve();
    },
    update: (body: unknown) => {
      callbacks.push({ kind: 'update', body });
      return Promise.resolve();
    },
    deferUpdate: () => {
      callbacks.push({ kind: 'deferUpdate' });
      interaction.deferred = true;
      return Promise.resolve();
    },
  };
  return { interaction: interaction as unknown as RepliableInteraction, callbacks };
}

describe('Responder', () => {
  it('answers at once with the files attached, when the answer is known', async () => {
    const { interaction, callbacks } = fakeInteraction();
    await responder.reply(interaction, { content: 'now', files: [chart] }, { ephemeral: true });
    expect(callbacks).toEqual([
      {
        kind: 'reply',
        body: { content: 'now', flags: MessageFlags.Ephemeral, files: [{ attachment: chart.data, name: 'chart.png' }] },
      },
    ]);
    expect(received).toEqual([]);
  });

  it('defers a slow answer, replaces the deferral with it, and sends anything after as a follow-up', async () => {
    const { interaction, callbacks } = fakeInteraction();
    await responder.reply(interaction, Promise.resolve({ content: 'later', files: [chart] }), { ephemeral: false });
    await responder.send(interaction, { content: 'and one more' }, { ephemeral: true });
    expect(callbacks).toEqual([{ kind: 'deferReply', body: { flags: undefined } }]);
    expect(received).toEqual([
      {
        method: 'PATCH',
        url: `/api/v10/webhooks/${APP}/${TOKEN}/messages/@original`,
        payload: { content: 'later', allowed_mentions: { parse: [] }, attachments: [{ id: '0', filename: 'chart.png' }] },
        files: ['chart.png'],
      },
      {
        method: 'POST',
        // wait=true: Discord answers with the message, so a failure to post it is an error, not silence.
        url: `/api/v10/webhooks/${APP}/${TOKEN}?wait=true`,
        payload: { content: 'and one more', allowed_mentions: { parse: [] }, flags: MessageFlags.Ephemeral },
        files: [],
      },
    ]);
  });

  it('an edit without files says nothing about attachments', async () => {
    const { interaction } = fakeInteraction();
    await responder.reply(interaction, Promise.resolve({ content: 'text only' }), { ephemeral: false });
    expect(received.map((request) => request.payload)).toEqual([{ content: 'text only', allowed_mentions: { parse: [] } }]);
  });

  it('replaces a message with the answer, clearing what the answer leaves out', async () => {
    const { interaction, callbacks } = fakeInteraction();
    const embed = { title: 'Removed' };
    await responder.update(interaction as never, { embeds: [embed] });
    expect(callbacks).toEqual([{ kind: 'update', body: { content: '', embeds: [embed], components: [], files: [] } }]);
    const deferred = fakeInteraction();
    await responder.update(deferred.interaction as never, Promise.resolve({ content: 'done' }));
    expect(deferred.callbacks).toEqual([{ kind: 'deferUpdate' }]);
    expect(received.map((request) => request.payload)).toEqual([
      { content: 'done', embeds: [], components: [], allowed_mentions: { parse: [] } },
    ]);
  });
});
