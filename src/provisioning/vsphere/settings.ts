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
  tls: VsphereTls;
}

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
