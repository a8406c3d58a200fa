/**
 * The ground floor (as logto keeps `@logto/schemas`): the account model, identity keys, match
 * fields, the page languages and every store port, one copy each. It imports nothing of ours;
 * every other room may import it, and storage drivers import nothing else.
 */
export * from './account.js';
export * from './language.js';
export * from './login-state.js';
export * from './match-fields.js';
export * from './ports.js';
