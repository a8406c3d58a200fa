/**
 * What `npm run admin` does, as a function of argv, environment and working directory (cli.ts is
 * only the process around it):
 * 1. help and usage errors are answered at once, without reading the configuration;
 * 2. the configuration is chosen and loaded exactly as the server does (--config, WECOM_OIDC_CONFIG);
 * 3. commands that only read the configuration run here;
 * 4. account commands go to the running server through its admin socket, with the content of any
 *    input file; when no server answers, the CLI opens the storage itself, runs, and closes it.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createMemberChecks } from '../accounts/member-checks.js';
import { AccountService } from '../accounts/service.js';
import { ConnectionRegistry, createWeComServices, resolveWeComEndpoints } from '../wecom/index.js';
import { AccessRevocation } from '../oidc/access-revocation.js';
import { ConfigError, loadConfigFile, resolveConfigPath } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../observability/log.js';
import { openStorage } from '../storage/index.js';
import { failed, usageError } from './command.js';
import { pickLang, type AdminResult } from './context.js';
import { extractGlobalOptions, parseAdminCommand, runParsedCommand } from './dispatch.js';
import { messagesFor } from './messages.js';
import { adminSocketPath, storageFilePath, usesAdminSocket } from './protocol.js';
import { AdminSocketError, sendToServer } from './socket.js';
import type { Lang } from '../model/index.js';

/** The WeCom client and AccountService log for the server's operators; the CLI prints only its result. */
const silent = createLogger({ sink: () => undefined });

export interface CliDirectories {
  /** Where a long command draws its progress (the terminal's stderr); none in tests. */
  progress?: (done: number, total: number) => void;
  /** Where the configuration and a relative storage path are resolved, as by the server. */
  cwd: string;
  /** Where input files named on the command line are resolved: where the administrator ran the command. */
  inputDir: string;
}

export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, { cwd, inputDir, progress }: CliDirectories): Promise<AdminResult> {
  const fallbackLang = pickLang(env);
  const global = extractGlobalOptions(argv, fallbackLang);
  if (global.problem) return usageError(global.problem);
  const lang = global.lang ?? fallbackLang;
  const t = messagesFor(lang);

  const command = parseAdminCommand(global.rest, lang);
  if (command.kind === 'output') return command.result;

  let config: Config;
  try {
    config = loadConfigFile(resolve(cwd, resolveConfigPath(argv, env)), env);
  } catch (error) {
    if (error instanceof ConfigError) return usageError(error.message);
    throw error;
  }
  const base = { config, lang, log: silent };
  if (command.kind === 'local') {
    return runParsedCommand(command, { ...base, readInput: noInput, resolveFile: (path) => resolve(inputDir, path) });
  }

  const inputs = await readInputs(command.inputFiles, inputDir, lang);
  if (!inputs.ok) return inputs.result;
  const { files } = inputs;
  if (usesAdminSocket(config.storage)) {
    const socketPath = adminSocketPath(config.storage);
    const answer = await sendToServer(socketPath, {
      argv: global.rest,
      lang,
      storagePath: storageFilePath(config.storage),
      files,
    }).catch((error: NodeJS.ErrnoException) =>
      failed(error instanceof AdminSocketError ? t.serverBadAnswer(socketPath) : t.serverFailed(`${socketPath}: ${error.code ?? error.message}`)),
    );
    if ('exitCode' in answer) return answer;
    if (answer.status === 'answered') return answer.result;
  }

  const storage = await openStorage(config.storage);
  try {
    // No provider runs here, so offboarding revokes tokens but cannot send back-channel logout.
    const revoker = new AccessRevocation(storage.models, undefined, silent);
    const accounts = new AccountService(storage.accounts, revoker, silent);
    const { client: wecom, departmentNames } = createWeComServices({
      endpoints: resolveWeComEndpoints(config),
      tokenStore: storage.accessTokens,
      log: silent,
    });
    const { reconcile } = createMemberChecks({
      storage,
      wecom,
      departmentNames,
      connections: new ConnectionRegistry(config.connections),
      revoker,
      log: silent,
    });
    return await runParsedCommand(command, { ...base, storage, accounts, reconcile, progress, readInput: async (path) => files[path]! });
  } finally {
    await storage.close();
  }
}

/** Input files are read here, relative to where the CLI was run, whichever process runs the command. */
async function readInputs(
  paths: string[],
  directory: string,
  lang: Lang,
): Promise<{ ok: true; files: Record<string, string> } | { ok: false; result: AdminResult }> {
  const files: Record<string, string> = {};
  for (const path of paths) {
    try {
      files[path] = await readFile(resolve(directory, path), 'utf8');
    } catch (error) {
      return { ok: false, result: failed(messagesFor(lang).cannotReadFile(path, (error as NodeJS.ErrnoException).code ?? 'error')) };
    }
  }
  return { ok: true, files };
}

async function noInput(): Promise<string> {
  throw new Error('this command reads no input file');
}
