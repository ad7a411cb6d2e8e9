export * from './codec.js';
export * from './file.js';
export * from './folder.js';
export * from './contact.js';
export * from './transfer-info.js';
export * from './session.js';
