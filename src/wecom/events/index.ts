/** WeCom's contact-change callbacks: signature, encryption and XML, behind one receiver. */
export { CallbackKey, CallbackDecryptError } from './cipher.js';
export { CALLBACK_TOKEN_PATTERN, ENCODING_AES_KEY_PATTERN } from './secrets.js';
export { messageSignature, signatureMatches } from './signature.js';
export { contactEventXml, parseContactEvent, parseEnvelope, type CallbackEnvelope, type ContactEvent } from './xml.js';
export {
  CALLBACK_WINDOW_SECONDS,
  ContactEventReceiver,
  type CallbackQuery,
  type CallbackRejection,
  type EventsSecrets,
  type Opened,
} from './receiver.js';
