import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serializeNode, type XmlNode } from '../xml.js';
import { parseXml } from '../xml-parse.js';
import { contactRecord } from './contact.js';
import { fileRecord, minimalFileRecord, sharedFileRecord, type FileRecord } from './file.js';
import { folderRecord, sharedFolderRecord, type FolderRecord } from './folder.js';
import { sessionCheckRecord, sessionRecord, type SessionRecord } from './session.js';
import { downloadInfoRecord, uploadInfoRecord } from './transfer-info.js';

/** What a client sees: the record encoded, written as the server writes it, parsed back. */
function wire(node: XmlNode) {
  return parseXml(serializeNode(node));
}

const file: FileRecord = {
  id: 'abc123',
  name: 'a "quoted" <name> & more.txt',
  description: 'line one\nline two',
  password: 'sécret',
  folderId: '0',
  downloadPageUrl: 'http://x.test/file/abc123',
  directDownloadUrl: 'http://x.test/dl/abc123/k/a.txt',
  deleteUrl: 'http://x.test/delete/abc123/k',
  uploadTime: 1_700_000_000,
  fileSize: 5_000_000_000,
  downloads: 3,
  timeLimit: 0,
  downloadLimit: 10,
  limitAction: 2,
  limitActionToFolder: null,
  businessShared: false,
  notOwned: true,
};

test('a file record survives the wire, escaping and absent attributes included', () => {
  assert.deepEqual(fileRecord.decode(wire(fileRecord.encode(file))), file);
  const bare = { ...file, password: undefined, directDownloadUrl: undefined, deleteUrl: undefined, limitActionToFolder: 'f00f00' };
  const node = fileRecord.encode(bare);
  assert.doesNotMatch(serializeNode(node), /password=|direct_download_url=|delete_url=/);
  assert.deepEqual(fileRecord.decode(wire(node)), bare);
});

test('file attributes keep the spec order', () => {
  const names = [...serializeNode(fileRecord.encode(file)).matchAll(/ ([a-z_]+)="/g)].map((m) => m[1]);
  assert.deepEqual(names, [
    'id',
    'name',
    'description',
    'password',
    'folder_id',
    'download_page_url',
    'direct_download_url',
    'delete_url',
    'upload_time',
    'file_size',
    'downloads',
    'time_limit',
    'download_limit',
    'limit_action',
    'limit_action_to_folder',
    'business_shared',
    'not_owned',
  ]);
});

test('minimal and shared file records', () => {
  assert.equal(serializeNode(minimalFileRecord.encode({ id: 'abc123' })), '<file id="abc123"/>\n');
  const shared = { id: 'abc123', name: 'n', description: '', folderId: 'f1f1f1', uploadTime: 5, fileSize: 9 };
  assert.deepEqual(sharedFileRecord.decode(wire(sharedFileRecord.encode(shared))), shared);
});

test('folder records with and without totals', () => {
  const folder: FolderRecord = {
    id: 'f1f1f1',
    name: 'Photos',
    shared: true,
    publicUrl: 'http://x.test/folder/f1f1f1',
    rssUrl: 'http://x.test/folder/f1f1f1/rss',
    parentFolderId: '0',
    totals: { files: 2, size: 30, folders: 1 },
    folderPassword: undefined,
    notOwned: false,
    businessShared: false,
  };
  assert.deepEqual(folderRecord.decode(wire(folderRecord.encode(folder))), folder);
  const noTotals = { ...folder, totals: undefined, folderPassword: 'pw' };
  assert.deepEqual(folderRecord.decode(wire(folderRecord.encode(noTotals))), noTotals);
  const current = sharedFolderRecord('current');
  assert.equal(current.encode({ id: 'a', name: 'b', parentFolderId: '0' }).name, 'current');
  assert.deepEqual(current.decode(wire(current.encode({ id: 'a', name: 'b', parentFolderId: '0' }))), {
    id: 'a',
    name: 'b',
    parentFolderId: '0',
  });
});

test('contact, upload info and download info records', () => {
  const c = { email: 'a@b.test', name: 'A', description: 'd', type: 1 };
  assert.deepEqual(contactRecord.decode(wire(contactRecord.encode(c))), c);
  const u = {
    url: 'http://x.test/upload?a=1&b=2',
    progressUrl: 'http://x.test/progress?x',
    maxFileSize: 100,
    uploadIdentifier: 'id',
    extraInfo: 'e',
  };
  const text = serializeNode(uploadInfoRecord.encode(u));
  assert.match(text, /^<upload url="[^"]*" max_file_size="100" upload_identifier="id" extra_info="e"\n {4}progress_url=/);
  assert.deepEqual(uploadInfoRecord.decode(parseXml(text)), u);
  const d = { fileId: 'abc123', name: 'x', url: 'http://x.test/dl', fileSize: 7 };
  assert.deepEqual(downloadInfoRecord.decode(wire(downloadInfoRecord.encode(d))), d);
});

test('session records decode from the <result> element', () => {
  const s: SessionRecord = {
    sessionKey: 'k'.repeat(32),
    userName: 'Ann',
    email: 'ann@x.test',
    membershipType: 'business',
    membershipEnds: -1,
    subscribed: false,
    capableUpload: true,
    capableDownload: true,
    capableFolders: true,
    capableFiles: false,
    chatReady: 2,
    bandwidthLeft: -1,
    diskspaceLeft: 100,
    diskspaceUsed: 5,
    points: 0,
  };
  const result = (nodes: XmlNode[]) =>
    parseXml(`<result method="auth.login" status="ok">\n${nodes.map((n) => serializeNode(n, 1)).join('')}</result>`);
  assert.deepEqual(sessionRecord.decode(result(sessionRecord.encode(s))), s);
  const lite = { ...s, chatReady: undefined };
  assert.doesNotMatch(
    sessionRecord
      .encode(lite)
      .map((n) => serializeNode(n))
      .join(''),
    /chat_ready/,
  );
  assert.deepEqual(sessionRecord.decode(result(sessionRecord.encode(lite))), lite);
  const check = { session: 'ok', bandwidthLeft: 1, diskspaceLeft: 2 };
  assert.deepEqual(sessionCheckRecord.decode(result(sessionCheckRecord.encode(check))), check);
});
