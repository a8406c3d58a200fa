/**
 * The corp apps the simulator hosts, looked up the way WeCom does: a corp by its CorpID, an app by
 * (CorpID, AgentID) or, for gettoken, by its secret.
 */
import { timingSafeEqual } from 'node:crypto';
import type { SimulatorApp } from '../config/schema.js';

export interface HostedApps {
  readonly all: readonly SimulatorApp[];
  hasCorp(corpId: string): boolean;
  find(corpId: string, agentId: string): SimulatorApp | undefined;
  findBySecret(corpId: string, secret: string): SimulatorApp | undefined;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function createHostedApps(apps: readonly SimulatorApp[]): HostedApps {
  if (apps.length === 0) throw new Error('the WeCom simulator needs at least one app to host');
  const seen = new Set<string>();
  for (const app of apps) {
    const key = `${app.corpId}/${app.agentId}`;
    if (seen.has(key)) throw new Error(`the WeCom simulator was given app ${key} twice`);
    seen.add(key);
  }
  const all = apps.map((app) => ({ ...app, agentId: String(app.agentId) }));
  return {
    all,
    hasCorp: (corpId) => all.some((app) => app.corpId === corpId),
    find: (corpId, agentId) => all.find((app) => app.corpId === corpId && app.agentId === agentId),
    findBySecret: (corpId, secret) => all.find((app) => app.corpId === corpId && sameSecret(app.secret, secret)),
  };
}
