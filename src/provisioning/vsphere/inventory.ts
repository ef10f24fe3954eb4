import type { VmSize } from '../../domain/index.ts';
import { HypervisorError, type HypervisorErrorCode } from '../hypervisor-error.ts';
import { findByName, propertiesOf } from './property-collector.ts';
import type { VsphereConnectionSettings } from './settings.ts';
import type { CallContext, SoapClient } from './soap-client.ts';
import { child, el, type MoRef, toMoRef } from './xml.ts';

/**
 * Resolves the connection's inventory names (datacenter, folder, cluster or pool, datastore, network, templates) to
 * managed object references, and finds VMs by name. Resolved references are kept for the session they were read in:
 * a new login (vCenter restarted) reads them again.
 */
export class Inventory {
  private cache = new Map<string, MoRef>();
  private generation = -1;

  constructor(
    private readonly client: SoapClient,
    private readonly settings: VsphereConnectionSettings,
  ) {}

  datacenter(ctx: CallContext): Promise<MoRef> {
    const name = this.settings.datacenter;
    // No code of its own: a datacenter that does not exist means the connection is not set up for this vCenter.
    return this.resolve('datacenter', ctx, () => this.byPath(name, ['Datacenter'], ctx), 'HYPERVISOR_NOT_CONFIGURED', `datacenter "${name}"`);
  }

  folder(ctx: CallContext): Promise<MoRef> {
    const folder = trimSlashes(this.settings.folder);
    return this.resolve(
      'folder',
      ctx,
      async () => this.byPath(joinPath(this.settings.datacenter, 'vm', folder), ['Folder'], ctx),
      'FOLDER_NOT_FOUND',
      `VM folder "${folder === '' ? '/' : folder}"`,
    );
  }

  /** The pool clones run in: the configured resource pool, else the cluster's root pool. */
  async pool(ctx: CallContext): Promise<MoRef> {
    const { cluster, resourcePool } = this.settings;
    if (cluster !== null) await this.cluster(cluster, ctx);
    if (resourcePool !== null) {
      return this.resolve(
        'pool',
        ctx,
        async () => this.byPath(poolPath(this.settings.datacenter, cluster, resourcePool), ['ResourcePool', 'VirtualApp'], ctx),
        'RESOURCE_POOL_NOT_FOUND',
        `resource pool "${resourcePool}"`,
      );
    }
    if (cluster === null) throw new HypervisorError('HYPERVISOR_NOT_CONFIGURED', 'neither a cluster nor a resource pool is configured');
    return this.resolve(
      'cluster-pool',
      ctx,
      async () => {
        const ref = await this.cluster(cluster, ctx);
        const pool = (await propertiesOf(this.client, ref, ['resourcePool'], ctx))?.get('resourcePool');
        return pool ? toMoRef(pool) : null;
      },
      'CLUSTER_NOT_FOUND',
      `cluster "${cluster}" (its root resource pool)`,
    );
  }

  private cluster(name: string, ctx: CallContext): Promise<MoRef> {
    return this.resolve(
      'cluster',
      ctx,
      async () => this.byPath(joinPath(this.settings.datacenter, 'host', trimSlashes(name)), ['ClusterComputeResource', 'ComputeResource'], ctx),
      'CLUSTER_NOT_FOUND',
      `cluster "${name}"`,
    );
  }

  datastore(ctx: CallContext): Promise<MoRef> {
    const name = this.settings.datastore;
    return this.resolve('datastore', ctx, () => this.pathOrName('datastore', name, ['Datastore'], ctx), 'DATASTORE_NOT_FOUND', `datastore "${name}"`);
  }

  network(ctx: CallContext): Promise<MoRef> {
    const name = this.settings.network;
    // Network covers standard port groups and distributed port groups (a subtype) alike.
    return this.resolve('network', ctx, () => this.pathOrName('network', name, ['Network', 'DistributedVirtualPortgroup', 'OpaqueNetwork'], ctx), 'NETWORK_NOT_FOUND', `network "${name}"`);
  }

