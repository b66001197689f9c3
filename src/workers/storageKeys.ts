/** IndexedDB keys of the session, shared by the page and the ml worker. */
export const CHECKPOINT_KEY = 'checkpoint';
export const CHECKPOINT_DATASET_KEY = 'checkpoint.dataset';
/** The files appended by Update with new data, in order (a reload appends them again). */
export const UPDATES_KEY = 'updates';
