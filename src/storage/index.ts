/** Opens the storage driver named in the configuration. */
import type { Config } from '../config/schema.js';
import type { Storage } from '../model/index.js';
import { openLowdbStorage } from './lowdb/index.js';
import { openPostgresStorage } from './postgres/index.js';

export async function openStorage(config: Config['storage']): Promise<Storage> {
  switch (config.driver) {
    case 'lowdb':
      return openLowdbStorage({ path: config.path });
    case 'postgres':
      return openPostgresStorage({ url: config.url, schema: config.schema, poolSize: config.poolSize });
  }
}

export type * from '../model/index.js';
