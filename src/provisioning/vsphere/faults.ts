import { HypervisorError, type HypervisorErrorCode } from '../hypervisor-error.ts';
import { child, type XmlNode } from './xml.ts';

/**
 * A vim25 fault (from a SOAP Fault or a task's info.error), already classified: `code` and `retryable` are the
 * domain's, `faultType` is vSphere's (InvalidLogin, InvalidPowerState, …) for the callers that treat a fault as an
 * answer (powering off a VM that is off, destroying one that is gone).
 */
export class VimFaultError extends HypervisorError {
  constructor(
    readonly faultType: string,
    code: HypervisorErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

const BY_TYPE: Record<string, HypervisorErrorCode> = {
  InvalidLogin: 'AUTHENTICATION_FAILED',
  NotAuthenticated: 'AUTHENTICATION_FAILED',
  NoPermission: 'AUTHENTICATION_FAILED',
  NoDiskSpace: 'DATASTORE_NOT_AVAILABLE',
  InaccessibleDatastore: 'DATASTORE_NOT_AVAILABLE',
  DatastoreNotWritableOnHost: 'DATASTORE_NOT_AVAILABLE',
  HostCommunication: 'CONNECTION_FAILED',
  HostNotConnected: 'CONNECTION_FAILED',
  HostNotReachable: 'CONNECTION_FAILED',
  // Another task holds the VM for now: worth another attempt, like an outage.
  TaskInProgress: 'CONNECTION_FAILED',
  ConcurrentAccess: 'CONNECTION_FAILED',
  InvalidArgument: 'VM_CONFIG_INVALID',
  InvalidDeviceSpec: 'VM_CONFIG_INVALID',
  DeviceUnsupportedForVmVersion: 'VM_CONFIG_INVALID',
  DuplicateName: 'VM_CONFIG_INVALID',
  NicSettingMismatch: 'VM_CONFIG_INVALID',
  CustomizationFault: 'VM_CONFIG_INVALID',
  CustomizationPending: 'VM_CONFIG_INVALID',
  InvalidPowerState: 'VM_CONFIG_INVALID',
  NotSupported: 'VM_CONFIG_INVALID',
  VmConfigFault: 'VM_CONFIG_INVALID',
};

/** The domain code for a vim25 fault type; the Insufficient*ResourcesFault family is matched by name. */
export function codeForFault(faultType: string): HypervisorErrorCode {
  const known = BY_TYPE[faultType];
  if (known) return known;
  if (/^Insufficient.*(Resources|Capacity|Space)/.test(faultType) || faultType === 'NotEnoughLicenses') {
    return 'INSUFFICIENT_RESOURCES';
  }
  return 'UNKNOWN';
}

/** The fault type of a detail element: its xsi:type, else its name without the "Fault" suffix vim25 adds. */
const faultTypeOf = (detail: XmlNode): string => detail.xsiType ?? detail.name.replace(/Fault$/, '');

/** A SOAP Fault element (…<soapenv:Fault><faultstring/><detail><XFault xsi:type="X"/></detail>) as an error. */
export function soapFaultError(fault: XmlNode, method: string): VimFaultError {
  const message = child(fault, 'faultstring')?.text.trim() ?? '';
  const detail = child(fault, 'detail')?.children[0];
  const faultType = detail ? faultTypeOf(detail) : 'SoapFault';
  return new VimFaultError(faultType, codeForFault(faultType), describe(method, faultType, message, detail ?? null));
}

/** A task's info.error (a LocalizedMethodFault: <fault xsi:type="X"/><localizedMessage/>) as an error. */
export function taskFaultError(error: XmlNode, description: string): VimFaultError {
  const fault = child(error, 'fault');
  const faultType = fault ? faultTypeOf(fault) : 'MethodFault';
  const message = child(error, 'localizedMessage')?.text.trim() ?? '';
  return new VimFaultError(faultType, codeForFault(faultType), describe(description, faultType, message, fault));
}

function describe(operation: string, faultType: string, message: string, detail: XmlNode | null): string {
  // ManagedObjectNotFound names the object; InvalidPowerState the states: worth having in the message.
  const obj = child(detail, 'obj');
  const extra = obj ? ` (${obj.attrs.type ?? 'object'} ${obj.text})` : '';
  return `${operation} failed with ${faultType}${extra}${message ? `: ${message}` : ''}`;
}

export const isFault = (error: unknown, ...types: string[]): error is VimFaultError =>
  error instanceof VimFaultError && types.includes(error.faultType);
