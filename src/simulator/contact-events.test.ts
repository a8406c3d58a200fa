/**
 * The simulator's member-change callbacks, received by a small HTTP server that opens them with the
 * server's own `ContactEventReceiver`: signature over token, timestamp, nonce and Encrypt; sealed for
 * the corp id; WeCom's envelope; one event per change, with the fields page 90970 documents.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { CallbackKey, ContactEventReceiver, parseEnvelope } from '../wecom/events/index.js';
import { DEMO_USERIDS } from './directory.js';
import { type SimulatorHarness, TEST_APPS, TEST_CORP, callApi, getToken, startSimulator } from './testing.test-helper.js';

const EVENTS = { token: 'simToken42', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const OTHER_EVENTS = { token: 'otherToken7', encodingAESKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut' };

interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string;
  body: string;
}

/** Stands in for our server's events route: records each request, answers as the test says. */
class Receiver {
  readonly received: Received[] = [];
  answer: (request: Received, index: number) => number | 'hang' = () => 200;
  private readonly server: Server = createServer((request, response) => void this.handle(request, response));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of request) body += chunk;
    const url = new URL(request.url ?? '/', 'http://receiver');
    const received = {
      method: request.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: request.headers['content-type'] ?? '',
      body,
    };
    this.received.push(received);
    const answer = this.answer(received, this.received.length - 1);
    if (answer === 'hang') return; // never answers: the simulator must give up after its timeout
    response.writeHead(answer).end(answer === 200 ? 'success' : '');
  }
}

let harness: SimulatorHarness | undefined;
let receiver: Receiver;
afterEach(async () => {
  await harness?.simulator.events.idle();
  await harness?.close();
  await receiver?.close();
  harness = undefined;
});

async function start(options: { retryDelaysMs?: number[]; timeoutMs?: number; withSecond?: boolean } = {}) {
  receiver = new Receiver();
  const issuer = await receiver.start();
  harness = await startSimulator({
    callbacks: {
      issuer: `${issuer}/`,
      connections: [
        { identifier: 'wecom', corpId: TEST_CORP, agentId: TEST_APPS.a.agentId, events: EVENTS },
        { identifier: 'no-events', corpId: TEST_CORP, agentId: TEST_APPS.b.agentId },
        ...(options.withSecond ? [{ identifier: 'second', corpId: TEST_CORP, agentId: TEST_APPS.b.agentId, events: OTHER_EVENTS }] : []),
      ],
      retryDelaysMs: options.retryDelaysMs ?? [10, 10],
      timeoutMs: options.timeoutMs,
    },
  });
  return { issuer, simulator: harness.simulator };
}

/** Every element of the decrypted event, as text. */
function contactEventFieldsOf(body: string, encodingAESKey: string): Record<string, string> {
  const { message } = new CallbackKey(encodingAESKey).open(parseEnvelope(body).encrypted);
  return (new XMLParser({ parseTagValue: false }).parse(message) as { xml: Record<string, string> }).xml;
}

/** Opens a delivery as our server does: a fresh receiver (no replay memory), WeCom's own checks. */
function open(delivery: Received, secrets = EVENTS) {
  return new ContactEventReceiver(secrets, TEST_CORP).openDelivery(delivery.query, delivery.body);
}

