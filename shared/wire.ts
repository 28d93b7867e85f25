/**
 * How the web host's clients prove the token on its WebSocket. A browser cannot set headers on an
 * upgrade, so the renderer offers two subprotocols: the plain one the host answers with, and one
 * that carries the token. Scripts send `Authorization: Bearer <token>` instead.
 */
export const WS_PROTOCOL = 'ferry';
export const WS_TOKEN_PREFIX = 'ferry.token.';
/** The close code of a socket whose token is missing or wrong: reconnecting would not help. */
export const WS_CLOSE_UNAUTHORIZED = 4401;
