/**
 * What an account may do and has left, computed from its plan, expiry and usage.
 * Every figure the API reports (login, checksession, upload results) comes from here.
 */
import type { PlanLimits, PlanName } from '../config.js';
import { monthOf } from './clock.js';

export interface AccountUsage {
  plan: string;
  membership_ends: number | null;
  diskspace_used: number;
  bandwidth_used: number;
  bandwidth_month: string;
}

export interface AccountStatus {
  plan: PlanName;
  limits: PlanLimits;
  /** -1 unlimited, 0 expired, else Unix seconds. */
  membershipEnds: number;
  expired: boolean;
  subscribed: boolean;
  diskspaceUsed: number;
  /** -1 unlimited. */
  diskspaceLeft: number;
  /** -1 unlimited. */
  bandwidthLeft: number;
}

export function accountStatus(user: AccountUsage, plans: Record<PlanName, PlanLimits>, now: number): AccountStatus {
  const plan = (user.plan in plans ? user.plan : 'lite') as PlanName;
  const limits = plans[plan];
  const paid = plan !== 'lite';
  const ends = user.membership_ends;
  const expired = paid && ends !== null && ends <= now;
  const membershipEnds = !paid || ends === null ? -1 : expired ? 0 : ends;
  const bandwidthUsed = user.bandwidth_month === monthOf(now) ? user.bandwidth_used : 0;
  return {
    plan,
    limits,
    membershipEnds,
    expired,
    subscribed: paid && !expired,
    diskspaceUsed: user.diskspace_used,
    diskspaceLeft: limits.diskSpace < 0 ? -1 : Math.max(0, limits.diskSpace - user.diskspace_used),
    bandwidthLeft: limits.monthlyBandwidth < 0 ? -1 : Math.max(0, limits.monthlyBandwidth - bandwidthUsed),
  };
}

/**
 * Some clients read these figures into a signed 32-bit int; anything larger is sent as
 * the largest such int, which still means "plenty".
 */
export function wireInt32(n: number): number {
  if (n < 0) return -1;
  return Math.min(n, 2_147_483_647);
}
