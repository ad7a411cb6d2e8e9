/** Shapes of the identifiers the protocol hands out (see the compat notes' "Ids"). */
export const FILE_ID_RE = /^[a-z0-9]{6}$/;
export const FOLDER_ID_RE = /^(?:0|[a-z0-9]{6})$/;
export const KEY_RE = /^[a-z0-9]{32}$/;
export const ROOT_FOLDER_ID = '0';
export const ROOT_FOLDER_NAME = 'Default';