  /** The template name for a size: its own, else the default one (which configure resizes). */
  templateName(size: VmSize): string {
    const name = this.settings.templates[size] ?? this.settings.defaultTemplate;
    if (!name) throw new HypervisorError('TEMPLATE_NOT_FOUND', `no template is configured for size ${size} and there is no default template`);
    return name;
  }

  template(name: string, ctx: CallContext): Promise<MoRef> {
    return this.resolve(
      `template:${name}`,
      ctx,
      async () => {
        const found = await findByName(this.client, await this.datacenter(ctx), 'VirtualMachine', name, ctx);
        return found.length === 1 ? (found[0] ?? null) : null;
      },
      'TEMPLATE_NOT_FOUND',
      `template "${name}"`,
    );
  }

  /** The VM called `name` in the configured folder, by inventory path (never cached: it comes and goes). */
  async findVm(name: string, ctx: CallContext): Promise<MoRef | null> {
    const path = joinPath(this.settings.datacenter, 'vm', trimSlashes(this.settings.folder), name);
    return this.byPath(path, ['VirtualMachine'], ctx);
  }

  /**
   * Every configured object, read afresh (a connection test asks vCenter, not the cache), in the order a clone needs
   * them; throws for the first that is missing.
   */
  async checkAll(ctx: CallContext): Promise<void> {
    this.cache.clear();
    await this.datacenter(ctx);
    await this.folder(ctx);
    await this.pool(ctx);
    await this.datastore(ctx);
    await this.network(ctx);
    const names = new Set([...Object.values(this.settings.templates), this.settings.defaultTemplate]);
    for (const name of names) if (name) await this.template(name, ctx);
  }

  private async resolve(
    key: string,
    ctx: CallContext,
    find: () => Promise<MoRef | null>,
    code: HypervisorErrorCode,
    what: string,
  ): Promise<MoRef> {
    await this.client.connect(ctx);
    if (this.generation !== this.client.generation) {
      this.cache = new Map();
      this.generation = this.client.generation;
    }
    const cached = this.cache.get(key);
    if (cached) return cached;
    const ref = await find();
    if (ref === null) throw new HypervisorError(code, `${what} was not found in vCenter (datacenter "${this.settings.datacenter}")`);
    this.cache.set(key, ref);
    return ref;
  }

  private async byPath(path: string, types: readonly string[], ctx: CallContext): Promise<MoRef | null> {
    const { searchIndex } = await this.client.connect(ctx);
    const reply = await this.client.call('FindByInventoryPath', searchIndex, [el('inventoryPath', path)], ctx);
    const node = child(reply, 'returnval');
    if (node === null) return null;
    const ref = toMoRef(node);
    return types.includes(ref.type) ? ref : null;
  }

  /** By path under the datacenter's folder, else by name anywhere in the datacenter (objects in subfolders). */
  private async pathOrName(folder: string, name: string, types: readonly string[], ctx: CallContext): Promise<MoRef | null> {
    const byPath = await this.byPath(joinPath(this.settings.datacenter, folder, trimSlashes(name)), types, ctx);
    if (byPath) return byPath;
    const found = await findByName(this.client, await this.datacenter(ctx), types[0] ?? 'ManagedEntity', name, ctx);
    return found.length === 1 ? (found[0] ?? null) : null;
  }
}

const trimSlashes = (path: string): string => path.replace(/^\/+|\/+$/g, '');

const joinPath = (...parts: string[]): string => parts.filter((part) => part !== '').join('/');

/**
 * A resource pool's inventory path: "/DC0/host/C0/Resources/web" as given (absolute); a bare name ("web") in the
 * cluster's root pool; any other relative path ("C0/Resources/web") under the datacenter's host folder.
 */
export function poolPath(datacenter: string, cluster: string | null, pool: string): string {
  if (pool.startsWith('/')) return trimSlashes(pool);
  if (cluster !== null && !pool.includes('/')) return joinPath(datacenter, 'host', trimSlashes(cluster), 'Resources', pool);
  return joinPath(datacenter, 'host', trimSlashes(pool));
}
