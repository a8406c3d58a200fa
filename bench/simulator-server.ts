/**
 * The WeCom stand-in for the benchmark, in a process of its own: one Koa app serving several
 * instances of our built-in simulator, one per provider under test (each a self-built app of one
 * corp, with its own 授权回调域, since the simulator checks that redirect_uri's host:port is exactly
 * that domain). Both providers thus talk to the same code, in the same process, over loopback.
 *
 * Bench-only: GET /bench/calls answers every instance's API call counters (gettoken and friends).
 *
 * Configured by the environment: BENCH_SIM_PORT, BENCH_SIM_INSTANCES (JSON SimulatorInstance[]).
 */
import { createServer } from 'node:http';
import Koa from 'koa';
import { createLogger } from '../src/observability/log.js';
import { createWeComSimulator, type WeComSimulator } from '../src/simulator/index.js';
import { CALLS_PATH, CORP_ID, simulatorPath, type SimulatorInstance } from './fixtures.js';

const port = Number(process.env.BENCH_SIM_PORT);
const instances = JSON.parse(process.env.BENCH_SIM_INSTANCES ?? '[]') as SimulatorInstance[];
if (!Number.isInteger(port) || port <= 0 || !instances.length) {
  throw new Error('set BENCH_SIM_PORT and BENCH_SIM_INSTANCES');
}

const log = createLogger({ level: 'warn' });
const simulators = new Map<string, WeComSimulator>(
  instances.map((instance) => [
    instance.name,
    createWeComSimulator({
      apps: [{ corpId: CORP_ID, agentId: instance.app.agentId, secret: instance.app.secret, legacyContactFields: false }],
      trustedDomain: instance.trustedDomain,
      basePath: simulatorPath(instance.name),
      log,
    }),
  ]),
);

const app = new Koa();
app.silent = true;
app.use(async (ctx, next) => {
  if (ctx.path !== CALLS_PATH) return next();
  ctx.body = Object.fromEntries([...simulators].map(([name, simulator]) => [name, simulator.calls]));
});
for (const simulator of simulators.values()) app.use(simulator.middleware());

// eslint-disable-next-line @typescript-eslint/no-misused-promises -- koa's callback() answers its own errors (ctx.onerror); its promise never rejects
const server = createServer(app.callback());
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`simulator listening on ${port}: ${[...simulators.keys()].join(', ')}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
