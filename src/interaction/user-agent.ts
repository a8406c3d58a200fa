/**
 * Is this page open inside the WeCom client (mobile or desktop)? WeCom's user agent contains
 * `wxwork/`, and also `MicroMessenger` (which alone means personal WeChat), so `wxwork/` is checked
 * first and alone decides. Detection is advisory: a page opened in the client always also offers
 * the QR code.
 */
export function isWeComClient(userAgent: string | undefined): boolean {
  return /\bwxwork\//i.test(userAgent ?? '');
}
