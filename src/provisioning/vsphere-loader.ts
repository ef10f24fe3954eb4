import type { CreateVsphereHypervisor } from './vsphere/settings.ts';

/**
 * The vSphere adapter's factory, imported when a tenant with a connection first needs it: servers whose tenants all
 * provision on the simulator never load the SOAP client.
 */
export const loadVsphereAdapter = async (): Promise<CreateVsphereHypervisor> =>
  (await import('./vsphere/index.ts')).createVsphereHypervisor;
