import type { Db } from '../db.js';

export class TeamsRepository {
  constructor(private readonly db: Db) {}

  /** The team a user owns or belongs to, if any. */
  async teamOf(userId: string): Promise<string | undefined> {
    const owned = await this.db.selectFrom('teams').select('id').where('owner_id', '=', userId).executeTakeFirst();
    if (owned) return owned.id;
    const member = await this.db.selectFrom('team_members').select('team_id').where('user_id', '=', userId).executeTakeFirst();
    return member?.team_id;
  }

  /** Everyone in the team, owner included. */
  async memberIds(teamId: string): Promise<string[]> {
    const team = await this.db.selectFrom('teams').select('owner_id').where('id', '=', teamId).executeTakeFirst();
    if (!team) return [];
    const members = await this.db.selectFrom('team_members').select('user_id').where('team_id', '=', teamId).execute();
    return [team.owner_id, ...members.map((m) => m.user_id)];
  }

  async findByOwner(ownerId: string): Promise<string | undefined> {
    return (await this.db.selectFrom('teams').select('id').where('owner_id', '=', ownerId).executeTakeFirst())?.id;
  }

  async create(id: string, ownerId: string, now: number): Promise<void> {
    await this.db.insertInto('teams').values({ id, owner_id: ownerId, created_at: now }).execute();
  }

  async addMember(teamId: string, userId: string, now: number): Promise<void> {
    await this.db.insertInto('team_members').values({ team_id: teamId, user_id: userId, joined_at: now }).execute();
  }

  async removeMember(teamId: string, userId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('team_members').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async list(): Promise<{ id: string; owner_id: string; members: string[] }[]> {
    const teams = await this.db.selectFrom('teams').selectAll().orderBy('created_at').execute();
    const out = [];
    for (const t of teams) {
      const members = await this.db.selectFrom('team_members').select('user_id').where('team_id', '=', t.id).execute();
      out.push({ id: t.id, owner_id: t.owner_id, members: members.map((m) => m.user_id) });
    }
    return out;
  }
}
