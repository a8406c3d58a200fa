/**
 * The bridge from oidc-provider's adapter contract to our storage: one adapter instance per model
 * name, every call forwarded to the ModelStore with that name.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { ModelPayload, ModelStore } from '../storage/types.js';

export function createAdapterFactory(models: ModelStore): (name: string) => Adapter {
  return (name) => new StorageAdapter(name, models);
}

class StorageAdapter implements Adapter {
  constructor(
    private readonly name: string,
    private readonly models: ModelStore,
  ) {}

  upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    return this.models.upsert(this.name, id, payload as ModelPayload, expiresIn);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return (await this.models.find(this.name, id)) as AdapterPayload | undefined;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return (await this.models.findByUid(this.name, uid)) as AdapterPayload | undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return (await this.models.findByUserCode(this.name, userCode)) as AdapterPayload | undefined;
  }

  consume(id: string): Promise<void> {
    return this.models.consume(this.name, id);
  }

  destroy(id: string): Promise<void> {
    return this.models.destroy(this.name, id);
  }

  revokeByGrantId(grantId: string): Promise<void> {
    return this.models.revokeByGrantId(this.name, grantId);
  }
}
