/**
 * compose.yaml's shape without a container engine: the files it mounts, used as they are with only
 * the container names and ports replaced by loopback addresses — two replicas (the image's
 * ENTRYPOINT, `node dist/bin.js`) on PostgreSQL with deploy/compose/replica.json, the simulator
 * instance with deploy/compose/simulator.json, nginx with deploy/compose/nginx.conf and a
 * certificate from deploy/compose/make-cert.sh — and a relying party that trusts that certificate
 * signs in through it, over TLS, and refreshes its token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProject, REPO_ROOT } from '../support/cli.js';
import { TEST_DATABASE_URL, dropSchemas, postgresSuiteTitle, probePostgres, uniqueSchemaName } from '../support/postgres.js';
import { freePort } from '../support/server.js';

const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});
const postgres = await probePostgres();
const missing = !NGINX
  ? 'nginx is not installed (run .ci/ensure-deploy-tools.sh)'
  : spawnSync('openssl', ['version']).status !== 0
    ? 'openssl is not installed (run .ci/ensure-deploy-tools.sh)'
    : undefined;
const compose = readFileSync(join(REPO_ROOT, 'compose.yaml'), 'utf8');
/** A value compose.yaml gives a replica's environment (it holds only the simulator's stand-in secrets). */
const composeEnv = (name: string) => new RegExp(`^\\s+${name}: (\\S+)$`, 'm').exec(compose)![1]!;

interface Running {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<unknown>;
}
const processes: Running[] = [];
let dir: string;
let schema: string;

