import type { Command } from '../command.js';
import { login, logout, whoami } from './auth.js';
import { completion } from './completion.js';
import { contacts } from './contacts.js';
import { download } from './download.js';
import { info, ls, mkdir, mv, rm, share } from './library.js';
import { upload } from './upload.js';

export const COMMANDS: Command[] = [login, logout, whoami, upload, download, ls, mkdir, mv, rm, info, share, contacts];
COMMANDS.push(completion(() => COMMANDS));
