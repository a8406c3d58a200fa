import { describe, expect, it } from 'vitest';
import { CallbackKey, contactEventXml, ContactEventReceiver, messageSignature, parseContactEvent } from './index.js';

/** WeCom's published URL-verification example (加解密方案, page 90968). */
const SAMPLE = {
  token: 'QDG6eK',
  encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  receiveId: 'wx5823bf96d3bd56c7',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  plain: '1616140317555161061',
};
const atSampleTime = () => Number(SAMPLE.timestamp) * 1000;

function sampleReceiver(now = atSampleTime): ContactEventReceiver {
  return new ContactEventReceiver({ token: SAMPLE.token, encodingAESKey: SAMPLE.encodingAESKey }, SAMPLE.receiveId, now);
}

describe("WeCom's published example", () => {
  it('signs the echostr as WeCom does', () => {
    expect(messageSignature(SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.echostr)).toBe(SAMPLE.signature);
  });

  it('decrypts the echostr to the plain text and the receive id', () => {
    expect(new CallbackKey(SAMPLE.encodingAESKey).open(SAMPLE.echostr)).toEqual({ message: SAMPLE.plain, receiveId: SAMPLE.receiveId });
  });

  it('answers URL verification with the plain text exactly', () => {
    const result = sampleReceiver().verifyUrl({
      msg_signature: SAMPLE.signature,
      timestamp: SAMPLE.timestamp,
      nonce: SAMPLE.nonce,
      echostr: SAMPLE.echostr,
    });
    expect(result).toEqual({ ok: true, echo: SAMPLE.plain });
  });
});

describe('sealing and opening', () => {
  const key = new CallbackKey(SAMPLE.encodingAESKey);

  it('round-trips messages of every length across the 32-byte padding boundary', () => {
    for (let length = 0; length <= 70; length++) {
      const message = '企'.repeat(length);
      expect(key.open(key.seal(message, 'wwcorp'))).toEqual({ message, receiveId: 'wwcorp' });
    }
  });

  it('refuses a key that is not 43 letters and digits', () => {
    expect(() => new CallbackKey('short')).toThrow(/43 characters/);
    expect(() => new CallbackKey(`${SAMPLE.encodingAESKey.slice(0, 42)}+`)).toThrow(/43 characters/);
  });

  it('refuses ciphertext that is truncated, not a multiple of 32 bytes, or sealed with another key', () => {
    const sealed = key.seal('<xml/>', 'wwcorp');
    expect(() => key.open(sealed.slice(0, 20))).toThrow(/did not decrypt/);
    expect(() => key.open('')).toThrow(/did not decrypt/);
    const other = new CallbackKey('a'.repeat(43));
    expect(() => other.open(sealed)).toThrow(/did not decrypt/);
  });
});

