import type { WorkshopService } from '../workshops';
import type { MembershipService } from './service';

/**
 * Workshop creation with the facilitator's recovery: after the workshop exists, its join keys are
 * sealed and a recovery secret is issued; the create response carries it (shown once). A wrapper,
 * so that creation itself (server/workshops.ts) stays one function with one owner.
 */
export function withRecovery(workshops: WorkshopService, membership: MembershipService): WorkshopService {
  return {
    ...workshops,
    async create(body) {
      const created = await workshops.create(body);
      const recoverySecret = await membership.provision(created.id, created);
      return { ...created, recoverySecret };
    },
  };
}
