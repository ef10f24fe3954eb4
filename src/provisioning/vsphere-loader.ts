import type { CreateVsphereHypervisor } from './vsphere/settings.ts';

/**
 * The vSphere adapter's factory, imported when a tenant with a connection first needs it: servers whose tenants all
 * provision on the simulator never load the SOAP client.
 */
export const loadVsphereAdapter = async (): Promise<CreateVsphereHypervisor> => {
  // Not a literal, so the type check does not need the module; the build's .ts → .js rewriting only sees literals,
  // hence the extension of this very file.
  const specifier = `./vsphere/index.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`;
  const module = (await import(specifier)) as { createVsphereHypervisor?: CreateVsphereHypervisor };
  if (!module.createVsphereHypervisor) throw new Error('src/provisioning/vsphere/index.ts does not export createVsphereHypervisor');
  return module.createVsphereHypervisor;
};
