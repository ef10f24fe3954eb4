import { type VmRequest, vmSizeSpec } from '../domain/index.ts';
import type { VmSpec } from './hypervisor.ts';

/**
 * The hypervisor-side name of a request's VM: a function of the request id only (fits vSphere's 80-character
 * limit). Two attempts, or two processes, can therefore never create two VMs for one request without noticing.
 */
export const hypervisorVmName = (requestId: string): string => `dvmm-${requestId}`;

export const vmSpecFor = (requestId: string, tenantId: string, request: VmRequest): VmSpec => {
  const size = vmSizeSpec(request.size);
  return {
    requestId,
    tenantId,
    projectId: request.projectId,
    name: hypervisorVmName(requestId),
    hostname: request.vmName,
    size: request.size,
    vcpus: size.vcpus,
    memoryGb: size.memoryGb,
    diskGb: size.diskGb,
  };
};
