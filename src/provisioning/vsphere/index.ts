// The vSphere adapter: vim25 SOAP over node:https (no maintained vSphere client exists on npm; see docs/vsphere.md).
import { createVsphereHypervisor as create } from './hypervisor.ts';
import type { CreateVsphereHypervisor } from './settings.ts';

export const createVsphereHypervisor: CreateVsphereHypervisor = create;
export type * from './settings.ts';
export { VimFaultError, codeForFault } from './faults.ts';
