/**
 * Business teams: one owner on the business plan and its members. Team membership
 * decides who sees `business_shared` files and folders, and auth.login's `chat_ready`.
 */
import { randomKey } from '../lib/crypto.js';
import type { TeamsRepository } from '../metadata/repositories/teams.js';
import type { UserRow, UsersRepository } from '../metadata/repositories/users.js';
import type { Clock } from './clock.js';

export class TeamError extends Error {}

export class Teams {
  constructor(
    private readonly teams: TeamsRepository,
    private readonly users: UsersRepository,
    private readonly clock: Clock,
  ) {}

  /** 0: no team; 1: alone in the team; 2: at least one team mate to contact. */
  async chatReady(userId: string): Promise<0 | 1 | 2> {
    const teamId = await this.teams.teamOf(userId);
    if (!teamId) return 1;
    return (await this.teams.memberIds(teamId)).length > 1 ? 2 : 1;
  }

  /** Ids of everyone sharing a team with the user (the user included); empty without a team. */
  async teamMates(userId: string): Promise<string[]> {
    const teamId = await this.teams.teamOf(userId);
    return teamId ? this.teams.memberIds(teamId) : [];
  }

  async addMember(owner: UserRow, member: UserRow): Promise<void> {
    if (owner.plan !== 'business') throw new TeamError(`${owner.email} is not on the business plan`);
    if (owner.id === member.id) throw new TeamError('the owner is already part of the team');
    if (await this.teams.teamOf(member.id)) throw new TeamError(`${member.email} already belongs to a team`);
    const now = this.clock.now();
    let teamId = await this.teams.findByOwner(owner.id);
    if (!teamId) {
      if (await this.teams.teamOf(owner.id)) throw new TeamError(`${owner.email} is a member of another team`);
      teamId = randomKey(12);
      await this.teams.create(teamId, owner.id, now);
    }
    await this.teams.addMember(teamId, member.id, now);
  }

  async removeMember(owner: UserRow, member: UserRow): Promise<void> {
    const teamId = await this.teams.findByOwner(owner.id);
    if (!teamId || !(await this.teams.removeMember(teamId, member.id)))
      throw new TeamError(`${member.email} is not in ${owner.email}'s team`);
  }

  async list(): Promise<{ owner: string; members: string[] }[]> {
    const out = [];
    for (const t of await this.teams.list()) {
      const email = async (id: string) => (await this.users.findById(id))?.email ?? id;
      out.push({ owner: await email(t.owner_id), members: await Promise.all(t.members.map(email)) });
    }
    return out;
  }
}
