export * from './errors.js';
export * from './xml.js';
export * from './params.js';
export * from './methods.js';
export * from './result.js';
export * from './ids.js';
export * from './upload-answers.js';
