/** The `state` of one WeCom login, kept server-side so it can be checked and used exactly once. */
export interface LoginState {
  /** The oidc-provider interaction this login belongs to. */
  interactionUid: string;
  /** The connection identifier the login was started through. */
  connection: string;
  /** How the login was started, so the callback can tell QR from in-client. */
  method: 'qr' | 'in_client';
  /**
   * `bind_proof`: this login only proves which existing account the person owns, to link the
   * WeCom identity waiting on the bind page to it. Absent: an ordinary sign-in.
   */
  purpose?: 'bind_proof';
}

/** Whose a login state is: the sign-in attempt (interaction) and connection it was issued to. */
export type LoginStateOwner = Pick<LoginState, 'interactionUid' | 'connection'>;
