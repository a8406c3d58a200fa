// proxy-from-env 2 ships no types (DefinitelyTyped covers 1.x, whose API is the same function).
declare module 'proxy-from-env' {
  /** The proxy URL for `url` from HTTP(S)_PROXY / ALL_PROXY, or '' when none applies (NO_PROXY). */
  export function getProxyForUrl(url: string | URL): string;
}
