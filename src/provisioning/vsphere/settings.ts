import type { VmSize } from '../../domain/index.ts';
import type { Hypervisor, OperationContext } from '../hypervisor.ts';

/**
 * One tenant's vCenter, as a tenant admin configures it (setVmwareConnection). Inventory objects are given by name
 * (as govc and Terraform take them); the adapter resolves them to managed object references when it connects.
 */
export interface VsphereConnectionSettings {
  /** The vim25 SOAP endpoint, e.g. https://vcenter.example.com/sdk. */
  url: string;
  username: string;
  password: string;
  datacenter: string;
  /** Where VMs run: a cluster (its root resource pool), or a resource pool by inventory path; at least one. */
  cluster: string | null;
  resourcePool: string | null;
  datastore: string;
  /** VM folder the clones go into, relative to the datacenter's vm folder ("" = the vm folder itself). */
  folder: string;
  /** Port group the VM's first network card is attached to. */
  network: string;
  /** Template to clone per size; a size without one uses `defaultTemplate`, reconfigured to the size. */
  templates: Partial<Record<VmSize, string>>;
  defaultTemplate: string | null;
  /**
   * Guest addressing. null: DHCP (the IP is whatever VMware Tools reports). A pool: each VM gets a fixed address from
   * it through guest customization (IpAllocator keeps them unique and stable per request).
   */
  ipPool: VsphereIpPool | null;
  tls: VsphereTls;
}

export interface VsphereIpPool {
  /** e.g. 10.20.0.0/24; the network and broadcast addresses and the gateway are never handed out. */
  cidr: string;
  gateway: string;
  dnsServers: string[];
  /** DNS domain of the guests, e.g. corp.example.com; the hostname reported is <vmName>.<domain>. */
  dnsDomain: string | null;
}

/** Hands out a pool's addresses, one per request, the same one on every attempt, kept until the VM is deleted. */
export interface IpAllocator {
  allocate(tenantId: string, requestId: string, pool: VsphereIpPool): Promise<string>;
  release(tenantId: string, requestId: string): Promise<void>;
}

export interface VsphereOptions {
  /** Refuses `tls.insecure` when true (production never skips certificate checks). */
  production: boolean;
  /** Each SOAP call's own limit; default 30 s. Task waits have their own (taskTimeoutMs, default 10 min). */
  callTimeoutMs?: number;
  taskTimeoutMs?: number;
  /** Required when settings.ipPool is set. */
  ipAllocator?: IpAllocator;
  log?: (line: string) => void;
}

/** The factory src/provisioning/vsphere/index.ts exports. */
export type CreateVsphereHypervisor = (settings: VsphereConnectionSettings, options: VsphereOptions) => VsphereHypervisor;

/** How the server's certificate is checked: against `caPem` when given, else the system's CAs. */
export interface VsphereTls {
  caPem: string | null;
  /** Skip verification: refused in production (the configuration and setVmwareConnection say so). */
  insecure: boolean;
}

/** The adapter for one tenant's vCenter, with what a connection test and a shutdown need. */
export interface VsphereHypervisor extends Hypervisor {
  /**
   * Logs in and resolves every configured object (datacenter, cluster or pool, datastore, folder, network, the
   * templates); throws a HypervisorError naming the first that fails (AUTHENTICATION_FAILED, TEMPLATE_NOT_FOUND, …).
   */
  check(context: OperationContext): Promise<void>;
  /** Logs out (best effort) and drops the session. */
  close(): Promise<void>;
}
