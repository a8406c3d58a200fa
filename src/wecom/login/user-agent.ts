/**
 * Is this page open inside the WeCom client (mobile or desktop)? WeCom's user agent contains
 * `wxwork/`, and also `MicroMessenger` (which alone means personal WeChat), so `wxwork/` is checked
 * first and alone decides. Detection is advisory: a page opened in the client always also offers
 * the QR code.
 */
export function isWeComClient(userAgent: string | undefined): boolean {
  return /\bwxwork\//i.test(userAgent ?? '');
}

/**
 * A phone or tablet's own browser, outside the WeCom client: it cannot scan a QR code shown on its
 * own screen, and in-client login is not open to it. Advisory like the check above: the page it
 * gets still offers the QR code.
 */
export function isPhoneBrowserOutsideWeCom(userAgent: string | undefined): boolean {
  return /\b(Mobi|Android|iPhone|iPad|iPod|HarmonyOS|OpenHarmony)\b/i.test(userAgent ?? '') && !isWeComClient(userAgent);
}
