import { describe, expect, it } from 'vitest';
import { wecomSdkSource } from '../web/pages/assets.js';
import { PanelSdkMismatchError, panelSdkSource } from './panel.js';

const WECOM = 'https://login.work.weixin.qq.com';

describe("the simulator's stand-in for WeCom's login panel", () => {
  it("re-points the published SDK's panel URL and message origin at the simulator, and nothing else", () => {
    const published = wecomSdkSource();
    const pointed = panelSdkSource(published, 'http://localhost:3000/oidc/wecom-simulator');
    expect(pointed).toContain('"http://localhost:3000/oidc/wecom-simulator/wwlogin/sso/login"');
    expect(pointed).not.toContain(`"${WECOM}/wwlogin/sso/login"`);
    expect(pointed).not.toContain(`"${WECOM}"`);
    // The rest of the SDK is byte for byte the published one.
    const restore = pointed
      .replace('"http://localhost:3000/oidc/wecom-simulator/wwlogin/sso/login"', `"${WECOM}/wwlogin/sso/login"`)
      .replaceAll('"http://localhost:3000"', `"${WECOM}"`);
    expect(restore).toBe(published);
  });

  it('refuses an SDK whose panel code no longer looks as expected, instead of loading the real WeCom', () => {
    expect(() => panelSdkSource('function createWWLoginPanel(){}', 'http://localhost:3000/wecom-simulator')).toThrow(PanelSdkMismatchError);
  });
});