function startProcess(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Running {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const running = { name, child, output: () => output, exited: new Promise((resolve) => child.once('exit', resolve)) };
  processes.push(running);
  return running;
}

async function waitForHealth(port: number, running: Running): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (
    !(await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || running.child.exitCode !== null) throw new Error(`${running.name} did not start:\n${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const title = missing ? `compose.yaml's shape — skipped: ${missing}` : postgresSuiteTitle("compose.yaml's shape", postgres);
describe.skipIf(missing || !postgres.available)(title, () => {
  beforeAll(() => {
    buildProject();
    dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-compose-'));
    schema = uniqueSchemaName('compose');
  }, 180_000);

  afterAll(async () => {
    for (const running of processes) {
      if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill(running.name === 'nginx' ? 'SIGQUIT' : 'SIGTERM');
      await running.exited;
    }
    await dropSchemas([schema]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('two replicas on PostgreSQL behind nginx with TLS and the simulator: a relying party signs in and refreshes', async () => {
    const [httpsPort, portA, portB, simulatorPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const publicBase = `localhost:${httpsPort}`;
    const rewrite = (text: string) =>
      text.replaceAll('localhost:8443', publicBase).replaceAll('http://wecom-simulator:3000', `http://127.0.0.1:${simulatorPort}`);

    const cert = spawnSync('sh', [join(REPO_ROOT, 'deploy', 'compose', 'make-cert.sh'), dir], { encoding: 'utf8' });
    expect(cert.status, cert.stderr).toBe(0);

    const env = (configPath: string): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      WECOM_OIDC_CONFIG: configPath,
      DATABASE_URL: TEST_DATABASE_URL,
      WECOM_SECRET: composeEnv('WECOM_SECRET'),
      DEMO_CLIENT_SECRET: composeEnv('DEMO_CLIENT_SECRET'),
    });
    const entry = join(REPO_ROOT, 'dist', 'bin.js');

    const simulatorConfig = JSON.parse(rewrite(readFileSync(join(REPO_ROOT, 'deploy', 'compose', 'simulator.json'), 'utf8')));
    simulatorConfig.listen = { host: '127.0.0.1', port: simulatorPort };
    simulatorConfig.storage.path = join(dir, 'simulator', 'db.json');
    writeFileSync(join(dir, 'simulator.json'), JSON.stringify(simulatorConfig));
    const simulator = startProcess('simulator', process.execPath, [entry], env(join(dir, 'simulator.json')), dir);

    const replicaConfig = JSON.parse(rewrite(readFileSync(join(REPO_ROOT, 'deploy', 'compose', 'replica.json'), 'utf8')));
    replicaConfig.storage.schema = schema;
    const replicas: [number, Running][] = [];
    for (const [name, port] of [
      ['a', portA],
      ['b', portB],
    ] as const) {
      writeFileSync(join(dir, `replica-${name}.json`), JSON.stringify({ ...replicaConfig, listen: { host: '127.0.0.1', port } }));
      replicas.push([port, startProcess(`replica ${name}`, process.execPath, [entry], env(join(dir, `replica-${name}.json`)), dir)]);
    }

    mkdirSync(join(dir, 'temp'));
    const site = readFileSync(join(REPO_ROOT, 'deploy', 'compose', 'nginx.conf'), 'utf8')
      .replace('server wecom-oidc:3000;', `server 127.0.0.1:${portA};\n    server 127.0.0.1:${portB};`)
      .replace('server wecom-simulator:3000;', `server 127.0.0.1:${simulatorPort};`)
      .replace('listen 8443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`)
      .replaceAll('/etc/nginx/certs/', `${dir}/`)
      .replaceAll('snippets/wecom-oidc-proxy-headers.conf', join(REPO_ROOT, 'deploy', 'nginx', 'proxy-headers.conf'));
    writeFileSync(join(dir, 'site.conf'), site);
    const temp = join(dir, 'temp');
    writeFileSync(
      join(dir, 'nginx.conf'),
      [
        process.getuid?.() === 0 ? 'user root;' : '',
        'daemon off;',
        `pid ${join(dir, 'nginx.pid')};`,
        `error_log ${join(dir, 'nginx-error.log')} warn;`,
        'events { worker_connections 256; }',
        `http { access_log off; client_body_temp_path ${temp}/body; proxy_temp_path ${temp}/proxy;`,
        `  fastcgi_temp_path ${temp}/fastcgi; uwsgi_temp_path ${temp}/uwsgi; scgi_temp_path ${temp}/scgi;`,
        `  include ${join(dir, 'site.conf')}; }`,
      ].join('\n'),
    );
    const nginx = startProcess('nginx', NGINX!, ['-p', dir, '-c', join(dir, 'nginx.conf')], { PATH: process.env.PATH }, dir);

    await waitForHealth(simulatorPort, simulator);
    for (const [port, replica] of replicas) await waitForHealth(port, replica);
    expect(nginx.child.exitCode, nginx.output()).toBeNull();
    const logged = replicas.map(([, replica]) => replica.output().length);

    const client = JSON.parse(rewrite(JSON.stringify(replicaConfig.clients[0]))) as { client_secret: string };
    client.client_secret = composeEnv('DEMO_CLIENT_SECRET');
    const signIn = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', join(REPO_ROOT, 'test', 'support', 'tls-sign-in.ts'), `https://${publicBase}/oidc`, JSON.stringify(client)],
        { cwd: REPO_ROOT, env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'tls.crt') }, timeout: 120_000 },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
      );
    });
    const outcome = JSON.parse(signIn.stdout.trim().split('\n').pop() || '{}') as {
      sub?: string;
      refreshed?: boolean;
      issuer?: string;
      error?: string;
    };
    expect(outcome.error, `${signIn.stderr}\n${processes.map((p) => `--- ${p.name}\n${p.output().slice(-2000)}`).join('\n')}`).toBeUndefined();
    expect(outcome.issuer).toBe(`https://${publicBase}/oidc`);
    expect(outcome.sub).toBeTruthy();
    expect(outcome.refreshed).toBe(true);

    // nginx spread the sign-in over both replicas: each logged requests it served through it.
    replicas.forEach(([, replica], index) => {
      const served = replica
        .output()
        .slice(logged[index])
        .split('\n')
        .filter((line) => line.includes('"msg":"request"') && !line.includes('healthz'));
      expect(served.length, replica.name).toBeGreaterThan(0);
    });
  }, 300_000);
});
