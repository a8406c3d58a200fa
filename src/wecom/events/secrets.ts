/** The shape of the callback secrets WeCom's admin console issues (接收事件服务器 settings). */

/** Token: random, 1-32 letters and digits. */
export const CALLBACK_TOKEN_PATTERN = /^[A-Za-z0-9]{1,32}$/;
/** EncodingAESKey: 43 characters of [A-Za-z0-9], the base64 of a 32-byte AES key without its "=". */
export const ENCODING_AES_KEY_PATTERN = /^[A-Za-z0-9]{43}$/;
