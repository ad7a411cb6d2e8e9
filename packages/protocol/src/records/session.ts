/**
 * auth.login's and auth.checkSession's answers: not one element but a run of text
 * elements directly under `<result>`, so these codecs encode to a node list and decode
 * from the `<result>` element itself.
 */
import { textEl, type XmlNode } from '../xml.js';
import { childText, child, type ParsedElement } from '../xml-parse.js';
import { bit, bool, num } from './codec.js';

export interface SessionRecord {
  sessionKey: string;
  userName: string;
  email: string;
  /** lite, pro, max or business. */
  membershipType: string;
  /** Unix seconds; -1 for a free plan, 0 once expired. */
  membershipEnds: number;
  subscribed: boolean;
  capableUpload: boolean;
  capableDownload: boolean;
  capableFolders: boolean;
  capableFiles: boolean;
  /** Business accounts only: 1 alone, 2 with team mates. */
  chatReady?: number | undefined;
  /** Bytes, capped at 2^31-1; -1 means unlimited. */
  bandwidthLeft: number;
  diskspaceLeft: number;
  diskspaceUsed: number;
  points: number;
}

export interface RunCodec<T> {
  encode(value: T): XmlNode[];
  decode(result: ParsedElement): T;
}

export const sessionRecord: RunCodec<SessionRecord> = {
  encode: (s) => {
    const nodes: XmlNode[] = [
      textEl('session_key', s.sessionKey),
      textEl('user_name', s.userName),
      textEl('email', s.email),
      textEl('membership_type', s.membershipType),
      textEl('membership_ends', s.membershipEnds),
      textEl('subscribed', bit(s.subscribed)),
      textEl('capable_upload', bit(s.capableUpload)),
      textEl('capable_download', bit(s.capableDownload)),
      textEl('capable_folders', bit(s.capableFolders)),
      textEl('capable_files', bit(s.capableFiles)),
    ];
    if (s.chatReady !== undefined) nodes.push(textEl('chat_ready', s.chatReady));
    nodes.push(
      textEl('bandwidth_left', s.bandwidthLeft),
      textEl('diskspace_left', s.diskspaceLeft),
      textEl('diskspace_used', s.diskspaceUsed),
      textEl('points', s.points),
    );
    return nodes;
  },
  decode: (r) => ({
    sessionKey: childText(r, 'session_key'),
    userName: childText(r, 'user_name'),
    email: childText(r, 'email'),
    membershipType: childText(r, 'membership_type'),
    membershipEnds: num(childText(r, 'membership_ends')),
    subscribed: bool(childText(r, 'subscribed')),
    capableUpload: bool(childText(r, 'capable_upload')),
    capableDownload: bool(childText(r, 'capable_download')),
    capableFolders: bool(childText(r, 'capable_folders')),
    capableFiles: bool(childText(r, 'capable_files')),
    chatReady: child(r, 'chat_ready') ? num(childText(r, 'chat_ready')) : undefined,
    bandwidthLeft: num(childText(r, 'bandwidth_left')),
    diskspaceLeft: num(childText(r, 'diskspace_left')),
    diskspaceUsed: num(childText(r, 'diskspace_used')),
    points: num(childText(r, 'points')),
  }),
};

export interface SessionCheckRecord {
  /** 'ok' for a live session. */
  session: string;
  bandwidthLeft: number;
  diskspaceLeft: number;
}

export const sessionCheckRecord: RunCodec<SessionCheckRecord> = {
  encode: (s) => [textEl('session', s.session), textEl('bandwidth_left', s.bandwidthLeft), textEl('diskspace_left', s.diskspaceLeft)],
  decode: (r) => ({
    session: childText(r, 'session'),
    bandwidthLeft: num(childText(r, 'bandwidth_left')),
    diskspaceLeft: num(childText(r, 'diskspace_left')),
  }),
};
