import { builder } from '../builder.ts';
import type { VmOperationFailureView } from '../views/vm-request.ts';
import { VmOperationEnum } from './enums.ts';
import { failureCodeOf, ProvisioningFailureCodeEnum } from './provisioning-failure-code.ts';
import { DateTimeScalar } from './scalars.ts';

export const VmOperationFailureRef = builder.objectRef<VmOperationFailureView>('VmOperationFailure').implement({
  description:
    'A requested power or decommission operation that DVMM gave up on after its retries. The VM stays as it was ' +
    '(powerState unchanged, the request READY), so it may be requested again.',
  fields: (t) => ({
    operation: t.expose('operation', { type: VmOperationEnum, description: 'What was requested.' }),
    code: t.field({
      type: ProvisioningFailureCodeEnum,
      description: "Why, as the hypervisor adapter classified it; a stored code this server does not know shows as UNKNOWN.",
      resolve: (failure) => failureCodeOf(failure.code)!,
    }),
    message: t.exposeString('message', { description: "The hypervisor's error message." }),
    attempts: t.exposeInt('attempts', { description: 'How many attempts were made before giving up.' }),
    at: t.expose('at', {
      type: DateTimeScalar,
      nullable: true,
      description:
        "When the failure was recorded. Null only in a mutation's answer, which returns the request as the command " +
        'left it without the time of an earlier event; queries and subscriptions always have it.',
    }),
  }),
});
