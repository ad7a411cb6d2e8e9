/** The RSS 2.0 feed of a public folder, with enclosures so podcast and feed readers get the files. */
import { el, textEl, xmlDocument, type XmlNode } from '@sendbay/protocol';
import type { SharedContents } from '../../domain/library/shared-folders.js';
import type { PublicFileView } from '../../domain/library/views.js';
import { escapeHtml } from '../html.js';

/** Media types for enclosures, so podcast and feed readers know what they get. */
const ENCLOSURE_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  pdf: 'application/pdf',
  zip: 'application/zip',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  txt: 'text/plain',
};

function enclosureType(name: string): string {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  return ENCLOSURE_TYPES[ext] ?? 'application/octet-stream';
}

function feedItem(f: PublicFileView): XmlNode {
  const children: XmlNode[] = [
    textEl('title', f.name),
    textEl('link', f.downloadPageUrl),
    textEl('guid', f.downloadPageUrl),
    textEl('pubDate', new Date(f.uploadTime * 1000).toUTCString()),
  ];
  // Feed readers render <description> as HTML: the user's text is HTML-escaped first, then
  // XML-escaped by the node, so after XML decoding it is still inert text.
  if (f.description) children.push(textEl('description', escapeHtml(f.description)));
  // A protected file has no direct link: its page asks for the password.
  if (f.directDownloadUrl)
    children.push(
      el('enclosure', [
        ['url', f.directDownloadUrl],
        ['length', f.size],
        ['type', enclosureType(f.name)],
      ]),
    );
  return el('item', [], children);
}

export function folderFeed(c: SharedContents): string {
  return xmlDocument(
    el(
      'rss',
      [['version', '2.0']],
      [
        el(
          'channel',
          [],
          [
            textEl('title', c.current.name),
            textEl('link', c.current.publicUrl),
            textEl('description', escapeHtml(`Files in the shared folder ${c.current.name}`)),
            ...c.files.map(feedItem),
          ],
        ),
      ],
    ),
  );
}
