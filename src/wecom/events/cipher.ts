/**
 * WeCom's callback encryption (加解密方案, page 90968), with Node's own AES-256-CBC:
 * AESKey = base64(EncodingAESKey + "="), IV = the key's first 16 bytes, PKCS#7 padding to a
 * multiple of 32 bytes (not AES's 16, so Node's automatic padding cannot be used), and
 * plaintext = random(16) ‖ msg_len (4 bytes, big-endian) ‖ msg ‖ receiveid.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ENCODING_AES_KEY_PATTERN } from './secrets.js';

/** WeCom pads to 32-byte blocks. */
const PAD_BLOCK = 32;
const RANDOM_PREFIX = 16;
const LENGTH_FIELD = 4;

export class CallbackKey {
  private readonly key: Buffer;

  constructor(encodingAESKey: string) {
    if (!ENCODING_AES_KEY_PATTERN.test(encodingAESKey)) {
      throw new Error('encodingAESKey must be 43 characters of letters and digits');
    }
    this.key = Buffer.from(`${encodingAESKey}=`, 'base64');
  }

  /** The message and the receive id it was sealed for; throws `CallbackDecryptError` on anything malformed. */
  open(encryptedBase64: string): { message: string; receiveId: string } {
    const ciphertext = Buffer.from(encryptedBase64, 'base64');
    if (ciphertext.length === 0 || ciphertext.length % PAD_BLOCK !== 0) throw new CallbackDecryptError('ciphertext length');
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16));
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new CallbackDecryptError('cipher');
    }
    const pad = plain[plain.length - 1]!;
    if (pad < 1 || pad > PAD_BLOCK || !plain.subarray(plain.length - pad).every((byte) => byte === pad)) {
      throw new CallbackDecryptError('padding');
    }
    const content = plain.subarray(RANDOM_PREFIX, plain.length - pad);
    if (content.length < LENGTH_FIELD) throw new CallbackDecryptError('length field');
    const messageLength = content.readUInt32BE(0);
    if (LENGTH_FIELD + messageLength > content.length) throw new CallbackDecryptError('length field');
    return {
      message: content.subarray(LENGTH_FIELD, LENGTH_FIELD + messageLength).toString('utf8'),
      receiveId: content.subarray(LENGTH_FIELD + messageLength).toString('utf8'),
    };
  }

  /** What WeCom sends (the simulator seals its callbacks with this). */
  seal(message: string, receiveId: string, random: Buffer = randomBytes(RANDOM_PREFIX)): string {
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(LENGTH_FIELD);
    length.writeUInt32BE(body.length);
    const plain = Buffer.concat([random, length, body, Buffer.from(receiveId, 'utf8')]);
    const pad = PAD_BLOCK - (plain.length % PAD_BLOCK);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16));
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
  }
}

export class CallbackDecryptError extends Error {
  constructor(readonly part: 'ciphertext length' | 'cipher' | 'padding' | 'length field') {
    super(`the callback did not decrypt (${part})`);
    this.name = 'CallbackDecryptError';
  }
}
