/**
 * Opens WeCom's contact-change callbacks for one connection: URL verification (GET) and event
 * delivery (POST), per 加解密方案 (page 90968) and 接收事件 (page 90967). Everything here is a pure
 * check on what arrived; what an event does to accounts is the accounts room's business.
 *
 * A rejection is a value, not an exception, so the web layer can answer 400/403 with one log line.
 */
import { CallbackDecryptError, CallbackKey } from './cipher.js';
import { messageSignature, signatureMatches } from './signature.js';
import { CallbackXmlError, parseContactEvent, parseEnvelope, type ContactEvent } from './xml.js';

/** How far a callback's timestamp may be from our clock (WeCom retries within this). */
export const CALLBACK_WINDOW_SECONDS = 300;
/** Signatures remembered to refuse a replay; bounded so a flood of valid-looking ones cannot grow memory. */
const REMEMBERED_SIGNATURES = 10_000;

export interface EventsSecrets {
  token: string;
  encodingAESKey: string;
}

export type CallbackRejection =
  | { status: 400; reason: 'missing_parameters' | 'malformed_body' }
  | { status: 403; reason: 'bad_signature' | 'stale_timestamp' | 'replayed' | 'undecryptable' | 'wrong_receiver' };

export interface Rejected {
  ok: false;
  rejection: CallbackRejection;
}
export type Opened<T> = ({ ok: true } & T) | Rejected;

export interface CallbackQuery {
  msg_signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
}

export class ContactEventReceiver {
  private readonly key: CallbackKey;
  /** msg_signature → when it stops mattering (epoch seconds); insertion-ordered, oldest first. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly secrets: EventsSecrets,
    private readonly corpId: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = new CallbackKey(secrets.encodingAESKey);
  }

  /** GET: the plain text WeCom expects back, exactly. */
  verifyUrl(query: CallbackQuery): Opened<{ echo: string }> {
    if (!query.echostr) return reject(400, 'missing_parameters');
    const checked = this.checkSignature(query, query.echostr);
    if (checked) return checked;
    const opened = this.open(query.echostr);
    return 'rejection' in opened ? opened : { ok: true, echo: opened.message };
  }

  /** POST: the event inside a delivery, once; a second delivery of the same bytes is refused. */
  openDelivery(query: CallbackQuery, body: string): Opened<{ event: ContactEvent }> {
    let encrypted: string;
    try {
      encrypted = parseEnvelope(body).encrypted;
    } catch (error) {
      if (error instanceof CallbackXmlError) return reject(400, 'malformed_body');
      throw error;
    }
    const checked = this.checkSignature(query, encrypted);
    if (checked) return checked;
    const opened = this.open(encrypted);
    if ('rejection' in opened) return opened;
    let event: ContactEvent;
    try {
      event = parseContactEvent(opened.message);
    } catch (error) {
      if (error instanceof CallbackXmlError) return reject(400, 'malformed_body');
      throw error;
    }
    if (event.corpId !== this.corpId) return reject(403, 'wrong_receiver');
    if (!this.remember(query.msg_signature!)) return reject(403, 'replayed');
    return { ok: true, event };
  }

  private checkSignature(query: CallbackQuery, encrypted: string): Rejected | undefined {
    const { msg_signature: signature, timestamp, nonce } = query;
    if (!signature || !timestamp || !nonce || !/^\d{1,12}$/.test(timestamp)) return reject(400, 'missing_parameters');
    const expected = messageSignature(this.secrets.token, timestamp, nonce, encrypted);
    if (!signatureMatches(expected, signature)) return reject(403, 'bad_signature');
    if (Math.abs(this.nowSeconds() - Number(timestamp)) > CALLBACK_WINDOW_SECONDS) return reject(403, 'stale_timestamp');
    return undefined;
  }

  private open(encrypted: string): Opened<{ message: string }> {
    let sealed: { message: string; receiveId: string };
    try {
      sealed = this.key.open(encrypted);
    } catch (error) {
      if (error instanceof CallbackDecryptError) return reject(403, 'undecryptable');
      throw error;
    }
    // For a self-built (internal) app WeCom seals every message for the corp id.
    if (sealed.receiveId !== this.corpId) return reject(403, 'wrong_receiver');
    return { ok: true, message: sealed.message };
  }

  /** False when the signature was already accepted inside the window. */
  private remember(signature: string): boolean {
    const now = this.nowSeconds();
    for (const [old, until] of this.seen) {
      if (until > now && this.seen.size < REMEMBERED_SIGNATURES) break;
      this.seen.delete(old);
    }
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, now + 2 * CALLBACK_WINDOW_SECONDS);
    return true;
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

function reject<S extends CallbackRejection['status']>(status: S, reason: Extract<CallbackRejection, { status: S }>['reason']): Rejected {
  return { ok: false, rejection: { status, reason } as CallbackRejection };
}
