/**
 * The storage drivers, opened by name. Each declares how it may be shared (`StorageSharing`), so
 * that callers (the admin CLI choosing between its socket and the database) ask the driver rather
 * than know driver names.
 */
import type { Storage, StorageSharing } from '../model/index.js';
import { LOWDB_SHARING, openLowdbStorage } from './lowdb/index.js';
import { POSTGRES_SHARING, openPostgresStorage } from './postgres/index.js';

/** What the configuration's `storage` section gives a driver. */
export type StorageOptions = { driver: 'lowdb'; path: string } | { driver: 'postgres'; url: string; schema: string; poolSize: number };

const SHARING: Record<StorageOptions['driver'], StorageSharing> = {
  lowdb: LOWDB_SHARING,
  postgres: POSTGRES_SHARING,
};

/** How the configured driver may be shared, known before (and without) opening it. */
export function storageSharing(options: Pick<StorageOptions, 'driver'>): StorageSharing {
  return SHARING[options.driver];
}

export async function openStorage(options: StorageOptions): Promise<Storage> {
  switch (options.driver) {
    case 'lowdb':
      return openLowdbStorage({ path: options.path });
    case 'postgres':
      return openPostgresStorage({ url: options.url, schema: options.schema, poolSize: options.poolSize });
  }
}