describe('event delivery', () => {
  const corpId = 'wwcorp0001';
  const secrets = { token: 'tok3n', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
  const nowMs = 1_800_000_000_000;
  const timestamp = String(nowMs / 1000);
  const key = new CallbackKey(secrets.encodingAESKey);

  function delivery(eventXml: string, options: { receiveId?: string; nonce?: string; token?: string; timestamp?: string } = {}) {
    const encrypted = key.seal(eventXml, options.receiveId ?? corpId);
    const query = {
      timestamp: options.timestamp ?? timestamp,
      nonce: options.nonce ?? String(Math.random()).slice(2),
    };
    const signature = messageSignature(options.token ?? secrets.token, query.timestamp, query.nonce, encrypted);
    const body = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
    return { query: { ...query, msg_signature: signature }, body };
  }
  const deleteZhangsan = contactEventXml({
    ToUserName: corpId,
    FromUserName: 'sys',
    CreateTime: 1_800_000_000,
    MsgType: 'event',
    Event: 'change_contact',
    ChangeType: 'delete_user',
    UserID: 'zhangsan',
  });
  const receiver = () => new ContactEventReceiver(secrets, corpId, () => nowMs);

  it('opens a signed delivery into a typed member change', () => {
    const { query, body } = delivery(deleteZhangsan);
    expect(receiver().openDelivery(query, body)).toEqual({
      ok: true,
      event: { kind: 'delete_user', corpId, userid: 'zhangsan', createTime: 1_800_000_000 },
    });
  });

  it('refuses a forged signature, a wrong token, a stale timestamp and a replay', () => {
    const r = receiver();
    const good = delivery(deleteZhangsan);
    expect(r.openDelivery({ ...good.query, msg_signature: '0'.repeat(40) }, good.body)).toMatchObject({
      ok: false,
      rejection: { status: 403, reason: 'bad_signature' },
    });
    const wrongToken = delivery(deleteZhangsan, { token: 'other' });
    expect(r.openDelivery(wrongToken.query, wrongToken.body)).toMatchObject({ rejection: { reason: 'bad_signature' } });
    const stale = delivery(deleteZhangsan, { timestamp: String(nowMs / 1000 - 301) });
    expect(r.openDelivery(stale.query, stale.body)).toMatchObject({ rejection: { status: 403, reason: 'stale_timestamp' } });
    expect(r.openDelivery(good.query, good.body)).toMatchObject({ ok: true });
    expect(r.openDelivery(good.query, good.body)).toMatchObject({ ok: false, rejection: { status: 403, reason: 'replayed' } });
  });

  it('refuses a message sealed for another corp, or naming another corp inside', () => {
    const sealedForOther = delivery(deleteZhangsan, { receiveId: 'wwother' });
    expect(receiver().openDelivery(sealedForOther.query, sealedForOther.body)).toMatchObject({
      rejection: { status: 403, reason: 'wrong_receiver' },
    });
    const otherInside = delivery(deleteZhangsan.replace(corpId, 'wwother'));
    expect(receiver().openDelivery(otherInside.query, otherInside.body)).toMatchObject({ rejection: { status: 403, reason: 'wrong_receiver' } });
  });

  it('refuses missing parameters and malformed bodies with 400', () => {
    const { query, body } = delivery(deleteZhangsan);
    expect(receiver().openDelivery({ ...query, timestamp: undefined }, body)).toMatchObject({ rejection: { status: 400 } });
    expect(receiver().openDelivery(query, '<xml><Encrypt>')).toMatchObject({ rejection: { status: 400, reason: 'malformed_body' } });
    expect(receiver().openDelivery(query, 'not xml at all')).toMatchObject({ rejection: { status: 400, reason: 'malformed_body' } });
    const garbledEvent = delivery('<xml><ToUserName>x');
    expect(receiver().openDelivery(garbledEvent.query, garbledEvent.body)).toMatchObject({ rejection: { status: 400, reason: 'malformed_body' } });
  });
});

describe('member changes', () => {
  const base = { ToUserName: 'wwcorp', FromUserName: 'sys', CreateTime: 1403610513, MsgType: 'event', Event: 'change_contact' };

  it('reads a rename with its new userid and a status, keeping digit userids as strings', () => {
    expect(parseContactEvent(contactEventXml({ ...base, ChangeType: 'update_user', UserID: '007', NewUserID: 'lisi', Status: 2 }))).toEqual({
      kind: 'update_user',
      corpId: 'wwcorp',
      userid: '007',
      newUserid: 'lisi',
      status: 2,
      createTime: 1403610513,
    });
  });

  it('treats department changes and unknown types as other events', () => {
    expect(parseContactEvent(contactEventXml({ ...base, ChangeType: 'update_party', Id: 2 }))).toMatchObject({
      kind: 'other',
      changeType: 'update_party',
    });
    expect(parseContactEvent(contactEventXml({ ...base, ChangeType: 'something_new', UserID: 'x' }))).toMatchObject({
      kind: 'other',
      changeType: 'something_new',
    });
  });
});