describe('member-change callbacks', () => {
  it("are POSTed to {issuer}/wecom/events/{identifier}, signed, sealed for the corp, in WeCom's envelope", async () => {
    const { simulator } = await start();
    simulator.directory.deleteMember(DEMO_USERIDS.withEmail);
    await simulator.events.idle();
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received as [Received];
    expect(delivery.method).toBe('POST');
    expect(delivery.path).toBe('/wecom/events/wecom');
    expect(Object.keys(delivery.query).sort()).toEqual(['msg_signature', 'nonce', 'timestamp']);
    expect(Math.abs(Number(delivery.query.timestamp) - Date.now() / 1000)).toBeLessThan(10);
    expect(delivery.body).toMatch(
      /^<xml><ToUserName><!\[CDATA\[wwsimulatortest0001\]\]><\/ToUserName><AgentID><!\[CDATA\[1000002\]\]><\/AgentID><Encrypt><!\[CDATA\[[A-Za-z0-9+/=]+\]\]><\/Encrypt><\/xml>$/,
    );
    expect(parseEnvelope(delivery.body)).toMatchObject({ toUserName: TEST_CORP, agentId: TEST_APPS.a.agentId });
    expect(open(delivery)).toEqual({
      ok: true,
      event: { kind: 'delete_user', corpId: TEST_CORP, userid: DEMO_USERIDS.withEmail, createTime: Number(delivery.query.timestamp) },
    });
  });

  it('are refused by a receiver with another token or key: they are really signed and sealed', async () => {
    const { simulator } = await start();
    simulator.directory.deleteMember(DEMO_USERIDS.withEmail);
    await simulator.events.idle();
    const [delivery] = receiver.received as [Received];
    expect(open(delivery, { ...EVENTS, token: 'otherToken' })).toMatchObject({ ok: false, rejection: { reason: 'bad_signature' } });
    expect(open(delivery, { ...EVENTS, encodingAESKey: OTHER_EVENTS.encodingAESKey })).toMatchObject({
      ok: false,
      rejection: { reason: 'undecryptable' },
    });
    expect(new ContactEventReceiver(EVENTS, 'wwanothercorp').openDelivery(delivery.query, delivery.body)).toMatchObject({
      ok: false,
      rejection: { reason: 'wrong_receiver' },
    });
  });

  it('carry each change as WeCom does: Status when it changed, NewUserID for a rename, create_user with the profile', async () => {
    const { simulator } = await start();
    const directory = simulator.directory;
    directory.disableMember(DEMO_USERIDS.active);
    directory.enableMember(DEMO_USERIDS.active);
    directory.moveOutOfScope(DEMO_USERIDS.active);
    directory.moveIntoScope(DEMO_USERIDS.active);
    directory.renameMember(DEMO_USERIDS.active, 'zhangsan.renamed');
    directory.deleteMember('zhangsan.renamed');
    directory.addMember({ userid: 'zhangsan.renamed', name: '新人', department: [2], position: '工程师' });
    await simulator.events.idle();

    const events = receiver.received.map((delivery) => {
      const opened = open(delivery);
      if (!opened.ok) throw new Error(`refused: ${opened.rejection.reason}`);
      return opened.event;
    });
    expect(events.map(({ createTime: _time, ...event }) => event)).toEqual([
      { kind: 'update_user', corpId: TEST_CORP, userid: 'ZhangSan', status: 2, newUserid: undefined },
      { kind: 'update_user', corpId: TEST_CORP, userid: 'ZhangSan', status: 1, newUserid: undefined },
      { kind: 'update_user', corpId: TEST_CORP, userid: 'ZhangSan', status: undefined, newUserid: undefined },
      { kind: 'update_user', corpId: TEST_CORP, userid: 'ZhangSan', status: undefined, newUserid: undefined },
      { kind: 'update_user', corpId: TEST_CORP, userid: 'ZhangSan', status: undefined, newUserid: 'zhangsan.renamed' },
      { kind: 'delete_user', corpId: TEST_CORP, userid: 'zhangsan.renamed' },
      { kind: 'create_user', corpId: TEST_CORP, userid: 'zhangsan.renamed' },
    ]);
    // The decrypted XML itself: WeCom's header and, for create_user, the profile elements.
    const created = contactEventFieldsOf(receiver.received.at(-1)!.body, EVENTS.encodingAESKey);
    expect(created).toMatchObject({
      ToUserName: TEST_CORP,
      FromUserName: 'sys',
      MsgType: 'event',
      Event: 'change_contact',
      ChangeType: 'create_user',
      UserID: 'zhangsan.renamed',
      Name: '新人',
      Department: '2',
      MainDepartment: '2',
      Position: '工程师',
      Status: '1',
    });
    expect(created).not.toHaveProperty('Mobile');
    const renamed = contactEventFieldsOf(receiver.received[4]!.body, EVENTS.encodingAESKey);
    expect(renamed).toEqual({
      ToUserName: TEST_CORP,
      FromUserName: 'sys',
      CreateTime: expect.stringMatching(/^\d+$/),
      MsgType: 'event',
      Event: 'change_contact',
      ChangeType: 'update_user',
      UserID: 'ZhangSan',
      NewUserID: 'zhangsan.renamed',
    });
    expect(simulator.events.deliveries().every((delivery) => delivery.outcome === 'delivered')).toBe(true);
  });

  it('go to every connection with events (each with its own token and key), none to one without', async () => {
    const { simulator } = await start({ withSecond: true });
    simulator.directory.disableMember(DEMO_USERIDS.withEmail);
    await simulator.events.idle();
    expect(receiver.received.map((delivery) => delivery.path).sort()).toEqual(['/wecom/events/second', '/wecom/events/wecom']);
    const second = receiver.received.find((delivery) => delivery.path.endsWith('/second'))!;
    expect(parseEnvelope(second.body).agentId).toBe(TEST_APPS.b.agentId);
    expect(open(second, OTHER_EVENTS)).toMatchObject({ ok: true, event: { kind: 'update_user', status: 2 } });
  });

  it('are not sent about a member the apps cannot see, but are when one leaves their sight', async () => {
    const { simulator } = await start();
    simulator.directory.disableMember(DEMO_USERIDS.outsideScope);
    simulator.directory.moveOutOfScope(DEMO_USERIDS.withEmail);
    simulator.directory.deleteMember(DEMO_USERIDS.withEmail);
    await simulator.events.idle();
    expect(receiver.received).toHaveLength(1);
    expect(open(receiver.received[0]!)).toMatchObject({ ok: true, event: { kind: 'update_user', userid: DEMO_USERIDS.withEmail } });
  });

  it('are made through the admin API too, which answers without waiting for the delivery', async () => {
    const { simulator } = await start({ timeoutMs: 1_000 });
    receiver.answer = (_request, index) => (index === 0 ? 'hang' : 200);
    const response = await fetch(`${harness!.base}/directory/api/members/${DEMO_USERIDS.active}/delete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await response.json()).toMatchObject({ change: { changeType: 'delete_user' }, callbacks: 1 });
    expect(simulator.events.deliveries()).toMatchObject([{ outcome: 'pending' }]);
    await simulator.events.idle();
    expect(simulator.events.deliveries()).toMatchObject([
      { outcome: 'delivered', attempts: [{ error: 'no answer within 1000 ms' }, { status: 200 }] },
    ]);
    expect((await callApi(harness!, 'user/get', { access_token: await getToken(harness!), userid: DEMO_USERIDS.active })).errcode).toBe(60111);
  });
});

describe('retries, as WeCom does', () => {
  it('tries again on a non-2xx answer, sending the same request, and stops at the first 2xx', async () => {
    const { simulator } = await start();
    receiver.answer = (_request, index) => (index < 2 ? 500 : 200);
    simulator.directory.deleteMember(DEMO_USERIDS.withEmail);
    await simulator.events.idle();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((delivery) => JSON.stringify([delivery.query, delivery.body]))).size).toBe(1);
    expect(simulator.events.deliveries()).toMatchObject([{ outcome: 'delivered', attempts: [{ status: 500 }, { status: 500 }, { status: 200 }] }]);
  });

  it('gives up after three attempts in all, logs it, and still delivers the next change', async () => {
    const { simulator } = await start();
    receiver.answer = (request) => (request.body.length > 0 && receiver.received.length <= 3 ? 404 : 200);
    simulator.directory.deleteMember(DEMO_USERIDS.withEmail);
    simulator.directory.disableMember(DEMO_USERIDS.active);
    await simulator.events.idle();
    expect(receiver.received).toHaveLength(4);
    expect(simulator.events.deliveries().map((delivery) => delivery.outcome)).toEqual(['failed', 'delivered']);
    expect(harness!.logLines.some((line) => line.includes('gave up on a contact-change callback'))).toBe(true);
    expect(harness!.logLines.join('\n')).not.toContain(EVENTS.encodingAESKey);
  });

  it('counts no answer within the timeout as a failure', async () => {
    const { simulator } = await start({ timeoutMs: 200 });
    receiver.answer = (_request, index) => (index === 0 ? 'hang' : 200);
    simulator.directory.disableMember(DEMO_USERIDS.active);
    await simulator.events.idle();
    expect(simulator.events.deliveries()).toMatchObject([
      { outcome: 'delivered', attempts: [{ error: 'no answer within 200 ms' }, { status: 200 }] },
    ]);
  });

  it('treats a redirect as a failure and never follows it elsewhere', async () => {
    const { simulator } = await start();
    receiver.answer = () => 302;
    simulator.directory.disableMember(DEMO_USERIDS.active);
    await simulator.events.idle();
    expect(receiver.received).toHaveLength(3);
    expect(simulator.events.deliveries()[0]).toMatchObject({ outcome: 'failed' });
  });
});

it('sends nothing without callbacks configured', async () => {
  receiver = new Receiver();
  await receiver.start();
  harness = await startSimulator();
  harness.simulator.directory.deleteMember(DEMO_USERIDS.active);
  await harness.simulator.events.idle();
  expect(harness.simulator.events.targetUrls).toEqual([]);
  expect(harness.simulator.events.deliveries()).toEqual([]);
});
