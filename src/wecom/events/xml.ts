/**
 * The two XML documents of a WeCom callback (接收事件, page 90967; 成员变更通知, page 90970):
 * the envelope POSTed to us, and the decrypted event inside it. Parsed with fast-xml-parser,
 * every value kept as a string (a userid of digits must not become a number).
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

const parser = new XMLParser({ parseTagValue: false, parseAttributeValue: false, ignoreAttributes: true, trimValues: true });

export class CallbackXmlError extends Error {
  constructor(
    readonly document: 'envelope' | 'event',
    detail: string,
  ) {
    super(`malformed callback ${document}: ${detail}`);
    this.name = 'CallbackXmlError';
  }
}

function parseRoot(document: 'envelope' | 'event', xml: string): Record<string, unknown> {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new CallbackXmlError(document, valid.err.msg);
  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch (error) {
    throw new CallbackXmlError(document, (error as Error).message);
  }
  const root = (parsed as { xml?: unknown }).xml;
  if (!root || typeof root !== 'object') throw new CallbackXmlError(document, 'no <xml> root');
  return root as Record<string, unknown>;
}

function text(root: Record<string, unknown>, name: string): string | undefined {
  const value = root[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export interface CallbackEnvelope {
  toUserName: string;
  agentId?: string;
  encrypted: string;
}

export function parseEnvelope(xml: string): CallbackEnvelope {
  const root = parseRoot('envelope', xml);
  const encrypted = text(root, 'Encrypt');
  const toUserName = text(root, 'ToUserName');
  if (!encrypted || !toUserName) throw new CallbackXmlError('envelope', 'Encrypt and ToUserName are required');
  return { toUserName, agentId: text(root, 'AgentID'), encrypted };
}

/** The member changes we act on; everything else WeCom sends is `other`. */
export type ContactEvent =
  | { kind: 'create_user'; corpId: string; userid: string; createTime: number }
  | { kind: 'update_user'; corpId: string; userid: string; newUserid?: string; status?: number; createTime: number }
  | { kind: 'delete_user'; corpId: string; userid: string; createTime: number }
  | { kind: 'other'; corpId: string; event: string; changeType?: string; createTime: number };

export function parseContactEvent(xml: string): ContactEvent {
  const root = parseRoot('event', xml);
  const corpId = text(root, 'ToUserName');
  const event = text(root, 'Event');
  const createTime = Number(text(root, 'CreateTime'));
  if (!corpId || !event || !Number.isSafeInteger(createTime)) {
    throw new CallbackXmlError('event', 'ToUserName, Event and CreateTime are required');
  }
  const changeType = text(root, 'ChangeType');
  const userid = text(root, 'UserID');
  if (event !== 'change_contact' || !userid) return { kind: 'other', corpId, event, changeType, createTime };
  switch (changeType) {
    case 'create_user':
    case 'delete_user':
      return { kind: changeType, corpId, userid, createTime };
    case 'update_user': {
      const status = Number(text(root, 'Status'));
      return {
        kind: 'update_user',
        corpId,
        userid,
        newUserid: text(root, 'NewUserID'),
        status: Number.isInteger(status) && status > 0 ? status : undefined,
        createTime,
      };
    }
    default:
      return { kind: 'other', corpId, event, changeType, createTime };
  }
}

/** The event XML WeCom sends (the simulator builds its callbacks with this). */
export function contactEventXml(fields: Record<string, string | number>): string {
  const root = Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, typeof value === 'number' ? value : { [CDATA]: value }]));
  return builder.build({ xml: root });
}

const CDATA = '#cdata';
const builder = new XMLBuilder({ cdataPropName: CDATA });
