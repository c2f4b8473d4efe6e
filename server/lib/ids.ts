import { v7 } from 'uuid'

/** Opaque ids; UUIDv7 so that ids sort by creation time, which keeps cursors stable. */
export const newId = (): string => v7()
