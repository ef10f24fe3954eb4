/**
 * A tenant's vCenter connection changed. Only the names of the changed fields and whether the password changed:
 * events are kept forever, so neither the settings (which may name internal hosts) nor any secret goes in them.
 * The settings themselves are in the vmware_connections table, written with this event.
 */
export type VmwareConnectionChanged = {
  type: 'VmwareConnectionChanged';
  data: { changedBy: string; changedFields: string[]; passwordChanged: boolean };
};

/** The tenant has no connection any more (its settings row and encrypted password are deleted with this event). */
export type VmwareConnectionRemoved = { type: 'VmwareConnectionRemoved'; data: { removedBy: string } };

export type VmwareConnectionEvent = VmwareConnectionChanged | VmwareConnectionRemoved;

export const vmwareConnectionEventSchemaVersions: Readonly<Record<VmwareConnectionEvent['type'], number>> = {
  VmwareConnectionChanged: 1,
  VmwareConnectionRemoved: 1,
};
