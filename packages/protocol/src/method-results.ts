/**
 * What each method's successful answer means, as typed values decoded from its
 * `<result>` element with the record codecs. One entry per method of `methods`, so the
 * SDK's typed results cannot drift from the declarations.
 */
import type { MethodName } from './methods.js';
import { contactRecord, type ContactRecord } from './records/contact.js';
import type { RecordCodec } from './records/codec.js';
import { fileRecord, minimalFileRecord, sharedFileRecord, type FileRecord, type SharedFileRecord } from './records/file.js';
import { folderRecord, minimalFolderRecord, sharedFolderRecord, type FolderRecord, type SharedFolderRecord } from './records/folder.js';
import { sessionCheckRecord, sessionRecord } from './records/session.js';
import { downloadInfoRecord, uploadInfoRecord } from './records/transfer-info.js';
import { errorsOf, splitList, type DecodedError } from './result-decode.js';
import { child, childText, type ParsedElement } from './xml-parse.js';

/** A list method's answer: what worked (`ids`, and the records where the method returns some) and what did not. */
export interface ListResult<T> {
  ids: string[];
  items: T[];
  /** Per-id errors of a mixed answer (status ok). */
  errors: DecodedError[];
}

function all<T>(r: ParsedElement, codec: RecordCodec<T>): T[] {
  return r.children.filter((c) => c.name === codec.tag).map((c) => codec.decode(c));
}

function one<T>(r: ParsedElement, codec: RecordCodec<T>): T {
  const node = child(r, codec.tag);
  if (!node) throw new Error(`answer has no <${codec.tag}>`);
  return codec.decode(node);
}

function list<T extends { id: string }>(codec: RecordCodec<T> | null) {
  return (r: ParsedElement): ListResult<T> => {
    const items = codec ? all(r, codec) : [];
    const idNode = child(r, 'id');
    return {
      ids: idNode ? splitList(idNode.text) : items.map((i) => i.id),
      items,
      errors: errorsOf(r),
    };
  };
}

const nothing = (): void => undefined;

export const methodResults = {
  'auth.register': nothing,
  'auth.createToken': (r: ParsedElement) => ({ token: childText(r, 'token') }),
  'auth.login': sessionRecord.decode,
  'auth.checkSession': sessionCheckRecord.decode,
  'auth.logout': nothing,
  'upload.getInfo': (r: ParsedElement) => one(r, uploadInfoRecord),
  'anonymous.uploadGetInfo': (r: ParsedElement) => one(r, uploadInfoRecord),
  'anonymous.filesSendMail': (r: ParsedElement) => ({ ids: splitList(childText(r, 'id')) }),
  'download.getInfo': (r: ParsedElement) => one(r, downloadInfoRecord),
  'files.getInfo': list<FileRecord>(fileRecord),
  'files.moveToFolder': list<FileRecord>(fileRecord),
  'files.setInfo': list<FileRecord>(fileRecord),
  'files.delete': list<{ id: string }>(minimalFileRecord),
  'files.sendMail': list<{ id: string }>(null),
  'folders.getInfo': (r: ParsedElement) => one(r, folderRecord),
  'folders.create': (r: ParsedElement) => one(r, folderRecord),
  'folders.setInfo': (r: ParsedElement) => one(r, folderRecord),
  'folders.delete': list<{ id: string }>(minimalFolderRecord),
  'folders.getContents': (r: ParsedElement): { folders: FolderRecord[]; files: FileRecord[] } => ({
    folders: all(r, folderRecord),
    files: all(r, fileRecord),
  }),
  'folders.getShared': (r: ParsedElement): { current: SharedFolderRecord; folders: SharedFolderRecord[]; files: SharedFileRecord[] } => ({
    current: one(r, sharedFolderRecord('current')),
    folders: all(r, sharedFolderRecord('folder')),
    files: all(r, sharedFileRecord),
  }),
  'folders.getAll': (r: ParsedElement) => all(r, folderRecord),
  'folders.move': list<{ id: string }>(minimalFolderRecord),
  'folders.sendMail': list<{ id: string }>(null),
  'addressbook.list': (r: ParsedElement): ContactRecord[] => all(r, contactRecord),
  'addressbook.add': (r: ParsedElement) => one(r, contactRecord),
  'addressbook.update': (r: ParsedElement) => one(r, contactRecord),
  'addressbook.delete': (r: ParsedElement) => ({ deleted: splitList(childText(r, 'email')), errors: errorsOf(r) }),
} satisfies Record<MethodName, (r: ParsedElement) => unknown>;

export type MethodResult<M extends MethodName> = ReturnType<(typeof methodResults)[M]>;
